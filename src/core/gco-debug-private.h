/* gco-debug-private.h: GCO_DEBUG
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gco-job-private.h"

G_BEGIN_DECLS

typedef enum {
  GCO_DEBUG_JOBS = 1 << 0,  /* GCO_DEBUG=jobs: job life cycles as debug messages */
} GcoDebugFlags;

guint gco__debug_get_flags (void);

/* Logs @message (transfer full) as a debug message once the tree lock is
 * released. Under the tree lock. */
void  gco__debug_queue     (char       *message);

/* Logs an event of @job's life. Under the tree lock. */
void  gco__debug_job       (GcoJob     *job,
                            const char *event);

#define GCO_DEBUG_JOB(job, event)                                        \
  G_STMT_START {                                                         \
    if G_UNLIKELY (gco__debug_get_flags () & GCO_DEBUG_JOBS)             \
      gco__debug_job ((job), (event));                                   \
  } G_STMT_END

G_END_DECLS
