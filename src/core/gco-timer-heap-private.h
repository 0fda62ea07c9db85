/* gco-timer-heap-private.h: a binary min-heap of deadlines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gco-dispatcher-private.h"

G_BEGIN_DECLS

/* The keys live in the heap's own array, so sifting compares contiguous
 * memory instead of chasing timers that sit on other coroutines' stacks. */
typedef struct
{
  gint64    deadline;
  guint64   seq;
  GcoTimer *timer;
} GcoTimerEntry;

typedef struct
{
  GcoTimerEntry *items; /* 1-based: items[1] is the earliest */
  guint      len;
  guint      allocated;
  guint64    next_seq;
} GcoTimerHeap;

void      gco__timer_heap_clear  (GcoTimerHeap *heap);
void      gco__timer_heap_insert (GcoTimerHeap *heap,
                                  GcoTimer     *timer);
void      gco__timer_heap_remove (GcoTimerHeap *heap,
                                  GcoTimer     *timer);

static inline GcoTimer *
gco__timer_heap_peek (GcoTimerHeap *heap)
{
  return heap->len > 0 ? heap->items[1].timer : NULL;
}

G_END_DECLS
