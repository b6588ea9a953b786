/*
 * trace_internal.h - what the trace modules share (not part of any API):
 *   trace_parse.c  JSON nodes -> a compact, validated event list + the graph
 *                  facts (shard grids, mesh -> chips, pre-window tensors);
 *   trace_board.c  the board from the trace's own evidence;
 *   trace_replay.c one linear replay (per-core peak, ttnn's figures, item
 *                  lifetimes; placement of address-0 buffers with the
 *                  model's free_list) and the timeline (checkpoints, state
 *                  at a node);
 *   trace.c        open / close, the per-core peak (by model/accounting.c),
 *                  the state at a node as a snapshot;
 *   trace_source.c the trace as a source with a timeline (source.h).
 * Every number from the file is a uint64_t until checked against L1.
 */
#ifndef L1TOP_TRACE_INTERNAL_H
#define L1TOP_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "grow.h"
#include "model/free_list.h"
#include "sources/trace.h"

#define TRACE_NONE UINT32_MAX
#define TRACE_MAX_CHIPS 64
#define TRACE_DEFAULT_PAGE 2048  /* ttnn's bfloat16 tile, for traces without page_size */

/* Node kinds that matter; everything else is TN_OTHER (counted as ignored). */
enum {
    TN_OTHER,
    TN_BUF_ALLOC,
    TN_BUF_FREE,
    TN_CB_ALLOC,
    TN_DFB_ALLOC,
    TN_SCRATCH_ALLOC,
    TN_PROGRAM_FREE, /* circular_buffer_deallocate_all */
    TN_FN_START,
    TN_FN_END,
    TN_TENSOR,       /* read for shard grids, mesh ids and pre-window addresses */
    TN_BUFFER,       /* a buffer's identity node */
    TN_QUIET,        /* capture_start/end */
};

enum { MEM_L1, MEM_L1_SMALL, MEM_DRAM };

/* One node that moves L1 (or names an op), decoded and range-checked. */
typedef struct {
    uint32_t node;             /* counter */
    uint8_t type;              /* TN_* */
    uint8_t mem;               /* MEM_* (buffers) */
    bool ttnn_counted;         /* extract_resource_usage_per_core adds/subtracts it */
    bool shared;               /* globally_allocated / borrows_memory: aliases a tensor */
    bool interleaved;
    bool has_device;
    bool has_max_bank;
    uint64_t device;           /* raw device id (mesh or chip) */
    uint64_t size, address, page, num_cores, max_bank;
    uint32_t buffer;           /* buffer identity node (connections[0]), or TRACE_NONE */
    uint32_t first_range, nranges; /* core_range_set or shard grid, into the range pool */
    uint32_t name;             /* TN_FN_START: offset into the name pool */
} tev;

/* A buffer that existed before the capture window (a tensor with an address). */
typedef struct {
    uint32_t buffer;           /* its buffer node */
    uint32_t tensor;           /* the tensor node that gave the address */
    uint64_t device, address, size, per_core;
    uint8_t mem;
    bool interleaved;
    uint32_t first_range, nranges;
} tpre;

typedef struct {
    uint64_t mesh, chip;
} tmesh;

/* Everything trace_parse extracts; freed by trace_parsed_free. */
typedef struct {
    size_t nodes, ignored;
    tev *ev;
    size_t nev, ev_cap;
    tpre *pre;
    size_t npre, pre_cap;
    l1top_range *ranges;
    size_t nranges, ranges_cap;
    char *names;
    size_t names_len, names_cap;
    tmesh *mesh;
    size_t nmesh, mesh_cap;
    bool sharded_guessed;      /* a sharded buffer without a shard grid */
    /* the devices section, when present */
    bool have_devices;
    int64_t dev_gx, dev_gy, dev_l1, dev_cb_base;
} trace_parsed;

/* Parse FILE into p. Returns 0, -1 (bad data, or not a regular file; err
 * set), or -2 (cannot open: absent, unreadable). */
int trace_parse_file(const char *path, trace_parsed *p, char *err, size_t errlen);
void trace_parsed_free(trace_parsed *p);

/* The board: from the devices section, --board, or the evidence. Fills
 * sum->board / board_reason and the grid; returns the arch. */
typedef struct {
    const arch_info *arch;
    uint16_t gx, gy;
    uint32_t l1_size;
    uint32_t cb_base;          /* where CBs start */
    bool guessed;              /* from evidence, not the trace or --board */
} trace_board;
int trace_choose_board(const trace_parsed *p, const char *board_name, size_t nchips, trace_board *b,
                       trace_summary *sum, char *err, size_t errlen);

/* ---- replay and timeline (trace_replay.c) ---- */

enum { ITEM_BUFFER, ITEM_SMALL, ITEM_PRE, ITEM_CB, ITEM_DFB, ITEM_SCRATCH };

/* One region on one chip, with its lifetime in timeline positions: live for
 * born <= pos < died (pos = number of L1 events applied; pre-window items
 * are born at 0). */
typedef struct {
    uint32_t chip;             /* chip slot */
    uint8_t sub;               /* ITEM_* */
    bool all_cores;            /* every bank of the chip */
    bool placed;               /* holds its range in the chip's address space */
    uint64_t address, per_core;
    uint64_t size;             /* the size the trace gave (old-format deallocation matching) */
    uint64_t ttnn_amount;      /* what ttnn added for it */
    uint32_t first_range, nranges;
    uint32_t born, died;
} titem;

typedef struct {
    uint32_t pos;
    uint32_t first, n;         /* into trace_file.cp_items */
} tcheckpoint;

struct trace_file {
    char path[4096];           /* the file, for snapshots */
    trace_parsed p;
    trace_board board;
    trace_summary sum;
    uint64_t chip_ids[TRACE_MAX_CHIPS];
    size_t nchips;
    uint32_t small_size;       /* L1_SMALL region at the top of L1 */
    /* the timeline */
    uint32_t *steps;           /* node of each L1 event */
    uint32_t *step_op;         /* innermost op's name (offset into p.names) after each event */
    size_t nsteps;
    uint32_t peak_pos;         /* the earliest position where a core holds the most bytes */
    titem *items;
    size_t nitems, items_cap;
    uint32_t *born_start;      /* [pos]: first item born at pos; size nsteps + 2 */
    uint32_t *died_start, *died; /* CSR: items dying at pos */
    tcheckpoint *cps;
    size_t ncps, cps_cap;
    uint32_t *cp_items;
    size_t ncp_items, cp_items_cap;
    /* the current position's live set */
    uint32_t cur_pos;
    uint32_t *live, *live_at;  /* live items, and each item's index in it (TRACE_NONE) */
    size_t nlive;
    char err[512];
};

/* Replay the parsed events once: items, lifetimes, the peak's position,
 * ttnn's figures, checkpoints. 0, or -1 with err. */
int trace_replay_build(trace_file *tf, const char *path, const char *board_name, char *err, size_t errlen);
/* Move the live set to position pos. */
void trace_goto(trace_file *tf, uint32_t pos);
void trace_replay_free(trace_file *tf);

#endif
