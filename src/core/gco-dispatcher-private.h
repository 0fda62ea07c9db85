/* gco-dispatcher-private.h: what a dispatcher must do
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gco/gco.h>

#include "gco-util-private.h"

G_BEGIN_DECLS

/* A node of a run queue, embedded in what it runs: enqueuing never
 * allocates. */
typedef struct _GcoRunnable GcoRunnable;
struct _GcoRunnable
{
  GcoRunnable *next;
  void       (*run) (GcoRunnable *self);
};

/* A deadline in a dispatcher's timer heap, embedded in its owner. */
typedef struct _GcoTimer GcoTimer;
struct _GcoTimer
{
  gint64   deadline;      /* monotonic, microseconds */
  guint64  seq;           /* equal deadlines fire in the order armed */
  guint    heap_index;    /* 0 = not armed */
  void   (*fire) (GcoTimer *self);
};

typedef struct
{
  /* Queues @runnable; from any thread. Runs it later on the dispatcher's
   * thread, never inside this call. */
  void     (*schedule)          (GcoDispatcher *self,
                                 GcoRunnable   *runnable);
  /* Whether the calling thread is the one the dispatcher runs coroutines on. */
  gboolean (*is_current_thread) (GcoDispatcher *self);
  /* Timers: only from the dispatcher's own thread. */
  void     (*add_timer)         (GcoDispatcher *self,
                                 GcoTimer      *timer);
  void     (*remove_timer)      (GcoDispatcher *self,
                                 GcoTimer      *timer);
  gint64   (*now)               (GcoDispatcher *self);
  void     (*finalize)          (GcoDispatcher *self);
} GcoDispatcherClass;

struct _GcoDispatcher
{
  gint                      ref_count;
  const GcoDispatcherClass *klass;
  gboolean                  immediate;
  gboolean                  is_static;   /* the process-wide ones are never freed */
};

void     gco__dispatcher_init     (GcoDispatcher            *self,
                                   const GcoDispatcherClass *klass,
                                   gboolean                  immediate);

static inline void
gco__dispatcher_schedule (GcoDispatcher *self,
                          GcoRunnable   *runnable)
{
  self->klass->schedule (self, runnable);
}

/* Whether a coroutine started now may run in place: an immediate dispatcher on
 * its own thread, outside any coroutine or other immediate start. */
gboolean gco__dispatcher_can_start_in_place (GcoDispatcher *self);

/* Marks the calling thread as running an immediate start (nested starts are
 * queued, never recursed). */
gboolean gco__dispatcher_enter_in_place     (void);
void     gco__dispatcher_leave_in_place     (gboolean       was_in_place);

/* The main-context dispatcher (gco-main-dispatcher.c). */
GcoDispatcher *gco__main_dispatcher_new     (GMainContext *context,
                                             gboolean      immediate);
GMainContext  *gco__main_dispatcher_get_context (GcoDispatcher *self);

/* Test hook: the time budget of one dispatch, in microseconds. */
void     gco__main_dispatcher_set_budget    (GcoDispatcher *self,
                                             gint64         budget_usec);
/* Test hook: the priority the dispatcher's source has now. */
gint     gco__main_dispatcher_get_priority  (GcoDispatcher *self);

G_END_DECLS
