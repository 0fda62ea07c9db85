/* gco-subprocess.c: waiting for and talking to subprocesses from a coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Structured concurrency extends to child processes: a coroutine that waits
 * for a process owns it, so cancelling the coroutine kills the process, and
 * the call returns only once the process has been reaped. A cancelled scope
 * leaves neither running children nor zombies behind.
 */

#include "gco-config.h"

#include <gco/gco.h>

#include "gco-coroutine-private.h"

/* Kills @subprocess and suspends until it is reaped. The wait is given no
 * cancellable, so it runs to its end even in a cancelled coroutine: the
 * await returns (with G_IO_ERROR_CANCELLED) only after its callback. */
static void
kill_and_reap (GSubprocess *subprocess)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  g_subprocess_force_exit (subprocess);
  g_subprocess_wait_async (subprocess, NULL, gco_async_op_callback, &op);
  result = gco_async_op_await (&op, NULL);
}

/**
 * gco_subprocess_wait:
 * @subprocess: the process to wait for
 * @error: return location for `G_IO_ERROR_CANCELLED`
 *
 * Waits for @subprocess to exit with g_subprocess_wait_async(). Suspends the
 * calling coroutine until it exited; its thread keeps running. How it exited
 * is then told by g_subprocess_get_if_exited(),
 * g_subprocess_get_exit_status() and their peers; a process that exited with
 * a failure status is not an error here (see g_subprocess_wait_check()).
 *
 * If the coroutine is cancelled meanwhile, the process is killed
 * (g_subprocess_force_exit()) and the call suspends until it has been reaped,
 * then returns %FALSE with `G_IO_ERROR_CANCELLED`. Killing a process that
 * already exited does nothing.
 *
 * Returns: %TRUE once the process exited; %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
gco_subprocess_wait (GSubprocess  *subprocess,
                     GError      **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), FALSE);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return FALSE;

  g_subprocess_wait_async (subprocess, gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    {
      kill_and_reap (subprocess);
      return FALSE;
    }

  if (!g_subprocess_wait_finish (subprocess, result, error))
    {
      /* Cancelled from another thread after the wait completed. */
      kill_and_reap (subprocess);
      return FALSE;
    }

  return TRUE;
}

/**
 * gco_subprocess_communicate_utf8:
 * @subprocess: the process to talk to
 * @stdin_buf: (nullable): UTF-8 text to write to its standard input, which
 *   is then closed; non-%NULL only if @subprocess was created with
 *   %G_SUBPROCESS_FLAGS_STDIN_PIPE
 * @stdout_buf: (out) (optional) (nullable) (transfer full): return location
 *   for its standard output, %NULL unless it was created with
 *   %G_SUBPROCESS_FLAGS_STDOUT_PIPE
 * @stderr_buf: (out) (optional) (nullable) (transfer full): return location
 *   for its standard error, %NULL unless it was created with
 *   %G_SUBPROCESS_FLAGS_STDERR_PIPE
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Writes @stdin_buf to @subprocess, reads its output until it ends and waits
 * for it to exit, with g_subprocess_communicate_utf8_async(). Suspends the
 * calling coroutine until all of that is done; its thread keeps running.
 * Output that is not valid UTF-8 is an error.
 *
 * If the coroutine is cancelled meanwhile, the communication is cancelled
 * through the job's cancellable, the process is killed
 * (g_subprocess_force_exit()) and the call suspends until it has been reaped,
 * then returns %FALSE with `G_IO_ERROR_CANCELLED`; the output read so far is
 * dropped. The same happens when the communication fails (a broken pipe,
 * output that is not UTF-8): a failed call never leaves the process running.
 *
 * Returns: %TRUE once the process exited and its output was read; %FALSE
 *   with @error set (and %NULL in @stdout_buf and @stderr_buf)
 *
 * Since: 0.1
 */
gboolean
gco_subprocess_communicate_utf8 (GSubprocess  *subprocess,
                                 const char   *stdin_buf,
                                 char        **stdout_buf,
                                 char        **stderr_buf,
                                 GError      **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  if (stdout_buf != NULL)
    *stdout_buf = NULL;
  if (stderr_buf != NULL)
    *stderr_buf = NULL;
  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), FALSE);
  /* GIO's own precondition, which it checks without ever calling back; its
   * getter logs the critical. */
  if (stdin_buf != NULL && g_subprocess_get_stdin_pipe (subprocess) == NULL)
    return FALSE;
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return FALSE;

  g_subprocess_communicate_utf8_async (subprocess, stdin_buf, gco_cancellable (),
                                       gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    {
      kill_and_reap (subprocess);
      return FALSE;
    }

  if (!g_subprocess_communicate_utf8_finish (subprocess, result, stdout_buf, stderr_buf,
                                              error))
    {
      /* Some GLib versions hand out stdout when stderr is not UTF-8. */
      if (stdout_buf != NULL)
        g_clear_pointer (stdout_buf, g_free);
      if (stderr_buf != NULL)
        g_clear_pointer (stderr_buf, g_free);
      /* A failed communication must not leave the process running either. */
      kill_and_reap (subprocess);
      return FALSE;
    }

  return TRUE;
}
