/* gco-stream.c: reading and writing streams from a coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each helper is one GIO `_async` call awaited through a GcoAsyncOp, with the
 * current job's cancellable. Because the await returns only after GIO's
 * callback ran, the stream has no pending operation when a helper returns,
 * also when it was cancelled: the next read or write may follow at once.
 */

#include "gco-config.h"

#include <gco/gco.h>

#include "gco-coroutine-private.h"

/**
 * gco_input_stream_read_bytes:
 * @stream: the stream to read from
 * @count: the most bytes to read
 * @io_priority: the I/O priority of the request, such as %G_PRIORITY_DEFAULT
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Reads up to @count bytes from @stream with
 * g_input_stream_read_bytes_async(). Suspends the calling coroutine until
 * some bytes are available, the stream ends or fails; its thread keeps
 * running. As with g_input_stream_read_bytes(), fewer than @count bytes may
 * come back, and an empty [struct@GLib.Bytes] means the end of the stream.
 *
 * If the coroutine is cancelled meanwhile, the read is cancelled through the
 * job's cancellable and the call returns %NULL with `G_IO_ERROR_CANCELLED`
 * once GIO has finished with it. The stream is then still open and has no
 * pending operation; bytes that arrived in the same instant as the
 * cancellation are dropped.
 *
 * Returns: (transfer full) (nullable): the bytes read, or %NULL with @error set
 *
 * Since: 0.1
 */
GBytes *
gco_input_stream_read_bytes (GInputStream *stream,
                             gsize         count,
                             int           io_priority,
                             GError      **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return NULL;

  g_input_stream_read_bytes_async (stream, count, io_priority, gco_cancellable (),
                                   gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return NULL;

  return g_input_stream_read_bytes_finish (stream, result, error);
}

/**
 * gco_output_stream_write_all:
 * @stream: the stream to write to
 * @buffer: (array length=count) (element-type guint8) (nullable): the bytes
 *   to write; %NULL only when @count is 0
 * @count: the number of bytes to write
 * @bytes_written_out: (out) (optional): return location for the number of
 *   bytes written, also when the write failed (not when it was cancelled)
 * @io_priority: the I/O priority of the request, such as %G_PRIORITY_DEFAULT
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Writes all @count bytes of @buffer to @stream with
 * g_output_stream_write_all_async(). Suspends the calling coroutine until
 * they are all written or the write fails; its thread keeps running. @buffer
 * must stay valid until the call returns, which it does on the caller's stack.
 *
 * If the coroutine is cancelled meanwhile, the write is cancelled through the
 * job's cancellable and the call returns %FALSE with `G_IO_ERROR_CANCELLED`
 * once GIO has finished with it. @bytes_written_out is then 0, though part
 * of @buffer may have been written: after a cancelled write, what the other
 * end received is unknown, as with any cancelled GIO write.
 *
 * Returns: %TRUE when all bytes were written; %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
gco_output_stream_write_all (GOutputStream  *stream,
                             const void     *buffer,
                             gsize           count,
                             gsize          *bytes_written_out,
                             int             io_priority,
                             GError        **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  if (bytes_written_out != NULL)
    *bytes_written_out = 0;
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (buffer != NULL || count == 0, FALSE);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return FALSE;

  g_output_stream_write_all_async (stream, buffer, count, io_priority, gco_cancellable (),
                                   gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return FALSE;

  return g_output_stream_write_all_finish (stream, result, bytes_written_out, error);
}
