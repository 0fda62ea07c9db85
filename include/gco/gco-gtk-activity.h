/* gco-gtk-activity.h: a bindable view of jobs that run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_GTK_INSIDE) && !defined(GCO_GTK_COMPILATION)
#error "Only <gco/gco-gtk.h> can be included directly."
#endif

#include <glib-object.h>

#include "gco.h"

G_BEGIN_DECLS

#define GCO_TYPE_ACTIVITY (gco_activity_get_type ())

GCO_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (GcoActivity, gco_activity, GCO, ACTIVITY, GObject)

GCO_AVAILABLE_IN_ALL
GcoActivity *gco_activity_new        (void) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
void         gco_activity_track      (GcoActivity *self,
                                      GcoJob      *job);
GCO_AVAILABLE_IN_ALL
gboolean     gco_activity_get_active (GcoActivity *self);
GCO_AVAILABLE_IN_ALL
guint        gco_activity_get_n_jobs (GcoActivity *self);

G_END_DECLS
