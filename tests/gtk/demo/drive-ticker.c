/* drive-ticker.c: the Ticker page ticks while shown, stops while hidden and
 * starts a new run when shown again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "demo-test.h"

static gboolean
has_no_jobs (gpointer widget)
{
  return gco_job_get_n_children (gco_scope_get_job (gco_widget_get_scope (widget))) == 0;
}

static gboolean
is_unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

gboolean
demo_drive_ticker (GcoDemoWindow  *window,
                   GtkWidget      *page,
                   GError        **error)
{
  GtkLabel *clock = demo_get_child (page, "clock_label");
  GtkLabel *status = demo_get_child (page, "status_label");
  g_autofree char *stopped_at = NULL;
  g_autoptr (GDateTime) now = NULL;

  /* Shown: the first run ticks. The clock shows the local time, checked to
   * the minute (the minute before, if it turned in between). */
  if (!demo_wait_label (status, "Run 1, tick 2 — started when this page was shown", error))
    return FALSE;
  g_assert_cmpuint (gco_job_get_n_children (gco_scope_get_job (gco_widget_get_scope (page))), ==, 1);
  now = g_date_time_new_now_local ();
  {
    g_autofree char *hm = g_date_time_format (now, "%H:%M");
    const char *shown = gtk_label_get_text (clock);

    g_assert_cmpuint (strlen (shown), ==, 8);
    if (!g_str_has_prefix (shown, hm))
      {
        /* The minute turned between the tick and the reading. */
        g_autoptr (GDateTime) before = g_date_time_add_minutes (now, -1);
        g_autofree char *hm_before = g_date_time_format (before, "%H:%M");

        g_assert_true (g_str_has_prefix (shown, hm_before));
      }
  }

  /* Hidden: the run is cancelled at once and nothing ticks any more. */
  g_assert_true (gco_demo_window_show_page (window, "download"));
  if (!demo_wait_until (is_unmapped, page, "the ticker page to be hidden", error))
    return FALSE;
  if (!demo_wait_until (has_no_jobs, page, "the ticker's job to end", error))
    return FALSE;
  stopped_at = g_strdup (gtk_label_get_text (status));
  g_assert_true (g_str_has_prefix (stopped_at, "Run 1, tick "));

  /* Shown again: a new run. */
  g_assert_true (gco_demo_window_show_page (window, "ticker"));
  if (!demo_wait_label (status, "Run 2, tick 1 — started when this page was shown", error))
    return FALSE;

  /* Leave the page, so that its job ends. */
  g_assert_true (gco_demo_window_show_page (window, "download"));
  if (!demo_wait_until (has_no_jobs, page, "the ticker's second job to end", error))
    return FALSE;

  return TRUE;
}
