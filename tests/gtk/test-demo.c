/* test-demo.c: the demo application's smoke test
 *
 * For each sample, the demo application runs (non-unique, under Xvfb in CI),
 * shows the sample's page and launches the sample's driver (demo/drive-*.c) in
 * the application's scope. The driver activates the page's widgets and checks
 * each outcome. Then the test checks that no job of the page is left, quits the
 * application with its "quit" action, and checks that the window, its pages
 * and the application were all finalized. G_DEBUG=fatal-warnings turns any
 * warning or critical into a failure.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gco/gco-gtk.h>

#include "gco-demo-application.h"
#include "gco-test-utils.h"
#include "demo/demo-test.h"

#define WAIT_LIMIT_MSEC (60 * 1000)
#define POLL_MSEC 5

static gboolean have_display;

typedef struct {
  const char    *name;
  const char    *page;
  DemoDriveFunc  drive;
  gboolean       quit_busy;  /* quit while the driver's jobs still run */
} DemoCase;

static gboolean drive_quit_busy (GcoDemoWindow *window, GtkWidget *page, GError **error);

static const DemoCase cases[] = {
  { "download",   "download", demo_drive_download, FALSE },
  { "search",     "search",   demo_drive_search,   FALSE },
  { "parallel",   "parallel", demo_drive_parallel, FALSE },
  { "dialog",     "dialog",   demo_drive_dialog,   FALSE },
  { "ticker",     "ticker",   demo_drive_ticker,   FALSE },
  { "stress",     "stress",   demo_drive_stress,   FALSE },
  { "jobs",       "jobs",     demo_drive_jobs,     FALSE },
  { "quit-busy",  "download", drive_quit_busy,     TRUE },
};

/* The dialog page's temporary directory, seen by drive_quit_busy(). */
static char *quit_busy_dir;

/* ---- helpers for the drivers (demo-test.h) ---- */

gpointer
demo_get_child (gpointer    widget,
                const char *id)
{
  GObject *child;

  g_assert_true (GTK_IS_WIDGET (widget));
  child = gtk_widget_get_template_child (widget, G_OBJECT_TYPE (widget), id);
  if (child == NULL)
    g_error ("%s has no template child “%s”", G_OBJECT_TYPE_NAME (widget), id);

  return child;
}

gpointer
demo_find_child (gpointer widget,
                 GType    type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gpointer found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      found = demo_find_child (child, type);
      if (found != NULL)
        return found;
    }

  return NULL;
}

void
demo_click (gpointer widget)
{
  g_assert_true (GTK_IS_WIDGET (widget));
  g_assert_true (gtk_widget_is_sensitive (widget));
  g_assert_true (gtk_widget_get_visible (widget));

  /* An activated GtkButton shows itself pressed and emits ::clicked 250 ms
   * later, from a timeout; a click emits it at once. */
  if (GTK_IS_BUTTON (widget))
    g_signal_emit_by_name (widget, "clicked");
  else
    g_assert_true (gtk_widget_activate (widget));
}

gboolean
demo_wait_until (DemoCondition  condition,
                 gpointer       data,
                 const char    *what,
                 GError       **error)
{
  for (guint waited = 0; !condition (data); waited += POLL_MSEC)
    {
      if (waited >= WAIT_LIMIT_MSEC)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "Still waiting for %s after %u s", what, WAIT_LIMIT_MSEC / 1000);
          return FALSE;
        }
      if (!gco_delay (POLL_MSEC, error))
        return FALSE;
    }

  return TRUE;
}

typedef struct {
  GtkLabel   *label;
  const char *text;
  gboolean    prefix;
} LabelWait;

static gboolean
label_matches (gpointer data)
{
  LabelWait *wait = data;
  const char *text = gtk_label_get_text (wait->label);

  return wait->prefix ? g_str_has_prefix (text, wait->text) : g_str_equal (text, wait->text);
}

static gboolean
wait_label (gpointer     label,
            const char  *text,
            gboolean     prefix,
            GError     **error)
{
  LabelWait wait = { label, text, prefix };
  g_autofree char *what = NULL;

  g_assert_true (GTK_IS_LABEL (label));
  what = g_strdup_printf ("label “%s” to %s “%s”", gtk_widget_get_name (label),
                          prefix ? "start with" : "read", text);
  if (demo_wait_until (label_matches, &wait, what, error))
    return TRUE;

  g_prefix_error (error, "(it reads “%s”) ", gtk_label_get_text (label));
  return FALSE;
}

gboolean
demo_wait_label (gpointer     label,
                 const char  *text,
                 GError     **error)
{
  return wait_label (label, text, FALSE, error);
}

gboolean
demo_wait_label_prefix (gpointer     label,
                        const char  *prefix,
                        GError     **error)
{
  return wait_label (label, prefix, TRUE, error);
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

gboolean
demo_wait_mapped (gpointer   widget,
                  GError   **error)
{
  return demo_wait_until (is_mapped, widget, G_OBJECT_TYPE_NAME (widget), error);
}

static guint
count_subtree (GcoJob *job,
               GcoJob *skip)
{
  g_autoptr (GPtrArray) children = gco_job_get_children (job);
  guint n = 0;

  for (guint i = 0; i < children->len; i++)
    {
      GcoJob *child = children->pdata[i];

      if (child == skip)
        continue;
      n += 1 + count_subtree (child, skip);
    }

  return n;
}

guint
demo_count_live_jobs (void)
{
  g_autoptr (GPtrArray) roots = gco_job_list_roots ();
  GcoJob *self = gco_in_coroutine () ? gco_job_get_current () : NULL;
  guint n = 0;

  /* The caller's own job and its ancestors are not counted; its ancestors are
   * on the path, so skipping the caller itself is enough for its siblings to
   * still count. */
  for (guint i = 0; i < roots->len; i++)
    n += count_subtree (roots->pdata[i], self);

  if (self != NULL)
    for (GcoJob *iter = gco_job_get_parent (self); iter != NULL; iter = gco_job_get_parent (iter))
      if (gco_job_get_parent (iter) != NULL)
        n--;

  return n;
}

/* ---- the test ---- */

typedef struct {
  const DemoCase *demo_case;
  GcoDemoWindow  *window;   /* no reference */
  GError         *error;
  gboolean        driven;
  gboolean        window_finalized;
  guint           n_pages;
  guint           n_pages_finalized;
  gboolean        pages_finalized;
} Run;

static gboolean
is_confirm_open (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (GCO_DEMO_IS_CONFIRM (window))
        return TRUE;
    }

  return FALSE;
}

/* Work on three pages at once — a download, a stress run, a confirmation
 * window awaited — then the harness quits at once: everything must be
 * cancelled, unwound and finalized, and the dialog page's files removed. */
static gboolean
drive_quit_busy (GcoDemoWindow  *window,
                 GtkWidget      *page,
                 GError        **error)
{
  GtkWidget *card = demo_find_child (page, GCO_DEMO_TYPE_DOWNLOAD_CARD);
  GtkWidget *stress = gco_demo_window_get_page (window, "stress");
  GtkWidget *dialog = gco_demo_window_get_page (window, "dialog");

  g_assert_nonnull (card);
  demo_click (demo_get_child (card, "start_button"));
  if (!demo_wait_label_prefix (demo_get_child (card, "status_label"), "Downloading", error))
    return FALSE;

  g_assert_true (gco_demo_window_show_page (window, "stress"));
  if (!demo_wait_mapped (stress, error))
    return FALSE;
  gtk_spin_button_set_value (demo_get_child (stress, "count_spin"), 10000);
  demo_click (demo_get_child (stress, "launch_button"));

  g_assert_true (gco_demo_window_show_page (window, "dialog"));
  if (!demo_wait_mapped (dialog, error) ||
      !demo_wait_label (demo_get_child (dialog, "status_label"), "Files ready", error))
    return FALSE;
  g_free (quit_busy_dir);
  quit_busy_dir = g_strdup (gtk_label_get_text (demo_get_child (dialog, "dir_label")));
  g_assert_true (g_file_test (quit_busy_dir, G_FILE_TEST_IS_DIR));
  demo_click (demo_get_child (dialog, "delete_button"));
  if (!demo_wait_until (is_confirm_open, NULL, "the confirmation window", error))
    return FALSE;

  g_assert_cmpuint (demo_count_live_jobs (), >, 3);
  return TRUE;
}

static gboolean
no_live_jobs (gpointer data)
{
  return demo_count_live_jobs () == 0;
}

static gboolean
drive_cb (gpointer   user_data,
          GError   **error)
{
  Run *run = user_data;
  GtkWidget *page;

  page = gco_demo_window_get_page (run->window, run->demo_case->page);
  g_assert_nonnull (page);
  if (!demo_wait_mapped (page, error))
    return FALSE;

  if (!run->demo_case->drive (run->window, page, error))
    return FALSE;

  /* Every job the driver started is over: the page left nothing behind. */
  if (!run->demo_case->quit_busy &&
      !demo_wait_until (no_live_jobs, NULL, "the live jobs to end", error))
    return FALSE;

  run->driven = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "quit", NULL);
  return TRUE;
}

/* The driver failed: keep the error for the test to report, and quit. */
static void
driver_failed_cb (GcoJob       *job,
                  const GError *error,
                  gpointer      user_data)
{
  Run *run = user_data;

  if (run->error == NULL)
    run->error = g_error_copy (error);
  g_action_group_activate_action (G_ACTION_GROUP (g_application_get_default ()), "quit", NULL);
}

static void
page_finalized_cb (gpointer data)
{
  Run *run = data;

  run->pages_finalized = ++run->n_pages_finalized == run->n_pages;
}

static void
activate_cb (GApplication *application,
             gpointer      user_data)
{
  Run *run = user_data;
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  GcoScope *scope = gco_application_get_scope (application);

  run->window = GCO_DEMO_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (application)));
  g_assert_nonnull (run->window);
  g_assert_true (gco_demo_window_show_page (run->window, run->demo_case->page));
  gco_test_watch_finalize (run->window, &run->window_finalized);
  for (const char * const *name = gco_demo_window_list_pages (); *name != NULL; name++)
    {
      run->n_pages++;
      g_object_set_data_full (G_OBJECT (gco_demo_window_get_page (run->window, *name)),
                              "test-demo-finalized", run, page_finalized_cb);
    }

  options.name = "demo-driver";
  gco_scope_set_exception_handler (scope, driver_failed_cb, run, NULL);
  gco_job_unref (gco_launch_full (scope, &options, drive_cb, run, NULL));
}

static void
test_sample (gconstpointer data)
{
  Run run = { data, NULL, NULL, FALSE, FALSE, 0, 0, FALSE };
  GcoDemoApplication *application;
  char *argv[] = { (char *) "test-demo", NULL };
  int status;

  if (!have_display)
    {
      g_test_skip ("no display: gtk_init_check () failed");
      return;
    }

  application = gco_demo_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (application, "activate", G_CALLBACK (activate_cb), &run);

  status = g_application_run (G_APPLICATION (application), 1, argv);
  g_assert_no_error (run.error);
  g_assert_cmpint (status, ==, 0);

  if (!run.driven)
    return;  /* the driver skipped */

  /* Quitting destroyed the window: its pages' scopes were cancelled, and
   * once their coroutines have unwound, everything goes. */
  gco_test_run_until (NULL, &run.pages_finalized);
  gco_test_run_until (NULL, &run.window_finalized);
  g_assert_cmpuint (demo_count_live_jobs (), ==, 0);
  g_assert_finalize_object (application);

  if (run.demo_case->quit_busy)
    {
      g_assert_false (g_file_test (quit_busy_dir, G_FILE_TEST_EXISTS));
      g_clear_pointer (&quit_busy_dir, g_free);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Demo/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_sample);
    }

  return g_test_run ();
}
