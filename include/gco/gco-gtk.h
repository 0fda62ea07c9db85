/* gco-gtk.h: structured concurrency for GTK 4, the GTK binding
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "gco.h"

#define _GCO_GTK_INSIDE

#include "gco-gtk-activity.h"
#include "gco-gtk-lifecycle.h"
#include "gco-gtk-scope.h"
#include "gco-gtk-signal.h"

#undef _GCO_GTK_INSIDE
