/* bench-common.h: what the benchmark programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Set by bench_fail (): the program then exits non-zero. Times never fail. */
extern gboolean bench_functional_failure;

/* CLOCK_MONOTONIC in nanoseconds. */
gint64 bench_now_ns  (void);

/* The median of @n values (-1 for none). */
double bench_median  (const double *values,
                       guint         n);

/* Reports that something broke functionally (not a time). */
void   bench_fail    (const char   *format,
                      ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
