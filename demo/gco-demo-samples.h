/* gco-demo-samples.h: the sample widgets, one per page of the demo
 *
 * Each sample is a final GtkWidget subclass with a template in
 * data/ui/gco-demo-NAME.ui; its .c file starts with what it shows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gco-demo-download.h"
#include "gco-demo-download-card.h"
#include "gco-demo-search.h"
#include "gco-demo-parallel.h"
#include "gco-demo-dialog.h"
#include "gco-demo-confirm.h"
#include "gco-demo-ticker.h"
#include "gco-demo-stress.h"
#include "gco-demo-jobs.h"
