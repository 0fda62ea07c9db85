/* gco-timer-heap.c: a binary min-heap of deadlines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One heap per dispatcher holds every delay and timeout, so the main loop
 * polls one source however many timers are pending (GLib scans every source
 * on every iteration: 100,000 g_timeout_add sources make each iteration
 * O(100,000)). Timers are embedded in their owners and know their index, so
 * removal is O(log n) with no search.
 */

#include "gco-config.h"

#include "gco-timer-heap-private.h"

static inline gboolean
entry_before (const GcoTimerEntry *a,
              const GcoTimerEntry *b)
{
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static inline void
place (GcoTimerHeap        *heap,
       guint                index,
       const GcoTimerEntry *entry)
{
  heap->items[index] = *entry;
  entry->timer->heap_index = index;
}

static void
sift_up (GcoTimerHeap *heap,
         guint         index)
{
  GcoTimerEntry entry = heap->items[index];

  while (index > 1 && entry_before (&entry, &heap->items[index / 2]))
    {
      place (heap, index, &heap->items[index / 2]);
      index /= 2;
    }
  place (heap, index, &entry);
}

static void
sift_down (GcoTimerHeap *heap,
           guint         index)
{
  GcoTimerEntry entry = heap->items[index];

  for (;;)
    {
      guint child = index * 2;

      if (child > heap->len)
        break;
      if (child + 1 <= heap->len && entry_before (&heap->items[child + 1], &heap->items[child]))
        child++;
      if (!entry_before (&heap->items[child], &entry))
        break;
      place (heap, index, &heap->items[child]);
      index = child;
    }
  place (heap, index, &entry);
}

void
gco__timer_heap_insert (GcoTimerHeap *heap,
                        GcoTimer     *timer)
{
  g_assert (timer->heap_index == 0);

  if (heap->len + 1 >= heap->allocated)
    {
      heap->allocated = MAX (64, heap->allocated * 2);
      heap->items = g_renew (GcoTimerEntry, heap->items, heap->allocated);
    }

  timer->seq = heap->next_seq++;
  heap->len++;
  heap->items[heap->len] = (GcoTimerEntry) { timer->deadline, timer->seq, timer };
  sift_up (heap, heap->len);
}

void
gco__timer_heap_remove (GcoTimerHeap *heap,
                        GcoTimer     *timer)
{
  guint index = timer->heap_index;
  GcoTimerEntry last;

  if (index == 0)
    return;

  g_assert (index <= heap->len && heap->items[index].timer == timer);

  timer->heap_index = 0;
  last = heap->items[heap->len];
  heap->len--;
  if (index > heap->len)
    return;

  place (heap, index, &last);
  if (index > 1 && entry_before (&last, &heap->items[index / 2]))
    sift_up (heap, index);
  else
    sift_down (heap, index);
}

void
gco__timer_heap_clear (GcoTimerHeap *heap)
{
  for (guint i = 1; i <= heap->len; i++)
    heap->items[i].timer->heap_index = 0;
  g_clear_pointer (&heap->items, g_free);
  heap->len = heap->allocated = 0;
}
