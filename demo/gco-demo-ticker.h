/* gco-demo-ticker.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_TICKER (gco_demo_ticker_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoTicker, gco_demo_ticker, GCO_DEMO, TICKER, GtkBox)

G_END_DECLS
