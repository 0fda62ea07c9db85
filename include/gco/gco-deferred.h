/* gco-deferred.h: jobs with a result
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include "gco-job.h"

G_BEGIN_DECLS

#define GCO_TYPE_DEFERRED (gco_deferred_get_type ())

GCO_AVAILABLE_IN_ALL
GType         gco_deferred_get_type             (void) G_GNUC_CONST;

GCO_AVAILABLE_IN_ALL
GcoDeferred  *gco_deferred_new                  (GcoJob         *parent) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GcoDeferred  *gco_deferred_ref                  (GcoDeferred    *deferred);
GCO_AVAILABLE_IN_ALL
void          gco_deferred_unref                (GcoDeferred    *deferred);
GCO_AVAILABLE_IN_ALL
GcoJob       *gco_deferred_get_job              (GcoDeferred    *deferred);

GCO_AVAILABLE_IN_ALL
gboolean      gco_deferred_complete             (GcoDeferred    *deferred,
                                                 gpointer        value,
                                                 GDestroyNotify  value_destroy);
GCO_AVAILABLE_IN_ALL
gboolean      gco_deferred_complete_with_error  (GcoDeferred    *deferred,
                                                 const GError   *error);
GCO_AVAILABLE_IN_ALL
gpointer      gco_deferred_get_value            (GcoDeferred    *deferred);

/* Suspending calls: only on a coroutine. */
GCO_AVAILABLE_IN_ALL
gpointer      gco_deferred_await                (GcoDeferred    *deferred,
                                                 GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean      gco_await_all                     (GcoDeferred   **deferreds,
                                                 guint           n_deferreds,
                                                 GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcoDeferred, gco_deferred_unref)

G_END_DECLS
