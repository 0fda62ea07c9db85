/* gco-file.c: loading, replacing and listing files from a coroutine
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each helper is one GIO `_async` call awaited through a GcoAsyncOp, with the
 * current job's cancellable. The preconditions GIO checks with
 * g_return_if_fail() are checked here first: GIO would return without ever
 * running the callback, and the await would wait for it forever.
 */

#include "gco-config.h"

#include <gco/gco.h>

#include "gco-coroutine-private.h"

/* How many GFileInfos one next_files_async() asks for. */
#define ENUMERATE_BATCH 64

/**
 * gco_file_load_contents:
 * @file: the file to load
 * @length_out: (out) (optional): return location for the length of the contents
 * @etag_out: (out) (optional) (transfer full) (nullable): return location for
 *   the file's entity tag
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Loads the whole contents of @file with g_file_load_contents_async().
 * Suspends the calling coroutine until they are loaded; its thread keeps
 * running.
 *
 * If the coroutine is cancelled meanwhile, the load is cancelled through the
 * job's cancellable and the call returns %NULL with `G_IO_ERROR_CANCELLED`
 * once GIO has finished with it; contents that were loaded in the same
 * instant are freed.
 *
 * Returns: (transfer full) (nullable): the contents, with a NUL byte after
 *   them (not counted in @length_out), or %NULL with @error set
 *
 * Since: 0.1
 */
char *
gco_file_load_contents (GFile   *file,
                        gsize   *length_out,
                        char   **etag_out,
                        GError **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;
  char *contents = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return NULL;

  g_file_load_contents_async (file, gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return NULL;

  if (!g_file_load_contents_finish (file, result, &contents, length_out, etag_out, error))
    return NULL;

  return contents;
}

/**
 * gco_file_replace_contents:
 * @file: the file to replace
 * @contents: (array length=length) (element-type guint8): the new contents
 * @length: the length of @contents in bytes
 * @etag: (nullable): the entity tag of the file as last read, or %NULL
 * @make_backup: whether to keep a backup of the old file
 * @flags: how to create the file
 * @new_etag_out: (out) (optional) (transfer full) (nullable): return location
 *   for the new entity tag
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Replaces the contents of @file, safely (written to a temporary file and
 * renamed), with g_file_replace_contents_async(). Suspends the calling
 * coroutine until the file is written. @contents must stay valid until the
 * call returns, which it does on the caller's stack.
 *
 * If the coroutine is cancelled meanwhile, the write is cancelled through the
 * job's cancellable and the call returns %FALSE with `G_IO_ERROR_CANCELLED`
 * once GIO has finished with it. The file then holds either its old or, if
 * the write completed in the same instant, its new contents, never a mix.
 *
 * Returns: %TRUE when the file was replaced; %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
gco_file_replace_contents (GFile             *file,
                           const char        *contents,
                           gsize              length,
                           const char        *etag,
                           gboolean           make_backup,
                           GFileCreateFlags   flags,
                           char             **new_etag_out,
                           GError           **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return FALSE;

  g_file_replace_contents_async (file, contents, length, etag, make_backup, flags,
                                 gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return FALSE;

  return g_file_replace_contents_finish (file, result, new_etag_out, error);
}

/* Directory listing */

/* Closes @enumerator and waits until it is closed, also in a coroutine being
 * cancelled: no cancellable is given, so the close runs to its end, and the
 * await returns only after its callback. */
static gboolean
close_enumerator (GFileEnumerator  *enumerator,
                  GError          **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;

  g_file_enumerator_close_async (enumerator, G_PRIORITY_DEFAULT, NULL,
                                 gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return FALSE;

  return g_file_enumerator_close_finish (enumerator, result, error);
}

/* Appends the next batch to *@list (whose last link is *@last); FALSE at the
 * end of the directory or on error. */
static gboolean
next_batch (GFileEnumerator  *enumerator,
            GList           **list,
            GList           **last,
            GError          **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;
  GList *batch;

  g_file_enumerator_next_files_async (enumerator, ENUMERATE_BATCH, G_PRIORITY_DEFAULT,
                                      gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return FALSE;

  batch = g_file_enumerator_next_files_finish (enumerator, result, error);
  if (batch == NULL)
    return FALSE;

  /* Linked at the tail in O(batch): a large directory stays linear. */
  if (*last == NULL)
    *list = batch;
  else
    {
      (*last)->next = batch;
      batch->prev = *last;
    }
  *last = g_list_last (batch);

  return TRUE;
}

/**
 * gco_file_enumerate_children:
 * @file: the directory to list
 * @attributes: the attributes to query, as for g_file_enumerate_children()
 *   (`"standard::name,standard::type"`, `"*"`)
 * @flags: how to query them
 * @error: return location for the failure or `G_IO_ERROR_CANCELLED`
 *
 * Lists the children of the directory @file with
 * g_file_enumerate_children_async(), g_file_enumerator_next_files_async() in
 * batches until the end, and g_file_enumerator_close_async(). Suspends the
 * calling coroutine until the whole directory is read; its thread keeps
 * running.
 *
 * An empty directory also returns %NULL: tell it from a failure by @error.
 *
 * If the coroutine is cancelled meanwhile, the listing is cancelled through
 * the job's cancellable; the enumerator is closed (which is not cancelled),
 * what was read is freed, and the call returns %NULL with
 * `G_IO_ERROR_CANCELLED`.
 *
 * Returns: (transfer full) (element-type GFileInfo) (nullable): the children,
 *   in the order the file system gave them, or %NULL for an empty directory
 *   or with @error set
 *
 * Since: 0.1
 */
GList *
gco_file_enumerate_children (GFile                *file,
                             const char           *attributes,
                             GFileQueryInfoFlags   flags,
                             GError              **error)
{
  GcoAsyncOp op = GCO_ASYNC_OP_INIT;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GFileEnumerator) enumerator = NULL;
  g_autoptr (GError) local_error = NULL;
  GList *infos = NULL;
  GList *last = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (attributes != NULL, NULL);
  if (gco__coroutine_get_checked (G_STRFUNC, error) == NULL)
    return NULL;

  g_file_enumerate_children_async (file, attributes, flags, G_PRIORITY_DEFAULT,
                                   gco_cancellable (), gco_async_op_callback, &op);
  result = gco_async_op_await (&op, error);
  if (result == NULL)
    return NULL;
  enumerator = g_file_enumerate_children_finish (file, result, error);
  if (enumerator == NULL)
    return NULL;

  while (next_batch (enumerator, &infos, &last, &local_error))
    ;

  /* The first failure wins: a listing error, or else the close's. */
  if (!close_enumerator (enumerator, local_error == NULL ? &local_error : NULL)
      || local_error != NULL)
    {
      g_list_free_full (infos, g_object_unref);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return infos;
}
