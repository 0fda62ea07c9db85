/* test-lifecycle.c: launches while a widget is mapped
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gco/gco-gtk.h>

#include "gco-test-utils.h"

static gboolean have_display;

static gboolean
skip_without_display (void)
{
  if (!have_display)
    g_test_skip ("no display: gtk_init_check () failed");
  return !have_display;
}

typedef struct
{
  guint    started;
  guint    ended;
  guint    running;
  guint    max_running;
  gboolean finalized;
  gboolean destroyed_data;
} Counts;

static gboolean
yield_cb (gpointer   user_data,
          GError   **error)
{
  return gco_yield (error);
}

static gboolean
ticker_cb (gpointer   user_data,
           GError   **error)
{
  Counts *counts = user_data;
  gboolean ok;

  counts->started++;
  counts->running++;
  counts->max_running = MAX (counts->max_running, counts->running);

  ok = gco_await_cancellation (error);

  /* Unwinding takes a while: a map in the meantime must wait for it. */
  gco_non_cancellable (yield_cb, NULL, NULL);

  counts->running--;
  counts->ended++;
  return ok;
}

static void
counts_destroy (gpointer data)
{
  ((Counts *) data)->destroyed_data = TRUE;
}

static void
run_until_started (Counts *counts,
                   guint   n)
{
  while (counts->started < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_while_mapped (void)
{
  Counts counts = { 0, };
  GtkWidget *window, *label;

  g_test_summary ("A launch while mapped runs while the widget is mapped, is cancelled on "
                  "unmap, starts again on map, and never runs twice at once");
  if (skip_without_display ())
    return;

  window = gtk_window_new ();
  label = gtk_label_new ("tick");
  gtk_window_set_child (GTK_WINDOW (window), label);
  gco_test_watch_finalize (label, &counts.finalized);

  gco_widget_launch_while_mapped (label, ticker_cb, &counts, counts_destroy);
  g_assert_cmpuint (counts.started, ==, 0);

  gtk_window_present (GTK_WINDOW (window));
  run_until_started (&counts, 1);
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_cmpuint (counts.running, ==, 1);

  /* Unmapped: cancelled. */
  gtk_widget_set_visible (label, FALSE);
  g_assert_false (gtk_widget_get_mapped (label));
  while (counts.ended < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (counts.running, ==, 0);

  /* Mapped again: a new launch. */
  gtk_widget_set_visible (label, TRUE);
  run_until_started (&counts, 2);

  /* Unmapped and mapped again before the launch unwound: the next one waits
   * for it. */
  gtk_widget_set_visible (label, FALSE);
  gtk_widget_set_visible (label, TRUE);
  run_until_started (&counts, 3);
  g_assert_cmpuint (counts.ended, ==, 2);
  g_assert_cmpuint (counts.max_running, ==, 1);

  /* Closing the window cancels the last one; the label is finalized after
   * it unwound, and the data released. */
  gtk_window_destroy (GTK_WINDOW (window));
  while (!counts.finalized)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (counts.ended, ==, 3);
  g_assert_cmpuint (counts.running, ==, 0);
  g_assert_true (counts.destroyed_data);
}

static void
test_while_mapped_bad_input (void)
{
  g_test_summary ("NULL arguments are criticals, not crashes");
  if (skip_without_display ())
    return;

  g_test_expect_message ("Gco-Gtk", G_LOG_LEVEL_CRITICAL, "*assertion*");
  gco_widget_launch_while_mapped (NULL, ticker_cb, NULL, NULL);
  g_test_assert_expected_messages ();
}

typedef struct
{
  guint  started;
  char  *name;  /* the job's name, read by the body */
} Named;

static gboolean
named_cb (gpointer   user_data,
          GError   **error)
{
  Named *named = user_data;

  named->started++;
  g_free (named->name);
  named->name = g_strdup (gco_job_get_name (gco_job_get_current ()));
  return gco_await_cancellation (error);
}

static void
test_full_options (void)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Named named = { 0, NULL };
  gboolean finalized = FALSE;
  GtkWidget *window, *label;
  char *name;
  g_autoptr (GcoJob) first = NULL;
  g_autoptr (GcoJob) second = NULL;

  g_test_summary ("The _full variants launch with the options given: every launch while mapped "
                  "gets a copy of them (the caller's strings may go), a replacing launch too");
  if (skip_without_display ())
    return;

  window = gtk_window_new ();
  label = gtk_label_new ("named");
  gtk_window_set_child (GTK_WINDOW (window), label);
  gco_test_watch_finalize (label, &finalized);

  name = g_strdup ("clock");
  options.name = name;
  options.dispatcher = gco_dispatcher_get_main ();
  gco_widget_launch_while_mapped_full (label, &options, named_cb, &named, NULL);
  g_free (name);  /* copied */

  gtk_window_present (GTK_WINDOW (window));
  while (named.started < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (named.name, ==, "clock");

  gtk_widget_set_visible (label, FALSE);
  gtk_widget_set_visible (label, TRUE);
  while (named.started < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (named.name, ==, "clock");

  /* A replacing launch, named; the second replaces the first. */
  options = (GcoLaunchOptions) GCO_LAUNCH_OPTIONS_INIT;
  options.name = "lookup";
  first = gco_widget_launch_replacing_full (label, "lookup", &options, named_cb, &named, NULL);
  second = gco_widget_launch_replacing_full (label, "lookup", NULL, named_cb, &named, NULL);
  g_assert_cmpstr (gco_job_get_name (first), ==, "lookup");
  g_assert_true (gco_job_is_cancelled (first));
  g_assert_true (gco_job_is_active (second));

  gtk_window_destroy (GTK_WINDOW (window));
  while (!finalized)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (gco_job_is_completed (second));
  g_free (named.name);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/GcoGtk/Lifecycle/while-mapped", test_while_mapped);
  g_test_add_func ("/GcoGtk/Lifecycle/while-mapped/bad-input", test_while_mapped_bad_input);
  g_test_add_func ("/GcoGtk/Lifecycle/full-options", test_full_options);

  return g_test_run ();
}
