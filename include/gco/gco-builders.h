/* gco-builders.h: launching coroutines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include "gco-deferred.h"
#include "gco-job.h"

G_BEGIN_DECLS

/**
 * GcoLaunchOptions:
 * @name: (nullable): the job's name; %NULL names it after its body function
 * @start: how the coroutine starts
 * @dispatcher: (nullable): a dispatcher to use instead of the scope's
 * @stack_size: the size of the coroutine's stack in bytes; 0 for the default
 *   (256 KiB, or `GCO_STACK_SIZE` from the environment)
 *
 * Options of [func@Gco.launch_full] and [func@Gco.async_full]. Initialize
 * with %GCO_LAUNCH_OPTIONS_INIT and set only what differs.
 */
typedef struct {
  const char    *name;
  GcoStart       start;
  GcoDispatcher *dispatcher;
  gsize          stack_size;

  /*< private >*/
  gpointer       _reserved[4];
} GcoLaunchOptions;

/**
 * GCO_LAUNCH_OPTIONS_INIT:
 *
 * The default [struct@Gco.LaunchOptions].
 */
#define GCO_LAUNCH_OPTIONS_INIT { NULL, GCO_START_DEFAULT, NULL, 0, { NULL, } }

GCO_AVAILABLE_IN_ALL
void         gco_launch      (GcoScope               *scope,
                              GcoFunc                 func,
                              gpointer                user_data,
                              GDestroyNotify          destroy);
GCO_AVAILABLE_IN_ALL
GcoJob      *gco_launch_job  (GcoScope               *scope,
                              GcoFunc                 func,
                              gpointer                user_data,
                              GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GcoJob      *gco_launch_full (GcoScope               *scope,
                              const GcoLaunchOptions *options,
                              GcoFunc                 func,
                              gpointer                user_data,
                              GDestroyNotify          destroy) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GcoDeferred *gco_async       (GcoScope               *scope,
                              GcoValueFunc            func,
                              gpointer                user_data,
                              GDestroyNotify          destroy,
                              GDestroyNotify          result_destroy) G_GNUC_WARN_UNUSED_RESULT;
GCO_AVAILABLE_IN_ALL
GcoDeferred *gco_async_full  (GcoScope               *scope,
                              const GcoLaunchOptions *options,
                              GcoValueFunc            func,
                              gpointer                user_data,
                              GDestroyNotify          destroy,
                              GDestroyNotify          result_destroy) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
