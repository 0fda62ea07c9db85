/* demo-test.h: the demo's smoke test (test-demo.c) and its drivers
 *
 * test-demo.c runs the demo application once per sample, shows the sample's
 * page and launches that sample's driver in the application's scope. A driver
 * drives its page the way a person would — activating buttons, typing,
 * flipping switches — waits for each outcome and checks it with g_assert_*();
 * it returns FALSE with @error only when one of its own suspending calls
 * fails (a wait that never came true, for instance). Then the test checks that
 * the page's jobs are gone, quits and checks that everything was finalized.
 *
 * Drivers never sleep for a fixed time: they wait for conditions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gco/gco-gtk.h>

#include "gco-demo-samples.h"
#include "gco-test-utils.h"
#include "gco-demo-window.h"

G_BEGIN_DECLS

typedef gboolean (*DemoDriveFunc) (GcoDemoWindow  *window,
                                   GtkWidget      *page,
                                   GError        **error);

/* One per sample, in drive-NAME.c. */
gboolean demo_drive_download (GcoDemoWindow *window, GtkWidget *page, GError **error);
gboolean demo_drive_search   (GcoDemoWindow *window, GtkWidget *page, GError **error);
gboolean demo_drive_parallel (GcoDemoWindow *window, GtkWidget *page, GError **error);
gboolean demo_drive_dialog   (GcoDemoWindow *window, GtkWidget *page, GError **error);
gboolean demo_drive_ticker   (GcoDemoWindow *window, GtkWidget *page, GError **error);
gboolean demo_drive_stress   (GcoDemoWindow *window, GtkWidget *page, GError **error);
gboolean demo_drive_jobs     (GcoDemoWindow *window, GtkWidget *page, GError **error);

typedef gboolean (*DemoCondition) (gpointer data);

/* The template child @id of @widget (whose type declared the template);
 * asserts that there is one. */
gpointer demo_get_child     (gpointer      widget,
                             const char   *id);
/* The first descendant of @widget (depth first) of @type, or NULL. */
gpointer demo_find_child    (gpointer      widget,
                             GType         type);
/* Clicks @widget: a GtkButton (and its subclasses) emits ::clicked at once,
 * anything else is activated as Enter would (gtk_widget_activate()). Asserts
 * it is sensitive and visible. */
void     demo_click         (gpointer      widget);
/* Waits, polling every few milliseconds, until @condition returns TRUE.
 * Fails with G_IO_ERROR_TIMED_OUT, naming @what, if it is still FALSE after
 * 60 seconds (a hang, not a timing check). */
gboolean demo_wait_until    (DemoCondition condition,
                             gpointer      data,
                             const char   *what,
                             GError      **error);
/* Waits until the text of the GtkLabel @label equals @text. */
gboolean demo_wait_label    (gpointer      label,
                             const char   *text,
                             GError      **error);
/* Waits until the text of @label starts with @prefix. */
gboolean demo_wait_label_prefix (gpointer    label,
                                 const char *prefix,
                                 GError    **error);
/* Waits until @widget is mapped (on screen). */
gboolean demo_wait_mapped   (gpointer      widget,
                             GError      **error);
/* Number of live jobs in the process that are not roots (coroutines, and
 * jobs with a parent): every job under every scope, the scopes' own jobs not
 * counted. Called from a coroutine, that coroutine and its ancestors are not
 * counted either. */
guint    demo_count_live_jobs (void);

G_END_DECLS
