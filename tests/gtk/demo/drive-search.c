/* drive-search.c: the Search page. Typing several queries in quick
 * succession shows the results of the last one only, and they are exactly the
 * files under /usr/share whose names contain it; the searches typed over are
 * counted as cancelled and never showed anything; an empty query clears the
 * list.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "demo-test.h"

typedef struct {
  GListModel *results;
  const char *query;   /* what every list shown must match; NULL: none may be */
  guint       n_shown; /* lists shown since the query was set */
} Watch;

static gboolean
name_matches (const char *path,
              const char *query)
{
  g_autofree char *name = g_utf8_casefold (strrchr (path, '/') + 1, -1);
  g_autofree char *key = g_utf8_casefold (query, -1);

  return strstr (name, key) != NULL;
}

/* Each time the list changes, every item in it matches the last query typed:
 * nothing a typed-over search found was ever shown. */
static void
results_changed_cb (GListModel *results,
                    guint       position,
                    guint       removed,
                    guint       added,
                    Watch      *watch)
{
  guint n = g_list_model_get_n_items (results);

  if (watch->query == NULL)
    g_assert_cmpuint (n, ==, 0);
  for (guint i = 0; i < n; i++)
    g_assert_true (name_matches (gtk_string_list_get_string (GTK_STRING_LIST (results), i),
                                 watch->query));
  watch->n_shown++;
}

/* The paths of everything under @dir, read here the plain blocking way. */
static void
list_files (GFile     *dir,
            GPtrArray *paths)
{
  g_autoptr (GFileEnumerator) enumerator = NULL;
  GFileInfo *info;

  enumerator = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (enumerator == NULL)
    return;

  while ((info = g_file_enumerator_next_file (enumerator, NULL, NULL)) != NULL)
    {
      g_autoptr (GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

      g_ptr_array_add (paths, g_file_get_path (child));
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        list_files (child, paths);
      g_object_unref (info);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The list shows exactly the paths of @all that match @query. */
static void
assert_results (GListModel *results,
                GPtrArray  *all,
                const char *query)
{
  g_autoptr (GPtrArray) expected = g_ptr_array_new ();
  g_autoptr (GPtrArray) shown = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    if (name_matches (all->pdata[i], query))
      g_ptr_array_add (expected, all->pdata[i]);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    g_ptr_array_add (shown, (gpointer) gtk_string_list_get_string (GTK_STRING_LIST (results), i));

  g_assert_cmpuint (expected->len, >, 0);
  g_assert_cmpuint (shown->len, ==, expected->len);
  g_ptr_array_sort (expected, compare_strings);
  g_ptr_array_sort (shown, compare_strings);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (shown->pdata[i], ==, expected->pdata[i]);
}

static gboolean
is_searching (gpointer label)
{
  return g_str_has_prefix (gtk_label_get_text (label), "Searching");
}

static gboolean
is_done (gpointer label)
{
  return !is_searching (label);
}

/* Types @keys one after the other at the end of the entry, as fast as a
 * typist could (no main loop iteration in between), then waits for the
 * search to end. Each key is one change of the entry, as a keystroke is;
 * gtk_editable_set_text() would be two (the old text deleted, the new one
 * inserted). */
static gboolean
type_quickly (GtkEditable         *entry,
              GtkLabel            *status,
              Watch               *watch,
              const char * const  *keys,
              GError             **error)
{
  g_autofree char *typed = g_strdup (gtk_editable_get_text (entry));

  watch->n_shown = 0;
  for (guint i = 0; keys[i] != NULL; i++)
    {
      int position = -1;
      char *text = g_strconcat (typed, keys[i], NULL);

      g_free (typed);
      typed = text;
      watch->query = typed;
      gtk_editable_insert_text (entry, keys[i], -1, &position);
      g_assert_cmpstr (gtk_editable_get_text (entry), ==, typed);
      g_assert_true (is_searching (status));
    }

  if (!demo_wait_until (is_done, status, "the search to end", error))
    return FALSE;
  watch->query = NULL;
  return TRUE;
}

/* Deletes the query, which clears the list. */
static gboolean
clear_query (GtkEditable  *entry,
             GtkLabel     *status,
             GListModel   *results,
             guint         n_cancelled,
             GError      **error)
{
  g_autofree char *expected = NULL;

  gtk_editable_delete_text (entry, 0, -1);
  expected = g_strdup_printf ("Type to search the files under /usr/share (%u searches cancelled)",
                              n_cancelled);
  if (!demo_wait_label (status, expected, error))
    return FALSE;
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  return TRUE;
}

gboolean
demo_drive_search (GcoDemoWindow  *window,
                   GtkWidget      *page,
                   GError        **error)
{
  GtkEditable *entry = demo_get_child (page, "search_entry");
  GtkLabel *status = demo_get_child (page, "status_label");
  GListModel *results = demo_get_child (page, "results");
  const char * const first[] = { "g", "t", "k", NULL };
  const char * const second[] = { "COPY", "RIGHT", NULL };
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GFile) share = g_file_new_for_path ("/usr/share");
  g_autofree char *expected = NULL;
  Watch watch = { results, NULL, 0 };
  gulong handler;

  g_assert_cmpstr (gtk_label_get_text (status), ==, "Type to search the files under /usr/share");
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  list_files (share, all);
  handler = g_signal_connect (results, "items-changed", G_CALLBACK (results_changed_cb), &watch);

  /* Three keystrokes: the searches for “g” and “gt” are typed over. The
   * first keystroke also starts reading the file list, which the search for
   * “gtk” then waits for. */
  if (!type_quickly (entry, status, &watch, first, error))
    return FALSE;
  g_assert_cmpuint (watch.n_shown, ==, 1);
  assert_results (results, all, "gtk");
  expected = g_strdup_printf ("%u matches for “gtk” (2 searches cancelled)",
                              g_list_model_get_n_items (results));
  g_assert_cmpstr (gtk_label_get_text (status), ==, expected);

  if (!clear_query (entry, status, results, 2, error))
    return FALSE;

  /* Again, with the file list read: one more typed over. Case is ignored. */
  if (!type_quickly (entry, status, &watch, second, error))
    return FALSE;
  g_assert_cmpuint (watch.n_shown, ==, 1);
  assert_results (results, all, "copyright");
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%u matches for “COPYRIGHT” (3 searches cancelled)",
                              g_list_model_get_n_items (results));
  g_assert_cmpstr (gtk_label_get_text (status), ==, expected);

  g_signal_handler_disconnect (results, handler);
  return clear_query (entry, status, results, 3, error);
}
