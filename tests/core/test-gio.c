/* test-gio.c: awaiting GIO operations, blocking work on threads, external
 * cancellables
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <unistd.h>

#include "gco-test-utils.h"

/* Runs @func as a coroutine in a new scope and iterates until it completed. */
static GcoJob *
run (GcoFunc  func,
     gpointer data)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job = gco_launch_job (scope, func, data, NULL);

  gco_test_run_until_job (NULL, job);
  gco_test_drain (NULL);
  gco_scope_unref (scope);
  return job;
}

/* Awaiting any _async call */

typedef struct
{
  GFile   *file;
  char    *contents;
  gboolean cancelled_after;
} LoadData;

static gboolean
load_cb (gpointer   user_data,
         GError   **error)
{
  LoadData *data = user_data;
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  g_file_load_contents_async (data->file, gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return FALSE;

  return g_file_load_contents_finish (data->file, result, &data->contents, NULL, NULL, error);
}

static void
test_await_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gco-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "hello.txt", NULL);
  LoadData data = { NULL, };
  GcoJob *job;

  g_test_summary ("A coroutine awaits g_file_load_contents_async in three lines");

  g_assert_true (g_file_set_contents (path, "hello, gco", -1, NULL));
  data.file = g_file_new_for_path (path);

  job = run (load_cb, &data);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpstr (data.contents, ==, "hello, gco");

  gco_test_assert_finalize_job (job);
  g_free (data.contents);
  g_assert_finalize_object (data.file);
  g_unlink (path);
  g_rmdir (dir);
}

typedef struct
{
  GInputStream *stream;
  gboolean      reading;
  gboolean      callback_ran_before_return;
  GError       *error;
} ReadData;

static gboolean
read_cb (gpointer   user_data,
         GError   **error)
{
  ReadData *data = user_data;
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  GAsyncResult *result;

  g_input_stream_read_bytes_async (data->stream, 16, G_PRIORITY_DEFAULT, gco_cancellable (),
                                   gco_async_op_callback, &op);
  data->reading = TRUE;
  result = gco_async_op_await (&op, &data->error);
  g_assert_null (result);

  /* The operation's callback has run: the stream takes a new operation. */
  g_assert_false (g_input_stream_has_pending (data->stream));
  data->callback_ran_before_return = TRUE;

  g_propagate_error (error, g_error_copy (data->error));
  return FALSE;
}

static void
test_await_cancelled (void)
{
  int fds[2];
  ReadData data = { NULL, };
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job;

  g_test_summary ("Cancelling a coroutine cancels the GIO operation it awaits, and the await "
                  "returns G_IO_ERROR_CANCELLED only after the operation's callback ran");

  g_assert_cmpint (pipe (fds), ==, 0);
  data.stream = g_unix_input_stream_new (fds[0], TRUE);

  job = gco_launch_job (scope, read_cb, &data, NULL);
  gco_test_run_until (NULL, &data.reading);
  gco_test_run_for (NULL, 10);
  g_assert_true (g_input_stream_has_pending (data.stream));

  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_true (data.callback_ran_before_return);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  g_clear_error (&data.error);
  g_assert_finalize_object (data.stream);
  close (fds[1]);
}

static gboolean
await_twice_cb (gpointer   user_data,
                GError   **error)
{
  LoadData *data = user_data;
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  GAsyncResult *result;
  GError *local = NULL;

  g_file_load_contents_async (data->file, gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  g_assert_nonnull (result);
  g_assert_true (g_file_load_contents_finish (data->file, result, &data->contents, NULL, NULL, NULL));
  g_object_unref (result);

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*awaited already*");
  g_assert_null (gco_async_op_await (&op, &local));
  g_test_assert_expected_messages ();
  g_assert_error (local, GCO_ERROR, GCO_ERROR_FAILED);
  g_clear_error (&local);

  return TRUE;
}

static void
test_await_twice (void)
{
  g_autofree char *dir = g_dir_make_tmp ("gco-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "twice.txt", NULL);
  LoadData data = { NULL, };
  GcoJob *job;

  g_test_summary ("Awaiting an operation twice is a critical and an error, not a crash");

  g_assert_true (g_file_set_contents (path, "once", -1, NULL));
  data.file = g_file_new_for_path (path);
  job = run (await_twice_cb, &data);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpstr (data.contents, ==, "once");

  gco_test_assert_finalize_job (job);
  g_free (data.contents);
  g_assert_finalize_object (data.file);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_outside_coroutine (void)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  GError *error = NULL;

  g_test_summary ("The GIO bridges outside a coroutine: criticals and "
                  "GCO_ERROR_NOT_IN_COROUTINE, no crash");

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*co != NULL*");
  g_assert_null (gco_cancellable ());
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*on a coroutine*");
  g_assert_null (gco_async_op_await (&op, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, GCO_ERROR, GCO_ERROR_NOT_IN_COROUTINE);
  g_clear_error (&error);

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*on a coroutine*");
  g_assert_null (gco_run_in_thread ((GcoThreadFunc) g_strdup, NULL, g_free, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, GCO_ERROR, GCO_ERROR_NOT_IN_COROUTINE);
  g_clear_error (&error);

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*assertion*");
  gco_job_cancel_on_cancellable (NULL, NULL);
  g_test_assert_expected_messages ();
}

/* Blocking work on a worker thread */

typedef struct
{
  GThread  *caller;
  GThread  *worker;
  GThread  *resumed_on;
  char     *result;
  gint      destroyed;
  GMutex    mutex;
  GCond     cond;
  gboolean  running;
  gboolean  release;
  gboolean  ignore_cancellable;
  gboolean  fail;
  GError   *error;
} Work;

static void
work_result_free (gpointer result)
{
  /* Counted through the string's own content: "result" is the only value. */
  g_free (result);
}

static Work *current_work;

static void
count_destroy (gpointer result)
{
  g_atomic_int_inc (&current_work->destroyed);
  work_result_free (result);
}

static gpointer
blocking_cb (gpointer       user_data,
             GCancellable  *cancellable,
             GError       **error)
{
  Work *work = user_data;

  work->worker = g_thread_self ();
  g_mutex_lock (&work->mutex);
  work->running = TRUE;
  g_cond_broadcast (&work->cond);
  while (!work->release && (work->ignore_cancellable || !g_cancellable_is_cancelled (cancellable)))
    {
      gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND;

      g_cond_wait_until (&work->cond, &work->mutex, end);
    }
  g_mutex_unlock (&work->mutex);

  if (work->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the work failed");
      return NULL;
    }
  if (!work->ignore_cancellable && g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return g_strdup ("result");
}

static gboolean
offload_cb (gpointer   user_data,
            GError   **error)
{
  Work *work = user_data;

  work->caller = g_thread_self ();
  work->result = gco_run_in_thread (blocking_cb, work, count_destroy, &work->error);
  work->resumed_on = g_thread_self ();

  if (work->error != NULL)
    {
      g_propagate_error (error, g_error_copy (work->error));
      return FALSE;
    }
  return TRUE;
}

static void
wait_running (Work *work)
{
  while (TRUE)
    {
      gboolean running;

      g_mutex_lock (&work->mutex);
      running = work->running;
      g_mutex_unlock (&work->mutex);
      if (running)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
release (Work *work)
{
  g_mutex_lock (&work->mutex);
  work->release = TRUE;
  g_cond_broadcast (&work->cond);
  g_mutex_unlock (&work->mutex);
}

static void
work_clear (Work *work)
{
  g_clear_error (&work->error);
  g_free (work->result);
  g_mutex_clear (&work->mutex);
  g_cond_clear (&work->cond);
}

static void
test_thread_result (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Work work = { NULL, };
  GcoJob *job;

  g_test_summary ("Blocking work runs on a worker thread; the coroutine resumes on its own "
                  "thread with the result");

  current_work = &work;
  job = gco_launch_job (scope, offload_cb, &work, NULL);
  wait_running (&work);
  release (&work);
  gco_test_run_until_job (NULL, job);

  g_assert_null (gco_job_get_error (job));
  g_assert_cmpstr (work.result, ==, "result");
  g_assert_true (work.worker != work.caller);
  g_assert_true (work.resumed_on == work.caller);
  g_assert_cmpint (g_atomic_int_get (&work.destroyed), ==, 0);

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  work_clear (&work);
}

static void
ignore_failure (GcoJob       *job,
                const GError *error,
                gpointer      user_data)
{
}

static void
test_thread_failure (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Work work = { NULL, };
  GcoJob *job;

  g_test_summary ("The failure of blocking work is the failure of the call");

  work.fail = TRUE;
  work.release = TRUE;
  current_work = &work;
  gco_scope_set_exception_handler (scope, ignore_failure, NULL, NULL);
  job = gco_launch_job (scope, offload_cb, &work, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_error (work.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_null (work.result);

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  work_clear (&work);
}

static void
thread_cancelled (gboolean ignore_cancellable)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Work work = { NULL, };
  GcoJob *job;

  current_work = &work;
  work.ignore_cancellable = ignore_cancellable;
  job = gco_launch_job (scope, offload_cb, &work, NULL);
  wait_running (&work);

  gco_job_cancel (job);
  if (ignore_cancellable)
    {
      /* The coroutine waits for the function, which goes on. */
      gco_test_run_for (NULL, 20);
      g_assert_false (gco_job_is_completed (job));
      release (&work);
    }

  gco_test_run_until_job (NULL, job);
  g_assert_error (work.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (work.result);
  gco_test_drain (NULL);
  /* A result that arrived for the cancelled job is released, once: by the
   * task, which the worker thread may still hold for a moment. */
  if (ignore_cancellable)
    {
      gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

      while (g_atomic_int_get (&work.destroyed) == 0 && g_get_monotonic_time () < deadline)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
    }
  g_assert_cmpint (g_atomic_int_get (&work.destroyed), ==, (ignore_cancellable ? 1 : 0));

  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  work_clear (&work);
}

static void
test_thread_cancelled (void)
{
  g_test_summary ("Cancelling the caller cancels the blocking work's cancellable");
  thread_cancelled (FALSE);
}

static void
test_thread_ignores_cancellable (void)
{
  g_test_summary ("Work that ignores its cancellable runs to its end: the caller waits for "
                  "it, returns G_IO_ERROR_CANCELLED, and its result is released once");
  thread_cancelled (TRUE);
}

/* External cancellables */

static gboolean
forever_cb (gpointer   user_data,
            GError   **error)
{
  return gco_await_cancellation (error);
}

static void
test_cancel_on_cancellable (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  GcoJob *job = gco_launch_job (scope, forever_cb, NULL, NULL);

  g_test_summary ("A caller-supplied GCancellable cancels a job when it fires");

  gco_job_cancel_on_cancellable (job, cancellable);
  gco_test_run_for (NULL, 5);
  g_assert_true (gco_job_is_active (job));

  g_cancellable_cancel (cancellable);
  g_assert_true (gco_job_is_cancelled (job));
  gco_test_run_until_job (NULL, job);

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  g_assert_finalize_object (cancellable);
}

static void
test_cancel_on_cancelled (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  GcoJob *job = gco_launch_job (scope, forever_cb, NULL, NULL);

  g_test_summary ("An already cancelled GCancellable cancels the job at once");

  g_cancellable_cancel (cancellable);
  gco_job_cancel_on_cancellable (job, cancellable);
  g_assert_true (gco_job_is_cancelled (job));
  gco_test_run_until_job (NULL, job);

  gco_test_drain (NULL);
  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  g_assert_finalize_object (cancellable);
}

static gboolean
quick_cb (gpointer   user_data,
          GError   **error)
{
  return TRUE;
}

static void
test_cancel_on_after_completion (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  GcoJob *job = gco_launch_job (scope, quick_cb, NULL, NULL);

  g_test_summary ("Once the job completed the cancellable is let go: cancelling it later does "
                  "nothing, and both are freed");

  gco_job_cancel_on_cancellable (job, cancellable);
  gco_test_run_until_job (NULL, job);
  gco_test_drain (NULL);
  g_cancellable_cancel (cancellable);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);

  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  g_assert_finalize_object (cancellable);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gco/gio/await/file", test_await_file);
  g_test_add_func ("/gco/gio/await/cancelled", test_await_cancelled);
  g_test_add_func ("/gco/gio/await/twice", test_await_twice);
  g_test_add_func ("/gco/gio/outside-coroutine", test_outside_coroutine);
  g_test_add_func ("/gco/gio/thread/result", test_thread_result);
  g_test_add_func ("/gco/gio/thread/failure", test_thread_failure);
  g_test_add_func ("/gco/gio/thread/cancelled", test_thread_cancelled);
  g_test_add_func ("/gco/gio/thread/ignores-cancellable", test_thread_ignores_cancellable);
  g_test_add_func ("/gco/gio/cancellable/cancels-job", test_cancel_on_cancellable);
  g_test_add_func ("/gco/gio/cancellable/already-cancelled", test_cancel_on_cancelled);
  g_test_add_func ("/gco/gio/cancellable/after-completion", test_cancel_on_after_completion);

  return g_test_run ();
}
