/*
 * diff.h - "did my change use more L1": two snapshots (live, saved or a
 * trace's peak) compared per device and category, then per core, the
 * changes largest first, and an optional growth limit for CI gating. Pure.
 */
#ifndef L1TOP_DIFF_H
#define L1TOP_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/snapshot.h"

typedef struct {
    const char *label;        /* the file as named on the command line */
    const char *moment;       /* a trace's moment ("peak at node 12, op matmul"), or NULL */
    const snapshot *s;
    const accounting *a;
} diff_input;

/* One figure in A and B. growth_pct is delta / a in percent; a == 0 and
 * b > 0 is growth from nothing (`from_zero`, no percentage). */
typedef struct {
    uint64_t a, b;
    int64_t delta;
    double growth_pct;
    bool from_zero;
    bool exceeded;            /* grew by more than the limit */
} diff_value;

typedef struct {
    l1_category cat;
    diff_value v;
} diff_category;

typedef struct {
    uint16_t x, y;
    diff_value used;          /* every category but free */
    l1_category top_cat;      /* the category that moved most here */
    int64_t top_delta;
} diff_core;

typedef struct {
    uint32_t id;
    int32_t dev_a, dev_b;     /* snapshot device indices, -1 when absent from that side */
    diff_category cats[CAT_COUNT]; /* largest change first (free last among equals) */
    diff_value tracked, untracked, used;
    bool same_grid;           /* per-core changes only then */
    diff_core *cores;         /* cores that changed, largest change first */
    size_t ncores;
} diff_device;

typedef struct {
    diff_device *devices;     /* by id; devices of either side */
    size_t ndevices;
    bool gate;                /* --max-growth given */
    double max_growth_pct;
    size_t exceeded;          /* categories and cores over the limit */
} diff_result;

/* 0, or -1 when memory ran out. With gate, categories (all but free) and
 * cores (used bytes) of devices on both sides that grow by more than
 * max_growth_pct are marked and counted. */
int diff_compute(const diff_input *a, const diff_input *b, bool gate, double max_growth_pct, diff_result *out);
void diff_free(diff_result *d);

#endif
