/* gco-widget-scope.c: the remember-style scope of a widget, cancelled when
 * the widget is destroyed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-scope-holder-private.h"

static GQuark
widget_scope_quark (void)
{
  return g_quark_from_static_string ("gco-widget-scope");
}

static void
widget_destroy_cb (GtkWidget *widget,
                   gpointer   user_data)
{
  GcoScopeHolder *holder = user_data;

  holder->destroyed = TRUE;
  gco__scope_holder_cancel (holder);
}

/* The answer to every call off the main thread: one failed scope for the
 * process, since the widget may not be touched there to store one. */
static GcoScope *
get_off_thread_scope (void)
{
  static GcoScope *scope;

  if (g_once_init_enter (&scope))
    {
      GcoScope *failed =
        gco__scope_new_failed ("widget-scope-off-thread",
                               "gco_widget_get_scope() was called off the main thread: "
                               "widgets belong to the main thread, and a launch "
                               "into this scope never runs");

      g_once_init_leave (&scope, failed);
    }

  return scope;
}

static GcoScope *
get_destroyed_scope (GtkWidget      *widget,
                     GcoScopeHolder *holder)
{
  if (holder->failed_scope == NULL)
    {
      g_autofree char *message =
        g_strdup_printf ("gco_widget_get_scope() was called for %s %p, which was "
                         "already destroyed: a launch into this scope never runs",
                         G_OBJECT_TYPE_NAME (widget), widget);

      holder->failed_scope = gco__scope_new_failed ("widget-scope-destroyed", message);
    }

  return holder->failed_scope;
}

/**
 * gco_widget_get_scope:
 * @widget: a `GtkWidget`
 *
 * Gets the scope owned by @widget, like Compose's `rememberCoroutineScope`:
 * created on the first call, the same instance on every later call while
 * @widget lives, with a supervisor job (a failing coroutine does not cancel
 * its siblings) and the main-immediate dispatcher
 * ([func@Gco.dispatcher_get_main_immediate]): a coroutine launched from a
 * signal handler runs at once until its first suspension, so its first UI
 * change lands in the same frame. Launch here the work that answers a click
 * and must stop when the widget goes.
 *
 * The scope is cancelled when @widget is destroyed ([signal@Gtk.Widget::destroy],
 * emitted when it is disposed). Destroying a window destroys its widgets and so
 * cancels their scopes. From then on the scope keeps @widget alive (disposed,
 * not finalized) until every coroutine of the scope has finished unwinding, so
 * cleanup code may still use @widget; then @widget is finalized. No coroutine
 * of the scope runs after @widget was finalized.
 *
 * A coroutine of a widget's scope must not hold a strong reference to the
 * widget (or to an ancestor of it): the scope already guarantees that the
 * widget outlives its coroutines, and in GTK 4 a child widget is disposed,
 * and ::destroy emitted, only when its last reference goes — a reference held
 * by a coroutine is a cycle, and closing the window would never cancel the
 * coroutine. Pass the widget as a plain pointer.
 *
 * A widget built from a template clears its template children in its own
 * `dispose` ([method@Gtk.Widget.dispose_template]), which runs before
 * `GtkWidget`'s dispose emits ::destroy and so before the scope is cancelled:
 * when a suspending call of such a coroutine fails with
 * %G_IO_ERROR_CANCELLED, the template children may already be gone (their
 * pointers %NULL). Return at once then; show a "cancelled" state from the
 * code that cancels (a Cancel button's handler), not from the cancelled
 * coroutine. A scoped builder ([func@Gco.coroutine_scope]) may return a
 * child's failure rather than the cancellation: after one, ask
 * [func@Gco.ensure_active] before touching the widget. The demo's samples
 * follow these rules.
 *
 * The scope's job is named after @widget — `widget-scope GtkButton`, or
 * `widget-scope GtkButton “name”` when a name was set with
 * [method@Gtk.Widget.set_name] — for `GCO_DEBUG=jobs` and
 * [method@Gco.Job.dump].
 *
 * This function never returns %NULL for a widget. Called off the main thread,
 * or for a widget already destroyed (or being destroyed), it returns a scope
 * whose job has already failed with a %GCO_ERROR_FAILED that says why, so a
 * launch there never runs and nothing crashes. GTK 4 has no public flag for a
 * finished destruction: a widget is known to be destroyed only if its scope
 * was asked for before (or during) its destruction.
 *
 * Returns: (transfer none): the scope of @widget
 *
 * Since: 0.1
 */
GcoScope *
gco_widget_get_scope (GtkWidget *widget)
{
  GcoScopeHolder *holder;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  if (!gco__gtk_is_main_thread ())
    return get_off_thread_scope ();

  holder = gco__scope_holder_lookup (G_OBJECT (widget), widget_scope_quark ());
  if (holder == NULL)
    {
      gboolean in_destruction = gtk_widget_in_destruction (widget);
      const char *type_name = G_OBJECT_TYPE_NAME (widget);
      const char *widget_name = gtk_widget_get_name (widget);
      g_autofree char *name = NULL;

      /* Named after the widget, for GCO_DEBUG=jobs and gco_job_dump(). */
      if (g_strcmp0 (widget_name, type_name) != 0)
        name = g_strdup_printf ("widget-scope %s “%s”", type_name, widget_name);
      else
        name = g_strdup_printf ("widget-scope %s", type_name);
      holder = gco__scope_holder_new (G_OBJECT (widget), widget_scope_quark (),
                                      name, !in_destruction);
      if (in_destruction)
        holder->destroyed = TRUE;
      else
        g_signal_connect (widget, "destroy", G_CALLBACK (widget_destroy_cb), holder);
    }

  if (holder->destroyed)
    return get_destroyed_scope (widget, holder);

  return holder->scope;
}
