/*
 * journal.h - the changes a peak model is fed, as a table of callbacks a
 * source may be given: every state it loads, every device and process list
 * it syncs, every record and release it applies, in order. A recorder
 * (src/cli/record.c) writes them to a file; a recording replays them on a
 * fresh model (sources/recording_source.c) and gets the same marks. Only
 * changes the model applied are journaled (a record of a handle held, or a
 * release of one unknown, changed nothing and is left out), so a replay
 * needs none of the source's pairing rules.
 */
#ifndef L1TOP_JOURNAL_H
#define L1TOP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/peaks.h"
#include "model/snapshot.h"

typedef struct {
    /* The model starts from s (keep_marks: a resync). */
    void (*load)(void *ctx, const snapshot *s, bool keep_marks, uint64_t time_ns);
    /* s's devices and processes, as the model learns them (before a drain). */
    void (*sync)(void *ctx, const snapshot *s, uint64_t time_ns);
    void (*record)(void *ctx, const peak_region *r, uint64_t time_ns);
    void (*release)(void *ctx, uint64_t handle, uint64_t time_ns);
    /* Regions of writers not in pids[0..n) left (they died). */
    void (*retain)(void *ctx, const int32_t *pids, size_t n, uint64_t time_ns);
    void (*reset)(void *ctx, uint64_t time_ns);
    void (*approximate)(void *ctx, uint64_t time_ns);
    void *ctx;
} peaks_journal;

/* The journal applied to a model as a replay applies it (the live
 * source's bookkeeping aside): a recording's reader (recording_source.c)
 * and the recorder's own copy of the marks it will write in the trailer
 * (cli/record.c) use these, so the two cannot differ. */
typedef struct {
    peaks *model;
    bool nomem;                /* a change ran out of memory */
} journal_model;

peaks_journal journal_model_callbacks(journal_model *m);

#endif
