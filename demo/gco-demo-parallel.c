/* gco-demo-parallel.c: Parallel loading — several files at once, and what
 * happens when one of them fails.
 *
 * What it shows: a scoped builder and its children. Load launches load_cb(),
 * which runs load_all_cb() in gco_coroutine_scope(), or in
 * gco_supervisor_scope() when the supervisor switch is on. load_all_cb()
 * starts one child per file, each loading its file with
 * gco_file_load_contents(). The "fail" switch swaps one file for a missing
 * one:
 *
 * - in gco_coroutine_scope(), the children are gco_async() loads that the
 *   block awaits with gco_await_all(): the first failure cancels the
 *   siblings still running (their rows say "cancelled") and comes back as
 *   the builder's error, which load_cb() shows;
 * - in gco_supervisor_scope(), a failure cancels nobody: the siblings finish,
 *   the builder succeeds, and the failure goes to the exception handler set
 *   on the block's scope, which shows it. Those children are launched with
 *   gco_launch_full(): an async child keeps its failure for whoever awaits it
 *   and never hands it to an exception handler (as in kotlinx.coroutines), so
 *   fire-and-forget work whose failures a handler should see is a launch.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gco/gco-gtk.h>

#include "gco-demo-parallel.h"

#define N_FILES 5
#define FAILING_FILE 1
#define MISSING_FILE "/usr/share/common-licenses/No-Such-License"

static const char * const file_paths[N_FILES] = {
  "/etc/os-release",
  "/usr/share/common-licenses/GPL-3",
  "/usr/share/common-licenses/Apache-2.0",
  "/usr/share/common-licenses/MPL-2.0",
  "/usr/share/common-licenses/LGPL-2.1",
};

typedef struct
{
  GcoDemoParallel *self;        /* no reference: the page's scope keeps it alive */
  const char      *path;
  guint            delay_msec;
  gboolean         finished;    /* loaded or failed, not cancelled */
  GtkLabel        *path_label;
  GtkLabel        *state_label;
} FileRow;

struct _GcoDemoParallel
{
  GtkBox      parent_instance;

  GtkButton  *load_button;
  GtkSwitch  *fail_switch;
  GtkSwitch  *supervisor_switch;
  GtkGrid    *files_grid;
  GtkLabel   *summary_label;
  GtkLabel   *handler_label;

  FileRow     rows[N_FILES];
  gboolean    supervised;
  guint       n_loaded;
  gsize       total_size;
};

G_DEFINE_FINAL_TYPE (GcoDemoParallel, gco_demo_parallel, GTK_TYPE_BOX)

static void
set_state (FileRow    *row,
           const char *text,
           const char *css_class)
{
  const char *classes[] = { "figure", css_class, NULL };

  gtk_label_set_label (row->state_label, text);
  gtk_widget_set_css_classes (GTK_WIDGET (row->state_label), classes);
}

/* One child per file. */
static gboolean
load_file_cb (gpointer   user_data,
              GError   **error)
{
  FileRow *row = user_data;
  g_autoptr (GFile) file = g_file_new_for_path (row->path);
  g_autoptr (GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *size = NULL;
  gsize length;

  /* Not needed to load a file: reading these takes a millisecond. The delays
   * (a different one per file) let you watch the loads run side by side, and
   * keep the later ones running when the missing file fails. */
  if (!gco_delay (row->delay_msec, error))
    return FALSE;

  contents = gco_file_load_contents (file, &length, NULL, &local_error);
  if (contents == NULL)
    {
      /* A failure, not a cancellation: the page is intact, show it. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          row->finished = TRUE;
          set_state (row, "failed", "status-failed");
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  row->finished = TRUE;
  row->self->n_loaded++;
  row->self->total_size += length;
  size = g_format_size (length);
  set_state (row, size, "status-done");
  return TRUE;
}

/* The same load as a gco_async() body: the row as its value. */
static gpointer
load_file_async_cb (gpointer   user_data,
                    GError   **error)
{
  return load_file_cb (user_data, error) ? user_data : NULL;
}

/* Called for a failure that nobody receives: under the supervisor only. */
static void
exception_cb (GcoJob       *job,
              const GError *error,
              gpointer      user_data)
{
  GcoDemoParallel *self = user_data;
  g_autofree char *text = NULL;

  text = g_strdup_printf ("Exception handler: job “%s” failed: %s",
                          gco_job_get_name (job), error->message);
  gtk_label_set_label (self->handler_label, text);
}

/* The block of the scoped builder: starts a child per file. The builder
 * returns when every child has finished. */
static gboolean
load_all_cb (gpointer   user_data,
             GError   **error)
{
  GcoDemoParallel *self = user_data;
  GcoScope *scope = gco_scope_get_current ();
  GcoDeferred *loads[N_FILES] = { NULL, };
  gboolean ok = TRUE;

  gco_scope_set_exception_handler (scope, exception_cb, self, NULL);

  for (guint i = 0; i < N_FILES; i++)
    {
      GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
      g_autofree char *name = g_path_get_basename (self->rows[i].path);

      options.name = name;
      if (self->supervised)
        gco_job_unref (gco_launch_full (scope, &options, load_file_cb, &self->rows[i], NULL));
      else
        loads[i] = gco_async_full (scope, &options, load_file_async_cb, &self->rows[i], NULL, NULL);
    }

  if (!self->supervised)
    {
      ok = gco_await_all (loads, N_FILES, error);
      for (guint i = 0; i < N_FILES; i++)
        gco_deferred_unref (loads[i]);
    }

  return ok;
}

static gboolean
load_cb (gpointer   user_data,
         GError   **error)
{
  GcoDemoParallel *self = user_data;
  gboolean fail = gtk_switch_get_active (self->fail_switch);
  g_autoptr (GError) failure = NULL;
  g_autofree char *total = NULL;
  g_autofree char *summary = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->load_button), FALSE);
  gtk_label_set_label (self->summary_label, "Loading the files in parallel…");
  gtk_label_set_label (self->handler_label, "Exception handler: not called");
  self->supervised = gtk_switch_get_active (self->supervisor_switch);
  self->n_loaded = 0;
  self->total_size = 0;
  for (guint i = 0; i < N_FILES; i++)
    {
      FileRow *row = &self->rows[i];

      row->path = (fail && i == FAILING_FILE) ? MISSING_FILE : file_paths[i];
      row->finished = FALSE;
      gtk_label_set_label (row->path_label, row->path);
      set_state (row, "loading…", NULL);
    }

  if (self->supervised)
    gco_supervisor_scope (load_all_cb, self, &failure);
  else
    gco_coroutine_scope (load_all_cb, self, &failure);

  /* The page was closed meanwhile: leave its widgets alone. The builder
   * returns a failure even to a caller that was cancelled meanwhile, so ask
   * whether this coroutine itself was. */
  if (!gco_ensure_active (error))
    return FALSE;

  /* The children that neither loaded nor failed were cancelled. */
  for (guint i = 0; i < N_FILES; i++)
    if (!self->rows[i].finished)
      set_state (&self->rows[i], "cancelled", "status-cancelled");

  total = g_format_size (self->total_size);
  if (failure != NULL)
    summary = g_strdup_printf ("Failed: %s. The first failure cancelled the other loads.",
                               failure->message);
  else if (self->n_loaded == N_FILES)
    summary = g_strdup_printf ("Loaded all %u files, %s in all.", N_FILES, total);
  else
    summary = g_strdup_printf ("Loaded %u of %u files, %s in all. The failure cancelled nothing "
                               "and went to the exception handler.",
                               self->n_loaded, N_FILES, total);
  gtk_label_set_label (self->summary_label, summary);
  gtk_widget_set_sensitive (GTK_WIDGET (self->load_button), TRUE);
  return TRUE;
}

static void
load_clicked_cb (GcoDemoParallel *self)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  options.name = "load files in parallel";
  gco_job_unref (gco_launch_full (gco_widget_get_scope (GTK_WIDGET (self)), &options,
                                  load_cb, self, NULL));
}

static void
gco_demo_parallel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_PARALLEL);

  G_OBJECT_CLASS (gco_demo_parallel_parent_class)->dispose (object);
}

static void
gco_demo_parallel_class_init (GcoDemoParallelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_parallel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-parallel.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoParallel, load_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoParallel, fail_switch);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoParallel, supervisor_switch);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoParallel, files_grid);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoParallel, summary_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoParallel, handler_label);
  gtk_widget_class_bind_template_callback (widget_class, load_clicked_cb);
}

static void
gco_demo_parallel_init (GcoDemoParallel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_FILES; i++)
    {
      FileRow *row = &self->rows[i];

      row->self = self;
      row->path = file_paths[i];
      row->delay_msec = 250 + 500 * i;
      row->path_label = GTK_LABEL (gtk_label_new (row->path));
      row->state_label = GTK_LABEL (gtk_label_new (NULL));
      gtk_label_set_xalign (row->path_label, 0);
      gtk_label_set_ellipsize (row->path_label, PANGO_ELLIPSIZE_MIDDLE);
      gtk_widget_set_hexpand (GTK_WIDGET (row->path_label), TRUE);
      gtk_label_set_xalign (row->state_label, 1);
      gtk_label_set_width_chars (row->state_label, 12);
      set_state (row, "not loaded", "status-cancelled");
      gtk_grid_attach (self->files_grid, GTK_WIDGET (row->path_label), 0, i, 1, 1);
      gtk_grid_attach (self->files_grid, GTK_WIDGET (row->state_label), 1, i, 1, 1);
    }
}
