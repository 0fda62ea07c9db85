/* gco-gtk-lifecycle.h: launches tied to a widget's lifecycle
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
GcoJob *gco_widget_launch_replacing (GtkWidget      *widget,
                                     const char     *key,
                                     GcoFunc         func,
                                     gpointer        user_data,
                                     GDestroyNotify  destroy) G_GNUC_WARN_UNUSED_RESULT;

GCO_AVAILABLE_IN_ALL
GcoJob *gco_widget_launch_replacing_full (GtkWidget              *widget,
                                          const char             *key,
                                          const GcoLaunchOptions *options,
                                          GcoFunc                 func,
                                          gpointer                user_data,
                                          GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
void    gco_widget_launch_while_mapped (GtkWidget      *widget,
                                        GcoFunc         func,
                                        gpointer        user_data,
                                        GDestroyNotify  destroy);
GCO_AVAILABLE_IN_ALL
void    gco_widget_launch_while_mapped_full (GtkWidget              *widget,
                                             const GcoLaunchOptions *options,
                                             GcoFunc                 func,
                                             gpointer                user_data,
                                             GDestroyNotify          destroy);

G_END_DECLS
