/*
 * shm_reader.h - reads an l1top segment (mapped read-only) into the
 * snapshot model; segment_source.c makes it a source (source.h). Everything read is validated; a foreign, truncated or
 * corrupt segment is an error with one clear message, never a crash.
 */
#ifndef L1TOP_SHM_READER_H
#define L1TOP_SHM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/journal.h"
#include "model/poll_pace.h"
#include "model/snapshot.h"

typedef enum {
    SHM_OK = 0,
    SHM_MISSING,   /* no such segment (exit 66) */
    SHM_CORRUPT,   /* foreign, truncated or corrupt (exit 65) */
    SHM_IO,        /* could not open/map for another reason (exit 74) */
} shm_status;

typedef struct shm_reader shm_reader;

shm_status shm_reader_open(const char *name, shm_reader **out, char *err, size_t errlen);
/* Take one consistent snapshot (s is reset first). */
shm_status shm_reader_snapshot(shm_reader *r, snapshot *s, char *err, size_t errlen);
/* Like shm_reader_snapshot, but when s holds this reader's previous
 * snapshot and nothing it depends on moved since (the stripes' change
 * counter, writer slots and their liveness, device entries, dropped
 * counts; no record was skipped as busy), s is kept: only its timestamp is
 * renewed and s->unchanged is set. No record is copied then. */
shm_status shm_reader_refresh(shm_reader *r, snapshot *s, char *err, size_t errlen);
/* Between snapshots: replay the events the segment's rings got since the
 * last read on the reader's peak model (cheap, no syscall; call it every
 * few ms so a busy writer does not lap its ring, see model/poll_pace.h) and
 * add what it drained to *d. The next snapshot reports what went wrong. */
shm_status shm_reader_poll(shm_reader *r, feed_drained *d, char *err, size_t errlen);
/* The reader's peak model: the high-water marks since its first snapshot
 * (s->peaks points at it after each snapshot). */
const struct peaks *shm_reader_peaks(const shm_reader *r);
/* Tell j every change the peak model applies (--record); see shm_events.h. */
void shm_reader_set_journal(shm_reader *r, const peaks_journal *j);
/* The peak model's marks := its state now, from time_ns on; false: no model started. */
bool shm_reader_reset_peaks(shm_reader *r, uint64_t time_ns);
const char *shm_reader_name(const shm_reader *r);
/* A non-fatal remark about the segment (loose permissions, foreign owner), or "". */
const char *shm_reader_warning(const shm_reader *r);
void shm_reader_close(shm_reader *r);

/* Validate a header against the size of the object holding it. Pure:
 * 0 when usable, else -1 with the reason in err. */
int shm_validate_header(const void *header, uint64_t object_size, char *err, size_t errlen);

/* Read a snapshot from a segment image in memory (validated as above).
 * `check_alive` decides whether a writer slot's process is still there
 * (NULL: every ACTIVE slot is taken as alive). Used by tests and fuzzers. */
typedef int (*writer_alive_fn)(int32_t pid, uint64_t start_time);
shm_status shm_image_snapshot(const void *image, uint64_t size, writer_alive_fn check_alive,
                              snapshot *s, char *err, size_t errlen);

/* A region's fields as a record or an event carries them. */
typedef struct {
    uint8_t kind;
    bool interleaved;
    uint32_t address, size_per_core, page_size;
    uint64_t total_size;
    const l1top_range *ranges;
    uint32_t nranges;
} shm_region_check;

/* Whether a region so described fits device d (known kind, ranges inside
 * the grid, within L1, an interleaved buffer's pages countable): what the
 * reader requires of records, and shm_events of events. */
bool shm_region_valid(const shm_region_check *r, const snap_device *d);

#endif
