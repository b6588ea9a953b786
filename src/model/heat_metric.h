/*
 * heat_metric.h - what a heatmap cell measures of a core (used, circular
 * buffers, L1 buffers, free, largest free block, CB room): the
 * configuration names it (`heatmap:`), the TUI draws it. Pure, on the
 * accounting's core_usage.
 */
#ifndef L1TOP_HEAT_METRIC_H
#define L1TOP_HEAT_METRIC_H

#include <stdint.h>

#include "model/accounting.h"
#include "model/peaks.h"

typedef enum {
    METRIC_USED = 0,        /* used % of L1 */
    METRIC_CIRCULAR_BUFFERS,
    METRIC_L1_BUFFERS,      /* explicit L1 + L1_SMALL: what the allocator sees */
    METRIC_FREE,
    METRIC_LARGEST_FREE,
    METRIC_CB_ROOM,         /* CB bytes a program may place here now (accounting.h: cb_room) */
    METRIC_PEAK_USED,       /* used % at the core's high-water mark (model/peaks.h) */
    METRIC_COUNT
} heat_metric;

/* The configuration's names ("used", "circular_buffers", ...). */
extern const char *const heat_metric_key[METRIC_COUNT];
/* What the TUI shows ("used %", ...). */
const char *metric_name(heat_metric m);
/* The metric as a fraction of the core's L1, in [0, 1]. */
double metric_fraction(const core_usage *u, uint32_t l1_size, heat_metric m);
/* The metric in bytes (used bytes for METRIC_USED). Without a peak model
 * METRIC_PEAK_USED is the used bytes now (the least the peak can be). */
uint64_t metric_bytes(const core_usage *u, heat_metric m);
/* The same with the core's high-water marks (NULL: none, as above). */
uint64_t metric_bytes_peak(const core_usage *u, const peak_figures *peak, heat_metric m);
double metric_fraction_peak(const core_usage *u, const peak_figures *peak, uint32_t l1_size, heat_metric m);

#endif
