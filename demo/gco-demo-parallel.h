/* gco-demo-parallel.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_PARALLEL (gco_demo_parallel_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoParallel, gco_demo_parallel, GCO_DEMO, PARALLEL, GtkBox)

G_END_DECLS
