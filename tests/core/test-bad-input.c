/* test-bad-input.c: programmer errors are criticals with a safe return
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * NULL where an object is required, suspending calls outside a coroutine,
 * waiting for oneself, completing a job twice or a job that is not
 * completable, bodies that break their contract, awaiting what is not a
 * deferred: each is a g_critical and a safe return, never a crash, and
 * nothing leaks.
 */

#include <gco/gco.h>

#include "gco-test-utils.h"

#define LIBRARY_DOMAIN "Gco"

/* Every test runs in a subprocess of its own, where a log writer counts the
 * library's criticals (made non-fatal there), so each one is asserted exactly
 * where it is expected and none goes unaccounted for. Warnings stay fatal. */

static guint  n_criticals;          /* atomic */
static guint  n_expected;
static char  *last_critical;
static GMutex critical_mutex;

static GLogWriterOutput
counting_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if ((log_level & G_LOG_LEVEL_CRITICAL) && g_strcmp0 (domain, LIBRARY_DOMAIN) == 0)
    {
      g_mutex_lock (&critical_mutex);
      g_free (last_critical);
      last_critical = g_strdup (message);
      g_mutex_unlock (&critical_mutex);
      g_atomic_int_inc (&n_criticals);
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
check_critical (guint       before,
                const char *pattern,
                const char *what)
{
  guint after = g_atomic_int_get (&n_criticals);

  if (after != before + 1)
    g_printerr ("%s: expected one critical matching ‘%s’, got %u", what, pattern,
                    after - before);
  g_assert_cmpuint (after, ==, before + 1);
  n_expected++;

  g_mutex_lock (&critical_mutex);
  if (!g_pattern_match_simple (pattern, last_critical))
    g_printerr ("%s: critical ‘%s’ does not match ‘%s’", what, last_critical, pattern);
  g_assert_true (g_pattern_match_simple (pattern, last_critical));
  g_mutex_unlock (&critical_mutex);
}

/* Runs the statement and asserts it logged exactly one critical matching @pattern. */
#define ASSERT_CRITICAL(pattern, ...)                          \
  G_STMT_START {                                               \
    guint before_ = g_atomic_int_get (&n_criticals);           \
    __VA_ARGS__;                                               \
    check_critical (before_, pattern, #__VA_ARGS__);           \
  } G_STMT_END

/* A failed g_return_if_fail() precondition. */
#define CHECK_NULL(...) ASSERT_CRITICAL ("*assertion*failed*", __VA_ARGS__)

typedef struct
{
  const char *path;
  GTestFunc   func;
} Test;

static void
run_in_subprocess (gconstpointer data)
{
  const Test *test = data;

  if (g_test_subprocess ())
    {
      g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_WARNING);
      g_log_set_writer_func (counting_writer, NULL, NULL);

      test->func ();

      /* No critical went unasserted. */
      g_assert_cmpuint (g_atomic_int_get (&n_criticals), ==, n_expected);
      g_clear_pointer (&last_critical, g_free);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Helpers */

static GQuark
test_error_quark (void)
{
  return g_quark_from_static_string ("gco-test-error");
}

#define TEST_ERROR (test_error_quark ())

typedef struct
{
  guint   count;
  GError *first;
} Caught;

static void
caught_handler (GcoJob       *job,
                const GError *error,
                gpointer      user_data)
{
  Caught *caught = user_data;

  if (caught->count++ == 0)
    caught->first = g_error_copy (error);
}

static void
finish_scope (GcoScope *scope)
{
  GcoJob *job = gco_job_ref (gco_scope_get_job (scope));

  if (gco_job_is_active (job))
    gco_job_complete (job);
  gco_test_run_until_job (NULL, job);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (job);
}

static gboolean
trivial_body (gpointer   user_data,
              GError   **error)
{
  return TRUE;
}

static gpointer
trivial_value_body (gpointer   user_data,
                    GError   **error)
{
  return NULL;
}

static gboolean
ran_block (gpointer   user_data,
           GError   **error)
{
  *(gboolean *) user_data = TRUE;
  return TRUE;
}

static void
noop_handler (GcoJob       *job,
              const GError *error,
              gpointer      user_data)
{
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

/* Runs @func as a coroutine of a fresh scope and finalizes everything. */
static void
run_coroutine (GcoFunc  func,
               gpointer data)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job = gco_launch_job (scope, func, data, NULL);

  gco_test_run_until_job (NULL, job);
  g_assert_null (gco_job_get_error (job));
  gco_test_assert_finalize_job (job);
  finish_scope (scope);
}

/* NULL where an object is required */

static void
test_null_job (void)
{
  GcoJob *job = gco_job_new (NULL);
  GError *error = g_error_new_literal (TEST_ERROR, 1, "failure");

  CHECK_NULL (g_assert_null (gco_job_ref (NULL)));
  CHECK_NULL (gco_job_unref (NULL));
  CHECK_NULL (gco_job_get_state (NULL));
  CHECK_NULL (g_assert_false (gco_job_is_active (NULL)));
  CHECK_NULL (g_assert_false (gco_job_is_completed (NULL)));
  CHECK_NULL (g_assert_false (gco_job_is_cancelled (NULL)));
  CHECK_NULL (g_assert_false (gco_job_is_supervisor (NULL)));
  CHECK_NULL (g_assert_null (gco_job_get_parent (NULL)));
  CHECK_NULL (g_assert_cmpuint (gco_job_get_n_children (NULL), ==, 0));
  CHECK_NULL (g_assert_null (gco_job_get_error (NULL)));
  CHECK_NULL (g_assert_null (gco_job_get_name (NULL)));
  CHECK_NULL (gco_job_set_name (NULL, "name"));
  CHECK_NULL (g_assert_false (gco_job_start (NULL)));
  CHECK_NULL (gco_job_cancel (NULL));
  CHECK_NULL (gco_job_cancel_children (NULL));
  CHECK_NULL (g_assert_false (gco_job_complete (NULL)));
  CHECK_NULL (g_assert_false (gco_job_complete_with_error (NULL, error)));
  CHECK_NULL (g_assert_false (gco_job_complete_with_error (job, NULL)));
  CHECK_NULL (g_assert_null (gco_job_get_cancellable (NULL)));
  CHECK_NULL (g_assert_cmpuint (gco_job_add_completion_handler (NULL, noop_handler, NULL, NULL),
                                ==, 0));
  CHECK_NULL (g_assert_cmpuint (gco_job_add_completion_handler (job, NULL, NULL, NULL), ==, 0));
  CHECK_NULL (gco_job_remove_completion_handler (NULL, 1));

  /* The job given NULL stays untouched. */
  g_assert_true (gco_job_is_active (job));
  g_assert_true (gco_job_complete (job));
  g_assert_true (gco_job_is_completed (job));

  g_error_free (error);
  gco_test_assert_finalize_job (job);
}

static void
test_null_deferred (void)
{
  GcoDeferred *deferred = gco_deferred_new (NULL);
  GError *error = g_error_new_literal (TEST_ERROR, 1, "failure");

  CHECK_NULL (g_assert_null (gco_deferred_ref (NULL)));
  CHECK_NULL (gco_deferred_unref (NULL));
  CHECK_NULL (g_assert_null (gco_deferred_get_job (NULL)));
  CHECK_NULL (g_assert_false (gco_deferred_complete (NULL, NULL, NULL)));
  CHECK_NULL (g_assert_false (gco_deferred_complete_with_error (NULL, error)));
  CHECK_NULL (g_assert_false (gco_deferred_complete_with_error (deferred, NULL)));
  CHECK_NULL (g_assert_null (gco_deferred_get_value (NULL)));

  g_assert_true (gco_job_is_active (GCO_JOB (deferred)));
  g_assert_true (gco_deferred_complete (deferred, g_strdup ("value"), g_free));
  g_assert_cmpstr (gco_deferred_get_value (deferred), ==, "value");

  g_error_free (error);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
}

static void
test_not_a_deferred (void)
{
  GcoJob *job = gco_job_new (NULL);
  GError *error = g_error_new_literal (TEST_ERROR, 1, "failure");
  guint destroyed = 0;

  /* A plain job cast to a deferred. */
  CHECK_NULL (g_assert_false (gco_deferred_complete ((GcoDeferred *) job, NULL, NULL)));
  CHECK_NULL (g_assert_false (gco_deferred_complete_with_error ((GcoDeferred *) job, error)));
  CHECK_NULL (g_assert_null (gco_deferred_get_value ((GcoDeferred *) job)));

  g_assert_true (gco_job_is_active (job));
  g_assert_true (gco_job_complete (job));
  g_assert_cmpuint (destroyed, ==, 0);

  g_error_free (error);
  gco_test_assert_finalize_job (job);
}

static void
test_null_scope (void)
{
  CHECK_NULL (g_assert_null (gco_scope_new_child (NULL, FALSE)));
  CHECK_NULL (g_assert_null (gco_scope_ref (NULL)));
  CHECK_NULL (gco_scope_unref (NULL));
  CHECK_NULL (g_assert_null (gco_scope_get_job (NULL)));
  CHECK_NULL (g_assert_null (gco_scope_get_dispatcher (NULL)));
  CHECK_NULL (gco_scope_cancel (NULL));
  CHECK_NULL (g_assert_false (gco_scope_is_active (NULL)));
  CHECK_NULL (gco_scope_set_exception_handler (NULL, NULL, NULL, NULL));
}

static void
test_null_builders (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  CHECK_NULL (gco_launch (NULL, trivial_body, NULL, NULL));
  CHECK_NULL (gco_launch (scope, NULL, NULL, NULL));
  CHECK_NULL (g_assert_null (gco_launch_job (NULL, trivial_body, NULL, NULL)));
  CHECK_NULL (g_assert_null (gco_launch_job (scope, NULL, NULL, NULL)));
  CHECK_NULL (g_assert_null (gco_launch_full (NULL, &options, trivial_body, NULL, NULL)));
  CHECK_NULL (g_assert_null (gco_launch_full (scope, &options, NULL, NULL, NULL)));
  CHECK_NULL (g_assert_null (gco_async (NULL, trivial_value_body, NULL, NULL, NULL)));
  CHECK_NULL (g_assert_null (gco_async (scope, NULL, NULL, NULL, NULL)));
  CHECK_NULL (g_assert_null (gco_async_full (NULL, &options, trivial_value_body,
                                             NULL, NULL, NULL)));
  CHECK_NULL (g_assert_null (gco_async_full (scope, &options, NULL, NULL, NULL, NULL)));

  /* Nothing was launched. */
  g_assert_cmpuint (gco_job_get_n_children (gco_scope_get_job (scope)), ==, 0);
  g_assert_true (gco_scope_is_active (scope));

  finish_scope (scope);
}

static void
test_null_dispatcher (void)
{
  CHECK_NULL (g_assert_null (gco_dispatcher_ref (NULL)));
  CHECK_NULL (gco_dispatcher_unref (NULL));
  CHECK_NULL (g_assert_null (gco_dispatcher_new_for_context (NULL, FALSE)));
  CHECK_NULL (g_assert_null (gco_dispatcher_get_context (NULL)));
  CHECK_NULL (g_assert_false (gco_dispatcher_is_immediate (NULL)));
}

/* NULL arguments of suspending calls, on a coroutine */

static gboolean
null_suspend_body (gpointer   user_data,
                   GError   **error)
{
  GcoJob *done = gco_job_new (NULL);
  GcoDeferred *deferred = gco_deferred_new (NULL);
  GcoJob *with_null[2] = { done, NULL };
  GcoDeferred *deferreds_with_null[2] = { deferred, NULL };
  gboolean ran = FALSE;
  GError *local = NULL;

  gco_job_complete (done);
  gco_deferred_complete (deferred, NULL, NULL);

  CHECK_NULL (g_assert_false (gco_job_join (NULL, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_job_cancel_and_join (NULL, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_join_all (NULL, 2, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_null (gco_deferred_await (NULL, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_await_all (NULL, 2, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_coroutine_scope (NULL, NULL, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_supervisor_scope (NULL, NULL, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_with_timeout (10, NULL, NULL, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_with_dispatcher (NULL, ran_block, &ran, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_with_dispatcher (gco_dispatcher_get_main (), NULL, NULL,
                                                   &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_non_cancellable (NULL, NULL, &local)));
  g_clear_error (&local);

  /* A NULL inside an array of jobs. */
  ASSERT_CRITICAL ("*", g_assert_false (gco_join_all (with_null, 2, &local)));
  g_clear_error (&local);
  ASSERT_CRITICAL ("*", g_assert_false (gco_await_all (deferreds_with_null, 2, &local)));
  g_clear_error (&local);

  /* None of it ran a block or hurt the caller. */
  g_assert_false (ran);
  g_assert_true (gco_is_active ());
  g_assert_true (gco_delay (1, error));

  gco_job_unref (done);
  gco_deferred_unref (deferred);
  *(gboolean *) user_data = TRUE;

  return TRUE;
}

static void
test_null_suspend (void)
{
  gboolean reached = FALSE;

  run_coroutine (null_suspend_body, &reached);
  g_assert_true (reached);
}

/* Suspending calls outside a coroutine */

#define CHECK_NOT_IN_COROUTINE(call, failed)                              \
  G_STMT_START {                                                          \
    GError *local_ = NULL;                                                \
    ASSERT_CRITICAL ("*coroutine*",                                       \
                     g_assert_true ((call (&local_)) == (failed)));       \
    g_assert_error (local_, GCO_ERROR, GCO_ERROR_NOT_IN_COROUTINE);       \
    g_clear_error (&local_);                                              \
    /* And with no error location. */                                     \
    ASSERT_CRITICAL ("*coroutine*",                                       \
                     g_assert_true ((call (NULL)) == (failed)));          \
  } G_STMT_END

static void
test_not_in_coroutine (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job = gco_job_new (NULL);
  GcoDeferred *deferred = gco_deferred_new (NULL);
  GcoJob *coroutine;
  gboolean ran = FALSE;
  gboolean coroutine_ran = FALSE;

  g_assert_false (gco_in_coroutine ());

#define DELAY(e)           gco_delay (1, e)
#define YIELD(e)           gco_yield (e)
#define AWAIT_CANCEL(e)    gco_await_cancellation (e)
#define ENSURE_ACTIVE(e)   gco_ensure_active (e)
#define JOIN(e)            gco_job_join (job, e)
#define CANCEL_AND_JOIN(e) gco_job_cancel_and_join (job, e)
#define JOIN_ALL(e)        gco_join_all (&job, 1, e)
#define JOIN_NONE(e)       gco_join_all (NULL, 0, e)
#define AWAIT(e)           gco_deferred_await (deferred, e)
#define AWAIT_ALL(e)       gco_await_all (&deferred, 1, e)
#define AWAIT_NONE(e)      gco_await_all (NULL, 0, e)
#define SCOPE(e)           gco_coroutine_scope (ran_block, &ran, e)
#define SUPERVISOR(e)      gco_supervisor_scope (ran_block, &ran, e)
#define TIMEOUT(e)         gco_with_timeout (100, ran_block, &ran, e)
#define DISPATCHER(e)      gco_with_dispatcher (gco_dispatcher_get_main (), ran_block, &ran, e)
#define NON_CANCELLABLE(e) gco_non_cancellable (ran_block, &ran, e)

  CHECK_NOT_IN_COROUTINE (DELAY, FALSE);
  CHECK_NOT_IN_COROUTINE (YIELD, FALSE);
  CHECK_NOT_IN_COROUTINE (AWAIT_CANCEL, FALSE);
  CHECK_NOT_IN_COROUTINE (ENSURE_ACTIVE, FALSE);
  CHECK_NOT_IN_COROUTINE (JOIN, FALSE);
  CHECK_NOT_IN_COROUTINE (CANCEL_AND_JOIN, FALSE);
  CHECK_NOT_IN_COROUTINE (JOIN_ALL, FALSE);
  CHECK_NOT_IN_COROUTINE (JOIN_NONE, FALSE);
  CHECK_NOT_IN_COROUTINE (AWAIT, NULL);
  CHECK_NOT_IN_COROUTINE (AWAIT_ALL, FALSE);
  CHECK_NOT_IN_COROUTINE (AWAIT_NONE, FALSE);
  CHECK_NOT_IN_COROUTINE (SCOPE, FALSE);
  CHECK_NOT_IN_COROUTINE (SUPERVISOR, FALSE);
  CHECK_NOT_IN_COROUTINE (TIMEOUT, FALSE);
  CHECK_NOT_IN_COROUTINE (DISPATCHER, FALSE);
  CHECK_NOT_IN_COROUTINE (NON_CANCELLABLE, FALSE);

#undef DELAY
#undef YIELD
#undef AWAIT_CANCEL
#undef ENSURE_ACTIVE
#undef JOIN
#undef CANCEL_AND_JOIN
#undef JOIN_ALL
#undef JOIN_NONE
#undef AWAIT
#undef AWAIT_ALL
#undef AWAIT_NONE
#undef SCOPE
#undef SUPERVISOR
#undef TIMEOUT
#undef DISPATCHER
#undef NON_CANCELLABLE

  /* A safe return: no block ran, nothing was cancelled, nothing started. */
  g_assert_false (ran);
  g_assert_true (gco_job_is_active (job));
  g_assert_true (gco_job_is_active (GCO_JOB (deferred)));
  g_assert_cmpuint (gco_job_get_n_children (gco_scope_get_job (scope)), ==, 0);

  /* The library still works afterwards. */
  coroutine = gco_launch_job (scope, ran_block, &coroutine_ran, NULL);
  gco_test_run_until_job (NULL, coroutine);
  g_assert_true (coroutine_ran);

  gco_job_complete (job);
  gco_deferred_complete (deferred, NULL, NULL);
  gco_test_assert_finalize_job (coroutine);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  finish_scope (scope);
}

typedef struct
{
  gboolean ok;
  GError  *error;
} ThreadCall;

static gpointer
delay_on_thread (gpointer data)
{
  ThreadCall *call = data;

  call->ok = gco_delay (1, &call->error);
  return NULL;
}

static void
test_not_in_coroutine_thread (void)
{
  ThreadCall call = { TRUE, NULL };
  GThread *thread;

  /* On a thread of its own, not a coroutine either. */
  ASSERT_CRITICAL ("*coroutine*", {
    thread = g_thread_new ("gco-test-plain", delay_on_thread, &call);
    g_thread_join (thread);
  });

  g_assert_false (call.ok);
  g_assert_error (call.error, GCO_ERROR, GCO_ERROR_NOT_IN_COROUTINE);
  g_clear_error (&call.error);
}

/* Waiting for oneself or an ancestor */

#define CHECK_DEADLOCK(...)                                        \
  G_STMT_START {                                                   \
    GError *local_ = NULL;                                         \
    GError **e_ = &local_;                                         \
    ASSERT_CRITICAL ("*", __VA_ARGS__);                            \
    g_assert_error (local_, GCO_ERROR, GCO_ERROR_DEADLOCK);        \
    g_clear_error (&local_);                                       \
    (void) e_;                                                     \
  } G_STMT_END

typedef struct
{
  GcoJob  *ancestor;
  GcoJob  *self;
  gboolean reached_frame;
  gboolean reached;
} Deadlock;

static gboolean
deadlock_frame_block (gpointer   user_data,
                      GError   **error)
{
  Deadlock *dl = user_data;
  GcoJob *frame = gco_job_get_current ();

  /* The frame itself, and the coroutine around it. */
  CHECK_DEADLOCK (g_assert_false (gco_job_join (frame, e_)));
  CHECK_DEADLOCK (g_assert_false (gco_job_join (dl->self, e_)));
  CHECK_DEADLOCK (g_assert_false (gco_job_cancel_and_join (dl->self, e_)));
  g_assert_true (gco_is_active ());

  dl->reached_frame = TRUE;
  return TRUE;
}

static gboolean
deadlock_body (gpointer   user_data,
               GError   **error)
{
  Deadlock *dl = user_data;
  GcoJob *self = gco_job_get_current ();
  GcoJob *done = gco_job_new (NULL);
  GcoJob *pair[2] = { done, self };
  GcoJob *pair_ancestor[2] = { done, dl->ancestor };

  dl->self = self;
  gco_job_complete (done);

  CHECK_DEADLOCK (g_assert_false (gco_job_join (self, e_)));
  CHECK_DEADLOCK (g_assert_false (gco_job_join (dl->ancestor, e_)));
  CHECK_DEADLOCK (g_assert_false (gco_join_all (pair, 2, e_)));
  CHECK_DEADLOCK (g_assert_false (gco_join_all (pair_ancestor, 2, e_)));

  /* Refused before cancelling anything. */
  CHECK_DEADLOCK (g_assert_false (gco_job_cancel_and_join (self, e_)));
  CHECK_DEADLOCK (g_assert_false (gco_job_cancel_and_join (dl->ancestor, e_)));
  g_assert_true (gco_is_active ());
  g_assert_true (gco_job_is_active (dl->ancestor));

  if (!gco_coroutine_scope (deadlock_frame_block, dl, error))
    return FALSE;
  g_assert_true (dl->reached_frame);

  /* A non-cancellable frame has no parent, but waiting for the coroutine
   * around it would never return either. */
  dl->reached_frame = FALSE;
  if (!gco_non_cancellable (deadlock_frame_block, dl, error))
    return FALSE;

  /* The coroutine goes on normally. */
  if (!gco_delay (1, error))
    return FALSE;

  gco_job_unref (done);
  dl->reached = TRUE;

  return TRUE;
}

static void
test_deadlock (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Deadlock dl = { NULL, };
  GcoJob *job;

  dl.ancestor = gco_scope_get_job (scope);
  job = gco_launch_job (scope, deadlock_body, &dl, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_true (dl.reached_frame);
  g_assert_true (dl.reached);
  g_assert_null (gco_job_get_error (job));

  gco_test_assert_finalize_job (job);
  finish_scope (scope);
}

static gpointer
await_self_body (gpointer   user_data,
                 GError   **error)
{
  GcoDeferred *self = (GcoDeferred *) gco_job_get_current ();
  GcoDeferred *pair[1] = { self };

  CHECK_DEADLOCK (g_assert_null (gco_deferred_await (self, e_)));
  CHECK_DEADLOCK (g_assert_false (gco_await_all (pair, 1, e_)));
  *(gboolean *) user_data = TRUE;

  return g_strdup ("fine");
}

static void
test_deadlock_await (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  gboolean reached = FALSE;
  GcoDeferred *deferred = gco_async (scope, await_self_body, &reached, NULL, g_free);

  gco_test_run_until_job (NULL, GCO_JOB (deferred));
  g_assert_true (reached);
  g_assert_null (gco_job_get_error (GCO_JOB (deferred)));
  g_assert_cmpstr (gco_deferred_get_value (deferred), ==, "fine");

  gco_test_assert_finalize_job (GCO_JOB (deferred));
  finish_scope (scope);
}

/* Completing twice, or what is not completable */

static void
test_complete_twice (void)
{
  GcoJob *job = gco_job_new (NULL);
  GcoJob *failed = gco_job_new (NULL);
  GcoDeferred *deferred = gco_deferred_new (NULL);
  GError *error = g_error_new_literal (TEST_ERROR, 1, "failure");
  guint destroyed = 0;

  g_assert_true (gco_job_complete (job));
  ASSERT_CRITICAL ("*", g_assert_false (gco_job_complete (job)));
  ASSERT_CRITICAL ("*", g_assert_false (gco_job_complete_with_error (job, error)));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_job_get_error (job));

  g_assert_true (gco_job_complete_with_error (failed, error));
  ASSERT_CRITICAL ("*", g_assert_false (gco_job_complete (failed)));
  g_assert_error (gco_job_get_error (failed), TEST_ERROR, 1);

  /* A second value is refused and released, exactly once. */
  g_assert_true (gco_deferred_complete (deferred, g_strdup ("first"), g_free));
  ASSERT_CRITICAL ("*",
                   g_assert_false (gco_deferred_complete (deferred, &destroyed, count_destroy)));
  g_assert_cmpuint (destroyed, ==, 1);
  ASSERT_CRITICAL ("*", g_assert_false (gco_deferred_complete_with_error (deferred, error)));
  g_assert_cmpstr (gco_deferred_get_value (deferred), ==, "first");

  g_error_free (error);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (failed);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  g_assert_cmpuint (destroyed, ==, 1);
}

static void
test_complete_after_cancel (void)
{
  GcoJob *job = gco_job_new (NULL);

  /* Racing a cancellation is not a programmer error. */
  gco_job_cancel (job);
  g_assert_false (gco_job_complete (job));
  g_assert_true (gco_job_is_cancelled (job));

  gco_test_assert_finalize_job (job);
}

typedef struct
{
  gboolean  entered;
  gboolean  finished;
  gboolean  frame_refused;
  GcoJob   *gate;
} Completing;

static gboolean
complete_frame_block (gpointer   user_data,
                      GError   **error)
{
  Completing *completing = user_data;

  ASSERT_CRITICAL ("*", g_assert_false (gco_job_complete (gco_job_get_current ())));
  completing->frame_refused = TRUE;

  return TRUE;
}

static gboolean
completing_body (gpointer   user_data,
                 GError   **error)
{
  Completing *completing = user_data;

  completing->entered = TRUE;
  if (!gco_job_join (completing->gate, error))
    return FALSE;
  if (!gco_coroutine_scope (complete_frame_block, completing, error))
    return FALSE;
  completing->finished = TRUE;

  return TRUE;
}

static void
test_complete_coroutine (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Completing completing = { FALSE, };
  GError *error = g_error_new_literal (TEST_ERROR, 1, "failure");
  guint destroyed = 0;
  GcoJob *job;
  GcoDeferred *deferred;

  completing.gate = gco_job_new (NULL);
  job = gco_launch_job (scope, completing_body, &completing, NULL);
  gco_test_run_until (NULL, &completing.entered);

  /* Only gco_job_new() and gco_deferred_new() jobs are completable. */
  ASSERT_CRITICAL ("*", g_assert_false (gco_job_complete (job)));
  ASSERT_CRITICAL ("*", g_assert_false (gco_job_complete_with_error (job, error)));
  g_assert_true (gco_job_is_active (job));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);

  deferred = gco_async (scope, trivial_value_body, NULL, NULL, NULL);
  ASSERT_CRITICAL ("*",
                   g_assert_false (gco_deferred_complete (deferred, &destroyed, count_destroy)));
  g_assert_cmpuint (destroyed, ==, 1);

  /* The coroutine carries on as if nothing happened. */
  gco_job_complete (completing.gate);
  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, GCO_JOB (deferred));
  g_assert_true (completing.frame_refused);
  g_assert_true (completing.finished);
  g_assert_null (gco_job_get_error (job));
  g_assert_null (gco_job_get_error (GCO_JOB (deferred)));

  g_error_free (error);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  gco_test_assert_finalize_job (completing.gate);
  finish_scope (scope);
}

/* Bodies that break their contract */

static gboolean
false_without_error_body (gpointer   user_data,
                          GError   **error)
{
  *(gboolean *) user_data = TRUE;
  return FALSE;
}

static gboolean
true_with_error_body (gpointer   user_data,
                      GError   **error)
{
  *(gboolean *) user_data = TRUE;
  g_set_error_literal (error, TEST_ERROR, 2, "set but succeeded");
  return TRUE;
}

static void
test_body_false_without_error (void)
{
  GcoScope *scope = gco_scope_new (gco_supervisor_job_new (NULL), NULL);
  Caught caught = { 0, };
  gboolean ran = FALSE;
  GcoJob *job;

  gco_job_unref (gco_scope_get_job (scope));
  gco_scope_set_exception_handler (scope, caught_handler, &caught, NULL);

  ASSERT_CRITICAL ("*FALSE*", {
    job = gco_launch_job (scope, false_without_error_body, &ran, NULL);
    gco_test_run_until_job (NULL, job);
  });

  /* The job failed, with a failure (not a cancellation), reported once. */
  g_assert_true (ran);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_nonnull (gco_job_get_error (job));
  g_assert_false (g_error_matches (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_cmpuint (caught.count, ==, 1);
  g_assert_nonnull (caught.first);
  g_assert_false (g_error_matches (caught.first, G_IO_ERROR, G_IO_ERROR_CANCELLED));

  g_clear_error (&caught.first);
  gco_test_assert_finalize_job (job);
  finish_scope (scope);
}

static void
test_body_true_with_error (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  gboolean ran = FALSE;
  GcoJob *job;

  ASSERT_CRITICAL ("*TRUE*", {
    job = gco_launch_job (scope, true_with_error_body, &ran, NULL);
    gco_test_run_until_job (NULL, job);
  });

  /* TRUE wins; the stray error is freed. */
  g_assert_true (ran);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_job_get_error (job));

  gco_test_assert_finalize_job (job);
  finish_scope (scope);
}

typedef struct
{
  gboolean block_ran;
  gboolean ok;
  GError  *error;
  gboolean active_after;
} BadBlock;

static gboolean
bad_block_body (gpointer   user_data,
                GError   **error)
{
  BadBlock *bad = user_data;

  ASSERT_CRITICAL ("*FALSE*",
                   bad->ok = gco_coroutine_scope (false_without_error_body, &bad->block_ran,
                                                  &bad->error));
  bad->active_after = gco_is_active ();

  return TRUE;
}

static void
test_block_false_without_error (void)
{
  BadBlock bad = { FALSE, };

  run_coroutine (bad_block_body, &bad);

  /* Returned as a failure with an error set, not a cancellation. */
  g_assert_true (bad.block_ran);
  g_assert_false (bad.ok);
  g_assert_nonnull (bad.error);
  g_assert_false (g_error_matches (bad.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  g_assert_true (bad.active_after);
  g_clear_error (&bad.error);
}

/* Awaiting what is not a deferred */

typedef struct
{
  GcoJob  *plain;
  GcoJob  *launched;
  gboolean reached;
} NotDeferred;

static gboolean
await_not_deferred_body (gpointer   user_data,
                         GError   **error)
{
  NotDeferred *nd = user_data;
  GcoDeferred *as_array[1] = { (GcoDeferred *) nd->plain };
  GError *local = NULL;

  CHECK_NULL (g_assert_null (gco_deferred_await ((GcoDeferred *) nd->plain, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_null (gco_deferred_await ((GcoDeferred *) nd->launched, &local)));
  g_clear_error (&local);
  CHECK_NULL (g_assert_false (gco_await_all (as_array, 1, &local)));
  g_clear_error (&local);

  /* It did not suspend forever, nor hurt the caller. */
  g_assert_true (gco_is_active ());
  nd->reached = TRUE;

  return TRUE;
}

static gboolean
wait_body (gpointer   user_data,
           GError   **error)
{
  return gco_await_cancellation (error);
}

static void
test_await_not_deferred (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  NotDeferred nd = { NULL, };

  nd.plain = gco_job_new (NULL);
  nd.launched = gco_launch_job (scope, wait_body, NULL, NULL);
  run_coroutine (await_not_deferred_body, &nd);
  g_assert_true (nd.reached);

  gco_job_complete (nd.plain);
  gco_job_cancel (nd.launched);
  gco_test_run_until_job (NULL, nd.launched);
  gco_test_assert_finalize_job (nd.plain);
  gco_test_assert_finalize_job (nd.launched);
  finish_scope (scope);
}

/* Harmless misuse: no critical */

static void
test_remove_unknown_handler (void)
{
  GcoJob *job = gco_job_new (NULL);
  guint id = gco_job_add_completion_handler (job, noop_handler, NULL, NULL);

  gco_job_remove_completion_handler (job, id + 1000);
  gco_job_remove_completion_handler (job, 0);
  gco_job_complete (job);

  /* Already ran: a silent no-op. */
  gco_job_remove_completion_handler (job, id);

  gco_test_assert_finalize_job (job);
}

static void
test_start_not_lazy (void)
{
  GcoJob *job = gco_job_new (NULL);

  /* Documented FALSE, not a critical. */
  g_assert_false (gco_job_start (job));
  gco_job_complete (job);
  g_assert_false (gco_job_start (job));

  gco_test_assert_finalize_job (job);
}

int
main (int   argc,
      char *argv[])
{
  static const Test tests[] = {
    { "/gco/bad-input/null/job", test_null_job },
    { "/gco/bad-input/null/deferred", test_null_deferred },
    { "/gco/bad-input/null/scope", test_null_scope },
    { "/gco/bad-input/null/builders", test_null_builders },
    { "/gco/bad-input/null/dispatcher", test_null_dispatcher },
    { "/gco/bad-input/null/suspend", test_null_suspend },
    { "/gco/bad-input/not-a-deferred", test_not_a_deferred },
    { "/gco/bad-input/not-in-coroutine", test_not_in_coroutine },
    { "/gco/bad-input/not-in-coroutine-thread", test_not_in_coroutine_thread },
    { "/gco/bad-input/deadlock/join", test_deadlock },
    { "/gco/bad-input/deadlock/await", test_deadlock_await },
    { "/gco/bad-input/complete/twice", test_complete_twice },
    { "/gco/bad-input/complete/after-cancel", test_complete_after_cancel },
    { "/gco/bad-input/complete/coroutine", test_complete_coroutine },
    { "/gco/bad-input/body/false-without-error", test_body_false_without_error },
    { "/gco/bad-input/body/true-with-error", test_body_true_with_error },
    { "/gco/bad-input/body/block-false-without-error", test_block_false_without_error },
    { "/gco/bad-input/await-not-deferred", test_await_not_deferred },
    { "/gco/bad-input/remove-unknown-handler", test_remove_unknown_handler },
    { "/gco/bad-input/start-not-lazy", test_start_not_lazy },
  };

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Programmer errors: NULL objects, suspending calls outside a coroutine, "
                  "deadlocks, completing twice or what is not completable, bodies that "
                  "break their contract, awaiting a non-deferred. Each is a critical "
                  "and a safe return.");

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add_data_func (tests[i].path, &tests[i], run_in_subprocess);

  return g_test_run ();
}
