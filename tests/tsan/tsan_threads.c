/*
 * tsan_threads.c - the writer library under ThreadSanitizer (make tsan-check):
 * threads of one process record and release at once on one writer while
 * another thread of the same process snapshots the segment and accounts it.
 * A plain program, not a Criterion suite: Criterion's runner does not start
 * under TSan. TSan tracks addresses, and the reader maps the segment apart
 * from the writer, so what it checks is the writer threads against each
 * other (claims, cursors, stripes, releases, event rings); the reader
 * thread checks that every snapshot taken meanwhile holds, replaying the
 * rings between snapshots. A second part gives the threads fewer rings
 * than they are: waves of threads that end hand their rings on (claims by
 * thread id), and threads of one wave beyond the rings count their events
 * as unlogged. Exit 0 when all calls behaved.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/accounting.h"
#include "model/peaks.h"
#include "l1top.h"
#include "sources/shm_reader.h"

#define THREADS 4
#define ROUNDS 20000
#define KEEP 8

static l1top_writer *w;
static atomic_int running = THREADS;
static atomic_int failures;

static void *writer_thread(void *arg)
{
    uint16_t x = (uint16_t)(uintptr_t)arg;
    l1top_range r = { x, 0, x, 7 };
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 100, "t");
        if (!h || l1top_release(w, h) != 0)
            atomic_fetch_add(&failures, 1);
    }
    for (int i = 0; i < KEEP; i++)
        if (!l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000 + 100u * (unsigned)i, 100, "k"))
            atomic_fetch_add(&failures, 1);
    atomic_fetch_sub(&running, 1);
    return NULL;
}

static void *reader_thread(void *arg)
{
    const char *seg = arg;
    shm_reader *r;
    char err[256];
    feed_drained drained = { 0, 0, 0 };
    snapshot s;
    snapshot_init(&s);
    if (shm_reader_open(seg, &r, err, sizeof err) != SHM_OK) {
        atomic_fetch_add(&failures, 1);
        return NULL;
    }
    int snaps = 0;
    while (atomic_load(&running) > 0 || snaps < 10) {
        for (int i = 0; i < 5; i++)
            if (shm_reader_poll(r, &drained, err, sizeof err) != SHM_OK)
                atomic_fetch_add(&failures, 1);
        if (shm_reader_refresh(r, &s, err, sizeof err) != SHM_OK || s.nregions > THREADS * (KEEP + 1)) {
            atomic_fetch_add(&failures, 1);
            break;
        }
        accounting a;
        if (accounting_compute(&s, &a) != 0)
            atomic_fetch_add(&failures, 1);
        else
            accounting_free(&a);
        snaps++;
    }
    /* Every change replayed: once the writers are done, the model holds
     * what the snapshot holds (during, a record can be in a snapshot
     * before its event is in the ring). */
    if (shm_reader_refresh(r, &s, err, sizeof err) != SHM_OK)
        atomic_fetch_add(&failures, 1);
    if (s.peaks && peaks_regions(s.peaks) != s.nregions) {
        const peak_status *st = peaks_status(s.peaks);
        printf("tsan_threads: the peak model holds %zu regions, the snapshot %zu (approximate %d lost %llu late "
               "%llu bad %llu resyncs %llu changes %llu)\n",
               peaks_regions(s.peaks), s.nregions, st->approximate, (unsigned long long)st->lost,
               (unsigned long long)st->late, (unsigned long long)st->bad, (unsigned long long)st->resyncs,
               (unsigned long long)st->changes);
        atomic_fetch_add(&failures, 1);
    }
    shm_reader_close(r);
    snapshot_free(&s);
    printf("tsan_stress: %d snapshots beside %d writer threads\n", snaps, THREADS);
    return NULL;
}

/* ---- fewer rings than threads ---- */

#define WAVES 3
#define WAVE_ROUNDS 100 /* 300 slots a thread: the 2 rings of 2048 slots hold every wave unread */

static pthread_barrier_t together; /* the threads of a wave all hold their ring (or none) at once */

static void *wave_thread(void *arg)
{
    uint16_t x = (uint16_t)(uintptr_t)arg;
    l1top_range r = { x, 1, x, 1 };
    l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x30000, 64, "first"));
    pthread_barrier_wait(&together);
    for (int i = 0; i < WAVE_ROUNDS; i++) {
        uint64_t h = l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x30000, 64, "wave");
        if (!h || l1top_release(w, h) != 0)
            atomic_fetch_add(&failures, 1);
    }
    return NULL;
}

/* L1TOP_RINGS=2: waves of two threads find the rings the last wave left;
 * then four threads at once, two of them without a ring. Returns whether
 * the peaks are flagged approximate exactly when they should be. */
static int few_rings(const char *seg)
{
    shm_unlink(seg);
    setenv("L1TOP_RINGS", "2", 1);
    w = l1top_open(seg);
    unsetenv("L1TOP_RINGS");
    shm_reader *r;
    char err[256];
    snapshot s;
    snapshot_init(&s);
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0 ||
        shm_reader_open(seg, &r, err, sizeof err) != SHM_OK || shm_reader_refresh(r, &s, err, sizeof err) != SHM_OK)
        return 1;
    pthread_t t[4];
    pthread_barrier_init(&together, NULL, 2);
    for (int wave = 0; wave < WAVES; wave++) {
        for (uintptr_t i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, wave_thread, (void *)i);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
    }
    int bad = shm_reader_refresh(r, &s, err, sizeof err) != SHM_OK || peaks_status(s.peaks)->approximate;
    if (bad)
        printf("tsan_threads: waves: %s, unlogged %llu\n", err, (unsigned long long)peaks_status(s.peaks)->unlogged);
    pthread_barrier_destroy(&together);
    pthread_barrier_init(&together, NULL, 4);
    for (uintptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, wave_thread, (void *)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    int rc = shm_reader_refresh(r, &s, err, sizeof err);
    const peak_status *st = peaks_status(s.peaks);
    if (rc != SHM_OK || !st->approximate || st->unlogged == 0) {
        printf("tsan_threads: 4 threads on 2 rings: approximate %d, unlogged %llu, lost %llu\n", st->approximate,
               (unsigned long long)st->unlogged, (unsigned long long)st->lost);
        bad = 1;
    }
    pthread_barrier_destroy(&together);
    printf("tsan_threads: %d waves of 2 threads on 2 rings exact, 4 threads on 2 rings approximate: %s\n", WAVES,
           bad ? "FAILED" : "ok");
    shm_reader_close(r);
    snapshot_free(&s);
    l1top_close(w);
    shm_unlink(seg);
    return bad;
}

int main(void)
{
    char seg[64];
    snprintf(seg, sizeof seg, "/l1top-tsan-%d", (int)getpid());
    shm_unlink(seg);
    w = l1top_open(seg);
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0) {
        perror("l1top_open");
        return 1;
    }
    pthread_t t[THREADS], rd;
    pthread_create(&rd, NULL, reader_thread, seg);
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, writer_thread, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_join(rd, NULL);
    l1top_close(w);
    shm_unlink(seg);
    if (few_rings(seg))
        atomic_fetch_add(&failures, 1);
    int f = atomic_load(&failures);
    printf("tsan_stress: %s (%d failures)\n", f ? "FAILED" : "ok", f);
    return f ? 1 : 0;
}
