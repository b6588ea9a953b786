/*
 * record.h - `l1top --record FILE` (record.c): the live sources journaled
 * into a recording (docs/recording-format.md).
 */
#ifndef L1TOP_RECORD_H
#define L1TOP_RECORD_H

#include <stdint.h>

#include "cli/cli.h"
#include "sources/source.h"

typedef struct {
    uint64_t start_ns;
    uint64_t raw_bytes, file_bytes, chunks;
} record_stats;

/* Record set into path every refresh_ms until a quit signal, `iterations`
 * refreshes (0: no limit) or duration_s seconds (0: no limit). 0, or an
 * exit code with a one-line message on stderr. */
int record_run(const char *path, source_set *set, double refresh_ms, long iterations, double duration_s,
               record_stats *st);

#endif
