/* gco-demo-confirm.c: a confirmation window — a question, Cancel and a
 * destructive button — that answers with one signal.
 *
 * GTK 4 has no gtk_dialog_run(), and GTK 4.8 no GtkAlertDialog: a window
 * can only tell its answer through a signal. This one has a single
 * "response" signal whose boolean says which button was clicked, so that a
 * coroutine awaits the answer with one gco_signal_await() (see
 * gco-demo-dialog.c). Closing the window is not an answer: it emits
 * GtkWindow::close-request, which the window's owner handles.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gco-demo-confirm.h"

struct _GcoDemoConfirm
{
  GtkWindow  parent_instance;

  GtkLabel  *heading_label;
  GtkLabel  *body_label;
  GtkButton *cancel_button;
  GtkButton *accept_button;
};

G_DEFINE_FINAL_TYPE (GcoDemoConfirm, gco_demo_confirm, GTK_TYPE_WINDOW)

enum {
  RESPONSE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cancel_clicked_cb (GcoDemoConfirm *self)
{
  g_signal_emit (self, signals[RESPONSE], 0, FALSE);
}

static void
accept_clicked_cb (GcoDemoConfirm *self)
{
  g_signal_emit (self, signals[RESPONSE], 0, TRUE);
}

static void
gco_demo_confirm_class_init (GcoDemoConfirmClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * GcoDemoConfirm::response:
   * @self: the window
   * @accepted: %TRUE for the accept button, %FALSE for Cancel
   *
   * Emitted when a button of the window is clicked.
   */
  signals[RESPONSE] = g_signal_new ("response",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/gco/Demo/ui/gco-demo-confirm.ui");
  gtk_widget_class_bind_template_child (widget_class, GcoDemoConfirm, heading_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoConfirm, body_label);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoConfirm, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, GcoDemoConfirm, accept_button);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, accept_clicked_cb);

  /* Escape closes the window, as it does a dialog. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
gco_demo_confirm_init (GcoDemoConfirm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * gco_demo_confirm_new:
 * @parent: (nullable): the window the question is about
 * @heading: the question
 * @body: what answering yes does
 * @accept_label: the label of the destructive button
 *
 * Creates a modal window, transient for @parent. Like any GtkWindow, it is
 * owned by GTK until gtk_window_destroy().
 *
 * Returns: (transfer none): a new window, not shown yet
 */
GcoDemoConfirm *
gco_demo_confirm_new (GtkWindow  *parent,
                      const char *heading,
                      const char *body,
                      const char *accept_label)
{
  GcoDemoConfirm *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (heading != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (accept_label != NULL, NULL);

  self = g_object_new (GCO_DEMO_TYPE_CONFIRM, "transient-for", parent, NULL);
  gtk_label_set_label (self->heading_label, heading);
  gtk_label_set_label (self->body_label, body);
  gtk_button_set_label (self->accept_button, accept_label);

  return self;
}
