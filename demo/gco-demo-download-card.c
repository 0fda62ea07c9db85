/* gco-demo-download-card.c: one download, with its own job.
 *
 * What it shows: a click-driven job tied to a widget. Start launches
 * download_cb() in the card's own scope, gco_widget_get_scope(): the job
 * belongs to the card. Cancel cancels that job. Close removes the card from
 * its list, which destroys the widget, and destroying a widget cancels its
 * scope — so closing a card mid-run stops its download with no code for that
 * case. Each card has its own scope: several run at once, independently.
 *
 * The download is a simulation of a transfer's steps over time: each step is
 * a gco_delay() where a real download would read its next chunk (for
 * instance with gco_input_stream_read_bytes()), and "Fail at 60 %" makes the
 * step after 60 % fail the way a dropped connection would.
 *
 * The body is plain C with ordinary locals. When the job is cancelled,
 * gco_delay() returns FALSE with G_IO_ERROR_CANCELLED and download_cb()
 * returns at once without touching the card: if the card was closed, it is
 * already disposed and its template children are gone. "Cancelled" is
 * therefore shown by the code that cancels, cancel_clicked_cb().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gco/gco-gtk.h>

#include "gco-demo-download-card.h"

#define N_STEPS      20
#define STEP_MSEC    125  /* 2.5 s per download */
#define FAIL_PERCENT 60

struct _GcoDemoDownloadCard
{
  GtkBox          parent_instance;

  GtkLabel       *name_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *status_label;
  GtkCheckButton *fail_check;
  GtkButton      *start_button;
  GtkButton      *cancel_button;
  GtkButton      *close_button;

  guint           number;
  GcoJob         *job;  /* the last download started, for Cancel */
};

G_DEFINE_FINAL_TYPE (GcoDemoDownloadCard, gco_demo_download_card, GTK_TYPE_BOX)

static void
set_status (GcoDemoDownloadCard *self,
            const char          *text,
            const char          *css_class)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "status-done");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "status-cancelled");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "status-failed");
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css_class);
  gtk_label_set_label (self->status_label, text);
}

static void
set_running (GcoDemoDownloadCard *self,
             gboolean             running)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->start_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), running);
}

/* Suspends the calling coroutine for the whole download, showing each step.
 * Returns FALSE with G_IO_ERROR_CANCELLED when cancelled, or with the
 * failure of a step. */
static gboolean
download (GcoDemoDownloadCard  *self,
          GError              **error)
{
  for (guint step = 1; step <= N_STEPS; step++)
    {
      guint percent = step * 100 / N_STEPS;
      g_autofree char *status = NULL;

      /* One step of the transfer (simulated; see the top of the file). */
      if (!gco_delay (STEP_MSEC, error))
        return FALSE;
      if (percent > FAIL_PERCENT && gtk_check_button_get_active (self->fail_check))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "Connection lost at %u %%", (step - 1) * 100 / N_STEPS);
          return FALSE;
        }

      status = g_strdup_printf ("Downloading… %u %%", percent);
      gtk_progress_bar_set_fraction (self->progress_bar, (double) step / N_STEPS);
      set_status (self, status, NULL);
    }

  return TRUE;
}

static gboolean
download_cb (gpointer   user_data,
             GError   **error)
{
  GcoDemoDownloadCard *self = user_data;  /* no reference: the scope keeps it alive */
  g_autoptr (GError) local_error = NULL;

  /* The card's scope runs this at once, inside the click, until the first
   * gco_delay(): the first change lands in the same frame. */
  set_running (self, TRUE);
  set_status (self, "Downloading… 0 %", NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);

  if (download (self, &local_error))
    {
      set_status (self, "Done", "status-done");
    }
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancelled by Cancel or by closing the card: touch nothing, the card
       * may be disposed already. A cancellation is not a failure. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  else
    {
      /* A real failure. The card is intact: show it here, with the other
       * outcomes, and end the job normally — the error is handled, as a
       * catch around the call would. Returned, it would go to the scope's
       * exception handler (gco_scope_set_exception_handler()), away from
       * this code; the default handler only logs a warning. */
      g_autofree char *failed = g_strdup_printf ("Failed: %s", local_error->message);

      set_status (self, failed, "status-failed");
    }

  set_running (self, FALSE);
  return TRUE;
}

static void
start_clicked_cb (GcoDemoDownloadCard *self)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  g_autofree char *name = g_strdup_printf ("download %u", self->number);

  options.name = name;  /* as the "Live jobs" page shows it */
  g_clear_pointer (&self->job, gco_job_unref);
  self->job = gco_launch_full (gco_widget_get_scope (GTK_WIDGET (self)), &options,
                               download_cb, self, NULL);
}

static void
cancel_clicked_cb (GcoDemoDownloadCard *self)
{
  /* Returns at once; the job unwinds at its next suspension point, where
   * gco_delay() returns G_IO_ERROR_CANCELLED. */
  gco_job_cancel (self->job);
  set_status (self, "Cancelled", "status-cancelled");
  set_running (self, FALSE);
}

static void
close_clicked_cb (GcoDemoDownloadCard *self)
{
  /* The list holds the only reference: removing the card destroys it, which
   * cancels its scope and so its download, if one is running. */
  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self))), GTK_WIDGET (self));
}

static void
gco_demo_download_card_dispose (GObject *object)
{
  GcoDemoDownloadCard *self = GCO_DEMO_DOWNLOAD_CARD (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GCO_DEMO_TYPE_DOWNLOAD_CARD);
  g_clear_pointer (&self->job, gco_job_unref);

  G_OBJECT_CLASS (gco_demo_download_card_parent_class)->dispose (object);
}

static void
gco_demo_download_card_class_init (GcoDemoDownloadCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_download_card_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-download-card.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownloadCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownloadCard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownloadCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownloadCard, fail_check);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownloadCard, start_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownloadCard, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDownloadCard, close_button);
  gtk_widget_class_bind_template_callback (widget_class, start_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
}

static void
gco_demo_download_card_init (GcoDemoDownloadCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * gco_demo_download_card_new:
 * @number: the card's number, for its name ("Download 2") and its jobs'
 *
 * Returns: (transfer floating): a new card, ready to start
 */
GtkWidget *
gco_demo_download_card_new (guint number)
{
  GcoDemoDownloadCard *self = g_object_new (GCO_DEMO_TYPE_DOWNLOAD_CARD, NULL);
  g_autofree char *name = g_strdup_printf ("Download %u", number);

  self->number = number;
  gtk_label_set_label (self->name_label, name);

  return GTK_WIDGET (self);
}
