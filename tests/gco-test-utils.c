/* gco-test-utils.c: helpers shared by the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-test-utils.h"

#include "gco-job-private.h"

#define HARD_TIMEOUT_USEC (30 * G_USEC_PER_SEC)

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
run_until (GMainContext   *context,
           const gboolean *flag,
           GcoJob         *job)
{
  gint64 deadline = g_get_monotonic_time () + HARD_TIMEOUT_USEC;
  GSource *tick = g_timeout_source_new (50);

  /* A periodic wake-up, so a blocking iteration re-checks the deadline. */
  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, context);

  while (!(flag != NULL ? *flag : gco_job_is_completed (job)))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("test timed out waiting for a condition");
      g_main_context_iteration (context, TRUE);
    }

  g_source_destroy (tick);
  g_source_unref (tick);
}

void
gco_test_run_until (GMainContext   *context,
                    const gboolean *flag)
{
  run_until (context, flag, NULL);
}

void
gco_test_run_until_job (GMainContext *context,
                        GcoJob       *job)
{
  run_until (context, NULL, job);
}

void
gco_test_drain (GMainContext *context)
{
  guint n = 0;

  while (g_main_context_iteration (context, FALSE))
    g_assert_cmpuint (++n, <, 10000000);
}

void
gco_test_run_for (GMainContext *context,
                  guint         msec)
{
  gint64 end = g_get_monotonic_time () + (gint64) msec * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (context, FALSE))
        g_usleep (500);
    }
}

void
gco_test_assert_finalize_job (GcoJob *job)
{
  g_assert_nonnull (job);
  g_assert_true (gco_job_is_completed (job));
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 1);
  gco_job_unref (job);
}

static gpointer
worker_main (gpointer data)
{
  GcoTestWorker *worker = data;

  g_main_context_push_thread_default (worker->context);
  g_main_loop_run (worker->loop);
  g_main_context_pop_thread_default (worker->context);

  return NULL;
}

void
gco_test_worker_start (GcoTestWorker *worker,
                       gboolean       immediate)
{
  worker->context = g_main_context_new ();
  worker->loop = g_main_loop_new (worker->context, FALSE);
  worker->dispatcher = gco_dispatcher_new_for_context (worker->context, immediate);
  worker->thread = g_thread_new ("gco-test-worker", worker_main, worker);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
gco_test_worker_stop (GcoTestWorker *worker)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, quit_cb, worker->loop, NULL);
  g_source_attach (source, worker->context);
  g_source_unref (source);

  g_thread_join (worker->thread);
  gco_dispatcher_unref (worker->dispatcher);
  g_main_loop_unref (worker->loop);
  g_main_context_unref (worker->context);
}

GcoTestWorker *
gco_test_worker_new (gboolean immediate)
{
  GcoTestWorker *worker = g_new0 (GcoTestWorker, 1);

  gco_test_worker_start (worker, immediate);
  return worker;
}

void
gco_test_worker_free (GcoTestWorker *worker)
{
  gco_test_worker_stop (worker);
  g_free (worker);
}

static void
finalized_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
}

void
gco_test_watch_finalize (gpointer  object,
                         gboolean *finalized)
{
  g_autofree char *key = g_strdup_printf ("gco-test-finalized-%p", (gpointer) finalized);

  g_assert_true (G_IS_OBJECT (object));
  *finalized = FALSE;
  g_object_set_qdata_full (object, g_quark_from_string (key), finalized, finalized_cb);
}
