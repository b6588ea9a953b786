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

/* ---------- writing ---------- */

void rec_buf_free(rec_buf *b)
{
    free(b->data);
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

void rec_put_u8(rec_buf *b, uint8_t v) { put(b, &v, 1); }

static void put_le(rec_buf *b, uint64_t v, size_t n)
{
    unsigned char x[8];
    for (size_t i = 0; i < n; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, n);
}

void rec_put_u32(rec_buf *b, uint32_t v) { put_le(b, v, 4); }
void rec_put_u64(rec_buf *b, uint64_t v) { put_le(b, v, 8); }

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
    rec_put_u8(b, (uint8_t)n);
    put(b, s, n);
}

void rec_put_op(rec_buf *b, rec_op_type type, uint64_t time_ns)
{
    rec_put_u8(b, (uint8_t)type);
    rec_put_u64(b, time_ns);
    b->nops++;
}

static void put_device(rec_buf *b, const snap_device *d)
{
    rec_put_u32(b, d->id);
    rec_put_u32(b, d->arch);
    put_str(b, d->arch_name, SNAP_ARCH_LEN - 1);
    rec_put_u32(b, (uint32_t)d->grid_x << 16 | d->grid_y);
    rec_put_u32(b, d->l1_size);
    rec_put_u32(b, d->l1_small_size);
    rec_put_u32(b, d->unreserved_base);
    rec_put_u32(b, d->alignment);
    rec_put_u64(b, d->dropped_records);
}

static void put_ranges(rec_buf *b, const l1top_range *r, uint32_t n)
{
    rec_put_u32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        rec_put_u32(b, (uint32_t)r[i].x0 << 16 | r[i].y0);
        rec_put_u32(b, (uint32_t)r[i].x1 << 16 | r[i].y1);
    }
}

void rec_put_region(rec_buf *b, const peak_region *r)
{
    rec_put_u64(b, r->handle);
    rec_put_u32(b, (uint32_t)r->pid);
    rec_put_u32(b, r->device);
    rec_put_u8(b, r->kind);
    rec_put_u8(b, r->interleaved);
    rec_put_u32(b, r->address);
    rec_put_u32(b, r->size_per_core);
    rec_put_u32(b, r->page_size);
    rec_put_u64(b, r->total_size);
    put_ranges(b, r->ranges, r->nranges);
    put_str(b, r->tag, SNAP_TAG_LEN - 1);
}

void rec_put_snapshot(rec_buf *b, const snapshot *s, bool with_regions)
{
    rec_put_u32(b, (uint32_t)s->ndevices);
    for (size_t i = 0; i < s->ndevices; i++)
        put_device(b, &s->devices[i]);
    rec_put_u32(b, (uint32_t)s->nprocesses);
    for (size_t i = 0; i < s->nprocesses; i++) {
        const snap_process *p = &s->processes[i];
        rec_put_u32(b, (uint32_t)p->pid);
        put_str(b, p->name, SNAP_NAME_LEN - 1);
        rec_put_u64(b, p->start_time);
        rec_put_u64(b, p->dropped_records);
    }
    if (!with_regions)
        return;
    rec_put_u32(b, (uint32_t)s->nregions);
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *r = &s->regions[i];
        peak_region pr = { r->handle, s->processes[r->process].pid, s->devices[r->device].id, r->kind,
                           r->interleaved, r->address, r->size_per_core, r->page_size, r->total_size,
                           snapshot_region_ranges(s, r), r->nranges, r->tag };
        rec_put_region(b, &pr);
    }
}

static void le_store(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

int rec_write_header(FILE *f, const snapshot *s, uint64_t start_ns)
{
    unsigned char h[REC_HEADER_SIZE] = { 0 };
    static const unsigned char magic[REC_MAGIC_LEN] = { 'L', '1', 'T', 'O', 'P', 'R', 'E', 'C' }; /* no NUL */
    memcpy(h, magic, sizeof magic);
    le_store(h + 8, REC_VERSION, 4);
    le_store(h + 12, REC_HEADER_SIZE, 4);
    le_store(h + 16, start_ns, 8);
    le_store(h + 24, REC_FLAG_ZSTD, 4);
    rec_buf b = { 0 };
    rec_put_snapshot(&b, s, false);
    int rc = -1;
    if (b.nomem)
        errno = ENOMEM;
    else if (fwrite(h, 1, sizeof h, f) == sizeof h && fwrite(b.data, 1, b.len, f) == b.len)
        rc = 0;
    rec_buf_free(&b);
    return rc;
}

int rec_write_chunk(FILE *f, rec_buf *b, int level, uint64_t *out)
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
    le_store(z, REC_CHUNK_MAGIC, 4);
    le_store(z + 4, stored, 4);
    le_store(z + 8, b->len, 4);
    le_store(z + 12, (uint32_t)(level > 0) << 31 | b->nops, 4);
    size_t n = REC_CHUNK_HEADER + stored;
    int rc = fwrite(z, 1, n, f) == n && fflush(f) == 0 ? 0 : -1;
    free(z);
    if (out)
        *out = n;
    b->len = 0;
    b->nops = 0;
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

static int get_ranges(rd *r, l1top_range **v, size_t *cap, uint32_t *n)
{
    *n = get_count(r, 8);
    if (*n && grow_array((void **)v, cap, 0, *n, sizeof **v))
        return -2;
    for (uint32_t i = 0; i < *n; i++) {
        uint32_t a = get_u32(r), b = get_u32(r);
        (*v)[i] = (l1top_range){ (uint16_t)(a >> 16), (uint16_t)a, (uint16_t)(b >> 16), (uint16_t)b };
    }
    return 0;
}

static int get_region(rd *r, rec_op *op)
{
    peak_region *g = &op->region;
    g->handle = get_u64(r);
    g->pid = (int32_t)get_u32(r);
    g->device = get_u32(r);
    g->kind = get_u8(r);
    g->interleaved = get_u8(r) != 0;
    g->address = get_u32(r);
    g->size_per_core = get_u32(r);
    g->page_size = get_u32(r);
    g->total_size = get_u64(r);
    if (get_ranges(r, &op->ranges, &op->ranges_cap, &g->nranges))
        return -2;
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
        if (get_region(r, op))
            return -2;
        const peak_region *g = &op->region;
        int dev = snapshot_device_index(s, g->device);
        if (r->bad || dev < 0)
            return -1;
        snap_region *c = snapshot_add_region(s, g->ranges, g->nranges);
        if (!c)
            return -2;
        c->device = (uint32_t)dev;
        c->process = 0; /* the caller maps region_pids to its processes */
        c->kind = g->kind;
        c->interleaved = g->interleaved;
        c->address = g->address;
        c->size_per_core = g->size_per_core;
        c->page_size = g->page_size;
        c->total_size = g->total_size;
        c->handle = g->handle;
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
        rc = get_region(&r, op);
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

/* One chunk at r->p into rf->ops. 0, -1 cut or damaged, -2 out of memory. */
static int load_chunk(rec_file *rf, rd *r)
{
    uint32_t magic = get_u32(r), stored = get_u32(r), raw = get_u32(r), nops = get_u32(r);
    if (r->bad || magic != REC_CHUNK_MAGIC || raw > REC_CHUNK_MAX || (size_t)(r->end - r->p) < stored)
        return -1;
    bool zstd = nops >> 31;
    if (grow_array((void **)&rf->ops, &rf->ops_cap, rf->len, raw + 1u, 1))
        return -2;
    if (zstd) {
        size_t n = ZSTD_decompress(rf->ops + rf->len, raw, r->p, stored);
        if (ZSTD_isError(n) || n != raw)
            return -1;
    } else {
        if (stored != raw)
            return -1;
        memcpy(rf->ops + rf->len, r->p, raw);
    }
    r->p += stored;
    rf->len += raw;
    rf->nops += nops & 0x7fffffffu;
    rf->nchunks++;
    return 0;
}

void rec_file_free(rec_file *rf)
{
    free(rf->ops);
    snapshot_free(&rf->header);
    memset(rf, 0, sizeof *rf);
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
    if (version != REC_VERSION || hsize != REC_HEADER_SIZE || (flags & ~REC_FLAG_ZSTD)) {
        snprintf(err, errlen, "%s: recording format version %u (header %u bytes, flags %#x); this l1top reads "
                 "version %u", path, version, hsize, flags, REC_VERSION);
        return REC_EBAD;
    }
    rec_op scratch = { 0 };
    int rc = get_state(&r, &scratch, &rf->header, false, NULL, NULL);
    rec_op_free(&scratch);
    if (rc == -2)
        goto nomem;
    if (rc) {
        snprintf(err, errlen, "%s: truncated or malformed device list in the header", path);
        return REC_EBAD;
    }
    while (r.p < r.end) {
        const unsigned char *at = r.p;
        rc = load_chunk(rf, &r);
        if (rc == -2)
            goto nomem;
        if (rc == 0)
            continue;
        if (!chunk_reaches_end(at, r.end)) {
            snprintf(err, errlen, "%s: damaged chunk %llu at byte %zu", path, (unsigned long long)rf->nchunks + 1,
                     (size_t)(at - data));
            return REC_EBAD;
        }
        snprintf(rf->warning, sizeof rf->warning, "%s: cut after chunk %llu (%zu of %zu bytes read): the writer "
                 "stopped mid-chunk", path, (unsigned long long)rf->nchunks, (size_t)(at - data), size);
        break;
    }
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
