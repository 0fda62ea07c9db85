/* drive-jobs.c: the Live jobs page lists the jobs launched elsewhere, under
 * their scope, with their state as it changes, drops them once they end, and
 * never lists its own refresh job.
 *
 * The driver is a job itself (demo-driver, in the application's scope): the
 * page lists it too, so "1 live job in 1 scope" is the quietest it can read.
 * The driver launches a job into the Download page's scope; that job starts a
 * child and returns, so it waits for its child. Cancelled, the child takes
 * its time to clean up (until the driver lets it go), so the page can be seen
 * showing both jobs cancelling before they disappear.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "demo-test.h"

typedef struct {
  const char *name;
  const char *state;
  GcoJob     *job;
} ExpectedRow;

typedef struct {
  GListModel        *rows;
  GcoJob            *hidden;    /* the page's scope: its only job is the refresh loop */
  const ExpectedRow *expected;
  guint              n_expected;
} Expectation;

static gboolean
is_released (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
clean_up_cb (gpointer   user_data,
             GError   **error)
{
  return demo_wait_until (is_released, user_data, "the driver to release the child", error);
}

/* Waits until cancelled, then cleans up until the driver releases it. */
static gboolean
child_cb (gpointer   user_data,
          GError   **error)
{
  if (gco_await_cancellation (error))
    g_assert_not_reached ();

  g_assert_true (gco_non_cancellable (clean_up_cb, user_data, NULL));
  return FALSE;
}

/* Starts the child and returns: this job then waits for its child. */
static gboolean
parent_cb (gpointer   user_data,
           GError   **error)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;

  options.name = "jobs-test-child";
  gco_job_unref (gco_launch_full (gco_scope_get_current (), &options, child_cb, user_data, NULL));

  return TRUE;
}

static int
row_indent (GObject *row)
{
  int indent;

  g_object_get (row, "indent", &indent, NULL);
  return indent;
}

/* Checked on every look at the list: the rows form the tree of jobs (each
 * row below the row of its parent, indented more) and the page's refresh
 * job is never among them, nor its scope. */
static void
assert_tree (Expectation *expect)
{
  guint n = g_list_model_get_n_items (expect->rows);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) row = g_list_model_get_item (expect->rows, i);
      g_autoptr (GcoJob) job = NULL;
      GcoJob *parent;
      int indent = row_indent (row);

      g_object_get (row, "job", &job, NULL);
      g_assert_true (job != expect->hidden);
      /* A "… and N more" row, or a job that ended since the last refresh
       * (it has no parent any more). */
      if (job == NULL || gco_job_is_completed (job))
        continue;

      parent = gco_job_get_parent (job);
      g_assert_true (parent != expect->hidden);
      if (parent == NULL)
        {
          g_assert_cmpint (indent, ==, 0);
          continue;
        }

      /* The nearest row above that is indented less is the parent's. */
      for (guint j = i; j-- > 0;)
        {
          g_autoptr (GObject) above = g_list_model_get_item (expect->rows, j);
          g_autoptr (GcoJob) above_job = NULL;

          if (row_indent (above) >= indent)
            continue;
          g_object_get (above, "job", &above_job, NULL);
          g_assert_true (above_job == parent);
          break;
        }
    }
}

static gboolean
row_is (GObject           *row,
        const ExpectedRow *expected)
{
  g_autoptr (GcoJob) job = NULL;
  g_autofree char *name = NULL;
  g_autofree char *state = NULL;

  g_object_get (row, "job", &job, "name", &name, "state", &state, NULL);

  return job == expected->job &&
         g_str_equal (name, expected->name) &&
         g_str_equal (state, expected->state);
}

/* Whether the list shows exactly the expected rows, in any order. */
static gboolean
shows_expected (gpointer data)
{
  Expectation *expect = data;
  guint n = g_list_model_get_n_items (expect->rows);

  assert_tree (expect);
  if (n != expect->n_expected)
    return FALSE;

  for (guint k = 0; k < expect->n_expected; k++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < n && !found; i++)
        {
          g_autoptr (GObject) row = g_list_model_get_item (expect->rows, i);

          found = row_is (row, &expect->expected[k]);
        }
      if (!found)
        return FALSE;
    }

  return TRUE;
}

static gboolean
wait_rows (Expectation       *expect,
           const ExpectedRow *expected,
           guint              n_expected,
           const char        *what,
           GError           **error)
{
  expect->expected = expected;
  expect->n_expected = n_expected;

  return demo_wait_until (shows_expected, expect, what, error);
}

static gboolean
has_child (gpointer job)
{
  return gco_job_get_n_children (job) == 1;
}

static gboolean
has_no_jobs (gpointer widget)
{
  return gco_job_get_n_children (gco_scope_get_job (gco_widget_get_scope (widget))) == 0;
}

gboolean
demo_drive_jobs (GcoDemoWindow  *window,
                 GtkWidget      *page,
                 GError        **error)
{
  GtkLabel *count = demo_get_child (page, "count_label");
  GtkLabel *idle = demo_get_child (page, "idle_label");
  GtkColumnView *view = demo_get_child (page, "jobs_view");
  GtkWidget *download = gco_demo_window_get_page (window, "download");
  GcoJob *app_scope = gco_scope_get_job (gco_application_get_scope (g_application_get_default ()));
  GcoJob *download_scope = gco_scope_get_job (gco_widget_get_scope (download));
  GcoJob *driver = gco_job_get_current ();
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Expectation expect = { NULL, };
  g_autoptr (GcoJob) parent = NULL;
  gboolean released = FALSE;

  expect.rows = G_LIST_MODEL (gtk_column_view_get_model (view));
  expect.hidden = gco_scope_get_job (gco_widget_get_scope (page));

  /* At first only the driver runs. The page's own scope, whose only job is
   * the refresh loop, counts as idle. */
  {
    const ExpectedRow rows[] = {
      { "application-scope io.github.gco.Demo", "active", app_scope },
      { "demo-driver",       "active", driver },
    };

    if (!wait_rows (&expect, rows, G_N_ELEMENTS (rows), "the driver's row", error))
      return FALSE;
    if (!demo_wait_label (count, "1 live job in 1 scope", error))
      return FALSE;
    g_assert_true (g_str_has_suffix (gtk_label_get_text (idle), " not shown"));
  }

  /* A job in another page's scope shows up under that scope, waiting for
   * its child. */
  options.name = "jobs-test-parent";
  parent = gco_launch_full (gco_widget_get_scope (download), &options, parent_cb, &released, NULL);
  if (!demo_wait_until (has_child, parent, "the test job to start its child", error))
    return FALSE;
  {
    g_autoptr (GPtrArray) children = gco_job_get_children (parent);
    GcoJob *child = children->pdata[0];
    {
      const ExpectedRow rows[] = {
        { "application-scope io.github.gco.Demo", "active",               app_scope },
        { "demo-driver",       "active",               driver },
        { "widget-scope GcoDemoDownload “download”", "active",               download_scope },
        { "jobs-test-parent",  "waiting for children", parent },
        { "jobs-test-child",   "active",               child },
      };

      if (!wait_rows (&expect, rows, G_N_ELEMENTS (rows), "the test jobs' rows", error))
        return FALSE;
      if (!demo_wait_label (count, "3 live jobs in 2 scopes", error))
        return FALSE;
    }

    /* Cancelled: both rows say so while the child cleans up. */
    gco_job_cancel (parent);
    {
      const ExpectedRow rows[] = {
        { "application-scope io.github.gco.Demo", "active",     app_scope },
        { "demo-driver",       "active",     driver },
        { "widget-scope GcoDemoDownload “download”", "active",     download_scope },
        { "jobs-test-parent",  "cancelling", parent },
        { "jobs-test-child",   "cancelling", child },
      };

      if (!wait_rows (&expect, rows, G_N_ELEMENTS (rows), "the test jobs to be cancelling", error))
        return FALSE;
      g_assert_cmpstr (gtk_label_get_text (count), ==, "3 live jobs in 2 scopes");
    }
  }

  /* Done cleaning up: both rows go, and the Download page's scope with them. */
  released = TRUE;
  {
    const ExpectedRow rows[] = {
      { "application-scope io.github.gco.Demo", "active", app_scope },
      { "demo-driver",       "active", driver },
    };

    if (!wait_rows (&expect, rows, G_N_ELEMENTS (rows), "the test jobs' rows to go", error))
      return FALSE;
    if (!demo_wait_label (count, "1 live job in 1 scope", error))
      return FALSE;
  }
  g_assert_true (gco_job_is_cancelled (parent) && gco_job_is_completed (parent));

  /* Leave the page, so that its refresh loop ends. */
  g_assert_true (gco_demo_window_show_page (window, "download"));
  if (!demo_wait_until (has_no_jobs, page, "the page's refresh job to end", error))
    return FALSE;

  return TRUE;
}
