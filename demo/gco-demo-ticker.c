/* gco-demo-ticker.c: Ticker — a clock that runs only while its page is shown.
 *
 * What it shows: a lifecycle launch. gco_widget_launch_while_mapped() starts
 * tick_cb() each time the page is mapped (shown on screen) and cancels it when
 * the page is unmapped (another page is chosen, the window is closed). The
 * loop is plain C with ordinary locals: read the clock, show it, sleep until
 * the next second with gco_delay(). When the page goes away, gco_delay()
 * returns FALSE with G_IO_ERROR_CANCELLED and the loop ends; nothing ticks in
 * the background, and no timeout source has to be removed by hand.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gco/gco-gtk.h>

#include "gco-demo-ticker.h"

struct _GcoDemoTicker
{
  GtkBox     parent_instance;

  GtkLabel  *clock_label;
  GtkLabel  *status_label;

  guint      runs;  /* times the ticker was started */
};

G_DEFINE_FINAL_TYPE (GcoDemoTicker, gco_demo_ticker, GTK_TYPE_BOX)

static gboolean
tick_cb (gpointer   user_data,
         GError   **error)
{
  GcoDemoTicker *self = user_data;  /* no reference: the scope keeps it alive */
  guint ticks = 0;

  self->runs++;

  for (;;)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *clock = g_date_time_format (now, "%H:%M:%S");
      g_autofree char *status = NULL;

      ticks++;
      status = g_strdup_printf ("Run %u, tick %u — started when this page was shown",
                                self->runs, ticks);
      gtk_label_set_label (self->clock_label, clock);
      gtk_label_set_label (self->status_label, status);

      /* Sleep to the next whole second. Fails when the page is hidden: then
       * the job is cancelled and this loop simply ends. */
      if (!gco_delay (1000 - g_date_time_get_microsecond (now) / 1000, error))
        return FALSE;
    }
}

static void
gco_demo_ticker_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_TICKER);

  G_OBJECT_CLASS (gco_demo_ticker_parent_class)->dispose (object);
}

static void
gco_demo_ticker_class_init (GcoDemoTickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_ticker_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-ticker.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoTicker, clock_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoTicker, status_label);
}

static void
gco_demo_ticker_init (GcoDemoTicker *self)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  gtk_widget_init_template (GTK_WIDGET (self));

  options.name = "ticker";  /* for the Live jobs page and GCO_DEBUG=jobs */
  gco_widget_launch_while_mapped_full (GTK_WIDGET (self), &options, tick_cb, self, NULL);
}
