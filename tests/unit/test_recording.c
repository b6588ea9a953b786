/*
 * The --record format (sources/recording_file.c) and its replay
 * (recording_source.c): a journal written as the recorder writes it (version
 * 2, and version 1 as older recorders wrote it), read back op for op, and
 * replayed to the same per-core marks as the model that made it; every
 * refusal (magic, version, header size, a malformed version 2 op) and the
 * one tolerance (a last chunk cut mid-write: a warning, the chunks before
 * it replayed).
 */
#include "helpers.h"

#include <stdlib.h>

#include "model/accounting.h"
#include "model/peaks.h"
#include "shm_format.h"
#include "sources/recording_file.h"
#include "sources/source.h"

#define T0 1700000000000000000ull
#define GX 8
#define GY 8
#define HELD_BYTES 0x20000u /* at 0x140000, clear of the spikes at 0x20000 */
#define SPIKE_A (512u << 10) /* chunk 1: core (1,2) */
#define SPIKE_B (1u << 20)   /* chunk 2: core (5,6) */
#define WRITER_PID 4242

static char path[128];
static snapshot start;
static rec_buf buf;
static uint32_t version = REC_VERSION; /* what begin_recording writes */

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/l1top-unit-rec-%d.l1rec", (int)getpid());
    snapshot_init(&start);
    t_device(&start, 0, "wormhole_b0", GX, GY);
    uint32_t p = t_process(&start, WRITER_PID, "writer");
    t_region(&start, 0, p, L1TOP_L1_BUFFER, (l1top_range){ 0, 0, GX - 1, GY - 1 }, 0x140000, HELD_BYTES, "held");
    start.regions[0].handle = 1;
    memset(&buf, 0, sizeof buf);
    version = REC_VERSION;
}

static void teardown(void)
{
    unlink(path);
    snapshot_free(&start);
    rec_buf_free(&buf);
}

TestSuite(recording, .init = setup, .fini = teardown);

/* One change applied to the live model and journaled, as record.c does. */
static void spike_record(peaks *live, uint64_t handle, uint16_t x, uint16_t y, uint32_t bytes, uint64_t t)
{
    static l1top_range core;
    core = (l1top_range){ x, y, x, y };
    peak_region r = { handle, WRITER_PID, 0, L1TOP_CIRCULAR_BUFFER, false, 0x20000, bytes, 0, 0, &core, 1, "spike" };
    cr_assert_eq(peaks_record(live, &r, t), PEAK_APPLIED);
    rec_put_record(&buf, &r, t);
}

static void spike_release(peaks *live, uint64_t handle, uint64_t t)
{
    cr_assert_eq(peaks_release(live, handle, t), PEAK_APPLIED);
    rec_put_release(&buf, handle, t);
}

/* Writes the header and two chunks (stored or zstd): the start and spike A,
 * then spike B; the live model that saw the same changes in *live. The
 * offset where chunk 2 starts in *chunk2. */
/* A live model loaded with the start state, and path opened with the
 * header and the LOAD op in buf (record.c's j_load). */
static FILE *begin_recording(peaks **live)
{
    *live = peaks_new();
    cr_assert_not_null(*live);
    cr_assert_eq(peaks_load(*live, &start, false, T0), 0);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(rec_write_header(f, &start, T0, version), 0);
    buf.version = version;
    rec_put_load(&buf, &start, false, T0);
    return f;
}

static void write_recording(int level, peaks **live, long *chunk2)
{
    FILE *f = begin_recording(live);
    spike_record(*live, 10, 1, 2, SPIKE_A, T0 + 1000);
    spike_release(*live, 10, T0 + 3000);
    cr_assert_eq(rec_write_chunk(f, &buf, level, NULL), 0);
    *chunk2 = ftell(f);
    spike_record(*live, 11, 5, 6, SPIKE_B, T0 + 5000);
    spike_release(*live, 11, T0 + 7000);
    cr_assert_eq(rec_write_chunk(f, &buf, level, NULL), 0);
    cr_assert_eq(fclose(f), 0);
}

/* The same recording, zstd, without its model: where chunk 2 starts. */
static long write_plain(void)
{
    peaks *live;
    long chunk2;
    write_recording(3, &live, &chunk2);
    peaks_free(live);
    return chunk2;
}

static unsigned char *slurp(size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *d = malloc(*n);
    cr_assert_eq(fread(d, 1, *n, f), *n);
    fclose(f);
    return d;
}

static void spit(const unsigned char *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(d, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

/* --replay path --once: the state at the peak, with the run's marks. */
static source_status replay(source_set *set, snapshot *s, char *err, size_t errlen)
{
    source_params p = { .file_source = "recording", .path = path };
    snapshot_init(s);
    source_status st = source_set_open(set, &p, err, errlen);
    return st == SRC_OK ? collect(set, s, err, errlen) : st;
}

static const peak_figures *core_marks(const peaks *p, uint16_t x, uint16_t y)
{
    const peak_device *d = peaks_device(p, 0);
    cr_assert_not_null(d);
    return &d->cores[(size_t)y * d->grid_x + x];
}

static void same_marks(const peaks *live, const peaks *replayed)
{
    for (uint16_t y = 0; y < GY; y++)
        for (uint16_t x = 0; x < GX; x++) {
            const peak_figures *a = core_marks(live, x, y), *b = core_marks(replayed, x, y);
            for (int c = 0; c < CAT_COUNT; c++)
                cr_assert_eq(a->bytes[c], b->bytes[c], "core %d-%d %s", x, y, category_key[c]);
            cr_assert_eq(a->used, b->used, "core %d-%d used", x, y);
            cr_assert_eq(a->at.seq, b->at.seq, "core %d-%d: the peak's change", x, y);
        }
    cr_assert_eq(peaks_status(live)->changes, peaks_status(replayed)->changes);
}

static void round_trip(int level)
{
    peaks *live;
    long chunk2;
    write_recording(level, &live, &chunk2);
    source_set set;
    snapshot s;
    char err[1024];
    cr_assert_eq(replay(&set, &s, err, sizeof err), SRC_OK, "%s", err);
    cr_assert_not_null(s.peaks);
    same_marks(live, s.peaks);
    cr_assert_eq(core_marks(s.peaks, 1, 2)->bytes[CAT_CIRCULAR_BUFFERS], SPIKE_A);
    cr_assert_eq(core_marks(s.peaks, 5, 6)->bytes[CAT_CIRCULAR_BUFFERS], SPIKE_B);
    cr_assert_eq(core_marks(s.peaks, 0, 0)->bytes[CAT_L1_BUFFERS], HELD_BYTES);
    cr_assert_eq(core_marks(s.peaks, 0, 0)->bytes[CAT_CIRCULAR_BUFFERS], 0);
    cr_assert_str_empty(source_set_warning(&set));
    source_set_close(&set);
    snapshot_free(&s);
    peaks_free(live);
}

Test(recording, a_journal_replays_to_the_marks_of_the_model_that_wrote_it_zstd)
{
    round_trip(3);
}

Test(recording, a_journal_replays_to_the_marks_of_the_model_that_wrote_it_stored)
{
    round_trip(0);
}

Test(recording, a_version_1_journal_still_replays_to_the_same_marks)
{
    version = REC_VERSION_FIXED;
    round_trip(3);
    version = REC_VERSION_FIXED;
    round_trip(0);
}

static void every_op_reads_back(uint32_t v)
{
    version = v;
    write_plain();
    size_t n;
    unsigned char *d = slurp(&n);
    rec_file rf;
    char err[512];
    cr_assert_eq(rec_load_memory(&rf, "mem", d, n, err, sizeof err), REC_OK, "%s", err);
    cr_assert_eq(rf.start_ns, T0);
    cr_assert_eq(rf.version, v);
    cr_assert_eq(rf.nchunks, 2);
    cr_assert_eq(rf.nops, 5);
    cr_assert_eq(rf.header.ndevices, 1);
    cr_assert_eq(rf.header.devices[0].grid_x, GX);
    static const uint8_t types[] = { REC_OP_LOAD, REC_OP_RECORD, REC_OP_RELEASE, REC_OP_RECORD, REC_OP_RELEASE };
    rec_op op = { 0 };
    snapshot st;
    snapshot_init(&st);
    int32_t *pids = NULL;
    size_t cap = 0, pos = 0;
    for (size_t i = 0; i < sizeof types; i++) {
        cr_assert_eq(rec_decode(&rf, &pos, &op, &st, &pids, &cap), 0, "op %zu", i);
        cr_assert_eq(op.type, types[i], "op %zu", i);
        if (i == 0) {
            cr_assert_eq(st.nregions, 1);
            cr_assert_eq(st.regions[0].size_per_core, HELD_BYTES);
            cr_assert_eq(pids[0], WRITER_PID);
            cr_assert_str_eq(st.processes[0].name, "writer");
        }
        if (i == 3) {
            cr_assert_eq(op.region.size_per_core, SPIKE_B);
            cr_assert_eq(op.region.ranges[0].x0, 5);
            cr_assert_eq(op.region.ranges[0].y1, 6);
            cr_assert_str_eq(op.region.tag, "spike");
            cr_assert_eq(op.time_ns, T0 + 5000);
        }
        if (i == 4)
            cr_assert_eq(op.handle, 11);
    }
    cr_assert_eq(pos, rf.len, "nothing after the last op");
    free(pids);
    rec_op_free(&op);
    snapshot_free(&st);
    rec_file_free(&rf);
    free(d);
}

Test(recording, every_op_reads_back_as_written)
{
    every_op_reads_back(REC_VERSION);
}

Test(recording, every_op_of_a_version_1_file_reads_back_as_written)
{
    every_op_reads_back(REC_VERSION_FIXED);
}

/* The file with byte `at` set to v (0: its bits flipped): refused with REC_EBAD and a line naming it. */
static void refused(size_t at, unsigned char v, const char *says)
{
    write_plain();
    size_t n;
    unsigned char *d = slurp(&n);
    d[at] = v ? v : (unsigned char)~d[at];
    spit(d, n);
    free(d);
    rec_file rf;
    char err[1024];
    cr_assert_eq(rec_load(&rf, path, err, sizeof err), REC_EBAD);
    cr_assert(strncmp(err, path, strlen(path)) == 0, "names the file: %s", err);
    cr_assert_not_null(strstr(err, says), "%s", err);
    cr_assert_null(strchr(err, '\n'), "one line");
    rec_file_free(&rf);
    source_set set;
    snapshot s;
    cr_assert_eq(replay(&set, &s, err, sizeof err), SRC_CORRUPT, "--replay: exit 65");
    snapshot_free(&s);
}

Test(recording, a_bad_magic_is_refused)
{
    refused(0, 'X', "not an l1top recording");
}

Test(recording, another_version_is_refused)
{
    refused(8, 3, "version 3");
}

Test(recording, another_header_size_is_refused)
{
    refused(12, 64, "header 64 bytes");
}

Test(recording, a_damaged_chunk_before_another_is_refused)
{
    long chunk2 = write_plain();
    refused((size_t)chunk2 - 1, 0, "damaged chunk 1"); /* chunk 1's last byte: its checksum */
}

Test(recording, a_file_cut_mid_chunk_warns_and_replays_the_chunks_before)
{
    long chunk2 = write_plain();
    size_t n;
    unsigned char *d = slurp(&n);
    spit(d, (size_t)chunk2 + (n - (size_t)chunk2) / 2);
    free(d);
    source_set set;
    snapshot s;
    char err[1024];
    cr_assert_eq(replay(&set, &s, err, sizeof err), SRC_OK, "%s", err);
    const char *w = source_set_warning(&set);
    cr_assert_not_null(strstr(w, path), "%s", w);
    cr_assert_not_null(strstr(w, "cut after chunk 1"), "%s", w);
    cr_assert_eq(core_marks(s.peaks, 1, 2)->bytes[CAT_CIRCULAR_BUFFERS], SPIKE_A, "chunk 1 replayed");
    cr_assert_eq(core_marks(s.peaks, 5, 6)->bytes[CAT_CIRCULAR_BUFFERS], 0, "chunk 2 lost");
    cr_assert_eq(peaks_status(s.peaks)->changes, 2);
    source_set_close(&set);
    snapshot_free(&s);
}

Test(recording, a_header_without_a_chunk_is_truncated)
{
    write_plain();
    size_t n;
    unsigned char *d = slurp(&n);
    rec_file rf;
    char err[512];
    cr_assert_eq(rec_load_memory(&rf, "x.rec", d, REC_HEADER_SIZE + 4, err, sizeof err), REC_EBAD);
    cr_assert_not_null(strstr(err, "x.rec: truncated"), "%s", err);
    rec_file_free(&rf);
    cr_assert_eq(rec_load_memory(&rf, "x.rec", d, 20, err, sizeof err), REC_EBAD);
    cr_assert_not_null(strstr(err, "x.rec: truncated"), "%s", err);
    rec_file_free(&rf);
    free(d);
}

/* A device no segment could declare (a damaged grid) is refused, not
 * modelled: 65535 x 65535 cores was a 16 GB model (found by fuzzing). */
Test(recording, a_device_no_segment_could_declare_is_refused)
{
    start.devices[0].grid_x = L1TOP_SHM_MAX_GRID + 1;
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(rec_write_header(f, &start, T0, REC_VERSION), 0);
    rec_put_mark(&buf, REC_OP_RESET, T0);
    cr_assert_eq(rec_write_chunk(f, &buf, 0, NULL), 0);
    cr_assert_eq(fclose(f), 0);
    rec_file rf;
    char err[1024];
    cr_assert_eq(rec_load(&rf, path, err, sizeof err), REC_EBAD);
    cr_assert_not_null(strstr(err, "malformed device list"), "%s", err);
    rec_file_free(&rf);
}

/* Past the replay's checkpoints (every 256 positions or more): any position, in
 * any order, holds the state of its change. Spike i is released after
 * spike i+1 is recorded, and every 7th is kept: a state carried across
 * every checkpoint. The expected region count and handle sum per position
 * are tallied as the journal is written. */
#define LONG_SPIKES 6000
#define LONG_POSITIONS (1 + LONG_SPIKES + (LONG_SPIKES - LONG_SPIKES / 7))

/* Every field of every region, in order. */
static uint64_t region_digest(const snapshot *s)
{
    uint64_t d = s->nregions;
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *r = &s->regions[i];
        const l1top_range *q = snapshot_region_ranges(s, r);
        d = d * 31 + r->handle;
        d = d * 31 + ((uint64_t)r->address << 32 | r->size_per_core);
        d = d * 31 + ((uint64_t)r->device << 40 | (uint64_t)r->process << 8 | r->kind);
        d = d * 31 + (q ? (uint64_t)q->x0 << 48 | (uint64_t)q->y0 << 32 | (uint64_t)q->x1 << 16 | q->y1 : 0);
        for (const char *c = r->tag; *c; c++)
            d = d * 31 + (unsigned char)*c;
    }
    return d;
}

static size_t want_n[LONG_POSITIONS];
static uint64_t want_sum[LONG_POSITIONS];

Test(recording, a_seek_anywhere_in_a_long_recording_gives_that_changes_state)
{
    peaks *live;
    FILE *f = begin_recording(&live);
    size_t pos = 0, n = 1;
    uint64_t sum = 1, t = T0;
    want_n[0] = n;
    want_sum[0] = sum;
    for (uint32_t i = 0; i < LONG_SPIKES; i++) {
        spike_record(live, 100 + i, (uint16_t)(i % GX), (uint16_t)(i / GX % GY), 0x1000 * (1 + i % 16), ++t);
        want_n[++pos] = ++n;
        want_sum[pos] = sum += 100 + i;
        if (i >= 1 && (i - 1) % 7 != 0) {
            spike_release(live, 100 + i - 1, ++t);
            want_n[++pos] = --n;
            want_sum[pos] = sum -= 100 + i - 1;
        }
        if (buf.len > 4096)
            cr_assert_eq(rec_write_chunk(f, &buf, 1, NULL), 0);
    }
    cr_assert_eq(rec_write_chunk(f, &buf, 1, NULL), 0);
    cr_assert_eq(fclose(f), 0);
    peaks_free(live);
    source_set set;
    snapshot s;
    char err[1024];
    cr_assert_eq(replay(&set, &s, err, sizeof err), SRC_OK, "%s", err);
    const timeline_ops *tl = set.ops[0]->timeline;
    void *self = set.self[0];
    size_t npos = tl->length(self);
    cr_assert_eq(npos, pos + 1);
    cr_assert_gt(npos, 2 * 4096 + 1, "many checkpoints");
    static const size_t at[] = { 11000, 1, 8191, 8192, 8193, 4095, 4096, 4097, 0,   9001, 9000,
                                 2,     4097, 4094, 8190, 255, 256, 257, 511, 512, 513, 254 };
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        size_t p = at[k] < npos ? at[k] : npos - 1;
        tl->seek(self, p);
        cr_assert_eq(collect(&set, &s, err, sizeof err), SRC_OK, "%s", err);
        uint64_t got = 0;
        for (size_t r = 0; r < s.nregions; r++)
            got += s.regions[r].handle;
        cr_assert_eq(s.nregions, want_n[p], "position %zu", p);
        cr_assert_eq(got, want_sum[p], "position %zu", p);
    }
    /* Region for region, in order, as stepping forward from the start gave
     * (a checkpoint rebuilds its regions from where each came from). */
    static uint64_t forward[LONG_POSITIONS];
    for (size_t p = 0; p < npos; p++) {
        tl->seek(self, p);
        cr_assert_eq(collect(&set, &s, err, sizeof err), SRC_OK, "%s", err);
        forward[p] = region_digest(&s);
    }
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        size_t p = at[k] < npos ? at[k] : npos - 1;
        tl->seek(self, p);
        cr_assert_eq(collect(&set, &s, err, sizeof err), SRC_OK, "%s", err);
        cr_assert_eq(region_digest(&s), forward[p], "position %zu", p);
    }
    source_set_close(&set);
    snapshot_free(&s);
}

/* ---------- version 2's encoding ---------- */

/* path holds the header and buf as one stored chunk; loaded into *rf. */
static int load_buf(rec_file *rf, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(rec_write_header(f, &start, T0, REC_VERSION), 0);
    cr_assert_eq(rec_write_chunk(f, &buf, 0, NULL), 0);
    cr_assert_eq(fclose(f), 0);
    return rec_load(rf, path, err, errlen);
}

static void next_op(const rec_file *rf, size_t *pos, rec_op *op, snapshot *st, uint8_t type, uint64_t t)
{
    static int32_t *pids;
    static size_t cap;
    cr_assert_eq(rec_decode(rf, pos, op, st, &pids, &cap), 0, "at %zu", *pos);
    cr_assert_eq(op->type, type, "at %zu", *pos);
    cr_assert_eq(op->time_ns, t, "at %zu", *pos);
    if (*pos == rf->len) {
        free(pids);
        pids = NULL;
        cap = 0;
    }
}

static void same_region(const peak_region *a, const peak_region *b)
{
    cr_assert_eq(a->handle, b->handle);
    cr_assert_eq(a->pid, b->pid);
    cr_assert_eq(a->device, b->device);
    cr_assert_eq(a->kind, b->kind);
    cr_assert_eq(a->interleaved, b->interleaved);
    cr_assert_eq(a->address, b->address);
    cr_assert_eq(a->size_per_core, b->size_per_core);
    cr_assert_eq(a->page_size, b->page_size);
    cr_assert_eq(a->total_size, b->total_size);
    cr_assert_eq(a->nranges, b->nranges);
    for (uint32_t i = 0; i < a->nranges; i++)
        cr_assert_eq(memcmp(&a->ranges[i], &b->ranges[i], sizeof a->ranges[i]), 0, "range %u", i);
    cr_assert_str_eq(a->tag, b->tag);
}

/* Every op type, times and handles going back as well as forth (deltas
 * below zero), a description written inline then by its index, extremes of
 * every field. */
Test(recording, every_op_type_of_version_2_reads_back_as_written)
{
    static const l1top_range two[] = { { 0, 0, 7, 7 }, { 65535, 1, 2, 65535 } };
    peak_region a = { 1ull << 63, -5, 0, L1TOP_L1_BUFFER, true, UINT32_MAX, 4096, 2048, UINT64_MAX, two, 2, "a" };
    peak_region b = { 7, WRITER_PID, 0, L1TOP_CIRCULAR_BUFFER, false, 0, 0, 0, 0, NULL, 0, "" };
    static const int32_t pids[] = { WRITER_PID, -1, INT32_MAX };
    buf.version = REC_VERSION;
    rec_put_load(&buf, &start, true, T0);
    rec_put_sync(&buf, &start, T0 - 5);
    rec_put_record(&buf, &a, UINT64_MAX);
    rec_put_record(&buf, &b, 3);
    rec_put_record(&buf, &a, T0); /* the same description: by index */
    rec_put_release(&buf, 7, T0 + 1);
    rec_put_release(&buf, 1ull << 63, T0 + 1);
    rec_put_retain(&buf, pids, 3, T0 + 2);
    rec_put_retain(&buf, NULL, 0, T0 + 3);
    rec_put_mark(&buf, REC_OP_RESET, T0 + 4);
    rec_put_mark(&buf, REC_OP_APPROX, T0 + 5);
    rec_file rf;
    char err[1024];
    cr_assert_eq(load_buf(&rf, err, sizeof err), REC_OK, "%s", err);
    cr_assert_eq(rf.nops, 11);
    rec_op op = { 0 };
    snapshot st;
    snapshot_init(&st);
    size_t pos = 0;
    next_op(&rf, &pos, &op, &st, REC_OP_LOAD, T0);
    cr_assert(op.keep_marks);
    cr_assert_eq(st.nregions, 1);
    cr_assert_eq(st.regions[0].size_per_core, HELD_BYTES);
    next_op(&rf, &pos, &op, &st, REC_OP_SYNC, T0 - 5);
    cr_assert_eq(st.nprocesses, 1);
    next_op(&rf, &pos, &op, &st, REC_OP_RECORD, UINT64_MAX);
    same_region(&op.region, &a);
    next_op(&rf, &pos, &op, &st, REC_OP_RECORD, 3);
    same_region(&op.region, &b);
    next_op(&rf, &pos, &op, &st, REC_OP_RECORD, T0);
    same_region(&op.region, &a);
    next_op(&rf, &pos, &op, &st, REC_OP_RELEASE, T0 + 1);
    cr_assert_eq(op.handle, 7);
    next_op(&rf, &pos, &op, &st, REC_OP_RELEASE, T0 + 1);
    cr_assert_eq(op.handle, 1ull << 63);
    next_op(&rf, &pos, &op, &st, REC_OP_RETAIN, T0 + 2);
    cr_assert_eq(op.npids, 3);
    cr_assert_eq(memcmp(op.pids, pids, sizeof pids), 0);
    next_op(&rf, &pos, &op, &st, REC_OP_RETAIN, T0 + 3);
    cr_assert_eq(op.npids, 0);
    next_op(&rf, &pos, &op, &st, REC_OP_RESET, T0 + 4);
    next_op(&rf, &pos, &op, &st, REC_OP_APPROX, T0 + 5);
    cr_assert_eq(pos, rf.len, "nothing after the last op");
    rec_op_free(&op);
    snapshot_free(&st);
    rec_file_free(&rf);
}

/* The chunk's table of descriptions fills up: later new ones are written
 * inline every time, earlier ones still by index, and both read back. */
Test(recording, descriptions_past_a_full_table_are_written_inline_and_read_back)
{
    enum { N = REC_SHAPES_MAX + 100 };
    static const l1top_range core = { 1, 1, 1, 1 };
    buf.version = REC_VERSION;
    for (uint32_t round = 0; round < 2; round++)
        for (uint32_t i = 0; i < N; i++) {
            peak_region r = { round * N + i, WRITER_PID, 0, L1TOP_CIRCULAR_BUFFER, false, 0x20000 + 16 * i, 16, 0, 0,
                              &core, 1, "cb" };
            size_t before = buf.len;
            rec_put_record(&buf, &r, T0 + i);
            if (round == 1 && i < REC_SHAPES_MAX)
                cr_assert_leq(buf.len - before, 6, "description %u: by its index", i);
        }
    rec_file rf;
    char err[1024];
    cr_assert_eq(load_buf(&rf, err, sizeof err), REC_OK, "%s", err);
    rec_op op = { 0 };
    snapshot st;
    snapshot_init(&st);
    size_t pos = 0;
    for (uint32_t round = 0; round < 2; round++)
        for (uint32_t i = 0; i < N; i++) {
            next_op(&rf, &pos, &op, &st, REC_OP_RECORD, T0 + i);
            cr_assert_eq(op.region.handle, round * N + i);
            cr_assert_eq(op.region.address, 0x20000 + 16 * i, "round %u, description %u", round, i);
        }
    cr_assert_eq(pos, rf.len);
    rec_op_free(&op);
    snapshot_free(&st);
    rec_file_free(&rf);
}

/* A version 2 chunk whose checksum holds but whose ops do not parse is a
 * malformed file (exit 65), not a cut one, even as the last chunk. */
static void malformed_v2(const unsigned char *ops, size_t n, uint32_t nops)
{
    buf.data = malloc(n);
    cr_assert_not_null(buf.data);
    memcpy(buf.data, ops, n);
    buf.len = buf.cap = n;
    buf.nops = nops;
    rec_file rf;
    char err[1024];
    cr_assert_eq(load_buf(&rf, err, sizeof err), REC_EBAD);
    cr_assert(strncmp(err, path, strlen(path)) == 0, "names the file: %s", err);
    cr_assert_not_null(strstr(err, "malformed operation in chunk 1"), "%s", err);
    cr_assert_str_empty(rf.warning);
    rec_file_free(&rf);
    source_set set;
    snapshot s;
    cr_assert_eq(replay(&set, &s, err, sizeof err), SRC_CORRUPT, "--replay: exit 65");
    snapshot_free(&s);
}

Test(recording, a_version_2_description_index_past_the_table_is_refused)
{
    static const unsigned char op[] = { REC_OP_RECORD, 2, 2, 1 }; /* index 1 of an empty table */
    malformed_v2(op, sizeof op, 1);
}

Test(recording, a_version_2_varint_past_64_bits_is_refused)
{
    static const unsigned char op[] = { REC_OP_RELEASE, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0 };
    malformed_v2(op, sizeof op, 1);
}

Test(recording, a_version_2_chunk_holding_another_count_of_ops_is_refused)
{
    static const unsigned char op[] = { REC_OP_RESET, 0, REC_OP_APPROX, 0 };
    malformed_v2(op, sizeof op, 3);
}

Test(recording, an_unknown_version_2_op_is_refused)
{
    static const unsigned char op[] = { 9, 0 };
    malformed_v2(op, sizeof op, 1);
}
