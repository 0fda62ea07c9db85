/* drive-stress.c: the Stress page runs its coroutines to the end and shows
 * the figures; a second run, cancelled midway, ends every one of its jobs.
 *
 * The count: the page's default is 100,000, which this driver checks and then
 * lowers to STRESS_COUNT, because of time rather than memory. Under Xvfb, GTK
 * draws every frame with Mesa's software renderer, which leaves the
 * coroutines only a few milliseconds per frame: a run of 100,000 took 9.5 s
 * here (1.5 s with GSK_RENDERER=cairo, as with a real GPU), and 25 s under
 * ASan, where the gtk suite also runs, against 2.6 s and 4 s for 20,000.
 * 20,000 coroutines still take 20 batches, keep the dispatcher's queue and
 * timer heap busy for a second or more, and give Cancel thousands of jobs to
 * unwind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "demo-test.h"

#define DEFAULT_COUNT 100000
#define STRESS_COUNT  20000

typedef struct {
  GtkSpinButton  *count_spin;
  GtkButton      *launch_button;
  GtkButton      *cancel_button;
  GtkSpinner     *spinner;
  GtkProgressBar *progress_bar;
  GtkLabel       *figures_label;
} Page;

static gboolean
is_spinning (gpointer data)
{
  Page *page = data;

  return gtk_spinner_get_spinning (page->spinner);
}

/* Some coroutines are done, and the run still goes. */
static gboolean
is_midway (gpointer data)
{
  Page *page = data;

  return gtk_progress_bar_get_fraction (page->progress_bar) > 0 &&
         gtk_widget_get_sensitive (GTK_WIDGET (page->cancel_button));
}

static gboolean
no_live_jobs (gpointer data)
{
  return demo_count_live_jobs () == 0;
}

static void
assert_idle (Page *page)
{
  g_assert_false (gtk_spinner_get_spinning (page->spinner));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->launch_button)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->cancel_button)));
}

/* Launches a run and waits until it has begun. */
static gboolean
launch (Page    *page,
        GError **error)
{
  demo_click (page->launch_button);
  if (!demo_wait_until (is_spinning, page, "the run to begin", error))
    return FALSE;

  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->launch_button)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->cancel_button)));
  return TRUE;
}

gboolean
demo_drive_stress (GcoDemoWindow  *window,
                   GtkWidget      *widget,
                   GError        **error)
{
  Page page = {
    demo_get_child (widget, "count_spin"),
    demo_get_child (widget, "launch_button"),
    demo_get_child (widget, "cancel_button"),
    demo_get_child (widget, "spinner"),
    demo_get_child (widget, "progress_bar"),
    demo_get_child (widget, "figures_label"),
  };
  g_autofree char *expected = NULL;
  g_autofree char *progress = NULL;
  const char *figures;

  g_assert_cmpint (gtk_spin_button_get_value_as_int (page.count_spin), ==, DEFAULT_COUNT);
  assert_idle (&page);
  gtk_spin_button_set_value (page.count_spin, STRESS_COUNT);

  /* A whole run: the figures name the count, the spinner stops. */
  if (!launch (&page, error))
    return FALSE;
  expected = g_strdup_printf ("%'u coroutines: launched in ", STRESS_COUNT);
  if (!demo_wait_label_prefix (page.figures_label, expected, error))
    return FALSE;
  figures = gtk_label_get_text (page.figures_label);
  g_test_message ("%s", figures);
  g_assert_nonnull (strstr (figures, " ms, all done after "));
  g_assert_nonnull (strstr (figures, " s, peak RSS +"));
  g_assert_nonnull (strstr (figures, " fps"));
  assert_idle (&page);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (page.progress_bar), ==, 1.0);
  progress = g_strdup_printf ("%'u launched, %'u done", STRESS_COUNT, STRESS_COUNT);
  g_assert_cmpstr (gtk_progress_bar_get_text (page.progress_bar), ==, progress);
  if (!demo_wait_until (no_live_jobs, NULL, "the run's jobs to end", error))
    return FALSE;

  /* A run cancelled midway: thousands of jobs, all gone. */
  if (!launch (&page, error) ||
      !demo_wait_until (is_midway, &page, "some coroutines to be done", error))
    return FALSE;
  g_assert_cmpuint (demo_count_live_jobs (), >, 1000);
  demo_click (page.cancel_button);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page.figures_label), "Cancelled after "));
  assert_idle (&page);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (page.progress_bar), <, 1.0);
  if (!demo_wait_until (no_live_jobs, NULL, "the cancelled jobs to end", error))
    return FALSE;
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page.figures_label), "Cancelled after "));

  return TRUE;
}
