/* gco-demo-application.c: the demo's GtkApplication.
 *
 * It opens one window (see gco-demo-window.c). "Quit" destroys the windows,
 * which cancels the scopes of every widget in them: jobs still running stop
 * at their next suspension and the application exits when they are gone.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib-unix.h>

#include "gco-demo-application.h"
#include "gco-demo-window.h"

struct _GcoDemoApplication
{
  GtkApplication  parent_instance;

  char           *initial_page;  /* --page */
  guint           sigint_id;
  guint           sigterm_id;
};

G_DEFINE_FINAL_TYPE (GcoDemoApplication, gco_demo_application, GTK_TYPE_APPLICATION)

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *application = user_data;
  GList *windows;

  /* Destroying a window cancels its widgets' scopes; the application quits
   * when its last window is gone. */
  while ((windows = gtk_application_get_windows (application)) != NULL)
    gtk_window_destroy (windows->data);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *application = user_data;
  static const char *authors[] = { "The gco developers", NULL };

  gtk_show_about_dialog (gtk_application_get_active_window (application),
                         "program-name", "gco demo",
                         "logo-icon-name", GCO_DEMO_APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", "Structured concurrency for GLib and GTK 4: "
                                     "coroutines that belong to widgets",
                         "license-type", GTK_LICENSE_LGPL_2_1,
                         "authors", authors,
                         NULL);
}

/* SIGINT (Ctrl+C in a terminal) and SIGTERM quit like the Quit item, so the
 * pages clean up (the dialog sample removes its temporary files). */
static gboolean
quit_on_signal_cb (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_actions[] = {
  { .name = "quit",  .activate = quit_activated },
  { .name = "about", .activate = about_activated },
};

static void
gco_demo_application_startup (GApplication *application)
{
  GcoDemoApplication *self = GCO_DEMO_APPLICATION (application);
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (gco_demo_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);

  self->sigint_id = g_unix_signal_add (SIGINT, quit_on_signal_cb, application);
  self->sigterm_id = g_unix_signal_add (SIGTERM, quit_on_signal_cb, application);

  gtk_css_provider_load_from_resource (css, "/io/github/gco/Demo/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
gco_demo_application_shutdown (GApplication *application)
{
  GcoDemoApplication *self = GCO_DEMO_APPLICATION (application);

  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);

  G_APPLICATION_CLASS (gco_demo_application_parent_class)->shutdown (application);
}

static void
gco_demo_application_activate (GApplication *application)
{
  GcoDemoApplication *self = GCO_DEMO_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (gco_demo_window_new (GTK_APPLICATION (application)));

  if (self->initial_page != NULL)
    gco_demo_window_show_page (GCO_DEMO_WINDOW (window), self->initial_page);

  gtk_window_present (window);
}

static int
gco_demo_application_handle_local_options (GApplication *application,
                                           GVariantDict *options)
{
  GcoDemoApplication *self = GCO_DEMO_APPLICATION (application);
  const char *page = NULL;

  if (g_variant_dict_contains (options, "list-pages"))
    {
      const char * const *names = gco_demo_window_list_pages ();

      for (gsize i = 0; names[i] != NULL; i++)
        g_print ("%s\n", names[i]);
      return EXIT_SUCCESS;
    }

  if (g_variant_dict_lookup (options, "page", "&s", &page))
    {
      if (!g_strv_contains (gco_demo_window_list_pages (), page))
        {
          g_printerr ("gco-demo: no page named “%s” (see --list-pages)\n", page);
          return EXIT_FAILURE;
        }
      g_free (self->initial_page);
      self->initial_page = g_strdup (page);
    }

  return -1;  /* go on */
}

static void
gco_demo_application_finalize (GObject *object)
{
  GcoDemoApplication *self = GCO_DEMO_APPLICATION (object);

  g_free (self->initial_page);

  G_OBJECT_CLASS (gco_demo_application_parent_class)->finalize (object);
}

static void
gco_demo_application_class_init (GcoDemoApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = gco_demo_application_finalize;
  application_class->startup = gco_demo_application_startup;
  application_class->activate = gco_demo_application_activate;
  application_class->shutdown = gco_demo_application_shutdown;
  application_class->handle_local_options = gco_demo_application_handle_local_options;
}

static void
gco_demo_application_init (GcoDemoApplication *self)
{
  static const GOptionEntry entries[] = {
    { "page", 0, 0, G_OPTION_ARG_STRING, NULL, "Open the page NAME", "NAME" },
    { "list-pages", 0, 0, G_OPTION_ARG_NONE, NULL, "Print the page names and exit", NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

/**
 * gco_demo_application_new:
 * @flags: application flags (the demo uses %G_APPLICATION_DEFAULT_FLAGS; the
 *   tests add %G_APPLICATION_NON_UNIQUE)
 *
 * Returns: (transfer full): a new demo application
 */
GcoDemoApplication *
gco_demo_application_new (GApplicationFlags flags)
{
  return g_object_new (GCO_DEMO_TYPE_APPLICATION,
                       "application-id", GCO_DEMO_APPLICATION_ID,
                       "flags", flags,
                       "resource-base-path", "/io/github/gco/Demo",
                       NULL);
}
