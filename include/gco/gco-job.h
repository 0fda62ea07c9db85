/* gco-job.h: jobs, the nodes of the tree of work
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gco-types.h"

G_BEGIN_DECLS

#define GCO_TYPE_JOB (gco_job_get_type ())

/**
 * GCO_JOB:
 * @job: a [struct@Gco.Job] or a [struct@Gco.Deferred]
 *
 * Casts a deferred (which is a job) to a [struct@Gco.Job].
 */
#define GCO_JOB(job) ((GcoJob *) (job))

GCO_AVAILABLE_IN_ALL
GType         gco_job_get_type                  (void) G_GNUC_CONST;

GCO_AVAILABLE_IN_ALL
GcoJob       *gco_job_new                       (GcoJob        *parent) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GcoJob       *gco_supervisor_job_new            (GcoJob        *parent) G_GNUC_WARN_UNUSED_RESULT;

GCO_AVAILABLE_IN_ALL
GcoJob       *gco_job_ref                       (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
void          gco_job_unref                     (GcoJob        *job);

GCO_AVAILABLE_IN_ALL
GcoJobState   gco_job_get_state                 (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_is_active                 (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_is_completed              (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_is_cancelled              (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_is_supervisor             (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
GcoJob       *gco_job_get_parent                (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
guint         gco_job_get_n_children            (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
GPtrArray    *gco_job_get_children              (GcoJob        *job) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GPtrArray    *gco_job_list_roots                (void) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
const GError *gco_job_get_error                 (GcoJob        *job);

GCO_AVAILABLE_IN_ALL
const char   *gco_job_get_name                  (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
void          gco_job_set_name                  (GcoJob        *job,
                                                 const char    *name);

GCO_AVAILABLE_IN_ALL
gboolean      gco_job_start                     (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
void          gco_job_cancel                    (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
void          gco_job_cancel_children           (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_complete                  (GcoJob        *job);
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_complete_with_error       (GcoJob        *job,
                                                 const GError  *error);

GCO_AVAILABLE_IN_ALL
char         *gco_job_dump                      (GcoJob        *job) G_GNUC_WARN_UNUSED_RESULT;

GCO_AVAILABLE_IN_ALL
GCancellable *gco_job_get_cancellable           (GcoJob        *job);

GCO_AVAILABLE_IN_ALL
guint         gco_job_add_completion_handler    (GcoJob        *job,
                                                 GcoJobHandler  handler,
                                                 gpointer       user_data,
                                                 GDestroyNotify destroy);
GCO_AVAILABLE_IN_ALL
void          gco_job_remove_completion_handler (GcoJob        *job,
                                                 guint          handler_id);

/* Suspending calls: only on a coroutine. */
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_join                      (GcoJob        *job,
                                                 GError       **error);
GCO_AVAILABLE_IN_ALL
gboolean      gco_job_cancel_and_join           (GcoJob        *job,
                                                 GError       **error);
GCO_AVAILABLE_IN_ALL
gboolean      gco_join_all                      (GcoJob       **jobs,
                                                 guint          n_jobs,
                                                 GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GcoJob, gco_job_unref)

G_END_DECLS
