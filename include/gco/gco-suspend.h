/* gco-suspend.h: suspending calls and the running coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include "gco-types.h"

G_BEGIN_DECLS

/* The running coroutine; NULL outside one. */
GCO_AVAILABLE_IN_ALL
GcoScope *gco_scope_get_current  (void);
GCO_AVAILABLE_IN_ALL
GcoJob   *gco_job_get_current    (void);
GCO_AVAILABLE_IN_ALL
gboolean  gco_is_active          (void);
GCO_AVAILABLE_IN_ALL
gboolean  gco_in_coroutine       (void);

/* Suspending calls: only on a coroutine. */
GCO_AVAILABLE_IN_ALL
gboolean  gco_delay              (guint           msec,
                                  GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_yield              (GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_await_cancellation (GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_ensure_active      (GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_coroutine_scope    (GcoFunc         func,
                                  gpointer        user_data,
                                  GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_supervisor_scope   (GcoFunc         func,
                                  gpointer        user_data,
                                  GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_with_timeout       (guint           msec,
                                  GcoFunc         func,
                                  gpointer        user_data,
                                  GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_with_dispatcher    (GcoDispatcher  *dispatcher,
                                  GcoFunc         func,
                                  gpointer        user_data,
                                  GError        **error);
GCO_AVAILABLE_IN_ALL
gboolean  gco_non_cancellable    (GcoFunc         func,
                                  gpointer        user_data,
                                  GError        **error);

G_END_DECLS
