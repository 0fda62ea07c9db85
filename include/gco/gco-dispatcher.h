/* gco-dispatcher.h: where coroutines run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include "gco-types.h"

G_BEGIN_DECLS

#define GCO_TYPE_DISPATCHER (gco_dispatcher_get_type ())

GCO_AVAILABLE_IN_ALL
GType          gco_dispatcher_get_type           (void) G_GNUC_CONST;

GCO_AVAILABLE_IN_ALL
GcoDispatcher *gco_dispatcher_get_main           (void);
GCO_AVAILABLE_IN_ALL
GcoDispatcher *gco_dispatcher_get_main_immediate (void);
GCO_AVAILABLE_IN_ALL
GcoDispatcher *gco_dispatcher_new_for_context    (GMainContext  *context,
                                                  gboolean       immediate) G_GNUC_WARN_UNUSED_RESULT;

GCO_AVAILABLE_IN_ALL
GcoDispatcher *gco_dispatcher_ref                (GcoDispatcher *dispatcher);
GCO_AVAILABLE_IN_ALL
void           gco_dispatcher_unref              (GcoDispatcher *dispatcher);

GCO_AVAILABLE_IN_ALL
GMainContext  *gco_dispatcher_get_context        (GcoDispatcher *dispatcher);
GCO_AVAILABLE_IN_ALL
gboolean       gco_dispatcher_is_immediate       (GcoDispatcher *dispatcher);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcoDispatcher, gco_dispatcher_unref)

G_END_DECLS
