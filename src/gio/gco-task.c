/* gco-task.c: coroutines published as GIO async operations (GTask)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A coroutine whose outcome is delivered through a GTask: kotlinx's
 * `CoroutineScope.future { }`, with the GTask as the future. The coroutine is
 * launched like `async` (a failure is held for the task, never handed to an
 * exception handler), the task's cancellable cancels its job, and one
 * completion handler returns the job's outcome to the task. The callback's
 * timing is GTask's own: g_task_return_*() never runs it inside the frame
 * that created the task, nor inside a GCancellable::cancelled handler.
 */

#include "gco-config.h"

#include "gco-coroutine-private.h"
#include "gco-scope-private.h"

/* Marks a task given to gco_task_run*(): a task returns once. */
static GQuark
task_run_quark (void)
{
  static gsize quark;

  if (g_once_init_enter (&quark))
    g_once_init_leave (&quark, g_quark_from_static_string ("gco-task-run"));

  return (GQuark) quark;
}

/* A coroutine published without a scope runs where GTask delivers its
 * callback: on the dispatcher of the task's context, the thread-default
 * context of the thread that created the task. */
static GcoDispatcher *
dispatcher_for_task (GTask *task)
{
  GMainContext *context = g_task_get_context (task);

  if (context == g_main_context_default ())
    return gco_dispatcher_ref (gco_dispatcher_get_main ());

  return gco_dispatcher_new_for_context (context, FALSE);
}

static void
value_completed_cb (GcoJob       *job,
                    const GError *error,
                    gpointer      user_data)
{
  GTask *task = user_data;
  gpointer value;
  GDestroyNotify value_destroy;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  /* The task takes the value over from the deferred, which only
   * gco_task_run () ever held: the deferred must not release it too. A value
   * the task is never asked for is released by the task, exactly once. */
  gco__tree_lock ();
  value = g_steal_pointer (&job->value);
  value_destroy = g_steal_pointer (&job->value_destroy);
  gco__tree_unlock ();

  g_task_return_pointer (task, value, value_destroy);
}

static void
boolean_completed_cb (GcoJob       *job,
                      const GError *error,
                      gpointer      user_data)
{
  GTask *task = user_data;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
run (GTask          *task,
     GcoScope       *scope,
     GcoFunc         func,
     GcoValueFunc    value_func,
     gpointer        user_data,
     GDestroyNotify  destroy,
     GDestroyNotify  result_destroy,
     GcoJobHandler   completed_cb)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  GcoDispatcher *dispatcher;
  GcoCoroutine *co;
  GcoJob *job;

  g_object_set_qdata (G_OBJECT (task), task_run_quark (), GINT_TO_POINTER (TRUE));

  /* Lazy, so the task's cancellable and the completion handler are in place
   * before the body can run, even on an immediate dispatcher. A job already
   * cancelled (a cancelled scope or cancellable) never runs its body. */
  options.name = g_task_get_name (task);
  options.start = GCO_START_LAZY;

  /* An async-like job (a failure is held, not handed to an exception
   * handler), a child of the scope's job, or a root job without a scope. */
  dispatcher = scope != NULL ? gco_dispatcher_ref (scope->dispatcher) : dispatcher_for_task (task);
  co = gco__coroutine_launch (scope != NULL ? scope->job : NULL, dispatcher,
                              scope != NULL ? scope->slot : NULL, &options,
                              GCO_JOB_FLAG_DEFERRED, FALSE, func, value_func,
                              user_data, destroy, result_destroy);
  gco_dispatcher_unref (dispatcher);
  job = &co->job;

  gco_job_cancel_on_cancellable (job, g_task_get_cancellable (task));
  gco_job_add_completion_handler (job, completed_cb, g_object_ref (task), g_object_unref);
  gco_job_start (job);
  gco_job_unref (job);
}

/**
 * gco_task_run:
 * @task: a task made with `g_task_new()`, not returned yet
 * @scope: (nullable): where the coroutine runs, or %NULL for a root job on
 *   the task's main context
 * @func: (scope notified): the body, returning the task's value
 * @user_data: data for @func; it may be @task itself, with a %NULL @destroy
 * @destroy: (nullable): releases @user_data once @func returned, or when the
 *   coroutine will never run
 * @result_destroy: (nullable): releases the value @func returned
 *
 * Runs @func as a coroutine and returns its outcome to @task: publishes a
 * coroutine as a GIO `_async`/`_finish` pair, kotlinx's
 * `CoroutineScope.future`. Callers of the pair, in C or through
 * introspection, see a plain GIO asynchronous operation.
 *
 * - The value @func returns goes to [method@Gio.Task.return_pointer] with
 *   @result_destroy: the task owns it, and releases it once, also when
 *   nobody calls the `_finish` function.
 * - A failure of @func (or of a child it launched) goes to
 *   [method@Gio.Task.return_error]. It is held for the task like an `async`
 *   coroutine's: it never reaches an exception handler, and it still cancels
 *   the job of a non-supervisor @scope.
 * - The task's `GCancellable` cancels the coroutine's job; a job cancelled by
 *   it, by cancelling @scope, or in any other way returns
 *   `G_IO_ERROR_CANCELLED` to the task — only after the body and its
 *   children finished unwinding, so their cleanup has run when the callback
 *   runs. A value produced by a job cancelled meanwhile goes to
 *   @result_destroy.
 * - The callback runs as GTask runs it: on the task's main context, never
 *   inside the `_async` call, nor inside the cancellable's `cancelled`
 *   handler.
 * - This call holds its own reference to @task until the outcome was
 *   returned to it, and the task holds the source object (as GTask does):
 *   @func may use both, and @user_data may be @task itself.
 *
 * With a %NULL @scope the coroutine is a root job (`GlobalScope.future`:
 * the task's cancellable is its only owner) running on a non-immediate
 * dispatcher of the task's main context — the thread-default context of the
 * thread that created the task, whose thread then iterates it for the
 * callback anyway. The body never starts inside the `_async` call. Pass a
 * @scope to tie the operation to the scope's lifetime too, or to run it on
 * another dispatcher (an immediate one starts the body in place).
 *
 * A library author writes the pair in a few lines:
 *
 * ```c
 * static gpointer
 * foo_load_co (gpointer user_data, GError **error)
 * {
 *   GTask *task = user_data;
 *   Foo *self = g_task_get_source_object (task);
 *
 *   if (!gco_delay (100, error))
 *     return NULL;
 *   return g_strdup_printf ("%s loaded", foo_get_name (self));
 * }
 *
 * void
 * foo_load_async (Foo *self, GCancellable *cancellable,
 *                 GAsyncReadyCallback callback, gpointer user_data)
 * {
 *   g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
 *
 *   g_task_set_source_tag (task, foo_load_async);
 *   gco_task_run (task, NULL, foo_load_co, task, NULL, g_free);
 * }
 *
 * char *
 * foo_load_finish (Foo *self, GAsyncResult *result, GError **error)
 * {
 *   g_return_val_if_fail (g_task_is_valid (result, self), NULL);
 *   g_return_val_if_fail (g_async_result_is_tagged (result, foo_load_async), NULL);
 *
 *   return g_task_propagate_pointer (G_TASK (result), error);
 * }
 * ```
 *
 * The `_finish` function stays plain GTask code: its guards turn a
 * `GAsyncResult` of another operation into a critical and a safe return.
 *
 * Since: 0.1
 */
void
gco_task_run (GTask          *task,
              GcoScope       *scope,
              GcoValueFunc    func,
              gpointer        user_data,
              GDestroyNotify  destroy,
              GDestroyNotify  result_destroy)
{
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);
  g_return_if_fail (g_object_get_qdata (G_OBJECT (task), task_run_quark ()) == NULL);

  run (task, scope, NULL, func, user_data, destroy, result_destroy, value_completed_cb);
}

/**
 * gco_task_run_boolean:
 * @task: a task made with `g_task_new()`, not returned yet
 * @scope: (nullable): where the coroutine runs, or %NULL for a root job on
 *   the task's main context
 * @func: (scope notified): the body
 * @user_data: data for @func; it may be @task itself, with a %NULL @destroy
 * @destroy: (nullable): releases @user_data once @func returned, or when the
 *   coroutine will never run
 *
 * Like [func@Gco.task_run] for an operation without a value, whose `_finish`
 * function returns a `gboolean`: when @func returns %TRUE, the task returns
 * %TRUE with [method@Gio.Task.return_boolean], for
 * [method@Gio.Task.propagate_boolean]. Failure and cancellation are as for
 * [func@Gco.task_run].
 *
 * Since: 0.1
 */
void
gco_task_run_boolean (GTask          *task,
                      GcoScope       *scope,
                      GcoFunc         func,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);
  g_return_if_fail (g_object_get_qdata (G_OBJECT (task), task_run_quark ()) == NULL);

  run (task, scope, func, NULL, user_data, destroy, NULL, boolean_completed_cb);
}
