/*
 * render_events.c - the event log view: clashes and dropped records as they
 * began (model/latched.h), the latest first, kept after they clear; the
 * selected one opens its core with Enter.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>

#include "model/latched.h"
#include "views/format.h"
#include "views/render.h"
#include "views/view_peaks.h"

#define EVENTS_FIRST_ROW 2

static void event_row(const tui_state *st, int y, const latched_event *e, bool sel)
{
    char at[24], where[32], bytes[24];
    view_clock_ms(e->time_ns, at, sizeof at);
    if (e->x >= 0)
        snprintf(where, sizeof where, "%u (%d,%d)", e->device, e->x, e->y);
    else
        snprintf(where, sizeof where, "segment");
    if (e->kind == LATCH_DROPPED)
        snprintf(bytes, sizeof bytes, "%llu rec", (unsigned long long)e->bytes);
    else
        format_bytes_unit(e->bytes, UNITS(st), bytes, sizeof bytes);
    attr_t attr = e->kind == LATCH_CLASH ? render_alert_attr(&st->rc) : render_warn_attr(&st->rc);
    render_putf(y, 1, COLS - 2, attr | (sel ? A_REVERSE : 0), "%-12s  %-8s %-14s %7d  %10s  %s", at,
                e->kind == LATCH_CLASH ? "clash" : "dropped", where, (int)e->pid, bytes, e->tag);
}

void render_events(const tui_state *st)
{
    size_t n = st->events ? latched_count(st->events) : 0;
    int y = EVENTS_FIRST_ROW;
    render_putf(y++, 1, COLS - 2, A_BOLD, "Event log: %zu kept of %llu (clashes, dropped records; the latest first)",
                n, st->events ? (unsigned long long)latched_total(st->events) : 0ull);
    render_putf(y++, 1, COLS - 2, A_BOLD | A_UNDERLINE, "%-12s  %-8s %-14s %7s  %10s  %s", "time", "event",
                "device core", "pid", "bytes", "op/tag");
    if (!n)
        render_put(y, 1, COLS - 2, A_DIM, "nothing yet: a clash or a dropped record shows here, and stays");
    size_t first = st->event_sel >= (size_t)(LINES - y - 1) ? st->event_sel - (size_t)(LINES - y - 2) : 0;
    for (size_t i = first; i < n && y < LINES - 1; i++, y++)
        event_row(st, y, latched_at(st->events, i), i == st->event_sel);
}
