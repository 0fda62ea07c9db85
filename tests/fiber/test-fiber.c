/* test-fiber.c: the fiber layer (stacks and context switching)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fenv.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gco/gco.h>

#include "gco-fiber-private.h"
#include "gco-stack-private.h"
#include "gco-switch-private.h"

/* Helpers */

static GcoFiber *
fiber_new (gsize         stack_size,
           GcoFiberFunc  func,
           gpointer      data)
{
  GError *error = NULL;
  GcoFiber *fiber = gco__fiber_new (stack_size, func, data, &error);

  g_assert_no_error (error);
  g_assert_nonnull (fiber);
  return fiber;
}

static GcoStackStats
get_stats (void)
{
  GcoStackStats stats;

  gco__stack_get_stats (&stats);
  return stats;
}

/* Every test frees what it creates: none leaves a stack live. */
static void
assert_no_live_stacks (void)
{
  GcoStackStats stats = get_stats ();

  g_assert_cmpuint (stats.live, ==, 0);
  g_assert_cmpuint (stats.guarded, ==, 0);
  g_assert_cmpuint (stats.unguarded, ==, 0);
}

/* The permissions ("rw-p", "---p", ...) of the mapping holding @addr, from
 * /proc/self/maps; FALSE if @addr is not mapped. */
static gboolean
get_mapping_perms (gconstpointer addr,
                   char          perms[5])
{
  guintptr a = (guintptr) addr;
  gboolean found = FALSE;
  char line[512];
  FILE *maps = fopen ("/proc/self/maps", "r");

  g_assert_nonnull (maps);
  while (!found && fgets (line, sizeof line, maps) != NULL)
    {
      unsigned long start, end;

      if (sscanf (line, "%lx-%lx %4s", &start, &end, perms) == 3 &&
          start <= a && a < end)
        found = TRUE;
    }
  fclose (maps);
  return found;
}

/* How many distinct memory mappings hold the stacks of @fibers. */
static guint
count_stack_mappings (GcoFiber **fibers,
                      guint      n_fibers)
{
  GHashTable *starts = g_hash_table_new (NULL, NULL);
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (guintptr) * 2);
  char line[512];
  FILE *maps = fopen ("/proc/self/maps", "r");
  guint n;

  g_assert_nonnull (maps);
  while (fgets (line, sizeof line, maps) != NULL)
    {
      unsigned long range[2];

      if (sscanf (line, "%lx-%lx", &range[0], &range[1]) == 2)
        g_array_append_vals (ranges, (guintptr[]) { range[0], range[1] }, 1);
    }
  fclose (maps);

  for (guint i = 0; i < n_fibers; i++)
    {
      guintptr bottom = (guintptr) gco__fiber_get_stack_bottom (fibers[i]);

      for (guint r = 0; r < ranges->len; r++)
        {
          const guintptr *range = &g_array_index (ranges, guintptr, 2 * r);

          if (range[0] <= bottom && bottom < range[1])
            g_hash_table_add (starts, (gpointer) range[0]);
        }
    }

  n = g_hash_table_size (starts);
  g_hash_table_unref (starts);
  g_array_unref (ranges);
  return n;
}

/* The process's virtual size or resident set, in bytes, from /proc/self/statm. */
static gsize
read_statm_bytes (gboolean resident)
{
  char *contents = NULL;
  unsigned long size = 0, rss = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &contents, NULL, NULL));
  g_assert_cmpint (sscanf (contents, "%lu %lu", &size, &rss), ==, 2);
  g_free (contents);
  return (gsize) (resident ? rss : size) * (gsize) sysconf (_SC_PAGESIZE);
}

static void
suspend_once_body (gpointer data)
{
  gco__fiber_suspend ();
}

/* Run to completion */

typedef struct
{
  GcoFiber *self;
  gboolean  ran;
  GcoFiber *current_inside;
} RunData;

static void
run_body (gpointer data)
{
  RunData *run = data;

  run->ran = TRUE;
  run->current_inside = gco__fiber_get_current ();
}

static void
test_run_to_completion (void)
{
  RunData run = { NULL, };

  g_test_summary ("A fiber runs its function on resume and finishes when it returns");

  run.self = fiber_new (0, run_body, &run);
  g_assert_false (run.ran);
  g_assert_false (gco__fiber_is_finished (run.self));
  g_assert_null (gco__fiber_get_current ());

  gco__fiber_resume (run.self);

  g_assert_true (run.ran);
  g_assert_true (run.current_inside == run.self);
  g_assert_true (gco__fiber_is_finished (run.self));
  g_assert_null (gco__fiber_get_current ());

  gco__fiber_free (run.self);
  assert_no_live_stacks ();
}

static void
test_free_unstarted (void)
{
  RunData run = { NULL, };
  GcoFiber *fiber;

  g_test_summary ("A fiber that never ran can be freed, and its function never runs");

  fiber = fiber_new (0, run_body, &run);
  g_assert_cmpuint (get_stats ().live, ==, 1);
  gco__fiber_free (fiber);
  gco__fiber_free (NULL);

  g_assert_false (run.ran);
  assert_no_live_stacks ();
}

/* Suspend and resume, locals preserved */

#define N_ROUNDS 1000

typedef struct
{
  gboolean suspend;
  guint    round;
  guint64  result;
  double   fresult;
} LocalsData;

/* Enough live locals, integer and floating-point, that the compiler keeps
 * some in callee-saved registers across gco__fiber_suspend(). */
static void
locals_body (gpointer data)
{
  LocalsData *d = data;
  guint64 a = 1, b = 2, c = 3, e = 5, f = 7, g = 11, h = 13;
  double x = 0.5, y = 1.25, z = -3.0;
  volatile guint64 on_stack[16];

  for (guint i = 0; i < G_N_ELEMENTS (on_stack); i++)
    on_stack[i] = i * 7919;

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      a = a * 6364136223846793005u + i;
      b ^= a >> 7;
      c += b * 3;
      e = (e << 1) ^ c;
      f += e ^ a;
      g = g * 31 + f;
      h ^= g + i;
      x = x * 1.000001 + 0.5;
      y = y * 0.999999 - x * 1e-9;
      z += x - y;
      on_stack[i % G_N_ELEMENTS (on_stack)] += h;

      d->round = i;
      if (d->suspend)
        gco__fiber_suspend ();
    }

  d->result = a + b + c + e + f + g + h;
  for (guint i = 0; i < G_N_ELEMENTS (on_stack); i++)
    d->result += on_stack[i];
  d->fresult = x + y + z;
}

/* Uses many registers between resumes, to clobber what the switch must
 * preserve. */
static guint64
clobber_registers (guint seed)
{
  guint64 r[12];
  double f[8];
  guint64 sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    r[i] = seed * (i + 1);
  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    f[i] = seed / (i + 1.0);
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    sum += r[i] * r[(i + 5) % G_N_ELEMENTS (r)] + (guint64) f[i % G_N_ELEMENTS (f)];
  return sum;
}

static void
test_suspend_resume (void)
{
  LocalsData reference = { FALSE, };
  LocalsData switched = { TRUE, };
  volatile guint64 sink = 0;
  GcoFiber *fiber;

  g_test_summary ("A fiber suspended and resumed many times keeps its locals, in "
                  "registers and on its stack");

  /* The same computation, once straight through on the thread's stack. */
  locals_body (&reference);

  fiber = fiber_new (0, locals_body, &switched);
  for (guint i = 0; i < N_ROUNDS; i++)
    {
      gco__fiber_resume (fiber);
      g_assert_false (gco__fiber_is_finished (fiber));
      g_assert_cmpuint (switched.round, ==, i);
      g_assert_null (gco__fiber_get_current ());
      sink += clobber_registers (i);
    }
  gco__fiber_resume (fiber);
  g_assert_true (gco__fiber_is_finished (fiber));

  g_assert_cmpuint (switched.result, ==, reference.result);
  g_assert_cmpfloat (switched.fresult, ==, reference.fresult);

  gco__fiber_free (fiber);
  assert_no_live_stacks ();
  (void) sink;
}

/* Nested resume */

typedef struct
{
  GcoFiber *outer;
  GcoFiber *inner;
  GString  *log;
} NestedData;

static void
inner_body (gpointer data)
{
  NestedData *n = data;

  g_assert_true (gco__fiber_get_current () == n->inner);
  g_string_append (n->log, "i1 ");
  gco__fiber_suspend ();
  g_assert_true (gco__fiber_get_current () == n->inner);
  g_string_append (n->log, "i2 ");
  gco__fiber_suspend ();
  g_assert_true (gco__fiber_get_current () == n->inner);
  g_string_append (n->log, "i3 ");
}

static void
outer_body (gpointer data)
{
  NestedData *n = data;

  g_string_append (n->log, "o1 ");
  gco__fiber_resume (n->inner);
  g_assert_true (gco__fiber_get_current () == n->outer);
  g_string_append (n->log, "o2 ");
  gco__fiber_suspend ();

  g_string_append (n->log, "o3 ");
  gco__fiber_resume (n->inner);
  g_assert_true (gco__fiber_is_finished (n->inner));
  g_assert_true (gco__fiber_get_current () == n->outer);
  g_string_append (n->log, "o4");
}

static void
test_nested (void)
{
  NestedData n = { NULL, };

  g_test_summary ("A fiber resumes another, which suspends back to it; a fiber may "
                  "be resumed by different resumers in turn");

  n.log = g_string_new (NULL);
  n.outer = fiber_new (0, outer_body, &n);
  n.inner = fiber_new (0, inner_body, &n);

  /* outer resumes inner, which suspends back into outer. */
  gco__fiber_resume (n.outer);
  g_assert_cmpstr (n.log->str, ==, "o1 i1 o2 ");
  g_assert_null (gco__fiber_get_current ());

  /* The thread resumes inner directly: it suspends back to the thread. */
  gco__fiber_resume (n.inner);
  g_assert_cmpstr (n.log->str, ==, "o1 i1 o2 i2 ");
  g_assert_null (gco__fiber_get_current ());

  /* outer resumes inner again, which finishes back into outer. */
  gco__fiber_resume (n.outer);
  g_assert_cmpstr (n.log->str, ==, "o1 i1 o2 i2 o3 i3 o4");
  g_assert_true (gco__fiber_is_finished (n.outer));
  g_assert_null (gco__fiber_get_current ());

  gco__fiber_free (n.inner);
  gco__fiber_free (n.outer);
  g_string_free (n.log, TRUE);
  assert_no_live_stacks ();
}

/* Floating-point control words */

typedef struct
{
  int initial;
  int seen_after_resume;
} FpData;

static void
fp_body (gpointer data)
{
  FpData *fp = data;

  fp->initial = fegetround ();
  fesetround (FE_UPWARD);
  gco__fiber_suspend ();
  fp->seen_after_resume = fegetround ();
}

static void
test_fp_control (void)
{
  FpData first = { -1, -1 };
  FpData second = { -1, -1 };
  GcoFiber *fiber1, *fiber2;

  g_test_summary ("Each fiber has its own floating-point rounding mode (MXCSR and "
                  "x87 control word, or FPCR), inherited from its creator");

  g_assert_cmpint (fegetround (), ==, FE_TONEAREST);
  fiber1 = fiber_new (0, fp_body, &first);

  /* The fiber changes its mode and suspends: ours is unaffected. */
  gco__fiber_resume (fiber1);
  g_assert_cmpint (first.initial, ==, FE_TONEAREST);
  g_assert_cmpint (fegetround (), ==, FE_TONEAREST);

  /* We change ours: the fiber's is kept across the switch. */
  fesetround (FE_DOWNWARD);
  fiber2 = fiber_new (0, fp_body, &second);
  gco__fiber_resume (fiber1);
  g_assert_true (gco__fiber_is_finished (fiber1));
  g_assert_cmpint (first.seen_after_resume, ==, FE_UPWARD);
  g_assert_cmpint (fegetround (), ==, FE_DOWNWARD);

  /* A fiber created in FE_DOWNWARD starts in it. */
  gco__fiber_resume (fiber2);
  g_assert_cmpint (second.initial, ==, FE_DOWNWARD);
  g_assert_cmpint (fegetround (), ==, FE_DOWNWARD);
  fesetround (FE_TONEAREST);
  gco__fiber_resume (fiber2);
  g_assert_cmpint (second.seen_after_resume, ==, FE_UPWARD);
  g_assert_cmpint (fegetround (), ==, FE_TONEAREST);

  gco__fiber_free (fiber1);
  gco__fiber_free (fiber2);
  assert_no_live_stacks ();
}

/* Stack sizes */

static void
noop_body (gpointer data)
{
}

static void
assert_stack_size (gsize requested,
                   gsize expected)
{
  GcoFiber *fiber = fiber_new (requested, noop_body, NULL);

  g_assert_cmpuint (gco__fiber_get_stack_size (fiber), ==, expected);
  gco__fiber_free (fiber);
}

static void
test_stack_size (void)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  gsize min = MAX (16 * 1024, page);
  gsize rounded = 0;

  g_test_summary ("Stack sizes are rounded up to the page size, at least 16 KiB; "
                  "0 means the default");

  assert_stack_size (1, min);
  assert_stack_size (16 * 1024, min);
  assert_stack_size (page * 7 + 1, page * 8);
  assert_stack_size (1024 * 1024, 1024 * 1024);
  assert_stack_size (0, gco__fiber_get_default_stack_size ());
  if (g_getenv ("GCO_STACK_SIZE") == NULL)
    g_assert_cmpuint (gco__fiber_get_default_stack_size (), ==, 256 * 1024);

  g_assert_true (gco__stack_round_size (page * 5 - 1, &rounded));
  g_assert_cmpuint (rounded, ==, page * 5);
  g_assert_false (gco__stack_round_size (G_MAXSIZE - 1, &rounded));

  gco__stack_trim_cache ();
  assert_no_live_stacks ();
}

static void
test_stack_size_parse (void)
{
  const struct { const char *str; gsize size; } valid[] = {
    { "65536", 65536 },
    { "1", 1 },
    { "64K", 64 * 1024 },
    { "64k", 64 * 1024 },
    { "2M", 2 * 1024 * 1024 },
    { "1m", 1024 * 1024 },
  };
  const char *invalid[] = {
    "", "0", "0K", "K", "-5", " 5", "5 ", "1.5M", "12Q", "64KB", "64KiB", "0x100",
    "abc", "99999999999999999999", "18014398509481984M",
  };

  g_test_summary ("GCO_STACK_SIZE takes bytes, or a K or M suffix; anything else "
                  "is rejected");

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      gsize size = 0;

      g_assert_true (gco__stack_parse_size (valid[i].str, &size));
      g_assert_cmpuint (size, ==, valid[i].size);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      gsize size = 12345;

      g_test_message ("rejecting “%s”", invalid[i]);
      g_assert_false (gco__stack_parse_size (invalid[i], &size));
      g_assert_cmpuint (size, ==, 12345);
    }
  g_assert_false (gco__stack_parse_size (NULL, NULL));
}

/* Runs in a subprocess, with GCO_STACK_SIZE set to @data before anything
 * reads it. */
static void
stack_size_env_child (gconstpointer data)
{
  GcoFiber *fiber;

  g_setenv ("GCO_STACK_SIZE", data, TRUE);
  /* Report the warning instead of aborting on it. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);

  fiber = fiber_new (0, noop_body, NULL);
  g_print ("default=%" G_GSIZE_FORMAT " stack=%" G_GSIZE_FORMAT "\n",
           gco__fiber_get_default_stack_size (), gco__fiber_get_stack_size (fiber));
  gco__fiber_free (fiber);
}

static void
test_stack_size_env (void)
{
  gsize min = MAX (16 * 1024, (gsize) sysconf (_SC_PAGESIZE));
  char *expected;

  g_test_summary ("GCO_STACK_SIZE sets the default stack size; an invalid value "
                  "is ignored with a warning");

  g_test_trap_subprocess ("/gco/fiber/stack-size-env/subprocess/64K", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("default=65536 stack=65536\n");
  g_test_trap_assert_stderr ("");

  /* Rounded up like any stack size. */
  g_test_trap_subprocess ("/gco/fiber/stack-size-env/subprocess/1000", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  expected = g_strdup_printf ("default=%" G_GSIZE_FORMAT " stack=%" G_GSIZE_FORMAT "\n",
                              min, min);
  g_test_trap_assert_stdout (expected);
  g_free (expected);

  g_test_trap_subprocess ("/gco/fiber/stack-size-env/subprocess/lots", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("default=262144 stack=262144\n");
  g_test_trap_assert_stderr ("*GCO_STACK_SIZE*lots*");
}

/* Guard pages and the canary */

static void
write_below_stack_body (gpointer data)
{
  volatile guint8 *below = gco__fiber_get_stack_bottom (gco__fiber_get_current ());

  below[-1] = 1;
}

static G_NO_INLINE guint
recurse (guint depth)
{
  volatile guint8 frame[512];

  /* Deep enough to overflow any stack the test uses. */
  frame[0] = (guint8) depth;
  if (depth > 1000 * 1000)
    return frame[0];
  return recurse (depth + 1) + frame[0];
}

static void
recurse_body (gpointer data)
{
  *(guint *) data = recurse (0);
}

/* Runs in a subprocess: @data says how the fiber runs off its stack, which
 * must crash. */
static void
guard_page_child (gconstpointer data)
{
  gboolean by_recursion = GPOINTER_TO_INT (data);
  guint result = 0;
  GcoFiber *fiber = fiber_new (16 * 1024,
                               by_recursion ? recurse_body : write_below_stack_body,
                               &result);

  g_assert_true (gco__fiber_has_guard_page (fiber));
  gco__fiber_resume (fiber);
  g_print ("survived %u\n", result);
}

static void
test_guard_page (void)
{
  GcoFiber *fiber;
  guint8 *bottom;
  char perms[5];

  g_test_summary ("A stack has an inaccessible guard page below it, so a fiber "
                  "running off its stack crashes at once");

  fiber = fiber_new (0, noop_body, NULL);
  g_assert_true (gco__fiber_has_guard_page (fiber));
  bottom = gco__fiber_get_stack_bottom (fiber);
  g_assert_true (get_mapping_perms (bottom, perms));
  g_assert_cmpstr (perms, ==, "rw-p");
  g_assert_true (get_mapping_perms (bottom - 1, perms));
  /* Guard regions (MADV_GUARD_INSTALL) do not show in /proc/self/maps; the
   * write in the subprocess below proves them. */
  if (!gco__stack_has_guard_regions ())
    g_assert_cmpstr (perms, ==, "---p");
  gco__fiber_free (fiber);

  g_test_trap_subprocess ("/gco/fiber/guard-page/subprocess/write", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");

  g_test_trap_subprocess ("/gco/fiber/guard-page/subprocess/recurse", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*survived*");

  gco__stack_trim_cache ();
  assert_no_live_stacks ();
}

/* Writes to the lowest bytes of its stack, as an overflow would, then suspends
 * or returns. */
static void
clobber_canary_body (gpointer data)
{
  volatile guint8 *bottom = gco__fiber_get_stack_bottom (gco__fiber_get_current ());

  bottom[GCO_STACK_CANARY_SIZE / 2] = 0x5a;
  if (GPOINTER_TO_INT (data))
    gco__fiber_suspend ();
}

/* Runs in a subprocess: @data says whether the fiber suspends after
 * clobbering its canary (else it returns). */
static void
canary_child (gconstpointer data)
{
  GcoFiber *guarded, *fiber;

  gco__stack_set_guard_budget (1);
  guarded = fiber_new (0, noop_body, NULL);
  fiber = fiber_new (0, clobber_canary_body, (gpointer) data);
  g_assert_true (gco__fiber_has_guard_page (guarded));
  g_assert_false (gco__fiber_has_guard_page (fiber));
  gco__fiber_resume (fiber);
  g_print ("survived\n");
}

static void
test_canary (void)
{
  g_test_summary ("Overwriting the lowest bytes of an unguarded stack is reported "
                  "as a stack overflow when the fiber suspends or finishes");

  g_test_trap_subprocess ("/gco/fiber/canary/subprocess/suspend", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*gco: coroutine stack overflow*no guard page*");
  g_test_trap_assert_stdout_unmatched ("*survived*");

  g_test_trap_subprocess ("/gco/fiber/canary/subprocess/finish", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*gco: coroutine stack overflow*no guard page*");
  g_test_trap_assert_stdout_unmatched ("*survived*");
}

/* Past the guard budget */

#define N_UNGUARDED_TEST 10

static void
counting_body (gpointer data)
{
  guint *count = data;

  for (guint i = 0; i < 3; i++)
    {
      (*count)++;
      gco__fiber_suspend ();
    }
  (*count)++;
}

static void
test_unguarded (void)
{
  GcoFiber *fibers[N_UNGUARDED_TEST];
  guint counts[N_UNGUARDED_TEST] = { 0, };
  GcoStackStats stats;

  g_test_summary ("Past the guard budget, stacks come from unguarded slabs and "
                  "work the same");

  gco__stack_trim_cache ();
  gco__stack_set_guard_budget (2);

  for (guint i = 0; i < N_UNGUARDED_TEST; i++)
    {
      fibers[i] = fiber_new (0, counting_body, &counts[i]);
      g_assert_true (gco__fiber_has_guard_page (fibers[i]) == (i < 2));
    }
  stats = get_stats ();
  g_assert_cmpuint (stats.live, ==, N_UNGUARDED_TEST);
  g_assert_cmpuint (stats.guarded, ==, 2);
  g_assert_cmpuint (stats.unguarded, ==, N_UNGUARDED_TEST - 2);

  for (guint round = 0; round < 4; round++)
    for (guint i = 0; i < N_UNGUARDED_TEST; i++)
      gco__fiber_resume (fibers[i]);

  for (guint i = 0; i < N_UNGUARDED_TEST; i++)
    {
      g_assert_true (gco__fiber_is_finished (fibers[i]));
      g_assert_cmpuint (counts[i], ==, 4);
      gco__fiber_free (fibers[i]);
    }

  gco__stack_set_guard_budget (0);
  gco__stack_trim_cache ();
  assert_no_live_stacks ();
}

#define N_SLAB_TEST 600

static void
test_slab_mappings (void)
{
  GcoFiber **fibers = g_new (GcoFiber *, N_SLAB_TEST);
  gpointer slab_stack;
  guint n_mappings;
  char perms[5];

  g_test_summary ("Unguarded stacks share a few memory mappings, however many "
                  "there are, so vm.max_map_count does not limit fibers; freed "
                  "slabs are unmapped");

  gco__stack_trim_cache ();
  gco__stack_set_guard_budget (1);

  for (guint i = 0; i < N_SLAB_TEST; i++)
    {
      fibers[i] = fiber_new (0, suspend_once_body, NULL);
      gco__fiber_resume (fibers[i]);
    }
  g_assert_cmpuint (get_stats ().unguarded, ==, N_SLAB_TEST - 1);

  /* One guarded stack, and three slabs of 256 stacks (fewer mappings when
   * the kernel merges adjacent slabs). */
  n_mappings = count_stack_mappings (fibers, N_SLAB_TEST);
  g_test_message ("%u stacks in %u mappings", N_SLAB_TEST, n_mappings);
  g_assert_cmpuint (n_mappings, <=, 4);

  slab_stack = gco__fiber_get_stack_bottom (fibers[1]);
  for (guint i = 0; i < N_SLAB_TEST; i++)
    {
      gco__fiber_resume (fibers[i]);
      gco__fiber_free (fibers[i]);
    }
  gco__stack_trim_cache ();

  /* Tools map memory of their own, which may land there. */
  if (gco__switch_tool_max_fibers () == 0)
    g_assert_false (get_mapping_perms (slab_stack, perms));

  gco__stack_set_guard_budget (0);
  g_free (fibers);
  assert_no_live_stacks ();
}

/* Running out of stacks */

static void
assert_no_stack (gsize stack_size)
{
  GError *error = NULL;
  GcoFiber *fiber = gco__fiber_new (stack_size, noop_body, NULL, &error);

  g_assert_null (fiber);
  g_assert_error (error, GCO_ERROR, GCO_ERROR_NO_STACK);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
}

static void
test_limit (void)
{
  GcoFiber *fibers[3];

  g_test_summary ("Reaching the stack limit fails with GCO_ERROR_NO_STACK");

  gco__stack_set_limit (3);
  for (guint i = 0; i < G_N_ELEMENTS (fibers); i++)
    fibers[i] = fiber_new (0, noop_body, NULL);
  assert_no_stack (0);

  /* Freeing one makes room again. */
  gco__fiber_free (fibers[0]);
  fibers[0] = fiber_new (0, noop_body, NULL);
  assert_no_stack (0);

  gco__stack_set_limit (0);
  for (guint i = 0; i < G_N_ELEMENTS (fibers); i++)
    gco__fiber_free (fibers[i]);
  gco__stack_trim_cache ();
  assert_no_live_stacks ();
}

static void
no_address_space_child (void)
{
  struct rlimit limit;

  /* Allow 256 MiB more than the process maps now, and ask for 1 GiB. */
  limit.rlim_cur = limit.rlim_max = read_statm_bytes (FALSE) + 256 * 1024 * 1024;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);

  assert_no_stack (1024 * 1024 * 1024);
  assert_no_stack (G_MAXSIZE / 4);
  assert_no_stack (G_MAXSIZE - 1);
  g_print ("ok\n");
}

static void
test_no_address_space (void)
{
  g_test_summary ("When stack memory cannot be mapped, creating a fiber fails with "
                  "GCO_ERROR_NO_STACK instead of aborting");

  /* Sizes beyond the address space. */
  assert_no_stack (G_MAXSIZE / 4);
  assert_no_stack (G_MAXSIZE - 1);
  assert_no_live_stacks ();

  g_test_trap_subprocess ("/gco/fiber/no-address-space/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("ok\n");
}

/* The per-thread cache */

static void
test_cache (void)
{
  GcoFiber *fibers[GCO_STACK_CACHE_MAX + 4];
  GcoFiber *fiber;
  gpointer bottom;

  g_test_summary ("Freed stacks are reused from a bounded per-thread cache");

  gco__stack_trim_cache ();
  g_assert_cmpuint (get_stats ().cached, ==, 0);

  fiber = fiber_new (0, noop_body, NULL);
  bottom = gco__fiber_get_stack_bottom (fiber);
  gco__fiber_resume (fiber);
  gco__fiber_free (fiber);
  g_assert_cmpuint (get_stats ().cached, ==, 1);

  /* Same size: the cached stack. Another size: a new one. */
  fiber = fiber_new (0, noop_body, NULL);
  g_assert_true (gco__fiber_get_stack_bottom (fiber) == bottom);
  g_assert_cmpuint (get_stats ().cached, ==, 0);
  gco__fiber_free (fiber);
  fiber = fiber_new (64 * 1024, noop_body, NULL);
  g_assert_true (gco__fiber_get_stack_bottom (fiber) != bottom);
  g_assert_cmpuint (get_stats ().cached, ==, 1);
  gco__fiber_free (fiber);
  g_assert_cmpuint (get_stats ().cached, ==, 2);
  gco__stack_trim_cache ();

  for (guint i = 0; i < G_N_ELEMENTS (fibers); i++)
    fibers[i] = fiber_new (0, noop_body, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fibers); i++)
    gco__fiber_free (fibers[i]);
  g_assert_cmpuint (get_stats ().cached, ==, GCO_STACK_CACHE_MAX);

  gco__stack_trim_cache ();
  g_assert_cmpuint (get_stats ().cached, ==, 0);
  assert_no_live_stacks ();
}

/* Threads */

#define N_THREAD_FIBERS 8
#define N_THREAD_ROUNDS 2000

typedef struct
{
  guint  id;
  guint  count;
} ThreadFiberData;

static void
thread_fiber_body (gpointer data)
{
  ThreadFiberData *d = data;

  for (guint i = 0; i < N_THREAD_ROUNDS; i++)
    {
      d->count += d->id;
      gco__fiber_suspend ();
    }
}

static gpointer
thread_func (gpointer data)
{
  GcoFiber *fibers[N_THREAD_FIBERS];
  ThreadFiberData fdata[N_THREAD_FIBERS];

  for (guint i = 0; i < N_THREAD_FIBERS; i++)
    {
      fdata[i] = (ThreadFiberData) { GPOINTER_TO_UINT (data) * 100 + i, 0 };
      fibers[i] = fiber_new (64 * 1024, thread_fiber_body, &fdata[i]);
    }

  for (guint round = 0; round <= N_THREAD_ROUNDS; round++)
    for (guint i = 0; i < N_THREAD_FIBERS; i++)
      gco__fiber_resume (fibers[i]);

  for (guint i = 0; i < N_THREAD_FIBERS; i++)
    {
      g_assert_true (gco__fiber_is_finished (fibers[i]));
      g_assert_cmpuint (fdata[i].count, ==, fdata[i].id * N_THREAD_ROUNDS);
      gco__fiber_free (fibers[i]);
    }
  g_assert_null (gco__fiber_get_current ());
  g_assert_cmpuint (get_stats ().cached, ==, N_THREAD_FIBERS);

  /* The thread's cache is released when it exits. */
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[2];

  g_test_summary ("Fibers run on two threads at once, each thread with its own "
                  "current fiber and cache");

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("fibers", thread_func, GUINT_TO_POINTER (i + 1));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (get_stats ().cached, ==, 0);
  assert_no_live_stacks ();
}

static gpointer
resume_elsewhere_func (gpointer data)
{
  gco__fiber_resume (data);
  return NULL;
}

static void
wrong_thread_child (void)
{
  GcoFiber *fiber = fiber_new (0, suspend_once_body, NULL);

  gco__fiber_resume (fiber);
  g_thread_join (g_thread_new ("elsewhere", resume_elsewhere_func, fiber));
  g_print ("survived\n");
}

static void
test_wrong_thread (void)
{
  g_test_summary ("Resuming a fiber on another thread than its first is an "
                  "assertion failure");

  g_test_trap_subprocess ("/gco/fiber/wrong-thread/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*assertion failed*thread*");
  g_test_trap_assert_stdout_unmatched ("*survived*");
}

/* Many fibers at once */

static void
test_many (void)
{
  guint n = gco__switch_tool_max_fibers () != 0 ? gco__switch_tool_max_fibers () : 100000;
  GcoFiber **fibers = g_new (GcoFiber *, n);
  guint *counts = g_new0 (guint, n);
  GcoStackStats stats;
  gsize rss_before, rss_after;

  g_test_summary ("100,000 fibers (fewer under Valgrind or TSan) can be alive "
                  "and suspended at once, mostly on unguarded slabs, and cost "
                  "about a page each");

  rss_before = read_statm_bytes (TRUE);
  for (guint i = 0; i < n; i++)
    {
      fibers[i] = fiber_new (0, counting_body, &counts[i]);
      gco__fiber_resume (fibers[i]);
    }
  rss_after = read_statm_bytes (TRUE);

  stats = get_stats ();
  g_assert_cmpuint (stats.live, ==, n);
  g_assert_cmpuint (stats.guarded + stats.unguarded, ==, n);
  g_test_message ("%u fibers: %u guarded, %u unguarded, %" G_GSIZE_FORMAT
                  " bytes of RSS each", n, stats.guarded, stats.unguarded,
                  (rss_after - MIN (rss_before, rss_after)) / n);

  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < n; i++)
      gco__fiber_resume (fibers[i]);

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (gco__fiber_is_finished (fibers[i]));
      g_assert_cmpuint (counts[i], ==, 4);
      gco__fiber_free (fibers[i]);
    }

  g_free (fibers);
  g_free (counts);
  gco__stack_trim_cache ();
  assert_no_live_stacks ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gco/fiber/run-to-completion", test_run_to_completion);
  g_test_add_func ("/gco/fiber/free-unstarted", test_free_unstarted);
  g_test_add_func ("/gco/fiber/suspend-resume", test_suspend_resume);
  g_test_add_func ("/gco/fiber/nested", test_nested);
  g_test_add_func ("/gco/fiber/fp-control", test_fp_control);
  g_test_add_func ("/gco/fiber/stack-size", test_stack_size);
  g_test_add_func ("/gco/fiber/stack-size-parse", test_stack_size_parse);
  g_test_add_func ("/gco/fiber/stack-size-env", test_stack_size_env);
  g_test_add_func ("/gco/fiber/guard-page", test_guard_page);
  g_test_add_func ("/gco/fiber/canary", test_canary);
  g_test_add_func ("/gco/fiber/unguarded", test_unguarded);
  g_test_add_func ("/gco/fiber/slab-mappings", test_slab_mappings);
  g_test_add_func ("/gco/fiber/limit", test_limit);
  g_test_add_func ("/gco/fiber/no-address-space", test_no_address_space);
  g_test_add_func ("/gco/fiber/cache", test_cache);
  g_test_add_func ("/gco/fiber/threads", test_threads);
  g_test_add_func ("/gco/fiber/wrong-thread", test_wrong_thread);
  g_test_add_func ("/gco/fiber/many", test_many);

  /* Run only by the tests above, each in a process of its own. */
  g_test_add_data_func ("/gco/fiber/stack-size-env/subprocess/64K", "64K",
                        stack_size_env_child);
  g_test_add_data_func ("/gco/fiber/stack-size-env/subprocess/1000", "1000",
                        stack_size_env_child);
  g_test_add_data_func ("/gco/fiber/stack-size-env/subprocess/lots", "lots",
                        stack_size_env_child);
  g_test_add_data_func ("/gco/fiber/guard-page/subprocess/write",
                        GINT_TO_POINTER (FALSE), guard_page_child);
  g_test_add_data_func ("/gco/fiber/guard-page/subprocess/recurse",
                        GINT_TO_POINTER (TRUE), guard_page_child);
  g_test_add_data_func ("/gco/fiber/canary/subprocess/suspend",
                        GINT_TO_POINTER (TRUE), canary_child);
  g_test_add_data_func ("/gco/fiber/canary/subprocess/finish",
                        GINT_TO_POINTER (FALSE), canary_child);
  g_test_add_func ("/gco/fiber/no-address-space/subprocess", no_address_space_child);
  g_test_add_func ("/gco/fiber/wrong-thread/subprocess", wrong_thread_child);

  return g_test_run ();
}
