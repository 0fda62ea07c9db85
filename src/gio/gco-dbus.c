/* gco-dbus.c: D-Bus method calls from a coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include <gco/gco.h>

#include "gco-coroutine-private.h"

/**
 * gco_dbus_connection_call:
 * @connection: the connection to call on
 * @bus_name: (nullable): the unique or well-known name of the peer, or %NULL
 *   on a peer-to-peer connection
 * @object_path: the path of the remote object
 * @interface_name: (nullable): the D-Bus interface of the method
 * @method_name: the method to call
 * @parameters: (nullable): a tuple of the method's arguments, or %NULL for
 *   none; consumed if floating, also on bad input
 * @reply_type: (nullable): the type the reply must have, or %NULL for any
 * @flags: flags of the call
 * @timeout_msec: the timeout in milliseconds, -1 for the default, or
 *   %G_MAXINT for none
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Calls @method_name on a remote object with g_dbus_connection_call().
 * Suspends the calling coroutine until the reply arrives; its thread keeps
 * running. A D-Bus error reply comes back as a #GError (see
 * g_dbus_error_get_remote_error()).
 *
 * If the coroutine is cancelled meanwhile, the call is cancelled through the
 * job's cancellable (the peer may still run the method: D-Bus cannot take a
 * call back) and returns %NULL with `G_IO_ERROR_CANCELLED`; a reply that
 * arrived in the same instant is released.
 *
 * Returns: (transfer full) (nullable): the reply, a tuple of the method's
 *   return values, or %NULL with @error set
 *
 * Since: 0.1
 */
GVariant *
gco_dbus_connection_call (GDBusConnection     *connection,
                          const char          *bus_name,
                          const char          *object_path,
                          const char          *interface_name,
                          const char          *method_name,
                          GVariant            *parameters,
                          const GVariantType  *reply_type,
                          GDBusCallFlags       flags,
                          int                  timeout_msec,
                          GError             **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;
  /* Floating @parameters are ours whatever happens, as they would be GDBus's:
   * released on every return, also by a failed precondition. */
  g_autoptr (GVariant) owned_parameters =
    parameters != NULL ? g_variant_ref_sink (parameters) : NULL;

  /* GDBus's own preconditions: g_dbus_connection_call() checks them with
   * g_return_if_fail() and would return without ever calling back. */
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (bus_name == NULL || g_dbus_is_name (bus_name), NULL);
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), NULL);
  g_return_val_if_fail (interface_name == NULL || g_dbus_is_interface_name (interface_name),
                        NULL);
  g_return_val_if_fail (method_name != NULL && g_dbus_is_member_name (method_name), NULL);
  g_return_val_if_fail (parameters == NULL
                        || g_variant_is_of_type (parameters, G_VARIANT_TYPE_TUPLE), NULL);
  g_return_val_if_fail (timeout_msec >= 0 || timeout_msec == -1, NULL);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return NULL;

  g_dbus_connection_call (connection, bus_name, object_path, interface_name, method_name,
                          owned_parameters, reply_type, flags, timeout_msec, gco_cancellable (),
                          gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return NULL;

  return g_dbus_connection_call_finish (connection, result, error);
}
