/* test-activity.c: binding jobs' activity to widget properties
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

static gboolean
wait_cb (gpointer   user_data,
         GError   **error)
{
  return gco_await_cancellation (error);
}

static void
test_bind (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoActivity *activity = gco_activity_new ();
  GtkWidget *spinner = g_object_ref_sink (gtk_spinner_new ());
  GtkWidget *button = g_object_ref_sink (gtk_button_new ());
  GcoJob *first, *second;

  g_test_summary ("A spinner spins and a button is insensitive while tracked jobs run");
  if (skip_without_display ())
    {
      g_object_unref (spinner);
      g_object_unref (button);
      g_object_unref (activity);
      gco_scope_unref (scope);
      return;
    }

  g_object_bind_property (activity, "active", spinner, "spinning", G_BINDING_SYNC_CREATE);
  g_object_bind_property (activity, "active", button, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_true (gtk_widget_get_sensitive (button));

  first = gco_launch_job (scope, wait_cb, NULL, NULL);
  second = gco_launch_job (scope, wait_cb, NULL, NULL);
  gco_activity_track (activity, first);
  gco_activity_track (activity, second);
  g_assert_cmpuint (gco_activity_get_n_jobs (activity), ==, 2);
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_false (gtk_widget_get_sensitive (button));

  gco_job_cancel (first);
  gco_test_run_until_job (NULL, first);
  g_assert_cmpuint (gco_activity_get_n_jobs (activity), ==, 1);
  g_assert_true (gco_activity_get_active (activity));

  gco_job_cancel (second);
  gco_test_run_until_job (NULL, second);
  g_assert_cmpuint (gco_activity_get_n_jobs (activity), ==, 0);
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_true (gtk_widget_get_sensitive (button));

  /* A completed job changes nothing. */
  gco_activity_track (activity, first);
  g_assert_false (gco_activity_get_active (activity));

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (first);
  gco_test_assert_finalize_job (second);
  gco_scope_unref (scope);
  g_assert_finalize_object (spinner);
  g_assert_finalize_object (button);
  g_assert_finalize_object (activity);
}

static gboolean
started_wait_cb (gpointer   user_data,
                 GError   **error)
{
  g_atomic_int_set ((gint *) user_data, TRUE);
  return gco_await_cancellation (error);
}

static void
test_other_thread (void)
{
  GcoTestWorker *worker;
  GcoScope *scope;
  GcoActivity *activity;
  GcoJob *job;
  gboolean inactive = FALSE;
  gint started = FALSE;

  g_test_summary ("A job completing on another thread is counted out on the activity's own "
                  "thread");
  if (skip_without_display ())
    return;

  worker = gco_test_worker_new (FALSE);
  scope = gco_scope_new (NULL, worker->dispatcher);
  activity = gco_activity_new ();
  job = gco_launch_job (scope, started_wait_cb, &started, NULL);
  gco_activity_track (activity, job);
  g_assert_true (gco_activity_get_active (activity));

  /* Started on the worker, so it completes there once cancelled. */
  while (!g_atomic_int_get (&started))
    g_usleep (1000);
  gco_job_cancel (job);
  while (!gco_job_is_completed (job))
    g_usleep (1000);
  /* Completed on the worker: the change waits for this thread's loop. */
  g_assert_true (gco_activity_get_active (activity));
  while (!inactive)
    {
      g_main_context_iteration (NULL, TRUE);
      inactive = !gco_activity_get_active (activity);
    }

  gco_test_worker_free (worker);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  g_assert_finalize_object (activity);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/GcoGtk/Activity/bind", test_bind);
  g_test_add_func ("/GcoGtk/Activity/other-thread", test_other_thread);

  return g_test_run ();
}
