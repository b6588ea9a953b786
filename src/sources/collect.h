/*
 * collect.h - picks and reads the sources into one snapshot: our segment,
 * TT-Metal's allocator statistics files, or both (--source).
 */
#ifndef L1TOP_COLLECT_H
#define L1TOP_COLLECT_H

#include <stddef.h>

#include "sources/shm_reader.h"
#include "model/snapshot.h"

typedef enum { SOURCE_AUTO = 0, SOURCE_L1TOP, SOURCE_TTMETAL, SOURCE_ALL } source_sel;

typedef struct {
    source_sel sel;            /* resolved: never SOURCE_AUTO after collector_init */
    const char *shm;           /* segment name (NULL: default) */
    char ttm_dir[256];         /* where tt_device_*_memory live */
    shm_reader *reader;        /* open while the segment exists */
    char segment[256];         /* resolved name, for messages */
    char sysfs_root[256];      /* "" = the real /sys and /proc */
} collector;

/* AUTO becomes ALL when dir has TT-Metal statistics files, else L1TOP. */
void collector_init(collector *c, source_sel sel, const char *shm, const char *ttm_dir, const char *sysfs_root);
/* Fill s from the selected sources. SHM_MISSING when none has anything to
 * show; SHM_CORRUPT / SHM_IO as the segment reader says. */
shm_status collect(collector *c, snapshot *s, char *err, size_t errlen);
/* Wait `ms` milliseconds (a signal cuts it short) while replaying the
 * segment's events every COLLECT_POLL_MS, so the peaks miss nothing
 * between two collects however busy the writers are. */
#define COLLECT_POLL_MS 10
void collector_wait(collector *c, double ms);
/* The segment's non-fatal remark, or "". */
const char *collector_warning(const collector *c);
void collector_close(collector *c);

#endif
