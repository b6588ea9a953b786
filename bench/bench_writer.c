/*
 * bench_writer - the writer hot path (l1top_record + l1top_release) against
 * the same event sent as messages over a Unix-domain socket to a receiving
 * process (how allocation-server prototypes work), measured in one run.
 *
 *   bench_writer                 the comparison, 1, 4 and 16 threads; then
 *                                the cost of the event log (layout v3:
 *                                every record and release also appended
 *                                to the thread's ring) against the same
 *                                calls on a segment made without rings
 *                                (L1TOP_RINGS=0: the v2 hot path); then
 *                                the cost of a refused record on a full
 *                                segment and of a record at 99 % full
 *   bench_writer --loop N        N record/release pairs and nothing else
 *                                (for counting system calls with strace)
 *
 * Times are per pair, from batches of 64 pairs (the clock read costs
 * about as much as a pair): median and 99th percentile over batches.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "l1top.h"

#define BATCH 64

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double median, p99;
} stats;

static stats summarize(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return (stats){ v[n / 2], v[(size_t)((double)n * 0.99)] };
}

/* The event an allocation server would receive. */
typedef struct {
    uint32_t op, device, kind, address, size;
    l1top_range range;
    char tag[32];
} event;

typedef struct {
    l1top_writer *w;
    int sock;               /* socket mode */
    size_t batches;
    double *samples;        /* ns per pair, one per batch */
    int id;
} job;

static void *shm_job(void *arg)
{
    job *j = arg;
    l1top_range r = { (uint16_t)(j->id % 8), 0, (uint16_t)(j->id % 8), 7 };
    for (size_t b = 0; b < j->batches; b++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            uint64_t h = l1top_record(j->w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x19180, 4096, "cb");
            if (!h || l1top_release(j->w, h) != 0)
                abort();
        }
        j->samples[b] = (now_ns() - t0) / BATCH;
    }
    return NULL;
}

static void *socket_job(void *arg)
{
    job *j = arg;
    event ev;
    memset(&ev, 0, sizeof ev);
    ev.range = (l1top_range){ (uint16_t)(j->id % 8), 0, (uint16_t)(j->id % 8), 7 };
    snprintf(ev.tag, sizeof ev.tag, "cb");
    for (size_t b = 0; b < j->batches; b++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            ev.op = 1; /* allocate */
            ev.kind = L1TOP_CIRCULAR_BUFFER;
            ev.address = 0x19180;
            ev.size = 4096;
            if (send(j->sock, &ev, sizeof ev, 0) != (ssize_t)sizeof ev)
                abort();
            ev.op = 2; /* free */
            if (send(j->sock, &ev, sizeof ev, 0) != (ssize_t)sizeof ev)
                abort();
        }
        j->samples[b] = (now_ns() - t0) / BATCH;
    }
    return NULL;
}

/* The receiving server: reads events until the socket closes. */
static pid_t start_receiver(int sock)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* Keep only our socket: an inherited write end of another pair
         * would keep that receiver from ever seeing end-of-file. */
        for (int fd = 3; fd < 1024; fd++)
            if (fd != sock)
                close(fd);
        event ev;
        unsigned long n = 0;
        while (recv(sock, &ev, sizeof ev, 0) == (ssize_t)sizeof ev)
            n += ev.op; /* touch it, as a server would */
        _exit(n == 0);
    }
    return pid;
}

#define MAX_THREADS 16

static stats run(bool sockets, int threads, size_t batches, l1top_writer *w)
{
    job jobs[MAX_THREADS];
    pthread_t t[MAX_THREADS];
    pid_t receivers[MAX_THREADS];
    int socks[MAX_THREADS][2];
    for (int i = 0; i < threads; i++) {
        jobs[i] = (job){ w, -1, batches, calloc(batches, sizeof(double)), i };
        if (sockets) {
            if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, socks[i]) != 0)
                abort();
            receivers[i] = start_receiver(socks[i][1]);
            close(socks[i][1]);
            jobs[i].sock = socks[i][0];
        }
    }
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, sockets ? socket_job : shm_job, &jobs[i]);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double *all = calloc(batches * (size_t)threads, sizeof(double));
    for (int i = 0; i < threads; i++) {
        memcpy(all + (size_t)i * batches, jobs[i].samples, batches * sizeof(double));
        free(jobs[i].samples);
        if (sockets) {
            close(jobs[i].sock);
            waitpid(receivers[i], NULL, 0);
        }
    }
    stats s = summarize(all, batches * (size_t)threads);
    free(all);
    return s;
}

/* The event log's cost: 1 thread, the default segment (a ring per
 * thread) against one made without rings, alternating runs so both see
 * the same machine. */
static void event_log_cost(const char *seg)
{
    enum { ROUNDS = 3 };
    double with[ROUNDS], without[ROUNDS];
    for (int i = 0; i < 2 * ROUNDS; i++) {
        shm_unlink(seg);
        if (i % 2)
            setenv("L1TOP_RINGS", "0", 1);
        l1top_writer *w = l1top_open(seg);
        unsetenv("L1TOP_RINGS");
        if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0)
            abort();
        run(false, 1, 1000, w); /* warm up */
        stats st = run(false, 1, 10000, w);
        (i % 2 ? without : with)[i / 2] = st.median;
        l1top_close(w);
    }
    shm_unlink(seg);
    qsort(with, ROUNDS, sizeof *with, cmp_double);
    qsort(without, ROUNDS, sizeof *without, cmp_double);
    double a = with[ROUNDS / 2], b = without[ROUNDS / 2];
    printf("event log (1 thread, median of %d runs each)\n", ROUNDS);
    printf("  record+release, events logged  : %8.1f ns\n", a);
    printf("  record+release, no rings       : %8.1f ns   (L1TOP_RINGS=0)\n", b);
    printf("  cost of the events             : %8.1f ns a pair, %.2fx   target within 2x: %s\n", a - b, a / b,
           a <= 2 * b ? "met" : "MISSED");
}

/* A full segment (default capacity, 65,536 records): ns per refused
 * record, then ns per record+release with one slot in 100 free. */
static int full_segment(const char *seg)
{
    shm_unlink(seg);
    l1top_writer *w = l1top_open(seg);
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0)
        return 1;
    l1top_range r = { 0, 0, 0, 0 };
    static uint64_t held[65536];
    size_t n = 0;
    while (n < 65536 && (held[n] = l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "fill")) != 0)
        n++;
    enum { SAMPLES = 400 };
    double refused[SAMPLES], nearly[SAMPLES];
    for (int b = 0; b < SAMPLES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            if (l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "x") != 0)
                abort();
        refused[b] = (now_ns() - t0) / BATCH;
    }
    for (size_t i = 0; i < n; i += 100) /* 99 % full: every 100th slot free */
        l1top_release(w, held[i]);
    for (int b = 0; b < SAMPLES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            uint64_t h = l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "x");
            if (!h || l1top_release(w, h) != 0)
                abort();
        }
        nearly[b] = (now_ns() - t0) / BATCH;
    }
    stats sr = summarize(refused, SAMPLES), sn = summarize(nearly, SAMPLES);
    printf("full segment (%zu records held)\n", n);
    printf("  refused record (ENOSPC)      : %8.1f / %8.1f ns   target < 1000 ns\n", sr.median, sr.p99);
    printf("  record+release at 99 %% full  : %8.1f / %8.1f ns\n", sn.median, sn.p99);
    l1top_close(w);
    shm_unlink(seg);
    return 0;
}

int main(int argc, char **argv)
{
    char seg[64];
    snprintf(seg, sizeof seg, "/l1top-bench-writer-%d", (int)getpid());
    shm_unlink(seg);
    l1top_writer *w = l1top_open(seg);
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0) {
        perror("l1top_open");
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "--loop") == 0) {
        long n = atol(argv[2]);
        l1top_range r = { 0, 0, 7, 7 };
        for (long i = 0; i < n; i++)
            l1top_release(w, l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x19180, 4096, "cb"));
        l1top_close(w);
        shm_unlink(seg);
        return 0;
    }
    size_t batches = 20000; /* 1.28 M pairs per thread */
    run(false, 1, batches / 10, w); /* warm up */
    stats s1 = run(false, 1, batches, w);
    stats s4 = run(false, 4, batches / 4, w);
    stats s16 = run(false, 16, batches / 16, w);
    stats k1 = run(true, 1, batches / 20, w);
    stats k4 = run(true, 4, batches / 80, w);
    stats k16 = run(true, 16, batches / 320, w);
    printf("writer hot path, ns per record+release pair (median / p99 over batches of %d)\n", BATCH);
    printf("  libl1top      1 thread : %8.1f / %8.1f\n", s1.median, s1.p99);
    printf("  libl1top      4 threads: %8.1f / %8.1f   (%.2fx the 1-thread median)\n", s4.median, s4.p99,
           s4.median / s1.median);
    printf("  libl1top     16 threads: %8.1f / %8.1f   (%.2fx the 1-thread median)\n", s16.median, s16.p99,
           s16.median / s1.median);
    printf("  unix socket   1 thread : %8.1f / %8.1f   (baseline)\n", k1.median, k1.p99);
    printf("  unix socket   4 threads: %8.1f / %8.1f   (baseline)\n", k4.median, k4.p99);
    printf("  unix socket  16 threads: %8.1f / %8.1f   (baseline)\n", k16.median, k16.p99);
    printf("  ratio socket/libl1top  : %.1fx (1 thread), %.1fx (4 threads), %.1fx (16 threads)   target >= 20x at 1 and 4\n",
           k1.median / s1.median, k4.median / s4.median, k16.median / s16.median);
    printf("  threads within 2x of 1 thread: %s\n", s4.median <= 2 * s1.median && s16.median <= 2 * s1.median ? "met" : "MISSED");
    l1top_close(w);
    shm_unlink(seg);
    event_log_cost(seg);
    return full_segment(seg);
}
