/* gco-main-dispatcher.c: running coroutines from a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One GSource per GMainContext runs every coroutine of that context. Each
 * dispatch is a list of phases:
 *
 *  1. take what other threads queued (they woke the context once);
 *  2. fire the timers whose deadline passed (their owners join the queue);
 *  3. run the queue as it was when the dispatch began, in FIFO order, within a
 *     time budget: what is queued meanwhile waits for the next dispatch, so
 *     other sources get their turn;
 *  4. when the queue has not been empty for longer than the budget (within
 *     one dispatch or across several), drop below GDK_PRIORITY_REDRAW until
 *     the backlog is drained, so painting and input never starve;
 *  5. and the other way round: when sources above that priority keep the
 *     context busy (frames that take longer than a frame's time to draw, as
 *     with software rendering) and the backlog has not run for twice the
 *     budget (10 ms at least), a guard source raises it back to the normal
 *     priority for one dispatch. Coroutines then get about one budget between two frames
 *     instead of none at all.
 *
 * Same-thread pushes touch only the local queue: readiness is reported from
 * prepare/check, with no syscall (g_source_set_ready_time would write the
 * context's wake-up fd on every change).
 */

#include "gco-config.h"

#include "gco-dispatcher-private.h"
#include "gco-timer-heap-private.h"
#include "gco-util-private.h"

/* GDK_PRIORITY_REDRAW is G_PRIORITY_HIGH_IDLE + 20; a backlog runs below it. */
#define BACKLOG_PRIORITY   (G_PRIORITY_HIGH_IDLE + 30)
#define NORMAL_PRIORITY    G_PRIORITY_DEFAULT
#define DEFAULT_BUDGET_USEC 5000
/* The starvation guard waits at least this long (and at least twice the
 * budget): with a shorter wait it would be ready at every iteration and take
 * every turn from the redraws it is meant to share them with. */
#define GUARD_MIN_USEC     10000
/* Checking the clock costs ~20 ns; do it every so many runs. */
#define BUDGET_CHECK_EVERY 32

typedef struct
{
  GSource        source;
  GMainContext  *context;
  gpointer       owner;          /* THIS_THREAD of the thread iterating the context; atomic */

  GcoRunnable   *head;           /* local queue: the owner thread only */
  GcoRunnable   *tail;

  GcoMutex       remote_mutex;   /* remote queue: pushes from other threads */
  GcoRunnable   *remote_head;
  GcoRunnable   *remote_tail;
  gint           has_remote;     /* atomic */

  GcoTimerHeap   timers;         /* the owner thread only */
  gint64         budget_usec;
  gint64         busy_since;     /* when the queue last started to be non-empty */
  gboolean       backlog;
  GSource       *guard;          /* starvation guard, created at the first backlog */
  gint64         guard_armed_at;
  guint          n_dispatchers;  /* under registry_mutex */
} GcoMainSource;

typedef struct
{
  GSource        source;
  GcoMainSource *owner;          /* strong: the guard may outlive the registry */
} GcoStarveGuard;

typedef struct
{
  GcoDispatcher  parent;
  GcoMainSource *source;
  GMainContext  *context;
} GcoMainDispatcher;

/* Identifies the calling thread by the address of a thread-local variable:
 * cheaper than g_thread_self (), which goes through a GPrivate. */
static GCO_THREAD_LOCAL char thread_token;
#define THIS_THREAD ((gpointer) &thread_token)

static GcoMutex      registry_mutex = GCO_MUTEX_INIT;
static GHashTable *registry;     /* GMainContext → GcoMainSource */

static inline gboolean
is_owner (GcoMainSource *self)
{
  return g_atomic_pointer_get (&self->owner) == THIS_THREAD;
}

static inline gboolean
has_work (GcoMainSource *self,
          gint64         now)
{
  GcoTimer *timer;

  if (self->head != NULL || g_atomic_int_get (&self->has_remote))
    return TRUE;

  timer = gco__timer_heap_peek (&self->timers);
  return timer != NULL && timer->deadline <= now;
}

static gboolean
source_prepare (GSource *source,
                gint    *timeout)
{
  GcoMainSource *self = (GcoMainSource *) source;
  gint64 now = g_source_get_time (source);
  GcoTimer *timer;

  if (!is_owner (self))
    g_atomic_pointer_set (&self->owner, THIS_THREAD);

  if (has_work (self, now))
    {
      *timeout = 0;
      return TRUE;
    }

  timer = gco__timer_heap_peek (&self->timers);
  if (timer == NULL)
    *timeout = -1;
  else
    *timeout = (gint) MIN ((timer->deadline - now + 999) / 1000, G_MAXINT);

  return FALSE;
}

static gboolean
source_check (GSource *source)
{
  GcoMainSource *self = (GcoMainSource *) source;

  return has_work (self, g_source_get_time (source));
}

static void
take_remote (GcoMainSource *self)
{
  GcoRunnable *head, *tail;

  if (!g_atomic_int_get (&self->has_remote))
    return;

  gco_mutex_lock (&self->remote_mutex);
  head = self->remote_head;
  tail = self->remote_tail;
  self->remote_head = self->remote_tail = NULL;
  g_atomic_int_set (&self->has_remote, 0);
  gco_mutex_unlock (&self->remote_mutex);

  if (head == NULL)
    return;
  if (self->tail != NULL)
    self->tail->next = head;
  else
    self->head = head;
  self->tail = tail;
}

static void
fire_timers (GcoMainSource *self,
             gint64         now)
{
  GcoTimer *timer;

  while ((timer = gco__timer_heap_peek (&self->timers)) != NULL && timer->deadline <= now)
    {
      gco__timer_heap_remove (&self->timers, timer);
      timer->fire (timer);
    }
}

static void set_backlog (GcoMainSource *self,
                         gboolean       backlog);

/* The backlog has not run for twice the budget: busier sources above it have
 * taken every turn. One dispatch at the normal priority, then (if the queue
 * is still long) back below redraw. */
static gboolean
guard_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  GcoStarveGuard *guard = (GcoStarveGuard *) source;

  g_source_set_ready_time (source, -1);
  set_backlog (guard->owner, FALSE);

  return G_SOURCE_CONTINUE;
}

static void
guard_finalize (GSource *source)
{
  GcoStarveGuard *guard = (GcoStarveGuard *) source;

  g_source_unref (&guard->owner->source);
}

static GSourceFuncs guard_funcs = {
  NULL,
  NULL,
  guard_dispatch,
  guard_finalize,
  NULL,
  NULL,
};

/* (Re)starts the guard's clock: the backlog just ran, or just began. */
static void
arm_guard (GcoMainSource *self,
           gint64         now)
{
  if (self->guard == NULL)
    {
      GcoStarveGuard *guard = (GcoStarveGuard *) g_source_new (&guard_funcs, sizeof (GcoStarveGuard));

      guard->owner = (GcoMainSource *) g_source_ref (&self->source);
      g_source_set_name (&guard->source, "GcoDispatcher starvation guard");
      g_source_set_priority (&guard->source, NORMAL_PRIORITY);
      g_source_attach (&guard->source, self->context);
      self->guard = &guard->source;
    }

  /* Setting a ready time writes the context's wake-up fd: not on every one of
   * many short dispatches (one coroutine yielding forever). */
  if (now - self->guard_armed_at < MAX (self->budget_usec, GUARD_MIN_USEC) / 4 &&
      g_source_get_ready_time (self->guard) != -1)
    return;

  self->guard_armed_at = now;
  g_source_set_ready_time (self->guard, now + MAX (2 * self->budget_usec, GUARD_MIN_USEC));
}

static void
set_backlog (GcoMainSource *self,
             gboolean       backlog)
{
  if (self->backlog == backlog)
    return;

  self->backlog = backlog;
  g_source_set_priority (&self->source, backlog ? BACKLOG_PRIORITY : NORMAL_PRIORITY);
  if (!backlog && self->guard != NULL)
    g_source_set_ready_time (self->guard, -1);
}

static gboolean
source_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  GcoMainSource *self = (GcoMainSource *) source;
  gint64 start = g_get_monotonic_time ();
  gint64 now;
  GcoRunnable *last;
  guint n = 0;

  take_remote (self);
  fire_timers (self, start);

  /* The backlog is measured across dispatches, so a coroutine that yields
   * forever (one run per dispatch) also steps down. */
  if (self->busy_since == 0)
    self->busy_since = start;

  /* Run at most what is queued now: a coroutine that yields goes behind the
   * others, and behind the other sources of the context. */
  last = self->tail;
  while (self->head != NULL)
    {
      GcoRunnable *runnable = self->head;

      self->head = runnable->next;
      if (self->head == NULL)
        self->tail = NULL;
      runnable->next = NULL;

      runnable->run (runnable);

      if (runnable == last)
        break;
      if (++n % BUDGET_CHECK_EVERY == 0 &&
          g_get_monotonic_time () - start > self->budget_usec)
        break;
    }

  if (self->head == NULL && !g_atomic_int_get (&self->has_remote))
    {
      self->busy_since = 0;
      set_backlog (self, FALSE);
    }
  else
    {
      now = g_get_monotonic_time ();
      if (now - self->busy_since > self->budget_usec)
        {
          set_backlog (self, TRUE);
          arm_guard (self, now);
        }
    }

  return G_SOURCE_CONTINUE;
}

static void
source_finalize (GSource *source)
{
  GcoMainSource *self = (GcoMainSource *) source;

  g_assert (self->head == NULL);
  gco__timer_heap_clear (&self->timers);
  gco_mutex_clear (&self->remote_mutex);
}

static GSourceFuncs source_funcs = {
  source_prepare,
  source_check,
  source_dispatch,
  source_finalize,
  NULL,
  NULL,
};

static GcoMainSource *
source_get_for_context (GMainContext *context)
{
  GcoMainSource *self;

  gco_mutex_lock (&registry_mutex);
  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);

  self = g_hash_table_lookup (registry, context);
  if (self == NULL)
    {
      self = (GcoMainSource *) g_source_new (&source_funcs, sizeof (GcoMainSource));
      self->context = context;
      self->budget_usec = DEFAULT_BUDGET_USEC;
      gco_mutex_init (&self->remote_mutex);
      g_source_set_name (&self->source, "GcoDispatcher");
      g_source_set_priority (&self->source, NORMAL_PRIORITY);
      g_source_attach (&self->source, context);
      g_hash_table_insert (registry, context, self);
    }
  self->n_dispatchers++;
  gco_mutex_unlock (&registry_mutex);

  return self;
}

static void
source_release (GcoMainSource *self)
{
  gboolean last;

  gco_mutex_lock (&registry_mutex);
  last = --self->n_dispatchers == 0;
  if (last)
    g_hash_table_remove (registry, self->context);
  gco_mutex_unlock (&registry_mutex);

  if (last)
    {
      if (self->guard != NULL)
        {
          g_source_destroy (self->guard);
          g_clear_pointer (&self->guard, g_source_unref);
        }
      g_source_destroy (&self->source);
      g_source_unref (&self->source);
    }
}

/* The dispatcher class */

static GcoMainSource *
get_source (GcoDispatcher *dispatcher)
{
  return ((GcoMainDispatcher *) dispatcher)->source;
}

static void
main_schedule (GcoDispatcher *dispatcher,
               GcoRunnable   *runnable)
{
  GcoMainSource *self = get_source (dispatcher);
  gboolean was_empty;

  runnable->next = NULL;

  if (is_owner (self))
    {
      if (self->tail != NULL)
        self->tail->next = runnable;
      else
        self->head = runnable;
      self->tail = runnable;
      return;
    }

  gco_mutex_lock (&self->remote_mutex);
  was_empty = self->remote_head == NULL;
  if (self->remote_tail != NULL)
    self->remote_tail->next = runnable;
  else
    self->remote_head = runnable;
  self->remote_tail = runnable;
  g_atomic_int_set (&self->has_remote, 1);
  /* One wake-up per batch of cross-thread pushes; under the lock, because
   * once it is released the owner may run the coroutine to completion and
   * drop the last reference to the source. */
  if (was_empty)
    g_main_context_wakeup (self->context);
  gco_mutex_unlock (&self->remote_mutex);
}

static gboolean
main_is_current_thread (GcoDispatcher *dispatcher)
{
  GcoMainSource *self = get_source (dispatcher);

  if (is_owner (self))
    return TRUE;

  /* Not iterated yet: the thread that holds the context will be the one. */
  if (g_atomic_pointer_get (&self->owner) == NULL && g_main_context_is_owner (self->context))
    {
      g_atomic_pointer_set (&self->owner, THIS_THREAD);
      return TRUE;
    }

  return FALSE;
}

static void
main_add_timer (GcoDispatcher *dispatcher,
                GcoTimer      *timer)
{
  GcoMainSource *self = get_source (dispatcher);

  g_assert (is_owner (self));
  gco__timer_heap_insert (&self->timers, timer);
}

static void
main_remove_timer (GcoDispatcher *dispatcher,
                   GcoTimer      *timer)
{
  gco__timer_heap_remove (&get_source (dispatcher)->timers, timer);
}

static gint64
main_now (GcoDispatcher *dispatcher)
{
  return g_get_monotonic_time ();
}

static void
main_finalize (GcoDispatcher *dispatcher)
{
  GcoMainDispatcher *self = (GcoMainDispatcher *) dispatcher;

  source_release (self->source);
  g_main_context_unref (self->context);
  g_free (self);
}

static const GcoDispatcherClass main_dispatcher_class = {
  main_schedule,
  main_is_current_thread,
  main_add_timer,
  main_remove_timer,
  main_now,
  main_finalize,
};

GcoDispatcher *
gco__main_dispatcher_new (GMainContext *context,
                          gboolean      immediate)
{
  GcoMainDispatcher *self = g_new0 (GcoMainDispatcher, 1);

  gco__dispatcher_init (&self->parent, &main_dispatcher_class, immediate);
  self->context = g_main_context_ref (context);
  self->source = source_get_for_context (context);

  return &self->parent;
}

GMainContext *
gco__main_dispatcher_get_context (GcoDispatcher *dispatcher)
{
  g_return_val_if_fail (dispatcher->klass == &main_dispatcher_class, NULL);

  return ((GcoMainDispatcher *) dispatcher)->context;
}

void
gco__main_dispatcher_set_budget (GcoDispatcher *dispatcher,
                                 gint64         budget_usec)
{
  get_source (dispatcher)->budget_usec = budget_usec > 0 ? budget_usec : DEFAULT_BUDGET_USEC;
}

gint
gco__main_dispatcher_get_priority (GcoDispatcher *dispatcher)
{
  return g_source_get_priority (&get_source (dispatcher)->source);
}
