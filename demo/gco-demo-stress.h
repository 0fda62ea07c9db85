/* gco-demo-stress.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_STRESS (gco_demo_stress_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoStress, gco_demo_stress, GCO_DEMO, STRESS, GtkBox)

G_END_DECLS
