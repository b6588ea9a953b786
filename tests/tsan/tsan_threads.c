/*
 * tsan_threads.c - the writer library under ThreadSanitizer (make tsan-check):
 * threads of one process record and release at once on one writer while
 * another thread of the same process snapshots the segment and accounts it.
 * A plain program, not a Criterion suite: Criterion's runner does not start
 * under TSan. TSan tracks addresses, and the reader maps the segment apart
 * from the writer, so what it checks is the writer threads against each
 * other (claims, cursors, stripes, releases); the reader thread checks that
 * every snapshot taken meanwhile holds. Exit 0 when all calls behaved.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/accounting.h"
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
    snapshot s;
    snapshot_init(&s);
    if (shm_reader_open(seg, &r, err, sizeof err) != SHM_OK) {
        atomic_fetch_add(&failures, 1);
        return NULL;
    }
    int snaps = 0;
    while (atomic_load(&running) > 0 || snaps < 10) {
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
    shm_reader_close(r);
    snapshot_free(&s);
    printf("tsan_stress: %d snapshots beside %d writer threads\n", snaps, THREADS);
    return NULL;
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
    int f = atomic_load(&failures);
    printf("tsan_stress: %s (%d failures)\n", f ? "FAILED" : "ok", f);
    return f ? 1 : 0;
}
