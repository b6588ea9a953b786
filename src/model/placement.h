/*
 * placement.h - internal to the model: a region as the accounting sees it
 * on one device, an address interval with one width on a set of cores
 * (a ranged region, or one half of an interleaved one: banks below `extra`
 * hold one page more), its cores as disjoint rectangles. Built by
 * accounting.c, read by the per-core sweep (sweep.c) and the CB/buffer
 * pair finder (clash.c); no view includes it.
 */
#ifndef L1TOP_PLACEMENT_H
#define L1TOP_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"

typedef struct {
    uint16_t x0, y0, x1, y1; /* inclusive */
} rect;

typedef struct {
    uint32_t start, end;           /* [start, end), clipped to the core's L1; never empty */
    uint32_t region;               /* snapshot region index */
    uint32_t first_rect, nrects;   /* its cores: disjoint, at least one */
    int32_t sibling;               /* the region's other placement, -1 if none */
    uint8_t kind;                  /* l1top_kind, 1..CAT_RECORDED */
} placement;

/* One device's placements, in the order added, and their rectangles;
 * reused from device to device (cleared, not freed). */
typedef struct {
    placement *p;
    size_t n, cap;
    rect *rects;
    size_t nrects, rects_cap;
    uint8_t *stamp;                /* per core, to make overlapping ranges disjoint */
    size_t stamp_cap;
} placement_set;

/* Add the placement *pl (its start, end, region, kind; the rest is filled
 * in) on banks [first, last) in row-major order, or on the ranges g[0..n)
 * clipped to the grid. Nothing is added when it covers no core. 0, or -1
 * when memory ran out. */
int placement_add_banks(placement_set *ps, const snap_device *d, const placement *pl, uint32_t first, uint32_t last);
int placement_add_ranges(placement_set *ps, const snap_device *d, const placement *pl, const l1top_range *g,
                         uint32_t n);
void placement_set_free(placement_set *ps);

/* Stable LSD radix sort of (key, index) pairs by the low `bits` bits of
 * key, 8 bits a pass, only over the digits that differ between keys. */
typedef struct {
    uint64_t key;
    uint32_t idx;
} sort_item;
void radix_sort(sort_item *v, sort_item *tmp, size_t n, unsigned bits);

/* The lowest interleaved L1 buffer of a device, which reserves its address
 * on every bank (UINT32_MAX, -1: none): CB room is bounded by it on banks
 * that have no placement of it. */
typedef struct {
    uint32_t address;
    int32_t region;
} cb_floor;

/* Attribute every core of device d: placements ps->p in start order, ends
 * their indices by end; out has a core_usage per core (its CB room too).
 * With count_pairs, *most_pairs is the most CB/buffer pairs that meet on
 * one core (a lower bound on the pairs). 0, or -1 when memory ran out. */
typedef struct sweep_scratch sweep_scratch;
sweep_scratch *sweep_scratch_new(void);
void sweep_scratch_free(sweep_scratch *x);
int sweep_device(const snap_device *d, const placement_set *ps, const uint32_t *ends, sweep_scratch *x,
                 bool count_pairs, cb_floor floor, core_usage *out, uint64_t *most_pairs);

/* Name the CB/buffer pairs of one device: placements ps->p in start order,
 * end_order their indices by end. Fills du->clashes (largest first),
 * nclashes, clashes_truncated and clash_pairs_at_least (when truncated, a
 * lower bound the sweep may raise). 0, or -1 when memory ran out. */
typedef struct clash_scratch clash_scratch;
clash_scratch *clash_scratch_new(void);
void clash_scratch_free(clash_scratch *x);
int clash_find(const placement_set *ps, const snap_device *d, const uint32_t *end_order, clash_scratch *x,
               device_usage *du);

#endif
