/*
 * trace.h - ttnn graph-capture traces (the JSON of
 * ttnn.graph.end_graph_capture_to_file, a bare node list or a report whose
 * `graph` key holds it). The L1 events are replayed on the per-core model
 * to find the per-core peak (counted as model/accounting.c counts a
 * snapshot), and the state at any moment becomes an ordinary snapshot for
 * every view.
 */
#ifndef L1TOP_TRACE_H
#define L1TOP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

/* trace_open_status's *status besides 0: bad data ("FILE:LINE:COL: ..."
 * or "FILE: node N: ..." in err), or no input ("FILE: No such file or
 * directory", or why it cannot be opened). */
enum { TRACE_EDATA = -1, TRACE_ENOINPUT = -2 };

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
/* The innermost op just after node (as trace_state_at's op), "" if none. */
const char *trace_op_at(const trace_file *tr, size_t node);
void trace_close(trace_file *tr);

/* One core (x, y) of chip `chip` (a snapshot device id) over the timeline,
 * in timeline positions (event indices): the next (dir > 0) or previous
 * (dir < 0) event from `from` that moves bytes on it; the earliest event
 * where it holds the most bytes (each byte once, as the accounting counts).
 * SIZE_MAX: none (or out of memory). */
size_t trace_find_change(const trace_file *tr, size_t from, uint64_t chip, uint16_t x, uint16_t y, int dir);
size_t trace_core_peak(const trace_file *tr, uint64_t chip, uint16_t x, uint16_t y);

/* Parse a core range set: "{[0-0 - 7-7], [0-8 - 3-8]}", "{[(x=0,y=0) - (x=7,y=7)]}", "{}".
 * Returns the number of ranges (<= max), or -1 when the syntax is unknown. */
int trace_parse_core_ranges(const char *text, l1top_range *out, size_t max);

#endif
