/* gco-example.c: a tour of gco's core on the command line
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One coroutine, launched into a main scope, walks through the basics in
 * straight-line C and checks each outcome:
 *
 *  1. three children sleep for different times; joining them all waits for
 *     the slowest, and they finish in the order of their delays;
 *  2. an `async` child computes a value that the parent awaits;
 *  3. a block that takes too long is cut short by gco_with_timeout: inside
 *     it, the delay returns G_IO_ERROR_CANCELLED; the caller gets
 *     G_IO_ERROR_TIMED_OUT;
 *  4. a child that fails inside gco_coroutine_scope cancels its sibling, and
 *     the failure comes back to the caller as a return value;
 *  5. a job that would wait forever is cancelled, and gco_job_cancel_and_join
 *     returns only after its cleanup ran.
 *
 * It prints what happens and exits 0 only when every outcome is the expected
 * one, so it doubles as a test (suite `core`).
 */

#include <gco/gco.h>

#include <stdlib.h>

/* The longest the whole tour may take before it counts as hung. */
#define WATCHDOG_SECONDS 20

typedef struct {
  GString  *finish_order; /* names of the sleepers, in the order they woke */
  gboolean  cleanup_ran;  /* set by the cancelled job while it unwinds */
  guint     n_failed;     /* checks that did not hold */
} Tour;

static void
check (Tour       *tour,
       gboolean    ok,
       const char *what)
{
  g_print ("  [%s] %s\n", ok ? "ok" : "FAILED", what);
  if (!ok)
    tour->n_failed++;
}

/* 1. Sleepers ------------------------------------------------------------ */

typedef struct {
  Tour       *tour;
  const char *name;
  guint       msec;
} Sleeper;

static gboolean
sleeper_cb (gpointer   user_data,
            GError   **error)
{
  Sleeper *sleeper = user_data;

  if (!gco_delay (sleeper->msec, error))
    return FALSE;

  g_print ("  %s woke after %u ms\n", sleeper->name, sleeper->msec);
  g_string_append (sleeper->tour->finish_order, sleeper->name);
  return TRUE;
}

static gboolean
run_sleepers (Tour    *tour,
              GError **error)
{
  static const struct { const char *name; guint msec; } plan[] = {
    { "a", 150 }, { "b", 50 }, { "c", 100 },
  };
  GcoJob *jobs[G_N_ELEMENTS (plan)];
  gboolean ok;

  g_print ("1. three sleepers\n");
  for (guint i = 0; i < G_N_ELEMENTS (plan); i++)
    {
      Sleeper *sleeper = g_new0 (Sleeper, 1);

      sleeper->tour = tour;
      sleeper->name = plan[i].name;
      sleeper->msec = plan[i].msec;
      /* Children of the running coroutine: the scope of its current job. */
      jobs[i] = gco_launch_job (gco_scope_get_current (), sleeper_cb, sleeper, g_free);
    }

  ok = gco_join_all (jobs, G_N_ELEMENTS (jobs), error);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    gco_job_unref (jobs[i]);
  if (!ok)
    return FALSE;

  check (tour, g_str_equal (tour->finish_order->str, "bca"),
         "join_all waited for all three, which woke in the order of their delays");
  return TRUE;
}

/* 2. async / await ---------------------------------------------------------- */

static gpointer
answer_cb (gpointer   user_data,
           GError   **error)
{
  if (!gco_delay (10, error))
    return NULL;

  return g_strdup_printf ("%d", 6 * 7);
}

static gboolean
run_async (Tour    *tour,
           GError **error)
{
  GcoDeferred *deferred;
  const char *answer;

  g_print ("2. async + await\n");
  deferred = gco_async (gco_scope_get_current (), answer_cb, NULL, NULL, g_free);
  answer = gco_deferred_await (deferred, error);   /* owned by the deferred */
  if (answer == NULL)
    {
      gco_deferred_unref (deferred);
      return FALSE;
    }

  g_print ("  the deferred answered %s\n", answer);
  check (tour, g_str_equal (answer, "42"), "await returned the async child's value");
  gco_deferred_unref (deferred);   /* frees the value with g_free */

  return TRUE;
}

/* 3. withTimeout ------------------------------------------------------------ */

static gboolean
too_slow_cb (gpointer   user_data,
             GError   **error)
{
  Tour *tour = user_data;
  GError *local_error = NULL;

  if (gco_delay (10 * 1000, &local_error))
    return TRUE;

  g_print ("  inside the block, the delay returned: %s\n", local_error->message);
  check (tour, g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED),
         "inside the timed block, the delay was cancelled");
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
run_timeout (Tour    *tour,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  g_print ("3. with_timeout (50 ms) around a 10 s delay\n");
  ok = gco_with_timeout (50, too_slow_cb, tour, &local_error);
  g_print ("  with_timeout returned %s after %" G_GINT64_FORMAT " ms: %s\n",
           ok ? "TRUE" : "FALSE", (g_get_monotonic_time () - start) / 1000,
           local_error != NULL ? local_error->message : "no error");
  check (tour, !ok && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT),
         "with_timeout returned G_IO_ERROR_TIMED_OUT");

  /* Our own job was not cancelled by the inner timeout. */
  return gco_ensure_active (error);
}

/* 4. A failing child --------------------------------------------------------- */

static gboolean
failing_cb (gpointer   user_data,
            GError   **error)
{
  if (!gco_delay (10, error))
    return FALSE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the file was not there");
  return FALSE;
}

static gboolean
patient_cb (gpointer   user_data,
            GError   **error)
{
  gboolean *patient_cancelled = user_data;
  GError *local_error = NULL;

  if (gco_delay (10 * 1000, &local_error))
    return TRUE;

  *patient_cancelled = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
two_children_cb (gpointer   user_data,
                 GError   **error)
{
  gco_launch (gco_scope_get_current (), failing_cb, NULL, NULL);
  gco_launch (gco_scope_get_current (), patient_cb, user_data, NULL);
  return TRUE;   /* the block's scope waits for both */
}

static gboolean
run_failure (Tour    *tour,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean patient_cancelled = FALSE;
  gboolean ok;

  g_print ("4. a child fails inside coroutine_scope\n");
  ok = gco_coroutine_scope (two_children_cb, &patient_cancelled, &local_error);
  g_print ("  coroutine_scope returned %s: %s\n", ok ? "TRUE" : "FALSE",
           local_error != NULL ? local_error->message : "no error");
  check (tour, !ok && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND),
         "the child's failure came back as the return value");
  check (tour, patient_cancelled, "the failure cancelled the sibling");

  return gco_ensure_active (error);
}

/* 5. Cancel and join --------------------------------------------------------- */

static gboolean
forever_cb (gpointer   user_data,
            GError   **error)
{
  Tour *tour = user_data;
  GError *local_error = NULL;

  gco_await_cancellation (&local_error);   /* always FALSE, once cancelled */

  /* Cleanup runs while the job is cancelling; a suspending call here would
   * return G_IO_ERROR_CANCELLED at once. */
  g_print ("  the waiting job cleans up: %s\n", local_error->message);
  tour->cleanup_ran = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
run_cancel (Tour    *tour,
            GError **error)
{
  GcoJob *job;
  gboolean ok;

  g_print ("5. cancel_and_join a job that waits forever\n");
  job = gco_launch_job (gco_scope_get_current (), forever_cb, tour, NULL);
  if (!gco_delay (20, error))
    {
      gco_job_unref (job);
      return FALSE;
    }

  ok = gco_job_cancel_and_join (job, error);
  check (tour, ok, "cancel_and_join returned TRUE: the caller was not cancelled");
  check (tour, tour->cleanup_ran, "the job's cleanup ran before cancel_and_join returned");
  check (tour, gco_job_is_cancelled (job) && gco_job_is_completed (job),
         "the job ended cancelled");
  gco_job_unref (job);

  return ok;
}

/* The tour ---------------------------------------------------------------------- */

static gboolean
tour_cb (gpointer   user_data,
         GError   **error)
{
  Tour *tour = user_data;

  return run_sleepers (tour, error) &&
         run_async (tour, error) &&
         run_timeout (tour, error) &&
         run_failure (tour, error) &&
         run_cancel (tour, error);
}

static void
tour_done_cb (GcoJob       *job,
              const GError *error,
              gpointer      user_data)
{
  g_main_loop_quit (user_data);
}

static gboolean
watchdog_cb (gpointer user_data)
{
  g_printerr ("gco-example: still running after %d s, giving up\n", WATCHDOG_SECONDS);
  exit (EXIT_FAILURE);
}

int
main (int    argc,
      char **argv)
{
  Tour tour = { g_string_new (NULL), FALSE, 0 };
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  GcoScope *scope = gco_main_scope_new ();
  const GError *error;
  GcoJob *job;
  guint watchdog;
  int status;

  /* The main scope runs its coroutines on the default GMainContext. */
  job = gco_launch_job (scope, tour_cb, &tour, NULL);
  gco_job_add_completion_handler (job, tour_done_cb, loop, NULL);
  watchdog = g_timeout_add_seconds (WATCHDOG_SECONDS, watchdog_cb, NULL);
  g_main_loop_run (loop);
  g_source_remove (watchdog);

  error = gco_job_get_error (job);
  if (error != NULL)
    {
      g_print ("the tour stopped early: %s\n", error->message);
      tour.n_failed++;
    }

  status = tour.n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
  g_print ("%s: %u check(s) failed\n", status == EXIT_SUCCESS ? "PASS" : "FAIL", tour.n_failed);

  gco_job_unref (job);
  gco_scope_cancel (scope);
  gco_scope_unref (scope);
  g_main_loop_unref (loop);
  g_string_free (tour.finish_order, TRUE);

  return status;
}
