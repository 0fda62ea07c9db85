/* gco-job-private.h: the job tree, shared by the core's files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every job of the process lives in one tree guarded by one lock
 * (gco__tree_lock). State changes happen under the lock; what they cause
 * (completion handlers, exception handlers, cancelling a GCancellable) is
 * queued as an action on the calling thread and run once the lock is
 * released, before the public call that caused it returns. So user code never
 * runs under the lock, handlers may call back into gco, and the order of
 * effects is the order of causes.
 */

#pragma once

#include <gco/gco.h>

#include "gco-util-private.h"

G_BEGIN_DECLS

typedef struct _GcoCoroutine   GcoCoroutine;
typedef struct _GcoHandlerSlot GcoHandlerSlot;
typedef struct _GcoHandlerNode GcoHandlerNode;

typedef enum {
  GCO_JOB_KIND_PLAIN,      /* gco_job_new, gco_supervisor_job_new, gco_deferred_new */
  GCO_JOB_KIND_COROUTINE,  /* launch and async: a GcoCoroutine */
  GCO_JOB_KIND_FRAME,      /* a scoped builder's job, running on a coroutine */
} GcoJobKind;

typedef enum {
  GCO_JOB_FLAG_SUPERVISOR  = 1 << 0,
  GCO_JOB_FLAG_DEFERRED    = 1 << 1,  /* has a value slot: async, gco_deferred_new */
  GCO_JOB_FLAG_SCOPED      = 1 << 2,  /* failure returned to a caller, not to the parent */
  GCO_JOB_FLAG_BODY_DONE   = 1 << 3,  /* body returned, or completed, or will never run */
  GCO_JOB_FLAG_FAILED      = 1 << 4,  /* error is a failure, not a cancellation */
  GCO_JOB_FLAG_FINALIZING  = 1 << 5,  /* the finalize action is queued */
  GCO_JOB_FLAG_COMPLETE_CALLED = 1 << 6,  /* gco_job_complete* was called */
  GCO_JOB_FLAG_TIMED_OUT   = 1 << 7,  /* a with_timeout frame whose own deadline expired */
  GCO_JOB_FLAG_CANCELLABLE_CANCELLED = 1 << 8,
  GCO_JOB_FLAG_LISTED_ROOT = 1 << 9,  /* in the list of live roots (sibling links) */
} GcoJobFlags;

struct _GcoJob
{
  gint             ref_count;
  GcoJobKind       kind;
  guint            flags;          /* GcoJobFlags, under the lock */
  guint            traits;         /* SUPERVISOR, DEFERRED, SCOPED: set once, read freely */
  GcoJobState      state;          /* written under the lock, read atomically */

  GcoJob          *parent;         /* strong: a child keeps its parent alive */
  GcoJob          *first_child;    /* strong: attached children until they complete */
  GcoJob          *last_child;
  GcoJob          *prev_sibling;   /* a root's: its neighbours in the list of live roots */
  GcoJob          *next_sibling;
  guint            n_children;

  GError          *error;          /* cause of cancellation or the failure */
  GSList          *old_errors;     /* errors a failure replaced: readers may hold them */
  GcoHandlerNode  *handlers;       /* completion handlers, in the order added */
  GcoHandlerNode  *last_handler;
  GCancellable    *cancellable;    /* created on request */
  GcoHandlerSlot  *slot;           /* exception handler of the scope it runs in */

  char            *name;
  gpointer         name_func;      /* resolved to a symbol name on request */

  gpointer         value;          /* deferreds */
  GDestroyNotify   value_destroy;

  GcoCoroutine    *co;             /* the coroutine this job runs on (coroutines and frames) */
  GcoJob          *outer;          /* a non-cancellable frame: the frame it runs in */
};

/* The tree lock and the action queue. */
void          gco__tree_lock                  (void);
void          gco__tree_unlock                (void);

/* Unlocks the tree and runs the actions queued on this thread (unless this
 * thread is already running them further up the stack). */
void          gco__tree_unlock_and_flush      (void);

/* Runs the actions queued on this thread, unless it already is. */
void          gco__actions_flush              (void);

typedef void (*GcoActionFunc) (gpointer a, gpointer b);
void          gco__action_queue               (GcoActionFunc  func,
                                               gpointer       a,
                                               gpointer       b);

/* Initializes a job allocated by the caller (coroutines embed one) and
 * attaches it to @parent; returns TRUE if it starts cancelled. Under the lock. */
gboolean      gco__job_init_locked            (GcoJob        *job,
                                               GcoJobKind     kind,
                                               guint          flags,
                                               GcoJob        *parent,
                                               GcoHandlerSlot *slot);

/* The body of @job returned: with @error (transfer full) on failure or
 * cancellation. @value goes to the deferred slot (or is destroyed when the job
 * was cancelled meanwhile). Under the lock. */
void          gco__job_body_done_locked       (GcoJob        *job,
                                               GError        *error,
                                               gpointer       value,
                                               GDestroyNotify value_destroy);

/* Cancels with @cause (NULL = a plain G_IO_ERROR_CANCELLED); a failure also
 * cancels a non-supervisor parent. Under the lock. */
void          gco__job_cancel_locked          (GcoJob        *job,
                                               const GError  *cause,
                                               gboolean       failure);

/* Cancelling or cancelled; readable without the lock. */
static inline gboolean
gco__job_is_cancelling_locked (GcoJob *job)
{
  GcoJobState state = (GcoJobState) g_atomic_int_get ((gint *) &job->state);

  return state == GCO_JOB_STATE_CANCELLING || state == GCO_JOB_STATE_CANCELLED;
}

/* Completed or cancelled; readable without the lock. */
static inline gboolean
gco__job_is_final (GcoJob *job)
{
  GcoJobState state = (GcoJobState) g_atomic_int_get ((gint *) &job->state);

  return state == GCO_JOB_STATE_CANCELLED || state == GCO_JOB_STATE_COMPLETED;
}
gint          gco__job_get_ref_count          (GcoJob        *job);

/* Whether @ancestor is @job or one of its ancestors, or a frame a
 * non-cancellable frame on the way runs in. Under the lock. */
gboolean      gco__job_has_ancestor_locked    (GcoJob        *job,
                                               GcoJob        *ancestor);

/* A completion handler that wakes @co, holding a reference on it; returns 0
 * when the job is already final (and then does not run @handler). */
guint         gco__job_add_waiter             (GcoJob        *job,
                                               GcoJobHandler  handler,
                                               GcoCoroutine  *co);

GcoJob       *gco__job_new_plain              (GcoJob        *parent,
                                               guint          flags);
/* Completes a completable job: @error and @value are transfer full. */
gboolean      gco__job_complete               (GcoJob        *job,
                                               GError        *error,
                                               gpointer       value,
                                               GDestroyNotify value_destroy);

/* Exception handler slots: a scope's handler, inherited by what runs in it. */
GcoHandlerSlot *gco__handler_slot_new         (GcoHandlerSlot *parent);
GcoHandlerSlot *gco__handler_slot_ref         (GcoHandlerSlot *slot);
void            gco__handler_slot_unref       (GcoHandlerSlot *slot);
void            gco__handler_slot_set         (GcoHandlerSlot *slot,
                                               GcoExceptionHandler handler,
                                               gpointer       user_data,
                                               GDestroyNotify destroy);
void            gco__handle_exception         (GcoJob        *job,
                                               const GError  *error);

/* Coroutine hooks the job code calls (gco-coroutine.c). */
void          gco__coroutine_finalize         (GcoCoroutine  *co);
void          gco__coroutine_wake             (GcoCoroutine  *co);
void          gco__coroutine_abandoned        (GcoCoroutine  *co);
gboolean      gco__coroutine_is_launch        (GcoCoroutine  *co);
gboolean      gco__coroutine_never_runs_locked (GcoCoroutine *co);
gboolean      gco__coroutine_was_abandoned    (GcoCoroutine  *co);

/* GError helpers. */
GError       *gco__error_new_cancelled        (void);
gboolean      gco__error_is_cancelled         (const GError  *error);

G_END_DECLS
