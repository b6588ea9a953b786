/*
 * ttmetal_stats.h - source: TT-Metal's own shared-memory allocator
 * statistics, /dev/shm/tt_device_<asic id>_memory (layout versions 2-4).
 * Totals per device and per process (DRAM, L1, L1_SMALL, TRACE, CB), no
 * per-core detail. Files are read with read(), never mapped, so a file
 * truncated under us is a short read, not a SIGBUS.
 */
#ifndef L1TOP_TTMETAL_STATS_H
#define L1TOP_TTMETAL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TTM_FILE_SIZE 8576u
#define TTM_MAX_CHIPS 16
#define TTM_MAX_PROCESSES 64
#define TTM_INIT_READY 0x52454459u /* "READY" (v4) */

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

typedef int (*ttm_alive_fn)(int32_t pid);

/* Parse one file's bytes. 0, or -1 with the reason in err. Pure. */
int ttm_parse(const unsigned char *buf, size_t len, const char *name, ttm_alive_fn alive, ttm_device *out,
              char *err, size_t errlen);

/* Every tt_device_*_memory file in dir (sorted by device id). Unreadable
 * or invalid files are skipped with a one-line reason each in warnings
 * (newline-separated). Returns the number found, -1 if dir is unreadable. */
int ttm_scan(const char *dir, ttm_alive_fn alive, ttm_device **out, char *warnings, size_t wlen);

/* Whether dir holds at least one tt_device_*_memory file. */
bool ttm_present(const char *dir);

#endif
