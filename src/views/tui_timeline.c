/*
 * tui_timeline.c - a ttnn trace in the TUI: a timeline of its L1 events
 * that keys move through ([ ] Home End P), opened at the per-core peak.
 * The state at a position is replayed only when the position moves.
 */
#define _GNU_SOURCE
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#include "utf8.h"
#include "views/tui_app.h"

/* The timeline index of the trace's peak node. */
static size_t peak_event(const tui *t)
{
    size_t peak = (size_t)trace_get_summary(t->tr)->peak.counter;
    for (size_t i = 0; i < trace_event_count(t->tr); i++)
        if (trace_event_node(t->tr, i) == peak)
            return i;
    return 0;
}

int tui_timeline_open(tui *t, char *err, size_t errlen)
{
    int status;
    t->tr = trace_open_status(t->opts->trace, t->opts->board, &status, err, errlen);
    if (!t->tr)
        return status == TRACE_ENOINPUT ? EX_NOINPUT : EX_DATAERR;
    t->ev = peak_event(t); /* open at the peak */
    t->replayed_ev = SIZE_MAX;
    snprintf(t->segment, sizeof t->segment, "%s", t->opts->trace);
    return 0;
}

bool tui_timeline_active(const tui *t) { return t->tr != NULL; }

void tui_timeline_close(tui *t)
{
    trace_close(t->tr);
    t->tr = NULL;
}

shm_status tui_timeline_fetch(tui *t, char *err, size_t errlen)
{
    if (t->replayed_ev == t->ev) {
        t->snap.unchanged = true; /* a trace does not change by itself: only a key moves it */
        return SHM_OK;
    }
    size_t n = trace_event_count(t->tr);
    size_t node = n ? trace_event_node(t->tr, t->ev) : 0;
    char op[TRACE_OP_LEN];
    if (trace_state_at(t->tr, node, &t->snap, op, sizeof op) != 0) {
        snprintf(err, errlen, "cannot replay the trace to node %zu", node);
        return SHM_CORRUPT;
    }
    snapshot_sanitize_strings(&t->snap);
    const trace_summary *sum = trace_get_summary(t->tr);
    char clean_op[sizeof op];
    snprintf(t->trace_line, sizeof t->trace_line, "node %zu (%zu/%zu)%s%s%s  [ ] Home End P", node, t->ev + 1, n,
             op[0] ? " in " : "", utf8_clean(clean_op, sizeof clean_op, op, UTF8_ESCAPE_CONTROLS),
             node == sum->peak.counter ? "  PEAK" : "");
    t->replayed_ev = t->ev;
    return SHM_OK;
}

void tui_timeline_step(tui *t, int key)
{
    size_t n = t->tr ? trace_event_count(t->tr) : 0;
    if (n == 0)
        return;
    if (key == '[' && t->ev > 0)
        t->ev--;
    else if (key == ']' && t->ev + 1 < n)
        t->ev++;
    else if (key == KEY_HOME)
        t->ev = 0;
    else if (key == KEY_END)
        t->ev = n - 1;
    else if (key == 'P')
        t->ev = peak_event(t);
    t->next_refresh = tui_now(); /* show it now */
}
