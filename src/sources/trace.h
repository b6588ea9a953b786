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

#include "model/snapshot.h"

typedef struct {
    uint32_t device;         /* physical chip id */
    uint16_t x, y;           /* the core */
    uint64_t bytes;          /* program-scope L1 + L1 buffers + L1_SMALL on it */
    uint64_t circular_buffers; /* CBs, dataflow buffers and scratchpads */
    uint64_t l1_buffers;     /* L1 and L1_SMALL buffers, pre-window ones included */
    uint64_t counter;        /* node at which it peaked */
    char op[96];             /* innermost op active then: valid UTF-8, controls escaped */
} trace_peak;

/* Exactly what ttnn's extract_resource_usage_per_core returns for the trace:
 * size_t running totals, no floor on a buffer_deallocate, peaks taken on
 * increments only. Freeing a buffer allocated before the capture makes them
 * wrap (ttnn's known underflow): the literal numbers are kept, and flagged. */
typedef struct {
    uint64_t peak_cb, peak_l1, peak_dataflow_buffer, peak_scratchpad, peak_total;
    bool underflow;          /* a running total went below zero */
} trace_ttnn;

typedef struct {
    size_t nodes;            /* all nodes */
    size_t l1_events;        /* nodes that moved L1: the timeline's steps */
    size_t ignored;          /* node types l1top does not know */
    size_t chips;            /* physical chips (devices shown) */
    uint64_t dram_peak;      /* DRAM buffers allocated, counted apart, never in L1 */
    bool simulated_placement;/* some addresses were 0 (NO_DISPATCH): placed as TT-Metal would */
    size_t unplaced;         /* simulated placements that did not fit in L1 */
    bool sharded_guessed;    /* a sharded buffer without a shard grid: first num_cores cores */
    size_t pre_window;       /* buffers allocated before the capture (tensor nodes with addresses) */
    char board[32];          /* board used, and why */
    char board_reason[192];
    trace_peak peak;
    trace_ttnn ttnn;
} trace_summary;

/* Load and replay FILE; on success fill s with the state at the peak.
 * board_name (may be NULL) is used when the trace has no devices section.
 * Returns 0; TRACE_EDATA with "FILE:LINE:COL: ..." or "FILE: node N: ..." in
 * err; TRACE_ENOINPUT with "FILE: No such file or directory" (or the reason
 * it cannot be opened). */
enum { TRACE_EDATA = -1, TRACE_ENOINPUT = -2 };
int trace_load(const char *path, const char *board_name, snapshot *s, trace_summary *sum, char *err, size_t errlen);

/* A trace held open for stepping through it (the TUI's timeline). Stepping
 * forward is incremental; backward restarts from the nearest checkpoint. */
typedef struct trace_file trace_file;
trace_file *trace_open(const char *path, const char *board_name, char *err, size_t errlen);
/* Like trace_open; *status gets 0, TRACE_EDATA or TRACE_ENOINPUT. */
trace_file *trace_open_status(const char *path, const char *board_name, int *status, char *err, size_t errlen);
const trace_summary *trace_get_summary(const trace_file *tr);
/* The nodes that move L1, in order: the timeline's steps. */
size_t trace_event_count(const trace_file *tr);
size_t trace_event_node(const trace_file *tr, size_t i);
/* The state just after node `node` into s; op gets the innermost op then
 * (the last L1 event at or before `node` decides). */
int trace_state_at(trace_file *tr, size_t node, snapshot *s, char *op, size_t oplen);
void trace_close(trace_file *tr);

/* Parse a core range set: "{[0-0 - 7-7], [0-8 - 3-8]}", "{[(x=0,y=0) - (x=7,y=7)]}", "{}".
 * Returns the number of ranges (<= max), or -1 when the syntax is unknown. */
int trace_parse_core_ranges(const char *text, l1top_range *out, size_t max);

#endif
