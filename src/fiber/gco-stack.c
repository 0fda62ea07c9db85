/* gco-stack.c: memory for fiber stacks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Where a stack comes from, cheapest first:
 *
 * 1. The calling thread's cache: up to GCO_STACK_CACHE_MAX stacks given back by
 *    fibers freed on this thread. No lock, no system call.
 * 2. A mapping of its own with a guard page below it, while the guarded
 *    stacks in existence stay within the guard budget. Two memory mappings.
 * 3. A slot of an unguarded slab: one mapping holding up to SLAB_MAX_SLOTS
 *    stacks of one size, shared by all threads under a mutex. Adjacent slabs
 *    merge into one mapping, so slabs cost almost nothing of
 *    vm.max_map_count; the canary (see gco-stack-private.h) stands in for the
 *    guard page.
 *
 * Every mapping is MAP_NORESERVE and nothing is touched up front: a stack
 * costs the pages its fiber touches, and a million 256 KiB stacks are only
 * address space.
 *
 * What starting a fiber on a fresh stack costs is the kernel's: committing
 * the page its first frames land in (a page fault, about as dear as
 * MADV_POPULATE_WRITE would be: the cost is allocating, zeroing and charging
 * the page, not the trap), and, once per slab, a system call per guard
 * region. Hence, where the kernel has process_madvise() for its own process
 * (Linux 6.13 and PIDFD_SELF, 6.14):
 *
 * - a slab's guard regions are installed by one system call, not one per slot;
 * - stacks given back to slabs are released in batches of RELEASE_BATCH, by
 *   one system call (and one TLB flush), from a per-thread list;
 * - a slot given back keeps its top page (the descriptor's, where the next
 *   fiber's first frames go) committed, up to WARM_MAX such pages in all, so
 *   reusing it costs no page fault. Its other pages are released, so the
 *   canary, in the lowest bytes, reads as zero again.
 *
 * Memory kept when idle is bounded: the cache (GCO_STACK_CACHE_MAX stacks) and
 * the release list (RELEASE_BATCH stacks) of each thread, and WARM_MAX pages.
 * Empty slabs are unmapped, their warm pages with them.
 */

#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gco/gco.h>

#include "gco-stack-private.h"
#include "gco-switch-private.h"

#define MIN_STACK_SIZE      (16 * 1024)
#define DEFAULT_STACK_SIZE  (256 * 1024)

/* A slab holds up to 256 stacks and at most 64 MiB of address space. */
#define SLAB_MAX_SLOTS 256
#define SLAB_MAX_BYTES (64 * 1024 * 1024)

/* Guarded stacks may use a quarter of vm.max_map_count (two mappings each);
 * the rest is the program's. */
#define DEFAULT_MAX_MAP_COUNT 65530
#define GUARD_BUDGET_DIVISOR  8

#ifndef MADV_GUARD_INSTALL
# define MADV_GUARD_INSTALL 102  /* Linux 6.13 */
#endif

/* The calling thread, for pidfd system calls (Linux 6.14): unlike a pidfd of
 * our own, it never refers to the parent in a forked child. */
#define GCO_PIDFD_SELF_THREAD (-10000)

/* Stacks released at once by one system call; the per-thread list holding
 * them costs at most this many stacks' touched pages. */
#define RELEASE_BATCH 32

/* Top pages of free slab slots kept committed, in all: 2 MiB with 4 KiB
 * pages. */
#define WARM_MAX 512

/* In GcoSlab.free: the slot's top page is still committed. */
#define SLOT_WARM 0x8000u
#define SLOT_INDEX(entry) ((entry) & ~SLOT_WARM)

/* The slabs of one stack size, with or without guard regions. */
typedef struct
{
  gsize  slot_size;
  gsize  guard_size;  /* below each slot's stack: 0, or a page of guard region */
  GQueue partial;     /* slabs with at least one free slot */
} SlabClass;

struct _GcoSlab
{
  GList      link;    /* in its class's queue of slabs with free slots */
  SlabClass *class;
  guint8    *base;
  gsize      slot_size;
  guint      n_slots;
  guint      n_free;
  guint      n_warm;  /* free slots with SLOT_WARM */
  guint16    free[];  /* indices of the free slots, taken from the end,
                       * with SLOT_WARM */
};

typedef struct
{
  GcoStack *stacks[GCO_STACK_CACHE_MAX];
  guint     n;
  gboolean  exit_registered;
} StackCache;

static void cache_exit_cb (gpointer data);

/* initial-exec (no __tls_get_addr call): the cache is taken and filled on
 * every coroutine's start and finish, and is small. */
static __thread __attribute__ ((tls_model ("initial-exec"))) StackCache cache;
static GPrivate cache_exit = G_PRIVATE_INIT (cache_exit_cb);

/* Stacks given back to slabs, not yet released: see release_flush(). Not
 * initial-exec: it is used next to system calls only, and keeps the static
 * TLS the library takes small. */
typedef struct
{
  GcoStack *stacks[RELEASE_BATCH];
  guint     n;
} ReleaseList;

static __thread ReleaseList release_list;

/* A pthread mutex, which ThreadSanitizer understands (GMutex is a bare futex). */
static pthread_mutex_t slab_lock = PTHREAD_MUTEX_INITIALIZER;
static GSList *slab_classes;  /* of SlabClass, guarded by slab_lock */

/* Free slab slots whose top page is committed: at most WARM_MAX. Atomic. */
static gint n_warm;

/* Whether process_madvise() works on our own process with any advice: FALSE
 * once it failed, then madvise() is called range by range. */
static gboolean pidfd_madvise_broken;

/* Statistics and limits, all atomic. */
/* Stacks handed out and not freed: how many in the low 32 bits, how many of
 * them guarded in the high 32, so that taking or giving back a stack costs one
 * atomic operation. */
static guint64 live_counts;
#define LIVE_GUARDED_ONE ((guint64) 1 << 32)
#define LIVE_DELTA(stack) (1 + ((stack)->guarded ? LIVE_GUARDED_ONE : 0))
static gint n_guarded_mapped;  /* guarded stacks in existence, cached or not */
static gint live_limit;        /* 0 = none */
static gint guard_budget_override;

static gsize
page_size (void)
{
  static gsize size = 0;

  if (g_once_init_enter (&size))
    g_once_init_leave (&size, (gsize) sysconf (_SC_PAGESIZE));
  return size;
}

gboolean
gco__stack_round_size (gsize  size,
                       gsize *rounded)
{
  gsize page = page_size ();

  size = MAX (size, MIN_STACK_SIZE);
  if (size > G_MAXSIZE - page)
    return FALSE;
  *rounded = (size + page - 1) & ~(page - 1);
  return TRUE;
}

gboolean
gco__stack_parse_size (const char *str,
                       gsize      *size)
{
  guint64 value;
  guint64 unit = 1;
  char *end = NULL;

  if (str == NULL || !g_ascii_isdigit (*str))
    return FALSE;

  errno = 0;
  value = g_ascii_strtoull (str, &end, 10);
  if (errno != 0)
    return FALSE;

  if (*end == 'k' || *end == 'K')
    unit = 1024;
  else if (*end == 'm' || *end == 'M')
    unit = 1024 * 1024;
  if (unit != 1)
    end++;

  if (*end != '\0' || value == 0 || value > G_MAXSIZE / unit)
    return FALSE;

  *size = (gsize) (value * unit);
  return TRUE;
}

static gsize
read_default_stack_size (void)
{
  const char *env = g_getenv ("GCO_STACK_SIZE");
  gsize size;

  if (env == NULL)
    return DEFAULT_STACK_SIZE;

  if (gco__stack_parse_size (env, &size) && gco__stack_round_size (size, &size))
    return size;

  g_warning ("Ignoring GCO_STACK_SIZE=“%s”: not a size in bytes, or with a K or M suffix",
             env);
  return DEFAULT_STACK_SIZE;
}

gsize
gco__fiber_get_default_stack_size (void)
{
  static gsize size = 0;

  if (g_once_init_enter (&size))
    g_once_init_leave (&size, read_default_stack_size ());
  return size;
}

static guint
read_max_map_count (void)
{
  char *contents = NULL;
  guint64 value = 0;

  if (g_file_get_contents ("/proc/sys/vm/max_map_count", &contents, NULL, NULL))
    value = g_ascii_strtoull (contents, NULL, 10);
  g_free (contents);

  if (value == 0 || value > G_MAXUINT)
    return DEFAULT_MAX_MAP_COUNT;
  return (guint) value;
}

static guint
get_guard_budget (void)
{
  static gsize default_budget = 0;
  guint budget = (guint) g_atomic_int_get (&guard_budget_override);

  if (budget != 0)
    return budget;

  if (g_once_init_enter (&default_budget))
    g_once_init_leave (&default_budget,
                       MAX (read_max_map_count () / GUARD_BUDGET_DIVISOR, 1));
  return (guint) default_budget;
}

/* Takes one unit of a counter that must stay below @max (0 = no maximum). */
static gboolean
counter_reserve (gint  *counter,
                 guint  max)
{
  guint old = (guint) g_atomic_int_add (counter, 1);

  if (max == 0 || old < max)
    return TRUE;
  g_atomic_int_add (counter, -1);
  return FALSE;
}

/* madvise (@advice) on each of @n ranges: by one process_madvise() where the
 * kernel has it for our own process with any advice, else range by range.
 * Sets *@err (if not NULL) and returns FALSE on failure. */
static gboolean
advise_ranges (struct iovec *ranges,
               guint         n,
               int           advice,
               int          *err)
{
  gsize total = 0;

  for (guint i = 0; i < n; i++)
    total += ranges[i].iov_len;

#ifdef SYS_process_madvise
  if (!g_atomic_int_get (&pidfd_madvise_broken) && !gco__switch_tool_emulates_syscalls ())
    {
      long done = syscall (SYS_process_madvise, GCO_PIDFD_SELF_THREAD, ranges,
                           (size_t) n, advice, 0u);

      if (done >= 0 && (gsize) done == total)
        return TRUE;
      /* EBADF: no PIDFD_SELF (before 6.14); EINVAL: advice not allowed
       * (before 6.13); ENOSYS: no process_madvise (before 5.10), or a
       * seccomp filter. Any short count: do it all again range by range,
       * which no advice used here minds. */
      if (done < 0 && (errno == EBADF || errno == EINVAL || errno == ENOSYS ||
                       errno == EPERM || errno == ESRCH))
        g_atomic_int_set (&pidfd_madvise_broken, TRUE);
    }
#endif

  for (guint i = 0; i < n; i++)
    {
      if (ranges[i].iov_len != 0 &&
          madvise (ranges[i].iov_base, ranges[i].iov_len, advice) != 0)
        {
          if (err != NULL)
            *err = errno;
          return FALSE;
        }
    }
  return TRUE;
}

/* Maps memory for stacks: committed page by page as it is touched, and never
 * in transparent huge pages, which would make a fiber touching one page of its
 * stack (or of a slab) cost 2 MiB. Linux 6.7 and later imply the latter from
 * MAP_STACK. Sets *@err and returns NULL on failure. */
static guint8 *
map_lazily (gsize  size,
            int   *err)
{
  guint8 *region = mmap (NULL, size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                         -1, 0);

  if (region == MAP_FAILED)
    {
      *err = errno;
      return NULL;
    }

  madvise (region, size, MADV_NOHUGEPAGE);
  return region;
}

/* Writes the descriptor into the top of a new stack region. */
static GcoStack *
stack_init (guint8  *bottom,
            gsize    size,
            GcoSlab *slab)
{
  GcoStack *stack = (GcoStack *) (bottom + size) - 1;

  stack->bottom = bottom;
  stack->size = size;
  stack->slab = slab;
  stack->guarded = FALSE;
  stack->valgrind_id = gco__switch_stack_register (bottom, size);
  return stack;
}

static GcoStack *
map_guarded (gsize  size,
             int   *err)
{
  gsize page = page_size ();
  GcoStack *stack;
  guint8 *region;

  if (size > G_MAXSIZE - page)
    {
      *err = ENOMEM;
      return NULL;
    }

  region = map_lazily (size + page, err);
  if (region == NULL)
    return NULL;

  /* Splitting the mapping fails with ENOMEM when vm.max_map_count is
   * reached: the caller then tries a slab. */
  if (mprotect (region, page, PROT_NONE) != 0)
    {
      *err = errno;
      munmap (region, size + page);
      return NULL;
    }

  stack = stack_init (region + page, size, NULL);
  stack->guarded = TRUE;
  return stack;
}

static void
unmap_guarded (GcoStack *stack)
{
  gsize page = page_size ();

  munmap (stack->bottom - page, stack->size + page);
  g_atomic_int_add (&n_guarded_mapped, -1);
}

static SlabClass *
slab_class_get (gsize stack_size,
                gsize guard_size)
{
  SlabClass *class;
  gsize slot_size = stack_size + guard_size;

  for (GSList *l = slab_classes; l != NULL; l = l->next)
    {
      class = l->data;
      if (class->slot_size == slot_size && class->guard_size == guard_size)
        return class;
    }

  class = g_new0 (SlabClass, 1);
  class->slot_size = slot_size;
  class->guard_size = guard_size;
  slab_classes = g_slist_prepend (slab_classes, class);
  return class;
}

static GcoSlab *
slab_new (SlabClass *class,
          int       *err)
{
  gsize slot_size = class->slot_size;
  guint n_slots = (guint) CLAMP (SLAB_MAX_BYTES / slot_size, 1, SLAB_MAX_SLOTS);
  GcoSlab *slab;
  guint8 *base;

  base = map_lazily (slot_size * n_slots, err);
  if (base == NULL)
    return NULL;

  if (class->guard_size > 0)
    {
      struct iovec ranges[SLAB_MAX_SLOTS];

      for (guint i = 0; i < n_slots; i++)
        ranges[i] = (struct iovec) { base + i * slot_size, class->guard_size };
      if (!advise_ranges (ranges, n_slots, MADV_GUARD_INSTALL, err))
        {
          munmap (base, slot_size * n_slots);
          return NULL;
        }
    }

  slab = g_malloc (sizeof (GcoSlab) + n_slots * sizeof (guint16));
  slab->link = (GList) { .data = slab };
  slab->class = class;
  slab->base = base;
  slab->slot_size = slot_size;
  slab->n_slots = n_slots;
  slab->n_free = n_slots;
  slab->n_warm = 0;
  /* Slot 0 is taken first, so live stacks stay packed at the bottom. */
  for (guint i = 0; i < n_slots; i++)
    slab->free[i] = (guint16) (n_slots - 1 - i);
  return slab;
}

static GcoStack *
slab_take (gsize     size,
           gboolean  guarded,
           int      *err)
{
  SlabClass *class;
  GcoSlab *slab;
  GcoStack *stack;
  guint slot;

  pthread_mutex_lock (&slab_lock);
  class = slab_class_get (size, guarded ? page_size () : 0);
  slab = g_queue_peek_head (&class->partial);
  if (slab == NULL && (slab = slab_new (class, err)) != NULL)
    g_queue_push_head_link (&class->partial, &slab->link);
  if (slab == NULL)
    {
      pthread_mutex_unlock (&slab_lock);
      return NULL;
    }

  slot = slab->free[--slab->n_free];
  if (slot & SLOT_WARM)
    {
      slab->n_warm--;
      g_atomic_int_add (&n_warm, -1);
      slot = SLOT_INDEX (slot);
    }
  if (slab->n_free == 0)
    g_queue_unlink (&class->partial, &slab->link);
  pthread_mutex_unlock (&slab_lock);

  stack = stack_init (slab->base + slot * slab->slot_size + class->guard_size, size, slab);
  stack->guarded = class->guard_size > 0;
  return stack;
}

/* Whether the kernel installs guard regions (Linux 6.13): asked once, on a
 * throwaway mapping. The test hook that sets a guard budget turns them off, to
 * exercise the fallback. */
static gboolean
guard_regions_supported (void)
{
  static gsize probed;
  static gboolean supported;

  if (g_atomic_int_get (&guard_budget_override) != 0)
    return FALSE;

  if (g_once_init_enter (&probed))
    {
      int err;
      guint8 *region = map_lazily (page_size () * 2, &err);

      if (region != NULL)
        {
          supported = madvise (region, page_size (), MADV_GUARD_INSTALL) == 0;
          munmap (region, page_size () * 2);
        }
      g_once_init_leave (&probed, 1);
    }

  return supported;
}

/* Puts slots back into their slabs, their memory released but for the top
 * page of those with SLOT_WARM; unmaps the slabs left empty. */
static void
slab_give_back (GcoSlab       **slabs,
                const guint16  *entries,
                guint           n)
{
  GcoSlab *empty[RELEASE_BATCH];
  guint n_empty = 0;

  pthread_mutex_lock (&slab_lock);
  for (guint i = 0; i < n; i++)
    {
      GcoSlab *slab = slabs[i];
      SlabClass *class = slab->class;

      if (slab->n_free == 0)
        g_queue_push_head_link (&class->partial, &slab->link);
      slab->free[slab->n_free++] = entries[i];
      slab->n_warm += (entries[i] & SLOT_WARM) ? 1 : 0;
      if (slab->n_free == slab->n_slots)
        {
          g_queue_unlink (&class->partial, &slab->link);
          empty[n_empty++] = slab;
        }
    }
  pthread_mutex_unlock (&slab_lock);

  for (guint i = 0; i < n_empty; i++)
    {
      g_atomic_int_add (&n_warm, - (gint) empty[i]->n_warm);
      munmap (empty[i]->base, empty[i]->slot_size * empty[i]->n_slots);
      g_free (empty[i]);
    }
}

/* Releases the memory of the stacks in the calling thread's release list, but
 * for the top page of up to WARM_MAX of them, and gives them back to their
 * slabs. */
static void
release_flush (void)
{
  ReleaseList *list = &release_list;
  struct iovec ranges[RELEASE_BATCH];
  GcoSlab *slabs[RELEASE_BATCH];
  guint16 entries[RELEASE_BATCH];
  gsize page = page_size ();
  guint n = list->n;

  if (n == 0)
    return;

  /* Everything is read from the descriptors first: they go with the top
   * pages that are not kept. */
  for (guint i = 0; i < n; i++)
    {
      GcoStack *stack = list->stacks[i];
      GcoSlab *slab = stack->slab;
      guint slot = (guint) ((gsize) (stack->bottom - slab->base) / slab->slot_size);
      /* The top page holds the descriptor: it is committed. */
      gboolean warm = counter_reserve (&n_warm, WARM_MAX);

      slabs[i] = slab;
      entries[i] = (guint16) (slot | (warm ? SLOT_WARM : 0));
      ranges[i] = (struct iovec) { stack->bottom, stack->size - (warm ? page : 0) };
    }

  /* Releasing cannot fail short of a bug: then the memory stays committed,
   * and reads as it was, which only the canary of unguarded stacks minds. */
  advise_ranges (ranges, n, MADV_DONTNEED, NULL);

  list->n = 0;
  slab_give_back (slabs, entries, n);
}

/* Returns a stack that is neither live nor cached to the system. */
static void
stack_release (GcoStack *stack)
{
  gco__switch_stack_deregister (stack->valgrind_id);
  if (stack->slab != NULL)
    {
      ReleaseList *list = &release_list;

      list->stacks[list->n++] = stack;
      if (list->n == RELEASE_BATCH)
        release_flush ();
    }
  else
    unmap_guarded (stack);
}

static GcoStack *
stack_map (gsize    size,
           GError **error)
{
  GcoStack *stack = NULL;
  int err = ENOMEM;

  if (guard_regions_supported ())
    stack = slab_take (size, TRUE, &err);
  else if (counter_reserve (&n_guarded_mapped, get_guard_budget ()))
    {
      stack = map_guarded (size, &err);
      if (stack == NULL)
        g_atomic_int_add (&n_guarded_mapped, -1);
    }

  if (stack == NULL)
    stack = slab_take (size, FALSE, &err);

  if (stack == NULL)
    g_set_error (error, GCO_ERROR, GCO_ERROR_NO_STACK,
                 "Could not allocate a coroutine stack of %" G_GSIZE_FORMAT " bytes: %s",
                 size, g_strerror (err));
  return stack;
}

static GcoStack *
cache_take (gsize size)
{
  for (guint i = cache.n; i-- > 0;)
    {
      GcoStack *stack = cache.stacks[i];

      if (stack->size == size)
        {
          cache.stacks[i] = cache.stacks[--cache.n];
          return stack;
        }
    }

  return NULL;
}

static gboolean
cache_put (GcoStack *stack)
{
  if (cache.n == GCO_STACK_CACHE_MAX)
    return FALSE;

  /* Only so that cache_exit_cb() runs when the thread exits. It may run
   * before other thread-exit code frees fibers, hence the flag. */
  if (!cache.exit_registered)
    {
      g_private_set (&cache_exit, &cache);
      cache.exit_registered = TRUE;
    }

  cache.stacks[cache.n++] = stack;
  return TRUE;
}

void
gco__stack_trim_cache (void)
{
  while (cache.n > 0)
    stack_release (cache.stacks[--cache.n]);
  release_flush ();
}

static void
cache_exit_cb (gpointer data)
{
  gco__stack_trim_cache ();
  cache.exit_registered = FALSE;
}

GcoStack *
gco__stack_new (gsize    size,
                GError **error)
{
  GcoStack *stack;
  gsize rounded;
  guint64 old;
  guint limit;

  if (!gco__stack_round_size (size, &rounded))
    {
      g_set_error (error, GCO_ERROR, GCO_ERROR_NO_STACK,
                   "Could not allocate a coroutine stack of %" G_GSIZE_FORMAT " bytes: too large",
                   size);
      return NULL;
    }

  stack = cache_take (rounded);
  if (stack == NULL && (stack = stack_map (rounded, error)) == NULL)
    return NULL;

  limit = (guint) g_atomic_int_get (&live_limit);
  old = __atomic_fetch_add (&live_counts, LIVE_DELTA (stack), __ATOMIC_SEQ_CST);
  if G_UNLIKELY (limit != 0 && (guint32) old >= limit)
    {
      __atomic_fetch_sub (&live_counts, LIVE_DELTA (stack), __ATOMIC_SEQ_CST);
      if (!cache_put (stack))
        stack_release (stack);
      g_set_error (error, GCO_ERROR, GCO_ERROR_NO_STACK,
                   "Could not allocate a coroutine stack: the limit of %u stacks is reached",
                   limit);
      return NULL;
    }

  /* The entry frame of the stack's last fiber lies in its top page;
   * clearing the whole shadow would cost ASan builds an eighth of every
   * stack in memory. */
  gco__switch_stack_unpoison (stack->bottom + stack->size - page_size (), page_size ());
  return stack;
}

void
gco__stack_free (GcoStack *stack)
{
  __atomic_fetch_sub (&live_counts, LIVE_DELTA (stack), __ATOMIC_SEQ_CST);

  if (!cache_put (stack))
    stack_release (stack);
}

void
gco__stack_overflowed (GcoStack *stack)
{
  g_error ("gco: coroutine stack overflow: a coroutine ran past the end of its "
           "%" G_GSIZE_FORMAT "-byte stack%s. Give it a larger stack "
           "(the launch's stack size, or GCO_STACK_SIZE).",
           stack->size, !stack->guarded ? " (which has no guard page)" : "");
}

gboolean
gco__stack_has_guard_regions (void)
{
  return guard_regions_supported ();
}

void
gco__stack_get_stats (GcoStackStats *stats)
{
  guint64 counts = __atomic_load_n (&live_counts, __ATOMIC_SEQ_CST);

  stats->live = (guint) (guint32) counts;
  stats->guarded = (guint) (counts >> 32);
  stats->unguarded = stats->live - stats->guarded;
  stats->cached = cache.n;
}

void
gco__stack_set_limit (guint max_live)
{
  g_atomic_int_set (&live_limit, (gint) max_live);
}

void
gco__stack_set_guard_budget (guint max_guarded)
{
  g_atomic_int_set (&guard_budget_override, (gint) max_guarded);
}
