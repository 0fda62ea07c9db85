/* gco-application-scope.c: the scope of an application, cancelled on
 * GApplication::shutdown
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-scope-holder-private.h"

/* How long ::shutdown waits for the cancelled coroutines to unwind. A
 * coroutine that ignores its cancellation (a non-cancellable block that never
 * ends) must not hang the exit forever. */
#define UNWIND_BOUND_MSEC 10000

static GQuark
application_scope_quark (void)
{
  return g_quark_from_static_string ("gco-application-scope");
}

static gboolean
unwind_bound_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Cancels the scope and iterates the main context until every coroutine of
 * the scope has finished unwinding, so g_application_run () returns only after
 * them. Connected before any handler the caller connects later, and run before
 * the class handler (::shutdown runs last), so a GtkApplication's windows
 * still exist while the coroutines unwind. */
static void
application_shutdown_cb (GApplication *application,
                         gpointer      user_data)
{
  GcoScopeHolder *holder = user_data;
  g_autoptr (GcoJob) job = gco_job_ref (gco_scope_get_job (holder->scope));
  gboolean expired = FALSE;
  guint bound_id;

  gco__scope_holder_cancel (holder);
  if (gco_job_is_completed (job))
    return;

  bound_id = g_timeout_add (UNWIND_BOUND_MSEC, unwind_bound_cb, &expired);
  while (!gco_job_is_completed (job) && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (expired)
    g_warning ("The coroutines of the scope of application %s %p did not finish "
               "unwinding within %u ms of shutdown; shutting down without them",
               G_OBJECT_TYPE_NAME (application), application, UNWIND_BOUND_MSEC);
  else
    g_source_remove (bound_id);
}

static void
application_disposed_cb (gpointer  user_data,
                         GObject  *where_the_object_was)
{
  /* An application disposed without having run: the scope still ends. */
  gco__scope_holder_cancel (user_data);
}

/**
 * gco_application_get_scope:
 * @application: a `GApplication`
 *
 * Gets the scope owned by @application: created on the first call, the same
 * instance on every later call, with a supervisor job (a failing coroutine
 * does not cancel its siblings) and the main-immediate dispatcher
 * ([func@Gco.dispatcher_get_main_immediate]). Launch here the work that
 * belongs to the whole application rather than to one window.
 *
 * The scope is cancelled on [signal@Gio.Application::shutdown], and shutdown
 * waits for its coroutines: it iterates the main context until every one of
 * them has finished unwinding (at most 10 seconds, then it logs a warning and
 * goes on), so [method@Gio.Application.run] returns only after them. If
 * @application is disposed without having shut down, the scope is cancelled
 * then, keeping @application alive until the coroutines have unwound, as with
 * [func@GcoGtk.object_get_scope].
 *
 * The scope holds no reference to @application before it is cancelled;
 * coroutines of the scope need none either.
 *
 * Returns: (transfer none): the scope of @application
 *
 * Since: 0.1
 */
GcoScope *
gco_application_get_scope (GApplication *application)
{
  GObject *object;
  GcoScopeHolder *holder;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);

  object = G_OBJECT (application);
  gco__scope_holder_lock ();
  holder = gco__scope_holder_lookup (object, application_scope_quark ());
  if (holder == NULL)
    {
      const char *id = g_application_get_application_id (application);
      g_autofree char *name =
        g_strdup_printf ("application-scope %s", id != NULL ? id : G_OBJECT_TYPE_NAME (object));

      holder = gco__scope_holder_new (object, application_scope_quark (), name, TRUE);
      g_signal_connect (application, "shutdown", G_CALLBACK (application_shutdown_cb), holder);
      g_object_weak_ref (object, application_disposed_cb, holder);
    }
  gco__scope_holder_unlock ();

  return holder->scope;
}
