/* gco-scope.c: scopes and exception handlers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-util-private.h"

#include "gco-scope-private.h"
#include "gco-dispatcher-private.h"

/**
 * GcoScope:
 *
 * Where coroutines are launched: kotlinx's `CoroutineScope`. A scope is a job
 * (the parent of every coroutine launched in it), a dispatcher (where they
 * run) and an optional exception handler.
 *
 * Tie a scope to something real — a window, a view model, an application —
 * and cancel it when that thing goes away: everything launched in it is
 * cancelled.
 *
 * ```c
 * GcoScope *scope = gco_main_scope_new ();
 * gco_launch (scope, load_cb, self, NULL);
 * …
 * gco_scope_cancel (scope);
 * gco_scope_unref (scope);
 * ```
 *
 * Since: 0.1
 */

G_DEFINE_BOXED_TYPE (GcoScope, gco_scope, gco_scope_ref, gco_scope_unref)

struct _GcoHandlerSlot
{
  gint                 ref_count;
  GcoHandlerSlot      *parent;
  GcoExceptionHandler  handler;
  gpointer             user_data;
  GDestroyNotify       destroy;
};

/* Guards the handlers of every slot and the default handler. */
static GMutex handler_mutex;

static GcoExceptionHandler default_handler;
static gpointer            default_user_data;
static GDestroyNotify      default_destroy;

GcoHandlerSlot *
gco__handler_slot_new (GcoHandlerSlot *parent)
{
  GcoHandlerSlot *slot = g_new0 (GcoHandlerSlot, 1);

  gco_ref_init (&slot->ref_count);
  slot->parent = parent != NULL ? gco__handler_slot_ref (parent) : NULL;

  return slot;
}

GcoHandlerSlot *
gco__handler_slot_ref (GcoHandlerSlot *slot)
{
  gco_ref_inc (&slot->ref_count);
  return slot;
}

void
gco__handler_slot_unref (GcoHandlerSlot *slot)
{
  if (!gco_ref_dec (&slot->ref_count))
    return;

  if (slot->destroy != NULL)
    slot->destroy (slot->user_data);
  g_clear_pointer (&slot->parent, gco__handler_slot_unref);
  g_free (slot);
}

void
gco__handler_slot_set (GcoHandlerSlot      *slot,
                       GcoExceptionHandler  handler,
                       gpointer             user_data,
                       GDestroyNotify       destroy)
{
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_mutex_lock (&handler_mutex);
  old_data = slot->user_data;
  old_destroy = slot->destroy;
  slot->handler = handler;
  slot->user_data = user_data;
  slot->destroy = destroy;
  g_mutex_unlock (&handler_mutex);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

static void
log_failure (GcoJob       *job,
             const GError *error)
{
  g_warning ("Coroutine ‘%s’ failed and nobody received the failure: %s (%s, %d)",
             gco_job_get_name (job), error->message,
             g_quark_to_string (error->domain), error->code);
}

/* Runs the nearest handler of the job's scope chain, else the process-wide
 * default. The handler runs without any lock held; its data is kept alive
 * across the call by a reference on the slot. */
void
gco__handle_exception (GcoJob       *job,
                       const GError *error)
{
  GcoHandlerSlot *found = NULL;
  GcoExceptionHandler handler = NULL;
  gpointer user_data = NULL;

  g_mutex_lock (&handler_mutex);
  for (GcoHandlerSlot *slot = job->slot; slot != NULL; slot = slot->parent)
    {
      if (slot->handler != NULL)
        {
          found = gco__handler_slot_ref (slot);
          handler = slot->handler;
          user_data = slot->user_data;
          break;
        }
    }
  if (handler == NULL)
    {
      handler = default_handler;
      user_data = default_user_data;
    }
  g_mutex_unlock (&handler_mutex);

  if (handler != NULL)
    handler (job, error, user_data);
  else
    log_failure (job, error);

  g_clear_pointer (&found, gco__handler_slot_unref);
}

/**
 * gco_set_default_exception_handler:
 * @handler: (nullable): the handler, or %NULL for the built-in one
 * @user_data: data for @handler
 * @destroy: (nullable): releases @user_data when the handler is replaced
 *
 * Sets the handler of failures that nobody can receive in a scope without an
 * exception handler of its own. The built-in default logs a warning naming the
 * failed job; it never aborts.
 *
 * Since: 0.1
 */
void
gco_set_default_exception_handler (GcoExceptionHandler handler,
                                   gpointer            user_data,
                                   GDestroyNotify      destroy)
{
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_mutex_lock (&handler_mutex);
  old_data = default_user_data;
  old_destroy = default_destroy;
  default_handler = handler;
  default_user_data = user_data;
  default_destroy = destroy;
  g_mutex_unlock (&handler_mutex);

  if (old_destroy != NULL)
    old_destroy (old_data);
}

static GcoScope *
scope_new (GcoJob         *job,
           GcoDispatcher  *dispatcher,
           GcoHandlerSlot *slot)
{
  GcoScope *scope = g_new0 (GcoScope, 1);

  gco_ref_init (&scope->ref_count);
  scope->job = job;
  scope->dispatcher = dispatcher;
  scope->slot = slot;

  return scope;
}

GcoScope *
gco__scope_new_for_frame (GcoJob         *job,
                          GcoDispatcher  *dispatcher,
                          GcoHandlerSlot *slot)
{
  return scope_new (gco_job_ref (job),
                    gco_dispatcher_ref (dispatcher),
                    slot != NULL ? gco__handler_slot_ref (slot) : gco__handler_slot_new (NULL));
}

/**
 * gco_scope_new:
 * @job: (nullable): the job of the scope, or %NULL for a new [ctor@Gco.Job.new]
 * @dispatcher: (nullable): where its coroutines run, or %NULL for
 *   [func@Gco.dispatcher_get_main]
 *
 * Creates a scope, like kotlinx's `CoroutineScope(job + dispatcher)`. The
 * scope takes its own reference to @job.
 *
 * Returns: (transfer full): a new scope
 *
 * Since: 0.1
 */
GcoScope *
gco_scope_new (GcoJob        *job,
               GcoDispatcher *dispatcher)
{
  return scope_new (job != NULL ? gco_job_ref (job) : gco_job_new (NULL),
                    gco_dispatcher_ref (dispatcher != NULL ? dispatcher : gco_dispatcher_get_main ()),
                    gco__handler_slot_new (NULL));
}

/**
 * gco_main_scope_new:
 *
 * Creates a scope for UI work, like kotlinx's `MainScope()`: a supervisor job
 * (one failed coroutine does not cancel the others) and the main dispatcher.
 *
 * Returns: (transfer full): a new scope
 *
 * Since: 0.1
 */
GcoScope *
gco_main_scope_new (void)
{
  return scope_new (gco_supervisor_job_new (NULL),
                    gco_dispatcher_ref (gco_dispatcher_get_main ()),
                    gco__handler_slot_new (NULL));
}

/**
 * gco_scope_new_child:
 * @parent: a scope
 * @supervisor: whether the new scope's job is a supervisor
 *
 * Creates a scope whose job is a new child of @parent's job, with the same
 * dispatcher; it uses @parent's exception handler until it is given its own.
 * Cancelling @parent cancels it; cancelling it leaves @parent alone.
 *
 * Returns: (transfer full): a new scope
 *
 * Since: 0.1
 */
GcoScope *
gco_scope_new_child (GcoScope *parent,
                     gboolean  supervisor)
{
  g_return_val_if_fail (parent != NULL, NULL);

  return scope_new (supervisor ? gco_supervisor_job_new (parent->job) : gco_job_new (parent->job),
                    gco_dispatcher_ref (parent->dispatcher),
                    gco__handler_slot_new (parent->slot));
}

/**
 * gco_scope_ref:
 * @scope: a scope
 *
 * Takes a reference to @scope.
 *
 * Returns: (transfer full): @scope
 *
 * Since: 0.1
 */
GcoScope *
gco_scope_ref (GcoScope *scope)
{
  g_return_val_if_fail (scope != NULL, NULL);

  gco_ref_inc (&scope->ref_count);
  return scope;
}

/**
 * gco_scope_unref:
 * @scope: (transfer full): a scope
 *
 * Releases a reference to @scope. Releasing the last reference does not
 * cancel what runs in it: call [method@Gco.Scope.cancel] for that.
 *
 * Since: 0.1
 */
void
gco_scope_unref (GcoScope *scope)
{
  g_return_if_fail (scope != NULL);

  if (!gco_ref_dec (&scope->ref_count))
    return;

  gco_job_unref (scope->job);
  gco_dispatcher_unref (scope->dispatcher);
  gco__handler_slot_unref (scope->slot);
  g_free (scope);
}

/**
 * gco_scope_get_job:
 * @scope: a scope
 *
 * Gets the job of @scope, the parent of what is launched in it.
 *
 * Returns: (transfer none): the job
 *
 * Since: 0.1
 */
GcoJob *
gco_scope_get_job (GcoScope *scope)
{
  g_return_val_if_fail (scope != NULL, NULL);

  return scope->job;
}

/**
 * gco_scope_get_dispatcher:
 * @scope: a scope
 *
 * Gets the dispatcher coroutines launched in @scope run on.
 *
 * Returns: (transfer none): the dispatcher
 *
 * Since: 0.1
 */
GcoDispatcher *
gco_scope_get_dispatcher (GcoScope *scope)
{
  g_return_val_if_fail (scope != NULL, NULL);

  return scope->dispatcher;
}

/**
 * gco_scope_cancel:
 * @scope: a scope
 *
 * Cancels the job of @scope, and so everything launched in it. Launching in
 * it afterwards creates jobs that are already cancelled and never run.
 *
 * Since: 0.1
 */
void
gco_scope_cancel (GcoScope *scope)
{
  g_return_if_fail (scope != NULL);

  gco_job_cancel (scope->job);
}

/**
 * gco_scope_is_active:
 * @scope: a scope
 *
 * Whether the job of @scope is active: coroutines launched now would run.
 *
 * Returns: %TRUE if @scope is active
 *
 * Since: 0.1
 */
gboolean
gco_scope_is_active (GcoScope *scope)
{
  g_return_val_if_fail (scope != NULL, FALSE);

  return gco_job_is_active (scope->job);
}

/**
 * gco_scope_set_exception_handler:
 * @scope: a scope
 * @handler: (nullable): the handler, or %NULL to fall back to the parent
 *   scope's or the default one
 * @user_data: data for @handler
 * @destroy: (nullable): releases @user_data when the handler is replaced or
 *   the scope is finalized
 *
 * Sets the handler of failures nobody can receive (rule 5) for every
 * coroutine launched in @scope, in the scopes of its builders and in child
 * scopes without a handler of their own. It receives the top-most failed
 * `launch` and the first error, once, before that job counts as completed.
 *
 * Since: 0.1
 */
void
gco_scope_set_exception_handler (GcoScope            *scope,
                                 GcoExceptionHandler  handler,
                                 gpointer             user_data,
                                 GDestroyNotify       destroy)
{
  g_return_if_fail (scope != NULL);

  gco__handler_slot_set (scope->slot, handler, user_data, destroy);
}
