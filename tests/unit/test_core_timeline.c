/*
 * One core through a timeline (issue #16: "jump to the next/previous event
 * of the selected core", "the peak state of a core"): the timeline ops
 * find_change, core_peak and position_of of a recording and of a trace.
 * The recording's answers are checked against a journal whose changes per
 * core are known as it is written; the trace's against a brute force over
 * every position (the state there, its regions on the core).
 */
#include <criterion/criterion.h>

#include "helpers.h"

#include <stdint.h>
#include <stdlib.h>

#include "model/accounting.h"
#include "model/peaks.h"
#include "sources/recording_file.h"
#include "sources/source.h"
#include "sources/trace.h"

#define T0 1700000000000000000ull
#define GX 8
#define GY 8
#define PID 77

static char path[128];
static snapshot start;
static rec_buf buf;
static peaks *live;

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/l1top-unit-coretl-%d.l1rec", (int)getpid());
    snapshot_init(&start);
    t_device(&start, 0, "wormhole_b0", GX, GY);
    uint32_t p = t_process(&start, PID, "writer");
    t_region(&start, 0, p, L1TOP_L1_BUFFER, (l1top_range){ 0, 0, GX - 1, GY - 1 }, 0x140000, 0x20000, "held");
    start.regions[0].handle = 1;
    memset(&buf, 0, sizeof buf);
    live = peaks_new();
    cr_assert_eq(peaks_load(live, &start, false, T0), 0);
    rec_put_load(&buf, &start, false, T0);
}

static void teardown(void)
{
    unlink(path);
    snapshot_free(&start);
    rec_buf_free(&buf);
    peaks_free(live);
}

TestSuite(core_timeline, .init = setup, .fini = teardown);

static uint64_t now = T0;

/* A CB on core (x, y) (a ranged region), journaled as record.c does. */
static void cb_on(uint64_t handle, uint16_t x, uint16_t y, uint32_t bytes)
{
    l1top_range core = { x, y, x, y };
    peak_region r = { handle, PID, 0, L1TOP_CIRCULAR_BUFFER, false, 0x20000, bytes, 0, 0, &core, 1, "cb" };
    cr_assert_eq(peaks_record(live, &r, ++now), PEAK_APPLIED);
    rec_put_record(&buf, &r, now);
}

static void release(uint64_t handle)
{
    cr_assert_eq(peaks_release(live, handle, ++now), PEAK_APPLIED);
    rec_put_release(&buf, handle, now);
}

/* The writer is gone: every region leaves. */
static void writer_gone(void)
{
    peaks_retain_pids(live, NULL, 0, ++now);
    rec_put_retain(&buf, NULL, 0, now);
}

static void open_recording(source_set *set, const timeline_ops **tl, void **self)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(rec_write_header(f, &start, T0, REC_VERSION), 0);
    cr_assert_eq(rec_write_chunk(f, &buf, 1, NULL), 0);
    cr_assert_eq(fclose(f), 0);
    source_params p = { .file_source = "recording", .path = path };
    char err[1024];
    cr_assert_eq(source_set_open(set, &p, err, sizeof err), SRC_OK, "%s", err);
    *tl = set->ops[0]->timeline;
    *self = set->self[0];
    cr_assert_not_null((*tl)->find_change);
    cr_assert_not_null((*tl)->core_peak);
    cr_assert_not_null((*tl)->position_of);
}

/* Positions: 0 start, 1 A on (1,2), 2 B on (5,6), 3 A goes, 4 C (bigger) on
 * (1,2), 5 B goes, 6 C goes, 7 the writer's held buffer leaves every core. */
Test(core_timeline, a_recording_finds_each_change_of_a_core_both_ways)
{
    cb_on(10, 1, 2, 0x10000);
    cb_on(11, 5, 6, 0x8000);
    release(10);
    cb_on(12, 1, 2, 0x30000);
    release(11);
    release(12);
    writer_gone();
    source_set set;
    const timeline_ops *tl;
    void *self;
    open_recording(&set, &tl, &self);
    cr_assert_eq(tl->length(self), 8);
    static const size_t fwd12[] = { 1, 3, 4, 6, 7, SIZE_MAX }, fwd56[] = { 2, 5, 7, SIZE_MAX };
    size_t p = 0;
    for (size_t k = 0; k < sizeof fwd12 / sizeof fwd12[0]; k++) {
        p = tl->find_change(self, k ? fwd12[k - 1] : 0, 0, 1, 2, 1);
        cr_assert_eq(p, fwd12[k], "core (1,2): step %zu", k);
    }
    for (size_t k = 0; k < sizeof fwd56 / sizeof fwd56[0]; k++)
        cr_assert_eq(tl->find_change(self, k ? fwd56[k - 1] : 0, 0, 5, 6, 1), fwd56[k], "core (5,6): step %zu", k);
    static const size_t back12[] = { 6, 4, 3, 1, 0, SIZE_MAX };
    p = 7;
    for (size_t k = 0; k < sizeof back12 / sizeof back12[0]; k++) {
        size_t got = tl->find_change(self, p, 0, 1, 2, -1);
        cr_assert_eq(got, back12[k], "core (1,2) backward from %zu", p);
        p = got;
    }
    cr_assert_eq(tl->find_change(self, 0, 0, 0, 0, 1), 7, "core (0,0): only the writer's departure moves it");
    cr_assert_eq(tl->find_change(self, 0, 9, 1, 2, 1), SIZE_MAX, "no device 9");
    /* The core's own peak: C, 192 KiB over the held 128 KiB, at position 4. */
    cr_assert_eq(tl->core_peak(self, 0, 1, 2), 4);
    cr_assert_eq(tl->core_peak(self, 0, 5, 6), 2);
    cr_assert_eq(tl->position_of(self, 1, false), 1, "the first change is position 1's");
    cr_assert_eq(tl->position_of(self, 0, T0), 0, "the start is position 0");
    /* Finding moved nothing: the state shown is still the position's. */
    tl->seek(self, 3);
    snapshot s;
    snapshot_init(&s);
    char err[256];
    cr_assert_eq(tl->find_change(self, 3, 0, 1, 2, 1), 4);
    cr_assert_eq(collect(&set, &s, err, sizeof err), SRC_OK, "%s", err);
    cr_assert_eq(s.nregions, 2, "held and B at position 3");
    source_set_close(&set);
    snapshot_free(&s);
}

/* Backward over the replay's checkpoints and walks of growing stretches:
 * the one change of core (7,7) is found from 10,000 positions on. */
Test(core_timeline, a_recording_finds_a_change_several_checkpoints_back)
{
    cb_on(20, 7, 7, 0x1000);
    for (uint64_t i = 0; i < 5000; i++) {
        cb_on(100 + i, 0, 1, 0x1000);
        release(100 + i);
    }
    source_set set;
    const timeline_ops *tl;
    void *self;
    open_recording(&set, &tl, &self);
    size_t n = tl->length(self);
    cr_assert_eq(n, 10002);
    cr_assert_eq(tl->find_change(self, n - 1, 0, 7, 7, -1), 1);
    cr_assert_eq(tl->find_change(self, 1, 0, 7, 7, 1), SIZE_MAX);
    cr_assert_eq(tl->find_change(self, n - 1, 0, 0, 1, -1), n - 1 - 1, "core (0,1) changes at every position");
    source_set_close(&set);
}

/* ---- a trace: brute force over every position ---- */

/* What core (x, y) of device dev holds at a state: a hash of its regions
 * there (address, bytes, kind), and the bytes they cover (each once). */
static uint64_t core_print(const snapshot *s, uint32_t dev, uint16_t x, uint16_t y, uint64_t *held)
{
    uint64_t h = 1469598103934665603ull;
    accounting a;
    cr_assert_eq(accounting_compute(s, &a), 0);
    *held = 0;
    for (size_t d = 0; d < a.ndevices; d++) {
        const snap_device *sd = &s->devices[a.devices[d].device];
        if (sd->id != dev)
            continue;
        const uint64_t *b = a.devices[d].cores[(uint32_t)y * sd->grid_x + x].bytes;
        *held = b[CAT_L1_BUFFERS] + b[CAT_L1_SMALL] + b[CAT_CIRCULAR_BUFFERS];
    }
    accounting_free(&a);
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *r = &s->regions[i];
        uint64_t bytes = s->devices[r->device].id == dev ? region_bytes_on_core(s, r, x, y) : 0;
        if (bytes) /* the order of the live set may change: a sum of per-region hashes */
            h += ((uint64_t)r->address * 1099511628211ull) ^ (bytes << 8) ^ r->kind;
    }
    return h;
}

static void trace_agrees(const char *file)
{
    char err[512];
    trace_file *tf = trace_open(file, NULL, err, sizeof err);
    cr_assert_not_null(tf, "%s", err);
    size_t n = trace_event_count(tf);
    snapshot s;
    snapshot_init(&s);
    cr_assert_eq(trace_state_at(tf, trace_event_node(tf, 0), &s, NULL, 0), 0);
    uint32_t dev = s.devices[0].id;
    uint16_t gx = s.devices[0].grid_x, gy = s.devices[0].grid_y;
    uint64_t *print = calloc(n * (size_t)gx * gy, sizeof *print), *held = calloc(n * (size_t)gx * gy, sizeof *held);
    cr_assert(print && held);
    for (size_t p = 0; p < n; p++) {
        cr_assert_eq(trace_state_at(tf, trace_event_node(tf, p), &s, NULL, 0), 0);
        for (uint16_t c = 0; c < gx * gy; c++)
            print[p * gx * gy + c] = core_print(&s, dev, c % gx, c / gx, &held[p * gx * gy + c]);
    }
    size_t changes = 0;
    for (uint16_t c = 0; c < gx * gy; c++) {
        uint16_t x = c % gx, y = c / gx;
        for (size_t p = 0; p < n; p++) {
            size_t next = SIZE_MAX, prev = SIZE_MAX;
            for (size_t q = p + 1; q < n && next == SIZE_MAX; q++)
                if (print[q * gx * gy + c] != print[(q - 1) * gx * gy + c])
                    next = q;
            for (size_t q = p; q-- > 1 && prev == SIZE_MAX;)
                if (print[q * gx * gy + c] != print[(q - 1) * gx * gy + c])
                    prev = q;
            cr_assert_eq(trace_find_change(tf, p, dev, x, y, 1), next, "%s core (%u,%u) after %zu", file, x, y, p);
            size_t got = trace_find_change(tf, p, dev, x, y, -1);
            /* Position 0 is the first event: whether it changed the core is
             * beyond the brute force (no state before it). */
            cr_assert(got == prev || (prev == SIZE_MAX && got == 0), "%s core (%u,%u) before %zu: %zu, want %zu", file,
                      x, y, p, got, prev);
            changes += next != SIZE_MAX;
        }
        uint64_t most = 0;
        for (size_t p = 0; p < n; p++)
            most = held[p * gx * gy + c] > most ? held[p * gx * gy + c] : most;
        size_t peak = trace_core_peak(tf, dev, x, y);
        if (most == 0) {
            cr_assert_eq(peak, SIZE_MAX, "%s core (%u,%u) holds nothing", file, x, y);
            continue;
        }
        cr_assert_lt(peak, n);
        cr_assert_eq(held[peak * gx * gy + c], most, "%s core (%u,%u): its peak at %zu", file, x, y, peak);
        for (size_t p = 1; p < peak; p++)
            cr_assert_lt(held[p * gx * gy + c], most, "%s core (%u,%u): reached at %zu already", file, x, y, p);
    }
    cr_assert_gt(changes, 0, "%s: some core changes", file);
    free(print);
    free(held);
    snapshot_free(&s);
    trace_close(tf);
}

Test(core_timeline, a_trace_finds_what_a_brute_force_finds)
{
    trace_agrees("tests/data/trace_report_normal.json");
    trace_agrees("tests/data/matmul_normal.json");
    trace_agrees("tests/data/sharded_add.json");
    trace_agrees("tests/data/dataflow_buffers.json");
}
