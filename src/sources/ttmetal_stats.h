/*
 * ttmetal_stats.h - TT-Metal's own shared-memory allocator
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

#include "model/extras.h"

#define TTM_FILE_SIZE 8576u
#define TTM_DEFAULT_DIR "/dev/shm"
#define TTM_INIT_READY 0x52454459u /* "READY" (v4) */

/* Files parse into the model's ttm_device (model/extras.h). */
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
