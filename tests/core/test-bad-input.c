/* test-bad-input.c (in progress)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gco/gco.h>

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("in progress");
  return g_test_run ();
}
