/* drive-parallel.c: the Parallel page in its three modes. All files load and
 * show their real sizes; with a missing file in a coroutine scope, the first
 * failure cancels the loads still running and is shown, and the exception
 * handler is not called; under the supervisor, the other loads finish and
 * the exception handler receives the failure.
 *
 * The loads are staggered by the page (a quarter of a second, then half a
 * second apart each), and the missing file is the second one: the first has
 * loaded and the last three are still waiting when it fails.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include "demo-test.h"

#define N_FILES 5
#define MISSING "/usr/share/common-licenses/No-Such-License"

static const char * const paths[N_FILES] = {
  "/etc/os-release",
  "/usr/share/common-licenses/GPL-3",
  "/usr/share/common-licenses/Apache-2.0",
  "/usr/share/common-licenses/MPL-2.0",
  "/usr/share/common-licenses/LGPL-2.1",
};

typedef enum {
  LOADED,
  FAILED,
  CANCELLED,
} Outcome;

static const char *
row_text (GtkWidget *page,
          guint      column,
          guint      row)
{
  GtkGrid *grid = demo_get_child (page, "files_grid");
  GtkWidget *label = gtk_grid_get_child_at (grid, column, row);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

static void
assert_row (GtkWidget  *page,
            guint       row,
            const char *path,
            Outcome     outcome)
{
  GtkWidget *state = gtk_grid_get_child_at (demo_get_child (page, "files_grid"), 1, row);

  g_assert_cmpstr (row_text (page, 0, row), ==, path);
  switch (outcome)
    {
    case LOADED:
      {
        g_autofree char *contents = NULL;
        g_autofree char *size = NULL;
        gsize length;

        g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
        size = g_format_size (length);
        g_assert_cmpstr (row_text (page, 1, row), ==, size);
        g_assert_true (gtk_widget_has_css_class (state, "status-done"));
      }
      break;
    case FAILED:
      g_assert_cmpstr (row_text (page, 1, row), ==, "failed");
      g_assert_true (gtk_widget_has_css_class (state, "status-failed"));
      break;
    case CANCELLED:
      g_assert_cmpstr (row_text (page, 1, row), ==, "cancelled");
      g_assert_true (gtk_widget_has_css_class (state, "status-cancelled"));
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_sensitive (gpointer widget)
{
  return gtk_widget_get_sensitive (widget);
}

/* Clicks Load with the switches set so, checks that the loads started, and
 * waits until they are over. */
static gboolean
load (GtkWidget  *page,
      gboolean    fail,
      gboolean    supervised,
      GError    **error)
{
  GtkWidget *button = demo_get_child (page, "load_button");
  GtkLabel *summary = demo_get_child (page, "summary_label");

  gtk_switch_set_active (demo_get_child (page, "fail_switch"), fail);
  gtk_switch_set_active (demo_get_child (page, "supervisor_switch"), supervised);
  demo_click (button);
  if (!demo_wait_label (summary, "Loading the files in parallel…", error))
    return FALSE;
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_cmpstr (gtk_label_get_text (demo_get_child (page, "handler_label")), ==,
                   "Exception handler: not called");

  return demo_wait_until (is_sensitive, button, "the loads to end", error);
}

gboolean
demo_drive_parallel (GcoDemoWindow  *window,
                     GtkWidget      *page,
                     GError        **error)
{
  GtkLabel *summary = demo_get_child (page, "summary_label");
  GtkLabel *handler = demo_get_child (page, "handler_label");
  g_autofree char *total = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GFile) missing = g_file_new_for_path (MISSING);
  g_autoptr (GError) missing_error = NULL;
  g_autofree char *contents = NULL;
  gsize total_size = 0;

  /* The error the page should show, in the words of this locale. */
  g_assert_false (g_file_load_contents (missing, NULL, &contents, NULL, NULL, &missing_error));
  g_assert_error (missing_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  /* All files load. */
  if (!load (page, FALSE, FALSE, error))
    return FALSE;
  for (guint i = 0; i < N_FILES; i++)
    {
      GStatBuf buf;

      assert_row (page, i, paths[i], LOADED);
      g_assert_cmpint (g_stat (paths[i], &buf), ==, 0);
      total_size += buf.st_size;
    }
  total = g_format_size (total_size);
  expected = g_strdup_printf ("Loaded all 5 files, %s in all.", total);
  g_assert_cmpstr (gtk_label_get_text (summary), ==, expected);
  g_assert_cmpstr (gtk_label_get_text (handler), ==, "Exception handler: not called");

  /* A coroutine scope: the first failure cancels the siblings still running
   * and is returned; nothing reaches the exception handler. */
  if (!load (page, TRUE, FALSE, error))
    return FALSE;
  assert_row (page, 0, paths[0], LOADED);
  assert_row (page, 1, MISSING, FAILED);
  for (guint i = 2; i < N_FILES; i++)
    assert_row (page, i, paths[i], CANCELLED);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Failed: %s. The first failure cancelled the other loads.",
                              missing_error->message);
  g_assert_cmpstr (gtk_label_get_text (summary), ==, expected);
  g_assert_cmpstr (gtk_label_get_text (handler), ==, "Exception handler: not called");

  /* A supervisor scope: the siblings finish, the scope succeeds, and the
   * failure goes to the exception handler. */
  if (!load (page, TRUE, TRUE, error))
    return FALSE;
  total_size = 0;
  for (guint i = 0; i < N_FILES; i++)
    {
      GStatBuf buf;

      if (i == 1)
        {
          assert_row (page, i, MISSING, FAILED);
          continue;
        }
      assert_row (page, i, paths[i], LOADED);
      g_assert_cmpint (g_stat (paths[i], &buf), ==, 0);
      total_size += buf.st_size;
    }
  g_clear_pointer (&total, g_free);
  total = g_format_size (total_size);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Loaded 4 of 5 files, %s in all. The failure cancelled nothing "
                              "and went to the exception handler.", total);
  g_assert_cmpstr (gtk_label_get_text (summary), ==, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Exception handler: job “No-Such-License” failed: %s",
                              missing_error->message);
  g_assert_cmpstr (gtk_label_get_text (handler), ==, expected);

  return TRUE;
}
