/*
 * tsan_stress.c - the writer's threads and a reader under ThreadSanitizer
 * (`make tsan-check`). Criterion cannot run under TSan (Snaipe/Criterion
 * #274: its forked runners' arenas clash with TSan's shadow memory), so this
 * is a plain program: exit 0, or a TSan report and exit 66, or 1 with a line.
 *
 * One process: WRITER_THREADS threads share one writer and record/release
 * at random (ranged, chained and interleaved regions) while a reader thread
 * snapshots the same segment and accounts it; other writer processes do the
 * same and one is SIGKILLed mid-run. At the end the reader must show exactly
 * what this process's threads hold, and nothing of the killed writer.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model/accounting.h"
#include "l1top.h"
#include "sources/shm_reader.h"

#define WRITER_THREADS 4
#define SLOTS 32
#define GRID 8
#define CHILDREN 2
#define RUN_MS 1500

static char seg[64];
static atomic_bool stop;

static void fail(const char *what)
{
    fprintf(stderr, "tsan_stress: %s\n", what);
    shm_unlink(seg);
    exit(1);
}

typedef struct {
    l1top_writer *w;
    uint64_t seed, handle[SLOTS];
    size_t held;
} worker;

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((*s >> 33) % n);
}

static void *worker_main(void *arg)
{
    worker *k = arg;
    for (unsigned ops = 1; !atomic_load(&stop); ops++) {
        if ((ops & 63) == 0)
            sched_yield(); /* 2 cores: let the reader thread in now and then */
        int slot = (int)rnd(&k->seed, SLOTS);
        if (k->handle[slot]) {
            if (l1top_release(k->w, k->handle[slot]) != 0)
                fail("release of a held handle failed");
            k->handle[slot] = 0;
            k->held--;
            continue;
        }
        uint32_t addr = 0x19180 + 64 * rnd(&k->seed, 16000);
        uint64_t h;
        if (rnd(&k->seed, 4) == 0) {
            h = l1top_record_interleaved(k->w, 0, addr, 2048ull * (1 + rnd(&k->seed, 100)), 2048, "i");
        } else {
            l1top_range r[6];
            size_t n = 1 + rnd(&k->seed, 6); /* more than 4 ranges: chained records */
            for (size_t i = 0; i < n; i++) {
                uint16_t x = (uint16_t)rnd(&k->seed, GRID), y = (uint16_t)rnd(&k->seed, GRID);
                r[i] = (l1top_range){ x, y, x, y };
            }
            h = l1top_record(k->w, 0, (l1top_kind)(1 + rnd(&k->seed, 6)), r, n, addr, 64, "r");
        }
        if (h) {
            k->handle[slot] = h;
            k->held++;
        }
    }
    return NULL;
}

static void *reader_main(void *arg)
{
    long *snapshots = arg;
    shm_reader *r = NULL;
    char err[256];
    if (shm_reader_open(seg, &r, err, sizeof err) != SHM_OK)
        fail(err);
    snapshot s;
    snapshot_init(&s);
    while (!atomic_load(&stop)) {
        if (shm_reader_snapshot(r, &s, err, sizeof err) != SHM_OK)
            fail(err);
        accounting a;
        if (accounting_compute(&s, &a) != 0)
            fail("accounting failed");
        accounting_free(&a);
        (*snapshots)++;
    }
    snapshot_free(&s);
    shm_reader_close(r);
    return NULL;
}

/* Writers and (in the parent) a reader for RUN_MS; returns what the
 * writer threads hold at the end. */
static size_t run_threads(l1top_writer *w, uint64_t seed, long *snapshots)
{
    static worker k[WRITER_THREADS];
    pthread_t t[WRITER_THREADS + 1];
    for (int i = 0; i < WRITER_THREADS; i++) {
        memset(&k[i], 0, sizeof k[i]);
        k[i].w = w;
        k[i].seed = (seed + (uint64_t)i) * 0x9E3779B97F4A7C15ull;
        pthread_create(&t[i], NULL, worker_main, &k[i]);
    }
    if (snapshots)
        pthread_create(&t[WRITER_THREADS], NULL, reader_main, snapshots);
    struct timespec ts = { RUN_MS / 1000, (RUN_MS % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    atomic_store(&stop, true);
    size_t held = 0;
    for (int i = 0; i < WRITER_THREADS; i++) {
        pthread_join(t[i], NULL);
        held += k[i].held;
    }
    if (snapshots)
        pthread_join(t[WRITER_THREADS], NULL);
    return held;
}

static l1top_writer *open_writer(void)
{
    l1top_writer *w = l1top_open(seg);
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", GRID, GRID) != 0)
        fail("cannot open the writer");
    return w;
}

int main(void)
{
    snprintf(seg, sizeof seg, "/l1top-tsan-%d", (int)getpid());
    shm_unlink(seg);
    l1top_writer *w = open_writer(); /* creates the segment before the children attach */
    pid_t kids[CHILDREN];
    for (int c = 0; c < CHILDREN; c++) { /* before any thread: fork and threads do not mix */
        kids[c] = fork();
        if (kids[c] < 0)
            fail("fork failed");
        if (kids[c] == 0) {
            l1top_writer *cw = open_writer();
            run_threads(cw, 1000u * (unsigned)(c + 1), NULL);
            l1top_close(cw);
            _exit(0);
        }
    }
    long snapshots = 0;
    struct timespec half = { 0, RUN_MS / 2 * 1000000L };
    nanosleep(&half, NULL);
    kill(kids[0], SIGKILL); /* its records must vanish from the reader's view */
    size_t held = run_threads(w, 7, &snapshots);
    int status;
    for (int c = 0; c < CHILDREN; c++)
        waitpid(kids[c], &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("a writer process failed");

    shm_reader *r = NULL;
    char err[256];
    snapshot s;
    snapshot_init(&s);
    if (shm_reader_open(seg, &r, err, sizeof err) != SHM_OK || shm_reader_snapshot(r, &s, err, sizeof err) != SHM_OK)
        fail(err);
    size_t ours = 0;
    for (size_t i = 0; i < s.nregions; i++) {
        int32_t pid = s.processes[s.regions[i].process].pid;
        if (pid == kids[0])
            fail("the killed writer's records are still shown");
        ours += pid == getpid();
    }
    if (ours != held) {
        fprintf(stderr, "tsan_stress: the reader shows %zu regions, the threads hold %zu\n", ours, held);
        shm_unlink(seg);
        return 1;
    }
    snapshot_free(&s);
    shm_reader_close(r);
    l1top_close(w);
    shm_unlink(seg);
    printf("tsan_stress: %d writer threads x %d processes, %ld concurrent snapshots, %zu regions held: ok\n",
           WRITER_THREADS, CHILDREN + 1, snapshots, held);
    return 0;
}
