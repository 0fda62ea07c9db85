/* gco-activity.c: a bindable view of jobs that run
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gco/gco-gtk.h>

/**
 * GcoActivity:
 *
 * Whether some jobs are running, as properties UI code can bind: a spinner
 * spinning, a button insensitive, while they run. Jobs pay nothing for it:
 * only the jobs given to [method@GcoGtk.Activity.track] are followed, through
 * a completion handler.
 *
 * ```c
 * self->activity = gco_activity_new ();
 * g_object_bind_property (self->activity, "active", spinner, "spinning", G_BINDING_SYNC_CREATE);
 * g_object_bind_property (self->activity, "active", button, "sensitive",
 *                         G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
 * …
 * g_autoptr (GcoJob) job = gco_launch_job (gco_widget_get_scope (widget), load_cb, self, NULL);
 * gco_activity_track (self->activity, job);
 * ```
 *
 * The properties change on the thread that made the activity: a job
 * completing on another thread is counted out from an idle source on that
 * thread's thread-default main context.
 *
 * Since: 0.1
 */

struct _GcoActivity
{
  GObject       parent_instance;
  GMainContext *context;  /* the creating thread's thread-default context */
  GThread      *thread;   /* the creating thread: compared only */
  guint         n_jobs;
};

G_DEFINE_FINAL_TYPE (GcoActivity, gco_activity, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ACTIVE,
  PROP_N_JOBS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
gco_activity_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GcoActivity *self = GCO_ACTIVITY (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->n_jobs > 0);
      break;
    case PROP_N_JOBS:
      g_value_set_uint (value, self->n_jobs);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gco_activity_finalize (GObject *object)
{
  GcoActivity *self = GCO_ACTIVITY (object);

  g_main_context_unref (self->context);

  G_OBJECT_CLASS (gco_activity_parent_class)->finalize (object);
}

static void
gco_activity_class_init (GcoActivityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = gco_activity_get_property;
  object_class->finalize = gco_activity_finalize;

  /**
   * GcoActivity:active:
   *
   * Whether a tracked job has not completed yet.
   *
   * Since: 0.1
   */
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GcoActivity:n-jobs:
   *
   * How many tracked jobs have not completed yet.
   *
   * Since: 0.1
   */
  properties[PROP_N_JOBS] =
    g_param_spec_uint ("n-jobs", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gco_activity_init (GcoActivity *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_self ();
}

/**
 * gco_activity_new:
 *
 * Creates an activity with no job: not active.
 *
 * Returns: (transfer full): a new activity
 *
 * Since: 0.1
 */
GcoActivity *
gco_activity_new (void)
{
  return g_object_new (GCO_TYPE_ACTIVITY, NULL);
}

static void
add_jobs (GcoActivity *self,
          gint         delta)
{
  gboolean was_active = self->n_jobs > 0;

  self->n_jobs += delta;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_JOBS]);
  if (was_active != (self->n_jobs > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static gboolean
job_done_idle_cb (gpointer user_data)
{
  add_jobs (user_data, -1);
  return G_SOURCE_REMOVE;
}

static void
job_done_cb (GcoJob       *job,
             const GError *error,
             gpointer      user_data)
{
  GcoActivity *self = user_data;
  GSource *source;

  if (g_thread_self () == self->thread)
    {
      add_jobs (self, -1);
      return;
    }

  /* Another thread: the change happens on the activity's context, never
   * inline here (g_main_context_invoke () would run it on this thread when it
   * can acquire the context). */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, job_done_idle_cb, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/**
 * gco_activity_track:
 * @self: an activity
 * @job: a job
 *
 * Counts @job in @self until it completes. A job already completed changes
 * nothing. Call it on the thread that made @self.
 *
 * Since: 0.1
 */
void
gco_activity_track (GcoActivity *self,
                    GcoJob      *job)
{
  g_return_if_fail (GCO_IS_ACTIVITY (self));
  g_return_if_fail (job != NULL);

  if (gco_job_is_completed (job))
    return;

  add_jobs (self, +1);
  gco_job_add_completion_handler (job, job_done_cb, g_object_ref (self), g_object_unref);
}

/**
 * gco_activity_get_active:
 * @self: an activity
 *
 * Gets whether a tracked job has not completed yet.
 *
 * Returns: %TRUE while a tracked job runs
 *
 * Since: 0.1
 */
gboolean
gco_activity_get_active (GcoActivity *self)
{
  g_return_val_if_fail (GCO_IS_ACTIVITY (self), FALSE);

  return self->n_jobs > 0;
}

/**
 * gco_activity_get_n_jobs:
 * @self: an activity
 *
 * Gets how many tracked jobs have not completed yet.
 *
 * Returns: the number of running tracked jobs
 *
 * Since: 0.1
 */
guint
gco_activity_get_n_jobs (GcoActivity *self)
{
  g_return_val_if_fail (GCO_IS_ACTIVITY (self), 0);

  return self->n_jobs;
}
