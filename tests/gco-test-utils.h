/* gco-test-utils.h: helpers shared by the test programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gco/gco.h>

G_BEGIN_DECLS

/* Iterates @context (NULL = the default one) until *@flag is TRUE. Fails the
 * test after a hard timeout (30 s), so a hang is a failure, not a stuck run. */
void     gco_test_run_until        (GMainContext   *context,
                                    const gboolean *flag);

/* Iterates @context until @job completed; same hard timeout. */
void     gco_test_run_until_job    (GMainContext   *context,
                                    GcoJob         *job);

/* Iterates @context without blocking until nothing is ready. */
void     gco_test_drain            (GMainContext   *context);

/* Sets *@finalized to FALSE, then to TRUE when @object (a GObject) is
 * finalized: object data, released at finalization — not a weak reference,
 * notified at the first dispose, which a scope's keep-alive follows. Several
 * flags may watch one object. */
void     gco_test_watch_finalize   (gpointer        object,
                                    gboolean       *finalized);

/* Iterates @context for at least @msec milliseconds. */
void     gco_test_run_for          (GMainContext   *context,
                                    guint           msec);

/* Unrefs *@job_ptr and asserts that this was the last reference: the job is
 * finalized. The job must be completed. */
void     gco_test_assert_finalize_job (GcoJob      *job);

/* A main context iterated by a thread of its own, with a dispatcher on it. */
typedef struct
{
  GThread       *thread;
  GMainContext  *context;
  GMainLoop     *loop;
  GcoDispatcher *dispatcher;
} GcoTestWorker;

void           gco_test_worker_start (GcoTestWorker *worker,
                                      gboolean       immediate);
/* Stops the worker after what it is dispatching now (a quit sent from inside
 * its loop, so it cannot be lost before the loop runs) and joins it. */
void           gco_test_worker_stop  (GcoTestWorker *worker);
GcoTestWorker *gco_test_worker_new   (gboolean       immediate);
void           gco_test_worker_free  (GcoTestWorker *worker);

G_END_DECLS
