/* gco-demo-search.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_SEARCH (gco_demo_search_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoSearch, gco_demo_search, GCO_DEMO, SEARCH, GtkBox)

G_END_DECLS
