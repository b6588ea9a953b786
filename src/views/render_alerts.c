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

#define CORE_ENTRY_W 16  /* "(10,9) 97.8 %  " */

static void alert_line(const tui_state *st, int y, const firing_alert *a, const char *prefix, bool selected)
{
    char text[ALERT_TEXT_LEN];
    attr_t attr = render_severity_attr(&st->rc, a->severity) | (selected ? A_REVERSE : 0);
    render_putf(y, 1, COLS - 2, attr, "%s%-8s %-22s %s", prefix, a->severity == SEVERITY_CRITICAL ? "critical" : "warning",
                a->name, alert_describe(text, sizeof text, a));
}

/* The cores of an opened alert, worst first, as many columns as fit; returns the next row. */
static int alert_cores(const tui_state *st, int y, int last, const firing_alert *a)
{
    const alert_core *c;
    size_t n = alerts_cores(st->alerts, a, &c);
    int per_row = (COLS - 6) / CORE_ENTRY_W;
    if (per_row < 1)
        per_row = 1;
    for (size_t i = 0; i < n && y < last; y++)
        for (int k = 0; k < per_row && i < n; k++, i++) {
            char where[16], value[32];
            snprintf(where, sizeof where, "(%u,%u)", c[i].x, c[i].y);
            render_putf(y, 5 + k * CORE_ENTRY_W, CORE_ENTRY_W, A_NORMAL, "%-7s%s", where,
                        alert_value_text(value, sizeof value, a->metric, c[i].value));
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
    for (size_t i = 0; i < n && y < half; i++) {
        alert_line(st, y++, &fa[i], "", i == sel);
        if (i == sel && st->alert_open)
            y = alert_cores(st, y, LINES - LAYOUT_FOOTER_ROWS - 2, &fa[i]);
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
