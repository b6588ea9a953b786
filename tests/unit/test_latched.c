/*
 * The event log: a clash logs once when it begins and stays after it
 * clears; a clash only the peak marks saw (between two refreshes) is logged
 * with the op/tag of the moment; dropped records log their increase; the
 * ring is bounded.
 */
#include <criterion/criterion.h>

#include "helpers.h"
#include "model/accounting.h"
#include "model/latched.h"
#include "model/peaks.h"

static void observe_at(latched *l, const snapshot *s, uint64_t t, size_t pos)
{
    accounting a;
    cr_assert_eq(accounting_compute(s, &a), 0);
    cr_assert_eq(latched_observe(l, s, &a, t, pos), 0);
    accounting_free(&a);
}

static void observe(latched *l, const snapshot *s, uint64_t t) { observe_at(l, s, t, SIZE_MAX); }

Test(latched, a_clash_is_logged_once_and_kept_after_it_clears)
{
    snapshot s;
    snapshot_init(&s);
    t_device(&s, 2, "wormhole_b0", 2, 1);
    uint32_t p = t_process(&s, 42, "w");
    l1top_range r = { 1, 0, 1, 0 };
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, r, 0x40000, 0x10000, "cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, r, 0x48000, 0x1000, "buf");
    latched *l = latched_new();
    observe(l, &s, 10);
    observe(l, &s, 11);
    cr_assert_eq(latched_count(l), 1, "one clash, logged once");
    const latched_event *e = latched_at(l, 0);
    cr_assert_eq(e->kind, LATCH_CLASH);
    cr_assert_eq(e->device, 2);
    cr_assert_eq(e->x, 1);
    cr_assert_eq(e->y, 0);
    cr_assert_eq(e->bytes, 0x1000);
    cr_assert_eq(e->time_ns, 10);
    cr_assert_eq(e->pos, SIZE_MAX, "live data: no position");
    cr_assert_not(e->marked, "seen in the accounting, not only in the marks");
    s.nregions = 1; /* the buffer is gone: the clash cleared */
    s.dropped_records = 3;
    observe(l, &s, 12);
    cr_assert_eq(latched_count(l), 2, "the clash stays; the drops are logged");
    cr_assert_eq(latched_at(l, 0)->kind, LATCH_DROPPED);
    cr_assert_eq(latched_at(l, 0)->bytes, 3);
    cr_assert_eq(latched_at(l, 1)->kind, LATCH_CLASH);
    latched_free(l);
    snapshot_free(&s);
}

Test(latched, a_clash_between_refreshes_comes_from_the_marks)
{
    snapshot s;
    snapshot_init(&s);
    t_device(&s, 2, "wormhole_b0", 2, 1);
    t_process(&s, 42, "w");
    peaks *pk = peaks_new();
    cr_assert_eq(peaks_load(pk, &s, false, 1), 0);
    s.peaks = pk;
    latched *l = latched_new();
    observe(l, &s, 5);
    l1top_range r = { 0, 0, 0, 0 };
    peak_region cb = { .handle = 1, .pid = 42, .device = 2, .kind = L1TOP_CIRCULAR_BUFFER, .address = 0x40000,
                       .size_per_core = 0x10000, .ranges = &r, .nranges = 1, .tag = "matmul_cb" };
    peak_region buf = { .handle = 2, .pid = 42, .device = 2, .kind = L1TOP_L1_BUFFER, .address = 0x48000,
                        .size_per_core = 0x2000, .ranges = &r, .nranges = 1, .tag = "tensor" };
    cr_assert_eq(peaks_record(pk, &cb, 7), PEAK_APPLIED);
    cr_assert_eq(peaks_record(pk, &buf, 8), PEAK_APPLIED);
    cr_assert_eq(peaks_release(pk, 2, 9), PEAK_APPLIED);
    cr_assert_eq(peaks_release(pk, 1, 9), PEAK_APPLIED);
    observe(l, &s, 20);
    cr_assert_eq(latched_count(l), 1);
    const latched_event *e = latched_at(l, 0);
    cr_assert_eq(e->bytes, 0x2000);
    cr_assert_eq(e->x, 0);
    cr_assert_eq(e->time_ns, 8, "the moment of the marks, not the refresh");
    cr_assert_str_eq(e->tag, "tensor");
    cr_assert(e->marked && !e->at_start && e->seq == 2,
              "the second change (the buffer's record) reached the clash mark");
    observe(l, &s, 21);
    cr_assert_eq(latched_count(l), 1, "the same mark: not again");
    latched_free(l);
    peaks_free(pk);
    snapshot_free(&s);
}

Test(latched, the_ring_is_bounded)
{
    snapshot s;
    snapshot_init(&s);
    latched *l = latched_new();
    accounting a;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    for (uint64_t i = 1; i <= LATCHED_MAX + 10; i++) {
        s.dropped_records = i;
        cr_assert_eq(latched_observe(l, &s, &a, i, SIZE_MAX), 0);
    }
    cr_assert_eq(latched_count(l), LATCHED_MAX);
    cr_assert_eq(latched_total(l), LATCHED_MAX + 10);
    cr_assert_eq(latched_at(l, 0)->time_ns, LATCHED_MAX + 10, "latest first");
    cr_assert_eq(latched_at(l, LATCHED_MAX - 1)->time_ns, 11);
    accounting_free(&a);
    latched_free(l);
    snapshot_free(&s);
}

/* On a timeline the entry keeps the position it was seen at (Enter goes
 * back there); alert transitions are noted as they are. */
Test(latched, a_timeline_position_is_kept_and_alerts_are_noted)
{
    snapshot s;
    snapshot_init(&s);
    t_device(&s, 0, "wormhole_b0", 2, 1);
    uint32_t p = t_process(&s, 1, "trace");
    l1top_range r = { 0, 0, 0, 0 };
    latched *l = latched_new();
    observe_at(l, &s, 1, 3);
    cr_assert_eq(latched_count(l), 0);
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, r, 0x40000, 0x10000, "cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, r, 0x48000, 0x1000, "buf");
    observe_at(l, &s, 2, 7);
    cr_assert_eq(latched_count(l), 1);
    cr_assert_eq(latched_at(l, 0)->pos, 7);
    latched_event a = { .time_ns = 9, .kind = LATCH_ALERT_START, .device = 0, .x = 0, .y = 0, .pos = 7,
                        .tag = "cb-heavy", .detail = "97.8 %" };
    latched_note(l, &a);
    cr_assert_eq(latched_count(l), 2);
    cr_assert_eq(latched_at(l, 0)->kind, LATCH_ALERT_START);
    cr_assert_str_eq(latched_at(l, 0)->tag, "cb-heavy");
    cr_assert_str_eq(latched_at(l, 0)->detail, "97.8 %");
    cr_assert_eq(latched_at(l, 1)->kind, LATCH_CLASH);
    latched_free(l);
    snapshot_free(&s);
}
