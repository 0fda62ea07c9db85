/* gco-socket.c: connecting sockets from a coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The connection's streams are then read and written with
 * gco_input_stream_read_bytes() and gco_output_stream_write_all().
 */

#include "gco-config.h"

#include <gco/gco.h>

#include "gco-coroutine-private.h"

/**
 * gco_socket_client_connect_to_host:
 * @client: the client that connects
 * @host_and_port: the host to connect to, with an optional port:
 *   `"example.com"`, `"example.com:80"`, `"[::1]:8080"`
 * @default_port: the port when @host_and_port names none
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Resolves @host_and_port and connects to it (through a proxy, with TLS, as
 * @client is set up) with g_socket_client_connect_to_host_async(). Suspends
 * the calling coroutine until connected; its thread keeps running.
 *
 * If the coroutine is cancelled meanwhile, the resolution or connection is
 * cancelled through the job's cancellable and the call returns %NULL with
 * `G_IO_ERROR_CANCELLED` once GIO has finished with it; a connection made in
 * the same instant is closed and released.
 *
 * Returns: (transfer full) (nullable): the connection, or %NULL with @error
 *   set
 *
 * Since: 0.1
 */
GSocketConnection *
gco_socket_client_connect_to_host (GSocketClient  *client,
                                   const char     *host_and_port,
                                   guint16         default_port,
                                   GError        **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (G_IS_SOCKET_CLIENT (client), NULL);
  g_return_val_if_fail (host_and_port != NULL, NULL);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return NULL;

  g_socket_client_connect_to_host_async (client, host_and_port, default_port,
                                         gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return NULL;

  return g_socket_client_connect_to_host_finish (client, result, error);
}
