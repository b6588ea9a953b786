/*
 * recording_file.h - the --record file format (docs/recording-format.md):
 * both sides of it, so they cannot drift. A file is a 32-byte header, the
 * devices, then chunks; each chunk is a zstd frame (with its checksum) of
 * a run of operations, the journal of a peak model (model/journal.h).
 * Version 2 (written) packs times and handles as varint deltas and names a
 * region's description (pid, device, kind, address, sizes, ranges, tag) by
 * its index in a table the chunk declares as it goes; version 1 (still
 * read) is fixed-width. The reader turns either into the fixed-width
 * version 1 layout in memory, the one rec_decode reads at any offset.
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
#define REC_VERSION 3u        /* written: version 2's chunks, then a trailer when the recorder ends cleanly */
#define REC_VERSION_VARINT 2u /* read: varint chunks, no trailer */
#define REC_VERSION_FIXED 1u  /* read, and the layout of rec_file.ops */
#define REC_HEADER_SIZE 32u
#define REC_CHUNK_MAGIC 0x4b4e4843u /* "CHNK" little-endian */
#define REC_CHUNK_HEADER 16u
#define REC_CHUNK_MAX (64u << 20)   /* a chunk's raw size: more is a foreign file */
#define REC_FLAG_ZSTD 1u
#define REC_TRAILER_MAGIC 0x524c5254u /* "TRLR" little-endian: the block after the last chunk */
/* Version 2: a chunk's table of region descriptions holds at most this
 * many (a later one is written inline each time). */
#define REC_SHAPES_MAX 4096u

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
    uint32_t off, len;         /* a description's bytes in data */
    uint32_t hash;
    uint32_t index;            /* 1-based; 0: a free slot */
} rec_shape_slot;

typedef struct {
    unsigned char *data;
    size_t len, cap;
    bool nomem;
    uint32_t nops;
    uint32_t version;          /* REC_VERSION_FIXED, or 0 / REC_VERSION: version 2 */
    /* version 2: the chunk's deltas and table of descriptions (reset by rec_write_chunk) */
    uint64_t prev_time, prev_handle;
    rec_shape_slot *shapes;    /* open addressing, twice REC_SHAPES_MAX slots */
    uint32_t nshapes;
} rec_buf;

void rec_buf_free(rec_buf *b);
/* One journal operation each (record.c's journal callbacks). */
void rec_put_load(rec_buf *b, const snapshot *s, bool keep_marks, uint64_t time_ns);
void rec_put_sync(rec_buf *b, const snapshot *s, uint64_t time_ns);
void rec_put_record(rec_buf *b, const peak_region *r, uint64_t time_ns);
void rec_put_release(rec_buf *b, uint64_t handle, uint64_t time_ns);
void rec_put_retain(rec_buf *b, const int32_t *pids, size_t n, uint64_t time_ns);
/* An op without a body: RESET, APPROX. */
void rec_put_mark(rec_buf *b, rec_op_type type, uint64_t time_ns);

/* The header (version: REC_VERSION, or REC_VERSION_FIXED for tests of the
 * old reader) with s's devices; 0 or -1 (errno). */
int rec_write_header(FILE *f, const snapshot *s, uint64_t start_ns, uint32_t version);
/* b as one chunk (zstd at `level`, 0: stored), then b emptied. Bytes
 * written into *out (may be NULL); 0 or -1 (errno, or ENOMEM). */
int rec_write_chunk(FILE *f, rec_buf *b, int level, uint64_t *out);

/* The trailer (version 3): the marks and status of `model`, the journal's
 * replay (model/journal.h's journal_model), after nchunks chunks holding
 * nops operations; one block shaped like a chunk, zstd at `level`.
 * 0 or -1 (errno). */
int rec_write_trailer(FILE *f, const peaks *model, uint64_t nchunks, uint64_t nops, int level);

/* ---------- reading ---------- */
typedef struct {
    char path[4096];
    uint64_t start_ns;
    snapshot header;           /* the devices of the header */
    uint32_t version;          /* of the file */
    unsigned char *ops;        /* every chunk's operations, decompressed, in version 1's layout */
    size_t len, ops_cap;
    uint64_t nops, nchunks, file_bytes;
    char warning[256];         /* a cut last chunk, an ignored trailer, or "" */
    unsigned char *trailer;    /* version 3: the trailer's bytes, decompressed, or NULL */
    size_t trailer_len;
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

/* rf's trailer onto `model`, a model fed only the journal's LOADs and
 * SYNCs (so it holds the devices a replay would, in its order): each
 * device's marks and the status, as the replay computed them. Checked
 * first, before anything is written: the chunk and op counts against rf,
 * `changes` (the positions that change the model) against the status, the
 * devices against the model's (ids, grids, L1 sizes), every count against
 * the bytes left, every moment's kind and change. 0, or -1 with why
 * (the model is then part restored: the caller replays instead). */
int rec_trailer_apply(const rec_file *rf, peaks *model, uint64_t changes, char *why, size_t whylen);

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

/* A journaled region's fields (all but its ranges, process and tag) onto a
 * snapshot region of device index dev: what a LOAD state and a replayed
 * RECORD both turn into. */
static inline void rec_region_fields(snap_region *c, const peak_region *g, uint32_t dev)
{
    c->device = dev;
    c->kind = g->kind;
    c->interleaved = g->interleaved;
    c->address = g->address;
    c->size_per_core = g->size_per_core;
    c->page_size = g->page_size;
    c->total_size = g->total_size;
    c->handle = g->handle;
}

#endif
