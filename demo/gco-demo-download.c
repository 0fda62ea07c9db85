/* gco-demo-download.c: Download cards — a list of downloads, each with its
 * own job.
 *
 * What it shows: widget scopes. The page is only a list; each card
 * (gco-demo-download-card.c) launches its download in its own scope,
 * gco_widget_get_scope(), so the cards run at once without knowing about each
 * other, and closing one — destroying the widget — cancels its download and
 * no other. Nothing here keeps track of jobs: the widget tree is the tree of
 * work.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-download.h"
#include "gco-demo-download-card.h"

#define N_FIRST_CARDS 3

struct _GcoDemoDownload
{
  GtkBox     parent_instance;

  GtkBox    *card_list;
  GtkButton *add_button;

  guint      n_cards;  /* cards added so far, to number the next one */
};

G_DEFINE_FINAL_TYPE (GcoDemoDownload, gco_demo_download, GTK_TYPE_BOX)

/* Newest first, as in a browser's list of downloads: a new card shows
 * right under the "Add card" button. */
static void
add_card_cb (GcoDemoDownload *self)
{
  gtk_box_prepend (self->card_list, gco_demo_download_card_new (++self->n_cards));
}

static void
gco_demo_download_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_DOWNLOAD);

  G_OBJECT_CLASS (gco_demo_download_parent_class)->dispose (object);
}

static void
gco_demo_download_class_init (GcoDemoDownloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_download_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-download.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownload, card_list);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownload, add_button);
  gtk_widget_class_bind_template_callback (widget_class, add_card_cb);
}

static void
gco_demo_download_init (GcoDemoDownload *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_FIRST_CARDS; i++)
    add_card_cb (self);
}
