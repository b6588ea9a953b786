/*
 * tui_keys.c - the key table and what each key does. handle_key, the help
 * screen and the key bar read the table below and nothing else, so a key
 * is added (or moved, or renamed) in one line there.
 */
#define _XOPEN_SOURCE_EXTENDED
#define _GNU_SOURCE
#include "views/tui_keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "views/tui_app.h"
#include "views/view_peaks.h"

#define KEY_ESC 27
#define ENTER_KEYS '\n', '\r', KEY_ENTER
#define ARROW_KEYS KEY_LEFT, KEY_RIGHT, KEY_UP, KEY_DOWN
#define DELAY_FINE_BELOW 10 /* tenths: under a second the interval moves by 0.1 s, above by 0.5 s */
#define DELAY_COARSE_STEP 5

/* ---------- actions ---------- */

static bool act_quit(tui *t, int key, int arg)
{
    (void)t, (void)key, (void)arg;
    return false;
}

/* Open a view, or (pressed again) go back to the device view. */
static bool act_toggle_view(tui *t, int key, int view)
{
    (void)key;
    t->st.view = t->st.view == (view_id)view ? VIEW_DEVICE : (view_id)view;
    return true;
}

static bool act_show_view(tui *t, int key, int view)
{
    (void)key;
    t->st.view = (view_id)view;
    return true;
}

/* Keys that need data say so while there is none. */
static bool need_data(tui *t)
{
    if (!t->have_data)
        tui_say(t, "no data yet: %s", t->st.status[0] ? t->st.status : "waiting for a writer");
    return t->have_data;
}

static bool act_cycle_device(tui *t, int key, int arg)
{
    (void)arg;
    size_t n = t->st.nvisible;
    if (n <= 1 && need_data(t))
        tui_say(t, "only one device is shown");
    if (n > 1)
        tui_select_device(t, (t->st.sel + (key == KEY_BTAB ? n - 1 : 1)) % n);
    return true;
}

static bool act_device_number(tui *t, int key, int arg)
{
    (void)arg;
    size_t v = (size_t)(key - '1');
    if (v >= t->st.nvisible && need_data(t))
        tui_say(t, "no device at position %zu: %zu shown (Tab cycles, o for all)", v + 1, t->st.nvisible);
    tui_select_device(t, v);
    return true;
}

static bool act_metric(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    t->st.metric = (heat_metric)((t->st.metric + 1) % METRIC_COUNT);
    return true;
}

static bool act_allocator(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    t->st.allocator_view = !t->st.allocator_view;
    return true;
}

/* R: the feed's high-water marks start again from now; said in the header. */
static bool act_reset_peaks(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    uint64_t now = clock_realtime_ns();
    char at[16];
    if (t->feed->reset_peaks && t->feed->reset_peaks(t->feed->self, now))
        tui_say(t, "peaks reset at %s", view_clock(now, at, sizeof at));
    else
        tui_say(t, "no peaks to reset (%s)",
                 t->feed->timeline ? "a timeline: its peak is a position, P" : "no event rings read yet");
    t->st.data_gen++; /* what is drawn from the marks is drawn again */
    return true;
}

static bool act_event_select(tui *t, int key, int arg)
{
    (void)arg;
    size_t n = latched_count(t->events);
    if (key == KEY_DOWN && t->st.event_sel + 1 < n)
        t->st.event_sel++;
    else if (key == KEY_UP && t->st.event_sel > 0)
        t->st.event_sel--;
    return true;
}

/* The core of an event in the core view (x < 0: the device view). */
static bool open_event_core(tui *t, const latched_event *e)
{
    for (size_t v = 0; v < t->st.nvisible; v++) {
        if (t->snap.devices[t->st.visible[v]].id != e->device)
            continue;
        tui_select_device(t, v);
        if (e->x < 0) {
            t->st.view = VIEW_DEVICE;
            return true;
        }
        t->st.cx = (uint16_t)e->x;
        t->st.cy = (uint16_t)e->y;
        tui_select_device(t, v); /* clamps the cursor into the grid */
        t->st.view = VIEW_CORE;
        t->st.core_scroll = 0;
        return true;
    }
    tui_say(t, "device %u is not shown now", e->device);
    return false;
}

/* Where on the timeline an event happened: the change that reached its
 * mark when the timeline can find it, else where it was seen. */
static size_t event_position(const tui *t, const latched_event *e)
{
    const timeline_ops *tl = t->feed->timeline;
    size_t pos = e->marked && tl && tl->position_of ? tl->position_of(t->feed->timeline_self, e->seq, e->at_start ? e->time_ns : 0)
                                                    : SIZE_MAX;
    return pos != SIZE_MAX ? pos : e->pos;
}

/* Enter on an event: on a timeline (a trace, a recording) the timeline goes
 * back to its moment and its core opens there. Live data has no past to
 * seek to: the core is shown as it is now, and the key bar says so. */
static bool act_event_open(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    const latched_event *e = latched_at(t->events, t->st.event_sel);
    if (!e || (e->x < 0 && !tui_timeline_active(t)))
        return true;
    size_t pos = tui_timeline_active(t) ? event_position(t, e) : SIZE_MAX;
    latched_event ev = *e; /* the log may move under a refresh */
    if (!open_event_core(t, &ev))
        return true;
    char at[24], label[160];
    if (pos != SIZE_MAX && tui_timeline_seek(t, pos)) {
        t->feed->timeline->label(t->feed->timeline_self, pos, label, sizeof label);
        tui_say(t, "at the event: %s", label);
    } else if (tui_timeline_active(t)) {
        tui_say(t, "the timeline cannot find this event's moment: the core as it is now");
    } else {
        tui_say(t, "live data: core (%d,%d) now, not at %s", ev.x, ev.y, view_clock_ms(ev.time_ns, at, sizeof at));
    }
    return true;
}

/* { } and c: the selected core through a timeline (tui_timeline.c). */
static bool act_core_timeline(tui *t, int key, int arg)
{
    (void)arg;
    if (need_data(t))
        tui_timeline_core(t, key == '}' ? 1 : key == '{' ? -1 : 0);
    return true;
}

static bool act_cursor(tui *t, int key, int arg)
{
    (void)arg;
    if (!need_data(t))
        return true;
    uint16_t x = t->st.cx, y = t->st.cy;
    tui_move_cursor(t, key == KEY_LEFT ? -1 : key == KEY_RIGHT ? 1 : 0, key == KEY_UP ? -1 : key == KEY_DOWN ? 1 : 0);
    if (x == t->st.cx && y == t->st.cy)
        tui_say(t, "core (%u,%u) is at the edge of the grid", x, y);
    return true;
}

static bool act_open_core(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    if (!need_data(t))
        return true;
    t->st.view = VIEW_CORE;
    t->st.core_scroll = 0;
    return true;
}

/* Lines a page key moves the region list by: what the core view shows of it. */
#define CORE_VIEW_CHROME_ROWS 11 /* header, tabs, strip and marks, peak, count, list header, key bar */

static bool act_core_scroll(tui *t, int key, int arg)
{
    (void)arg;
    size_t *top = &t->st.core_scroll, page = (size_t)(LINES > CORE_VIEW_CHROME_ROWS ? LINES - CORE_VIEW_CHROME_ROWS : 1);
    if (key == KEY_DOWN)
        (*top)++;
    else if (key == KEY_UP && *top > 0)
        (*top)--;
    else if (key == KEY_NPAGE)
        *top += page;
    else if (key == KEY_PPAGE)
        *top = *top > (size_t)LINES ? *top - (size_t)LINES : 0;
    return true;
}

static bool act_core_step(tui *t, int key, int arg)
{
    (void)arg;
    uint16_t x = t->st.cx;
    tui_move_cursor(t, key == KEY_LEFT ? -1 : 1, 0);
    if (x == t->st.cx)
        tui_say(t, "core (%u,%u) is the %s of its row", t->st.cx, t->st.cy, key == KEY_LEFT ? "first" : "last");
    t->st.core_scroll = 0;
    return true;
}

static bool act_proc_select(tui *t, int key, int arg)
{
    (void)arg;
    if (key == KEY_DOWN && t->st.proc_sel + 1 < t->snap.nprocesses)
        t->st.proc_sel++;
    else if (key == KEY_UP && t->st.proc_sel > 0)
        t->st.proc_sel--;
    else
        tui_say(t, "%s process of the list", key == KEY_UP ? "the first" : "the last");
    return true;
}

static bool act_proc_sort(tui *t, int key, int arg)
{
    (void)arg;
    int step = key == '>' || key == '.' ? 1 : PSORT_COUNT - 1;
    t->st.psort = (proc_sort)((t->st.psort + step) % PSORT_COUNT);
    return true;
}

static bool act_proc_invert(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    t->st.preverse = !t->st.preverse;
    return true;
}

/* The arrows move between the overview's places: on the mesh, or in id order. */
static bool act_overview_move(tui *t, int key, int arg)
{
    (void)arg;
    if (!need_data(t) || t->st.sel >= t->st.nvisible)
        return true;
    static overview_places p; /* a few KiB: not on the stack at every key */
    render_overview_places(&t->st, &p);
    int row = p.row[t->st.sel], col = p.col[t->st.sel];
    int dr = key == KEY_DOWN ? 1 : key == KEY_UP ? -1 : 0, dc = key == KEY_RIGHT ? 1 : key == KEY_LEFT ? -1 : 0;
    size_t v = render_overview_device_at(&t->st, &p, row + dr, col + dc);
    if (v == SIZE_MAX && !p.grid.mesh && dc) /* id order wraps to the next row */
        v = t->st.sel + (dc > 0 ? 1 : (size_t)-1);
    if (v < t->st.nvisible)
        tui_select_device(t, v);
    else
        tui_say(t, "no device %s of device %u", dr < 0 ? "above" : dr > 0 ? "below" : dc < 0 ? "left" : "right",
                t->snap.devices[t->st.visible[t->st.sel]].id);
    return true;
}

static bool act_timeline(tui *t, int key, int arg)
{
    (void)arg;
    if (!tui_timeline_active(t)) {
        tui_say(t, "no timeline: [ ] Home End P step through a --trace or a --replay");
        return true;
    }
    tui_timeline_step(t, key);
    return true;
}

/* T: TT-Metal's own statistics, when a source read some. */
static bool act_ttmetal(tui *t, int key, int view)
{
    if (!t->have_ttm && t->st.view != VIEW_TTMETAL) {
        tui_say(t, "no TT-Metal statistics here (try --source tt-metal or all)");
        return true;
    }
    return act_toggle_view(t, key, view);
}

/* The alerts view: a row selected, its cores listed under it. */
static bool act_alert_select(tui *t, int key, int arg)
{
    (void)arg;
    const firing_alert *fa;
    size_t n = t->alerts ? alerts_firing(t->alerts, &fa) : 0;
    if (key == KEY_DOWN && t->st.alert_sel + 1 < n)
        t->st.alert_sel++;
    else if (key == KEY_UP && t->st.alert_sel > 0)
        t->st.alert_sel--;
    else
        tui_say(t, n ? "%s alert of the list" : "no alert is firing", key == KEY_UP ? "the first" : "the last");
    return true;
}

static bool act_alert_open(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    const firing_alert *fa;
    size_t n = t->alerts ? alerts_firing(t->alerts, &fa) : 0;
    if (t->st.alert_sel >= n)
        tui_say(t, "no alert is firing");
    else if (fa[t->st.alert_sel].scope != SCOPE_CORE)
        tui_say(t, "%s is one value of the %s: no cores to list", fa[t->st.alert_sel].name,
                fa[t->st.alert_sel].scope == SCOPE_DEVICE ? "device" : "process");
    else
        t->st.alert_open = !t->st.alert_open;
    return true;
}

static bool act_theme(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    tui_next_theme(t);
    return true;
}

static bool act_reload(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    tui_reload_config(t);
    t->next_refresh = tui_now();
    return true;
}

static bool act_record(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    tui_record_toggle(t);
    return true;
}

static bool act_pause(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    t->st.paused = !t->st.paused;
    t->next_refresh = tui_now();
    return true;
}

static bool act_delay(tui *t, int key, int arg)
{
    (void)arg;
    unsigned *d = &t->st.delay_tenths;
    bool up = key == '+' || key == '=';
    if ((up && *d >= TUI_MAX_DELAY_TENTHS) || (!up && *d <= 1))
        tui_say(t, "the refresh interval is at its %s, %.1f s", up ? "longest" : "shortest", *d / 10.0);
    if (key == '+' || key == '=')
        *d = *d >= TUI_MAX_DELAY_TENTHS ? TUI_MAX_DELAY_TENTHS : *d + (*d < DELAY_FINE_BELOW ? 1 : DELAY_COARSE_STEP);
    else
        *d = *d <= 1 ? 1 : *d - (*d <= DELAY_FINE_BELOW ? 1 : DELAY_COARSE_STEP);
    return true;
}

/* A click on a device tab selects it; on the overview opens a device; on the heatmap moves the cursor. */
static void click(tui *t, int x, int y)
{
    if (y == 1) { /* device tabs */
        size_t v = render_tab_at(&t->st, x);
        if (v < t->st.nvisible)
            tui_select_device(t, v);
    } else if (t->st.view == VIEW_OVERVIEW) {
        size_t v = render_overview_tile_at(&t->st, x, y);
        if (v < t->st.nvisible) {
            tui_select_device(t, v);
            t->st.view = VIEW_DEVICE;
        }
    } else if (t->st.view == VIEW_DEVICE) {
        const device_usage *du = NULL;
        const snap_device *d = tui_selected_device(&t->st, &du);
        device_layout l = d ? render_device_layout(&t->st, d, du) : (device_layout){ 0 };
        int cx, cy;
        if (d && layout_core_at(&l, d->grid_x, d->grid_y, x, y, &cx, &cy)) {
            t->st.cx = (uint16_t)cx;
            t->st.cy = (uint16_t)cy;
        }
    }
}

static bool act_mouse(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    MEVENT ev;
    if (getmouse(&ev) == OK && t->have_data)
        click(t, ev.x, ev.y);
    return true;
}

/* ---------- the table ---------- */

#define ONLY(v) VIEW_BIT(v)
#define BUT(v) (VIEWS_ALL & ~VIEW_BIT(v))

/* In help order: keys that work everywhere, then each view's own. */
static const key_binding bindings[] = {
    { { 'q', KEY_F(10) }, "q, F10", VIEWS_ALL, act_quit, 0, "quit", "Quit" },
    { { 'h', '?', KEY_F(1) }, "h, ?, F1", VIEWS_ALL, act_toggle_view, VIEW_HELP, "this help (again: back)", "Help" },
    { { KEY_ESC }, "Esc", BUT(VIEW_DEVICE), act_show_view, VIEW_DEVICE, "back to the device view", "Back" },
    { { '\t', KEY_BTAB }, "Tab, S-Tab", VIEWS_ALL, act_cycle_device, 0, "next / previous device", "Next" },
    { { '1', '2', '3', '4', '5', '6', '7', '8', '9' }, "1-9", VIEWS_ALL, act_device_number, 0,
      "device by position", NULL },
    { { 'm' }, "m", VIEWS_ALL, act_metric, 0,
      "heatmap metric: used %, CBs, L1 buffers, free, largest free, CB room, peak used %", "Metric" },
    { { 'a' }, "a", VIEWS_ALL, act_allocator, 0, "allocator view: what an allocator-only monitor would report",
      "Alloc" },
    { { 'o' }, "o", VIEWS_ALL, act_toggle_view, VIEW_OVERVIEW, "overview of every device", "Overview" },
    { { 'p' }, "p", VIEWS_ALL, act_toggle_view, VIEW_PROCESSES, "processes", "Procs" },
    { { 'A' }, "A", VIEWS_ALL, act_toggle_view, VIEW_ALERTS, "alerts: active ones and the history", "Alerts" },
    { { 'E' }, "E", VIEWS_ALL, act_toggle_view, VIEW_EVENTS,
      "event log: clashes, dropped records, alerts starting and clearing, kept", "Events" },
    { { 'T' }, "T", VIEWS_ALL, act_ttmetal, VIEW_TTMETAL,
      "TT-Metal's own allocator statistics (totals, --source tt-metal/all)", "Metal" },
    { { '[', ']', KEY_HOME, KEY_END, 'P' }, "[ ], Home, End, P", VIEWS_ALL, act_timeline, 0,
      "--trace, --replay: previous / next change, first / last, peak", "Step" },
    { { '{', '}' }, "{ }", ONLY(VIEW_DEVICE) | ONLY(VIEW_CORE), act_core_timeline, 0,
      "--trace, --replay: previous / next change of the selected core", "Core step" },
    { { 't' }, "t", VIEWS_ALL, act_theme, 0, "next colour theme (default, light, mono, colorblind, high-contrast)",
      "Theme" },
    { { 'r' }, "r", VIEWS_ALL, act_reload, 0, "reload the configuration", NULL },
    { { 'R' }, "R", VIEWS_ALL, act_reset_peaks, 0, "reset the peaks (high-water marks start again from now)", NULL },
    { { ' ' }, "space", VIEWS_ALL, act_pause, 0, "pause / resume", "Pause" },
    { { 'w' }, "w", VIEWS_ALL, act_record, 0, "write a recording of the live sources (again: stop)", "Rec" },
    { { '+', '=', '-', '_' }, "+ -", VIEWS_ALL, act_delay, 0, "refresh interval up / down", NULL },
    { { KEY_MOUSE }, "mouse", VIEWS_ALL, act_mouse, 0, "click a core, a device tab or an overview tile", NULL },
    { { ARROW_KEYS }, "arrows", ONLY(VIEW_DEVICE), act_cursor, 0, "move the core cursor", NULL },
    { { ENTER_KEYS }, "Enter", ONLY(VIEW_DEVICE), act_open_core, 0, "the selected core's regions", "Core" },
    { { KEY_UP, KEY_DOWN, KEY_PPAGE, KEY_NPAGE }, "Up Down PgUp PgDn", ONLY(VIEW_CORE), act_core_scroll, 0,
      "scroll", NULL },
    { { KEY_LEFT, KEY_RIGHT }, "Left Right", ONLY(VIEW_CORE), act_core_step, 0, "previous / next core", NULL },
    { { 'c' }, "c", ONLY(VIEW_CORE), act_core_timeline, 0,
      "--trace, --replay: the core at its own peak (its map then)", "Core peak" },
    { { KEY_UP, KEY_DOWN }, "Up Down", ONLY(VIEW_PROCESSES), act_proc_select, 0, "select", NULL },
    { { '<', '>', ',', '.' }, "< >", ONLY(VIEW_PROCESSES), act_proc_sort, 0, "sort column", "Sort" },
    { { 'I' }, "I", ONLY(VIEW_PROCESSES), act_proc_invert, 0, "invert the order", "Invert" },
    { { ARROW_KEYS }, "arrows", ONLY(VIEW_OVERVIEW), act_overview_move, 0, "select a device", NULL },
    { { KEY_UP, KEY_DOWN }, "Up Down", ONLY(VIEW_EVENTS), act_event_select, 0, "select an event", NULL },
    { { ENTER_KEYS }, "Enter", ONLY(VIEW_EVENTS), act_event_open, 0,
      "its core in the core view (a trace, a recording: at that moment)", "Core" },
    { { ENTER_KEYS }, "Enter", ONLY(VIEW_OVERVIEW), act_show_view, VIEW_DEVICE, "open it", "Open" },
    { { KEY_UP, KEY_DOWN }, "Up Down", ONLY(VIEW_ALERTS), act_alert_select, 0, "select an alert", NULL },
    { { ENTER_KEYS }, "Enter", ONLY(VIEW_ALERTS), act_alert_open, 0, "list its cores (again: fold)", "Cores" },
    /* The answers (#17, tui_answers.c). */
    { { 'f' }, "f", VIEWS_ALL, act_fit_prompt, 0, "will it fit: a FIT SPEC (as --fit), failing cores marked X", "Fit" },
    { { '/' }, "/", VIEWS_ALL, act_find_prompt, 0, "find tags, ops, process names: their cores marked *", "Find" },
    { { 'n', 'N' }, "n N", VIEWS_ALL, act_find_step, 0, "next / previous core holding what / found", NULL },
    { { 'b' }, "b", VIEWS_ALL, act_toggle_view, VIEW_TOP, "top ops and tags of the device by bytes", "Top" },
    { { 'x' }, "x", VIEWS_ALL, act_answers_clear, 0, "clear the fit marks, the find and the process filter", NULL },
    { { ENTER_KEYS }, "Enter", ONLY(VIEW_PROCESSES), act_filter_process, 0,
      "show only this process in the heatmap and table (x clears)", "Filter" },
    { { KEY_UP, KEY_DOWN, KEY_PPAGE, KEY_NPAGE }, "Up Down PgUp PgDn", ONLY(VIEW_FIT), act_fit_scroll, 0, "scroll",
      NULL },
    { { KEY_UP, KEY_DOWN, KEY_PPAGE, KEY_NPAGE }, "Up Down PgUp PgDn", ONLY(VIEW_TOP), act_top_select, 0, "select",
      NULL },
    { { ENTER_KEYS }, "Enter", ONLY(VIEW_TOP), act_top_find, 0, "find it: its cores marked on the heatmap", "Find it" },
    { { 'g' }, "g", ONLY(VIEW_TOP), act_top_group, 0, "by op (a tag's first word) / by tag", "Group" },
};

#define NBINDINGS (sizeof bindings / sizeof bindings[0])

size_t keys_count(void) { return NBINDINGS; }

const key_binding *keys_at(size_t i) { return i < NBINDINGS ? &bindings[i] : NULL; }

static bool binds(const key_binding *b, int key)
{
    for (size_t k = 0; k < KEY_MAX_CODES && b->keys[k]; k++)
        if (b->keys[k] == key)
            return true;
    return false;
}

const key_binding *keys_find(view_id v, int key)
{
    for (size_t i = 0; i < NBINDINGS; i++)
        if ((bindings[i].views & VIEW_BIT(v)) && binds(&bindings[i], key))
            return &bindings[i];
    return NULL;
}

/* How a key is named in a message: 'x', or its ncurses name. */
static void describe_key(int ch, char *out, size_t n)
{
    if (ch > ' ' && ch < 127)
        snprintf(out, n, "'%c'", ch);
    else
        snprintf(out, n, "%s", keyname(ch) ? keyname(ch) : "this key");
}

bool tui_handle_key(tui *t, int ch)
{
    if (tui_answers_prompt_key(t, ch))
        return true; /* an open prompt takes every key */
    t->st.message[0] = '\0'; /* a new key: the old message has been read */
    const key_binding *b = keys_find(t->st.view, ch);
    if (b)
        return b->act(t, ch, b->arg);
    char name[32];
    describe_key(ch, name, sizeof name);
    tui_say(t, "%s does nothing in the %s; h lists the keys", name, view_name[t->st.view]);
    return true;
}

/* ---------- generated text: the help screen and the key bar ---------- */

#define HELP_LABEL_W 17 /* "Up Down PgUp PgDn" */

static bool one_view(unsigned views) { return views && (views & (views - 1)) == 0; }

/* The single view of a one-view mask. */
static view_id view_of(unsigned views)
{
    view_id v = VIEW_DEVICE;
    while (v < VIEW_COUNT && !(views & VIEW_BIT(v)))
        v++;
    return v;
}

/* Append to a NUL-terminated buffer, cutting at its end. */
static void append(char *buf, size_t n, const char *a, const char *sep, const char *b)
{
    size_t used = strlen(buf);
    if (used + 1 < n)
        snprintf(buf + used, n - used, "%s%s%s", a, sep, b);
}

const char *keys_help_line(size_t i, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t k = 0; k < NBINDINGS; k++) /* the keys that work in several views: a line each */
        if (!one_view(bindings[k].views) && i-- == 0) {
            snprintf(buf, n, "  %-*s %s", HELP_LABEL_W, bindings[k].label, bindings[k].help);
            return buf;
        }
    for (view_id v = VIEW_DEVICE; v < VIEW_COUNT; v++) { /* then a line per view with keys of its own */
        bool any = false;
        for (size_t k = 0; k < NBINDINGS; k++) {
            if (!one_view(bindings[k].views) || view_of(bindings[k].views) != v)
                continue;
            if (!any)
                snprintf(buf, n, "  %-*s", HELP_LABEL_W, view_name[v]);
            append(buf, n, any ? "   " : " ", bindings[k].label, "");
            append(buf, n, " ", bindings[k].help, "");
            any = true;
        }
        if (any && i-- == 0)
            return buf;
    }
    return NULL;
}

/* The first key of a label: "q" of "q, F10". */
static void first_key(char *out, size_t n, const char *label)
{
    snprintf(out, n, "%.*s", (int)strcspn(label, ","), label);
}

/* Whether binding b goes on view v's bar, in pass 0 (the view's own keys) or 1 (the others). */
static bool on_bar(const key_binding *b, view_id v, bool timeline, int pass)
{
    bool needs_timeline = b->act == act_timeline || b->act == act_core_timeline;
    if (!b->bar || !(b->views & VIEW_BIT(v)) || (needs_timeline && !timeline))
        return false;
    bool own = one_view(b->views) || b->act == act_quit || needs_timeline ||
               (b->act == act_toggle_view && b->arg == VIEW_HELP);
    return pass == 0 ? own : !own;
}

/* "key Word" entries separated by sep, whole entries only, up to width columns. */
static void bar_entries(view_id v, bool timeline, const char *sep, int width, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < NBINDINGS; k++) {
            const key_binding *b = &bindings[k];
            if (!on_bar(b, v, timeline, pass))
                continue;
            char key[24], entry[64];
            first_key(key, sizeof key, b->label);
            int w = snprintf(entry, sizeof entry, "%s%s %s", buf[0] ? sep : "", key, b->bar);
            if (width > 0 && (int)strlen(buf) + w > width)
                continue; /* a shorter one further on may still fit */
            append(buf, n, entry, "", "");
        }
}

const char *keys_bar(view_id v, bool timeline, int width, char *buf, size_t n)
{
    /* Quit, help and the view's own keys first; two spaces between entries, one when that is too wide. */
    bar_entries(v, timeline, "  ", 0, buf, n);
    if (width > 0 && (int)strlen(buf) > width)
        bar_entries(v, timeline, " ", width, buf, n);
    return buf;
}
