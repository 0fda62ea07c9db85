/* bench-gio.c: awaiting GIO operations from a coroutine, beside the
 * hand-written callback chain that drives the same operations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every figure is measured for gco and for its GLib baseline in the same run,
 * round after round (the variants interleaved, so drift hits all of them), and
 * reported as the median of the rounds and the ratio of the medians. Nothing
 * here fails because of a time; the program exits 1 only when something
 * breaks functionally (an operation that never completed, a wrong value).
 *
 *   bench-gio [--quick] [--rounds=N] [a] [b] [c]
 *
 * The operation is `trivial_op_async`: a GTask that returns a pointer at once,
 * so GTask delivers it in a later main-loop iteration. One op is a start plus
 * its delivery, then the `_finish` call:
 *
 * (a) a coroutine awaiting it with GcoAsyncOp, N times in a row, vs a
 *     hand-written callback chain starting the next op from each callback;
 * (b) the same with a GCancellable given to each op: the coroutine's own
 *     (gco_cancellable ()), vs one the callback chain owns;
 * (c) publishing: the same op implemented as a coroutine with gco_task_run (),
 *     driven by the callback chain, vs the plain GTask op (information: what
 *     a coroutine-implemented `_async` costs over a callback-implemented one).
 *
 * Only the public API is used.
 */

#include <gco/gco.h>

#include "bench-common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRIVIAL_VALUE GINT_TO_POINTER (0x600d)

/* Settings */

static gboolean quick;
static guint    n_rounds = 7;

/* Clock, statistics, failures */


/* The summary table */

typedef struct
{
  char    figure[64];
  double  gco;
  double  baseline;
  char    baseline_name[40];
  double  threshold;   /* <= 0: information only */
  char    target[24];
} Row;

static GArray *rows;

static void
add_row (const char *figure,
         double      gco,
         double      baseline,
         const char *baseline_name,
         double      threshold,
         const char *target)
{
  Row row = { { 0, }, gco, baseline, { 0, }, threshold, { 0, } };

  g_strlcpy (row.figure, figure, sizeof row.figure);
  g_strlcpy (row.baseline_name, baseline_name, sizeof row.baseline_name);
  g_strlcpy (row.target, target, sizeof row.target);
  g_array_append_val (rows, row);
}

static void
print_summary (void)
{
  printf ("\n== Summary (medians of %u rounds%s) ==\n", n_rounds, quick ? ", --quick sizes" : "");
  printf ("%-44s %12s %12s  %-34s %8s  %-16s %s\n",
          "figure", "gco", "baseline", "(baseline is)", "ratio", "target", "result");
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = &g_array_index (rows, Row, i);
      char gco[32], base[32], ratio[16];
      double r = row->baseline > 0 ? row->gco / row->baseline : -1;
      const char *verdict;

      g_snprintf (gco, sizeof gco, "%.1f ns", row->gco);
      g_snprintf (base, sizeof base, "%.1f ns", row->baseline);
      if (r > 0)
        g_snprintf (ratio, sizeof ratio, "%.3fx", r);
      else
        g_strlcpy (ratio, "-", sizeof ratio);
      if (row->gco < 0 || r < 0)
        verdict = "no data";
      else if (row->threshold <= 0)
        verdict = "(info)";
      else
        verdict = r <= row->threshold ? "met" : "NOT met";
      printf ("%-44s %12s %12s  %-34s %8s  %-16s %s\n",
              row->figure, gco, base, row->baseline_name, ratio, row->target, verdict);
    }
}

static void
print_figure (const char *name,
              double      gco,
              const char *baseline_name,
              double      baseline)
{
  printf ("  %-40s %9.1f ns | %-32s %9.1f ns | ratio %.3f\n",
          name, gco, baseline_name, baseline, baseline > 0 ? gco / baseline : 0.0);
  fflush (stdout);
}

/* Iterates the default main context until *@done, with a generous bound so a
 * functional failure cannot hang the run. */
static gboolean
run_until (const gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  guint n = 0;

  while (!*done)
    {
      g_main_context_iteration (NULL, TRUE);
      if ((++n & 0xffff) == 0 && g_get_monotonic_time () > deadline)
        return FALSE;
    }
  return TRUE;
}

/* The operation: a GTask returning at once, delivered in a later iteration */

static void
trivial_op_async (GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, trivial_op_async);
  g_task_return_pointer (task, TRIVIAL_VALUE, NULL);
  g_object_unref (task);
}

static gpointer
trivial_op_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The same operation implemented as a coroutine (c). */

static gpointer
published_op_co (gpointer   user_data,
                 GError   **error)
{
  return TRIVIAL_VALUE;
}

static void
published_op_async (GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, published_op_async);
  gco_task_run (task, NULL, published_op_co, NULL, NULL, NULL);
  g_object_unref (task);
}

typedef void (*OpAsync) (GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data);

/* A run of N ops */

typedef struct
{
  OpAsync       op_async;
  GCancellable *cancellable;
  gboolean      use_cancellable;
  guint         n;
  guint         count;
  gboolean      done;
} Chain;

/* The baseline: a hand-written callback chain. */

static void
chain_cb (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Chain *chain = user_data;
  GError *error = NULL;

  if (trivial_op_finish (result, &error) != TRIVIAL_VALUE)
    {
      bench_fail ("callback chain: op %u returned a wrong value: %s", chain->count,
            error != NULL ? error->message : "(no error)");
      g_clear_error (&error);
      chain->done = TRUE;
      return;
    }

  if (++chain->count < chain->n)
    chain->op_async (chain->cancellable, chain_cb, chain);
  else
    chain->done = TRUE;
}

static double
measure_chain (OpAsync  op_async,
               gboolean use_cancellable,
               guint    n)
{
  Chain chain = { op_async, NULL, use_cancellable, n, 0, FALSE };
  gint64 start;
  double per_op;

  if (use_cancellable)
    chain.cancellable = g_cancellable_new ();

  start = bench_now_ns ();
  op_async (chain.cancellable, chain_cb, &chain);
  if (!run_until (&chain.done))
    bench_fail ("callback chain: never finished");
  per_op = (double) (bench_now_ns () - start) / n;

  if (chain.count != n)
    bench_fail ("callback chain: %u of %u ops completed", chain.count, n);
  g_clear_object (&chain.cancellable);
  return per_op;
}

/* gco: one coroutine awaiting the ops one after the other. */

static gboolean
await_loop_co (gpointer   user_data,
               GError   **error)
{
  Chain *chain = user_data;
  GCancellable *cancellable = chain->use_cancellable ? gco_cancellable () : NULL;

  for (guint i = 0; i < chain->n; i++)
    {
      GcoAsyncOp op = GCO_ASYNC_OP_INIT;
      GAsyncResult *result;
      gpointer value;

      chain->op_async (cancellable, gco_async_op_callback, &op);
      result = gco_async_op_await (&op, error);
      if (result == NULL)
        return FALSE;
      value = trivial_op_finish (result, error);
      g_object_unref (result);
      if (value != TRIVIAL_VALUE)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, GCO_ERROR, GCO_ERROR_FAILED, "op %u returned a wrong value", i);
          return FALSE;
        }
      chain->count++;
    }

  return TRUE;
}

static void
await_done_cb (GcoJob       *job,
               const GError *error,
               gpointer      user_data)
{
  Chain *chain = user_data;

  if (error != NULL)
    bench_fail ("coroutine: %s", error->message);
  chain->done = TRUE;
}

static double
measure_await (OpAsync  op_async,
               gboolean use_cancellable,
               guint    n,
               GcoScope *scope)
{
  Chain chain = { op_async, NULL, use_cancellable, n, 0, FALSE };
  GcoJob *job;
  gint64 start;
  double per_op;

  start = bench_now_ns ();
  job = gco_launch_job (scope, await_loop_co, &chain, NULL);
  gco_job_add_completion_handler (job, await_done_cb, &chain, NULL);
  if (!run_until (&chain.done))
    bench_fail ("coroutine: never finished");
  per_op = (double) (bench_now_ns () - start) / n;

  if (chain.count != n)
    bench_fail ("coroutine: %u of %u ops completed", chain.count, n);
  gco_job_unref (job);
  return per_op;
}

/* One main-loop iteration that dispatches one ready source: what an extra
 * hop through a dispatcher's GSource costs at least. */

typedef struct
{
  guint    n;
  guint    count;
  gboolean done;
} Spin;

static gboolean
spin_cb (gpointer user_data)
{
  Spin *spin = user_data;

  if (++spin->count < spin->n)
    return G_SOURCE_CONTINUE;
  spin->done = TRUE;
  return G_SOURCE_REMOVE;
}

static double
measure_iteration (guint n)
{
  Spin spin = { n, 0, FALSE };
  gint64 start = bench_now_ns ();

  g_idle_add (spin_cb, &spin);
  if (!run_until (&spin.done))
    bench_fail ("iteration: never finished");
  return (double) (bench_now_ns () - start) / n;
}

/* Sections */

static void
section_await (const char *letter,
               gboolean    use_cancellable)
{
  guint n = quick ? 20000 : 200000;
  g_autofree double *gco = g_new0 (double, n_rounds);
  g_autofree double *cb = g_new0 (double, n_rounds);
  g_autofree double *iter = g_new0 (double, n_rounds);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  char figure[64];
  double m_gco, m_cb;

  printf ("\n== (%s) await trivial_op_async from a coroutine (GcoAsyncOp) vs a callback chain%s:"
          " N = %u per round ==\n", letter, use_cancellable ? ", with a GCancellable" : "", n);

  /* Warm up both paths (stacks, type registrations, caches). */
  measure_await (trivial_op_async, use_cancellable, n / 10, scope);
  measure_chain (trivial_op_async, use_cancellable, n / 10);

  for (guint r = 0; r < n_rounds; r++)
    {
      if (r % 2 == 0)
        {
          gco[r] = measure_await (trivial_op_async, use_cancellable, n, scope);
          cb[r] = measure_chain (trivial_op_async, use_cancellable, n);
        }
      else
        {
          cb[r] = measure_chain (trivial_op_async, use_cancellable, n);
          gco[r] = measure_await (trivial_op_async, use_cancellable, n, scope);
        }
      iter[r] = measure_iteration (n);
      printf ("  round %u: coroutine %.1f ns, callback chain %.1f ns per op; "
              "one main-loop iteration %.1f ns\n", r, gco[r], cb[r], iter[r]);
    }

  m_gco = bench_median (gco, n_rounds);
  m_cb = bench_median (cb, n_rounds);
  print_figure ("await one op (GcoAsyncOp)", m_gco, "callback chain", m_cb);
  printf ("  gap %.1f ns per op = %.2f main-loop iterations of %.1f ns (the coroutine's resume\n"
          "  is dispatched from the dispatcher's GSource in the iteration after the callback)\n",
          m_gco - m_cb, (m_gco - m_cb) / bench_median (iter, n_rounds), bench_median (iter, n_rounds));
  g_snprintf (figure, sizeof figure, "(%s) await trivial GTask op%s", letter,
              use_cancellable ? " + cancellable" : "");
  add_row (figure, m_gco, m_cb, "hand-written callback chain", 1.2, "<= 1.2x");

  gco_scope_cancel (scope);
  gco_scope_unref (scope);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
section_publish (void)
{
  guint n = quick ? 20000 : 200000;
  g_autofree double *published = g_new0 (double, n_rounds);
  g_autofree double *plain = g_new0 (double, n_rounds);
  double m_published, m_plain;

  printf ("\n== (c) an op published from a coroutine (gco_task_run) vs a plain GTask op, both "
          "driven by a callback chain: N = %u per round ==\n", n);

  measure_chain (published_op_async, FALSE, n / 10);
  measure_chain (trivial_op_async, FALSE, n / 10);

  for (guint r = 0; r < n_rounds; r++)
    {
      if (r % 2 == 0)
        {
          published[r] = measure_chain (published_op_async, FALSE, n);
          plain[r] = measure_chain (trivial_op_async, FALSE, n);
        }
      else
        {
          plain[r] = measure_chain (trivial_op_async, FALSE, n);
          published[r] = measure_chain (published_op_async, FALSE, n);
        }
      printf ("  round %u: gco_task_run %.1f ns, plain GTask %.1f ns per op\n", r,
              published[r], plain[r]);
    }

  m_published = bench_median (published, n_rounds);
  m_plain = bench_median (plain, n_rounds);
  print_figure ("op published with gco_task_run", m_published, "plain GTask op", m_plain);
  add_row ("(c) op implemented as a coroutine", m_published, m_plain,
           "plain GTask op (callback-made)", 0, "(info)");
}

int
main (int   argc,
      char *argv[])
{
  gboolean want[3] = { FALSE, FALSE, FALSE };
  gboolean any = FALSE;

  setvbuf (stdout, NULL, _IOLBF, 0);

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--quick") == 0)
        quick = TRUE;
      else if (g_str_has_prefix (arg, "--rounds="))
        n_rounds = MAX (1, (guint) atoi (arg + strlen ("--rounds=")));
      else if (strlen (arg) == 1 && arg[0] >= 'a' && arg[0] <= 'c')
        want[arg[0] - 'a'] = any = TRUE;
      else
        {
          fprintf (stderr, "usage: %s [--quick] [--rounds=N] [a] [b] [c]\n", argv[0]);
          return 2;
        }
    }
  if (!any)
    want[0] = want[1] = want[2] = TRUE;
  if (quick && n_rounds == 7)
    n_rounds = 3;

  rows = g_array_new (FALSE, FALSE, sizeof (Row));
  printf ("bench-gio: gco vs GLib %u.%u.%u, %ld CPUs online, %u rounds, medians%s\n",
          glib_major_version, glib_minor_version, glib_micro_version,
          sysconf (_SC_NPROCESSORS_ONLN), n_rounds, quick ? ", --quick" : "");

  /* Make the main dispatcher's thread known before anything is measured. */
  (void) gco_dispatcher_get_main ();
  while (g_main_context_iteration (NULL, FALSE))
    ;

  if (want[0])
    section_await ("a", FALSE);
  if (want[1])
    section_await ("b", TRUE);
  if (want[2])
    section_publish ();

  print_summary ();
  g_array_unref (rows);

  if (bench_functional_failure)
    {
      printf ("\nbench-gio: FUNCTIONAL FAILURE (see above)\n");
      return 1;
    }
  return 0;
}
