/*
 * Event rings end to end in one process: what libl1top logs, what the
 * reader replays on its peak model (a spike between two snapshots, chained
 * and interleaved regions, several threads, a dead writer's records reused,
 * a ring lapped, a thread without a ring, a segment without rings), always
 * checked against the accounting of a snapshot.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "helpers.h"
#include "l1top.h"
#include "model/accounting.h"
#include "model/peaks.h"
#include "shm_format.h"
#include "sources/shm_events.h"
#include "sources/shm_reader.h"

static char seg[64];
static l1top_writer *w;
static shm_reader *r;
static snapshot s;
static char err[256];
static feed_drained drained; /* what the polls drained, summed */

static void open_all(void)
{
    shm_unlink(seg);
    w = l1top_open(seg);
    cr_assert_not_null(w, "l1top_open: %s", strerror(errno));
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK, "%s", err);
}

static void setup(void)
{
    t_segment(seg, sizeof seg, "events");
    unsetenv("L1TOP_RINGS");
    unsetenv("L1TOP_RING_SLOTS");
    snapshot_init(&s);
    open_all();
}

static void teardown(void)
{
    shm_reader_close(r);
    l1top_close(w);
    shm_unlink(seg);
    snapshot_free(&s);
    unsetenv("L1TOP_RINGS");
    unsetenv("L1TOP_RING_SLOTS");
}

/* Start again with this environment for the segment's geometry. */
static void reopen(const char *rings, const char *slots)
{
    shm_reader_close(r);
    l1top_close(w);
    if (rings)
        setenv("L1TOP_RINGS", rings, 1);
    if (slots)
        setenv("L1TOP_RING_SLOTS", slots, 1);
    open_all();
}

TestSuite(events, .init = setup, .fini = teardown);

static void refresh(void)
{
    cr_assert_eq(shm_reader_refresh(r, &s, err, sizeof err), SHM_OK, "%s", err);
    cr_assert_not_null(s.peaks);
}

/* The model's current per-core figures are those of the snapshot's accounting. */
static void expect_model_is_snapshot(void)
{
    accounting a;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    for (size_t d = 0; d < a.ndevices; d++) {
        const peak_device *pd = peaks_device(s.peaks, s.devices[d].id);
        cr_assert_not_null(pd);
        for (uint32_t c = 0; c < pd->ncores; c++)
            for (int k = 0; k < CAT_COUNT; k++)
                cr_assert_eq(pd->now[c].bytes[k], a.devices[d].cores[c].bytes[k], "core %u %s: %llu vs %llu", c,
                             category_key[k], (unsigned long long)pd->now[c].bytes[k],
                             (unsigned long long)a.devices[d].cores[c].bytes[k]);
    }
    accounting_free(&a);
}

static const peak_device *dev0(void) { return peaks_device(s.peaks, 0); }

Test(events, a_spike_between_two_snapshots_is_in_the_marks_with_its_op)
{
    l1top_range core = { 2, 3, 2, 3 };
    refresh();
    cr_assert_eq(dev0()->cores[3 * 8 + 2].bytes[CAT_CIRCULAR_BUFFERS], 0);
    uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &core, 1, 0x20000, 1 << 20, "spike op");
    cr_assert_neq(h, 0);
    cr_assert_eq(l1top_release(w, h), 0);
    refresh();
    const peak_device *pd = dev0();
    const peak_figures *f = &pd->cores[3 * 8 + 2];
    cr_assert_eq(f->bytes[CAT_CIRCULAR_BUFFERS], 1 << 20);
    cr_assert_eq(pd->now[3 * 8 + 2].bytes[CAT_CIRCULAR_BUFFERS], 0, "gone now");
    cr_assert_eq(f->used, pd->now[3 * 8 + 2].bytes[CAT_FIRMWARE] + pd->now[3 * 8 + 2].bytes[CAT_KERNEL_CONFIG] +
                              (1 << 20));
    cr_assert_str_eq(f->at.tag, "spike op");
    cr_assert_eq(f->at.pid, getpid());
    cr_assert_eq(f->at.kind, L1TOP_CIRCULAR_BUFFER);
    cr_assert_neq(f->at.time_ns, 0);
    cr_assert_eq(pd->cores[0].bytes[CAT_CIRCULAR_BUFFERS], 0, "other cores untouched");
    cr_assert_eq(pd->total.bytes[CAT_CIRCULAR_BUFFERS], 1 << 20);
    const peak_status *st = peaks_status(s.peaks);
    cr_assert_eq(st->changes, 2);
    cr_assert(!st->approximate);
    expect_model_is_snapshot();
}

Test(events, regions_before_the_reader_are_its_start)
{
    l1top_range all = { 0, 0, 7, 7 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_L1_BUFFER, &all, 1, 0x100000, 4096, "early"), 0);
    shm_reader_close(r);
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK);
    refresh();
    cr_assert_eq(dev0()->total.bytes[CAT_L1_BUFFERS], 64 * 4096);
    cr_assert_eq(dev0()->cores[5].at.seq, 0, "the start");
    cr_assert_eq(peaks_status(s.peaks)->changes, 0);
    expect_model_is_snapshot();
}

Test(events, chained_and_interleaved_regions_replay_whole)
{
    refresh();
    l1top_range many[11];
    for (uint16_t i = 0; i < 11; i++)
        many[i] = (l1top_range){ (uint16_t)(i % 8), (uint16_t)(i / 8), (uint16_t)(i % 8), (uint16_t)(i / 8) };
    uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, many, 11, 0x30000, 3000, "eleven cores");
    uint64_t i = l1top_record_interleaved(w, 0, 0x100000, 100 * 2048 + 5, 2048, "interleaved");
    cr_assert(h && i);
    refresh();
    expect_model_is_snapshot();
    cr_assert_eq(dev0()->total.bytes[CAT_CIRCULAR_BUFFERS], 11 * 3000);
    cr_assert_eq(l1top_release(w, h), 0);
    cr_assert_eq(l1top_release(w, i), 0);
    refresh();
    expect_model_is_snapshot();
    cr_assert_eq(peaks_regions(s.peaks), 0);
    cr_assert_eq(dev0()->total.bytes[CAT_CIRCULAR_BUFFERS], 11 * 3000, "the marks keep them");
    cr_assert_eq(dev0()->total.bytes[CAT_L1_BUFFERS], 101 * 2048);
}

/* Thread B records a buffer over A's CB after A recorded it; then A
 * releases it: both were there at once, and B's ring merged after A's. */
static pthread_barrier_t step;
static uint64_t cb_handle;

static void *thread_a(void *arg)
{
    (void)arg;
    l1top_range c = { 1, 1, 1, 1 };
    cb_handle = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &c, 1, 0x40000, 0x8000, "cb of A");
    pthread_barrier_wait(&step);
    pthread_barrier_wait(&step);
    l1top_release(w, cb_handle);
    return NULL;
}

static void *thread_b(void *arg)
{
    (void)arg;
    l1top_range c = { 1, 1, 1, 1 };
    pthread_barrier_wait(&step);
    cr_assert_neq(l1top_record(w, 0, L1TOP_L1_BUFFER, &c, 1, 0x44000, 0x8000, "buffer of B"), 0);
    pthread_barrier_wait(&step);
    return NULL;
}

Test(events, threads_log_to_their_own_rings_and_merge_in_order)
{
    refresh();
    pthread_barrier_init(&step, NULL, 2);
    pthread_t a, b;
    pthread_create(&a, NULL, thread_a, NULL);
    pthread_create(&b, NULL, thread_b, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_barrier_destroy(&step);
    refresh();
    expect_model_is_snapshot();
    const peak_figures *f = &dev0()->cores[9];
    cr_assert_eq(f->clash_bytes, 0x4000, "A's CB and B's buffer overlapped for a while");
    cr_assert_eq(f->bytes[CAT_L1_BUFFERS], 0x8000);
    cr_assert_eq(f->bytes[CAT_CIRCULAR_BUFFERS], 0x8000, "the CB alone before B came");
    cr_assert_str_eq(f->at.tag, "buffer of B", "used was highest once B's buffer came");
    cr_assert_eq(peaks_status(s.peaks)->late, 0);
}

Test(events, a_lapped_ring_is_counted_and_the_marks_flagged_approximate)
{
    reopen(NULL, "64");
    refresh();
    l1top_range c = { 0, 0, 0, 0 };
    for (int i = 0; i < 100; i++)
        cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "s")), 0);
    cr_assert_neq(l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 128, "kept"), 0);
    refresh();
    const peak_status *st = peaks_status(s.peaks);
    cr_assert(st->approximate);
    cr_assert_gt(st->lost, 0);
    cr_assert_eq(st->resyncs, 1);
    expect_model_is_snapshot(); /* restarted from the records */
    cr_assert_eq(dev0()->cores[0].bytes[CAT_SEMAPHORES], 128);
    /* Polled often enough, nothing more is lost. */
    uint64_t lost = st->lost;
    for (int i = 0; i < 100; i++) {
        cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x40000, 4096, "p")), 0);
        cr_assert_eq(shm_reader_poll(r, &drained, err, sizeof err), SHM_OK);
    }
    refresh();
    cr_assert_eq(peaks_status(s.peaks)->lost, lost);
    cr_assert_eq(dev0()->cores[0].bytes[CAT_SEMAPHORES], 128 + 4096);
}

/* *arg: in, where to record; out, the handle. */
static void *record_once(void *arg)
{
    l1top_range c = { 0, 0, 0, 0 };
    uint64_t *h = arg;
    *h = l1top_record(w, 0, L1TOP_RUNTIME, &c, 1, (uint32_t)*h, 256, "thread");
    return NULL;
}

Test(events, a_thread_without_a_ring_is_counted_and_the_marks_flagged_approximate)
{
    reopen("1", NULL);
    l1top_range c = { 0, 0, 0, 0 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_RUNTIME, &c, 1, 0x60000, 256, "main"), 0); /* takes the ring */
    refresh();
    uint64_t h = 0x50000;
    pthread_t t;
    pthread_create(&t, NULL, record_once, &h);
    pthread_join(t, NULL);
    cr_assert_neq(h, 0, "recording works without a ring");
    refresh();
    const peak_status *st = peaks_status(s.peaks);
    cr_assert(st->approximate);
    cr_assert_eq(st->unlogged, 1);
    expect_model_is_snapshot();
}

Test(events, the_ring_of_a_thread_that_ended_is_taken_by_a_new_one)
{
    reopen("2", NULL);
    l1top_range c = { 0, 0, 0, 0 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_RUNTIME, &c, 1, 0x60000, 256, "main"), 0);
    refresh();
    for (int i = 0; i < 3; i++) { /* each thread ends before the next starts: one ring serves them all */
        uint64_t h = 0x50000 + 0x1000u * (unsigned)i;
        pthread_t t;
        pthread_create(&t, NULL, record_once, &h);
        pthread_join(t, NULL);
        cr_assert_neq(h, 0);
        refresh();
        cr_assert(!peaks_status(s.peaks)->approximate, "thread %d found a ring", i);
    }
    expect_model_is_snapshot();
    cr_assert_eq(dev0()->cores[0].bytes[CAT_RUNTIME], 4 * 256);
}

Test(events, a_killed_writers_regions_leave_and_its_reused_records_are_released)
{
    refresh();
    pid_t pid = fork();
    if (pid == 0) {
        l1top_writer *child = l1top_open(seg);
        l1top_range c = { 4, 4, 4, 4 };
        _exit(child && l1top_record(child, 0, L1TOP_CIRCULAR_BUFFER, &c, 1, 0x20000, 0x1000, "child") ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    refresh();
    cr_assert_eq(dev0()->cores[36].bytes[CAT_CIRCULAR_BUFFERS], 0x1000, "its spike is kept");
    cr_assert_eq(dev0()->now[36].bytes[CAT_CIRCULAR_BUFFERS], 0, "its region is gone with it");
    expect_model_is_snapshot();
    /* Another writer reaps it (l1top_open) and so logs the release of its record. */
    l1top_writer *w2 = l1top_open(seg);
    cr_assert_not_null(w2);
    refresh();
    expect_model_is_snapshot();
    cr_assert(!peaks_status(s.peaks)->approximate);
    l1top_close(w2);
}

Test(events, close_releases_everything_in_the_log)
{
    l1top_writer *w2 = l1top_open(seg);
    l1top_range c = { 0, 0, 7, 7 };
    cr_assert_neq(l1top_record(w2, 0, L1TOP_KERNEL_CODE, &c, 1, 0x30000, 0x2000, "k"), 0);
    refresh();
    cr_assert_eq(dev0()->total.bytes[CAT_KERNEL_CODE], 64 * 0x2000);
    l1top_close(w2);
    cr_assert_eq(shm_reader_poll(r, &drained, err, sizeof err), SHM_OK);
    refresh();
    expect_model_is_snapshot();
    cr_assert_eq(peaks_regions(s.peaks), 0);
    cr_assert(!peaks_status(s.peaks)->approximate);
}

Test(events, a_segment_without_rings_keeps_marks_over_snapshots_approximately)
{
    reopen("0", NULL);
    l1top_range c = { 0, 0, 0, 0 };
    uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &c, 1, 0x30000, 0x3000, "seen");
    refresh();
    cr_assert_eq(l1top_release(w, h), 0);
    cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &c, 1, 0x30000, 0x9000, "missed")), 0);
    refresh();
    cr_assert(peaks_status(s.peaks)->approximate);
    cr_assert_eq(dev0()->cores[0].bytes[CAT_CIRCULAR_BUFFERS], 0x3000, "what the snapshots saw, no more");
    expect_model_is_snapshot();
}

/* A writer keeps lapping a small ring while the reader reads: whatever
 * restarts that takes, once the writer stops the model holds exactly what
 * the records hold (a start whose own replay was lapped must not leave the
 * model on an old snapshot while the positions move on). */
static atomic_int keep_writing;

static void *lapping_writer(void *arg)
{
    (void)arg;
    l1top_range c = { 1, 0, 1, 0 };
    uint32_t n = 0;
    while (atomic_load(&keep_writing)) {
        for (int i = 0; i < 200; i++)
            l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "lap"));
        if (n < 40) /* and regions that stay, at new addresses */
            l1top_record(w, 0, L1TOP_RUNTIME, &c, 1, 0x40000 + 256u * n++, 256, "kept");
    }
    return NULL;
}

Test(events, a_writer_lapping_its_ring_during_reads_leaves_the_model_right)
{
    reopen(NULL, "64");
    atomic_store(&keep_writing, 1);
    pthread_t t;
    pthread_create(&t, NULL, lapping_writer, NULL);
    /* Read until the writer lapped the ring a few times (or 5 s passed). */
    for (int i = 0; i < 5000 && peaks_status(s.peaks ? s.peaks : shm_reader_peaks(r))->resyncs < 5; i++) {
        cr_assert_eq(shm_reader_poll(r, &drained, err, sizeof err), SHM_OK);
        refresh();
        usleep(1000);
    }
    atomic_store(&keep_writing, 0);
    pthread_join(t, NULL);
    refresh();
    cr_assert(peaks_status(s.peaks)->approximate);
    cr_assert_eq(peaks_regions(s.peaks), s.nregions);
    expect_model_is_snapshot();
}

/* The same, step by step: the writer laps the ring between the mark and
 * the start's own replay. The start must not claim to follow the rings
 * with the model on the older snapshot (the records it lapped, among them
 * one that stays, would be missing for good). */
Test(events, a_start_whose_replay_was_lapped_does_not_follow_the_rings)
{
    reopen(NULL, "64");
    int fd = shm_open(seg, O_RDONLY, 0);
    struct stat st;
    cr_assert_eq(fstat(fd, &st), 0);
    const unsigned char *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    cr_assert_neq(map, MAP_FAILED);
    const struct l1top_shm_header *h = (const void *)map;
    shm_view v = { map, h->record_capacity, h->nrings, h->ring_slots };
    shm_events *e = shm_events_new();
    snapshot s0;
    snapshot_init(&s0);
    shm_events_mark(e, &v);
    cr_assert_eq(shm_image_snapshot(map, (uint64_t)st.st_size, NULL, &s0, err, sizeof err), SHM_OK);
    l1top_range c = { 0, 0, 0, 0 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_RUNTIME, &c, 1, 0x40000, 256, "stays"), 0);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "lap")), 0);
    events_status es = shm_events_start(e, &v, &s0);
    cr_assert(es == EVENTS_RESYNC && !shm_events_started(e), "lapped before the start replayed: start again");
    /* Starting again as a reader does (mark, snapshot, start) gets it right. */
    shm_events_mark(e, &v);
    cr_assert_eq(shm_image_snapshot(map, (uint64_t)st.st_size, NULL, &s0, err, sizeof err), SHM_OK);
    cr_assert_eq(shm_events_start(e, &v, &s0), EVENTS_OK);
    cr_assert_eq(peaks_regions(shm_events_peaks(e)), 1);
    cr_assert(peaks_status(shm_events_peaks(e))->approximate);
    shm_events_free(e);
    snapshot_free(&s0);
    munmap((void *)map, (size_t)st.st_size);
}

/* One ring, two threads: the second logs nothing until the first ends, then
 * takes the ring on its next retry (every 4096 events) and logs again. */
static pthread_barrier_t a_has_ring, b_tried;

static void *holds_the_ring(void *arg)
{
    (void)arg;
    l1top_range c = { 2, 0, 2, 0 };
    l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "first"));
    pthread_barrier_wait(&a_has_ring); /* before B starts */
    pthread_barrier_wait(&b_tried);    /* B has tried and found none */
    return NULL;
}

static void *waits_for_the_ring(void *arg)
{
    pthread_t *a = arg;
    l1top_range c = { 3, 0, 3, 0 };
    l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "no ring"));
    pthread_barrier_wait(&b_tried);
    pthread_join(*a, NULL); /* A ended: its ring is free */
    for (int i = 0; i < 2048 + 100; i++) /* the 4096th event takes the ring; the rest are logged */
        l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "retry"));
    return NULL;
}

Test(events, a_thread_without_a_ring_takes_one_that_came_free)
{
    reopen("1", "65536");
    refresh();
    pthread_barrier_init(&a_has_ring, NULL, 2);
    pthread_barrier_init(&b_tried, NULL, 2);
    pthread_t a, b;
    pthread_create(&a, NULL, holds_the_ring, NULL);
    pthread_barrier_wait(&a_has_ring);
    pthread_create(&b, NULL, waits_for_the_ring, &a);
    pthread_join(b, NULL);
    pthread_barrier_destroy(&a_has_ring);
    pthread_barrier_destroy(&b_tried);
    refresh();
    cr_assert_eq(peaks_status(s.peaks)->unlogged, 4096, "logged again from the retry on");
    expect_model_is_snapshot();
}

/* A big ring is read over several drains, a slice at a time (the reader's
 * buffer stays small), and nothing is missed or reordered. */
Test(events, a_big_ring_is_read_a_slice_at_a_time)
{
    reopen(NULL, "65536");
    refresh();
    l1top_range c = { 0, 0, 0, 0 };
    for (int i = 0; i < 20000; i++) /* 60,000 slots: four drains' worth */
        cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "s")), 0);
    cr_assert_neq(l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 128, "kept"), 0);
    cr_assert_eq(shm_reader_poll(r, &drained, err, sizeof err), SHM_OK);
    cr_assert_lt(peaks_status(shm_reader_peaks(r))->changes, 40001, "one drain reads a slice, not all");
    for (int i = 0; i < 4; i++)
        cr_assert_eq(shm_reader_poll(r, &drained, err, sizeof err), SHM_OK);
    refresh();
    const peak_status *st = peaks_status(s.peaks);
    cr_assert_eq(st->changes, 40001);
    cr_assert(!st->approximate);
    cr_assert_eq(st->late, 0);
    expect_model_is_snapshot();
}

/* The polls report what they drained, and the pace (model/poll_pace.h) keeps
 * the short wait while events flow: a reader that backed off while a writer
 * logs would lap small rings. Quiet, it backs off; events snap it back. */
Test(events, polls_report_what_they_drained_and_do_not_back_off_while_events_flow)
{
    reopen(NULL, "64");
    l1top_range c = { 0, 0, 0, 0 };
    cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "s")), 0); /* the ring's owner is logged */
    refresh();
    poll_pace p;
    poll_pace_init(&p);
    double now = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 5; i++)
            cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "s")), 0);
        feed_drained d = { 0, 0, 0 };
        cr_assert_eq(shm_reader_poll(r, &d, err, sizeof err), SHM_OK, "%s", err);
        cr_assert_eq(d.events, 10, "round %d: every record and release drained (%llu, %llu slots)", round, (unsigned long long)d.events, (unsigned long long)d.ring_used);
        cr_assert_geq(d.ring_used, 10);
        cr_assert_eq(d.ring_slots, 64);
        cr_assert_eq(poll_pace_next(&p, &d, now += p.ms), FEED_POLL_MS, "round %d: backed off while events flow",
                     round);
    }
    for (int i = 0; i < 6; i++) {
        feed_drained d = { 0, 0, 0 };
        cr_assert_eq(shm_reader_poll(r, &d, err, sizeof err), SHM_OK, "%s", err);
        cr_assert_eq(d.events, 0);
        poll_pace_next(&p, &d, now += p.ms);
    }
    cr_assert_gt(p.ms, FEED_POLL_MS, "quiet rings: the polls back off");
    cr_assert_eq(l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &c, 1, 0x30000, 64, "s")), 0);
    feed_drained d = { 0, 0, 0 };
    cr_assert_eq(shm_reader_poll(r, &d, err, sizeof err), SHM_OK, "%s", err);
    cr_assert_eq(d.events, 2);
    cr_assert_eq(poll_pace_next(&p, &d, now += p.ms), FEED_POLL_MS, "events: snapped back");
    refresh();
    cr_assert(!peaks_status(s.peaks)->approximate);
}

/* A poll checks no size (no fstat per poll): a segment truncated under the
 * reader faults under its SIGBUS guard, the poll says so, the model stops
 * following the rings, and the next snapshot reports the truncation. */
Test(events, a_poll_of_a_segment_truncated_under_it_fails_cleanly)
{
    refresh();
    struct stat st;
    int fd = shm_open(seg, O_RDWR, 0);
    cr_assert_geq(fd, 0);
    cr_assert_eq(fstat(fd, &st), 0);
    cr_assert_eq(ftruncate(fd, 4096), 0);
    feed_drained d = { 0, 0, 0 };
    cr_assert_eq(shm_reader_poll(r, &d, err, sizeof err), SHM_CORRUPT);
    cr_assert(strstr(err, "SIGBUS"), "%s", err);
    cr_assert_eq(d.events, 0);
    cr_assert_eq(shm_reader_refresh(r, &s, err, sizeof err), SHM_CORRUPT);
    cr_assert(strstr(err, "truncated"), "%s", err);
    /* Give the writer its file back before it releases through the mapping. */
    cr_assert_eq(ftruncate(fd, st.st_size), 0);
    close(fd);
    refresh();
    const peak_status *ps = peaks_status(s.peaks);
    cr_assert_eq(ps->resyncs, 1, "started again from the records");
    cr_assert(ps->approximate, "a drain cut short may have missed events");
    expect_model_is_snapshot();
}
