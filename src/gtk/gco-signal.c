/* gco-signal.c: suspending until an object emits a signal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An await connects a closure whose marshaller copies the emission's
 * arguments and completes a deferred; the coroutine awaits that deferred, so
 * cancellation and timeouts are the core's (prompt, rule 7). A weak reference
 * completes it too when the instance goes away. Whatever ends the wait, the
 * handler and the weak reference are gone before the call returns.
 */

#include <gco/gco-gtk.h>

typedef struct
{
  gint          ref_count;   /* the awaiting call's and the closure's */
  GcoDeferred  *deferred;    /* completed by the emission or the instance's end */
  GObject      *instance;    /* not owned; NULL once gone */
  gulong        handler_id;
  GPtrArray    *args;        /* the emission's arguments, once emitted */
  const char   *signal_name; /* the caller's string, for messages */
  guint         emitted : 1;
  guint         gone : 1;
} SignalWait;

static SignalWait *
signal_wait_ref (SignalWait *wait)
{
  g_atomic_int_inc (&wait->ref_count);
  return wait;
}

static void
signal_wait_unref (SignalWait *wait)
{
  if (!g_atomic_int_dec_and_test (&wait->ref_count))
    return;

  g_clear_pointer (&wait->args, g_ptr_array_unref);
  gco_deferred_unref (wait->deferred);
  g_free (wait);
}

static void
closure_finalize_cb (gpointer  data,
                     GClosure *closure)
{
  signal_wait_unref (data);
}

static void
value_free (gpointer data)
{
  GValue *value = data;

  g_value_unset (value);
  g_free (value);
}

static void
disconnect (SignalWait *wait)
{
  if (wait->instance != NULL && wait->handler_id != 0 &&
      g_signal_handler_is_connected (wait->instance, wait->handler_id))
    g_signal_handler_disconnect (wait->instance, wait->handler_id);
  wait->handler_id = 0;
}

/* The marshaller of the closure: copies the arguments (the instance aside),
 * answers a zero return value, and lets only the first emission count. */
static void
signal_marshal (GClosure     *closure,
                GValue       *return_value,
                guint         n_param_values,
                const GValue *param_values,
                gpointer      invocation_hint,
                gpointer      marshal_data)
{
  SignalWait *wait = closure->data;

  if (return_value != NULL && G_IS_VALUE (return_value))
    g_value_reset (return_value);

  if (wait->emitted || wait->gone)
    return;

  wait->emitted = TRUE;
  wait->args = g_ptr_array_new_full (n_param_values > 0 ? n_param_values - 1 : 0, value_free);
  for (guint i = 1; i < n_param_values; i++)
    {
      GValue *copy = g_new0 (GValue, 1);

      g_value_init (copy, G_VALUE_TYPE (&param_values[i]));
      g_value_copy (&param_values[i], copy);
      g_ptr_array_add (wait->args, copy);
    }

  /* Disconnecting during the emission is allowed: later emissions, even
   * before the coroutine resumed, find no handler. */
  disconnect (wait);
  gco_deferred_complete (wait->deferred, NULL, NULL);
}

/* The instance is being disposed (weak references are notified then): its
 * handlers are going, and it must not be touched afterwards. */
static void
instance_weak_notify_cb (gpointer  data,
                         GObject  *where_the_object_was)
{
  SignalWait *wait = data;

  disconnect (wait);
  wait->instance = NULL;
  wait->gone = TRUE;
  gco_deferred_complete (wait->deferred, NULL, NULL);
}

static gboolean
await_block_cb (gpointer   user_data,
                GError   **error)
{
  SignalWait *wait = user_data;
  GError *local_error = NULL;

  gco_deferred_await (wait->deferred, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (!wait->emitted)
    {
      g_set_error (error, GCO_ERROR, GCO_ERROR_FAILED,
                   "The object was finalized while awaiting its signal ‘%s’",
                   wait->signal_name);
      return FALSE;
    }

  return TRUE;
}

/**
 * gco_signal_await:
 * @instance: (type GObject.Object): the object that emits the signal
 * @detailed_signal: a signal name, with an optional detail (`"notify::label"`)
 * @timeout_msec: a time limit in milliseconds; 0 for none
 * @args_out: (out) (optional) (transfer full) (element-type GValue): return
 *   location for the emission's arguments, the instance excluded, as copied
 *   `GValue`s
 * @error: return location for `G_IO_ERROR_CANCELLED`, `G_IO_ERROR_TIMED_OUT`
 *   or `GCO_ERROR_FAILED`
 *
 * Suspends the calling coroutine until @instance emits @detailed_signal, and
 * returns that emission's arguments: the linear "show a window, await the
 * user's choice" flow, which GTK 4 lost with `gtk_dialog_run()`.
 *
 * Only the first emission after this call counts. Arguments are copied with
 * g_value_copy(): objects and boxed types are referenced or copied, but a
 * `G_TYPE_POINTER` argument is only the pointer, which may be dangling by the
 * time the coroutine resumes. A signal with a return value gets 0, %FALSE or
 * %NULL from this handler.
 *
 * If the coroutine is cancelled meanwhile, it resumes at once and returns
 * `G_IO_ERROR_CANCELLED`; after @timeout_msec milliseconds it returns
 * `G_IO_ERROR_TIMED_OUT` (with the semantics of [func@Gco.with_timeout]); if
 * @instance is disposed first it returns `GCO_ERROR_FAILED`. On every path
 * the handler is disconnected (and the weak reference on @instance removed)
 * before this call returns. The await holds no reference to @instance.
 *
 * Call it on the thread that emits the signal — for widgets, the main thread.
 *
 * |[<!-- language="C" -->
 * // The window's two buttons both end in its custom "response" signal,
 * // (G_TYPE_INT): "clicked" of each emits it with RESPONSE_OK or
 * // RESPONSE_CANCEL.
 * static gboolean
 * confirm_cb (gpointer user_data, GError **error)
 * {
 *   MyConfirmWindow *window = my_confirm_window_new ();
 *   g_autoptr (GPtrArray) args = NULL;
 *   gboolean ok;
 *
 *   gtk_window_present (GTK_WINDOW (window));
 *   ok = gco_signal_await (window, "response", 0, &args, error);
 *   gtk_window_destroy (GTK_WINDOW (window));
 *   if (!ok)
 *     return FALSE;  // cancelled, or the window went away
 *
 *   if (g_value_get_int (g_ptr_array_index (args, 0)) == RESPONSE_OK)
 *     return save (error);
 *   return TRUE;
 * }
 * ]|
 *
 * Returns: %TRUE when the signal was emitted; %FALSE with @error set otherwise
 *
 * Since: 0.1
 */
gboolean
gco_signal_await (gpointer     instance,
                  const char  *detailed_signal,
                  guint        timeout_msec,
                  GPtrArray  **args_out,
                  GError     **error)
{
  SignalWait *wait;
  GClosure *closure;
  guint signal_id;
  GQuark detail;
  gboolean ok;

  g_return_val_if_fail (G_IS_OBJECT (instance), FALSE);
  g_return_val_if_fail (detailed_signal != NULL, FALSE);
  g_return_val_if_fail (args_out == NULL || *args_out == NULL, FALSE);

  if (!g_signal_parse_name (detailed_signal, G_OBJECT_TYPE (instance), &signal_id, &detail, TRUE))
    {
      g_critical ("%s: type ‘%s’ has no signal ‘%s’", G_STRFUNC,
                  G_OBJECT_TYPE_NAME (instance), detailed_signal);
      g_set_error (error, GCO_ERROR, GCO_ERROR_FAILED, "Type ‘%s’ has no signal ‘%s’",
                   G_OBJECT_TYPE_NAME (instance), detailed_signal);
      return FALSE;
    }

  /* Outside a coroutine this is the core's critical and error; cancelled
   * already, nothing is connected. */
  if (!gco_ensure_active (error))
    return FALSE;

  wait = g_new0 (SignalWait, 1);
  wait->ref_count = 1;
  wait->deferred = gco_deferred_new (NULL);
  wait->instance = instance;
  wait->signal_name = detailed_signal;

  closure = g_closure_new_simple (sizeof (GClosure), wait);
  g_closure_set_marshal (closure, signal_marshal);
  g_closure_add_finalize_notifier (closure, signal_wait_ref (wait), closure_finalize_cb);
  wait->handler_id = g_signal_connect_closure_by_id (instance, signal_id, detail, closure, FALSE);
  g_object_weak_ref (instance, instance_weak_notify_cb, wait);

  if (timeout_msec > 0)
    ok = gco_with_timeout (timeout_msec, await_block_cb, wait, error);
  else
    ok = await_block_cb (wait, error);

  if (!wait->gone)
    {
      disconnect (wait);
      g_object_weak_unref (instance, instance_weak_notify_cb, wait);
    }
  if (ok && args_out != NULL)
    *args_out = g_steal_pointer (&wait->args);

  signal_wait_unref (wait);
  return ok;
}
