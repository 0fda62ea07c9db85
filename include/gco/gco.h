/* gco.h: structured concurrency for GLib, the core library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define _GCO_INSIDE

#include "gco-version-macros.h"
#include "gco-types.h"
#include "gco-error.h"
#include "gco-job.h"
#include "gco-deferred.h"
#include "gco-dispatcher.h"
#include "gco-scope.h"
#include "gco-builders.h"
#include "gco-suspend.h"
#include "gco-async-op.h"
#include "gco-thread.h"
#include "gco-cancellable.h"
#include "gco-task.h"
#include "gco-gio-ops.h"

#undef _GCO_INSIDE
