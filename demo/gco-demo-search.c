/* gco-demo-search.c: PLACEHOLDER — to be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-search.h"

struct _GcoDemoSearch
{
  GtkBox parent_instance;
};

G_DEFINE_FINAL_TYPE (GcoDemoSearch, gco_demo_search, GTK_TYPE_BOX)

static void
gco_demo_search_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_SEARCH);

  G_OBJECT_CLASS (gco_demo_search_parent_class)->dispose (object);
}

static void
gco_demo_search_class_init (GcoDemoSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_search_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gco/Demo/ui/gco-demo-search.ui");
}

static void
gco_demo_search_init (GcoDemoSearch *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
