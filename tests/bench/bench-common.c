/* bench-common.c: what the benchmark programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench-common.h"

gboolean bench_functional_failure;

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

double
bench_median (const double *values,
              guint         n)
{
  double *sorted;
  double m;

  if (n == 0)
    return -1;
  sorted = g_memdup2 (values, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_doubles);
  m = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  g_free (sorted);
  return m;
}

void
bench_fail (const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  fputs ("FUNCTIONAL FAILURE: ", stdout);
  vprintf (format, args);
  fputc ('\n', stdout);
  fflush (stdout);
  va_end (args);
  bench_functional_failure = TRUE;
}
