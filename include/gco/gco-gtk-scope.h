/* gco-gtk-scope.h: scopes owned by objects, widgets and applications
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_GTK_INSIDE) && !defined(GCO_GTK_COMPILATION)
#error "Only <gco/gco-gtk.h> can be included directly."
#endif

#include <gtk/gtk.h>

#include "gco.h"

G_BEGIN_DECLS

GCO_AVAILABLE_IN_ALL
GcoScope *gco_object_get_scope      (GObject      *object);
GCO_AVAILABLE_IN_ALL
GcoScope *gco_widget_get_scope      (GtkWidget    *widget);
GCO_AVAILABLE_IN_ALL
GcoScope *gco_application_get_scope (GApplication *application);

G_END_DECLS
