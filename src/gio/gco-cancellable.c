/* gco-cancellable.c: jobs cancelled by a GCancellable
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-job-private.h"

/* Joins a cancellable to a job until the job completes. Each side holds a
 * reference: the cancellable's handler and the job's completion handler. */
typedef struct
{
  gint          ref_count;
  GcoJob       *job;
  GCancellable *cancellable;
  gulong        handler_id;
} Link;

static Link *
link_ref (Link *link)
{
  gco_ref_inc (&link->ref_count);
  return link;
}

static void
link_unref (gpointer data)
{
  Link *link = data;

  if (!gco_ref_dec (&link->ref_count))
    return;

  gco_job_unref (link->job);
  g_object_unref (link->cancellable);
  g_free (link);
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Link *link = user_data;

  gco_job_cancel (link->job);
}

static void
job_completed_cb (GcoJob       *job,
                  const GError *error,
                  gpointer      user_data)
{
  Link *link = user_data;

  /* Not g_cancellable_disconnect (): called from the cancelled handler
   * itself (the cancel completing the job at once), it would wait for that
   * handler to return, forever. */
  if (link->handler_id != 0)
    g_signal_handler_disconnect (link->cancellable, link->handler_id);
  link->handler_id = 0;
}

/**
 * gco_job_cancel_on_cancellable:
 * @job: a job
 * @cancellable: (nullable): a cancellable from outside gco
 *
 * Cancels @job when @cancellable is cancelled — at once if it already is —
 * until @job completes; then the connection is dropped. For a caller-supplied
 * `GCancellable`, such as the one given to an `_async` function implemented
 * with a coroutine. %NULL does nothing.
 *
 * Since: 0.1
 */
void
gco_job_cancel_on_cancellable (GcoJob       *job,
                               GCancellable *cancellable)
{
  Link *link;

  g_return_if_fail (job != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (cancellable == NULL)
    return;
  if (g_cancellable_is_cancelled (cancellable))
    {
      gco_job_cancel (job);
      return;
    }

  link = g_new0 (Link, 1);
  link->ref_count = 1;
  link->job = gco_job_ref (job);
  link->cancellable = g_object_ref (cancellable);
  link->handler_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                            link_ref (link), link_unref);
  gco_job_add_completion_handler (job, job_completed_cb, link, link_unref);
}
