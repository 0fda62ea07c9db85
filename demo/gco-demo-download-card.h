/* gco-demo-download-card.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_DOWNLOAD_CARD (gco_demo_download_card_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoDownloadCard, gco_demo_download_card, GCO_DEMO, DOWNLOAD_CARD, GtkBox)

GtkWidget *gco_demo_download_card_new (guint number);

G_END_DECLS
