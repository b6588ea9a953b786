/*
 * accounting.h - pure per-core attribution of L1, shared by every view and
 * by the trace replay (the one accountant: one rule for overlaps).
 *
 * Every byte of every core's L1 [0, l1_size) belongs to exactly one
 * category. Where records overlap, the byte goes to the first kind in
 * enum order (L1 buffers, L1_SMALL, CBs, kernel code, semaphores,
 * runtime), so it is counted once. Uncovered bytes below the arch's
 * MEM_MAP_END are firmware & mailboxes, uncovered bytes from there to the
 * unreserved base are the kernel-config ring (kernel binaries, runtime args
 * and semaphores TT-Metal does not report), uncovered bytes above are free.
 */
#ifndef L1TOP_ACCOUNTING_H
#define L1TOP_ACCOUNTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

typedef enum {
    CAT_L1_BUFFERS = 0,
    CAT_L1_SMALL,
    CAT_CIRCULAR_BUFFERS,
    CAT_KERNEL_CODE,
    CAT_SEMAPHORES,
    CAT_RUNTIME,
    CAT_KERNEL_CONFIG, /* rest of the kernel-config ring: MEM_MAP_END .. unreserved base */
    CAT_FIRMWARE,      /* firmware & mailboxes: 0 .. MEM_MAP_END */
    CAT_FREE,
    CAT_COUNT
} l1_category;

#define CAT_RECORDED 6 /* categories a writer records: kinds 1..6 */

/* The JSON/CSV key of a category ("l1_buffers", ...). */
extern const char *const category_key[CAT_COUNT];
/* The human label ("Explicit L1 buffers", ...). */
extern const char *const category_label[CAT_COUNT];
/* A short name for lists ("CB", "kernel", ...). */
extern const char *const category_short[CAT_COUNT];
/* Visible to the TT-Metal allocator? (L1 buffers and L1_SMALL) */
bool category_tracked(l1_category c);
/* Category of a recorded kind (1..6), or CAT_COUNT for others. */
l1_category category_of_kind(unsigned kind);

typedef struct {
    uint64_t bytes[CAT_COUNT];
    uint64_t largest_free;   /* largest free hole */
    uint64_t fragmented;     /* free - largest_free */
    uint64_t clash_bytes;    /* bytes where a CB overlaps an L1 buffer */
    /* CB room (docs/answers.md): TT-Metal places a program's CBs upward from
     * the unreserved base and refuses them past the lowest L1 buffer, so the
     * CB bytes a program can place on this core now are from the base to the
     * lowest L1 or L1_SMALL buffer here (an interleaved buffer reserves its
     * address on every bank), or to the top of L1. */
    uint32_t cb_room;
    int32_t cb_room_region;  /* the buffer that bounds it, -1: the top of L1 */
    /* The current CBs against it: from the base to the end of the highest CB
     * starting below that bound (a CB starting on a buffer is one placed on
     * a tensor, not in the CB region). More than cb_room: a clash. */
    uint32_t cb_extent;
    int32_t cb_top_region;   /* the CB ending highest, -1: none */
} core_usage;

typedef struct {
    uint32_t process;                /* snapshot process index */
    uint64_t bytes[CAT_RECORDED];    /* as recorded (overlaps not removed) */
    uint32_t regions;
} process_usage;

typedef struct {
    uint32_t cb_region, buffer_region; /* snapshot region indices */
    uint32_t cores;                    /* cores where they overlap */
    uint16_t first_x, first_y;         /* first such core, row-major */
    uint32_t overlap_start, overlap_end; /* on the first core */
    uint64_t bytes;                    /* overlap bytes summed over those cores */
} clash_info;

typedef struct {
    uint32_t device;                 /* snapshot device index */
    uint32_t ncores;                 /* grid_x * grid_y, row-major */
    core_usage *cores;
    uint64_t totals[CAT_COUNT];
    uint64_t largest_free_common;    /* largest range free on every core */
    uint64_t fragmented;             /* sum over cores */
    uint32_t regions;
    process_usage *processes;
    size_t nprocesses;
    clash_info *clashes;             /* largest first (bytes) */
    size_t nclashes;                 /* pairs listed, at most CLASH_PAIRS_LISTED_MAX */
    bool clashes_truncated;          /* more pairs exist than are listed */
    size_t clash_pairs_at_least;     /* == nclashes unless truncated: then a lower bound */
    uint64_t clash_bytes;            /* exact: bytes where a CB overlaps a buffer, all cores */
    /* The device minimum of cb_room is what TT-Metal checks a program's CBs
     * against (the lowest L1 buffer on any core: its L1 banks move in
     * lockstep); the core holding it, and the largest current CB extent. */
    uint32_t cb_room_min, cb_room_min_core;
    uint32_t cb_extent_max, cb_extent_max_core;
} device_usage;

/* Pairs listed per device. Pairs are named in address order (of the later
 * of the two to start), each with its exact cores and bytes; past this many
 * naming stops (clashes_truncated) and clash_pairs_at_least is the larger
 * of the pairs named and the most that meet on one core. clash_bytes
 * stays exact. */
#define CLASH_PAIRS_LISTED_MAX 4096

typedef struct {
    device_usage *devices;           /* one per snapshot device, same order */
    size_t ndevices;
} accounting;

/* 0, or -1 when memory ran out (a is then empty). */
int accounting_compute(const snapshot *s, accounting *a);
void accounting_free(accounting *a);

static inline uint64_t usage_tracked(const uint64_t b[CAT_COUNT])
{
    return b[CAT_L1_BUFFERS] + b[CAT_L1_SMALL];
}
static inline uint64_t usage_untracked(const uint64_t b[CAT_COUNT])
{
    return b[CAT_CIRCULAR_BUFFERS] + b[CAT_KERNEL_CODE] + b[CAT_SEMAPHORES] + b[CAT_RUNTIME] +
           b[CAT_KERNEL_CONFIG] + b[CAT_FIRMWARE];
}
static inline uint64_t usage_used(const uint64_t b[CAT_COUNT])
{
    return usage_tracked(b) + usage_untracked(b);
}
static inline uint64_t usage_total(const uint64_t b[CAT_COUNT])
{
    return usage_used(b) + b[CAT_FREE];
}
/* used / total in percent, 0 for an empty total. */
double usage_used_pct(const uint64_t b[CAT_COUNT]);

/* ---------- the rules every byte of a core goes by ----------
 * Shared by the sweep of accounting_compute and by the peak model
 * (peaks.h), which must agree with it byte for byte. `cover[k]` counts the
 * regions of kind k (1..6) over a byte; index 0 is unused. */

/* The category of a byte the regions of `cover` lie over: the first kind in
 * enum order with a region there; CAT_COUNT when none does. */
static inline l1_category category_covered(const uint32_t cover[CAT_RECORDED + 1])
{
    for (unsigned k = 1; k <= CAT_RECORDED; k++)
        if (cover[k])
            return (l1_category)(k - 1);
    return CAT_COUNT;
}

/* A byte where a circular buffer overlaps an L1 buffer or L1_SMALL. */
static inline bool category_clash(const uint32_t cover[CAT_RECORDED + 1])
{
    return cover[L1TOP_CIRCULAR_BUFFER] && (cover[L1TOP_L1_BUFFER] || cover[L1TOP_L1_SMALL]);
}

/* The category of a byte no region covers: firmware & mailboxes below
 * `fw_end` (arch_firmware_end), the kernel-config ring up to the
 * unreserved base `ub`, free above. *zone_end: where that zone ends. */
static inline l1_category category_uncovered(uint32_t addr, uint32_t fw_end, uint32_t ub, uint32_t l1,
                                             uint32_t *zone_end)
{
    if (addr < fw_end) {
        *zone_end = fw_end;
        return CAT_FIRMWARE;
    }
    if (addr < ub) {
        *zone_end = ub;
        return CAT_KERNEL_CONFIG;
    }
    *zone_end = l1;
    return CAT_FREE;
}

/* Index of the last of v[0..n) (ascending, v[0] <= x) that is <= x: a
 * binary search shared by the per-core structures over addresses. */
static inline size_t sorted_last_at_most(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ---------- per-process totals: summed here and nowhere else ---------- */

/* What a process recorded (overlaps not removed), by recorded category:
 * tracked (L1 buffers and L1_SMALL, what TT-Metal's allocator sees), all of
 * it, and the untracked rest. */
static inline uint64_t recorded_tracked(const uint64_t b[CAT_RECORDED])
{
    return b[CAT_L1_BUFFERS] + b[CAT_L1_SMALL];
}
static inline uint64_t recorded_all(const uint64_t b[CAT_RECORDED])
{
    uint64_t all = 0;
    for (int k = 0; k < CAT_RECORDED; k++)
        all += b[k];
    return all;
}
static inline uint64_t recorded_untracked(const uint64_t b[CAT_RECORDED])
{
    return recorded_all(b) - recorded_tracked(b);
}

/* One process over several devices. */
typedef struct {
    uint64_t bytes[CAT_RECORDED];    /* as recorded, by category */
    uint32_t regions;
    uint32_t devices;                /* devices it holds regions on */
} process_total;

/* Process `process` (a snapshot index) summed over the devices listed by
 * index in `devices` (NULL: every device of a). */
void accounting_process_total(const accounting *a, uint32_t process, const size_t *devices, size_t ndevices,
                              process_total *out);

/* Bytes a region places on core (x, y) of its device (0 if none). */
uint64_t region_bytes_on_core(const snapshot *s, const snap_region *r, uint16_t x, uint16_t y);
/* Bytes region (a snapshot index) records over all its cores, as the
 * process sums count them: ranged, its size on each core of its ranges in
 * the grid; interleaved, its pages at the device's alignment. */
uint64_t region_recorded_bytes(const snapshot *s, uint32_t region);
/* The banks an interleaved region puts pages on: banks 0 .. n-1 (bank b
 * is core (b % grid_x, b / grid_x)), every bank once it has as many pages. */
uint32_t region_banks_used(const snapshot *s, const snap_region *r);

/* ---------- one core over time ---------- */

/* An address range held on a core for positions born <= pos < died
 * (died UINT32_MAX: to the end). */
typedef struct {
    uint32_t start, end;    /* [start, end) */
    uint32_t born, died;
} held_range;

/* Working memory of accounting_most_held, reused across calls. */
typedef struct {
    void *buf[5];
    size_t cap[5];
} held_scratch;

/* The most bytes the ranges cover at once, each byte once however many
 * ranges claim it (the rule of accounting_compute), and the earliest
 * position where they do (*at; 0 when none). O(n log n). Returns
 * UINT64_MAX when memory ran out. */
uint64_t accounting_most_held(const held_range *r, size_t n, uint32_t *at, held_scratch *w);
void held_scratch_free(held_scratch *w);

/* One span of a core's address map. */
typedef struct {
    uint32_t start, end;   /* [start, end) */
    l1_category category;  /* CAT_FREE / CAT_KERNEL_CONFIG / CAT_FIRMWARE for holes */
    int32_t region;        /* snapshot region index, -1 for holes */
    bool clash;            /* overlaps a region of a clashing kind */
} map_span;

/* The regions on core (x, y) of device index `dev`, sorted by address, then
 * the uncovered holes; returns the count written (at most max) and sets
 * *needed to the full count. */
size_t accounting_core_map(const snapshot *s, uint32_t dev, uint16_t x, uint16_t y, map_span *out,
                           size_t max, size_t *needed);

#endif
