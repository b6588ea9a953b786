/*
 * shm_reader.h - reads an l1top segment (mapped read-only) into the
 * snapshot model; segment_source.c makes it a source (source.h). Everything read is validated; a foreign, truncated or
 * corrupt segment is an error with one clear message, never a crash.
 */
#ifndef L1TOP_SHM_READER_H
#define L1TOP_SHM_READER_H

#include <stddef.h>
#include <stdint.h>

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

#endif
