/* gco-demo-stress.c: PLACEHOLDER — to be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-stress.h"

struct _GcoDemoStress
{
  GtkBox parent_instance;
};

G_DEFINE_FINAL_TYPE (GcoDemoStress, gco_demo_stress, GTK_TYPE_BOX)

static void
gco_demo_stress_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_STRESS);

  G_OBJECT_CLASS (gco_demo_stress_parent_class)->dispose (object);
}

static void
gco_demo_stress_class_init (GcoDemoStressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_stress_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gco/Demo/ui/gco-demo-stress.ui");
}

static void
gco_demo_stress_init (GcoDemoStress *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
