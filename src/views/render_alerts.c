/*
 * render_alerts.c - the alerts view: the alerts firing now, then the
 * start/stop history, newest first.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <time.h>

#include "views/render.h"
#include "views/view_common.h"

static void alert_line(const tui_state *st, int y, const firing_alert *a, const char *prefix)
{
    char where[ALERT_WHERE_LEN];
    attr_t attr = a->severity == SEVERITY_CRITICAL ? render_alert_attr(&st->rc) : render_warn_attr(&st->rc);
    render_putf(y, 1, COLS - 2, attr, "%s%-8s %-22s %-28s %s %.6g %s %.6g", prefix,
                a->severity == SEVERITY_CRITICAL ? "critical" : "warning", a->name,
                alert_where(where, sizeof where, a, false),
                alert_metric_name(a->metric), a->value, a->above ? ">" : "<", a->threshold);
}

void render_alerts(const tui_state *st)
{
    if (!st->alerts)
        return;
    const firing_alert *fa;
    size_t n = alerts_firing(st->alerts, &fa);
    int y = 2;
    render_putf(y++, 1, COLS - 2, A_BOLD, "Active alerts: %zu", n);
    int half = (LINES - 4) / 2;
    for (size_t i = 0; i < n && y < 3 + half; i++)
        alert_line(st, y++, &fa[i], "");
    if (n == 0)
        render_put(y++, 3, COLS - 4, A_DIM, "none");
    y++;
    size_t h = alerts_history_count(st->alerts);
    render_putf(y++, 1, COLS - 2, A_BOLD, "History (newest first): %zu events", h);
    for (size_t i = 0; i < h && y < LINES - 1; i++) {
        const alert_event *ev = alerts_history_at(st->alerts, h - 1 - i);
        time_t t = (time_t)(ev->unix_ms / 1000);
        struct tm tm;
        char when[16] = "";
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s %s ", when, ev->start ? "start" : "stop ");
        alert_line(st, y++, &ev->alert, prefix);
    }
    render_key_bar(st);
}
