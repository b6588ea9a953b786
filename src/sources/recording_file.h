/*
 * recording_file.h - the --record file format (docs/recording-format.md):
 * both sides of it, so they cannot drift. A file is a 32-byte header, the
 * devices, then chunks; each chunk is a zstd frame (with its checksum) of
 * a run of operations, the journal of a peak model (model/journal.h) plus
 * keyframes (the whole state, written every few seconds so a replay seeks
 * without starting from the beginning).
 */
#ifndef L1TOP_RECORDING_FILE_H
#define L1TOP_RECORDING_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/peaks.h"
#include "model/snapshot.h"

#define REC_MAGIC "L1TOPREC"
#define REC_MAGIC_LEN 8
#define REC_VERSION 1u
#define REC_HEADER_SIZE 32u
#define REC_CHUNK_MAGIC 0x4b4e4843u /* "CHNK" little-endian */
#define REC_CHUNK_HEADER 16u
#define REC_CHUNK_MAX (64u << 20)   /* a chunk's raw size: more is a foreign file */
#define REC_FLAG_ZSTD 1u

typedef enum {
    REC_OP_LOAD = 1,     /* u8 keep_marks, a state: the model starts from it */
    REC_OP_SYNC = 2,     /* devices, processes: what the model learned */
    REC_OP_RECORD = 3,   /* a region */
    REC_OP_RELEASE = 4,  /* u64 handle */
    REC_OP_RETAIN = 5,   /* u32 n, i32 pids[n]: the regions of other writers left */
    REC_OP_RESET = 6,    /* the marks start again */
    REC_OP_APPROX = 7,   /* a change was missed: marks approximate from here */
    REC_OP_KEYFRAME = 8, /* a state, for seeking only (the model does not see it) */
} rec_op_type;

/* ---------- writing: ops into a growable buffer ---------- */
typedef struct {
    unsigned char *data;
    size_t len, cap;
    bool nomem;
    uint32_t nops;
} rec_buf;

void rec_buf_free(rec_buf *b);
void rec_put_op(rec_buf *b, rec_op_type type, uint64_t time_ns);
void rec_put_u8(rec_buf *b, uint8_t v);
void rec_put_u32(rec_buf *b, uint32_t v);
void rec_put_u64(rec_buf *b, uint64_t v);
/* Devices and processes of s; with_regions: its regions too (a state). */
void rec_put_snapshot(rec_buf *b, const snapshot *s, bool with_regions);
void rec_put_region(rec_buf *b, const peak_region *r);

/* The header with s's devices; 0 or -1 (errno). */
int rec_write_header(FILE *f, const snapshot *s, uint64_t start_ns);
/* b as one chunk (zstd at `level`, 0: stored), then b emptied. Bytes
 * written into *out (may be NULL); 0 or -1 (errno, or ENOMEM). */
int rec_write_chunk(FILE *f, rec_buf *b, int level, uint64_t *out);

/* ---------- reading ---------- */
typedef struct {
    char path[4096];
    uint64_t start_ns;
    snapshot header;           /* the devices of the header */
    unsigned char *ops;        /* every chunk's operations, decompressed, in order */
    size_t len, ops_cap;
    uint64_t nops, nchunks, file_bytes;
    char warning[256];         /* a cut last chunk, or "" */
} rec_file;

enum { REC_OK = 0, REC_ENOINPUT = 1, REC_EBAD = 2, REC_EIO = 3 };

/* Whether the file at path starts with the magic. */
bool rec_sniff(const char *path);
/* Read path whole. REC_OK, or a status with one line in err naming the file.
 * A cut or damaged last chunk is dropped with a warning. */
int rec_load(rec_file *rf, const char *path, char *err, size_t errlen);
/* The same from memory (the fuzzer); path names it in messages. */
int rec_load_memory(rec_file *rf, const char *path, const unsigned char *data, size_t size, char *err,
                    size_t errlen);
void rec_file_free(rec_file *rf);

/* One operation decoded. */
typedef struct {
    uint8_t type;
    uint64_t time_ns;
    bool keep_marks;
    peak_region region;        /* RECORD: ranges and tag point into the op */
    l1top_range *ranges;       /* owned, grown as needed */
    size_t ranges_cap;
    char tag[SNAP_TAG_LEN];
    uint64_t handle;           /* RELEASE */
    int32_t *pids;             /* RETAIN, owned */
    size_t npids, pids_cap;
} rec_op;

void rec_op_free(rec_op *op);
/* Decode the op at *pos of rf->ops, moving *pos past it. LOAD, SYNC,
 * KEYFRAME: their devices, processes (and regions, pids in region_pids,
 * grown) into state, reset first. 0, -1 malformed, -2 out of memory. */
int rec_decode(const rec_file *rf, size_t *pos, rec_op *op, snapshot *state, int32_t **region_pids,
               size_t *region_pids_cap);

#endif
