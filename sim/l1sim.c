/*
 * l1sim.c - a simulated TT-Metal process: links libl1top and plays a model's
 * L1 life through the public API, op after op, on a named board.
 *
 * What each op places, from the figures in the reference: runtime args and
 * CB configs at the start of the kernel-config ring, the op's kernel
 * binaries (20-60 KiB) after them, a few semaphores near the unreserved
 * base, a CB set growing up from L1_UNRESERVED_BASE (100-550 KiB per
 * core), and L1 buffers (interleaved activations, sharded tensors)
 * allocated downward from the top by a first-fit allocator, plus small
 * buffers in L1_SMALL. CBs, kernels and semaphores come and go with each
 * op; buffers live until their consumer has run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "clock.h"
#include "l1top.h"
#include "model/free_list.h"
#include "sources/trace.h"

#define KIB 1024u
#define MAX_CHIPS 32
#define MAX_LIVE 64
#define HOLD_POLL_NS (50 * 1000 * 1000) /* how often --hold looks for a stop request */
/* Exit codes (sysexits.h). */
enum { EXIT_DONE = 0, EXIT_USAGE = 64, EXIT_BADTRACE = 65, EXIT_NOTRACE = 66, EXIT_SEGMENT = 74 };

typedef struct {
    const char *name;
    uint16_t cb_min_kib, cb_max_kib;     /* CB set per core */
    uint8_t ncbs;                        /* CBs in the set */
    uint8_t grid_pct;                    /* share of the grid the op runs on */
    uint32_t interleaved_kib;            /* interleaved output, total; 0 none */
    uint16_t sharded_kib;                /* sharded output per core; 0 none */
    uint16_t small_kib;                  /* L1_SMALL temp per core; 0 none */
} op_spec;

typedef struct {
    const char *name;
    const op_spec *ops;
    size_t nops;
    uint32_t l1_small_kib;
    uint16_t resident_sharded_kib;       /* per core, held for the whole run */
    uint32_t resident_interleaved_kib;   /* total, held for the whole run */
} workload;

static const op_spec llama_decode_ops[] = {
    { "rms_norm", 160, 190, 5, 100, 256, 0, 0 },
    { "qkv_matmul_1d", 150, 180, 4, 100, 0, 12, 0 },
    { "rotary_embedding", 100, 130, 4, 25, 256, 0, 0 },
    { "sdpa_decode", 180, 240, 6, 50, 0, 16, 0 },
    { "dense_out_matmul", 150, 170, 4, 100, 256, 0, 0 },
    { "ff1_ff3_matmul", 160, 200, 5, 100, 0, 28, 0 },
    { "silu_mul", 100, 120, 3, 75, 0, 14, 0 },
    { "ff2_matmul", 150, 180, 4, 100, 256, 0, 0 },
};

static const op_spec llama_prefill_ops[] = {
    { "rms_norm", 180, 220, 5, 100, 1024, 0, 0 },
    { "qkv_matmul_2d", 480, 540, 6, 100, 0, 64, 0 },
    { "rotary_embedding", 200, 260, 4, 50, 2048, 0, 0 },
    { "sdpa", 400, 520, 7, 75, 0, 48, 0 },
    { "dense_out_matmul_2d", 480, 530, 6, 100, 1024, 0, 0 },
    { "ff1_matmul_2d", 500, 550, 6, 100, 0, 96, 0 },
    { "ff2_matmul_2d", 480, 540, 6, 100, 2048, 0, 0 },
};

static const op_spec resnet50_ops[] = {
    { "conv2d_3x3", 180, 380, 6, 100, 0, 96, 8 },
    { "batch_norm_relu", 100, 150, 3, 88, 0, 80, 0 },
    { "conv2d_1x1", 150, 260, 5, 100, 0, 64, 4 },
    { "maxpool2d", 100, 140, 3, 75, 0, 48, 8 },
    { "conv2d_downsample", 220, 400, 6, 100, 0, 112, 8 },
    { "add_relu", 100, 130, 3, 63, 0, 64, 0 },
    { "avgpool_linear", 120, 200, 4, 50, 512, 0, 0 },
};

static const op_spec idle_ops[] = {
    { "dispatch_wait", 0, 0, 0, 100, 0, 0, 0 },
};

static const workload workloads[] = {
    { "llama-decode", llama_decode_ops, sizeof llama_decode_ops / sizeof llama_decode_ops[0], 32, 24, 512 },
    { "llama-prefill", llama_prefill_ops, sizeof llama_prefill_ops / sizeof llama_prefill_ops[0], 32, 64, 4096 },
    { "resnet50", resnet50_ops, sizeof resnet50_ops / sizeof resnet50_ops[0], 32, 48, 0 },
    { "idle", idle_ops, 1, 32, 0, 0 },
};

/* ---------- random ---------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static uint32_t rng_between(uint32_t lo, uint32_t hi)
{
    return hi <= lo ? lo : lo + (uint32_t)(rng_next() % (hi - lo + 1));
}

/* ---------- L1 buffers: first fit from the top, one address on all banks (model/free_list.h) ---------- */

#define SIM_CB_ROOM (560 * KIB)  /* kept free above the unreserved base for the largest CB set */
#define SIM_BUFFER_ALIGN 32u
#define SIM_CB_ALIGN 2048u           /* CB sizes in the set are multiples of this */
#define SIM_CLASH_BYTES (64 * KIB)    /* --inject-clash: how far a CB set grows into the lowest L1 buffer */
#define SIM_RT_ARGS_ROOM (4 * KIB)    /* kernels start this far after the runtime args */

typedef struct {
    uint64_t handle;
    uint32_t address, width; /* [address, address + width) on every core it uses */
} live_buffer;

typedef struct {
    uint32_t device;
    const arch_info *arch;
    uint16_t gx, gy;
    uint32_t l1_size, l1_small, ub;
    live_buffer bufs[MAX_LIVE];
    size_t nbufs;
    live_buffer small[MAX_LIVE];
    size_t nsmall;
    live_buffer op_tmp[4];       /* previous op's outputs, freed after the next op */
    size_t nop_tmp;
    uint32_t lowest_buffer;      /* CBs must stay below this */
    free_list space;             /* L1 buffers: [ub + SIM_CB_ROOM, l1_size - l1_small) */
} chip;

static void update_lowest(chip *c)
{
    c->lowest_buffer = c->l1_size - c->l1_small;
    for (size_t i = 0; i < c->nbufs; i++)
        if (c->bufs[i].address < c->lowest_buffer)
            c->lowest_buffer = c->bufs[i].address;
}

static live_buffer *alloc_buffer(l1top_writer *w, chip *c, bool interleaved, uint32_t kib, uint16_t ncores,
                                 const char *tag)
{
    if (c->nbufs == MAX_LIVE)
        return NULL;
    uint32_t banks = (uint32_t)c->gx * c->gy;
    uint32_t width = interleaved ? (uint32_t)interleaved_bank_bytes((uint64_t)kib * KIB, 2048, 16, banks, 0)
                                 : kib * KIB;
    uint64_t at;
    if (free_list_alloc(&c->space, width, SIM_BUFFER_ALIGN, &at) != 0)
        return NULL;
    uint32_t addr = (uint32_t)at;
    uint64_t h;
    if (interleaved) {
        h = l1top_record_interleaved(w, c->device, addr, (uint64_t)kib * KIB, 2048, tag);
    } else {
        uint16_t cols = ncores < c->gx ? ncores : c->gx;
        uint16_t rows = (uint16_t)((ncores + cols - 1) / cols);
        if (rows > c->gy)
            rows = c->gy;
        l1top_range r = { 0, 0, (uint16_t)(cols - 1), (uint16_t)(rows - 1) };
        h = l1top_record(w, c->device, L1TOP_L1_BUFFER, &r, 1, addr, width, tag);
    }
    if (!h) {
        free_list_release(&c->space, addr, width);
        return NULL;
    }
    live_buffer *b = &c->bufs[c->nbufs++];
    *b = (live_buffer){ h, addr, width };
    update_lowest(c);
    return b;
}

static void free_buffer(l1top_writer *w, chip *c, uint64_t handle)
{
    for (size_t i = 0; i < c->nbufs; i++)
        if (c->bufs[i].handle == handle) {
            l1top_release(w, handle);
            free_list_release(&c->space, c->bufs[i].address, c->bufs[i].width);
            c->bufs[i] = c->bufs[--c->nbufs];
            update_lowest(c);
            return;
        }
}

/* ---------- one op on one chip ---------- */

typedef struct {
    const workload *wl;
    bool inject_clash;
    unsigned step;
} sim;

/* The cores an op runs on: its share of the grid, whole rows from (0,0). */
static l1top_range op_grid(const chip *c, const op_spec *op, uint32_t *ncores)
{
    uint32_t cores = (uint32_t)c->gx * c->gy * op->grid_pct / 100u;
    if (cores == 0)
        cores = 1;
    uint16_t cols = c->gx, rows = (uint16_t)((cores + c->gx - 1) / c->gx);
    if (rows > c->gy)
        rows = c->gy;
    *ncores = cores;
    return (l1top_range){ 0, 0, (uint16_t)(cols - 1), (uint16_t)(rows - 1) };
}

/* Runtime args + CB configs, kernel binaries, semaphores: the config ring. */
static void record_config_ring(l1top_writer *w, const chip *c, const op_spec *op, const l1top_range *grid,
                               uint32_t fw_end)
{
    char tag[64];
    uint32_t rt = rng_between(1, 4) * KIB;
    snprintf(tag, sizeof tag, "%s rt-args", op->name);
    l1top_record(w, c->device, L1TOP_RUNTIME, grid, 1, fw_end, rt, tag);
    uint32_t kernel = rng_between(20, 60) * KIB;
    snprintf(tag, sizeof tag, "%s kernels", op->name);
    l1top_record(w, c->device, L1TOP_KERNEL_CODE, grid, 1, fw_end + SIM_RT_ARGS_ROOM, kernel, tag);
    snprintf(tag, sizeof tag, "%s sems", op->name);
    l1top_record(w, c->device, L1TOP_SEMAPHORE, grid, 1, c->ub - KIB, 16u * rng_between(2, 16), tag);
}

/* The CB set, packed upward from the unreserved base (--inject-clash: into
 * the lowest L1 buffer). */
static void record_cb_set(l1top_writer *w, const chip *c, const sim *s, const op_spec *op, const l1top_range *grid)
{
    char tag[64];
    uint32_t total = rng_between(op->cb_min_kib, op->cb_max_kib) * KIB;
    uint32_t room = c->lowest_buffer > c->ub ? c->lowest_buffer - c->ub : 0;
    if (s->inject_clash && room + SIM_CLASH_BYTES <= c->l1_size - c->ub)
        total = room + SIM_CLASH_BYTES;
    else if (total > room)
        total = room & ~(SIM_CB_ALIGN - 1);
    uint32_t addr = c->ub;
    for (unsigned i = 0; i < op->ncbs && total; i++) {
        uint32_t size = i + 1 == op->ncbs ? total - (addr - c->ub) : (total / op->ncbs) & ~(SIM_CB_ALIGN - 1);
        if (!size)
            continue;
        unsigned cb_index = i == 0 ? 0u : i + 1u == op->ncbs ? 16u : 23u + i; /* in0, intermediates, out */
        snprintf(tag, sizeof tag, "%s cb%u", op->name, cb_index);
        l1top_record(w, c->device, L1TOP_CIRCULAR_BUFFER, grid, 1, addr, size, tag);
        addr += size;
    }
}

static void run_op(l1top_writer *w, chip *c, const sim *s, const op_spec *op, uint32_t fw_end)
{
    static const l1top_kind per_op[] = { L1TOP_CIRCULAR_BUFFER, L1TOP_KERNEL_CODE, L1TOP_SEMAPHORE, L1TOP_RUNTIME,
                                         L1TOP_L1_SMALL };
    for (size_t k = 0; k < sizeof per_op / sizeof per_op[0]; k++)
        l1top_release_kind(w, c->device, per_op[k]);
    uint32_t cores;
    l1top_range grid = op_grid(c, op, &cores);
    record_config_ring(w, c, op, &grid, fw_end);
    if (op->ncbs)
        record_cb_set(w, c, s, op, &grid);
    char tag[64];
    if (op->small_kib && c->l1_small >= op->small_kib * KIB) {
        snprintf(tag, sizeof tag, "%s halo config", op->name);
        l1top_record(w, c->device, L1TOP_L1_SMALL, &grid, 1, c->l1_size - c->l1_small, op->small_kib * KIB, tag);
    }
    /* Outputs: the one from two ops ago is consumed now. */
    if (c->nop_tmp == 2) {
        free_buffer(w, c, c->op_tmp[0].handle);
        c->op_tmp[0] = c->op_tmp[1];
        c->nop_tmp = 1;
    }
    live_buffer *out = NULL;
    snprintf(tag, sizeof tag, "%s output #%u", op->name, s->step);
    if (op->interleaved_kib)
        out = alloc_buffer(w, c, true, op->interleaved_kib, 0, tag);
    else if (op->sharded_kib)
        out = alloc_buffer(w, c, false, op->sharded_kib, (uint16_t)cores, tag);
    if (out)
        c->op_tmp[c->nop_tmp++] = *out;
}

/* ---------- --replay: a ttnn graph capture, event by event ---------- */

static volatile sig_atomic_t stop_requested;

/* --hold: keep what is recorded until SIGINT/SIGTERM. */
static void hold_until_stopped(void)
{
    while (!stop_requested) {
        struct timespec nap = { 0, HOLD_POLL_NS };
        nanosleep(&nap, NULL);
    }
}

#define REPLAY_MAX_HANDLES 65536

/* The devices of the trace, declared once; 0 or EXIT_SEGMENT. */
static int declare_trace_devices(l1top_writer *w, const snapshot *s)
{
    int rc = 0;
    for (size_t d = 0; d < s->ndevices; d++)
        if (l1top_declare_device(w, s->devices[d].id, s->devices[d].arch_name, s->devices[d].grid_x,
                                 s->devices[d].grid_y) != 0 && errno != EEXIST) {
            fprintf(stderr, "l1sim: cannot declare device %u: %s\n", s->devices[d].id, strerror(errno));
            rc = EXIT_SEGMENT;
        }
    return rc;
}

/* The whole state of one moment replaces the last one's (handles: what is recorded now). */
static void record_state(l1top_writer *w, const snapshot *s, uint64_t *handles, size_t *nh)
{
    for (size_t i = 0; i < *nh; i++)
        l1top_release(w, handles[i]);
    *nh = 0;
    for (size_t i = 0; i < s->nregions && *nh < REPLAY_MAX_HANDLES; i++) {
        const snap_region *g = &s->regions[i];
        uint32_t dev = s->devices[g->device].id;
        uint64_t h = g->interleaved
                         ? l1top_record_interleaved(w, dev, g->address, g->total_size, g->page_size, g->tag)
                         : l1top_record(w, dev, (l1top_kind)g->kind, snapshot_region_ranges(s, g), g->nranges,
                                        g->address, g->size_per_core, g->tag);
        if (h)
            handles[(*nh)++] = h;
    }
}

static int replay_trace(l1top_writer *w, const char *path, const char *board, double speed, unsigned long op_ms,
                        bool hold)
{
    char err[512];
    int status;
    trace_file *tr = trace_open_status(path, board, &status, err, sizeof err);
    if (!tr) {
        fprintf(stderr, "l1sim: %s\n", err);
        return status == TRACE_ENOINPUT ? EXIT_NOTRACE : EXIT_BADTRACE;
    }
    snapshot s;
    snapshot_init(&s);
    static uint64_t handles[REPLAY_MAX_HANDLES];
    size_t nh = 0;
    int rc = 0;
    for (size_t e = 0; e < trace_event_count(tr) && !stop_requested; e++) {
        if (trace_state_at(tr, trace_event_node(tr, e), &s, NULL, 0) != 0) {
            rc = EXIT_BADTRACE;
            break;
        }
        if (e == 0)
            rc = declare_trace_devices(w, &s);
        record_state(w, &s, handles, &nh);
        double ms = (double)op_ms / speed;
        struct timespec ts = { (time_t)(ms / 1000), (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6) };
        nanosleep(&ts, NULL);
    }
    snapshot_free(&s);
    trace_close(tr);
    if (rc == 0) {
        printf("l1sim: replay done (pid %d)\n", (int)getpid());
        fflush(stdout);
    }
    if (rc == 0 && hold) /* the last state stays until we are stopped */
        hold_until_stopped();
    return rc;
}

/* ---------- main ---------- */

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: l1sim [--workload W] [--board B] [--devices LIST] [--duration S] [--seed N]\n"
               "             [--op-ms MS] [--hold] [--inject-clash] [--shm NAME] [--label NAME]\n"
               "       l1sim --replay FILE [--speed X] [--op-ms MS] [--board B] [--hold] [--shm NAME]\n"
               "Simulates a TT-Metal process recording its L1 regions into the l1top segment\n"
               "through libl1top, as an instrumented model would. See l1sim(1).\n"
               "  --workload W     llama-decode (default), llama-prefill, resnet50, idle\n"
               "  --board B        n150, n300 (default), p150, p100, e150, t3000, galaxy\n"
               "  --devices LIST   chips of the board to drive, e.g. 0,1 (default: all)\n"
               "  --duration S     seconds to run, 0 = until SIGINT/SIGTERM (default 0)\n"
               "  --seed N         seed of the simulated op sizes: the same seed, the same run (default 1)\n"
               "  --op-ms MS       milliseconds per op, or per replayed event (default 250)\n"
               "  --hold           run the first op on every chip (or the whole replay), print\n"
               "                   'ready' (or 'replay done') and keep the state until signalled\n"
               "  --inject-clash   let CB sets grow into L1 buffers (to see a clash)\n"
               "  --shm NAME       segment to write (default $L1TOP_SHM, else /l1top)\n"
               "  --label NAME     process label l1top shows (default: the workload's name)\n"
               "  --replay FILE    play a ttnn graph capture into the segment, one L1 event per\n"
               "                   --op-ms, then exit (with --hold: keep the last state)\n"
               "  --speed X        replay X times faster (default 1)\n"
               "  -h, --help       this help\n"
               "  -V, --version    version\n"
               "Exit: 0 done, 64 usage, 65 bad trace, 74 segment error.\n");
}

static int parse_devices(const char *s, bool *want, unsigned chips)
{
    memset(want, 0, MAX_CHIPS * sizeof *want);
    char *copy = strdup(s), *save = NULL;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *end;
        unsigned long v = strtoul(tok, &end, 10);
        if (*end || v >= chips) {
            rc = -1;
            break;
        }
        want[v] = true;
    }
    free(copy);
    return rc;
}

/* The command line. */
typedef struct {
    const workload *wl;
    const board_info *board;
    bool board_given;
    const char *shm, *label, *replay_file;
    bool want[MAX_CHIPS];        /* chips of the board to drive */
    double speed, duration;
    unsigned long op_ms, seed;
    bool hold, inject_clash;
} sim_options;

static int bad_value(const char *option, const char *value)
{
    fprintf(stderr, "l1sim: bad %s '%s'\n", option, value);
    return EXIT_USAGE;
}

/* The option's value, checked; 0 or EXIT_USAGE. */
static int parse_option(sim_options *o, int c, const char *arg, const char **wl_name, const char **board_name,
                        const char **devices)
{
    char *end;
    switch (c) {
    case 'w': *wl_name = arg; return 0;
    case 'b': *board_name = arg; o->board_given = true; return 0;
    case 'R': o->replay_file = arg; return 0;
    case 'D': *devices = arg; return 0;
    case 'S': o->seed = strtoul(arg, NULL, 10); return 0;
    case 'H': o->hold = true; return 0;
    case 'C': o->inject_clash = true; return 0;
    case 's': o->shm = arg; return 0;
    case 'l': o->label = arg; return 0;
    case 'X':
        o->speed = strtod(arg, &end);
        return *end || o->speed <= 0 || o->speed > 1e6 ? bad_value("--speed", arg) : 0;
    case 't':
        o->duration = strtod(arg, &end);
        return *end || o->duration < 0 ? bad_value("--duration", arg) : 0;
    case 'o':
        o->op_ms = strtoul(arg, &end, 10);
        return *end || o->op_ms == 0 || o->op_ms > 60000 ? bad_value("--op-ms", arg) : 0;
    default: usage(stderr); return EXIT_USAGE;
    }
}

/* -1: go on; else the exit code (help, version, a bad option). */
static int parse_args(int argc, char **argv, sim_options *o)
{
    static const struct option opts[] = {
        { "workload", required_argument, NULL, 'w' }, { "board", required_argument, NULL, 'b' },
        { "devices", required_argument, NULL, 'D' },  { "duration", required_argument, NULL, 't' },
        { "seed", required_argument, NULL, 'S' },     { "op-ms", required_argument, NULL, 'o' },
        { "hold", no_argument, NULL, 'H' },           { "inject-clash", no_argument, NULL, 'C' },
        { "shm", required_argument, NULL, 's' },      { "label", required_argument, NULL, 'l' },
        { "replay", required_argument, NULL, 'R' },   { "speed", required_argument, NULL, 'X' },
        { "help", no_argument, NULL, 'h' },           { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *wl_name = "llama-decode", *board_name = "n300", *devices = NULL;
    *o = (sim_options){ .speed = 1.0, .op_ms = 250, .seed = 1 };
    for (int c; (c = getopt_long(argc, argv, "w:b:D:t:S:o:HCs:l:R:X:hV", opts, NULL)) != -1;) {
        if (c == 'h' || c == 'V') {
            if (c == 'h')
                usage(stdout);
            else
                printf("l1sim %s\n", L1TOP_VERSION_STRING);
            return EXIT_DONE;
        }
        if (parse_option(o, c, optarg, &wl_name, &board_name, &devices) != 0)
            return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (strcmp(workloads[i].name, wl_name) == 0)
            o->wl = &workloads[i];
    o->board = board_by_name(board_name);
    if (!o->wl || !o->board || optind < argc) {
        fprintf(stderr, "l1sim: unknown %s '%s'\n", !o->wl ? "workload" : !o->board ? "board" : "argument",
                !o->wl ? wl_name : !o->board ? board_name : argv[optind]);
        return EXIT_USAGE;
    }
    for (unsigned i = 0; i < MAX_CHIPS; i++)
        o->want[i] = i < o->board->chips;
    if (devices && parse_devices(devices, o->want, o->board->chips) != 0) {
        fprintf(stderr, "l1sim: bad --devices '%s' for %s (%u chips)\n", devices, o->board->name, o->board->chips);
        return EXIT_USAGE;
    }
    return -1;
}

/* Where chip i sits on a board of n300 cards, numbered as a host numbers
 * them: each card's PCIe chip first (ids 0..cards-1), then the chips behind
 * them (cards..chips-1); a card's two chips are mesh neighbours, cards fill
 * the mesh row by row. Chip ids thus do not follow the mesh, as on real
 * boards; one-chip boards have no mesh. */
static bool sim_mesh_place(const board_info *b, unsigned i, uint16_t *row, uint16_t *col)
{
    unsigned cards = b->chips / 2u, per_row = b->mesh_cols / 2u;
    if (b->chips < 2 || per_row == 0 || cards == 0 || b->mesh_rows * b->mesh_cols != b->chips)
        return false;
    unsigned card = i % cards;
    *row = (uint16_t)(card / per_row);
    *col = (uint16_t)((card % per_row) * 2u + (i >= cards ? 1u : 0u));
    return true;
}

/* Declare chip i of the board and place the workload's resident buffers. */
static int open_chip(l1top_writer *w, chip *ch, unsigned i, const sim_options *o, const arch_info *arch)
{
    memset(ch, 0, sizeof *ch);
    ch->device = i;
    ch->arch = arch;
    ch->gx = o->board->grid_x;
    ch->gy = o->board->grid_y;
    ch->l1_size = arch->l1_size;
    ch->l1_small = o->wl->l1_small_kib * KIB;
    ch->ub = arch->unreserved_base;
    ch->space = (free_list){ .base = ch->ub + SIM_CB_ROOM, .top = ch->l1_size - ch->l1_small };
    l1top_device_config cfg = { ch->l1_small, 0, 0 };
    int declared = l1top_declare_device_config(w, i, o->board->arch, ch->gx, ch->gy, &cfg);
    if (declared != 0 && errno == EEXIST) {
        /* Another live process opened this chip with another L1_SMALL size:
         * use its declaration, as a second process on a device would. */
        fprintf(stderr, "l1sim: device %u already declared differently; using that declaration\n", i);
        declared = 0;
    }
    if (declared != 0) {
        fprintf(stderr, "l1sim: cannot declare device %u: %s\n", i, strerror(errno));
        return -1;
    }
    uint16_t row, col;
    if (sim_mesh_place(o->board, i, &row, &col) && l1top_set_device_mesh(w, i, row, col) != 0)
        fprintf(stderr, "l1sim: device %u: cannot set its mesh place: %s\n", i, strerror(errno));
    update_lowest(ch);
    if (o->wl->resident_sharded_kib)
        alloc_buffer(w, ch, false, o->wl->resident_sharded_kib, (uint16_t)(ch->gx * ch->gy), "weights (sharded)");
    if (o->wl->resident_interleaved_kib)
        alloc_buffer(w, ch, true, o->wl->resident_interleaved_kib, 0, "kv cache (interleaved)");
    return 0;
}

/* One op per chip per --op-ms until stopped, --duration is up, or (--hold)
 * after the first round. */
static void run_workload(l1top_writer *w, chip *chips, size_t nchips, const sim_options *o, const arch_info *arch)
{
    sim s = { o->wl, o->inject_clash, 0 };
    uint64_t t0 = clock_monotonic_ns();
    while (!stop_requested) {
        for (size_t i = 0; i < nchips; i++) {
            size_t k = (s.step + i * 3) % o->wl->nops; /* chips are not in lockstep */
            run_op(w, &chips[i], &s, &o->wl->ops[k], arch->firmware_end);
        }
        s.step++;
        if (o->hold) {
            printf("l1sim: ready (pid %d)\n", (int)getpid());
            fflush(stdout);
            hold_until_stopped();
            break;
        }
        struct timespec ts = { (time_t)(o->op_ms / 1000), (long)(o->op_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        if (o->duration > 0 && (double)(clock_monotonic_ns() - t0) / 1e9 >= o->duration)
            break;
    }
}

static int simulate(l1top_writer *w, const sim_options *o)
{
    const arch_info *arch = arch_by_name(o->board->arch);
    static chip chips[MAX_CHIPS];
    size_t nchips = 0;
    for (unsigned i = 0; i < o->board->chips; i++)
        if (o->want[i] && open_chip(w, &chips[nchips++], i, o, arch) != 0)
            return EXIT_SEGMENT;
    run_workload(w, chips, nchips, o, arch);
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    sim_options o;
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    rng_state ^= o.seed * 0x2545F4914F6CDD1Dull;
    if (!rng_state)
        rng_state = 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    l1top_writer *w = l1top_open(o.shm);
    if (!w) {
        fprintf(stderr, "l1sim: cannot open segment: %s\n", strerror(errno));
        return EXIT_SEGMENT;
    }
    char lbl[64];
    snprintf(lbl, sizeof lbl, "%s", o.label ? o.label : o.replay_file ? "replay" : o.wl->name);
    l1top_set_label(w, lbl);
    if (o.replay_file)
        rc = replay_trace(w, o.replay_file, o.board_given ? o.board->name : NULL, o.speed, o.op_ms, o.hold);
    else
        rc = simulate(w, &o);
    l1top_close(w);
    return rc;
}
