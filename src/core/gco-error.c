/* gco-error.c: the GCO_ERROR domain and the enum types
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "gco-config.h"

#include <gco/gco.h>

/**
 * gco_error_quark:
 *
 * Gets the quark of the %GCO_ERROR domain.
 *
 * Returns: the quark of the %GCO_ERROR domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gco-error-quark, gco_error)

#define DEFINE_ENUM_TYPE(TypeName, type_name, ...)                        \
  GType                                                                   \
  type_name##_get_type (void)                                             \
  {                                                                       \
    static gsize type_id;                                                 \
                                                                          \
    if (g_once_init_enter (&type_id))                                     \
      {                                                                   \
        static const GEnumValue values[] = { __VA_ARGS__, { 0, NULL, NULL } }; \
        g_once_init_leave (&type_id, g_enum_register_static (#TypeName, values)); \
      }                                                                   \
    return type_id;                                                       \
  }

#define VALUE(v, nick) { v, #v, nick }

DEFINE_ENUM_TYPE (GcoError, gco_error,
                  VALUE (GCO_ERROR_FAILED, "failed"),
                  VALUE (GCO_ERROR_NOT_IN_COROUTINE, "not-in-coroutine"),
                  VALUE (GCO_ERROR_NO_STACK, "no-stack"),
                  VALUE (GCO_ERROR_DEADLOCK, "deadlock"))

DEFINE_ENUM_TYPE (GcoJobState, gco_job_state,
                  VALUE (GCO_JOB_STATE_NEW, "new"),
                  VALUE (GCO_JOB_STATE_ACTIVE, "active"),
                  VALUE (GCO_JOB_STATE_COMPLETING, "completing"),
                  VALUE (GCO_JOB_STATE_CANCELLING, "cancelling"),
                  VALUE (GCO_JOB_STATE_CANCELLED, "cancelled"),
                  VALUE (GCO_JOB_STATE_COMPLETED, "completed"))

DEFINE_ENUM_TYPE (GcoStart, gco_start,
                  VALUE (GCO_START_DEFAULT, "default"),
                  VALUE (GCO_START_LAZY, "lazy"),
                  VALUE (GCO_START_UNDISPATCHED, "undispatched"),
                  VALUE (GCO_START_ATOMIC, "atomic"))
