/* test-suspend.c: every suspending call
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Delays, yields, waiting for jobs and deferreds, the scoped builders,
 * timeouts, non-cancellable cleanup, running a block on another thread, and
 * prompt cancellation (rule 7) for each call.
 */

#include <gco/gco.h>

#include "gco-test-utils.h"

/* Helpers */

static GQuark
test_error_quark (void)
{
  return g_quark_from_static_string ("gco-test-error");
}

#define TEST_ERROR (test_error_quark ())
enum { TEST_ERROR_BOOM = 1, TEST_ERROR_OTHER };


typedef struct
{
  guint   count;
  GError *first;
  GcoJob *first_job;  /* compared only */
} Caught;

static void
caught_handler (GcoJob       *job,
                const GError *error,
                gpointer      user_data)
{
  Caught *caught = user_data;

  if (caught->count++ == 0)
    {
      caught->first = g_error_copy (error);
      caught->first_job = job;
    }
}

/* A scope whose failures land in @caught. */
static GcoScope *
scope_new_caught (gboolean  supervisor,
                  Caught   *caught)
{
  GcoJob *root = supervisor ? gco_supervisor_job_new (NULL) : gco_job_new (NULL);
  GcoScope *scope = gco_scope_new (root, NULL);

  gco_job_unref (root);
  gco_scope_set_exception_handler (scope, caught_handler, caught, NULL);

  return scope;
}

static void
finish_scope (GcoScope *scope,
              gboolean  cancel)
{
  GcoJob *job = gco_job_ref (gco_scope_get_job (scope));

  if (cancel)
    gco_scope_cancel (scope);
  else
    gco_job_complete (job);
  gco_test_run_until_job (NULL, job);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (job);
}

/* Launches @func, runs until its job completed, and returns the job. */
static GcoJob *
run_body (GcoScope *scope,
          GcoFunc   func,
          gpointer  data)
{
  GcoJob *job = gco_launch_job (scope, func, data, NULL);

  gco_test_run_until_job (NULL, job);
  return job;
}

static void
append_index (GArray *log,
              guint   index)
{
  g_array_append_val (log, index);
}

static void
assert_log (GArray      *log,
            const guint *expected,
            guint        n)
{
  g_assert_cmpuint (log->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      if (g_array_index (log, guint, i) != expected[i])
        g_error ("order differs at %u: got %u, expected %u", i,
                 g_array_index (log, guint, i), expected[i]);
    }
}

/* A body that records what one call returned. */
typedef struct
{
  gboolean  entered;
  gboolean  returned;
  gboolean  ok;
  gboolean  done;
  gboolean  active_after;
  GError   *error;
  gpointer  value;
  GcoJob   *target;          /* borrowed */
  GcoJob   *target2;         /* borrowed */
  GcoDeferred *deferred;     /* borrowed */
  GcoDeferred *deferred2;    /* borrowed */
  guint     msec;
  GArray   *log;
  guint     index;
  gboolean  target_completed_at_return;
} Call;

static void
call_clear (Call *call)
{
  g_clear_error (&call->error);
}

/* gco_delay */

static gboolean
delay_body (gpointer   user_data,
            GError   **error)
{
  Call *call = user_data;

  call->entered = TRUE;
  call->ok = gco_delay (call->msec, &call->error);
  call->returned = TRUE;
  if (call->log != NULL)
    append_index (call->log, call->index);

  return TRUE;
}

static void
test_delay (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call zero = { 0, }, some = { 0, };
  GcoJob *job0, *job1;

  zero.msec = 0;
  some.msec = 10;
  job0 = run_body (scope, delay_body, &zero);
  job1 = run_body (scope, delay_body, &some);

  g_assert_true (zero.ok);
  g_assert_no_error (zero.error);
  g_assert_true (some.ok);
  g_assert_no_error (some.error);

  gco_test_assert_finalize_job (job0);
  gco_test_assert_finalize_job (job1);
  finish_scope (scope, FALSE);
}

static void
test_delay_order (void)
{
  static const guint delays[] = { 100, 20, 80, 40, 60 };
  static const guint expected[] = { 1, 3, 4, 2, 0 };
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call calls[G_N_ELEMENTS (delays)] = { { 0, }, };
  GArray *log = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      calls[i].msec = delays[i];
      calls[i].log = log;
      calls[i].index = i;
      gco_launch (scope, delay_body, &calls[i], NULL);
    }

  finish_scope (scope, FALSE);

  /* Timers fire in deadline order, whatever the order they were armed. */
  assert_log (log, expected, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    g_assert_true (calls[i].ok);

  g_array_unref (log);
}

static void
test_delay_equal (void)
{
  enum { N = 8 };
  guint expected[N];
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call calls[N] = { { 0, }, };
  GArray *log = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < N; i++)
    {
      expected[i] = i;
      calls[i].msec = 20;
      calls[i].log = log;
      calls[i].index = i;
      gco_launch (scope, delay_body, &calls[i], NULL);
    }

  finish_scope (scope, FALSE);

  /* Equal delays fire in launch order. */
  assert_log (log, expected, N);
  g_array_unref (log);
}

/* gco_yield */

typedef struct
{
  GArray *log;
  guint   index;
  guint   rounds;
  guint   failures;
} Yielder;

static gboolean
yield_body (gpointer   user_data,
            GError   **error)
{
  Yielder *yielder = user_data;

  for (guint i = 0; i < yielder->rounds; i++)
    {
      append_index (yielder->log, yielder->index);
      if (!gco_yield (error))
        {
          yielder->failures++;
          return FALSE;
        }
    }

  return TRUE;
}

static void
test_yield_fairness (void)
{
  enum { N = 4, K = 5 };
  guint expected[N * K];
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Yielder yielders[N];
  GArray *log = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < N; i++)
    {
      yielders[i] = (Yielder) { log, i, K, 0 };
      gco_launch (scope, yield_body, &yielders[i], NULL);
    }
  for (guint k = 0; k < K; k++)
    for (guint i = 0; i < N; i++)
      expected[k * N + i] = i;

  finish_scope (scope, FALSE);

  /* Round-robin: each yield goes to the back of the queue. */
  assert_log (log, expected, N * K);
  for (guint i = 0; i < N; i++)
    g_assert_cmpuint (yielders[i].failures, ==, 0);

  g_array_unref (log);
}

/* gco_await_cancellation */

static gboolean
await_cancellation_body (gpointer   user_data,
                         GError   **error)
{
  Call *call = user_data;

  call->entered = TRUE;
  call->ok = gco_await_cancellation (&call->error);
  call->returned = TRUE;
  if (call->error != NULL)
    g_propagate_error (error, g_error_copy (call->error));

  return call->ok;
}

static void
test_await_cancellation (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  Call call = { 0, };
  GcoJob *job;

  job = gco_launch_job (scope, await_cancellation_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);
  gco_test_run_for (NULL, 20);
  g_assert_false (call.returned);
  g_assert_true (gco_job_is_active (job));

  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_true (call.returned);
  g_assert_false (call.ok);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* A cancellation is not a failure: the scope lives on. */
  g_assert_cmpuint (caught.count, ==, 0);
  g_assert_true (gco_scope_is_active (scope));

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* gco_ensure_active */

typedef struct
{
  gboolean before;
  gboolean after;
  GError  *error;
} Ensure;

static gboolean
ensure_active_body (gpointer   user_data,
                    GError   **error)
{
  Ensure *ensure = user_data;
  GError *local = NULL;

  ensure->before = gco_ensure_active (&local);
  g_assert_no_error (local);
  gco_job_cancel (gco_job_get_current ());
  ensure->after = gco_ensure_active (&ensure->error);

  return TRUE;
}

static void
test_ensure_active (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Ensure ensure = { 0, };
  GcoJob *job = run_body (scope, ensure_active_body, &ensure);

  g_assert_true (ensure.before);
  g_assert_false (ensure.after);
  g_assert_error (ensure.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gco_job_is_cancelled (job));

  g_clear_error (&ensure.error);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* gco_job_join */

static gboolean
join_body (gpointer   user_data,
           GError   **error)
{
  Call *call = user_data;

  call->entered = TRUE;
  call->ok = gco_job_join (call->target, &call->error);
  call->returned = TRUE;
  call->target_completed_at_return = gco_job_is_completed (call->target);
  call->active_after = gco_is_active ();

  return TRUE;
}

static gboolean
fail_after_delay_body (gpointer   user_data,
                       GError   **error)
{
  if (!gco_delay (GPOINTER_TO_UINT (user_data), error))
    return FALSE;

  g_set_error_literal (error, TEST_ERROR, TEST_ERROR_BOOM, "boom");
  return FALSE;
}

static gboolean
succeed_after_delay_body (gpointer   user_data,
                          GError   **error)
{
  return gco_delay (GPOINTER_TO_UINT (user_data), error);
}

static gboolean
just_await_cancellation_body (gpointer   user_data,
                              GError   **error)
{
  return gco_await_cancellation (error);
}

static void
test_join (void)
{
  Caught caught = { 0, };
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *targets = scope_new_caught (TRUE, &caught);
  Call ok_call = { 0, }, failed_call = { 0, }, cancelled_call = { 0, }, done_call = { 0, };
  GcoJob *ok_target, *failed_target, *cancelled_target;
  GcoJob *jobs[4];

  ok_target = gco_launch_job (targets, succeed_after_delay_body, GUINT_TO_POINTER (20), NULL);
  failed_target = gco_launch_job (targets, fail_after_delay_body, GUINT_TO_POINTER (10), NULL);
  cancelled_target = gco_launch_job (targets, just_await_cancellation_body, NULL, NULL);

  ok_call.target = ok_target;
  failed_call.target = failed_target;
  cancelled_call.target = cancelled_target;
  jobs[0] = gco_launch_job (scope, join_body, &ok_call, NULL);
  jobs[1] = gco_launch_job (scope, join_body, &failed_call, NULL);
  jobs[2] = gco_launch_job (scope, join_body, &cancelled_call, NULL);

  gco_test_run_until (NULL, &cancelled_call.entered);
  gco_job_cancel (cancelled_target);
  for (guint i = 0; i < 3; i++)
    gco_test_run_until_job (NULL, jobs[i]);

  /* Joining returns TRUE once the target completed, however it ended. */
  g_assert_true (ok_call.ok);
  g_assert_true (ok_call.target_completed_at_return);
  g_assert_no_error (ok_call.error);
  g_assert_null (gco_job_get_error (ok_target));

  g_assert_true (failed_call.ok);
  g_assert_true (failed_call.target_completed_at_return);
  g_assert_no_error (failed_call.error);
  g_assert_error (gco_job_get_error (failed_target), TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_true (failed_call.active_after);

  g_assert_true (cancelled_call.ok);
  g_assert_true (cancelled_call.target_completed_at_return);
  g_assert_no_error (cancelled_call.error);

  /* Joining a job already completed returns at once. */
  done_call.target = ok_target;
  jobs[3] = run_body (scope, join_body, &done_call);
  g_assert_true (done_call.ok);

  g_assert_cmpuint (caught.count, ==, 1);
  g_assert_error (caught.first, TEST_ERROR, TEST_ERROR_BOOM);

  for (guint i = 0; i < 4; i++)
    gco_test_assert_finalize_job (jobs[i]);
  gco_test_assert_finalize_job (ok_target);
  gco_test_assert_finalize_job (failed_target);
  gco_test_assert_finalize_job (cancelled_target);
  finish_scope (scope, FALSE);
  finish_scope (targets, FALSE);
  g_clear_error (&caught.first);
}

/* gco_job_cancel_and_join */

typedef struct
{
  guint    cleanup_steps;
  gboolean cleanup_done;
  gboolean child_cleanup_done;
  gboolean cleanup_was_active;
} Cleanup;

static gboolean
slow_cleanup_block (gpointer   user_data,
                    GError   **error)
{
  Cleanup *cleanup = user_data;

  cleanup->cleanup_was_active = gco_is_active ();
  if (!gco_delay (20, error))
    return FALSE;
  cleanup->cleanup_steps++;
  if (!gco_yield (error))
    return FALSE;
  cleanup->cleanup_steps++;
  cleanup->cleanup_done = TRUE;

  return TRUE;
}

static gboolean
child_slow_cleanup_block (gpointer   user_data,
                          GError   **error)
{
  Cleanup *cleanup = user_data;

  if (!gco_delay (30, error))
    return FALSE;
  cleanup->child_cleanup_done = TRUE;

  return TRUE;
}

static gboolean
child_with_cleanup_body (gpointer   user_data,
                         GError   **error)
{
  GError *local = NULL;

  gco_await_cancellation (&local);
  gco_non_cancellable (child_slow_cleanup_block, user_data, NULL);
  g_propagate_error (error, local);

  return FALSE;
}

static gboolean
target_with_cleanup_body (gpointer   user_data,
                          GError   **error)
{
  Cleanup *cleanup = user_data;
  GError *local = NULL;

  gco_launch (gco_scope_get_current (), child_with_cleanup_body, cleanup, NULL);

  gco_await_cancellation (&local);
  gco_non_cancellable (slow_cleanup_block, cleanup, NULL);
  g_propagate_error (error, local);

  return FALSE;
}

typedef struct
{
  GcoJob   *target;
  Cleanup  *cleanup;
  gboolean  ok;
  gboolean  cleanup_done_at_return;
  gboolean  child_cleanup_done_at_return;
  gboolean  target_completed_at_return;
  GError   *error;
} CancelJoin;

static gboolean
cancel_and_join_body (gpointer   user_data,
                      GError   **error)
{
  CancelJoin *cj = user_data;

  /* Let the target reach its wait. */
  if (!gco_delay (5, error))
    return FALSE;

  cj->ok = gco_job_cancel_and_join (cj->target, &cj->error);
  cj->cleanup_done_at_return = cj->cleanup->cleanup_done;
  cj->child_cleanup_done_at_return = cj->cleanup->child_cleanup_done;
  cj->target_completed_at_return = gco_job_is_completed (cj->target);

  return TRUE;
}

static void
test_cancel_and_join (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *targets = gco_scope_new (NULL, NULL);
  Cleanup cleanup = { 0, };
  CancelJoin cj = { NULL, };
  GcoJob *job;

  cj.cleanup = &cleanup;
  cj.target = gco_launch_job (targets, target_with_cleanup_body, &cleanup, NULL);
  job = run_body (scope, cancel_and_join_body, &cj);

  /* It returned only after the target's suspending cleanup, and its
   * child's, finished. */
  g_assert_true (cj.ok);
  g_assert_no_error (cj.error);
  g_assert_true (cj.cleanup_done_at_return);
  g_assert_true (cj.child_cleanup_done_at_return);
  g_assert_true (cj.target_completed_at_return);
  g_assert_true (cleanup.cleanup_was_active);
  g_assert_cmpuint (cleanup.cleanup_steps, ==, 2);
  g_assert_cmpint (gco_job_get_state (cj.target), ==, GCO_JOB_STATE_CANCELLED);

  /* The target's cancellation did not touch its scope. */
  g_assert_true (gco_scope_is_active (targets));

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (cj.target);
  finish_scope (scope, FALSE);
  finish_scope (targets, FALSE);
}

/* gco_join_all */

typedef struct
{
  GcoJob   **jobs;
  guint      n;
  gboolean   ok;
  gboolean   empty_ok;
  gboolean   all_completed;
  GError    *error;
} JoinAll;

static gboolean
join_all_body (gpointer   user_data,
               GError   **error)
{
  JoinAll *ja = user_data;

  ja->empty_ok = gco_join_all (NULL, 0, error);
  ja->ok = gco_join_all (ja->jobs, ja->n, &ja->error);
  ja->all_completed = TRUE;
  for (guint i = 0; i < ja->n; i++)
    ja->all_completed &= gco_job_is_completed (ja->jobs[i]);

  return TRUE;
}

static void
test_join_all (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *targets = gco_scope_new (NULL, NULL);
  GcoJob *jobs[3];
  JoinAll ja = { NULL, };
  GcoJob *job;

  jobs[0] = gco_launch_job (targets, succeed_after_delay_body, GUINT_TO_POINTER (30), NULL);
  jobs[1] = gco_launch_job (targets, succeed_after_delay_body, GUINT_TO_POINTER (1), NULL);
  jobs[2] = gco_launch_job (targets, succeed_after_delay_body, GUINT_TO_POINTER (15), NULL);
  ja.jobs = jobs;
  ja.n = 3;

  job = run_body (scope, join_all_body, &ja);
  g_assert_true (ja.empty_ok);
  g_assert_true (ja.ok);
  g_assert_no_error (ja.error);
  g_assert_true (ja.all_completed);

  gco_test_assert_finalize_job (job);
  for (guint i = 0; i < 3; i++)
    gco_test_assert_finalize_job (jobs[i]);
  finish_scope (scope, FALSE);
  finish_scope (targets, FALSE);
}

/* gco_deferred_await */

static gpointer
string_after_delay (gpointer   user_data,
                    GError   **error)
{
  if (!gco_delay (5, error))
    return NULL;

  return g_strdup (user_data);
}

static gpointer
fail_value_body (gpointer   user_data,
                 GError   **error)
{
  if (!gco_delay (5, error))
    return NULL;

  g_set_error_literal (error, TEST_ERROR, TEST_ERROR_BOOM, "no value");
  return NULL;
}

static gpointer
await_cancellation_value_body (gpointer   user_data,
                               GError   **error)
{
  gco_await_cancellation (error);
  return NULL;
}

static gboolean
complete_deferred_body (gpointer   user_data,
                        GError   **error)
{
  if (!gco_delay (5, error))
    return FALSE;

  gco_deferred_complete (user_data, g_strdup ("completed"), g_free);
  return TRUE;
}

typedef struct
{
  GcoDeferred *value;
  GcoDeferred *completable;
  GcoDeferred *failing;
  GcoDeferred *cancelled;

  char        *got_value;
  char        *got_completable;
  GError      *failing_error;
  GError      *cancelled_error;
  gboolean     active_after_failure;
} Awaits;

static gboolean
awaits_body (gpointer   user_data,
             GError   **error)
{
  Awaits *aw = user_data;
  GError *local = NULL;

  aw->got_value = gco_deferred_await (aw->value, &local);
  g_assert_no_error (local);
  aw->got_completable = gco_deferred_await (aw->completable, &local);
  g_assert_no_error (local);

  g_assert_null (gco_deferred_await (aw->failing, &aw->failing_error));
  aw->active_after_failure = gco_is_active ();

  gco_job_cancel (GCO_JOB (aw->cancelled));
  g_assert_null (gco_deferred_await (aw->cancelled, &aw->cancelled_error));

  return TRUE;
}

static void
test_deferred_await (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *values = gco_scope_new (gco_supervisor_job_new (NULL), NULL);
  Awaits aw = { NULL, };
  GcoJob *completer, *job;

  gco_job_unref (gco_scope_get_job (values));
  aw.value = gco_async (values, string_after_delay, (gpointer) "value", NULL, g_free);
  aw.completable = gco_deferred_new (NULL);
  aw.failing = gco_async (values, fail_value_body, NULL, NULL, g_free);
  aw.cancelled = gco_async (values, await_cancellation_value_body, NULL, NULL, g_free);
  completer = gco_launch_job (values, complete_deferred_body, aw.completable, NULL);

  job = run_body (scope, awaits_body, &aw);
  g_assert_null (gco_job_get_error (job));

  g_assert_cmpstr (aw.got_value, ==, "value");
  g_assert_true (aw.got_value == gco_deferred_get_value (aw.value));
  g_assert_cmpstr (aw.got_completable, ==, "completed");

  /* A failed deferred delivers its failure; the awaiter is not cancelled. */
  g_assert_error (aw.failing_error, TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_true (aw.active_after_failure);

  /* A cancelled one delivers the cancellation. */
  g_assert_error (aw.cancelled_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* async failures are held for the awaiters, never handed to a handler;
   * the default one would have logged a fatal warning. */
  g_clear_error (&aw.failing_error);
  g_clear_error (&aw.cancelled_error);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (completer);
  gco_test_assert_finalize_job (GCO_JOB (aw.value));
  gco_test_assert_finalize_job (GCO_JOB (aw.completable));
  gco_test_assert_finalize_job (GCO_JOB (aw.failing));
  gco_test_assert_finalize_job (GCO_JOB (aw.cancelled));
  finish_scope (scope, FALSE);
  finish_scope (values, FALSE);
}

/* gco_await_all */

typedef struct
{
  GcoDeferred **deferreds;
  guint         n;
  gboolean      ok;
  GError       *error;
  gboolean      slow_completed_at_return;
} AwaitAll;

static gboolean
await_all_body (gpointer   user_data,
                GError   **error)
{
  AwaitAll *aa = user_data;

  aa->ok = gco_await_all (aa->deferreds, aa->n, &aa->error);
  aa->slow_completed_at_return = gco_job_is_completed (GCO_JOB (aa->deferreds[0]));

  return TRUE;
}

static void
test_await_all (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *values = gco_scope_new (gco_supervisor_job_new (NULL), NULL);
  GcoDeferred *deferreds[3];
  AwaitAll aa = { NULL, };
  GcoJob *job;

  gco_job_unref (gco_scope_get_job (values));
  deferreds[0] = gco_async (values, string_after_delay, (gpointer) "a", NULL, g_free);
  deferreds[1] = gco_async (values, string_after_delay, (gpointer) "b", NULL, g_free);
  deferreds[2] = gco_async (values, string_after_delay, (gpointer) "c", NULL, g_free);
  aa.deferreds = deferreds;
  aa.n = 3;

  job = run_body (scope, await_all_body, &aa);
  g_assert_true (aa.ok);
  g_assert_no_error (aa.error);
  g_assert_cmpstr (gco_deferred_get_value (deferreds[0]), ==, "a");
  g_assert_cmpstr (gco_deferred_get_value (deferreds[1]), ==, "b");
  g_assert_cmpstr (gco_deferred_get_value (deferreds[2]), ==, "c");

  gco_test_assert_finalize_job (job);
  for (guint i = 0; i < 3; i++)
    gco_test_assert_finalize_job (GCO_JOB (deferreds[i]));
  finish_scope (scope, FALSE);
  finish_scope (values, FALSE);
}

static void
test_await_all_fail_fast (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *values = gco_scope_new (gco_supervisor_job_new (NULL), NULL);
  GcoDeferred *deferreds[3];
  AwaitAll aa = { NULL, };
  GcoJob *job;

  gco_job_unref (gco_scope_get_job (values));
  deferreds[0] = gco_async (values, await_cancellation_value_body, NULL, NULL, g_free);
  deferreds[1] = gco_async (values, string_after_delay, (gpointer) "b", NULL, g_free);
  deferreds[2] = gco_async (values, fail_value_body, NULL, NULL, g_free);
  aa.deferreds = deferreds;
  aa.n = 3;

  /* The first failure returns at once; the slow one still runs. */
  job = run_body (scope, await_all_body, &aa);
  g_assert_false (aa.ok);
  g_assert_error (aa.error, TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_false (aa.slow_completed_at_return);
  g_assert_true (gco_job_is_active (GCO_JOB (deferreds[0])));

  g_clear_error (&aa.error);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
  finish_scope (values, TRUE);
  for (guint i = 0; i < 3; i++)
    gco_test_assert_finalize_job (GCO_JOB (deferreds[i]));
}

/* gco_coroutine_scope */

typedef struct
{
  gboolean  child1_done;
  gboolean  child2_done;
  gboolean  sibling_cancelled;
  gboolean  sibling_cleanup_done;
  gboolean  ok;
  gboolean  done_at_return;
  gboolean  active_after;
  gboolean  block_failure;
  GError   *error;
  Caught   *caught;
} Scoped;

static gboolean
set_flag_after_delay_body (gpointer   user_data,
                           GError   **error)
{
  gboolean *flag = user_data;

  if (!gco_delay (10, error))
    return FALSE;
  *flag = TRUE;

  return TRUE;
}

static gboolean
sibling_body (gpointer   user_data,
              GError   **error)
{
  Scoped *scoped = user_data;

  if (gco_await_cancellation (error))
    return TRUE;
  scoped->sibling_cancelled = TRUE;
  gco_non_cancellable (set_flag_after_delay_body, &scoped->sibling_cleanup_done, NULL);

  return FALSE;
}

static gboolean
two_children_block (gpointer   user_data,
                    GError   **error)
{
  Scoped *scoped = user_data;
  GcoScope *here = gco_scope_get_current ();

  gco_launch (here, set_flag_after_delay_body, &scoped->child1_done, NULL);
  gco_launch (here, set_flag_after_delay_body, &scoped->child2_done, NULL);

  return TRUE;
}

static gboolean
failing_child_block (gpointer   user_data,
                     GError   **error)
{
  Scoped *scoped = user_data;
  GcoScope *here = gco_scope_get_current ();

  gco_launch (here, sibling_body, scoped, NULL);
  gco_launch (here, fail_after_delay_body, GUINT_TO_POINTER (5), NULL);

  if (scoped->block_failure)
    {
      /* Let the children start, then fail first. */
      if (!gco_yield (error))
        return FALSE;
      g_set_error_literal (error, TEST_ERROR, TEST_ERROR_OTHER, "block failed");
      return FALSE;
    }

  return TRUE;
}

static gboolean
coroutine_scope_body (gpointer   user_data,
                      GError   **error)
{
  Scoped *scoped = user_data;

  scoped->ok = gco_coroutine_scope (two_children_block, scoped, &scoped->error);
  scoped->done_at_return = scoped->child1_done && scoped->child2_done;
  scoped->active_after = gco_is_active ();

  return TRUE;
}

static gboolean
coroutine_scope_fail_body (gpointer   user_data,
                           GError   **error)
{
  Scoped *scoped = user_data;

  scoped->ok = gco_coroutine_scope (failing_child_block, scoped, &scoped->error);
  scoped->done_at_return = scoped->sibling_cleanup_done;
  scoped->active_after = gco_is_active ();

  return TRUE;
}

static void
test_coroutine_scope (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  Scoped scoped = { 0, };
  GcoJob *job = run_body (scope, coroutine_scope_body, &scoped);

  /* It returned after both children completed. */
  g_assert_true (scoped.ok);
  g_assert_no_error (scoped.error);
  g_assert_true (scoped.done_at_return);
  g_assert_true (scoped.active_after);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpuint (caught.count, ==, 0);

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
test_coroutine_scope_failure (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  Scoped scoped = { 0, };
  GcoJob *job = run_body (scope, coroutine_scope_fail_body, &scoped);

  /* The child's failure cancelled its sibling, waited for its cleanup, and
   * came back as a value: the caller is not cancelled, nothing was
   * reported to the handler. */
  g_assert_false (scoped.ok);
  g_assert_error (scoped.error, TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_true (scoped.sibling_cancelled);
  g_assert_true (scoped.done_at_return);
  g_assert_true (scoped.active_after);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (caught.count, ==, 0);
  g_assert_true (gco_scope_is_active (scope));

  g_clear_error (&scoped.error);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
test_coroutine_scope_block_failure (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  Scoped scoped = { 0, };
  GcoJob *job;

  /* The block fails first: its failure wins, its children are cancelled. */
  scoped.block_failure = TRUE;
  job = run_body (scope, coroutine_scope_fail_body, &scoped);

  g_assert_false (scoped.ok);
  g_assert_error (scoped.error, TEST_ERROR, TEST_ERROR_OTHER);
  g_assert_true (scoped.sibling_cancelled);
  g_assert_true (scoped.done_at_return);
  g_assert_true (scoped.active_after);
  g_assert_cmpuint (caught.count, ==, 0);

  g_clear_error (&scoped.error);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* gco_supervisor_scope */

static gboolean
supervisor_scope_body (gpointer   user_data,
                       GError   **error)
{
  Scoped *scoped = user_data;

  scoped->ok = gco_supervisor_scope (failing_child_block, scoped, &scoped->error);
  scoped->active_after = gco_is_active ();

  return TRUE;
}

static gboolean
supervisor_failing_child_block (gpointer   user_data,
                                GError   **error)
{
  Scoped *scoped = user_data;
  GcoScope *here = gco_scope_get_current ();

  gco_launch (here, set_flag_after_delay_body, &scoped->child1_done, NULL);
  gco_launch (here, fail_after_delay_body, GUINT_TO_POINTER (1), NULL);

  return TRUE;
}

static gboolean
supervisor_scope_children_body (gpointer   user_data,
                                GError   **error)
{
  Scoped *scoped = user_data;

  scoped->ok = gco_supervisor_scope (supervisor_failing_child_block, scoped, &scoped->error);
  scoped->done_at_return = scoped->child1_done;
  scoped->active_after = gco_is_active ();

  return TRUE;
}

static void
test_supervisor_scope (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  Scoped scoped = { 0, };
  GcoJob *job = run_body (scope, supervisor_scope_children_body, &scoped);

  /* The failed child went to the handler; its sibling completed; the block
   * succeeded. */
  g_assert_true (scoped.ok);
  g_assert_no_error (scoped.error);
  g_assert_true (scoped.done_at_return);
  g_assert_true (scoped.active_after);
  g_assert_cmpuint (caught.count, ==, 1);
  g_assert_error (caught.first, TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_null (gco_job_get_error (job));
  g_assert_true (gco_scope_is_active (scope));

  g_clear_error (&caught.first);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
test_supervisor_scope_block_failure (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  Scoped scoped = { 0, };
  GcoJob *job;

  /* The block's own failure is returned and cancels the children. */
  scoped.block_failure = TRUE;
  job = run_body (scope, supervisor_scope_body, &scoped);

  g_assert_false (scoped.ok);
  g_assert_error (scoped.error, TEST_ERROR, TEST_ERROR_OTHER);
  g_assert_true (scoped.sibling_cancelled);
  g_assert_true (scoped.active_after);
  g_assert_true (gco_scope_is_active (scope));

  g_clear_error (&scoped.error);
  g_clear_error (&caught.first);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* Nested coroutine scopes */

typedef struct
{
  gboolean  catch_inner;
  GError   *inner_error;
  gboolean  continued;
  gboolean  ok;
  GError   *error;
  gboolean  sibling_cancelled;
  gboolean  active_after;
} NestedScopes;

static gboolean
inner_block (gpointer   user_data,
             GError   **error)
{
  GcoScope *here = gco_scope_get_current ();

  gco_launch (here, just_await_cancellation_body, NULL, NULL);
  gco_launch (here, fail_after_delay_body, GUINT_TO_POINTER (1), NULL);

  return TRUE;
}

static gboolean
outer_block (gpointer   user_data,
             GError   **error)
{
  NestedScopes *ns = user_data;
  GError *local = NULL;

  if (gco_coroutine_scope (inner_block, ns, &local))
    return TRUE;

  ns->inner_error = g_error_copy (local);
  if (!ns->catch_inner)
    {
      g_propagate_error (error, local);
      return FALSE;
    }

  /* Caught: the outer block goes on, and may still suspend. */
  g_clear_error (&local);
  if (!gco_delay (1, error))
    return FALSE;
  ns->continued = TRUE;

  return TRUE;
}

static gboolean
nested_scopes_body (gpointer   user_data,
                    GError   **error)
{
  NestedScopes *ns = user_data;

  ns->ok = gco_coroutine_scope (outer_block, ns, &ns->error);
  ns->active_after = gco_is_active ();

  return TRUE;
}

static void
test_coroutine_scope_nested_catch (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  NestedScopes ns = { 0, };
  GcoJob *job;

  ns.catch_inner = TRUE;
  job = run_body (scope, nested_scopes_body, &ns);

  g_assert_error (ns.inner_error, TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_true (ns.continued);
  g_assert_true (ns.ok);
  g_assert_no_error (ns.error);
  g_assert_true (ns.active_after);
  g_assert_cmpuint (caught.count, ==, 0);
  g_assert_null (gco_job_get_error (job));

  g_clear_error (&ns.inner_error);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
test_coroutine_scope_nested_propagate (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  NestedScopes ns = { 0, };
  GcoJob *job;

  ns.catch_inner = FALSE;
  job = run_body (scope, nested_scopes_body, &ns);

  g_assert_error (ns.inner_error, TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_false (ns.continued);
  g_assert_false (ns.ok);
  g_assert_error (ns.error, TEST_ERROR, TEST_ERROR_BOOM);
  g_assert_true (ns.active_after);
  g_assert_cmpuint (caught.count, ==, 0);

  g_clear_error (&ns.inner_error);
  g_clear_error (&ns.error);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* gco_with_timeout */

typedef enum {
  BLOCK_DELAY_SHORT,      /* completes in time */
  BLOCK_PROPAGATE,        /* waits, returns the cancellation */
  BLOCK_SWALLOW,          /* waits, swallows the cancellation */
  BLOCK_CONVERT,          /* waits, turns the cancellation into another error */
  BLOCK_CHILD,            /* a child waits; its cleanup suspends */
  BLOCK_INNER_TIMEOUT,    /* a long inner timeout around a wait */
} BlockKind;

typedef struct
{
  BlockKind  kind;
  guint      msec;
  gboolean   block_ran;
  GError    *block_saw;
  gboolean   ok;
  GError    *error;
  gboolean   inner_ok;
  GError    *inner_error;
  gboolean   active_after;
  gboolean   after_ok;
  gboolean   child_cleanup_done;
  gboolean   child_cleanup_done_at_return;
  Scoped     scoped;
} Timeout;

static gboolean
waiting_block (gpointer   user_data,
               GError   **error)
{
  Timeout *timeout = user_data;

  timeout->block_ran = TRUE;
  gco_await_cancellation (&timeout->block_saw);
  g_propagate_error (error, g_error_copy (timeout->block_saw));

  return FALSE;
}

static gboolean
child_cleanup_body (gpointer   user_data,
                    GError   **error)
{
  Timeout *timeout = user_data;
  GError *local = NULL;

  gco_await_cancellation (&local);
  gco_non_cancellable (set_flag_after_delay_body, &timeout->child_cleanup_done, NULL);
  g_propagate_error (error, local);

  return FALSE;
}

static gboolean
timeout_block (gpointer   user_data,
               GError   **error)
{
  Timeout *timeout = user_data;

  timeout->block_ran = TRUE;
  switch (timeout->kind)
    {
    case BLOCK_DELAY_SHORT:
      return gco_delay (1, error);

    case BLOCK_PROPAGATE:
      gco_await_cancellation (&timeout->block_saw);
      g_propagate_error (error, g_error_copy (timeout->block_saw));
      return FALSE;

    case BLOCK_SWALLOW:
      gco_await_cancellation (&timeout->block_saw);
      return TRUE;

    case BLOCK_CONVERT:
      gco_await_cancellation (&timeout->block_saw);
      g_set_error_literal (error, TEST_ERROR, TEST_ERROR_OTHER, "gave up");
      return FALSE;

    case BLOCK_CHILD:
      gco_launch (gco_scope_get_current (), child_cleanup_body, timeout, NULL);
      return TRUE;

    case BLOCK_INNER_TIMEOUT:
      timeout->inner_ok = gco_with_timeout (60000, waiting_block, timeout, &timeout->inner_error);
      if (!timeout->inner_ok)
        g_propagate_error (error, g_error_copy (timeout->inner_error));
      return timeout->inner_ok;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
with_timeout_body (gpointer   user_data,
                   GError   **error)
{
  Timeout *timeout = user_data;

  timeout->ok = gco_with_timeout (timeout->msec, timeout_block, timeout, &timeout->error);
  timeout->child_cleanup_done_at_return = timeout->child_cleanup_done;
  timeout->active_after = gco_is_active ();
  timeout->after_ok = gco_delay (1, NULL);

  return TRUE;
}

static void
run_timeout (Timeout *timeout)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  GcoJob *job = run_body (scope, with_timeout_body, timeout);

  /* Whatever the block did, the caller is not cancelled nor failed. */
  g_assert_true (timeout->block_ran);
  g_assert_true (timeout->active_after);
  g_assert_true (timeout->after_ok);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpuint (caught.count, ==, 0);

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
timeout_clear (Timeout *timeout)
{
  g_clear_error (&timeout->block_saw);
  g_clear_error (&timeout->error);
  g_clear_error (&timeout->inner_error);
}

static void
test_with_timeout_in_time (void)
{
  Timeout timeout = { BLOCK_DELAY_SHORT, 60000, };

  run_timeout (&timeout);
  g_assert_true (timeout.ok);
  g_assert_no_error (timeout.error);
  timeout_clear (&timeout);
}

static void
test_with_timeout_timed_out (void)
{
  Timeout timeout = { BLOCK_PROPAGATE, 10, };

  run_timeout (&timeout);
  g_assert_false (timeout.ok);
  g_assert_error (timeout.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (timeout.block_saw, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  timeout_clear (&timeout);
}

static void
test_with_timeout_swallowed (void)
{
  Timeout timeout = { BLOCK_SWALLOW, 10, };

  run_timeout (&timeout);
  g_assert_false (timeout.ok);
  g_assert_error (timeout.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (timeout.block_saw, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  timeout_clear (&timeout);
}

static void
test_with_timeout_converted (void)
{
  Timeout timeout = { BLOCK_CONVERT, 10, };

  run_timeout (&timeout);
  g_assert_false (timeout.ok);
  g_assert_error (timeout.error, TEST_ERROR, TEST_ERROR_OTHER);
  g_assert_error (timeout.block_saw, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  timeout_clear (&timeout);
}

static void
test_with_timeout_children (void)
{
  Timeout timeout = { BLOCK_CHILD, 10, };

  /* The timeout returns after the block's child finished its cleanup. */
  run_timeout (&timeout);
  g_assert_false (timeout.ok);
  g_assert_error (timeout.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (timeout.child_cleanup_done_at_return);
  timeout_clear (&timeout);
}

static void
test_with_timeout_nested (void)
{
  Timeout timeout = { BLOCK_INNER_TIMEOUT, 10, };

  /* The outer deadline interrupts the inner timeout: the inner one returns
   * a plain cancellation, only the outer one a timeout. */
  run_timeout (&timeout);
  g_assert_false (timeout.inner_ok);
  g_assert_error (timeout.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (timeout.ok);
  g_assert_error (timeout.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  timeout_clear (&timeout);
}

/* gco_non_cancellable */

typedef struct
{
  GcoJob   *gate;
  gboolean  entered;
  gboolean  resumed;
  gboolean  block_active;
  gboolean  join_ok;
  gboolean  delay_ok;
  gboolean  yield_ok;
  gboolean  ok;
  GError   *error;
  gboolean  active_after;
  gboolean  ensure_after;
  gboolean  fail;
} NonCancellable;

static gboolean
cleanup_block (gpointer   user_data,
               GError   **error)
{
  NonCancellable *nc = user_data;

  nc->entered = TRUE;
  nc->join_ok = gco_job_join (nc->gate, NULL);
  nc->resumed = TRUE;
  nc->block_active = gco_is_active ();
  nc->delay_ok = gco_delay (5, NULL);
  nc->yield_ok = gco_yield (NULL);

  if (nc->fail)
    {
      g_set_error_literal (error, TEST_ERROR, TEST_ERROR_OTHER, "cleanup failed");
      return FALSE;
    }

  return TRUE;
}

static gboolean
non_cancellable_body (gpointer   user_data,
                      GError   **error)
{
  NonCancellable *nc = user_data;

  nc->ok = gco_non_cancellable (cleanup_block, nc, &nc->error);
  nc->active_after = gco_is_active ();
  nc->ensure_after = gco_ensure_active (NULL);

  return TRUE;
}

static void
run_non_cancellable (NonCancellable *nc)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job;

  nc->gate = gco_job_new (NULL);
  job = gco_launch_job (scope, non_cancellable_body, nc, NULL);
  gco_test_run_until (NULL, &nc->entered);

  /* Cancel the coroutine while its block waits: nothing inside resumes. */
  gco_job_cancel (job);
  gco_test_run_for (NULL, 20);
  g_assert_false (nc->resumed);
  g_assert_false (gco_job_is_completed (job));

  gco_job_complete (nc->gate);
  gco_test_run_until_job (NULL, job);

  /* Inside, nothing was cancelled; after, the caller is. */
  g_assert_true (nc->join_ok);
  g_assert_true (nc->block_active);
  g_assert_true (nc->delay_ok);
  g_assert_true (nc->yield_ok);
  g_assert_false (nc->active_after);
  g_assert_false (nc->ensure_after);
  g_assert_true (gco_job_is_cancelled (job));

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (nc->gate);
  finish_scope (scope, FALSE);
}

static void
test_non_cancellable (void)
{
  NonCancellable nc = { NULL, };

  run_non_cancellable (&nc);
  g_assert_true (nc.ok);
  g_assert_no_error (nc.error);
}

static void
test_non_cancellable_failure (void)
{
  NonCancellable nc = { NULL, };

  nc.fail = TRUE;
  run_non_cancellable (&nc);

  /* Its block's result, even though the caller was cancelled meanwhile. */
  g_assert_false (nc.ok);
  g_assert_error (nc.error, TEST_ERROR, TEST_ERROR_OTHER);
  g_clear_error (&nc.error);
}

/* gco_with_dispatcher */

typedef struct
{
  GcoDispatcher *dispatcher;
  GThread       *block_thread;
  GThread       *block_thread_after_delay;
  GThread       *caller_thread_before;
  GThread       *caller_thread_after;
  gboolean       delay_ok;
  gboolean       fail;
  gboolean       ok;
  GError        *error;
  gboolean       active_after;
} Switch;

static gboolean
switch_block (gpointer   user_data,
              GError   **error)
{
  Switch *sw = user_data;

  sw->block_thread = g_thread_self ();
  sw->delay_ok = gco_delay (2, error);
  sw->block_thread_after_delay = g_thread_self ();
  if (!sw->delay_ok)
    return FALSE;

  if (sw->fail)
    {
      g_set_error_literal (error, TEST_ERROR, TEST_ERROR_BOOM, "failed on the worker");
      return FALSE;
    }

  return TRUE;
}

static gboolean
with_dispatcher_body (gpointer   user_data,
                      GError   **error)
{
  Switch *sw = user_data;

  sw->caller_thread_before = g_thread_self ();
  sw->ok = gco_with_dispatcher (sw->dispatcher, switch_block, sw, &sw->error);
  sw->caller_thread_after = g_thread_self ();
  sw->active_after = gco_is_active ();

  return TRUE;
}

static void
run_with_dispatcher (gboolean fail)
{
  Caught caught = { 0, };
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  Switch sw = { NULL, };
  GcoJob *job;

  sw.dispatcher = worker->dispatcher;
  sw.fail = fail;
  job = run_body (scope, with_dispatcher_body, &sw);

  /* The block ran on the worker; the caller resumed on its own thread. */
  g_assert_true (sw.block_thread == worker->thread);
  g_assert_true (sw.block_thread_after_delay == worker->thread);
  g_assert_true (sw.caller_thread_before == g_thread_self ());
  g_assert_true (sw.caller_thread_after == g_thread_self ());
  g_assert_true (sw.delay_ok);
  g_assert_true (sw.active_after);
  g_assert_cmpuint (caught.count, ==, 0);
  g_assert_null (gco_job_get_error (job));

  if (fail)
    {
      g_assert_false (sw.ok);
      g_assert_error (sw.error, TEST_ERROR, TEST_ERROR_BOOM);
    }
  else
    {
      g_assert_true (sw.ok);
      g_assert_no_error (sw.error);
    }

  g_clear_error (&sw.error);
  gco_test_worker_free (worker);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
test_with_dispatcher (void)
{
  run_with_dispatcher (FALSE);
}

static void
test_with_dispatcher_failure (void)
{
  run_with_dispatcher (TRUE);
}

static void
test_with_dispatcher_same (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Switch sw = { NULL, };
  GcoJob *job;

  sw.dispatcher = gco_scope_get_dispatcher (scope);
  job = run_body (scope, with_dispatcher_body, &sw);

  g_assert_true (sw.ok);
  g_assert_true (sw.block_thread == g_thread_self ());
  g_assert_true (sw.caller_thread_after == g_thread_self ());

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* Launching into a cancelled scope (rule 8) */

typedef struct
{
  guint runs;
  guint destroys;
} Counter;

static gboolean
count_body (gpointer   user_data,
            GError   **error)
{
  ((Counter *) user_data)->runs++;
  return TRUE;
}

static gpointer
count_value_body (gpointer   user_data,
                  GError   **error)
{
  ((Counter *) user_data)->runs++;
  return NULL;
}

static void
counter_destroy (gpointer data)
{
  ((Counter *) data)->destroys++;
}

static gboolean
launch_after_self_cancel_body (gpointer   user_data,
                               GError   **error)
{
  Counter *counter = user_data;
  GcoJob *child;

  gco_job_cancel (gco_job_get_current ());
  child = gco_launch_job (gco_scope_get_current (), count_body, counter, counter_destroy);
  g_assert_true (gco_job_is_cancelled (child));
  gco_job_unref (child);

  return TRUE;
}

static void
test_launch_into_cancelled_scope (void)
{
  Caught caught = { 0, };
  GcoScope *scope = scope_new_caught (FALSE, &caught);
  GcoScope *completed = scope_new_caught (FALSE, &caught);
  GcoScope *other = scope_new_caught (FALSE, &caught);
  Counter counter = { 0, }, done_counter = { 0, }, inner = { 0, };
  GcoDeferred *deferred;
  GcoJob *job, *late, *parent;

  gco_scope_cancel (scope);
  job = gco_launch_job (scope, count_body, &counter, counter_destroy);
  deferred = gco_async (scope, count_value_body, &counter, counter_destroy, NULL);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_true (gco_job_is_cancelled (GCO_JOB (deferred)));

  /* A completed scope too. */
  gco_job_complete (gco_scope_get_job (completed));
  g_assert_true (gco_job_is_completed (gco_scope_get_job (completed)));
  late = gco_launch_job (completed, count_body, &done_counter, counter_destroy);
  g_assert_true (gco_job_is_cancelled (late));

  /* From a coroutine into its own cancelled scope. */
  parent = run_body (other, launch_after_self_cancel_body, &inner);

  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, GCO_JOB (deferred));
  gco_test_run_until_job (NULL, late);
  gco_test_run_for (NULL, 20);

  /* Never ran, released its data once, and nothing was reported. */
  g_assert_cmpuint (counter.runs, ==, 0);
  g_assert_cmpuint (counter.destroys, ==, 2);
  g_assert_cmpuint (done_counter.runs, ==, 0);
  g_assert_cmpuint (done_counter.destroys, ==, 1);
  g_assert_cmpuint (inner.runs, ==, 0);
  g_assert_cmpuint (inner.destroys, ==, 1);
  g_assert_cmpuint (caught.count, ==, 0);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (gco_job_get_error (late), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  gco_test_assert_finalize_job (late);
  gco_test_assert_finalize_job (parent);
  finish_scope (scope, TRUE);
  gco_scope_unref (completed);
  finish_scope (other, FALSE);
}

/* Prompt cancellation (rule 7), for each call */

static void
test_prompt_delay (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call expired = { 0, }, pending = { 0, };
  GcoJob *job1, *job2;

  expired.msec = 2;
  pending.msec = 60000;
  job1 = gco_launch_job (scope, delay_body, &expired, NULL);
  job2 = gco_launch_job (scope, delay_body, &pending, NULL);
  gco_test_run_until (NULL, &expired.entered);
  gco_test_run_until (NULL, &pending.entered);

  /* The first delay's deadline passes, but its coroutine is cancelled
   * before it resumes; the second is far from its deadline. */
  g_usleep (20 * 1000);
  gco_job_cancel (job1);
  gco_job_cancel (job2);
  gco_test_run_until_job (NULL, job1);
  gco_test_run_until_job (NULL, job2);

  g_assert_false (expired.ok);
  g_assert_error (expired.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (pending.ok);
  g_assert_error (pending.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  call_clear (&expired);
  call_clear (&pending);
  gco_test_assert_finalize_job (job1);
  gco_test_assert_finalize_job (job2);
  finish_scope (scope, FALSE);
}

static gboolean
cancelled_calls_body (gpointer   user_data,
                      GError   **error)
{
  GError *local = NULL;

  gco_job_cancel (gco_job_get_current ());

  g_assert_false (gco_delay (0, &local));
  g_assert_error (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local);

  g_assert_false (gco_delay (10, &local));
  g_assert_error (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local);

  g_assert_false (gco_yield (&local));
  g_assert_error (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local);

  g_assert_false (gco_await_cancellation (&local));
  g_assert_error (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local);

  g_assert_false (gco_ensure_active (&local));
  g_assert_error (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local);

  g_assert_false (gco_join_all (NULL, 0, &local));
  g_assert_error (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local);

  g_assert_false (gco_await_all (NULL, 0, &local));
  g_assert_error (local, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&local);

  *(gboolean *) user_data = TRUE;

  return TRUE;
}

static void
test_prompt_already_cancelled (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  gboolean reached = FALSE;
  GcoJob *job = run_body (scope, cancelled_calls_body, &reached);

  g_assert_true (reached);
  g_assert_true (gco_job_is_cancelled (job));

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static gboolean
yield_call_body (gpointer   user_data,
                 GError   **error)
{
  Call *call = user_data;

  call->entered = TRUE;
  call->ok = gco_yield (&call->error);
  call->returned = TRUE;

  return TRUE;
}

static void
test_prompt_yield (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call call = { 0, };
  GcoJob *job;

  /* The iteration that ran the body left it queued behind its yield. */
  job = gco_launch_job (scope, yield_call_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);
  g_assert_false (call.returned);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_false (call.ok);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
test_prompt_join (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call call = { 0, };
  GcoJob *job;

  call.target = gco_job_new (NULL);
  job = gco_launch_job (scope, join_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);
  gco_test_run_for (NULL, 10);
  g_assert_false (call.returned);

  /* The target completes and the caller is cancelled in the same instant. */
  gco_job_complete (call.target);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_false (call.ok);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (call.target);
  finish_scope (scope, FALSE);
}

static void
test_prompt_join_leaves_target (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *targets = gco_scope_new (NULL, NULL);
  Call call = { 0, };
  GcoJob *job, *target;

  target = gco_launch_job (targets, just_await_cancellation_body, NULL, NULL);
  call.target = target;
  job = gco_launch_job (scope, join_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);

  /* Rule 9: a cancelled joiner returns and leaves the target alone. */
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_false (call.ok);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gco_job_is_active (target));

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  finish_scope (targets, TRUE);
  gco_test_assert_finalize_job (target);
  finish_scope (scope, FALSE);
}

static gboolean
join_all_call_body (gpointer   user_data,
                    GError   **error)
{
  Call *call = user_data;
  GcoJob *jobs[2] = { call->target, call->target2 };

  call->entered = TRUE;
  call->ok = gco_join_all (jobs, 2, &call->error);
  call->returned = TRUE;

  return TRUE;
}

static void
test_prompt_join_all (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call call = { 0, };
  GcoJob *job;

  call.target = gco_job_new (NULL);
  call.target2 = gco_job_new (NULL);
  job = gco_launch_job (scope, join_all_call_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);

  gco_job_complete (call.target);
  gco_test_run_for (NULL, 10);
  g_assert_false (call.returned);

  gco_job_complete (call.target2);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_false (call.ok);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (call.target);
  gco_test_assert_finalize_job (call.target2);
  finish_scope (scope, FALSE);
}

typedef struct
{
  GcoJob   *gate;
  gboolean  waiting;
  gboolean  cleanup_done;
} Gated;

static gboolean
gated_cleanup_block (gpointer   user_data,
                     GError   **error)
{
  Gated *gated = user_data;

  gated->waiting = TRUE;
  if (!gco_job_join (gated->gate, error))
    return FALSE;
  gated->cleanup_done = TRUE;

  return TRUE;
}

static gboolean
gated_target_body (gpointer   user_data,
                   GError   **error)
{
  GError *local = NULL;

  gco_await_cancellation (&local);
  gco_non_cancellable (gated_cleanup_block, user_data, NULL);
  g_propagate_error (error, local);

  return FALSE;
}

static gboolean
cancel_and_join_call_body (gpointer   user_data,
                           GError   **error)
{
  Call *call = user_data;

  call->entered = TRUE;
  call->ok = gco_job_cancel_and_join (call->target, &call->error);
  call->returned = TRUE;
  call->target_completed_at_return = gco_job_is_completed (call->target);

  return TRUE;
}

static void
test_prompt_cancel_and_join (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *targets = gco_scope_new (NULL, NULL);
  Gated gated = { NULL, };
  Call call = { 0, };
  GcoJob *job, *target;

  gated.gate = gco_job_new (NULL);
  target = gco_launch_job (targets, gated_target_body, &gated, NULL);
  call.target = target;
  job = gco_launch_job (scope, cancel_and_join_call_body, &call, NULL);
  gco_test_run_until (NULL, &gated.waiting);
  g_assert_false (call.returned);

  /* The caller is cancelled while the target unwinds: it returns at once,
   * and the target goes on unwinding. */
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_false (call.ok);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (call.target_completed_at_return);
  g_assert_false (gated.cleanup_done);
  g_assert_true (gco_job_is_cancelled (target));

  gco_job_complete (gated.gate);
  gco_test_run_until_job (NULL, target);
  g_assert_true (gated.cleanup_done);

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (target);
  gco_test_assert_finalize_job (gated.gate);
  finish_scope (scope, FALSE);
  finish_scope (targets, FALSE);
}

static gboolean
await_call_body (gpointer   user_data,
                 GError   **error)
{
  Call *call = user_data;

  call->entered = TRUE;
  call->value = gco_deferred_await (call->deferred, &call->error);
  call->returned = TRUE;

  return TRUE;
}

static void
test_prompt_deferred_await (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call call = { 0, };
  GcoJob *job;

  call.deferred = gco_deferred_new (NULL);
  job = gco_launch_job (scope, await_call_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);

  /* The value comes and the caller is cancelled in the same instant. */
  gco_deferred_complete (call.deferred, g_strdup ("late"), g_free);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_null (call.value);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (call.deferred));
  finish_scope (scope, FALSE);
}

static void
test_prompt_deferred_await_failure (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GError *failure = g_error_new_literal (TEST_ERROR, TEST_ERROR_BOOM, "failed");
  Call call = { 0, };
  GcoJob *job;

  call.deferred = gco_deferred_new (NULL);
  job = gco_launch_job (scope, await_call_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);

  /* A failure is never hidden by the caller's cancellation. */
  gco_deferred_complete_with_error (call.deferred, failure);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_null (call.value);
  g_assert_error (call.error, TEST_ERROR, TEST_ERROR_BOOM);

  g_error_free (failure);
  call_clear (&call);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (call.deferred));
  finish_scope (scope, FALSE);
}

static gboolean
await_all_call_body (gpointer   user_data,
                     GError   **error)
{
  Call *call = user_data;
  GcoDeferred *deferreds[2] = { call->deferred, call->deferred2 };

  call->entered = TRUE;
  call->ok = gco_await_all (deferreds, 2, &call->error);
  call->returned = TRUE;

  return TRUE;
}

static void
test_prompt_await_all (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Call call = { 0, };
  GcoJob *job;

  call.deferred = gco_deferred_new (NULL);
  call.deferred2 = gco_deferred_new (NULL);
  job = gco_launch_job (scope, await_all_call_body, &call, NULL);
  gco_test_run_until (NULL, &call.entered);

  gco_deferred_complete (call.deferred, g_strdup ("a"), g_free);
  gco_deferred_complete (call.deferred2, g_strdup ("b"), g_free);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_false (call.ok);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  call_clear (&call);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (call.deferred));
  gco_test_assert_finalize_job (GCO_JOB (call.deferred2));
  finish_scope (scope, FALSE);
}

/* Scoped builders called from a cancelled coroutine: the block still runs,
 * already cancelled, and the call returns the cancellation. */

typedef struct
{
  gboolean  block_ran;
  gboolean  block_active;
  gboolean  coroutine_ok;
  GError   *coroutine_error;
  gboolean  supervisor_ran;
  gboolean  supervisor_ok;
  GError   *supervisor_error;
  gboolean  timeout_ran;
  gboolean  timeout_ok;
  GError   *timeout_error;
  gboolean  dispatcher_ok;
  GError   *dispatcher_error;
  gboolean  nc_active;
  gboolean  nc_ok;
  GcoDispatcher *other;
} Builders;

static gboolean
record_block (gpointer   user_data,
              GError   **error)
{
  gboolean *ran = user_data;

  ran[0] = TRUE;
  ran[1] = gco_is_active ();
  return TRUE;
}

static gboolean
cancelled_builders_body (gpointer   user_data,
                         GError   **error)
{
  Builders *b = user_data;
  gboolean ran[2] = { FALSE, TRUE };

  gco_job_cancel (gco_job_get_current ());

  b->coroutine_ok = gco_coroutine_scope (record_block, ran, &b->coroutine_error);
  b->block_ran = ran[0];
  b->block_active = ran[1];

  ran[0] = FALSE;
  b->supervisor_ok = gco_supervisor_scope (record_block, ran, &b->supervisor_error);
  b->supervisor_ran = ran[0];

  ran[0] = FALSE;
  b->timeout_ok = gco_with_timeout (60000, record_block, ran, &b->timeout_error);
  b->timeout_ran = ran[0];

  b->dispatcher_ok = gco_with_dispatcher (b->other, record_block, ran, &b->dispatcher_error);

  ran[0] = FALSE;
  b->nc_ok = gco_non_cancellable (record_block, ran, NULL);
  b->nc_active = ran[1];

  return TRUE;
}

static void
test_prompt_scoped_builders (void)
{
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Builders b = { 0, };
  GcoJob *job;

  b.other = worker->dispatcher;
  job = run_body (scope, cancelled_builders_body, &b);

  g_assert_true (b.block_ran);
  g_assert_false (b.block_active);
  g_assert_false (b.coroutine_ok);
  g_assert_error (b.coroutine_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_true (b.supervisor_ran);
  g_assert_false (b.supervisor_ok);
  g_assert_error (b.supervisor_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Not a timeout: the caller was cancelled. */
  g_assert_true (b.timeout_ran);
  g_assert_false (b.timeout_ok);
  g_assert_error (b.timeout_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_false (b.dispatcher_ok);
  g_assert_error (b.dispatcher_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Inside a non-cancellable block, nothing is cancelled. */
  g_assert_true (b.nc_ok);
  g_assert_true (b.nc_active);

  g_clear_error (&b.coroutine_error);
  g_clear_error (&b.supervisor_error);
  g_clear_error (&b.timeout_error);
  g_clear_error (&b.dispatcher_error);
  gco_test_worker_free (worker);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* Cancelled while suspended inside a scoped builder's block. */

typedef struct
{
  guint          which;
  gboolean       entered;
  gboolean       ok;
  GError        *error;
  GError        *block_saw;
  GcoDispatcher *other;
  GThread       *block_thread;
} Inside;

static gboolean
inside_block (gpointer   user_data,
              GError   **error)
{
  Inside *inside = user_data;

  inside->block_thread = g_thread_self ();
  g_atomic_int_set (&inside->entered, TRUE);
  gco_await_cancellation (&inside->block_saw);
  g_propagate_error (error, g_error_copy (inside->block_saw));

  return FALSE;
}

static gboolean
inside_body (gpointer   user_data,
             GError   **error)
{
  Inside *inside = user_data;

  switch (inside->which)
    {
    case 0:
      inside->ok = gco_coroutine_scope (inside_block, inside, &inside->error);
      break;
    case 1:
      inside->ok = gco_supervisor_scope (inside_block, inside, &inside->error);
      break;
    case 2:
      inside->ok = gco_with_timeout (60000, inside_block, inside, &inside->error);
      break;
    case 3:
      inside->ok = gco_with_dispatcher (inside->other, inside_block, inside, &inside->error);
      break;
    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

static void
test_prompt_inside_builders (void)
{
  GcoTestWorker *worker = gco_test_worker_new (FALSE);

  for (guint which = 0; which < 4; which++)
    {
      GcoScope *scope = gco_scope_new (NULL, NULL);
      Inside inside = { which, };
      GcoJob *job;

      inside.other = worker->dispatcher;
      job = gco_launch_job (scope, inside_body, &inside, NULL);
      while (!g_atomic_int_get (&inside.entered))
        gco_test_run_for (NULL, 1);

      gco_job_cancel (job);
      gco_test_run_until_job (NULL, job);

      g_assert_false (inside.ok);
      g_assert_error (inside.block_saw, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_error (inside.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      if (which == 3)
        g_assert_true (inside.block_thread == worker->thread);
      else
        g_assert_true (inside.block_thread == g_thread_self ());

      g_clear_error (&inside.block_saw);
      g_clear_error (&inside.error);
      if (which == 3)
        {
          /* The block's coroutine finishes on the worker. */
          gco_test_worker_free (worker);
          worker = NULL;
        }
      gco_test_assert_finalize_job (job);
      finish_scope (scope, FALSE);
    }

  g_assert_null (worker);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Every suspending call: delays and their order, yields and fairness, "
                  "waiting for jobs and deferreds, the scoped builders, timeouts, "
                  "non-cancellable cleanup, other dispatchers, and prompt cancellation.");

  g_test_add_func ("/gco/suspend/delay/basic", test_delay);
  g_test_add_func ("/gco/suspend/delay/order", test_delay_order);
  g_test_add_func ("/gco/suspend/delay/equal-deadlines", test_delay_equal);
  g_test_add_func ("/gco/suspend/yield/fairness", test_yield_fairness);
  g_test_add_func ("/gco/suspend/await-cancellation", test_await_cancellation);
  g_test_add_func ("/gco/suspend/ensure-active", test_ensure_active);
  g_test_add_func ("/gco/suspend/join", test_join);
  g_test_add_func ("/gco/suspend/cancel-and-join", test_cancel_and_join);
  g_test_add_func ("/gco/suspend/join-all", test_join_all);
  g_test_add_func ("/gco/suspend/deferred-await", test_deferred_await);
  g_test_add_func ("/gco/suspend/await-all/values", test_await_all);
  g_test_add_func ("/gco/suspend/await-all/fail-fast", test_await_all_fail_fast);
  g_test_add_func ("/gco/suspend/coroutine-scope/children", test_coroutine_scope);
  g_test_add_func ("/gco/suspend/coroutine-scope/child-failure", test_coroutine_scope_failure);
  g_test_add_func ("/gco/suspend/coroutine-scope/block-failure",
                   test_coroutine_scope_block_failure);
  g_test_add_func ("/gco/suspend/coroutine-scope/nested-catch",
                   test_coroutine_scope_nested_catch);
  g_test_add_func ("/gco/suspend/coroutine-scope/nested-propagate",
                   test_coroutine_scope_nested_propagate);
  g_test_add_func ("/gco/suspend/supervisor-scope/child-failure", test_supervisor_scope);
  g_test_add_func ("/gco/suspend/supervisor-scope/block-failure",
                   test_supervisor_scope_block_failure);
  g_test_add_func ("/gco/suspend/with-timeout/in-time", test_with_timeout_in_time);
  g_test_add_func ("/gco/suspend/with-timeout/timed-out", test_with_timeout_timed_out);
  g_test_add_func ("/gco/suspend/with-timeout/swallowed", test_with_timeout_swallowed);
  g_test_add_func ("/gco/suspend/with-timeout/converted", test_with_timeout_converted);
  g_test_add_func ("/gco/suspend/with-timeout/children", test_with_timeout_children);
  g_test_add_func ("/gco/suspend/with-timeout/nested", test_with_timeout_nested);
  g_test_add_func ("/gco/suspend/non-cancellable/cleanup", test_non_cancellable);
  g_test_add_func ("/gco/suspend/non-cancellable/failure", test_non_cancellable_failure);
  g_test_add_func ("/gco/suspend/with-dispatcher/other-thread", test_with_dispatcher);
  g_test_add_func ("/gco/suspend/with-dispatcher/failure", test_with_dispatcher_failure);
  g_test_add_func ("/gco/suspend/with-dispatcher/same", test_with_dispatcher_same);
  g_test_add_func ("/gco/suspend/launch-into-cancelled-scope", test_launch_into_cancelled_scope);
  g_test_add_func ("/gco/suspend/prompt/delay", test_prompt_delay);
  g_test_add_func ("/gco/suspend/prompt/already-cancelled", test_prompt_already_cancelled);
  g_test_add_func ("/gco/suspend/prompt/yield", test_prompt_yield);
  g_test_add_func ("/gco/suspend/prompt/join", test_prompt_join);
  g_test_add_func ("/gco/suspend/prompt/join-leaves-target", test_prompt_join_leaves_target);
  g_test_add_func ("/gco/suspend/prompt/join-all", test_prompt_join_all);
  g_test_add_func ("/gco/suspend/prompt/cancel-and-join", test_prompt_cancel_and_join);
  g_test_add_func ("/gco/suspend/prompt/deferred-await", test_prompt_deferred_await);
  g_test_add_func ("/gco/suspend/prompt/deferred-await-failure",
                   test_prompt_deferred_await_failure);
  g_test_add_func ("/gco/suspend/prompt/await-all", test_prompt_await_all);
  g_test_add_func ("/gco/suspend/prompt/scoped-builders", test_prompt_scoped_builders);
  g_test_add_func ("/gco/suspend/prompt/inside-builders", test_prompt_inside_builders);

  return g_test_run ();
}
