/* gco-demo-confirm.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_CONFIRM (gco_demo_confirm_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoConfirm, gco_demo_confirm, GCO_DEMO, CONFIRM, GtkWindow)

GcoDemoConfirm *gco_demo_confirm_new (GtkWindow  *parent,
                                      const char *heading,
                                      const char *body,
                                      const char *accept_label);

G_END_DECLS
