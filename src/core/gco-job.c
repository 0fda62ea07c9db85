/* gco-job.c: jobs, the nodes of the tree of work
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE  /* dladdr */
#include "gco-config.h"

#include "gco-util-private.h"

#include <dlfcn.h>

#include "gco-job-private.h"
#include "gco-coroutine-private.h"
#include "gco-debug-private.h"

/**
 * GcoJob:
 *
 * A unit of work with a life cycle, in a tree: kotlinx.coroutines' `Job`.
 *
 * Every coroutine has a job. A job has a parent and children; cancelling a
 * job cancels all its descendants at once, a job completes only after all its
 * children completed, and the failure of a child (any error other than
 * `G_IO_ERROR_CANCELLED`) cancels its parent unless the parent is a
 * supervisor. See the semantics in the gco design for every rule.
 *
 * A job made with [ctor@Gco.Job.new] is *completable*: it stays active until
 * [method@Gco.Job.complete] or [method@Gco.Job.complete_with_error] is called
 * (or it is cancelled), and it is a good root for a [struct@Gco.Scope].
 *
 * Jobs are reference counted and thread-safe: any thread may cancel any job.
 *
 * Since: 0.1
 */

G_DEFINE_BOXED_TYPE (GcoJob, gco_job, gco_job_ref, gco_job_unref)

struct _GcoHandlerNode
{
  GcoHandlerNode *next;
  guint           id;
  GcoJobHandler   handler;
  gpointer        user_data;
  GDestroyNotify  destroy;
};

typedef struct
{
  GcoActionFunc func;
  gpointer      a;
  gpointer      b;
} GcoAction;

typedef struct
{
  GcoAction *items;
  guint      len;
  guint      allocated;
  guint      head;
  gboolean   flushing;
} GcoActionQueue;

static GcoMutex tree_mutex = GCO_MUTEX_INIT;
static guint  last_handler_id;

static void action_queue_free (gpointer data);
static GPrivate action_queue_key = G_PRIVATE_INIT (action_queue_free);
/* A thread-local pointer for speed; the GPrivate frees it at thread exit. */
static GCO_THREAD_LOCAL GcoActionQueue *thread_queue;

static void try_finalize_locked (GcoJob *job);

/* The lock and the actions */

void
gco__tree_lock (void)
{
  gco_mutex_lock (&tree_mutex);
}

void
gco__tree_unlock (void)
{
  gco_mutex_unlock (&tree_mutex);
}

static void
action_queue_free (gpointer data)
{
  GcoActionQueue *queue = data;

  if (thread_queue == queue)
    thread_queue = NULL;
  g_free (queue->items);
  g_free (queue);
}

static GcoActionQueue *
get_action_queue (void)
{
  GcoActionQueue *queue = thread_queue;

  if G_UNLIKELY (queue == NULL)
    {
      queue = g_new0 (GcoActionQueue, 1);
      g_private_set (&action_queue_key, queue);
      thread_queue = queue;
    }

  return queue;
}

void
gco__action_queue (GcoActionFunc func,
                   gpointer      a,
                   gpointer      b)
{
  GcoActionQueue *queue = get_action_queue ();

  if G_UNLIKELY (queue->len == queue->allocated)
    {
      queue->allocated = MAX (32, queue->allocated * 2);
      queue->items = g_renew (GcoAction, queue->items, queue->allocated);
    }
  queue->items[queue->len++] = (GcoAction) { func, a, b };
}

/* Actions run in the order they were queued. An action may queue more; they
 * run in the same loop, never recursively, so a handler that cancels another
 * job sees that job's handlers run after it returns. */
void
gco__tree_unlock_and_flush (void)
{
  gco_mutex_unlock (&tree_mutex);
  gco__actions_flush ();
}

void
gco__actions_flush (void)
{
  GcoActionQueue *queue = get_action_queue ();

  if (queue->flushing || queue->len == 0)
    return;

  queue->flushing = TRUE;
  while (queue->head < queue->len)
    {
      GcoAction action = queue->items[queue->head++];

      action.func (action.a, action.b);
    }
  queue->len = queue->head = 0;
  queue->flushing = FALSE;
}

/* Errors */

GError *
gco__error_new_cancelled (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
}

gboolean
gco__error_is_cancelled (const GError *error)
{
  return error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* State */

static inline void
set_state_locked (GcoJob      *job,
                  GcoJobState  state)
{
  g_atomic_int_set ((gint *) &job->state, state);
}

/* For completing, which no waiter checks after arming its wake-up (waiters
 * check for cancelling or final states without the lock, and need the
 * sequentially consistent store): the lock orders every write, and a release
 * store costs no barrier. */
static inline void
set_state_release_locked (GcoJob      *job,
                          GcoJobState  state)
{
  __atomic_store_n ((gint *) &job->state, (gint) state, __ATOMIC_RELEASE);
}

static inline GcoJobState
get_state (GcoJob *job)
{
  return (GcoJobState) g_atomic_int_get ((gint *) &job->state);
}

gint
gco__job_get_ref_count (GcoJob *job)
{
  return g_atomic_int_get ((gint *) &job->ref_count);
}

gboolean
gco__job_has_ancestor_locked (GcoJob *job,
                              GcoJob *ancestor)
{
  /* A non-cancellable frame has no parent, but still runs inside its
   * caller's frame: waiting for that would never return either. */
  for (GcoJob *iter = job; iter != NULL; iter = iter->parent != NULL ? iter->parent : iter->outer)
    if (iter == ancestor)
      return TRUE;

  return FALSE;
}

/* Tree */

static void
attach_child_locked (GcoJob *parent,
                     GcoJob *child)
{
  child->parent = gco_job_ref (parent);
  gco_job_ref (child);

  child->prev_sibling = parent->last_child;
  if (parent->last_child != NULL)
    parent->last_child->next_sibling = child;
  else
    parent->first_child = child;
  parent->last_child = child;
  parent->n_children++;
}

/* Live roots (jobs created without a parent), for gco_job_list_roots(): linked
 * through their unused sibling pointers, from creation until they complete or
 * are finalized. Under the lock. */
static GcoJob *live_roots;

static void
list_root_locked (GcoJob *job)
{
  job->flags |= GCO_JOB_FLAG_LISTED_ROOT;
  job->next_sibling = live_roots;
  if (live_roots != NULL)
    live_roots->prev_sibling = job;
  live_roots = job;
}

static void
unlist_root_locked (GcoJob *job)
{
  if (!(job->flags & GCO_JOB_FLAG_LISTED_ROOT))
    return;

  job->flags &= ~GCO_JOB_FLAG_LISTED_ROOT;
  if (job->prev_sibling != NULL)
    job->prev_sibling->next_sibling = job->next_sibling;
  else
    live_roots = job->next_sibling;
  if (job->next_sibling != NULL)
    job->next_sibling->prev_sibling = job->prev_sibling;
  job->prev_sibling = job->next_sibling = NULL;
}

static void
detach_child_locked (GcoJob *parent,
                     GcoJob *child)
{
  if (child->prev_sibling != NULL)
    child->prev_sibling->next_sibling = child->next_sibling;
  else
    parent->first_child = child->next_sibling;
  if (child->next_sibling != NULL)
    child->next_sibling->prev_sibling = child->prev_sibling;
  else
    parent->last_child = child->prev_sibling;
  child->prev_sibling = child->next_sibling = NULL;
  parent->n_children--;
  child->parent = NULL;
}

gboolean
gco__job_init_locked (GcoJob         *job,
                      GcoJobKind      kind,
                      guint           flags,
                      GcoJob         *parent,
                      GcoHandlerSlot *slot)
{
  gco_ref_init (&job->ref_count);
  job->kind = kind;
  job->flags = flags;
  job->traits = flags & (GCO_JOB_FLAG_SUPERVISOR | GCO_JOB_FLAG_DEFERRED | GCO_JOB_FLAG_SCOPED);
  job->state = GCO_JOB_STATE_ACTIVE;
  job->slot = slot != NULL ? gco__handler_slot_ref (slot) : NULL;

  if (parent == NULL)
    {
      list_root_locked (job);
      GCO_DEBUG_JOB (job, "created");
      return FALSE;
    }

  /* Rule 8: a job born into a cancelled or finished parent is born
   * cancelled. A finished parent has no children any more, nor has one about
   * to finish (its exception handler may be running). */
  if (gco__job_is_final (parent) || (parent->flags & GCO_JOB_FLAG_FINALIZING))
    {
      gco__job_cancel_locked (job, NULL, FALSE);
      return TRUE;
    }

  attach_child_locked (parent, job);
  GCO_DEBUG_JOB (job, "created");
  if (gco__job_is_cancelling_locked (parent))
    {
      gco__job_cancel_locked (job, NULL, FALSE);
      return TRUE;
    }

  return FALSE;
}

/* Whether a failure that reaches @job is received by someone: a coroutine or
 * a frame always passes it on or returns it; a plain job only when it has such
 * an ancestor (kotlinx's JobImpl.handlesException). */
static gboolean
handles_exception_locked (GcoJob *job)
{
  for (GcoJob *iter = job; iter != NULL; iter = iter->parent)
    if (iter->kind != GCO_JOB_KIND_PLAIN)
      return TRUE;

  return FALSE;
}

static void
cancel_cancellable_action (gpointer a,
                           gpointer b)
{
  GCancellable *cancellable = a;

  g_cancellable_cancel (cancellable);
  g_object_unref (cancellable);
}

static void
queue_cancel_cancellable_locked (GcoJob *job)
{
  if (job->cancellable == NULL || (job->flags & GCO_JOB_FLAG_CANCELLABLE_CANCELLED))
    return;

  job->flags |= GCO_JOB_FLAG_CANCELLABLE_CANCELLED;
  gco__action_queue (cancel_cancellable_action, g_object_ref (job->cancellable), NULL);
}

/* Rule 4: a failure cancels the parent, unless the parent is a supervisor or
 * the job returns its failure to a caller (scoped builders). */
static void
propagate_failure_locked (GcoJob *job)
{
  if ((job->traits & GCO_JOB_FLAG_SCOPED) || job->parent == NULL)
    return;
  if (job->parent->traits & GCO_JOB_FLAG_SUPERVISOR)
    return;

  gco__job_cancel_locked (job->parent, job->error, TRUE);
}

/* A child may complete inside its own cancellation and leave the list: only
 * that child, never a sibling, so the next one is read first. */
static void
cancel_children_locked (GcoJob *job)
{
  GcoJob *child = job->first_child;

  while (child != NULL)
    {
      GcoJob *next = child->next_sibling;

      gco__job_cancel_locked (child, NULL, FALSE);
      child = next;
    }
}

void
gco__job_cancel_locked (GcoJob       *job,
                        const GError *cause,
                        gboolean      failure)
{
  if (gco__job_is_final (job))
    return;

  if (get_state (job) == GCO_JOB_STATE_CANCELLING)
    {
      /* The first failure wins; a failure after a plain cancellation makes the
       * job failed (a coroutine that fails while unwinding has failed). */
      if (!failure)
        return;
      if (job->flags & GCO_JOB_FLAG_FAILED)
        {
          gco__debug_queue (g_strdup_printf ("Job ‘%s’ already failed; dropping a later failure: %s",
                                             gco_job_get_name (job), cause->message));
          return;
        }
      /* Readers may hold the previous error (gco_job_get_error): it lives as
       * long as the job. */
      job->old_errors = g_slist_prepend (job->old_errors, job->error);
      job->error = g_error_copy (cause);
      job->flags |= GCO_JOB_FLAG_FAILED;
      propagate_failure_locked (job);
      return;
    }

  job->error = cause != NULL ? g_error_copy (cause) : gco__error_new_cancelled ();
  if (failure)
    job->flags |= GCO_JOB_FLAG_FAILED;
  set_state_locked (job, GCO_JOB_STATE_CANCELLING);
  GCO_DEBUG_JOB (job, failure ? "failed" : "cancelled");

  queue_cancel_cancellable_locked (job);

  /* A completable job completes as soon as it is cancelled and its children
   * are done; a coroutine that never started will never run. */
  if (job->kind == GCO_JOB_KIND_PLAIN)
    job->flags |= GCO_JOB_FLAG_BODY_DONE;
  else if (job->kind == GCO_JOB_KIND_COROUTINE && gco__coroutine_never_runs_locked (job->co))
    job->flags |= GCO_JOB_FLAG_BODY_DONE;

  /* Rule 7: a coroutine suspended in this job resumes at once. */
  if (job->co != NULL)
    gco__coroutine_wake (job->co);

  /* Rule 3: all descendants, at once. */
  cancel_children_locked (job);

  if (failure)
    propagate_failure_locked (job);

  try_finalize_locked (job);
}

static void
destroy_value_action (gpointer a,
                      gpointer b)
{
  GDestroyNotify destroy = (GDestroyNotify) b;

  destroy (a);
}

void
gco__job_body_done_locked (GcoJob         *job,
                           GError         *error,
                           gpointer        value,
                           GDestroyNotify  value_destroy)
{
  job->flags |= GCO_JOB_FLAG_BODY_DONE;

  if (error != NULL)
    {
      gco__job_cancel_locked (job, error, !gco__error_is_cancelled (error));
      g_error_free (error);
    }
  else if (!gco__job_is_cancelling_locked (job))
    {
      if (job->traits & GCO_JOB_FLAG_DEFERRED)
        {
          job->value = value;
          job->value_destroy = value_destroy;
          value = NULL;
        }
      set_state_release_locked (job, GCO_JOB_STATE_COMPLETING);
    }

  /* A value produced for a job that was cancelled meanwhile is released
   * exactly once, here. */
  if (value != NULL && value_destroy != NULL)
    gco__action_queue (destroy_value_action, value, (gpointer) value_destroy);

  try_finalize_locked (job);
}

static void complete_locked (GcoJob *job);

/* Whether the failure of @job reaches nobody but an exception handler: rule
 * 5. A failure is received by a scoped builder's caller, by a parent that
 * passes it on, or held by a deferred for its awaiters. */
static gboolean
needs_exception_handler_locked (GcoJob *job)
{
  if (!(job->flags & GCO_JOB_FLAG_FAILED) || (job->traits & GCO_JOB_FLAG_SCOPED))
    return FALSE;
  if (job->parent != NULL &&
      !(job->parent->traits & GCO_JOB_FLAG_SUPERVISOR) &&
      handles_exception_locked (job->parent))
    return FALSE;

  return job->kind == GCO_JOB_KIND_COROUTINE && gco__coroutine_is_launch (job->co);
}

/* The exception handler runs without the lock, before the job counts as
 * completed (before any joiner resumes). */
static void
exception_action (gpointer a,
                  gpointer b)
{
  GcoJob *job = a;

  gco__handle_exception (job, job->error);

  gco__tree_lock ();
  complete_locked (job);
  gco__tree_unlock_and_flush ();
  gco_job_unref (job);
}

static void
try_finalize_locked (GcoJob *job)
{
  if (!(job->flags & GCO_JOB_FLAG_BODY_DONE) || job->n_children > 0)
    return;
  if (job->flags & GCO_JOB_FLAG_FINALIZING)
    return;

  job->flags |= GCO_JOB_FLAG_FINALIZING;
  if (needs_exception_handler_locked (job))
    gco__action_queue (exception_action, gco_job_ref (job), NULL);
  else
    complete_locked (job);
}

/* Takes the next completion handler of a final job, under the lock, so that
 * removing a handler that has not run yet really removes it. */
static GcoHandlerNode *
pop_handler (GcoJob *job)
{
  GcoHandlerNode *node;

  gco__tree_lock ();
  node = job->handlers;
  if (node != NULL)
    {
      job->handlers = node->next;
      if (job->handlers == NULL)
        job->last_handler = NULL;
    }
  gco__tree_unlock ();

  return node;
}

/* After the final state: completion handlers, in the order added, then the
 * references the tree held. */
static void
completed_finish (GcoJob *job,
                  GcoJob *parent)
{
  if (job->kind == GCO_JOB_KIND_COROUTINE && gco__coroutine_was_abandoned (job->co))
    gco__coroutine_abandoned (job->co);

  /* With a parent, the action holds the parent's reference to the job;
   * without, one of its own. */
  gco_job_unref (job);
  if (parent != NULL)
    gco_job_unref (parent);  /* the child's reference */
}

static void
completed_action (gpointer a,
                  gpointer b)
{
  GcoJob *job = a;
  GcoHandlerNode *node;

  while ((node = pop_handler (job)) != NULL)
    {
      node->handler (job, job->error, node->user_data);
      if (node->destroy != NULL)
        node->destroy (node->user_data);
      g_free (node);
    }

  completed_finish (job, b);
}

/* A job that had no handler when it completed gets none later (a handler
 * added to a final job runs at once), so there is nothing to take. */
static void
completed_no_handlers_action (gpointer a,
                              gpointer b)
{
  completed_finish (a, b);
}

/* The final state, set in the call that caused it; the parent's turn comes
 * right after, its handlers after the child's. */
static void
complete_locked (GcoJob *job)
{
  GcoJob *parent = job->parent;

  set_state_locked (job, job->error != NULL ? GCO_JOB_STATE_CANCELLED : GCO_JOB_STATE_COMPLETED);
  GCO_DEBUG_JOB (job, "finished");

  if (parent != NULL)
    detach_child_locked (parent, job);
  else
    unlist_root_locked (job);

  /* The action takes over the parent's reference to the job (or takes one of
   * its own for a root) and the job's reference to the parent. */
  if (parent == NULL)
    gco_job_ref (job);
  gco__action_queue (job->handlers != NULL ? completed_action : completed_no_handlers_action,
                     job, parent);

  if (parent != NULL)
    try_finalize_locked (parent);
}

/* Public API */

static GcoJob *
job_new (GcoJob *parent,
         guint   flags)
{
  GcoJob *job = g_new0 (GcoJob, 1);

  gco__tree_lock ();
  gco__job_init_locked (job, GCO_JOB_KIND_PLAIN, flags, parent, NULL);
  gco__tree_unlock_and_flush ();

  return job;
}

GcoJob *
gco__job_new_plain (GcoJob *parent,
                    guint   flags)
{
  return job_new (parent, flags);
}

/**
 * gco_job_new:
 * @parent: (nullable): the parent job
 *
 * Creates a completable job, like kotlinx's `Job()`: active until
 * [method@Gco.Job.complete] is called and its children completed, or until it
 * is cancelled. With a @parent that is already cancelled or completed, the new
 * job is born cancelled.
 *
 * Returns: (transfer full): a new job
 *
 * Since: 0.1
 */
GcoJob *
gco_job_new (GcoJob *parent)
{
  return job_new (parent, 0);
}

/**
 * gco_supervisor_job_new:
 * @parent: (nullable): the parent job
 *
 * Creates a completable supervisor job, like kotlinx's `SupervisorJob()`: the
 * failure of a child does not cancel it nor its other children; the failed
 * child's exception handler receives the failure instead.
 *
 * Returns: (transfer full): a new job
 *
 * Since: 0.1
 */
GcoJob *
gco_supervisor_job_new (GcoJob *parent)
{
  return job_new (parent, GCO_JOB_FLAG_SUPERVISOR);
}

/**
 * gco_job_ref:
 * @job: a job
 *
 * Takes a reference to @job.
 *
 * Returns: (transfer full): @job
 *
 * Since: 0.1
 */
GcoJob *
gco_job_ref (GcoJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);

  gco_ref_inc (&job->ref_count);
  return job;
}

static void
free_handlers (GcoHandlerNode *node)
{
  while (node != NULL)
    {
      GcoHandlerNode *next = node->next;

      if (node->destroy != NULL)
        node->destroy (node->user_data);
      g_free (node);
      node = next;
    }
}

/**
 * gco_job_unref:
 * @job: (transfer full): a job
 *
 * Releases a reference to @job. A job that has children or runs a coroutine
 * is kept alive by them until it completes.
 *
 * Since: 0.1
 */
void
gco_job_unref (GcoJob *job)
{
  g_return_if_fail (job != NULL);

  if (!gco_ref_dec (&job->ref_count))
    return;

  /* A root dropped before it completed. (Roots are unreferenced outside the
   * lock, like every job.) */
  if G_UNLIKELY (job->flags & GCO_JOB_FLAG_LISTED_ROOT)
    {
      gco__tree_lock ();
      unlist_root_locked (job);
      gco__tree_unlock ();
    }

  g_assert (job->first_child == NULL);
  g_assert (job->parent == NULL);

  free_handlers (job->handlers);
  g_clear_error (&job->error);
  if G_UNLIKELY (job->old_errors != NULL)
    g_slist_free_full (job->old_errors, (GDestroyNotify) g_error_free);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->slot, gco__handler_slot_unref);
  g_free (job->name);
  if (job->value != NULL && job->value_destroy != NULL)
    job->value_destroy (job->value);

  if (job->kind == GCO_JOB_KIND_COROUTINE)
    gco__coroutine_finalize (job->co);
  else
    g_free (job);
}

/**
 * gco_job_get_state:
 * @job: a job
 *
 * Gets the state of @job. States change synchronously inside the call that
 * causes them (a cancel, a complete, a body returning, the last child
 * completing).
 *
 * Returns: the state
 *
 * Since: 0.1
 */
GcoJobState
gco_job_get_state (GcoJob *job)
{
  g_return_val_if_fail (job != NULL, GCO_JOB_STATE_CANCELLED);

  return get_state (job);
}

/**
 * gco_job_is_active:
 * @job: a job
 *
 * Whether @job is active or completing: started, and neither cancelled nor
 * completed.
 *
 * Returns: %TRUE if @job is active
 *
 * Since: 0.1
 */
gboolean
gco_job_is_active (GcoJob *job)
{
  GcoJobState state;

  g_return_val_if_fail (job != NULL, FALSE);

  state = get_state (job);
  return state == GCO_JOB_STATE_ACTIVE || state == GCO_JOB_STATE_COMPLETING;
}

/**
 * gco_job_is_completed:
 * @job: a job
 *
 * Whether @job reached a final state, completed or cancelled (which includes
 * failed).
 *
 * Returns: %TRUE if @job is final
 *
 * Since: 0.1
 */
gboolean
gco_job_is_completed (GcoJob *job)
{
  g_return_val_if_fail (job != NULL, FALSE);

  return gco__job_is_final (job);
}

/**
 * gco_job_is_cancelled:
 * @job: a job
 *
 * Whether @job was cancelled for any reason, including a failure: it is
 * cancelling or cancelled.
 *
 * Returns: %TRUE if @job is cancelled
 *
 * Since: 0.1
 */
gboolean
gco_job_is_cancelled (GcoJob *job)
{
  g_return_val_if_fail (job != NULL, FALSE);

  return gco__job_is_cancelling_locked (job);
}

/**
 * gco_job_is_supervisor:
 * @job: a job
 *
 * Whether @job is a supervisor: its children fail on their own.
 *
 * Returns: %TRUE for a supervisor job
 *
 * Since: 0.1
 */
gboolean
gco_job_is_supervisor (GcoJob *job)
{
  g_return_val_if_fail (job != NULL, FALSE);

  return (job->traits & GCO_JOB_FLAG_SUPERVISOR) != 0;
}

/**
 * gco_job_get_parent:
 * @job: a job
 *
 * Gets the parent of @job while @job is not completed.
 *
 * Returns: (transfer none) (nullable): the parent, or %NULL for a root job or
 *   a completed one
 *
 * Since: 0.1
 */
GcoJob *
gco_job_get_parent (GcoJob *job)
{
  GcoJob *parent;

  g_return_val_if_fail (job != NULL, NULL);

  gco__tree_lock ();
  parent = job->parent;
  gco__tree_unlock ();

  return parent;
}

/**
 * gco_job_get_n_children:
 * @job: a job
 *
 * Counts the children of @job that have not completed yet.
 *
 * Returns: the number of children
 *
 * Since: 0.1
 */
guint
gco_job_get_n_children (GcoJob *job)
{
  guint n;

  g_return_val_if_fail (job != NULL, 0);

  gco__tree_lock ();
  n = job->n_children;
  gco__tree_unlock ();

  return n;
}

/* A reference, unless the last one is already gone (the job is being
 * finalized and waits for the lock to leave the list of roots). */
static gboolean
ref_if_alive (GcoJob *job)
{
  gint count;

  do
    {
      count = g_atomic_int_get (&job->ref_count);
      if (count == 0)
        return FALSE;
    }
  while (!g_atomic_int_compare_and_exchange (&job->ref_count, count, count + 1));

  return TRUE;
}

/**
 * gco_job_get_children:
 * @job: a job
 *
 * Gets the children of @job that have not completed yet, in the order they
 * were attached: a snapshot, for tools that show the tree of jobs (a list of
 * the live jobs of an application, a debugger). The children may complete
 * while the caller looks at them; the references keep them valid.
 *
 * Returns: (transfer full) (element-type GcoJob): a new array holding a
 *   reference to each child; it unrefs them when freed
 *
 * Since: 0.1
 */
GPtrArray *
gco_job_get_children (GcoJob *job)
{
  GPtrArray *children;

  g_return_val_if_fail (job != NULL, NULL);

  gco__tree_lock ();
  children = g_ptr_array_new_full (job->n_children, (GDestroyNotify) gco_job_unref);
  for (GcoJob *child = job->first_child; child != NULL; child = child->next_sibling)
    g_ptr_array_add (children, gco_job_ref (child));
  gco__tree_unlock ();

  return children;
}

/**
 * gco_job_list_roots:
 *
 * Lists the jobs of the process that have no parent and have not completed:
 * the jobs of scopes (a widget's, an application's, a main scope's), and jobs
 * and deferreds created without a parent. With [method@Gco.Job.get_children]
 * this walks every live job, like kotlinx's `DebugProbes.dumpCoroutines`;
 * the demo's "Live jobs" page is built on it. Newest roots come first.
 *
 * Returns: (transfer full) (element-type GcoJob): a new array holding a
 *   reference to each root; it unrefs them when freed
 *
 * Since: 0.1
 */
GPtrArray *
gco_job_list_roots (void)
{
  GPtrArray *roots = g_ptr_array_new_with_free_func ((GDestroyNotify) gco_job_unref);

  gco__tree_lock ();
  for (GcoJob *root = live_roots; root != NULL; root = root->next_sibling)
    if (ref_if_alive (root))
      g_ptr_array_add (roots, root);
  gco__tree_unlock ();

  return roots;
}

/**
 * gco_job_get_error:
 * @job: a job
 *
 * Gets why @job was cancelled: `G_IO_ERROR_CANCELLED` for a cancellation, or
 * the failure. The error stays valid as long as @job.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL unless @job was
 *   cancelled or failed
 *
 * Since: 0.1
 */
const GError *
gco_job_get_error (GcoJob *job)
{
  const GError *error;

  g_return_val_if_fail (job != NULL, NULL);

  gco__tree_lock ();
  error = job->error;
  gco__tree_unlock ();

  return error;
}

/**
 * gco_job_get_name:
 * @job: a job
 *
 * Gets the name of @job: the one it was given, else the name of its body
 * function where the dynamic symbol table has it, else for a static body
 * function its module and offset (`test-app+0x1234`, which
 * `addr2line -f -e test-app 0x1234` resolves), else a generic name.
 *
 * Returns: (transfer none): the name
 *
 * Since: 0.1
 */
const char *
gco_job_get_name (GcoJob *job)
{
  const char *name;

  g_return_val_if_fail (job != NULL, NULL);

  name = g_atomic_pointer_get (&job->name);
  if (name != NULL)
    return name;

  if (job->name_func != NULL)
    {
      Dl_info info;
      char *resolved;

      /* A static function has no dynamic symbol: name it by its module and
       * offset, which `addr2line -f -e MODULE OFFSET` turns into a name. */
      if (!dladdr (job->name_func, &info))
        resolved = g_strdup_printf ("coroutine@%p", job->name_func);
      else if (info.dli_sname != NULL)
        resolved = g_strdup (info.dli_sname);
      else
        resolved = g_strdup_printf ("%s+0x%" G_GINTPTR_MODIFIER "x",
                                    info.dli_fname != NULL && strrchr (info.dli_fname, '/') != NULL
                                      ? strrchr (info.dli_fname, '/') + 1 : info.dli_fname,
                                    (guintptr) job->name_func - (guintptr) info.dli_fbase);

      if (!g_atomic_pointer_compare_and_exchange (&job->name, NULL, resolved))
        g_free (resolved);
      return g_atomic_pointer_get (&job->name);
    }

  switch (job->kind)
    {
    case GCO_JOB_KIND_FRAME:
      return "scope";
    case GCO_JOB_KIND_COROUTINE:
      return "coroutine";
    case GCO_JOB_KIND_PLAIN:
    default:
      return (job->traits & GCO_JOB_FLAG_SUPERVISOR) ? "supervisor-job" : "job";
    }
}

/**
 * gco_job_set_name:
 * @job: a job
 * @name: (nullable): the new name
 *
 * Names @job, for diagnostics and the default exception handler. Set it before
 * the job is shared with other threads.
 *
 * Since: 0.1
 */
void
gco_job_set_name (GcoJob     *job,
                  const char *name)
{
  char *old;

  g_return_if_fail (job != NULL);

  old = g_atomic_pointer_exchange (&job->name, g_strdup (name));
  g_free (old);
}

/**
 * gco_job_cancel:
 * @job: a job
 *
 * Cancels @job and all its descendants at once, with
 * `G_IO_ERROR_CANCELLED`, and returns at once: coroutines unwind
 * asynchronously, each resumed on its own dispatcher. Cancelling a child never
 * cancels its parent. Cancelling a completed job does nothing. Any thread may
 * call this. See [method@Gco.Job.cancel_and_join] to wait for the unwinding.
 *
 * Since: 0.1
 */
void
gco_job_cancel (GcoJob *job)
{
  g_return_if_fail (job != NULL);

  gco__tree_lock ();
  gco__job_cancel_locked (job, NULL, FALSE);
  gco__tree_unlock_and_flush ();
}

/**
 * gco_job_cancel_children:
 * @job: a job
 *
 * Cancels the children of @job (and so their descendants), not @job itself.
 *
 * Since: 0.1
 */
void
gco_job_cancel_children (GcoJob *job)
{
  g_return_if_fail (job != NULL);

  gco__tree_lock ();
  cancel_children_locked (job);
  gco__tree_unlock_and_flush ();
}

gboolean
gco__job_complete (GcoJob         *job,
                   GError         *error,
                   gpointer        value,
                   GDestroyNotify  value_destroy)
{
  gboolean completed = FALSE;

  gco__tree_lock ();
  if (job->kind != GCO_JOB_KIND_PLAIN)
    {
      gco__tree_unlock ();
      g_critical ("Job ‘%s’ is not completable: only jobs made with gco_job_new() "
                  "or gco_deferred_new() are", gco_job_get_name (job));
    }
  else if (job->flags & GCO_JOB_FLAG_COMPLETE_CALLED)
    {
      gco__tree_unlock ();
      g_critical ("Job ‘%s’ was completed twice", gco_job_get_name (job));
    }
  else if (gco__job_is_cancelling_locked (job))
    {
      /* Racing a cancellation is not an error: the cancellation won. */
      job->flags |= GCO_JOB_FLAG_COMPLETE_CALLED;
      gco__tree_unlock ();
    }
  else
    {
      job->flags |= GCO_JOB_FLAG_COMPLETE_CALLED;
      gco__job_body_done_locked (job, g_steal_pointer (&error), value, value_destroy);
      value = NULL;
      completed = TRUE;
      gco__tree_unlock_and_flush ();
    }

  if (error != NULL)
    g_error_free (error);
  if (value != NULL && value_destroy != NULL)
    value_destroy (value);

  return completed;
}

/**
 * gco_job_complete:
 * @job: a completable job
 *
 * Completes a job made with [ctor@Gco.Job.new]: it becomes completing, and
 * completed once its children completed. Completing a job twice is a
 * programmer error.
 *
 * Returns: %TRUE if this call completed @job; %FALSE if it was already
 *   cancelled or completed
 *
 * Since: 0.1
 */
gboolean
gco_job_complete (GcoJob *job)
{
  g_return_val_if_fail (job != NULL, FALSE);

  return gco__job_complete (job, NULL, NULL, NULL);
}

/**
 * gco_job_complete_with_error:
 * @job: a completable job
 * @error: the failure, or `G_IO_ERROR_CANCELLED` to cancel it
 *
 * Completes a job made with [ctor@Gco.Job.new] with a failure: like a
 * coroutine failing, it cancels its children and a non-supervisor parent.
 *
 * Returns: %TRUE if this call completed @job
 *
 * Since: 0.1
 */
gboolean
gco_job_complete_with_error (GcoJob       *job,
                             const GError *error)
{
  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  return gco__job_complete (job, g_error_copy (error), NULL, NULL);
}

/**
 * gco_job_get_cancellable:
 * @job: a job
 *
 * Gets a `GCancellable` that is cancelled when @job is, created on the first
 * call. Hand it to GIO operations the job starts.
 *
 * Returns: (transfer none): the cancellable of @job
 *
 * Since: 0.1
 */
GCancellable *
gco_job_get_cancellable (GcoJob *job)
{
  GCancellable *cancellable;

  g_return_val_if_fail (job != NULL, NULL);

  gco__tree_lock ();
  if (job->cancellable == NULL)
    {
      job->cancellable = g_cancellable_new ();
      if (gco__job_is_cancelling_locked (job))
        queue_cancel_cancellable_locked (job);
    }
  cancellable = job->cancellable;
  gco__tree_unlock_and_flush ();

  return cancellable;
}

static GcoHandlerNode *
append_handler_locked (GcoJob         *job,
                       GcoJobHandler   handler,
                       gpointer        user_data,
                       GDestroyNotify  destroy)
{
  GcoHandlerNode *node = g_new (GcoHandlerNode, 1);

  node->next = NULL;
  node->id = ++last_handler_id;
  if G_UNLIKELY (node->id == 0)
    node->id = ++last_handler_id;
  node->handler = handler;
  node->user_data = user_data;
  node->destroy = destroy;

  if (job->last_handler != NULL)
    job->last_handler->next = node;
  else
    job->handlers = node;
  job->last_handler = node;

  return node;
}

/**
 * gco_job_add_completion_handler:
 * @job: a job
 * @handler: (scope notified): called once when @job completes
 * @user_data: data for @handler
 * @destroy: (nullable): releases @user_data after @handler ran or was removed
 *
 * Adds a handler that runs exactly once, synchronously, when @job reaches its
 * final state, with the error that cancelled or failed it (or %NULL). Added to
 * a job already completed, it runs at once, before this call returns.
 *
 * Returns: an id for [method@Gco.Job.remove_completion_handler]
 *
 * Since: 0.1
 */
guint
gco_job_add_completion_handler (GcoJob         *job,
                                GcoJobHandler   handler,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  guint id;

  g_return_val_if_fail (job != NULL, 0);
  g_return_val_if_fail (handler != NULL, 0);

  gco__tree_lock ();
  if (gco__job_is_final (job))
    {
      id = ++last_handler_id;
      gco__tree_unlock ();
      handler (job, job->error, user_data);
      if (destroy != NULL)
        destroy (user_data);
      return id;
    }
  id = append_handler_locked (job, handler, user_data, destroy)->id;
  gco__tree_unlock ();

  return id;
}

guint
gco__job_add_waiter (GcoJob        *job,
                     GcoJobHandler  handler,
                     GcoCoroutine  *co)
{
  guint id = 0;

  gco__tree_lock ();
  /* The waiter keeps the coroutine alive: a job completing on another
   * thread may run it after the coroutine stopped waiting. A late wake-up is
   * harmless, every wait re-checks what it waits for. */
  if (!gco__job_is_final (job))
    id = append_handler_locked (job, handler, gco_job_ref (&co->job),
                                (GDestroyNotify) gco_job_unref)->id;
  gco__tree_unlock ();

  return id;
}

/**
 * gco_job_remove_completion_handler:
 * @job: a job
 * @handler_id: an id from [method@Gco.Job.add_completion_handler]
 *
 * Removes a completion handler that has not run yet and releases its data.
 * Removing one that already ran, also from inside the handler, does nothing.
 *
 * Since: 0.1
 */
void
gco_job_remove_completion_handler (GcoJob *job,
                                   guint   handler_id)
{
  GcoHandlerNode *found = NULL;
  GcoHandlerNode *prev = NULL;

  g_return_if_fail (job != NULL);

  gco__tree_lock ();
  for (GcoHandlerNode *node = job->handlers; node != NULL; prev = node, node = node->next)
    {
      if (node->id != handler_id)
        continue;

      if (prev != NULL)
        prev->next = node->next;
      else
        job->handlers = node->next;
      if (job->last_handler == node)
        job->last_handler = prev;
      found = node;
      break;
    }
  gco__tree_unlock ();

  if (found != NULL)
    {
      if (found->destroy != NULL)
        found->destroy (found->user_data);
      g_free (found);
    }
}
