/* gco-suspend.c: suspending calls that wait for time or for other jobs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every call here follows one pattern: arm the coroutine for a wake-up,
 * check what it waits for and its own cancellation, and suspend only if
 * neither happened. Whoever completes the wait (a timer, a job completing, a
 * cancellation on any thread) wakes it through its dispatcher, never in place.
 */

#include "gco-config.h"

#include "gco-coroutine-private.h"

#define CHECK_COROUTINE(co, error)                                     \
  G_STMT_START {                                                       \
    if ((co = gco__coroutine_get_checked (G_STRFUNC, error)) == NULL)  \
      return FALSE;                                                    \
  } G_STMT_END

static void
wake_handler (GcoJob       *job,
              const GError *error,
              gpointer      user_data)
{
  gco__coroutine_wake (user_data);
}

static void
set_cancelled (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
}

/* Delays */

typedef struct
{
  GcoTimer      timer;
  GcoCoroutine *co;
  gboolean      fired;
} DelayTimer;

static void
delay_fire (GcoTimer *timer)
{
  DelayTimer *self = (DelayTimer *) timer;

  self->fired = TRUE;
  gco__coroutine_wake (self->co);
}

/**
 * gco_delay:
 * @msec: how long to wait, in milliseconds
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine for @msec milliseconds without blocking its
 * thread. The deadline goes into the dispatcher's timer heap: a hundred
 * thousand pending delays cost the main loop what one does.
 *
 * If the coroutine is cancelled meanwhile, it resumes at once and returns
 * %FALSE with `G_IO_ERROR_CANCELLED`, even if the delay expired in the same
 * instant.
 *
 * Returns: %TRUE after the delay; %FALSE when cancelled
 *
 * Since: 0.1
 */
gboolean
gco_delay (guint    msec,
           GError **error)
{
  GcoCoroutine *co;
  DelayTimer delay = { { 0, }, NULL, FALSE };

  CHECK_COROUTINE (co, error);
  if (!gco__coroutine_check_active (co, error))
    return FALSE;
  if (msec == 0)
    return TRUE;

  delay.co = co;
  delay.timer.fire = delay_fire;
  delay.timer.deadline = co->dispatcher->klass->now (co->dispatcher) + (gint64) msec * 1000;
  co->dispatcher->klass->add_timer (co->dispatcher, &delay.timer);

  for (;;)
    {
      gco__coroutine_arm (co);
      if (delay.fired || gco__coroutine_is_cancelled (co))
        {
          gco__coroutine_disarm (co);
          break;
        }
      gco__coroutine_suspend (co);
    }

  if (!delay.fired)
    co->dispatcher->klass->remove_timer (co->dispatcher, &delay.timer);

  return gco__coroutine_check_active (co, error);
}

/**
 * gco_yield:
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine and puts it at the back of its dispatcher's
 * queue, so the coroutines (and, on a main context, the sources) that are
 * ready run first.
 *
 * Returns: %TRUE once resumed; %FALSE with `G_IO_ERROR_CANCELLED` when the
 *   coroutine is cancelled
 *
 * Since: 0.1
 */
gboolean
gco_yield (GError **error)
{
  GcoCoroutine *co;

  CHECK_COROUTINE (co, error);
  if (!gco__coroutine_check_active (co, error))
    return FALSE;

  gco__coroutine_arm (co);
  gco__coroutine_wake (co);
  gco__coroutine_suspend (co);

  return gco__coroutine_check_active (co, error);
}

/**
 * gco_await_cancellation:
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine until it is cancelled. Useful for a
 * coroutine whose work is its cleanup.
 *
 * Returns: %FALSE, always, with `G_IO_ERROR_CANCELLED`
 *
 * Since: 0.1
 */
gboolean
gco_await_cancellation (GError **error)
{
  GcoCoroutine *co;

  CHECK_COROUTINE (co, error);

  for (;;)
    {
      gco__coroutine_arm (co);
      if (gco__coroutine_is_cancelled (co))
        {
          gco__coroutine_disarm (co);
          break;
        }
      gco__coroutine_suspend (co);
    }

  set_cancelled (error);
  return FALSE;
}

/**
 * gco_ensure_active:
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Checks whether the calling coroutine was cancelled, without suspending: a
 * cancellation point for long computations.
 *
 * Returns: %TRUE if active; %FALSE with `G_IO_ERROR_CANCELLED` otherwise
 *
 * Since: 0.1
 */
gboolean
gco_ensure_active (GError **error)
{
  GcoCoroutine *co;

  CHECK_COROUTINE (co, error);

  return gco__coroutine_check_active (co, error);
}

/* Waiting for jobs */

typedef enum {
  WAIT_ALL,         /* every job final */
  WAIT_ALL_OR_ERROR /* every job final, or one final with an error */
} WaitMode;

static gboolean
wait_done (GcoJob   **jobs,
           guint      n_jobs,
           WaitMode   mode)
{
  gboolean all = TRUE;

  for (guint i = 0; i < n_jobs; i++)
    {
      if (!gco__job_is_final (jobs[i]))
        all = FALSE;
      else if (mode == WAIT_ALL_OR_ERROR && jobs[i]->error != NULL)
        return TRUE;
    }

  return all;
}

static gboolean
check_deadlock (GcoCoroutine  *co,
                GcoJob       **jobs,
                guint          n_jobs,
                const char    *function,
                GError       **error)
{
  for (guint i = 0; i < n_jobs; i++)
    {
      gboolean ancestor;

      if (jobs[i] == NULL)
        {
          g_critical ("%s: job %u of %u is NULL", function, i, n_jobs);
          g_set_error (error, GCO_ERROR, GCO_ERROR_FAILED, "%s: a job is NULL", function);
          return FALSE;
        }

      gco__tree_lock ();
      ancestor = gco__job_has_ancestor_locked (co->current, jobs[i]);
      gco__tree_unlock ();
      if (ancestor)
        {
          g_critical ("%s: a coroutine cannot wait for its own job ‘%s’ or an ancestor of it",
                      function, gco_job_get_name (jobs[i]));
          g_set_error (error, GCO_ERROR, GCO_ERROR_DEADLOCK,
                       "Waiting for job ‘%s’ from inside it would never return",
                       gco_job_get_name (jobs[i]));
          return FALSE;
        }
    }

  return TRUE;
}

/* Suspends until wait_done() or the caller is cancelled; the targets are left
 * alone either way (rule 9). */
static void
wait_for_jobs (GcoCoroutine  *co,
               GcoJob       **jobs,
               guint          n_jobs,
               WaitMode       mode)
{
  guint ids_on_stack[8];
  guint *ids = n_jobs <= G_N_ELEMENTS (ids_on_stack) ? ids_on_stack : g_new (guint, n_jobs);

  for (guint i = 0; i < n_jobs; i++)
    {
      /* Waiting for a lazy coroutine starts it. */
      gco_job_start (jobs[i]);
      ids[i] = gco__job_add_waiter (jobs[i], wake_handler, co);
    }

  for (;;)
    {
      gco__coroutine_arm (co);
      if (wait_done (jobs, n_jobs, mode) || gco__coroutine_is_cancelled (co))
        {
          gco__coroutine_disarm (co);
          break;
        }
      gco__coroutine_suspend (co);
    }

  for (guint i = 0; i < n_jobs; i++)
    if (ids[i] != 0)
      gco_job_remove_completion_handler (jobs[i], ids[i]);

  if (ids != ids_on_stack)
    g_free (ids);
}

/**
 * gco_job_join:
 * @job: the job to wait for
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine until @job completed (its body and all its
 * children), starting it if it was lazy. If the caller is cancelled
 * meanwhile, returns `G_IO_ERROR_CANCELLED` and leaves @job alone. Joining a
 * job that failed or was cancelled is a success: only
 * [method@Gco.Deferred.await] reports the target's failure.
 *
 * Joining the caller's own job or an ancestor of it would never return: it is
 * a programmer error (`GCO_ERROR_DEADLOCK`).
 *
 * Returns: %TRUE when @job completed; %FALSE if the caller was cancelled
 *
 * Since: 0.1
 */
gboolean
gco_job_join (GcoJob  *job,
              GError **error)
{
  GcoCoroutine *co;

  g_return_val_if_fail (job != NULL, FALSE);
  CHECK_COROUTINE (co, error);

  return gco_join_all (&job, 1, error);
}

/**
 * gco_join_all:
 * @jobs: (array length=n_jobs): the jobs to wait for
 * @n_jobs: the number of jobs
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine until every job in @jobs completed; see
 * [method@Gco.Job.join].
 *
 * Returns: %TRUE when all completed; %FALSE if the caller was cancelled
 *
 * Since: 0.1
 */
gboolean
gco_join_all (GcoJob  **jobs,
              guint     n_jobs,
              GError  **error)
{
  GcoCoroutine *co;

  g_return_val_if_fail (jobs != NULL || n_jobs == 0, FALSE);
  CHECK_COROUTINE (co, error);

  if (!check_deadlock (co, jobs, n_jobs, G_STRFUNC, error))
    return FALSE;

  wait_for_jobs (co, jobs, n_jobs, WAIT_ALL);

  return gco__coroutine_check_active (co, error);
}

/**
 * gco_job_cancel_and_join:
 * @job: the job to cancel
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Cancels @job and suspends the calling coroutine until @job's body and all
 * its descendants finished unwinding (rule 11).
 *
 * Returns: %TRUE when @job completed; %FALSE if the caller was cancelled
 *
 * Since: 0.1
 */
gboolean
gco_job_cancel_and_join (GcoJob  *job,
                         GError **error)
{
  GcoCoroutine *co;

  g_return_val_if_fail (job != NULL, FALSE);
  CHECK_COROUTINE (co, error);

  if (!check_deadlock (co, &job, 1, G_STRFUNC, error))
    return FALSE;

  gco_job_cancel (job);
  return gco_join_all (&job, 1, error);
}

/* The failure of @job, if it failed (also while still unwinding). */
static GError *
copy_failure (GcoJob *job)
{
  GError *failure = NULL;

  gco__tree_lock ();
  if (job->flags & GCO_JOB_FLAG_FAILED)
    failure = g_error_copy (job->error);
  gco__tree_unlock ();

  return failure;
}

/**
 * gco_deferred_await:
 * @deferred: the deferred to wait for
 * @error: return location for its failure or `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine until @deferred completed and returns its
 * value. A deferred that failed returns its failure (also when the caller was
 * cancelled meanwhile: a failure is never hidden); a cancelled one, or a
 * cancelled caller, returns `G_IO_ERROR_CANCELLED`.
 *
 * Returns: (transfer none) (nullable): the value, owned by @deferred; %NULL
 *   with @error set on failure or cancellation (a value may be %NULL too)
 *
 * Since: 0.1
 */
gpointer
gco_deferred_await (GcoDeferred  *deferred,
                    GError      **error)
{
  GcoJob *job = (GcoJob *) deferred;
  GcoCoroutine *co;
  GError *failure;

  g_return_val_if_fail (deferred != NULL, NULL);
  g_return_val_if_fail (job->traits & GCO_JOB_FLAG_DEFERRED, NULL);
  CHECK_COROUTINE (co, error);

  if (!check_deadlock (co, &job, 1, G_STRFUNC, error))
    return NULL;

  wait_for_jobs (co, &job, 1, WAIT_ALL);

  /* Rule 7's exception: a failure is never hidden, even while the failed
   * deferred still unwinds its children. */
  if ((failure = copy_failure (job)) != NULL)
    {
      g_propagate_error (error, failure);
      return NULL;
    }
  if (!gco__coroutine_check_active (co, error))
    return NULL;
  if (job->error != NULL)
    {
      g_propagate_error (error, g_error_copy (job->error));
      return NULL;
    }

  return job->value;
}

/**
 * gco_await_all:
 * @deferreds: (array length=n_deferreds): the deferreds to wait for
 * @n_deferreds: the number of deferreds
 * @error: return location for the first failure or `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine until every deferred completed, or one of
 * them failed: kotlinx's `awaitAll`. Then read the values with
 * [method@Gco.Deferred.get_value].
 *
 * Returns: %TRUE when all completed; %FALSE with the first failure, or
 *   `G_IO_ERROR_CANCELLED` if one was cancelled or the caller was
 *
 * Since: 0.1
 */
gboolean
gco_await_all (GcoDeferred **deferreds,
               guint         n_deferreds,
               GError      **error)
{
  GcoJob **jobs = (GcoJob **) deferreds;
  GcoCoroutine *co;

  g_return_val_if_fail (deferreds != NULL || n_deferreds == 0, FALSE);
  CHECK_COROUTINE (co, error);

  if (!check_deadlock (co, jobs, n_deferreds, G_STRFUNC, error))
    return FALSE;
  for (guint i = 0; i < n_deferreds; i++)
    g_return_val_if_fail (jobs[i]->traits & GCO_JOB_FLAG_DEFERRED, FALSE);

  wait_for_jobs (co, jobs, n_deferreds, WAIT_ALL_OR_ERROR);

  for (guint i = 0; i < n_deferreds; i++)
    {
      GError *failure = copy_failure (jobs[i]);

      if (failure != NULL)
        {
          g_propagate_error (error, failure);
          return FALSE;
        }
    }
  if (!gco__coroutine_check_active (co, error))
    return FALSE;
  for (guint i = 0; i < n_deferreds; i++)
    {
      if (gco__job_is_final (jobs[i]) && jobs[i]->error != NULL)
        {
          g_propagate_error (error, g_error_copy (jobs[i]->error));
          return FALSE;
        }
    }

  return TRUE;
}
