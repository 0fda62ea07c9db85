/* gco-demo-dialog.c: Dialog flow — ask, await the answer, then do the work,
 * in one coroutine that reads top to bottom.
 *
 * What it shows: a linear dialog flow, which GTK 4 lost with
 * gtk_dialog_run(). "Delete…" launches delete_flow_cb() in the page's scope.
 * It opens a confirmation window (gco-demo-confirm.c) and suspends in
 * gco_signal_await() until the window emits "response"; then it deletes the
 * files with g_file_delete_async(), awaited with gco_async_op_await(),
 * reporting each one. The files are real: the page creates them in a private
 * temporary directory and removes that directory when it goes.
 *
 * The coroutine owns the confirmation window: it creates it and destroys it
 * on every path, answered or not. Closing the window cancels the flow (the
 * window's close-request handler calls gco_job_cancel()), so the await
 * returns G_IO_ERROR_CANCELLED and the coroutine destroys the window and
 * returns. Destroying the page while the window is open cancels the page's
 * scope, which takes the same path: the window never outlives the flow.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gco/gco-gtk.h>

#include "gco-demo-confirm.h"
#include "gco-demo-dialog.h"

struct _GcoDemoDialog
{
  GtkBox       parent_instance;

  GtkWidget   *button_box;
  GtkButton   *delete_button;
  GtkButton   *recreate_button;
  GtkLabel    *dir_label;
  GtkListBox  *file_list;
  GtkLabel    *status_label;

  char        *dir;       /* the private temporary directory */
  GListStore  *files;     /* of GFile: the files shown */
  GcoActivity *activity;  /* whether a flow runs */
  GcoJob      *flow;      /* the last flow launched */
};

G_DEFINE_FINAL_TYPE (GcoDemoDialog, gco_demo_dialog, GTK_TYPE_BOX)

static const char * const file_names[] = {
  "holiday-plans.txt",
  "meeting-notes.md",
  "old-budget.csv",
  "scratch.txt",
};

static void
set_status (GcoDemoDialog *self,
            const char    *style_class,
            const char    *text)
{
  static const char * const classes[] = { "status-done", "status-cancelled", "status-failed" };

  for (gsize i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), classes[i]);
  if (style_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), style_class);
  gtk_label_set_label (self->status_label, text);
}

/* Closing the window (its close button, Escape) cancels the flow: the
 * coroutine, suspended in gco_signal_await(), returns G_IO_ERROR_CANCELLED
 * and destroys the window. "Cancelled" is shown here, by the code that
 * cancels. A flow that is not active any more was cancelled with the page,
 * whose template children are gone. */
static gboolean
confirm_close_request_cb (GcoDemoDialog *self)
{
  if (gco_job_is_active (self->flow))
    {
      gco_job_cancel (self->flow);
      set_status (self, "status-cancelled", "Cancelled — nothing deleted");
    }

  return GDK_EVENT_STOP;  /* the flow destroys the window */
}

/* Suspends until the user answers. Returns FALSE when the flow was
 * cancelled; the window is gone on every path. */
static gboolean
ask (GcoDemoDialog  *self,
     guint           n_files,
     gboolean       *accepted,
     GError        **error)
{
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  g_autofree char *heading = g_strdup_printf (g_dngettext (NULL, "Delete %u file?",
                                                           "Delete %u files?", n_files),
                                              n_files);
  g_autoptr (GPtrArray) args = NULL;
  GcoDemoConfirm *confirm;
  gboolean answered;

  confirm = gco_demo_confirm_new (parent, heading,
                                  "They will be removed from the disk, not moved to the trash.",
                                  "Delete");
  g_signal_connect_swapped (confirm, "close-request", G_CALLBACK (confirm_close_request_cb), self);
  gtk_window_present (GTK_WINDOW (confirm));

  answered = gco_signal_await (confirm, "response", 0, &args, error);
  gtk_window_destroy (GTK_WINDOW (confirm));
  if (!answered)
    return FALSE;

  *accepted = g_value_get_boolean (g_ptr_array_index (args, 0));
  return TRUE;
}

static gboolean
delete_flow_cb (gpointer   user_data,
                GError   **error)
{
  GcoDemoDialog *self = user_data;  /* no reference: the scope keeps it alive */
  guint n_files = g_list_model_get_n_items (G_LIST_MODEL (self->files));
  gboolean accepted = FALSE;
  g_autofree char *done = NULL;

  set_status (self, NULL, "Waiting for an answer…");
  if (!ask (self, n_files, &accepted, error))
    return FALSE;  /* cancelled: the window was closed, or the page destroyed */

  if (!accepted)
    {
      g_autofree char *kept = g_strdup_printf (g_dngettext (NULL, "Kept %u file", "Kept %u files",
                                                            n_files),
                                               n_files);

      set_status (self, NULL, kept);
      return TRUE;
    }

  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr (GFile) file = g_list_model_get_item (G_LIST_MODEL (self->files), 0);
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *doing = g_strdup_printf ("Deleting %s (%u of %u)…", name, i + 1, n_files);
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) local_error = NULL;
      GcoAsyncOp op = GCO_ASYNC_OP_INIT;

      set_status (self, NULL, doing);
      g_file_delete_async (file, G_PRIORITY_DEFAULT, gco_cancellable (), gco_async_op_callback, &op);
      result = gco_async_op_await (&op, error);
      if (result == NULL)
        return FALSE;  /* cancelled: the page is being destroyed */

      if (!g_file_delete_finish (file, result, &local_error))
        {
          g_autofree char *failed = g_strdup_printf ("Could not delete %s: %s",
                                                     name, local_error->message);

          /* Shown, so handled: the coroutine ends normally. */
          set_status (self, "status-failed", failed);
          return TRUE;
        }

      g_list_store_remove (self->files, 0);
    }

  done = g_strdup_printf (g_dngettext (NULL, "Deleted %u file", "Deleted %u files", n_files),
                          n_files);
  set_status (self, "status-done", done);
  return TRUE;
}

static void
delete_clicked_cb (GcoDemoDialog *self)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  options.name = "delete-flow";
  g_clear_pointer (&self->flow, gco_job_unref);
  self->flow = gco_launch_full (gco_widget_get_scope (GTK_WIDGET (self)), &options,
                                delete_flow_cb, self, NULL);
  gco_activity_track (self->activity, self->flow);
}

/* (Re)creates the files that are missing and lists them all. Small local
 * files, written before the page is shown: plain blocking calls suffice. */
static void
create_files (GcoDemoDialog *self)
{
  g_list_store_remove_all (self->files);
  if (self->dir == NULL)
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (file_names); i++)
    {
      g_autofree char *path = g_build_filename (self->dir, file_names[i], NULL);
      g_autofree char *contents = g_strdup_printf ("%s: a file the gco demo made to delete.\n",
                                                   file_names[i]);
      g_autoptr (GFile) file = g_file_new_for_path (path);
      g_autoptr (GError) error = NULL;

      if (!g_file_set_contents (path, contents, -1, &error))
        {
          set_status (self, "status-failed", error->message);
          continue;
        }
      g_list_store_append (self->files, file);
    }
}

static void
recreate_clicked_cb (GcoDemoDialog *self)
{
  create_files (self);
  set_status (self, NULL, "Files ready");
}

static void
files_changed_cb (GcoDemoDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->delete_button),
                            g_list_model_get_n_items (G_LIST_MODEL (self->files)) > 0);
}

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  g_autofree char *name = g_file_get_basename (item);
  GtkWidget *label = gtk_label_new (name);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  return label;
}

/* Removes the directory and whatever is left in it. */
static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

/* The files are made when the page is first shown, not at every start of the
 * demo. */
static void
gco_demo_dialog_map (GtkWidget *widget)
{
  GcoDemoDialog *self = GCO_DEMO_DIALOG (widget);
  g_autoptr (GError) error = NULL;

  GTK_WIDGET_CLASS (gco_demo_dialog_parent_class)->map (widget);

  if (self->dir != NULL)
    return;

  self->dir = g_dir_make_tmp ("gco-demo-XXXXXX", &error);
  if (self->dir == NULL)
    {
      set_status (self, "status-failed", error->message);
      return;
    }
  gtk_label_set_label (self->dir_label, self->dir);
  create_files (self);
  set_status (self, NULL, "Files ready");
}

static void
gco_demo_dialog_dispose (GObject *object)
{
  GcoDemoDialog *self = GCO_DEMO_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), GCO_DEMO_TYPE_DIALOG);
  g_clear_pointer (&self->flow, gco_job_unref);

  G_OBJECT_CLASS (gco_demo_dialog_parent_class)->dispose (object);
}

/* At finalization the flow has unwound (the page's scope keeps the page
 * until then), so no deletion is in progress. */
static void
gco_demo_dialog_finalize (GObject *object)
{
  GcoDemoDialog *self = GCO_DEMO_DIALOG (object);

  if (self->dir != NULL)
    remove_dir (self->dir);
  g_free (self->dir);
  g_object_unref (self->files);
  g_object_unref (self->activity);

  G_OBJECT_CLASS (gco_demo_dialog_parent_class)->finalize (object);
}

static void
gco_demo_dialog_class_init (GcoDemoDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_dialog_dispose;
  object_class->finalize = gco_demo_dialog_finalize;
  widget_class->map = gco_demo_dialog_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDialog, button_box);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDialog, delete_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDialog, recreate_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDialog, dir_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDialog, file_list);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, delete_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, recreate_clicked_cb);
}

static void
gco_demo_dialog_init (GcoDemoDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->files = g_list_store_new (G_TYPE_FILE);
  g_signal_connect_object (self->files, "items-changed", G_CALLBACK (files_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->file_list, G_LIST_MODEL (self->files), create_row_cb, NULL, NULL);
  files_changed_cb (self);

  /* No second flow while one runs. */
  self->activity = gco_activity_new ();
  g_object_bind_property (self->activity, "active", self->button_box, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
}
