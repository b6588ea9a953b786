/*
 * trace_source.c - a ttnn trace as a source (source.h): a timeline over its
 * L1 events that opens at the per-core peak; --trace FILE selects it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sources/source.h"
#include "sources/trace.h"
#include "sources/trace_internal.h"
#include "utf8.h"

typedef struct {
    trace_file *tf;
    size_t pos;          /* the timeline's position: an index into the L1 events */
    size_t peak;         /* the position of the peak's node */
    bool at_peak;        /* not moved since open: the peak's own node, which may
                          * precede every event (buffers from before the capture) */
    size_t shown;        /* node s holds (SIZE_MAX: none): a still timeline is not replayed */
} trace_source;

static size_t node_at(const trace_source *t, size_t pos)
{
    if (t->at_peak && pos == t->pos)
        return (size_t)t->tf->sum.peak.counter;
    return trace_event_count(t->tf) ? trace_event_node(t->tf, pos) : 0;
}

static bool wanted(const source_params *p) { return source_wants_file(p, "trace"); }

static void *open_trace(const source_params *p, source_status *st, char *err, size_t errlen)
{
    trace_source *t = source_state_new(sizeof *t, st, err, errlen);
    if (!t)
        return NULL;
    int status;
    t->tf = trace_open_status(p->path ? p->path : "", p->board, &status, err, errlen);
    if (!t->tf) {
        free(t);
        *st = status == TRACE_ENOINPUT ? SRC_MISSING : SRC_CORRUPT;
        return NULL;
    }
    for (size_t i = 0; i < trace_event_count(t->tf); i++)
        if (trace_event_node(t->tf, i) == t->tf->sum.peak.counter) {
            t->peak = i;
            break;
        }
    t->pos = t->peak; /* a trace opens at its peak */
    t->at_peak = true;
    t->shown = SIZE_MAX;
    return t;
}

static source_status fill(void *self, snapshot *s, char *err, size_t errlen)
{
    trace_source *t = self;
    size_t node = node_at(t, t->pos);
    if (t->shown == node) {
        s->unchanged = true; /* a trace does not change by itself: only seek moves it */
    } else if (trace_state_at(t->tf, node, s, NULL, 0) != 0) {
        t->shown = SIZE_MAX;
        snprintf(err, errlen, "%s: cannot replay the trace to node %zu: out of memory", t->tf->path, node);
        return SRC_CORRUPT;
    } else {
        t->shown = node;
    }
    s->has_trace = true;
    s->trace = t->tf->sum;
    return SRC_OK;
}

static void close_trace(void *self)
{
    trace_source *t = self;
    trace_close(t->tf);
    free(t);
}

static size_t tl_length(const void *self) { return trace_event_count(((const trace_source *)self)->tf); }
static size_t tl_position(const void *self) { return ((const trace_source *)self)->pos; }
static size_t tl_peak(const void *self) { return ((const trace_source *)self)->peak; }

static void tl_seek(void *self, size_t pos)
{
    trace_source *t = self;
    size_t n = trace_event_count(t->tf);
    t->pos = n == 0 ? 0 : pos < n ? pos : n - 1;
    t->at_peak = false;
}

static void tl_label(const void *self, size_t pos, char *buf, size_t n)
{
    const trace_source *t = self;
    size_t node = node_at(t, pos), events = trace_event_count(t->tf);
    char op[TRACE_OP_LEN];
    utf8_clean(op, sizeof op, trace_op_at(t->tf, node), UTF8_ESCAPE_CONTROLS);
    snprintf(buf, n, "node %zu (%zu/%zu)%s%s%s", node, pos + 1, events, op[0] ? " in " : "", op,
             node == t->tf->sum.peak.counter ? "  PEAK" : "");
}

static size_t tl_find_change(const void *self, size_t from, uint32_t device, uint16_t x, uint16_t y, int dir)
{
    return trace_find_change(((const trace_source *)self)->tf, from, device, x, y, dir);
}

static size_t tl_core_peak(const void *self, uint32_t device, uint16_t x, uint16_t y)
{
    return trace_core_peak(((const trace_source *)self)->tf, device, x, y);
}

static const timeline_ops trace_timeline = {
    .length = tl_length,
    .position = tl_position,
    .seek = tl_seek,
    .peak = tl_peak,
    .label = tl_label,
    .find_change = tl_find_change,
    .core_peak = tl_core_peak,
    .position_of = NULL, /* a trace keeps no peak model */
};

const source_ops source_trace = {
    .name = "trace",
    .wanted = wanted,
    .open = open_trace,
    .fill = fill,
    .close = close_trace,
    .timeline = &trace_timeline,
};
