/* gco-coroutine-private.h: a coroutine is a job running a body on a fiber
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gco-job-private.h"
#include "gco-dispatcher-private.h"
#include "gco-fiber-private.h"

G_BEGIN_DECLS

typedef enum {
  GCO_WAKE_IDLE,    /* running, or suspended for good reasons of its own */
  GCO_WAKE_ARMED,   /* about to suspend or suspended: a wake-up resumes it */
  GCO_WAKE_FIRED,   /* a resume is queued on its dispatcher */
} GcoWakeState;

typedef enum {
  GCO_START_STATE_NOT_STARTED,
  GCO_START_STATE_STARTED,    /* its first run began: the body runs */
  GCO_START_STATE_ABANDONED,  /* cancelled before its first run: it never runs */
} GcoStartState;

struct _GcoCoroutine
{
  GcoJob          job;            /* first: a coroutine is a job */
  GcoRunnable     runnable;       /* its node in the dispatcher's run queue */
  GcoDispatcher  *dispatcher;
  GcoFiber       *fiber;          /* NULL until it starts */

  GcoFunc         func;
  GcoValueFunc    value_func;
  gpointer        user_data;
  GDestroyNotify  destroy;
  GDestroyNotify  result_destroy;

  GcoJob         *current;        /* the innermost frame: its own job or a scoped builder's */
  GcoScope       *current_scope;  /* gco_scope_get_current()'s answer for that frame */
  gint            wake_state;     /* GcoWakeState, atomic */
  GcoStart        start;
  gsize           stack_size;
  gint            start_state;    /* GcoStartState, atomic */
  const char     *suspended_in;   /* the last suspending call, for gco_job_dump() */
};

/* The coroutine running on this thread, or NULL. */
GcoCoroutine *gco__coroutine_get_current     (void);

/* Like gco__coroutine_get_current(), but a critical and
 * GCO_ERROR_NOT_IN_COROUTINE outside a coroutine. */
GcoCoroutine *gco__coroutine_get_checked     (const char    *function,
                                              GError       **error);

/* Suspension: arm, check the condition, then suspend or disarm. A wake-up
 * that comes between the arm and the suspend is not lost. */
static inline void
gco__coroutine_arm (GcoCoroutine *co)
{
  g_atomic_int_set (&co->wake_state, GCO_WAKE_ARMED);
}

void          gco__coroutine_disarm          (GcoCoroutine  *co);
void          gco__coroutine_suspend         (GcoCoroutine  *co);

/* Whether the innermost frame of @co is cancelled (prompt cancellation). */
static inline gboolean
gco__coroutine_is_cancelled (GcoCoroutine *co)
{
  return gco__job_is_cancelling_locked (co->current);
}

void          gco__coroutine_set_cancelled   (GError       **error);

/* Sets G_IO_ERROR_CANCELLED and returns FALSE when the frame is cancelled. */
static inline gboolean
gco__coroutine_check_active (GcoCoroutine  *co,
                             GError       **error)
{
  if G_LIKELY (!gco__coroutine_is_cancelled (co))
    return TRUE;

  gco__coroutine_set_cancelled (error);
  return FALSE;
}

void          gco__coroutine_finalize        (GcoCoroutine  *co);

/* Enters and leaves a scoped builder's frame. */
void          gco__coroutine_push_frame      (GcoCoroutine  *co,
                                              GcoJob        *frame,
                                              GcoJob       **saved_current,
                                              GcoScope     **saved_scope);
void          gco__coroutine_pop_frame       (GcoCoroutine  *co,
                                              GcoJob        *saved_current,
                                              GcoScope      *saved_scope);

/* Launches a coroutine; the core of every builder. @slot is the exception
 * handler slot it inherits. Returns a new reference, or with @forget nothing
 * (the scope owns the coroutine). */
GcoCoroutine *gco__coroutine_launch          (GcoJob                 *parent,
                                              GcoDispatcher          *dispatcher,
                                              GcoHandlerSlot         *slot,
                                              const GcoLaunchOptions *options,
                                              guint                   flags,
                                              gboolean                forget,
                                              GcoFunc                 func,
                                              GcoValueFunc            value_func,
                                              gpointer                user_data,
                                              GDestroyNotify          destroy,
                                              GDestroyNotify          result_destroy);

/* Starts a lazy coroutine; FALSE if it was not lazy or already started. */
gboolean      gco__coroutine_start_lazy      (GcoCoroutine  *co);

G_END_DECLS
