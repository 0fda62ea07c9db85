/* gco-scope-holder.c: a scope owned by a GObject
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The object, widget and application scopes differ only in what cancels them
 * (dispose, ::destroy, ::shutdown). What they share lives here: the scope
 * stored in the object's qdata, the reference that keeps the object alive
 * while the cancelled coroutines unwind, and the failed scopes answered when
 * a scope cannot be given.
 */

#include "gco-scope-holder-private.h"

#include <pthread.h>

G_LOCK_DEFINE_STATIC (holders);

void
gco__scope_holder_lock (void)
{
  G_LOCK (holders);
}

void
gco__scope_holder_unlock (void)
{
  G_UNLOCK (holders);
}

/* The thread the program started on. A library constructor runs there when
 * the program loads, before any other thread exists. */
static pthread_t main_thread;

__attribute__ ((constructor)) static void
record_main_thread (void)
{
  main_thread = pthread_self ();
}

/* The UI thread: the one iterating the default main context, or, while no one
 * iterates it, the thread the program started on. */
gboolean
gco__gtk_is_main_thread (void)
{
  if (g_main_context_is_owner (NULL))
    return TRUE;

  return pthread_equal (pthread_self (), main_thread);
}

static void
holder_free (gpointer data)
{
  GcoScopeHolder *holder = data;

  g_clear_pointer (&holder->scope, gco_scope_unref);
  g_clear_pointer (&holder->failed_scope, gco_scope_unref);
  g_free (holder);
}

GcoScopeHolder *
gco__scope_holder_lookup (GObject *object,
                          GQuark   quark)
{
  return g_object_get_qdata (object, quark);
}

/* The object must not have a holder under @quark yet. */
GcoScopeHolder *
gco__scope_holder_new (GObject    *object,
                       GQuark      quark,
                       const char *name,
                       gboolean    with_scope)
{
  GcoScopeHolder *holder = g_new0 (GcoScopeHolder, 1);

  g_assert (g_object_get_qdata (object, quark) == NULL);

  holder->object = object;
  if (with_scope)
    {
      g_autoptr (GcoJob) job = gco_supervisor_job_new (NULL);

      gco_job_set_name (job, name);
      holder->scope = gco_scope_new (job, gco_dispatcher_get_main_immediate ());
    }
  g_object_set_qdata_full (object, quark, holder, holder_free);

  return holder;
}

static void
release_object_cb (GcoJob       *job,
                   const GError *error,
                   gpointer      user_data)
{
  /* Every coroutine of the scope has finished unwinding: the object may go.
   * This may be its last reference, finalizing it (and the holder) here. */
  g_object_unref (user_data);
}

/* Cancels the holder's scope and keeps the object alive until the scope's job
 * completed. Called from the object's dispose (a weak reference notification
 * or ::destroy) or from ::shutdown: taking a reference there resurrects the
 * object, which GObject allows; the last unref disposes it again (dispose
 * must be idempotent) and then finalizes it. A cancelled completable job
 * completes as soon as its children are done, so no gco_job_complete () is
 * needed; if it has no children, the handler runs at once and the reference
 * is dropped before dispose returns. */
void
gco__scope_holder_cancel (GcoScopeHolder *holder)
{
  GcoJob *job;

  if (holder->cancelled || holder->scope == NULL)
    return;
  holder->cancelled = TRUE;

  job = gco_scope_get_job (holder->scope);
  gco_job_cancel (job);
  gco_job_add_completion_handler (job, release_object_cb, g_object_ref (holder->object), NULL);
}

/* A scope whose job has already failed with @message: launching there creates
 * a job that is already cancelled and never runs (rule 8). */
GcoScope *
gco__scope_new_failed (const char *name,
                       const char *message)
{
  g_autoptr (GcoJob) job = gco_job_new (NULL);
  g_autoptr (GError) error = g_error_new_literal (GCO_ERROR, GCO_ERROR_FAILED, message);

  gco_job_set_name (job, name);
  gco_job_complete_with_error (job, error);

  return gco_scope_new (job, gco_dispatcher_get_main_immediate ());
}
