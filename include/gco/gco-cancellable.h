/* gco-cancellable.h: jobs cancelled by a GCancellable
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

GCO_AVAILABLE_IN_ALL
void gco_job_cancel_on_cancellable (GcoJob       *job,
                                    GCancellable *cancellable);

G_END_DECLS
