/* gco-demo-jobs.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define GCO_DEMO_TYPE_JOBS (gco_demo_jobs_get_type ())
G_DECLARE_FINAL_TYPE (GcoDemoJobs, gco_demo_jobs, GCO_DEMO, JOBS, GtkBox)

G_END_DECLS
