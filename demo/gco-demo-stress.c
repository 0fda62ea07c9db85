/* gco-demo-stress.c: Stress — 100,000 coroutines, each sleeping a while, and
 * the window stays smooth.
 *
 * What it shows: coroutines are cheap enough to use one per small task, and
 * many of them do not freeze the UI. Launch starts stress_cb() in the page's
 * scope. It opens a gco_coroutine_scope() and launches the coroutines into
 * it, in batches separated by gco_yield() so that frames are drawn while it
 * launches; each one sleeps 200–1000 ms with gco_delay() and counts itself
 * done. gco_coroutine_scope() returns once all of them completed, and the
 * coroutine shows the figures: how long launching and the whole run took,
 * how much memory the coroutines used, and the lowest frame rate meanwhile.
 *
 * Every coroutine of a run is a descendant of the run's job, so Cancel is one
 * gco_job_cancel() call, and destroying the page (closing the window)
 * cancels them all the same way, through the page's scope. The progress and the frame rate are shown by a tick callback,
 * once per frame, rather than by the coroutines themselves.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <gco/gco-gtk.h>

#include "gco-demo-stress.h"

/* Coroutines launched between two yields. A launch only queues the new
 * coroutine (well under a microsecond); it starts later, when the main
 * dispatcher runs its queue, a few milliseconds at a time between frames.
 * Yet 100,000 launches in one go would hold the main thread for tens of
 * milliseconds: a visible hitch. A batch takes well under a millisecond. */
#define BATCH_SIZE 1000
/* Frame rate measured over half-second spans. */
#define FPS_SPAN_USEC (G_USEC_PER_SEC / 2)

struct _GcoDemoStress
{
  GtkBox          parent_instance;

  GtkSpinButton  *count_spin;
  GtkButton      *launch_button;
  GtkButton      *cancel_button;
  GtkSpinner     *spinner;
  GtkLabel       *fps_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *figures_label;

  GcoJob         *run;        /* the run in progress; NULL when idle */
  guint           tick_id;

  /* Figures of the run */
  guint           count;
  guint           n_launched;
  guint           n_done;
  gint64          started;    /* monotonic times, µs */
  gint64          launched;
  gint64          rss_before; /* bytes */
  gint64          rss_peak;
  gint64          span_start; /* frame time the current span began, 0 before the first frame */
  guint           span_frames;
  double          fps_min;
};

G_DEFINE_FINAL_TYPE (GcoDemoStress, gco_demo_stress, GTK_TYPE_BOX)

/* The resident set size of the process, from /proc/self/statm. */
static gint64
read_rss (void)
{
  g_autofree char *statm = NULL;
  guint64 resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%*u %" G_GUINT64_FORMAT, &resident) != 1)
    return 0;

  return resident * sysconf (_SC_PAGESIZE);
}

static void
show_progress (GcoDemoStress *self)
{
  g_autofree char *text = g_strdup_printf ("%'u launched, %'u done", self->n_launched, self->n_done);

  gtk_progress_bar_set_fraction (self->progress_bar, (double) self->n_done / self->count);
  gtk_progress_bar_set_text (self->progress_bar, text);
}

/* Once per frame while a run goes: the frame rate, the progress, the memory. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  GcoDemoStress *self = GCO_DEMO_STRESS (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);

  if (self->span_start == 0)
    self->span_start = now;
  else
    self->span_frames++;

  if (now - self->span_start >= FPS_SPAN_USEC)
    {
      double fps = self->span_frames * (double) G_USEC_PER_SEC / (now - self->span_start);
      g_autofree char *text = g_strdup_printf ("%.0f fps", fps);

      gtk_label_set_label (self->fps_label, text);
      self->fps_min = self->fps_min > 0 ? MIN (self->fps_min, fps) : fps;
      self->span_start = now;
      self->span_frames = 0;
    }

  self->rss_peak = MAX (self->rss_peak, read_rss ());
  show_progress (self);

  return G_SOURCE_CONTINUE;
}

static void
set_running (GcoDemoStress *self,
             gboolean       running)
{
  gtk_spinner_set_spinning (self->spinner, running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->launch_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), running);

  if (running)
    {
      gtk_label_set_label (self->fps_label, "… fps");
      gtk_label_set_label (self->figures_label, "Running…");
      show_progress (self);
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
    }
  else
    {
      if (self->tick_id != 0)
        gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
      g_clear_pointer (&self->run, gco_job_unref);
      gtk_label_set_label (self->fps_label, "– fps");
      show_progress (self);
    }
}

static gboolean
delay_cb (gpointer   user_data,
          GError   **error)
{
  GcoDemoStress *self = user_data;  /* no reference: the scope keeps it alive */

  if (!gco_delay (g_random_int_range (200, 1001), error))
    return FALSE;

  self->n_done++;
  return TRUE;
}

/* The block of the coroutine scope: its launches are the scope's children,
 * which gco_coroutine_scope() waits for. */
static gboolean
launch_all_cb (gpointer   user_data,
               GError   **error)
{
  GcoDemoStress *self = user_data;
  GcoScope *scope = gco_scope_get_current ();
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  options.name = "stress-delay";
  while (self->n_launched < self->count)
    {
      gco_job_unref (gco_launch_full (scope, &options, delay_cb, self, NULL));
      self->n_launched++;

      /* Let the frame be drawn and input handled between batches. */
      if (self->n_launched % BATCH_SIZE == 0 && !gco_yield (error))
        return FALSE;
    }

  self->launched = g_get_monotonic_time ();
  self->rss_peak = MAX (self->rss_peak, read_rss ());
  return TRUE;
}

static gboolean
stress_cb (gpointer   user_data,
           GError   **error)
{
  GcoDemoStress *self = user_data;
  g_autoptr (GString) figures = g_string_new (NULL);
  gint64 done;

  if (!gco_coroutine_scope (launch_all_cb, self, error))
    return FALSE;  /* cancelled: by Cancel, or because the page is being destroyed */

  done = g_get_monotonic_time ();
  g_string_append_printf (figures, "%'u coroutines: launched in %'" G_GINT64_FORMAT " ms, "
                          "all done after %.2f s, peak RSS +%'" G_GINT64_FORMAT " MB",
                          self->count, (self->launched - self->started) / 1000,
                          (done - self->started) / (double) G_USEC_PER_SEC,
                          (self->rss_peak - self->rss_before) / (1024 * 1024));
  if (self->fps_min > 0)  /* not for a run shorter than a span */
    g_string_append_printf (figures, ", lowest %.0f fps", self->fps_min);

  set_running (self, FALSE);
  gtk_label_set_label (self->figures_label, figures->str);
  return TRUE;
}

static void
launch_clicked_cb (GcoDemoStress *self)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  self->count = gtk_spin_button_get_value_as_int (self->count_spin);
  self->n_launched = 0;
  self->n_done = 0;
  self->started = g_get_monotonic_time ();
  self->rss_before = self->rss_peak = read_rss ();
  self->span_start = 0;
  self->span_frames = 0;
  self->fps_min = 0;
  set_running (self, TRUE);

  options.name = "stress";
  self->run = gco_launch_full (gco_widget_get_scope (GTK_WIDGET (self)), &options,
                               stress_cb, self, NULL);
}

/* Cancelling the run cancels every coroutine under it; they unwind on
 * their own, and none of them touches the page on the way. */
static void
cancel_clicked_cb (GcoDemoStress *self)
{
  g_autofree char *figures = g_strdup_printf ("Cancelled after %'u of %'u coroutines were done",
                                              self->n_done, self->count);

  gco_job_cancel (self->run);
  set_running (self, FALSE);
  gtk_label_set_label (self->figures_label, figures);
}

static void
gco_demo_stress_dispose (GObject *object)
{
  GcoDemoStress *self = GCO_DEMO_STRESS (object);

  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  g_clear_pointer (&self->run, gco_job_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), GCO_DEMO_TYPE_STRESS);

  G_OBJECT_CLASS (gco_demo_stress_parent_class)->dispose (object);
}

static void
gco_demo_stress_class_init (GcoDemoStressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_stress_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-stress.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoStress, count_spin);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoStress, launch_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoStress, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoStress, spinner);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoStress, fps_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoStress, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoStress, figures_label);
  gtk_widget_class_bind_template_callback (widget_class, launch_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
gco_demo_stress_init (GcoDemoStress *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
