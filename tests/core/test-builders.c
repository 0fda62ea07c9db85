/* test-builders.c: launching coroutines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gco_launch, gco_launch_job, gco_launch_full with each option, gco_async and
 * gco_async_full, the destroy notifies, the getters of the running coroutine,
 * the immediate main dispatcher and running out of stacks.
 */

#include <string.h>

#include <gco/gco.h>

#include "gco-test-utils.h"
#include "gco-dispatcher-private.h"
#include "gco-fiber-private.h"

/* Helpers */

/* A thread iterating its own GMainContext, with a dispatcher for it. */

typedef struct
{
  guint   count;
  GError *first;
  GcoJob *first_job;
} Caught;

static void
caught_handler (GcoJob       *job,
                const GError *error,
                gpointer      user_data)
{
  Caught *caught = user_data;

  if (caught->count++ == 0)
    {
      caught->first = g_error_copy (error);
      caught->first_job = job;  /* compared only */
    }
}

static void
caught_clear (Caught *caught)
{
  g_clear_error (&caught->first);
}

/* Completes the scope's job, runs until it completed and finalizes it. */
static void
finish_scope (GcoScope *scope,
              gboolean  cancel)
{
  GcoJob *job = gco_job_ref (gco_scope_get_job (scope));

  if (cancel)
    gco_scope_cancel (scope);
  else
    gco_job_complete (job);
  gco_test_run_until_job (NULL, job);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (job);
}

/* What a body saw. */
typedef struct
{
  guint         runs;
  guint         destroys;
  guint         step;
  gboolean      done;
  gboolean      in_coroutine;
  gboolean      was_active;
  GThread      *thread;
  GThread      *thread_after;
  GcoJob       *current;     /* borrowed, compared only */
  GcoJob       *other;       /* a job the body works with */
  GError       *error;
  gpointer      value;
} Probe;

static void
probe_destroy (gpointer data)
{
  Probe *probe = data;

  probe->destroys++;
}

static void
probe_clear (Probe *probe)
{
  g_clear_error (&probe->error);
}

static gboolean
record_body (gpointer   user_data,
             GError   **error)
{
  Probe *probe = user_data;

  probe->runs++;
  probe->thread = g_thread_self ();
  probe->in_coroutine = gco_in_coroutine ();
  probe->current = gco_job_get_current ();
  probe->was_active = gco_is_active ();
  probe->done = TRUE;

  return TRUE;
}

/* Runs until its first suspension, then finishes after a yield. */
static gboolean
two_step_body (gpointer   user_data,
               GError   **error)
{
  Probe *probe = user_data;

  probe->runs++;
  probe->step = 1;
  probe->thread = g_thread_self ();
  probe->current = gco_job_get_current ();
  if (!gco_yield (error))
    return FALSE;
  probe->step = 2;
  probe->thread_after = g_thread_self ();
  probe->done = TRUE;

  return TRUE;
}

static gboolean
await_cancellation_body (gpointer   user_data,
                         GError   **error)
{
  Probe *probe = user_data;

  probe->runs++;
  probe->step = 1;
  gco_await_cancellation (error);
  probe->step = 2;
  probe->done = TRUE;

  return FALSE;
}

/* gco_launch */

static void
test_launch (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Probe probe = { 0, };

  gco_launch (scope, record_body, &probe, probe_destroy);

  /* The main dispatcher is not immediate: the body is queued. */
  g_assert_cmpuint (probe.runs, ==, 0);
  g_assert_cmpuint (gco_job_get_n_children (gco_scope_get_job (scope)), ==, 1);

  gco_test_run_until (NULL, &probe.done);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_true (probe.in_coroutine);
  g_assert_true (probe.was_active);
  g_assert_true (probe.thread == g_thread_self ());
  g_assert_nonnull (probe.current);

  finish_scope (scope, FALSE);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);
}

static void
test_launch_job (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Probe probe = { 0, };
  GcoJob *job;

  job = gco_launch_job (scope, record_body, &probe, probe_destroy);
  g_assert_nonnull (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_true (gco_job_is_active (job));
  g_assert_false (gco_job_is_completed (job));
  g_assert_false (gco_job_is_cancelled (job));
  g_assert_false (gco_job_is_supervisor (job));
  g_assert_true (gco_job_get_parent (job) == gco_scope_get_job (scope));
  g_assert_cmpuint (probe.runs, ==, 0);

  gco_test_run_until_job (NULL, job);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_true (probe.current == job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpuint (probe.destroys, ==, 1);
  g_assert_cmpuint (gco_job_get_n_children (gco_scope_get_job (scope)), ==, 0);

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
  g_assert_cmpuint (probe.destroys, ==, 1);
}

static void
test_launch_full_defaults (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe probe1 = { 0, }, probe2 = { 0, };
  GcoJob *job1, *job2;

  job1 = gco_launch_full (scope, NULL, record_body, &probe1, probe_destroy);
  job2 = gco_launch_full (scope, &options, record_body, &probe2, probe_destroy);
  g_assert_cmpuint (probe1.runs + probe2.runs, ==, 0);
  g_assert_cmpint (gco_job_get_state (job1), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_cmpint (gco_job_get_state (job2), ==, GCO_JOB_STATE_ACTIVE);

  gco_test_run_until_job (NULL, job1);
  gco_test_run_until_job (NULL, job2);
  g_assert_cmpuint (probe1.runs, ==, 1);
  g_assert_cmpuint (probe2.runs, ==, 1);
  g_assert_cmpuint (probe1.destroys, ==, 1);
  g_assert_cmpuint (probe2.destroys, ==, 1);

  gco_test_assert_finalize_job (job1);
  gco_test_assert_finalize_job (job2);
  finish_scope (scope, FALSE);
}

static void
test_launch_full_name (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  char name[32];
  Probe probe1 = { 0, }, probe2 = { 0, };
  GcoJob *named, *unnamed;

  /* The name is copied. */
  g_strlcpy (name, "load-thumbnails", sizeof name);
  options.name = name;
  named = gco_launch_full (scope, &options, record_body, &probe1, NULL);
  memset (name, 'x', sizeof name - 1);
  g_assert_cmpstr (gco_job_get_name (named), ==, "load-thumbnails");

  unnamed = gco_launch_job (scope, record_body, &probe2, NULL);
  g_assert_nonnull (gco_job_get_name (unnamed));
  g_assert_cmpstr (gco_job_get_name (unnamed), !=, "");

  gco_test_run_until_job (NULL, named);
  gco_test_run_until_job (NULL, unnamed);
  g_assert_cmpstr (gco_job_get_name (named), ==, "load-thumbnails");

  gco_test_assert_finalize_job (named);
  gco_test_assert_finalize_job (unnamed);
  finish_scope (scope, FALSE);
}

/* Lazy start */

static void
test_launch_full_lazy (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe probe = { 0, };
  GcoJob *job;

  options.start = GCO_START_LAZY;
  job = gco_launch_full (scope, &options, record_body, &probe, probe_destroy);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_NEW);
  g_assert_false (gco_job_is_active (job));
  g_assert_false (gco_job_is_completed (job));

  /* Nothing starts it. */
  gco_test_run_for (NULL, 20);
  g_assert_cmpuint (probe.runs, ==, 0);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_NEW);

  g_assert_true (gco_job_start (job));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_true (gco_job_is_active (job));
  g_assert_false (gco_job_start (job));

  gco_test_run_until_job (NULL, job);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_false (gco_job_start (job));

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static gboolean
join_other_body (gpointer   user_data,
                 GError   **error)
{
  Probe *probe = user_data;

  probe->runs++;
  if (!gco_job_join (probe->other, error))
    return FALSE;
  probe->done = TRUE;

  return TRUE;
}

static void
test_launch_full_lazy_join (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe lazy_probe = { 0, }, joiner = { 0, };
  GcoJob *lazy, *job;

  options.start = GCO_START_LAZY;
  lazy = gco_launch_full (scope, &options, record_body, &lazy_probe, probe_destroy);
  joiner.other = lazy;
  job = gco_launch_job (scope, join_other_body, &joiner, NULL);

  /* Joining a lazy job starts it. */
  gco_test_run_until_job (NULL, job);
  g_assert_true (joiner.done);
  g_assert_cmpuint (lazy_probe.runs, ==, 1);
  g_assert_true (gco_job_is_completed (lazy));
  g_assert_cmpint (gco_job_get_state (lazy), ==, GCO_JOB_STATE_COMPLETED);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (lazy);
  finish_scope (scope, FALSE);
  g_assert_cmpuint (lazy_probe.destroys, ==, 1);
}

static void
test_launch_full_lazy_cancel (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe probe = { 0, }, probe2 = { 0, };
  GcoJob *job, *job2;

  options.start = GCO_START_LAZY;
  job = gco_launch_full (scope, &options, record_body, &probe, probe_destroy);
  job2 = gco_launch_full (scope, &options, record_body, &probe2, probe_destroy);

  /* Cancelling a lazy job that never started: it never runs. */
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_false (gco_job_start (job));
  gco_test_run_for (NULL, 10);
  g_assert_cmpuint (probe.runs, ==, 0);
  g_assert_cmpuint (probe.destroys, ==, 1);

  /* Cancelling its scope does the same to the other. */
  finish_scope (scope, TRUE);
  g_assert_true (gco_job_is_cancelled (job2));
  g_assert_cmpuint (probe2.runs, ==, 0);
  g_assert_cmpuint (probe2.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (job2);
}

/* Undispatched start */

static void
test_launch_full_undispatched (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe probe = { 0, };
  GcoJob *job;

  /* On the main dispatcher, which is not immediate. */
  options.start = GCO_START_UNDISPATCHED;
  job = gco_launch_full (scope, &options, two_step_body, &probe, probe_destroy);

  /* It ran in place until its first suspension. */
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpuint (probe.step, ==, 1);
  g_assert_true (probe.current == job);
  g_assert_true (probe.thread == g_thread_self ());
  g_assert_false (gco_in_coroutine ());
  g_assert_null (gco_job_get_current ());
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);

  /* The rest goes through the dispatcher. */
  gco_test_run_until_job (NULL, job);
  g_assert_cmpuint (probe.step, ==, 2);
  g_assert_cmpuint (probe.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

typedef struct
{
  Probe    child;
  gboolean child_ran_in_place;
  gboolean current_restored;
  gboolean still_in_coroutine;
  gboolean child_parent_ok;
  GcoJob  *parent_job;
} Nested;

static gboolean
launch_undispatched_child_body (gpointer   user_data,
                                GError   **error)
{
  Nested *nested = user_data;
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  GcoJob *self = gco_job_get_current ();
  GcoJob *child;
  gboolean ok;

  nested->parent_job = self;
  options.start = GCO_START_UNDISPATCHED;
  child = gco_launch_full (gco_scope_get_current (), &options, two_step_body,
                           &nested->child, probe_destroy);

  nested->child_ran_in_place = nested->child.step == 1;
  nested->current_restored = gco_job_get_current () == self;
  nested->still_in_coroutine = gco_in_coroutine ();
  nested->child_parent_ok = gco_job_get_parent (child) == self;

  ok = gco_job_join (child, error);
  gco_job_unref (child);

  return ok;
}

static void
test_launch_full_undispatched_nested (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Nested nested = { { 0, }, };
  GcoJob *job;

  job = gco_launch_job (scope, launch_undispatched_child_body, &nested, NULL);
  gco_test_run_until_job (NULL, job);

  /* Inside a coroutine, an undispatched start still runs in place. */
  g_assert_null (gco_job_get_error (job));
  g_assert_true (nested.child_ran_in_place);
  g_assert_true (nested.current_restored);
  g_assert_true (nested.still_in_coroutine);
  g_assert_true (nested.child_parent_ok);
  g_assert_true (nested.child.current != nested.parent_job);
  g_assert_cmpuint (nested.child.step, ==, 2);
  g_assert_cmpuint (nested.child.runs, ==, 1);
  g_assert_cmpuint (nested.child.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

static void
test_launch_full_undispatched_other_thread (void)
{
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  GcoScope *scope = gco_scope_new (NULL, worker->dispatcher);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe probe = { 0, };
  GcoJob *job;

  /* Not on the dispatcher's thread: the body is dispatched to it. */
  options.start = GCO_START_UNDISPATCHED;
  job = gco_launch_full (scope, &options, two_step_body, &probe, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_true (probe.thread == worker->thread);
  g_assert_true (probe.thread_after == worker->thread);
  g_assert_cmpuint (probe.step, ==, 2);

  /* The worker finishes with the coroutine before it quits. */
  gco_test_worker_free (worker);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* Atomic start */

static void
test_launch_full_atomic (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe atomic = { 0, }, plain = { 0, };
  GcoJob *atomic_job, *plain_job;

  options.start = GCO_START_ATOMIC;
  atomic_job = gco_launch_full (scope, &options, record_body, &atomic, probe_destroy);
  plain_job = gco_launch_job (scope, record_body, &plain, probe_destroy);

  /* Both are cancelled before their first run. */
  gco_job_cancel (atomic_job);
  gco_job_cancel (plain_job);
  g_assert_cmpuint (atomic.runs + plain.runs, ==, 0);

  gco_test_run_until_job (NULL, atomic_job);
  gco_test_run_until_job (NULL, plain_job);

  /* The atomic one ran once, already cancelled. */
  g_assert_cmpuint (atomic.runs, ==, 1);
  g_assert_false (atomic.was_active);
  g_assert_true (gco_job_is_cancelled (atomic_job));
  g_assert_cmpuint (atomic.destroys, ==, 1);

  /* The default one never ran. */
  g_assert_cmpuint (plain.runs, ==, 0);
  g_assert_true (gco_job_is_cancelled (plain_job));
  g_assert_cmpuint (plain.destroys, ==, 1);

  gco_test_assert_finalize_job (atomic_job);
  gco_test_assert_finalize_job (plain_job);
  finish_scope (scope, FALSE);
}

static gboolean
atomic_check_body (gpointer   user_data,
                   GError   **error)
{
  Probe *probe = user_data;

  probe->runs++;
  probe->was_active = gco_is_active ();
  probe->done = !gco_ensure_active (&probe->error);

  return TRUE;
}

static void
test_launch_full_atomic_ensure_active (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe probe = { 0, };
  GcoJob *job;

  options.start = GCO_START_ATOMIC;
  job = gco_launch_full (scope, &options, atomic_check_body, &probe, NULL);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_false (probe.was_active);
  g_assert_true (probe.done);
  g_assert_error (probe.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  probe_clear (&probe);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* Dispatcher override */

static gboolean
dispatcher_override_body (gpointer   user_data,
                          GError   **error)
{
  Probe *probe = user_data;

  probe->runs++;
  probe->thread = g_thread_self ();
  probe->value = gco_scope_get_dispatcher (gco_scope_get_current ());
  if (!gco_delay (1, error))
    return FALSE;
  probe->thread_after = g_thread_self ();

  return TRUE;
}

static void
test_launch_full_dispatcher (void)
{
  GcoTestWorker *worker = gco_test_worker_new (FALSE);
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Probe probe = { 0, };
  GcoJob *job;

  options.dispatcher = worker->dispatcher;
  /* Lazy, so the job cannot complete on the worker before its parent is
   * checked here. */
  options.start = GCO_START_LAZY;
  job = gco_launch_full (scope, &options, dispatcher_override_body, &probe, probe_destroy);
  g_assert_true (gco_job_get_parent (job) == gco_scope_get_job (scope));
  g_assert_true (gco_job_start (job));
  gco_test_run_until_job (NULL, job);

  g_assert_null (gco_job_get_error (job));
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_true (probe.thread == worker->thread);
  g_assert_true (probe.thread_after == worker->thread);
  g_assert_true (probe.value == (gpointer) worker->dispatcher);

  /* The worker finishes with the coroutine before it quits. */
  gco_test_worker_free (worker);
  g_assert_cmpuint (probe.destroys, ==, 1);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

/* Stack size */

typedef struct
{
  gsize    want;
  gsize    stack_size;
  gboolean used;
} StackProbe;

static gboolean
stack_body (gpointer   user_data,
            GError   **error)
{
  StackProbe *probe = user_data;

  probe->stack_size = gco__fiber_get_stack_size (gco__fiber_get_current ());

  if (probe->want > 0)
    {
      /* Use most of the stack asked for: more than the default. */
      gsize n = probe->want * 3 / 4;
      volatile char *buffer = g_alloca (n);

      for (gsize i = 0; i < n; i += 512)
        buffer[i] = (char) i;
      probe->used = buffer[n / 2 / 512 * 512] == (char) (n / 2 / 512 * 512);
    }

  return TRUE;
}

static void
test_launch_full_stack_size (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  StackProbe big = { 0, }, normal = { 0, };
  GcoJob *big_job, *normal_job;

  big.want = MAX (4 * gco__fiber_get_default_stack_size (), 1024 * 1024);
  options.stack_size = big.want;
  big_job = gco_launch_full (scope, &options, stack_body, &big, NULL);
  normal_job = gco_launch_job (scope, stack_body, &normal, NULL);

  gco_test_run_until_job (NULL, big_job);
  gco_test_run_until_job (NULL, normal_job);
  g_assert_null (gco_job_get_error (big_job));
  g_assert_null (gco_job_get_error (normal_job));

  g_assert_cmpuint (big.stack_size, >=, big.want);
  g_assert_true (big.used);
  g_assert_cmpuint (normal.stack_size, >=, gco__fiber_get_default_stack_size ());
  g_assert_cmpuint (normal.stack_size, <, big.want);

  gco_test_assert_finalize_job (big_job);
  gco_test_assert_finalize_job (normal_job);
  finish_scope (scope, FALSE);
}

/* async */

typedef struct
{
  guint  runs;
  guint  destroys;
  guint  result_destroys;
  guint  value_seen_destroyed;
  char  *produced;      /* borrowed */
} AsyncProbe;

static void
async_probe_destroy (gpointer data)
{
  ((AsyncProbe *) data)->destroys++;
}

/* The value: a string that counts its own destruction. */
typedef struct
{
  char        text[16];
  AsyncProbe *probe;
} Value;

static void
value_free (gpointer data)
{
  Value *value = data;

  value->probe->result_destroys++;
  g_free (value);
}

static gpointer
value_body (gpointer   user_data,
            GError   **error)
{
  AsyncProbe *probe = user_data;
  Value *value = g_new0 (Value, 1);

  probe->runs++;
  g_strlcpy (value->text, "forty-two", sizeof value->text);
  value->probe = probe;
  probe->produced = value->text;

  return value;
}

typedef struct
{
  GcoDeferred *deferred;
  gpointer     awaited;
  gpointer     awaited_again;
  GError      *error;
  gboolean     done;
} Awaiter;

static gboolean
await_body (gpointer   user_data,
            GError   **error)
{
  Awaiter *awaiter = user_data;

  awaiter->awaited = gco_deferred_await (awaiter->deferred, &awaiter->error);
  if (awaiter->error == NULL)
    awaiter->awaited_again = gco_deferred_await (awaiter->deferred, &awaiter->error);
  awaiter->done = TRUE;

  return TRUE;
}

static void
test_async (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  AsyncProbe probe = { 0, };
  Awaiter awaiter = { NULL, };
  GcoDeferred *deferred;
  GcoJob *job;

  deferred = gco_async (scope, value_body, &probe, async_probe_destroy, value_free);
  g_assert_nonnull (deferred);
  g_assert_true (gco_deferred_get_job (deferred) == GCO_JOB (deferred));
  g_assert_true (gco_job_get_parent (GCO_JOB (deferred)) == gco_scope_get_job (scope));
  g_assert_cmpint (gco_job_get_state (GCO_JOB (deferred)), ==, GCO_JOB_STATE_ACTIVE);

  awaiter.deferred = deferred;
  job = gco_launch_job (scope, await_body, &awaiter, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_no_error (awaiter.error);
  g_assert_nonnull (awaiter.awaited);
  g_assert_cmpstr (((Value *) awaiter.awaited)->text, ==, "forty-two");
  g_assert_true (awaiter.awaited_again == awaiter.awaited);
  g_assert_true (gco_deferred_get_value (deferred) == awaiter.awaited);
  g_assert_true (gco_job_is_completed (GCO_JOB (deferred)));
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);

  /* The deferred owns its value until it is finalized. */
  g_assert_cmpuint (probe.result_destroys, ==, 0);
  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
  g_assert_cmpuint (probe.result_destroys, ==, 0);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  g_assert_cmpuint (probe.result_destroys, ==, 1);
}

static gpointer
null_value_body (gpointer   user_data,
                 GError   **error)
{
  AsyncProbe *probe = user_data;

  probe->runs++;
  return NULL;
}

static void
test_async_null_value (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  AsyncProbe probe = { 0, };
  Awaiter awaiter = { NULL, };
  GcoJob *job;

  awaiter.deferred = gco_async (scope, null_value_body, &probe, NULL, value_free);
  job = gco_launch_job (scope, await_body, &awaiter, NULL);
  gco_test_run_until_job (NULL, job);

  /* NULL without an error is a success with NULL. */
  g_assert_no_error (awaiter.error);
  g_assert_null (awaiter.awaited);
  g_assert_true (gco_job_is_completed (GCO_JOB (awaiter.deferred)));
  g_assert_null (gco_job_get_error (GCO_JOB (awaiter.deferred)));
  g_assert_cmpint (gco_job_get_state (GCO_JOB (awaiter.deferred)), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_deferred_get_value (awaiter.deferred));

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (GCO_JOB (awaiter.deferred));
  finish_scope (scope, FALSE);
  g_assert_cmpuint (probe.result_destroys, ==, 0);
}

static void
test_async_full (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  AsyncProbe probe = { 0, };
  Awaiter awaiter = { NULL, };
  GcoJob *job;

  options.start = GCO_START_LAZY;
  options.name = "lazy-value";
  awaiter.deferred = gco_async_full (scope, &options, value_body, &probe,
                                     async_probe_destroy, value_free);
  g_assert_cmpstr (gco_job_get_name (GCO_JOB (awaiter.deferred)), ==, "lazy-value");
  g_assert_cmpint (gco_job_get_state (GCO_JOB (awaiter.deferred)), ==, GCO_JOB_STATE_NEW);
  gco_test_run_for (NULL, 10);
  g_assert_cmpuint (probe.runs, ==, 0);

  /* Awaiting a lazy deferred starts it. */
  job = gco_launch_job (scope, await_body, &awaiter, NULL);
  gco_test_run_until_job (NULL, job);
  g_assert_no_error (awaiter.error);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpstr (((Value *) awaiter.awaited)->text, ==, "forty-two");

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
  gco_test_assert_finalize_job (GCO_JOB (awaiter.deferred));
  g_assert_cmpuint (probe.destroys, ==, 1);
  g_assert_cmpuint (probe.result_destroys, ==, 1);
}

/* A value produced after a cancellation goes to result_destroy at once. */
static gpointer
value_despite_cancel_body (gpointer   user_data,
                           GError   **error)
{
  AsyncProbe *probe = user_data;
  GError *local = NULL;

  gco_await_cancellation (&local);
  g_clear_error (&local);

  return value_body (probe, error);
}

static void
test_async_cancelled_value (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  AsyncProbe probe = { 0, };
  GcoDeferred *deferred;

  deferred = gco_async (scope, value_despite_cancel_body, &probe, async_probe_destroy, value_free);
  gco_test_run_for (NULL, 10);
  gco_job_cancel (GCO_JOB (deferred));
  gco_test_run_until_job (NULL, GCO_JOB (deferred));

  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_true (gco_job_is_cancelled (GCO_JOB (deferred)));
  g_assert_error (gco_job_get_error (GCO_JOB (deferred)), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (probe.result_destroys, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);

  gco_test_assert_finalize_job (GCO_JOB (deferred));
  g_assert_cmpuint (probe.result_destroys, ==, 1);
  finish_scope (scope, FALSE);
}

/* Destroy notifies: exactly once, also when the body never runs. */

static void
test_destroy_never_runs (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoScope *cancelled = gco_scope_new (NULL, NULL);
  GcoLaunchOptions lazy = GCO_LAUNCH_OPTIONS_INIT;
  Probe into_cancelled = { 0, }, cancelled_early = { 0, }, lazy_never = { 0, };
  AsyncProbe async_cancelled = { 0, };
  GcoJob *job;
  GcoDeferred *deferred;

  /* Launched into a cancelled scope. */
  gco_scope_cancel (cancelled);
  gco_launch (cancelled, record_body, &into_cancelled, probe_destroy);
  deferred = gco_async (cancelled, value_body, &async_cancelled,
                        async_probe_destroy, value_free);

  /* Cancelled before its first run. */
  job = gco_launch_job (scope, record_body, &cancelled_early, probe_destroy);
  gco_job_cancel (job);

  /* Lazy, never started, its scope cancelled. */
  lazy.start = GCO_START_LAZY;
  gco_job_unref (gco_launch_full (scope, &lazy, record_body, &lazy_never, probe_destroy));

  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, GCO_JOB (deferred));
  finish_scope (scope, TRUE);
  finish_scope (cancelled, TRUE);
  gco_test_run_for (NULL, 10);

  g_assert_cmpuint (into_cancelled.runs, ==, 0);
  g_assert_cmpuint (into_cancelled.destroys, ==, 1);
  g_assert_cmpuint (cancelled_early.runs, ==, 0);
  g_assert_cmpuint (cancelled_early.destroys, ==, 1);
  g_assert_cmpuint (lazy_never.runs, ==, 0);
  g_assert_cmpuint (lazy_never.destroys, ==, 1);
  g_assert_cmpuint (async_cancelled.runs, ==, 0);
  g_assert_cmpuint (async_cancelled.destroys, ==, 1);
  g_assert_cmpuint (async_cancelled.result_destroys, ==, 0);

  g_assert_true (gco_job_is_cancelled (GCO_JOB (deferred)));
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  gco_test_assert_finalize_job (job);

  g_assert_cmpuint (into_cancelled.destroys, ==, 1);
  g_assert_cmpuint (cancelled_early.destroys, ==, 1);
  g_assert_cmpuint (lazy_never.destroys, ==, 1);
  g_assert_cmpuint (async_cancelled.destroys, ==, 1);
}

static void
test_destroy_after_failure (void)
{
  GcoScope *scope = gco_scope_new (gco_supervisor_job_new (NULL), NULL);
  Caught caught = { 0, };
  Probe probe = { 0, };
  GcoJob *job;

  gco_job_unref (gco_scope_get_job (scope));  /* the scope holds its own */
  gco_scope_set_exception_handler (scope, caught_handler, &caught, NULL);

  job = gco_launch_job (scope, await_cancellation_body, &probe, probe_destroy);
  gco_test_run_for (NULL, 10);
  g_assert_cmpuint (probe.step, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 0);
  gco_job_cancel (job);
  gco_test_run_until_job (NULL, job);

  g_assert_cmpuint (probe.step, ==, 2);
  g_assert_cmpuint (probe.destroys, ==, 1);
  g_assert_cmpuint (caught.count, ==, 0);  /* a cancellation is not a failure */

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
  g_assert_cmpuint (probe.destroys, ==, 1);
  caught_clear (&caught);
}

/* The running coroutine */

typedef struct
{
  GcoJob   *job;
  GcoJob   *current;
  GcoScope *scope;
  GcoJob   *scope_job;
  gboolean  same_scope_twice;
  gboolean  in_coroutine;
  gboolean  active_before;
  gboolean  active_after;
  gboolean  child_parent_ok;
  gboolean  dispatcher_ok;
  GcoDispatcher *dispatcher;

  GcoJob   *frame;
  GcoJob   *frame_parent;
  GcoJob   *frame_scope_job;
  GcoJob   *frame_child_parent;
  GcoJob   *current_after_frame;
} Current;

static gboolean
frame_block (gpointer   user_data,
             GError   **error)
{
  Current *current = user_data;
  Probe probe = { 0, };
  GcoJob *child;
  gboolean ok;

  current->frame = gco_job_get_current ();
  current->frame_parent = gco_job_get_parent (current->frame);
  current->frame_scope_job = gco_scope_get_job (gco_scope_get_current ());

  child = gco_launch_job (gco_scope_get_current (), record_body, &probe, NULL);
  current->frame_child_parent = gco_job_get_parent (child);
  ok = gco_job_join (child, error);
  gco_job_unref (child);

  return ok;
}

static gboolean
current_body (gpointer   user_data,
              GError   **error)
{
  Current *current = user_data;
  Probe probe = { 0, };
  GcoJob *child;

  current->current = gco_job_get_current ();
  current->scope = gco_scope_get_current ();
  current->scope_job = gco_scope_get_job (current->scope);
  current->same_scope_twice = gco_scope_get_current () == current->scope;
  current->in_coroutine = gco_in_coroutine ();
  current->dispatcher_ok = gco_scope_get_dispatcher (current->scope) == current->dispatcher;

  child = gco_launch_job (current->scope, record_body, &probe, NULL);
  current->child_parent_ok = gco_job_get_parent (child) == current->current;
  if (!gco_job_join (child, error))
    {
      gco_job_unref (child);
      return FALSE;
    }
  gco_job_unref (child);

  if (!gco_coroutine_scope (frame_block, current, error))
    return FALSE;
  current->current_after_frame = gco_job_get_current ();

  current->active_before = gco_is_active ();
  gco_job_cancel (gco_job_get_current ());
  current->active_after = gco_is_active ();

  return TRUE;
}

static void
test_current (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  Current current = { NULL, };

  /* Outside a coroutine. */
  g_assert_null (gco_scope_get_current ());
  g_assert_null (gco_job_get_current ());
  g_assert_false (gco_in_coroutine ());

  current.dispatcher = gco_scope_get_dispatcher (scope);
  current.job = gco_launch_job (scope, current_body, &current, NULL);
  gco_test_run_until_job (NULL, current.job);

  g_assert_true (current.current == current.job);
  g_assert_nonnull (current.scope);
  g_assert_true (current.scope_job == current.job);
  g_assert_true (current.same_scope_twice);
  g_assert_true (current.in_coroutine);
  g_assert_true (current.dispatcher_ok);
  g_assert_true (current.child_parent_ok);

  /* Inside a scoped builder: its job is current. */
  g_assert_nonnull (current.frame);
  g_assert_true (current.frame != current.job);
  g_assert_true (current.frame_parent == current.job);
  g_assert_true (current.frame_scope_job == current.frame);
  g_assert_true (current.frame_child_parent == current.frame);
  g_assert_true (current.current_after_frame == current.job);

  g_assert_true (current.active_before);
  g_assert_false (current.active_after);
  g_assert_true (gco_job_is_cancelled (current.job));

  g_assert_null (gco_scope_get_current ());
  g_assert_null (gco_job_get_current ());
  g_assert_false (gco_in_coroutine ());

  gco_test_assert_finalize_job (current.job);
  finish_scope (scope, FALSE);
}

static void
test_is_active_outside (void)
{
  /* Documented: FALSE outside a coroutine (not a suspending call, so not a
   * programmer error). */
  g_assert_false (gco_is_active ());
}

/* The immediate main dispatcher */

static void
test_immediate_in_place (void)
{
  GcoScope *scope = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());
  Probe probe = { 0, };
  GcoJob *job;

  g_assert_true (gco_dispatcher_is_immediate (gco_dispatcher_get_main_immediate ()));
  g_assert_false (gco_dispatcher_is_immediate (gco_dispatcher_get_main ()));

  /* The main thread has iterated the main context: it is its thread. */
  gco_test_drain (NULL);

  job = gco_launch_job (scope, two_step_body, &probe, probe_destroy);

  /* In place, until the first suspension. */
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_cmpuint (probe.step, ==, 1);
  g_assert_true (probe.current == job);
  g_assert_true (probe.thread == g_thread_self ());
  g_assert_false (gco_in_coroutine ());
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);

  /* The resumption goes through the queue. */
  gco_test_run_until_job (NULL, job);
  g_assert_cmpuint (probe.step, ==, 2);
  g_assert_cmpuint (probe.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  finish_scope (scope, FALSE);
}

typedef struct
{
  GcoScope *immediate;
  Probe     child;
  guint     depth;
  guint     max_depth;
  gboolean  child_ran_in_launch;
  GcoJob   *child_job;
} ImmediateNest;

static gboolean
depth_body (gpointer   user_data,
            GError   **error)
{
  ImmediateNest *nest = user_data;

  nest->depth++;
  nest->max_depth = MAX (nest->max_depth, nest->depth);
  nest->child.runs++;
  nest->depth--;

  return TRUE;
}

static gboolean
launch_immediate_child_body (gpointer   user_data,
                             GError   **error)
{
  ImmediateNest *nest = user_data;
  gboolean ok;

  nest->depth++;
  nest->max_depth = MAX (nest->max_depth, nest->depth);

  nest->child_job = gco_launch_job (nest->immediate, depth_body, nest, NULL);
  nest->child_ran_in_launch = nest->child.runs > 0;

  nest->depth--;
  ok = gco_job_join (nest->child_job, error);

  return ok;
}

static void
test_immediate_from_coroutine (void)
{
  ImmediateNest nest = { NULL, };
  GcoScope *plain = gco_scope_new (NULL, NULL);
  GcoJob *job;

  nest.immediate = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());
  gco_test_drain (NULL);

  /* From a coroutine on the (non-immediate) main dispatcher. */
  job = gco_launch_job (plain, launch_immediate_child_body, &nest, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_null (gco_job_get_error (job));
  g_assert_false (nest.child_ran_in_launch);
  g_assert_cmpuint (nest.child.runs, ==, 1);
  g_assert_cmpuint (nest.max_depth, ==, 1);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (nest.child_job);
  finish_scope (plain, FALSE);
  finish_scope (nest.immediate, FALSE);
}

static void
test_immediate_nested (void)
{
  ImmediateNest nest = { NULL, };
  GcoJob *job;

  nest.immediate = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());
  gco_test_drain (NULL);

  /* An immediate start whose body launches another immediate start: the
   * inner one is queued, not recursed. */
  job = gco_launch_job (nest.immediate, launch_immediate_child_body, &nest, NULL);
  g_assert_nonnull (nest.child_job);
  g_assert_false (nest.child_ran_in_launch);
  g_assert_cmpuint (nest.child.runs, ==, 0);

  gco_test_run_until_job (NULL, job);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpuint (nest.child.runs, ==, 1);
  g_assert_cmpuint (nest.max_depth, ==, 1);

  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (nest.child_job);
  finish_scope (nest.immediate, FALSE);
}

typedef struct
{
  GcoScope *immediate;
  Probe    *probe;
  gboolean  launched;
  gboolean  ran_in_handler;
} HandlerLaunch;

static void
launch_from_handler (GcoJob       *job,
                     const GError *error,
                     gpointer      user_data)
{
  HandlerLaunch *launch = user_data;

  gco_launch (launch->immediate, record_body, launch->probe, NULL);
  launch->launched = TRUE;
  launch->ran_in_handler = launch->probe->runs > 0;
}

/* Completes without suspending; its completion handler launches. */
static gboolean
add_handler_body (gpointer   user_data,
                  GError   **error)
{
  HandlerLaunch *launch = user_data;

  gco_job_add_completion_handler (gco_job_get_current (), launch_from_handler, launch, NULL);

  return TRUE;
}

static void
test_immediate_nested_handler (void)
{
  GcoScope *immediate = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());
  Probe second = { 0, };
  HandlerLaunch launch = { NULL, };
  GcoJob *job;

  gco_test_drain (NULL);
  launch.immediate = immediate;
  launch.probe = &second;

  /* The first coroutine completes during its immediate start; its
   * completion handler, still inside that start, launches another immediate
   * coroutine: it is queued, not recursed. */
  job = gco_launch_job (immediate, add_handler_body, &launch, NULL);
  g_assert_true (gco_job_is_completed (job));
  g_assert_true (launch.launched);
  g_assert_false (launch.ran_in_handler);
  g_assert_cmpuint (second.runs, ==, 0);

  gco_test_run_until (NULL, &second.done);
  g_assert_cmpuint (second.runs, ==, 1);

  gco_test_assert_finalize_job (job);
  finish_scope (immediate, FALSE);
}

typedef struct
{
  GcoScope *scope;
  Probe    *probe;
  GcoJob   *job;
  gboolean  ran_in_launch;
} ThreadLaunch;

static gpointer
thread_launch_main (gpointer data)
{
  ThreadLaunch *launch = data;

  launch->job = gco_launch_job (launch->scope, record_body, launch->probe, NULL);
  launch->ran_in_launch = launch->probe->runs > 0;

  return NULL;
}

static void
test_immediate_other_thread (void)
{
  GcoScope *immediate = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());
  Probe probe = { 0, };
  ThreadLaunch launch = { immediate, &probe, NULL, FALSE };
  GThread *thread;

  gco_test_drain (NULL);

  /* Off the main thread, an immediate launch is dispatched to it. */
  thread = g_thread_new ("gco-test-launcher", thread_launch_main, &launch);
  g_thread_join (thread);
  g_assert_false (launch.ran_in_launch);

  gco_test_run_until_job (NULL, launch.job);
  g_assert_cmpuint (probe.runs, ==, 1);
  g_assert_true (probe.thread == g_thread_self ());

  gco_test_assert_finalize_job (launch.job);
  finish_scope (immediate, FALSE);
}

/* Running out of stacks */

static gboolean
hold_stack_body (gpointer   user_data,
                 GError   **error)
{
  Probe *probe = user_data;

  probe->runs++;
  return gco_await_cancellation (error);
}

static void
test_no_stack (void)
{
  GcoJob *root = gco_supervisor_job_new (NULL);
  GcoScope *scope = gco_scope_new (root, NULL);
  Caught caught = { 0, };
  Probe probes[4] = { { 0, }, };
  GcoJob *jobs[4];
  AsyncProbe async_probe = { 0, };
  GcoDeferred *deferred;
  GcoStackStats stats;

  gco_job_unref (root);
  gco_scope_set_exception_handler (scope, caught_handler, &caught, NULL);

  gco__stack_get_stats (&stats);
  gco__stack_set_limit (stats.live + 2);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    jobs[i] = gco_launch_job (scope, hold_stack_body, &probes[i], probe_destroy);

  gco_test_run_until_job (NULL, jobs[2]);
  gco_test_run_until_job (NULL, jobs[3]);

  /* Two got a stack and wait; two failed, reported to the handler. */
  g_assert_cmpuint (probes[0].runs, ==, 1);
  g_assert_cmpuint (probes[1].runs, ==, 1);
  g_assert_cmpuint (probes[2].runs, ==, 0);
  g_assert_cmpuint (probes[3].runs, ==, 0);
  g_assert_true (gco_job_is_active (jobs[0]));
  g_assert_true (gco_job_is_active (jobs[1]));
  g_assert_true (gco_job_is_cancelled (jobs[2]));
  g_assert_true (gco_job_is_cancelled (jobs[3]));
  g_assert_error (gco_job_get_error (jobs[2]), GCO_ERROR, GCO_ERROR_NO_STACK);
  g_assert_error (gco_job_get_error (jobs[3]), GCO_ERROR, GCO_ERROR_NO_STACK);
  g_assert_cmpuint (caught.count, ==, 2);
  g_assert_error (caught.first, GCO_ERROR, GCO_ERROR_NO_STACK);
  g_assert_true (caught.first_job == jobs[2]);
  g_assert_cmpuint (probes[2].destroys, ==, 1);
  g_assert_cmpuint (probes[3].destroys, ==, 1);

  /* An async that gets no stack holds the failure for its awaiters. */
  deferred = gco_async (scope, value_body, &async_probe, async_probe_destroy, value_free);
  gco_test_run_until_job (NULL, GCO_JOB (deferred));
  g_assert_error (gco_job_get_error (GCO_JOB (deferred)), GCO_ERROR, GCO_ERROR_NO_STACK);
  g_assert_cmpuint (async_probe.runs, ==, 0);
  g_assert_cmpuint (async_probe.destroys, ==, 1);
  g_assert_cmpuint (caught.count, ==, 2);

  /* The ones that run are unaffected (the scope is a supervisor). */
  g_assert_true (gco_scope_is_active (scope));

  gco__stack_set_limit (0);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    gco_job_cancel (jobs[i]);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      gco_test_run_until_job (NULL, jobs[i]);
      gco_test_assert_finalize_job (jobs[i]);
    }
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  finish_scope (scope, FALSE);
  caught_clear (&caught);
}

static void
test_no_stack_immediate (void)
{
  GcoScope *scope = gco_scope_new (NULL, gco_dispatcher_get_main_immediate ());
  Caught caught = { 0, };
  Probe holder = { 0, }, failing = { 0, };
  GcoJob *held, *failed;
  GcoStackStats stats;

  gco_scope_set_exception_handler (scope, caught_handler, &caught, NULL);
  gco_test_drain (NULL);

  gco__stack_get_stats (&stats);
  gco__stack_set_limit (stats.live + 1);

  held = gco_launch_job (scope, hold_stack_body, &holder, NULL);
  g_assert_cmpuint (holder.runs, ==, 1);

  /* Fails during the launch itself: delivered, not aborted. */
  failed = gco_launch_job (scope, record_body, &failing, probe_destroy);
  gco_test_run_until_job (NULL, failed);
  gco__stack_set_limit (0);

  g_assert_cmpuint (failing.runs, ==, 0);
  g_assert_cmpuint (failing.destroys, ==, 1);
  g_assert_error (gco_job_get_error (failed), GCO_ERROR, GCO_ERROR_NO_STACK);
  g_assert_cmpuint (caught.count, ==, 1);
  g_assert_error (caught.first, GCO_ERROR, GCO_ERROR_NO_STACK);

  /* Not a supervisor: the failure cancelled the scope and its other child. */
  gco_test_run_until_job (NULL, held);
  g_assert_true (gco_job_is_cancelled (held));
  g_assert_false (gco_scope_is_active (scope));

  gco_test_assert_finalize_job (held);
  gco_test_assert_finalize_job (failed);
  finish_scope (scope, TRUE);
  caught_clear (&caught);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Builders: launch, launch_job, launch_full with each option, async, "
                  "destroy notifies, the running coroutine, the immediate dispatcher "
                  "and running out of stacks.");

  g_test_add_func ("/gco/builders/launch", test_launch);
  g_test_add_func ("/gco/builders/launch-job", test_launch_job);
  g_test_add_func ("/gco/builders/launch-full/defaults", test_launch_full_defaults);
  g_test_add_func ("/gco/builders/launch-full/name", test_launch_full_name);
  g_test_add_func ("/gco/builders/launch-full/lazy", test_launch_full_lazy);
  g_test_add_func ("/gco/builders/launch-full/lazy-join", test_launch_full_lazy_join);
  g_test_add_func ("/gco/builders/launch-full/lazy-cancel", test_launch_full_lazy_cancel);
  g_test_add_func ("/gco/builders/launch-full/undispatched", test_launch_full_undispatched);
  g_test_add_func ("/gco/builders/launch-full/undispatched-nested",
                   test_launch_full_undispatched_nested);
  g_test_add_func ("/gco/builders/launch-full/undispatched-other-thread",
                   test_launch_full_undispatched_other_thread);
  g_test_add_func ("/gco/builders/launch-full/atomic", test_launch_full_atomic);
  g_test_add_func ("/gco/builders/launch-full/atomic-ensure-active",
                   test_launch_full_atomic_ensure_active);
  g_test_add_func ("/gco/builders/launch-full/dispatcher", test_launch_full_dispatcher);
  g_test_add_func ("/gco/builders/launch-full/stack-size", test_launch_full_stack_size);
  g_test_add_func ("/gco/builders/async", test_async);
  g_test_add_func ("/gco/builders/async-null-value", test_async_null_value);
  g_test_add_func ("/gco/builders/async-full", test_async_full);
  g_test_add_func ("/gco/builders/async-cancelled-value", test_async_cancelled_value);
  g_test_add_func ("/gco/builders/destroy/never-runs", test_destroy_never_runs);
  g_test_add_func ("/gco/builders/destroy/after-cancel", test_destroy_after_failure);
  g_test_add_func ("/gco/builders/current", test_current);
  g_test_add_func ("/gco/builders/is-active-outside", test_is_active_outside);
  g_test_add_func ("/gco/builders/immediate/in-place", test_immediate_in_place);
  g_test_add_func ("/gco/builders/immediate/from-coroutine", test_immediate_from_coroutine);
  g_test_add_func ("/gco/builders/immediate/nested", test_immediate_nested);
  g_test_add_func ("/gco/builders/immediate/nested-handler", test_immediate_nested_handler);
  g_test_add_func ("/gco/builders/immediate/other-thread", test_immediate_other_thread);
  g_test_add_func ("/gco/builders/no-stack", test_no_stack);
  g_test_add_func ("/gco/builders/no-stack-immediate", test_no_stack_immediate);

  return g_test_run ();
}
