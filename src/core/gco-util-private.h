/* gco-util-private.h: small helpers for the hot paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* Thread-local variables of a shared library default to the general-dynamic
 * model: a __tls_get_addr call per access. Ours are a few words, well within
 * the static TLS surplus glibc keeps for libraries loaded later. */
#define GCO_THREAD_LOCAL __thread __attribute__ ((tls_model ("initial-exec")))

/* glibc's calloc bypasses the per-thread cache that malloc uses. */
#define gco_new0_fast(type) ((type *) memset (g_malloc (sizeof (type)), 0, sizeof (type)))

/* Reference counts with inline atomics (g_atomic_ref_count_* are calls). */
static inline void
gco_ref_init (gint *ref_count)
{
  *ref_count = 1;
}

static inline void
gco_ref_inc (gint *ref_count)
{
  g_atomic_int_inc (ref_count);
}

/* Returns TRUE when the last reference went. */
static inline gboolean
gco_ref_dec (gint *ref_count)
{
  return g_atomic_int_dec_and_test (ref_count);
}

G_END_DECLS
