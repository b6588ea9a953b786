/*
 * Core range syntaxes of ttnn traces.
 */
#include <criterion/criterion.h>

#include "sources/trace.h"

Test(trace, core_range_syntaxes)
{
    l1top_range r[4];
    cr_assert_eq(trace_parse_core_ranges("{[0-0 - 7-7], [0-8 - 3-8]}", r, 4), 2);
    cr_assert_eq(r[1].x1, 3);
    cr_assert_eq(r[1].y0, 8);
    cr_assert_eq(trace_parse_core_ranges("{[(x=0,y=0) - (x=7,y=6)]}", r, 4), 1);
    cr_assert_eq(r[0].y1, 6);
    cr_assert_eq(trace_parse_core_ranges("{}", r, 4), 0);
    cr_assert_eq(trace_parse_core_ranges("{[3-3 - 1-1]}", r, 4), -1, "x0 > x1");
    cr_assert_eq(trace_parse_core_ranges("[0-0 - 1-1]", r, 4), -1, "no braces");
    cr_assert_eq(trace_parse_core_ranges("{[a-b - c-d]}", r, 4), -1);
    cr_assert_eq(trace_parse_core_ranges("{[0-0 - 1-1], [2-2 - 3-3], [0-0 - 0-0], [1-1 - 1-1], [5-5 - 5-5]}", r, 4), 5,
                 "counts all, stores what fits");
}

/* ---- the timeline: any position, any order, the same state ---- */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "model/accounting.h"
#include "model/snapshot.h"

/* An order-independent digest of a snapshot's regions. */
static uint64_t digest(const snapshot *s)
{
    uint64_t d = s->nregions * 1000003u;
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *g = &s->regions[i];
        uint64_t h = (uint64_t)g->address * 2654435761u ^ (uint64_t)g->size_per_core * 40503u ^ g->kind ^
                     (uint64_t)g->device << 40;
        for (uint32_t k = 0; k < g->nranges; k++) {
            const l1top_range *r = snapshot_region_ranges(s, g) + k;
            h = h * 31 + (uint64_t)r->x0 + ((uint64_t)r->y0 << 8) + ((uint64_t)r->x1 << 16) + ((uint64_t)r->y1 << 24);
        }
        d += h * h + h;
    }
    return d;
}

/* text into /tmp/l1top-unit-NAME-PID.json (path gets its name). */
static void write_trace(char *path, size_t n, const char *name, const char *text)
{
    snprintf(path, n, "/tmp/l1top-unit-%s-%d.json", name, (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* A NO_DISPATCH-like trace of n ops: each allocates an interleaved output,
 * runs a program of two CBs and frees the output of two ops ago by its
 * buffer node (address 0 everywhere: simulated placement). */
static char *synthetic(int ops)
{
    size_t cap = (size_t)ops * 1200 + 64, n = 0;
    char *t = malloc(cap);
    int c = 0;
    n += (size_t)snprintf(t + n, cap - n, "[");
    int *buf = calloc((size_t)ops, sizeof *buf);
    for (int i = 0; i < ops; i++) {
        buf[i] = c;
        n += (size_t)snprintf(t + n, cap - n,
                              "{\"counter\":%d,\"node_type\":\"buffer\",\"params\":{\"size\":%d,\"type\":\"L1\"},"
                              "\"connections\":[]},"
                              "{\"counter\":%d,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":%d,\"address\":0,"
                              "\"type\":\"L1\",\"layout\":\"INTERLEAVED\",\"page_size\":2048,\"num_cores\":0,"
                              "\"max_size_per_bank\":%d},\"connections\":[%d]},"
                              "{\"counter\":%d,\"node_type\":\"circular_buffer_deallocate_all\",\"params\":{}},"
                              "{\"counter\":%d,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":%d,"
                              "\"core_range_set\":\"{[0-0 - %d-%d]}\",\"globally_allocated\":\"0\"}},"
                              "{\"counter\":%d,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":4096,"
                              "\"core_range_set\":\"{[%d-0 - 7-7]}\",\"globally_allocated\":\"0\"}},",
                              c, 131072 * (1 + i % 3), c + 1, 131072 * (1 + i % 3), 2048 * (1 + i % 3), c, c + 2, c + 3,
                              2048 * (1 + i % 5), i % 8, (i / 8) % 8, c + 4, i % 8);
        c += 5;
        if (i >= 2) {
            n += (size_t)snprintf(t + n, cap - n,
                                  "{\"counter\":%d,\"node_type\":\"buffer_deallocate\",\"params\":{\"size\":0,"
                                  "\"type\":\"L1\",\"max_size_per_bank\":%d},\"connections\":[%d]},",
                                  c, 2048 * (1 + (i - 2) % 3), buf[i - 2]);
            c++;
        }
    }
    snprintf(t + n - 1, cap - n + 1, "]");
    free(buf);
    return t;
}

Test(trace, timeline_forward_backward_and_random_agree)
{
    char path[96];
    char *text = synthetic(700); /* ~4000 events: many checkpoints */
    write_trace(path, sizeof path, "timeline", text);
    free(text);
    char err[512];
    trace_file *tf = trace_open(path, "n150", err, sizeof err);
    cr_assert_not_null(tf, "%s", err);
    size_t n = trace_event_count(tf);
    cr_assert_gt(n, 3000);
    uint64_t *fwd = calloc(n, sizeof *fwd);
    snapshot s;
    snapshot_init(&s);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(trace_state_at(tf, trace_event_node(tf, i), &s, NULL, 0), 0);
        fwd[i] = digest(&s);
    }
    for (size_t i = n; i-- > 0;) {
        cr_assert_eq(trace_state_at(tf, trace_event_node(tf, i), &s, NULL, 0), 0);
        cr_assert_eq(digest(&s), fwd[i], "backward step %zu", i);
    }
    srand(12345);
    for (int k = 0; k < 2000; k++) {
        size_t i = (size_t)rand() % n;
        cr_assert_eq(trace_state_at(tf, trace_event_node(tf, i), &s, NULL, 0), 0);
        cr_assert_eq(digest(&s), fwd[i], "random step %zu", i);
    }
    /* A fresh replay agrees with the stepped one. */
    trace_file *again = trace_open(path, "n150", err, sizeof err);
    cr_assert_not_null(again);
    size_t probe = n / 2 + 17;
    cr_assert_eq(trace_state_at(again, trace_event_node(again, probe), &s, NULL, 0), 0);
    cr_assert_eq(digest(&s), fwd[probe]);
    /* Live at the end: the last two outputs and the last program's CBs. */
    cr_assert_eq(trace_state_at(tf, trace_event_node(tf, n - 1), &s, NULL, 0), 0);
    cr_assert_eq(s.nregions, 4);
    trace_close(again);
    trace_close(tf);
    snapshot_free(&s);
    free(fwd);
    unlink(path);
}

/* Program-scope L1 goes at deallocate_all: after the second program, only its dataflow buffer. */
Test(trace, dataflow_buffers_freed_with_the_program)
{
    char err[512];
    trace_file *tf = trace_open("tests/data/dataflow_buffers.json", NULL, err, sizeof err);
    cr_assert_not_null(tf, "%s", err);
    snapshot s;
    snapshot_init(&s);
    char op[96];
    cr_assert_eq(trace_state_at(tf, 12, &s, op, sizeof op), 0);
    cr_assert_eq(s.nregions, 1);
    cr_assert_eq(s.regions[0].size_per_core, 900);
    cr_assert_str_eq(s.regions[0].tag, "dataflow buffer");
    cr_assert_str_eq(op, "ttnn::repeat");
    cr_assert_eq(trace_state_at(tf, 5, &s, NULL, 0), 0);
    cr_assert_eq(s.nregions, 3, "two dataflow buffers and a scratchpad; the borrowed one is not placed");
    trace_close(tf);
    snapshot_free(&s);
}

/* NORMAL capture: the CBs at the addresses the trace gives (0x1B400, 0x3B400, 0x5B400). */
Test(trace, normal_capture_keeps_real_addresses)
{
    char err[512];
    trace_file *tf = trace_open("tests/data/matmul_normal.json", NULL, err, sizeof err);
    cr_assert_not_null(tf, "%s", err);
    snapshot s;
    snapshot_init(&s);
    cr_assert_eq(trace_state_at(tf, 14, &s, NULL, 0), 0);
    uint32_t want[] = { 0x1B400, 0x3B400, 0x5B400 };
    int found = 0;
    for (size_t i = 0; i < s.nregions; i++)
        for (int k = 0; k < 3; k++)
            found += s.regions[i].kind == L1TOP_CIRCULAR_BUFFER && s.regions[i].address == want[k];
    cr_assert_eq(found, 3);
    cr_assert_eq(s.ndevices, 1);
    cr_assert_eq(s.devices[0].id, 0);
    trace_close(tf);
    snapshot_free(&s);
}

/* The op name the TUI's timeline shows comes out sanitized and cut on a character boundary. */
Test(trace, timeline_op_names_are_sanitized)
{
    char path[96];
    write_trace(path, sizeof path, "opname",
                "[{\"counter\":0,\"node_type\":\"function_start\",\"params\":{\"name\":\"a\\u001b[2Jb\\u00ff\\u00ff\"}},"
                "{\"counter\":1,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":64,"
                "\"core_range_set\":\"{[0-0 - 0-0]}\",\"globally_allocated\":\"0\"}}]");
    char err[512];
    trace_file *tf = trace_open(path, NULL, err, sizeof err);
    cr_assert_not_null(tf, "%s", err);
    snapshot s;
    snapshot_init(&s);
    char op[12]; /* "a\x1B[2Jbÿÿ" is 13 bytes: the cut must not split the second ÿ */
    cr_assert_eq(trace_state_at(tf, 1, &s, op, sizeof op), 0);
    cr_assert_str_eq(op, "a\\x1B[2Jb\xc3\xbf");
    trace_close(tf);
    snapshot_free(&s);
    unlink(path);
}

/* ---- simulated placement: the free-interval treap against a brute-force model ---- */

#include "sources/trace_internal.h"

#define SPACE 65536u
#define GRAIN 16u

/* Highest aligned start with [start, start + w) all free in the bitmap, or -1. */
static long model_alloc(const unsigned char *used, uint64_t w)
{
    for (long start = (long)(SPACE - w) / GRAIN * GRAIN; start >= 0; start -= GRAIN) {
        bool ok = true;
        for (uint64_t a = (uint64_t)start; a < (uint64_t)start + w && ok; a += GRAIN)
            ok = !used[a / GRAIN];
        if (ok)
            return start;
    }
    return -1;
}

static void model_mark(unsigned char *used, uint64_t lo, uint64_t w, unsigned char v)
{
    for (uint64_t a = lo; a < lo + w; a += GRAIN)
        used[a / GRAIN] = v;
}

Test(trace, placement_matches_first_fit_from_the_top)
{
    static unsigned char used[SPACE / GRAIN];
    memset(used, 0, sizeof used);
    free_list sp;
    memset(&sp, 0, sizeof sp);
    sp.base = 0;
    sp.top = SPACE;
    uint64_t addr[400], width[400];
    size_t live = 0;
    srand(777);
    cr_assert_eq(free_list_reserve(&sp, 4096, 512), 0); /* a range the trace placed itself */
    model_mark(used, 4096, 512, 1);
    for (int step = 0; step < 20000; step++) {
        bool do_alloc = live == 0 || (live < 400 && rand() % 100 < 55);
        if (do_alloc) {
            uint64_t w = GRAIN * (1 + (uint64_t)(rand() % 64));
            long want = model_alloc(used, w);
            uint64_t got = 0;
            int rc = free_list_alloc(&sp, w, GRAIN, &got);
            cr_assert_eq(rc == 0, want >= 0, "step %d: width %llu", step, (unsigned long long)w);
            if (rc == 0) {
                cr_assert_eq(got, (uint64_t)want, "step %d", step);
                model_mark(used, got, w, 1);
                addr[live] = got;
                width[live++] = w;
            }
        } else {
            size_t k = (size_t)rand() % live;
            free_list_release(&sp, addr[k], width[k]);
            model_mark(used, addr[k], width[k], 0);
            addr[k] = addr[--live];
            width[k] = width[live];
        }
    }
    free_list_free(&sp);
}

/* A CB over an L1 buffer on one core (a clash): the core holds the bytes
 * both claim once, as the live view counts them, not their sum. */
Test(trace, peak_counts_overlapping_bytes_once)
{
    char path[96];
    write_trace(path, sizeof path, "overlap",
                "[{\"counter\":0,\"node_type\":\"function_start\",\"params\":{\"name\":\"ttnn::clash\"}},"
                "{\"counter\":1,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":4194304,\"address\":1048576,"
                "\"type\":\"L1\",\"layout\":\"INTERLEAVED\",\"page_size\":2048,\"max_size_per_bank\":65536}},"
                "{\"counter\":2,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":65536,"
                "\"address\":1015808,\"core_range_set\":\"{[0-0 - 0-0]}\",\"globally_allocated\":\"0\"}}]");
    char err[512];
    trace_file *tf = trace_open(path, "n150", err, sizeof err);
    cr_assert_not_null(tf, "%s", err);
    const trace_summary *sum = trace_get_summary(tf);
    /* [0xF8000, 0x108000) CB over [0x100000, 0x110000) buffer: 96 KiB held, 128 KiB claimed. */
    cr_assert_eq(sum->peak.bytes, 98304);
    cr_assert_eq(sum->peak.l1_buffers, 65536);
    cr_assert_eq(sum->peak.circular_buffers, 32768, "the overlap is the buffer's (accounting's first kind)");
    cr_assert_eq(sum->peak.x, 0);
    cr_assert_eq(sum->peak.y, 0);
    cr_assert_eq(sum->peak.counter, 2);
    cr_assert_str_eq(sum->peak.op, "ttnn::clash");
    trace_close(tf);
    unlink(path);
}

/* Random clashes: buffers (every bank) and CBs (random core ranges) at
 * addresses the trace gives, overlapping at will, freed by address or with
 * their program. The peak the replay reports is the most any core holds at
 * any position, as accounting_compute counts it at every position. */
static char *random_overlaps(unsigned seed, int events)
{
    size_t cap = (size_t)events * 260 + 64, n = 0;
    char *t = malloc(cap);
    unsigned long live[64];
    int nlive = 0;
    srand(seed);
    n += (size_t)snprintf(t + n, cap - n, "[");
    for (int c = 0; c < events; c++) {
        int what = rand() % 10;
        unsigned long addr = 0x20000ul + 0x800ul * (unsigned long)(rand() % 500), size = 0x800ul * (1 + rand() % 80);
        if (what < 3 && nlive < 64) {
            n += (size_t)snprintf(t + n, cap - n,
                                  "{\"counter\":%d,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":%lu,"
                                  "\"address\":%lu,\"type\":\"L1\",\"layout\":\"INTERLEAVED\",\"page_size\":2048,"
                                  "\"max_size_per_bank\":%lu}},",
                                  c, size * 64, addr, size);
            live[nlive++] = addr;
        } else if (what < 5 && nlive > 0) {
            int k = rand() % nlive;
            n += (size_t)snprintf(t + n, cap - n,
                                  "{\"counter\":%d,\"node_type\":\"buffer_deallocate\",\"params\":{\"size\":0,"
                                  "\"address\":%lu,\"type\":\"L1\"}},",
                                  c, live[k]);
            live[k] = live[--nlive];
        } else if (what < 9) {
            int x0 = rand() % 8, y0 = rand() % 8;
            n += (size_t)snprintf(t + n, cap - n,
                                  "{\"counter\":%d,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":%lu,"
                                  "\"address\":%lu,\"core_range_set\":\"{[%d-%d - %d-%d]}\",\"globally_allocated\":\"0\"}},",
                                  c, size, addr, x0, y0, x0 + rand() % (8 - x0), y0 + rand() % (8 - y0));
        } else {
            n += (size_t)snprintf(t + n, cap - n,
                                  "{\"counter\":%d,\"node_type\":\"circular_buffer_deallocate_all\",\"params\":{}},", c);
        }
    }
    snprintf(t + n - 1, cap - n + 1, "]");
    return t;
}

Test(trace, peak_is_the_fullest_core_at_any_position)
{
    for (unsigned seed = 1; seed <= 6; seed++) {
        char path[96];
        char *text = random_overlaps(seed, 120);
        write_trace(path, sizeof path, "overlaps", text);
        free(text);
        char err[512];
        trace_file *tf = trace_open(path, "n150", err, sizeof err);
        cr_assert_not_null(tf, "%s", err);
        snapshot s;
        snapshot_init(&s);
        uint64_t most = 0, node_at = 0, clash = 0;
        for (size_t i = 0; i < trace_event_count(tf); i++) {
            cr_assert_eq(trace_state_at(tf, trace_event_node(tf, i), &s, NULL, 0), 0);
            accounting a;
            cr_assert_eq(accounting_compute(&s, &a), 0);
            clash += a.devices[0].clash_bytes;
            for (uint32_t c = 0; c < a.devices[0].ncores; c++) {
                const uint64_t *b = a.devices[0].cores[c].bytes;
                uint64_t held = b[CAT_L1_BUFFERS] + b[CAT_L1_SMALL] + b[CAT_CIRCULAR_BUFFERS];
                if (held > most) {
                    most = held;
                    node_at = trace_event_node(tf, i);
                }
            }
            accounting_free(&a);
        }
        const trace_summary *sum = trace_get_summary(tf);
        cr_assert_gt(clash, 0, "seed %u: items overlap (else this proves nothing)", seed);
        cr_assert_eq(sum->peak.bytes, most, "seed %u", seed);
        cr_assert_eq(sum->peak.counter, node_at, "seed %u: the earliest such node", seed);
        trace_close(tf);
        snapshot_free(&s);
        unlink(path);
    }
}
