/* gco-demo-download.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_DOWNLOAD (gco_demo_download_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoDownload, gco_demo_download, GCO_DEMO, DOWNLOAD, GtkBox)

G_END_DECLS
