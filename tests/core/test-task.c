/* test-task.c: coroutines published as GIO async operations (GTask)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A `test_foo_load_async`/`_finish` pair is written as a coroutine with
 * gco_task_run (), the way a library author would, and consumed by plain
 * callback code and by another coroutine.
 */

#include "gco-test-utils.h"

/* The source object */

#define TEST_TYPE_FOO (test_foo_get_type ())
G_DECLARE_FINAL_TYPE (TestFoo, test_foo, TEST, FOO, GObject)

struct _TestFoo
{
  GObject parent_instance;
  guint   n_started;   /* bodies that began */
  guint   n_cleanups;  /* bodies that ran their cleanup */
};

G_DEFINE_FINAL_TYPE (TestFoo, test_foo, G_TYPE_OBJECT)

static void
test_foo_class_init (TestFooClass *klass)
{
}

static void
test_foo_init (TestFoo *self)
{
}

#define TEST_FOO_ERROR (test_foo_error_quark ())
static GQuark test_foo_error_quark (void);
G_DEFINE_QUARK (test-foo-error-quark, test_foo_error)

enum { TEST_FOO_ERROR_BROKEN = 1 };

/* The value: counts its releases, to check that it is released once. */
static guint n_values_freed;

typedef struct
{
  char *text;
} Value;

static Value *
value_new (const char *text)
{
  Value *value = g_new0 (Value, 1);

  value->text = g_strdup (text);
  return value;
}

static void
value_free (gpointer data)
{
  Value *value = data;

  n_values_freed++;
  g_free (value->text);
  g_free (value);
}

/* The library side: test_foo_load_async/finish as a coroutine */

typedef enum {
  LOAD_OK,
  LOAD_FAIL,
  LOAD_IGNORE_CANCEL,  /* returns a value even when cancelled */
  LOAD_NO_SUSPEND,     /* returns without ever suspending */
} LoadMode;

typedef struct
{
  guint    delay_ms;
  LoadMode mode;
} LoadRequest;

static gpointer
test_foo_load_co (gpointer   user_data,
                  GError   **error)
{
  GTask *task = user_data;
  TestFoo *self = g_task_get_source_object (task);
  LoadRequest *request = g_task_get_task_data (task);
  g_autoptr (GError) local_error = NULL;
  gboolean ok = TRUE;

  g_assert_true (TEST_IS_FOO (self));
  self->n_started++;

  if (request->mode != LOAD_NO_SUSPEND)
    ok = gco_delay (request->delay_ms, &local_error);
  self->n_cleanups++;

  if (request->mode == LOAD_IGNORE_CANCEL)
    return value_new ("stubborn");
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (request->mode == LOAD_FAIL)
    {
      g_set_error_literal (error, TEST_FOO_ERROR, TEST_FOO_ERROR_BROKEN, "broken");
      return NULL;
    }

  return value_new ("loaded");
}

static void
test_foo_load_async (TestFoo             *self,
                     guint                delay_ms,
                     LoadMode             mode,
                     GcoScope            *scope,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  LoadRequest *request = g_new0 (LoadRequest, 1);

  request->delay_ms = delay_ms;
  request->mode = mode;
  g_task_set_source_tag (task, test_foo_load_async);
  g_task_set_task_data (task, request, g_free);
  gco_task_run (task, scope, test_foo_load_co, task, NULL, value_free);
}

static Value *
test_foo_load_finish (TestFoo       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, test_foo_load_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The caller side: plain callback code */

typedef struct
{
  gboolean  in_async;     /* inside the _async call */
  gboolean  done;
  gboolean  finish;       /* whether the callback calls _finish */
  Value    *value;
  GError   *error;
  guint     n_cleanups;   /* the source object's count when the callback ran */
  gboolean  source_alive; /* not finalized yet when the callback ran */
  GObject  *source;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->value, value_free);
  g_clear_error (&outcome->error);
}

static void
load_done_cb (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Outcome *outcome = user_data;

  g_assert_false (outcome->in_async);
  g_assert_false (outcome->done);
  g_assert_true (TEST_IS_FOO (source_object));

  outcome->done = TRUE;
  outcome->source = source_object;
  outcome->source_alive = TRUE;
  outcome->n_cleanups = TEST_FOO (source_object)->n_cleanups;
  if (outcome->finish)
    outcome->value = test_foo_load_finish (TEST_FOO (source_object), result, &outcome->error);
}

static void
start_load (TestFoo      *foo,
            guint         delay_ms,
            LoadMode      mode,
            GcoScope     *scope,
            GCancellable *cancellable,
            Outcome      *outcome)
{
  outcome->finish = TRUE;
  outcome->in_async = TRUE;
  test_foo_load_async (foo, delay_ms, mode, scope, cancellable, load_done_cb, outcome);
  outcome->in_async = FALSE;
  g_assert_false (outcome->done);
}

static void
finish_test (TestFoo *foo)
{
  gco_test_drain (NULL);
  g_assert_finalize_object (foo);
}

/* Tests */

static void
test_task_value (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  Outcome outcome = { 0, };

  g_test_summary ("A coroutine's value reaches plain callback code through _finish");

  n_values_freed = 0;
  start_load (foo, 5, LOAD_OK, NULL, NULL, &outcome);
  gco_test_run_until (NULL, &outcome.done);

  g_assert_no_error (outcome.error);
  g_assert_nonnull (outcome.value);
  g_assert_cmpstr (outcome.value->text, ==, "loaded");
  g_assert_cmpuint (outcome.n_cleanups, ==, 1);
  g_assert_cmpuint (n_values_freed, ==, 0);

  outcome_clear (&outcome);
  g_assert_cmpuint (n_values_freed, ==, 1);
  finish_test (foo);
  g_assert_cmpuint (n_values_freed, ==, 1);
}

static gpointer
null_co (gpointer   user_data,
         GError   **error)
{
  return NULL;
}

static void
test_task_null_value (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  Outcome outcome = { 0, };

  g_test_summary ("A body returning NULL without an error succeeds with NULL");

  n_values_freed = 0;
  outcome.finish = TRUE;
  {
    g_autoptr (GTask) task = g_task_new (foo, NULL, load_done_cb, &outcome);

    g_task_set_source_tag (task, test_foo_load_async);
    gco_task_run (task, NULL, null_co, task, NULL, value_free);
  }
  gco_test_run_until (NULL, &outcome.done);

  g_assert_no_error (outcome.error);
  g_assert_null (outcome.value);
  finish_test (foo);
  g_assert_cmpuint (n_values_freed, ==, 0);
}

static void
count_exception_cb (GcoJob       *job,
                    const GError *error,
                    gpointer      user_data)
{
  (*(guint *) user_data)++;
}

static void
test_task_failure (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GcoScope *scope = gco_main_scope_new ();
  Outcome outcome = { 0, }, outcome2 = { 0, };
  guint n_exceptions = 0;

  g_test_summary ("A failure reaches the callback as the GError, never an exception "
                  "handler; a supervisor scope stays active");

  gco_scope_set_exception_handler (scope, count_exception_cb, &n_exceptions, NULL);
  start_load (foo, 1, LOAD_FAIL, scope, NULL, &outcome);
  start_load (foo, 1, LOAD_FAIL, NULL, NULL, &outcome2);
  gco_test_run_until (NULL, &outcome.done);
  gco_test_run_until (NULL, &outcome2.done);

  g_assert_error (outcome.error, TEST_FOO_ERROR, TEST_FOO_ERROR_BROKEN);
  g_assert_null (outcome.value);
  g_assert_error (outcome2.error, TEST_FOO_ERROR, TEST_FOO_ERROR_BROKEN);
  g_assert_cmpuint (n_exceptions, ==, 0);
  g_assert_true (gco_scope_is_active (scope));

  outcome_clear (&outcome);
  outcome_clear (&outcome2);
  gco_scope_cancel (scope);
  gco_scope_unref (scope);
  finish_test (foo);
}

static void
test_task_failure_cancels_parent (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Outcome outcome = { 0, }, sibling = { 0, };

  g_test_summary ("In a non-supervisor scope, a failure is delivered to the task and "
                  "cancels the scope (like async): the sibling gets G_IO_ERROR_CANCELLED");

  start_load (foo, 1, LOAD_FAIL, scope, NULL, &outcome);
  start_load (foo, 10000, LOAD_OK, scope, NULL, &sibling);
  gco_test_run_until (NULL, &outcome.done);
  gco_test_run_until (NULL, &sibling.done);

  g_assert_error (outcome.error, TEST_FOO_ERROR, TEST_FOO_ERROR_BROKEN);
  g_assert_error (sibling.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (sibling.n_cleanups, ==, 2);
  g_assert_false (gco_scope_is_active (scope));

  outcome_clear (&outcome);
  outcome_clear (&sibling);
  gco_scope_unref (scope);
  finish_test (foo);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_task_cancel_cancellable (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  Outcome outcome = { 0, };

  g_test_summary ("The caller's GCancellable cancels the coroutine: the callback gets "
                  "G_IO_ERROR_CANCELLED after the coroutine's cleanup ran");

  start_load (foo, 60000, LOAD_OK, NULL, cancellable, &outcome);
  g_idle_add (cancel_cb, cancellable);
  gco_test_run_until (NULL, &outcome.done);

  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.value);
  g_assert_cmpuint (foo->n_started, ==, 1);
  g_assert_cmpuint (outcome.n_cleanups, ==, 1);

  outcome_clear (&outcome);
  finish_test (foo);
  g_assert_finalize_object (cancellable);
}

static void
test_task_cancel_cancellable_sync (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  Outcome outcome = { 0, };

  g_test_summary ("Cancelling the GCancellable right after the _async call: the body "
                  "never runs, the callback is not run inside g_cancellable_cancel");

  start_load (foo, 60000, LOAD_OK, NULL, cancellable, &outcome);
  outcome.in_async = TRUE;
  g_cancellable_cancel (cancellable);
  outcome.in_async = FALSE;
  gco_test_run_until (NULL, &outcome.done);

  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (foo->n_started, ==, 0);

  outcome_clear (&outcome);
  finish_test (foo);
  g_assert_finalize_object (cancellable);
}

static void
test_task_cancel_already (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  Outcome outcome = { 0, };

  g_test_summary ("A GCancellable cancelled before the _async call: the body never runs, "
                  "the callback gets G_IO_ERROR_CANCELLED in a later iteration");

  g_cancellable_cancel (cancellable);
  start_load (foo, 60000, LOAD_OK, NULL, cancellable, &outcome);
  gco_test_run_until (NULL, &outcome.done);

  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (foo->n_started, ==, 0);

  outcome_clear (&outcome);
  finish_test (foo);
  g_assert_finalize_object (cancellable);
}

static gboolean
cancel_scope_cb (gpointer user_data)
{
  gco_scope_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_task_cancel_scope (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GcoScope *scope = gco_main_scope_new ();
  Outcome outcome = { 0, }, late = { 0, };

  g_test_summary ("Cancelling the scope delivers G_IO_ERROR_CANCELLED after cleanup; "
                  "an _async call into the cancelled scope never runs its body");

  start_load (foo, 60000, LOAD_OK, scope, NULL, &outcome);
  g_idle_add (cancel_scope_cb, scope);
  gco_test_run_until (NULL, &outcome.done);

  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (outcome.n_cleanups, ==, 1);

  start_load (foo, 1, LOAD_OK, scope, NULL, &late);
  gco_test_run_until (NULL, &late.done);
  g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (foo->n_started, ==, 1);

  outcome_clear (&outcome);
  outcome_clear (&late);
  gco_scope_unref (scope);
  finish_test (foo);
}

static void
test_task_cancel_value_released (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  Outcome outcome = { 0, };

  g_test_summary ("A value returned by a cancelled coroutine is released exactly once; "
                  "the callback gets G_IO_ERROR_CANCELLED");

  n_values_freed = 0;
  start_load (foo, 60000, LOAD_IGNORE_CANCEL, NULL, cancellable, &outcome);
  g_idle_add (cancel_cb, cancellable);
  gco_test_run_until (NULL, &outcome.done);

  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (outcome.value);

  outcome_clear (&outcome);
  finish_test (foo);
  g_assert_cmpuint (n_values_freed, ==, 1);
  g_assert_finalize_object (cancellable);
}

typedef struct
{
  Outcome  *outcome;
  gboolean  finalized;
  gboolean  finalized_before_callback;
} WeakData;

static void
weak_notify_cb (gpointer  user_data,
                GObject  *where_the_object_was)
{
  WeakData *data = user_data;

  data->finalized = TRUE;
  data->finalized_before_callback = !data->outcome->done;
}

static void
test_task_source_alive (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  Outcome outcome = { 0, };
  WeakData weak = { &outcome, FALSE, FALSE };

  g_test_summary ("The task keeps the source object alive until the callback ran, "
                  "and lets it go after");

  g_object_weak_ref (G_OBJECT (foo), weak_notify_cb, &weak);
  start_load (foo, 5, LOAD_OK, NULL, NULL, &outcome);
  g_object_unref (foo);
  g_assert_false (weak.finalized);

  gco_test_run_until (NULL, &outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_cmpuint (outcome.n_cleanups, ==, 1);
  gco_test_drain (NULL);

  g_assert_true (weak.finalized);
  g_assert_false (weak.finalized_before_callback);
  outcome_clear (&outcome);
}

static gboolean
load_in_dispatch_cb (gpointer user_data)
{
  Outcome *outcome = user_data;
  TestFoo *foo = TEST_FOO (outcome->source);
  GcoScope *scope = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());

  /* Inside a main-loop dispatch of the task's context, with a body that
   * starts in place and returns without suspending. */
  start_load (foo, 0, LOAD_NO_SUSPEND, scope, NULL, outcome);
  g_assert_cmpuint (foo->n_started, ==, 1);
  gco_scope_unref (scope);
  return G_SOURCE_REMOVE;
}

static void
test_task_not_synchronous (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GcoScope *scope = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());
  Outcome outcome = { 0, }, in_dispatch = { 0, };

  g_test_summary ("The callback never runs inside the _async call, even when the body "
                  "completes in place on an immediate dispatcher");

  /* Outside the main loop. */
  start_load (foo, 0, LOAD_NO_SUSPEND, scope, NULL, &outcome);
  g_assert_cmpuint (foo->n_started, ==, 1);
  gco_test_run_until (NULL, &outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_cmpstr (outcome.value->text, ==, "loaded");

  /* Inside a dispatch of the same context. */
  foo->n_started = 0;
  in_dispatch.source = G_OBJECT (foo);
  g_idle_add (load_in_dispatch_cb, &in_dispatch);
  gco_test_run_until (NULL, &in_dispatch.done);
  g_assert_no_error (in_dispatch.error);
  g_assert_nonnull (in_dispatch.value);

  outcome_clear (&outcome);
  outcome_clear (&in_dispatch);
  gco_scope_unref (scope);
  finish_test (foo);
}

static void
test_task_default_not_in_place (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  Outcome outcome = { 0, };

  g_test_summary ("Without a scope the body never starts inside the _async call");

  start_load (foo, 0, LOAD_NO_SUSPEND, NULL, NULL, &outcome);
  g_assert_cmpuint (foo->n_started, ==, 0);
  gco_test_run_until (NULL, &outcome.done);
  g_assert_cmpuint (foo->n_started, ==, 1);
  g_assert_no_error (outcome.error);

  outcome_clear (&outcome);
  finish_test (foo);
}

static void
test_task_unpropagated (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  Outcome outcome = { 0, };

  g_test_summary ("A value nobody propagates is released exactly once, with the task");

  n_values_freed = 0;
  start_load (foo, 1, LOAD_OK, NULL, NULL, &outcome);
  outcome.finish = FALSE;
  gco_test_run_until (NULL, &outcome.done);
  gco_test_drain (NULL);

  g_assert_cmpuint (n_values_freed, ==, 1);
  finish_test (foo);
  g_assert_cmpuint (n_values_freed, ==, 1);
}

static void
other_op_async (TestFoo             *self,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, other_op_async);
  g_task_return_boolean (task, TRUE);
}

static void
keep_result_cb (GObject      *source_object,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_task_finish_wrong_result (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  TestFoo *other_foo = g_object_new (TEST_TYPE_FOO, NULL);
  GAsyncResult *other_op = NULL;
  Outcome outcome = { 0, };
  GError *error = NULL;

  g_test_summary ("_finish with a GAsyncResult of another operation, or of another "
                  "object, is a critical and a safe return");

  other_op_async (foo, keep_result_cb, &other_op);
  start_load (other_foo, 1, LOAD_OK, NULL, NULL, &outcome);
  outcome.finish = FALSE;
  gco_test_run_until (NULL, &outcome.done);
  while (other_op == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_test_expect_message ("Gco-Test", G_LOG_LEVEL_CRITICAL, "*g_async_result_is_tagged*");
  g_assert_null (test_foo_load_finish (foo, other_op, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  /* The load's result, but given with the wrong source object. */
  g_test_expect_message ("Gco-Test", G_LOG_LEVEL_CRITICAL, "*g_task_is_valid*");
  {
    GAsyncResult *result = NULL;

    other_op_async (other_foo, keep_result_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_null (test_foo_load_finish (foo, result, &error));
    g_object_unref (result);
  }
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  g_object_unref (other_op);
  finish_test (foo);
  g_assert_finalize_object (other_foo);
}

static void
test_task_bad_input (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  Outcome outcome = { 0, };
  GTask *task;

  g_test_summary ("A NULL task or body, or a task run twice: a critical, never a crash");

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*G_IS_TASK*");
  gco_task_run (NULL, NULL, test_foo_load_co, NULL, NULL, NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*G_IS_TASK*");
  gco_task_run_boolean (NULL, NULL, (GcoFunc) cancel_cb, NULL, NULL);
  g_test_assert_expected_messages ();

  task = g_task_new (foo, NULL, load_done_cb, &outcome);
  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  gco_task_run (task, NULL, NULL, NULL, NULL, NULL);
  g_test_assert_expected_messages ();

  /* Run once for real, then again: refused. */
  {
    LoadRequest *request = g_new0 (LoadRequest, 1);

    request->delay_ms = 1;
    g_task_set_source_tag (task, test_foo_load_async);
    g_task_set_task_data (task, request, g_free);
  }
  outcome.finish = TRUE;
  gco_task_run (task, NULL, test_foo_load_co, task, NULL, value_free);
  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*task_run_quark*");
  gco_task_run (task, NULL, test_foo_load_co, task, NULL, value_free);
  g_test_assert_expected_messages ();
  g_object_unref (task);

  gco_test_run_until (NULL, &outcome.done);
  g_assert_no_error (outcome.error);
  g_assert_cmpuint (foo->n_started, ==, 1);

  outcome_clear (&outcome);
  finish_test (foo);
}

/* gco_task_run_boolean */

static gboolean
save_co (gpointer   user_data,
         GError   **error)
{
  GTask *task = user_data;
  gboolean fail = GPOINTER_TO_INT (g_task_get_task_data (task));

  if (!gco_delay (1, error))
    return FALSE;
  if (fail)
    {
      g_set_error_literal (error, TEST_FOO_ERROR, TEST_FOO_ERROR_BROKEN, "broken");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} SaveOutcome;

static void
save_done_cb (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SaveOutcome *outcome = user_data;

  outcome->ok = g_task_propagate_boolean (G_TASK (result), &outcome->error);
  outcome->done = TRUE;
}

static void
test_task_boolean (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  SaveOutcome ok = { 0, }, failed = { 0, };
  GTask *task;

  g_test_summary ("gco_task_run_boolean: TRUE for propagate_boolean, or the failure");

  task = g_task_new (foo, NULL, save_done_cb, &ok);
  gco_task_run_boolean (task, NULL, save_co, task, NULL);
  g_object_unref (task);
  task = g_task_new (foo, NULL, save_done_cb, &failed);
  g_task_set_task_data (task, GINT_TO_POINTER (TRUE), NULL);
  gco_task_run_boolean (task, NULL, save_co, task, NULL);
  g_object_unref (task);

  gco_test_run_until (NULL, &ok.done);
  gco_test_run_until (NULL, &failed.done);
  g_assert_no_error (ok.error);
  g_assert_true (ok.ok);
  g_assert_false (failed.ok);
  g_assert_error (failed.error, TEST_FOO_ERROR, TEST_FOO_ERROR_BROKEN);

  g_clear_error (&failed.error);
  finish_test (foo);
}

/* Consumed by another coroutine */

typedef struct
{
  TestFoo  *foo;
  guint     delay_ms;
  Value    *value;
  gboolean  cancelled;
} AwaitData;

static gboolean
await_load_co (gpointer   user_data,
               GError   **error)
{
  AwaitData *data = user_data;
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  test_foo_load_async (data->foo, data->delay_ms, LOAD_OK, NULL, gco_cancellable (),
                       gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    {
      data->cancelled = TRUE;
      return FALSE;
    }

  data->value = test_foo_load_finish (data->foo, result, error);
  return data->value != NULL;
}

static void
test_task_await (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  AwaitData data = { foo, 5, NULL, FALSE };
  GcoJob *job;

  g_test_summary ("Another coroutine awaits the published pair with gco_async_op_await");

  n_values_freed = 0;
  job = gco_launch_job (scope, await_load_co, &data, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_null (gco_job_get_error (job));
  g_assert_nonnull (data.value);
  g_assert_cmpstr (data.value->text, ==, "loaded");

  g_clear_pointer (&data.value, value_free);
  gco_test_drain (NULL);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  finish_test (foo);
  g_assert_cmpuint (n_values_freed, ==, 1);
}

static void
test_task_await_cancelled (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  AwaitData data = { foo, 60000, NULL, FALSE };
  GcoJob *job;

  g_test_summary ("Cancelling the awaiting coroutine cancels the published coroutine "
                  "through gco_cancellable (); the await returns after its cleanup");

  job = gco_launch_job (scope, await_load_co, &data, NULL);
  while (foo->n_started == 0)
    g_main_context_iteration (NULL, TRUE);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_true (data.cancelled);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (foo->n_cleanups, ==, 1);

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  finish_test (foo);
}

/* On another thread */

typedef struct
{
  TestFoo  *foo;
  Outcome   outcome;
  GThread  *caller_thread;
  GThread  *callback_thread;
  gboolean  done;
} ThreadData;

static void
thread_load_done_cb (GObject      *source_object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ThreadData *data = user_data;

  data->callback_thread = g_thread_self ();
  data->outcome.value = test_foo_load_finish (TEST_FOO (source_object), result,
                                              &data->outcome.error);
  g_atomic_int_set (&data->done, TRUE);
}

static gboolean
thread_start_cb (gpointer user_data)
{
  ThreadData *data = user_data;

  data->caller_thread = g_thread_self ();
  test_foo_load_async (data->foo, 1, LOAD_OK, NULL, NULL, thread_load_done_cb, data);
  return G_SOURCE_REMOVE;
}

static void
test_task_thread_default_context (void)
{
  TestFoo *foo = g_object_new (TEST_TYPE_FOO, NULL);
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  ThreadData data = { foo, { 0, }, NULL, NULL, FALSE };
  GSource *source = g_idle_source_new ();

  g_test_summary ("Without a scope, the coroutine and the callback run on the thread "
                  "whose thread-default context created the task");

  g_source_set_callback (source, thread_start_cb, &data, NULL);
  g_source_attach (source, worker->context);
  g_source_unref (source);
  while (!g_atomic_int_get (&data.done))
    g_usleep (1000);
  gco_test_worker_free (worker);

  g_assert_no_error (data.outcome.error);
  g_assert_nonnull (data.outcome.value);
  g_assert_true (data.callback_thread == data.caller_thread);
  g_assert_true (data.callback_thread != g_thread_self ());

  outcome_clear (&data.outcome);
  finish_test (foo);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gco/task/value", test_task_value);
  g_test_add_func ("/gco/task/null-value", test_task_null_value);
  g_test_add_func ("/gco/task/failure", test_task_failure);
  g_test_add_func ("/gco/task/failure/cancels-parent", test_task_failure_cancels_parent);
  g_test_add_func ("/gco/task/cancel/cancellable", test_task_cancel_cancellable);
  g_test_add_func ("/gco/task/cancel/cancellable-at-once", test_task_cancel_cancellable_sync);
  g_test_add_func ("/gco/task/cancel/already-cancelled", test_task_cancel_already);
  g_test_add_func ("/gco/task/cancel/scope", test_task_cancel_scope);
  g_test_add_func ("/gco/task/cancel/value-released", test_task_cancel_value_released);
  g_test_add_func ("/gco/task/source-object-alive", test_task_source_alive);
  g_test_add_func ("/gco/task/not-synchronous", test_task_not_synchronous);
  g_test_add_func ("/gco/task/not-synchronous/default-scope", test_task_default_not_in_place);
  g_test_add_func ("/gco/task/result-destroy/unpropagated", test_task_unpropagated);
  g_test_add_func ("/gco/task/finish/wrong-result", test_task_finish_wrong_result);
  g_test_add_func ("/gco/task/bad-input", test_task_bad_input);
  g_test_add_func ("/gco/task/boolean", test_task_boolean);
  g_test_add_func ("/gco/task/await", test_task_await);
  g_test_add_func ("/gco/task/await/cancelled", test_task_await_cancelled);
  g_test_add_func ("/gco/task/thread-default-context", test_task_thread_default_context);

  return g_test_run ();
}
