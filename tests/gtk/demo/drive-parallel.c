/* drive-parallel.c: PLACEHOLDER — to be written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "demo-test.h"

gboolean
demo_drive_parallel (GcoDemoWindow  *window,
               GtkWidget      *page,
               GError        **error)
{
  g_test_skip ("driver not written yet");
  return TRUE;
}
