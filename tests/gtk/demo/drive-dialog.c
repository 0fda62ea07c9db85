/* drive-dialog.c: the Dialog flow page deletes its files once the
 * confirmation window says Delete, keeps them on Cancel, and cancels the
 * flow when the window is closed; destroying the page while the window is
 * open destroys the window and removes the page's directory.
 *
 * The confirmation window is found among GTK's toplevels
 * (gtk_window_get_toplevels()), by type and parent: the page publishes no
 * handle on it, as a person sees it only on screen.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "demo-test.h"

#define N_FILES 4

/* The confirmation window transient for @parent, or NULL. */
static GcoDemoConfirm *
find_confirm (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GCO_DEMO_IS_CONFIRM (window) && gtk_window_get_transient_for (window) == parent)
        return GCO_DEMO_CONFIRM (window);
    }

  return NULL;
}

static gboolean
confirm_is_shown (gpointer parent)
{
  GcoDemoConfirm *confirm = find_confirm (parent);

  return confirm != NULL && gtk_widget_get_mapped (GTK_WIDGET (confirm));
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

static gboolean
has_no_jobs (gpointer widget)
{
  return gco_job_get_n_children (gco_scope_get_job (gco_widget_get_scope (widget))) == 0;
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (handle);
  while (g_dir_read_name (handle) != NULL)
    n++;

  return n;
}

static guint
count_rows (GtkWidget *page)
{
  GtkListBox *list = demo_get_child (page, "file_list");
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;

  return n;
}

/* Clicks Delete… and waits for the confirmation window; checks its question
 * and starts watching for its finalization. */
static GcoDemoConfirm *
open_confirm (GtkWidget  *page,
              gboolean   *finalized,
              GError    **error)
{
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (page));
  GcoDemoConfirm *confirm;

  g_assert_null (find_confirm (parent));
  demo_click (demo_get_child (page, "delete_button"));
  if (!demo_wait_until (confirm_is_shown, parent, "the confirmation window", error))
    return NULL;

  confirm = find_confirm (parent);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (confirm)));
  g_assert_cmpstr (gtk_label_get_text (demo_get_child (confirm, "heading_label")), ==,
                   "Delete 4 files?");
  g_assert_cmpuint (gco_job_get_n_children (gco_scope_get_job (gco_widget_get_scope (page))), ==, 1);
  g_assert_false (gtk_widget_is_sensitive (demo_get_child (page, "delete_button")));
  gco_test_watch_finalize (confirm, finalized);

  return confirm;
}

/* Waits until the confirmation window and the flow are gone. */
static gboolean
wait_flow_over (GtkWidget  *page,
                gboolean   *confirm_finalized,
                GError    **error)
{
  if (!demo_wait_until (is_true, confirm_finalized, "the confirmation window to go", error))
    return FALSE;
  g_assert_null (find_confirm (GTK_WINDOW (gtk_widget_get_root (page))));

  return demo_wait_until (has_no_jobs, page, "the flow to end", error);
}

/* A second page in a window of its own, destroyed while its confirmation
 * window is open: the flow is cancelled, the window destroyed, and the page
 * finalized with its directory removed. */
static gboolean
destroy_page_while_asking (GError **error)
{
  GtkWindow *host = GTK_WINDOW (gtk_window_new ());
  GtkWidget *page = g_object_new (GCO_DEMO_TYPE_DIALOG, NULL);
  gboolean page_finalized = FALSE;
  gboolean confirm_finalized = FALSE;
  g_autofree char *dir = NULL;

  gtk_window_set_child (host, page);
  gtk_window_present (host);
  if (!demo_wait_mapped (page, error))
    return FALSE;
  dir = g_strdup (gtk_label_get_text (demo_get_child (page, "dir_label")));
  g_assert_cmpuint (count_files (dir), ==, N_FILES);

  gco_test_watch_finalize (page, &page_finalized);
  if (open_confirm (page, &confirm_finalized, error) == NULL)
    return FALSE;

  gtk_window_destroy (host);
  if (!demo_wait_until (is_true, &confirm_finalized, "the orphaned confirmation window to go",
                        error))
    return FALSE;
  if (!demo_wait_until (is_true, &page_finalized, "the destroyed page to be finalized", error))
    return FALSE;
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  return TRUE;
}

gboolean
demo_drive_dialog (GcoDemoWindow  *window,
                   GtkWidget      *page,
                   GError        **error)
{
  GtkLabel *status = demo_get_child (page, "status_label");
  GtkWidget *delete_button = demo_get_child (page, "delete_button");
  gboolean confirm_finalized = FALSE;
  GcoDemoConfirm *confirm;
  g_autofree char *dir = NULL;

  /* The page made its files in a directory of its own. */
  dir = g_strdup (gtk_label_get_text (demo_get_child (page, "dir_label")));
  g_assert_true (g_str_has_prefix (dir, g_get_tmp_dir ()));
  g_assert_cmpuint (count_files (dir), ==, N_FILES);
  g_assert_cmpuint (count_rows (page), ==, N_FILES);
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Files ready");

  /* Delete: the files go from the disk and from the list. */
  if ((confirm = open_confirm (page, &confirm_finalized, error)) == NULL)
    return FALSE;
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Waiting for an answer…");
  demo_click (demo_get_child (confirm, "accept_button"));
  if (!demo_wait_label (status, "Deleted 4 files", error) ||
      !wait_flow_over (page, &confirm_finalized, error))
    return FALSE;
  g_assert_cmpuint (count_files (dir), ==, 0);
  g_assert_cmpuint (count_rows (page), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (delete_button));

  /* Cancel: nothing deleted. (A button's activation clicks it a moment
   * later, as a press would.) */
  demo_click (demo_get_child (page, "recreate_button"));
  if (!demo_wait_label (status, "Files ready", error))
    return FALSE;
  g_assert_cmpuint (count_files (dir), ==, N_FILES);
  g_assert_cmpuint (count_rows (page), ==, N_FILES);
  if ((confirm = open_confirm (page, &confirm_finalized, error)) == NULL)
    return FALSE;
  demo_click (demo_get_child (confirm, "cancel_button"));
  if (!demo_wait_label (status, "Kept 4 files", error) ||
      !wait_flow_over (page, &confirm_finalized, error))
    return FALSE;
  g_assert_cmpuint (count_files (dir), ==, N_FILES);
  g_assert_cmpuint (count_rows (page), ==, N_FILES);

  /* Closing the window cancels the flow: said at once, and the flow ends. */
  if ((confirm = open_confirm (page, &confirm_finalized, error)) == NULL)
    return FALSE;
  gtk_window_close (GTK_WINDOW (confirm));
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Cancelled — nothing deleted");
  if (!wait_flow_over (page, &confirm_finalized, error))
    return FALSE;
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Cancelled — nothing deleted");
  g_assert_cmpuint (count_files (dir), ==, N_FILES);
  g_assert_true (gtk_widget_is_sensitive (delete_button));

  return destroy_page_while_asking (error);
}
