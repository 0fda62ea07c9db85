/* test-scale.c: a hundred thousand coroutines suspended at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 100,000 coroutines suspended at the same time (in gco_delay or in
 * gco_await_cancellation), then cancelled: every cleanup runs, everything is
 * finalized, every stack goes back. Under Valgrind the count drops to 5,000;
 * GCO_TEST_SCALE=<n> sets it explicitly.
 */

#include <gco/gco.h>

#include "gco-test-utils.h"
#include "gco-fiber-private.h"

#if defined(__has_include)
# if __has_include(<valgrind/valgrind.h>)
#  include <valgrind/valgrind.h>
#  define HAVE_VALGRIND_H 1
# endif
#endif

#define FULL_SCALE     100000
#define VALGRIND_SCALE 5000

static guint
get_scale (void)
{
  const char *env = g_getenv ("GCO_TEST_SCALE");

  if (env != NULL && *env != '\0')
    {
      guint64 n = g_ascii_strtoull (env, NULL, 10);

      if (n > 0 && n <= G_MAXUINT)
        {
          g_test_message ("GCO_TEST_SCALE=%s: running %u coroutines instead of %u",
                          env, (guint) n, FULL_SCALE);
          return (guint) n;
        }
    }

#if defined(__SANITIZE_THREAD__)
# define GCO_TEST_TSAN 1
#elif defined(__has_feature)
# if __has_feature(thread_sanitizer)
#  define GCO_TEST_TSAN 1
# endif
#endif
#ifdef GCO_TEST_TSAN
  /* ThreadSanitizer keeps shadow memory per fiber: 100,000 exhaust it. */
  g_test_message ("Running under ThreadSanitizer: scaled down to %u coroutines instead of %u",
                  VALGRIND_SCALE, FULL_SCALE);
  return VALGRIND_SCALE;
#endif

#ifdef HAVE_VALGRIND_H
  if (RUNNING_ON_VALGRIND)
    {
      g_test_message ("Running under Valgrind: scaled down to %u coroutines instead of %u",
                      VALGRIND_SCALE, FULL_SCALE);
      return VALGRIND_SCALE;
    }
#endif

  return FULL_SCALE;
}

typedef struct
{
  guint    n;
  guint    entered;
  guint    returned;
  guint    cancelled;
  guint    cleaned_up;
  guint    destroyed;
  gboolean cleanup_suspends;
} Crowd;

static void
crowd_destroy (gpointer data)
{
  ((Crowd *) data)->destroyed++;
}

static gboolean
cleanup_block (gpointer   user_data,
               GError   **error)
{
  Crowd *crowd = user_data;

  /* Cleanup that suspends, though its coroutine is cancelled. */
  if (!gco_yield (error))
    return FALSE;
  crowd->cleaned_up++;

  return TRUE;
}

static gboolean
finish_body (Crowd   *crowd,
             GError  *local,
             GError **error)
{
  crowd->returned++;
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    crowd->cancelled++;

  if (crowd->cleanup_suspends)
    gco_non_cancellable (cleanup_block, crowd, NULL);
  else
    crowd->cleaned_up++;

  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
delay_body (gpointer   user_data,
            GError   **error)
{
  Crowd *crowd = user_data;
  GError *local = NULL;

  crowd->entered++;
  if (gco_delay (10 * 60 * 1000, &local))
    {
      crowd->returned++;
      return TRUE;
    }

  return finish_body (crowd, local, error);
}

static gboolean
await_cancellation_body (gpointer   user_data,
                         GError   **error)
{
  Crowd *crowd = user_data;
  GError *local = NULL;

  crowd->entered++;
  gco_await_cancellation (&local);

  return finish_body (crowd, local, error);
}

static void
run_until_entered (Crowd *crowd)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (crowd->entered < crowd->n)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("only %u of %u coroutines started", crowd->entered, crowd->n);
      g_main_context_iteration (NULL, FALSE);
    }
}

static void
assert_all_suspended (Crowd *crowd,
                      guint  live_before)
{
  GcoStackStats stats;

  g_assert_cmpuint (crowd->entered, ==, crowd->n);
  g_assert_cmpuint (crowd->returned, ==, 0);
  g_assert_cmpuint (crowd->destroyed, ==, 0);

  gco__stack_get_stats (&stats);
  g_assert_cmpuint (stats.live, >=, live_before + crowd->n);
}

static void
assert_all_done (Crowd *crowd,
                 guint  live_before)
{
  GcoStackStats stats;

  g_assert_cmpuint (crowd->returned, ==, crowd->n);
  g_assert_cmpuint (crowd->cancelled, ==, crowd->n);
  g_assert_cmpuint (crowd->cleaned_up, ==, crowd->n);
  g_assert_cmpuint (crowd->destroyed, ==, crowd->n);

  gco__stack_get_stats (&stats);
  g_assert_cmpuint (stats.live, ==, live_before);
  gco__stack_trim_cache ();
}

/* Cancelled from the main thread; the main loop runs until all completed. */
static void
test_delay (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job = gco_job_ref (gco_scope_get_job (scope));
  Crowd crowd = { 0, };
  GcoStackStats stats;

  crowd.n = get_scale ();
  gco__stack_get_stats (&stats);

  for (guint i = 0; i < crowd.n; i++)
    gco_launch (scope, delay_body, &crowd, crowd_destroy);
  g_assert_cmpuint (gco_job_get_n_children (job), ==, crowd.n);

  run_until_entered (&crowd);
  gco_test_run_for (NULL, 10);
  assert_all_suspended (&crowd, stats.live);
  g_assert_cmpuint (gco_job_get_n_children (job), ==, crowd.n);

  gco_scope_cancel (scope);
  g_assert_true (gco_job_is_cancelled (job));
  gco_test_run_until_job (NULL, job);

  assert_all_done (&crowd, stats.live);
  g_assert_cmpuint (gco_job_get_n_children (job), ==, 0);

  gco_scope_unref (scope);
  gco_test_assert_finalize_job (job);
}

typedef struct
{
  GcoJob   *target;
  Crowd    *crowd;
  gboolean  ok;
  guint     cleaned_up_at_return;
  guint     returned_at_return;
} CancelJoin;

static gboolean
cancel_and_join_body (gpointer   user_data,
                      GError   **error)
{
  CancelJoin *cj = user_data;

  cj->ok = gco_job_cancel_and_join (cj->target, error);
  cj->cleaned_up_at_return = cj->crowd->cleaned_up;
  cj->returned_at_return = cj->crowd->returned;

  return cj->ok;
}

/* Cancelled and joined by a coroutine, with cleanups that suspend. */
static void
test_await_cancellation (void)
{
  GcoScope *crowd_scope = gco_scope_new (NULL, NULL);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *crowd_job = gco_job_ref (gco_scope_get_job (crowd_scope));
  Crowd crowd = { 0, };
  CancelJoin cj = { NULL, };
  GcoStackStats stats;
  GcoJob *job;

  crowd.n = get_scale ();
  crowd.cleanup_suspends = TRUE;
  gco__stack_get_stats (&stats);

  for (guint i = 0; i < crowd.n; i++)
    gco_launch (crowd_scope, await_cancellation_body, &crowd, crowd_destroy);

  run_until_entered (&crowd);
  gco_test_run_for (NULL, 10);
  assert_all_suspended (&crowd, stats.live);

  cj.target = crowd_job;
  cj.crowd = &crowd;
  job = gco_launch_job (scope, cancel_and_join_body, &cj, NULL);
  gco_test_run_until_job (NULL, job);

  /* It returned once every cleanup had run. */
  g_assert_null (gco_job_get_error (job));
  g_assert_true (cj.ok);
  g_assert_cmpuint (cj.returned_at_return, ==, crowd.n);
  g_assert_cmpuint (cj.cleaned_up_at_return, ==, crowd.n);
  g_assert_true (gco_job_is_completed (crowd_job));
  g_assert_cmpint (gco_job_get_state (crowd_job), ==, GCO_JOB_STATE_CANCELLED);

  gco_test_assert_finalize_job (job);
  gco_job_complete (gco_scope_get_job (scope));
  gco_test_run_until_job (NULL, gco_scope_get_job (scope));
  gco_scope_unref (scope);

  assert_all_done (&crowd, stats.live);
  gco_scope_unref (crowd_scope);
  gco_test_assert_finalize_job (crowd_job);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("100,000 coroutines suspended at once in gco_delay or "
                  "gco_await_cancellation, then cancelled: all cleanup runs and "
                  "everything is finalized (5,000 under Valgrind).");

  g_test_add_func ("/gco/scale/delay", test_delay);
  g_test_add_func ("/gco/scale/await-cancellation", test_await_cancellation);

  return g_test_run ();
}
