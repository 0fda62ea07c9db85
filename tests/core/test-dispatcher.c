/* test-dispatcher.c: where and when coroutines run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Main-context dispatchers: a context iterated on another thread, the GSource
 * shared by the dispatchers of one context, one dispatch running at most what
 * was queued when it began, the backlog rule that keeps redraws going, and
 * the reference counting of the process-wide dispatchers.
 */

#include <gco/gco.h>

#include "gco-test-utils.h"
#include "gco-dispatcher-private.h"

/* GDK_PRIORITY_REDRAW, without depending on GTK. */
#define REDRAW_PRIORITY (G_PRIORITY_HIGH_IDLE + 20)

/* Helpers */


/* Completes the scope's job, iterating @context until it completed. */
static void
finish_scope_on (GMainContext *context,
                 GcoScope     *scope)
{
  GcoJob *job = gco_job_ref (gco_scope_get_job (scope));

  gco_job_complete (job);
  gco_test_run_until_job (context, job);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (job);
}

static void
finish_scope (GcoScope *scope)
{
  finish_scope_on (NULL, scope);
}

/* A coroutine on another thread */

typedef struct
{
  GThread  *thread;
  GThread  *thread_after_delay;
  GThread  *thread_after_cancel;
  gboolean  delay_ok;
  gint      entered;     /* atomic */
  gboolean  cancelled;
  gboolean  cleanup_done;
} Where;

static gboolean
where_body (gpointer   user_data,
            GError   **error)
{
  Where *where = user_data;

  where->thread = g_thread_self ();
  where->delay_ok = gco_delay (5, error);
  where->thread_after_delay = g_thread_self ();

  return where->delay_ok;
}

static void
test_other_thread (void)
{
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  GcoScope *scope = gco_scope_new (NULL, worker->dispatcher);
  Where where[8] = { { NULL, }, };
  Where late = { NULL, };
  GcoJob *jobs[8], *late_job;

  g_assert_true (gco_dispatcher_get_context (worker->dispatcher) == worker->context);
  g_assert_false (gco_dispatcher_is_immediate (worker->dispatcher));
  g_assert_true (gco_scope_get_dispatcher (scope) == worker->dispatcher);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    jobs[i] = gco_launch_job (scope, where_body, &where[i], NULL);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    gco_test_run_until_job (NULL, jobs[i]);

  /* Launched from the main thread, they ran on the worker, delays too. */
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_assert_null (gco_job_get_error (jobs[i]));
      g_assert_true (where[i].delay_ok);
      g_assert_true (where[i].thread == worker->thread);
      g_assert_true (where[i].thread_after_delay == worker->thread);
    }

  /* The worker now sleeps in poll(): a launch from here must wake it. */
  g_usleep (20 * 1000);
  late_job = gco_launch_job (scope, where_body, &late, NULL);
  gco_test_run_until_job (NULL, late_job);
  g_assert_true (late.thread == worker->thread);

  /* Join the worker first: it may still be dropping its references to jobs
   * that other threads already see completed. */
  gco_test_worker_free (worker);
  finish_scope (scope);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    gco_test_assert_finalize_job (jobs[i]);
  gco_test_assert_finalize_job (late_job);
}

static gboolean
cleanup_block (gpointer   user_data,
               GError   **error)
{
  Where *where = user_data;

  if (!gco_delay (10, error))
    return FALSE;
  where->cleanup_done = TRUE;

  return TRUE;
}

static gboolean
wait_cancel_body (gpointer   user_data,
                  GError   **error)
{
  Where *where = user_data;
  GError *local = NULL;

  where->thread = g_thread_self ();
  g_atomic_int_set (&where->entered, 1);
  gco_await_cancellation (&local);
  where->thread_after_cancel = g_thread_self ();
  where->cancelled = g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cleanup that suspends, on this thread. */
  gco_non_cancellable (cleanup_block, where, NULL);
  g_propagate_error (error, local);

  return FALSE;
}

static void
wait_entered (Where *where)
{
  while (!g_atomic_int_get (&where->entered))
    gco_test_run_for (NULL, 1);
}

static void
test_cross_thread_cancel (void)
{
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  GcoScope *scope = gco_scope_new (NULL, worker->dispatcher);
  Where where = { NULL, };
  GcoJob *job;

  job = gco_launch_job (scope, wait_cancel_body, &where, NULL);
  wait_entered (&where);
  g_assert_false (gco_job_is_completed (job));

  /* Cancelled from the main thread, resumed on its own. */
  gco_scope_cancel (scope);
  gco_test_run_until_job (NULL, job);

  g_assert_true (where.thread == worker->thread);
  g_assert_true (where.thread_after_cancel == worker->thread);
  g_assert_true (where.cancelled);
  g_assert_true (where.cleanup_done);
  g_assert_true (gco_job_is_cancelled (job));

  gco_test_worker_free (worker);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
}

typedef struct
{
  GcoJob   *target;
  gboolean  ok;
  gboolean  cleanup_done_at_return;
  Where    *where;
  GThread  *thread_after;
} CancelJoin;

static gboolean
cancel_and_join_body (gpointer   user_data,
                      GError   **error)
{
  CancelJoin *cj = user_data;

  cj->ok = gco_job_cancel_and_join (cj->target, error);
  cj->cleanup_done_at_return = cj->where->cleanup_done;
  cj->thread_after = g_thread_self ();

  return cj->ok;
}

static void
test_cross_thread_cancel_and_join (void)
{
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  GcoScope *remote = gco_scope_new (NULL, worker->dispatcher);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Where where = { NULL, };
  CancelJoin cj = { NULL, };
  GcoJob *job;

  cj.where = &where;
  cj.target = gco_launch_job (remote, wait_cancel_body, &where, NULL);
  wait_entered (&where);

  /* A coroutine on the main thread cancels one on the worker and waits for
   * its cleanup there. */
  job = gco_launch_job (scope, cancel_and_join_body, &cj, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_null (gco_job_get_error (job));
  g_assert_true (cj.ok);
  g_assert_true (cj.cleanup_done_at_return);
  g_assert_true (cj.thread_after == g_thread_self ());
  g_assert_true (where.thread_after_cancel == worker->thread);
  g_assert_true (gco_job_is_completed (cj.target));

  gco_test_worker_free (worker);
  finish_scope (remote);
  gco_test_assert_finalize_job (cj.target);
  gco_test_assert_finalize_job (job);
  finish_scope (scope);
}

/* An immediate dispatcher of another context starts in place on its own
 * thread, and is dispatched to from others. */

typedef struct
{
  GcoScope *scope;
  gboolean  ran;
  GThread  *thread;
  gboolean  ran_in_launch;
  GcoJob   *job;
  gint      done;   /* atomic */
} InPlace;

static gboolean
in_place_body (gpointer   user_data,
               GError   **error)
{
  InPlace *in_place = user_data;

  in_place->ran = TRUE;
  in_place->thread = g_thread_self ();

  return TRUE;
}

static gboolean
launch_on_worker_cb (gpointer user_data)
{
  InPlace *in_place = user_data;

  in_place->job = gco_launch_job (in_place->scope, in_place_body, in_place, NULL);
  in_place->ran_in_launch = in_place->ran;
  g_atomic_int_set (&in_place->done, 1);

  return G_SOURCE_REMOVE;
}

static void
test_immediate_other_context (void)
{
  GcoTestWorker *worker = gco_test_worker_new (TRUE);
  GcoScope *scope = gco_scope_new (NULL, worker->dispatcher);
  InPlace on_worker = { scope, }, from_main = { scope, };
  GSource *source;

  g_assert_true (gco_dispatcher_is_immediate (worker->dispatcher));

  /* Launched from the worker's own thread, outside a coroutine. */
  source = g_idle_source_new ();
  g_source_set_callback (source, launch_on_worker_cb, &on_worker, NULL);
  g_source_attach (source, worker->context);
  g_source_unref (source);
  while (!g_atomic_int_get (&on_worker.done))
    gco_test_run_for (NULL, 1);
  g_assert_true (on_worker.ran_in_launch);
  g_assert_true (on_worker.thread == worker->thread);

  /* Launched from the main thread: dispatched to the worker. */
  from_main.job = gco_launch_job (scope, in_place_body, &from_main, NULL);
  gco_test_run_until_job (NULL, from_main.job);
  g_assert_true (from_main.thread == worker->thread);

  gco_test_run_until_job (NULL, on_worker.job);
  gco_test_worker_free (worker);
  finish_scope (scope);
  gco_test_assert_finalize_job (on_worker.job);
  gco_test_assert_finalize_job (from_main.job);
}

/* Launches from many threads onto the main dispatcher */

typedef struct
{
  GcoScope *scope;
  gint      ran;          /* atomic */
  gint      wrong_thread; /* atomic */
  GThread  *main_thread;
} Crowd;

static gboolean
crowd_body (gpointer   user_data,
            GError   **error)
{
  Crowd *crowd = user_data;

  if (g_thread_self () != crowd->main_thread)
    g_atomic_int_inc (&crowd->wrong_thread);
  if (!gco_yield (error))
    return FALSE;
  g_atomic_int_inc (&crowd->ran);

  return TRUE;
}

static gpointer
crowd_thread (gpointer data)
{
  Crowd *crowd = data;

  for (guint i = 0; i < 250; i++)
    gco_launch (crowd->scope, crowd_body, crowd, NULL);

  return NULL;
}

static void
test_launch_from_threads (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Crowd crowd = { scope, 0, 0, g_thread_self () };
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("gco-test-launcher", crowd_thread, &crowd);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  finish_scope (scope);
  g_assert_cmpint (g_atomic_int_get (&crowd.ran), ==, 1000);
  g_assert_cmpint (g_atomic_int_get (&crowd.wrong_thread), ==, 0);
}

/* The dispatchers of one context share one GSource */

typedef struct
{
  GArray *log;
  guint   index;
  guint   rounds;
} Yielder;

static gboolean
yield_body (gpointer   user_data,
            GError   **error)
{
  Yielder *yielder = user_data;

  for (guint i = 0; i < yielder->rounds; i++)
    {
      g_array_append_val (yielder->log, yielder->index);
      if (!gco_yield (error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
flag_body (gpointer   user_data,
           GError   **error)
{
  *(gboolean *) user_data = TRUE;
  return TRUE;
}

static gboolean
count_body (gpointer   user_data,
            GError   **error)
{
  (*(guint *) user_data)++;
  return TRUE;
}

static void
test_shared_source (void)
{
  enum { N = 4, K = 3 };
  GMainContext *context = g_main_context_new ();
  GcoDispatcher *d1 = gco_dispatcher_new_for_context (context, FALSE);
  GcoDispatcher *d2 = gco_dispatcher_new_for_context (context, FALSE);
  GcoScope *s1 = gco_scope_new (NULL, d1);
  GcoScope *s2 = gco_scope_new (NULL, d2);
  GArray *log = g_array_new (FALSE, FALSE, sizeof (guint));
  Yielder yielders[N];
  GcoJob *jobs[N], *late;
  gboolean late_ran = FALSE;
  guint counted = 0;

  g_assert_true (d1 != d2);
  g_assert_true (gco_dispatcher_get_context (d1) == context);
  g_assert_true (gco_dispatcher_get_context (d2) == context);
  g_assert_cmpint (gco__main_dispatcher_get_priority (d1), ==, G_PRIORITY_DEFAULT);
  g_assert_cmpint (gco__main_dispatcher_get_priority (d2), ==, G_PRIORITY_DEFAULT);

  /* Alternate the dispatchers: with one queue they interleave in launch
   * order; with a source each, each would run its own queue in turn. */
  for (guint i = 0; i < N; i++)
    {
      yielders[i] = (Yielder) { log, i, K };
      jobs[i] = gco_launch_job (i % 2 == 0 ? s1 : s2, yield_body, &yielders[i], NULL);
    }
  for (guint i = 0; i < N; i++)
    gco_test_run_until_job (context, jobs[i]);

  g_assert_cmpuint (log->len, ==, N * K);
  for (guint k = 0; k < K; k++)
    for (guint i = 0; i < N; i++)
      g_assert_cmpuint (g_array_index (log, guint, k * N + i), ==, i);

  /* The budget and the priority are the source's: a budget set through one
   * dispatcher and a backlog queued through the other move both. */
  gco__main_dispatcher_set_budget (d1, 1);
  for (guint i = 0; i < 500; i++)
    gco_launch (s2, count_body, &counted, NULL);
  g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (counted, >, 0);
  g_assert_cmpuint (counted, <, 500);
  g_assert_cmpint (gco__main_dispatcher_get_priority (d2), >, REDRAW_PRIORITY);
  g_assert_cmpint (gco__main_dispatcher_get_priority (d1), ==,
                   gco__main_dispatcher_get_priority (d2));
  while (counted < 500)
    g_main_context_iteration (context, FALSE);
  gco_test_drain (context);
  g_assert_cmpint (gco__main_dispatcher_get_priority (d1), ==, G_PRIORITY_DEFAULT);
  g_assert_cmpint (gco__main_dispatcher_get_priority (d2), ==, G_PRIORITY_DEFAULT);
  gco__main_dispatcher_set_budget (d1, 0);

  /* Releasing one dispatcher keeps the source of the other. */
  finish_scope_on (context, s1);
  gco_dispatcher_unref (d1);
  late = gco_launch_job (s2, flag_body, &late_ran, NULL);
  gco_test_run_until_job (context, late);
  g_assert_true (late_ran);

  for (guint i = 0; i < N; i++)
    gco_test_assert_finalize_job (jobs[i]);
  gco_test_assert_finalize_job (late);
  finish_scope_on (context, s2);
  gco_dispatcher_unref (d2);
  g_main_context_unref (context);
  g_array_unref (log);
}

static void
test_shared_source_immediate (void)
{
  GMainContext *context = g_main_context_new ();
  GcoDispatcher *queued = gco_dispatcher_new_for_context (context, FALSE);
  GcoDispatcher *immediate = gco_dispatcher_new_for_context (context, TRUE);
  GcoScope *s1 = gco_scope_new (NULL, queued);
  GcoScope *s2 = gco_scope_new (NULL, immediate);
  GArray *log = g_array_new (FALSE, FALSE, sizeof (guint));
  Yielder a = { log, 0, 3 }, b = { log, 1, 3 };
  GcoJob *ja, *jb;

  /* This thread iterates the context: it is the context's thread. */
  g_main_context_push_thread_default (context);
  gco_test_drain (context);

  ja = gco_launch_job (s1, yield_body, &a, NULL);
  g_assert_cmpuint (log->len, ==, 0);
  /* Immediate: runs in place to its first yield, then shares the queue. */
  jb = gco_launch_job (s2, yield_body, &b, NULL);
  g_assert_cmpuint (log->len, ==, 1);

  gco_test_run_until_job (context, ja);
  gco_test_run_until_job (context, jb);

  /* b, a, b, a, b, a: b's resumption was queued behind a's first run. */
  g_assert_cmpuint (log->len, ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpuint (g_array_index (log, guint, i), ==, i % 2 == 0 ? 1 : 0);

  gco_test_assert_finalize_job (ja);
  gco_test_assert_finalize_job (jb);
  finish_scope_on (context, s1);
  finish_scope_on (context, s2);
  g_main_context_pop_thread_default (context);
  gco_dispatcher_unref (queued);
  gco_dispatcher_unref (immediate);
  g_main_context_unref (context);
  g_array_unref (log);
}

/* One dispatch runs at most what was queued when it began */

typedef struct
{
  guint    idle_count;
  GArray  *seen;         /* idle_count at each resumption */
  guint    child_seen;
  guint    parent_seen;
  gboolean child_done;
  GcoScope *scope;
} Turns;

static gboolean
count_idle_cb (gpointer user_data)
{
  Turns *turns = user_data;

  turns->idle_count++;
  return G_SOURCE_CONTINUE;
}

static gboolean
turns_yield_body (gpointer   user_data,
                  GError   **error)
{
  Turns *turns = user_data;

  for (guint i = 0; i < 20; i++)
    {
      g_array_append_val (turns->seen, turns->idle_count);
      if (!gco_yield (error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
turns_child_body (gpointer   user_data,
                  GError   **error)
{
  Turns *turns = user_data;

  turns->child_seen = turns->idle_count;
  turns->child_done = TRUE;

  return TRUE;
}

static gboolean
turns_parent_body (gpointer   user_data,
                   GError   **error)
{
  Turns *turns = user_data;

  turns->parent_seen = turns->idle_count;
  gco_launch (gco_scope_get_current (), turns_child_body, turns, NULL);

  return TRUE;
}

static void
test_one_dispatch (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Turns turns = { 0, };
  GSource *idle = g_idle_source_new ();
  GcoJob *job, *parent;

  turns.seen = g_array_new (FALSE, FALSE, sizeof (guint));
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, count_idle_cb, &turns, NULL);
  g_source_attach (idle, NULL);

  /* A yielding coroutine runs once per dispatch: another source of the same
   * priority gets its turn between any two of its runs. */
  job = gco_launch_job (scope, turns_yield_body, &turns, NULL);
  gco_test_run_until_job (NULL, job);
  g_assert_cmpuint (turns.seen->len, ==, 20);
  for (guint i = 1; i < turns.seen->len; i++)
    g_assert_cmpuint (g_array_index (turns.seen, guint, i), >,
                      g_array_index (turns.seen, guint, i - 1));

  /* A coroutine launched during a dispatch runs in a later one. */
  parent = gco_launch_job (scope, turns_parent_body, &turns, NULL);
  gco_test_run_until (NULL, &turns.child_done);
  g_assert_cmpuint (turns.child_seen, >, turns.parent_seen);

  g_source_destroy (idle);
  g_source_unref (idle);
  g_array_unref (turns.seen);
  gco_test_run_until_job (NULL, parent);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (parent);
  finish_scope (scope);
}

/* The backlog rule: past its budget the dispatcher steps below redraw
 * priority until the backlog drained. */

typedef struct
{
  GcoDispatcher *dispatcher;
  guint          ran;
  guint          total;
  gboolean       redrawn;
  guint          ran_at_redraw;
  gint           priority_at_redraw;
  gboolean       stop;
} Backlog;

static gboolean
backlog_body (gpointer   user_data,
              GError   **error)
{
  Backlog *backlog = user_data;

  backlog->ran++;
  return TRUE;
}

static gboolean
redraw_cb (gpointer user_data)
{
  Backlog *backlog = user_data;

  backlog->redrawn = TRUE;
  backlog->ran_at_redraw = backlog->ran;
  backlog->priority_at_redraw = gco__main_dispatcher_get_priority (backlog->dispatcher);

  return G_SOURCE_REMOVE;
}

static GSource *
add_redraw (Backlog *backlog)
{
  GSource *redraw = g_idle_source_new ();

  g_source_set_priority (redraw, REDRAW_PRIORITY);
  g_source_set_callback (redraw, redraw_cb, backlog, NULL);
  g_source_attach (redraw, NULL);

  return redraw;
}

static void
test_backlog (void)
{
  GcoDispatcher *main_dispatcher = gco_dispatcher_get_main ();
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Backlog backlog = { main_dispatcher, 0, 5000, };
  GSource *redraw;

  g_assert_cmpint (gco__main_dispatcher_get_priority (main_dispatcher), ==, G_PRIORITY_DEFAULT);
  gco__main_dispatcher_set_budget (main_dispatcher, 1);

  for (guint i = 0; i < backlog.total; i++)
    gco_launch (scope, backlog_body, &backlog, NULL);
  redraw = add_redraw (&backlog);

  /* The redraw gets its turn before the backlog drained, while the
   * dispatcher sits below redraw priority. */
  gco_test_run_until (NULL, &backlog.redrawn);
  g_assert_cmpuint (backlog.ran_at_redraw, >, 0);
  g_assert_cmpuint (backlog.ran_at_redraw, <, backlog.total);
  g_assert_cmpint (backlog.priority_at_redraw, >, REDRAW_PRIORITY);

  /* Once drained, it is back at the default priority. */
  finish_scope (scope);
  g_assert_cmpuint (backlog.ran, ==, backlog.total);
  gco_test_drain (NULL);
  g_assert_cmpint (gco__main_dispatcher_get_priority (main_dispatcher), ==, G_PRIORITY_DEFAULT);

  gco__main_dispatcher_set_budget (main_dispatcher, 0);
  g_source_destroy (redraw);
  g_source_unref (redraw);
}

static gboolean
spin_body (gpointer   user_data,
           GError   **error)
{
  Backlog *backlog = user_data;

  while (!backlog->stop)
    {
      backlog->ran++;
      if (!gco_yield (error))
        return FALSE;
    }

  return TRUE;
}

static void
backlog_yielding (guint n_coroutines)
{
  GcoDispatcher *main_dispatcher = gco_dispatcher_get_main ();
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Backlog backlog = { main_dispatcher, 0, n_coroutines, };
  GSource *redraw;

  gco__main_dispatcher_set_budget (main_dispatcher, 1);

  /* Coroutines that keep yielding are a backlog that never drains by
   * itself: redraws must still get their turns, again and again. */
  for (guint i = 0; i < backlog.total; i++)
    gco_launch (scope, spin_body, &backlog, NULL);

  for (guint frame = 0; frame < 3; frame++)
    {
      backlog.redrawn = FALSE;
      redraw = add_redraw (&backlog);
      gco_test_run_until (NULL, &backlog.redrawn);
      g_assert_cmpint (backlog.priority_at_redraw, >, REDRAW_PRIORITY);
      g_source_destroy (redraw);
      g_source_unref (redraw);
    }

  backlog.stop = TRUE;
  finish_scope (scope);
  gco_test_drain (NULL);
  g_assert_cmpint (gco__main_dispatcher_get_priority (main_dispatcher), ==, G_PRIORITY_DEFAULT);

  gco__main_dispatcher_set_budget (main_dispatcher, 0);
}

static void
test_backlog_yielding (void)
{
  backlog_yielding (200);
}

static void
test_backlog_yielding_one (void)
{
  g_test_summary ("A single coroutine that yields forever runs once per dispatch, never past "
                  "the budget within one: the backlog is measured across dispatches, so "
                  "redraws still get their turns");
  backlog_yielding (1);
}

/* The other side of the backlog rule: sources above redraw priority that are
 * always ready (frames slower than the frame time) must not starve the
 * backlog for good. */

typedef struct
{
  Backlog  *backlog;
  guint     frames;
} SlowFrames;

static gboolean
slow_frame_cb (gpointer user_data)
{
  SlowFrames *frames = user_data;

  /* A frame drawn in software: busy for longer than the dispatcher's budget,
   * and ready again at once. */
  g_usleep (2000);
  frames->frames++;

  return G_SOURCE_CONTINUE;
}

static gboolean
reached (gpointer user_data)
{
  Backlog *backlog = user_data;

  return backlog->ran >= backlog->total;
}

static void
test_backlog_starved (void)
{
  GcoDispatcher *main_dispatcher = gco_dispatcher_get_main ();
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Backlog backlog = { main_dispatcher, 0, 0, };
  SlowFrames frames = { &backlog, 0 };
  GSource *redraw;
  guint ran_before;

  g_test_summary ("Below redraw priority with frames always ready, the dispatcher still gets "
                  "a turn now and then, and frames go on between its turns");

  gco__main_dispatcher_set_budget (main_dispatcher, 1000);
  gco_launch (scope, spin_body, &backlog, NULL);

  /* Into the backlog: one coroutine yielding for longer than the budget. */
  while (gco__main_dispatcher_get_priority (main_dispatcher) == G_PRIORITY_DEFAULT)
    g_main_context_iteration (NULL, TRUE);

  redraw = g_idle_source_new ();
  g_source_set_priority (redraw, REDRAW_PRIORITY);
  g_source_set_callback (redraw, slow_frame_cb, &frames, NULL);
  g_source_attach (redraw, NULL);

  /* Without the guard the coroutine would never run again. */
  ran_before = backlog.ran;
  backlog.total = ran_before + 20;
  while (!reached (&backlog))
    {
      g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (frames.frames, <, 5000);  /* a hang, not a timing check */
    }
  g_assert_cmpuint (frames.frames, >, 1);

  g_source_destroy (redraw);
  g_source_unref (redraw);
  backlog.stop = TRUE;
  finish_scope (scope);
  gco_test_drain (NULL);
  g_assert_cmpint (gco__main_dispatcher_get_priority (main_dispatcher), ==, G_PRIORITY_DEFAULT);
  gco__main_dispatcher_set_budget (main_dispatcher, 0);
}

/* Getters and reference counting */

static void
test_get_context (void)
{
  GMainContext *context = g_main_context_new ();
  GcoDispatcher *custom = gco_dispatcher_new_for_context (context, FALSE);

  g_assert_true (gco_dispatcher_get_context (gco_dispatcher_get_main ()) ==
                 g_main_context_default ());
  g_assert_true (gco_dispatcher_get_context (gco_dispatcher_get_main_immediate ()) ==
                 g_main_context_default ());
  g_assert_true (gco_dispatcher_get_context (custom) == context);
  g_assert_true (gco_dispatcher_get_main () == gco_dispatcher_get_main ());
  g_assert_true (gco_dispatcher_get_main_immediate () == gco_dispatcher_get_main_immediate ());
  g_assert_true (gco_dispatcher_get_main () != gco_dispatcher_get_main_immediate ());

  gco_dispatcher_unref (custom);
  g_main_context_unref (context);
}

static void
test_main_refcount (void)
{
  GcoDispatcher *dispatchers[2] = {
    gco_dispatcher_get_main (),
    gco_dispatcher_get_main_immediate (),
  };

  for (guint d = 0; d < 2; d++)
    {
      /* Unbalanced unrefs of the process-wide dispatchers are harmless. */
      for (guint i = 0; i < 10; i++)
        g_assert_true (gco_dispatcher_ref (dispatchers[d]) == dispatchers[d]);
      for (guint i = 0; i < 20; i++)
        gco_dispatcher_unref (dispatchers[d]);

      {
        g_autoptr(GcoDispatcher) extra = gco_dispatcher_ref (dispatchers[d]);
        g_assert_true (extra == dispatchers[d]);
      }
    }

  /* They still work. */
  for (guint d = 0; d < 2; d++)
    {
      GcoScope *scope = gco_scope_new (NULL, dispatchers[d]);
      gboolean ran = FALSE;
      GcoJob *job = gco_launch_job (scope, flag_body, &ran, NULL);

      gco_test_run_until_job (NULL, job);
      g_assert_true (ran);
      gco_test_assert_finalize_job (job);
      finish_scope (scope);
    }
}

static void
test_boxed (void)
{
  GMainContext *context = g_main_context_new ();
  GcoDispatcher *custom = gco_dispatcher_new_for_context (context, FALSE);
  GcoDispatcher *copy;

  g_assert_true (G_TYPE_IS_BOXED (GCO_TYPE_DISPATCHER));
  copy = g_boxed_copy (GCO_TYPE_DISPATCHER, custom);
  g_assert_true (copy == custom);
  g_boxed_free (GCO_TYPE_DISPATCHER, copy);

  /* The context outlives our reference while the dispatcher holds it. */
  g_main_context_unref (context);
  g_assert_true (gco_dispatcher_get_context (custom) == context);
  gco_dispatcher_unref (custom);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Main-context dispatchers: another thread's context, one GSource per "
                  "context, one dispatch per queue, the backlog rule below redraw "
                  "priority, getters and reference counting.");

  g_test_add_func ("/gco/dispatcher/context/other-thread", test_other_thread);
  g_test_add_func ("/gco/dispatcher/context/cross-thread-cancel", test_cross_thread_cancel);
  g_test_add_func ("/gco/dispatcher/context/cross-thread-cancel-and-join",
                   test_cross_thread_cancel_and_join);
  g_test_add_func ("/gco/dispatcher/context/immediate", test_immediate_other_context);
  g_test_add_func ("/gco/dispatcher/launch-from-threads", test_launch_from_threads);
  g_test_add_func ("/gco/dispatcher/shared-source", test_shared_source);
  g_test_add_func ("/gco/dispatcher/shared-source-immediate", test_shared_source_immediate);
  g_test_add_func ("/gco/dispatcher/one-dispatch", test_one_dispatch);
  g_test_add_func ("/gco/dispatcher/backlog/drain", test_backlog);
  g_test_add_func ("/gco/dispatcher/backlog/yielding", test_backlog_yielding);
  g_test_add_func ("/gco/dispatcher/backlog/yielding-one", test_backlog_yielding_one);
  g_test_add_func ("/gco/dispatcher/backlog/starved", test_backlog_starved);
  g_test_add_func ("/gco/dispatcher/get-context", test_get_context);
  g_test_add_func ("/gco/dispatcher/main-refcount", test_main_refcount);
  g_test_add_func ("/gco/dispatcher/boxed", test_boxed);

  return g_test_run ();
}
