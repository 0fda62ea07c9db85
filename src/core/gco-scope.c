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

/* A handler with its data. Reference counted, so that replacing a handler
 * while it runs on another thread releases its data only once it returned. */
typedef struct
{
  gint                 ref_count;
  GcoExceptionHandler  handler;
  gpointer             user_data;
  GDestroyNotify       destroy;
} HandlerRecord;

struct _GcoHandlerSlot
{
  gint            ref_count;
  GcoHandlerSlot *parent;
  HandlerRecord  *record;   /* under handler_mutex; NULL: ask the parent */
};

/* Guards the records of every slot and the default record. */
static GcoMutex handler_mutex = GCO_MUTEX_INIT;

static HandlerRecord *default_record;

static HandlerRecord *
record_new (GcoExceptionHandler handler,
            gpointer            user_data,
            GDestroyNotify      destroy)
{
  HandlerRecord *record;

  if (handler == NULL)
    {
      /* No handler to call: the data is not needed. */
      if (destroy != NULL)
        destroy (user_data);
      return NULL;
    }

  record = g_new (HandlerRecord, 1);
  gco_ref_init (&record->ref_count);
  record->handler = handler;
  record->user_data = user_data;
  record->destroy = destroy;
  return record;
}

static void
record_unref (HandlerRecord *record)
{
  if (record == NULL || !gco_ref_dec (&record->ref_count))
    return;

  if (record->destroy != NULL)
    record->destroy (record->user_data);
  g_free (record);
}

/* Replaces *@slot_record with @record; the old one is released unlocked. */
static void
record_replace (HandlerRecord **slot_record,
                HandlerRecord  *record)
{
  HandlerRecord *old;

  gco_mutex_lock (&handler_mutex);
  old = *slot_record;
  *slot_record = record;
  gco_mutex_unlock (&handler_mutex);

  record_unref (old);
}

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

  record_unref (slot->record);
  g_clear_pointer (&slot->parent, gco__handler_slot_unref);
  g_free (slot);
}

void
gco__handler_slot_set (GcoHandlerSlot      *slot,
                       GcoExceptionHandler  handler,
                       gpointer             user_data,
                       GDestroyNotify       destroy)
{
  record_replace (&slot->record, record_new (handler, user_data, destroy));
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
 * default, else logs a warning. The handler runs without any lock held. */
void
gco__handle_exception (GcoJob       *job,
                       const GError *error)
{
  HandlerRecord *record = NULL;

  gco_mutex_lock (&handler_mutex);
  for (GcoHandlerSlot *slot = job->slot; slot != NULL && record == NULL; slot = slot->parent)
    record = slot->record;
  if (record == NULL)
    record = default_record;
  if (record != NULL)
    gco_ref_inc (&record->ref_count);
  gco_mutex_unlock (&handler_mutex);

  if (record != NULL)
    record->handler (job, error, record->user_data);
  else
    log_failure (job, error);

  record_unref (record);
}

/**
 * gco_set_default_exception_handler:
 * @handler: (nullable): the handler, or %NULL for the built-in one
 * @user_data: data for @handler
 * @destroy: (nullable): releases @user_data when the handler is replaced and
 *   no longer running
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
  record_replace (&default_record, record_new (handler, user_data, destroy));
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
  /* A slot of its own that falls back to the coroutine's: a handler set on
   * this scope applies to what is launched in it, not to the siblings. */
  return scope_new (gco_job_ref (job),
                    gco_dispatcher_ref (dispatcher),
                    gco__handler_slot_new (slot));
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
