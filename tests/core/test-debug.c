/* test-debug.c: GCO_DEBUG and gco_job_dump ()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-test-utils.h"

static gboolean
sleeper_cb (gpointer   user_data,
            GError   **error)
{
  gboolean *entered = user_data;

  *entered = TRUE;
  return gco_delay (60 * 1000, error);
}

static void
test_dump (void)
{
  GcoScope *scope;
  GcoJob *job;
  GcoLaunchOptions options = GCO_LAUNCH_OPTIONS_INIT;
  gboolean entered = FALSE;
  char *dump;

  g_test_summary ("gco_job_dump () lists the live tree with states and where coroutines wait");

  g_test_expect_message ("Gco", G_LOG_LEVEL_DEBUG, "*job ‘job’*created*");
  scope = gco_scope_new (NULL, NULL);
  g_test_assert_expected_messages ();

  options.name = "sleeper";
  g_test_expect_message ("Gco", G_LOG_LEVEL_DEBUG, "*job ‘sleeper’*created*");
  job = gco_launch_full (scope, &options, sleeper_cb, &entered, NULL);
  g_test_assert_expected_messages ();
  gco_test_run_until (NULL, &entered);

  dump = gco_job_dump (gco_scope_get_job (scope));
  g_assert_nonnull (strstr (dump, "job [active]\n"));
  g_assert_nonnull (strstr (dump, "  sleeper [active] suspended in gco_delay ()\n"));
  g_free (dump);

  g_test_expect_message ("Gco", G_LOG_LEVEL_DEBUG, "*job ‘job’*cancelled*");
  g_test_expect_message ("Gco", G_LOG_LEVEL_DEBUG, "*job ‘sleeper’*cancelled*");
  gco_scope_cancel (scope);
  g_test_assert_expected_messages ();

  dump = gco_job_dump (job);
  g_assert_nonnull (strstr (dump, "sleeper [cancelling] cancelled: "));
  g_free (dump);

  g_test_expect_message ("Gco", G_LOG_LEVEL_DEBUG, "*job ‘sleeper’*finished, cancelled*");
  g_test_expect_message ("Gco", G_LOG_LEVEL_DEBUG, "*job ‘job’*finished, cancelled*");
  gco_test_run_until_job (NULL, job);
  gco_test_drain (NULL);
  g_test_assert_expected_messages ();

  gco_test_assert_finalize_job (job);
  gco_scope_unref (scope);
}

static gboolean
anonymous_cb (gpointer   user_data,
              GError   **error)
{
  return TRUE;
}

static void
test_default_name (void)
{
  GcoScope *scope = gco_scope_new (NULL, NULL);
  GcoJob *job;

  g_test_summary ("A job launched without a name is named after its static body function's "
                  "module and offset, which addr2line resolves");

  job = gco_launch_job (scope, anonymous_cb, NULL, NULL);
  g_assert_true (g_pattern_match_simple ("test-debug+0x*", gco_job_get_name (job)));
  gco_test_run_until_job (NULL, job);
  gco_test_drain (NULL);

  gco_test_assert_finalize_job (job);
  gco_scope_cancel (scope);
  gco_test_drain (NULL);
  gco_scope_unref (scope);
}

int
main (int   argc,
      char *argv[])
{
  /* Read once, at the first use of the flags. */
  g_setenv ("GCO_DEBUG", "jobs", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gco/debug/dump", test_dump);
  g_test_add_func ("/gco/debug/default-name", test_default_name);

  return g_test_run ();
}
