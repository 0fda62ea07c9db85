/* gco-types.h: the types every part of gco shares
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include <glib-object.h>

#include "gco-version-macros.h"

G_BEGIN_DECLS

typedef struct _GcoJob        GcoJob;
typedef struct _GcoDeferred   GcoDeferred;
typedef struct _GcoScope      GcoScope;
typedef struct _GcoDispatcher GcoDispatcher;

/**
 * GcoFunc:
 * @user_data: the data given to the builder
 * @error: return location for the failure
 *
 * The body of a coroutine or of a scoped block.
 *
 * Returns: %TRUE on success; %FALSE with @error set on failure or cancellation
 */
typedef gboolean (*GcoFunc) (gpointer   user_data,
                             GError   **error);

/**
 * GcoValueFunc:
 * @user_data: the data given to the builder
 * @error: return location for the failure
 *
 * The body of an `async` coroutine. Returning %NULL without setting @error
 * is a success with a %NULL value.
 *
 * Returns: (nullable) (transfer full): the value, or %NULL
 */
typedef gpointer (*GcoValueFunc) (gpointer   user_data,
                                  GError   **error);

/**
 * GcoJobHandler:
 * @job: the job that completed
 * @error: (nullable): %NULL if @job completed normally, else the
 *   cancellation or the failure
 * @user_data: the data given with the handler
 *
 * A completion handler; see [method@Gco.Job.add_completion_handler].
 */
typedef void (*GcoJobHandler) (GcoJob       *job,
                               const GError *error,
                               gpointer      user_data);

/**
 * GcoExceptionHandler:
 * @job: the top-most failed `launch` job
 * @error: the first failure
 * @user_data: the data given with the handler
 *
 * Receives a failure that nobody else can receive; see
 * [method@Gco.Scope.set_exception_handler].
 */
typedef void (*GcoExceptionHandler) (GcoJob       *job,
                                     const GError *error,
                                     gpointer      user_data);

/**
 * GcoJobState:
 * @GCO_JOB_STATE_NEW: created lazily and not started yet
 * @GCO_JOB_STATE_ACTIVE: started; its body is running or it waits to be completed
 * @GCO_JOB_STATE_COMPLETING: its body is done; it waits for its children
 * @GCO_JOB_STATE_CANCELLING: cancelled or failed; its body and children are unwinding
 * @GCO_JOB_STATE_CANCELLED: final: cancelled or failed
 * @GCO_JOB_STATE_COMPLETED: final: completed normally
 *
 * The states of a job, as in kotlinx.coroutines.
 */
typedef enum {
  GCO_JOB_STATE_NEW,
  GCO_JOB_STATE_ACTIVE,
  GCO_JOB_STATE_COMPLETING,
  GCO_JOB_STATE_CANCELLING,
  GCO_JOB_STATE_CANCELLED,
  GCO_JOB_STATE_COMPLETED,
} GcoJobState;

/**
 * GcoStart:
 * @GCO_START_DEFAULT: schedule the body on the dispatcher; a job cancelled
 *   before its first run never runs
 * @GCO_START_LAZY: start only on [method@Gco.Job.start], join or await
 * @GCO_START_UNDISPATCHED: run the body in place until its first suspension
 *   when the caller is on the dispatcher's thread, even inside a coroutine
 * @GCO_START_ATOMIC: like %GCO_START_DEFAULT, but the body runs once even if
 *   the job was cancelled before it started (it then runs already cancelled)
 *
 * How a builder starts its coroutine.
 */
typedef enum {
  GCO_START_DEFAULT,
  GCO_START_LAZY,
  GCO_START_UNDISPATCHED,
  GCO_START_ATOMIC,
} GcoStart;

GCO_AVAILABLE_IN_ALL
GType gco_job_state_get_type (void) G_GNUC_CONST;
#define GCO_TYPE_JOB_STATE (gco_job_state_get_type ())

GCO_AVAILABLE_IN_ALL
GType gco_start_get_type (void) G_GNUC_CONST;
#define GCO_TYPE_START (gco_start_get_type ())

G_END_DECLS
