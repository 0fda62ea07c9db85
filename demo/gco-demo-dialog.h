/* gco-demo-dialog.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_DIALOG (gco_demo_dialog_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoDialog, gco_demo_dialog, GCO_DEMO, DIALOG, GtkBox)

G_END_DECLS
