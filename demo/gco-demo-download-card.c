/* gco-demo-download-card.c: PLACEHOLDER — to be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-download-card.h"

struct _GcoDemoDownloadCard
{
  GtkBox parent_instance;
};

G_DEFINE_FINAL_TYPE (GcoDemoDownloadCard, gco_demo_download_card, GTK_TYPE_BOX)

static void
gco_demo_download_card_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_DOWNLOAD_CARD);

  G_OBJECT_CLASS (gco_demo_download_card_parent_class)->dispose (object);
}

static void
gco_demo_download_card_class_init (GcoDemoDownloadCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_download_card_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/gco/Demo/ui/gco-demo-download-card.ui");
}

static void
gco_demo_download_card_init (GcoDemoDownloadCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
