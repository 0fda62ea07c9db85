/* gco-fiber.c: stackful fibers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A fiber is its stack: the GcoFiber sits in the highest bytes of the stack
 * region, below the stack's descriptor and above the first frame, so a new
 * fiber costs no allocation besides its stack and a suspended fiber that
 * uses little stack costs one page.
 *
 * The switch path (resume, suspend) makes no system call, takes no lock and
 * allocates nothing: a few stores, a canary check and the register switch.
 */

#include "gco-fiber-private.h"
#include "gco-stack-private.h"
#include "gco-switch-private.h"

typedef enum
{
  FIBER_NEW,
  FIBER_RUNNING,
  FIBER_SUSPENDED,
  FIBER_FINISHED,
} FiberState;

struct _GcoFiber
{
  GcoSwitchFiber  sw;
  GcoStack       *stack;
  GcoFiberFunc    func;
  gpointer        data;
  gconstpointer   thread;  /* the thread that first resumed it, see thread_tag() */
  FiberState      state;
};

/* initial-exec: read on every switch; see gco-util-private.h. */
static __thread __attribute__ ((tls_model ("initial-exec"))) GcoFiber *current;

/* Identifies the calling thread: the address of a thread-local variable is
 * unique among live threads and costs no call, unlike g_thread_self(). */
static inline gconstpointer
thread_tag (void)
{
  return &current;
}

/* The first frame on a fiber's stack; never returns. */
static void
fiber_main (gpointer arg)
{
  GcoFiber *fiber = arg;

  gco__switch_fiber_started (&fiber->sw);
  fiber->func (fiber->data);

  gco__stack_check_canary (fiber->stack);
  fiber->state = FIBER_FINISHED;
  gco__switch_fiber_leave_final (&fiber->sw);
}

GcoFiber *
gco__fiber_new (gsize          stack_size,
                GcoFiberFunc   func,
                gpointer       data,
                GError       **error)
{
  GcoStack *stack;
  GcoFiber *fiber;
  guint8 *bottom;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stack = gco__stack_new (stack_size != 0 ? stack_size : gco__fiber_get_default_stack_size (),
                          error);
  if (stack == NULL)
    return NULL;

  bottom = stack->bottom;
  fiber = (GcoFiber *) (((guintptr) gco__stack_get_top (stack) - sizeof (GcoFiber)) &
                        ~(guintptr) 63);
  *fiber = (GcoFiber) {
    .stack = stack,
    .func = func,
    .data = data,
    .state = FIBER_NEW,
  };
  gco__switch_fiber_init (&fiber->sw, bottom, (gsize) ((guint8 *) fiber - bottom),
                          fiber_main, fiber);
  return fiber;
}

void
gco__fiber_free (GcoFiber *fiber)
{
  if (fiber == NULL)
    return;

  g_assert (fiber->state == FIBER_NEW || fiber->state == FIBER_FINISHED);

  gco__switch_fiber_destroy (&fiber->sw);
  gco__stack_free (fiber->stack);
}

void
gco__fiber_resume (GcoFiber *fiber)
{
  GcoFiber *resumer = current;

  g_assert (fiber->state == FIBER_NEW || fiber->state == FIBER_SUSPENDED);

  /* The thread-local state a fiber's code sees (this file's `current`,
   * errno, GLib's and the application's) would silently change under it on
   * another thread, and compilers cache thread-local addresses across calls. */
  if (fiber->thread == NULL)
    fiber->thread = thread_tag ();
  g_assert (fiber->thread == thread_tag ());

  fiber->state = FIBER_RUNNING;
  current = fiber;
  gco__switch_fiber_enter (&fiber->sw);
  current = resumer;
}

void
gco__fiber_suspend (void)
{
  GcoFiber *fiber = current;

  g_assert (fiber != NULL);

  gco__stack_check_canary (fiber->stack);
  fiber->state = FIBER_SUSPENDED;
  gco__switch_fiber_leave (&fiber->sw);
}

gboolean
gco__fiber_is_finished (GcoFiber *fiber)
{
  return fiber->state == FIBER_FINISHED;
}

GcoFiber *
gco__fiber_get_current (void)
{
  return current;
}

gsize
gco__fiber_get_stack_size (GcoFiber *fiber)
{
  return fiber->stack->size;
}

gboolean
gco__fiber_has_guard_page (GcoFiber *fiber)
{
  return fiber->stack->guarded;
}

gpointer
gco__fiber_get_stack_bottom (GcoFiber *fiber)
{
  return fiber->stack->bottom;
}
