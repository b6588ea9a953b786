/*
 * record.h - `l1top --record FILE` (record.c): the live sources journaled
 * into a recording (docs/recording-format.md).
 */
#ifndef L1TOP_RECORD_H
#define L1TOP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "sources/source.h"

typedef struct {
    uint64_t start_ns;
    uint64_t raw_bytes, file_bytes, chunks; /* file_bytes: the chunks' */
    uint64_t size;                          /* the file's: header, chunks, trailer */
} record_stats;

#define REC_PATH_MAX 4096

/* A recording under way: the sources' journal attached, the file open. */
typedef struct recorder recorder;

/* Attach set's journal and create path (exclusive: only if it does not
 * exist): the recorder, or NULL with one line in err and the exit code in
 * *code (nothing to record: EXIT_USAGE; cannot create: EXIT_CANTCREAT,
 * errno kept). */
recorder *recorder_start(const char *path, source_set *set, bool exclusive, int *code, char *err, size_t errlen);
/* After each reading s of set (now: monotonic ns): the header at the first,
 * a chunk every 256 KiB or second. 0, or an exit code with err. */
int recorder_tick(recorder *r, const snapshot *s, uint64_t now, char *err, size_t errlen);
/* What was written so far. */
const record_stats *recorder_stats(const recorder *r);
/* Ends it: clean, the last chunk and the trailer; the journal detached,
 * the file closed, r freed; its totals in *st (may be NULL). 0, or an exit
 * code with err. */
int recorder_stop(recorder *r, bool clean, record_stats *st, char *err, size_t errlen);

/* Record set into path every refresh_ms until a quit signal, `iterations`
 * refreshes (0: no limit) or duration_s seconds (0: no limit). 0, or an
 * exit code with a one-line message on stderr. */
int record_run(const char *path, source_set *set, double refresh_ms, long iterations, double duration_s,
               record_stats *st);

#endif
