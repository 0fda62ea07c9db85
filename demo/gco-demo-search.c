/* gco-demo-search.c: Search as you type — each keystroke replaces the
 * previous search.
 *
 * What it shows: gco_widget_launch_replacing(). Every change of the entry
 * launches search_cb() under the key "search", which first cancels the search
 * launched by the previous change if it is still running. A search waits for
 * a pause in typing (gco_delay(), the debounce), then matches the query
 * against the names of the files under /usr/share and shows them. A search
 * that was typed over is cancelled wherever it is — in the debounce, waiting
 * for the file list or halfway through the names: its next suspending call
 * returns G_IO_ERROR_CANCELLED and it returns without showing anything. The
 * status line counts those cancelled searches.
 *
 * The entry's plain "changed" signal is used, not GtkSearchEntry's
 * "search-changed": that one already waits 150 ms after the last keystroke,
 * and the point here is that the coroutine does the waiting itself, as a
 * delay that the next keystroke cancels.
 *
 * The file names are read once, when the first search starts: a gco_async()
 * in the page's scope, which walks the tree on a worker thread with
 * gco_run_in_thread(). Every search awaits its result (a deferred can be
 * awaited any number of times); only the first one has to wait.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gco/gco-gtk.h>

#include "gco-demo-search.h"

#define SEARCH_DIR "/usr/share"
#define DEBOUNCE_MSEC 150
#define SCAN_CHUNK 5000  /* names matched between two gco_yield() */

struct _GcoDemoSearch
{
  GtkBox          parent_instance;

  GtkSearchEntry *search_entry;
  GtkLabel       *status_label;
  GtkStringList  *results;

  GcoDeferred    *file_list;    /* the paths under SEARCH_DIR, read once */
  GcoJob         *search;       /* the last search launched */
  guint           n_cancelled;  /* searches typed over before they finished */
};

G_DEFINE_FINAL_TYPE (GcoDemoSearch, gco_demo_search, GTK_TYPE_BOX)

typedef struct
{
  GcoDemoSearch *self;   /* no reference: the page's scope keeps it alive */
  char          *query;
} Search;

static void
search_free (gpointer data)
{
  Search *search = data;

  g_free (search->query);
  g_free (search);
}

/* Runs on a worker thread: a plain blocking walk of the tree. Adds the
 * paths of everything under @dir to @paths, skipping what cannot be read. */
static void
add_files (GFile        *dir,
           GPtrArray    *paths,
           GCancellable *cancellable)
{
  g_autoptr (GFileEnumerator) enumerator = NULL;
  GFileInfo *info;

  enumerator = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);
  if (enumerator == NULL)
    return;

  while ((info = g_file_enumerator_next_file (enumerator, cancellable, NULL)) != NULL)
    {
      g_autoptr (GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

      g_ptr_array_add (paths, g_file_get_path (child));
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        add_files (child, paths, cancellable);
      g_object_unref (info);
    }
}

static gpointer
list_files_thread (gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr (GFile) dir = g_file_new_for_path (SEARCH_DIR);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  add_files (dir, paths, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return g_steal_pointer (&paths);
}

/* Tens of thousands of paths in thousands of directories: a blocking walk on
 * a worker thread takes a fraction of a second, where awaiting
 * gco_file_enumerate_children() for each directory (a few round trips to
 * GIO's threads each) takes seconds. */
static gpointer
read_file_list_cb (gpointer   user_data,
                   GError   **error)
{
  return gco_run_in_thread (list_files_thread, NULL, (GDestroyNotify) g_ptr_array_unref, error);
}

static void
show_status (GcoDemoSearch *self,
             const char    *what)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("%s (%u %s cancelled)", what, self->n_cancelled,
                          self->n_cancelled == 1 ? "search" : "searches");
  gtk_label_set_label (self->status_label, text);
}

static void
show_results (GcoDemoSearch *self,
              const char    *query,
              GPtrArray     *matches)
{
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  g_autofree char *what = NULL;

  g_ptr_array_add (matches, NULL);
  gtk_string_list_splice (self->results, 0, n_shown, (const char * const *) matches->pdata);

  if (*query == '\0')
    what = g_strdup ("Type to search the files under " SEARCH_DIR);
  else
    what = g_strdup_printf ("%u %s for “%s”", matches->len - 1,
                            matches->len - 1 == 1 ? "match" : "matches", query);
  show_status (self, what);
}

static gboolean
search_cb (gpointer   user_data,
           GError   **error)
{
  Search *search = user_data;
  GcoDemoSearch *self = search->self;
  g_autoptr (GPtrArray) matches = g_ptr_array_new ();
  g_autofree char *key = g_utf8_casefold (search->query, -1);
  GPtrArray *paths;

  if (*key == '\0')
    {
      show_results (self, search->query, matches);
      return TRUE;
    }

  /* The debounce: wait for a pause in typing. The next keystroke cancels
   * this job, and the delay returns FALSE with G_IO_ERROR_CANCELLED. */
  if (!gco_delay (DEBOUNCE_MSEC, error))
    return FALSE;

  /* The file names: the first search waits while they are read; the others
   * get them at once. It fails only when this search was cancelled (the file
   * list is cancelled only with the page, and skips what it cannot read). */
  paths = gco_deferred_await (self->file_list, error);
  if (paths == NULL)
    return FALSE;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *name = g_utf8_casefold (strrchr (path, '/') + 1, -1);

      if (strstr (name, key) != NULL)
        g_ptr_array_add (matches, (gpointer) path);

      /* Matching all the names takes a few milliseconds, enough to delay a
       * keystroke on a slow machine: let the main loop run between chunks.
       * A newer keystroke cancels the search here too. */
      if (i % SCAN_CHUNK == SCAN_CHUNK - 1 && !gco_yield (error))
        return FALSE;
    }

  /* Nothing suspends between the last check and here: a search typed over
   * never gets this far. */
  show_results (self, search->query, matches);
  return TRUE;
}

static void
search_changed_cb (GcoDemoSearch *self)
{
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  g_autofree char *what = NULL;
  Search *search;

  if (self->file_list == NULL)
    {
      options.name = "read the file names under " SEARCH_DIR;
      self->file_list = gco_async_full (gco_widget_get_scope (GTK_WIDGET (self)), &options,
                                        read_file_list_cb, NULL, NULL,
                                        (GDestroyNotify) g_ptr_array_unref);
    }

  /* The launch below cancels the previous search if it is still running. */
  if (self->search != NULL && gco_job_is_active (self->search))
    self->n_cancelled++;

  what = g_strdup_printf ("Searching for “%s”…", query);
  show_status (self, what);

  search = g_new0 (Search, 1);
  search->self = self;
  search->query = g_strdup (query);
  options.name = "search";
  g_clear_pointer (&self->search, gco_job_unref);
  self->search = gco_widget_launch_replacing_full (GTK_WIDGET (self), "search", &options,
                                                   search_cb, search, search_free);
}

static void
gco_demo_search_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_SEARCH);

  G_OBJECT_CLASS (gco_demo_search_parent_class)->dispose (object);
}

static void
gco_demo_search_finalize (GObject *object)
{
  GcoDemoSearch *self = GCO_DEMO_SEARCH (object);

  /* Here, not in dispose: searches still unwinding after dispose await it. */
  g_clear_pointer (&self->file_list, gco_deferred_unref);
  g_clear_pointer (&self->search, gco_job_unref);

  G_OBJECT_CLASS (gco_demo_search_parent_class)->finalize (object);
}

static void
gco_demo_search_class_init (GcoDemoSearchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_search_dispose;
  object_class->finalize = gco_demo_search_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-search.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoSearch, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoSearch, status_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoSearch, results);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
}

static void
gco_demo_search_init (GcoDemoSearch *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
