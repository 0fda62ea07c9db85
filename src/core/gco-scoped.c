/* gco-scoped.c: scoped builders, which run a block in place in a new job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A scoped builder runs its block on the calling coroutine, with a new job
 * (a frame) as the current job, then waits for the frame's children whatever
 * happens to the caller meanwhile: when it returns, everything the block
 * started has finished. Its failure is returned to the caller as a value; it
 * never cancels the caller.
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

static GcoJob *
frame_new (GcoCoroutine *co,
           GcoJob       *parent,
           guint         flags)
{
  GcoJob *frame = g_new0 (GcoJob, 1);

  frame->co = co;
  gco__tree_lock ();
  gco__job_init_locked (frame, GCO_JOB_KIND_FRAME, flags | GCO_JOB_FLAG_SCOPED,
                        parent, co->current->slot);
  gco__tree_unlock_and_flush ();

  return frame;
}

/* Suspends until @job is final, ignoring the caller's cancellation: the
 * cancellation reaches @job's descendants through the tree, and structured
 * concurrency means waiting for them to unwind. */
static void
wait_final (GcoCoroutine *co,
            GcoJob       *job)
{
  guint id = gco__job_add_waiter (job, wake_handler, co);

  for (;;)
    {
      gco__coroutine_arm (co);
      if (gco__job_is_final (job))
        {
          gco__coroutine_disarm (co);
          break;
        }
      gco__coroutine_suspend (co);
    }

  gco_job_remove_completion_handler (job, id);
}

static GError *
call_block (GcoFunc   func,
            gpointer  user_data)
{
  GError *error = NULL;

  if (func (user_data, &error))
    {
      if G_UNLIKELY (error != NULL)
        {
          g_critical ("A scoped block returned TRUE but set an error: %s", error->message);
          g_clear_error (&error);
        }
    }
  else if G_UNLIKELY (error == NULL)
    {
      g_critical ("A scoped block returned FALSE without setting an error");
      error = g_error_new_literal (GCO_ERROR, GCO_ERROR_FAILED,
                                   "A scoped block returned FALSE without setting an error");
    }

  return error;
}

static void
run_frame (GcoCoroutine *co,
           GcoJob       *frame,
           GcoFunc       func,
           gpointer      user_data)
{
  GcoJob *saved_current;
  GcoScope *saved_scope;
  GError *error;

  gco__coroutine_push_frame (co, frame, &saved_current, &saved_scope);

  error = call_block (func, user_data);
  gco__tree_lock ();
  gco__job_body_done_locked (frame, error, NULL, NULL);
  gco__tree_unlock_and_flush ();

  wait_final (co, frame);

  gco__coroutine_pop_frame (co, saved_current, saved_scope);
}

/* The first failure of the frame, else a cancellation of the frame or of the
 * caller (prompt cancellation), else success. */
static gboolean
frame_result (GcoCoroutine  *co,
              GcoJob        *frame,
              GError       **error)
{
  if (frame->flags & GCO_JOB_FLAG_FAILED)
    {
      g_propagate_error (error, g_error_copy (frame->error));
      return FALSE;
    }
  if (!gco__coroutine_check_active (co, error))
    return FALSE;
  if (frame->error != NULL)
    {
      g_propagate_error (error, g_error_copy (frame->error));
      return FALSE;
    }

  return TRUE;
}

static gboolean
scope_builder (GcoCoroutine  *co,
               guint          flags,
               GcoFunc        func,
               gpointer       user_data,
               GError       **error)
{
  GcoJob *frame = frame_new (co, co->current, flags);
  gboolean ok;

  run_frame (co, frame, func, user_data);
  ok = frame_result (co, frame, error);
  gco_job_unref (frame);

  return ok;
}

/**
 * gco_coroutine_scope:
 * @func: (scope call): the block
 * @user_data: data for @func
 * @error: return location for the first failure or `G_IO_ERROR_CANCELLED`
 *
 * Runs @func in place on the calling coroutine, in a new child job: kotlinx's
 * `coroutineScope`. Coroutines launched in [func@Gco.scope_get_current]
 * inside @func are children of that job. Suspends the calling coroutine until
 * @func and all those children completed.
 *
 * If @func or a child fails, the other children are cancelled and the first
 * failure is returned: it does not cancel the caller. Called from a cancelled
 * coroutine, @func still runs, already cancelled, and the call returns
 * `G_IO_ERROR_CANCELLED`.
 *
 * Returns: %TRUE on success; %FALSE with the first failure or
 *   `G_IO_ERROR_CANCELLED`
 *
 * Since: 0.1
 */
gboolean
gco_coroutine_scope (GcoFunc    func,
                     gpointer   user_data,
                     GError   **error)
{
  GcoCoroutine *co;

  g_return_val_if_fail (func != NULL, FALSE);
  CHECK_COROUTINE (co, error);

  return scope_builder (co, 0, func, user_data, error);
}

/**
 * gco_supervisor_scope:
 * @func: (scope call): the block
 * @user_data: data for @func
 * @error: return location for @func's failure or `G_IO_ERROR_CANCELLED`
 *
 * Like [func@Gco.coroutine_scope], with supervisor semantics: a failed child
 * cancels neither the block nor its siblings, and goes to the exception
 * handler; only the failure of @func itself is returned.
 *
 * Returns: %TRUE on success; %FALSE with @func's failure or
 *   `G_IO_ERROR_CANCELLED`
 *
 * Since: 0.1
 */
gboolean
gco_supervisor_scope (GcoFunc    func,
                      gpointer   user_data,
                      GError   **error)
{
  GcoCoroutine *co;

  g_return_val_if_fail (func != NULL, FALSE);
  CHECK_COROUTINE (co, error);

  return scope_builder (co, GCO_JOB_FLAG_SUPERVISOR, func, user_data, error);
}

typedef struct
{
  GcoTimer  timer;
  GcoJob   *frame;
} TimeoutTimer;

static void
timeout_fire (GcoTimer *timer)
{
  GcoJob *frame = ((TimeoutTimer *) timer)->frame;

  gco__tree_lock ();
  /* Only a deadline that cancels the frame itself counts as this timeout's:
   * a frame already cancelled by the caller stays a plain cancellation, and a
   * frame that completed in time stays completed, even if the caller has not
   * resumed yet. */
  if (!gco__job_is_cancelling_locked (frame) && !gco__job_is_final (frame))
    {
      frame->flags |= GCO_JOB_FLAG_TIMED_OUT;
      gco__job_cancel_locked (frame, NULL, FALSE);
    }
  gco__tree_unlock_and_flush ();
}

/**
 * gco_with_timeout:
 * @msec: the time limit in milliseconds
 * @func: (scope call): the block
 * @user_data: data for @func
 * @error: return location for the failure, `G_IO_ERROR_TIMED_OUT` or
 *   `G_IO_ERROR_CANCELLED`
 *
 * Runs @func like [func@Gco.coroutine_scope], cancelling it when @msec
 * milliseconds passed: kotlinx's `withTimeout`. Inside the block, suspending
 * calls then return `G_IO_ERROR_CANCELLED`; this call returns
 * `G_IO_ERROR_TIMED_OUT` once the block and its children unwound — also if
 * the block swallowed the cancellation. If the block turned the cancellation
 * into another error, that error is returned. A timeout interrupted by an
 * outer deadline or cancellation returns `G_IO_ERROR_CANCELLED`. With @msec
 * 0 the block does not run.
 *
 * Returns: %TRUE if @func completed in time; %FALSE with an error otherwise
 *
 * Since: 0.1
 */
gboolean
gco_with_timeout (guint      msec,
                  GcoFunc    func,
                  gpointer   user_data,
                  GError   **error)
{
  GcoCoroutine *co;
  TimeoutTimer timeout = { { 0, }, NULL };
  gboolean ok;

  g_return_val_if_fail (func != NULL, FALSE);
  CHECK_COROUTINE (co, error);

  if (msec == 0)
    {
      if (!gco__coroutine_check_active (co, error))
        return FALSE;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timed out immediately");
      return FALSE;
    }

  timeout.frame = frame_new (co, co->current, 0);
  timeout.timer.fire = timeout_fire;
  timeout.timer.deadline = co->dispatcher->klass->now (co->dispatcher) + (gint64) msec * 1000;
  co->dispatcher->klass->add_timer (co->dispatcher, &timeout.timer);

  run_frame (co, timeout.frame, func, user_data);
  co->dispatcher->klass->remove_timer (co->dispatcher, &timeout.timer);

  if ((timeout.frame->flags & GCO_JOB_FLAG_TIMED_OUT) &&
      !(timeout.frame->flags & GCO_JOB_FLAG_FAILED) &&
      !gco__coroutine_is_cancelled (co))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Timed out after %u ms", msec);
      ok = FALSE;
    }
  else
    {
      ok = frame_result (co, timeout.frame, error);
    }
  gco_job_unref (timeout.frame);

  return ok;
}

/**
 * gco_non_cancellable:
 * @func: (scope call): the block
 * @user_data: data for @func
 * @error: return location for @func's failure
 *
 * Runs @func in place where nothing is cancelled: kotlinx's
 * `withContext(NonCancellable)`. For cleanup that must suspend (saving a file,
 * telling a server goodbye) in a coroutine that is being cancelled. The
 * block's job has no parent, so cancelling the caller does not reach it nor
 * the coroutines it launches; the call waits for them.
 *
 * Returns: the block's result, even when the caller was cancelled meanwhile
 *
 * Since: 0.1
 */
gboolean
gco_non_cancellable (GcoFunc    func,
                     gpointer   user_data,
                     GError   **error)
{
  GcoCoroutine *co;
  GcoJob *frame;
  gboolean ok = TRUE;

  g_return_val_if_fail (func != NULL, FALSE);
  CHECK_COROUTINE (co, error);

  frame = frame_new (co, NULL, 0);
  frame->outer = co->current;
  run_frame (co, frame, func, user_data);
  if (frame->error != NULL)
    {
      g_propagate_error (error, g_error_copy (frame->error));
      ok = FALSE;
    }
  gco_job_unref (frame);

  return ok;
}

/**
 * gco_with_dispatcher:
 * @dispatcher: where to run @func
 * @func: (scope call): the block
 * @user_data: data for @func
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Runs @func on @dispatcher as a child coroutine, suspending the caller until
 * it and its children completed; the caller then resumes on its own
 * dispatcher: kotlinx's `withContext(dispatcher)`. Failures are returned as
 * by [func@Gco.coroutine_scope]. On the caller's own dispatcher, the block
 * runs in place.
 *
 * Returns: %TRUE on success; %FALSE with the failure or
 *   `G_IO_ERROR_CANCELLED`
 *
 * Since: 0.1
 */
gboolean
gco_with_dispatcher (GcoDispatcher  *dispatcher,
                     GcoFunc         func,
                     gpointer        user_data,
                     GError        **error)
{
  GcoCoroutine *co;
  GcoCoroutine *child;
  gboolean ok;

  g_return_val_if_fail (dispatcher != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  CHECK_COROUTINE (co, error);

  if (dispatcher == co->dispatcher)
    return scope_builder (co, 0, func, user_data, error);

  child = gco__coroutine_launch (co->current, dispatcher, co->current->slot, NULL,
                                 GCO_JOB_FLAG_SCOPED, FALSE, func, NULL, user_data, NULL, NULL);
  wait_final (co, &child->job);
  ok = frame_result (co, &child->job, error);
  gco_job_unref (&child->job);

  return ok;
}
