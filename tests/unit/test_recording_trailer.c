/*
 * The recording's trailer (version 3, recording_file.c, recording_source.c):
 * a journal of every op type written as record.c writes it (each change
 * to the file and to a model replaying the journal, whose marks end as the
 * trailer) opens from the trailer to exactly what replaying it gives: the
 * marks and moments of every core and device, the status, the timeline's
 * length, peak and labels. A trailer that does not fit the journal (counts,
 * devices, a moment of no kind, bytes past its devices, damaged, cut, not
 * last) is ignored with a warning naming it, and the journal is replayed:
 * the trailer is a cache of what the journal says, so a bad one must not
 * cost the recording (docs/recording-format.md).
 */
#include "helpers.h"

#include <stdlib.h>
#include <unistd.h>

#include "model/accounting.h"
#include "model/journal.h"
#include "model/peaks.h"
#include "sources/recording_file.h"
#include "sources/source.h"

#define T0 1700000000000000000ull
#define PID_A 4242
#define PID_B 4343

static char path[128];
static snapshot start, more;
static rec_buf buf;
static journal_model marks;
static peaks_journal replay;
static uint64_t nops, nchunks;

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/l1top-unit-trailer-%d.l1rec", (int)getpid());
    snapshot_init(&start);
    snapshot_init(&more);
    t_device(&start, 0, "wormhole_b0", 8, 8);
    uint32_t a = t_process(&start, PID_A, "writer a");
    t_process(&start, PID_B, "writer b");
    t_region(&start, 0, a, L1TOP_L1_BUFFER, (l1top_range){ 0, 0, 7, 7 }, 0x140000, 0x20000, "held")->handle = 1;
    t_device(&more, 0, "wormhole_b0", 8, 8);
    t_device(&more, 1, "blackhole", 14, 10);
    t_process(&more, PID_A, "writer a");
    t_process(&more, PID_B, "writer b");
    memset(&buf, 0, sizeof buf);
    marks = (journal_model){ peaks_new(), false };
    cr_assert_not_null(marks.model);
    replay = journal_model_callbacks(&marks);
    nops = nchunks = 0;
}

static void teardown(void)
{
    unlink(path);
    snapshot_free(&start);
    snapshot_free(&more);
    rec_buf_free(&buf);
    peaks_free(marks.model);
}

TestSuite(trailer, .init = setup, .fini = teardown);

/* ---------- a journal, as record.c writes it ---------- */

static void cb(uint64_t handle, int32_t pid, uint32_t dev, uint16_t x, uint16_t y, uint32_t bytes, const char *tag,
               uint64_t t)
{
    static l1top_range core;
    core = (l1top_range){ x, y, x, y };
    peak_region r = { handle, pid, dev, L1TOP_CIRCULAR_BUFFER, false, 0x20000, bytes, 0, 0, &core, 1, tag };
    rec_put_record(&buf, &r, t);
    replay.record(&marks, &r, t);
}

static void release(uint64_t handle, uint64_t t)
{
    rec_put_release(&buf, handle, t);
    replay.release(&marks, handle, t);
}

static void chunk(FILE *f)
{
    nops += buf.nops;
    nchunks++;
    cr_assert_eq(rec_write_chunk(f, &buf, 3, NULL), 0);
}

/* Every op type over three chunks: a start, spikes, a second device, a
 * writer gone, a reset of the marks, a resync (approximate from there). */
static FILE *write_journal(void)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(rec_write_header(f, &start, T0, REC_VERSION), 0);
    rec_put_load(&buf, &start, false, T0);
    replay.load(&marks, &start, false, T0);
    cb(10, PID_A, 0, 1, 2, 512u << 10, "matmul", T0 + 1000);
    release(10, T0 + 2000);
    chunk(f);
    rec_put_sync(&buf, &more, T0 + 3000);
    replay.sync(&marks, &more, T0 + 3000);
    cb(11, PID_B, 1, 13, 9, 1u << 20, "conv2d", T0 + 4000);
    cb(12, PID_A, 0, 5, 6, 768u << 10, "softmax", T0 + 5000);
    int32_t alive[] = { PID_A };
    rec_put_retain(&buf, alive, 1, T0 + 6000);
    replay.retain(&marks, alive, 1, T0 + 6000);
    chunk(f);
    rec_put_mark(&buf, REC_OP_RESET, T0 + 7000);
    replay.reset(&marks, T0 + 7000);
    release(12, T0 + 8000);
    cb(13, PID_A, 0, 3, 3, 256u << 10, "add", T0 + 9000);
    rec_put_load(&buf, &more, true, T0 + 10000);
    replay.load(&marks, &more, true, T0 + 10000);
    rec_put_mark(&buf, REC_OP_APPROX, T0 + 10000);
    replay.approximate(&marks, T0 + 10000);
    cb(14, PID_B, 1, 2, 2, 128u << 10, "gelu", T0 + 11000);
    chunk(f);
    cr_assert(!marks.nomem);
    return f;
}

/* The journal, then the trailer of the model that replayed it. */
static long write_recording(void)
{
    FILE *f = write_journal();
    long at = ftell(f);
    cr_assert_eq(rec_write_trailer(f, marks.model, nchunks, nops, 3), 0);
    cr_assert_eq(fclose(f), 0);
    return at;
}

/* ---------- opening ---------- */

typedef struct {
    source_set set;
    snapshot s;
} opened;

static void open_rec(opened *o)
{
    source_params p = { .file_source = "recording", .path = path };
    char err[1024];
    snapshot_init(&o->s);
    cr_assert_eq(source_set_open(&o->set, &p, err, sizeof err), SRC_OK, "%s", err);
    cr_assert_eq(collect(&o->set, &o->s, err, sizeof err), SRC_OK, "%s", err);
    cr_assert_not_null(o->s.peaks);
}

static void close_rec(opened *o)
{
    source_set_close(&o->set);
    snapshot_free(&o->s);
}

static void same_moment(const peak_moment *a, const peak_moment *b, const char *what)
{
    cr_assert_eq(a->seq, b->seq, "%s: seq", what);
    cr_assert_eq(a->time_ns, b->time_ns, "%s: time", what);
    cr_assert_eq(a->pid, b->pid, "%s: pid", what);
    cr_assert_eq(a->kind, b->kind, "%s: kind", what);
    cr_assert_str_eq(a->tag, b->tag, "%s: tag", what);
}

static void same_figures(const peak_figures *a, const peak_figures *b, const char *what)
{
    for (int k = 0; k < CAT_COUNT; k++)
        cr_assert_eq(a->bytes[k], b->bytes[k], "%s: %s", what, category_key[k]);
    cr_assert_eq(a->used, b->used, "%s: used", what);
    cr_assert_eq(a->tracked, b->tracked, "%s: tracked", what);
    cr_assert_eq(a->untracked, b->untracked, "%s: untracked", what);
    cr_assert_eq(a->clash_bytes, b->clash_bytes, "%s: clash", what);
    same_moment(&a->at, &b->at, what);
    same_moment(&a->clash_at, &b->clash_at, what);
}

/* Everything a view reads from the model: the same. */
static void same_models(const peaks *a, const peaks *b)
{
    cr_assert_eq(peaks_ndevices(a), peaks_ndevices(b));
    for (size_t i = 0; i < peaks_ndevices(a); i++) {
        const peak_device *x = peaks_device_at(a, i), *y = peaks_device_at(b, i);
        cr_assert(x->id == y->id && x->grid_x == y->grid_x && x->grid_y == y->grid_y && x->l1_size == y->l1_size);
        same_figures(&x->total, &y->total, "device");
        for (uint32_t c = 0; c < x->ncores; c++) {
            char what[64];
            snprintf(what, sizeof what, "device %u core %u", x->id, c);
            same_figures(&x->cores[c], &y->cores[c], what);
            cr_assert_eq(memcmp(x->now[c].bytes, y->now[c].bytes, sizeof x->now[c].bytes), 0, "%s now", what);
            cr_assert_eq(x->now[c].clash_bytes, y->now[c].clash_bytes, "%s now", what);
        }
    }
    const peak_status *s = peaks_status(a), *t = peaks_status(b);
    cr_assert(s->since_ns == t->since_ns && s->since_seq == t->since_seq && s->changes == t->changes);
    cr_assert(s->approximate == t->approximate && s->approximate_since_ns == t->approximate_since_ns);
    cr_assert(s->lost == t->lost && s->unlogged == t->unlogged && s->late == t->late && s->bad == t->bad
              && s->resyncs == t->resyncs);
}

/* The timeline: length, peak, the state at the peak, every label. */
static void same_timelines(opened *a, opened *b)
{
    feed fa = source_set_feed(&a->set), fb = source_set_feed(&b->set);
    const timeline_ops *tl = fa.timeline;
    const void *x = fa.timeline_self, *y = fb.timeline_self;
    cr_assert_not_null(tl);
    cr_assert_eq(tl->length(x), tl->length(y));
    cr_assert_eq(tl->peak(x), tl->peak(y));
    cr_assert_eq(a->s.nregions, b->s.nregions);
    for (size_t p = 0; p < tl->length(x); p++) {
        char la[256], lb[256];
        tl->label(x, p, la, sizeof la);
        tl->label(y, p, lb, sizeof lb);
        cr_assert_str_eq(la, lb);
    }
    /* where each core peaked (the TUI's core keys go there): the same */
    const peaks *m = a->s.peaks;
    for (size_t i = 0; i < peaks_ndevices(m); i++) {
        const peak_device *d = peaks_device_at(m, i);
        for (uint16_t cy = 0; cy < d->grid_y; cy++)
            for (uint16_t cx = 0; cx < d->grid_x; cx++)
                cr_assert_eq(tl->core_peak(x, d->id, cx, cy), tl->core_peak(y, d->id, cx, cy), "device %u core %u-%u",
                             d->id, cx, cy);
    }
}

/* The recording written, opened from its trailer (with), then cut before
 * its trailer and opened by replaying (compared with it, then closed). */
static void opens_like_a_replay(opened *with)
{
    long at = write_recording();
    open_rec(with);
    opened without;
    cr_assert_eq(truncate(path, at), 0);
    open_rec(&without);
    cr_assert_str_empty(source_set_warning(&without.set), "no trailer: replayed silently, as before version 3");
    same_models(with->s.peaks, without.s.peaks);
    same_models(marks.model, without.s.peaks);
    same_timelines(with, &without);
    close_rec(&without);
}

Test(trailer, a_recording_opens_from_its_trailer_to_what_replaying_it_gives)
{
    opened with;
    opens_like_a_replay(&with);
    cr_assert_str_empty(source_set_warning(&with.set));
    const peak_status *st = peaks_status(with.s.peaks);
    cr_assert_eq(st->changes, 8, "five records, two releases, a writer gone");
    cr_assert(st->approximate, "the resync");
    cr_assert_eq(peaks_ndevices(with.s.peaks), 2);
    cr_assert_eq(peaks_regions(with.s.peaks), 0, "the marks only: no region behind them");
    close_rec(&with);
}

/* ---------- a trailer that does not fit: ignored, the journal replayed ---------- */

static unsigned char *slurp(size_t *n) { return t_slurp(path, n); }
static void spit(const unsigned char *d, size_t n) { t_spit(path, d, n); }

static void le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The file as written (at: where its trailer starts) opens with a warning
 * naming the trailer and `says`, to the marks of the replay. */
static void ignored(long at, const char *says)
{
    opened with, without;
    open_rec(&with);
    const char *w = source_set_warning(&with.set);
    cr_assert_not_null(strstr(w, "trailer"), "%s", w);
    cr_assert_not_null(strstr(w, says), "%s", w);
    cr_assert_not_null(strstr(w, path), "%s", w);
    cr_assert_eq(truncate(path, at), 0);
    open_rec(&without);
    same_models(with.s.peaks, without.s.peaks);
    same_timelines(&with, &without);
    close_rec(&with);
    close_rec(&without);
}

/* The journal, then a trailer of what `marks` holds once lie() changed it. */
static void lying(void (*lie)(void), const char *says)
{
    FILE *f = write_journal();
    long at = ftell(f);
    lie();
    cr_assert_eq(rec_write_trailer(f, marks.model, nchunks, nops, 3), 0);
    cr_assert_eq(fclose(f), 0);
    ignored(at, says);
}

static void one_more_change(void)
{
    l1top_range core = { 0, 0, 0, 0 };
    peak_region r = { 99, PID_A, 0, L1TOP_CIRCULAR_BUFFER, false, 0x20000, 4096, 0, 0, &core, 1, "unjournaled" };
    replay.record(&marks, &r, T0 + 12000);
}

static void one_more_device(void)
{
    t_device(&more, 7, "wormhole_b0", 8, 8);
    replay.sync(&marks, &more, T0 + 12000);
}

static void another_grid(void)
{
    snapshot s;
    snapshot_init(&s);
    t_device(&s, 1, "blackhole", 14, 9);
    replay.sync(&marks, &s, T0 + 12000); /* re-declared: another geometry */
    snapshot_free(&s);
}

Test(trailer, a_trailer_counting_another_number_of_changes_is_ignored)
{
    lying(one_more_change, "changes");
}

Test(trailer, a_trailer_naming_more_devices_is_ignored)
{
    lying(one_more_device, "3 devices, the journal 2");
}

Test(trailer, a_trailer_of_another_device_geometry_is_ignored)
{
    lying(another_grid, "does not match the journal's device 1");
}

/* The journal and its trailer stored (level 0): the trailer's block in
 * d[at..n), its payload from at + 16. */
static unsigned char *stored_trailer(long *at, size_t *n)
{
    FILE *f = write_journal();
    *at = ftell(f);
    cr_assert_eq(rec_write_trailer(f, marks.model, nchunks, nops, 0), 0);
    cr_assert_eq(fclose(f), 0);
    unsigned char *d = slurp(n);
    cr_assert_eq(memcmp(d + *at, "TRLR", 4), 0);
    return d;
}

/* The file d with its stored trailer's payload made len bytes long (the
 * bytes past the old end are d's spare), written and freed. */
static void resize_trailer(unsigned char *d, long at, uint32_t len)
{
    le32(d + at + 4, len);
    le32(d + at + 8, len);
    spit(d, (size_t)at + 16 + len);
    free(d);
}

static size_t skip_varints(const unsigned char *p, size_t i, int n)
{
    while (n-- > 0)
        while (p[i++] & 0x80)
            ;
    return i;
}

Test(trailer, a_moment_of_no_kind_is_ignored)
{
    long at;
    size_t n;
    unsigned char *d = stored_trailer(&at, &n);
    /* counts and status (5 varints, a flag, 6 varints), the device count,
     * the first device's id and geometry, its sums' figures, then the
     * moment of its peak: seq, time, pid, and its kind */
    size_t i = skip_varints(d, (size_t)at + 16, 5) + 1;
    i = skip_varints(d, i, 6 + 1 + 4 + CAT_COUNT + 4 + 3);
    cr_assert_leq(d[i], CAT_RECORDED);
    d[i] = 99;
    spit(d, n);
    free(d);
    ignored(at, "malformed");
}

Test(trailer, bytes_after_the_last_device_are_ignored)
{
    long at;
    size_t n;
    unsigned char *d = stored_trailer(&at, &n);
    d[n] = 0;
    resize_trailer(d, at, (uint32_t)(n - (size_t)at - 16) + 1);
    ignored(at, "1 bytes after");
}

Test(trailer, a_trailer_short_of_its_cores_is_ignored)
{
    long at;
    size_t n;
    unsigned char *d = stored_trailer(&at, &n);
    /* the counts, the status and the first device's geometry, then fewer
     * bytes than its 64 cores take at the least: refused before a core is read */
    cr_assert_gt(n - (size_t)at - 16, 64 * 33);
    resize_trailer(d, at, 64);
    ignored(at, "does not match");
}

Test(trailer, a_damaged_trailer_is_ignored)
{
    long at = write_recording();
    size_t n;
    unsigned char *d = slurp(&n);
    d[(size_t)at + 16 + (n - (size_t)at - 16) / 2] ^= 0x40;
    spit(d, n);
    free(d);
    ignored(at, "damaged");
}

Test(trailer, a_trailer_cut_short_is_ignored)
{
    long at = write_recording();
    size_t n;
    unsigned char *d = slurp(&n);
    spit(d, n - 5);
    free(d);
    ignored(at, "cut");
}

Test(trailer, a_trailer_before_another_chunk_is_ignored)
{
    FILE *f = write_journal();
    cr_assert_eq(rec_write_trailer(f, marks.model, nchunks, nops, 3), 0);
    cb(15, PID_A, 0, 4, 4, 4096, "late", T0 + 12000);
    chunk(f);
    cr_assert_eq(fclose(f), 0);
    opened o;
    open_rec(&o);
    const char *w = source_set_warning(&o.set);
    cr_assert_not_null(strstr(w, "the trailer is not at the end"), "%s", w);
    same_models(o.s.peaks, marks.model); /* the last chunk's change replayed too */
    close_rec(&o);
}
