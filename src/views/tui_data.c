/*
 * tui_data.c - what the TUI shows: at each refresh one fill of the feed
 * (fetch(), the only place that reads the sources), the accounting and the
 * alerts, the devices shown and a cursor kept inside the selected device's
 * grid.
 */
#define _XOPEN_SOURCE_EXTENDED
#define _GNU_SOURCE
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "views/tui_app.h"
#include "views/view_common.h"

/* The only read of the sources: the feed, live or at the timeline's position. */
static source_status fetch(tui *t, char *err, size_t errlen)
{
    return feed_fill(t->feed, &t->snap, err, errlen);
}

static void rebuild_visible(tui *t)
{
    uint32_t sel_id = UINT32_MAX;
    if (t->st.sel < t->st.nvisible && t->st.visible[t->st.sel] < t->snap.ndevices)
        sel_id = t->snap.devices[t->st.visible[t->st.sel]].id;
    size_t n = 0;
    for (size_t i = 0; i < t->snap.ndevices && n < TUI_MAX_DEVICES; i++)
        if (output_device_selected(&t->opts->filter, t->snap.devices[i].id))
            t->visible[n++] = i;
    t->st.visible = t->visible;
    t->st.nvisible = n;
    if (t->st.sel >= n)
        t->st.sel = 0;
    for (size_t v = 0; v < n; v++)
        if (t->snap.devices[t->visible[v]].id == sel_id)
            t->st.sel = v;
}

static void clamp_cursor(tui *t)
{
    const snap_device *d = tui_selected_device(&t->st, NULL);
    if (!d)
        return;
    if (t->st.cx >= d->grid_x)
        t->st.cx = (uint16_t)(d->grid_x - 1);
    if (t->st.cy >= d->grid_y)
        t->st.cy = (uint16_t)(d->grid_y - 1);
}

/* The accounting of a changed snapshot, and the alerts on it; false: out of memory. */
static bool account(tui *t)
{
    /* Nothing moved in the segment: the accounting still holds. */
    if (t->snap.unchanged && t->have_acct)
        return true;
    accounting_free(&t->acct);
    t->have_acct = accounting_compute(&t->snap, &t->acct) == 0;
    t->st.data_gen++;
    return t->have_acct;
}

/* One sample per device per refresh for the history strip. */
static void sample_history(tui *t)
{
    for (size_t i = 0; i < t->snap.ndevices && i < t->acct.ndevices; i++) {
        const snap_device *d = &t->snap.devices[i];
        const peak_device *pd = t->snap.peaks ? peaks_device(t->snap.peaks, d->id) : NULL;
        /* A device's first sample: its mark so far is no spike of the last refresh. */
        const uint64_t *seq = history_last_seq(t->history, d->id);
        uint64_t last = seq ? *seq : pd ? pd->total.at.seq : 0;
        history_sample s = history_sample_of(&t->acct.devices[i], pd, &last, t->snap.timestamp_ns);
        if (history_push(t->history, d->id, &s))
            *history_last_seq(t->history, d->id) = last;
    }
}

static void show_status(tui *t)
{
    t->st.warning = tui_timeline_active(t) ? tui_timeline_describe(t) : feed_warning(t->feed);
    t->have_data = t->st.nvisible > 0 && t->snap.nprocesses > 0;
    t->have_ttm = t->snap.nttm > 0 || t->snap.nboards > 0;
    if (!t->have_data)
        snprintf(t->st.status, sizeof t->st.status, "%s",
                 t->snap.ndevices ? "no live writer process" : "no device declared yet");
    else
        t->st.status[0] = '\0';
    time_t secs = (time_t)(t->snap.timestamp_ns / 1000000000u);
    struct tm tm;
    if (localtime_r(&secs, &tm))
        strftime(t->st.clock, sizeof t->st.clock, "%H:%M:%S", &tm);
}

/* Alert starts and stops since the last refresh, into the event log. */
static void log_alerts(tui *t, size_t pos)
{
    uint64_t total = alerts_history_total(t->alerts), fresh = total - t->alerts_logged;
    size_t count = alerts_history_count(t->alerts);
    if (fresh > count)
        fresh = count; /* the ring lapped: the oldest of them are gone */
    for (size_t i = count - (size_t)fresh; i < count; i++) {
        const alert_event *ev = alerts_history_at(t->alerts, i);
        latched_event e = { .time_ns = t->snap.timestamp_ns, .kind = ev->start ? LATCH_ALERT_START : LATCH_ALERT_STOP,
                            .device = ev->alert.device, .x = ev->alert.x, .y = ev->alert.y, .pid = ev->alert.pid,
                            .pos = pos };
        snprintf(e.tag, sizeof e.tag, "%.*s", (int)sizeof e.tag - 1, ev->alert.name); /* names are short: cut if not */
        alert_value_text(e.detail, sizeof e.detail, ev->alert.metric, ev->alert.value);
        latched_note(t->events, &e);
    }
    t->alerts_logged = total;
}

void tui_refresh_data(tui *t)
{
    char err[TUI_ERR_LEN] = "";
    if (fetch(t, err, sizeof err) != SRC_OK) {
        /* Missing, corrupt or vanished: say so and keep polling. */
        snprintf(t->st.status, sizeof t->st.status, "%s", err);
        t->have_data = t->have_ttm = false;
        return;
    }
    if (!account(t)) {
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
        t->have_data = false;
        return;
    }
    rebuild_visible(t);
    if (alerts_evaluate(t->alerts, t->cfg, &t->snap, &t->acct, (uint64_t)(tui_now() * 1000.0), false) != 0) {
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
        return;
    }
    if (alerts_take_bell(t->alerts))
        beep();
    sample_history(t);
    size_t pos = tui_timeline_position(t);
    log_alerts(t, pos);
    if (latched_observe(t->events, &t->snap, &t->acct, t->snap.timestamp_ns, pos) != 0)
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
    show_status(t);
    clamp_cursor(t);
}

void tui_select_device(tui *t, size_t v)
{
    if (v < t->st.nvisible) {
        t->st.sel = v;
        t->st.core_scroll = 0;
        clamp_cursor(t);
    }
}

void tui_move_cursor(tui *t, int dx, int dy)
{
    const snap_device *d = tui_selected_device(&t->st, NULL);
    if (!d)
        return;
    int x = t->st.cx + dx, y = t->st.cy + dy;
    if (x >= 0 && x < d->grid_x)
        t->st.cx = (uint16_t)x;
    if (y >= 0 && y < d->grid_y)
        t->st.cy = (uint16_t)y;
}
