/*
 * render_events.c - the event log view: clashes, dropped records and alert
 * starts and stops as they happened (model/latched.h), the latest first,
 * kept after they clear; the selected one opens its core with Enter (on a
 * timeline at its moment, its position shown in the `step` column).
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdint.h>
#include <stdio.h>

#include "model/latched.h"
#include "views/format.h"
#include "views/render.h"
#include "views/view_peaks.h"

#define EVENTS_FIRST_ROW 2

static const char *const kind_word[] = {
    [LATCH_CLASH] = "clash", [LATCH_DROPPED] = "dropped", [LATCH_ALERT_START] = "alert", [LATCH_ALERT_STOP] = "cleared",
};

static void event_row(const tui_state *st, int y, const latched_event *e, bool sel)
{
    char at[24], where[32], bytes[LATCHED_DETAIL_LEN], step[24] = "";
    view_clock_ms(e->time_ns, at, sizeof at);
    if (e->x >= 0)
        snprintf(where, sizeof where, "%u (%d,%d)", e->device, e->x, e->y);
    else if (e->kind == LATCH_DROPPED)
        snprintf(where, sizeof where, "segment");
    else
        snprintf(where, sizeof where, "%u", e->device);
    if (e->kind == LATCH_DROPPED)
        snprintf(bytes, sizeof bytes, "%llu rec", (unsigned long long)e->bytes);
    else if (e->kind == LATCH_CLASH)
        format_bytes_unit(e->bytes, UNITS(st), bytes, sizeof bytes);
    else
        snprintf(bytes, sizeof bytes, "%s", e->detail);
    if (st->timeline && e->pos != SIZE_MAX)
        snprintf(step, sizeof step, "%zu", e->pos + 1);
    attr_t attr = e->kind == LATCH_CLASH || e->kind == LATCH_ALERT_START ? render_alert_attr(&st->rc)
                  : e->kind == LATCH_DROPPED                          ? render_warn_attr(&st->rc)
                                                                      : A_NORMAL;
    render_putf(y, 1, COLS - 2, attr | (sel ? A_REVERSE : 0), "%-12s %*s  %-8s %-14s %7d  %10s  %s", at,
                st->timeline ? 7 : 0, step, kind_word[e->kind], where, (int)e->pid, bytes, e->tag);
}

void render_events(const tui_state *st)
{
    size_t n = st->events ? latched_count(st->events) : 0;
    int y = EVENTS_FIRST_ROW;
    render_putf(y++, 1, COLS - 2, A_BOLD,
                "Event log: %zu kept of %llu, the latest first%s", n,
                st->events ? (unsigned long long)latched_total(st->events) : 0ull,
                st->timeline ? "  (Enter: its core at that step)" : "");
    render_putf(y++, 1, COLS - 2, A_BOLD | A_UNDERLINE, "%-12s %*s  %-8s %-14s %7s  %10s  %s", "time",
                st->timeline ? 7 : 0, st->timeline ? "step" : "", "event", "device core", "pid", "bytes/value",
                "op/tag/alert");
    if (!n)
        render_put(y, 1, COLS - 2, A_DIM, "nothing yet: a clash, a dropped record or an alert shows here, and stays");
    size_t first = st->event_sel >= (size_t)(LINES - y - 1) ? st->event_sel - (size_t)(LINES - y - 2) : 0;
    for (size_t i = first; i < n && y < LINES - 1; i++, y++)
        event_row(st, y, latched_at(st->events, i), i == st->event_sel);
}
