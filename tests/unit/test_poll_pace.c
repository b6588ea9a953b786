/*
 * The back-off rule of a live feed's polls (model/poll_pace.h): quiet polls
 * double the wait up to a cap, events snap it back, and the cap keeps one
 * wait under half the smallest ring at the fastest rate seen.
 */
#include <criterion/criterion.h>

#include "model/poll_pace.h"

static const feed_drained quiet = { 0, 0, 2048 };

Test(poll_pace, starts_at_the_short_wait_and_doubles_while_quiet_up_to_the_cap)
{
    poll_pace p;
    poll_pace_init(&p);
    cr_assert_eq(p.ms, FEED_POLL_MS);
    unsigned want[] = { 20, 40, 80, 160, FEED_POLL_MAX_MS, FEED_POLL_MAX_MS };
    double now = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        now += p.ms;
        cr_assert_eq(poll_pace_next(&p, &quiet, now), want[i], "quiet poll %zu", i);
    }
}

Test(poll_pace, events_snap_the_wait_back)
{
    poll_pace p;
    poll_pace_init(&p);
    double now = 0;
    for (int i = 0; i < 8; i++)
        poll_pace_next(&p, &quiet, now += p.ms);
    cr_assert_eq(p.ms, FEED_POLL_MAX_MS);
    feed_drained one = { 1, 1, 2048 };
    cr_assert_eq(poll_pace_next(&p, &one, now += p.ms), FEED_POLL_MS, "one event: short waits again");
    /* A lap (slots advanced, nothing replayed) is events flowing too. */
    for (int i = 0; i < 8; i++)
        poll_pace_next(&p, &quiet, now += p.ms);
    feed_drained lapped = { 0, 4096, 2048 };
    cr_assert_eq(poll_pace_next(&p, &lapped, now += p.ms), FEED_POLL_MS);
}

/* 40 slots in a 10 ms wait on a 64-slot ring: 4 slots/ms; half the ring
 * (32 slots) fills in 8 ms, less than the shortest wait: no back-off at all. */
Test(poll_pace, a_small_busy_ring_keeps_the_short_wait)
{
    poll_pace p;
    poll_pace_init(&p);
    feed_drained burst = { 40, 40, 64 };
    feed_drained quiet64 = { 0, 0, 64 };
    double now = 0;
    poll_pace_next(&p, &quiet64, now);
    poll_pace_next(&p, &burst, now += FEED_POLL_MS);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(poll_pace_next(&p, &quiet64, now += p.ms), FEED_POLL_MS, "quiet poll %d", i);
}

/* 2048 slots, 100 slots seen in 10 ms (10 slots/ms): half the ring is 1024
 * slots, ~102 ms at that rate: the cap. */
Test(poll_pace, the_cap_is_half_the_ring_at_the_fastest_rate_seen)
{
    poll_pace p;
    poll_pace_init(&p);
    feed_drained busy = { 50, 100, 2048 };
    double now = 0;
    poll_pace_next(&p, &quiet, now);
    poll_pace_next(&p, &busy, now += FEED_POLL_MS);
    cr_assert_eq(poll_pace_cap(&p), 102);
    for (int i = 0; i < 10; i++)
        poll_pace_next(&p, &quiet, now += p.ms);
    cr_assert_eq(p.ms, 102);
    /* A slower writer later does not lift the cap: the fast one may come back. */
    feed_drained slow = { 1, 1, 2048 };
    poll_pace_next(&p, &slow, now += 1000);
    cr_assert_eq(poll_pace_cap(&p), 102);
}

/* A poll right after another (a key cut the wait short) does not read a
 * burst as a huge rate: the wait counts as FEED_POLL_MS at least. */
Test(poll_pace, a_short_wait_counts_as_the_shortest)
{
    poll_pace p;
    poll_pace_init(&p);
    feed_drained busy = { 50, 100, 2048 };
    poll_pace_next(&p, &quiet, 1000);
    poll_pace_next(&p, &busy, 1000.01);
    cr_assert_float_eq(p.rate, 100.0 / FEED_POLL_MS, 1e-9);
}

Test(poll_pace, several_sources_sum_events_and_keep_the_busiest_ring_and_the_smallest)
{
    feed_drained sum = { 0, 0, 0 };
    feed_drained a = { 3, 5, 2048 }, b = { 4, 9, 64 }, none = { 0, 0, 0 };
    feed_drained_add(&sum, &a);
    feed_drained_add(&sum, &none);
    feed_drained_add(&sum, &b);
    cr_assert_eq(sum.events, 7);
    cr_assert_eq(sum.ring_used, 9);
    cr_assert_eq(sum.ring_slots, 64);
}
