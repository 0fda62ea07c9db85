/* gco-error.h: the GCO_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include "gco-types.h"

G_BEGIN_DECLS

/**
 * GCO_ERROR:
 *
 * The error domain of gco's own errors. Cancellation is never a `GCO_ERROR`:
 * it is always `G_IO_ERROR_CANCELLED`, and a timeout returned by
 * [func@Gco.with_timeout] is `G_IO_ERROR_TIMED_OUT`.
 */
#define GCO_ERROR (gco_error_quark ())

/**
 * GcoError:
 * @GCO_ERROR_FAILED: a generic failure
 * @GCO_ERROR_NOT_IN_COROUTINE: a suspending call was made outside a coroutine
 * @GCO_ERROR_NO_STACK: no stack could be allocated for a coroutine
 * @GCO_ERROR_DEADLOCK: the call would wait for itself forever, such as a
 *   coroutine joining its own job or one of its ancestors
 *
 * The errors of the %GCO_ERROR domain.
 */
typedef enum {
  GCO_ERROR_FAILED,
  GCO_ERROR_NOT_IN_COROUTINE,
  GCO_ERROR_NO_STACK,
  GCO_ERROR_DEADLOCK,
} GcoError;

GCO_AVAILABLE_IN_ALL
GQuark gco_error_quark (void) G_GNUC_CONST;

GCO_AVAILABLE_IN_ALL
GType  gco_error_get_type (void) G_GNUC_CONST;
#define GCO_TYPE_ERROR (gco_error_get_type ())

G_END_DECLS
