/* gco-demo-window.h: the demo's window, one page per sample
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_WINDOW (gco_demo_window_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoWindow, gco_demo_window, GCO_DEMO, WINDOW, GtkApplicationWindow)

GcoDemoWindow      *gco_demo_window_new        (GtkApplication *application);
GtkWidget          *gco_demo_window_get_page   (GcoDemoWindow  *self,
                                                const char     *name);
gboolean            gco_demo_window_show_page  (GcoDemoWindow  *self,
                                                const char     *name);
const char * const *gco_demo_window_list_pages (void);

G_END_DECLS
