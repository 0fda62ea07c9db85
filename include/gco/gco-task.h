/* gco-task.h: coroutines published as GIO async operations (GTask)
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

GCO_AVAILABLE_IN_ALL
void gco_task_run         (GTask          *task,
                           GcoScope       *scope,
                           GcoValueFunc    func,
                           gpointer        user_data,
                           GDestroyNotify  destroy,
                           GDestroyNotify  result_destroy);
GCO_AVAILABLE_IN_ALL
void gco_task_run_boolean (GTask          *task,
                           GcoScope       *scope,
                           GcoFunc         func,
                           gpointer        user_data,
                           GDestroyNotify  destroy);

G_END_DECLS
