/* test-regressions.c: one test per defect a review of the core found
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test replays the scenario of a reviewer's reproducer and asserts what
 * the fix guarantees. Where a scenario needs an order across threads, the
 * threads hand over through a mutex and a condition; where it needs a
 * deadline to have passed, the test waits until it has, and the timers of a
 * main-context dispatcher fire only when a dispatch begins. Nothing asserts
 * a time. Run under ASan or Valgrind, the first test also catches the
 * use-after-free it guards against.
 */

#include <string.h>

#include <gco/gco.h>

#include "gco-test-utils.h"

#define HARD_TIMEOUT_USEC (30 * G_USEC_PER_SEC)

/* Errors used as failures: any error but G_IO_ERROR_CANCELLED. */
#define FIRST_FAILURE  G_IO_ERROR_NOT_FOUND
#define SECOND_FAILURE G_IO_ERROR_EXISTS

static gboolean
set_failure (GError **error,
             gint     code)
{
  g_set_error (error, G_IO_ERROR, code, "failure %d", code);
  return FALSE;
}

static gboolean
fail_body (gpointer   user_data,
           GError   **error)
{
  return set_failure (error, FIRST_FAILURE);
}

/* Handing over between threads: flags set and awaited under one mutex. */

typedef struct
{
  GMutex mutex;
  GCond  cond;
} Sync;

static void
sync_init (Sync *sync)
{
  g_mutex_init (&sync->mutex);
  g_cond_init (&sync->cond);
}

static void
sync_clear (Sync *sync)
{
  g_mutex_clear (&sync->mutex);
  g_cond_clear (&sync->cond);
}

static void
sync_set (Sync     *sync,
          gboolean *flag)
{
  g_mutex_lock (&sync->mutex);
  *flag = TRUE;
  g_cond_broadcast (&sync->cond);
  g_mutex_unlock (&sync->mutex);
}

/* Waits until *@flag is TRUE; fails the test after a hard timeout, so a
 * missing hand-over is a failure, not a stuck run. */
static void
sync_wait (Sync           *sync,
           const gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + HARD_TIMEOUT_USEC;

  g_mutex_lock (&sync->mutex);
  while (!*flag)
    {
      if (!g_cond_wait_until (&sync->cond, &sync->mutex, deadline) && !*flag)
        g_error ("test timed out waiting for another thread");
    }
  g_mutex_unlock (&sync->mutex);
}

/* A main context iterated on a thread of its own, with a dispatcher on it. */


/* The exception handler of a test's scope */

typedef struct
{
  guint   calls;
  GcoJob *job;        /* the first job received (not a reference: only
                       * compared while the test holds one) */
  GError *error;      /* a copy of the first error */
  guint   destroys;   /* how often the handler's data was released */
} Catcher;

static void
catcher_cb (GcoJob       *job,
            const GError *error,
            gpointer      user_data)
{
  Catcher *catcher = user_data;

  if (catcher->calls++ == 0)
    {
      catcher->job = job;
      catcher->error = g_error_copy (error);
    }
}

static void
catcher_destroy_cb (gpointer user_data)
{
  Catcher *catcher = user_data;

  catcher->destroys++;
}

static void
catcher_clear (Catcher *catcher)
{
  catcher->job = NULL;
  g_clear_error (&catcher->error);
}

/* A supervisor root job and a main-dispatcher scope on it. */
static GcoScope *
scope_new (GcoJob **root)
{
  GcoScope *scope;

  *root = gco_supervisor_job_new (NULL);
  scope = gco_scope_new (*root, NULL);

  return scope;
}

/* Cancels what is left of @scope, waits for it and checks nothing leaked. */
static void
scope_finish (GcoScope *scope,
              GcoJob   *root)
{
  gco_scope_cancel (scope);
  gco_test_run_until_job (NULL, root);
  gco_test_drain (NULL);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (root);
}

/* r1: a waiter woken after its coroutine stopped waiting
 *
 * A coroutine joins J. J completes on another thread, whose completion
 * handlers run one after the other there; while one that was added before the
 * joiner's waiter is still running, the joiner is cancelled, returns and is
 * finalized. The other thread must not wake the finalized coroutine
 * afterwards (under ASan or Valgrind, a use-after-free). */

typedef struct
{
  Sync      sync;
  GcoJob   *target;
  gboolean  joining;
  gboolean  join_ok;
  GError   *join_error;
  gboolean  handler_running;  /* under sync */
  gboolean  handler_released; /* under sync */
  gboolean  completed;
} LateWakeData;

static void
blocking_handler_cb (GcoJob       *job,
                     const GError *error,
                     gpointer      user_data)
{
  LateWakeData *data = user_data;

  sync_set (&data->sync, &data->handler_running);
  sync_wait (&data->sync, &data->handler_released);
}

static gboolean
late_wake_joiner_body (gpointer   user_data,
                       GError   **error)
{
  LateWakeData *data = user_data;

  data->joining = TRUE;
  data->join_ok = gco_job_join (data->target, &data->join_error);

  return TRUE;
}

static gpointer
complete_target_thread (gpointer user_data)
{
  LateWakeData *data = user_data;

  data->completed = gco_job_complete (data->target);

  return NULL;
}

static void
test_join_late_wake (void)
{
  LateWakeData data = { { { 0, }, }, NULL, };
  GcoScope *scope;
  GcoJob *root, *joiner;
  GThread *thread;

  g_test_summary ("r1: a job completing on another thread after its joiner stopped waiting "
                  "does not wake the finalized joiner");

  sync_init (&data.sync);
  scope = scope_new (&root);
  data.target = gco_job_new (NULL);
  /* Added before the joiner's waiter: it runs first, and holds the other
   * thread in J's handlers until the joiner is gone. */
  gco_job_add_completion_handler (data.target, blocking_handler_cb, &data, NULL);

  joiner = gco_launch_job (scope, late_wake_joiner_body, &data, NULL);
  gco_test_run_until (NULL, &data.joining);
  /* The iteration that set the flag returned: the joiner waits in join. */
  g_assert_false (gco_job_is_completed (joiner));

  thread = g_thread_new ("gco-test-completer", complete_target_thread, &data);
  sync_wait (&data.sync, &data.handler_running);
  g_assert_true (gco_job_is_completed (data.target));

  /* J is final, its handlers run on the other thread; the joiner's waiter
   * has not run yet. Cancel the joiner and let it finish. */
  gco_job_cancel (joiner);
  gco_test_run_until_job (NULL, joiner);
  gco_test_drain (NULL);
  g_assert_false (data.join_ok);
  g_assert_error (data.join_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data.join_error);
  gco_test_assert_finalize_job (joiner);

  /* Only now let the other thread go on with J's handlers. */
  sync_set (&data.sync, &data.handler_released);
  g_thread_join (thread);
  g_assert_true (data.completed);

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (data.target);
  scope_finish (scope, root);
  sync_clear (&data.sync);
}

/* r2: removing a handler that has not run yet, from inside another handler */

typedef struct
{
  guint    first_calls;
  guint    removed_id;
  guint    removed_calls;
  guint    removed_destroys;
} RemoveData;

static void
remove_other_handler_cb (GcoJob       *job,
                         const GError *error,
                         gpointer      user_data)
{
  RemoveData *data = user_data;

  data->first_calls++;
  gco_job_remove_completion_handler (job, data->removed_id);
}

static void
removed_handler_cb (GcoJob       *job,
                    const GError *error,
                    gpointer      user_data)
{
  RemoveData *data = user_data;

  data->removed_calls++;
}

static void
removed_handler_destroy_cb (gpointer user_data)
{
  RemoveData *data = user_data;

  data->removed_destroys++;
}

static void
test_remove_pending_handler (void)
{
  RemoveData data = { 0, };
  GcoJob *job;

  g_test_summary ("r2: a completion handler removed by another handler of the same job before it ran "
                  "does not run, and its destroy notify runs once");

  job = gco_job_new (NULL);
  gco_job_add_completion_handler (job, remove_other_handler_cb, &data, NULL);
  data.removed_id = gco_job_add_completion_handler (job, removed_handler_cb, &data,
                                                    removed_handler_destroy_cb);
  g_assert_cmpuint (data.removed_id, !=, 0);

  g_assert_true (gco_job_complete (job));

  g_assert_cmpuint (data.first_calls, ==, 1);
  g_assert_cmpuint (data.removed_calls, ==, 0);
  g_assert_cmpuint (data.removed_destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  g_assert_cmpuint (data.removed_calls, ==, 0);
  g_assert_cmpuint (data.removed_destroys, ==, 1);
}

/* r3: replacing an exception handler while it runs on another thread */

typedef struct
{
  Sync      sync;
  guint     calls;               /* the worker thread only */
  gboolean  entered;             /* under sync */
  gboolean  replaced;            /* under sync */
  gboolean  returned;            /* under sync: the handler is about to return */
  gboolean  destroyed;           /* under sync */
  guint     destroys;            /* under sync */
  gboolean  returned_at_destroy; /* under sync */
  gboolean  job_done;            /* under sync */
} SwapData;

static void
blocking_exception_handler_cb (GcoJob       *job,
                               const GError *error,
                               gpointer      user_data)
{
  SwapData *data = user_data;

  data->calls++;
  sync_set (&data->sync, &data->entered);
  sync_wait (&data->sync, &data->replaced);
  /* The handler still uses its data after it was replaced. */
  sync_set (&data->sync, &data->returned);
}

static void
swap_destroy_cb (gpointer user_data)
{
  SwapData *data = user_data;

  g_mutex_lock (&data->sync.mutex);
  data->destroys++;
  data->returned_at_destroy = data->returned;
  data->destroyed = TRUE;
  g_cond_broadcast (&data->sync.cond);
  g_mutex_unlock (&data->sync.mutex);
}

static void
swap_job_done_cb (GcoJob       *job,
                  const GError *error,
                  gpointer      user_data)
{
  SwapData *data = user_data;

  sync_set (&data->sync, &data->job_done);
}

static void
test_replace_running_exception_handler (void)
{
  SwapData data = { { { 0, }, }, 0, };
  GcoTestWorker worker = { NULL, };
  GcoScope *scope;
  GcoJob *root, *job;

  g_test_summary ("r3: replacing an exception handler while it runs on another thread "
                  "releases its data only after it returned");

  sync_init (&data.sync);
  gco_test_worker_start (&worker, FALSE);
  root = gco_supervisor_job_new (NULL);
  scope = gco_scope_new (root, worker.dispatcher);
  gco_scope_set_exception_handler (scope, blocking_exception_handler_cb, &data, swap_destroy_cb);

  job = gco_launch_job (scope, fail_body, NULL, NULL);
  gco_job_add_completion_handler (job, swap_job_done_cb, &data, NULL);
  sync_wait (&data.sync, &data.entered);

  /* The handler runs on the worker and waits: replace it meanwhile. */
  gco_scope_set_exception_handler (scope, NULL, NULL, NULL);
  sync_set (&data.sync, &data.replaced);

  sync_wait (&data.sync, &data.destroyed);
  sync_wait (&data.sync, &data.job_done);
  gco_test_worker_stop (&worker);

  g_assert_cmpuint (data.calls, ==, 1);
  g_assert_cmpuint (data.destroys, ==, 1);
  g_assert_true (data.returned_at_destroy);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, FIRST_FAILURE);

  gco_test_assert_finalize_job (job);
  gco_scope_cancel (scope);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (root);
  g_assert_cmpuint (data.destroys, ==, 1);
  sync_clear (&data.sync);
}

/* r4: a with_timeout whose block completed before the deadline
 *
 * The block leaves a child job behind, so the caller suspends until it
 * completes. The test completes it between two dispatches, then waits until
 * the deadline has passed before the caller resumes: the next dispatch fires
 * the deadline's timer first, then resumes the caller. */

#define TIMEOUT_MSEC 10

typedef struct
{
  GcoJob   *child;        /* a child of the timed block's job */
  gint64    block_time;   /* not before the deadline was set */
  gboolean  block_done;
  gboolean  frame_completed;
  gboolean  returned;
  gboolean  ok;
  GError   *error;
} InTimeData;

static void
frame_completed_cb (GcoJob       *job,
                    const GError *error,
                    gpointer      user_data)
{
  InTimeData *data = user_data;

  g_assert_null (error);
  data->frame_completed = TRUE;
}

static gboolean
leave_child_block (gpointer   user_data,
                   GError   **error)
{
  InTimeData *data = user_data;
  GcoJob *frame = gco_job_get_current ();

  data->block_time = g_get_monotonic_time ();
  data->child = gco_job_new (frame);
  gco_job_add_completion_handler (frame, frame_completed_cb, data, NULL);
  data->block_done = TRUE;

  return TRUE;
}

static gboolean
with_timeout_body (gpointer   user_data,
                   GError   **error)
{
  InTimeData *data = user_data;

  data->ok = gco_with_timeout (TIMEOUT_MSEC, leave_child_block, data, &data->error);
  data->returned = TRUE;

  return TRUE;
}

static void
test_with_timeout_completed_in_time (void)
{
  InTimeData data = { NULL, };
  GcoScope *scope;
  GcoJob *root, *job;
  gint64 past_deadline;

  g_test_summary ("r4: a with_timeout whose block completed before the deadline returns TRUE, "
                  "even when the caller resumes after the deadline");

  scope = scope_new (&root);
  job = gco_launch_job (scope, with_timeout_body, &data, NULL);
  gco_test_run_until (NULL, &data.block_done);
  g_assert_false (data.returned);

  /* No dispatch since the block ran, so the deadline's timer has not fired:
   * the timed block completes in time. */
  g_assert_true (gco_job_complete (data.child));
  g_assert_true (data.frame_completed);
  g_assert_false (data.returned);

  /* The caller has not resumed yet; let the deadline pass. */
  past_deadline = data.block_time + TIMEOUT_MSEC * 1000 + 1;
  while (g_get_monotonic_time () <= past_deadline)
    g_usleep (1000);

  gco_test_run_until_job (NULL, job);
  g_assert_true (data.returned);
  g_assert_no_error (data.error);
  g_assert_true (data.ok);

  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (job);
  scope_finish (scope, root);
}

/* r5: a handler set on the scope of the running coroutine */

typedef struct
{
  Catcher  inner;
  GcoJob  *failing;   /* launched in the scope whose handler was set */
} CurrentScopeData;

static gboolean
set_handler_and_fail_block (gpointer   user_data,
                            GError   **error)
{
  CurrentScopeData *data = user_data;
  GcoScope *current = gco_scope_get_current ();

  gco_scope_set_exception_handler (current, catcher_cb, &data->inner, catcher_destroy_cb);
  data->failing = gco_launch_job (current, fail_body, NULL, NULL);

  return TRUE;
}

static gboolean
supervisor_scope_body (gpointer   user_data,
                       GError   **error)
{
  return gco_supervisor_scope (set_handler_and_fail_block, user_data, error);
}

static void
test_current_scope_handler (void)
{
  CurrentScopeData data = { { 0, }, NULL };
  Catcher outer = { 0, };
  GcoScope *scope;
  GcoJob *root, *job, *sibling;

  g_test_summary ("r5: a handler set on gco_scope_get_current () applies to coroutines launched in "
                  "that scope and leaves the outer scope's handler in place");

  scope = scope_new (&root);
  gco_scope_set_exception_handler (scope, catcher_cb, &outer, catcher_destroy_cb);

  /* Inside a supervisor scope, the failed launch is handed to the handler of
   * the scope it was launched in. */
  job = gco_launch_job (scope, supervisor_scope_body, &data, NULL);
  gco_test_run_until_job (NULL, job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (data.inner.calls, ==, 1);
  g_assert_true (data.inner.job == data.failing);
  g_assert_error (data.inner.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpuint (outer.calls, ==, 0);
  g_assert_cmpuint (outer.destroys, ==, 0);

  /* A sibling launched in the outer scope still gets the outer handler. */
  sibling = gco_launch_job (scope, fail_body, NULL, NULL);
  gco_test_run_until_job (NULL, sibling);
  g_assert_cmpuint (outer.calls, ==, 1);
  g_assert_true (outer.job == sibling);
  g_assert_error (outer.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpuint (data.inner.calls, ==, 1);
  g_assert_cmpuint (outer.destroys, ==, 0);

  gco_test_assert_finalize_job (sibling);
  gco_test_assert_finalize_job (data.failing);
  gco_test_assert_finalize_job (job);
  g_assert_cmpuint (data.inner.destroys, ==, 1);

  scope_finish (scope, root);
  g_assert_cmpuint (outer.destroys, ==, 1);
  catcher_clear (&outer);
  catcher_clear (&data.inner);
}

/* r6: a coroutine's own completion handlers run outside the coroutine */

typedef struct
{
  guint     calls;
  gboolean  in_coroutine;
  GcoJob   *current_job;
  GcoScope *current_scope;
  gboolean  is_active;
} OutsideProbe;

static void
probe_outside (OutsideProbe *probe)
{
  probe->calls++;
  probe->in_coroutine = gco_in_coroutine ();
  probe->current_job = gco_job_get_current ();
  /* What a handler might call to launch a follow-up. */
  probe->current_scope = gco_scope_get_current ();
  probe->is_active = gco_is_active ();
}

static void
probe_completion_cb (GcoJob       *job,
                     const GError *error,
                     gpointer      user_data)
{
  probe_outside (user_data);
}

static void
probe_exception_cb (GcoJob       *job,
                    const GError *error,
                    gpointer      user_data)
{
  probe_outside (user_data);
}

static gboolean
succeed_body (gpointer   user_data,
              GError   **error)
{
  return TRUE;
}

static void
assert_probed_outside (const OutsideProbe *probe)
{
  g_assert_cmpuint (probe->calls, ==, 1);
  g_assert_false (probe->in_coroutine);
  g_assert_null (probe->current_job);
  g_assert_null (probe->current_scope);
  g_assert_false (probe->is_active);
}

static void
test_completion_outside_coroutine (void)
{
  OutsideProbe completion = { 0, }, failed_completion = { 0, }, exception = { 0, };
  GcoScope *scope;
  GcoJob *root, *job, *failed;

  g_test_summary ("r6: a coroutine's own completion and exception handlers run outside the "
                  "coroutine, and the coroutine's job is finalized afterwards");

  scope = scope_new (&root);
  gco_scope_set_exception_handler (scope, probe_exception_cb, &exception, NULL);

  /* Added before the bodies run: the handlers run at their completion. */
  job = gco_launch_job (scope, succeed_body, NULL, NULL);
  gco_job_add_completion_handler (job, probe_completion_cb, &completion, NULL);
  failed = gco_launch_job (scope, fail_body, NULL, NULL);
  gco_job_add_completion_handler (failed, probe_completion_cb, &failed_completion, NULL);

  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, failed);
  gco_test_drain (NULL);

  assert_probed_outside (&completion);
  assert_probed_outside (&failed_completion);
  assert_probed_outside (&exception);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (failed);
  scope_finish (scope, root);
}

/* r9: awaiting a deferred that failed and still unwinds a child */

typedef struct
{
  GcoJob      *gate;           /* holds the child's cleanup */
  GcoDeferred *deferred;
  GcoJob      *child;
  gboolean     child_waiting;
  gboolean     child_unwound;
  gboolean     awaited;
  gboolean     deferred_completed_at_await;
  GError      *await_error;
} UnwindingData;

static gboolean
join_gate_block (gpointer   user_data,
                 GError   **error)
{
  UnwindingData *data = user_data;

  return gco_job_join (data->gate, error);
}

static gboolean
slow_unwinding_child_body (gpointer   user_data,
                           GError   **error)
{
  UnwindingData *data = user_data;

  data->child_waiting = TRUE;
  gco_await_cancellation (error);
  /* Cleanup that takes until the test opens the gate. */
  g_assert_true (gco_non_cancellable (join_gate_block, data, NULL));
  data->child_unwound = TRUE;

  return FALSE;
}

static gpointer
fail_while_child_runs_body (gpointer   user_data,
                            GError   **error)
{
  UnwindingData *data = user_data;

  data->child = gco_launch_job (gco_scope_get_current (), slow_unwinding_child_body, data, NULL);
  while (!data->child_waiting)
    g_assert_true (gco_yield (NULL));

  set_failure (error, FIRST_FAILURE);
  return NULL;
}

static gboolean
await_unwinding_body (gpointer   user_data,
                      GError   **error)
{
  UnwindingData *data = user_data;

  data->deferred = gco_async (gco_scope_get_current (), fail_while_child_runs_body, data, NULL, NULL);
  g_assert_null (gco_deferred_await (data->deferred, &data->await_error));
  data->deferred_completed_at_await = gco_job_is_completed (GCO_JOB (data->deferred));
  data->awaited = TRUE;

  g_propagate_error (error, g_error_copy (data->await_error));
  return FALSE;
}

static void
test_await_failed_while_unwinding (void)
{
  UnwindingData data = { NULL, };
  Catcher catcher = { 0, };
  GcoScope *scope;
  GcoJob *root, *job;

  g_test_summary ("r9: awaiting a deferred that failed while it still unwinds a child returns the "
                  "failure, not G_IO_ERROR_CANCELLED");

  scope = scope_new (&root);
  gco_scope_set_exception_handler (scope, catcher_cb, &catcher, NULL);
  data.gate = gco_job_new (NULL);

  job = gco_launch_job (scope, await_unwinding_body, &data, NULL);
  gco_test_run_until (NULL, &data.awaited);

  /* The await returned while the deferred's child still unwinds. */
  g_assert_false (data.deferred_completed_at_await);
  g_assert_false (data.child_unwound);
  g_assert_error (data.await_error, G_IO_ERROR, FIRST_FAILURE);

  g_assert_true (gco_job_complete (data.gate));
  gco_test_run_until_job (NULL, job);
  g_assert_true (data.child_unwound);
  g_assert_true (gco_job_is_completed (GCO_JOB (data.deferred)));
  g_assert_error (gco_job_get_error (GCO_JOB (data.deferred)), G_IO_ERROR, FIRST_FAILURE);
  /* The awaiting launch failed in turn: reported once. */
  g_assert_cmpuint (catcher.calls, ==, 1);
  g_assert_true (catcher.job == job);

  g_clear_error (&data.await_error);
  catcher_clear (&catcher);
  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (GCO_JOB (data.deferred));
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (data.gate);
  scope_finish (scope, root);
}

/* r10: a log handler that calls back into gco
 *
 * Runs in a subprocess: GCO_DEBUG is read once, at the first use of gco in
 * the process, and a deadlock there ends in the subprocess's timeout instead
 * of a hung test program. */

typedef struct
{
  GcoJob   *root;
  guint     messages;
  guint     dumps;
  gboolean  saw_dropped_failure;
  gboolean  scope_ok;
  GError   *scope_error;
} ReenterData;

static void
dumping_log_handler (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
  ReenterData *data = user_data;
  GcoJob *current = gco_job_get_current ();
  char *dump;

  data->messages++;
  if (strstr (message, "dropping a later failure") != NULL)
    data->saw_dropped_failure = TRUE;

  /* What a debugging log handler does: both take the tree lock. */
  dump = gco_job_dump (data->root);
  g_free (dump);
  data->dumps++;
  if (current != NULL)
    {
      dump = gco_job_dump (current);
      g_free (dump);
      data->dumps++;
    }
}

static gboolean
yield_then_fail_body (gpointer   user_data,
                      GError   **error)
{
  /* Fails even when cancelled meanwhile: a later failure. */
  gco_yield (NULL);
  return set_failure (error, GPOINTER_TO_INT (user_data));
}

static gboolean
two_failures_block (gpointer   user_data,
                    GError   **error)
{
  gco_launch (gco_scope_get_current (), yield_then_fail_body, GINT_TO_POINTER (FIRST_FAILURE), NULL);
  gco_launch (gco_scope_get_current (), yield_then_fail_body, GINT_TO_POINTER (SECOND_FAILURE), NULL);

  return TRUE;
}

static gboolean
two_failures_body (gpointer   user_data,
                   GError   **error)
{
  ReenterData *data = user_data;

  data->scope_ok = gco_coroutine_scope (two_failures_block, NULL, &data->scope_error);

  return TRUE;
}

static void
log_handler_reenters_subprocess (void)
{
  ReenterData data = { NULL, };
  GcoScope *scope;
  GcoJob *job;
  guint handler_id;

  g_setenv ("GCO_DEBUG", "jobs", TRUE);
  scope = scope_new (&data.root);
  handler_id = g_log_set_handler ("Gco", G_LOG_LEVEL_DEBUG | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                                  dumping_log_handler, &data);

  job = gco_launch_job (scope, two_failures_body, &data, NULL);
  gco_test_run_until_job (NULL, job);
  gco_test_drain (NULL);

  g_assert_false (data.scope_ok);
  g_assert_error (data.scope_error, G_IO_ERROR, FIRST_FAILURE);
  g_clear_error (&data.scope_error);
  g_assert_cmpuint (data.messages, >, 0);
  g_assert_cmpuint (data.dumps, >, data.messages);
  g_assert_true (data.saw_dropped_failure);

  gco_test_assert_finalize_job (job);
  scope_finish (scope, data.root);
  g_log_remove_handler ("Gco", handler_id);
}

static void
test_log_handler_reenters (void)
{
  if (g_test_subprocess ())
    {
      log_handler_reenters_subprocess ();
      return;
    }

  g_test_summary ("r10: a log handler that calls gco_job_dump () while gco logs a debug message "
                  "(GCO_DEBUG=jobs) does not deadlock");

  /* A deadlock shows as the subprocess timing out. */
  g_test_trap_subprocess (NULL, HARD_TIMEOUT_USEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* r12: a launch into a job whose exception handler is running */

typedef struct
{
  guint     handler_calls;
  GcoJob   *late;                  /* launched by the handler into the failed job */
  gboolean  late_born_cancelled;
  guint     children_in_handler;
  guint     completions;
  guint     children_at_completion;
  guint     late_runs;
  gboolean  late_ran_active;
} LateLaunchData;

static gboolean
late_body (gpointer   user_data,
           GError   **error)
{
  LateLaunchData *data = user_data;

  /* An atomic start may run the body of a cancelled job, once. */
  data->late_runs++;
  data->late_ran_active = gco_is_active ();

  return TRUE;
}

static void
launch_into_failed_handler_cb (GcoJob       *job,
                               const GError *error,
                               gpointer      user_data)
{
  LateLaunchData *data = user_data;
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  GcoScope *scope;

  data->handler_calls++;
  scope = gco_scope_new (job, NULL);
  options.start = GCO_START_ATOMIC;
  data->late = gco_launch_full (scope, &options, late_body, data, NULL);
  data->late_born_cancelled = gco_job_is_cancelled (data->late);
  data->children_in_handler = gco_job_get_n_children (job);
  gco_scope_unref (scope);
}

static void
count_children_at_completion_cb (GcoJob       *job,
                                 const GError *error,
                                 gpointer      user_data)
{
  LateLaunchData *data = user_data;

  data->completions++;
  data->children_at_completion = gco_job_get_n_children (job);
}

static void
test_launch_into_handled_failure (void)
{
  LateLaunchData data = { 0, };
  GcoScope *scope;
  GcoJob *root, *failed;

  g_test_summary ("r12: a launch into a job whose exception handler is running is born cancelled, "
                  "and the failed job completes with no child left running");

  scope = scope_new (&root);
  gco_scope_set_exception_handler (scope, launch_into_failed_handler_cb, &data, NULL);

  failed = gco_launch_job (scope, fail_body, NULL, NULL);
  gco_job_add_completion_handler (failed, count_children_at_completion_cb, &data, NULL);
  gco_test_run_until_job (NULL, failed);

  g_assert_cmpuint (data.handler_calls, ==, 1);
  g_assert_nonnull (data.late);
  g_assert_true (data.late_born_cancelled);
  g_assert_cmpuint (data.children_in_handler, ==, 0);
  g_assert_cmpuint (data.completions, ==, 1);
  g_assert_cmpuint (data.children_at_completion, ==, 0);
  g_assert_error (gco_job_get_error (failed), G_IO_ERROR, FIRST_FAILURE);

  gco_test_run_until_job (NULL, data.late);
  gco_test_drain (NULL);
  g_assert_true (gco_job_is_cancelled (data.late));
  g_assert_cmpuint (data.late_runs, <=, 1);
  g_assert_false (data.late_ran_active);

  gco_test_assert_finalize_job (data.late);
  gco_test_assert_finalize_job (failed);
  scope_finish (scope, root);
}

/* r13: a user-data destroy notify that cancels the coroutine's own scope
 *
 * A widget's coroutine is passed the widget; when the coroutine's destroy
 * notify drops the last reference, the widget is destroyed and its scope
 * cancelled. The body had returned TRUE: the job must complete, not end as
 * cancelled. Found by the demo's download card. */

static void
cancel_scope_notify (gpointer data)
{
  gco_scope_cancel (data);
}

static void
test_destroy_cancels_own_scope (void)
{
  GcoScope *scope;
  GcoJob *root, *job;

  g_test_summary ("r13: a destroy notify that cancels the coroutine's scope does not turn a "
                  "body that returned TRUE into a cancelled job");

  scope = scope_new (&root);
  job = gco_launch_job (scope, succeed_body, scope, cancel_scope_notify);
  gco_test_run_until_job (NULL, job);

  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_no_error (gco_job_get_error (job));
  g_assert_false (gco_scope_is_active (scope));  /* the notify ran */

  gco_test_assert_finalize_job (job);
  scope_finish (scope, root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gco/regressions/join-late-wake", test_join_late_wake);
  g_test_add_func ("/gco/regressions/remove-pending-handler", test_remove_pending_handler);
  g_test_add_func ("/gco/regressions/replace-running-exception-handler",
                   test_replace_running_exception_handler);
  g_test_add_func ("/gco/regressions/with-timeout-completed-in-time",
                   test_with_timeout_completed_in_time);
  g_test_add_func ("/gco/regressions/current-scope-handler", test_current_scope_handler);
  g_test_add_func ("/gco/regressions/completion-outside-coroutine", test_completion_outside_coroutine);
  g_test_add_func ("/gco/regressions/await-failed-while-unwinding", test_await_failed_while_unwinding);
  g_test_add_func ("/gco/regressions/log-handler-reenters", test_log_handler_reenters);
  g_test_add_func ("/gco/regressions/launch-into-handled-failure", test_launch_into_handled_failure);
  g_test_add_func ("/gco/regressions/destroy-cancels-own-scope", test_destroy_cancels_own_scope);

  return g_test_run ();
}
