/* gco-thread.c: blocking work on a worker thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-coroutine-private.h"

typedef struct
{
  GcoThreadFunc  func;
  gpointer       user_data;
  GDestroyNotify result_destroy;
} ThreadWork;

static void
thread_cb (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  ThreadWork *work = task_data;
  GError *error = NULL;
  gpointer result = work->func (work->user_data, cancellable, &error);

  if (error != NULL)
    {
      if (result != NULL && work->result_destroy != NULL)
        work->result_destroy (result);
      g_task_return_error (task, error);
    }
  else
    {
      g_task_return_pointer (task, result, work->result_destroy);
    }
}

/**
 * gco_run_in_thread:
 * @func: (scope call): the blocking work
 * @user_data: data for @func
 * @result_destroy: (nullable): releases @func's result when the caller does
 *   not receive it
 * @error: return location for @func's failure or `G_IO_ERROR_CANCELLED`
 *
 * Runs @func on GLib's thread pool and suspends the calling coroutine until
 * it returned; the coroutine resumes on its own dispatcher.
 *
 * @func gets a `GCancellable` that is cancelled when the calling coroutine
 * is. A function that ignores it runs to its end: the coroutine waits for
 * it, because it may use @user_data and memory of the caller, and structured
 * concurrency means no work outlives its caller. Then the result is released
 * with @result_destroy and this call returns `G_IO_ERROR_CANCELLED`.
 *
 * Returns: (transfer full) (nullable): @func's result; %NULL with @error set
 *   on failure or cancellation (%NULL without an error is a success)
 *
 * Since: 0.1
 */
gpointer
gco_run_in_thread (GcoThreadFunc   func,
                   gpointer        user_data,
                   GDestroyNotify  result_destroy,
                   GError        **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  ThreadWork *work;
  GAsyncResult *result;
  GcoCoroutine *co;
  GTask *task;
  gpointer value;

  g_return_val_if_fail (func != NULL, NULL);
  if ((co = gco__coroutine_get_checked (G_STRFUNC, error)) == NULL)
    return NULL;

  work = g_new (ThreadWork, 1);
  work->func = func;
  work->user_data = user_data;
  work->result_destroy = result_destroy;

  task = g_task_new (NULL, gco_job_get_cancellable (co->current), gco_async_op_callback, &op);
  g_task_set_source_tag (task, gco_run_in_thread);
  g_task_set_task_data (task, work, g_free);
  g_task_run_in_thread (task, thread_cb);
  g_object_unref (task);

  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return NULL;

  /* A result that comes back for a cancelled job stays with the task, which
   * releases it with result_destroy. */
  value = g_task_propagate_pointer (G_TASK (result), error);
  g_object_unref (result);

  return value;
}
