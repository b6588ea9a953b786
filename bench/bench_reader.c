/*
 * bench_reader - the cost of one l1top frame: snapshot of the segment,
 * per-core accounting, and the device view rendered into an off-screen
 * ncurses screen, at three scales:
 *   small   1 chip  x  64 cores x    500 live regions
 *   middle  8 chips x  64 cores x  2,000 regions
 *   large  32 chips x 140 cores x 10,000 regions
 * with l1sim's mix: CB sets and sharded buffers on sub-grids, interleaved
 * buffers, kernel code, semaphores and runtime areas.
 *
 *   bench_reader            all three scales, median of 30 frames each
 *   bench_reader --hold S   fill scale S (small|middle|large), print
 *                           "ready SEGMENT" and hold (for the footprint run)
 */
#define _GNU_SOURCE
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "accounting.h"
#include "arch.h"
#include "l1top.h"
#include "render.h"
#include "shm_reader.h"

typedef struct {
    const char *name;
    int chips, gx, gy, regions;
    const char *arch;
} scale;

static const scale scales[] = {
    { "small", 1, 8, 8, 500, "wormhole_b0" },
    { "middle", 8, 8, 8, 2000, "wormhole_b0" },
    { "large", 32, 14, 10, 10000, "blackhole" },
};

static uint64_t seed = 12345;
static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((seed >> 33) % n);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static l1top_writer *fill(const scale *sc, const char *seg)
{
    shm_unlink(seg);
    l1top_writer *w = l1top_open(seg);
    if (!w)
        return NULL;
    const arch_info *a = arch_by_name(sc->arch);
    for (int c = 0; c < sc->chips; c++)
        if (l1top_declare_device(w, (uint32_t)c, sc->arch, (uint16_t)sc->gx, (uint16_t)sc->gy) != 0)
            return NULL;
    for (int i = 0; i < sc->regions; i++) {
        uint32_t dev = (uint32_t)(i % sc->chips);
        uint16_t x0 = (uint16_t)rnd((uint32_t)sc->gx), y0 = (uint16_t)rnd((uint32_t)sc->gy);
        l1top_range r = { x0, y0, (uint16_t)(x0 + rnd((uint32_t)(sc->gx - x0))),
                          (uint16_t)(y0 + rnd((uint32_t)(sc->gy - y0))) };
        uint32_t kind = rnd(10);
        uint64_t h;
        if (kind < 4) /* a CB of a set, from the unreserved base up */
            h = l1top_record(w, dev, L1TOP_CIRCULAR_BUFFER, &r, 1, a->unreserved_base + 2048 * rnd(200),
                             2048 * (1 + rnd(64)), "cb");
        else if (kind < 7) /* a sharded buffer, from the top down */
            h = l1top_record(w, dev, L1TOP_L1_BUFFER, &r, 1, a->l1_size - 65536 * (2 + rnd(8)), 32768, "shard");
        else if (kind < 9)
            h = l1top_record_interleaved(w, dev, a->l1_size - 65536 * (10 + rnd(4)), 2048u * (1 + rnd(512)), 2048,
                                         "act");
        else
            h = l1top_record(w, dev, (l1top_kind)(L1TOP_KERNEL_CODE + rnd(3)), &r, 1, 0x8000 + 4096 * rnd(8), 4096,
                             "ring");
        if (!h)
            return NULL;
    }
    return w;
}

static double sanitize_ms[30];
static int nsanitize;

static void frame(shm_reader *r, snapshot *s, bool render, tui_state *st)
{
    char err[256];
    if (shm_reader_snapshot(r, s, err, sizeof err) != SHM_OK) {
        fprintf(stderr, "snapshot: %s\n", err);
        exit(1);
    }
    double t0 = now_ms();
    snapshot_sanitize_strings(s); /* as collect() does for the TUI and --once */
    if (!render && nsanitize < 30)
        sanitize_ms[nsanitize++] = now_ms() - t0;
    accounting a;
    if (accounting_compute(s, &a) != 0)
        exit(1);
    if (render) {
        static size_t visible[64];
        for (size_t i = 0; i < s->ndevices; i++)
            visible[i] = i;
        st->snap = s;
        st->acct = &a;
        st->visible = visible;
        st->nvisible = s->ndevices;
        erase();
        render_header(st);
        render_device(st);
        wnoutrefresh(stdscr);
        doupdate();
    }
    accounting_free(&a);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
    char seg[64];
    snprintf(seg, sizeof seg, "/l1top-bench-reader-%d", (int)getpid());
    if (argc == 3 && strcmp(argv[1], "--hold") == 0) {
        for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++)
            if (strcmp(scales[i].name, argv[2]) == 0) {
                l1top_writer *w = fill(&scales[i], seg);
                if (!w)
                    return 1;
                signal(SIGTERM, on_signal);
                signal(SIGINT, on_signal);
                printf("ready %s\n", seg);
                fflush(stdout);
                while (!stop)
                    pause();
                l1top_close(w);
                shm_unlink(seg);
                return 0;
            }
        return 64;
    }
    /* Off-screen: a real ncurses screen whose output goes to /dev/null. */
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr) {
        fprintf(stderr, "cannot create an off-screen terminal\n");
        return 1;
    }
    resizeterm(40, 160);
    tui_state st;
    memset(&st, 0, sizeof st);
    render_init(&st.rc, true, NULL);
    st.segment = seg;
    st.delay_tenths = 10;
    double per_unit[3], frame_ms[3];
    char lines[3][160];
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++) {
        const scale *sc = &scales[i];
        l1top_writer *w = fill(sc, seg);
        if (!w) {
            endwin();
            fprintf(stderr, "cannot fill scale %s\n", sc->name);
            return 1;
        }
        shm_reader *r;
        char err[256];
        if (shm_reader_open(seg, &r, err, sizeof err) != SHM_OK)
            return 1;
        snapshot s;
        snapshot_init(&s);
        double t_read[30], t_frame[30];
        for (int k = 0; k < 3; k++)
            frame(r, &s, true, &st); /* warm */
        nsanitize = 0;
        for (int k = 0; k < 30; k++) {
            double t0 = now_ms();
            frame(r, &s, false, &st);
            double t1 = now_ms();
            frame(r, &s, true, &st);
            double t2 = now_ms();
            t_read[k] = t1 - t0;
            t_frame[k] = t2 - t1;
        }
        qsort(t_read, 30, sizeof(double), cmp_double);
        qsort(t_frame, 30, sizeof(double), cmp_double);
        qsort(sanitize_ms, 30, sizeof(double), cmp_double);
        int cores = sc->chips * sc->gx * sc->gy;
        per_unit[i] = t_frame[15] / (double)(sc->regions + cores);
        frame_ms[i] = t_frame[15];
        snprintf(lines[i], sizeof lines[i],
                 "  %-6s %2d chips x %3d cores x %5d regions: snapshot+accounting %7.3f ms (strings %.3f), + render %7.3f ms",
                 sc->name, sc->chips, sc->gx * sc->gy, s.nregions ? (int)s.nregions : 0, t_read[15], sanitize_ms[15],
                 t_frame[15]);
        snapshot_free(&s);
        shm_reader_close(r);
        l1top_close(w);
        shm_unlink(seg);
    }
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    printf("reader frame cost (median of 30)\n");
    for (int i = 0; i < 3; i++)
        printf("%s\n", lines[i]);
    printf("  cost per (region + core): small %.2f us, middle %.2f us, large %.2f us\n", per_unit[0] * 1e3,
           per_unit[1] * 1e3, per_unit[2] * 1e3);
    printf("  scaling middle->large: %.2fx per unit (<= ~1 means linear or better)\n", per_unit[2] / per_unit[1]);
    printf("  target middle <= 5 ms: %s (%.2f ms); large <= 50 ms: %s (%.2f ms)\n", frame_ms[1] <= 5 ? "met" : "MISSED",
           frame_ms[1], frame_ms[2] <= 50 ? "met" : "MISSED", frame_ms[2]);
    return 0;
}
