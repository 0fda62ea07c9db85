/* gco-coroutine.c: coroutines and the builders that launch them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-util-private.h"

#include "gco-coroutine-private.h"
#include "gco-scope-private.h"

static GCO_THREAD_LOCAL GcoCoroutine *current_coroutine;

/* Coroutines freed on this thread, kept for its next launches: most
 * coroutines are short, and malloc() pays for a block of this size on the
 * slow paths. A coroutine may be freed on another thread than the one that
 * launched it; either thread's cache will do. Not under ASan or Valgrind,
 * which must see every use after free (build with -DGCO_PERF_MEASURE to keep
 * it under Callgrind). */
#define COROUTINE_CACHE_MAX 64

#if defined(__SANITIZE_ADDRESS__)
# define COROUTINE_CACHE_DISABLED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define COROUTINE_CACHE_DISABLED 1
# endif
#endif
#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define COROUTINE_CACHE_VALGRIND 1
# endif
#endif

typedef struct
{
  GcoCoroutine *head;  /* linked through their first word */
  guint         n;
  gboolean      registered;  /* with the GPrivate that empties it at thread exit */
  gboolean      dead;        /* the thread is exiting: no more caching */
} CoroutineCache;

static GCO_THREAD_LOCAL CoroutineCache coroutine_cache;

static void coroutine_cache_exit (gpointer data);
static GPrivate coroutine_cache_key = G_PRIVATE_INIT (coroutine_cache_exit);

static void
coroutine_cache_exit (gpointer data)
{
  GcoCoroutine *co = coroutine_cache.head;

  coroutine_cache.dead = TRUE;
  coroutine_cache.head = NULL;
  coroutine_cache.n = 0;
  while (co != NULL)
    {
      GcoCoroutine *next = *(GcoCoroutine **) co;

      g_free (co);
      co = next;
    }
}

static inline gboolean
coroutine_cache_usable (void)
{
#if defined(COROUTINE_CACHE_DISABLED)
  return FALSE;
#elif defined(COROUTINE_CACHE_VALGRIND) && !defined(GCO_PERF_MEASURE)
  return !RUNNING_ON_VALGRIND;
#else
  return TRUE;
#endif
}

static GcoCoroutine *
coroutine_alloc (void)
{
  GcoCoroutine *co = coroutine_cache.head;

  if (co == NULL)
    return gco_new0_fast (GcoCoroutine);

  coroutine_cache.head = *(GcoCoroutine **) co;
  coroutine_cache.n--;
  return memset (co, 0, sizeof (GcoCoroutine));
}

static void
coroutine_free (GcoCoroutine *co)
{
  if (coroutine_cache.n >= COROUTINE_CACHE_MAX || coroutine_cache.dead ||
      !coroutine_cache_usable ())
    {
      g_free (co);
      return;
    }

  /* The GPrivate frees the cache at thread exit. */
  if G_UNLIKELY (!coroutine_cache.registered)
    {
      g_private_set (&coroutine_cache_key, &coroutine_cache);
      coroutine_cache.registered = TRUE;
    }

  *(GcoCoroutine **) co = coroutine_cache.head;
  coroutine_cache.head = co;
  coroutine_cache.n++;
}

#define COROUTINE_FROM_RUNNABLE(r) \
  ((GcoCoroutine *) ((char *) (r) - G_STRUCT_OFFSET (GcoCoroutine, runnable)))

GcoCoroutine *
gco__coroutine_get_current (void)
{
  return current_coroutine;
}

GcoCoroutine *
gco__coroutine_get_checked (const char  *function,
                            GError     **error)
{
  if G_LIKELY (current_coroutine != NULL)
    {
      current_coroutine->suspended_in = function;
      return current_coroutine;
    }

  g_critical ("%s: this suspending call must be made on a coroutine", function);
  g_set_error (error, GCO_ERROR, GCO_ERROR_NOT_IN_COROUTINE,
               "%s must be called on a coroutine", function);
  return NULL;
}

/* Suspension */

void
gco__coroutine_suspend (GcoCoroutine *co)
{
  g_assert (co == current_coroutine);

  gco__fiber_suspend ();
}

void
gco__coroutine_disarm (GcoCoroutine *co)
{
  /* A wake-up already queued a resume: take it, or it would resume the
   * coroutine later in the middle of something else. */
  if (!g_atomic_int_compare_and_exchange (&co->wake_state, GCO_WAKE_ARMED, GCO_WAKE_IDLE))
    gco__coroutine_suspend (co);
}

void
gco__coroutine_wake (GcoCoroutine *co)
{
  if (g_atomic_int_compare_and_exchange (&co->wake_state, GCO_WAKE_ARMED, GCO_WAKE_FIRED))
    gco__dispatcher_schedule (co->dispatcher, &co->runnable);
}

void
gco__coroutine_set_cancelled (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
}

/* Frames */

void
gco__coroutine_push_frame (GcoCoroutine  *co,
                           GcoJob        *frame,
                           GcoJob       **saved_current,
                           GcoScope     **saved_scope)
{
  *saved_current = co->current;
  *saved_scope = co->current_scope;
  co->current = frame;
  co->current_scope = NULL;
}

void
gco__coroutine_pop_frame (GcoCoroutine *co,
                          GcoJob       *saved_current,
                          GcoScope     *saved_scope)
{
  g_clear_pointer (&co->current_scope, gco_scope_unref);
  co->current = saved_current;
  co->current_scope = saved_scope;
}

/* Running */

static void
coroutine_main (gpointer data)
{
  GcoCoroutine *co = data;
  GError *error = NULL;
  gpointer value = NULL;

  if (co->value_func != NULL)
    {
      value = co->value_func (co->user_data, &error);
    }
  else if (co->func (co->user_data, &error))
    {
      if G_UNLIKELY (error != NULL)
        {
          g_critical ("Coroutine ‘%s’ returned TRUE but set an error: %s",
                      gco_job_get_name (&co->job), error->message);
          g_clear_error (&error);
        }
    }
  else if G_UNLIKELY (error == NULL)
    {
      g_critical ("Coroutine ‘%s’ returned FALSE without setting an error",
                  gco_job_get_name (&co->job));
      error = g_error_new (GCO_ERROR, GCO_ERROR_FAILED,
                           "Coroutine ‘%s’ returned FALSE without setting an error",
                           gco_job_get_name (&co->job));
    }

  /* The body's outcome is recorded first: @destroy may release the last
   * reference to an object whose scope this coroutine runs in (a widget), and
   * the cancellation that causes must not turn a finished body into a
   * cancelled job. What the completion causes (handlers, joiners, the
   * parent's completion) still runs after @destroy, once the fiber has
   * finished, back on the thread's stack: see coroutine_resume (). */
  gco__tree_lock ();
  gco__job_body_done_locked (&co->job, error, value, co->result_destroy);
  gco__tree_unlock ();

  if (co->destroy != NULL)
    co->destroy (co->user_data);
  co->destroy = NULL;
  co->user_data = NULL;
  g_clear_pointer (&co->current_scope, gco_scope_unref);
}

static void
coroutine_resume (GcoCoroutine *co)
{
  GcoCoroutine *previous = current_coroutine;

  g_atomic_int_set (&co->wake_state, GCO_WAKE_IDLE);
  current_coroutine = co;
  gco__fiber_resume (co->fiber);
  current_coroutine = previous;

  if (gco__fiber_is_finished (co->fiber))
    {
      gco__fiber_free (co->fiber);
      co->fiber = NULL;
      gco__actions_flush ();
      gco_job_unref (&co->job);  /* the body's reference */
    }
}

/* The first run consumes the start reference, which becomes the body's. */
static void
coroutine_first_run (GcoCoroutine *co)
{
  GError *error = NULL;

  /* Racing a cancellation that abandons it (gco__coroutine_never_runs_locked),
   * without taking the tree lock. */
  if (!g_atomic_int_compare_and_exchange (&co->start_state, GCO_START_STATE_NOT_STARTED,
                                          GCO_START_STATE_STARTED))
    {
      gco_job_unref (&co->job);
      return;
    }

  co->fiber = gco__fiber_new (co->stack_size, coroutine_main, co, &error);
  if (co->fiber == NULL)
    {
      /* Out of stacks: the launch fails like its body would, never aborts. */
      if (co->destroy != NULL)
        co->destroy (co->user_data);
      co->destroy = NULL;
      gco__tree_lock ();
      gco__job_body_done_locked (&co->job, error, NULL, NULL);
      gco__tree_unlock_and_flush ();
      gco_job_unref (&co->job);
      return;
    }

  coroutine_resume (co);
}

static void
coroutine_run_cb (GcoRunnable *runnable)
{
  GcoCoroutine *co = COROUTINE_FROM_RUNNABLE (runnable);

  if (co->fiber == NULL)
    coroutine_first_run (co);
  else
    coroutine_resume (co);
}

/* Takes a start reference, or with @transfer takes over the caller's. */
static void
coroutine_start (GcoCoroutine *co,
                 gboolean      transfer)
{
  GcoDispatcher *dispatcher = co->dispatcher;

  if (!transfer)
    gco_job_ref (&co->job);  /* the start reference */

  if (co->start == GCO_START_UNDISPATCHED && dispatcher->klass->is_current_thread (dispatcher))
    {
      coroutine_first_run (co);
    }
  else if (dispatcher->immediate && gco__dispatcher_can_start_in_place (dispatcher))
    {
      gboolean was_in_place = gco__dispatcher_enter_in_place ();

      coroutine_first_run (co);
      gco__dispatcher_leave_in_place (was_in_place);
    }
  else
    {
      gco__dispatcher_schedule (dispatcher, &co->runnable);
    }
}

/* Called when the job is cancelled: a coroutine that has not started yet
 * will never run, unless its start is atomic. */
gboolean
gco__coroutine_never_runs_locked (GcoCoroutine *co)
{
  if (co->start == GCO_START_ATOMIC)
    return FALSE;

  g_atomic_int_compare_and_exchange (&co->start_state, GCO_START_STATE_NOT_STARTED,
                                     GCO_START_STATE_ABANDONED);
  return g_atomic_int_get (&co->start_state) == GCO_START_STATE_ABANDONED;
}

gboolean
gco__coroutine_was_abandoned (GcoCoroutine *co)
{
  return g_atomic_int_get (&co->start_state) == GCO_START_STATE_ABANDONED;
}

gboolean
gco__coroutine_is_launch (GcoCoroutine *co)
{
  return !(co->job.traits & GCO_JOB_FLAG_DEFERRED);
}

/* A coroutine that will never run releases its data when its job completes. */
void
gco__coroutine_abandoned (GcoCoroutine *co)
{
  if (co->destroy != NULL)
    co->destroy (co->user_data);
  co->destroy = NULL;
  co->user_data = NULL;
}

void
gco__coroutine_finalize (GcoCoroutine *co)
{
  g_assert (co->fiber == NULL);
  g_assert (co->current_scope == NULL);

  gco__coroutine_abandoned (co);
  gco_dispatcher_unref (co->dispatcher);
  coroutine_free (co);
}

GcoCoroutine *
gco__coroutine_launch (GcoJob                 *parent,
                       GcoDispatcher          *dispatcher,
                       GcoHandlerSlot         *slot,
                       const GcoLaunchOptions *options,
                       guint                   flags,
                       gboolean                forget,
                       GcoFunc                 func,
                       GcoValueFunc            value_func,
                       gpointer                user_data,
                       GDestroyNotify          destroy,
                       GDestroyNotify          result_destroy)
{
  GcoCoroutine *co = coroutine_alloc ();
  gboolean born_cancelled;
  gboolean lazy;

  co->job.co = co;
  co->job.name_func = func != NULL ? (gpointer) func : (gpointer) value_func;
  co->runnable.run = coroutine_run_cb;
  co->func = func;
  co->value_func = value_func;
  co->user_data = user_data;
  co->destroy = destroy;
  co->result_destroy = result_destroy;
  co->current = &co->job;
  co->start = GCO_START_DEFAULT;
  if (options != NULL)
    {
      co->start = options->start;
      co->stack_size = options->stack_size;
      if (options->name != NULL)
        co->job.name = g_strdup (options->name);
      if (options->dispatcher != NULL)
        dispatcher = options->dispatcher;
    }
  co->dispatcher = gco_dispatcher_ref (dispatcher);
  lazy = co->start == GCO_START_LAZY;

  gco__tree_lock ();
  born_cancelled = gco__job_init_locked (&co->job, GCO_JOB_KIND_COROUTINE, flags, parent, slot);
  if (lazy && !born_cancelled)
    g_atomic_int_set ((gint *) &co->job.state, GCO_JOB_STATE_NEW);
  gco__tree_unlock_and_flush ();

  /* Rule 8: born cancelled, it never runs (unless atomic). */
  if (!lazy && !(born_cancelled && co->start != GCO_START_ATOMIC))
    coroutine_start (co, forget);
  else if (forget)
    gco_job_unref (&co->job);

  return forget ? NULL : co;
}

gboolean
gco__coroutine_start_lazy (GcoCoroutine *co)
{
  gboolean start = FALSE;

  gco__tree_lock ();
  if (co->start == GCO_START_LAZY && g_atomic_int_get ((gint *) &co->job.state) == GCO_JOB_STATE_NEW)
    {
      g_atomic_int_set ((gint *) &co->job.state, GCO_JOB_STATE_ACTIVE);
      start = TRUE;
    }
  gco__tree_unlock ();

  if (start)
    coroutine_start (co, FALSE);

  return start;
}

/* Public API */

/**
 * gco_job_start:
 * @job: a job
 *
 * Starts a coroutine launched with %GCO_START_LAZY. Joining or awaiting it
 * starts it too.
 *
 * Returns: %TRUE if this call started @job; %FALSE if it was not lazy, was
 *   already started, or was cancelled
 *
 * Since: 0.1
 */
gboolean
gco_job_start (GcoJob *job)
{
  g_return_val_if_fail (job != NULL, FALSE);

  if (job->kind != GCO_JOB_KIND_COROUTINE)
    return FALSE;

  return gco__coroutine_start_lazy (job->co);
}

/**
 * gco_launch_full:
 * @scope: where to launch
 * @options: (nullable): name, start mode, dispatcher and stack size; %NULL for
 *   the defaults
 * @func: (scope notified): the body
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data once @func returned, or when the
 *   coroutine will never run
 *
 * Launches a coroutine running @func as a child of @scope's job: kotlinx's
 * `launch`. Its failure (an error other than `G_IO_ERROR_CANCELLED`) cancels
 * its parent unless that is a supervisor, and goes to the scope's exception
 * handler when nobody else receives it. Launched into a cancelled or completed
 * scope, the job is born cancelled and @func never runs (unless the start is
 * %GCO_START_ATOMIC).
 *
 * Out of stacks or memory, the job fails with `GCO_ERROR_NO_STACK`; nothing
 * aborts.
 *
 * Returns: (transfer full): the job of the coroutine
 *
 * Since: 0.1
 */
GcoJob *
gco_launch_full (GcoScope               *scope,
                 const GcoLaunchOptions *options,
                 GcoFunc                 func,
                 gpointer                user_data,
                 GDestroyNotify          destroy)
{
  g_return_val_if_fail (scope != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return &gco__coroutine_launch (scope->job, scope->dispatcher, scope->slot, options, 0, FALSE,
                                 func, NULL, user_data, destroy, NULL)->job;
}

/**
 * gco_launch_job:
 * @scope: where to launch
 * @func: (scope notified): the body
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data once @func returned, or when the
 *   coroutine will never run
 *
 * Like [func@Gco.launch], returning a handle to join or cancel the coroutine.
 *
 * Returns: (transfer full): the job of the coroutine
 *
 * Since: 0.1
 */
GcoJob *
gco_launch_job (GcoScope       *scope,
                GcoFunc         func,
                gpointer        user_data,
                GDestroyNotify  destroy)
{
  g_return_val_if_fail (scope != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return gco_launch_full (scope, NULL, func, user_data, destroy);
}

/**
 * gco_launch:
 * @scope: where to launch
 * @func: (scope notified): the body
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data once @func returned, or when the
 *   coroutine will never run
 *
 * Launches a coroutine and forgets it: the scope owns it. See
 * [func@Gco.launch_full].
 *
 * Since: 0.1
 */
void
gco_launch (GcoScope       *scope,
            GcoFunc         func,
            gpointer        user_data,
            GDestroyNotify  destroy)
{
  g_return_if_fail (scope != NULL);
  g_return_if_fail (func != NULL);

  /* Fire and forget: the launch's reference becomes the start's. */
  gco__coroutine_launch (scope->job, scope->dispatcher, scope->slot, NULL, 0, TRUE,
                         func, NULL, user_data, destroy, NULL);
}

/**
 * gco_async_full:
 * @scope: where to launch
 * @options: (nullable): name, start mode, dispatcher and stack size
 * @func: (scope notified): the body, returning the value
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data once @func returned
 * @result_destroy: (nullable): releases the value when the deferred is
 *   finalized, or at once when the job was cancelled before the value came
 *
 * Launches a coroutine whose value is awaited with
 * [method@Gco.Deferred.await]: kotlinx's `async`. Its failure is held for the
 * awaiters, and still cancels a non-supervisor parent.
 *
 * Returns: (transfer full): the deferred
 *
 * Since: 0.1
 */
GcoDeferred *
gco_async_full (GcoScope               *scope,
                const GcoLaunchOptions *options,
                GcoValueFunc            func,
                gpointer                user_data,
                GDestroyNotify          destroy,
                GDestroyNotify          result_destroy)
{
  g_return_val_if_fail (scope != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return (GcoDeferred *) &gco__coroutine_launch (scope->job, scope->dispatcher, scope->slot,
                                                 options, GCO_JOB_FLAG_DEFERRED, FALSE, NULL, func,
                                                 user_data, destroy, result_destroy)->job;
}

/**
 * gco_async:
 * @scope: where to launch
 * @func: (scope notified): the body, returning the value
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data once @func returned
 * @result_destroy: (nullable): releases the value
 *
 * Launches a coroutine with a result; see [func@Gco.async_full].
 *
 * Returns: (transfer full): the deferred
 *
 * Since: 0.1
 */
GcoDeferred *
gco_async (GcoScope       *scope,
           GcoValueFunc    func,
           gpointer        user_data,
           GDestroyNotify  destroy,
           GDestroyNotify  result_destroy)
{
  g_return_val_if_fail (scope != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return gco_async_full (scope, NULL, func, user_data, destroy, result_destroy);
}

/**
 * gco_scope_get_current:
 *
 * Gets the scope of the running coroutine's innermost frame: launch children
 * here. It shares the coroutine's dispatcher and exception handler.
 *
 * Returns: (transfer none) (nullable): the scope, valid until the frame ends;
 *   %NULL outside a coroutine
 *
 * Since: 0.1
 */
GcoScope *
gco_scope_get_current (void)
{
  GcoCoroutine *co = current_coroutine;

  if (co == NULL)
    return NULL;

  if (co->current_scope == NULL)
    co->current_scope = gco__scope_new_for_frame (co->current, co->dispatcher, co->current->slot);

  return co->current_scope;
}

/**
 * gco_job_get_current:
 *
 * Gets the job of the running coroutine's innermost frame (a scoped builder's
 * job inside its block).
 *
 * Returns: (transfer none) (nullable): the job, or %NULL outside a coroutine
 *
 * Since: 0.1
 */
GcoJob *
gco_job_get_current (void)
{
  GcoCoroutine *co = current_coroutine;

  return co != NULL ? co->current : NULL;
}

/**
 * gco_is_active:
 *
 * Whether the running coroutine may go on: its job is not cancelled. Inside
 * [func@Gco.non_cancellable] it is always active.
 *
 * Returns: %TRUE if active; %FALSE when cancelled or outside a coroutine
 *
 * Since: 0.1
 */
gboolean
gco_is_active (void)
{
  GcoCoroutine *co = current_coroutine;

  return co != NULL && !gco__coroutine_is_cancelled (co);
}

/**
 * gco_in_coroutine:
 *
 * Whether the caller runs on a coroutine, where suspending calls may be made.
 *
 * Returns: %TRUE on a coroutine
 *
 * Since: 0.1
 */
gboolean
gco_in_coroutine (void)
{
  return current_coroutine != NULL;
}
