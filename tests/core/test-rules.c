/* test-rules.c: the semantics contract of the design, one test per rule and
 * per precise point
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each test drives coroutines on the main dispatcher of the default main
 * context and asserts what can be observed: states, the order of events
 * recorded in a log, counts. Nothing asserts a time; delays only order events
 * with generous gaps.
 */

#include <string.h>

#include <gco/gco.h>

#include "gco-test-utils.h"
#include "gco-job-private.h"
#include "gco-fiber-private.h"

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

/* The exception handler of a test's scope */

typedef struct
{
  guint        calls;
  GcoJob      *job;               /* the first job received (not a reference:
                                   * only compared while the test holds one) */
  GError      *error;             /* a copy of the first error */
  gboolean     job_was_completed; /* whether the job counted as completed then */
  GcoJobState  state;
  GString     *log;               /* (nullable) */
} Catcher;

static void
catcher_cb (GcoJob       *job,
            const GError *error,
            gpointer      user_data)
{
  Catcher *catcher = user_data;

  g_assert_nonnull (job);
  g_assert_nonnull (error);
  if (catcher->calls++ == 0)
    {
      catcher->job = job;
      catcher->error = g_error_copy (error);
      catcher->job_was_completed = gco_job_is_completed (job);
      catcher->state = gco_job_get_state (job);
    }
  if (catcher->log != NULL)
    g_string_append (catcher->log, "exception;");
}

static void
catcher_clear (Catcher *catcher)
{
  catcher->job = NULL;
  g_clear_error (&catcher->error);
}

/* A test's environment: a root job, a scope on it with a catching exception
 * handler, and a log. */
typedef struct
{
  GcoJob   *root;
  GcoScope *scope;
  Catcher   catcher;
  GString  *log;
} Env;

static void
env_init (Env      *env,
          gboolean  supervisor)
{
  memset (env, 0, sizeof (*env));
  env->root = supervisor ? gco_supervisor_job_new (NULL) : gco_job_new (NULL);
  env->scope = gco_scope_new (env->root, NULL);
  env->log = g_string_new (NULL);
  gco_scope_set_exception_handler (env->scope, catcher_cb, &env->catcher, NULL);
}

/* Cancels what is left, waits for it, and checks that nothing leaked. */
static void
env_finish (Env *env)
{
  gco_scope_cancel (env->scope);
  gco_test_run_until_job (NULL, env->root);
  gco_test_drain (NULL);
  gco_scope_unref (env->scope);
  catcher_clear (&env->catcher);
  g_string_free (env->log, TRUE);
  gco_test_assert_finalize_job (env->root);
}

static void
log_append (GString    *log,
            const char *event)
{
  g_string_append (log, event);
  g_string_append_c (log, ';');
}

/* Asserts that @first was logged, and before @second. */
#define assert_logged_before(log, first, second)                          \
  G_STMT_START {                                                          \
    const char *_a = strstr ((log)->str, first ";");                      \
    const char *_b = strstr ((log)->str, second ";");                     \
    if (_a == NULL || _b == NULL || _a >= _b)                             \
      g_error ("expected “%s” before “%s” in the log: %s",                \
               first, second, (log)->str);                                \
  } G_STMT_END

/* Bodies used by many tests */

static gboolean
await_cancellation_body (gpointer   user_data,
                         GError   **error)
{
  return gco_await_cancellation (error);
}

static gboolean
fail_body (gpointer   user_data,
           GError   **error)
{
  return set_failure (error, FIRST_FAILURE);
}

static gboolean
yield_then_fail_body (gpointer   user_data,
                      GError   **error)
{
  if (!gco_yield (error))
    return FALSE;
  return set_failure (error, FIRST_FAILURE);
}

static gboolean
join_gate_body (gpointer   user_data,
                GError   **error)
{
  return gco_job_join (user_data, error);
}

static void
log_completion_cb (GcoJob       *job,
                   const GError *error,
                   gpointer      user_data)
{
  Env *env = user_data;

  log_append (env->log, gco_job_get_name (job));
}

static GcoJob *
launch_named (GcoScope   *scope,
              const char *name,
              GcoStart    start,
              GcoFunc     func,
              gpointer    user_data)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  options.name = name;
  options.start = start;
  return gco_launch_full (scope, &options, func, user_data, NULL);
}

/* Rule 1: job states */

typedef struct
{
  GcoJob   *gate;
  GcoJob   *child;
  gboolean  body_returned;
  gboolean  child_completed_first;
} StatesData;

static gboolean
launch_child_and_return_body (gpointer   user_data,
                              GError   **error)
{
  StatesData *data = user_data;

  data->child = gco_launch_job (gco_scope_get_current (), join_gate_body, data->gate, NULL);
  data->body_returned = TRUE;
  return TRUE;
}

static void
record_child_completed_cb (GcoJob       *job,
                           const GError *error,
                           gpointer      user_data)
{
  StatesData *data = user_data;

  data->child_completed_first = gco_job_is_completed (data->child);
}

static void
test_rule_1_job_states (void)
{
  StatesData data = { NULL, };
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 1: new (lazy only) → active → completing (body returned, children running) → completed; "
                  "is_active while active or completing; completed only after all children");

  env_init (&env, FALSE);
  data.gate = gco_job_new (NULL);

  /* A default launch is active at once. */
  {
    GcoJob *eager = gco_launch_job (env.scope, join_gate_body, data.gate, NULL);

    g_assert_cmpint (gco_job_get_state (eager), ==, GCO_JOB_STATE_ACTIVE);
    g_assert_true (gco_job_is_active (eager));
    gco_job_cancel (eager);
    gco_test_run_until_job (NULL, eager);
    gco_test_drain (NULL);
    gco_test_assert_finalize_job (eager);
  }

  options.start = GCO_START_LAZY;
  job = gco_launch_full (env.scope, &options, launch_child_and_return_body, &data, NULL);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_NEW);
  g_assert_false (gco_job_is_active (job));
  g_assert_false (gco_job_is_completed (job));
  g_assert_false (gco_job_is_cancelled (job));
  gco_job_add_completion_handler (job, record_child_completed_cb, &data, NULL);

  /* A lazy job does not run until started. */
  gco_test_drain (NULL);
  g_assert_false (data.body_returned);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_NEW);

  g_assert_true (gco_job_start (job));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_true (gco_job_is_active (job));
  g_assert_false (gco_job_start (job));

  gco_test_run_until (NULL, &data.body_returned);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETING);
  g_assert_true (gco_job_is_active (job));
  g_assert_false (gco_job_is_completed (job));
  g_assert_false (gco_job_is_cancelled (job));
  g_assert_cmpuint (gco_job_get_n_children (job), ==, 1);

  gco_job_complete (data.gate);
  gco_test_run_until_job (NULL, job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_false (gco_job_is_active (job));
  g_assert_null (gco_job_get_error (job));
  g_assert_true (data.child_completed_first);
  g_assert_cmpint (gco_job_get_state (data.child), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (data.gate);
  env_finish (&env);
}

typedef struct
{
  GcoJob   *child;
  gboolean  started;
  gboolean  return_at_once;
} CancelStatesData;

static gboolean
launch_waiter_body (gpointer   user_data,
                    GError   **error)
{
  CancelStatesData *data = user_data;

  data->child = gco_launch_job (gco_scope_get_current (), await_cancellation_body, NULL, NULL);
  data->started = TRUE;
  if (data->return_at_once)
    return TRUE;
  return gco_await_cancellation (error);
}

static void
test_rule_1_job_states_cancelled (void)
{
  CancelStatesData active = { NULL, FALSE, FALSE };
  CancelStatesData completing = { NULL, FALSE, TRUE };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 1: active → cancelling → cancelled, and completing → cancelling → cancelled");

  env_init (&env, FALSE);

  /* Active → cancelling → cancelled. */
  job = gco_launch_job (env.scope, launch_waiter_body, &active, NULL);
  gco_test_run_until (NULL, &active.started);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);
  gco_job_cancel (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLING);
  g_assert_false (gco_job_is_active (job));
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_false (gco_job_is_completed (job));
  gco_test_run_until_job (NULL, job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_true (gco_job_is_completed (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gco_job_is_completed (active.child));
  gco_test_assert_finalize_job (active.child);
  gco_test_assert_finalize_job (job);

  /* Completing → cancelling → cancelled. */
  job = gco_launch_job (env.scope, launch_waiter_body, &completing, NULL);
  gco_test_run_until (NULL, &completing.started);
  gco_test_drain (NULL);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETING);
  gco_job_cancel (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLING);
  g_assert_false (gco_job_is_active (job));
  gco_test_run_until_job (NULL, job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gco_test_assert_finalize_job (completing.child);
  gco_test_assert_finalize_job (job);

  g_assert_cmpuint (env.catcher.calls, ==, 0);
  g_assert_true (gco_scope_is_active (env.scope));
  env_finish (&env);
}

/* Rule 2: parent waits for children */

typedef struct
{
  Env      *env;
  gboolean  started;
} ParentData;

static gboolean
delayed_child_body (gpointer   user_data,
                    GError   **error)
{
  ParentData *data = user_data;

  if (!gco_delay (50, error))
    return FALSE;
  log_append (data->env->log, "child-done");
  return TRUE;
}

static gboolean
parent_returns_body (gpointer   user_data,
                     GError   **error)
{
  ParentData *data = user_data;

  gco_launch (gco_scope_get_current (), delayed_child_body, data, NULL);
  log_append (data->env->log, "parent-body-done");
  return TRUE;
}

static gboolean
cleanup_block (gpointer   user_data,
               GError   **error)
{
  ParentData *data = user_data;

  /* Nothing is cancelled here: the delay runs its course. */
  if (!gco_delay (50, error))
    return FALSE;
  log_append (data->env->log, "child-cleanup-done");
  return TRUE;
}

static gboolean
child_with_cleanup_body (gpointer   user_data,
                         GError   **error)
{
  ParentData *data = user_data;
  GError *local_error = NULL;

  data->started = TRUE;
  gco_await_cancellation (&local_error);
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (gco_non_cancellable (cleanup_block, data, NULL));
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
parent_waits_cancelled_body (gpointer   user_data,
                             GError   **error)
{
  ParentData *data = user_data;

  gco_launch (gco_scope_get_current (), child_with_cleanup_body, data, NULL);
  gco_await_cancellation (error);
  log_append (data->env->log, "parent-unwound");
  return FALSE;
}

static void
test_rule_2_parent_waits_for_children (void)
{
  Env env;
  ParentData data;
  GcoJob *job;

  g_test_summary ("Rule 2: a parent whose body returned completes only after its children completed");

  env_init (&env, FALSE);
  data.env = &env;
  job = launch_named (env.scope, "parent-completed", GCO_START_DEFAULT, parent_returns_body, &data);
  gco_job_add_completion_handler (job, log_completion_cb, &env, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_cmpstr (env.log->str, ==, "parent-body-done;child-done;parent-completed;");
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static void
test_rule_2_parent_waits_for_children_cancelling (void)
{
  Env env;
  ParentData data = { NULL, FALSE };
  GcoJob *job;

  g_test_summary ("Rule 2: a cancelled parent completes only after its children finished unwinding");

  env_init (&env, FALSE);
  data.env = &env;
  job = launch_named (env.scope, "parent-completed", GCO_START_DEFAULT, parent_waits_cancelled_body, &data);
  gco_job_add_completion_handler (job, log_completion_cb, &env, NULL);
  gco_test_run_until (NULL, &data.started);

  gco_job_cancel (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLING);
  gco_test_run_until_job (NULL, job);

  assert_logged_before (env.log, "parent-unwound", "parent-completed");
  assert_logged_before (env.log, "child-cleanup-done", "parent-completed");
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

/* Rule 3: cancelling a job cancels all its descendants */

typedef struct
{
  GcoJob   *child;
  GcoJob   *grandchild;
  GcoJob   *sibling;
  gboolean  ready;
  gboolean  parent_was_active;
  gboolean  sibling_was_active;
  GError   *join_error;
} TreeData;

static gboolean
grandchild_body (gpointer   user_data,
                 GError   **error)
{
  TreeData *data = user_data;

  data->ready = TRUE;
  return gco_await_cancellation (error);
}

static gboolean
child_body (gpointer   user_data,
            GError   **error)
{
  TreeData *data = user_data;

  data->grandchild = gco_launch_job (gco_scope_get_current (), grandchild_body, data, NULL);
  return gco_await_cancellation (error);
}

static gboolean
tree_parent_body (gpointer   user_data,
                  GError   **error)
{
  TreeData *data = user_data;

  data->child = gco_launch_job (gco_scope_get_current (), child_body, data, NULL);
  return gco_await_cancellation (error);
}

static void
test_rule_3_cancel_cancels_descendants (void)
{
  TreeData data = { NULL, };
  GCancellable *grandchild_cancellable;
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 3: cancelling a job cancels all its descendants at once");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, tree_parent_body, &data, NULL);
  gco_test_run_until (NULL, &data.ready);
  grandchild_cancellable = g_object_ref (gco_job_get_cancellable (data.grandchild));

  gco_job_cancel (job);
  /* At once: before any coroutine ran again. */
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_true (gco_job_is_cancelled (data.child));
  g_assert_true (gco_job_is_cancelled (data.grandchild));
  g_assert_true (g_cancellable_is_cancelled (grandchild_cancellable));
  g_assert_cmpint (gco_job_get_state (data.grandchild), ==, GCO_JOB_STATE_CANCELLING);

  gco_test_run_until_job (NULL, job);
  g_assert_cmpint (gco_job_get_state (data.child), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpint (gco_job_get_state (data.grandchild), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);
  /* Cancelling a launch leaves its scope alone. */
  g_assert_true (gco_scope_is_active (env.scope));

  g_object_unref (grandchild_cancellable);
  gco_test_assert_finalize_job (data.grandchild);
  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static gboolean
join_cancelled_child_body (gpointer   user_data,
                           GError   **error)
{
  TreeData *data = user_data;
  GcoScope *scope = gco_scope_get_current ();

  data->child = gco_launch_job (scope, await_cancellation_body, NULL, NULL);
  data->sibling = gco_launch_job (scope, await_cancellation_body, NULL, NULL);
  data->ready = TRUE;

  if (!gco_job_join (data->child, &data->join_error))
    return FALSE;
  data->parent_was_active = gco_is_active ();
  data->sibling_was_active = gco_job_is_active (data->sibling);
  gco_job_cancel (data->sibling);
  return TRUE;
}

static void
test_rule_3_cancel_child_leaves_parent (void)
{
  TreeData data = { NULL, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 3: cancelling a child never cancels its parent (nor its siblings)");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, join_cancelled_child_body, &data, NULL);
  gco_test_run_until (NULL, &data.ready);

  gco_job_cancel (data.child);
  g_assert_true (gco_job_is_active (job));
  g_assert_true (gco_job_is_active (data.sibling));
  gco_test_run_until_job (NULL, job);

  g_assert_no_error (data.join_error);
  g_assert_true (data.parent_was_active);
  g_assert_true (data.sibling_was_active);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (data.sibling);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

/* Rule 4: a child's failure */

typedef struct
{
  Env      *env;
  GcoJob   *failing;
  GcoJob   *other;
  gboolean  other_done;
} FailureData;

static gboolean
log_cancelled_body (gpointer   user_data,
                    GError   **error)
{
  FailureData *data = user_data;

  gco_await_cancellation (error);
  log_append (data->env->log, "sibling-cancelled");
  return FALSE;
}

static gboolean
fail_and_cancel_sibling_parent_body (gpointer   user_data,
                                     GError   **error)
{
  FailureData *data = user_data;
  GcoScope *scope = gco_scope_get_current ();

  data->failing = gco_launch_job (scope, yield_then_fail_body, NULL, NULL);
  data->other = gco_launch_job (scope, log_cancelled_body, data, NULL);
  gco_await_cancellation (error);
  log_append (data->env->log, "parent-cancelled");
  return FALSE;
}

static void
test_rule_4_child_failure_cancels_parent (void)
{
  FailureData data = { NULL, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 4: a child's failure cancels its non-supervisor parent and so its siblings");

  env_init (&env, FALSE);
  data.env = &env;
  job = gco_launch_job (env.scope, fail_and_cancel_sibling_parent_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_nonnull (strstr (env.log->str, "sibling-cancelled;"));
  g_assert_nonnull (strstr (env.log->str, "parent-cancelled;"));
  g_assert_error (gco_job_get_error (data.failing), G_IO_ERROR, FIRST_FAILURE);
  g_assert_error (gco_job_get_error (data.other), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The parent was cancelled by, and with, the failure. */
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, FIRST_FAILURE);
  /* And so on up: the scope's job is not a supervisor. */
  g_assert_false (gco_scope_is_active (env.scope));
  g_assert_error (gco_job_get_error (env.root), G_IO_ERROR, FIRST_FAILURE);

  gco_test_assert_finalize_job (data.failing);
  gco_test_assert_finalize_job (data.other);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static gboolean
wait_then_done_body (gpointer   user_data,
                     GError   **error)
{
  FailureData *data = user_data;

  if (!gco_delay (50, error))
    return FALSE;
  data->other_done = TRUE;
  return TRUE;
}

static void
test_rule_4_supervisor_keeps_siblings (void)
{
  FailureData data = { NULL, };
  Env env;
  GcoJob *failing, *other;
  GcoScope *child_scope;
  GcoJob *nested_failing, *nested_other;

  g_test_summary ("Rule 4: a supervisor is not cancelled by a child's failure, nor are the other children");

  env_init (&env, TRUE);
  data.env = &env;
  failing = gco_launch_job (env.scope, yield_then_fail_body, NULL, NULL);
  other = gco_launch_job (env.scope, wait_then_done_body, &data, NULL);
  gco_test_run_until_job (NULL, failing);

  g_assert_error (gco_job_get_error (failing), G_IO_ERROR, FIRST_FAILURE);
  g_assert_true (gco_job_is_active (other));
  g_assert_true (gco_scope_is_active (env.scope));
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == failing);

  gco_test_run_until_job (NULL, other);
  g_assert_true (data.other_done);
  g_assert_cmpint (gco_job_get_state (other), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_true (gco_scope_is_active (env.scope));

  /* A supervisor child scope under a non-supervisor one. */
  child_scope = gco_scope_new_child (env.scope, TRUE);
  data.other_done = FALSE;
  nested_failing = gco_launch_job (child_scope, fail_body, NULL, NULL);
  nested_other = gco_launch_job (child_scope, wait_then_done_body, &data, NULL);
  gco_test_run_until_job (NULL, nested_other);
  g_assert_true (data.other_done);
  g_assert_true (gco_scope_is_active (child_scope));
  g_assert_cmpuint (env.catcher.calls, ==, 2);

  gco_scope_cancel (child_scope);
  gco_scope_unref (child_scope);
  gco_test_assert_finalize_job (nested_failing);
  gco_test_assert_finalize_job (nested_other);
  gco_test_assert_finalize_job (failing);
  gco_test_assert_finalize_job (other);
  env_finish (&env);
}

static gboolean
fail_second_when_cancelled_body (gpointer   user_data,
                                 GError   **error)
{
  GError *local_error = NULL;

  gco_await_cancellation (&local_error);
  g_clear_error (&local_error);
  return set_failure (error, SECOND_FAILURE);
}

static gboolean
two_failures_parent_body (gpointer   user_data,
                          GError   **error)
{
  FailureData *data = user_data;
  GcoScope *scope = gco_scope_get_current ();

  data->other = gco_launch_job (scope, fail_second_when_cancelled_body, NULL, NULL);
  data->failing = gco_launch_job (scope, yield_then_fail_body, NULL, NULL);
  return gco_await_cancellation (error);
}

static void
test_rule_4_first_failure_wins (void)
{
  FailureData data = { NULL, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 4: the first failure wins; a later one is dropped");

  env_init (&env, FALSE);
  data.env = &env;
  job = gco_launch_job (env.scope, two_failures_parent_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_error (gco_job_get_error (job), G_IO_ERROR, FIRST_FAILURE);
  g_assert_error (gco_job_get_error (data.failing), G_IO_ERROR, FIRST_FAILURE);
  /* The second child failed on its own account, after being cancelled. */
  g_assert_error (gco_job_get_error (data.other), G_IO_ERROR, SECOND_FAILURE);
  g_assert_error (gco_job_get_error (env.root), G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == job);
  g_assert_error (env.catcher.error, G_IO_ERROR, FIRST_FAILURE);

  gco_test_assert_finalize_job (data.failing);
  gco_test_assert_finalize_job (data.other);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

/* Rule 5: exception handler */

static gboolean
fail_deep_child_body (gpointer   user_data,
                      GError   **error)
{
  TreeData *data = user_data;

  data->grandchild = gco_launch_job (gco_scope_get_current (), yield_then_fail_body, NULL, NULL);
  return gco_await_cancellation (error);
}

static gboolean
fail_deep_parent_body (gpointer   user_data,
                       GError   **error)
{
  TreeData *data = user_data;

  data->child = gco_launch_job (gco_scope_get_current (), fail_deep_child_body, data, NULL);
  return gco_await_cancellation (error);
}

static void
check_failure_travels_up (gboolean supervisor)
{
  TreeData data = { NULL, };
  Env env;
  GcoJob *job;

  env_init (&env, supervisor);
  job = gco_launch_job (env.scope, fail_deep_parent_body, &data, NULL);
  gco_test_run_until_job (NULL, job);
  gco_test_run_for (NULL, 20);

  /* Up through every non-supervisor parent, cancelling each with it. */
  g_assert_error (gco_job_get_error (data.grandchild), G_IO_ERROR, FIRST_FAILURE);
  g_assert_error (gco_job_get_error (data.child), G_IO_ERROR, FIRST_FAILURE);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  /* Exactly once, with the top-most failed launch and the first error. */
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == job);
  g_assert_error (env.catcher.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_true (gco_scope_is_active (env.scope) == supervisor);

  gco_test_assert_finalize_job (data.grandchild);
  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static void
test_rule_5_exception_handler_once (void)
{
  g_test_summary ("Rule 5: a failure travels up through non-supervisor parents; the handler runs once for the top-most failed launch");

  /* Reaching a scope's root job with no parent… */
  check_failure_travels_up (FALSE);
  /* …or a supervisor. */
  check_failure_travels_up (TRUE);
}

typedef struct
{
  GError  *error;
  gboolean was_active;
  gboolean ok;
} ReceiveData;

static gboolean
launch_failing_block (gpointer   user_data,
                      GError   **error)
{
  gco_launch (gco_scope_get_current (), yield_then_fail_body, NULL, NULL);
  return gco_await_cancellation (error);
}

static gboolean
receive_from_coroutine_scope_body (gpointer   user_data,
                                   GError   **error)
{
  ReceiveData *data = user_data;

  data->ok = gco_coroutine_scope (launch_failing_block, NULL, &data->error);
  data->was_active = gco_is_active ();
  return TRUE;
}

static gboolean
receive_from_with_timeout_body (gpointer   user_data,
                                GError   **error)
{
  ReceiveData *data = user_data;

  data->ok = gco_with_timeout (60000, launch_failing_block, NULL, &data->error);
  data->was_active = gco_is_active ();
  return TRUE;
}

static void
check_received (GcoFunc body)
{
  ReceiveData data = { NULL, FALSE, TRUE };
  Env env;
  GcoJob *job;

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_true (data.was_active);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);
  g_assert_true (gco_scope_is_active (env.scope));

  g_clear_error (&data.error);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static void
test_rule_5_scoped_builder_receives (void)
{
  g_test_summary ("Rule 5: a failure is received as a value by a gco_coroutine_scope or gco_with_timeout caller, never handed to a handler");

  check_received (receive_from_coroutine_scope_body);
  check_received (receive_from_with_timeout_body);
}

static gpointer
fail_value_body (gpointer   user_data,
                 GError   **error)
{
  if (!gco_yield (error))
    return NULL;
  set_failure (error, FIRST_FAILURE);
  return NULL;
}

typedef struct
{
  GcoDeferred *deferred;
  GError      *error;
  gpointer     value;
} AwaitData;

static gboolean
await_body (gpointer   user_data,
            GError   **error)
{
  AwaitData *data = user_data;

  data->value = gco_deferred_await (data->deferred, &data->error);
  return TRUE;
}

static void
test_rule_5_async_holds_failure (void)
{
  AwaitData data = { NULL, };
  Env env;
  GcoJob *awaiter;

  g_test_summary ("Rule 5: an async failure is held for await, not handed to a handler (under a supervisor)");

  env_init (&env, TRUE);
  data.deferred = gco_async (env.scope, fail_value_body, NULL, NULL, NULL);
  gco_test_run_until_job (NULL, GCO_JOB (data.deferred));
  g_assert_cmpuint (env.catcher.calls, ==, 0);
  g_assert_error (gco_job_get_error (GCO_JOB (data.deferred)), G_IO_ERROR, FIRST_FAILURE);
  g_assert_true (gco_scope_is_active (env.scope));

  awaiter = gco_launch_job (env.scope, await_body, &data, NULL);
  gco_test_run_until_job (NULL, awaiter);
  g_assert_null (data.value);
  g_assert_error (data.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  g_clear_error (&data.error);
  gco_test_assert_finalize_job (awaiter);
  gco_test_assert_finalize_job (GCO_JOB (data.deferred));
  env_finish (&env);
}

static gboolean
async_child_fails_body (gpointer   user_data,
                        GError   **error)
{
  AwaitData *data = user_data;

  data->deferred = gco_async (gco_scope_get_current (), fail_value_body, NULL, NULL, NULL);
  data->value = gco_deferred_await (data->deferred, &data->error);
  /* Swallow it: the parent has failed anyway. */
  return TRUE;
}

static void
test_rule_5_async_failure_cancels_parent (void)
{
  AwaitData data = { NULL, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 5: an async failure still cancels a non-supervisor parent, which then fails in turn");

  env_init (&env, TRUE);
  job = gco_launch_job (env.scope, async_child_fails_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  /* The awaiter received the failure (rule 7: it is not hidden)… */
  g_assert_error (data.error, G_IO_ERROR, FIRST_FAILURE);
  /* …and the parent failed with it, though its body returned TRUE. */
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == job);
  g_assert_error (env.catcher.error, G_IO_ERROR, FIRST_FAILURE);

  g_clear_error (&data.error);
  gco_test_assert_finalize_job (GCO_JOB (data.deferred));
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static void
test_rule_5_default_handler_warns (void)
{
  GcoScope *scope;
  GcoJob *job;

  g_test_summary ("Rule 5: the default exception handler logs a warning naming the job; it never aborts");

  scope = gco_main_scope_new ();
  g_test_expect_message ("Gco", G_LOG_LEVEL_WARNING, "*rule-5-unhandled*");
  job = launch_named (scope, "rule-5-unhandled", GCO_START_DEFAULT, fail_body, NULL);
  gco_test_run_until_job (NULL, job);
  g_test_assert_expected_messages ();

  g_assert_error (gco_job_get_error (job), G_IO_ERROR, FIRST_FAILURE);
  gco_test_assert_finalize_job (job);
  gco_scope_cancel (scope);
  gco_scope_unref (scope);
}

/* Rule 6: coroutine_scope and supervisor_scope */

typedef struct
{
  guint     done;
  guint     cancelled;
  gboolean  block_failure;
  gboolean  ok;
  guint     done_at_return;
  guint     cancelled_at_return;
  gboolean  was_active;
  GError   *error;
} ScopeData;

static gboolean
count_after_delay_body (gpointer   user_data,
                        GError   **error)
{
  ScopeData *data = user_data;

  if (!gco_delay (20, error))
    {
      data->cancelled++;
      return FALSE;
    }
  if (!gco_delay (20, error))
    {
      data->cancelled++;
      return FALSE;
    }
  data->done++;
  return TRUE;
}

static gboolean
count_cancelled_body (gpointer   user_data,
                      GError   **error)
{
  ScopeData *data = user_data;

  gco_await_cancellation (error);
  data->cancelled++;
  return FALSE;
}

static gboolean
two_children_block (gpointer   user_data,
                    GError   **error)
{
  ScopeData *data = user_data;
  GcoScope *scope = gco_scope_get_current ();

  gco_launch (scope, count_after_delay_body, data, NULL);
  gco_launch (scope, count_after_delay_body, data, NULL);
  return TRUE;
}

static gboolean
failing_child_block (gpointer   user_data,
                     GError   **error)
{
  ScopeData *data = user_data;
  GcoScope *scope = gco_scope_get_current ();

  gco_launch (scope, count_cancelled_body, data, NULL);
  gco_launch (scope, yield_then_fail_body, NULL, NULL);
  if (data->block_failure)
    {
      /* Let the children start, then fail before the failing child does. */
      if (!gco_yield (error))
        return FALSE;
      return set_failure (error, SECOND_FAILURE);
    }
  return gco_await_cancellation (error);
}

static gboolean
supervised_children_block (gpointer   user_data,
                           GError   **error)
{
  ScopeData *data = user_data;
  GcoScope *scope = gco_scope_get_current ();

  gco_launch (scope, yield_then_fail_body, NULL, NULL);
  gco_launch (scope, count_after_delay_body, data, NULL);
  if (data->block_failure)
    return set_failure (error, SECOND_FAILURE);
  return TRUE;
}

static gboolean
coroutine_scope_body (gpointer   user_data,
                      GError   **error)
{
  ScopeData *data = user_data;

  data->ok = gco_coroutine_scope (two_children_block, data, &data->error);
  data->done_at_return = data->done;
  data->was_active = gco_is_active ();
  return TRUE;
}

static gboolean
coroutine_scope_failing_body (gpointer   user_data,
                              GError   **error)
{
  ScopeData *data = user_data;

  data->ok = gco_coroutine_scope (failing_child_block, data, &data->error);
  data->cancelled_at_return = data->cancelled;
  data->was_active = gco_is_active ();
  return gco_ensure_active (error);
}

static gboolean
supervisor_scope_body (gpointer   user_data,
                       GError   **error)
{
  ScopeData *data = user_data;

  data->ok = gco_supervisor_scope (supervised_children_block, data, &data->error);
  data->done_at_return = data->done;
  data->was_active = gco_is_active ();
  return TRUE;
}

static void
test_rule_6_coroutine_scope_waits (void)
{
  ScopeData data = { 0, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 6: gco_coroutine_scope returns when the block and all its children completed");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, coroutine_scope_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_true (data.ok);
  g_assert_no_error (data.error);
  g_assert_cmpuint (data.done_at_return, ==, 2);
  g_assert_true (data.was_active);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);

  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static void
check_coroutine_scope_failure (gboolean block_failure)
{
  ScopeData data = { 0, };
  gint expected;
  Env env;
  GcoJob *job;

  env_init (&env, FALSE);
  data.block_failure = block_failure;
  job = gco_launch_job (env.scope, coroutine_scope_failing_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_false (data.ok);
  /* The first failure: the block's own when it fails at once, else the
   * child's. */
  expected = block_failure ? SECOND_FAILURE : FIRST_FAILURE;
  g_assert_error (data.error, G_IO_ERROR, expected);
  /* The other child was cancelled, and had unwound before the call returned. */
  g_assert_cmpuint (data.cancelled_at_return, ==, 1);
  /* The caller was not cancelled. */
  g_assert_true (data.was_active);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);
  g_assert_true (gco_scope_is_active (env.scope));

  g_clear_error (&data.error);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static void
test_rule_6_coroutine_scope_returns_failure (void)
{
  g_test_summary ("Rule 6: gco_coroutine_scope returns the first failure as a value and does not cancel its caller");

  check_coroutine_scope_failure (FALSE);
  check_coroutine_scope_failure (TRUE);
}

static void
test_rule_6_supervisor_scope (void)
{
  ScopeData data = { 0, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 6: gco_supervisor_scope: a failed child cancels neither the block nor its siblings; only the block's failure is returned");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, supervisor_scope_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_true (data.ok);
  g_assert_no_error (data.error);
  g_assert_cmpuint (data.done_at_return, ==, 1);
  g_assert_true (data.was_active);
  /* The child's failure went to the handler. */
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_error (env.catcher.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  gco_test_assert_finalize_job (job);
  env_finish (&env);

  /* The block's own failure is returned. */
  memset (&data, 0, sizeof (data));
  data.block_failure = TRUE;
  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, supervisor_scope_body, &data, NULL);
  gco_test_run_until_job (NULL, job);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, SECOND_FAILURE);
  g_assert_true (data.was_active);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_clear_error (&data.error);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

/* Rule 7: prompt cancellation */

typedef struct
{
  GcoJob      *target;      /* a plain job to join */
  GcoDeferred *deferred;    /* a plain deferred to await */
  gboolean     waiting;
  gboolean     ok;
  gpointer     value;
  GError      *error;
  GError      *after_error; /* what a later suspending call returned */
  gboolean     after_ok;
} PromptData;

static gboolean
delay_forever_body (gpointer   user_data,
                    GError   **error)
{
  PromptData *data = user_data;

  data->waiting = TRUE;
  data->ok = gco_delay (600000, &data->error);
  data->after_ok = gco_yield (&data->after_error);
  return TRUE;
}

static gboolean
await_plain_deferred_body (gpointer   user_data,
                           GError   **error)
{
  PromptData *data = user_data;

  data->waiting = TRUE;
  data->value = gco_deferred_await (data->deferred, &data->error);
  data->after_ok = gco_delay (1, &data->after_error);
  return TRUE;
}

static gboolean
join_plain_job_body (gpointer   user_data,
                     GError   **error)
{
  PromptData *data = user_data;

  data->waiting = TRUE;
  data->ok = gco_job_join (data->target, &data->error);
  data->after_ok = gco_ensure_active (&data->after_error);
  return TRUE;
}

static void
prompt_data_clear (PromptData *data)
{
  g_clear_error (&data->error);
  g_clear_error (&data->after_error);
}

static void
test_rule_7_prompt_cancellation (void)
{
  PromptData delay = { NULL, };
  PromptData await = { NULL, };
  PromptData join = { NULL, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 7: once cancelled, every suspending call returns G_IO_ERROR_CANCELLED, even if what it waited for completed in the same instant");

  env_init (&env, FALSE);

  /* Suspended in a delay. */
  job = gco_launch_job (env.scope, delay_forever_body, &delay, NULL);
  gco_test_run_until (NULL, &delay.waiting);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_false (delay.ok);
  g_assert_error (delay.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (delay.after_ok);
  g_assert_error (delay.after_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The body swallowed the cancellation: still cancelled, not failed. */
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gco_test_assert_finalize_job (job);

  /* Awaiting a deferred that completes in the same instant. */
  await.deferred = gco_deferred_new (NULL);
  job = gco_launch_job (env.scope, await_plain_deferred_body, &await, NULL);
  gco_test_run_until (NULL, &await.waiting);
  gco_deferred_complete (await.deferred, &await, NULL);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_null (await.value);
  g_assert_error (await.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (await.after_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (await.deferred));

  /* Joining a job that completes in the same instant. */
  join.target = gco_job_new (NULL);
  job = gco_launch_job (env.scope, join_plain_job_body, &join, NULL);
  gco_test_run_until (NULL, &join.waiting);
  gco_job_complete (join.target);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_false (join.ok);
  g_assert_error (join.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (join.after_ok);
  g_assert_error (join.after_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (join.target);

  g_assert_cmpuint (env.catcher.calls, ==, 0);
  prompt_data_clear (&delay);
  prompt_data_clear (&await);
  prompt_data_clear (&join);
  env_finish (&env);
}

static void
test_rule_7_await_delivers_failure (void)
{
  PromptData await = { NULL, };
  GError *failure = g_error_new_literal (G_IO_ERROR, FIRST_FAILURE, "failure");
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 7: awaiting a deferred that failed returns the failure, even when the caller was cancelled in the same instant");

  env_init (&env, FALSE);
  await.deferred = gco_deferred_new (NULL);
  job = gco_launch_job (env.scope, await_plain_deferred_body, &await, NULL);
  gco_test_run_until (NULL, &await.waiting);
  gco_deferred_complete_with_error (await.deferred, failure);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_null (await.value);
  g_assert_error (await.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_error (await.after_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The body swallowed it: the job was only cancelled. */
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  g_error_free (failure);
  prompt_data_clear (&await);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (await.deferred));
  env_finish (&env);
}

typedef struct
{
  GcoJob  *caller;
  gboolean ok[3];
  GError  *errors[3];
} BuilderFailureData;

static gboolean
cancel_caller_then_fail_block (gpointer   user_data,
                               GError   **error)
{
  BuilderFailureData *data = user_data;

  gco_job_cancel (data->caller);
  g_assert_false (gco_is_active ());
  return set_failure (error, FIRST_FAILURE);
}

static gboolean
builders_deliver_failure_body (gpointer   user_data,
                               GError   **error)
{
  BuilderFailureData *data = user_data;

  data->caller = gco_job_get_current ();
  data->ok[0] = gco_coroutine_scope (cancel_caller_then_fail_block, data, &data->errors[0]);
  data->ok[1] = gco_supervisor_scope (cancel_caller_then_fail_block, data, &data->errors[1]);
  data->ok[2] = gco_with_timeout (60000, cancel_caller_then_fail_block, data, &data->errors[2]);
  return gco_ensure_active (error);
}

static void
test_rule_7_scoped_builder_delivers_failure (void)
{
  BuilderFailureData data = { NULL, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 7: a scoped builder whose block failed returns the failure, even when the caller is cancelled");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, builders_deliver_failure_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  for (guint i = 0; i < G_N_ELEMENTS (data.ok); i++)
    {
      g_assert_false (data.ok[i]);
      g_assert_error (data.errors[i], G_IO_ERROR, FIRST_FAILURE);
      g_clear_error (&data.errors[i]);
    }
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

typedef struct
{
  gboolean in_block;
  gboolean delay_ok;
  gboolean active_in_block;
  gboolean ensure_in_block;
  gboolean result;
  gboolean active_after;
  GError  *after_error;
} NonCancellableData;

static gboolean
non_cancellable_block (gpointer   user_data,
                       GError   **error)
{
  NonCancellableData *data = user_data;

  data->in_block = TRUE;
  data->delay_ok = gco_delay (100, error);
  if (!data->delay_ok)
    return FALSE;
  data->active_in_block = gco_is_active ();
  data->ensure_in_block = gco_ensure_active (NULL);
  return TRUE;
}

static gboolean
non_cancellable_body (gpointer   user_data,
                      GError   **error)
{
  NonCancellableData *data = user_data;

  data->result = gco_non_cancellable (non_cancellable_block, data, NULL);
  data->active_after = gco_ensure_active (&data->after_error);
  return TRUE;
}

static void
test_rule_7_non_cancellable (void)
{
  NonCancellableData data = { FALSE, };
  Env env;
  GcoJob *job;

  g_test_summary ("Rule 7: inside gco_non_cancellable nothing is cancelled, and it returns its block's result even when the caller was cancelled meanwhile");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, non_cancellable_body, &data, NULL);
  gco_test_run_until (NULL, &data.in_block);
  gco_job_cancel (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLING);
  gco_test_run_until_job (NULL, job);

  g_assert_true (data.delay_ok);
  g_assert_true (data.active_in_block);
  g_assert_true (data.ensure_in_block);
  g_assert_true (data.result);
  g_assert_false (data.active_after);
  g_assert_error (data.after_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);

  g_clear_error (&data.after_error);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

/* Rule 8: launching into a cancelled or completed scope */

typedef struct
{
  guint runs;
  guint destroys;
} RunCount;

static gboolean
count_runs_body (gpointer   user_data,
                 GError   **error)
{
  RunCount *count = user_data;

  count->runs++;
  return TRUE;
}

static gpointer
count_runs_value_body (gpointer   user_data,
                       GError   **error)
{
  RunCount *count = user_data;

  count->runs++;
  return NULL;
}

static void
run_count_destroy_cb (gpointer user_data)
{
  RunCount *count = user_data;

  count->destroys++;
}

static void
check_launch_into_dead_scope (Env *env)
{
  RunCount launched = { 0, 0 }, forgotten = { 0, 0 }, async = { 0, 0 };
  GcoDeferred *deferred;
  GcoJob *job;

  job = gco_launch_job (env->scope, count_runs_body, &launched, run_count_destroy_cb);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_false (gco_job_is_active (job));
  gco_launch (env->scope, count_runs_body, &forgotten, run_count_destroy_cb);
  deferred = gco_async (env->scope, count_runs_value_body, &async, run_count_destroy_cb, NULL);
  g_assert_true (gco_job_is_cancelled (GCO_JOB (deferred)));

  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, GCO_JOB (deferred));
  gco_test_run_for (NULL, 20);

  g_assert_cmpuint (launched.runs, ==, 0);
  g_assert_cmpuint (forgotten.runs, ==, 0);
  g_assert_cmpuint (async.runs, ==, 0);
  g_assert_cmpuint (launched.destroys, ==, 1);
  g_assert_cmpuint (forgotten.destroys, ==, 1);
  g_assert_cmpuint (async.destroys, ==, 1);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (gco_job_get_error (GCO_JOB (deferred)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Nothing is reported. */
  g_assert_cmpuint (env->catcher.calls, ==, 0);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
}

static void
test_rule_8_launch_into_cancelled_scope (void)
{
  Env env;

  g_test_summary ("Rule 8: launching into a cancelled scope creates a cancelled job whose body never runs; nothing is reported");

  env_init (&env, FALSE);
  gco_scope_cancel (env.scope);
  check_launch_into_dead_scope (&env);
  env_finish (&env);
}

static void
test_rule_8_launch_into_completed_scope (void)
{
  Env env;

  g_test_summary ("Rule 8: launching into a completed scope creates a cancelled job whose body never runs");

  env_init (&env, FALSE);
  g_assert_true (gco_job_complete (env.root));
  g_assert_cmpint (gco_job_get_state (env.root), ==, GCO_JOB_STATE_COMPLETED);
  check_launch_into_dead_scope (&env);
  env_finish (&env);
}

typedef struct
{
  GcoJob   *busy;
  GcoJob   *born;
  RunCount  count;
} CancellingScopeData;

static gboolean
launch_into_cancelling_body (gpointer   user_data,
                             GError   **error)
{
  CancellingScopeData *data = user_data;
  GError *local_error = NULL;

  gco_await_cancellation (&local_error);
  /* The scope is cancelling, waiting for this very coroutine. */
  data->born = gco_launch_job (gco_scope_get_current (), count_runs_body, &data->count,
                               run_count_destroy_cb);
  g_propagate_error (error, local_error);
  return FALSE;
}

static void
test_rule_8_launch_into_cancelling_scope (void)
{
  CancellingScopeData data = { NULL, };
  Env env;

  g_test_summary ("Rule 8: launching into a scope that is cancelling (still unwinding) creates a cancelled job too");

  env_init (&env, FALSE);
  data.busy = gco_launch_job (env.scope, launch_into_cancelling_body, &data, NULL);
  gco_test_drain (NULL);
  gco_scope_cancel (env.scope);
  gco_test_run_until_job (NULL, data.busy);
  gco_test_drain (NULL);

  g_assert_nonnull (data.born);
  g_assert_true (gco_job_is_cancelled (data.born));
  g_assert_cmpuint (data.count.runs, ==, 0);
  g_assert_cmpuint (data.count.destroys, ==, 1);

  gco_test_assert_finalize_job (data.born);
  gco_test_assert_finalize_job (data.busy);
  env_finish (&env);
}

/* Rule 9: join and await */

typedef struct
{
  GcoJob      *target;
  GcoDeferred *deferred;
  gboolean     waiting;
  gboolean     ok;
  gboolean     target_completed;
  gboolean     target_active;
  gpointer     value;
  GError      *error;
} JoinData;

static gboolean
joiner_body (gpointer   user_data,
             GError   **error)
{
  JoinData *data = user_data;

  data->waiting = TRUE;
  data->ok = gco_job_join (data->target, &data->error);
  data->target_completed = gco_job_is_completed (data->target);
  data->target_active = gco_job_is_active (data->target);
  return TRUE;
}

static gboolean
awaiter_body (gpointer   user_data,
              GError   **error)
{
  JoinData *data = user_data;

  data->waiting = TRUE;
  data->value = gco_deferred_await (data->deferred, &data->error);
  data->target_completed = gco_job_is_completed (GCO_JOB (data->deferred));
  data->target_active = gco_job_is_active (GCO_JOB (data->deferred));
  return TRUE;
}

static gpointer
value_after_gate_body (gpointer   user_data,
                       GError   **error)
{
  if (!gco_job_join (user_data, error))
    return NULL;
  return (gpointer) "the value";
}

static gpointer
await_cancellation_value_body (gpointer   user_data,
                               GError   **error)
{
  gco_await_cancellation (error);
  return NULL;
}

static void
test_rule_9_join_waits (void)
{
  JoinData join = { NULL, }, await = { NULL, };
  GcoJob *gate;
  Env env;
  GcoJob *joiner, *awaiter;

  g_test_summary ("Rule 9: join and await suspend the caller until the target completed");

  env_init (&env, FALSE);
  gate = gco_job_new (NULL);
  join.target = gco_launch_job (env.scope, join_gate_body, gate, NULL);
  await.deferred = gco_async (env.scope, value_after_gate_body, gate, NULL, NULL);
  joiner = gco_launch_job (env.scope, joiner_body, &join, NULL);
  awaiter = gco_launch_job (env.scope, awaiter_body, &await, NULL);
  gco_test_run_until (NULL, &join.waiting);
  gco_test_run_until (NULL, &await.waiting);
  gco_test_run_for (NULL, 20);
  g_assert_false (gco_job_is_completed (joiner));
  g_assert_false (gco_job_is_completed (awaiter));

  gco_job_complete (gate);
  gco_test_run_until_job (NULL, joiner);
  gco_test_run_until_job (NULL, awaiter);

  g_assert_true (join.ok);
  g_assert_no_error (join.error);
  g_assert_true (join.target_completed);
  g_assert_no_error (await.error);
  g_assert_cmpstr (await.value, ==, "the value");
  g_assert_true (await.target_completed);

  gco_test_assert_finalize_job (joiner);
  gco_test_assert_finalize_job (awaiter);
  gco_test_assert_finalize_job (join.target);
  gco_test_assert_finalize_job (GCO_JOB (await.deferred));
  gco_test_assert_finalize_job (gate);
  env_finish (&env);
}

static void
test_rule_9_caller_cancelled (void)
{
  JoinData join = { NULL, }, await = { NULL, };
  Env env;
  GcoJob *joiner, *awaiter;

  g_test_summary ("Rule 9: if the caller of join or await is cancelled meanwhile, it returns G_IO_ERROR_CANCELLED and leaves the target alone");

  env_init (&env, FALSE);
  join.target = gco_launch_job (env.scope, await_cancellation_body, NULL, NULL);
  await.deferred = gco_async (env.scope, await_cancellation_value_body, NULL, NULL, NULL);
  joiner = gco_launch_job (env.scope, joiner_body, &join, NULL);
  awaiter = gco_launch_job (env.scope, awaiter_body, &await, NULL);
  gco_test_run_until (NULL, &join.waiting);
  gco_test_run_until (NULL, &await.waiting);

  gco_job_cancel (joiner);
  gco_job_cancel (awaiter);
  gco_test_run_until_job (NULL, joiner);
  gco_test_run_until_job (NULL, awaiter);

  g_assert_false (join.ok);
  g_assert_error (join.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (join.target_active);
  g_assert_null (await.value);
  g_assert_error (await.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (await.target_active);

  /* The targets are still running, untouched. */
  gco_test_run_for (NULL, 20);
  g_assert_true (gco_job_is_active (join.target));
  g_assert_true (gco_job_is_active (GCO_JOB (await.deferred)));
  gco_job_cancel (join.target);
  gco_job_cancel (GCO_JOB (await.deferred));
  gco_test_run_until_job (NULL, join.target);
  gco_test_run_until_job (NULL, GCO_JOB (await.deferred));
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  g_clear_error (&join.error);
  g_clear_error (&await.error);
  gco_test_assert_finalize_job (joiner);
  gco_test_assert_finalize_job (awaiter);
  gco_test_assert_finalize_job (join.target);
  gco_test_assert_finalize_job (GCO_JOB (await.deferred));
  env_finish (&env);
}

/* Rule 10: completion handlers */

typedef struct
{
  guint    calls;
  guint    destroys;
  gboolean had_error;
  gint     code;
  GcoJobState state;
} HandlerCount;

static void
count_handler_cb (GcoJob       *job,
                  const GError *error,
                  gpointer      user_data)
{
  HandlerCount *count = user_data;

  count->calls++;
  count->had_error = error != NULL;
  count->code = error != NULL ? error->code : -1;
  count->state = gco_job_get_state (job);
}

static void
count_handler_destroy_cb (gpointer user_data)
{
  HandlerCount *count = user_data;

  count->destroys++;
}

static void
test_rule_10_completion_handlers (void)
{
  HandlerCount before = { 0, }, after = { 0, }, cancelled = { 0, }, failed = { 0, };
  Env env;
  GcoJob *job, *cancelled_job, *failed_job;

  g_test_summary ("Rule 10: completion handlers of coroutines run exactly once, also when added after completion (then at once)");

  env_init (&env, TRUE);
  job = gco_launch_job (env.scope, count_runs_body, &(RunCount) { 0, 0 }, NULL);
  gco_job_add_completion_handler (job, count_handler_cb, &before, count_handler_destroy_cb);
  cancelled_job = gco_launch_job (env.scope, await_cancellation_body, NULL, NULL);
  gco_job_add_completion_handler (cancelled_job, count_handler_cb, &cancelled, count_handler_destroy_cb);
  failed_job = gco_launch_job (env.scope, yield_then_fail_body, NULL, NULL);
  gco_job_add_completion_handler (failed_job, count_handler_cb, &failed, count_handler_destroy_cb);

  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, failed_job);
  gco_job_cancel (cancelled_job);
  gco_test_run_until_job (NULL, cancelled_job);
  gco_test_run_for (NULL, 20);

  g_assert_cmpuint (before.calls, ==, 1);
  g_assert_cmpuint (before.destroys, ==, 1);
  g_assert_false (before.had_error);
  g_assert_cmpint (before.state, ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (cancelled.calls, ==, 1);
  g_assert_cmpint (cancelled.code, ==, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cancelled.state, ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpuint (failed.calls, ==, 1);
  g_assert_cmpint (failed.code, ==, FIRST_FAILURE);
  g_assert_cmpint (failed.state, ==, GCO_JOB_STATE_CANCELLED);

  gco_job_add_completion_handler (job, count_handler_cb, &after, count_handler_destroy_cb);
  g_assert_cmpuint (after.calls, ==, 1);
  g_assert_cmpuint (after.destroys, ==, 1);
  gco_test_run_for (NULL, 20);
  g_assert_cmpuint (after.calls, ==, 1);
  g_assert_cmpuint (before.calls, ==, 1);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (cancelled_job);
  gco_test_assert_finalize_job (failed_job);
  env_finish (&env);
}

/* Rule 11: cancel and join */

typedef struct
{
  Env      *env;
  GcoJob   *target;
  GcoJob   *child;
  gboolean  ready;
  gboolean  target_clean;
  gboolean  child_clean;
  gboolean  ok;
  GError   *error;
  gboolean  clean_at_return;
  gboolean  completed_at_return;
} UnwindData;

static gboolean
slow_cleanup_block (gpointer   user_data,
                    GError   **error)
{
  gboolean *clean = user_data;

  if (!gco_delay (30, error))
    return FALSE;
  *clean = TRUE;
  return TRUE;
}

static gboolean
unwinding_child_body (gpointer   user_data,
                      GError   **error)
{
  UnwindData *data = user_data;

  data->ready = TRUE;
  gco_await_cancellation (error);
  gco_non_cancellable (slow_cleanup_block, &data->child_clean, NULL);
  return FALSE;
}

static gboolean
unwinding_target_body (gpointer   user_data,
                       GError   **error)
{
  UnwindData *data = user_data;

  data->child = gco_launch_job (gco_scope_get_current (), unwinding_child_body, data, NULL);
  gco_await_cancellation (error);
  gco_non_cancellable (slow_cleanup_block, &data->target_clean, NULL);
  return FALSE;
}

static gboolean
cancel_and_join_body (gpointer   user_data,
                      GError   **error)
{
  UnwindData *data = user_data;

  data->ok = gco_job_cancel_and_join (data->target, &data->error);
  data->clean_at_return = data->target_clean && data->child_clean;
  data->completed_at_return = gco_job_is_completed (data->target) &&
                              gco_job_is_completed (data->child);
  return TRUE;
}

static void
test_rule_11_cancel_and_join (void)
{
  UnwindData data = { NULL, };
  Env env;
  GcoJob *joiner;

  g_test_summary ("Rule 11: gco_job_cancel_and_join returns only after the job's body and all its descendants finished unwinding");

  env_init (&env, FALSE);
  data.env = &env;
  data.target = gco_launch_job (env.scope, unwinding_target_body, &data, NULL);
  gco_test_run_until (NULL, &data.ready);
  joiner = gco_launch_job (env.scope, cancel_and_join_body, &data, NULL);
  gco_test_run_until_job (NULL, joiner);

  g_assert_true (data.ok);
  g_assert_no_error (data.error);
  g_assert_true (data.clean_at_return);
  g_assert_true (data.completed_at_return);
  g_assert_cmpint (gco_job_get_state (data.target), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpint (gco_job_get_state (joiner), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  gco_test_assert_finalize_job (joiner);
  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (data.target);
  env_finish (&env);
}

static void
test_rule_11_cancel_returns_at_once (void)
{
  UnwindData data = { NULL, };
  Env env;

  g_test_summary ("Rule 11: gco_job_cancel returns at once; the unwinding is observable");

  env_init (&env, FALSE);
  data.env = &env;
  data.target = gco_launch_job (env.scope, unwinding_target_body, &data, NULL);
  gco_test_run_until (NULL, &data.ready);

  gco_job_cancel (data.target);
  g_assert_cmpint (gco_job_get_state (data.target), ==, GCO_JOB_STATE_CANCELLING);
  g_assert_cmpint (gco_job_get_state (data.child), ==, GCO_JOB_STATE_CANCELLING);
  g_assert_false (data.target_clean);
  g_assert_false (data.child_clean);

  gco_test_run_until_job (NULL, data.target);
  g_assert_true (data.target_clean);
  g_assert_true (data.child_clean);

  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (data.target);
  env_finish (&env);
}

/* Precise points */

typedef struct
{
  GcoJob  *observed;
  gboolean handler_ran;
  GcoJobState seen_state;
  gboolean seen_handler_ran;
} ObserveData;

static void
set_flag_cb (GcoJob       *job,
             const GError *error,
             gpointer      user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
}

static gboolean
observer_body (gpointer   user_data,
               GError   **error)
{
  ObserveData *data = user_data;

  data->seen_state = gco_job_get_state (data->observed);
  data->seen_handler_ran = data->handler_ran;
  return TRUE;
}

static gboolean
suspend_forever_body (gpointer   user_data,
                      GError   **error)
{
  gboolean *started = user_data;

  *started = TRUE;
  return gco_await_cancellation (error);
}

static void
test_precise_state_changes_synchronous (void)
{
  ObserveData data = { NULL, };
  gboolean plain_handler_ran = FALSE;
  gboolean started = FALSE;
  GcoJob *parent, *child, *plain;
  Env env;
  GcoJob *observer, *suspended;

  g_test_summary ("Precise: a job's state changes synchronously inside the call that causes it "
                  "(cancel, complete, a body returning, the last child completing)");

  /* complete, and the last child completing. */
  parent = gco_job_new (NULL);
  child = gco_job_new (parent);
  gco_job_complete (parent);
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETING);
  gco_job_complete (child);
  g_assert_cmpint (gco_job_get_state (child), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETED);
  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (parent);

  /* cancel. */
  plain = gco_job_new (NULL);
  gco_job_add_completion_handler (plain, set_flag_cb, &plain_handler_ran, NULL);
  gco_job_cancel (plain);
  g_assert_cmpint (gco_job_get_state (plain), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_true (plain_handler_ran);
  gco_test_assert_finalize_job (plain);

  env_init (&env, FALSE);

  /* Cancelling a suspended coroutine: cancelling at once. */
  suspended = gco_launch_job (env.scope, suspend_forever_body, &started, NULL);
  gco_test_run_until (NULL, &started);
  gco_job_cancel (suspended);
  g_assert_cmpint (gco_job_get_state (suspended), ==, GCO_JOB_STATE_CANCELLING);
  gco_test_run_until_job (NULL, suspended);
  gco_test_assert_finalize_job (suspended);

  /* A body returning: the next coroutine in the queue already sees the job
   * completed and its handler run, without any other main loop iteration. */
  data.observed = gco_launch_job (env.scope, count_runs_body, &(RunCount) { 0, 0 }, NULL);
  gco_job_add_completion_handler (data.observed, set_flag_cb, &data.handler_ran, NULL);
  observer = gco_launch_job (env.scope, observer_body, &data, NULL);
  gco_test_run_until_job (NULL, observer);
  g_assert_cmpint (data.seen_state, ==, GCO_JOB_STATE_COMPLETED);
  g_assert_true (data.seen_handler_ran);

  gco_test_assert_finalize_job (observer);
  gco_test_assert_finalize_job (data.observed);
  env_finish (&env);
}

static void
test_precise_completion_handlers_synchronous (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, FIRST_FAILURE, "failure");
  gboolean completed_ran = FALSE, cancelled_ran = FALSE, failed_ran = FALSE, parent_ran = FALSE;
  ObserveData data = { NULL, };
  GcoJob *completed, *cancelled, *parent, *failed;
  Env env;
  GcoJob *observer;

  g_test_summary ("Precise: completion handlers run synchronously at completion, inside the call that completes the job");

  completed = gco_job_new (NULL);
  gco_job_add_completion_handler (completed, set_flag_cb, &completed_ran, NULL);
  gco_job_complete (completed);
  g_assert_true (completed_ran);

  cancelled = gco_job_new (NULL);
  gco_job_add_completion_handler (cancelled, set_flag_cb, &cancelled_ran, NULL);
  gco_job_cancel (cancelled);
  g_assert_true (cancelled_ran);

  /* A failure completing the child and, through it, the parent. */
  parent = gco_job_new (NULL);
  failed = gco_job_new (parent);
  gco_job_add_completion_handler (parent, set_flag_cb, &parent_ran, NULL);
  gco_job_add_completion_handler (failed, set_flag_cb, &failed_ran, NULL);
  gco_job_complete_with_error (failed, failure);
  g_assert_true (failed_ran);
  g_assert_true (parent_ran);

  /* A coroutine's body returning: its handler has run before the next
   * coroutine in the queue runs. */
  env_init (&env, FALSE);
  data.observed = gco_launch_job (env.scope, count_runs_body, &(RunCount) { 0, 0 }, NULL);
  gco_job_add_completion_handler (data.observed, set_flag_cb, &data.handler_ran, NULL);
  observer = gco_launch_job (env.scope, observer_body, &data, NULL);
  gco_test_run_until_job (NULL, observer);
  g_assert_true (data.seen_handler_ran);

  g_error_free (failure);
  gco_test_assert_finalize_job (observer);
  gco_test_assert_finalize_job (data.observed);
  gco_test_assert_finalize_job (completed);
  gco_test_assert_finalize_job (cancelled);
  gco_test_assert_finalize_job (failed);
  gco_test_assert_finalize_job (parent);
  env_finish (&env);
}

static gboolean
joins_and_logs_body (gpointer   user_data,
                     GError   **error)
{
  FailureData *data = user_data;

  if (!gco_job_join (data->failing, error))
    return FALSE;
  log_append (data->env->log, "joined");
  return TRUE;
}

static void
log_completed_cb (GcoJob       *job,
                  const GError *error,
                  gpointer      user_data)
{
  Env *env = user_data;

  log_append (env->log, "completed");
}

static void
test_precise_exception_handler_before_completion (void)
{
  FailureData data = { NULL, };
  Env env;
  GcoJob *joiner;

  g_test_summary ("Precise: the exception handler runs before the failed job counts as completed, before its completion handlers and any joiner");

  env_init (&env, TRUE);
  env.catcher.log = env.log;
  data.env = &env;
  data.failing = gco_launch_job (env.scope, yield_then_fail_body, NULL, NULL);
  gco_job_add_completion_handler (data.failing, log_completed_cb, &env, NULL);
  joiner = gco_launch_job (env.scope, joins_and_logs_body, &data, NULL);
  gco_test_run_until_job (NULL, joiner);

  g_assert_cmpstr (env.log->str, ==, "exception;completed;joined;");
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_false (env.catcher.job_was_completed);
  g_assert_cmpint (env.catcher.state, ==, GCO_JOB_STATE_CANCELLING);

  gco_test_assert_finalize_job (joiner);
  gco_test_assert_finalize_job (data.failing);
  env_finish (&env);
}

static gboolean
failing_child_then_wait_body (gpointer   user_data,
                              GError   **error)
{
  gco_launch (gco_scope_get_current (), yield_then_fail_body, NULL, NULL);
  return gco_await_cancellation (error);
}

typedef struct
{
  GcoJob   *failing;
  gboolean  ok;
  GError   *error;
} NestedData;

static gboolean
launch_failing_in_supervisor_block (gpointer   user_data,
                                    GError   **error)
{
  NestedData *data = user_data;

  data->failing = gco_launch_job (gco_scope_get_current (), yield_then_fail_body, NULL, NULL);
  return TRUE;
}

static gboolean
supervisor_in_coroutine_scope_block (gpointer   user_data,
                                     GError   **error)
{
  return gco_supervisor_scope (launch_failing_in_supervisor_block, user_data, error);
}

static gboolean
nested_builders_body (gpointer   user_data,
                      GError   **error)
{
  NestedData *data = user_data;

  data->ok = gco_coroutine_scope (supervisor_in_coroutine_scope_block, data, &data->error);
  return TRUE;
}

static void
test_precise_scope_handler_applies_everywhere (void)
{
  NestedData nested = { NULL, };
  Env env;
  GcoJob *job, *builder_job;

  g_test_summary ("Precise: a scope's exception handler applies to children's children and inside builder blocks, "
                  "and receives the top-most failed launch with the first error");

  env_init (&env, TRUE);

  /* A child's child fails: the top-most failed launch is the parent. */
  job = gco_launch_job (env.scope, failing_child_then_wait_body, NULL, NULL);
  gco_test_run_until_job (NULL, job);
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == job);
  g_assert_error (env.catcher.error, G_IO_ERROR, FIRST_FAILURE);
  gco_test_assert_finalize_job (job);
  catcher_clear (&env.catcher);
  env.catcher.calls = 0;

  /* Inside a supervisor_scope inside a coroutine_scope: the failed launch is
   * handed to the same handler. */
  builder_job = gco_launch_job (env.scope, nested_builders_body, &nested, NULL);
  gco_test_run_until_job (NULL, builder_job);
  g_assert_true (nested.ok);
  g_assert_no_error (nested.error);
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == nested.failing);
  g_assert_error (env.catcher.error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpint (gco_job_get_state (builder_job), ==, GCO_JOB_STATE_COMPLETED);

  gco_test_assert_finalize_job (nested.failing);
  gco_test_assert_finalize_job (builder_job);
  env_finish (&env);
}

typedef struct
{
  GcoJob   *child;
  gboolean  ready;
} AfterCancelData;

static gboolean
fail_after_cancel_body (gpointer   user_data,
                        GError   **error)
{
  AfterCancelData *data = user_data;
  GError *local_error = NULL;

  data->ready = TRUE;
  gco_await_cancellation (&local_error);
  g_clear_error (&local_error);
  return set_failure (error, FIRST_FAILURE);
}

static gboolean
parent_of_fail_after_cancel_body (gpointer   user_data,
                                  GError   **error)
{
  AfterCancelData *data = user_data;

  data->child = gco_launch_job (gco_scope_get_current (), fail_after_cancel_body, data, NULL);
  return gco_await_cancellation (error);
}

static void
test_precise_failure_after_cancel (void)
{
  AfterCancelData data = { NULL, FALSE };
  Env env;
  GcoJob *job;

  g_test_summary ("Precise: a coroutine that returns a non-cancellation error after being cancelled has failed, and the failure travels up");

  env_init (&env, TRUE);
  job = gco_launch_job (env.scope, parent_of_fail_after_cancel_body, &data, NULL);
  gco_test_run_until (NULL, &data.ready);

  /* Cancel the child only: its failure then cancels its parent. */
  gco_job_cancel (data.child);
  gco_test_run_until_job (NULL, job);

  g_assert_error (gco_job_get_error (data.child), G_IO_ERROR, FIRST_FAILURE);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, FIRST_FAILURE);
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == job);
  g_assert_error (env.catcher.error, G_IO_ERROR, FIRST_FAILURE);

  gco_test_assert_finalize_job (data.child);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static gboolean
timed_out_body (gpointer   user_data,
                GError   **error)
{
  return gco_with_timeout (20, await_cancellation_body, NULL, error);
}

static gboolean
parent_of_timed_out_body (gpointer   user_data,
                          GError   **error)
{
  GcoJob **child = user_data;

  *child = gco_launch_job (gco_scope_get_current (), timed_out_body, NULL, NULL);
  return gco_await_cancellation (error);
}

static void
test_precise_timed_out_is_failure (void)
{
  GcoJob *child = NULL;
  Env env;
  GcoJob *job;

  g_test_summary ("Precise: G_IO_ERROR_TIMED_OUT escaping a coroutine body is a failure");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, parent_of_timed_out_body, &child, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_error (gco_job_get_error (child), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (env.catcher.calls, ==, 1);
  g_assert_true (env.catcher.job == job);
  g_assert_error (env.catcher.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_false (gco_scope_is_active (env.scope));

  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

typedef struct
{
  guint    runs;
  guint    destroys;
  gboolean was_active;
  gboolean ensure_ok;
  GError  *ensure_error;
} AtomicData;

static gboolean
atomic_body (gpointer   user_data,
             GError   **error)
{
  AtomicData *data = user_data;

  data->runs++;
  data->was_active = gco_is_active ();
  data->ensure_ok = gco_ensure_active (&data->ensure_error);
  return TRUE;
}

static void
atomic_destroy_cb (gpointer user_data)
{
  AtomicData *data = user_data;

  data->destroys++;
}

static void
test_precise_cancelled_before_first_run (void)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  AtomicData dflt = { 0, }, atomic = { 0, };
  Env env;
  GcoJob *job, *atomic_job;

  g_test_summary ("Precise: a default launch cancelled before its first run never runs; an atomic one runs once, already cancelled");

  env_init (&env, FALSE);

  job = gco_launch_job (env.scope, atomic_body, &dflt, atomic_destroy_cb);
  gco_job_cancel (job);
  /* It will never run: it counts as cancelled at once. */
  g_assert_true (gco_job_is_cancelled (job));
  gco_test_run_until_job (NULL, job);
  gco_test_run_for (NULL, 20);
  g_assert_cmpuint (dflt.runs, ==, 0);
  g_assert_cmpuint (dflt.destroys, ==, 1);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  options.start = GCO_START_ATOMIC;
  atomic_job = gco_launch_full (env.scope, &options, atomic_body, &atomic, atomic_destroy_cb);
  gco_job_cancel (atomic_job);
  g_assert_cmpint (gco_job_get_state (atomic_job), ==, GCO_JOB_STATE_CANCELLING);
  gco_test_run_until_job (NULL, atomic_job);
  gco_test_run_for (NULL, 20);
  g_assert_cmpuint (atomic.runs, ==, 1);
  g_assert_cmpuint (atomic.destroys, ==, 1);
  g_assert_false (atomic.was_active);
  g_assert_false (atomic.ensure_ok);
  g_assert_error (atomic.ensure_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gco_job_get_state (atomic_job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  g_clear_error (&atomic.ensure_error);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (atomic_job);
  env_finish (&env);
}

typedef struct
{
  GcoJob      *failed;
  GcoJob      *cancelled;
  GcoDeferred *failed_deferred;
  gboolean     join_failed_ok;
  gboolean     join_cancelled_ok;
  GError      *join_failed_error;
  GError      *join_cancelled_error;
  GError      *await_error;
  GError      *await_cancelled_error;
  GcoDeferred *cancelled_deferred;
} JoinFailedData;

static gboolean
join_failed_body (gpointer   user_data,
                  GError   **error)
{
  JoinFailedData *data = user_data;

  data->join_failed_ok = gco_job_join (data->failed, &data->join_failed_error);
  data->join_cancelled_ok = gco_job_join (data->cancelled, &data->join_cancelled_error);
  gco_deferred_await (data->failed_deferred, &data->await_error);
  gco_deferred_await (data->cancelled_deferred, &data->await_cancelled_error);
  return TRUE;
}

static void
test_precise_join_failed_returns_true (void)
{
  JoinFailedData data = { NULL, };
  Env env;
  GcoJob *joiner;

  g_test_summary ("Precise: joining a target that failed or was cancelled returns TRUE; only await reports the failure");

  env_init (&env, TRUE);
  data.failed = gco_launch_job (env.scope, yield_then_fail_body, NULL, NULL);
  data.cancelled = gco_launch_job (env.scope, await_cancellation_body, NULL, NULL);
  data.failed_deferred = gco_async (env.scope, fail_value_body, NULL, NULL, NULL);
  data.cancelled_deferred = gco_async (env.scope, await_cancellation_value_body, NULL, NULL, NULL);
  joiner = gco_launch_job (env.scope, join_failed_body, &data, NULL);
  gco_test_run_until_job (NULL, data.failed);
  gco_job_cancel (data.cancelled);
  gco_job_cancel (GCO_JOB (data.cancelled_deferred));
  gco_test_run_until_job (NULL, joiner);

  g_assert_true (data.join_failed_ok);
  g_assert_no_error (data.join_failed_error);
  g_assert_true (data.join_cancelled_ok);
  g_assert_no_error (data.join_cancelled_error);
  g_assert_error (data.await_error, G_IO_ERROR, FIRST_FAILURE);
  g_assert_error (data.await_cancelled_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gco_job_get_state (joiner), ==, GCO_JOB_STATE_COMPLETED);

  g_clear_error (&data.await_error);
  g_clear_error (&data.await_cancelled_error);
  gco_test_assert_finalize_job (joiner);
  gco_test_assert_finalize_job (data.failed);
  gco_test_assert_finalize_job (data.cancelled);
  gco_test_assert_finalize_job (GCO_JOB (data.failed_deferred));
  gco_test_assert_finalize_job (GCO_JOB (data.cancelled_deferred));
  env_finish (&env);
}

/* Precise: gco_with_timeout */

typedef struct
{
  gboolean ok;
  GError  *error;
  gboolean inner_ok;
  GError  *inner_error;    /* what the block saw, or what the inner call returned */
  gboolean block_ran;
  gboolean block_was_active;
} TimeoutData;

static gboolean
record_cancellation_block (gpointer   user_data,
                           GError   **error)
{
  TimeoutData *data = user_data;

  data->block_ran = TRUE;
  data->block_was_active = gco_is_active ();
  data->inner_ok = gco_await_cancellation (&data->inner_error);
  g_propagate_error (error, g_error_copy (data->inner_error));
  return FALSE;
}

static gboolean
convert_cancellation_block (gpointer   user_data,
                            GError   **error)
{
  TimeoutData *data = user_data;

  data->inner_ok = gco_await_cancellation (&data->inner_error);
  return set_failure (error, SECOND_FAILURE);
}

static gboolean
swallow_cancellation_block (gpointer   user_data,
                            GError   **error)
{
  TimeoutData *data = user_data;

  data->inner_ok = gco_await_cancellation (&data->inner_error);
  return TRUE;
}

static gboolean
inner_timeout_block (gpointer   user_data,
                     GError   **error)
{
  TimeoutData *data = user_data;

  data->inner_ok = gco_with_timeout (600000, await_cancellation_body, NULL, &data->inner_error);
  if (!data->inner_ok)
    {
      g_propagate_error (error, g_error_copy (data->inner_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
delay_block (gpointer   user_data,
             GError   **error)
{
  return gco_delay (100, error);
}

/* Times out, then unwinds slowly: the test cancels the caller meanwhile. */
static gboolean
unwind_slowly_block (gpointer   user_data,
                     GError   **error)
{
  TimeoutData *data = user_data;

  data->inner_ok = gco_await_cancellation (&data->inner_error);
  data->block_ran = TRUE;
  gco_non_cancellable (delay_block, NULL, NULL);
  g_propagate_error (error, g_error_copy (data->inner_error));
  return FALSE;
}

typedef struct
{
  GcoFunc      block;
  guint        msec;
  gboolean     cancel_first;
  TimeoutData *data;
} TimeoutCall;

static gboolean
with_timeout_body (gpointer   user_data,
                   GError   **error)
{
  TimeoutCall *call = user_data;

  if (call->cancel_first)
    gco_job_cancel (gco_job_get_current ());
  call->data->ok = gco_with_timeout (call->msec, call->block, call->data, &call->data->error);
  return TRUE;
}

static void
run_with_timeout (GcoFunc      block,
                  guint        msec,
                  gboolean     cancel_first,
                  TimeoutData *data)
{
  TimeoutCall call = { block, msec, cancel_first, data };
  Env env;
  GcoJob *job;

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, with_timeout_body, &call, NULL);
  gco_test_run_until_job (NULL, job);
  g_assert_cmpuint (env.catcher.calls, ==, 0);
  g_assert_true (gco_job_get_state (job) == (cancel_first ? GCO_JOB_STATE_CANCELLED
                                                          : GCO_JOB_STATE_COMPLETED));
  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

static void
timeout_data_clear (TimeoutData *data)
{
  g_clear_error (&data->error);
  g_clear_error (&data->inner_error);
}

static void
test_precise_with_timeout_own_deadline (void)
{
  TimeoutData data = { FALSE, };

  g_test_summary ("Precise: the gco_with_timeout whose own deadline expired returns G_IO_ERROR_TIMED_OUT; inside, calls return G_IO_ERROR_CANCELLED");

  run_with_timeout (record_cancellation_block, 20, FALSE, &data);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_false (data.inner_ok);
  g_assert_error (data.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  timeout_data_clear (&data);
}

static void
test_precise_with_timeout_inner_interrupted (void)
{
  TimeoutData data = { FALSE, };

  g_test_summary ("Precise: an inner gco_with_timeout interrupted by an outer deadline returns G_IO_ERROR_CANCELLED; the outer one TIMED_OUT");

  run_with_timeout (inner_timeout_block, 20, FALSE, &data);
  g_assert_false (data.inner_ok);
  g_assert_error (data.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  timeout_data_clear (&data);
}

static void
test_precise_with_timeout_caller_cancelled (void)
{
  TimeoutData data = { FALSE, };

  g_test_summary ("Precise: gco_with_timeout called by an already-cancelled coroutine returns G_IO_ERROR_CANCELLED; the block still runs, cancelled");

  run_with_timeout (record_cancellation_block, 600000, TRUE, &data);
  g_assert_true (data.block_ran);
  g_assert_false (data.block_was_active);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  timeout_data_clear (&data);

  /* Even with a deadline that expires while the block unwinds. */
  memset (&data, 0, sizeof (data));
  run_with_timeout (record_cancellation_block, 1, TRUE, &data);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  timeout_data_clear (&data);

  /* Cancelled after its own deadline expired, while the block unwinds: the
   * caller is cancelled, and a timeout is no failure (rule 7). */
  {
    TimeoutCall call = { unwind_slowly_block, 20, FALSE, &data };
    Env env;
    GcoJob *job;

    memset (&data, 0, sizeof (data));
    env_init (&env, FALSE);
    job = gco_launch_job (env.scope, with_timeout_body, &call, NULL);
    gco_test_run_until (NULL, &data.block_ran);
    gco_job_cancel (job);
    gco_test_run_until_job (NULL, job);
    g_assert_error (data.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_false (data.ok);
    g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (env.catcher.calls, ==, 0);
    timeout_data_clear (&data);
    gco_test_assert_finalize_job (job);
    env_finish (&env);
  }
}

static void
test_precise_with_timeout_block_converts (void)
{
  TimeoutData data = { FALSE, };

  g_test_summary ("Precise: if the timed block turns its cancellation into another error, gco_with_timeout returns that error");

  run_with_timeout (convert_cancellation_block, 20, FALSE, &data);
  g_assert_error (data.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, SECOND_FAILURE);
  timeout_data_clear (&data);
}

static void
test_precise_with_timeout_block_swallows (void)
{
  TimeoutData data = { FALSE, };

  g_test_summary ("Precise: if the timed block swallows its cancellation and returns TRUE, gco_with_timeout still returns TIMED_OUT");

  run_with_timeout (swallow_cancellation_block, 20, FALSE, &data);
  g_assert_error (data.inner_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  timeout_data_clear (&data);
}

/* Precise: scoped builders run in place */

typedef struct
{
  GString  *log;
  GThread  *thread;
  GcoFiber *fiber;
  GcoJob   *outer_job;
  gint      local;        /* written by the block, read right after */
  gboolean  in_place[4];
  gboolean  new_job[4];
  gboolean  child_of_caller[4];
  gint      seen_local[4];
  guint     index;
} InPlaceData;

static gboolean
in_place_block (gpointer   user_data,
                GError   **error)
{
  InPlaceData *data = user_data;
  guint i = data->index;
  GcoJob *current = gco_job_get_current ();

  data->in_place[i] = g_thread_self () == data->thread &&
                      gco__fiber_get_current () == data->fiber;
  data->new_job[i] = current != NULL && current != data->outer_job;
  data->child_of_caller[i] = gco_job_get_parent (current) == data->outer_job;
  data->local = (gint) i + 1;
  log_append (data->log, "block");
  return TRUE;
}

static gboolean
log_other_body (gpointer   user_data,
                GError   **error)
{
  InPlaceData *data = user_data;

  log_append (data->log, "other");
  return TRUE;
}

static gboolean
in_place_body (gpointer   user_data,
               GError   **error)
{
  InPlaceData *data = user_data;

  data->thread = g_thread_self ();
  data->fiber = gco__fiber_get_current ();
  data->outer_job = gco_job_get_current ();

  /* Another coroutine is ready: an in-place block runs before it. */
  gco_launch (gco_scope_get_current (), log_other_body, data, NULL);

  data->index = 0;
  g_assert_true (gco_coroutine_scope (in_place_block, data, NULL));
  data->seen_local[0] = data->local;
  data->index = 1;
  g_assert_true (gco_supervisor_scope (in_place_block, data, NULL));
  data->seen_local[1] = data->local;
  data->index = 2;
  g_assert_true (gco_with_timeout (600000, in_place_block, data, NULL));
  data->seen_local[2] = data->local;
  data->index = 3;
  g_assert_true (gco_non_cancellable (in_place_block, data, NULL));
  data->seen_local[3] = data->local;
  log_append (data->log, "after");
  return TRUE;
}

static void
test_precise_scoped_builders_in_place (void)
{
  InPlaceData data = { NULL, };
  Env env;
  GcoJob *job;

  g_test_summary ("Precise: scoped builders run their block in place, on the calling coroutine, with a new child job as the current job");

  env_init (&env, FALSE);
  data.log = env.log;
  job = gco_launch_job (env.scope, in_place_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_cmpstr (env.log->str, ==, "block;block;block;block;after;other;");
  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (data.in_place[i]);
      g_assert_true (data.new_job[i]);
      g_assert_cmpint (data.seen_local[i], ==, (gint) i + 1);
    }
  /* coroutine_scope, supervisor_scope and with_timeout: a child of the caller. */
  for (guint i = 0; i < 3; i++)
    g_assert_true (data.child_of_caller[i]);

  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

typedef struct
{
  gboolean ran[4];
  gboolean was_active[4];
  gboolean ok[4];
  GError  *errors[4];
  guint    index;
} CancelledCallerData;

static gboolean
record_active_block (gpointer   user_data,
                     GError   **error)
{
  CancelledCallerData *data = user_data;

  data->ran[data->index] = TRUE;
  data->was_active[data->index] = gco_is_active ();
  return gco_ensure_active (error);
}

static gboolean
cancelled_caller_body (gpointer   user_data,
                       GError   **error)
{
  CancelledCallerData *data = user_data;

  gco_job_cancel (gco_job_get_current ());

  data->index = 0;
  data->ok[0] = gco_coroutine_scope (record_active_block, data, &data->errors[0]);
  data->index = 1;
  data->ok[1] = gco_supervisor_scope (record_active_block, data, &data->errors[1]);
  data->index = 2;
  data->ok[2] = gco_with_timeout (600000, record_active_block, data, &data->errors[2]);
  data->index = 3;
  data->ok[3] = gco_non_cancellable (record_active_block, data, &data->errors[3]);
  return TRUE;
}

static void
test_precise_scoped_builders_cancelled_caller (void)
{
  CancelledCallerData data = { { FALSE, }, };
  Env env;
  GcoJob *job;

  g_test_summary ("Precise: called from a cancelled coroutine, a scoped builder's block still runs, already cancelled "
                  "(except in gco_non_cancellable)");

  env_init (&env, FALSE);
  job = gco_launch_job (env.scope, cancelled_caller_body, &data, NULL);
  gco_test_run_until_job (NULL, job);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (data.ran[i]);
      g_assert_false (data.was_active[i]);
      g_assert_false (data.ok[i]);
      g_assert_error (data.errors[i], G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&data.errors[i]);
    }
  g_assert_true (data.ran[3]);
  g_assert_true (data.was_active[3]);
  g_assert_true (data.ok[3]);
  g_assert_no_error (data.errors[3]);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);

  gco_test_assert_finalize_job (job);
  env_finish (&env);
}

/* Precise: removing a completion handler */

typedef struct
{
  guint id;
  guint calls;
  guint destroys;
} RemoveData;

static void
remove_self_cb (GcoJob       *job,
                const GError *error,
                gpointer      user_data)
{
  RemoveData *data = user_data;

  data->calls++;
  gco_job_remove_completion_handler (job, data->id);
  /* Still usable afterwards. */
  g_assert_cmpuint (data->destroys, ==, 0);
}

static void
remove_data_destroy_cb (gpointer user_data)
{
  RemoveData *data = user_data;

  data->destroys++;
}

static void
test_precise_remove_handler_after_run (void)
{
  RemoveData after = { 0, }, inside = { 0, }, co_inside = { 0, };
  Env env;
  GcoJob *job, *co_job;

  g_test_summary ("Precise: removing a completion handler that already ran is a silent no-op, also from inside the handler");

  job = gco_job_new (NULL);
  after.id = gco_job_add_completion_handler (job, remove_self_cb, &after, remove_data_destroy_cb);
  inside.id = gco_job_add_completion_handler (job, remove_self_cb, &inside, remove_data_destroy_cb);
  gco_job_complete (job);
  gco_job_remove_completion_handler (job, after.id);
  g_assert_cmpuint (after.calls, ==, 1);
  g_assert_cmpuint (after.destroys, ==, 1);
  g_assert_cmpuint (inside.calls, ==, 1);
  g_assert_cmpuint (inside.destroys, ==, 1);
  gco_test_assert_finalize_job (job);

  /* The same on a coroutine's job. */
  env_init (&env, FALSE);
  co_job = gco_launch_job (env.scope, count_runs_body, &(RunCount) { 0, 0 }, NULL);
  co_inside.id = gco_job_add_completion_handler (co_job, remove_self_cb, &co_inside, remove_data_destroy_cb);
  gco_test_run_until_job (NULL, co_job);
  gco_job_remove_completion_handler (co_job, co_inside.id);
  g_assert_cmpuint (co_inside.calls, ==, 1);
  g_assert_cmpuint (co_inside.destroys, ==, 1);
  gco_test_assert_finalize_job (co_job);
  env_finish (&env);
}

/* Precise: ownership */

typedef struct
{
  guint destroys;
} Counted;

typedef struct
{
  Counted *owner;
} CountedValue;

static void
counted_value_free (gpointer data)
{
  CountedValue *value = data;

  value->owner->destroys++;
  g_free (value);
}

static gpointer
counted_value_body (gpointer   user_data,
                    GError   **error)
{
  CountedValue *value = g_new0 (CountedValue, 1);

  value->owner = user_data;
  return value;
}

typedef struct
{
  GcoDeferred *deferred;
  gpointer     values[3];
  GError      *error;
} AwaitManyData;

static gboolean
await_twice_body (gpointer   user_data,
                  GError   **error)
{
  AwaitManyData *data = user_data;

  data->values[0] = gco_deferred_await (data->deferred, &data->error);
  if (data->error == NULL)
    data->values[1] = gco_deferred_await (data->deferred, &data->error);
  return TRUE;
}

static gboolean
await_once_body (gpointer   user_data,
                 GError   **error)
{
  AwaitManyData *data = user_data;

  data->values[2] = gco_deferred_await (data->deferred, error);
  return data->values[2] != NULL;
}

static void
test_precise_ownership_references (void)
{
  RunCount count = { 0, 0 };
  GcoJob *root;
  GcoScope *scope;
  GcoJob *launched, *full;
  GcoDeferred *deferred;

  g_test_summary ("Precise: gco_launch_job, gco_launch_full and gco_async return new references; gco_scope_new takes its own on the job");

  root = gco_job_new (NULL);
  g_assert_cmpint (gco__job_get_ref_count (root), ==, 1);
  scope = gco_scope_new (root, NULL);
  g_assert_cmpint (gco__job_get_ref_count (root), ==, 2);
  g_assert_true (gco_scope_get_job (scope) == root);
  g_assert_cmpint (gco__job_get_ref_count (root), ==, 2);

  launched = gco_launch_job (scope, count_runs_body, &count, run_count_destroy_cb);
  full = gco_launch_full (scope, NULL, count_runs_body, &count, run_count_destroy_cb);
  deferred = gco_async (scope, count_runs_value_body, &count, run_count_destroy_cb, NULL);
  /* Fire and forget needs no unref. */
  gco_launch (scope, count_runs_body, &count, run_count_destroy_cb);

  gco_test_run_until_job (NULL, launched);
  gco_test_run_until_job (NULL, full);
  gco_test_run_until_job (NULL, GCO_JOB (deferred));
  gco_test_run_for (NULL, 20);
  g_assert_cmpuint (count.runs, ==, 4);
  g_assert_cmpuint (count.destroys, ==, 4);

  gco_test_assert_finalize_job (launched);
  gco_test_assert_finalize_job (full);
  gco_test_assert_finalize_job (GCO_JOB (deferred));

  gco_scope_unref (scope);
  g_assert_cmpint (gco__job_get_ref_count (root), ==, 1);
  gco_job_complete (root);
  gco_test_assert_finalize_job (root);
}

static void
test_precise_ownership_await (void)
{
  Counted counted = { 0 };
  AwaitManyData data = { NULL, };
  Env env;
  GcoJob *twice, *once;

  g_test_summary ("Precise: gco_deferred_await's result is not transferred; a deferred can be awaited many times");

  env_init (&env, FALSE);
  data.deferred = gco_async (env.scope, counted_value_body, &counted, NULL, counted_value_free);
  twice = gco_launch_job (env.scope, await_twice_body, &data, NULL);
  once = gco_launch_job (env.scope, await_once_body, &data, NULL);
  gco_test_run_until_job (NULL, twice);
  gco_test_run_until_job (NULL, once);

  g_assert_no_error (data.error);
  g_assert_nonnull (data.values[0]);
  g_assert_true (data.values[1] == data.values[0]);
  g_assert_true (data.values[2] == data.values[0]);
  g_assert_true (gco_deferred_get_value (data.deferred) == data.values[0]);
  g_assert_cmpuint (counted.destroys, ==, 0);

  gco_test_assert_finalize_job (twice);
  gco_test_assert_finalize_job (once);
  gco_test_assert_finalize_job (GCO_JOB (data.deferred));
  g_assert_cmpuint (counted.destroys, ==, 1);
  env_finish (&env);
}

typedef struct
{
  Counted  *counted;
  gboolean  in_block;
  gboolean  cancel_self;
} CancelledValueData;

static gboolean
wait_in_block (gpointer   user_data,
               GError   **error)
{
  CancelledValueData *data = user_data;

  data->in_block = TRUE;
  return gco_delay (50, error);
}

static gpointer
value_despite_cancel_body (gpointer   user_data,
                           GError   **error)
{
  CancelledValueData *data = user_data;
  CountedValue *value;

  if (data->cancel_self)
    gco_job_cancel (gco_job_get_current ());
  else
    gco_non_cancellable (wait_in_block, data, NULL);

  value = g_new0 (CountedValue, 1);
  value->owner = data->counted;
  return value;
}

static void
check_cancelled_async_value (gboolean cancel_self)
{
  Counted counted = { 0 };
  CancelledValueData data = { &counted, FALSE, cancel_self };
  AwaitManyData await = { NULL, };
  Env env;
  GcoJob *awaiter;

  env_init (&env, FALSE);
  await.deferred = gco_async (env.scope, value_despite_cancel_body, &data, NULL, counted_value_free);
  if (!cancel_self)
    {
      gco_test_run_until (NULL, &data.in_block);
      gco_job_cancel (GCO_JOB (await.deferred));
    }
  gco_test_run_until_job (NULL, GCO_JOB (await.deferred));

  /* Released once, at once: the deferred will never hand it out. */
  g_assert_cmpuint (counted.destroys, ==, 1);
  g_assert_null (gco_deferred_get_value (await.deferred));
  g_assert_error (gco_job_get_error (GCO_JOB (await.deferred)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  awaiter = gco_launch_job (env.scope, await_twice_body, &await, NULL);
  gco_test_run_until_job (NULL, awaiter);
  g_assert_null (await.values[0]);
  g_assert_error (await.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&await.error);

  gco_test_assert_finalize_job (awaiter);
  gco_test_assert_finalize_job (GCO_JOB (await.deferred));
  g_assert_cmpuint (counted.destroys, ==, 1);
  g_assert_cmpuint (env.catcher.calls, ==, 0);
  env_finish (&env);
}

static void
test_precise_ownership_cancelled_async_value (void)
{
  g_test_summary ("Precise: a value produced by an async whose job was cancelled goes to its result_destroy exactly once");

  check_cancelled_async_value (FALSE);
  check_cancelled_async_value (TRUE);
}

static gpointer
null_value_body (gpointer   user_data,
                 GError   **error)
{
  return NULL;
}

typedef struct
{
  GcoDeferred *deferred;
  gpointer     value;
  gboolean     had_error;
} NullAwaitData;

static gboolean
await_null_body (gpointer   user_data,
                 GError   **error)
{
  NullAwaitData *data = user_data;
  GError *local_error = NULL;

  data->value = gco_deferred_await (data->deferred, &local_error);
  data->had_error = local_error != NULL;
  g_clear_error (&local_error);
  return TRUE;
}

static void
test_precise_null_value_succeeds (void)
{
  NullAwaitData data = { NULL, (gpointer) &data, TRUE };
  Env env;
  GcoJob *awaiter;

  g_test_summary ("Precise: a GcoValueFunc that returns NULL without an error succeeded with NULL");

  env_init (&env, FALSE);
  data.deferred = gco_async (env.scope, null_value_body, NULL, NULL, NULL);
  awaiter = gco_launch_job (env.scope, await_null_body, &data, NULL);
  gco_test_run_until_job (NULL, awaiter);

  g_assert_cmpint (gco_job_get_state (GCO_JOB (data.deferred)), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_job_get_error (GCO_JOB (data.deferred)));
  g_assert_null (data.value);
  g_assert_false (data.had_error);
  g_assert_true (gco_scope_is_active (env.scope));
  g_assert_cmpuint (env.catcher.calls, ==, 0);

  gco_test_assert_finalize_job (awaiter);
  gco_test_assert_finalize_job (GCO_JOB (data.deferred));
  env_finish (&env);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gco/rules/1-job-states", test_rule_1_job_states);
  g_test_add_func ("/gco/rules/1-job-states-cancelled", test_rule_1_job_states_cancelled);
  g_test_add_func ("/gco/rules/2-parent-waits-for-children", test_rule_2_parent_waits_for_children);
  g_test_add_func ("/gco/rules/2-parent-waits-for-children-cancelling", test_rule_2_parent_waits_for_children_cancelling);
  g_test_add_func ("/gco/rules/3-cancel-cancels-descendants", test_rule_3_cancel_cancels_descendants);
  g_test_add_func ("/gco/rules/3-cancel-child-leaves-parent", test_rule_3_cancel_child_leaves_parent);
  g_test_add_func ("/gco/rules/4-child-failure-cancels-parent", test_rule_4_child_failure_cancels_parent);
  g_test_add_func ("/gco/rules/4-supervisor-keeps-siblings", test_rule_4_supervisor_keeps_siblings);
  g_test_add_func ("/gco/rules/4-first-failure-wins", test_rule_4_first_failure_wins);
  g_test_add_func ("/gco/rules/5-exception-handler-once", test_rule_5_exception_handler_once);
  g_test_add_func ("/gco/rules/5-scoped-builder-receives", test_rule_5_scoped_builder_receives);
  g_test_add_func ("/gco/rules/5-async-holds-failure", test_rule_5_async_holds_failure);
  g_test_add_func ("/gco/rules/5-async-failure-cancels-parent", test_rule_5_async_failure_cancels_parent);
  g_test_add_func ("/gco/rules/5-default-handler-warns", test_rule_5_default_handler_warns);
  g_test_add_func ("/gco/rules/6-coroutine-scope-waits", test_rule_6_coroutine_scope_waits);
  g_test_add_func ("/gco/rules/6-coroutine-scope-returns-failure", test_rule_6_coroutine_scope_returns_failure);
  g_test_add_func ("/gco/rules/6-supervisor-scope", test_rule_6_supervisor_scope);
  g_test_add_func ("/gco/rules/7-prompt-cancellation", test_rule_7_prompt_cancellation);
  g_test_add_func ("/gco/rules/7-await-delivers-failure", test_rule_7_await_delivers_failure);
  g_test_add_func ("/gco/rules/7-scoped-builder-delivers-failure", test_rule_7_scoped_builder_delivers_failure);
  g_test_add_func ("/gco/rules/7-non-cancellable", test_rule_7_non_cancellable);
  g_test_add_func ("/gco/rules/8-launch-into-cancelled-scope", test_rule_8_launch_into_cancelled_scope);
  g_test_add_func ("/gco/rules/8-launch-into-completed-scope", test_rule_8_launch_into_completed_scope);
  g_test_add_func ("/gco/rules/8-launch-into-cancelling-scope", test_rule_8_launch_into_cancelling_scope);
  g_test_add_func ("/gco/rules/9-join-waits", test_rule_9_join_waits);
  g_test_add_func ("/gco/rules/9-caller-cancelled", test_rule_9_caller_cancelled);
  g_test_add_func ("/gco/rules/10-completion-handlers", test_rule_10_completion_handlers);
  g_test_add_func ("/gco/rules/11-cancel-and-join", test_rule_11_cancel_and_join);
  g_test_add_func ("/gco/rules/11-cancel-returns-at-once", test_rule_11_cancel_returns_at_once);

  g_test_add_func ("/gco/precise/state-changes-synchronous", test_precise_state_changes_synchronous);
  g_test_add_func ("/gco/precise/completion-handlers-synchronous", test_precise_completion_handlers_synchronous);
  g_test_add_func ("/gco/precise/exception-handler-before-completion", test_precise_exception_handler_before_completion);
  g_test_add_func ("/gco/precise/scope-handler-applies-everywhere", test_precise_scope_handler_applies_everywhere);
  g_test_add_func ("/gco/precise/failure-after-cancel", test_precise_failure_after_cancel);
  g_test_add_func ("/gco/precise/timed-out-is-failure", test_precise_timed_out_is_failure);
  g_test_add_func ("/gco/precise/cancelled-before-first-run", test_precise_cancelled_before_first_run);
  g_test_add_func ("/gco/precise/join-failed-returns-true", test_precise_join_failed_returns_true);
  g_test_add_func ("/gco/precise/with-timeout-own-deadline", test_precise_with_timeout_own_deadline);
  g_test_add_func ("/gco/precise/with-timeout-inner-interrupted", test_precise_with_timeout_inner_interrupted);
  g_test_add_func ("/gco/precise/with-timeout-caller-cancelled", test_precise_with_timeout_caller_cancelled);
  g_test_add_func ("/gco/precise/with-timeout-block-converts", test_precise_with_timeout_block_converts);
  g_test_add_func ("/gco/precise/with-timeout-block-swallows", test_precise_with_timeout_block_swallows);
  g_test_add_func ("/gco/precise/scoped-builders-in-place", test_precise_scoped_builders_in_place);
  g_test_add_func ("/gco/precise/scoped-builders-cancelled-caller", test_precise_scoped_builders_cancelled_caller);
  g_test_add_func ("/gco/precise/remove-handler-after-run", test_precise_remove_handler_after_run);
  g_test_add_func ("/gco/precise/ownership-references", test_precise_ownership_references);
  g_test_add_func ("/gco/precise/ownership-await", test_precise_ownership_await);
  g_test_add_func ("/gco/precise/ownership-cancelled-async-value", test_precise_ownership_cancelled_async_value);
  g_test_add_func ("/gco/precise/null-value-succeeds", test_precise_null_value_succeeds);

  return g_test_run ();
}
