/* test-scopes.c: the object, widget and application scopes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gco/gco-gtk.h>

#include "gco-test-utils.h"

#define FOREVER_MSEC (60 * 60 * 1000)
#define N_WIDGET_COROUTINES 1000
#define N_APP_COROUTINES 100

static gboolean have_display;

static gboolean
skip_without_display (void)
{
  if (!have_display)
    g_test_skip ("no display: gtk_init_check () failed");
  return !have_display;
}

static gboolean
never_runs_cb (gpointer user_data,
               GError **error)
{
  g_assert_not_reached ();
  return TRUE;
}

static void
assert_failed_scope (GcoScope *scope)
{
  GcoJob *job = gco_scope_get_job (scope);
  g_autoptr (GcoJob) launched = NULL;

  g_assert_nonnull (scope);
  g_assert_true (gco_job_is_completed (job));
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_error (gco_job_get_error (job), GCO_ERROR, GCO_ERROR_FAILED);
  g_assert_false (gco_scope_is_active (scope));

  /* Rule 8: launching there creates a job already cancelled; it never runs. */
  launched = gco_launch_job (scope, never_runs_cb, NULL, NULL);
  g_assert_true (gco_job_is_cancelled (launched));
  gco_launch (scope, never_runs_cb, NULL, NULL);
}

/* ---- the same instance ---- */

static void
test_same_instance (void)
{
  GtkWidget *label;
  GObject *object;
  gboolean label_finalized, object_finalized;

  if (skip_without_display ())
    return;

  label = g_object_ref_sink (gtk_label_new ("x"));
  object = g_object_new (G_TYPE_OBJECT, NULL);
  gco_test_watch_finalize (label, &label_finalized);
  gco_test_watch_finalize (object, &object_finalized);

  g_assert_true (gco_widget_get_scope (label) == gco_widget_get_scope (label));
  g_assert_true (gco_scope_is_active (gco_widget_get_scope (label)));
  g_assert_true (gco_job_is_supervisor (gco_scope_get_job (gco_widget_get_scope (label))));
  g_assert_true (gco_scope_get_dispatcher (gco_widget_get_scope (label)) ==
                 gco_dispatcher_get_main_immediate ());

  g_assert_true (gco_object_get_scope (object) == gco_object_get_scope (object));
  g_assert_true (gco_scope_is_active (gco_object_get_scope (object)));
  /* The object scope of a widget is a scope of its own. */
  g_assert_true (gco_object_get_scope (G_OBJECT (label)) != gco_widget_get_scope (label));

  /* Scopes are named after what owns them. */
  g_assert_cmpstr (gco_job_get_name (gco_scope_get_job (gco_widget_get_scope (label))), ==,
                   "widget-scope GtkLabel");
  g_assert_cmpstr (gco_job_get_name (gco_scope_get_job (gco_object_get_scope (object))), ==,
                   "object-scope GObject");
  {
    g_autoptr (GtkWidget) named = g_object_ref_sink (gtk_button_new ());

    gtk_widget_set_name (named, "ok");
    g_assert_cmpstr (gco_job_get_name (gco_scope_get_job (gco_widget_get_scope (named))), ==,
                     "widget-scope GtkButton “ok”");
  }

  /* Nothing runs in them: the last unref finalizes at once. */
  g_object_unref (label);
  g_assert_true (label_finalized);
  g_object_unref (object);
  g_assert_true (object_finalized);
}

/* ---- closing a window ---- */

typedef struct
{
  GtkLabel *label;            /* no reference: the scope keeps it alive */
  gboolean  label_finalized;
  guint     started;
  guint     cleanups;
  guint     cleanups_alive;   /* cleanups that found the label not finalized */
  guint     cleanups_usable;  /* ... and could still read it */
} WindowFixture;

static gboolean
widget_wait_cb (gpointer user_data,
                GError **error)
{
  WindowFixture *f = user_data;

  f->started++;
  if (gco_delay (FOREVER_MSEC, error))
    return TRUE;

  /* Cleanup: the window is gone, the label disposed but alive. */
  g_assert_error (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  f->cleanups++;
  if (!f->label_finalized)
    f->cleanups_alive++;
  if (g_strcmp0 (gtk_label_get_text (f->label), "busy") == 0)
    f->cleanups_usable++;
  return FALSE;
}

static void
test_window_destroy (void)
{
  WindowFixture f = { 0 };
  GtkWidget *window;
  GcoScope *scope;
  GcoJob *job;

  if (skip_without_display ())
    return;

  g_test_summary ("1,000 coroutines suspended in a widget's scope: destroying the window "
                  "cancels them, every cleanup runs while the widget is alive, and the "
                  "widget is finalized afterwards");

  window = gtk_window_new ();
  f.label = GTK_LABEL (gtk_label_new ("busy"));
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (f.label));
  gco_test_watch_finalize (f.label, &f.label_finalized);

  scope = gco_widget_get_scope (GTK_WIDGET (f.label));
  job = gco_job_ref (gco_scope_get_job (scope));
  for (guint i = 0; i < N_WIDGET_COROUTINES; i++)
    gco_launch (scope, widget_wait_cb, &f, NULL);
  /* Outside a main-loop iteration the immediate dispatcher queues them. */
  gco_test_drain (NULL);
  g_assert_cmpuint (f.started, ==, N_WIDGET_COROUTINES);

  gtk_window_destroy (GTK_WINDOW (window));

  /* Cancelled, not yet unwound: the label is disposed but kept alive. */
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_false (gco_job_is_completed (job));
  g_assert_false (f.label_finalized);
  g_assert_cmpuint (f.cleanups, ==, 0);

  gco_test_run_until (NULL, &f.label_finalized);

  g_assert_cmpuint (f.cleanups, ==, N_WIDGET_COROUTINES);
  g_assert_cmpuint (f.cleanups_alive, ==, N_WIDGET_COROUTINES);
  g_assert_cmpuint (f.cleanups_usable, ==, N_WIDGET_COROUTINES);
  g_assert_true (gco_job_is_completed (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gco_test_assert_finalize_job (job);
}

/* ---- failed scopes ---- */

static void
test_destroyed_widget (void)
{
  GtkWidget *label;
  GcoScope *scope, *after;
  gboolean finalized;
  g_autoptr (GcoJob) job = NULL;

  if (skip_without_display ())
    return;

  g_test_summary ("Once a widget is destroyed, its scope is a failed scope: a launch there "
                  "never runs");

  label = g_object_ref_sink (gtk_label_new ("x"));
  gco_test_watch_finalize (label, &finalized);
  scope = gco_widget_get_scope (label);
  job = gco_job_ref (gco_scope_get_job (scope));

  /* Destroyed while the test still holds a reference. */
  g_object_run_dispose (G_OBJECT (label));
  g_assert_true (gco_job_is_completed (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  after = gco_widget_get_scope (label);
  g_assert_true (after != scope);
  assert_failed_scope (after);
  g_assert_nonnull (strstr (gco_job_get_error (gco_scope_get_job (after))->message,
                            "already destroyed"));
  g_assert_true (gco_widget_get_scope (label) == after);

  g_object_unref (label);
  g_assert_true (finalized);
}

static void
destroy_asks_scope_cb (GtkWidget *widget,
                       gpointer   user_data)
{
  gboolean *asked = user_data;

  g_assert_true (gtk_widget_in_destruction (widget));
  assert_failed_scope (gco_widget_get_scope (widget));
  *asked = TRUE;
}

static void
test_widget_in_destruction (void)
{
  GtkWidget *label;
  gboolean finalized, asked = FALSE;

  if (skip_without_display ())
    return;

  g_test_summary ("A widget asked for its scope for the first time while it is being "
                  "destroyed answers a failed scope");

  label = g_object_ref_sink (gtk_label_new ("x"));
  gco_test_watch_finalize (label, &finalized);
  g_signal_connect (label, "destroy", G_CALLBACK (destroy_asks_scope_cb), &asked);

  g_object_unref (label);
  g_assert_true (asked);
  g_assert_true (finalized);
}

static gpointer
off_thread_cb (gpointer data)
{
  GcoScope *scope = gco_widget_get_scope (data);

  assert_failed_scope (scope);
  g_assert_nonnull (strstr (gco_job_get_error (gco_scope_get_job (scope))->message,
                            "off the main thread"));
  g_assert_true (gco_widget_get_scope (data) == scope);

  return scope;
}

static void
test_off_thread (void)
{
  GtkWidget *label;
  GcoScope *scope;
  GThread *thread;
  gboolean finalized;

  if (skip_without_display ())
    return;

  g_test_summary ("gco_widget_get_scope() off the main thread answers a failed scope and "
                  "leaves the widget alone");

  label = g_object_ref_sink (gtk_label_new ("x"));
  gco_test_watch_finalize (label, &finalized);

  thread = g_thread_new ("off-thread", off_thread_cb, label);
  scope = g_thread_join (thread);

  /* The widget itself was not touched: its own scope is still to be made. */
  g_assert_true (gco_widget_get_scope (label) != scope);
  g_assert_true (gco_scope_is_active (gco_widget_get_scope (label)));

  g_object_unref (label);
  g_assert_true (finalized);
}

/* ---- object scope ---- */

typedef struct
{
  GObject  *object;           /* no reference */
  gboolean  finalized;
  gboolean  cleaned_up;
  gboolean  object_usable;
} ObjectFixture;

static gboolean
object_cleanup_cb (gpointer user_data,
                   GError **error)
{
  ObjectFixture *f = user_data;

  /* Suspends while the object is being disposed. */
  if (!gco_delay (10, error))
    return FALSE;
  g_assert_false (f->finalized);
  f->object_usable = g_strcmp0 (g_object_get_data (f->object, "name"), "model") == 0;
  return TRUE;
}

static gboolean
object_wait_cb (gpointer user_data,
                GError **error)
{
  ObjectFixture *f = user_data;
  g_autoptr (GError) cleanup_error = NULL;

  if (gco_delay (FOREVER_MSEC, error))
    return TRUE;

  g_assert_true (gco_non_cancellable (object_cleanup_cb, f, &cleanup_error));
  g_assert_no_error (cleanup_error);
  f->cleaned_up = TRUE;
  return FALSE;
}

static void
test_object_dispose (void)
{
  ObjectFixture f = { 0 };
  GcoScope *scope;
  GcoJob *job;

  if (skip_without_display ())
    return;

  g_test_summary ("An object's scope is cancelled on its last unref; a cleanup that "
                  "suspends can still use the object, which is finalized afterwards");

  f.object = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data_full (f.object, "name", g_strdup ("model"), g_free);
  gco_test_watch_finalize (f.object, &f.finalized);

  scope = gco_object_get_scope (f.object);
  job = gco_job_ref (gco_scope_get_job (scope));
  gco_launch (scope, object_wait_cb, &f, NULL);

  g_object_unref (f.object);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_false (gco_job_is_completed (job));
  g_assert_false (f.finalized);
  /* The cancelled scope refuses new work. */
  gco_launch (scope, never_runs_cb, NULL, NULL);

  gco_test_run_until (NULL, &f.finalized);
  g_assert_true (f.cleaned_up);
  g_assert_true (f.object_usable);
  g_assert_true (gco_job_is_completed (job));
  gco_test_assert_finalize_job (job);
}

/* ---- application scope ---- */

typedef struct
{
  GApplication *app;
  guint         started;
  guint         unwound;
  gboolean      run_returned;
} AppFixture;

static gboolean
app_unwind_cb (gpointer user_data,
               GError **error)
{
  AppFixture *f = user_data;

  if (!gco_delay (5, error))
    return FALSE;
  g_assert_false (f->run_returned);
  f->unwound++;
  return TRUE;
}

static gboolean
app_wait_cb (gpointer user_data,
             GError **error)
{
  AppFixture *f = user_data;

  f->started++;
  if (gco_delay (FOREVER_MSEC, error))
    return TRUE;

  g_assert_true (gco_non_cancellable (app_unwind_cb, f, NULL));
  return FALSE;
}

static gboolean
app_quit_cb (gpointer user_data,
             GError **error)
{
  AppFixture *f = user_data;

  if (!gco_yield (error))
    return FALSE;
  g_application_quit (f->app);
  return TRUE;
}

static void
app_activate_cb (GApplication *app,
                 gpointer      user_data)
{
  AppFixture *f = user_data;
  GcoScope *scope = gco_application_get_scope (app);

  g_application_hold (app);
  for (guint i = 0; i < N_APP_COROUTINES; i++)
    gco_launch (scope, app_wait_cb, f, NULL);
  gco_launch (scope, app_quit_cb, f, NULL);
}

static void
test_application_shutdown (void)
{
  AppFixture f = { 0 };
  gboolean finalized;
  GcoJob *job;
  int status;

  if (skip_without_display ())
    return;

  g_test_summary ("An application's scope is cancelled on shutdown, and its coroutines "
                  "unwind before g_application_run() returns");

  f.app = g_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  gco_test_watch_finalize (f.app, &finalized);
  g_assert_true (gco_application_get_scope (f.app) == gco_application_get_scope (f.app));
  job = gco_job_ref (gco_scope_get_job (gco_application_get_scope (f.app)));
  /* Without an application ID the scope is named after the type. */
  g_assert_cmpstr (gco_job_get_name (job), ==, "application-scope GApplication");
  g_signal_connect (f.app, "activate", G_CALLBACK (app_activate_cb), &f);

  status = g_application_run (f.app, 0, NULL);
  f.run_returned = TRUE;

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (f.started, ==, N_APP_COROUTINES);
  g_assert_cmpuint (f.unwound, ==, N_APP_COROUTINES);
  g_assert_true (gco_job_is_completed (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_application_release (f.app);
  g_object_unref (f.app);
  g_assert_true (finalized);
  gco_test_assert_finalize_job (job);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/GcoGtk/Scope/same-instance", test_same_instance);
  g_test_add_func ("/GcoGtk/Scope/widget/window-destroy", test_window_destroy);
  g_test_add_func ("/GcoGtk/Scope/widget/destroyed", test_destroyed_widget);
  g_test_add_func ("/GcoGtk/Scope/widget/in-destruction", test_widget_in_destruction);
  g_test_add_func ("/GcoGtk/Scope/widget/off-thread", test_off_thread);
  g_test_add_func ("/GcoGtk/Scope/object/dispose", test_object_dispose);
  g_test_add_func ("/GcoGtk/Scope/application/shutdown", test_application_shutdown);

  return g_test_run ();
}
