/* gco-demo-jobs.c: Live jobs — every job of the application, as a tree.
 *
 * What it shows: that the jobs of a gco application form a tree you can look
 * at. Each scope has a job without a parent, a root: gco_job_list_roots()
 * lists the live roots, gco_job_get_children() the live children of a job.
 * This page walks that tree and lists every job with its name, its state and
 * its kind, indented under its parent. Start a few downloads or the stress
 * test on the other pages, then come here to watch them run and end.
 *
 * The walk repeats four times a second while the page is shown, in a loop
 * launched with gco_widget_launch_while_mapped() (as the Ticker does). Polling
 * is the honest choice here: the core sends no notification when a job
 * starts, changes state or ends, so the page takes a snapshot (the lists hold
 * references, so the jobs stay readable while it looks) and shows it, and
 * nothing is spent on it while the page is hidden. Each refresh replaces only
 * the rows that changed, with g_list_store_splice(), so the list neither
 * flickers nor loses its scroll position.
 *
 * The page leaves out its own refresh job, and the scopes with no job running
 * in them: they are only counted.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gco/gco-gtk.h>

#include "gco-demo-jobs.h"

#define REFRESH_MSEC 250
#define INDENT_PX 24
/* Children listed under one job; the stress test has 100,000. */
#define MAX_CHILD_ROWS 10

/* GcoDemoJobRow: one row of the list, a job and what was read from it. A row
 * never changes: when the job does, a new row replaces it. */

#define GCO_DEMO_TYPE_JOB_ROW (gco_demo_job_row_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoJobRow, gco_demo_job_row, GCO_DEMO, JOB_ROW, GObject)

struct _GcoDemoJobRow
{
  GObject  parent_instance;

  GcoJob  *job;     /* NULL for a "… more" row */
  char    *name;
  char    *state;
  char    *kind;
  int      indent;  /* pixels */
};

G_DEFINE_FINAL_TYPE (GcoDemoJobRow, gco_demo_job_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_JOB,
  ROW_PROP_NAME,
  ROW_PROP_STATE,
  ROW_PROP_KIND,
  ROW_PROP_INDENT,
  ROW_N_PROPS
};

static GParamSpec *row_props[ROW_N_PROPS];

static const char *
state_to_string (GcoJobState state)
{
  switch (state)
    {
    case GCO_JOB_STATE_NEW:
      return "not started";
    case GCO_JOB_STATE_ACTIVE:
      return "active";
    case GCO_JOB_STATE_COMPLETING:
      return "waiting for children";
    case GCO_JOB_STATE_CANCELLING:
      return "cancelling";
    case GCO_JOB_STATE_CANCELLED:
      return "cancelled";
    case GCO_JOB_STATE_COMPLETED:
      return "completed";
    default:
      g_assert_not_reached ();
    }
}

static GcoDemoJobRow *
job_row_new (GcoJob *job,
             guint   depth)
{
  GcoDemoJobRow *row = g_object_new (GCO_DEMO_TYPE_JOB_ROW, NULL);

  row->job = gco_job_ref (job);
  row->name = g_strdup (gco_job_get_name (job));
  row->state = g_strdup (state_to_string (gco_job_get_state (job)));
  row->kind = g_strdup (gco_job_is_supervisor (job) ? "supervisor" : "");
  row->indent = depth * INDENT_PX;

  return row;
}

static GcoDemoJobRow *
job_row_new_more (guint n_more,
                  guint depth)
{
  GcoDemoJobRow *row = g_object_new (GCO_DEMO_TYPE_JOB_ROW, NULL);

  row->name = g_strdup_printf ("… and %'u more", n_more);
  row->state = g_strdup ("");
  row->kind = g_strdup ("");
  row->indent = depth * INDENT_PX;

  return row;
}

static gboolean
job_row_equal (GcoDemoJobRow *a,
               GcoDemoJobRow *b)
{
  return a->job == b->job && a->indent == b->indent &&
         g_str_equal (a->name, b->name) &&
         g_str_equal (a->state, b->state) &&
         g_str_equal (a->kind, b->kind);
}

static void
gco_demo_job_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GcoDemoJobRow *self = GCO_DEMO_JOB_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_JOB:
      g_value_set_boxed (value, self->job);
      break;
    case ROW_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case ROW_PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case ROW_PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case ROW_PROP_INDENT:
      g_value_set_int (value, self->indent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gco_demo_job_row_finalize (GObject *object)
{
  GcoDemoJobRow *self = GCO_DEMO_JOB_ROW (object);

  g_clear_pointer (&self->job, gco_job_unref);
  g_free (self->name);
  g_free (self->state);
  g_free (self->kind);

  G_OBJECT_CLASS (gco_demo_job_row_parent_class)->finalize (object);
}

static void
gco_demo_job_row_class_init (GcoDemoJobRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = gco_demo_job_row_get_property;
  object_class->finalize = gco_demo_job_row_finalize;

  row_props[ROW_PROP_JOB] =
    g_param_spec_boxed ("job", NULL, NULL, GCO_TYPE_JOB,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_props[ROW_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_props[ROW_PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_props[ROW_PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_props[ROW_PROP_INDENT] =
    g_param_spec_int ("indent", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_props);
}

static void
gco_demo_job_row_init (GcoDemoJobRow *self)
{
}

/* GcoDemoJobs: the page */

struct _GcoDemoJobs
{
  GtkBox         parent_instance;

  GtkLabel      *count_label;
  GtkLabel      *idle_label;
  GtkLabel      *empty_label;
  GtkColumnView *jobs_view;
  GListStore    *rows;
};

G_DEFINE_FINAL_TYPE (GcoDemoJobs, gco_demo_jobs, GTK_TYPE_BOX)

/* Adds to @rows (if not NULL) a row for each live child of @job and, below
 * each, its own children, leaving out @skip. Returns how many live jobs there
 * are under @job, listed or not. */
static guint
add_children (GPtrArray *rows,
              GcoJob    *job,
              guint      depth,
              GcoJob    *skip)
{
  g_autoptr (GPtrArray) children = NULL;
  guint n_jobs = 0, n_listed = 0, n_more = 0;

  /* Most jobs have no children: skip taking a snapshot of none. */
  if (gco_job_get_n_children (job) == 0)
    return 0;

  children = gco_job_get_children (job);

  for (guint i = 0; i < children->len; i++)
    {
      GcoJob *child = children->pdata[i];

      /* Ended since the snapshot was taken: no longer live. */
      if (child == skip || gco_job_is_completed (child))
        continue;

      n_jobs++;
      if (rows != NULL && n_listed < MAX_CHILD_ROWS)
        {
          n_listed++;
          g_ptr_array_add (rows, job_row_new (child, depth));
          n_jobs += add_children (rows, child, depth + 1, skip);
        }
      else
        {
          n_more++;
          n_jobs += add_children (NULL, child, depth + 1, skip);
        }
    }

  if (rows != NULL && n_more > 0)
    g_ptr_array_add (rows, job_row_new_more (n_more, depth));

  return n_jobs;
}

static gboolean
row_unchanged (GListModel    *model,
               guint          position,
               GcoDemoJobRow *row)
{
  g_autoptr (GcoDemoJobRow) old = g_list_model_get_item (model, position);

  return job_row_equal (old, row);
}

/* Replaces the rows of @self that differ from @rows: those between the
 * unchanged rows at the start and the unchanged rows at the end. */
static void
update_rows (GcoDemoJobs *self,
             GPtrArray   *rows)
{
  GListModel *model = G_LIST_MODEL (self->rows);
  guint n_old = g_list_model_get_n_items (model);
  guint head = 0, tail = 0, n_removed, n_added;

  while (head < n_old && head < rows->len &&
         row_unchanged (model, head, rows->pdata[head]))
    head++;
  while (tail < n_old - head && tail < rows->len - head &&
         row_unchanged (model, n_old - 1 - tail, rows->pdata[rows->len - 1 - tail]))
    tail++;

  n_removed = n_old - head - tail;
  n_added = rows->len - head - tail;
  if (n_removed > 0 || n_added > 0)
    g_list_store_splice (self->rows, head, n_removed,
                         n_added > 0 ? rows->pdata + head : NULL, n_added);
}

static void
update_labels (GcoDemoJobs *self,
               guint        n_jobs,
               guint        n_scopes,
               guint        n_idle)
{
  g_autofree char *count = NULL;
  g_autofree char *idle = NULL;

  if (n_jobs == 0)
    count = g_strdup ("No live jobs");
  else
    count = g_strdup_printf ("%'u live %s in %u %s",
                             n_jobs, n_jobs == 1 ? "job" : "jobs",
                             n_scopes, n_scopes == 1 ? "scope" : "scopes");
  gtk_label_set_label (self->count_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), n_jobs == 0);

  if (n_idle > 0)
    idle = g_strdup_printf ("%u idle %s not shown",
                            n_idle, n_idle == 1 ? "scope" : "scopes");
  gtk_label_set_label (self->idle_label, idle != NULL ? idle : "");
}

/* Walks the tree of live jobs, newest root first, and shows it. Roots are
 * scopes' jobs, mostly; a root with no live job under it is an idle scope. */
static void
refresh (GcoDemoJobs *self,
         GcoJob      *skip)
{
  g_autoptr (GPtrArray) roots = gco_job_list_roots ();
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_jobs = 0, n_scopes = 0, n_idle = 0;

  for (guint i = 0; i < roots->len; i++)
    {
      GcoJob *root = roots->pdata[i];
      guint position = rows->len;
      guint n = add_children (rows, root, 1, skip);

      if (n == 0)
        {
          n_idle++;
          continue;
        }
      g_ptr_array_insert (rows, position, job_row_new (root, 0));
      n_jobs += n;
      n_scopes++;
    }

  update_rows (self, rows);
  update_labels (self, n_jobs, n_scopes, n_idle);
}

static gboolean
refresh_cb (gpointer   user_data,
            GError   **error)
{
  GcoDemoJobs *self = user_data;  /* no reference: the scope keeps it alive */
  GcoJob *refresh_job = gco_job_get_current ();

  for (;;)
    {
      /* This loop is a job too: leave it out, or the page would always
       * show itself. */
      refresh (self, refresh_job);

      /* Fails when the page is hidden: the loop ends, and the list stays
       * as it was until the page is shown again. */
      if (!gco_delay (REFRESH_MSEC, error))
        return FALSE;
    }
}

static void
gco_demo_jobs_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GCO_DEMO_TYPE_JOBS);

  G_OBJECT_CLASS (gco_demo_jobs_parent_class)->dispose (object);
}

static void
gco_demo_jobs_class_init (GcoDemoJobsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gco_demo_jobs_dispose;

  /* The template and its list item factories name the row type. */
  g_type_ensure (GCO_DEMO_TYPE_JOB_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-jobs.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoJobs, count_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoJobs, idle_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoJobs, empty_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoJobs, jobs_view);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoJobs, rows);
}

static void
gco_demo_jobs_init (GcoDemoJobs *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gco_widget_launch_while_mapped (GTK_WIDGET (self), refresh_cb, self, NULL);
}
