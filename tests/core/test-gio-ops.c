/* test-gio-ops.c: the typed GIO helpers, on real GIO
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Files on a temporary directory, streams over a socket pair, a TCP service
 * on 127.0.0.1, subprocesses, and a private D-Bus bus: each helper works, is
 * cancelled through its job, and leaves its objects usable (a stream without
 * a pending operation, a process reaped) and nothing leaked.
 */

#include <gco/gco.h>

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/socket.h>

#include "gco-test-utils.h"

/* Helpers */

static void
finish_scope (GcoScope *scope)
{
  GcoJob *job = gco_job_ref (gco_scope_get_job (scope));

  if (gco_job_is_active (job))
    gco_job_complete (job);
  gco_test_run_until_job (NULL, job);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (job);
}

/* Runs @func as a coroutine on the main dispatcher until it completed, and
 * asserts it succeeded. */
static void
run_coroutine (GcoFunc  func,
               gpointer data)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job = gco_launch_job (scope, func, data, NULL);

  gco_test_run_until_job (NULL, job);
  g_assert_null (gco_job_get_error (job));
  finish_scope (scope);
  gco_test_assert_finalize_job (job);
}

/* Launches @func, iterates until *@started (set by @func just before the call
 * to cancel), cancels the job as a timeout or a closed window would, and runs
 * until it completed: its body returned and its children finished. */
static void
run_and_cancel (GcoFunc         func,
                gpointer        data,
                const gboolean *started)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job = gco_launch_job (scope, func, data, NULL);

  gco_test_run_until (NULL, started);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_true (gco_job_is_cancelled (job));
  finish_scope (scope);
  gco_test_assert_finalize_job (job);
}

static void
set_flag_cb (gpointer  data,
             GObject  *where_the_object_was)
{
  /* Maybe on a worker thread. */
  g_atomic_int_set ((gboolean *) data, TRUE);
}

/* Drops the last reference to @object and waits until it is finalized: GIO
 * may still hold it for a moment after the callback ran. A GTask run in a
 * worker thread calls back (through the main context) before the worker drops
 * its reference to the task, which holds its source object; a subprocess's
 * child watch, on GLib's worker thread, drops its reference after the waits
 * were answered; a cancelled accept holds its listener until its callback
 * ran. */
static void
unref_and_wait_finalized (gpointer object)
{
  gboolean finalized = FALSE;

  g_object_weak_ref (object, set_flag_cb, &finalized);
  g_object_unref (object);
  gco_test_run_until (NULL, &finalized);
}

static char *
make_tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *path = g_dir_make_tmp ("gco-gio-ops-XXXXXX", &error);

  g_assert_no_error (error);
  return path;
}

/* Removes the files directly in @path, then @path. */
static void
remove_tmp_dir (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_assert_cmpint (g_remove (child), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
cancel_self (void)
{
  gco_job_cancel (gco_job_get_current ());
}

/* Files: load and replace */

typedef struct
{
  GFile *file;
  GFile *missing;
} FileData;

static gboolean
load_replace_body (gpointer   user_data,
                   GError   **error)
{
  FileData *data = user_data;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *etag1 = NULL;
  g_autofree char *etag2 = NULL;
  g_autofree char *loaded_etag = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *missing = NULL;
  gsize length = 0;

  /* Create it. */
  if (!gco_file_replace_contents (data->file, "hello, world", 12, NULL, FALSE,
                                  G_FILE_CREATE_NONE, &etag1, error))
    return FALSE;
  g_assert_nonnull (etag1);

  contents = gco_file_load_contents (data->file, &length, &loaded_etag, error);
  if (contents == NULL)
    return FALSE;
  g_assert_cmpmem (contents, length, "hello, world", 12);
  g_assert_cmpint (contents[length], ==, '\0');
  g_assert_cmpstr (loaded_etag, ==, etag1);
  g_clear_pointer (&contents, g_free);

  /* Replace it, with a backup, checking the entity tag. */
  if (!gco_file_replace_contents (data->file, "bye", 3, etag1, TRUE,
                                  G_FILE_CREATE_NONE, &etag2, error))
    return FALSE;
  contents = gco_file_load_contents (data->file, &length, NULL, error);
  if (contents == NULL)
    return FALSE;
  g_assert_cmpmem (contents, length, "bye", 3);

  /* Empty contents are contents. */
  if (!gco_file_replace_contents (data->file, "", 0, NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, error))
    return FALSE;
  g_clear_pointer (&contents, g_free);
  contents = gco_file_load_contents (data->file, &length, NULL, error);
  if (contents == NULL)
    return FALSE;
  g_assert_cmpuint (length, ==, 0);
  g_assert_cmpstr (contents, ==, "");

  /* A missing file is an error, not a crash. */
  missing = gco_file_load_contents (data->missing, NULL, NULL, &local_error);
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (missing);

  return TRUE;
}

static void
test_file_load_replace (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "file.txt", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.txt", NULL);
  FileData data = { NULL, };

  g_test_summary ("gco_file_replace_contents() writes a file and returns its entity tag, "
                  "gco_file_load_contents() reads it back NUL-terminated; a missing file "
                  "is a GError.");

  data.file = g_file_new_for_path (path);
  data.missing = g_file_new_for_path (missing);
  run_coroutine (load_replace_body, &data);

  unref_and_wait_finalized (data.file);
  unref_and_wait_finalized (data.missing);
  remove_tmp_dir (dir);   /* also removes the backup */
}

typedef struct
{
  GFile    *file;
  gboolean  started;
  GError   *error;
  char     *contents;
} CancelFileData;

static gboolean
load_cancelled_body (gpointer   user_data,
                     GError   **error)
{
  CancelFileData *data = user_data;

  data->started = TRUE;
  data->contents = gco_file_load_contents (data->file, NULL, NULL, &data->error);
  return TRUE;
}

static void
test_file_load_cancelled (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "file.txt", NULL);
  CancelFileData data = { NULL, };
  g_autoptr (GError) error = NULL;

  g_test_summary ("A load cancelled while GIO reads returns G_IO_ERROR_CANCELLED after "
                  "GIO finished, even if the contents arrived meanwhile, and frees them.");

  g_file_set_contents (path, "some contents", -1, &error);
  g_assert_no_error (error);
  data.file = g_file_new_for_path (path);
  run_and_cancel (load_cancelled_body, &data, &data.started);

  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (data.contents);
  g_clear_error (&data.error);
  unref_and_wait_finalized (data.file);
  remove_tmp_dir (dir);
}

static gboolean
prompt_body (gpointer   user_data,
             GError   **error)
{
  CancelFileData *data = user_data;

  /* Already cancelled: the file exists, yet the call reports the cancellation
   * (rule 7), and the write never happens. */
  cancel_self ();
  data->contents = gco_file_load_contents (data->file, NULL, NULL, &data->error);
  g_assert_error (data->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&data->error);
  g_assert_false (gco_file_replace_contents (data->file, "new", 3, NULL, FALSE,
                                             G_FILE_CREATE_NONE, NULL, &data->error));
  g_assert_error (data->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  return TRUE;
}

static void
test_prompt_cancellation (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "file.txt", NULL);
  g_autofree char *contents = NULL;
  CancelFileData data = { NULL, };
  g_autoptr (GError) error = NULL;
  GcoScope *scope;
  GcoJob *job;

  g_test_summary ("Rule 7: a cancelled coroutine's GIO helpers return "
                  "G_IO_ERROR_CANCELLED, even when the operation could succeed.");

  g_file_set_contents (path, "old", -1, &error);
  g_assert_no_error (error);
  data.file = g_file_new_for_path (path);

  scope = gco_scope_new (NULL, NULL);
  job = gco_launch_job (scope, prompt_body, &data, NULL);
  gco_test_run_until_job (NULL, job);
  g_assert_true (gco_job_is_cancelled (job));
  finish_scope (scope);
  gco_test_assert_finalize_job (job);

  g_assert_null (data.contents);
  g_clear_error (&data.error);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "old");
  unref_and_wait_finalized (data.file);
  remove_tmp_dir (dir);
}

/* Files: enumeration */

#define N_FILES 150   /* more than one batch */

typedef struct
{
  GFile   *dir;
  GFile   *empty;
  GFile   *missing;
  gboolean started;
  GList   *infos;
  GError  *error;
} EnumerateData;

static gboolean
enumerate_body (gpointer   user_data,
                GError   **error)
{
  EnumerateData *data = user_data;
  g_autoptr (GError) local_error = NULL;
  GList *none;

  data->infos = gco_file_enumerate_children (data->dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                             G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                             G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, error);
  if (data->infos == NULL)
    return FALSE;

  /* An empty directory is an empty list and no error. */
  none = gco_file_enumerate_children (data->empty, "standard::name",
                                      G_FILE_QUERY_INFO_NONE, &local_error);
  g_assert_no_error (local_error);
  g_assert_null (none);

  none = gco_file_enumerate_children (data->missing, "standard::name",
                                      G_FILE_QUERY_INFO_NONE, &local_error);
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (none);

  return TRUE;
}

static void
test_file_enumerate (void)
{
  g_autofree char *path = make_tmp_dir ();
  g_autofree char *empty = g_build_filename (path, "empty", NULL);
  g_autofree char *missing = g_build_filename (path, "missing", NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  EnumerateData data = { NULL, };

  g_test_summary ("gco_file_enumerate_children() lists a directory of many files in "
                  "batches, an empty directory as NULL without error, and a missing one "
                  "as a GError.");

  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%03u", i);
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autoptr (GError) error = NULL;

      g_file_set_contents (file, name, -1, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);

  data.dir = g_file_new_for_path (path);
  data.empty = g_file_new_for_path (empty);
  data.missing = g_file_new_for_path (missing);
  run_coroutine (enumerate_body, &data);

  g_assert_cmpuint (g_list_length (data.infos), ==, N_FILES + 1);
  for (GList *l = data.infos; l != NULL; l = l->next)
    {
      GFileInfo *info = l->data;
      const char *name = g_file_info_get_name (info);

      g_assert_true (G_IS_FILE_INFO (info));
      if (g_strcmp0 (name, "empty") == 0)
        g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_DIRECTORY);
      else
        {
          g_assert_true (g_str_has_prefix (name, "file-"));
          g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_REGULAR);
        }
      g_assert_true (g_hash_table_add (seen, g_strdup (name)));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, N_FILES + 1);

  for (GList *l = data.infos; l != NULL; l = l->next)
    g_assert_finalize_object (l->data);
  g_list_free (data.infos);
  unref_and_wait_finalized (data.dir);
  unref_and_wait_finalized (data.empty);
  unref_and_wait_finalized (data.missing);
  g_assert_cmpint (g_rmdir (empty), ==, 0);
  remove_tmp_dir (path);
}

static gboolean
enumerate_cancelled_body (gpointer   user_data,
                          GError   **error)
{
  EnumerateData *data = user_data;

  data->started = TRUE;
  data->infos = gco_file_enumerate_children (data->dir, "standard::name",
                                             G_FILE_QUERY_INFO_NONE, &data->error);
  return TRUE;
}

static void
test_file_enumerate_cancelled (void)
{
  g_autofree char *path = make_tmp_dir ();
  EnumerateData data = { NULL, };

  g_test_summary ("A listing cancelled while it runs returns G_IO_ERROR_CANCELLED and "
                  "frees what it read.");

  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%03u", i);
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autoptr (GError) error = NULL;

      g_file_set_contents (file, name, -1, &error);
      g_assert_no_error (error);
    }

  data.dir = g_file_new_for_path (path);
  run_and_cancel (enumerate_cancelled_body, &data, &data.started);

  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (data.infos);
  g_clear_error (&data.error);
  unref_and_wait_finalized (data.dir);
  remove_tmp_dir (path);
}

static void
test_file_enumerate_cancelled_sweep (void)
{
  g_autofree char *path = make_tmp_dir ();
  EnumerateData data = { NULL, };
  guint n_cancelled = 0;

  g_test_summary ("A listing cancelled at every stage in turn (opening, each batch, "
                  "closing) returns G_IO_ERROR_CANCELLED or, if it was done, the whole "
                  "listing; the enumerator is closed and nothing leaks.");

  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("file-%03u", i);
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autoptr (GError) error = NULL;

      g_file_set_contents (file, name, -1, &error);
      g_assert_no_error (error);
    }
  data.dir = g_file_new_for_path (path);

  /* Each main-context iteration advances the listing by about one stage:
   * cancelling after 0, 1, 2, ... iterations reaches each of them. */
  for (guint k = 0; k < 16; k++)
    {
      GcoScope *scope = gco_scope_new (NULL, NULL);
      GcoJob *job;

      data.started = FALSE;
      job = gco_launch_job (scope, enumerate_cancelled_body, &data, NULL);
      for (guint i = 0; i < k && !gco_job_is_completed (job); i++)
        g_main_context_iteration (NULL, TRUE);
      gco_job_cancel (job);
      gco_test_run_until_job (NULL, job);

      if (!data.started)
        g_assert_null (data.infos);   /* cancelled before its first run (k = 0) */
      else if (data.error != NULL)
        {
          g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_null (data.infos);
          g_clear_error (&data.error);
          n_cancelled++;
        }
      else
        {
          g_assert_cmpuint (g_list_length (data.infos), ==, N_FILES);
          g_list_free_full (g_steal_pointer (&data.infos), g_object_unref);
        }
      finish_scope (scope);
      /* A job cancelled before its first run stays queued on the dispatcher
       * until its next dispatch. */
      gco_test_drain (NULL);
      gco_test_assert_finalize_job (job);
    }
  g_assert_cmpuint (n_cancelled, >, 0);

  unref_and_wait_finalized (data.dir);
  remove_tmp_dir (path);
}

/* Streams over a socket pair */

static void
make_socket_pair (GSocketConnection **a,
                  GSocketConnection **b)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket_a = NULL;
  g_autoptr (GSocket) socket_b = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
  socket_a = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  socket_b = g_socket_new_from_fd (fds[1], &error);
  g_assert_no_error (error);
  *a = g_socket_connection_factory_create_connection (socket_a);
  *b = g_socket_connection_factory_create_connection (socket_b);
}

typedef struct
{
  GInputStream  *in;
  GOutputStream *out;
  GcoJob        *reader;          /* borrowed */
  gboolean       second_read;
  gboolean       no_pending_after_join;
  GBytes        *first;
  GBytes        *second;
  GError        *error;
} StreamData;

static gboolean
reader_body (gpointer   user_data,
             GError   **error)
{
  StreamData *data = user_data;

  data->first = gco_input_stream_read_bytes (data->in, 64, G_PRIORITY_DEFAULT, error);
  if (data->first == NULL)
    return FALSE;

  /* Nothing more comes: this read is cancelled mid-way. */
  data->second_read = TRUE;
  data->second = gco_input_stream_read_bytes (data->in, 64, G_PRIORITY_DEFAULT, &data->error);
  return TRUE;
}

static gboolean
canceller_body (gpointer   user_data,
                GError   **error)
{
  StreamData *data = user_data;

  /* Waits (without timing) until the reader is inside its second read. */
  while (!(data->second_read && g_input_stream_has_pending (data->in)))
    {
      if (!gco_yield (error))
        return FALSE;
    }

  /* Rule 11: when cancel_and_join returns, the read's callback has run. */
  if (!gco_job_cancel_and_join (data->reader, error))
    return FALSE;
  data->no_pending_after_join = !g_input_stream_has_pending (data->in);
  return TRUE;
}

static gboolean
writer_reader_body (gpointer   user_data,
                    GError   **error)
{
  StreamData *data = user_data;
  g_autoptr (GBytes) bytes = NULL;
  gsize written = 0;

  /* The stream is usable again: a write on the peer, a read here. */
  if (!gco_output_stream_write_all (data->out, "again", 5, &written, G_PRIORITY_DEFAULT, error))
    return FALSE;
  g_assert_cmpuint (written, ==, 5);

  bytes = gco_input_stream_read_bytes (data->in, 64, G_PRIORITY_DEFAULT, error);
  if (bytes == NULL)
    return FALSE;
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "again", 5);
  return TRUE;
}

static void
test_stream_read_cancelled (void)
{
  g_autoptr (GError) error = NULL;
  GSocketConnection *a = NULL;
  GSocketConnection *b = NULL;
  StreamData data = { NULL, };
  GcoScope *scope;
  GcoJob *canceller;

  g_test_summary ("A read cancelled mid-way by another coroutine returns "
                  "G_IO_ERROR_CANCELLED once GIO let go of the stream: it has no pending "
                  "operation and reads again; writes go through.");

  make_socket_pair (&a, &b);
  data.in = g_io_stream_get_input_stream (G_IO_STREAM (a));
  data.out = g_io_stream_get_output_stream (G_IO_STREAM (b));
  g_output_stream_write_all (data.out, "first", 5, NULL, NULL, &error);
  g_assert_no_error (error);

  scope = gco_scope_new (NULL, NULL);
  data.reader = gco_launch_job (scope, reader_body, &data, NULL);
  canceller = gco_launch_job (scope, canceller_body, &data, NULL);
  gco_test_run_until_job (NULL, canceller);
  g_assert_null (gco_job_get_error (canceller));
  g_assert_true (gco_job_is_cancelled (data.reader));
  g_assert_true (data.no_pending_after_join);

  g_assert_cmpmem (g_bytes_get_data (data.first, NULL), g_bytes_get_size (data.first),
                   "first", 5);
  g_assert_null (data.second);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_input_stream_is_closed (data.in));

  finish_scope (scope);
  gco_test_assert_finalize_job (data.reader);
  gco_test_assert_finalize_job (canceller);

  run_coroutine (writer_reader_body, &data);

  g_io_stream_close (G_IO_STREAM (a), NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (b), NULL, &error);
  g_assert_no_error (error);
  g_bytes_unref (data.first);
  g_clear_error (&data.error);
  g_assert_finalize_object (a);
  g_assert_finalize_object (b);
}

/* A TCP service on 127.0.0.1 */

typedef struct
{
  GSocketService    *service;
  GSocketConnection *accepted;
  char              *host_and_port;

  GSocketClient     *client;
  GSocketConnection *connection;
  gboolean           reading;
  GBytes            *bytes;
  GError            *error;
} ServiceData;

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  ServiceData *data = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr (GError) error = NULL;

  g_assert_null (data->accepted);
  data->accepted = g_object_ref (connection);
  /* A few bytes fit in the socket buffer: this does not block. */
  g_output_stream_write_all (out, "hello", 5, NULL, NULL, &error);
  g_assert_no_error (error);

  return TRUE;
}

static void
service_start (ServiceData *data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;

  data->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (data->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  data->host_and_port =
    g_strdup_printf ("127.0.0.1:%u",
                     g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  g_signal_connect (data->service, "incoming", G_CALLBACK (incoming_cb), data);
  g_socket_service_start (data->service);
}

static void
service_stop (ServiceData *data)
{
  g_socket_service_stop (data->service);
  g_socket_listener_close (G_SOCKET_LISTENER (data->service));
  /* The cancelled accept still holds the service until its callback ran. */
  unref_and_wait_finalized (g_steal_pointer (&data->service));
  g_free (data->host_and_port);
}

static gboolean
client_body (gpointer   user_data,
             GError   **error)
{
  ServiceData *data = user_data;
  GInputStream *in;
  GString *received = g_string_new (NULL);

  data->connection = gco_socket_client_connect_to_host (data->client, data->host_and_port, 0,
                                                        error);
  if (data->connection == NULL)
    return FALSE;
  in = g_io_stream_get_input_stream (G_IO_STREAM (data->connection));

  while (received->len < 5)
    {
      g_autoptr (GBytes) bytes = gco_input_stream_read_bytes (in, 64, G_PRIORITY_DEFAULT,
                                                              error);

      if (bytes == NULL)
        return FALSE;
      g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
      g_string_append_len (received, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  g_assert_cmpstr (received->str, ==, "hello");
  g_string_free (received, TRUE);

  /* The server sends nothing more: this read waits until cancelled. */
  data->reading = TRUE;
  data->bytes = gco_input_stream_read_bytes (in, 64, G_PRIORITY_DEFAULT, &data->error);
  return TRUE;
}

static void
test_socket_service (void)
{
  g_autoptr (GError) error = NULL;
  ServiceData data = { NULL, };
  GInputStream *in;

  g_test_summary ("A client coroutine connects to a GSocketService on 127.0.0.1, reads "
                  "its greeting, and is cancelled while reading: G_IO_ERROR_CANCELLED, "
                  "and the connection closes cleanly.");

  service_start (&data);
  data.client = g_socket_client_new ();
  run_and_cancel (client_body, &data, &data.reading);

  g_assert_nonnull (data.accepted);
  g_assert_nonnull (data.connection);
  g_assert_null (data.bytes);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  in = g_io_stream_get_input_stream (G_IO_STREAM (data.connection));
  g_assert_false (g_input_stream_has_pending (in));

  /* No operation is pending, so closing succeeds (it would fail with
   * G_IO_ERROR_PENDING otherwise). */
  g_io_stream_close (G_IO_STREAM (data.connection), NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (data.accepted), NULL, &error);
  g_assert_no_error (error);

  g_clear_error (&data.error);
  g_assert_finalize_object (data.connection);
  g_assert_finalize_object (data.accepted);
  unref_and_wait_finalized (data.client);
  service_stop (&data);
}

/* Subprocesses */

typedef struct
{
  GSubprocess *process;
  gboolean     started;
  gboolean     ok;
  char        *out;
  char        *err;
  GError      *error;
} ProcessData;

static GSubprocess *
spawn (GSubprocessFlags    flags,
       const char * const *argv)
{
  g_autoptr (GError) error = NULL;
  GSubprocess *process = g_subprocess_newv (argv, flags, &error);

  g_assert_no_error (error);
  return process;
}

static gboolean
wait_body (gpointer   user_data,
           GError   **error)
{
  ProcessData *data = user_data;

  data->started = TRUE;
  data->ok = gco_subprocess_wait (data->process, &data->error);
  return TRUE;
}

static void
test_subprocess_wait (void)
{
  const char * const argv[] = { "sh", "-c", "exit 3", NULL };
  ProcessData data = { NULL, };

  g_test_summary ("gco_subprocess_wait() returns once the process exited; its exit "
                  "status is not an error.");

  data.process = spawn (G_SUBPROCESS_FLAGS_NONE, argv);
  run_coroutine (wait_body, &data);

  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_true (g_subprocess_get_if_exited (data.process));
  g_assert_cmpint (g_subprocess_get_exit_status (data.process), ==, 3);
  unref_and_wait_finalized (data.process);
}

static void
assert_killed (GSubprocess *process)
{
  /* These getters are only valid once the process was reaped. */
  g_assert_false (g_subprocess_get_if_exited (process));
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
}

static void
test_subprocess_wait_cancelled (void)
{
  const char * const argv[] = { "sleep", "30", NULL };
  ProcessData data = { NULL, };

  g_test_summary ("Cancelling a coroutine that waits for a process kills the process; "
                  "the wait returns G_IO_ERROR_CANCELLED only once it was reaped.");

  data.process = spawn (G_SUBPROCESS_FLAGS_NONE, argv);
  run_and_cancel (wait_body, &data, &data.started);

  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (data.ok);
  assert_killed (data.process);
  g_clear_error (&data.error);
  unref_and_wait_finalized (data.process);
}

static gboolean
communicate_body (gpointer   user_data,
                  GError   **error)
{
  ProcessData *data = user_data;

  data->started = TRUE;
  data->ok = gco_subprocess_communicate_utf8 (data->process, "hello\nworld\n", &data->out,
                                              &data->err, &data->error);
  return TRUE;
}

static void
test_subprocess_communicate (void)
{
  const char * const argv[] = { "cat", NULL };
  ProcessData data = { NULL, };

  g_test_summary ("gco_subprocess_communicate_utf8() feeds `cat` its input and returns "
                  "its output once it exited.");

  data.process = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
  run_coroutine (communicate_body, &data);

  g_assert_no_error (data.error);
  g_assert_true (data.ok);
  g_assert_cmpstr (data.out, ==, "hello\nworld\n");
  g_assert_null (data.err);
  g_assert_true (g_subprocess_get_successful (data.process));
  g_free (data.out);
  unref_and_wait_finalized (data.process);
}

static gboolean
communicate_no_input_body (gpointer   user_data,
                           GError   **error)
{
  ProcessData *data = user_data;

  data->started = TRUE;
  data->ok = gco_subprocess_communicate_utf8 (data->process, NULL, &data->out, &data->err,
                                              &data->error);
  return TRUE;
}

static void
test_subprocess_communicate_cancelled (void)
{
  const char * const argv[] = { "sleep", "30", NULL };
  ProcessData data = { NULL, };

  g_test_summary ("Cancelling a communication kills the process and returns "
                  "G_IO_ERROR_CANCELLED once it was reaped, with no output.");

  data.process = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, argv);
  run_and_cancel (communicate_no_input_body, &data, &data.started);

  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (data.ok);
  g_assert_null (data.out);
  g_assert_null (data.err);
  assert_killed (data.process);
  g_clear_error (&data.error);
  unref_and_wait_finalized (data.process);
}

/* D-Bus on a private bus */

typedef struct
{
  GDBusConnection *connection;
  char            *id;
  gboolean         listed_self;
  GError          *error;
} DBusData;

static gboolean
dbus_body (gpointer   user_data,
           GError   **error)
{
  DBusData *data = user_data;
  g_autoptr (GVariant) id = NULL;
  g_autoptr (GVariant) names = NULL;
  g_autoptr (GVariant) failed = NULL;
  g_autofree const char **strv = NULL;

  id = gco_dbus_connection_call (data->connection, "org.freedesktop.DBus",
                                 "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                                 NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                 error);
  if (id == NULL)
    return FALSE;
  g_variant_get (id, "(s)", &data->id);

  names = gco_dbus_connection_call (data->connection, "org.freedesktop.DBus",
                                    "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                    "ListNames", g_variant_new ("()"),
                                    G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, -1, error);
  if (names == NULL)
    return FALSE;
  g_variant_get (names, "(^a&s)", &strv);
  data->listed_self = g_strv_contains (strv, g_dbus_connection_get_unique_name (data->connection));

  /* An error reply is a GError. */
  failed = gco_dbus_connection_call (data->connection, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                     "NoSuchMethod", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1,
                                     &data->error);
  g_assert_null (failed);
  return TRUE;
}

/* Starts a private bus and connects to it; FALSE (the test skipped) without
 * dbus-daemon. */
static gboolean
dbus_up (GTestDBus       **bus,
         GDBusConnection **connection)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *daemon = g_find_program_in_path ("dbus-daemon");

  if (daemon == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      return FALSE;
    }

  *bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (*bus);
  *connection =
    g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (*bus),
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                            | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
dbus_down (GTestDBus       *bus,
           GDBusConnection *connection)
{
  g_autoptr (GError) error = NULL;

  g_dbus_connection_close_sync (connection, NULL, &error);
  g_assert_no_error (error);
  /* Its worker thread and the ::closed emission let go of it shortly. */
  unref_and_wait_finalized (connection);
  g_test_dbus_down (bus);
  g_assert_finalize_object (bus);
}

static void
test_dbus_call (void)
{
  g_autofree char *remote = NULL;
  GTestDBus *bus = NULL;
  DBusData data = { NULL, };

  g_test_summary ("gco_dbus_connection_call() calls the bus itself (GetId, ListNames) on a "
                  "private GTestDBus bus; an error reply is a GError.");

  if (!dbus_up (&bus, &data.connection))
    return;

  run_coroutine (dbus_body, &data);

  g_assert_nonnull (data.id);
  g_assert_cmpuint (strlen (data.id), ==, 32);   /* a hex UUID */
  g_assert_true (data.listed_self);
  g_assert_true (g_dbus_error_is_remote_error (data.error));
  remote = g_dbus_error_get_remote_error (data.error);
  g_assert_cmpstr (remote, ==, "org.freedesktop.DBus.Error.UnknownMethod");

  g_free (data.id);
  g_clear_error (&data.error);
  dbus_down (bus, data.connection);
}

/* A method that never replies until the test says so. */
static const char hang_xml[] =
  "<node>"
  "  <interface name='org.gco.Test'>"
  "    <method name='Hang'/>"
  "  </interface>"
  "</node>";

typedef struct
{
  GDBusConnection       *connection;
  GDBusMethodInvocation *invocation;
  gboolean               called;
  GVariant              *reply;
  GError                *error;
} HangData;

static void
hang_method_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  HangData *data = user_data;

  g_assert_null (data->invocation);
  data->invocation = invocation;   /* owned until answered */
  data->called = TRUE;
}

static const GDBusInterfaceVTable hang_vtable = { hang_method_cb, NULL, NULL, { NULL, } };

static gboolean
hang_body (gpointer   user_data,
           GError   **error)
{
  HangData *data = user_data;

  /* Calls its own connection, through the bus. */
  data->reply = gco_dbus_connection_call (data->connection,
                                          g_dbus_connection_get_unique_name (data->connection),
                                          "/org/gco/Test", "org.gco.Test", "Hang", NULL, NULL,
                                          G_DBUS_CALL_FLAGS_NONE, G_MAXINT, &data->error);
  return TRUE;
}

static void
test_dbus_call_cancelled (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) node = NULL;
  GTestDBus *bus = NULL;
  HangData data = { NULL, };
  GcoScope *scope;
  GcoJob *job;
  guint id;

  g_test_summary ("A D-Bus call cancelled while the peer has not answered returns "
                  "G_IO_ERROR_CANCELLED; the late answer is dropped.");

  if (!dbus_up (&bus, &data.connection))
    return;
  node = g_dbus_node_info_new_for_xml (hang_xml, &error);
  g_assert_no_error (error);
  id = g_dbus_connection_register_object (data.connection, "/org/gco/Test",
                                          node->interfaces[0], &hang_vtable, &data, NULL,
                                          &error);
  g_assert_no_error (error);

  scope = gco_scope_new (NULL, NULL);
  job = gco_launch_job (scope, hang_body, &data, NULL);
  /* The method was called: the call is in flight. */
  gco_test_run_until (NULL, &data.called);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_null (data.reply);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  finish_scope (scope);
  gco_test_assert_finalize_job (job);

  /* The answer comes too late for anyone; it must not disturb anything. */
  g_dbus_method_invocation_return_value (g_steal_pointer (&data.invocation), NULL);
  g_assert_true (g_dbus_connection_unregister_object (data.connection, id));
  g_assert_true (g_dbus_connection_flush_sync (data.connection, NULL, &error));
  g_assert_no_error (error);

  g_clear_error (&data.error);
  dbus_down (bus, data.connection);
}

/* Bad input */

#define EXPECT_CRITICAL() \
  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*assertion*")

static void
test_bad_input (void)
{
  g_autoptr (GError) error = NULL;
  GFile *file = g_file_new_for_path ("/");
  GSocketClient *client = g_socket_client_new ();
  GOutputStream *out = g_memory_output_stream_new_resizable ();
  gsize written = 1;
  char *out_buf = (char *) "untouched";

  g_test_summary ("NULL objects and buffers are criticals with a safe return, before any "
                  "operation starts; floating D-Bus parameters are consumed all the same.");

  EXPECT_CRITICAL ();
  g_assert_null (gco_file_load_contents (NULL, NULL, NULL, &error));
  EXPECT_CRITICAL ();
  g_assert_false (gco_file_replace_contents (NULL, "x", 1, NULL, FALSE, G_FILE_CREATE_NONE,
                                             NULL, &error));
  EXPECT_CRITICAL ();
  g_assert_false (gco_file_replace_contents (file, NULL, 1, NULL, FALSE, G_FILE_CREATE_NONE,
                                             NULL, &error));
  EXPECT_CRITICAL ();
  g_assert_null (gco_file_enumerate_children (NULL, "*", G_FILE_QUERY_INFO_NONE, &error));
  EXPECT_CRITICAL ();
  g_assert_null (gco_file_enumerate_children (file, NULL, G_FILE_QUERY_INFO_NONE, &error));
  EXPECT_CRITICAL ();
  g_assert_null (gco_input_stream_read_bytes (NULL, 1, G_PRIORITY_DEFAULT, &error));
  EXPECT_CRITICAL ();
  g_assert_false (gco_output_stream_write_all (NULL, "x", 1, &written, G_PRIORITY_DEFAULT,
                                               &error));
  g_assert_cmpuint (written, ==, 0);
  EXPECT_CRITICAL ();
  g_assert_false (gco_output_stream_write_all (out, NULL, 1, NULL, G_PRIORITY_DEFAULT, &error));
  EXPECT_CRITICAL ();
  g_assert_false (gco_subprocess_wait (NULL, &error));
  EXPECT_CRITICAL ();
  g_assert_false (gco_subprocess_communicate_utf8 (NULL, NULL, &out_buf, NULL, &error));
  g_assert_null (out_buf);
  EXPECT_CRITICAL ();
  g_assert_null (gco_socket_client_connect_to_host (NULL, "localhost:1", 0, &error));
  EXPECT_CRITICAL ();
  g_assert_null (gco_socket_client_connect_to_host (client, NULL, 1, &error));
  EXPECT_CRITICAL ();
  g_assert_null (gco_dbus_connection_call (NULL, NULL, "/", NULL, "Ping",
                                           g_variant_new ("(s)", "consumed"), NULL,
                                           G_DBUS_CALL_FLAGS_NONE, -1, &error));
  g_test_assert_expected_messages ();

  /* None of them reported a runtime error: they are programmer errors. */
  g_assert_no_error (error);

  /* Nothing started, so nothing holds these. */
  g_assert_finalize_object (file);
  g_assert_finalize_object (client);
  g_assert_finalize_object (out);
}

static void
test_not_in_coroutine (void)
{
  g_autoptr (GError) error = NULL;
  GFile *file = g_file_new_for_path ("/");

  g_test_summary ("A helper called outside a coroutine is a critical and "
                  "GCO_ERROR_NOT_IN_COROUTINE; no operation starts.");

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*must be made on a coroutine*");
  g_assert_null (gco_file_load_contents (file, NULL, NULL, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, GCO_ERROR, GCO_ERROR_NOT_IN_COROUTINE);

  /* Nothing was started that could call back later or hold the file. */
  gco_test_drain (NULL);
  g_assert_finalize_object (file);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The typed GIO helpers on real GIO: files, streams, a TCP service, "
                  "subprocesses and D-Bus; their cancellation, and bad input.");

  g_test_add_func ("/gco/gio-ops/file/load-replace", test_file_load_replace);
  g_test_add_func ("/gco/gio-ops/file/load-cancelled", test_file_load_cancelled);
  g_test_add_func ("/gco/gio-ops/file/enumerate", test_file_enumerate);
  g_test_add_func ("/gco/gio-ops/file/enumerate-cancelled", test_file_enumerate_cancelled);
  g_test_add_func ("/gco/gio-ops/file/enumerate-cancelled-sweep",
                   test_file_enumerate_cancelled_sweep);
  g_test_add_func ("/gco/gio-ops/prompt-cancellation", test_prompt_cancellation);
  g_test_add_func ("/gco/gio-ops/stream/read-cancelled", test_stream_read_cancelled);
  g_test_add_func ("/gco/gio-ops/socket/service-read-cancelled", test_socket_service);
  g_test_add_func ("/gco/gio-ops/child-process/wait", test_subprocess_wait);
  g_test_add_func ("/gco/gio-ops/child-process/wait-cancelled", test_subprocess_wait_cancelled);
  g_test_add_func ("/gco/gio-ops/child-process/communicate", test_subprocess_communicate);
  g_test_add_func ("/gco/gio-ops/child-process/communicate-cancelled",
                   test_subprocess_communicate_cancelled);
  g_test_add_func ("/gco/gio-ops/dbus/call", test_dbus_call);
  g_test_add_func ("/gco/gio-ops/dbus/call-cancelled", test_dbus_call_cancelled);
  g_test_add_func ("/gco/gio-ops/bad-input/null", test_bad_input);
  g_test_add_func ("/gco/gio-ops/bad-input/not-in-coroutine", test_not_in_coroutine);

  return g_test_run ();
}
