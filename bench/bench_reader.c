/*
 * bench_reader - the cost of one l1top frame: snapshot of the segment,
 * per-core accounting, and the device view rendered into an off-screen
 * ncurses screen; then the same frame when nothing moved (the TUI's idle
 * refresh), and `l1top --once` as a process in text and JSON (wall time
 * and peak RSS). Scales (regions are live at once, from one writer):
 *   small         1 chip  x  64 cores x    500 regions in total
 *   middle        8 chips x  64 cores x  2,000 regions per chip
 *   middle-clash  the same, CBs and L1 buffers at random addresses (clashing)
 *   large        32 chips x 140 cores x 10,000 regions in total
 *   huge         32 chips x 140 cores x 10,000 regions per chip (320k;
 *                the segment's capacity is raised for it)
 * with l1sim's mix: CB sets and sharded buffers on random sub-grids,
 * interleaved buffers, kernel code, semaphores and runtime areas.
 *
 *   bench_reader [L1TOP]     every scale; L1TOP is the l1top binary for the
 *                            --once runs (skipped without it)
 *   bench_reader --hold S    fill scale S, print "ready SEGMENT" and hold
 *                            (for the footprint run)
 */
#define _GNU_SOURCE
#include <curses.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/frame_heap.h"
#include "model/accounting.h"
#include "model/find.h"
#include "model/fit.h"
#include "arch.h"
#include "l1top.h"
#include "views/render.h"
#include "sources/shm_reader.h"

typedef struct {
    const char *name;
    int chips, gx, gy, regions; /* regions in total */
    const char *arch;
    bool overlap;                /* CBs and L1 buffers at random addresses: they clash */
} scale;

/* "per chip" scales hold regions x chips in total. */
static const scale scales[] = {
    { "small", 1, 8, 8, 500, "wormhole_b0", false },
    { "middle", 8, 8, 8, 8 * 2000, "wormhole_b0", false },
    { "middle-clash", 8, 8, 8, 8 * 2000, "wormhole_b0", true },
    { "large", 32, 14, 10, 10000, "blackhole", false },
    { "huge", 32, 14, 10, 32 * 10000, "blackhole", false },
};
#define NSCALES (sizeof scales / sizeof scales[0])

static uint64_t seed = 12345;
static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((seed >> 33) % n);
}

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Frames are timed in CPU time of this process: on a shared machine the
 * wall clock also counts time others ran (reported beside it). */
static double now_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }
static double wall_ms(void) { return clock_ms(CLOCK_MONOTONIC); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static l1top_writer *fill(const scale *sc, const char *seg)
{
    shm_unlink(seg);
    char cap[32];
    snprintf(cap, sizeof cap, "%d", sc->regions + sc->regions / 4 > 65536 ? sc->regions + sc->regions / 4 : 65536);
    setenv("L1TOP_CAPACITY", cap, 1);
    l1top_writer *w = l1top_open(seg);
    unsetenv("L1TOP_CAPACITY");
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
        uint32_t span = a->l1_size - a->unreserved_base - 160 * 1024; /* room for the largest CB */
        if (kind < 4 && sc->overlap) /* anywhere: over the L1 buffers too */
            h = l1top_record(w, dev, L1TOP_CIRCULAR_BUFFER, &r, 1, a->unreserved_base + 16 * rnd(span / 16),
                             2048 * (1 + rnd(64)), "cb");
        else if (kind < 4) /* a CB of a set, from the unreserved base up */
            h = l1top_record(w, dev, L1TOP_CIRCULAR_BUFFER, &r, 1, a->unreserved_base + 2048 * rnd(200),
                             2048 * (1 + rnd(64)), "cb");
        else if (kind < 7 && sc->overlap)
            h = l1top_record(w, dev, L1TOP_L1_BUFFER, &r, 1, a->unreserved_base + 16 * rnd(span / 16), 32768, "shard");
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

typedef struct {
    double snap, acct, render, total, wall;
} frame_times;

/* One TUI frame: refresh the snapshot, account (unless nothing moved),
 * render the device view off-screen. */
static frame_times frame(shm_reader *r, snapshot *s, accounting *a, bool *have_acct, tui_state *st, bool refresh)
{
    char err[256];
    frame_times t;
    double w0 = wall_ms();
    double t0 = now_ms();
    shm_status rc = refresh ? shm_reader_refresh(r, s, err, sizeof err) : shm_reader_snapshot(r, s, err, sizeof err);
    if (rc != SHM_OK) {
        fprintf(stderr, "snapshot: %s\n", err);
        exit(1);
    }
    double t1 = now_ms();
    if (!s->unchanged || !*have_acct) {
        accounting_free(a);
        if (accounting_compute(s, a) != 0)
            exit(1);
        *have_acct = true;
        st->data_gen++;
    }
    double t2 = now_ms();
    static size_t visible[64];
    for (size_t i = 0; i < s->ndevices; i++)
        visible[i] = i;
    st->snap = s;
    st->acct = a;
    st->visible = visible;
    st->nvisible = s->ndevices;
    erase();
    render_header(st);
    render_device(st);
    wnoutrefresh(stdscr);
    doupdate();
    double t3 = now_ms();
    t = (frame_times){ t1 - t0, t2 - t1, t3 - t2, t3 - t0, wall_ms() - w0 };
    return t;
}

static double median(double *v, int n);
#define FRAMES 15
#define CORE_KEYS 15

/* The core view: CPU ms to draw it for a core the cursor just moved to
 * (a key press), and to draw it again for the same core (a refresh with
 * nothing moved); medians of CORE_KEYS. */
static void core_view_cost(tui_state *st, const snapshot *s, double *move_ms, double *redraw_ms)
{
    double mv[CORE_KEYS], rd[CORE_KEYS];
    const snap_device *d = &s->devices[0];
    st->sel = 0;
    for (int k = 0; k < CORE_KEYS; k++) {
        st->cx = (uint16_t)(k % d->grid_x);
        st->cy = (uint16_t)((k / d->grid_x) % d->grid_y);
        for (int pass = 0; pass < 2; pass++) {
            double t0 = now_ms();
            erase();
            render_header(st);
            render_core(st);
            wnoutrefresh(stdscr);
            doupdate();
            (pass ? rd : mv)[k] = now_ms() - t0;
        }
    }
    *move_ms = median(mv, CORE_KEYS);
    *redraw_ms = median(rd, CORE_KEYS);
}

/* What the TUI's answers add to a frame whose data moved (issue #17), CPU
 * ms, medians of ANSWER_RUNS: the find's marks (a tag most regions do not
 * have, then one a fifth have), the fit of a CB set over the whole grid,
 * the top view by tag and by op of device 0, and the process filter's copy
 * of the data accounted again (one writer: the copy keeps every region,
 * its hard case). */
#define ANSWER_RUNS 5
static void answers_cost(const snapshot *s, const accounting *a, char *line, size_t n)
{
    double t[6][ANSWER_RUNS];
    char text[64], err[128];
    snprintf(text, sizeof text, "cb 100KiB on 0-0..%d-%d", s->devices[0].grid_x - 1, s->devices[0].grid_y - 1);
    static fit_spec spec;
    if (fitspec_parse(text, &spec, err, sizeof err) != 0)
        exit(1);
    for (int k = 0; k < ANSWER_RUNS; k++) {
        core_marks m = { 0 };
        double t0 = now_ms();
        if (find_cores(s, "ring", &m) != 0)
            exit(1);
        double t1 = now_ms();
        if (find_cores(s, "act", &m) != 0)
            exit(1);
        double t2 = now_ms();
        core_marks_free(&m);
        fit_answer fa;
        if (fit_compute(s, a, &spec, NULL, NULL, &fa) != 0)
            exit(1);
        double t3 = now_ms();
        fit_answer_free(&fa);
        tag_total *top;
        size_t ntop;
        double t4 = now_ms();
        if (find_tags_by_bytes(s, 0, false, &top, &ntop) != 0)
            exit(1);
        free(top);
        if (find_tags_by_bytes(s, 0, true, &top, &ntop) != 0)
            exit(1);
        free(top);
        double t5 = now_ms();
        snapshot f;
        accounting fac;
        snapshot_init(&f);
        if (snapshot_copy_process(&f, s, 0) != 0 || accounting_compute(&f, &fac) != 0)
            exit(1);
        double t6 = now_ms();
        accounting_free(&fac);
        snapshot_free(&f);
        t[0][k] = t1 - t0, t[1][k] = t2 - t1, t[2][k] = t3 - t2, t[3][k] = t5 - t4, t[4][k] = t6 - t5;
    }
    snprintf(line, n, "  %-12s answers (CPU ms): find 'ring' %.2f, find 'act' %.2f; fit %.2f; top by tag + by op %.2f; "
             "filter copy + accounting %.2f",
             "", median(t[0], ANSWER_RUNS), median(t[1], ANSWER_RUNS), median(t[2], ANSWER_RUNS),
             median(t[3], ANSWER_RUNS), median(t[4], ANSWER_RUNS));
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* `l1top --once` on the segment as a process: wall ms and peak RSS (KiB),
 * medians of 3. */
static void once_run(const char *l1top, const char *seg, const char *format, double *ms, long *rss_kib)
{
    double t[3];
    long m[3];
    for (int k = 0; k < 3; k++) {
        double t0 = wall_ms();
        pid_t p = fork();
        if (p == 0) {
            if (!freopen("/dev/null", "w", stdout))
                _exit(127);
            setenv("L1TOP_CONFIG", "/dev/null", 1);
            execl(l1top, l1top, "--once", "--shm", seg, "--format", format, (char *)NULL);
            _exit(127);
        }
        int status;
        struct rusage ru;
        wait4(p, &status, 0, &ru);
        (void)t0;
        t[k] = (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3 +
               (double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3; /* its CPU time */
        m[k] = ru.ru_maxrss;
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 2) { /* 1, 2: alert thresholds crossed */
            fprintf(stderr, "l1top --once --format %s failed (status 0x%x)\n", format, (unsigned)status);
            exit(1);
        }
    }
    *ms = median(t, 3);
    long a = m[0] < m[1] ? m[0] : m[1], b = m[0] < m[1] ? m[1] : m[0];
    *rss_kib = m[2] < a ? a : m[2] > b ? b : m[2];
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
    frame_heap_keep(); /* as l1top does */
    const char *l1top = argc == 2 ? argv[1] : NULL;
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
    static core_map_cache core_cache;
    st.core_cache = &core_cache;
    st.delay_tenths = 10;
    char lines[NSCALES][3][300];
    const char *only = getenv("BENCH_SCALE"); /* one scale, for profiling */
    for (size_t i = 0; i < NSCALES; i++) {
        const scale *sc = &scales[i];
        lines[i][0][0] = lines[i][1][0] = lines[i][2][0] = '\0';
        if (only && strcmp(only, sc->name) != 0)
            continue;
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
        accounting a = { 0 };
        bool have_acct = false;
        double ts[FRAMES], ta[FRAMES], tr[FRAMES], tt[FRAMES], tw[FRAMES], idle[FRAMES];
        frame(r, &s, &a, &have_acct, &st, false); /* warm */
        for (int k = 0; k < FRAMES; k++) {
            frame_times f = frame(r, &s, &a, &have_acct, &st, false); /* everything, as if it all moved */
            ts[k] = f.snap;
            ta[k] = f.acct;
            tr[k] = f.render;
            tt[k] = f.total;
            tw[k] = f.wall;
            idle[k] = frame(r, &s, &a, &have_acct, &st, true).total; /* nothing moved */
        }
        double core_move, core_redraw;
        core_view_cost(&st, &s, &core_move, &core_redraw);
        size_t clashes = 0;
        for (size_t d = 0; d < a.ndevices; d++)
            clashes += a.devices[d].clash_pairs_at_least;
        double total = median(tt, FRAMES);
        snprintf(lines[i][0], sizeof lines[i][0],
                 "  %-12s %2d x %3d x %6zu: frame %8.2f ms (snapshot %7.2f, accounting %7.2f, render %6.2f; "
                 "wall %8.2f); idle %6.3f ms; %zu clash pairs; core view: key %.2f ms, redraw %.2f ms",
                 sc->name, sc->chips, sc->gx * sc->gy, s.nregions, total, median(ts, FRAMES), median(ta, FRAMES),
                 median(tr, FRAMES), median(tw, FRAMES), median(idle, FRAMES), clashes, core_move, core_redraw);
        if (l1top) {
            double text_ms, json_ms;
            long text_rss, json_rss;
            once_run(l1top, seg, "text", &text_ms, &text_rss);
            once_run(l1top, seg, "json", &json_ms, &json_rss);
            snprintf(lines[i][1], sizeof lines[i][1],
                     "  %-12s l1top --once (CPU ms, peak RSS): text %7.1f ms %7ld KiB, json %7.1f ms %7ld KiB, json/text %.2fx",
                     "", text_ms, text_rss, json_ms, json_rss, json_ms / text_ms);
        }
        answers_cost(&s, &a, lines[i][2], sizeof lines[i][2]);
        accounting_free(&a);
        snapshot_free(&s);
        shm_reader_close(r);
        l1top_close(w);
        shm_unlink(seg);
    }
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    printf("reader frame cost, median of %d, CPU ms (frame = snapshot + accounting + render of the device view;\n"
           "  wall = the same frame on the wall clock, inflated by other load; idle = a frame when nothing moved)\n",
           FRAMES);
    for (size_t i = 0; i < NSCALES; i++)
        for (int k = 0; k < 3; k++)
            if (lines[i][k][0])
                printf("%s\n", lines[i][k]);
    printf("  targets: middle-clash frame <= 5 ms; huge frame <= 100 ms and --once RSS <= 128 MB; json <= 2x text\n");
    return 0;
}
