/* gco-stack-private.h: memory for fiber stacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A stack is a page-aligned region [bottom, bottom + size), committed lazily
 * (only the pages a fiber touches cost memory), with its GcoStack descriptor
 * in the highest bytes of the region: the page a new fiber touches first
 * anyway. The fiber layer puts its own bookkeeping right below the descriptor
 * and the machine stack below that.
 *
 * Stacks have an inaccessible guard page below the bottom, so running off the
 * end crashes at once. On Linux 6.13 and later, slabs of stacks get their
 * guard pages with MADV_GUARD_INSTALL, which costs no memory mapping. Before
 * that, a guard page costs a second mapping, and Linux caps mappings per
 * process (vm.max_map_count, 65530 by default), so past a budget stacks are
 * carved from unguarded slabs, with a canary in their lowest bytes checked
 * each time the fiber suspends or finishes.
 */

#pragma once

#include <glib.h>

#include "gco-fiber-private.h"

G_BEGIN_DECLS

typedef struct _GcoStack GcoStack;
typedef struct _GcoSlab  GcoSlab;

struct _GcoStack
{
  guint8  *bottom;       /* the lowest usable byte, above the guard page if any */
  gsize    size;         /* usable bytes, up to the end of this descriptor */
  GcoSlab *slab;         /* the slab it was carved from, NULL for a mapping of its own */
  gboolean guarded;      /* an inaccessible page lies below bottom */
  guint    valgrind_id;
};

/* How many stacks a thread's cache holds at most. Bounded, because a cached
 * stack keeps the pages its last fiber touched. */
#define GCO_STACK_CACHE_MAX 16

/* The canary is the lowest GCO_STACK_CANARY_SIZE bytes of the stack, which
 * must still read as zero. Nothing writes them up front: a fresh mapping and a
 * slab slot given back with MADV_DONTNEED read as zero without costing a
 * page, so a fiber that uses little stack keeps its one touched page. A stack
 * overflowing into them writes return addresses and saved registers, which are
 * not all zero. */
#define GCO_STACK_CANARY_SIZE 64

/* Allocates a stack of at least @size bytes (rounded up to the page size, at
 * least 16 KiB), from the calling thread's cache if it holds one of that size.
 * On failure returns NULL with GCO_ERROR_NO_STACK. */
GcoStack *gco__stack_new             (gsize         size,
                                      GError      **error);

/* Parks @stack in the calling thread's cache, or returns it to the system when
 * the cache is full. */
void      gco__stack_free            (GcoStack     *stack);

/* The size gco__stack_new() makes of @size; FALSE if it does not fit a gsize. */
gboolean  gco__stack_round_size      (gsize         size,
                                      gsize        *rounded);

/* Parses a GCO_STACK_SIZE value: decimal bytes, optionally followed by K or M
 * (binary, case-insensitive). FALSE for anything else, zero or overflow. */
gboolean  gco__stack_parse_size      (const char   *str,
                                      gsize        *size);

/* Aborts with g_error() if the canary of @stack was overwritten. */
void      gco__stack_overflowed      (GcoStack     *stack) G_GNUC_NORETURN;

static inline gboolean
gco__stack_canary_intact (const GcoStack *stack)
{
  const guint64 *canary = (const guint64 *) stack->bottom;
  guint64 bits = 0;

  for (guint i = 0; i < GCO_STACK_CANARY_SIZE / sizeof (guint64); i++)
    bits |= canary[i];
  return bits == 0;
}

/* Only stacks without a guard page need the canary: reading it costs a page
 * fault on a fresh stack (the zero page gets mapped). */
static inline void
gco__stack_check_canary (GcoStack *stack)
{
  if (G_UNLIKELY (!stack->guarded && !gco__stack_canary_intact (stack)))
    gco__stack_overflowed (stack);
}

/* The end of the space the stack's user may use: the descriptor's address. */
static inline guint8 *
gco__stack_get_top (GcoStack *stack)
{
  return (guint8 *) stack;
}

G_END_DECLS
