/*
 * trace.h - source: ttnn graph-capture traces (the JSON of
 * ttnn.graph.end_graph_capture_to_file, a bare node list or a report whose
 * `graph` key holds it). The L1 events are replayed on the per-core model
 * to find the per-core peak, and the state at that moment becomes an
 * ordinary snapshot for every view.
 */
#ifndef L1TOP_TRACE_H
#define L1TOP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

typedef struct {
    uint32_t device;         /* device id */
    uint16_t x, y;           /* the core */
    uint64_t bytes;          /* CBs + L1 buffers + L1_SMALL placed on it */
    uint64_t circular_buffers, l1_buffers;
    uint64_t counter;        /* node at which it peaked */
    char op[96];             /* innermost op active then */
} trace_peak;

typedef struct {
    uint64_t peak_cb, peak_l1, peak_total; /* as ttnn's extract_resource_usage_per_core */
} trace_ttnn;

typedef struct {
    size_t nodes;            /* all nodes */
    size_t l1_events;        /* nodes that moved L1 */
    size_t ignored;          /* node types l1top does not replay */
    uint64_t dram_peak;      /* DRAM buffers, counted apart, never in L1 */
    bool simulated_placement;/* addresses were 0 (NO_DISPATCH): placed as TT-Metal would */
    bool sharded_guessed;    /* a sharded buffer without a shard grid: first num_cores cores */
    char board[32];          /* board used, and why */
    char board_reason[64];
    trace_peak peak;
    trace_ttnn ttnn;
} trace_summary;

/* Load and replay FILE; on success fill s with the state at the peak.
 * board_name (may be NULL) is used when the trace has no devices section.
 * Returns 0, or -1 with "FILE:LINE:COL: ..." or "FILE: node N: ..." in err. */
int trace_load(const char *path, const char *board_name, snapshot *s, trace_summary *sum, char *err, size_t errlen);

/* A trace held open for stepping through it (the TUI's timeline). */
typedef struct trace_file trace_file;
trace_file *trace_open(const char *path, const char *board_name, char *err, size_t errlen);
const trace_summary *trace_get_summary(const trace_file *tr);
/* The nodes that move L1, in order: the timeline's steps. */
size_t trace_event_count(const trace_file *tr);
size_t trace_event_node(const trace_file *tr, size_t i);
/* The state just after node `node` into s; op gets the innermost op then. */
int trace_state_at(trace_file *tr, size_t node, snapshot *s, char *op, size_t oplen);
void trace_close(trace_file *tr);

/* Parse a core range set: "{[0-0 - 7-7], [0-8 - 3-8]}", "{[(x=0,y=0) - (x=7,y=7)]}", "{}".
 * Returns the number of ranges (<= max), or -1 when the syntax is unknown. */
int trace_parse_core_ranges(const char *text, l1top_range *out, size_t max);

#endif
