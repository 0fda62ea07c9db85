/* gco-object-scope.c: a scope owned by any GObject, cancelled on dispose
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-scope-holder-private.h"

static GQuark
object_scope_quark (void)
{
  return g_quark_from_static_string ("gco-object-scope");
}

static void
object_disposed_cb (gpointer  user_data,
                    GObject  *where_the_object_was)
{
  /* Weak references are notified from GObject's own dispose, after the
   * subclasses' dispose ran; the object's memory is still valid. */
  gco__scope_holder_cancel (user_data);
}

/**
 * gco_object_get_scope:
 * @object: a `GObject`
 *
 * Gets the scope owned by @object: created on the first call, the same
 * instance on every later call, with a supervisor job (a failing coroutine
 * does not cancel its siblings) and the main-immediate dispatcher
 * ([func@Gco.dispatcher_get_main_immediate]). Use it for coroutines that
 * belong to a view model, a controller or any other object.
 *
 * The scope is cancelled when @object is disposed (its last reference goes, or
 * [method@GObject.Object.run_dispose]). The scope holds no reference to @object
 * before that, so coroutines of the scope need none either: a strong
 * reference held by a coroutine would keep @object alive, and the scope would
 * never be cancelled. From its dispose on, the scope keeps @object alive
 * (disposed, not finalized) until every coroutine of the scope has finished
 * unwinding, so cleanup code may still use @object; then @object is
 * finalized. No coroutine of the scope runs after @object was finalized, and
 * a launch into the cancelled scope never runs.
 *
 * Asked for again once @object was disposed, it returns the same, cancelled
 * scope. May be called on any thread that holds a reference to @object.
 *
 * Returns: (transfer none): the scope of @object
 *
 * Since: 0.1
 */
GcoScope *
gco_object_get_scope (GObject *object)
{
  GcoScopeHolder *holder;

  g_return_val_if_fail (G_IS_OBJECT (object), NULL);

  gco__scope_holder_lock ();
  holder = gco__scope_holder_lookup (object, object_scope_quark ());
  if (holder == NULL)
    {
      g_autofree char *name = g_strdup_printf ("object-scope %s", G_OBJECT_TYPE_NAME (object));

      holder = gco__scope_holder_new (object, object_scope_quark (), name, TRUE);
      g_object_weak_ref (object, object_disposed_cb, holder);
    }
  gco__scope_holder_unlock ();

  return holder->scope;
}
