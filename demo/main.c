/* main.c: the gco demo — sample widgets that launch click-driven jobs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GcoDemoApplication) application = gco_demo_application_new (G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (application), argc, argv);
}
