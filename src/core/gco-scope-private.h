/* gco-scope-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "gco-job-private.h"

G_BEGIN_DECLS

struct _GcoScope
{
  gint             ref_count;
  GcoJob          *job;
  GcoDispatcher   *dispatcher;
  GcoHandlerSlot  *slot;
};

/* A scope over an existing job, sharing @slot (the scope of a running
 * coroutine's frame). */
GcoScope *gco__scope_new_for_frame (GcoJob         *job,
                                    GcoDispatcher  *dispatcher,
                                    GcoHandlerSlot *slot);

G_END_DECLS
