/* gco-util-private.h: small helpers for the hot paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <pthread.h>
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

/* Mutexes ThreadSanitizer understands: GLib's GMutex is a bare futex on Linux,
 * invisible to it, so every access it protects would look like a race. An
 * uncontended pthread mutex costs the same. */
typedef pthread_mutex_t GcoMutex;

#define GCO_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER

static inline void
gco_mutex_init (GcoMutex *mutex)
{
  pthread_mutex_init (mutex, NULL);
}

static inline void
gco_mutex_clear (GcoMutex *mutex)
{
  pthread_mutex_destroy (mutex);
}

static inline void
gco_mutex_lock (GcoMutex *mutex)
{
  pthread_mutex_lock (mutex);
}

static inline void
gco_mutex_unlock (GcoMutex *mutex)
{
  pthread_mutex_unlock (mutex);
}

G_END_DECLS
