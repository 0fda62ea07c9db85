/* gco-scope-holder-private.h: a scope owned by a GObject, shared by the
 * object, widget and application scopes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gco/gco-gtk.h>

G_BEGIN_DECLS

/* What an object's qdata holds for one of its scopes. The holder lives as
 * long as the object (freed at finalize); it never holds a strong reference
 * to the object, except from the moment the scope is cancelled until its job
 * has completed: that reference is what keeps the object alive (disposed, not
 * finalized) while the coroutines of the scope unwind. */
typedef struct
{
  GObject  *object;        /* not owned; see above */
  GcoScope *scope;         /* owned; NULL if the object was gone at creation */
  GcoScope *failed_scope;  /* owned; what widgets answer once destroyed */
  guint     cancelled : 1; /* gco__scope_holder_cancel () ran */
  guint     destroyed : 1; /* widgets: ::destroy was emitted */
} GcoScopeHolder;

GcoScopeHolder *gco__scope_holder_lookup (GObject        *object,
                                          GQuark          quark);
GcoScopeHolder *gco__scope_holder_new    (GObject        *object,
                                          GQuark          quark,
                                          const char     *name,
                                          gboolean        with_scope);
void            gco__scope_holder_cancel (GcoScopeHolder *holder);

GcoScope       *gco__scope_new_failed    (const char     *name,
                                          const char     *message) G_GNUC_WARN_UNUSED_RESULT;
gboolean        gco__gtk_is_main_thread  (void);

/* Serializes the creation of holders for callers on several threads (object
 * scopes may be asked for anywhere). */
void            gco__scope_holder_lock   (void);
void            gco__scope_holder_unlock (void);

G_END_DECLS
