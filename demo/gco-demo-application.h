/* gco-demo-application.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_APPLICATION_ID "io.github.gco.Demo"

#define GCO_DEMO_TYPE_APPLICATION (gco_demo_application_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoApplication, gco_demo_application, GCO_DEMO, APPLICATION, GtkApplication)

GcoDemoApplication *gco_demo_application_new (GApplicationFlags flags);

G_END_DECLS
