/* gco-switch-private.h: context switching, and every platform #if for it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This header is the only place that knows how a context switch is done on
 * this platform and which tools must be told about it. Everything above it
 * (gco-fiber.c, gco-stack.c) is plain C.
 *
 * Two backends, chosen by the build (meson option `fiber_backend`):
 *
 * - GCO_FIBER_BACKEND_ASM: gco-switch-<cpu>.S saves the callee-saved
 *   registers, the stack pointer and the floating-point control words on the
 *   stack being left, and restores them from the stack being entered. A
 *   context is then just a saved stack pointer.
 * - GCO_FIBER_BACKEND_UCONTEXT: getcontext/makecontext/swapcontext, for
 *   other architectures. About 20 times slower, because glibc's swapcontext
 *   makes a sigprocmask system call on every switch.
 *
 * On top of the raw switch, GcoSwitchFiber tells the tools that track stacks
 * about every switch:
 *
 * - AddressSanitizer must know the bounds of the stack being entered
 *   (__sanitizer_start_switch_fiber) and gets back those of the stack left
 *   (__sanitizer_finish_switch_fiber); leaving a fiber for the last time
 *   passes NULL so its fake stack is freed.
 * - ThreadSanitizer keeps a shadow "fiber" per execution context
 *   (__tsan_switch_to_fiber), synchronising each switch so the fibers of one
 *   thread are ordered.
 * - Valgrind is told which memory ranges are stacks
 *   (VALGRIND_STACK_REGISTER), so a stack pointer jumping between them is a
 *   switch rather than a huge frame.
 */

#pragma once

#include <stddef.h>
#include <stdint.h>

/* Backend */

#if defined(GCO_FIBER_BACKEND_ASM)
# if defined(__x86_64__) || defined(__aarch64__)
#  define GCO_SWITCH_ASM 1
# else
#  error "The asm fiber backend exists for x86_64 and aarch64 only: use -Dfiber_backend=ucontext"
# endif
#elif defined(GCO_FIBER_BACKEND_UCONTEXT)
# define GCO_SWITCH_UCONTEXT 1
# include <ucontext.h>
#else
# error "Build with -DGCO_FIBER_BACKEND_ASM=1 or -DGCO_FIBER_BACKEND_UCONTEXT=1"
#endif

/* Tools. GCC before 14 has no __has_feature but defines __SANITIZE_*__. */

#if defined(__SANITIZE_ADDRESS__)
# define GCO_SWITCH_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define GCO_SWITCH_ASAN 1
# endif
#endif

#if defined(__SANITIZE_THREAD__)
# define GCO_SWITCH_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define GCO_SWITCH_TSAN 1
# endif
#endif

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  define GCO_SWITCH_VALGRIND 1
# endif
#endif

#if defined(GCO_SWITCH_ASAN)
# include <sanitizer/asan_interface.h>
# include <sanitizer/common_interface_defs.h>
#endif
#if defined(GCO_SWITCH_TSAN)
# include <sanitizer/tsan_interface.h>
#endif
#if defined(GCO_SWITCH_VALGRIND)
# include <valgrind/valgrind.h>
#endif

typedef void (*GcoSwitchEntry) (void *arg);

/* For the functions that make a switch. ThreadSanitizer keeps a shadow call
 * stack per fiber, pushed and popped by the instrumented entry and exit of
 * every function. Between __tsan_switch_to_fiber() and the raw switch, no
 * instrumented function may be entered or left: it would push onto, or pop
 * from, the shadow stack of the fiber being entered rather than the one
 * running. Out of line (at -O0, or when the compiler judges a noreturn path
 * cold, as clang -O2 does for gco__switch_fiber_leave_final), a wrapper such
 * as gco__switch_context() pushed its frame onto the resumer's shadow stack at
 * the end of every fiber, and the resumer's stack grew by one frame per
 * finished fiber, making every report's stacks wrong. Forced inline, the
 * switch happens inside the caller's frame (gco__fiber_resume, _suspend,
 * fiber_main), whose entry and exit are recorded on the right fiber. */
#define GCO_SWITCH_INLINE static inline __attribute__ ((always_inline))

/* The raw context: what one side of a switch saves. */

#if defined(GCO_SWITCH_ASM)

typedef struct {
  void *sp;  /* the registers and control words are saved below it */
} GcoSwitchContext;

/* In gco-switch-<cpu>.S; hidden, so calls need no PLT. */
__attribute__ ((visibility ("hidden")))
void gco__switch_asm       (void **save_sp,
                            void  *restore_sp);
__attribute__ ((visibility ("hidden")))
void gco__switch_asm_start (void);

/* The initial frame of a new fiber, laid out as gco__switch_asm pops it; the
 * trampoline gco__switch_asm_start then calls entry (arg). A new fiber starts
 * with the floating-point control words of the thread creating it, as a new
 * thread does. */
# if defined(__x86_64__)

static inline void
gco__switch_context_init (GcoSwitchContext *ctx,
                          void             *stack_bottom,
                          size_t            stack_size,
                          GcoSwitchEntry    entry,
                          void             *arg)
{
  /* SysV: %rsp + 8 is 16-byte aligned at a function's entry, so %rsp is
   * 16-byte aligned at the trampoline's call. The trampoline runs with %rsp
   * at the top of this frame. */
  uintptr_t top = ((uintptr_t) stack_bottom + stack_size) & ~(uintptr_t) 15;
  uint64_t *frame = (uint64_t *) top - 8;
  uint32_t mxcsr;
  uint16_t x87_cw;

  __asm__ volatile ("stmxcsr %0" : "=m" (mxcsr));
  __asm__ volatile ("fnstcw %0" : "=m" (x87_cw));

  frame[0] = (uint64_t) mxcsr | ((uint64_t) x87_cw << 32);
  frame[1] = 0;                                     /* r15 */
  frame[2] = 0;                                     /* r14 */
  frame[3] = (uintptr_t) arg;                       /* r13 */
  frame[4] = (uintptr_t) entry;                     /* r12 */
  frame[5] = 0;                                     /* rbx */
  frame[6] = 0;                                     /* rbp: ends frame chains */
  frame[7] = (uintptr_t) gco__switch_asm_start;     /* resume address */
  ctx->sp = frame;
}

# elif defined(__aarch64__)

static inline void
gco__switch_context_init (GcoSwitchContext *ctx,
                          void             *stack_bottom,
                          size_t            stack_size,
                          GcoSwitchEntry    entry,
                          void             *arg)
{
  /* AAPCS64: sp is always 16-byte aligned. 22 slots, see the .S file. */
  uintptr_t top = ((uintptr_t) stack_bottom + stack_size) & ~(uintptr_t) 15;
  uint64_t *frame = (uint64_t *) top - 22;
  uint64_t fpcr;

  __asm__ volatile ("mrs %0, fpcr" : "=r" (fpcr));

  for (int i = 0; i < 22; i++)
    frame[i] = 0;
  frame[0] = (uintptr_t) entry;                     /* x19 */
  frame[1] = (uintptr_t) arg;                       /* x20 */
  frame[10] = 0;                                    /* x29: ends frame chains */
  frame[11] = (uintptr_t) gco__switch_asm_start;    /* x30: resume address */
  frame[20] = fpcr;
  ctx->sp = frame;
}

# endif

GCO_SWITCH_INLINE void
gco__switch_context (GcoSwitchContext *from,
                     GcoSwitchContext *to)
{
  gco__switch_asm (&from->sp, to->sp);
}

#elif defined(GCO_SWITCH_UCONTEXT)

typedef struct {
  ucontext_t     uc;
  GcoSwitchEntry entry;
  void          *arg;
} GcoSwitchContext;

/* makecontext passes int arguments only, so the context pointer travels as
 * two 32-bit halves (a pointer does not fit an int on 64-bit machines). */
static inline void
gco__switch_ucontext_start (unsigned int hi,
                            unsigned int lo)
{
  GcoSwitchContext *ctx =
    (GcoSwitchContext *) (uintptr_t) (((uint64_t) hi << 32) | (uint64_t) lo);

  ctx->entry (ctx->arg);
}

static inline void
gco__switch_context_init (GcoSwitchContext *ctx,
                          void             *stack_bottom,
                          size_t            stack_size,
                          GcoSwitchEntry    entry,
                          void             *arg)
{
  uint64_t p = (uintptr_t) ctx;

  /* getcontext fills in the signal mask and floating-point environment the
   * fiber starts with: the creating thread's. */
  getcontext (&ctx->uc);
  ctx->uc.uc_stack.ss_sp = stack_bottom;
  ctx->uc.uc_stack.ss_size = stack_size;
  ctx->uc.uc_link = NULL;
  ctx->entry = entry;
  ctx->arg = arg;
  makecontext (&ctx->uc, (void (*) (void)) gco__switch_ucontext_start, 2,
               (unsigned int) (p >> 32), (unsigned int) (p & 0xffffffffu));
}

GCO_SWITCH_INLINE void
gco__switch_context (GcoSwitchContext *from,
                     GcoSwitchContext *to)
{
  swapcontext (&from->uc, &to->uc);
}

#endif

/* A fiber's side of the switches: its own context, where it goes back to,
 * and what the tools need to follow it. */
typedef struct {
  GcoSwitchContext  context;    /* the fiber's, saved while it is not running */
  GcoSwitchContext *return_to;  /* its resumer's, saved while it runs */
#if defined(GCO_SWITCH_ASAN)
  const void       *stack_bottom;
  size_t            stack_size;
  const void       *return_bottom;  /* the resumer's stack, reported by ASan */
  size_t            return_size;
#endif
#if defined(GCO_SWITCH_TSAN)
  void             *tsan_fiber;
  void             *return_tsan;
#endif
} GcoSwitchFiber;

/* Prepares @sw to run entry (arg) on the stack [stack_bottom, stack_bottom +
 * stack_size) the first time gco__switch_fiber_enter() switches to it. */
static inline void
gco__switch_fiber_init (GcoSwitchFiber *sw,
                        void           *stack_bottom,
                        size_t          stack_size,
                        GcoSwitchEntry  entry,
                        void           *arg)
{
  gco__switch_context_init (&sw->context, stack_bottom, stack_size, entry, arg);
  sw->return_to = NULL;
#if defined(GCO_SWITCH_ASAN)
  sw->stack_bottom = stack_bottom;
  sw->stack_size = stack_size;
  sw->return_bottom = NULL;
  sw->return_size = 0;
#endif
#if defined(GCO_SWITCH_TSAN)
  sw->tsan_fiber = __tsan_create_fiber (0);
  sw->return_tsan = NULL;
#endif
}

/* Releases what the tools keep for @sw. It must not be running. */
static inline void
gco__switch_fiber_destroy (GcoSwitchFiber *sw)
{
#if defined(GCO_SWITCH_TSAN)
  __tsan_destroy_fiber (sw->tsan_fiber);
  sw->tsan_fiber = NULL;
#endif
  (void) sw;
}

/* From the resumer: runs the fiber until it leaves. The resumer's context
 * lives in this frame, which stays put until the fiber switches back. */
GCO_SWITCH_INLINE void
gco__switch_fiber_enter (GcoSwitchFiber *sw)
{
  GcoSwitchContext here;
#if defined(GCO_SWITCH_ASAN)
  void *fake_stack = NULL;

  __sanitizer_start_switch_fiber (&fake_stack, sw->stack_bottom, sw->stack_size);
#endif
  sw->return_to = &here;
#if defined(GCO_SWITCH_TSAN)
  sw->return_tsan = __tsan_get_current_fiber ();
  __tsan_switch_to_fiber (sw->tsan_fiber, 0);
#endif
  gco__switch_context (&here, &sw->context);
#if defined(GCO_SWITCH_ASAN)
  __sanitizer_finish_switch_fiber (fake_stack, NULL, NULL);
#endif
}

/* First thing on a new fiber's stack: completes the switch that started it. */
static inline void
gco__switch_fiber_started (GcoSwitchFiber *sw)
{
#if defined(GCO_SWITCH_ASAN)
  __sanitizer_finish_switch_fiber (NULL, &sw->return_bottom, &sw->return_size);
#endif
  (void) sw;
}

/* From the fiber: switches back to its resumer; returns when resumed again,
 * possibly by another resumer (whose stack ASan then reports). */
GCO_SWITCH_INLINE void
gco__switch_fiber_leave (GcoSwitchFiber *sw)
{
#if defined(GCO_SWITCH_ASAN)
  void *fake_stack = NULL;

  __sanitizer_start_switch_fiber (&fake_stack, sw->return_bottom, sw->return_size);
#endif
#if defined(GCO_SWITCH_TSAN)
  __tsan_switch_to_fiber (sw->return_tsan, 0);
#endif
  gco__switch_context (&sw->context, sw->return_to);
#if defined(GCO_SWITCH_ASAN)
  __sanitizer_finish_switch_fiber (fake_stack, &sw->return_bottom, &sw->return_size);
#endif
}

/* From the fiber, when its function has returned: switches back for the last
 * time. ASan gets NULL for the fake stack, which frees it. */
__attribute__ ((noreturn)) GCO_SWITCH_INLINE void
gco__switch_fiber_leave_final (GcoSwitchFiber *sw)
{
#if defined(GCO_SWITCH_ASAN)
  __sanitizer_start_switch_fiber (NULL, sw->return_bottom, sw->return_size);
#endif
#if defined(GCO_SWITCH_TSAN)
  __tsan_switch_to_fiber (sw->return_tsan, 0);
#endif
  gco__switch_context (&sw->context, sw->return_to);
  __builtin_trap ();
}

/* Stacks: registration with Valgrind follows the memory (a stack stays
 * registered while it sits in a cache, or in a slab slot). */

static inline unsigned int
gco__switch_stack_register (void   *bottom,
                            size_t  size)
{
#if defined(GCO_SWITCH_VALGRIND)
  /* Valgrind's ids start at 0: ours are one more, 0 meaning "not
   * registered" (not running on Valgrind, the usual case: nothing to do on
   * the path that starts every coroutine). */
  if (!RUNNING_ON_VALGRIND)
    return 0;
  return VALGRIND_STACK_REGISTER (bottom, (char *) bottom + size) + 1;
#else
  (void) bottom;
  (void) size;
  return 0;
#endif
}

static inline void
gco__switch_stack_deregister (unsigned int id)
{
#if defined(GCO_SWITCH_VALGRIND)
  if (id != 0)
    VALGRIND_STACK_DEREGISTER (id - 1);
#else
  (void) id;
#endif
}

/* ASan's shadow of the top of a stack is cleared when the stack is handed to a
 * new fiber: a finished fiber never returns from its entry frame, whose red
 * zones would stay poisoned. Every other frame returned, or was unwound by
 * ASan's no-return handling (longjmp), which knows the fiber's bounds. */
static inline void
gco__switch_stack_unpoison (void   *bottom,
                            size_t  size)
{
#if defined(GCO_SWITCH_ASAN)
  __asan_unpoison_memory_region (bottom, size);
#else
  (void) bottom;
  (void) size;
#endif
}

/* Whether a tool emulates the system calls: Valgrind knows no
 * process_madvise, so the stack allocator then sticks to madvise. */
static inline int
gco__switch_tool_emulates_syscalls (void)
{
#if defined(GCO_SWITCH_VALGRIND)
  return RUNNING_ON_VALGRIND != 0;
#else
  return 0;
#endif
}

/* How many fibers a test should keep alive at once under the tool in use, or 0
 * for no tool. Valgrind slows every switch down and tracks each registered
 * stack; ThreadSanitizer gives each fiber a thread state with mappings of its
 * own, and GCC's runtime caps thread states at 8192, fibers included. */
static inline unsigned int
gco__switch_tool_max_fibers (void)
{
#if defined(GCO_SWITCH_TSAN)
  return 2000;
#elif defined(GCO_SWITCH_VALGRIND)
  return RUNNING_ON_VALGRIND ? 10000 : 0;
#else
  return 0;
#endif
}
