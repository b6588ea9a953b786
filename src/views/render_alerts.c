/*
 * render_alerts.c - the alerts view: the alerts firing now (one per device
 * for per-core rules, the selected one opened to list its cores, worst
 * first), what the last exec action said, then the start/stop history,
 * newest first.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <time.h>

#include "views/render.h"
#include "views/view_common.h"

#define CORE_ENTRY_W 16      /* "(10,9) 97.8 %  " */
#define ALERTS_WIDE_COLS 110 /* the full severity word and a wider name column */
#define HISTORY_MIN_ROWS 3   /* an opened alert leaves the history this much */

static void alert_line(const tui_state *st, int y, const firing_alert *a, const char *prefix, bool selected)
{
    char text[ALERT_TEXT_LEN];
    attr_t attr = render_severity_attr(&st->rc, a->severity) | (selected ? A_REVERSE : 0);
    bool wide = COLS >= ALERTS_WIDE_COLS; /* narrower: a short severity, the name's column tighter */
    render_putf(y, 1, COLS - 2, attr, "%s%-*s %-*s %s", prefix, wide ? 8 : 4,
                a->severity == SEVERITY_CRITICAL ? (wide ? "critical" : "crit") : (wide ? "warning" : "warn"),
                wide ? 22 : 18, a->name, alert_describe(text, sizeof text, a));
}

/* The cores of an opened alert, worst first, as many columns as fit; returns the next row. */
static int alert_cores(const tui_state *st, int y, int last, const firing_alert *a)
{
    const alert_core *c;
    size_t n = alerts_cores(st->alerts, a, &c);
    int per_row = (COLS - 6) / CORE_ENTRY_W;
    if (per_row < 1)
        per_row = 1;
    size_t room = last > y ? (size_t)(last - y) * (size_t)per_row : 0;
    size_t shown = n <= room ? n : room > 0 ? room - 1 : 0; /* the last place says how many are left */
    size_t i = 0;
    for (; i < shown; y++)
        for (int k = 0; k < per_row && i < shown; k++, i++) {
            char where[16], value[32];
            snprintf(where, sizeof where, "(%u,%u)", c[i].x, c[i].y);
            render_putf(y, 5 + k * CORE_ENTRY_W, CORE_ENTRY_W, A_NORMAL, "%-7s%s", where,
                        alert_value_text(value, sizeof value, a->metric, c[i].value));
        }
    if (shown < n && room > 0) {
        int k = (int)(shown % (size_t)per_row);
        if (k == 0)
            y++;
        render_putf(y - 1, 5 + k * CORE_ENTRY_W, CORE_ENTRY_W, A_DIM, "+%zu more", n - shown);
    }
    return y;
}

void render_alerts(const tui_state *st)
{
    if (!st->alerts)
        return;
    const firing_alert *fa;
    size_t n = alerts_firing(st->alerts, &fa);
    int y = LAYOUT_HEADER_ROWS, half = LAYOUT_HEADER_ROWS + (LINES - LAYOUT_HEADER_ROWS - LAYOUT_FOOTER_ROWS) / 2;
    render_putf(y++, 1, COLS - 2, A_BOLD, "Active alerts: %zu%s", n,
                n ? "   (one per device for per-core rules; Enter lists the cores)" : "");
    size_t sel = st->alert_sel < n ? st->alert_sel : 0;
    /* Half the screen for the alerts, more when one is opened (the history keeps a few lines). */
    int list_end = st->alert_open ? LINES - LAYOUT_FOOTER_ROWS - HISTORY_MIN_ROWS - 2 : half;
    for (size_t i = 0; i < n && y < list_end; i++) {
        alert_line(st, y++, &fa[i], "", i == sel);
        if (i == sel && st->alert_open) /* its cores, leaving a line to each alert after it */
            y = alert_cores(st, y, list_end - (int)(n - i - 1), &fa[i]);
    }
    if (n == 0)
        render_put(y++, 3, COLS - 4, A_DIM, "none");
    const char *note = alerts_exec_note(st->alerts);
    if (note[0])
        render_put(y++, 1, COLS - 2, render_warn_attr(&st->rc), note);
    y++;
    size_t h = alerts_history_count(st->alerts);
    render_putf(y++, 1, COLS - 2, A_BOLD, "History (newest first): %zu events", h);
    for (size_t i = 0; i < h && y < LINES - LAYOUT_FOOTER_ROWS; i++) {
        const alert_event *ev = alerts_history_at(st->alerts, h - 1 - i);
        time_t t = (time_t)(ev->unix_ms / 1000);
        struct tm tm;
        char when[16] = "";
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s %s ", when, ev->start ? "start" : "stop ");
        alert_line(st, y++, &ev->alert, prefix, false);
    }
}
