/* test-signals.c: awaiting signals, and launches replacing the previous one
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gco/gco-gtk.h>

#include "gco-test-utils.h"

#include <string.h>

#define FOREVER_MSEC (60 * 60 * 1000)

static gboolean have_display;

/* ---- a tiny emitter: "changed" (detailed) carries an int and a string and
 * returns a boolean ---- */

#define TEST_TYPE_EMITTER (test_emitter_get_type ())
G_DECLARE_FINAL_TYPE (TestEmitter, test_emitter, TEST, EMITTER, GObject)

struct _TestEmitter
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (TestEmitter, test_emitter, G_TYPE_OBJECT)

static guint changed_signal;

static void
test_emitter_class_init (TestEmitterClass *klass)
{
  changed_signal = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                 0, NULL, NULL, NULL,
                                 G_TYPE_BOOLEAN, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
test_emitter_init (TestEmitter *self)
{
}

/* ---- helpers ---- */

static gboolean
skip_without_display (void)
{
  if (!have_display)
    g_test_skip ("no display: gtk_init_check () failed");
  return !have_display;
}

typedef struct
{
  gpointer     instance;   /* no reference */
  const char  *signal;
  guint        timeout_msec;
  gboolean     done;
  gboolean     ok;
  GError      *error;
  GPtrArray   *args;
} AwaitFixture;

static gboolean
await_cb (gpointer user_data,
          GError **error)
{
  AwaitFixture *f = user_data;

  f->ok = gco_signal_await (f->instance, f->signal, f->timeout_msec, &f->args, &f->error);
  f->done = TRUE;
  return TRUE;
}

/* Launches the await and steps the main loop until it is suspended. */
static GcoJob *
start_await (GcoScope     *scope,
             AwaitFixture *f)
{
  GcoJob *job = gco_launch_job (scope, await_cb, f, NULL);

  gco_test_drain (NULL);
  g_assert_false (f->done);
  return job;
}

static gboolean
has_handler (gpointer    instance,
             const char *detailed_signal)
{
  guint id;
  GQuark detail;

  g_assert_true (g_signal_parse_name (detailed_signal, G_OBJECT_TYPE (instance), &id, &detail, TRUE));
  return g_signal_has_handler_pending (instance, id, detail, FALSE);
}

static void
fixture_clear (AwaitFixture *f)
{
  g_clear_error (&f->error);
  g_clear_pointer (&f->args, g_ptr_array_unref);
}

/* ---- emitted ---- */

static gboolean
emit_clicked_cb (gpointer user_data)
{
  g_signal_emit_by_name (user_data, "clicked");
  return G_SOURCE_REMOVE;
}

static void
test_clicked (void)
{
  g_autoptr (GcoScope) scope = NULL;
  AwaitFixture f = { 0 };
  GtkWidget *button;
  GcoJob *job;

  if (skip_without_display ())
    return;

  g_test_summary ("Awaiting a button's \"clicked\", emitted later from an idle: the await "
                  "returns with no arguments and the handler is gone");

  scope = gco_main_scope_new ();
  button = g_object_ref_sink (gtk_button_new_with_label ("OK"));
  f.instance = button;
  f.signal = "clicked";
  job = start_await (scope, &f);
  g_assert_true (has_handler (button, "clicked"));

  g_idle_add (emit_clicked_cb, button);
  gco_test_run_until (NULL, &f.done);

  g_assert_no_error (f.error);
  g_assert_true (f.ok);
  g_assert_nonnull (f.args);
  g_assert_cmpuint (f.args->len, ==, 0);
  g_assert_false (has_handler (button, "clicked"));

  gco_test_run_until_job (NULL, job);
  gco_test_assert_finalize_job (job);
  fixture_clear (&f);
  g_assert_finalize_object (button);
}

static void
test_arguments (void)
{
  g_autoptr (GcoScope) scope = NULL;
  AwaitFixture f = { 0 };
  TestEmitter *emitter;
  gboolean handled = TRUE;
  GcoJob *job;

  if (skip_without_display ())
    return;

  g_test_summary ("Awaiting a detailed signal with arguments: another detail does not count, "
                  "the arguments are copied, the return value is FALSE, and later emissions "
                  "find no handler");

  scope = gco_main_scope_new ();
  emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  f.instance = emitter;
  f.signal = "changed::foo";
  job = start_await (scope, &f);

  g_signal_emit (emitter, changed_signal, g_quark_from_string ("bar"), 1, "other", &handled);
  gco_test_drain (NULL);
  g_assert_false (f.done);

  handled = TRUE;
  g_signal_emit (emitter, changed_signal, g_quark_from_string ("foo"), 42, "hello", &handled);
  g_assert_false (handled);
  g_assert_false (has_handler (emitter, "changed::foo"));
  /* A second emission before the coroutine resumed does not count. */
  g_signal_emit (emitter, changed_signal, g_quark_from_string ("foo"), 7, "late", &handled);

  gco_test_run_until (NULL, &f.done);
  g_assert_no_error (f.error);
  g_assert_true (f.ok);
  g_assert_cmpuint (f.args->len, ==, 2);
  g_assert_cmpint (g_value_get_int (g_ptr_array_index (f.args, 0)), ==, 42);
  g_assert_cmpstr (g_value_get_string (g_ptr_array_index (f.args, 1)), ==, "hello");

  gco_test_run_until_job (NULL, job);
  gco_test_assert_finalize_job (job);
  fixture_clear (&f);
  g_assert_finalize_object (emitter);
}

/* ---- timeout, cancellation, the instance gone ---- */

static void
test_timeout (void)
{
  g_autoptr (GcoScope) scope = NULL;
  AwaitFixture f = { 0 };
  TestEmitter *emitter;
  GcoJob *job;

  if (skip_without_display ())
    return;

  g_test_summary ("An await with a time limit and no emission returns G_IO_ERROR_TIMED_OUT "
                  "and disconnects its handler");

  scope = gco_main_scope_new ();
  emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  f.instance = emitter;
  f.signal = "changed";
  f.timeout_msec = 10;
  job = start_await (scope, &f);
  g_assert_true (has_handler (emitter, "changed"));

  gco_test_run_until (NULL, &f.done);
  g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_false (f.ok);
  g_assert_null (f.args);
  g_assert_false (has_handler (emitter, "changed"));

  gco_test_run_until_job (NULL, job);
  gco_test_assert_finalize_job (job);
  fixture_clear (&f);
  g_assert_finalize_object (emitter);
}

static gboolean
await_cancelled_cb (gpointer user_data,
                    GError **error)
{
  AwaitFixture *f = user_data;

  gco_job_cancel (gco_job_get_current ());
  f->ok = gco_signal_await (f->instance, f->signal, 0, NULL, &f->error);
  /* Nothing was connected, not even for a moment. */
  g_assert_false (has_handler (f->instance, f->signal));
  f->done = TRUE;
  return TRUE;
}

static void
test_cancel (void)
{
  g_autoptr (GcoScope) scope = NULL;
  AwaitFixture f = { 0 };
  GtkWidget *button;
  GcoJob *job;

  if (skip_without_display ())
    return;

  g_test_summary ("Cancelling the awaiting coroutine returns G_IO_ERROR_CANCELLED (also with "
                  "a time limit pending) and disconnects its handler");

  scope = gco_main_scope_new ();
  button = g_object_ref_sink (gtk_button_new ());
  f.instance = button;
  f.signal = "clicked";
  f.timeout_msec = FOREVER_MSEC;
  job = start_await (scope, &f);

  gco_job_cancel (job);
  gco_test_run_until (NULL, &f.done);
  g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (f.ok);
  g_assert_false (has_handler (button, "clicked"));

  gco_test_run_until_job (NULL, job);
  gco_test_assert_finalize_job (job);
  fixture_clear (&f);

  /* Cancelled already: returns at once, nothing connected. */
  memset (&f, 0, sizeof f);
  f.instance = button;
  f.signal = "clicked";
  job = gco_launch_job (scope, await_cancelled_cb, &f, NULL);
  gco_test_run_until (NULL, &f.done);
  g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gco_test_run_until_job (NULL, job);
  gco_test_assert_finalize_job (job);
  fixture_clear (&f);
  g_assert_finalize_object (button);
}

static void
test_instance_finalized (void)
{
  g_autoptr (GcoScope) scope = NULL;
  AwaitFixture f = { 0 };
  TestEmitter *emitter;
  gboolean finalized;
  GcoJob *job;

  if (skip_without_display ())
    return;

  g_test_summary ("The awaited object finalized meanwhile: the await returns GCO_ERROR_FAILED, "
                  "without a crash or a reference keeping the object alive");

  scope = gco_main_scope_new ();
  emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  gco_test_watch_finalize (emitter, &finalized);
  f.instance = emitter;
  f.signal = "changed";
  f.timeout_msec = FOREVER_MSEC;
  job = start_await (scope, &f);

  g_object_unref (emitter);
  g_assert_true (finalized);

  gco_test_run_until (NULL, &f.done);
  g_assert_error (f.error, GCO_ERROR, GCO_ERROR_FAILED);
  g_assert_false (f.ok);
  g_assert_null (f.args);

  gco_test_run_until_job (NULL, job);
  gco_test_assert_finalize_job (job);
  fixture_clear (&f);
}

/* ---- bad input ---- */

static void
test_bad_input (void)
{
  if (skip_without_display ())
    return;

  g_test_summary ("A NULL instance or an unknown signal is a critical");

  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;

      gco_signal_await (NULL, "clicked", 0, NULL, &error);
      return;
    }
  g_test_trap_subprocess ("/GcoGtk/Signal/bad-input/subprocess/null", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*G_IS_OBJECT*");

  g_test_trap_subprocess ("/GcoGtk/Signal/bad-input/subprocess/unknown", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*has no signal*nope*");
}

static void
bad_input_null (void)
{
  if (!have_display)
    return;
  g_assert_false (gco_signal_await (NULL, "clicked", 0, NULL, NULL));
}

static void
bad_input_unknown (void)
{
  g_autoptr (GtkWidget) button = NULL;
  g_autoptr (GError) error = NULL;

  if (!have_display)
    return;
  button = g_object_ref_sink (gtk_button_new ());
  g_assert_false (gco_signal_await (button, "nope", 0, NULL, &error));
}

/* ---- replacing launches ---- */

typedef struct
{
  GcoJob   *first;          /* the job the second replaces */
  gboolean  first_cancelled_at_second_start;
  guint     started;
  guint     cancelled;
} ReplaceFixture;

static gboolean
replaced_cb (gpointer user_data,
             GError **error)
{
  ReplaceFixture *f = user_data;

  f->started++;
  if (f->first != NULL)
    f->first_cancelled_at_second_start = gco_job_is_cancelled (f->first);
  if (gco_delay (FOREVER_MSEC, error))
    return TRUE;
  f->cancelled++;
  return FALSE;
}

static void
test_replacing (void)
{
  ReplaceFixture f = { 0 };
  GtkWidget *label;
  gboolean finalized;
  GcoJob *first, *second, *other;

  if (skip_without_display ())
    return;

  g_test_summary ("A launch replacing the job of the same key cancels it before launching; "
                  "another key is left alone; destroying the widget cancels the rest");

  label = g_object_ref_sink (gtk_label_new ("x"));
  gco_test_watch_finalize (label, &finalized);

  first = gco_widget_launch_replacing (label, "search", replaced_cb, &f, NULL);
  other = gco_widget_launch_replacing (label, "other", replaced_cb, &f, NULL);
  gco_test_drain (NULL);
  g_assert_cmpuint (f.started, ==, 2);

  f.first = first;
  second = gco_widget_launch_replacing (label, "search", replaced_cb, &f, NULL);
  g_assert_true (second != first);
  g_assert_true (gco_job_is_cancelled (first));
  g_assert_false (gco_job_is_cancelled (other));
  gco_test_run_until_job (NULL, first);
  gco_test_drain (NULL);
  g_assert_cmpuint (f.started, ==, 3);
  g_assert_true (f.first_cancelled_at_second_start);
  g_assert_cmpuint (f.cancelled, ==, 1);
  g_assert_false (gco_job_is_completed (second));
  g_assert_false (gco_job_is_completed (other));
  f.first = NULL;

  g_object_unref (label);
  gco_test_run_until (NULL, &finalized);
  g_assert_cmpuint (f.cancelled, ==, 3);

  gco_test_assert_finalize_job (first);
  gco_test_assert_finalize_job (second);
  gco_test_assert_finalize_job (other);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/GcoGtk/Signal/clicked", test_clicked);
  g_test_add_func ("/GcoGtk/Signal/arguments", test_arguments);
  g_test_add_func ("/GcoGtk/Signal/timeout", test_timeout);
  g_test_add_func ("/GcoGtk/Signal/cancel", test_cancel);
  g_test_add_func ("/GcoGtk/Signal/instance-finalized", test_instance_finalized);
  g_test_add_func ("/GcoGtk/Signal/bad-input", test_bad_input);
  g_test_add_func ("/GcoGtk/Signal/bad-input/subprocess/null", bad_input_null);
  g_test_add_func ("/GcoGtk/Signal/bad-input/subprocess/unknown", bad_input_unknown);
  g_test_add_func ("/GcoGtk/Replacing/cancels-previous", test_replacing);

  return g_test_run ();
}
