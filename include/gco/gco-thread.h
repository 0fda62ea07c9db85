/* gco-thread.h: blocking work on a worker thread
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
 * GcoThreadFunc:
 * @user_data: the data given to [func@Gco.run_in_thread]
 * @cancellable: cancelled when the calling coroutine is; check it
 * @error: return location for the failure
 *
 * Blocking work run on a worker thread.
 *
 * Returns: (nullable) (transfer full): the result, or %NULL (with @error set
 *   on failure; %NULL without an error is a success)
 */
typedef gpointer (*GcoThreadFunc) (gpointer       user_data,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* Suspending call: only on a coroutine. */
GCO_AVAILABLE_IN_ALL
gpointer gco_run_in_thread (GcoThreadFunc   func,
                            gpointer        user_data,
                            GDestroyNotify  result_destroy,
                            GError        **error);

G_END_DECLS
