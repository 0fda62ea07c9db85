/* gco-dispatcher.c: dispatchers, where coroutines run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-util-private.h"

#include "gco-coroutine-private.h"
#include "gco-dispatcher-private.h"

/**
 * GcoDispatcher:
 *
 * Decides on which thread, and when, coroutines run: kotlinx's
 * `CoroutineDispatcher`. A coroutine always runs on its dispatcher's thread
 * and never migrates, so thread-local state, `errno` and GLib's per-thread
 * state stay valid across suspensions.
 *
 * The main-context dispatchers run coroutines from one `GSource` per
 * `GMainContext`: a FIFO run queue and one heap for all timers. Resuming a
 * suspended coroutine always goes through the queue, never inside the caller's
 * stack frame. The *immediate* variant (`Dispatchers.Main.immediate`) starts
 * a coroutine launched on its own thread in place, until its first
 * suspension, so a click handler's first UI change lands in the same frame.
 *
 * Since: 0.1
 */

G_DEFINE_BOXED_TYPE (GcoDispatcher, gco_dispatcher, gco_dispatcher_ref, gco_dispatcher_unref)

/* Set while a coroutine starts in place on this thread: nested starts are
 * queued instead of recursing. */
static GCO_THREAD_LOCAL gboolean in_place;

void
gco__dispatcher_init (GcoDispatcher            *self,
                      const GcoDispatcherClass *klass,
                      gboolean                  immediate)
{
  gco_ref_init (&self->ref_count);
  self->klass = klass;
  self->immediate = immediate;
}

gboolean
gco__dispatcher_can_start_in_place (GcoDispatcher *self)
{
  return !in_place &&
         gco__coroutine_get_current () == NULL &&
         self->klass->is_current_thread (self);
}

gboolean
gco__dispatcher_enter_in_place (void)
{
  gboolean was = in_place;

  in_place = TRUE;
  return was;
}

void
gco__dispatcher_leave_in_place (gboolean was_in_place)
{
  in_place = was_in_place;
}

/**
 * gco_dispatcher_ref:
 * @dispatcher: a dispatcher
 *
 * Takes a reference to @dispatcher.
 *
 * Returns: (transfer full): @dispatcher
 *
 * Since: 0.1
 */
GcoDispatcher *
gco_dispatcher_ref (GcoDispatcher *dispatcher)
{
  g_return_val_if_fail (dispatcher != NULL, NULL);

  if (!dispatcher->is_static)
    gco_ref_inc (&dispatcher->ref_count);
  return dispatcher;
}

/**
 * gco_dispatcher_unref:
 * @dispatcher: (transfer full): a dispatcher
 *
 * Releases a reference to @dispatcher. Coroutines keep their dispatcher
 * alive.
 *
 * Since: 0.1
 */
void
gco_dispatcher_unref (GcoDispatcher *dispatcher)
{
  g_return_if_fail (dispatcher != NULL);

  if (dispatcher->is_static)
    return;
  if (gco_ref_dec (&dispatcher->ref_count))
    dispatcher->klass->finalize (dispatcher);
}

/**
 * gco_dispatcher_is_immediate:
 * @dispatcher: a dispatcher
 *
 * Whether @dispatcher starts coroutines in place when launched on its own
 * thread outside a coroutine.
 *
 * Returns: %TRUE for an immediate dispatcher
 *
 * Since: 0.1
 */
gboolean
gco_dispatcher_is_immediate (GcoDispatcher *dispatcher)
{
  g_return_val_if_fail (dispatcher != NULL, FALSE);

  return dispatcher->immediate;
}

static GcoDispatcher *
get_main (gboolean immediate)
{
  static GcoDispatcher *dispatchers[2];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      dispatchers[0] = gco__main_dispatcher_new (g_main_context_default (), FALSE);
      dispatchers[1] = gco__main_dispatcher_new (g_main_context_default (), TRUE);
      dispatchers[0]->is_static = dispatchers[1]->is_static = TRUE;
      g_once_init_leave (&initialized, 1);
    }

  return dispatchers[immediate ? 1 : 0];
}

/**
 * gco_dispatcher_get_main:
 *
 * Gets the dispatcher of the global default `GMainContext`, kotlinx's
 * `Dispatchers.Main`: coroutines run on the thread that runs the main loop.
 *
 * Returns: (transfer none): the main dispatcher
 *
 * Since: 0.1
 */
GcoDispatcher *
gco_dispatcher_get_main (void)
{
  return get_main (FALSE);
}

/**
 * gco_dispatcher_get_main_immediate:
 *
 * Gets the immediate variant of the main dispatcher
 * (`Dispatchers.Main.immediate`): a coroutine launched on the main thread,
 * outside any coroutine, runs in place until its first suspension. Nested
 * starts are queued, never recursed. Resumptions always go through the queue.
 *
 * Returns: (transfer none): the immediate main dispatcher
 *
 * Since: 0.1
 */
GcoDispatcher *
gco_dispatcher_get_main_immediate (void)
{
  return get_main (TRUE);
}

/**
 * gco_dispatcher_new_for_context:
 * @context: a main context
 * @immediate: whether starts on the context's thread run in place
 *
 * Creates a dispatcher for any `GMainContext`: its coroutines run on the
 * thread that iterates @context. All dispatchers of one context share one
 * `GSource`.
 *
 * Returns: (transfer full): a new dispatcher
 *
 * Since: 0.1
 */
GcoDispatcher *
gco_dispatcher_new_for_context (GMainContext *context,
                                gboolean      immediate)
{
  g_return_val_if_fail (context != NULL, NULL);

  return gco__main_dispatcher_new (context, immediate);
}

/**
 * gco_dispatcher_get_context:
 * @dispatcher: a main-context dispatcher
 *
 * Gets the main context @dispatcher runs coroutines from.
 *
 * Returns: (transfer none): the context
 *
 * Since: 0.1
 */
GMainContext *
gco_dispatcher_get_context (GcoDispatcher *dispatcher)
{
  g_return_val_if_fail (dispatcher != NULL, NULL);

  return gco__main_dispatcher_get_context (dispatcher);
}
