/* gco-debug.c: GCO_DEBUG and the dump of a job tree
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include "gco-coroutine-private.h"
#include "gco-debug-private.h"

static const GDebugKey debug_keys[] = {
  { "jobs", GCO_DEBUG_JOBS },
};

guint
gco__debug_get_flags (void)
{
  static gsize initialized;
  static guint flags;

  if (g_once_init_enter (&initialized))
    {
      flags = g_parse_debug_string (g_getenv ("GCO_DEBUG"), debug_keys, G_N_ELEMENTS (debug_keys));
      g_once_init_leave (&initialized, 1);
    }

  return flags;
}

static const char *
state_name (GcoJobState state)
{
  static const char *names[] = {
    "new", "active", "completing", "cancelling", "cancelled", "completed",
  };

  return state < G_N_ELEMENTS (names) ? names[state] : "?";
}

static void
log_action (gpointer a,
            gpointer b)
{
  g_debug ("%s", (const char *) a);
  g_free (a);
}

/* Messages are formatted under the lock and logged after it: a log writer
 * may call back into gco. */
void
gco__debug_queue (char *message)
{
  gco__action_queue (log_action, message, NULL);
}

void
gco__debug_job (GcoJob     *job,
                const char *event)
{
  const GError *error = job->error;

  gco__debug_queue (g_strdup_printf ("job ‘%s’ (%p, parent %p): %s, %s%s%s",
                                     gco_job_get_name (job), (gpointer) job,
                                     (gpointer) job->parent, event, state_name (job->state),
                                     error != NULL ? ": " : "",
                                     error != NULL ? error->message : ""));
}

static void
dump_locked (GString *out,
             GcoJob  *job,
             guint    depth)
{
  g_string_append_printf (out, "%*s%s [%s%s]", (int) depth * 2, "",
                          gco_job_get_name (job), state_name (job->state),
                          (job->traits & GCO_JOB_FLAG_SUPERVISOR) ? ", supervisor" : "");
  if (job->error != NULL)
    g_string_append_printf (out, " %s: %s",
                            (job->flags & GCO_JOB_FLAG_FAILED) ? "failed" : "cancelled",
                            job->error->message);
  if (job->kind == GCO_JOB_KIND_COROUTINE && job->co->fiber != NULL &&
      g_atomic_int_get (&job->co->wake_state) != GCO_WAKE_IDLE &&
      job->co->suspended_in != NULL)
    g_string_append_printf (out, " suspended in %s ()", job->co->suspended_in);
  g_string_append_c (out, '\n');

  for (GcoJob *child = job->first_child; child != NULL; child = child->next_sibling)
    dump_locked (out, child, depth + 1);
}

/**
 * gco_job_dump:
 * @job: a job
 *
 * Describes @job and its live descendants, one per line and indented by
 * depth: name, state, error, and for a suspended coroutine the suspending
 * call it waits in. For diagnostics: the format may change.
 *
 * Returns: (transfer full): the description
 *
 * Since: 0.1
 */
char *
gco_job_dump (GcoJob *job)
{
  GString *out;

  g_return_val_if_fail (job != NULL, NULL);

  out = g_string_new (NULL);
  gco__tree_lock ();
  dump_locked (out, job, 0);
  gco__tree_unlock ();

  return g_string_free (out, FALSE);
}
