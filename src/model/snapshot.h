/*
 * snapshot.h - the one model every source fills and every view reads:
 * devices, writer processes and the L1 regions they hold at one moment,
 * plus what sources report beside them (model/extras.h). Sources (our
 * segment, traces, TT-Metal files, driver telemetry) only append here; the
 * accounting and the views never look at a source directly.
 */
#ifndef L1TOP_SNAPSHOT_H
#define L1TOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l1top.h"
#include "model/extras.h"

#define SNAP_NAME_LEN 32
#define SNAP_TAG_LEN 40
#define SNAP_ARCH_LEN 16

typedef struct {
    uint32_t id;                  /* device id as writers number it */
    uint32_t arch;                /* arch_id */
    char arch_name[SNAP_ARCH_LEN];
    uint16_t grid_x, grid_y;
    uint32_t l1_size;             /* bytes per core */
    uint32_t l1_small_size;
    uint32_t unreserved_base;
    uint32_t alignment;
    uint64_t dropped_records;
    bool has_mesh;                /* the source knows the chip's place on the board's mesh: */
    uint16_t mesh_row, mesh_col;  /* its row and column there */
} snap_device;

typedef struct {
    int32_t pid;
    char name[SNAP_NAME_LEN];
    uint64_t start_time;
    uint64_t dropped_records;
} snap_process;

typedef struct {
    uint32_t device;              /* index into snapshot.devices */
    uint32_t process;             /* index into snapshot.processes */
    uint8_t kind;                 /* l1top_kind */
    bool interleaved;             /* over every core, total_size/page_size */
    uint32_t address;
    uint32_t size_per_core;       /* ranged regions */
    uint32_t page_size;           /* interleaved regions */
    uint64_t total_size;          /* interleaved regions */
    uint32_t first_range, nranges; /* into snapshot.ranges */
    char tag[SNAP_TAG_LEN];
    uint64_t handle;              /* the source's name for the region over its life (the segment: the
                                   * writer's handle), 0 none; the peak model pairs releases with it */
} snap_region;

typedef struct {
    char segment[256];            /* what was read: segment name or file */
    uint64_t timestamp_ns;        /* CLOCK_REALTIME when taken */
    snap_device *devices;
    size_t ndevices, devices_cap;
    snap_process *processes;
    size_t nprocesses, processes_cap;
    snap_region *regions;
    size_t nregions, regions_cap;
    l1top_range *ranges;
    size_t nranges, ranges_cap;
    uint64_t dropped_records;     /* all devices */
    uint64_t bad_records;         /* failed validation, skipped */
    uint64_t torn_records;        /* mid-write for too long, skipped this time */
    uint64_t stale_records;       /* held by dead writers, awaiting reuse */
    uint32_t dead_writers;        /* slots whose process is gone */
    uint32_t capacity;            /* record capacity of the source, 0 unknown */
    uint32_t records_in_use;
    bool have_segment;            /* our segment was read (it may be absent with --source all) */
    bool unchanged;               /* devices, processes and regions are those of the previous
                                   * snapshot taken into this struct: derived results still hold */
    ttm_device *ttm;              /* TT-Metal allocator statistics, owned */
    size_t nttm;
    char ttm_warnings[1024];      /* files skipped, one line each */
    tt_board *boards;             /* driver telemetry, owned; none without tt-kmd */
    size_t nboards;
    bool has_trace;               /* read from a ttnn trace: its summary follows */
    trace_summary trace;
    const struct peaks *peaks;    /* high-water marks since the source began (model/peaks.h), owned by
                                   * the source and valid until its next read; NULL without one */
} snapshot;

void snapshot_init(snapshot *s);
/* Forget the contents, keep the buffers for the next snapshot. */
void snapshot_reset(snapshot *s);
void snapshot_free(snapshot *s);
/* Forget what other sources added (TT-Metal statistics, telemetry, a
 * trace's summary) and the unchanged mark, keeping devices, processes and
 * regions. */
void snapshot_drop_extras(snapshot *s);

/* Append; return the new element (zeroed), or NULL on allocation failure. */
snap_device *snapshot_add_device(snapshot *s);
snap_process *snapshot_add_process(snapshot *s);
/* Append a region with its ranges copied in. */
snap_region *snapshot_add_region(snapshot *s, const l1top_range *ranges, size_t nranges);
/* Append more ranges to the last region added. */
int snapshot_extend_region(snapshot *s, const l1top_range *ranges, size_t nranges);

/* Make every string a source put in the model safe to show anywhere: valid
 * UTF-8 (invalid bytes become U+FFFD), controls escaped as \xNN, cut on a
 * character boundary. Sources call it once a snapshot is complete. */
void snapshot_sanitize_strings(snapshot *s);

/* s := from's devices, processes, regions and dropped count (s's buffers
 * reused; nothing else of s changes). 0, or -1 out of memory. */
int snapshot_copy(snapshot *s, const snapshot *from);
/* The same with only the regions of process index only_process (the
 * processes all kept, at the same indices): the TUI's process filter. */
int snapshot_copy_process(snapshot *s, const snapshot *from, uint32_t only_process);

/* Index of the device with this id, or -1. */
int snapshot_device_index(const snapshot *s, uint32_t id);

/* The ranges of a region; NULL when it has none (an interleaved region, whose
 * snapshot may hold no ranges at all: NULL + 0 is undefined in C). */
static inline const l1top_range *snapshot_region_ranges(const snapshot *s, const snap_region *r)
{
    return r->nranges ? s->ranges + r->first_range : NULL;
}

#endif
