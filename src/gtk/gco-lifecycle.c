/* gco-lifecycle.c: launches tied to a widget's lifecycle: replacing the
 * previous launch of the same key, and running while mapped
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The widget's qdata holds a table key -> the job last launched with that
 * key (a reference); a job's completion handler drops its entry unless a
 * newer job took the key.
 */

#include <gco/gco-gtk.h>

typedef struct
{
  GWeakRef  widget;
  char     *key;
} ReplacingEntry;

static GQuark
replacing_quark (void)
{
  return g_quark_from_static_string ("gco-widget-replacing-jobs");
}

static void
replacing_entry_free (gpointer data)
{
  ReplacingEntry *entry = data;

  g_weak_ref_clear (&entry->widget);
  g_free (entry->key);
  g_free (entry);
}

/* Drops the job from its widget's table, unless a newer one took its key. */
static void
replacing_job_completed_cb (GcoJob       *job,
                            const GError *error,
                            gpointer      user_data)
{
  ReplacingEntry *entry = user_data;
  g_autoptr (GObject) widget = g_weak_ref_get (&entry->widget);
  GHashTable *jobs;

  if (widget == NULL)
    return;
  jobs = g_object_get_qdata (widget, replacing_quark ());
  if (jobs != NULL && g_hash_table_lookup (jobs, entry->key) == job)
    g_hash_table_remove (jobs, entry->key);
}

/**
 * gco_widget_launch_replacing:
 * @widget: a widget
 * @key: what the job is for; a launch with the same key replaces it
 * @func: (scope notified): the coroutine's body
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data when the coroutine completes
 *
 * Cancels the job launched with @key on @widget by the previous call, if it
 * is still running, then launches @func in [func@GcoGtk.widget_get_scope]:
 * search-as-you-type, kotlinx's `collectLatest`, SwiftUI's `.task(id:)`. The
 * previous job is only cancelled, not awaited: it unwinds while the new one
 * starts. Call it on the main thread.
 *
 * |[<!-- language="C" -->
 * static void
 * search_changed_cb (GtkSearchEntry *entry, gpointer user_data)
 * {
 *   g_autoptr (GcoJob) job =
 *     gco_widget_launch_replacing (GTK_WIDGET (entry), "search", search_cb,
 *                                  g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))),
 *                                  g_free);
 * }
 * ]|
 *
 * Returns: (transfer full): the new job
 *
 * Since: 0.1
 */
GcoJob *
gco_widget_launch_replacing (GtkWidget      *widget,
                             const char     *key,
                             GcoFunc         func,
                             gpointer        user_data,
                             GDestroyNotify  destroy)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return gco_widget_launch_replacing_full (widget, key, NULL, func, user_data, destroy);
}

/**
 * gco_widget_launch_replacing_full:
 * @widget: a widget
 * @key: what the job is for; a launch with the same key replaces it
 * @options: (nullable): how to launch (a name for the job, …), as for
 *   [func@Gco.launch_full]; its scope is always @widget's
 * @func: (scope notified): the coroutine's body
 * @user_data: data for @func
 * @destroy: (nullable): releases @user_data when the coroutine completes
 *
 * [func@GcoGtk.widget_launch_replacing] with launch options.
 *
 * Returns: (transfer full): the new job
 *
 * Since: 0.1
 */
GcoJob *
gco_widget_launch_replacing_full (GtkWidget              *widget,
                                  const char             *key,
                                  const GcoLaunchOptions *options,
                                  GcoFunc                 func,
                                  gpointer                user_data,
                                  GDestroyNotify          destroy)
{
  GcoScope *scope;
  GHashTable *jobs;
  GcoJob *previous, *job;
  ReplacingEntry *entry;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  scope = gco_widget_get_scope (widget);

  /* A failed scope (a destroyed widget, another thread): the launch creates
   * a job already cancelled, and the widget is not touched. */
  if (!gco_scope_is_active (scope))
    return gco_launch_full (scope, options, func, user_data, destroy);

  jobs = g_object_get_qdata (G_OBJECT (widget), replacing_quark ());
  if (jobs == NULL)
    {
      jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) gco_job_unref);
      g_object_set_qdata_full (G_OBJECT (widget), replacing_quark (), jobs,
                               (GDestroyNotify) g_hash_table_unref);
    }

  previous = g_hash_table_lookup (jobs, key);
  if (previous != NULL)
    gco_job_cancel (previous);

  job = gco_launch_full (scope, options, func, user_data, destroy);
  g_hash_table_replace (jobs, g_strdup (key), gco_job_ref (job));

  entry = g_new0 (ReplacingEntry, 1);
  g_weak_ref_init (&entry->widget, widget);
  entry->key = g_strdup (key);
  gco_job_add_completion_handler (job, replacing_job_completed_cb, entry, replacing_entry_free);

  return job;
}

/* Running while mapped */

typedef struct
{
  GtkWidget      *widget;     /* not a reference: this lives in the widget's qdata */
  GcoFunc         func;
  gpointer        user_data;
  GDestroyNotify  destroy;
  GcoLaunchOptions options;   /* name copied, dispatcher referenced */
  GcoJob         *job;        /* the current launch, running or unwinding */
  gboolean        pending;    /* mapped again while the last launch unwound */
} WhileMapped;

static void while_mapped_launch (WhileMapped *self);

static GQuark
while_mapped_quark (void)
{
  return g_quark_from_static_string ("gco-widget-while-mapped");
}

static void
while_mapped_free (gpointer data)
{
  WhileMapped *self = data;

  /* The widget is being finalized: its scope kept it alive until every
   * launch had completed, so no job is left. */
  g_assert (self->job == NULL);
  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_free ((char *) self->options.name);
  g_clear_pointer (&self->options.dispatcher, gco_dispatcher_unref);
  g_free (self);
}

static void
while_mapped_free_list (gpointer data)
{
  g_slist_free_full (data, while_mapped_free);
}

static void
while_mapped_job_done_cb (GcoJob       *job,
                          const GError *error,
                          gpointer      user_data)
{
  WhileMapped *self = user_data;

  g_clear_pointer (&self->job, gco_job_unref);

  /* Mapped again while this launch unwound: never two at once, so the next
   * one starts now. */
  if (self->pending)
    {
      self->pending = FALSE;
      if (gtk_widget_get_mapped (self->widget))
        while_mapped_launch (self);
    }
}

static void
while_mapped_launch (WhileMapped *self)
{
  GcoJob *job = gco_launch_full (gco_widget_get_scope (self->widget), &self->options,
                                 self->func, self->user_data, NULL);

  self->job = job;
  /* Runs at once if the job already completed. */
  gco_job_add_completion_handler (job, while_mapped_job_done_cb, self, NULL);
}

static void
while_mapped_map_cb (GtkWidget   *widget,
                     WhileMapped *self)
{
  if (self->job != NULL)
    self->pending = TRUE;
  else
    while_mapped_launch (self);
}

static void
while_mapped_unmap_cb (GtkWidget   *widget,
                       WhileMapped *self)
{
  self->pending = FALSE;
  if (self->job != NULL)
    gco_job_cancel (self->job);
}

/**
 * gco_widget_launch_while_mapped:
 * @widget: a widget
 * @func: (scope notified): the coroutine's body
 * @user_data: data for @func, shared by every launch
 * @destroy: (nullable): releases @user_data when @widget is finalized
 *
 * Launches @func in [func@GcoGtk.widget_get_scope] each time @widget is
 * mapped, and cancels it when @widget is unmapped: Android's
 * `repeatOnLifecycle`. Launches never overlap: mapped again while the last
 * one is still unwinding, the next one starts once it completed. If @widget
 * is mapped already, the first launch happens now. For work that is only
 * worth doing while the user can see it: a clock, a live view, polling.
 * Call it on the main thread.
 *
 * Since: 0.1
 */
void
gco_widget_launch_while_mapped (GtkWidget      *widget,
                                GcoFunc         func,
                                gpointer        user_data,
                                GDestroyNotify  destroy)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (func != NULL);

  gco_widget_launch_while_mapped_full (widget, NULL, func, user_data, destroy);
}

/**
 * gco_widget_launch_while_mapped_full:
 * @widget: a widget
 * @options: (nullable): how to launch (a name for the jobs, …), as for
 *   [func@Gco.launch_full], copied for every launch; the scope is always
 *   @widget's
 * @func: (scope notified): the coroutine's body
 * @user_data: data for @func, shared by every launch
 * @destroy: (nullable): releases @user_data when @widget is finalized
 *
 * [func@GcoGtk.widget_launch_while_mapped] with launch options.
 *
 * Since: 0.1
 */
void
gco_widget_launch_while_mapped_full (GtkWidget              *widget,
                                     const GcoLaunchOptions *options,
                                     GcoFunc                 func,
                                     gpointer                user_data,
                                     GDestroyNotify          destroy)
{
  static const GcoLaunchOptions defaults = GCO_LAUNCH_OPTIONS_INIT;
  WhileMapped *self;
  GSList *list;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (func != NULL);

  self = g_new0 (WhileMapped, 1);
  self->widget = widget;
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  self->options = options != NULL ? *options : defaults;
  self->options.name = g_strdup (self->options.name);
  if (self->options.dispatcher != NULL)
    gco_dispatcher_ref (self->options.dispatcher);

  list = g_object_steal_qdata (G_OBJECT (widget), while_mapped_quark ());
  list = g_slist_prepend (list, self);
  g_object_set_qdata_full (G_OBJECT (widget), while_mapped_quark (), list,
                           while_mapped_free_list);

  g_signal_connect (widget, "map", G_CALLBACK (while_mapped_map_cb), self);
  g_signal_connect (widget, "unmap", G_CALLBACK (while_mapped_unmap_cb), self);

  if (gtk_widget_get_mapped (widget))
    while_mapped_launch (self);
}
