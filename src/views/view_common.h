/*
 * view_common.h - what several views share (the batch formats and the
 * TUI alike): the device filter, l1top's own figures for a pid, how an
 * alert's place and TT-Metal's memory kinds are worded. Pure: no
 * terminal, no source.
 */
#ifndef L1TOP_VIEW_COMMON_H
#define L1TOP_VIEW_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/alerts.h"
#include "model/accounting.h"
#include "model/snapshot.h"
#include "views/output.h"

/* Whether device `id` passes the filter (none: every device does). */
bool output_device_selected(const output_options *o, uint32_t id);

/* Devices one output can show (accounting indices). */
#define OUTPUT_MAX_SHOWN 256

/* What l1top itself records for a pid over the shown devices, for showing
 * next to TT-Metal's own figures (never added to them). false if none. */
bool output_l1top_bytes_of_pid(const snapshot *s, const accounting *a, const output_options *o, int32_t pid,
                               uint64_t *tracked, uint64_t *untracked);

/* TT-Metal's memory kinds as its own statistics name them ("DRAM", "L1", ...). */
extern const char *const ttm_kind_label[TTM_COUNT];

#endif
