/* bench-core.c: what a coroutine costs, beside what GLib costs for the same job
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every figure is measured for gco and for its GLib baseline in the same run,
 * round after round (the variants interleaved, so drift hits all of them), and
 * reported as the median of the rounds and the ratio of the medians. Machines
 * are noisy: nothing here fails because of a time. The program exits 1 only
 * when something breaks functionally (a coroutine that never ran, a drain that
 * never ended, a count that does not add up).
 *
 *   bench-core [--quick] [--rounds=N] [a] [b] [c] [d]
 *
 * (a) launch + run + complete an empty coroutine, vs g_idle_add and GTask;
 * (b) a gco_yield round trip, vs an idle callback dispatched again;
 * (c) 100,000 pending gco_delay calls, vs 100,000 g_timeout_add sources;
 * (d) memory per suspended coroutine, and how many can be suspended at once.
 *
 * Only the public API is used.
 */

#include <gco/gco.h>

#include "bench-common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Settings */

static gboolean quick;
static guint    n_rounds = 7;

/* Clock, statistics, failures */


/* The summary table */

typedef enum {
  TARGET_NONE,        /* information only */
  TARGET_RATIO_MAX,   /* gco / baseline <= threshold */
  TARGET_VALUE_MAX,   /* gco <= threshold */
  TARGET_VALUE_MIN,   /* gco >= threshold */
} TargetKind;

typedef struct
{
  char        figure[64];
  double      gco;
  double      baseline;     /* < 0: none */
  char        unit[8];
  char        baseline_name[40];
  TargetKind  kind;
  double      threshold;
  char        target[32];
} Row;

static GArray *rows;

static void
add_row (const char *figure,
         double      gco,
         double      baseline,
         const char *unit,
         const char *baseline_name,
         TargetKind  kind,
         double      threshold,
         const char *target)
{
  Row row = { { 0, }, gco, baseline, { 0, }, { 0, }, kind, threshold, { 0, } };

  g_strlcpy (row.figure, figure, sizeof row.figure);
  g_strlcpy (row.unit, unit, sizeof row.unit);
  g_strlcpy (row.baseline_name, baseline_name, sizeof row.baseline_name);
  g_strlcpy (row.target, target, sizeof row.target);
  g_array_append_val (rows, row);
}

static const char *
row_verdict (const Row *row)
{
  if (row->gco < 0)
    return "no data";
  switch (row->kind)
    {
    case TARGET_RATIO_MAX:
      return row->baseline > 0 && row->gco / row->baseline <= row->threshold ? "met" : "NOT met";
    case TARGET_VALUE_MAX:
      return row->gco <= row->threshold ? "met" : "NOT met";
    case TARGET_VALUE_MIN:
      return row->gco >= row->threshold ? "met" : "NOT met";
    case TARGET_NONE:
    default:
      return "(info)";
    }
}

static void
format_value (char       *buf,
              gsize       size,
              double      value,
              const char *unit)
{
  if (value < 0)
    g_strlcpy (buf, "-", size);
  else if (value >= 100000)
    g_snprintf (buf, size, "%.0f %s", value, unit);
  else if (value >= 100)
    g_snprintf (buf, size, "%.0f %s", value, unit);
  else
    g_snprintf (buf, size, "%.1f %s", value, unit);
}

static void
print_summary (void)
{
  printf ("\n== Summary (medians of %u rounds%s) ==\n", n_rounds, quick ? ", --quick sizes" : "");
  printf ("%-44s %12s %12s  %-30s %8s  %-16s %s\n",
          "figure", "gco", "baseline", "(baseline is)", "ratio", "target", "result");
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      char gco[32], base[32], ratio[16];

      format_value (gco, sizeof gco, row->gco, row->unit);
      format_value (base, sizeof base, row->baseline, row->unit);
      if (row->gco >= 0 && row->baseline > 0)
        g_snprintf (ratio, sizeof ratio, "%.3fx", row->gco / row->baseline);
      else
        g_strlcpy (ratio, "-", sizeof ratio);
      printf ("%-44s %12s %12s  %-30s %8s  %-16s %s\n",
              row->figure, gco, base, row->baseline_name, ratio, row->target, row_verdict (row));
    }
}

static void
print_figure (const char *name,
              double      gco,
              const char *baseline_name,
              double      baseline,
              const char *unit)
{
  printf ("  %-46s %10.1f %-3s | %-32s %10.1f %-3s | ratio %.3f\n",
          name, gco, unit, baseline_name, baseline, unit, baseline > 0 ? gco / baseline : 0.0);
  fflush (stdout);
}

/* Driving the default main context */

typedef gboolean (*DonePredicate) (gpointer data);

typedef struct
{
  guint value;
  guint target;
} Counter;

static gboolean
counter_done (gpointer data)
{
  Counter *counter = data;

  return counter->value >= counter->target;
}

static gboolean
job_has_no_children (gpointer data)
{
  return gco_job_get_n_children (data) == 0;
}

static gboolean
watchdog_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default context until @done says so; FALSE after @timeout_s.
 * Without blocking, the clock is read every 256 iterations only, so that it
 * weighs nothing beside an iteration. */
static gboolean
drain (DonePredicate done,
       gpointer      data,
       double        timeout_s,
       gboolean      may_block)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  guint watchdog = 0;
  guint i = 0;
  gboolean ok = TRUE;

  if (may_block)
    watchdog = g_timeout_add (100, watchdog_cb, NULL);

  while (!done (data))
    {
      g_main_context_iteration (NULL, may_block);
      if ((may_block || (++i & 255) == 0) && g_get_monotonic_time () > deadline)
        {
          ok = FALSE;
          break;
        }
    }

  if (watchdog != 0)
    g_source_remove (watchdog);
  return ok;
}

/* A scope for one experiment: its own root job, kept to watch its children. */
typedef struct
{
  GcoJob   *job;
  GcoScope *scope;
} Bench;

static void
bench_init (Bench         *bench,
            GcoDispatcher *dispatcher,
            gboolean       supervisor)
{
  bench->job = supervisor ? gco_supervisor_job_new (NULL) : gco_job_new (NULL);
  bench->scope = gco_scope_new (bench->job, dispatcher);
}

static gboolean
bench_cancel_and_drain (Bench *bench)
{
  gboolean ok;

  gco_scope_cancel (bench->scope);
  ok = drain (job_has_no_children, bench->job, 120, FALSE);
  if (!ok)
    bench_fail ("cancelled children still running after 120 s (%u left)",
          gco_job_get_n_children (bench->job));
  return ok;
}

static void
bench_clear (Bench *bench)
{
  g_clear_pointer (&bench->scope, gco_scope_unref);
  g_clear_pointer (&bench->job, gco_job_unref);
}

/* /proc */

static long
read_statm_resident_pages (void)
{
  FILE *f = fopen ("/proc/self/statm", "r");
  long size = -1, resident = -1;

  if (f == NULL)
    return -1;
  if (fscanf (f, "%ld %ld", &size, &resident) != 2)
    resident = -1;
  fclose (f);
  return resident;
}

/* A "Key:   value kB" line of a /proc file, in KiB; -1 if missing. */
static long
read_proc_kib (const char *path,
               const char *key)
{
  FILE *f = fopen (path, "r");
  char line[256];
  gsize key_len = strlen (key);
  long value = -1;

  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f) != NULL)
    if (strncmp (line, key, key_len) == 0 && line[key_len] == ':')
      {
        value = strtol (line + key_len + 1, NULL, 10);
        break;
      }
  fclose (f);
  return value;
}

static long
read_proc_long (const char *path)
{
  char *contents = NULL;
  long value = -1;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    value = strtol (contents, NULL, 10);
  g_free (contents);
  return value;
}

/* Bytes the heap hands out now (RSS undercounts a heap that reuses freed
 * pages); -1 where unknown. */
static double
heap_in_use (void)
{
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
  struct mallinfo2 info = mallinfo2 ();

  return (double) info.uordblks + (double) info.hblkhd;
#else
  return -1;
#endif
}

static long
count_mappings (void)
{
  FILE *f = fopen ("/proc/self/maps", "r");
  long n = 0;
  int c;

  if (f == NULL)
    return -1;
  while ((c = getc (f)) != EOF)
    if (c == '\n')
      n++;
  fclose (f);
  return n;
}

/* ------------------------------------------------------------------------ */
/* (a) launch + run + complete an empty coroutine                            */

static gboolean
empty_body (gpointer   user_data,
            GError   **error)
{
  Counter *counter = user_data;

  counter->value++;
  return TRUE;
}

static gboolean
empty_idle_cb (gpointer user_data)
{
  Counter *counter = user_data;

  counter->value++;
  return G_SOURCE_REMOVE;
}

static void
task_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Counter *counter = user_data;

  g_task_propagate_pointer (G_TASK (result), NULL);
  counter->value++;
}

/* ns per coroutine: N launches, then the loop drained until all completed. */
static double
round_launch (Bench *bench,
              guint  n)
{
  Counter counter = { 0, n };
  gint64 t0, t1;

  t0 = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    gco_launch (bench->scope, empty_body, &counter, NULL);
  if (!drain (job_has_no_children, bench->job, 60, FALSE))
    bench_fail ("(a) launched coroutines did not complete within 60 s");
  t1 = bench_now_ns ();

  if (counter.value != n)
    bench_fail ("(a) %u of %u empty coroutines ran", counter.value, n);
  return (double) (t1 - t0) / n;
}

static double
round_idle (guint n)
{
  Counter counter = { 0, n };
  gint64 t0, t1;

  t0 = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    g_idle_add (empty_idle_cb, &counter);
  if (!drain (counter_done, &counter, 60, FALSE))
    bench_fail ("(a) idle callbacks did not all run within 60 s");
  t1 = bench_now_ns ();
  return (double) (t1 - t0) / n;
}

static double
round_task (guint n)
{
  Counter counter = { 0, n };
  gint64 t0, t1;

  t0 = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    {
      GTask *task = g_task_new (NULL, NULL, task_done_cb, &counter);

      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
    }
  if (!drain (counter_done, &counter, 60, FALSE))
    bench_fail ("(a) GTask callbacks did not all run within 60 s");
  t1 = bench_now_ns ();
  return (double) (t1 - t0) / n;
}

static void
section_a (void)
{
  guint n = quick ? 10000 : 100000;
  double *co = g_new (double, n_rounds), *imm = g_new (double, n_rounds);
  double *idle = g_new (double, n_rounds), *task = g_new (double, n_rounds);
  double m_co, m_imm, m_idle, m_task;
  Bench bench, bench_imm;

  printf ("\n== (a) launch + run + complete an empty coroutine: N = %u per round ==\n", n);
  bench_init (&bench, gco_dispatcher_get_main (), FALSE);
  bench_init (&bench_imm, gco_dispatcher_get_main_immediate (), FALSE);

  /* Warm up: the first round pays for page faults, type registration and the
   * stack cache. */
  round_launch (&bench, n / 10);
  round_launch (&bench_imm, n / 10);
  round_idle (n / 10);
  round_task (n / 10);

  for (guint r = 0; r < n_rounds; r++)
    {
      co[r] = round_launch (&bench, n);
      imm[r] = round_launch (&bench_imm, n);
      idle[r] = round_idle (n);
      task[r] = round_task (n);
      printf ("  round %u: gco %.1f, gco immediate %.1f, g_idle_add %.1f, GTask %.1f ns\n",
              r + 1, co[r], imm[r], idle[r], task[r]);
    }

  m_co = bench_median (co, n_rounds);
  m_imm = bench_median (imm, n_rounds);
  m_idle = bench_median (idle, n_rounds);
  m_task = bench_median (task, n_rounds);
  print_figure ("gco_launch, main dispatcher", m_co, "g_idle_add", m_idle, "ns");
  print_figure ("gco_launch, main dispatcher", m_co, "GTask return + callback", m_task, "ns");
  print_figure ("gco_launch, main-immediate", m_imm, "g_idle_add", m_idle, "ns");
  print_figure ("gco_launch, main-immediate", m_imm, "GTask return + callback", m_task, "ns");

  add_row ("(a) launch+run+complete, main", m_co, m_idle, "ns", "g_idle_add + dispatch",
           TARGET_RATIO_MAX, 0.25, "<= 0.25x idle");
  add_row ("(a) launch+run+complete, main-immediate", m_imm, m_idle, "ns", "g_idle_add + dispatch",
           TARGET_RATIO_MAX, 0.25, "<= 0.25x idle");
  add_row ("(a) launch+run+complete, main", m_co, m_task, "ns", "GTask return + callback",
           TARGET_NONE, 0, "-");

  bench_cancel_and_drain (&bench);
  bench_cancel_and_drain (&bench_imm);
  bench_clear (&bench);
  bench_clear (&bench_imm);
  g_free (co);
  g_free (imm);
  g_free (idle);
  g_free (task);
}

/* ------------------------------------------------------------------------ */
/* (b) suspend/resume round trip with gco_yield                              */

typedef struct
{
  guint n_yields;
  guint done;
  guint failed;
} YieldShared;

static gboolean
yield_body (gpointer   user_data,
            GError   **error)
{
  YieldShared *shared = user_data;

  for (guint i = 0; i < shared->n_yields; i++)
    if (!gco_yield (error))
      {
        shared->failed++;
        return FALSE;
      }
  shared->done++;
  return TRUE;
}

typedef struct
{
  guint  remaining;
  guint *done;
} IdleYield;

static gboolean
idle_yield_cb (gpointer user_data)
{
  IdleYield *self = user_data;

  if (--self->remaining > 0)
    return G_SOURCE_CONTINUE;
  (*self->done)++;
  return G_SOURCE_REMOVE;
}

/* The baseline read literally: g_idle_add () called again for every
 * round trip (a new source each time), as a callback chain re-arms itself. */
static gboolean
idle_readd_cb (gpointer user_data)
{
  IdleYield *self = user_data;

  if (--self->remaining > 0)
    g_idle_add (idle_readd_cb, self);
  else
    (*self->done)++;
  return G_SOURCE_REMOVE;
}

typedef struct
{
  guint       *done;
  guint        target;
} DoneCount;

static gboolean
done_count_reached (gpointer data)
{
  DoneCount *d = data;

  return *d->done >= d->target;
}

/* ns per yield: @n_co coroutines each yielding @n_yields times. */
static double
round_yield (Bench *bench,
             guint  n_co,
             guint  n_yields)
{
  YieldShared shared = { n_yields, 0, 0 };
  DoneCount target = { &shared.done, n_co };
  gint64 t0, t1;

  t0 = bench_now_ns ();
  for (guint i = 0; i < n_co; i++)
    gco_launch (bench->scope, yield_body, &shared, NULL);
  if (!drain (done_count_reached, &target, 120, FALSE))
    bench_fail ("(b) yielding coroutines did not finish within 120 s");
  t1 = bench_now_ns ();
  if (!drain (job_has_no_children, bench->job, 10, FALSE))
    bench_fail ("(b) finished coroutines did not complete");

  if (shared.done != n_co || shared.failed != 0)
    bench_fail ("(b) %u of %u yielding coroutines finished, %u failed", shared.done, n_co, shared.failed);
  return (double) (t1 - t0) / ((double) n_co * n_yields);
}

static double
round_idle_yield_full (guint       n_sources,
                       guint       n_calls,
                       GSourceFunc func)
{
  IdleYield *sources = g_new (IdleYield, n_sources);
  guint done = 0;
  DoneCount target = { &done, n_sources };
  gint64 t0, t1;

  t0 = bench_now_ns ();
  for (guint i = 0; i < n_sources; i++)
    {
      sources[i].remaining = n_calls;
      sources[i].done = &done;
      g_idle_add (func, &sources[i]);
    }
  if (!drain (done_count_reached, &target, 120, FALSE))
    bench_fail ("(b) idle sources did not finish within 120 s");
  t1 = bench_now_ns ();
  g_free (sources);
  return (double) (t1 - t0) / ((double) n_sources * n_calls);
}

static double
round_idle_yield (guint n_sources,
                  guint n_calls)
{
  return round_idle_yield_full (n_sources, n_calls, idle_yield_cb);
}

static double
round_idle_readd (guint n_sources,
                  guint n_calls)
{
  return round_idle_yield_full (n_sources, n_calls, idle_readd_cb);
}

static void
section_b (void)
{
  guint n_single = quick ? 20000 : 200000;
  guint n_many = 1000, n_many_yields = quick ? 100 : 1000;
  double *co1 = g_new (double, n_rounds), *idle1 = g_new (double, n_rounds);
  double *co_n = g_new (double, n_rounds), *idle_n = g_new (double, n_rounds);
  double *readd1 = g_new (double, n_rounds), *readd_n = g_new (double, n_rounds);
  double m_co1, m_idle1, m_co_n, m_idle_n, m_readd1, m_readd_n;
  Bench bench;

  printf ("\n== (b) gco_yield round trip: 1 coroutine x %u yields; %u coroutines x %u yields ==\n",
          n_single, n_many, n_many_yields);
  printf ("  baselines: g_idle_add () again from each callback (a new source per round trip,\n"
          "  the issue's baseline), and an idle callback returning G_SOURCE_CONTINUE\n");
  bench_init (&bench, gco_dispatcher_get_main (), FALSE);

  round_yield (&bench, 1, n_single / 10);
  round_idle_yield (1, n_single / 10);
  round_yield (&bench, n_many, n_many_yields / 10);
  round_idle_yield (n_many, n_many_yields / 10);

  for (guint r = 0; r < n_rounds; r++)
    {
      co1[r] = round_yield (&bench, 1, n_single);
      idle1[r] = round_idle_yield (1, n_single);
      co_n[r] = round_yield (&bench, n_many, n_many_yields);
      idle_n[r] = round_idle_yield (n_many, n_many_yields);
      readd1[r] = round_idle_readd (1, n_single);
      readd_n[r] = round_idle_readd (n_many, n_many_yields);
      printf ("  round %u: 1 co %.1f / 1 idle %.1f / re-add %.1f ns;  %u co %.1f / %u idle %.1f / re-add %.1f ns per yield\n",
              r + 1, co1[r], idle1[r], readd1[r], n_many, co_n[r], n_many, idle_n[r], readd_n[r]);
    }

  m_co1 = bench_median (co1, n_rounds);
  m_idle1 = bench_median (idle1, n_rounds);
  m_co_n = bench_median (co_n, n_rounds);
  m_idle_n = bench_median (idle_n, n_rounds);
  m_readd1 = bench_median (readd1, n_rounds);
  m_readd_n = bench_median (readd_n, n_rounds);
  print_figure ("gco_yield, 1 coroutine", m_co1, "g_idle_add re-added, 1 chain", m_readd1, "ns");
  print_figure ("gco_yield, 1000 coroutines", m_co_n, "g_idle_add re-added, 1000 chains", m_readd_n, "ns");
  print_figure ("gco_yield, 1 coroutine", m_co1, "idle re-dispatch, 1 source", m_idle1, "ns");
  print_figure ("gco_yield, 1000 coroutines", m_co_n, "idle re-dispatch, 1000 sources", m_idle_n, "ns");

  add_row ("(b) yield round trip, 1 coroutine", m_co1, m_readd1, "ns", "g_idle_add re-added, 1",
           TARGET_RATIO_MAX, 0.05, "<= 0.05x idle");
  add_row ("(b) yield round trip, 1000 coroutines", m_co_n, m_readd_n, "ns", "g_idle_add re-added, 1000",
           TARGET_RATIO_MAX, 0.05, "<= 0.05x idle");
  add_row ("(b) yield round trip, 1 coroutine", m_co1, m_idle1, "ns", "1 idle source, CONTINUE",
           TARGET_NONE, 0, "-");
  add_row ("(b) yield round trip, 1000 coroutines", m_co_n, m_idle_n, "ns", "1000 idle sources, CONTINUE",
           TARGET_NONE, 0, "-");

  bench_cancel_and_drain (&bench);
  bench_clear (&bench);
  g_free (co1);
  g_free (idle1);
  g_free (co_n);
  g_free (idle_n);
  g_free (readd1);
  g_free (readd_n);
}

/* ------------------------------------------------------------------------ */
/* (c) 100,000 pending delays                                                */

typedef struct
{
  guint started;
  guint done;
  guint cancelled;
  guint failed;
} DelayCounts;

static DelayCounts delay_counts;

static gboolean
delay_body (gpointer   user_data,
            GError   **error)
{
  delay_counts.started++;
  if (!gco_delay (GPOINTER_TO_UINT (user_data), error))
    {
      if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        delay_counts.cancelled++;
      else
        delay_counts.failed++;
      return FALSE;
    }
  delay_counts.done++;
  return TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  Counter *counter = user_data;

  counter->value++;
  return G_SOURCE_REMOVE;
}

static gboolean
timeout_pending_cb (gpointer user_data)
{
  bench_fail ("(c) a far-off timeout fired");
  return G_SOURCE_REMOVE;
}

static gboolean
delays_started (gpointer data)
{
  return delay_counts.started >= GPOINTER_TO_UINT (data);
}

/* ns per g_main_context_iteration (NULL, FALSE), over at least 20 ms. */
static double
measure_iteration_ns (void)
{
  gint64 t0 = bench_now_ns (), t1;
  guint n = 0;

  do
    {
      for (guint i = 0; i < 8; i++)
        g_main_context_iteration (NULL, FALSE);
      n += 8;
      t1 = bench_now_ns ();
    }
  while (t1 - t0 < 20 * 1000 * 1000 || n < 16);

  return (double) (t1 - t0) / n;
}

/* Iteration cost with @n delays pending, far from due. */
static double
round_iteration_gco (guint n)
{
  Bench bench;
  double ns;

  memset (&delay_counts, 0, sizeof delay_counts);
  bench_init (&bench, gco_dispatcher_get_main (), FALSE);
  for (guint i = 0; i < n; i++)
    gco_launch (bench.scope, delay_body, GUINT_TO_POINTER (600000 + i % 1000), NULL);
  if (!drain (delays_started, GUINT_TO_POINTER (n), 60, FALSE))
    bench_fail ("(c) %u of %u delaying coroutines started", delay_counts.started, n);

  ns = measure_iteration_ns ();

  bench_cancel_and_drain (&bench);
  if (delay_counts.cancelled != n)
    bench_fail ("(c) %u of %u far-off delays were cancelled", delay_counts.cancelled, n);
  bench_clear (&bench);
  return ns;
}

static double
round_iteration_glib (guint n)
{
  guint *ids = g_new (guint, n);
  double ns;

  for (guint i = 0; i < n; i++)
    ids[i] = g_timeout_add (600000 + i % 1000, timeout_pending_cb, NULL);
  ns = measure_iteration_ns ();
  for (guint i = 0; i < n; i++)
    g_source_remove (ids[i]);
  g_free (ids);
  return ns;
}

typedef struct
{
  double launch_calls_ms;   /* gco: the launch calls only */
  double launch_ms;         /* until every timer is armed */
  double wall_ms;           /* until every one completed */
  double late_ms;           /* wall beyond the longest delay */
} DelayRound;

static void
round_delays_gco (const guint *delays,
                  guint        n,
                  guint        max_delay,
                  DelayRound  *out)
{
  Bench bench;
  gint64 t0, t1, t2, t3;

  memset (&delay_counts, 0, sizeof delay_counts);
  bench_init (&bench, gco_dispatcher_get_main (), FALSE);

  t0 = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    gco_launch (bench.scope, delay_body, GUINT_TO_POINTER (delays[i]), NULL);
  t1 = bench_now_ns ();
  if (!drain (delays_started, GUINT_TO_POINTER (n), 60, FALSE))
    bench_fail ("(c) %u of %u delaying coroutines started", delay_counts.started, n);
  t2 = bench_now_ns ();
  if (!drain (job_has_no_children, bench.job, 60, TRUE))
    bench_fail ("(c) delays not completed after 60 s: %u of %u", delay_counts.done, n);
  t3 = bench_now_ns ();

  if (delay_counts.done != n || delay_counts.failed != 0 || delay_counts.cancelled != 0)
    bench_fail ("(c) delays: %u done, %u cancelled, %u failed of %u",
          delay_counts.done, delay_counts.cancelled, delay_counts.failed, n);

  out->launch_calls_ms = (t1 - t0) / 1e6;
  out->launch_ms = (t2 - t0) / 1e6;
  out->wall_ms = (t3 - t0) / 1e6;
  out->late_ms = out->wall_ms - max_delay;
  bench_clear (&bench);
}

static void
round_delays_glib (const guint *delays,
                   guint        n,
                   guint        max_delay,
                   DelayRound  *out)
{
  Counter counter = { 0, n };
  gint64 t0, t1, t3;

  t0 = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    g_timeout_add (delays[i], timeout_cb, &counter);
  t1 = bench_now_ns ();
  if (!drain (counter_done, &counter, 60, TRUE))
    bench_fail ("(c) timeouts not completed after 60 s: %u of %u", counter.value, n);
  t3 = bench_now_ns ();

  out->launch_calls_ms = (t1 - t0) / 1e6;
  out->launch_ms = out->launch_calls_ms;
  out->wall_ms = (t3 - t0) / 1e6;
  out->late_ms = out->wall_ms - max_delay;
}

static void
section_c (void)
{
  guint n = quick ? 10000 : 100000;
  guint n_few = 10;
  guint *delays = g_new (guint, n);
  guint max_delay = 0;
  GRand *rand = g_rand_new_with_seed (20240611);
  double *it_co = g_new (double, n_rounds), *it_co_few = g_new (double, n_rounds);
  double *it_gl = g_new (double, n_rounds), *it_gl_few = g_new (double, n_rounds);
  double *co_calls = g_new (double, n_rounds), *co_launch = g_new (double, n_rounds);
  double *co_wall = g_new (double, n_rounds), *gl_launch = g_new (double, n_rounds);
  double *gl_wall = g_new (double, n_rounds);
  double m_it_co, m_it_co_few, m_it_gl, m_it_gl_few, m_co_calls, m_co_launch, m_co_wall;
  double m_gl_launch, m_gl_wall;
  char figure[64];

  for (guint i = 0; i < n; i++)
    {
      delays[i] = (guint) g_rand_int_range (rand, 0, 1001);
      max_delay = MAX (max_delay, delays[i]);
    }
  g_rand_free (rand);

  printf ("\n== (c) %u coroutines in gco_delay (random 0-1000 ms, fixed seed) vs %u g_timeout_add ==\n",
          n, n);

  /* Iteration cost with nothing due: every delay is 10 minutes away. */
  printf ("  main-loop iteration with nothing due (delays 600 s away, cancelled after):\n");
  round_iteration_gco (n_few);
  round_iteration_glib (n_few);
  for (guint r = 0; r < n_rounds; r++)
    {
      it_co[r] = round_iteration_gco (n);
      it_co_few[r] = round_iteration_gco (n_few);
      it_gl[r] = round_iteration_glib (n);
      it_gl_few[r] = round_iteration_glib (n_few);
      printf ("  round %u: gco %u pending %.1f, %u pending %.1f ns; GLib %u pending %.1f, %u pending %.1f ns\n",
              r + 1, n, it_co[r], n_few, it_co_few[r], n, it_gl[r], n_few, it_gl_few[r]);
    }

  printf ("  launch and wall time with the random delays:\n");
  for (guint r = 0; r < n_rounds; r++)
    {
      DelayRound co, gl;

      round_delays_gco (delays, n, max_delay, &co);
      round_delays_glib (delays, n, max_delay, &gl);
      co_calls[r] = co.launch_calls_ms;
      co_launch[r] = co.launch_ms;
      co_wall[r] = co.wall_ms;
      gl_launch[r] = gl.launch_ms;
      gl_wall[r] = gl.wall_ms;
      printf ("  round %u: gco launch calls %.1f ms, all suspended %.1f ms, wall %.1f ms (late %.1f); "
              "GLib add %.1f ms, wall %.1f ms (late %.1f)\n",
              r + 1, co.launch_calls_ms, co.launch_ms, co.wall_ms, co.late_ms,
              gl.launch_ms, gl.wall_ms, gl.late_ms);
    }

  m_it_co = bench_median (it_co, n_rounds);
  m_it_co_few = bench_median (it_co_few, n_rounds);
  m_it_gl = bench_median (it_gl, n_rounds);
  m_it_gl_few = bench_median (it_gl_few, n_rounds);
  m_co_calls = bench_median (co_calls, n_rounds);
  m_co_launch = bench_median (co_launch, n_rounds);
  m_co_wall = bench_median (co_wall, n_rounds);
  m_gl_launch = bench_median (gl_launch, n_rounds);
  m_gl_wall = bench_median (gl_wall, n_rounds);

  print_figure ("launch calls only (queued, not started)", m_co_calls,
                "g_timeout_add x N", m_gl_launch, "ms");
  print_figure ("launch until all suspended in gco_delay", m_co_launch,
                "g_timeout_add x N", m_gl_launch, "ms");
  g_snprintf (figure, sizeof figure, "iteration, %u pending", n);
  print_figure (figure, m_it_co, "GLib, same", m_it_gl, "ns");
  g_snprintf (figure, sizeof figure, "iteration, %u pending", n_few);
  print_figure (figure, m_it_co_few, "GLib, same", m_it_gl_few, "ns");
  print_figure ("wall time launch -> all completed", m_co_wall, "GLib, same", m_gl_wall, "ms");

  add_row ("(c) launch N delays, until all suspended", m_co_launch, m_gl_launch, "ms",
           "N g_timeout_add calls", TARGET_NONE, 0, "-");
  add_row ("(c) launch N delays, calls only", m_co_calls, m_gl_launch, "ms",
           "N g_timeout_add calls", TARGET_NONE, 0, "-");
  g_snprintf (figure, sizeof figure, "(c) iteration, %u pending", n);
  add_row (figure, m_it_co, m_it_gl, "ns", "GLib, same pending",
           TARGET_NONE, 0, "-");
  g_snprintf (figure, sizeof figure, "(c) iteration, %u pending", n_few);
  add_row (figure, m_it_co_few, m_it_gl_few, "ns", "GLib, same pending",
           TARGET_NONE, 0, "-");
  g_snprintf (figure, sizeof figure, "(c) iteration: gco %u vs %u pending", n, n_few);
  add_row (figure, m_it_co, m_it_co_few, "ns", "gco, 10 pending",
           TARGET_RATIO_MAX, 2.0, "<= 2x (O(1)) *");
  add_row ("(c) wall, launch -> all completed", m_co_wall, m_gl_wall, "ms",
           "GLib, same delays", quick ? TARGET_NONE : TARGET_VALUE_MAX, 1100,
           quick ? "(full N only)" : "<= 1100 ms");

  g_free (delays);
  g_free (it_co);
  g_free (it_co_few);
  g_free (it_gl);
  g_free (it_gl_few);
  g_free (co_calls);
  g_free (co_launch);
  g_free (co_wall);
  g_free (gl_launch);
  g_free (gl_wall);
}

/* ------------------------------------------------------------------------ */
/* (d) memory per suspended coroutine; how many at once                      */

typedef struct
{
  guint   suspended;      /* reached gco_await_cancellation */
  guint   returned;       /* came back from it */
  guint   failures;       /* exception handler calls */
  guint   launched;
  GError *first_error;
} Parked;

static Parked parked;

static gboolean
park_body (gpointer   user_data,
           GError   **error)
{
  gboolean ok;

  parked.suspended++;
  ok = gco_await_cancellation (error);
  parked.returned++;
  return ok;
}

static void
park_exception_cb (GcoJob       *job,
                   const GError *error,
                   gpointer      user_data)
{
  if (parked.failures++ == 0)
    parked.first_error = g_error_copy (error);
}

static gboolean
park_batch_settled (gpointer data)
{
  return parked.suspended + parked.failures >= parked.launched;
}

static void
pending_task_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
}

/* Bytes per pending GTask, the callback-style equivalent of a suspended
 * operation. Measured in a fresh process (this program, run again with
 * --probe-gtask-memory): here, GSlice and malloc would hand the tasks memory
 * that earlier sections freed, and neither RSS nor the heap would grow. */
static void
probe_gtask_memory (guint n)
{
  GTask **tasks = g_new (GTask *, n);
  long before, after;
  double heap_before, heap_after;

  g_type_ensure (G_TYPE_TASK);
  before = read_statm_resident_pages ();
  heap_before = heap_in_use ();
  for (guint i = 0; i < n; i++)
    tasks[i] = g_task_new (NULL, NULL, pending_task_cb, NULL);
  after = read_statm_resident_pages ();
  heap_after = heap_in_use ();

  printf ("%.1f %.1f\n", (double) (after - before) * sysconf (_SC_PAGESIZE) / n,
          heap_before >= 0 ? (heap_after - heap_before) / n : -1.0);

  for (guint i = 0; i < n; i++)
    {
      g_task_return_pointer (tasks[i], NULL, NULL);
      g_object_unref (tasks[i]);
    }
  g_free (tasks);
}

/* Returns RSS bytes per pending GTask; -1 if the probe failed. */
static double
glib_bytes_per_pending_task (guint n)
{
  char n_str[16];
  char *argv[] = { (char *) "/proc/self/exe", (char *) "--probe-gtask-memory", n_str, NULL };
  char *out = NULL;
  double rss = -1, heap = -1;
  int status = 0;

  g_snprintf (n_str, sizeof n_str, "%u", n);
  if (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL) &&
      g_spawn_check_wait_status (status, NULL) &&
      sscanf (out, "%lf %lf", &rss, &heap) == 2)
    printf ("  GLib baseline (fresh process): a pending GTask takes %.0f bytes of RSS, %.0f of heap\n",
            rss, heap);
  else
    printf ("  GLib baseline: the GTask memory probe failed\n");
  g_free (out);
  return rss;
}

static void
section_d (void)
{
  guint n_rss = quick ? 10000 : 100000;
  guint n_max = quick ? 100000 : 1000000;
  guint batch = 10000;
  long page = sysconf (_SC_PAGESIZE);
  long min_available_kib = 2L * 1024 * 1024;  /* stop before the machine runs out */
  long before, after, pte_before, pte_after, maps_at_peak;
  double rss_per, pte_per, task_per, heap_before, heap_after, peak_per = -1;
  const char *stop_reason = "reached the target";
  gint64 t0, t1;
  Bench bench;

  printf ("\n== (d) memory per suspended coroutine (N = %u); most suspended at once (target %u) ==\n",
          n_rss, n_max);
  printf ("  vm.max_map_count = %ld; page size %ld; GCO_STACK_SIZE = %s\n",
          read_proc_long ("/proc/sys/vm/max_map_count"), page,
          g_getenv ("GCO_STACK_SIZE") ? g_getenv ("GCO_STACK_SIZE") : "(unset: default)");
  printf ("  (on Linux 6.13+ every stack's guard page is a guard region in a slab, no mapping of its\n"
          "   own; before, guard pages cost two mappings each within a budget derived from\n"
          "   vm.max_map_count, and stacks past it come from unguarded slabs)\n");

  memset (&parked, 0, sizeof parked);
  bench_init (&bench, gco_dispatcher_get_main (), TRUE);
  gco_scope_set_exception_handler (bench.scope, park_exception_cb, NULL, NULL);

  task_per = glib_bytes_per_pending_task (n_rss);

  /* Part 1: RSS per suspended coroutine. */
  before = read_statm_resident_pages ();
  pte_before = read_proc_kib ("/proc/self/status", "VmPTE");
  heap_before = heap_in_use ();
  t0 = bench_now_ns ();
  for (guint i = 0; i < n_rss; i++)
    gco_launch (bench.scope, park_body, NULL, NULL);
  parked.launched = n_rss;
  if (!drain (park_batch_settled, NULL, 120, FALSE))
    bench_fail ("(d) %u of %u coroutines reached their suspension", parked.suspended, n_rss);
  t1 = bench_now_ns ();
  after = read_statm_resident_pages ();
  pte_after = read_proc_kib ("/proc/self/status", "VmPTE");
  heap_after = heap_in_use ();

  rss_per = (double) (after - before) * page / MAX (parked.suspended, 1);
  pte_per = (double) (pte_after - pte_before) * 1024 / MAX (parked.suspended, 1);
  printf ("  %u suspended in %.1f ms (%.0f ns each); RSS +%ld KiB: %.0f bytes (%.2f KiB) per coroutine\n",
          parked.suspended, (t1 - t0) / 1e6, (double) (t1 - t0) / MAX (parked.suspended, 1),
          (after - before) * page / 1024, rss_per, rss_per / 1024);
  printf ("  page tables (VmPTE, not in RSS) +%ld KiB: %.0f bytes per coroutine\n",
          pte_after - pte_before, pte_per);
  printf ("  of which heap (malloc, not stacks): %.0f bytes per coroutine\n",
          (heap_after - heap_before) / MAX (parked.suspended, 1));
  if (parked.failures > 0)
    bench_fail ("(d) %u launches failed at N = %u: %s", parked.failures, n_rss,
          parked.first_error ? parked.first_error->message : "?");

  /* Part 2: keep going until the target or the first failure. */
  t0 = bench_now_ns ();
  while (parked.launched < n_max && parked.failures == 0)
    {
      guint this_batch = MIN (batch, n_max - parked.launched);
      long available = read_proc_kib ("/proc/meminfo", "MemAvailable");

      if (available >= 0 && available < min_available_kib)
        {
          stop_reason = "stopped: MemAvailable below 2 GiB (not a gco failure)";
          break;
        }

      for (guint i = 0; i < this_batch; i++)
        gco_launch (bench.scope, park_body, NULL, NULL);
      parked.launched += this_batch;
      if (!drain (park_batch_settled, NULL, 120, FALSE))
        {
          bench_fail ("(d) batch did not settle: %u suspended, %u failed of %u launched",
                parked.suspended, parked.failures, parked.launched);
          stop_reason = "stopped: batch did not settle";
          break;
        }
    }
  t1 = bench_now_ns ();
  if (parked.failures > 0)
    stop_reason = "stopped: first launch failure";
  maps_at_peak = count_mappings ();
  after = read_statm_resident_pages ();

  printf ("  concurrently suspended: %u (%s) after %.1f s; %u launch failures\n",
          parked.suspended, stop_reason, (t1 - t0) / 1e9, parked.failures);
  if (parked.first_error != NULL)
    printf ("  first failure: %s\n", parked.first_error->message);
  peak_per = (double) (after - before) * page / MAX (parked.suspended, 1);
  printf ("  at the peak: RSS %.1f MiB, +%.0f bytes per suspended coroutine since part 1 began; "
          "%ld mappings, VmPTE %ld KiB\n",
          after * page / 1048576.0, peak_per, maps_at_peak,
          read_proc_kib ("/proc/self/status", "VmPTE"));

  add_row ("(d) RSS per suspended coroutine", rss_per / 1024, task_per / 1024, "KiB",
           "a pending GTask", TARGET_VALUE_MAX, 8, "<= 8 KiB");
  add_row ("(d) RSS per suspended coroutine, at peak", peak_per / 1024, task_per / 1024, "KiB",
           "a pending GTask", TARGET_VALUE_MAX, 8, "<= 8 KiB");
  add_row ("(d) concurrently suspended", parked.suspended, -1, "", "-",
           quick ? TARGET_NONE : TARGET_VALUE_MIN, n_max,
           quick ? "(full N only)" : ">= 1000000");

  /* Cancel everything and drain. */
  t0 = bench_now_ns ();
  if (bench_cancel_and_drain (&bench) && parked.returned != parked.suspended)
    bench_fail ("(d) %u suspended, %u returned after cancellation", parked.suspended, parked.returned);
  t1 = bench_now_ns ();
  printf ("  cancel + drain of %u: %.1f ms (%.0f ns each); RSS after %.1f MiB\n",
          parked.suspended, (t1 - t0) / 1e6, (double) (t1 - t0) / MAX (parked.suspended, 1),
          read_statm_resident_pages () * page / 1048576.0);

  bench_clear (&bench);
  g_clear_error (&parked.first_error);
}

/* ------------------------------------------------------------------------ */

int
main (int   argc,
      char *argv[])
{
  gboolean want[4] = { FALSE, FALSE, FALSE, FALSE };
  gboolean any = FALSE;

  setvbuf (stdout, NULL, _IOLBF, 0);

  if (argc == 3 && strcmp (argv[1], "--probe-gtask-memory") == 0)
    {
      probe_gtask_memory ((guint) atoi (argv[2]));
      return 0;
    }

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--quick") == 0)
        quick = TRUE;
      else if (g_str_has_prefix (arg, "--rounds="))
        n_rounds = MAX (1, (guint) atoi (arg + strlen ("--rounds=")));
      else if (strlen (arg) == 1 && arg[0] >= 'a' && arg[0] <= 'd')
        want[arg[0] - 'a'] = any = TRUE;
      else
        {
          fprintf (stderr, "usage: %s [--quick] [--rounds=N] [a] [b] [c] [d]\n", argv[0]);
          return 2;
        }
    }
  if (!any)
    want[0] = want[1] = want[2] = want[3] = TRUE;
  if (quick && n_rounds == 7)
    n_rounds = 3;

  rows = g_array_new (FALSE, FALSE, sizeof (Row));
  printf ("bench-core: gco vs GLib %u.%u.%u, %ld CPUs online, %u rounds, medians%s\n",
          glib_major_version, glib_minor_version, glib_micro_version,
          sysconf (_SC_NPROCESSORS_ONLN), n_rounds, quick ? ", --quick" : "");

  /* Make the main dispatcher's thread known before anything is measured. */
  (void) gco_dispatcher_get_main ();
  while (g_main_context_iteration (NULL, FALSE))
    ;

  if (want[0])
    section_a ();
  if (want[1])
    section_b ();
  if (want[2])
    section_c ();
  if (want[3])
    section_d ();

  print_summary ();
  printf ("  * my threshold: the design promises an iteration cost independent of the number of delays.\n");
  g_array_unref (rows);

  if (bench_functional_failure)
    {
      printf ("\nbench-core: FUNCTIONAL FAILURE (see above)\n");
      return 1;
    }
  return 0;
}
