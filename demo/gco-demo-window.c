/* gco-demo-window.c: the demo's window — a sidebar and one page per sample.
 *
 * Every sample is an ordinary widget; each launches its coroutines in its own
 * widget scope (gco_widget_get_scope()), so closing this window cancels every
 * job of every page, and nothing in this file has to know about them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-samples.h"
#include "gco-demo-window.h"

struct _GcoDemoWindow
{
  GtkApplicationWindow  parent_instance;

  GtkStack             *stack;
};

G_DEFINE_FINAL_TYPE (GcoDemoWindow, gco_demo_window, GTK_TYPE_APPLICATION_WINDOW)

typedef struct {
  const char *name;
  const char *title;
  GType     (*get_type) (void);
} Sample;

/* The pages, in sidebar order. */
static const Sample samples[] = {
  { "download", "Download cards",     gco_demo_download_get_type },
  { "search",   "Search as you type", gco_demo_search_get_type },
  { "parallel", "Parallel loading",   gco_demo_parallel_get_type },
  { "dialog",   "Dialog flow",        gco_demo_dialog_get_type },
  { "ticker",   "Ticker",             gco_demo_ticker_get_type },
  { "stress",   "Stress",             gco_demo_stress_get_type },
  { "jobs",     "Live jobs",          gco_demo_jobs_get_type },
};

static void
gco_demo_window_class_init (GcoDemoWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoWindow, stack);
}

static void
gco_demo_window_init (GcoDemoWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      GtkWidget *page = g_object_new (samples[i].get_type (), NULL);

      gtk_widget_set_name (page, samples[i].name);
      gtk_stack_add_titled (self->stack, page, samples[i].name, samples[i].title);
    }
}

/**
 * gco_demo_window_new:
 * @application: the application
 *
 * Returns: (transfer none): a new window of @application, showing the first page
 */
GcoDemoWindow *
gco_demo_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (GCO_DEMO_TYPE_WINDOW, "application", application, NULL);
}

/**
 * gco_demo_window_get_page:
 * @self: a window
 * @name: a page name from gco_demo_window_list_pages()
 *
 * Returns: (transfer none) (nullable): the sample widget of the page @name
 */
GtkWidget *
gco_demo_window_get_page (GcoDemoWindow *self,
                          const char    *name)
{
  g_return_val_if_fail (GCO_DEMO_IS_WINDOW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return gtk_stack_get_child_by_name (self->stack, name);
}

/**
 * gco_demo_window_show_page:
 * @self: a window
 * @name: a page name from gco_demo_window_list_pages()
 *
 * Shows the page @name.
 *
 * Returns: %FALSE if there is no such page
 */
gboolean
gco_demo_window_show_page (GcoDemoWindow *self,
                           const char    *name)
{
  g_return_val_if_fail (GCO_DEMO_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (gtk_stack_get_child_by_name (self->stack, name) == NULL)
    return FALSE;

  gtk_stack_set_visible_child_name (self->stack, name);
  return TRUE;
}

/**
 * gco_demo_window_list_pages:
 *
 * Returns: (transfer none): the names of the pages, in order, %NULL-terminated
 */
const char * const *
gco_demo_window_list_pages (void)
{
  static const char *names[G_N_ELEMENTS (samples) + 1];

  if (names[0] == NULL)
    for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
      names[i] = samples[i].name;

  return names;
}
