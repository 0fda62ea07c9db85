/* gco-gtk-signal.h: suspending until an object emits a signal
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_GTK_INSIDE) && !defined(GCO_GTK_COMPILATION)
#error "Only <gco/gco-gtk.h> can be included directly."
#endif

#include <gtk/gtk.h>

#include "gco.h"

G_BEGIN_DECLS

/* Suspending call: only on a coroutine. */
GCO_AVAILABLE_IN_ALL
gboolean  gco_signal_await              (gpointer         instance,
                                         const char      *detailed_signal,
                                         guint            timeout_msec,
                                         GPtrArray      **args_out,
                                         GError         **error);

G_END_DECLS
