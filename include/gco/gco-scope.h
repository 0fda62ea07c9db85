/* gco-scope.h: scopes, where coroutines are launched
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include "gco-types.h"

G_BEGIN_DECLS

#define GCO_TYPE_SCOPE (gco_scope_get_type ())

GCO_AVAILABLE_IN_ALL
GType          gco_scope_get_type                (void) G_GNUC_CONST;

GCO_AVAILABLE_IN_ALL
GcoScope      *gco_scope_new                     (GcoJob              *job,
                                                  GcoDispatcher       *dispatcher) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GcoScope      *gco_main_scope_new                (void) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GcoScope      *gco_scope_new_child               (GcoScope            *parent,
                                                  gboolean             supervisor) G_GNUC_WARN_UNUSED_RESULT;

GCO_AVAILABLE_IN_ALL
GcoScope      *gco_scope_ref                     (GcoScope            *scope);
GCO_AVAILABLE_IN_ALL
void           gco_scope_unref                   (GcoScope            *scope);

GCO_AVAILABLE_IN_ALL
GcoJob        *gco_scope_get_job                 (GcoScope            *scope);
GCO_AVAILABLE_IN_ALL
GcoDispatcher *gco_scope_get_dispatcher          (GcoScope            *scope);
GCO_AVAILABLE_IN_ALL
void           gco_scope_cancel                  (GcoScope            *scope);
GCO_AVAILABLE_IN_ALL
gboolean       gco_scope_is_active               (GcoScope            *scope);

GCO_AVAILABLE_IN_ALL
void           gco_scope_set_exception_handler   (GcoScope            *scope,
                                                  GcoExceptionHandler  handler,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy);
GCO_AVAILABLE_IN_ALL
void           gco_set_default_exception_handler (GcoExceptionHandler  handler,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcoScope, gco_scope_unref)

G_END_DECLS
