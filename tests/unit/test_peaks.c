/*
 * The peak model against brute force: random sequences of records and
 * releases (overlapping CBs and buffers, interleaved buffers, every kind,
 * several processes, regions in the firmware and kernel-config zones), and
 * after EVERY change accounting_compute() on the whole state is compared
 * with the model's per-core figures, and the maxima of those accountings
 * with the model's high-water marks (per core and of the device sums),
 * including the moment the used high-water was reached.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "arch.h"
#include "helpers.h"
#include "model/accounting.h"
#include "model/peaks.h"

#define MAX_LIVE 160 /* up to a hundred regions on a core: its spans fill several chunks */
#define MAX_RANGES 6

typedef struct {
    uint64_t handle;
    int32_t pid;
    uint32_t dev_id;
    uint8_t kind;
    bool interleaved;
    uint32_t address, size, page;
    uint64_t total;
    l1top_range ranges[MAX_RANGES];
    uint32_t nranges;
    char tag[16];
} truth_region;

typedef struct {
    uint32_t id;
    const char *arch;
    uint16_t gx, gy;
} truth_device;

/* Device 9 has one core: every region placed on it lands there, so its
 * span map grows past a chunk (span_map.h). */
static const truth_device devices[] = { { 3, "wormhole_b0", 4, 3 }, { 7, "blackhole", 3, 2 }, { 9, "wormhole_b0", 1, 1 } };
#define NDEV (sizeof devices / sizeof devices[0])
static const int32_t pids[] = { 100, 101, 102 };

static truth_region live[MAX_LIVE];
static size_t nlive;
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Brute-force high-water marks of one core or of one device's sums. */
typedef struct {
    uint64_t bytes[CAT_COUNT];
    uint64_t used, tracked, untracked, clash;
    uint64_t used_seq;
} brute;

static brute core_max[NDEV][16], dev_max[NDEV];

static void brute_set(brute *b, const uint64_t bytes[CAT_COUNT], uint64_t clash, uint64_t seq)
{
    memcpy(b->bytes, bytes, sizeof b->bytes);
    b->used = usage_used(bytes);
    b->tracked = usage_tracked(bytes);
    b->untracked = usage_untracked(bytes);
    b->clash = clash;
    b->used_seq = seq;
}

static void brute_raise(brute *b, const uint64_t bytes[CAT_COUNT], uint64_t clash, uint64_t seq)
{
    for (int k = 0; k < CAT_COUNT; k++)
        if (k == CAT_FREE ? bytes[k] < b->bytes[k] : bytes[k] > b->bytes[k])
            b->bytes[k] = bytes[k];
    if (usage_used(bytes) > b->used) {
        b->used = usage_used(bytes);
        b->used_seq = seq;
    }
    if (usage_tracked(bytes) > b->tracked)
        b->tracked = usage_tracked(bytes);
    if (usage_untracked(bytes) > b->untracked)
        b->untracked = usage_untracked(bytes);
    if (clash > b->clash)
        b->clash = clash;
}

static void build_snapshot(snapshot *s)
{
    snapshot_reset(s);
    for (size_t d = 0; d < NDEV; d++)
        t_device(s, devices[d].id, devices[d].arch, devices[d].gx, devices[d].gy);
    for (size_t p = 0; p < sizeof pids / sizeof pids[0]; p++)
        t_process(s, pids[p], "w");
    for (size_t i = 0; i < nlive; i++) {
        const truth_region *t = &live[i];
        snap_region *g = snapshot_add_region(s, t->interleaved ? NULL : t->ranges, t->interleaved ? 0 : t->nranges);
        cr_assert_not_null(g);
        g->device = (uint32_t)snapshot_device_index(s, t->dev_id);
        g->process = (uint32_t)(t->pid - pids[0]);
        g->kind = t->kind;
        g->interleaved = t->interleaved;
        g->address = t->address;
        g->size_per_core = t->size;
        g->page_size = t->page;
        g->total_size = t->total;
        g->handle = t->handle;
        snprintf(g->tag, sizeof g->tag, "%s", t->tag);
    }
}

static peak_region as_peak_region(const truth_region *t)
{
    return (peak_region){ t->handle, t->pid, t->dev_id, t->kind, t->interleaved, t->address, t->size, t->page,
                          t->total, t->ranges, t->interleaved ? 0 : t->nranges, t->tag };
}

/* Addresses crowd a 96 KiB window around the unreserved base (so regions
 * overlap often) and sometimes fall in the reserved zones below it. */
static truth_region random_region(uint64_t handle)
{
    const truth_device *td = &devices[rnd(NDEV)];
    const arch_info *a = arch_by_name(td->arch);
    truth_region t = { 0 };
    t.handle = handle;
    t.pid = pids[rnd(3)];
    t.dev_id = td->id;
    t.kind = (uint8_t)(1 + rnd(6));
    t.address = rnd(8) == 0 ? rnd(a->unreserved_base) : a->unreserved_base - 0x4000 + rnd(0x18000);
    snprintf(t.tag, sizeof t.tag, "op%u", rnd(1000));
    if (t.kind == L1TOP_L1_BUFFER && rnd(3) == 0) {
        t.interleaved = true;
        t.page = 32 + rnd(4096);
        t.total = 1 + rnd(t.page * 30u);
        return t;
    }
    t.size = 1 + rnd(rnd(4) == 0 ? 0x10000 : 0x3000);
    t.nranges = 1 + rnd(rnd(4) == 0 ? MAX_RANGES : 2);
    for (uint32_t i = 0; i < t.nranges; i++) {
        uint16_t x0 = (uint16_t)rnd(td->gx), y0 = (uint16_t)rnd(td->gy);
        t.ranges[i] = (l1top_range){ x0, y0, (uint16_t)(x0 + rnd(td->gx - x0)), (uint16_t)(y0 + rnd(td->gy - y0)) };
    }
    return t;
}

/* The model's current figures against accounting_compute on the truth;
 * then the brute-force maxima (raised with that accounting) against the
 * model's marks. */
static void check_step(peaks *p, snapshot *s, uint64_t seq, bool raise)
{
    build_snapshot(s);
    accounting a;
    cr_assert_eq(accounting_compute(s, &a), 0);
    for (size_t d = 0; d < NDEV; d++) {
        const device_usage *du = &a.devices[snapshot_device_index(s, devices[d].id)];
        const peak_device *pd = peaks_device(p, devices[d].id);
        cr_assert_not_null(pd);
        cr_assert_eq(pd->ncores, du->ncores);
        for (uint32_t c = 0; c < du->ncores; c++) {
            for (int k = 0; k < CAT_COUNT; k++)
                cr_assert_eq(pd->now[c].bytes[k], du->cores[c].bytes[k],
                             "seed %llu change %llu dev %u core %u %s: model %llu, accounting %llu",
                             (unsigned long long)rng_state, (unsigned long long)seq, devices[d].id, c,
                             category_key[k], (unsigned long long)pd->now[c].bytes[k],
                             (unsigned long long)du->cores[c].bytes[k]);
            cr_assert_eq(pd->now[c].clash_bytes, du->cores[c].clash_bytes, "clash bytes, core %u", c);
            if (raise)
                brute_raise(&core_max[d][c], du->cores[c].bytes, du->cores[c].clash_bytes, seq);
            else
                brute_set(&core_max[d][c], du->cores[c].bytes, du->cores[c].clash_bytes, seq);
            const brute *b = &core_max[d][c];
            const peak_figures *f = &pd->cores[c];
            for (int k = 0; k < CAT_COUNT; k++)
                cr_assert_eq(f->bytes[k], b->bytes[k], "change %llu core %u mark %s: model %llu, brute %llu",
                             (unsigned long long)seq, c, category_key[k], (unsigned long long)f->bytes[k],
                             (unsigned long long)b->bytes[k]);
            cr_assert_eq(f->used, b->used);
            cr_assert_eq(f->tracked, b->tracked);
            cr_assert_eq(f->untracked, b->untracked);
            cr_assert_eq(f->clash_bytes, b->clash);
            cr_assert_eq(f->at.seq, b->used_seq, "core %u: used peak at change %llu, brute %llu", c,
                         (unsigned long long)f->at.seq, (unsigned long long)b->used_seq);
        }
        if (raise)
            brute_raise(&dev_max[d], du->totals, du->clash_bytes, seq);
        else
            brute_set(&dev_max[d], du->totals, du->clash_bytes, seq);
        for (int k = 0; k < CAT_COUNT; k++)
            cr_assert_eq(pd->total.bytes[k], dev_max[d].bytes[k], "device %u total mark %s", devices[d].id,
                         category_key[k]);
        cr_assert_eq(pd->total.used, dev_max[d].used);
        cr_assert_eq(pd->total.clash_bytes, dev_max[d].clash);
        cr_assert_eq(pd->total.at.seq, dev_max[d].used_seq);
    }
    accounting_free(&a);
}

static void remove_live(size_t i)
{
    live[i] = live[--nlive];
}

/* One random sequence: an initial state loaded from a snapshot, then
 * `changes` records and releases checked one by one, a record `record_pct`
 * percent of the time (while there is room). Returns the most spans seen
 * on device 9's core. */
static size_t run_sequence(uint64_t seed, int changes, uint32_t record_pct)
{
    rng_state = seed;
    nlive = 0;
    uint64_t next_handle = 1;
    snapshot s;
    snapshot_init(&s);
    peaks *p = peaks_new();
    cr_assert_not_null(p);
    for (int i = 0; i < 8; i++)
        live[nlive++] = random_region(next_handle++);
    build_snapshot(&s);
    cr_assert_eq(peaks_load(p, &s, false, 1000), 0);
    check_step(p, &s, 0, false);
    uint64_t seq = 0;
    size_t most_spans = 0;
    for (int step = 0; step < changes; step++) {
        uint32_t what = rnd(100);
        if (what < record_pct && nlive < MAX_LIVE) {
            truth_region t = random_region(next_handle++);
            peak_region pr = as_peak_region(&t);
            cr_assert_eq(peaks_record(p, &pr, 2000 + (uint64_t)step), PEAK_APPLIED);
            live[nlive++] = t;
            seq++;
        } else if (what < 95 && nlive > 0) {
            size_t i = rnd((uint32_t)nlive);
            cr_assert_eq(peaks_release(p, live[i].handle, 2000 + (uint64_t)step), PEAK_APPLIED);
            remove_live(i);
            seq++;
        } else if (nlive > 0) { /* a record already held, a release never recorded: no change */
            peak_region pr = as_peak_region(&live[rnd((uint32_t)nlive)]);
            cr_assert_eq(peaks_record(p, &pr, 1), PEAK_IGNORED);
            cr_assert_eq(peaks_release(p, 1ull << 62 | next_handle++, 1), PEAK_IGNORED);
        }
        check_step(p, &s, seq, true);
        size_t spans = peaks_core_spans(p, 9, 0);
        if (spans > most_spans)
            most_spans = spans;
    }
    cr_assert_eq(peaks_regions(p), nlive);
    cr_assert_eq(peaks_status(p)->changes, seq);
    peaks_free(p);
    snapshot_free(&s);
    return most_spans;
}

Test(peaks, exact_after_every_change_against_brute_force_accounting)
{
    for (uint64_t seed = 1; seed <= 40; seed++)
        run_sequence(seed * 0x9E3779B97F4A7C15ull | 1, 250, 55);
}

Test(peaks, exact_with_a_core_under_a_hundred_overlapping_regions)
{
    size_t most = 0;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        size_t spans = run_sequence(seed * 0xD1B54A32D192ED03ull | 1, 500, 80);
        if (spans > most)
            most = spans;
    }
    cr_assert_gt(most, 3 * 32, "the map grew past three chunks (%zu spans)", most);
}

/* A model loaded (at time 5) from `n` random regions, seeded with `seed`. */
static peaks *start_model(snapshot *s, uint64_t seed, int n)
{
    rng_state = seed;
    nlive = 0;
    snapshot_init(s);
    peaks *p = peaks_new();
    cr_assert_not_null(p);
    for (int i = 0; i < n; i++)
        live[nlive++] = random_region((uint64_t)i + 1);
    build_snapshot(s);
    cr_assert_eq(peaks_load(p, s, false, 5), 0);
    return p;
}

Test(peaks, reset_starts_the_marks_at_the_current_state)
{
    snapshot s;
    peaks *p = start_model(&s, 77, 0);
    truth_region big = random_region(1);
    big.kind = L1TOP_CIRCULAR_BUFFER;
    big.interleaved = false;
    big.address = 0x20000;
    big.size = 1 << 20;
    big.nranges = 1;
    big.ranges[0] = (l1top_range){ 0, 0, 0, 0 };
    big.dev_id = 3;
    peak_region pr = as_peak_region(&big);
    cr_assert_eq(peaks_record(p, &pr, 10), PEAK_APPLIED);
    cr_assert_eq(peaks_release(p, 1, 12), PEAK_APPLIED);
    const peak_device *pd = peaks_device(p, 3);
    cr_assert_eq(pd->cores[0].bytes[CAT_CIRCULAR_BUFFERS], 1 << 20, "the spike stays in the mark");
    cr_assert_eq(pd->now[0].bytes[CAT_CIRCULAR_BUFFERS], 0);
    cr_assert_eq(pd->cores[0].at.seq, 1);
    cr_assert_eq(pd->cores[0].at.time_ns, 10);
    cr_assert_str_eq(pd->cores[0].at.tag, big.tag);
    peaks_reset(p, 20);
    cr_assert_eq(pd->cores[0].bytes[CAT_CIRCULAR_BUFFERS], 0, "reset: back to what is held now");
    cr_assert_eq(peaks_status(p)->since_ns, 20);
    cr_assert_eq(peaks_status(p)->since_seq, 2);
    peaks_free(p);
    snapshot_free(&s);
}

Test(peaks, dead_writers_regions_leave_and_a_release_before_its_record_cancels_it)
{
    snapshot s;
    peaks *p = start_model(&s, 99, 12);
    check_step(p, &s, 0, false);
    int32_t keep[] = { 100, 102 };
    size_t gone = 0;
    for (size_t i = 0; i < nlive;) {
        if (live[i].pid == 101) {
            remove_live(i);
            gone++;
        } else {
            i++;
        }
    }
    cr_assert_eq(peaks_retain_pids(p, keep, 2, 6), gone);
    check_step(p, &s, peaks_status(p)->changes, true);
    /* Release of handle 500 seen first (clock skew between two threads): its record is void. */
    truth_region t = random_region(500);
    cr_assert_eq(peaks_release(p, 500, 7), PEAK_IGNORED);
    peak_region pr = as_peak_region(&t);
    cr_assert_eq(peaks_record(p, &pr, 7), PEAK_IGNORED);
    cr_assert_eq(peaks_regions(p), nlive);
    /* A tombstone lasts one more batch, then a record of that handle counts. */
    cr_assert_eq(peaks_release(p, 501, 8), PEAK_IGNORED);
    peaks_age_tombstones(p);
    peaks_age_tombstones(p);
    t.handle = 501;
    pr = as_peak_region(&t);
    cr_assert_eq(peaks_record(p, &pr, 9), PEAK_APPLIED);
    peaks_free(p);
    snapshot_free(&s);
}

Test(peaks, unknown_device_changes_nothing_until_declared)
{
    snapshot s;
    snapshot_init(&s);
    peaks *p = peaks_new();
    t_device(&s, 1, "wormhole_b0", 2, 2);
    cr_assert_eq(peaks_load(p, &s, false, 1), 0);
    l1top_range r = { 0, 0, 1, 1 };
    peak_region pr = { 42, 9, 2, L1TOP_CIRCULAR_BUFFER, false, 0x20000, 4096, 0, 0, &r, 1, "cb" };
    cr_assert_eq(peaks_record(p, &pr, 2), PEAK_UNKNOWN_DEVICE);
    t_device(&s, 2, "wormhole_b0", 2, 2);
    cr_assert_eq(peaks_sync_devices(p, &s, 3), 0);
    cr_assert_eq(peaks_record(p, &pr, 4), PEAK_APPLIED);
    cr_assert_eq(peaks_device(p, 2)->total.bytes[CAT_CIRCULAR_BUFFERS], 4 * 4096);
    peaks_free(p);
    snapshot_free(&s);
}

/* Fuzzing (segment target, CI) found a snapshot whose only regions are
 * interleaved: it holds no ranges at all, and every walk over a region's
 * ranges computed NULL + 0, undefined behaviour that UBSan stops on. */
Test(peaks, a_snapshot_of_interleaved_regions_only_has_no_ranges_and_loads)
{
    snapshot s, copy;
    snapshot_init(&s);
    snapshot_init(&copy);
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t proc = t_process(&s, 42, "model");
    snap_region *r = t_interleaved(&s, 0, proc, 0x100000, 64u * 2048u, 2048);
    r->handle = 1;
    cr_assert_null(s.ranges, "no region has a range");
    cr_assert_null(snapshot_region_ranges(&s, r));
    accounting a;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(a.devices[0].totals[CAT_L1_BUFFERS], 64u * 2048u);
    accounting_free(&a);
    peaks *p = peaks_new();
    cr_assert_not_null(p);
    cr_assert_eq(peaks_load(p, &s, false, 1), 0);
    cr_assert_eq(peaks_device(p, 0)->now[0].bytes[CAT_L1_BUFFERS], 2048u);
    cr_assert_eq(snapshot_copy_process(&copy, &s, proc), 0);
    cr_assert_eq(copy.nregions, 1);
    /* With ranged regions beside it, its ranges are still none (before:
     * a pointer into the other regions' ranges). */
    t_region(&s, 0, proc, L1TOP_CIRCULAR_BUFFER, (l1top_range){ 0, 0, 1, 1 }, 0x20000, 4096, "cb");
    cr_assert_not_null(s.ranges);
    cr_assert_null(snapshot_region_ranges(&s, &s.regions[0]));
    cr_assert_not_null(snapshot_region_ranges(&s, &s.regions[1]));
    peaks_free(p);
    snapshot_free(&copy);
    snapshot_free(&s);
}
