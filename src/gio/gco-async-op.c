/* gco-async-op.c: awaiting any GAsyncReadyCallback operation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-coroutine-private.h"

typedef enum {
  OP_PENDING,   /* started; its callback has not run */
  OP_DONE,      /* the callback ran: result holds its GAsyncResult */
  OP_AWAITED,   /* gco_async_op_await () returned */
} OpState;

/* The private side of a GcoAsyncOp, which the caller keeps, usually on its
 * coroutine's stack: the await returns only after the callback ran, so the
 * callback never writes to a stack that is gone. */
typedef struct
{
  gint          state;
  GcoCoroutine *co;
  GAsyncResult *result;
  gpointer      reserved;
} AsyncOp;

G_STATIC_ASSERT (sizeof (AsyncOp) <= sizeof (GcoAsyncOp));

/**
 * gco_cancellable:
 *
 * Gets the `GCancellable` of the running coroutine's current job (the
 * innermost scoped builder's, inside one): it is cancelled when the job is.
 * Pass it to every GIO call the coroutine makes, so cancelling the job
 * cancels the operation.
 *
 * Returns: (transfer none) (nullable): the cancellable, or %NULL with a
 *   critical outside a coroutine
 *
 * Since: 0.1
 */
GCancellable *
gco_cancellable (void)
{
  GcoCoroutine *co = gco__coroutine_get_current ();

  g_return_val_if_fail (co != NULL, NULL);

  return gco_job_get_cancellable (co->current);
}

/**
 * gco_async_op_callback:
 * @source_object: (nullable): the operation's source object
 * @result: the operation's result
 * @op: the [struct@Gco.AsyncOp] given as the callback's user data
 *
 * The `GAsyncReadyCallback` to give an `_async` call awaited with
 * [func@Gco.async_op_await]. It must run on the awaiting coroutine's thread,
 * as GIO's callbacks do when that thread iterates the thread-default main
 * context (the main dispatcher's thread, or a context dispatcher's thread that
 * pushed its context as thread-default).
 *
 * Since: 0.1
 */
void
gco_async_op_callback (GObject      *source_object,
                       GAsyncResult *result,
                       gpointer      op)
{
  AsyncOp *self = op;

  g_return_if_fail (G_IS_ASYNC_RESULT (result));
  g_return_if_fail (op != NULL);
  g_return_if_fail (g_atomic_int_get (&self->state) == OP_PENDING);

  self->result = g_object_ref (result);
  g_atomic_int_set (&self->state, OP_DONE);
  /* Through the dispatcher's queue, never in place: the callback may run
   * inside the object's own bookkeeping (a GSubprocess completing its waits,
   * say), where a coroutine starting the next operation would re-enter it. */
  if (self->co != NULL)
    gco__coroutine_wake (self->co);
}

/**
 * gco_async_op_await:
 * @op: a [struct@Gco.AsyncOp] whose operation was started with
 *   [func@Gco.async_op_callback] and @op as its callback and user data
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Suspends the calling coroutine until the operation's callback ran, and
 * returns its result for the operation's `_finish` function.
 *
 * When the coroutine is cancelled meanwhile, the operation is cancelled
 * through [func@Gco.cancellable] (if it was given that), and this call still
 * waits for the callback — GIO objects refuse a new operation while one is
 * pending — then releases the result and returns `G_IO_ERROR_CANCELLED`, even
 * if the operation succeeded in the same instant. An operation given another
 * cancellable, or none, is waited for until it completes.
 *
 * Returns: (transfer full) (nullable): the result; %NULL with
 *   `G_IO_ERROR_CANCELLED` when the coroutine was cancelled
 *
 * Since: 0.1
 */
GAsyncResult *
gco_async_op_await (GcoAsyncOp  *op,
                    GError     **error)
{
  AsyncOp *self = (AsyncOp *) op;
  GAsyncResult *result;
  GcoCoroutine *co;

  g_return_val_if_fail (op != NULL, NULL);
  if ((co = gco__coroutine_get_checked (G_STRFUNC, error)) == NULL)
    return NULL;
  if (g_atomic_int_get (&self->state) == OP_AWAITED)
    {
      g_critical ("%s: this operation was awaited already", G_STRFUNC);
      g_set_error_literal (error, GCO_ERROR, GCO_ERROR_FAILED,
                           "The asynchronous operation was awaited already");
      return NULL;
    }

  self->co = co;
  for (;;)
    {
      gco__coroutine_arm (co);
      if (g_atomic_int_get (&self->state) == OP_DONE)
        {
          gco__coroutine_disarm (co);
          break;
        }
      gco__coroutine_suspend (co);
    }

  result = g_steal_pointer (&self->result);
  self->co = NULL;
  g_atomic_int_set (&self->state, OP_AWAITED);

  if (!gco__coroutine_check_active (co, error))
    {
      g_object_unref (result);
      return NULL;
    }

  return result;
}
