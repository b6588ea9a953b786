/*
 * peaks.h - the peak model: per core and per category high-water marks of
 * L1 use, exact across every change, not only at the moments a snapshot is
 * taken. Pure (no I/O, no clock): a source loads a starting state
 * (peaks_load) and then feeds every record and release in order; after each
 * change the model's per-core figures are exactly what accounting_compute()
 * would report for the state at that moment (it uses the accounting's own
 * categories and byte rules, accounting.h), and the high-water marks are
 * their maxima since the start or the last peaks_reset().
 *
 * Each core keeps a map of elementary spans (where the set of regions over
 * a byte changes) with a count of regions per kind, so a change costs the
 * spans it covers on the cores it touches, not a new accounting.
 */
#ifndef L1TOP_PEAKS_H
#define L1TOP_PEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/snapshot.h"

/* The change at which a high-water mark was reached. */
typedef struct {
    uint64_t seq;              /* changes applied since the model began (0: none yet) */
    uint64_t time_ns;          /* CLOCK_REALTIME of the change (0 unknown) */
    int32_t pid;               /* the process that made it, 0 unknown */
    uint8_t kind;              /* l1top_kind of the region it recorded, 0 none (the start) */
    char tag[SNAP_TAG_LEN];    /* that region's tag: the op or buffer label, "" none */
} peak_moment;

/* High-water marks of one core, or of a device's sums over its cores (each
 * figure its own maximum: they need not have happened together). */
typedef struct {
    uint64_t bytes[CAT_COUNT]; /* per category; bytes[CAT_FREE] is the LOW-water: the least free */
    uint64_t used, tracked, untracked; /* the sums accounting.h defines */
    uint64_t clash_bytes;      /* bytes where a CB overlapped an L1 buffer */
    peak_moment at;            /* when `used` first reached its high-water (a record, or the start) */
    peak_moment clash_at;      /* when clash_bytes did (the event log names its op) */
} peak_figures;

/* What a core holds now: accounting's core_usage figures the model keeps. */
typedef struct {
    uint64_t bytes[CAT_COUNT];
    uint64_t clash_bytes;
} peak_now;

typedef struct {
    uint32_t id;               /* device id */
    uint16_t grid_x, grid_y;
    uint32_t ncores;           /* grid_x * grid_y, row-major */
    uint32_t l1_size;
    peak_figures total;        /* of the device's sums over its cores */
    const peak_figures *cores; /* per core */
    const peak_now *now;       /* per core, the current state */
} peak_device;

/* Where the figures stand; a source fills the counters it knows. */
typedef struct {
    uint64_t since_ns;         /* the start or last reset (CLOCK_REALTIME) */
    uint64_t since_seq;        /* changes applied before it */
    uint64_t changes;          /* records and releases applied in all */
    bool approximate;          /* a change was missed since: marks may be low (never high) */
    uint64_t approximate_since_ns;
    uint64_t lost;             /* source: ring slots overwritten before they were read */
    uint64_t unlogged;         /* source: changes writers could not log */
    uint64_t late;             /* source: changes replayed after a later one (clock skew, preemption) */
    uint64_t bad;              /* source or model: malformed changes skipped */
    uint64_t resyncs;          /* source: times the state was re-read from the records */
} peak_status;

/* A recorded region as the model needs it. */
typedef struct {
    uint64_t handle;           /* names the region for its life; the release names it again */
    int32_t pid;
    uint32_t device;           /* device id */
    uint8_t kind;              /* l1top_kind */
    bool interleaved;
    uint32_t address;
    uint32_t size_per_core;    /* ranged */
    uint32_t page_size;        /* interleaved */
    uint64_t total_size;       /* interleaved */
    const l1top_range *ranges;
    uint32_t nranges;
    const char *tag;           /* may be NULL */
} peak_region;

typedef struct peaks peaks;

peaks *peaks_new(void);
void peaks_free(peaks *p);

/* The state becomes s's (its devices, and its regions by snap_region.handle
 * with the pid of their process) at time_ns. keep_marks: the high-water
 * marks stay at least what they were (a resync); else they start afresh
 * from this state. 0, or -1 when memory ran out (the model is then empty). */
int peaks_load(peaks *p, const snapshot *s, bool keep_marks, uint64_t time_ns);

/* Add the devices of s the model lacks (their marks start at time_ns); a
 * device whose geometry changed starts afresh. 0 or -1 (memory). */
int peaks_sync_devices(peaks *p, const snapshot *s, uint64_t time_ns);

typedef enum {
    PEAK_APPLIED = 0,
    PEAK_IGNORED,              /* a handle already held (record) or unknown (release): nothing changed */
    PEAK_UNKNOWN_DEVICE,       /* the device is not (yet) known: nothing changed */
    PEAK_NOMEM = -1,
} peak_result;

/* One change, in order. A release before its record is remembered for a
 * while (peaks_age_tombstones): a record that follows it is ignored, the
 * region having lived no time in the merged order. */
peak_result peaks_record(peaks *p, const peak_region *r, uint64_t time_ns);
peak_result peaks_release(peaks *p, uint64_t handle, uint64_t time_ns);

/* Forget tombstones older than the last call (call once per batch of changes). */
void peaks_age_tombstones(peaks *p);

/* Regions whose pid is not among pids[0..n) leave, all in one change
 * (their writer died without releasing them). Returns how many left. */
size_t peaks_retain_pids(peaks *p, const int32_t *pids, size_t n, uint64_t time_ns);

/* High-water marks := the current state, from time_ns on ('since'). */
void peaks_reset(peaks *p, uint64_t time_ns);

/* Some change was (or may have been) missed at time_ns. */
void peaks_mark_approximate(peaks *p, uint64_t time_ns);

size_t peaks_ndevices(const peaks *p);
const peak_device *peaks_device_at(const peaks *p, size_t i);
/* By device id, or NULL. */
const peak_device *peaks_device(const peaks *p, uint32_t id);
const peak_status *peaks_status(const peaks *p);
/* The source's counters (lost, unlogged, late, bad, resyncs) live here. */
peak_status *peaks_status_mut(peaks *p);
/* Regions the model holds now. */
size_t peaks_regions(const peaks *p);
/* The marks a replay computed, put back (a recording's trailer,
 * sources/recording_file.c): core c of device i gets these high-water
 * marks and current figures; PEAKS_DEVICE_SUMS: the device's marks (now
 * unused: its current sums are its cores', restored first). The
 * model holds no region behind them: such a model answers what the replay
 * of the same journal would, and is not fed further. 0, or -1 when i or c
 * is out of range. */
#define PEAKS_DEVICE_SUMS UINT32_MAX
int peaks_restore(peaks *p, size_t i, uint32_t c, const peak_figures *marks, const peak_now *now);
/* Spans in the map of core c of device id (tests, benchmarks). */
size_t peaks_core_spans(const peaks *p, uint32_t id, uint32_t c);

#endif
