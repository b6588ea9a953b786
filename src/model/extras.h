/*
 * extras.h - what sources report beside the per-core regions, in the
 * model's own words: TT-Metal's allocator totals (per device and process,
 * no per-core detail), board telemetry from the kernel driver, and the
 * summary of a replayed ttnn trace. Sources convert what they read into
 * these types; views read only these.
 */
#ifndef L1TOP_EXTRAS_H
#define L1TOP_EXTRAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------- TT-Metal's allocator statistics ---------- */

#define TTM_MAX_CHIPS 16
#define TTM_MAX_PROCESSES 64

typedef enum { TTM_DRAM = 0, TTM_L1, TTM_L1_SMALL, TTM_TRACE, TTM_CB, TTM_COUNT } ttm_kind;
extern const char *const ttm_kind_key[TTM_COUNT]; /* "dram", "l1", "l1_small", "trace", "cb" */

typedef struct {
    uint32_t chip_id;
    bool is_remote;
    uint64_t bytes[TTM_COUNT];
} ttm_chip;

typedef struct {
    int32_t pid;
    char name[64];
    uint64_t bytes[TTM_COUNT];
    uint64_t last_update;
    bool alive;        /* false: a dead pid a v2/v3 writer never reaped (stale) */
} ttm_process;

typedef struct {
    char file[256];
    uint32_t version;
    uint32_t num_active_processes;
    uint64_t last_update;
    uint32_t reference_count;
    uint64_t board_serial, asic_id;
    uint32_t device_id;
    bool ready;                        /* v4 init_state, always true before v4 */
    uint64_t totals[TTM_COUNT];        /* as the file says (may include stale pids) */
    uint64_t live_totals[TTM_COUNT];   /* summed over live processes only */
    ttm_chip chips[TTM_MAX_CHIPS];
    size_t nchips;
    ttm_process processes[TTM_MAX_PROCESSES];
    size_t nprocesses;
} ttm_device;

/* ---------- board telemetry ---------- */

#define TELEMETRY_MAX_PIDS 64

typedef struct {
    int index;                  /* N of /dev/tenstorrent/N */
    char card_type[32];         /* "n300", "" unknown */
    char asic_id[24];           /* tt_asic_id as the driver prints it ("0x..."), "" unknown */
    char pci_bus[16];           /* "0000:01:00.0", "" unknown */
    bool has_aiclk, has_temp, has_power;
    unsigned aiclk_mhz;
    double temp_c, power_w;
    int32_t pids[TELEMETRY_MAX_PIDS]; /* processes holding the device open */
    size_t npids;
} tt_board;

/* ---------- a replayed ttnn trace ---------- */

#define TRACE_OP_LEN 96          /* an op name as stored: valid UTF-8, controls escaped */

typedef struct {
    uint32_t device;         /* physical chip id */
    uint16_t x, y;           /* the core */
    uint64_t bytes;          /* program-scope L1 + L1 buffers + L1_SMALL on it, each byte
                              * once (as accounting_compute counts it) */
    uint64_t circular_buffers; /* CBs, dataflow buffers and scratchpads (bytes under a buffer
                                * are the buffer's) */
    uint64_t l1_buffers;     /* L1 and L1_SMALL buffers, pre-window ones included */
    uint64_t counter;        /* node at which it peaked */
    char op[TRACE_OP_LEN];   /* innermost op active then */
} trace_peak;

/* Exactly what ttnn's extract_resource_usage_per_core returns for the trace:
 * size_t running totals, no floor on a buffer_deallocate, peaks taken on
 * increments only. Freeing a buffer allocated before the capture makes them
 * wrap (ttnn's known underflow): the literal numbers are kept, and flagged. */
typedef struct {
    uint64_t peak_cb, peak_l1, peak_dataflow_buffer, peak_scratchpad, peak_total;
    bool underflow;          /* a running total went below zero */
} trace_ttnn;

/* Where the board a trace is drawn on came from. */
typedef enum {
    TRACE_BOARD_FROM_TRACE = 0, /* the trace's devices section */
    TRACE_BOARD_FROM_OPTION,    /* --board */
    TRACE_BOARD_GUESSED,        /* the smallest known board holding its core ranges */
} trace_board_source;

typedef struct {
    size_t nodes;            /* all nodes */
    size_t l1_events;        /* nodes that moved L1: the timeline's steps */
    size_t ignored;          /* node types l1top does not know */
    size_t chips;            /* physical chips (devices shown) */
    uint64_t dram_peak;      /* DRAM buffers allocated, counted apart, never in L1 */
    bool simulated_placement;/* some addresses were 0 (NO_DISPATCH): placed as TT-Metal would */
    size_t unplaced;         /* simulated placements that did not fit in L1 */
    bool sharded_guessed;    /* a sharded buffer without a shard grid: first num_cores cores */
    size_t pre_window;       /* buffers allocated before the capture (tensor nodes with addresses) */
    char board[32];          /* board used, and why */
    char board_reason[192];
    trace_board_source board_source;
    trace_peak peak;
    trace_ttnn ttnn;
} trace_summary;

#endif
