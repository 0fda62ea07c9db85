/* gco-gio-ops.h: suspending helpers for the GIO operations apps use most
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gco-types.h"

G_BEGIN_DECLS

/* Suspending calls: only on a coroutine. Each passes the current job's
 * GCancellable to GIO and returns G_IO_ERROR_CANCELLED once the job is. */

/* Files */
GCO_AVAILABLE_IN_ALL
char              *gco_file_load_contents           (GFile                *file,
                                                     gsize                *length_out,
                                                     char                **etag_out,
                                                     GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
gboolean           gco_file_replace_contents        (GFile                *file,
                                                     const char           *contents,
                                                     gsize                 length,
                                                     const char           *etag,
                                                     gboolean              make_backup,
                                                     GFileCreateFlags      flags,
                                                     char                **new_etag_out,
                                                     GError              **error);
GCO_AVAILABLE_IN_ALL
GList             *gco_file_enumerate_children      (GFile                *file,
                                                     const char           *attributes,
                                                     GFileQueryInfoFlags   flags,
                                                     GError              **error) G_GNUC_WARN_UNUSED_RESULT;

/* Streams */
GCO_AVAILABLE_IN_ALL
GBytes            *gco_input_stream_read_bytes      (GInputStream         *stream,
                                                     gsize                 count,
                                                     int                   io_priority,
                                                     GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
gboolean           gco_output_stream_write_all      (GOutputStream        *stream,
                                                     const void           *buffer,
                                                     gsize                 count,
                                                     gsize                *bytes_written_out,
                                                     int                   io_priority,
                                                     GError              **error);

/* Subprocesses: cancelling kills the process and waits until it is reaped. */
GCO_AVAILABLE_IN_ALL
gboolean           gco_subprocess_wait              (GSubprocess          *subprocess,
                                                     GError              **error);
GCO_AVAILABLE_IN_ALL
gboolean           gco_subprocess_communicate_utf8  (GSubprocess          *subprocess,
                                                     const char           *stdin_buf,
                                                     char                **stdout_buf,
                                                     char                **stderr_buf,
                                                     GError              **error);

/* Sockets */
GCO_AVAILABLE_IN_ALL
GSocketConnection *gco_socket_client_connect_to_host (GSocketClient       *client,
                                                      const char          *host_and_port,
                                                      guint16              default_port,
                                                      GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* D-Bus */
GCO_AVAILABLE_IN_ALL
GVariant          *gco_dbus_connection_call         (GDBusConnection      *connection,
                                                     const char           *bus_name,
                                                     const char           *object_path,
                                                     const char           *interface_name,
                                                     const char           *method_name,
                                                     GVariant             *parameters,
                                                     const GVariantType   *reply_type,
                                                     GDBusCallFlags        flags,
                                                     int                   timeout_msec,
                                                     GError              **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
