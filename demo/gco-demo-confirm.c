/* gco-demo-confirm.c: PLACEHOLDER — to be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-confirm.h"

struct _GcoDemoConfirm
{
  GtkWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (GcoDemoConfirm, gco_demo_confirm, GTK_TYPE_WINDOW)

static void
gco_demo_confirm_class_init (GcoDemoConfirmClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gco/Demo/ui/gco-demo-confirm.ui");
}

static void
gco_demo_confirm_init (GcoDemoConfirm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
