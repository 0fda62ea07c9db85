/* drive-download.c: download cards start, cancel, fail, finish, restart and
 * run at once; closing a card mid-run cancels its job and frees the card
 * while the others go on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "demo-test.h"

static GcoJob *
get_scope_job (gpointer card)
{
  return gco_scope_get_job (gco_widget_get_scope (card));
}

static double
get_fraction (gpointer card)
{
  return gtk_progress_bar_get_fraction (demo_get_child (card, "progress_bar"));
}

static const char *
get_status (gpointer card)
{
  return gtk_label_get_text (demo_get_child (card, "status_label"));
}

static gboolean
has_progress (gpointer card)
{
  return get_fraction (card) > 0.0;
}

static gboolean
is_idle (gpointer card)
{
  return gco_job_get_n_children (get_scope_job (card)) == 0;
}

static gboolean
is_set (gpointer flag)
{
  return *(gboolean *) flag;
}

/* A closed card's bar must not move any more: its download was cancelled. */
static void
closed_bar_moved_cb (GtkWidget  *bar,
                     GParamSpec *pspec,
                     gpointer    flag)
{
  if (gtk_widget_get_root (bar) == NULL)
    *(gboolean *) flag = TRUE;
}

static guint
count_cards (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;

  return n;
}

static gboolean
has_three_cards (gpointer list)
{
  return count_cards (list) == 3;
}

/* The card at @index, newest first. */
static GtkWidget *
get_card (GtkWidget *list,
          guint      index)
{
  GtkWidget *card = gtk_widget_get_first_child (list);

  for (guint i = 0; i < index && card != NULL; i++)
    card = gtk_widget_get_next_sibling (card);
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (card, GCO_DEMO_TYPE_DOWNLOAD_CARD));

  return card;
}

static void
assert_idle_buttons (gpointer card)
{
  g_assert_true (gtk_widget_get_sensitive (demo_get_child (card, "start_button")));
  g_assert_false (gtk_widget_get_sensitive (demo_get_child (card, "cancel_button")));
}

static void
assert_ready (gpointer    card,
              const char *name)
{
  g_assert_cmpstr (gtk_label_get_text (demo_get_child (card, "name_label")), ==, name);
  g_assert_cmpstr (get_status (card), ==, "Ready");
  g_assert_cmpfloat (get_fraction (card), ==, 0.0);
  assert_idle_buttons (card);
  g_assert_true (is_idle (card));
}

/* Clicks Start and waits until the download runs: then the card has one
 * job, named after it, and the buttons say so. (A button's activation emits
 * ::clicked a moment later, as a key press would.) */
static gboolean
start (gpointer     card,
       const char  *job_name,
       GError     **error)
{
  g_autoptr (GPtrArray) jobs = NULL;

  demo_click (demo_get_child (card, "start_button"));
  if (!demo_wait_label_prefix (demo_get_child (card, "status_label"), "Downloading… ", error))
    return FALSE;

  jobs = gco_job_get_children (get_scope_job (card));
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpstr (gco_job_get_name (jobs->pdata[0]), ==, job_name);
  g_assert_true (gco_job_is_active (jobs->pdata[0]));
  g_assert_false (gtk_widget_get_sensitive (demo_get_child (card, "start_button")));
  g_assert_true (gtk_widget_get_sensitive (demo_get_child (card, "cancel_button")));
  g_assert_false (gtk_widget_has_css_class (demo_get_child (card, "status_label"), "status-done"));
  g_assert_false (gtk_widget_has_css_class (demo_get_child (card, "status_label"), "status-cancelled"));
  g_assert_false (gtk_widget_has_css_class (demo_get_child (card, "status_label"), "status-failed"));
  return TRUE;
}

static gboolean
wait_done (gpointer   card,
           GError   **error)
{
  if (!demo_wait_label (demo_get_child (card, "status_label"), "Done", error))
    return FALSE;
  if (!demo_wait_until (is_idle, card, "a finished download's job to end", error))
    return FALSE;

  g_assert_cmpfloat (get_fraction (card), ==, 1.0);
  g_assert_true (gtk_widget_has_css_class (demo_get_child (card, "status_label"), "status-done"));
  assert_idle_buttons (card);
  return TRUE;
}

gboolean
demo_drive_download (GcoDemoWindow  *window,
                     GtkWidget      *page,
                     GError        **error)
{
  GtkWidget *list = demo_get_child (page, "card_list");
  GtkWidget *one, *two, *three, *four;
  g_autoptr (GcoJob) three_job = NULL;
  gboolean three_finalized = FALSE;
  gboolean three_moved = FALSE;
  double stopped_at;
  guint n_live;

  /* Three cards to begin with, ready, newest first. */
  g_assert_cmpuint (count_cards (list), ==, 3);
  three = get_card (list, 0);
  two = get_card (list, 1);
  one = get_card (list, 2);
  assert_ready (one, "Download 1");
  assert_ready (two, "Download 2");
  assert_ready (three, "Download 3");

  /* Cancel: the status says so, the job ends, the bar stays where it
   * stopped. */
  if (!start (one, "download 1", error))
    return FALSE;
  if (!demo_wait_until (has_progress, one, "download 1 to make progress", error))
    return FALSE;
  demo_click (demo_get_child (one, "cancel_button"));
  if (!demo_wait_label (demo_get_child (one, "status_label"), "Cancelled", error))
    return FALSE;
  g_assert_true (gtk_widget_has_css_class (demo_get_child (one, "status_label"), "status-cancelled"));
  assert_idle_buttons (one);
  stopped_at = get_fraction (one);
  g_assert_cmpfloat (stopped_at, <, 1.0);
  if (!demo_wait_until (is_idle, one, "download 1's job to end when cancelled", error))
    return FALSE;
  g_assert_cmpfloat (get_fraction (one), ==, stopped_at);
  g_assert_cmpstr (get_status (one), ==, "Cancelled");

  /* Three at once: 1 again (restarted after Cancelled), 2 set to fail at
   * 60 %, and 3. */
  gtk_check_button_set_active (demo_get_child (two, "fail_check"), TRUE);
  if (!start (one, "download 1", error) ||
      !start (two, "download 2", error) ||
      !start (three, "download 3", error))
    return FALSE;
  g_assert_false (is_idle (one));
  g_assert_false (is_idle (two));

  /* Close 3 mid-run: the card is removed and destroyed, its job is
   * cancelled and ends, and the card is finalized once the job unwound. */
  if (!demo_wait_until (has_progress, three, "download 3 to make progress", error))
    return FALSE;
  {
    g_autoptr (GPtrArray) jobs = gco_job_get_children (get_scope_job (three));

    three_job = gco_job_ref (jobs->pdata[0]);
  }
  gco_test_watch_finalize (three, &three_finalized);
  g_signal_connect (demo_get_child (three, "progress_bar"), "notify::fraction",
                    G_CALLBACK (closed_bar_moved_cb), &three_moved);
  n_live = demo_count_live_jobs ();
  demo_click (demo_get_child (three, "close_button"));
  three = NULL;  /* about to go: only the flag may be looked at */
  if (!demo_wait_until (is_set, &three_finalized, "closed card 3 to be finalized", error))
    return FALSE;
  g_assert_cmpuint (count_cards (list), ==, 2);
  g_assert_true (gco_job_is_completed (three_job));
  g_assert_true (gco_job_is_cancelled (three_job));
  g_assert_cmpuint (demo_count_live_jobs (), <, n_live);
  g_assert_false (three_moved);

  /* The others went on: 2 fails at 60 %, shown on the card; 1 finishes. */
  if (!demo_wait_label_prefix (demo_get_child (two, "status_label"), "Failed: ", error))
    return FALSE;
  g_assert_cmpstr (get_status (two), ==, "Failed: Connection lost at 60 %");
  g_assert_true (gtk_widget_has_css_class (demo_get_child (two, "status_label"), "status-failed"));
  g_assert_cmpfloat_with_epsilon (get_fraction (two), 0.6, 1e-9);
  if (!demo_wait_until (is_idle, two, "failed download 2's job to end", error))
    return FALSE;
  assert_idle_buttons (two);
  if (!wait_done (one, error))
    return FALSE;

  /* Add a card, then run it with 1 restarted after Done and 2 after
   * Failed: all three finish. */
  demo_click (demo_get_child (page, "add_button"));
  if (!demo_wait_until (has_three_cards, list, "a card to be added", error))
    return FALSE;
  four = get_card (list, 0);
  assert_ready (four, "Download 4");
  gtk_check_button_set_active (demo_get_child (two, "fail_check"), FALSE);
  if (!start (one, "download 1", error) ||
      !start (two, "download 2", error) ||
      !start (four, "download 4", error))
    return FALSE;

  return wait_done (one, error) && wait_done (two, error) && wait_done (four, error);
}
