/* gco-version-macros.h: availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(_GCO_INSIDE) && !defined(GCO_COMPILATION)
#error "Only <gco/gco.h> can be included directly."
#endif

#include <glib.h>

#define GCO_MAJOR_VERSION 0
#define GCO_MINOR_VERSION 1

#ifndef _GCO_EXTERN
#define _GCO_EXTERN __attribute__((visibility ("default"))) extern
#endif

/**
 * GCO_AVAILABLE_IN_ALL:
 *
 * Marks a symbol as available in every version of gco.
 */
#define GCO_AVAILABLE_IN_ALL _GCO_EXTERN

/**
 * GCO_AVAILABLE_IN_0_1:
 *
 * Marks a symbol as available since gco 0.1.
 */
#define GCO_AVAILABLE_IN_0_1 _GCO_EXTERN
