/* test-job.c: the GcoJob, GcoDeferred and GcoScope API, mostly without coroutines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gco/gco.h>

#include "gco-test-utils.h"
#include "gco-job-private.h"

/* Probes: record what handlers see */

typedef struct
{
  GString     *log;          /* (nullable): the tag is appended on each call */
  const char  *tag;
  guint        calls;
  guint        destroys;
  guint        calls_at_destroy;
  GcoJobState  state;        /* the job's state when the handler ran */
  GError      *error;        /* a copy of what the handler received */
  gboolean     had_error;
  guint        id;           /* the handler's id, for removal from inside */
  gboolean     remove_self;
} Probe;

static void
probe_clear (Probe *probe)
{
  g_clear_error (&probe->error);
}

static void
probe_handler_cb (GcoJob       *job,
                  const GError *error,
                  gpointer      user_data)
{
  Probe *probe = user_data;

  probe->calls++;
  probe->state = gco_job_get_state (job);
  probe->had_error = error != NULL;
  g_clear_error (&probe->error);
  if (error != NULL)
    probe->error = g_error_copy (error);
  if (probe->log != NULL)
    g_string_append (probe->log, probe->tag);
  if (probe->remove_self)
    gco_job_remove_completion_handler (job, probe->id);
}

static void
probe_destroy_cb (gpointer user_data)
{
  Probe *probe = user_data;

  probe->destroys++;
  probe->calls_at_destroy = probe->calls;
}

typedef struct
{
  guint         calls;
  guint         destroys;
  GcoJob       *job;     /* a reference to the first job received */
  GError       *error;   /* a copy of the first error received */
} Catcher;

static void
catcher_cb (GcoJob       *job,
            const GError *error,
            gpointer      user_data)
{
  Catcher *catcher = user_data;

  g_assert_nonnull (error);
  if (catcher->calls++ == 0)
    {
      catcher->job = gco_job_ref (job);
      catcher->error = g_error_copy (error);
    }
}

static void
catcher_destroy_cb (gpointer user_data)
{
  Catcher *catcher = user_data;

  catcher->destroys++;
}

static void
catcher_clear (Catcher *catcher)
{
  g_clear_pointer (&catcher->job, gco_job_unref);
  g_clear_error (&catcher->error);
}

/* Releases the last reference to a job that has not completed (a plain job
 * never completed): asserts that it is the last one. */
static void
assert_last_ref_and_unref (GcoJob *job)
{
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 1);
  gco_job_unref (job);
}

/* Coroutine bodies */

static gboolean
fail_body (gpointer   user_data,
           GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the expected failure");
  return FALSE;
}

static gboolean
succeed_body (gpointer   user_data,
              GError   **error)
{
  return TRUE;
}

/* Jobs */

static void
test_job_new (void)
{
  GcoJob *job;

  g_test_summary ("A new completable job is active, a root, childless and not a supervisor");

  job = gco_job_new (NULL);
  g_assert_nonnull (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_true (gco_job_is_active (job));
  g_assert_false (gco_job_is_completed (job));
  g_assert_false (gco_job_is_cancelled (job));
  g_assert_false (gco_job_is_supervisor (job));
  g_assert_null (gco_job_get_parent (job));
  g_assert_cmpuint (gco_job_get_n_children (job), ==, 0);
  g_assert_null (gco_job_get_error (job));
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 1);

  /* A plain job is not lazy: there is nothing to start. */
  g_assert_false (gco_job_start (job));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_ACTIVE);

  g_assert_true (gco_job_complete (job));
  gco_test_assert_finalize_job (job);
}

static void
test_job_complete (void)
{
  GcoJob *job;

  g_test_summary ("Completing a childless job makes it completed at once, without an error");

  job = gco_job_new (NULL);
  g_assert_true (gco_job_complete (job));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_false (gco_job_is_active (job));
  g_assert_true (gco_job_is_completed (job));
  g_assert_false (gco_job_is_cancelled (job));
  g_assert_null (gco_job_get_error (job));
  gco_test_assert_finalize_job (job);
}

static void
test_job_complete_waits_for_children (void)
{
  GcoJob *parent, *child;

  g_test_summary ("A completed job stays completing (and active) until its children completed");

  parent = gco_job_new (NULL);
  child = gco_job_new (parent);
  g_assert_true (gco_job_get_parent (child) == parent);
  g_assert_cmpuint (gco_job_get_n_children (parent), ==, 1);

  g_assert_true (gco_job_complete (parent));
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETING);
  g_assert_true (gco_job_is_active (parent));
  g_assert_false (gco_job_is_completed (parent));

  g_assert_true (gco_job_complete (child));
  g_assert_cmpint (gco_job_get_state (child), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_cmpuint (gco_job_get_n_children (parent), ==, 0);
  g_assert_null (gco_job_get_parent (child));

  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (parent);
}

static void
test_job_complete_with_error (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  GcoJob *job, *child;

  g_test_summary ("Completing a job with an error cancels its children and leaves it cancelled with the error");

  job = gco_job_new (NULL);
  child = gco_job_new (job);

  g_assert_true (gco_job_complete_with_error (job, failure));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_true (gco_job_is_completed (job));
  g_assert_false (gco_job_is_active (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  /* The job copied the error. */
  g_assert_true (gco_job_get_error (job) != failure);

  g_assert_cmpint (gco_job_get_state (child), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (child), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Completing with G_IO_ERROR_CANCELLED is a cancellation. */
  {
    GError *cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
    GcoJob *other = gco_job_new (NULL);

    g_assert_true (gco_job_complete_with_error (other, cancelled));
    g_assert_cmpint (gco_job_get_state (other), ==, GCO_JOB_STATE_CANCELLED);
    g_assert_error (gco_job_get_error (other), G_IO_ERROR, G_IO_ERROR_CANCELLED);
    gco_test_assert_finalize_job (other);
    g_error_free (cancelled);
  }

  g_error_free (failure);
  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (job);
}

static void
test_job_complete_twice (void)
{
  GcoJob *job;

  g_test_summary ("Completing a job twice is a programmer error: a critical, and FALSE");

  job = gco_job_new (NULL);
  g_assert_true (gco_job_complete (job));

  g_test_expect_message ("Gco", G_LOG_LEVEL_CRITICAL, "*completed twice*");
  g_assert_false (gco_job_complete (job));
  g_test_assert_expected_messages ();

  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_job_get_error (job));
  gco_test_assert_finalize_job (job);
}

static void
test_job_complete_after_cancel (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  GcoJob *job, *job2;

  g_test_summary ("Completing a cancelled job is no error: the cancellation won");

  job = gco_job_new (NULL);
  gco_job_cancel (job);
  g_assert_false (gco_job_complete (job));
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  job2 = gco_job_new (NULL);
  gco_job_cancel (job2);
  g_assert_false (gco_job_complete_with_error (job2, failure));
  g_assert_error (gco_job_get_error (job2), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_error_free (failure);
  gco_test_assert_finalize_job (job2);
  gco_test_assert_finalize_job (job);
}

static void
test_job_cancel (void)
{
  GcoJob *job;

  g_test_summary ("Cancelling a childless completable job makes it cancelled at once with G_IO_ERROR_CANCELLED");

  job = gco_job_new (NULL);
  gco_job_cancel (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_true (gco_job_is_cancelled (job));
  g_assert_true (gco_job_is_completed (job));
  g_assert_false (gco_job_is_active (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cancelling again changes nothing. */
  gco_job_cancel (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gco_test_assert_finalize_job (job);
}

static void
test_job_cancel_completed (void)
{
  GcoJob *job;

  g_test_summary ("Cancelling a completed job does nothing");

  job = gco_job_new (NULL);
  gco_job_complete (job);
  gco_job_cancel (job);
  g_assert_cmpint (gco_job_get_state (job), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_false (gco_job_is_cancelled (job));
  g_assert_null (gco_job_get_error (job));
  gco_test_assert_finalize_job (job);
}

static void
test_job_cancel_descendants (void)
{
  GcoJob *root, *a, *a1, *b;

  g_test_summary ("Cancelling a job cancels all its descendants at once");

  root = gco_job_new (NULL);
  a = gco_job_new (root);
  a1 = gco_job_new (a);
  b = gco_job_new (root);
  g_assert_cmpuint (gco_job_get_n_children (root), ==, 2);

  gco_job_cancel (root);
  g_assert_true (gco_job_is_cancelled (root));
  g_assert_true (gco_job_is_cancelled (a));
  g_assert_true (gco_job_is_cancelled (a1));
  g_assert_true (gco_job_is_cancelled (b));
  g_assert_error (gco_job_get_error (a1), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gco_job_get_state (root), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpuint (gco_job_get_n_children (root), ==, 0);

  gco_test_assert_finalize_job (a1);
  gco_test_assert_finalize_job (a);
  gco_test_assert_finalize_job (b);
  gco_test_assert_finalize_job (root);
}

static void
test_job_cancel_child_leaves_parent (void)
{
  GcoJob *parent, *child, *sibling;

  g_test_summary ("Cancelling a child never cancels its parent nor its siblings");

  parent = gco_job_new (NULL);
  child = gco_job_new (parent);
  sibling = gco_job_new (parent);

  gco_job_cancel (child);
  g_assert_cmpint (gco_job_get_state (child), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_cmpint (gco_job_get_state (sibling), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_null (gco_job_get_error (parent));
  g_assert_cmpuint (gco_job_get_n_children (parent), ==, 1);

  g_assert_true (gco_job_complete (sibling));
  g_assert_true (gco_job_complete (parent));
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETED);

  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (sibling);
  gco_test_assert_finalize_job (parent);
}

static void
test_job_cancel_children (void)
{
  GcoJob *parent, *a, *b, *grandchild;

  g_test_summary ("gco_job_cancel_children() cancels the children and their descendants, not the job");

  parent = gco_job_new (NULL);
  a = gco_job_new (parent);
  b = gco_job_new (parent);
  grandchild = gco_job_new (a);

  gco_job_cancel_children (parent);
  g_assert_true (gco_job_is_cancelled (a));
  g_assert_true (gco_job_is_cancelled (b));
  g_assert_true (gco_job_is_cancelled (grandchild));
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_null (gco_job_get_error (parent));
  g_assert_cmpuint (gco_job_get_n_children (parent), ==, 0);

  /* The parent still accepts children and completes normally. */
  g_assert_true (gco_job_complete (parent));
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETED);

  gco_test_assert_finalize_job (grandchild);
  gco_test_assert_finalize_job (a);
  gco_test_assert_finalize_job (b);
  gco_test_assert_finalize_job (parent);
}

static void
test_job_born_cancelled (void)
{
  GcoJob *cancelled, *completed, *child;

  g_test_summary ("A job made under a cancelled or completed parent is born cancelled");

  cancelled = gco_job_new (NULL);
  gco_job_cancel (cancelled);
  child = gco_job_new (cancelled);
  g_assert_true (gco_job_is_cancelled (child));
  g_assert_true (gco_job_is_completed (child));
  g_assert_error (gco_job_get_error (child), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gco_test_assert_finalize_job (child);

  completed = gco_job_new (NULL);
  gco_job_complete (completed);
  child = gco_job_new (completed);
  g_assert_true (gco_job_is_cancelled (child));
  g_assert_cmpint (gco_job_get_state (completed), ==, GCO_JOB_STATE_COMPLETED);
  gco_test_assert_finalize_job (child);

  gco_test_assert_finalize_job (completed);
  gco_test_assert_finalize_job (cancelled);
}

static void
test_job_child_failure_cancels_parent (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  GcoJob *parent, *child, *sibling;

  g_test_summary ("A child's failure cancels its non-supervisor parent, with the failure, and so its siblings");

  parent = gco_job_new (NULL);
  child = gco_job_new (parent);
  sibling = gco_job_new (parent);

  g_assert_true (gco_job_complete_with_error (child, failure));
  g_assert_true (gco_job_is_cancelled (parent));
  g_assert_error (gco_job_get_error (parent), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (gco_job_is_cancelled (sibling));
  g_assert_error (gco_job_get_error (sibling), G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_CANCELLED);

  g_error_free (failure);
  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (sibling);
  gco_test_assert_finalize_job (parent);
}

static void
test_job_supervisor (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  GcoJob *supervisor, *child, *sibling, *plain_parent;

  g_test_summary ("A supervisor job survives the failure of a child, and so do its other children");

  supervisor = gco_supervisor_job_new (NULL);
  g_assert_true (gco_job_is_supervisor (supervisor));
  g_assert_true (gco_job_is_active (supervisor));
  child = gco_job_new (supervisor);
  sibling = gco_job_new (supervisor);
  g_assert_false (gco_job_is_supervisor (child));

  g_assert_true (gco_job_complete_with_error (child, failure));
  g_assert_true (gco_job_is_cancelled (child));
  g_assert_cmpint (gco_job_get_state (supervisor), ==, GCO_JOB_STATE_ACTIVE);
  g_assert_null (gco_job_get_error (supervisor));
  g_assert_cmpint (gco_job_get_state (sibling), ==, GCO_JOB_STATE_ACTIVE);

  /* Cancelling a supervisor still cancels its children. */
  gco_job_cancel (supervisor);
  g_assert_true (gco_job_is_cancelled (sibling));
  g_assert_cmpint (gco_job_get_state (supervisor), ==, GCO_JOB_STATE_CANCELLED);

  /* A supervisor's own failure still cancels a non-supervisor parent. */
  plain_parent = gco_job_new (NULL);
  {
    GcoJob *inner = gco_supervisor_job_new (plain_parent);

    g_assert_true (gco_job_complete_with_error (inner, failure));
    g_assert_true (gco_job_is_cancelled (plain_parent));
    g_assert_error (gco_job_get_error (plain_parent), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    gco_test_assert_finalize_job (inner);
  }

  g_error_free (failure);
  gco_test_assert_finalize_job (plain_parent);
  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (sibling);
  gco_test_assert_finalize_job (supervisor);
}

static void
test_job_tree (void)
{
  GcoJob *parent, *a, *b;

  g_test_summary ("Parent and children: a child references its parent until it completed");

  parent = gco_job_new (NULL);
  a = gco_job_new (parent);
  b = gco_job_new (parent);
  g_assert_true (gco_job_get_parent (a) == parent);
  g_assert_true (gco_job_get_parent (b) == parent);
  g_assert_cmpuint (gco_job_get_n_children (parent), ==, 2);

  /* Dropping our reference to the parent keeps it alive: its children hold it. */
  gco_job_ref (parent);
  gco_job_unref (parent);

  gco_job_complete (a);
  g_assert_cmpuint (gco_job_get_n_children (parent), ==, 1);
  g_assert_null (gco_job_get_parent (a));
  gco_job_cancel (b);
  g_assert_cmpuint (gco_job_get_n_children (parent), ==, 0);
  g_assert_null (gco_job_get_parent (b));

  /* The children let go of the parent when they completed. */
  g_assert_cmpint (gco__job_get_ref_count (parent), ==, 1);

  gco_job_complete (parent);
  gco_test_assert_finalize_job (a);
  gco_test_assert_finalize_job (b);
  gco_test_assert_finalize_job (parent);
}

/* Completion handlers */

static void
test_handlers_order (void)
{
  GString *log = g_string_new (NULL);
  Probe a = { log, "a", }, b = { log, "b", }, c = { log, "c", };
  GcoJob *job;

  g_test_summary ("Completion handlers run once each, in the order added, synchronously, and their data is released once after they ran");

  job = gco_job_new (NULL);
  g_assert_cmpuint (gco_job_add_completion_handler (job, probe_handler_cb, &a, probe_destroy_cb), !=, 0);
  g_assert_cmpuint (gco_job_add_completion_handler (job, probe_handler_cb, &b, probe_destroy_cb), !=, 0);
  g_assert_cmpuint (gco_job_add_completion_handler (job, probe_handler_cb, &c, probe_destroy_cb), !=, 0);
  g_assert_cmpstr (log->str, ==, "");
  g_assert_cmpuint (a.destroys, ==, 0);

  gco_job_complete (job);
  g_assert_cmpstr (log->str, ==, "abc");
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpuint (b.calls, ==, 1);
  g_assert_cmpuint (c.calls, ==, 1);
  g_assert_cmpint (a.state, ==, GCO_JOB_STATE_COMPLETED);
  g_assert_false (a.had_error);
  g_assert_cmpuint (a.destroys, ==, 1);
  g_assert_cmpuint (b.destroys, ==, 1);
  g_assert_cmpuint (c.destroys, ==, 1);
  g_assert_cmpuint (a.calls_at_destroy, ==, 1);
  g_assert_cmpuint (c.calls_at_destroy, ==, 1);

  /* Nothing runs twice. */
  gco_job_cancel (job);
  g_assert_cmpstr (log->str, ==, "abc");
  g_assert_cmpuint (b.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  g_assert_cmpuint (a.destroys, ==, 1);
  g_string_free (log, TRUE);
}

static void
test_handlers_ids_unique (void)
{
  GcoJob *job = gco_job_new (NULL);
  Probe probe = { NULL, "p", };
  guint ids[4];

  g_test_summary ("Completion handler ids are non-zero and distinct");

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      ids[i] = gco_job_add_completion_handler (job, probe_handler_cb, &probe, NULL);
      g_assert_cmpuint (ids[i], !=, 0);
      for (guint j = 0; j < i; j++)
        g_assert_cmpuint (ids[i], !=, ids[j]);
    }

  gco_job_complete (job);
  g_assert_cmpuint (probe.calls, ==, G_N_ELEMENTS (ids));
  gco_test_assert_finalize_job (job);
}

static void
test_handlers_error (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  Probe cancelled_probe = { NULL, "c", }, failed_probe = { NULL, "f", };
  Probe child_probe = { NULL, "k", };
  GcoJob *cancelled, *failed, *child;

  g_test_summary ("A completion handler receives the cancellation or the failure, and the final state");

  cancelled = gco_job_new (NULL);
  child = gco_job_new (cancelled);
  gco_job_add_completion_handler (cancelled, probe_handler_cb, &cancelled_probe, probe_destroy_cb);
  gco_job_add_completion_handler (child, probe_handler_cb, &child_probe, probe_destroy_cb);
  gco_job_cancel (cancelled);
  g_assert_cmpuint (cancelled_probe.calls, ==, 1);
  g_assert_cmpint (cancelled_probe.state, ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (cancelled_probe.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (child_probe.calls, ==, 1);
  g_assert_error (child_probe.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  failed = gco_job_new (NULL);
  gco_job_add_completion_handler (failed, probe_handler_cb, &failed_probe, probe_destroy_cb);
  gco_job_complete_with_error (failed, failure);
  g_assert_cmpuint (failed_probe.calls, ==, 1);
  g_assert_cmpint (failed_probe.state, ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (failed_probe.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (failed_probe.destroys, ==, 1);

  g_error_free (failure);
  probe_clear (&cancelled_probe);
  probe_clear (&failed_probe);
  probe_clear (&child_probe);
  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (cancelled);
  gco_test_assert_finalize_job (failed);
}

static void
test_handlers_after_completion (void)
{
  Probe probe = { NULL, "p", };
  Probe cancelled_probe = { NULL, "c", };
  GcoJob *job, *cancelled;
  guint id;

  g_test_summary ("A completion handler added after completion runs at once, before the call returns, exactly once");

  job = gco_job_new (NULL);
  gco_job_complete (job);
  id = gco_job_add_completion_handler (job, probe_handler_cb, &probe, probe_destroy_cb);
  g_assert_cmpuint (id, !=, 0);
  g_assert_cmpuint (probe.calls, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);
  g_assert_cmpint (probe.state, ==, GCO_JOB_STATE_COMPLETED);
  g_assert_false (probe.had_error);

  /* Removing it afterwards is a no-op and does not release the data again. */
  gco_job_remove_completion_handler (job, id);
  g_assert_cmpuint (probe.destroys, ==, 1);

  cancelled = gco_job_new (NULL);
  gco_job_cancel (cancelled);
  gco_job_add_completion_handler (cancelled, probe_handler_cb, &cancelled_probe, probe_destroy_cb);
  g_assert_cmpuint (cancelled_probe.calls, ==, 1);
  g_assert_error (cancelled_probe.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (cancelled_probe.destroys, ==, 1);

  probe_clear (&cancelled_probe);
  gco_test_assert_finalize_job (cancelled);
  gco_test_assert_finalize_job (job);
  g_assert_cmpuint (probe.calls, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);
}

static void
test_handlers_remove (void)
{
  GString *log = g_string_new (NULL);
  Probe a = { log, "a", }, b = { log, "b", }, c = { log, "c", };
  GcoJob *job;
  guint id_b;

  g_test_summary ("A removed completion handler never runs; its data is released once, at removal");

  job = gco_job_new (NULL);
  gco_job_add_completion_handler (job, probe_handler_cb, &a, probe_destroy_cb);
  id_b = gco_job_add_completion_handler (job, probe_handler_cb, &b, probe_destroy_cb);
  gco_job_add_completion_handler (job, probe_handler_cb, &c, probe_destroy_cb);

  gco_job_remove_completion_handler (job, id_b);
  g_assert_cmpuint (b.destroys, ==, 1);
  g_assert_cmpuint (b.calls_at_destroy, ==, 0);

  /* Removing twice, or an id this job never gave, does nothing. */
  gco_job_remove_completion_handler (job, id_b);
  gco_job_remove_completion_handler (job, id_b + 1000);
  g_assert_cmpuint (b.destroys, ==, 1);

  gco_job_complete (job);
  g_assert_cmpstr (log->str, ==, "ac");
  g_assert_cmpuint (b.calls, ==, 0);
  g_assert_cmpuint (b.destroys, ==, 1);
  g_assert_cmpuint (a.destroys, ==, 1);
  g_assert_cmpuint (c.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  g_string_free (log, TRUE);
}

static void
test_handlers_remove_after_run (void)
{
  Probe probe = { NULL, "p", };
  GcoJob *job;
  guint id;

  g_test_summary ("Removing a completion handler that already ran is a silent no-op");

  job = gco_job_new (NULL);
  id = gco_job_add_completion_handler (job, probe_handler_cb, &probe, probe_destroy_cb);
  gco_job_complete (job);
  g_assert_cmpuint (probe.calls, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);

  gco_job_remove_completion_handler (job, id);
  g_assert_cmpuint (probe.calls, ==, 1);
  g_assert_cmpuint (probe.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
}

static void
test_handlers_remove_inside (void)
{
  GString *log = g_string_new (NULL);
  Probe self = { log, "s", }, next = { log, "n", };
  GcoJob *job;

  g_test_summary ("A completion handler removing itself while it runs is a silent no-op");

  job = gco_job_new (NULL);
  self.remove_self = TRUE;
  self.id = gco_job_add_completion_handler (job, probe_handler_cb, &self, probe_destroy_cb);
  gco_job_add_completion_handler (job, probe_handler_cb, &next, probe_destroy_cb);

  gco_job_complete (job);
  g_assert_cmpstr (log->str, ==, "sn");
  g_assert_cmpuint (self.calls, ==, 1);
  g_assert_cmpuint (self.destroys, ==, 1);
  g_assert_cmpuint (self.calls_at_destroy, ==, 1);
  g_assert_cmpuint (next.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  g_string_free (log, TRUE);
}

typedef struct
{
  Probe   *late;     /* added from inside the handler */
  GcoJob  *other;    /* cancelled from inside the handler */
  gboolean late_ran_before_return;
  guint    calls;
} Reentrant;

static void
reentrant_handler_cb (GcoJob       *job,
                      const GError *error,
                      gpointer      user_data)
{
  Reentrant *self = user_data;

  self->calls++;
  /* The job is final: a handler added now runs at once. */
  gco_job_add_completion_handler (job, probe_handler_cb, self->late, probe_destroy_cb);
  self->late_ran_before_return = self->late->calls == 1;
  gco_job_cancel (self->other);
  g_assert_true (gco_job_is_cancelled (self->other));
}

static void
test_handlers_reentrant (void)
{
  Probe late = { NULL, "l", };
  Probe other_probe = { NULL, "o", };
  Reentrant reentrant = { &late, NULL, FALSE, 0 };
  GcoJob *job;

  g_test_summary ("A completion handler may call back into gco: add handlers, cancel jobs");

  job = gco_job_new (NULL);
  reentrant.other = gco_job_new (NULL);
  gco_job_add_completion_handler (reentrant.other, probe_handler_cb, &other_probe, probe_destroy_cb);
  gco_job_add_completion_handler (job, reentrant_handler_cb, &reentrant, NULL);

  gco_job_complete (job);
  g_assert_cmpuint (reentrant.calls, ==, 1);
  g_assert_true (reentrant.late_ran_before_return);
  g_assert_cmpuint (late.calls, ==, 1);
  g_assert_cmpuint (late.destroys, ==, 1);
  g_assert_cmpint (gco_job_get_state (reentrant.other), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_cmpuint (other_probe.calls, ==, 1);
  g_assert_cmpuint (other_probe.destroys, ==, 1);

  probe_clear (&other_probe);
  gco_test_assert_finalize_job (reentrant.other);
  gco_test_assert_finalize_job (job);
}

static void
test_handlers_destroy_on_finalize (void)
{
  Probe probe = { NULL, "p", };
  GcoJob *job;

  g_test_summary ("The data of a handler that never ran is released once when the job is finalized");

  job = gco_job_new (NULL);
  gco_job_add_completion_handler (job, probe_handler_cb, &probe, probe_destroy_cb);
  assert_last_ref_and_unref (job);
  g_assert_cmpuint (probe.calls, ==, 0);
  g_assert_cmpuint (probe.destroys, ==, 1);
}

/* Names */

static void
test_job_name (void)
{
  GcoJob *job, *supervisor;

  g_test_summary ("Jobs have names: the one set, else a non-NULL default");

  job = gco_job_new (NULL);
  supervisor = gco_supervisor_job_new (NULL);
  g_assert_nonnull (gco_job_get_name (job));
  g_assert_nonnull (gco_job_get_name (supervisor));

  gco_job_set_name (job, "downloader");
  g_assert_cmpstr (gco_job_get_name (job), ==, "downloader");
  gco_job_set_name (job, "uploader");
  g_assert_cmpstr (gco_job_get_name (job), ==, "uploader");
  gco_job_set_name (job, NULL);
  g_assert_nonnull (gco_job_get_name (job));

  gco_job_complete (job);
  gco_job_complete (supervisor);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (supervisor);
}

static void
test_job_name_coroutine (void)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *named, *unnamed, *renamed;

  g_test_summary ("A coroutine's job has the name given at launch, else a non-NULL default from its body");

  options.name = "loader";
  named = gco_launch_full (scope, &options, succeed_body, NULL, NULL);
  unnamed = gco_launch_job (scope, succeed_body, NULL, NULL);
  renamed = gco_launch_job (scope, succeed_body, NULL, NULL);
  gco_job_set_name (renamed, "renamed");

  g_assert_cmpstr (gco_job_get_name (named), ==, "loader");
  g_assert_nonnull (gco_job_get_name (unnamed));
  /* A static body is not in the dynamic symbol table: the name may be
   * generic, but it is stable. */
  g_assert_cmpstr (gco_job_get_name (unnamed), ==, gco_job_get_name (unnamed));
  g_assert_cmpstr (gco_job_get_name (renamed), ==, "renamed");

  gco_test_run_until_job (NULL, named);
  gco_test_run_until_job (NULL, unnamed);
  gco_test_run_until_job (NULL, renamed);
  g_assert_cmpstr (gco_job_get_name (named), ==, "loader");

  gco_test_assert_finalize_job (named);
  gco_test_assert_finalize_job (unnamed);
  gco_test_assert_finalize_job (renamed);

  gco_scope_cancel (scope);
  gco_scope_unref (scope);
}

/* Cancellables */

static void
test_job_cancellable (void)
{
  GcoJob *job, *child;
  GCancellable *cancellable, *child_cancellable;

  g_test_summary ("A job's GCancellable is created on request, the same each time, and cancelled with the job");

  job = gco_job_new (NULL);
  child = gco_job_new (job);
  cancellable = gco_job_get_cancellable (job);
  child_cancellable = gco_job_get_cancellable (child);
  g_assert_true (G_IS_CANCELLABLE (cancellable));
  g_assert_true (gco_job_get_cancellable (job) == cancellable);
  g_assert_true (cancellable != child_cancellable);
  g_assert_false (g_cancellable_is_cancelled (cancellable));
  g_assert_false (g_cancellable_is_cancelled (child_cancellable));

  g_object_ref (cancellable);
  g_object_ref (child_cancellable);

  /* Cancelled synchronously, also the descendants'. */
  gco_job_cancel (job);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_true (g_cancellable_is_cancelled (child_cancellable));

  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (job);

  /* The job owned the cancellable: we hold the last references. */
  g_assert_finalize_object (cancellable);
  g_assert_finalize_object (child_cancellable);
}

static void
test_job_cancellable_after_cancel (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  GcoJob *job, *failed;

  g_test_summary ("A GCancellable requested after the job was cancelled or failed is already cancelled");

  job = gco_job_new (NULL);
  gco_job_cancel (job);
  g_assert_true (g_cancellable_is_cancelled (gco_job_get_cancellable (job)));
  gco_test_assert_finalize_job (job);

  failed = gco_job_new (NULL);
  gco_job_complete_with_error (failed, failure);
  g_assert_true (g_cancellable_is_cancelled (gco_job_get_cancellable (failed)));
  gco_test_assert_finalize_job (failed);

  g_error_free (failure);
}

static void
test_job_cancellable_failure (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  GcoJob *parent, *child;
  GCancellable *parent_cancellable;

  g_test_summary ("A job's GCancellable is cancelled when the job fails, or a child's failure cancels it");

  parent = gco_job_new (NULL);
  child = gco_job_new (parent);
  parent_cancellable = gco_job_get_cancellable (parent);
  gco_job_complete_with_error (child, failure);
  g_assert_true (g_cancellable_is_cancelled (parent_cancellable));

  g_error_free (failure);
  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (parent);
}

static void
test_job_cancellable_not_on_completion (void)
{
  GcoJob *job;
  GCancellable *cancellable;

  g_test_summary ("Completing a job normally does not cancel its GCancellable");

  job = gco_job_new (NULL);
  cancellable = g_object_ref (gco_job_get_cancellable (job));
  gco_job_complete (job);
  g_assert_false (g_cancellable_is_cancelled (cancellable));
  /* Asked after completion: not cancelled either. */
  g_assert_false (g_cancellable_is_cancelled (gco_job_get_cancellable (job)));
  gco_test_assert_finalize_job (job);
  g_assert_finalize_object (cancellable);
}

/* Deferreds */

typedef struct
{
  guint destroys;
} Counted;

typedef struct
{
  Counted *owner;
} CountedValue;

static CountedValue *
counted_value_new (Counted *owner)
{
  CountedValue *value = g_new0 (CountedValue, 1);

  value->owner = owner;
  return value;
}

static void
counted_value_free (gpointer data)
{
  CountedValue *value = data;

  value->owner->destroys++;
  g_free (value);
}

static void
test_deferred_new (void)
{
  GcoDeferred *deferred;
  GcoJob *parent;

  g_test_summary ("A new deferred is an active job without a value, a child of its parent");

  parent = gco_job_new (NULL);
  deferred = gco_deferred_new (parent);
  g_assert_nonnull (deferred);
  g_assert_true (gco_deferred_get_job (deferred) == GCO_JOB (deferred));
  g_assert_true (gco_job_is_active (GCO_JOB (deferred)));
  g_assert_true (gco_job_get_parent (GCO_JOB (deferred)) == parent);
  g_assert_null (gco_deferred_get_value (deferred));
  g_assert_true (gco_deferred_ref (deferred) == deferred);
  gco_deferred_unref (deferred);

  gco_job_complete (parent);
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETING);
  g_assert_true (gco_deferred_complete (deferred, NULL, NULL));
  g_assert_cmpint (gco_job_get_state (parent), ==, GCO_JOB_STATE_COMPLETED);

  gco_test_assert_finalize_job (GCO_JOB (deferred));
  gco_test_assert_finalize_job (parent);
}

static void
test_deferred_complete (void)
{
  Counted counted = { 0 };
  CountedValue *value = counted_value_new (&counted);
  GcoDeferred *deferred;

  g_test_summary ("A completed deferred holds its value until it is finalized, then releases it once");

  deferred = gco_deferred_new (NULL);
  g_assert_true (gco_deferred_complete (deferred, value, counted_value_free));
  g_assert_cmpint (gco_job_get_state (GCO_JOB (deferred)), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_null (gco_job_get_error (GCO_JOB (deferred)));
  g_assert_true (gco_deferred_get_value (deferred) == value);
  g_assert_true (gco_deferred_get_value (deferred) == value);
  g_assert_cmpuint (counted.destroys, ==, 0);

  gco_test_assert_finalize_job (GCO_JOB (deferred));
  g_assert_cmpuint (counted.destroys, ==, 1);
}

static void
test_deferred_complete_with_error (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  GcoDeferred *deferred, *supervised;
  GcoJob *parent, *supervisor;

  g_test_summary ("A deferred completed with an error has no value, holds the error, and cancels a non-supervisor parent");

  parent = gco_job_new (NULL);
  deferred = gco_deferred_new (parent);
  g_assert_true (gco_deferred_complete_with_error (deferred, failure));
  g_assert_cmpint (gco_job_get_state (GCO_JOB (deferred)), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_error (gco_job_get_error (GCO_JOB (deferred)), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (gco_deferred_get_value (deferred));
  g_assert_true (gco_job_is_cancelled (parent));
  g_assert_error (gco_job_get_error (parent), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  supervisor = gco_supervisor_job_new (NULL);
  supervised = gco_deferred_new (supervisor);
  g_assert_true (gco_deferred_complete_with_error (supervised, failure));
  g_assert_true (gco_job_is_active (supervisor));

  g_error_free (failure);
  gco_job_complete (supervisor);
  gco_test_assert_finalize_job (GCO_JOB (supervised));
  gco_test_assert_finalize_job (supervisor);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  gco_test_assert_finalize_job (parent);
}

static void
test_deferred_complete_after_cancel (void)
{
  Counted counted = { 0 };
  GcoDeferred *deferred;

  g_test_summary ("A value given to a cancelled deferred is released at once, exactly once");

  deferred = gco_deferred_new (NULL);
  gco_job_cancel (GCO_JOB (deferred));
  g_assert_false (gco_deferred_complete (deferred, counted_value_new (&counted), counted_value_free));
  g_assert_cmpuint (counted.destroys, ==, 1);
  g_assert_null (gco_deferred_get_value (deferred));
  g_assert_error (gco_job_get_error (GCO_JOB (deferred)), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gco_test_assert_finalize_job (GCO_JOB (deferred));
  g_assert_cmpuint (counted.destroys, ==, 1);
}

static void
test_deferred_value_while_completing (void)
{
  Counted counted = { 0 };
  CountedValue *value = counted_value_new (&counted);
  GcoDeferred *deferred;
  GcoJob *child;

  g_test_summary ("A deferred with children has no value until it completed; cancelled meanwhile, its value is released once");

  deferred = gco_deferred_new (NULL);
  child = gco_job_new (GCO_JOB (deferred));
  g_assert_true (gco_deferred_complete (deferred, value, counted_value_free));
  g_assert_cmpint (gco_job_get_state (GCO_JOB (deferred)), ==, GCO_JOB_STATE_COMPLETING);
  g_assert_null (gco_deferred_get_value (deferred));

  gco_job_cancel (GCO_JOB (deferred));
  g_assert_cmpint (gco_job_get_state (GCO_JOB (deferred)), ==, GCO_JOB_STATE_CANCELLED);
  g_assert_null (gco_deferred_get_value (deferred));

  gco_test_assert_finalize_job (child);
  gco_test_assert_finalize_job (GCO_JOB (deferred));
  g_assert_cmpuint (counted.destroys, ==, 1);
}

typedef struct
{
  GcoDeferred *deferred;
  gpointer     first;
  gpointer     second;
  GError      *error;
  gboolean     waiting;
} AwaitData;

static gboolean
await_twice_body (gpointer   user_data,
                  GError   **error)
{
  AwaitData *data = user_data;

  data->waiting = TRUE;
  data->first = gco_deferred_await (data->deferred, &data->error);
  if (data->error == NULL)
    data->second = gco_deferred_await (data->deferred, &data->error);
  return TRUE;
}

static void
test_deferred_await (void)
{
  Counted counted = { 0 };
  CountedValue *value = counted_value_new (&counted);
  AwaitData data = { NULL, };
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *awaiter;

  g_test_summary ("Awaiting a completable deferred suspends until it is completed; the value stays owned by the deferred");

  data.deferred = gco_deferred_new (NULL);
  awaiter = gco_launch_job (scope, await_twice_body, &data, NULL);
  gco_test_run_until (NULL, &data.waiting);
  g_assert_false (gco_job_is_completed (awaiter));

  gco_deferred_complete (data.deferred, value, counted_value_free);
  gco_test_run_until_job (NULL, awaiter);
  g_assert_no_error (data.error);
  g_assert_true (data.first == value);
  g_assert_true (data.second == value);
  g_assert_cmpuint (counted.destroys, ==, 0);

  gco_test_assert_finalize_job (awaiter);
  gco_test_assert_finalize_job (GCO_JOB (data.deferred));
  g_assert_cmpuint (counted.destroys, ==, 1);

  gco_scope_cancel (scope);
  gco_scope_unref (scope);
}

static void
test_deferred_await_failure (void)
{
  GError *failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "failure");
  AwaitData data = { NULL, };
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *awaiter;

  g_test_summary ("Awaiting a deferred completed with an error returns the error");

  data.deferred = gco_deferred_new (NULL);
  awaiter = gco_launch_job (scope, await_twice_body, &data, NULL);
  gco_test_run_until (NULL, &data.waiting);
  gco_deferred_complete_with_error (data.deferred, failure);
  gco_test_run_until_job (NULL, awaiter);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (data.first);
  /* The awaiter caught the error and succeeded: its scope is untouched. */
  g_assert_cmpint (gco_job_get_state (awaiter), ==, GCO_JOB_STATE_COMPLETED);
  g_assert_true (gco_scope_is_active (scope));

  g_clear_error (&data.error);
  g_error_free (failure);
  gco_test_assert_finalize_job (awaiter);
  gco_test_assert_finalize_job (GCO_JOB (data.deferred));
  gco_scope_cancel (scope);
  gco_scope_unref (scope);
}

/* Scopes */

static void
test_scope_new (void)
{
  GcoScope *scope;
  GcoJob *job;

  g_test_summary ("gco_scope_new (NULL, NULL) makes a new completable, non-supervisor job and uses the main dispatcher");

  scope = gco_scope_new (NULL, NULL);
  job = gco_scope_get_job (scope);
  g_assert_nonnull (job);
  g_assert_true (gco_job_is_active (job));
  g_assert_false (gco_job_is_supervisor (job));
  g_assert_null (gco_job_get_parent (job));
  g_assert_true (gco_scope_get_dispatcher (scope) == gco_dispatcher_get_main ());
  g_assert_true (gco_scope_is_active (scope));
  g_assert_true (gco_scope_get_job (scope) == job);

  gco_job_ref (job);
  gco_scope_unref (scope);
  /* Releasing a scope does not cancel it. */
  g_assert_true (gco_job_is_active (job));
  gco_job_cancel (job);
  gco_test_assert_finalize_job (job);
}

static void
test_scope_new_with_job (void)
{
  GcoDispatcher *dispatcher;
  GcoScope *scope;
  GcoJob *job;

  g_test_summary ("gco_scope_new takes its own reference to the job it is given and uses the dispatcher given");

  job = gco_job_new (NULL);
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 1);
  dispatcher = gco_dispatcher_new_for_context (g_main_context_default (), TRUE);
  scope = gco_scope_new (job, dispatcher);
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 2);
  g_assert_true (gco_scope_get_job (scope) == job);
  g_assert_true (gco_scope_get_dispatcher (scope) == dispatcher);

  g_assert_true (gco_scope_ref (scope) == scope);
  gco_scope_unref (scope);
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 2);

  gco_scope_unref (scope);
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 1);
  gco_dispatcher_unref (dispatcher);

  gco_job_complete (job);
  gco_test_assert_finalize_job (job);
}

static void
test_scope_main (void)
{
  GcoScope *scope;
  GcoJob *job;

  g_test_summary ("gco_main_scope_new has a supervisor job and the main dispatcher");

  scope = gco_main_scope_new ();
  job = gco_job_ref (gco_scope_get_job (scope));
  g_assert_true (gco_job_is_supervisor (job));
  g_assert_true (gco_job_is_active (job));
  g_assert_true (gco_scope_get_dispatcher (scope) == gco_dispatcher_get_main ());

  gco_scope_cancel (scope);
  g_assert_false (gco_scope_is_active (scope));
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (job);
}

static void
test_scope_child (void)
{
  GcoScope *parent, *child, *supervised;
  GcoJob *parent_job, *child_job, *supervised_job;

  g_test_summary ("A child scope's job is a child of the parent's; cancelling the child leaves the parent alone, cancelling the parent cancels the child");

  parent = gco_scope_new (NULL, NULL);
  parent_job = gco_job_ref (gco_scope_get_job (parent));
  child = gco_scope_new_child (parent, FALSE);
  supervised = gco_scope_new_child (parent, TRUE);
  child_job = gco_job_ref (gco_scope_get_job (child));
  supervised_job = gco_job_ref (gco_scope_get_job (supervised));

  g_assert_true (gco_job_get_parent (child_job) == parent_job);
  g_assert_true (gco_job_get_parent (supervised_job) == parent_job);
  g_assert_false (gco_job_is_supervisor (child_job));
  g_assert_true (gco_job_is_supervisor (supervised_job));
  g_assert_true (gco_scope_get_dispatcher (child) == gco_scope_get_dispatcher (parent));
  g_assert_cmpuint (gco_job_get_n_children (parent_job), ==, 2);

  gco_scope_cancel (child);
  g_assert_false (gco_scope_is_active (child));
  g_assert_true (gco_scope_is_active (parent));
  g_assert_true (gco_scope_is_active (supervised));

  gco_scope_cancel (parent);
  g_assert_false (gco_scope_is_active (parent));
  g_assert_false (gco_scope_is_active (supervised));
  g_assert_true (gco_job_is_completed (supervised_job));

  gco_scope_unref (supervised);
  gco_scope_unref (child);
  gco_scope_unref (parent);
  gco_test_assert_finalize_job (supervised_job);
  gco_test_assert_finalize_job (child_job);
  gco_test_assert_finalize_job (parent_job);
}

static gboolean
record_ran_body (gpointer   user_data,
                 GError   **error)
{
  gboolean *ran = user_data;

  *ran = TRUE;
  return TRUE;
}

static void
count_destroy_cb (gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

typedef struct
{
  gboolean ran;
  guint    destroys;
} RanData;

static void
ran_data_destroy_cb (gpointer user_data)
{
  RanData *data = user_data;

  data->destroys++;
}

static void
test_scope_cancel (void)
{
  RanData data = { FALSE, 0 };
  RanData forgotten = { FALSE, 0 };
  GcoScope *scope;
  GcoJob *root, *job;

  g_test_summary ("A cancelled scope is inactive; what is launched in it is born cancelled and never runs");

  scope = gco_scope_new (NULL, NULL);
  root = gco_job_ref (gco_scope_get_job (scope));
  gco_scope_cancel (scope);
  g_assert_false (gco_scope_is_active (scope));
  g_assert_true (gco_job_is_cancelled (root));

  job = gco_launch_job (scope, record_ran_body, &data, ran_data_destroy_cb);
  g_assert_true (gco_job_is_cancelled (job));
  gco_launch (scope, record_ran_body, &forgotten, ran_data_destroy_cb);
  gco_test_drain (NULL);
  g_assert_false (data.ran);
  g_assert_false (forgotten.ran);
  g_assert_cmpuint (data.destroys, ==, 1);
  g_assert_cmpuint (forgotten.destroys, ==, 1);
  g_assert_true (gco_job_is_completed (job));
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_CANCELLED);

  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
  gco_test_assert_finalize_job (root);
}

static void
test_scope_exception_handler (void)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Catcher first = { 0 }, second = { 0 };
  GcoScope *scope;
  GcoJob *job;

  g_test_summary ("A scope's exception handler receives the failed launch and its error; replacing it releases the old data once");

  scope = gco_main_scope_new ();
  gco_scope_set_exception_handler (scope, catcher_cb, &first, catcher_destroy_cb);
  gco_scope_set_exception_handler (scope, catcher_cb, &second, catcher_destroy_cb);
  g_assert_cmpuint (first.destroys, ==, 1);
  g_assert_cmpuint (second.destroys, ==, 0);

  options.name = "failing-launch";
  job = gco_launch_full (scope, &options, fail_body, NULL, NULL);
  gco_test_run_until_job (NULL, job);

  g_assert_cmpuint (first.calls, ==, 0);
  g_assert_cmpuint (second.calls, ==, 1);
  g_assert_true (second.job == job);
  g_assert_error (second.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  /* A main scope is a supervisor: it survives. */
  g_assert_true (gco_scope_is_active (scope));

  catcher_clear (&second);
  gco_test_assert_finalize_job (job);

  /* The scope, once released with everything that ran in it, releases the
   * handler's data. */
  gco_scope_cancel (scope);
  gco_scope_unref (scope);
  g_assert_cmpuint (second.destroys, ==, 1);
  g_assert_cmpuint (first.destroys, ==, 1);
}

static void
test_scope_exception_handler_inherited (void)
{
  Catcher parent_catcher = { 0 }, child_catcher = { 0 };
  GcoScope *parent, *child, *own;
  GcoJob *job, *own_job;

  g_test_summary ("A child scope without its own exception handler uses its parent's");

  parent = gco_main_scope_new ();
  gco_scope_set_exception_handler (parent, catcher_cb, &parent_catcher, NULL);
  child = gco_scope_new_child (parent, TRUE);
  own = gco_scope_new_child (parent, TRUE);
  gco_scope_set_exception_handler (own, catcher_cb, &child_catcher, NULL);

  job = gco_launch_job (child, fail_body, NULL, NULL);
  own_job = gco_launch_job (own, fail_body, NULL, NULL);
  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, own_job);

  g_assert_cmpuint (parent_catcher.calls, ==, 1);
  g_assert_true (parent_catcher.job == job);
  g_assert_cmpuint (child_catcher.calls, ==, 1);
  g_assert_true (child_catcher.job == own_job);

  catcher_clear (&parent_catcher);
  catcher_clear (&child_catcher);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (own_job);
  gco_scope_cancel (parent);
  gco_scope_unref (own);
  gco_scope_unref (child);
  gco_scope_unref (parent);
}

static void
test_scope_default_exception_handler (void)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  GcoScope *scope;
  GcoJob *job;

  g_test_summary ("Without a scope handler, the default exception handler logs a warning naming the job, and does not abort");

  scope = gco_scope_new (NULL, NULL);
  options.name = "doomed-coroutine";

  g_test_expect_message ("Gco", G_LOG_LEVEL_WARNING, "*doomed-coroutine*");
  job = gco_launch_full (scope, &options, fail_body, NULL, NULL);
  gco_test_run_until_job (NULL, job);
  g_test_assert_expected_messages ();

  g_assert_error (gco_job_get_error (job), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  /* The failure cancelled the scope's (non-supervisor) job. */
  g_assert_false (gco_scope_is_active (scope));

  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
}

static void
test_scope_set_default_exception_handler (void)
{
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  Catcher catcher = { 0 };
  Catcher scoped_catcher = { 0 };
  GcoScope *scope, *handled;
  GcoJob *job, *handled_job;

  g_test_summary ("gco_set_default_exception_handler replaces the built-in handler for scopes without one; NULL restores it");

  gco_set_default_exception_handler (catcher_cb, &catcher, catcher_destroy_cb);

  scope = gco_main_scope_new ();
  handled = gco_main_scope_new ();
  gco_scope_set_exception_handler (handled, catcher_cb, &scoped_catcher, NULL);

  job = gco_launch_job (scope, fail_body, NULL, NULL);
  handled_job = gco_launch_job (handled, fail_body, NULL, NULL);
  gco_test_run_until_job (NULL, job);
  gco_test_run_until_job (NULL, handled_job);
  g_assert_cmpuint (catcher.calls, ==, 1);
  g_assert_true (catcher.job == job);
  g_assert_error (catcher.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  /* A scope's own handler wins over the default. */
  g_assert_cmpuint (scoped_catcher.calls, ==, 1);
  g_assert_true (scoped_catcher.job == handled_job);

  /* Restoring the built-in handler releases our data, once. */
  gco_set_default_exception_handler (NULL, NULL, NULL);
  g_assert_cmpuint (catcher.destroys, ==, 1);
  catcher_clear (&catcher);
  catcher_clear (&scoped_catcher);
  gco_test_assert_finalize_job (job);
  gco_test_assert_finalize_job (handled_job);

  options.name = "restored-default";
  g_test_expect_message ("Gco", G_LOG_LEVEL_WARNING, "*restored-default*");
  job = gco_launch_full (scope, &options, fail_body, NULL, NULL);
  gco_test_run_until_job (NULL, job);
  g_test_assert_expected_messages ();
  /* Our handler was not called again. */
  g_assert_cmpuint (catcher.calls, ==, 1);
  g_assert_cmpuint (catcher.destroys, ==, 1);

  gco_test_assert_finalize_job (job);
  gco_scope_cancel (scope);
  gco_scope_cancel (handled);
  gco_scope_unref (scope);
  gco_scope_unref (handled);
}

/* Types */

static void
test_types_boxed (void)
{
  GcoJob *job, *copy;
  GcoScope *scope, *scope_copy;

  g_test_summary ("Jobs, deferreds, scopes and dispatchers are boxed types; enums are registered");

  g_assert_true (G_TYPE_IS_BOXED (GCO_TYPE_JOB));
  g_assert_true (G_TYPE_IS_BOXED (GCO_TYPE_DEFERRED));
  g_assert_true (G_TYPE_IS_BOXED (GCO_TYPE_SCOPE));
  g_assert_true (G_TYPE_IS_BOXED (GCO_TYPE_DISPATCHER));
  g_assert_true (G_TYPE_IS_ENUM (GCO_TYPE_JOB_STATE));
  g_assert_true (G_TYPE_IS_ENUM (GCO_TYPE_START));
  g_assert_true (G_TYPE_IS_ENUM (GCO_TYPE_ERROR));

  job = gco_job_new (NULL);
  copy = g_boxed_copy (GCO_TYPE_JOB, job);
  g_assert_true (copy == job);
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 2);
  g_boxed_free (GCO_TYPE_JOB, copy);
  g_assert_cmpint (gco__job_get_ref_count (job), ==, 1);

  scope = gco_scope_new (job, NULL);
  scope_copy = g_boxed_copy (GCO_TYPE_SCOPE, scope);
  g_assert_true (scope_copy == scope);
  g_boxed_free (GCO_TYPE_SCOPE, scope_copy);
  gco_scope_unref (scope);

  {
    GValue value = G_VALUE_INIT;

    g_value_init (&value, GCO_TYPE_JOB);
    g_value_set_boxed (&value, job);
    g_assert_cmpint (gco__job_get_ref_count (job), ==, 2);
    g_value_unset (&value);
    g_assert_cmpint (gco__job_get_ref_count (job), ==, 1);
  }

  gco_job_complete (job);
  gco_test_assert_finalize_job (job);
}

static void
test_types_autoptr (void)
{
  GcoJob *kept;
  guint destroys = 0;

  g_test_summary ("g_autoptr releases jobs, deferreds, scopes and dispatchers");

  {
    g_autoptr(GcoJob) job = gco_job_new (NULL);
    g_autoptr(GcoDeferred) deferred = gco_deferred_new (NULL);
    g_autoptr(GcoScope) scope = gco_scope_new (NULL, NULL);
    g_autoptr(GcoDispatcher) dispatcher = gco_dispatcher_new_for_context (g_main_context_default (), FALSE);

    kept = gco_job_ref (job);
    gco_job_complete (job);
    gco_deferred_complete (deferred, &destroys, count_destroy_cb);
    gco_scope_cancel (scope);
    g_assert_nonnull (dispatcher);
  }

  /* The deferred's value went with it. */
  g_assert_cmpuint (destroys, ==, 1);
  gco_test_assert_finalize_job (kept);
}

static gboolean
array_contains (GPtrArray *array,
                GcoJob    *job)
{
  return g_ptr_array_find (array, job, NULL);
}

/* gco_job_get_children: a snapshot of the live children, in attach order,
 * each referenced; completed children leave it. */
static void
test_job_children (void)
{
  g_autoptr (GcoJob) parent = gco_job_new (NULL);
  g_autoptr (GcoJob) first = gco_job_new (parent);
  g_autoptr (GcoJob) second = gco_job_new (parent);
  g_autoptr (GcoJob) grandchild = gco_job_new (second);
  g_autoptr (GPtrArray) children = gco_job_get_children (parent);
  g_autoptr (GPtrArray) after = NULL;

  g_assert_cmpuint (children->len, ==, 2);
  g_assert_true (children->pdata[0] == first);
  g_assert_true (children->pdata[1] == second);

  g_assert_true (gco_job_complete (first));
  after = gco_job_get_children (parent);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_true (after->pdata[0] == second);
  /* The first snapshot still holds the completed child. */
  g_assert_true (gco_job_is_completed (children->pdata[0]));

  gco_job_cancel (parent);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = gco_job_get_children (parent);
  g_assert_cmpuint (after->len, ==, 0);

  g_clear_pointer (&children, g_ptr_array_unref);
  gco_test_assert_finalize_job (g_steal_pointer (&grandchild));
  gco_test_assert_finalize_job (g_steal_pointer (&second));
  gco_test_assert_finalize_job (g_steal_pointer (&first));
  gco_test_assert_finalize_job (g_steal_pointer (&parent));
}

/* gco_job_list_roots: live jobs without a parent, newest first; a root
 * leaves the list when it completes or when its last reference goes. */
static void
test_job_list_roots (void)
{
  g_autoptr (GcoJob) root = gco_job_new (NULL);
  g_autoptr (GcoJob) dropped = gco_supervisor_job_new (NULL);
  g_autoptr (GcoJob) child = gco_job_new (root);
  g_autoptr (GcoScope) scope = gco_main_scope_new ();
  g_autoptr (GPtrArray) roots = gco_job_list_roots ();
  GcoJob *dropped_pointer = dropped;

  g_assert_true (array_contains (roots, root));
  g_assert_true (array_contains (roots, dropped));
  g_assert_true (array_contains (roots, gco_scope_get_job (scope)));
  g_assert_false (array_contains (roots, child));
  g_assert_true (roots->pdata[0] == gco_scope_get_job (scope));  /* newest first */
  g_clear_pointer (&roots, g_ptr_array_unref);

  /* Dropped while active: gone from the list (ASan would see a dangling
   * entry when the list is walked). */
  g_clear_pointer (&dropped, gco_job_unref);
  roots = gco_job_list_roots ();
  g_assert_false (array_contains (roots, dropped_pointer));
  g_assert_true (array_contains (roots, root));
  g_clear_pointer (&roots, g_ptr_array_unref);

  /* Completed: gone, although still referenced. */
  gco_job_cancel (root);
  g_assert_true (gco_job_is_completed (root));
  gco_scope_cancel (scope);
  roots = gco_job_list_roots ();
  g_assert_false (array_contains (roots, root));
  g_assert_false (array_contains (roots, gco_scope_get_job (scope)));
  g_clear_pointer (&roots, g_ptr_array_unref);

  gco_test_assert_finalize_job (g_steal_pointer (&child));
  gco_test_assert_finalize_job (g_steal_pointer (&root));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gco/job/new", test_job_new);
  g_test_add_func ("/gco/job/complete", test_job_complete);
  g_test_add_func ("/gco/job/complete-waits-for-children", test_job_complete_waits_for_children);
  g_test_add_func ("/gco/job/complete-with-error", test_job_complete_with_error);
  g_test_add_func ("/gco/job/complete-twice", test_job_complete_twice);
  g_test_add_func ("/gco/job/complete-after-cancel", test_job_complete_after_cancel);
  g_test_add_func ("/gco/job/cancel", test_job_cancel);
  g_test_add_func ("/gco/job/cancel-completed", test_job_cancel_completed);
  g_test_add_func ("/gco/job/cancel-descendants", test_job_cancel_descendants);
  g_test_add_func ("/gco/job/cancel-child-leaves-parent", test_job_cancel_child_leaves_parent);
  g_test_add_func ("/gco/job/cancel-children", test_job_cancel_children);
  g_test_add_func ("/gco/job/born-cancelled", test_job_born_cancelled);
  g_test_add_func ("/gco/job/child-failure-cancels-parent", test_job_child_failure_cancels_parent);
  g_test_add_func ("/gco/job/supervisor", test_job_supervisor);
  g_test_add_func ("/gco/job/tree", test_job_tree);
  g_test_add_func ("/gco/job/handlers/order", test_handlers_order);
  g_test_add_func ("/gco/job/handlers/ids-unique", test_handlers_ids_unique);
  g_test_add_func ("/gco/job/handlers/error", test_handlers_error);
  g_test_add_func ("/gco/job/handlers/after-completion", test_handlers_after_completion);
  g_test_add_func ("/gco/job/handlers/remove", test_handlers_remove);
  g_test_add_func ("/gco/job/handlers/remove-after-run", test_handlers_remove_after_run);
  g_test_add_func ("/gco/job/handlers/remove-inside-handler", test_handlers_remove_inside);
  g_test_add_func ("/gco/job/handlers/reentrant", test_handlers_reentrant);
  g_test_add_func ("/gco/job/handlers/destroy-on-finalize", test_handlers_destroy_on_finalize);
  g_test_add_func ("/gco/job/name", test_job_name);
  g_test_add_func ("/gco/job/name-coroutine", test_job_name_coroutine);
  g_test_add_func ("/gco/job/cancellable", test_job_cancellable);
  g_test_add_func ("/gco/job/cancellable-after-cancel", test_job_cancellable_after_cancel);
  g_test_add_func ("/gco/job/cancellable-failure", test_job_cancellable_failure);
  g_test_add_func ("/gco/job/cancellable-not-on-completion", test_job_cancellable_not_on_completion);
  g_test_add_func ("/gco/deferred/new", test_deferred_new);
  g_test_add_func ("/gco/deferred/complete", test_deferred_complete);
  g_test_add_func ("/gco/deferred/complete-with-error", test_deferred_complete_with_error);
  g_test_add_func ("/gco/deferred/complete-after-cancel", test_deferred_complete_after_cancel);
  g_test_add_func ("/gco/deferred/value-while-completing", test_deferred_value_while_completing);
  g_test_add_func ("/gco/deferred/await", test_deferred_await);
  g_test_add_func ("/gco/deferred/await-failure", test_deferred_await_failure);
  g_test_add_func ("/gco/scope/new", test_scope_new);
  g_test_add_func ("/gco/scope/new-with-job", test_scope_new_with_job);
  g_test_add_func ("/gco/scope/main", test_scope_main);
  g_test_add_func ("/gco/scope/child", test_scope_child);
  g_test_add_func ("/gco/scope/cancel", test_scope_cancel);
  g_test_add_func ("/gco/scope/exception-handler", test_scope_exception_handler);
  g_test_add_func ("/gco/scope/exception-handler-inherited", test_scope_exception_handler_inherited);
  g_test_add_func ("/gco/scope/default-exception-handler", test_scope_default_exception_handler);
  g_test_add_func ("/gco/scope/set-default-exception-handler", test_scope_set_default_exception_handler);
  g_test_add_func ("/gco/job/children", test_job_children);
  g_test_add_func ("/gco/job/list-roots", test_job_list_roots);
  g_test_add_func ("/gco/types/boxed", test_types_boxed);
  g_test_add_func ("/gco/types/autoptr", test_types_autoptr);

  return g_test_run ();
}
