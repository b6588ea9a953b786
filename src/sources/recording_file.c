/*
 * recording_file.c - the --record file format (recording_file.h,
 * docs/recording-format.md): ops encoded little-endian into a buffer,
 * chunks compressed with zstd, and the reader that checks every byte of a
 * file someone else wrote (a bad length, an unknown op, a count past the
 * end: refused, never read past).
 */
#include "sources/recording_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "arch.h"
#include "grow.h"
#include "safe_open.h"
#include "shm_format.h"
#include "utf8.h"

/* ---------- writing ---------- */

void rec_buf_free(rec_buf *b)
{
    free(b->data);
    free(b->shapes);
    memset(b, 0, sizeof *b);
}

static void put(rec_buf *b, const void *v, size_t n)
{
    if (n == 0)
        return;
    if (b->nomem || grow_array((void **)&b->data, &b->cap, b->len, n, 1)) {
        b->nomem = true;
        return;
    }
    memcpy(b->data + b->len, v, n);
    b->len += n;
}

static void put_u8(rec_buf *b, uint8_t v) { put(b, &v, 1); }

static void put_le(rec_buf *b, uint64_t v, size_t n)
{
    unsigned char x[8];
    for (size_t i = 0; i < n; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, n);
}

static void put_u32(rec_buf *b, uint32_t v) { put_le(b, v, 4); }
static void put_u64(rec_buf *b, uint64_t v) { put_le(b, v, 8); }

/* LEB128: 7 bits a byte, low first, the high bit set on all but the last. */
static void put_varint(rec_buf *b, uint64_t v)
{
    unsigned char x[10];
    size_t n = 0;
    do {
        x[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        x[n++] |= v ? 0x80 : 0;
    } while (v);
    put(b, x, n);
}

/* A difference (mod 2^64) as a small unsigned number: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... */
static uint64_t zigzag(uint64_t d) { return d << 1 ^ (0 - (d >> 63)); }
static uint64_t unzigzag(uint64_t z) { return z >> 1 ^ (0 - (z & 1)); }

static bool fixed_width(const rec_buf *b) { return b->version == REC_VERSION_FIXED; }

/* strlen within max (strnlen is not C11). */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

static void put_str(rec_buf *b, const char *s, size_t max)
{
    size_t n = s ? bounded_len(s, max) : 0;
    put_u8(b, (uint8_t)n);
    put(b, s, n);
}

/* Type and time: version 1 the time itself, version 2 the difference from the chunk's last op. */
static void put_head(rec_buf *b, rec_op_type type, uint64_t time_ns)
{
    put_u8(b, (uint8_t)type);
    if (fixed_width(b)) {
        put_u64(b, time_ns);
    } else {
        put_varint(b, zigzag(time_ns - b->prev_time));
        b->prev_time = time_ns;
    }
    b->nops++;
}

static void put_handle(rec_buf *b, uint64_t handle)
{
    if (fixed_width(b)) {
        put_u64(b, handle);
    } else {
        put_varint(b, zigzag(handle - b->prev_handle));
        b->prev_handle = handle;
    }
}

static void put_device(rec_buf *b, const snap_device *d)
{
    put_u32(b, d->id);
    put_u32(b, d->arch);
    put_str(b, d->arch_name, SNAP_ARCH_LEN - 1);
    put_u32(b, (uint32_t)d->grid_x << 16 | d->grid_y);
    put_u32(b, d->l1_size);
    put_u32(b, d->l1_small_size);
    put_u32(b, d->unreserved_base);
    put_u32(b, d->alignment);
    put_u64(b, d->dropped_records);
}

/* v at `width` bytes (version 1's layout) or as a varint (version 2's). */
static void put_num(rec_buf *b, uint64_t v, size_t width, bool fixed)
{
    if (fixed)
        put_le(b, v, width);
    else
        put_varint(b, v);
}

/* A region: at version 1's widths (fixed; also inside every version's
 * states), or version 2's description (everything but the handle, in
 * varints, a range as four). */
static void put_region_as(rec_buf *b, const peak_region *r, bool fixed)
{
    if (fixed)
        put_u64(b, r->handle);
    put_num(b, (uint32_t)r->pid, 4, fixed);
    put_num(b, r->device, 4, fixed);
    put_u8(b, r->kind);
    put_u8(b, r->interleaved);
    put_num(b, r->address, 4, fixed);
    put_num(b, r->size_per_core, 4, fixed);
    put_num(b, r->page_size, 4, fixed);
    put_num(b, r->total_size, 8, fixed);
    put_num(b, r->nranges, 4, fixed);
    for (uint32_t i = 0; i < r->nranges; i++) {
        const l1top_range *q = &r->ranges[i];
        if (fixed) {
            put_u32(b, (uint32_t)q->x0 << 16 | q->y0);
            put_u32(b, (uint32_t)q->x1 << 16 | q->y1);
        } else {
            put_varint(b, q->x0);
            put_varint(b, q->y0);
            put_varint(b, q->x1);
            put_varint(b, q->y1);
        }
    }
    put_str(b, r->tag, SNAP_TAG_LEN - 1);
}

static uint32_t fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

#define SHAPE_SLOTS (2 * REC_SHAPES_MAX)

/* The description just written at data[at..len): its 1-based index in the
 * chunk's table, or 0 when it is new (then added, while the table has room:
 * the reader adds every inline one under the same rule, so indices agree). */
static uint32_t shape_index(rec_buf *b, size_t at)
{
    size_t len = b->len - at;
    if (!b->shapes && !(b->shapes = calloc(SHAPE_SLOTS, sizeof *b->shapes))) {
        b->nomem = true;
        return 0;
    }
    if (b->len > UINT32_MAX)
        return 0; /* past what a slot can point at: inline, and never added */
    uint32_t h = fnv1a(b->data + at, len);
    for (uint32_t i = h % SHAPE_SLOTS;; i = (i + 1) % SHAPE_SLOTS) {
        rec_shape_slot *s = &b->shapes[i];
        if (s->index == 0) {
            if (b->nshapes < REC_SHAPES_MAX)
                *s = (rec_shape_slot){ (uint32_t)at, (uint32_t)len, h, ++b->nshapes };
            return 0;
        }
        if (s->hash == h && s->len == len && memcmp(b->data + s->off, b->data + at, len) == 0)
            return s->index;
    }
}

static void put_snapshot(rec_buf *b, const snapshot *s, bool with_regions)
{
    put_u32(b, (uint32_t)s->ndevices);
    for (size_t i = 0; i < s->ndevices; i++)
        put_device(b, &s->devices[i]);
    put_u32(b, (uint32_t)s->nprocesses);
    for (size_t i = 0; i < s->nprocesses; i++) {
        const snap_process *p = &s->processes[i];
        put_u32(b, (uint32_t)p->pid);
        put_str(b, p->name, SNAP_NAME_LEN - 1);
        put_u64(b, p->start_time);
        put_u64(b, p->dropped_records);
    }
    if (!with_regions)
        return;
    put_u32(b, (uint32_t)s->nregions);
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *r = &s->regions[i];
        peak_region pr = { r->handle, s->processes[r->process].pid, s->devices[r->device].id, r->kind,
                           r->interleaved, r->address, r->size_per_core, r->page_size, r->total_size,
                           snapshot_region_ranges(s, r), r->nranges, r->tag };
        put_region_as(b, &pr, true);
    }
}

void rec_put_load(rec_buf *b, const snapshot *s, bool keep_marks, uint64_t time_ns)
{
    put_head(b, REC_OP_LOAD, time_ns);
    put_u8(b, keep_marks);
    put_snapshot(b, s, true);
}

void rec_put_sync(rec_buf *b, const snapshot *s, uint64_t time_ns)
{
    put_head(b, REC_OP_SYNC, time_ns);
    put_snapshot(b, s, false);
}

void rec_put_record(rec_buf *b, const peak_region *r, uint64_t time_ns)
{
    put_head(b, REC_OP_RECORD, time_ns);
    if (fixed_width(b)) {
        put_region_as(b, r, true);
        return;
    }
    put_handle(b, r->handle);
    size_t mark = b->len;
    put_u8(b, 0); /* index 0: the description follows */
    put_region_as(b, r, false);
    uint32_t k = b->nomem ? 0 : shape_index(b, mark + 1);
    if (k) {
        b->len = mark; /* one seen before in this chunk: its index instead */
        put_varint(b, k);
    }
}

void rec_put_release(rec_buf *b, uint64_t handle, uint64_t time_ns)
{
    put_head(b, REC_OP_RELEASE, time_ns);
    put_handle(b, handle);
}

void rec_put_retain(rec_buf *b, const int32_t *pids, size_t n, uint64_t time_ns)
{
    put_head(b, REC_OP_RETAIN, time_ns);
    put_num(b, n, 4, fixed_width(b));
    for (size_t i = 0; i < n; i++)
        put_num(b, (uint32_t)pids[i], 4, fixed_width(b));
}

void rec_put_mark(rec_buf *b, rec_op_type type, uint64_t time_ns) { put_head(b, type, time_ns); }

static void le_store(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int rec_write_header(FILE *f, const snapshot *s, uint64_t start_ns, uint32_t version)
{
    unsigned char h[REC_HEADER_SIZE] = { 0 };
    static const unsigned char magic[REC_MAGIC_LEN] = { 'L', '1', 'T', 'O', 'P', 'R', 'E', 'C' }; /* no NUL */
    memcpy(h, magic, sizeof magic);
    le_store(h + 8, version, 4);
    le_store(h + 12, REC_HEADER_SIZE, 4);
    le_store(h + 16, start_ns, 8);
    le_store(h + 24, REC_FLAG_ZSTD, 4);
    rec_buf b = { 0 };
    put_snapshot(&b, s, false);
    int rc = -1;
    if (b.nomem)
        errno = ENOMEM;
    else if (fwrite(h, 1, sizeof h, f) == sizeof h && fwrite(b.data, 1, b.len, f) == b.len)
        rc = 0;
    rec_buf_free(&b);
    return rc;
}

/* b as one block (a chunk, or the trailer): `magic`, stored and raw
 * lengths, bit 31 zstd | count, then the bytes. */
static int write_block(FILE *f, uint32_t magic, const rec_buf *b, uint32_t count, int level, uint64_t *out)
{
    if (b->nomem) {
        errno = ENOMEM;
        return -1;
    }
    size_t bound = ZSTD_compressBound(b->len);
    unsigned char *z = malloc(REC_CHUNK_HEADER + bound);
    if (!z) {
        errno = ENOMEM;
        return -1;
    }
    size_t stored = b->len;
    if (level > 0) {
        ZSTD_CCtx *cx = ZSTD_createCCtx();
        size_t r = cx ? ZSTD_CCtx_setParameter(cx, ZSTD_c_compressionLevel, level) : 1;
        if (cx && !ZSTD_isError(r))
            r = ZSTD_CCtx_setParameter(cx, ZSTD_c_checksumFlag, 1);
        if (cx && !ZSTD_isError(r))
            r = ZSTD_compress2(cx, z + REC_CHUNK_HEADER, bound, b->data, b->len);
        ZSTD_freeCCtx(cx);
        if (!cx || ZSTD_isError(r)) {
            free(z);
            errno = ENOMEM;
            return -1;
        }
        stored = r;
    } else if (b->len) {
        memcpy(z + REC_CHUNK_HEADER, b->data, b->len);
    }
    le_store(z, magic, 4);
    le_store(z + 4, stored, 4);
    le_store(z + 8, b->len, 4);
    le_store(z + 12, (uint32_t)(level > 0) << 31 | count, 4);
    size_t n = REC_CHUNK_HEADER + stored;
    int rc = fwrite(z, 1, n, f) == n && fflush(f) == 0 ? 0 : -1;
    free(z);
    if (out)
        *out = n;
    return rc;
}

int rec_write_chunk(FILE *f, rec_buf *b, int level, uint64_t *out)
{
    int rc = write_block(f, REC_CHUNK_MAGIC, b, b->nops, level, out);
    if (rc && b->nomem)
        return rc;
    b->len = 0;
    b->nops = 0;
    b->prev_time = b->prev_handle = 0; /* a chunk decodes on its own */
    b->nshapes = 0;
    if (b->shapes)
        memset(b->shapes, 0, SHAPE_SLOTS * sizeof *b->shapes);
    return rc;
}

/* ---------- the trailer (version 3) ---------- */

static void put_moment(rec_buf *b, const peak_moment *m)
{
    put_varint(b, m->seq);
    put_varint(b, m->time_ns);
    put_varint(b, (uint32_t)m->pid);
    put_u8(b, m->kind);
    put_str(b, m->tag, SNAP_TAG_LEN - 1);
}

static void put_figures(rec_buf *b, const peak_figures *f)
{
    for (int k = 0; k < CAT_COUNT; k++)
        put_varint(b, f->bytes[k]);
    put_varint(b, f->used);
    put_varint(b, f->tracked);
    put_varint(b, f->untracked);
    put_varint(b, f->clash_bytes);
    put_moment(b, &f->at);
    put_moment(b, &f->clash_at);
}

static void put_now(rec_buf *b, const peak_now *n)
{
    for (int k = 0; k < CAT_COUNT; k++)
        put_varint(b, n->bytes[k]);
    put_varint(b, n->clash_bytes);
}

int rec_write_trailer(FILE *f, const peaks *model, uint64_t nchunks, uint64_t nops, int level)
{
    rec_buf b = { 0 };
    const peak_status *st = peaks_status(model);
    put_varint(&b, nchunks);
    put_varint(&b, nops);
    put_varint(&b, st->since_ns);
    put_varint(&b, st->since_seq);
    put_varint(&b, st->changes);
    put_u8(&b, st->approximate);
    put_varint(&b, st->approximate_since_ns);
    put_varint(&b, st->lost);
    put_varint(&b, st->unlogged);
    put_varint(&b, st->late);
    put_varint(&b, st->bad);
    put_varint(&b, st->resyncs);
    put_varint(&b, peaks_ndevices(model));
    for (size_t i = 0; i < peaks_ndevices(model); i++) {
        const peak_device *d = peaks_device_at(model, i);
        put_varint(&b, d->id);
        put_varint(&b, d->grid_x);
        put_varint(&b, d->grid_y);
        put_varint(&b, d->l1_size);
        put_figures(&b, &d->total);
        for (uint32_t c = 0; c < d->ncores; c++) {
            put_figures(&b, &d->cores[c]);
            put_now(&b, &d->now[c]);
        }
    }
    int rc = write_block(f, REC_TRAILER_MAGIC, &b, 0, level, NULL);
    rec_buf_free(&b);
    return rc;
}

/* ---------- reading ---------- */

typedef struct {
    const unsigned char *p, *end;
    bool bad;
} rd;

static uint64_t get_le(rd *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return v;
}

static uint8_t get_u8(rd *r) { return (uint8_t)get_le(r, 1); }
static uint32_t get_u32(rd *r) { return (uint32_t)get_le(r, 4); }
static uint64_t get_u64(rd *r) { return get_le(r, 8); }

static uint64_t get_varint(rd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && !r->bad && r->p < r->end; shift += 7) {
        unsigned char c = *r->p++;
        if (shift == 63 && c > 1)
            break; /* past 64 bits */
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

static uint32_t get_var32(rd *r)
{
    uint64_t v = get_varint(r);
    if (v > UINT32_MAX)
        r->bad = true;
    return r->bad ? 0 : (uint32_t)v;
}

static void get_str(rd *r, char *dst, size_t cap)
{
    size_t n = get_u8(r);
    if (r->bad || n >= cap || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        dst[0] = '\0';
        return;
    }
    memcpy(dst, r->p, n);
    dst[n] = '\0';
    r->p += n;
}

/* A geometry the segment itself would accept (shm_reader.c): a grid of
 * 2^32 cores in a damaged file must not become a 16 GB model. */
static bool device_sane(const snap_device *d)
{
    return arch_by_id(d->arch) && d->grid_x >= 1 && d->grid_y >= 1 && d->grid_x <= L1TOP_SHM_MAX_GRID &&
           d->grid_y <= L1TOP_SHM_MAX_GRID && d->l1_size > 0 && d->l1_size <= L1TOP_SHM_MAX_L1_SIZE &&
           d->unreserved_base < d->l1_size && d->l1_small_size <= d->l1_size - d->unreserved_base &&
           d->alignment >= 1 && d->alignment <= 4096;
}

static void get_device(rd *r, snap_device *d)
{
    d->id = get_u32(r);
    d->arch = get_u32(r);
    get_str(r, d->arch_name, sizeof d->arch_name);
    uint32_t g = get_u32(r);
    d->grid_x = (uint16_t)(g >> 16);
    d->grid_y = (uint16_t)g;
    d->l1_size = get_u32(r);
    d->l1_small_size = get_u32(r);
    d->unreserved_base = get_u32(r);
    d->alignment = get_u32(r);
    d->dropped_records = get_u64(r);
    if (!device_sane(d))
        r->bad = true;
}

/* A count of items at least `each` bytes long: more than the bytes left is malformed. */
static uint32_t get_count(rd *r, size_t each)
{
    uint32_t n = get_u32(r);
    if (!r->bad && (size_t)(r->end - r->p) / each < n)
        r->bad = true;
    return r->bad ? 0 : n;
}

/* A count of items at least `each` bytes long, as a varint (version 2). */
static uint32_t get_var_count(rd *r, size_t each)
{
    uint32_t n = get_var32(r);
    if (!r->bad && (size_t)(r->end - r->p) / each < n)
        r->bad = true;
    return r->bad ? 0 : n;
}

static uint16_t get_var16(rd *r)
{
    uint32_t v = get_var32(r);
    if (v > UINT16_MAX)
        r->bad = true;
    return (uint16_t)v;
}

static uint32_t get_num32(rd *r, bool fixed) { return fixed ? get_u32(r) : get_var32(r); }

/* A region as put_region_as wrote it (fixed: version 1's, with its handle;
 * else version 2's description) into op->region. 0 or -2. */
static int get_region_as(rd *r, rec_op *op, bool fixed)
{
    peak_region *g = &op->region;
    if (fixed)
        g->handle = get_u64(r);
    g->pid = (int32_t)get_num32(r, fixed);
    g->device = get_num32(r, fixed);
    g->kind = get_u8(r);
    g->interleaved = get_u8(r) != 0;
    g->address = get_num32(r, fixed);
    g->size_per_core = get_num32(r, fixed);
    g->page_size = get_num32(r, fixed);
    g->total_size = fixed ? get_u64(r) : get_varint(r);
    g->nranges = fixed ? get_count(r, 8) : get_var_count(r, 4);
    if (g->nranges && grow_array((void **)&op->ranges, &op->ranges_cap, 0, g->nranges, sizeof *op->ranges))
        return -2;
    for (uint32_t i = 0; i < g->nranges; i++) {
        l1top_range *q = &op->ranges[i];
        if (fixed) {
            uint32_t lo = get_u32(r), hi = get_u32(r);
            *q = (l1top_range){ (uint16_t)(lo >> 16), (uint16_t)lo, (uint16_t)(hi >> 16), (uint16_t)hi };
        } else {
            q->x0 = get_var16(r);
            q->y0 = get_var16(r);
            q->x1 = get_var16(r);
            q->y1 = get_var16(r);
        }
    }
    g->ranges = g->nranges ? op->ranges : NULL;
    get_str(r, op->tag, sizeof op->tag);
    g->tag = op->tag;
    return 0;
}

static int get_state(rd *r, rec_op *op, snapshot *s, bool with_regions, int32_t **rpids, size_t *rpids_cap)
{
    snapshot_reset(s);
    uint32_t nd = get_count(r, 30);
    for (uint32_t i = 0; i < nd && !r->bad; i++) {
        snap_device *d = snapshot_add_device(s);
        if (!d)
            return -2;
        get_device(r, d);
    }
    uint32_t np = get_count(r, 21);
    for (uint32_t i = 0; i < np && !r->bad; i++) {
        snap_process *p = snapshot_add_process(s);
        if (!p)
            return -2;
        p->pid = (int32_t)get_u32(r);
        get_str(r, p->name, sizeof p->name);
        p->start_time = get_u64(r);
        p->dropped_records = get_u64(r);
    }
    if (!with_regions)
        return r->bad ? -1 : 0;
    uint32_t nr = get_count(r, 46);
    if (nr && grow_array((void **)rpids, rpids_cap, 0, nr, sizeof **rpids))
        return -2;
    for (uint32_t i = 0; i < nr && !r->bad; i++) {
        if (get_region_as(r, op, true))
            return -2;
        const peak_region *g = &op->region;
        int dev = snapshot_device_index(s, g->device);
        if (r->bad || dev < 0)
            return -1;
        snap_region *c = snapshot_add_region(s, g->ranges, g->nranges);
        if (!c)
            return -2;
        rec_region_fields(c, g, (uint32_t)dev);
        c->process = 0; /* the caller maps region_pids to its processes */
        memcpy(c->tag, op->tag, sizeof c->tag);
        (*rpids)[i] = g->pid;
    }
    return r->bad ? -1 : 0;
}

int rec_decode(const rec_file *rf, size_t *pos, rec_op *op, snapshot *state, int32_t **region_pids,
               size_t *region_pids_cap)
{
    rd r = { rf->ops + *pos, rf->ops + rf->len, false };
    op->type = get_u8(&r);
    op->time_ns = get_u64(&r);
    int rc = 0;
    switch (op->type) {
    case REC_OP_LOAD:
        op->keep_marks = get_u8(&r) != 0;
        rc = get_state(&r, op, state, true, region_pids, region_pids_cap);
        break;
    case REC_OP_KEYFRAME:
        rc = get_state(&r, op, state, true, region_pids, region_pids_cap);
        break;
    case REC_OP_SYNC:
        rc = get_state(&r, op, state, false, region_pids, region_pids_cap);
        break;
    case REC_OP_RECORD:
        rc = get_region_as(&r, op, true);
        break;
    case REC_OP_RELEASE:
        op->handle = get_u64(&r);
        break;
    case REC_OP_RETAIN:
        op->npids = get_count(&r, 4);
        if (op->npids && grow_array((void **)&op->pids, &op->pids_cap, 0, op->npids, sizeof *op->pids))
            return -2;
        for (size_t i = 0; i < op->npids; i++)
            op->pids[i] = (int32_t)get_u32(&r);
        break;
    case REC_OP_RESET:
    case REC_OP_APPROX:
        break;
    default:
        return -1;
    }
    if (rc)
        return rc;
    if (r.bad)
        return -1;
    *pos = (size_t)(r.p - rf->ops);
    return 0;
}

void rec_op_free(rec_op *op)
{
    free(op->ranges);
    free(op->pids);
    memset(op, 0, sizeof *op);
}

bool rec_sniff(const char *path)
{
    char why[256], m[REC_MAGIC_LEN];
    FILE *f = safe_fopen_regular(path, 0, why, sizeof why); /* a FIFO would block: not sniffed */
    bool yes = f && fread(m, 1, sizeof m, f) == sizeof m && memcmp(m, REC_MAGIC, REC_MAGIC_LEN) == 0;
    if (f)
        fclose(f);
    return yes;
}

/* What reading a version 2 file keeps between chunks (buffers only: every
 * chunk starts its deltas and its table of descriptions afresh). */
typedef struct {
    unsigned char *raw;        /* the chunk, decompressed */
    size_t raw_cap;
    size_t *shape;             /* offsets in raw of the chunk's descriptions */
    rec_op op;
    snapshot state;
    int32_t *pids;
    size_t pids_cap;
} v2_reader;

static void v2_reader_free(v2_reader *v)
{
    free(v->raw);
    free(v->shape);
    rec_op_free(&v->op);
    snapshot_free(&v->state);
    free(v->pids);
}

/* A RECORD's description: inline (added to the table while it has room) or
 * by its 1-based index. 0, -1 malformed, -2 out of memory. */
static int v2_shape(v2_reader *v, rd *r, size_t *nshape)
{
    uint64_t k = get_varint(r);
    if (r->bad || k > *nshape)
        return -1;
    if (k == 0) {
        if (*nshape < REC_SHAPES_MAX)
            v->shape[(*nshape)++] = (size_t)(r->p - v->raw);
        return get_region_as(r, &v->op, false);
    }
    rd at = { v->raw + v->shape[k - 1], r->end, false };
    int rc = get_region_as(&at, &v->op, false);
    return rc ? rc : at.bad ? -1 : 0;
}

/* One version 2 op at r into out (version 1's layout). 0, -1, -2. */
static int v2_op(v2_reader *v, rd *r, rec_buf *out, uint64_t *time, uint64_t *handle, size_t *nshape)
{
    rec_op *op = &v->op;
    uint8_t type = get_u8(r);
    *time += unzigzag(get_varint(r));
    const unsigned char *body = r->p;
    int rc = 0;
    switch (type) {
    case REC_OP_LOAD:
    case REC_OP_SYNC:
    case REC_OP_KEYFRAME: /* states are fixed-width in every version: checked, then copied */
        if (type == REC_OP_LOAD)
            get_u8(r);
        rc = get_state(r, op, &v->state, type != REC_OP_SYNC, &v->pids, &v->pids_cap);
        if (rc == 0 && !r->bad) {
            put_head(out, (rec_op_type)type, *time);
            put(out, body, (size_t)(r->p - body));
        }
        break;
    case REC_OP_RECORD:
        *handle += unzigzag(get_varint(r));
        rc = v2_shape(v, r, nshape);
        op->region.handle = *handle;
        if (rc == 0 && !r->bad)
            rec_put_record(out, &op->region, *time);
        break;
    case REC_OP_RELEASE:
        *handle += unzigzag(get_varint(r));
        rec_put_release(out, *handle, *time);
        break;
    case REC_OP_RETAIN:
        op->npids = get_var_count(r, 1);
        if (op->npids && grow_array((void **)&op->pids, &op->pids_cap, 0, op->npids, sizeof *op->pids))
            return -2;
        for (size_t i = 0; i < op->npids; i++)
            op->pids[i] = (int32_t)get_var32(r);
        rec_put_retain(out, op->pids, op->npids, *time);
        break;
    case REC_OP_RESET:
    case REC_OP_APPROX:
        rec_put_mark(out, (rec_op_type)type, *time);
        break;
    default:
        return -1;
    }
    if (rc)
        return rc;
    return out->nomem ? -2 : r->bad ? -1 : 0;
}

/* v->raw[0..len), nops ops of version 2, appended to rf->ops in version 1's
 * layout. 0, -1 malformed (or expanding past REC_CHUNK_MAX), -2 out of memory. */
static int v2_chunk(rec_file *rf, v2_reader *v, size_t len, uint32_t nops)
{
    if (!v->shape && !(v->shape = malloc(REC_SHAPES_MAX * sizeof *v->shape)))
        return -2;
    rec_buf out = { .data = rf->ops, .len = rf->len, .cap = rf->ops_cap, .version = REC_VERSION_FIXED };
    rd r = { v->raw, v->raw + len, false };
    uint64_t time = 0, handle = 0;
    size_t nshape = 0, start = rf->len;
    int rc = 0;
    while (rc == 0 && r.p < r.end) {
        rc = v2_op(v, &r, &out, &time, &handle, &nshape);
        if (rc == 0 && out.len - start > REC_CHUNK_MAX)
            rc = -1; /* a table entry referred to without end: no recorder writes that */
    }
    if (rc == 0 && out.nops != nops)
        rc = -1;
    rf->ops = out.data;
    rf->ops_cap = out.cap;
    if (rc == 0)
        rf->len = out.len;
    return rc;
}

/* One chunk at r->p into rf->ops (v: a version 2 file's reader, else NULL).
 * 0, -1 cut or damaged, -2 out of memory, -3 malformed operations. */
static int load_chunk(rec_file *rf, rd *r, v2_reader *v)
{
    uint32_t magic = get_u32(r), stored = get_u32(r), raw = get_u32(r), nops = get_u32(r);
    if (r->bad || magic != REC_CHUNK_MAGIC || raw > REC_CHUNK_MAX || (size_t)(r->end - r->p) < stored)
        return -1;
    bool zstd = nops >> 31;
    nops &= 0x7fffffffu;
    unsigned char *dst;
    if (v) {
        if (grow_array((void **)&v->raw, &v->raw_cap, 0, raw + 1u, 1))
            return -2;
        dst = v->raw;
    } else {
        if (grow_array((void **)&rf->ops, &rf->ops_cap, rf->len, raw + 1u, 1))
            return -2;
        dst = rf->ops + rf->len;
    }
    if (zstd) {
        size_t n = ZSTD_decompress(dst, raw, r->p, stored);
        if (ZSTD_isError(n) || n != raw)
            return -1;
    } else {
        if (stored != raw)
            return -1;
        memcpy(dst, r->p, raw);
    }
    if (v) {
        int rc = v2_chunk(rf, v, raw, nops);
        if (rc)
            return rc == -1 ? -3 : rc;
    } else {
        rf->len += raw;
    }
    r->p += stored;
    rf->nops += nops;
    rf->nchunks++;
    return 0;
}

void rec_file_free(rec_file *rf)
{
    free(rf->ops);
    free(rf->trailer);
    snapshot_free(&rf->header);
    memset(rf, 0, sizeof *rf);
}

static void warn(rec_file *rf, const char *what, size_t at)
{
    if (!rf->warning[0])
        snprintf(rf->warning, sizeof rf->warning, "%.120s: %s at byte %zu: ignored, opened by replaying the journal",
                 rf->path, what, at);
}

/* The trailer block at r->p (its magic checked) into rf->trailer; r moves
 * past it. One that is cut or damaged is dropped with a warning: the
 * chunks before it are whole, and they are the recording. */
static void load_trailer(rec_file *rf, rd *r, size_t at)
{
    uint32_t magic = get_u32(r), stored = get_u32(r), raw = get_u32(r), flags = get_u32(r);
    (void)magic;
    if (r->bad || (size_t)(r->end - r->p) < stored) {
        warn(rf, "the trailer is cut", at);
        r->p = r->end;
        return;
    }
    const unsigned char *body = r->p;
    r->p += stored;
    bool zstd = flags >> 31;
    if (raw > REC_CHUNK_MAX || (!zstd && stored != raw) || !(rf->trailer = malloc(raw ? raw : 1))) {
        warn(rf, "the trailer is too large or out of memory", at);
        return;
    }
    size_t n = zstd ? ZSTD_decompress(rf->trailer, raw, body, stored) : raw;
    if (!zstd && raw)
        memcpy(rf->trailer, body, raw);
    if (ZSTD_isError(n) || n != raw) {
        free(rf->trailer);
        rf->trailer = NULL;
        warn(rf, "the trailer is damaged", at);
        return;
    }
    rf->trailer_len = raw;
}

/* The smallest a core takes in the trailer (33 bytes): its marks (13 varints, two
 * moments of 3 varints, a kind and a tag length) and its figures now. */
#define TRAILER_CORE_MIN ((CAT_COUNT + 4u + 2u * 5u) + (CAT_COUNT + 1u))

static bool get_moment(rd *r, peak_moment *m, uint64_t changes)
{
    char tag[SNAP_TAG_LEN];
    m->seq = get_varint(r);
    m->time_ns = get_varint(r);
    m->pid = (int32_t)get_var32(r);
    m->kind = get_u8(r);
    get_str(r, tag, sizeof tag);
    utf8_copy(m->tag, sizeof m->tag, tag); /* the model's rule for a tag it keeps */
    return !r->bad && m->seq <= changes && m->kind <= CAT_RECORDED;
}

/* Marks and figures now of one core (limit: its L1) or of a device's sums. */
static bool get_figures(rd *r, peak_figures *f, uint64_t limit, uint64_t changes)
{
    bool ok = true;
    for (int k = 0; k < CAT_COUNT; k++)
        ok &= (f->bytes[k] = get_varint(r)) <= limit;
    ok &= (f->used = get_varint(r)) <= limit;
    ok &= (f->tracked = get_varint(r)) <= limit;
    ok &= (f->untracked = get_varint(r)) <= limit;
    ok &= (f->clash_bytes = get_varint(r)) <= limit;
    ok &= get_moment(r, &f->at, changes);
    ok &= get_moment(r, &f->clash_at, changes);
    return ok && !r->bad;
}

static bool get_now(rd *r, peak_now *n, uint64_t limit)
{
    bool ok = true;
    for (int k = 0; k < CAT_COUNT; k++)
        ok &= (n->bytes[k] = get_varint(r)) <= limit;
    ok &= (n->clash_bytes = get_varint(r)) <= limit;
    return ok && !r->bad;
}

/* The trailer's devices: checked against the model's (apply false), or
 * restored into it (apply true, after a check passed). 0 or -1 with why. */
static int trailer_devices(rd *r, peaks *model, uint64_t changes, bool apply, char *why, size_t whylen)
{
    uint64_t nd = get_varint(r);
    if (r->bad || nd != peaks_ndevices(model)) {
        snprintf(why, whylen, "the trailer names %llu devices, the journal %zu", (unsigned long long)nd,
                 peaks_ndevices(model));
        return -1;
    }
    for (size_t i = 0; i < nd; i++) {
        const peak_device *d = peaks_device_at(model, i);
        uint64_t id = get_varint(r), gx = get_varint(r), gy = get_varint(r), l1 = get_varint(r);
        if (r->bad || id != d->id || gx != d->grid_x || gy != d->grid_y || l1 != d->l1_size
            || (size_t)(r->end - r->p) / TRAILER_CORE_MIN < d->ncores) {
            snprintf(why, whylen, "the trailer's device %zu (id %llu, %llux%llu, L1 %llu, its cores' bytes) does not "
                     "match the journal's device %u", i, (unsigned long long)id, (unsigned long long)gx,
                     (unsigned long long)gy, (unsigned long long)l1, d->id);
            return -1;
        }
        peak_figures total, f;
        peak_now now;
        bool ok = get_figures(r, &total, (uint64_t)d->l1_size * d->ncores, changes);
        for (uint32_t c = 0; c < d->ncores && ok; c++) {
            ok = get_figures(r, &f, d->l1_size, changes) && get_now(r, &now, d->l1_size);
            if (ok && apply)
                peaks_restore(model, i, c, &f, &now);
        }
        if (!ok) {
            snprintf(why, whylen, "the trailer's marks of device %u are malformed or past its L1", d->id);
            return -1;
        }
        if (apply)
            peaks_restore(model, i, PEAKS_DEVICE_SUMS, &total, NULL);
    }
    if (r->p != r->end) {
        snprintf(why, whylen, "%zu bytes after the trailer's last device", (size_t)(r->end - r->p));
        return -1;
    }
    return 0;
}

int rec_trailer_apply(const rec_file *rf, peaks *model, uint64_t changes, char *why, size_t whylen)
{
    if (!rf->trailer) {
        snprintf(why, whylen, "no trailer");
        return -1;
    }
    rd r = { rf->trailer, rf->trailer + rf->trailer_len, false };
    uint64_t nchunks = get_varint(&r), nops = get_varint(&r);
    peak_status st = { 0 };
    st.since_ns = get_varint(&r);
    st.since_seq = get_varint(&r);
    st.changes = get_varint(&r);
    uint8_t approx = get_u8(&r);
    st.approximate = approx != 0;
    st.approximate_since_ns = get_varint(&r);
    st.lost = get_varint(&r);
    st.unlogged = get_varint(&r);
    st.late = get_varint(&r);
    st.bad = get_varint(&r);
    st.resyncs = get_varint(&r);
    if (r.bad || nchunks != rf->nchunks || nops != rf->nops || st.changes != changes || st.since_seq > changes
        || approx > 1) {
        snprintf(why, whylen, "the trailer counts %llu chunks, %llu operations, %llu changes; the journal holds "
                 "%llu, %llu, %llu", (unsigned long long)nchunks, (unsigned long long)nops,
                 (unsigned long long)st.changes, (unsigned long long)rf->nchunks, (unsigned long long)rf->nops,
                 (unsigned long long)changes);
        return -1;
    }
    const unsigned char *devices = r.p;
    if (trailer_devices(&r, model, changes, false, why, whylen))
        return -1;
    r = (rd){ devices, rf->trailer + rf->trailer_len, false };
    trailer_devices(&r, model, changes, true, why, whylen); /* checked above: cannot fail */
    *peaks_status_mut(model) = st;
    return 0;
}

/* Whether the chunk at p (a failure) runs to the end of the file: a writer
 * killed while writing it, rather than a damaged file. */
static bool chunk_reaches_end(const unsigned char *p, const unsigned char *end)
{
    if ((size_t)(end - p) < REC_CHUNK_HEADER)
        return true;
    uint32_t stored = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    return (size_t)(end - p) - REC_CHUNK_HEADER <= stored;
}

int rec_load_memory(rec_file *rf, const char *path, const unsigned char *data, size_t size, char *err,
                    size_t errlen)
{
    memset(rf, 0, sizeof *rf);
    snapshot_init(&rf->header);
    snprintf(rf->path, sizeof rf->path, "%s", path);
    rf->file_bytes = size;
    rd r = { data, data + size, false };
    if (size < REC_MAGIC_LEN || memcmp(data, REC_MAGIC, REC_MAGIC_LEN) != 0) {
        snprintf(err, errlen, "%s: not an l1top recording (no %s magic)", path, REC_MAGIC);
        return REC_EBAD;
    }
    r.p += REC_MAGIC_LEN;
    uint32_t version = get_u32(&r), hsize = get_u32(&r);
    rf->start_ns = get_u64(&r);
    uint32_t flags = get_u32(&r);
    get_u32(&r);
    if (r.bad) {
        snprintf(err, errlen, "%s: truncated: %zu bytes, the header is %u", path, size, REC_HEADER_SIZE);
        return REC_EBAD;
    }
    if (version < REC_VERSION_FIXED || version > REC_VERSION || hsize != REC_HEADER_SIZE
        || (flags & ~REC_FLAG_ZSTD)) {
        snprintf(err, errlen, "%s: recording format version %u (header %u bytes, flags %#x); this l1top reads "
                 "versions %u to %u", path, version, hsize, flags, REC_VERSION_FIXED, REC_VERSION);
        return REC_EBAD;
    }
    rf->version = version;
    rec_op scratch = { 0 };
    int rc = get_state(&r, &scratch, &rf->header, false, NULL, NULL);
    rec_op_free(&scratch);
    if (rc == -2)
        goto nomem;
    if (rc) {
        snprintf(err, errlen, "%s: truncated or malformed device list in the header", path);
        return REC_EBAD;
    }
    v2_reader v2 = { 0 };
    snapshot_init(&v2.state);
    rc = 0;
    while (rc == 0 && r.p < r.end) {
        const unsigned char *at = r.p;
        if (rf->trailer) { /* more after the trailer: it does not cover them */
            free(rf->trailer);
            rf->trailer = NULL;
            warn(rf, "the trailer is not at the end", (size_t)(at - data));
        }
        if (version == REC_VERSION && (size_t)(r.end - r.p) >= 4 && at[0] == 'T' && at[1] == 'R' && at[2] == 'L'
            && at[3] == 'R') {
            load_trailer(rf, &r, (size_t)(at - data));
            continue;
        }
        rc = load_chunk(rf, &r, version != REC_VERSION_FIXED ? &v2 : NULL);
        if (rc == 0 || rc == -2)
            continue;
        if (rc == -3) {
            snprintf(err, errlen, "%s: malformed operation in chunk %llu at byte %zu", path,
                     (unsigned long long)rf->nchunks + 1, (size_t)(at - data));
            break;
        }
        if (!chunk_reaches_end(at, r.end)) {
            snprintf(err, errlen, "%s: damaged chunk %llu at byte %zu", path, (unsigned long long)rf->nchunks + 1,
                     (size_t)(at - data));
            break;
        }
        snprintf(rf->warning, sizeof rf->warning, "%s: cut after chunk %llu (%zu of %zu bytes read): the writer "
                 "stopped mid-chunk", path, (unsigned long long)rf->nchunks, (size_t)(at - data), size);
        rc = 0;
        break;
    }
    v2_reader_free(&v2);
    if (rc == -2)
        goto nomem;
    if (rc)
        return REC_EBAD;
    if (rf->nchunks == 0) {
        snprintf(err, errlen, "%s: truncated: no complete chunk", path);
        return REC_EBAD;
    }
    return REC_OK;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
    return REC_EIO;
}

int rec_load(rec_file *rf, const char *path, char *err, size_t errlen)
{
    memset(rf, 0, sizeof *rf);
    snapshot_init(&rf->header);
    char why[512];
    FILE *f = safe_fopen_regular(path, 0, why, sizeof why);
    if (!f) {
        snprintf(err, errlen, "%s", why);
        return errno == ENOENT ? REC_ENOINPUT : REC_EIO;
    }
    unsigned char *data = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (grow_array((void **)&data, &cap, len, 1 << 16, 1)) {
            fclose(f);
            free(data);
            snprintf(err, errlen, "%s: out of memory", path);
            return REC_EIO;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(data);
        snprintf(err, errlen, "%s: read error", path);
        return REC_EIO;
    }
    snapshot_free(&rf->header);
    int rc = rec_load_memory(rf, path, data, len, err, errlen);
    free(data);
    return rc;
}
