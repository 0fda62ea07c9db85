/* gco-demo-dialog.c: PLACEHOLDER — to be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-dialog.h"

struct _GcoDemoDialog
{
  GtkBox parent_instance;
};

G_DEFINE_FINAL_TYPE (GcoDemoDialog, gco_demo_dialog, GTK_TYPE_BOX)

static void
gco_demo_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_DIALOG);

  G_OBJECT_CLASS (gco_demo_dialog_parent_class)->dispose (object);
}

static void
gco_demo_dialog_class_init (GcoDemoDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gco/Demo/ui/gco-demo-dialog.ui");
}

static void
gco_demo_dialog_init (GcoDemoDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
