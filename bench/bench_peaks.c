/*
 * bench_peaks - changes per second through the peak model (model/peaks.c)
 * on Galaxy-sized grids, with regions that overlap (CBs over L1 buffers),
 * against the brute force it replaces (accounting_compute() of the whole
 * state after every change) measured in the same run; then the same
 * changes end to end: logged by libl1top into a segment's ring, drained
 * and replayed by the reader (shm_reader_poll).
 *
 * Scales (live regions held steady; each change records or releases one):
 *   galaxy     32 Wormhole chips x  8x8  cores, 1,000 live regions per chip
 *   galaxy-bh  32 Blackhole chips x 14x10 cores, 1,000 live regions per chip
 * The mix is l1sim's: 40 % CB sets and 30 % sharded buffers on random
 * sub-grids, 20 % interleaved buffers (every core of a chip), 10 % kernel
 * code, semaphores and runtime areas; addresses fall in a 256 KiB window,
 * so CBs and buffers overlap.
 *
 * Times are CPU time of the process (the machine is shared): median and
 * spread over 5 batches of changes.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "l1top.h"
#include "model/accounting.h"
#include "model/peaks.h"
#include "sources/shm_reader.h"

typedef struct {
    const char *name, *arch;
    int chips;
    uint16_t gx, gy;
    int live_per_chip;
} scale;

static const scale scales[] = {
    { "galaxy", "wormhole_b0", 32, 8, 8, 200 },
    { "galaxy-dense", "wormhole_b0", 32, 8, 8, 1000 },
    { "galaxy-bh", "blackhole", 32, 14, 10, 1000 },
};

#define BATCHES 5
#define BATCH_CHANGES 20000
#define BRUTE_CHANGES 3

static uint64_t seed = 42;
static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(seed >> 33) % n;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    uint64_t handle;
    uint32_t device;
    uint8_t kind;
    bool interleaved;
    uint32_t address, size, page;
    uint64_t total;
    l1top_range range;
} region;

static region random_region(const scale *sc, uint64_t handle)
{
    const arch_info *a = arch_by_name(sc->arch);
    region g = { handle, (uint32_t)rnd((uint32_t)sc->chips), 0, false, 0, 0, 0, 0, { 0, 0, 0, 0 } };
    uint32_t pick = rnd(100);
    g.address = a->unreserved_base + rnd(0x40000);
    if (pick < 20) {
        g.kind = L1TOP_L1_BUFFER;
        g.interleaved = true;
        g.page = 2048;
        g.total = (uint64_t)(1 + rnd(4)) * 2048u * sc->gx * sc->gy;
        return g;
    }
    g.kind = pick < 60 ? L1TOP_CIRCULAR_BUFFER : pick < 90 ? L1TOP_L1_BUFFER
                                                           : (uint8_t)(L1TOP_KERNEL_CODE + rnd(3));
    g.size = 1024u * (1 + rnd(64));
    uint16_t x0 = (uint16_t)rnd(sc->gx), y0 = (uint16_t)rnd(sc->gy);
    g.range = (l1top_range){ x0, y0, (uint16_t)(x0 + rnd(sc->gx - x0)), (uint16_t)(y0 + rnd(sc->gy - y0)) };
    return g;
}

static peak_region as_peak(const region *g)
{
    return (peak_region){ g->handle, 1, g->device, g->kind, g->interleaved, g->address, g->size, g->page, g->total,
                          &g->range, g->interleaved ? 0 : 1, "bench" };
}

/* A steady stream: release a random live region, record a new one. */
typedef struct {
    bool release;
    region g;
} change;

static void add_region(snapshot *s, const region *g)
{
    snap_region *r = snapshot_add_region(s, g->interleaved ? NULL : &g->range, g->interleaved ? 0 : 1);
    r->device = g->device;
    r->process = 0;
    r->kind = g->kind;
    r->interleaved = g->interleaved;
    r->address = g->address;
    r->size_per_core = g->size;
    r->page_size = g->page;
    r->total_size = g->total;
    r->handle = g->handle;
}

static void build_devices(snapshot *s, const scale *sc)
{
    const arch_info *a = arch_by_name(sc->arch);
    for (int c = 0; c < sc->chips; c++) {
        snap_device *d = snapshot_add_device(s);
        d->id = (uint32_t)c;
        d->arch = a->id;
        snprintf(d->arch_name, sizeof d->arch_name, "%s", a->name);
        d->grid_x = sc->gx;
        d->grid_y = sc->gy;
        d->l1_size = a->l1_size;
        d->unreserved_base = a->unreserved_base;
        d->alignment = a->alignment;
    }
    snap_process *p = snapshot_add_process(s);
    p->pid = 1;
}

static void model_scale(const scale *sc)
{
    size_t live_n = (size_t)sc->chips * (size_t)sc->live_per_chip;
    region *live = calloc(live_n, sizeof *live);
    change *stream = calloc(BATCH_CHANGES, sizeof *stream);
    uint64_t next = 1;
    snapshot s;
    snapshot_init(&s);
    build_devices(&s, sc);
    for (size_t i = 0; i < live_n; i++) {
        live[i] = random_region(sc, next++);
        add_region(&s, &live[i]);
    }
    peaks *p = peaks_new();
    if (peaks_load(p, &s, false, 1) != 0)
        abort();
    double t[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        for (size_t k = 0; k < BATCH_CHANGES; k += 2) { /* the stream, made outside the clock */
            size_t i = rnd((uint32_t)live_n);
            stream[k] = (change){ true, live[i] };
            live[i] = random_region(sc, next++);
            stream[k + 1] = (change){ false, live[i] };
        }
        double t0 = cpu_ms();
        for (size_t k = 0; k < BATCH_CHANGES; k++) {
            peak_region pr = as_peak(&stream[k].g);
            peak_result r = stream[k].release ? peaks_release(p, pr.handle, 2) : peaks_record(p, &pr, 2);
            if (r != PEAK_APPLIED)
                abort();
        }
        t[b] = (cpu_ms() - t0) / BATCH_CHANGES;
    }
    qsort(t, BATCHES, sizeof *t, cmp_double);
    /* The brute force: the whole accounting after a change. */
    snapshot_reset(&s);
    build_devices(&s, sc);
    for (size_t i = 0; i < live_n; i++)
        add_region(&s, &live[i]);
    double brute[BRUTE_CHANGES];
    for (int b = 0; b < BRUTE_CHANGES; b++) {
        accounting a;
        double t0 = cpu_ms();
        if (accounting_compute(&s, &a) != 0)
            abort();
        brute[b] = cpu_ms() - t0;
        accounting_free(&a);
    }
    qsort(brute, BRUTE_CHANGES, sizeof *brute, cmp_double);
    double per = t[BATCHES / 2];
    printf("  %-10s %2d x %2ux%-2u cores, %6zu live: model %7.2f us/change (%.0f changes/s; batches %.2f-%.2f us), "
           "accounting per change %8.2f ms: %.0fx\n",
           sc->name, sc->chips, sc->gx, sc->gy, live_n, per * 1e3, 1e3 / per, t[0] * 1e3, t[BATCHES - 1] * 1e3,
           brute[BRUTE_CHANGES / 2], brute[BRUTE_CHANGES / 2] / per);
    peaks_free(p);
    snapshot_free(&s);
    free(live);
    free(stream);
}

/* End to end: changes logged by libl1top into a ring of 65,536 slots, the
 * reader draining and replaying them (shm_reader_poll) after every 10,000
 * changes; CPU time of both sides, per change. */
static void end_to_end(void)
{
    char seg[64];
    snprintf(seg, sizeof seg, "/l1top-bench-peaks-%d", (int)getpid());
    shm_unlink(seg);
    setenv("L1TOP_RING_SLOTS", "65536", 1);
    setenv("L1TOP_CAPACITY", "200000", 1);
    l1top_writer *w = l1top_open(seg);
    unsetenv("L1TOP_RING_SLOTS");
    unsetenv("L1TOP_CAPACITY");
    const scale *sc = &scales[0];
    for (int c = 0; w && c < sc->chips; c++)
        if (l1top_declare_device(w, (uint32_t)c, sc->arch, sc->gx, sc->gy) != 0)
            abort();
    shm_reader *r;
    char err[256];
    feed_drained drained = { 0, 0, 0 };
    snapshot s;
    snapshot_init(&s);
    if (!w || shm_reader_open(seg, &r, err, sizeof err) != SHM_OK)
        abort();
    size_t live_n = (size_t)sc->chips * (size_t)sc->live_per_chip;
    uint64_t *handles = calloc(live_n, sizeof *handles);
    for (size_t i = 0; i < live_n; i++) {
        region g = random_region(sc, 0);
        handles[i] = g.interleaved ? l1top_record_interleaved(w, g.device, g.address, g.total, g.page, "bench")
                                   : l1top_record(w, g.device, g.kind, &g.range, 1, g.address, g.size, "bench");
    }
    if (shm_reader_refresh(r, &s, err, sizeof err) != SHM_OK)
        abort();
    enum { CHANGES = 10000 };
    double t[BATCHES], writer_t[BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = cpu_ms();
        for (int k = 0; k < CHANGES; k += 2) {
            size_t i = rnd((uint32_t)live_n);
            region g = random_region(sc, 0);
            l1top_release(w, handles[i]);
            handles[i] = g.interleaved ? l1top_record_interleaved(w, g.device, g.address, g.total, g.page, "bench")
                                       : l1top_record(w, g.device, g.kind, &g.range, 1, g.address, g.size, "bench");
        }
        double t1 = cpu_ms();
        if (shm_reader_poll(r, &drained, err, sizeof err) != SHM_OK)
            abort();
        t[b] = (cpu_ms() - t1) / CHANGES;
        writer_t[b] = (t1 - t0) / CHANGES;
    }
    if (shm_reader_refresh(r, &s, err, sizeof err) != SHM_OK)
        abort();
    const peak_status *st = peaks_status(shm_reader_peaks(r));
    qsort(t, BATCHES, sizeof *t, cmp_double);
    qsort(writer_t, BATCHES, sizeof *writer_t, cmp_double);
    printf("  end to end, galaxy: drain + replay %.2f us/change (%.0f changes/s), writer %.2f us/change; "
           "%llu changes replayed, %s\n",
           t[BATCHES / 2] * 1e3, 1e3 / t[BATCHES / 2], writer_t[BATCHES / 2] * 1e3,
           (unsigned long long)st->changes, st->approximate ? "APPROXIMATE (lost)" : "exact");
    shm_reader_close(r);
    snapshot_free(&s);
    l1top_close(w);
    shm_unlink(seg);
    free(handles);
}

int main(void)
{
    printf("peak model, CPU time per change (median of %d batches of %d; a change = a record or a release)\n",
           BATCHES, BATCH_CHANGES);
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++)
        model_scale(&scales[i]);
    end_to_end();
    return 0;
}
