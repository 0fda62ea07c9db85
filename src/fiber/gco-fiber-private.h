/* gco-fiber-private.h: stackful fibers, the bottom layer of gco
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A fiber is a C function running on its own stack. The core resumes a fiber
 * from a thread's own stack (or from another fiber, for undispatched starts);
 * the fiber runs until it calls gco__fiber_suspend() or its function returns,
 * and control comes back to the gco__fiber_resume() that resumed it. A fiber
 * never migrates: it is always resumed on the thread that first resumed it.
 *
 * Nothing here knows about jobs or GLib's main loop.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GcoFiber GcoFiber;

/* The body of a fiber. When it returns, the fiber is finished and control goes
 * back to the gco__fiber_resume() that resumed it for the last time. */
typedef void (*GcoFiberFunc) (gpointer data);

/* The stack size used when a launch asks for 0: `GCO_STACK_SIZE` from the
 * environment (bytes, or with a K/M suffix), else 256 KiB. Read once. */
gsize     gco__fiber_get_default_stack_size (void);

/* Creates a fiber that will run @func (@data) on a stack of at least
 * @stack_size bytes (0 = the default). Does not run it. On failure (no address
 * space, no memory, the stack limit reached) returns NULL and sets
 * GCO_ERROR_NO_STACK: never aborts. Stacks come from a per-thread cache. */
GcoFiber *gco__fiber_new                    (gsize         stack_size,
                                             GcoFiberFunc  func,
                                             gpointer      data,
                                             GError      **error);

/* Releases a fiber that has finished or never run; its stack goes back to the
 * calling thread's cache (bounded) or to the system. */
void      gco__fiber_free                   (GcoFiber     *fiber);

/* Switches from the current context into @fiber; returns when @fiber suspends
 * or finishes. */
void      gco__fiber_resume                 (GcoFiber     *fiber);

/* From inside a running fiber: switches back to whoever resumed it. Returns
 * when the fiber is resumed again. */
void      gco__fiber_suspend                (void);

gboolean  gco__fiber_is_finished            (GcoFiber     *fiber);

/* The fiber running on this thread, or NULL on a thread's own stack. */
GcoFiber *gco__fiber_get_current            (void);

/* Bytes of the stack the fiber has (the usable size, without a guard). */
gsize     gco__fiber_get_stack_size         (GcoFiber     *fiber);

/* Whether the stack of @fiber has an inaccessible guard page below it. */
gboolean  gco__fiber_has_guard_page         (GcoFiber     *fiber);

/* The lowest usable byte of the stack of @fiber (tests, diagnostics). */
gpointer  gco__fiber_get_stack_bottom       (GcoFiber     *fiber);

typedef struct {
  guint live;       /* stacks handed out and not yet freed */
  guint guarded;    /* of those, with a guard page of their own */
  guint unguarded;  /* of those, carved from unguarded slabs */
  guint cached;     /* stacks parked in this thread's cache */
} GcoStackStats;

void      gco__stack_get_stats              (GcoStackStats *stats);

/* Test hooks. Caps the number of live stacks (0 = no cap) so that running out
 * of stacks can be tested deterministically. */
void      gco__stack_set_limit              (guint         max_live);

/* Test hooks. How many stacks may have their own guard page before new stacks
 * come from unguarded slabs; 0 restores the default, derived from
 * vm.max_map_count. */
void      gco__stack_set_guard_budget       (guint         max_guarded);

/* Whether stacks get their guard pages as guard regions (Linux 6.13's
 * MADV_GUARD_INSTALL), which cost no memory mapping. */
gboolean  gco__stack_has_guard_regions      (void);

/* Releases the calling thread's cache of stacks (also done at thread exit). */
void      gco__stack_trim_cache             (void);

G_END_DECLS
