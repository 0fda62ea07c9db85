/* gco-deferred.c: jobs with a result
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-job-private.h"

/**
 * GcoDeferred:
 *
 * A job with a result slot: kotlinx's `Deferred`. [func@Gco.async] returns
 * one running a coroutine; [ctor@Gco.Deferred.new] makes one completed by
 * hand (`CompletableDeferred`). A deferred is a job: cast it with
 * [func@Gco.JOB] to join, cancel or add handlers.
 *
 * Since: 0.1
 */

G_DEFINE_BOXED_TYPE (GcoDeferred, gco_deferred, gco_deferred_ref, gco_deferred_unref)

static inline gboolean
is_deferred (GcoDeferred *deferred)
{
  return (((GcoJob *) deferred)->traits & GCO_JOB_FLAG_DEFERRED) != 0;
}

/**
 * gco_deferred_new:
 * @parent: (nullable): the parent job
 *
 * Creates a deferred completed by [method@Gco.Deferred.complete]:
 * kotlinx's `CompletableDeferred`.
 *
 * Returns: (transfer full): a new deferred
 *
 * Since: 0.1
 */
GcoDeferred *
gco_deferred_new (GcoJob *parent)
{
  return (GcoDeferred *) gco__job_new_plain (parent, GCO_JOB_FLAG_DEFERRED);
}

/**
 * gco_deferred_ref:
 * @deferred: a deferred
 *
 * Takes a reference to @deferred.
 *
 * Returns: (transfer full): @deferred
 *
 * Since: 0.1
 */
GcoDeferred *
gco_deferred_ref (GcoDeferred *deferred)
{
  g_return_val_if_fail (deferred != NULL, NULL);

  return (GcoDeferred *) gco_job_ref ((GcoJob *) deferred);
}

/**
 * gco_deferred_unref:
 * @deferred: (transfer full): a deferred
 *
 * Releases a reference to @deferred; the last one releases its value.
 *
 * Since: 0.1
 */
void
gco_deferred_unref (GcoDeferred *deferred)
{
  g_return_if_fail (deferred != NULL);

  gco_job_unref ((GcoJob *) deferred);
}

/**
 * gco_deferred_get_job:
 * @deferred: a deferred
 *
 * Gets @deferred as a job, like [func@Gco.JOB].
 *
 * Returns: (transfer none): @deferred's job
 *
 * Since: 0.1
 */
GcoJob *
gco_deferred_get_job (GcoDeferred *deferred)
{
  g_return_val_if_fail (deferred != NULL, NULL);

  return (GcoJob *) deferred;
}

/**
 * gco_deferred_complete:
 * @deferred: a deferred made with [ctor@Gco.Deferred.new]
 * @value: (nullable) (transfer full): the value
 * @value_destroy: (nullable): releases @value
 *
 * Completes @deferred with @value. The deferred owns @value from now on: if it
 * was already cancelled, @value is released at once. Completing twice is a
 * programmer error.
 *
 * Returns: %TRUE if this call completed @deferred
 *
 * Since: 0.1
 */
gboolean
gco_deferred_complete (GcoDeferred    *deferred,
                       gpointer        value,
                       GDestroyNotify  value_destroy)
{
  g_return_val_if_fail (deferred != NULL, FALSE);
  g_return_val_if_fail (is_deferred (deferred), FALSE);

  return gco__job_complete ((GcoJob *) deferred, NULL, value, value_destroy);
}

/**
 * gco_deferred_complete_with_error:
 * @deferred: a deferred made with [ctor@Gco.Deferred.new]
 * @error: the failure
 *
 * Completes @deferred with a failure, which its awaiters receive.
 *
 * Returns: %TRUE if this call completed @deferred
 *
 * Since: 0.1
 */
gboolean
gco_deferred_complete_with_error (GcoDeferred  *deferred,
                                  const GError *error)
{
  g_return_val_if_fail (deferred != NULL, FALSE);
  g_return_val_if_fail (is_deferred (deferred), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  return gco__job_complete ((GcoJob *) deferred, g_error_copy (error), NULL, NULL);
}

/**
 * gco_deferred_get_value:
 * @deferred: a deferred
 *
 * Gets the value of a deferred that completed normally, without suspending:
 * kotlinx's `getCompleted`.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if @deferred has
 *   not completed normally
 *
 * Since: 0.1
 */
gpointer
gco_deferred_get_value (GcoDeferred *deferred)
{
  GcoJob *job = (GcoJob *) deferred;

  g_return_val_if_fail (deferred != NULL, NULL);
  g_return_val_if_fail (is_deferred (deferred), NULL);

  if (gco_job_get_state (job) != GCO_JOB_STATE_COMPLETED)
    return NULL;

  return job->value;
}
