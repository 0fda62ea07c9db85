/* gco-task.h: filled in by the GIO bridges work
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

G_END_DECLS
