/*
 * trace.c - ttnn graph-capture traces (see trace.h): open a file
 * (trace_parse.c), replay it once (trace_replay.c), account the per-core
 * peak as a snapshot (model/accounting.c), then hand out the state at any
 * node as an ordinary snapshot. The source table is trace_source.c.
 */
#include "sources/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "model/accounting.h"
#include "sources/trace_internal.h"
#include "utf8.h"

static int find_peak(trace_file *tf);
static int build_snapshot(const trace_file *tf, const char *path, snapshot *s);

trace_file *trace_open_status(const char *path, const char *board_name, int *status, char *err, size_t errlen)
{
    trace_file *tf = calloc(1, sizeof *tf);
    if (!tf) {
        snprintf(err, errlen, "%s: out of memory", path);
        *status = TRACE_EDATA;
        return NULL;
    }
    snprintf(tf->path, sizeof tf->path, "%s", path);
    *status = trace_parse_file(path, &tf->p, err, errlen);
    if (*status == 0 && trace_replay_build(tf, path, board_name, err, errlen) != 0)
        *status = TRACE_EDATA;
    if (*status == 0 && find_peak(tf) != 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        *status = TRACE_EDATA;
    }
    if (*status != 0) {
        trace_close(tf);
        return NULL;
    }
    return tf;
}

trace_file *trace_open(const char *path, const char *board_name, char *err, size_t errlen)
{
    int status;
    return trace_open_status(path, board_name, &status, err, errlen);
}

const trace_summary *trace_get_summary(const trace_file *tr) { return &tr->sum; }
size_t trace_event_count(const trace_file *tr) { return tr->nsteps; }
size_t trace_event_node(const trace_file *tr, size_t i) { return i < tr->nsteps ? tr->steps[i] : 0; }

static const char *const item_tags[] = {
    [ITEM_BUFFER] = "buffer",
    [ITEM_SMALL] = "L1_SMALL buffer",
    [ITEM_PRE] = "allocated before capture",
    [ITEM_CB] = "cb",
    [ITEM_DFB] = "dataflow buffer",
    [ITEM_SCRATCH] = "scratchpad",
};

static int build_snapshot(const trace_file *tf, const char *path, snapshot *s)
{
    snapshot_reset(s);
    utf8_clean(s->segment, sizeof s->segment, path, UTF8_ESCAPE_CONTROLS);
    s->timestamp_ns = clock_realtime_ns();
    snap_process *p = snapshot_add_process(s);
    if (!p)
        return -1;
    snprintf(p->name, sizeof p->name, "trace");
    const trace_board *b = &tf->board;
    for (size_t d = 0; d < tf->nchips; d++) {
        snap_device *sd = snapshot_add_device(s);
        if (!sd)
            return -1;
        sd->id = (uint32_t)tf->chip_ids[d];
        sd->arch = b->arch->id;
        snprintf(sd->arch_name, sizeof sd->arch_name, "%s", b->arch->name);
        sd->grid_x = b->gx;
        sd->grid_y = b->gy;
        sd->l1_size = b->l1_size;
        sd->l1_small_size = tf->small_size;
        sd->unreserved_base = b->cb_base;
        sd->alignment = b->arch->alignment;
    }
    const l1top_range all = { 0, 0, (uint16_t)(b->gx - 1), (uint16_t)(b->gy - 1) };
    for (size_t i = 0; i < tf->nlive; i++) {
        const titem *it = &tf->items[tf->live[i]];
        snap_region *g = it->all_cores ? snapshot_add_region(s, &all, 1)
                                       : snapshot_add_region(s, tf->p.ranges + it->first_range, it->nranges);
        if (!g)
            return -1;
        g->device = it->chip;
        g->process = 0;
        g->kind = it->sub == ITEM_SMALL   ? L1TOP_L1_SMALL
                  : it->sub >= ITEM_CB    ? L1TOP_CIRCULAR_BUFFER
                                          : L1TOP_L1_BUFFER;
        g->address = (uint32_t)it->address;         /* checked against L1 when placed */
        g->size_per_core = (uint32_t)it->per_core; /* <= L1 size */
        snprintf(g->tag, sizeof g->tag, "%s", item_tags[it->sub]);
    }
    return 0;
}

/* The number of L1 events at or before node. */
static size_t events_through(const trace_file *tr, size_t node)
{
    size_t a = 0, b = tr->nsteps;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (tr->steps[m] <= node)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

/* The innermost op after the a-th L1 event ("" before any, or outside ops). */
static const char *op_after(const trace_file *tr, size_t a)
{
    uint32_t name = a ? tr->step_op[a - 1] : TRACE_NONE;
    return name == TRACE_NONE ? "" : tr->p.names + name;
}

const char *trace_op_at(const trace_file *tr, size_t node)
{
    return op_after(tr, events_through(tr, node));
}

/* ---------- the per-core peak ---------- */

/* The fullest core of an accounted snapshot (first in device, then
 * row-major order): the bytes items hold there, each byte once. */
static trace_peak fullest_core(const snapshot *s, const accounting *a)
{
    trace_peak pk;
    memset(&pk, 0, sizeof pk);
    for (size_t d = 0; d < a->ndevices; d++) {
        const device_usage *du = &a->devices[d];
        const snap_device *sd = &s->devices[du->device];
        for (uint32_t c = 0; c < du->ncores; c++) {
            const uint64_t *b = du->cores[c].bytes;
            uint64_t buffers = b[CAT_L1_BUFFERS] + b[CAT_L1_SMALL], bytes = buffers + b[CAT_CIRCULAR_BUFFERS];
            if (bytes <= pk.bytes)
                continue;
            pk.bytes = bytes;
            pk.device = sd->id;
            pk.x = (uint16_t)(c % sd->grid_x);
            pk.y = (uint16_t)(c / sd->grid_x);
            pk.circular_buffers = b[CAT_CIRCULAR_BUFFERS];
            pk.l1_buffers = buffers;
        }
    }
    return pk;
}

/* The per-core peak: at the position the replay found (the earliest where
 * a core holds the most), accounted as every view accounts it
 * (model/accounting.c): where items overlap (a clash, an item that did not
 * fit) a byte counts once, as on the chip. 0, or -1 when out of memory. */
static int find_peak(trace_file *tf)
{
    snapshot s;
    snapshot_init(&s);
    accounting a;
    trace_goto(tf, tf->peak_pos);
    int rc = build_snapshot(tf, tf->path, &s) == 0 && accounting_compute(&s, &a) == 0 ? 0 : -1;
    if (rc == 0) {
        trace_peak pk = fullest_core(&s, &a);
        accounting_free(&a);
        if (pk.bytes) {
            pk.counter = tf->peak_pos ? tf->steps[tf->peak_pos - 1] : 0; /* before any event: the window's start */
            utf8_copy(pk.op, sizeof pk.op, op_after(tf, tf->peak_pos));
        }
        tf->sum.peak = pk;
    }
    snapshot_free(&s);
    return rc;
}

int trace_state_at(trace_file *tr, size_t node, snapshot *s, char *op, size_t oplen)
{
    size_t a = events_through(tr, node);
    trace_goto(tr, (uint32_t)a);
    if (op)
        utf8_copy(op, oplen, op_after(tr, a));
    return build_snapshot(tr, tr->path, s);
}

void trace_close(trace_file *tr)
{
    if (!tr)
        return;
    trace_replay_free(tr);
    trace_parsed_free(&tr->p);
    free(tr);
}
