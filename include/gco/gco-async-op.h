/* gco-async-op.h: awaiting any GAsyncReadyCallback operation
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

/**
 * GcoAsyncOp:
 *
 * One pending `_async` call awaited by a coroutine, usually on its stack:
 *
 * ```c
 * GcoAsyncOp op = GCO_ASYNC_OP_INIT;
 * g_file_load_contents_async (file, gco_cancellable (), gco_async_op_callback, &op);
 * g_autoptr (GAsyncResult) result = gco_async_op_await (&op, error);
 * ```
 *
 * then call the `_finish` function with the result.
 *
 * Start the operation only on a coroutine (check [func@Gco.in_coroutine]
 * first where in doubt): outside one the await fails at once while the
 * operation, already started, would call back into a frame that is gone.
 * An op serves one operation: initialize it again with %GCO_ASYNC_OP_INIT
 * before reusing it.
 */
typedef struct {
  /*< private >*/
  gpointer _priv[4];
} GcoAsyncOp;

/**
 * GCO_ASYNC_OP_INIT:
 *
 * Initializes a [struct@Gco.AsyncOp].
 */
#define GCO_ASYNC_OP_INIT { { NULL, NULL, NULL, NULL } }

GCO_AVAILABLE_IN_ALL
GCancellable *gco_cancellable        (void);

GCO_AVAILABLE_IN_ALL
void          gco_async_op_callback  (GObject       *source_object,
                                      GAsyncResult  *result,
                                      gpointer       op);

/* Suspending call: only on a coroutine. */
GCO_AVAILABLE_IN_ALL
GAsyncResult *gco_async_op_await     (GcoAsyncOp    *op,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
