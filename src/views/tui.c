/*
 * tui.c - the interactive monitor: terminal setup and restore, the one
 * event loop (refresh at the interval, or on a key), input handling and
 * the view state. Drawing is render_*.c; the data comes from a feed
 * (model/feed.h) over the same sources and accounting as --once; a feed
 * with a timeline (--trace) is stepped with [ ] Home End P.
 *
 * The loop sleeps in getch() with a timeout until the next refresh, so an
 * idle l1top costs one snapshot per interval. Signal handlers only set a
 * flag; the loop notices it and restores the terminal.
 */
#define _XOPEN_SOURCE_EXTENDED
#define _GNU_SOURCE
#include "views/tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "model/accounting.h"
#include "views/render.h"
#include "cli/quit_signal.h"

/* getch() returning ERR this many times in a row, long before its timeout,
 * with the terminal readable or hung up: the terminal is gone (EOF/EIO). */
#define DEAD_TTY_EARLY_ERRS 3

typedef struct {
    tui_state st;
    const cli_options *opts;
    const feed *feed;          /* the sources: live, or a timeline (--trace) */
    char timeline_line[192];   /* the timeline's position, in place of a warning */
    bool have_ttm;
    snapshot snap;
    accounting acct;
    bool have_acct;              /* acct was computed from snap */
    bool have_data;
    size_t visible[256];
    long frames;
    char fatal[256];
    l1top_config *cfg;
    alert_engine *alerts;
    bool want_color;
    theme theme;
} tui;

static double now_s(void)
{
    return (double)clock_monotonic_ns() / 1e9;
}

/* ---------- data ---------- */

static void rebuild_visible(tui *t)
{
    uint32_t sel_id = UINT32_MAX;
    if (t->st.sel < t->st.nvisible && t->st.visible[t->st.sel] < t->snap.ndevices)
        sel_id = t->snap.devices[t->st.visible[t->st.sel]].id;
    size_t n = 0;
    for (size_t i = 0; i < t->snap.ndevices && n < 256; i++)
        if (output_device_selected(&t->opts->output, t->snap.devices[i].id))
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

/* Where the timeline stands, and the keys that move it. */
static void describe_position(tui *t)
{
    const timeline_ops *tl = t->feed->timeline;
    char pos[160];
    tl->label(t->feed->timeline_self, tl->position(t->feed->timeline_self), pos, sizeof pos);
    snprintf(t->timeline_line, sizeof t->timeline_line, "%s  [ ] Home End P", pos);
}

static void refresh_data(tui *t)
{
    char err[512] = "";
    source_status st = feed_fill(t->feed, &t->snap, err, sizeof err);
    if (st != SRC_OK) {
        /* Missing, corrupt or vanished: say so and keep polling. */
        snprintf(t->st.status, sizeof t->st.status, "%s", err);
        t->have_data = t->have_ttm = false;
        return;
    }
    /* Nothing moved in the segment: the accounting still holds. */
    if (!t->snap.unchanged || !t->have_acct) {
        accounting_free(&t->acct);
        t->have_acct = accounting_compute(&t->snap, &t->acct) == 0;
        if (!t->have_acct) {
            snprintf(t->fatal, sizeof t->fatal, "out of memory");
            t->have_data = false;
            return;
        }
    }
    rebuild_visible(t);
    if (alerts_evaluate(t->alerts, t->cfg, &t->snap, &t->acct, (uint64_t)(now_s() * 1000.0), false) != 0) {
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
        return;
    }
    if (alerts_take_bell(t->alerts))
        beep();
    if (t->feed->timeline)
        describe_position(t);
    t->st.warning = t->feed->timeline ? t->timeline_line : feed_warning(t->feed);
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
    clamp_cursor(t);
}

/* Reload the configuration; a bad file keeps the old one and says why. */
static void reload_config(tui *t)
{
    static l1top_config next;
    char err[CONFIG_ERR_LEN];
    if (config_load(&next, t->opts->config_path, err, sizeof err) != 0) {
        snprintf(t->st.config_error, sizeof t->st.config_error, "%s", err);
        return;
    }
    cli_apply_overrides(t->opts, &next);
    theme th;
    if (theme_find(&th, next.theme, err, sizeof err) != 0) {
        snprintf(t->st.config_error, sizeof t->st.config_error, "%s", err);
        return;
    }
    *t->cfg = next;
    t->theme = th;
    render_init(&t->st.rc, t->want_color, &t->theme);
    t->st.config_error[0] = '\0';
    t->st.delay_tenths = t->cfg->refresh_ms / 100u ? t->cfg->refresh_ms / 100u : 1;
}

/* The `t` key: the next shipped theme (a user file of that name wins). */
static void next_theme(tui *t)
{
    size_t cur = 0;
    for (size_t i = 0; i < THEME_SHIPPED_COUNT; i++)
        if (strcmp(theme_shipped[i], t->theme.name) == 0)
            cur = i;
    const char *name = theme_shipped[(cur + 1) % THEME_SHIPPED_COUNT];
    char err[CONFIG_ERR_LEN];
    theme th;
    if (theme_find(&th, name, err, sizeof err) != 0) {
        snprintf(t->st.config_error, sizeof t->st.config_error, "%s", err);
        return;
    }
    t->theme = th;
    render_init(&t->st.rc, t->want_color, &t->theme);
}

/* ---------- drawing ---------- */

static void draw(tui *t)
{
    tui_state *st = &t->st;
    st->snap = t->have_data ? &t->snap : NULL;
    st->acct = t->have_data ? &t->acct : NULL;
    st->segment = t->feed->label;
    st->cfg = t->cfg;
    st->alerts = t->have_data ? t->alerts : NULL;
    st->ttm_snap = t->have_ttm ? &t->snap : NULL;
    erase();
    render_header(st);
    if (st->view == VIEW_HELP)
        render_help(st);
    else if ((t->have_ttm && st->view == VIEW_TTMETAL) || (!t->have_data && t->snap.nttm))
        render_ttmetal(st); /* TT-Metal's totals: no per-core data */
    else if (!t->have_data)
        render_waiting(st);
    else if (st->view == VIEW_CORE)
        render_core(st);
    else if (st->view == VIEW_PROCESSES)
        render_processes(st);
    else if (st->view == VIEW_OVERVIEW)
        render_overview(st);
    else if (st->view == VIEW_ALERTS)
        render_alerts(st);
    else
        render_device(st);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---------- input ---------- */

static void select_device(tui *t, size_t v)
{
    if (v < t->st.nvisible) {
        t->st.sel = v;
        t->st.core_scroll = 0;
        clamp_cursor(t);
    }
}

static void move_cursor(tui *t, int dx, int dy)
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

/* The overview's geometry, sized for the largest grid shown (as drawn). */
static overview_layout overview_geometry(const tui *t)
{
    int gx = 1, gy = 1;
    for (size_t v = 0; v < t->st.nvisible; v++) {
        const snap_device *d = &t->snap.devices[t->st.visible[v]];
        gx = d->grid_x > gx ? d->grid_x : gx;
        gy = d->grid_y > gy ? d->grid_y : gy;
    }
    return layout_overview(COLS, LINES, (int)t->st.nvisible, gx, gy);
}

static int overview_per_row(const tui *t)
{
    overview_layout o = overview_geometry(t);
    return o.fits && o.per_row > 0 ? o.per_row : 1;
}

static void handle_mouse(tui *t)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || !t->have_data)
        return;
    if (ev.y == 1) { /* device tabs */
        int x = 0;
        for (size_t v = 0; v < t->st.nvisible; v++) {
            const snap_device *d = &t->snap.devices[t->st.visible[v]];
            char tab[64];
            int w = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, false);
            if (ev.x >= x && ev.x < x + w) {
                select_device(t, v);
                return;
            }
            x += w;
        }
        return;
    }
    if (t->st.view == VIEW_OVERVIEW) {
        overview_layout o = overview_geometry(t);
        if (!o.fits || ev.y < LAYOUT_HEADER_ROWS)
            return;
        size_t v = (size_t)((ev.y - LAYOUT_HEADER_ROWS) / o.tile_h) * (size_t)o.per_row + (size_t)(ev.x / o.tile_w);
        if (ev.x / o.tile_w < o.per_row && v < t->st.nvisible) {
            select_device(t, v);
            t->st.view = VIEW_DEVICE;
        }
        return;
    }
    if (t->st.view != VIEW_DEVICE)
        return;
    const snap_device *d = tui_selected_device(&t->st, NULL);
    if (!d)
        return;
    device_layout l = layout_device(COLS, LINES, d->grid_x, d->grid_y);
    int cx = (ev.x - l.heat_x - 4), cy = ev.y - l.heat_y - 1;
    if (!l.fits || cx < 0 || cy < 0)
        return;
    cx /= l.cell_w;
    if (cx < d->grid_x && cy < d->grid_y) {
        t->st.cx = (uint16_t)cx;
        t->st.cy = (uint16_t)cy;
    }
}

/* [ ] Home End P: step the timeline, if the feed has one; false if not. */
static bool step_timeline(tui *t, int ch)
{
    const timeline_ops *tl = t->feed->timeline;
    void *self = t->feed->timeline_self;
    size_t n = tl ? tl->length(self) : 0;
    if (n == 0)
        return false;
    size_t pos = tl->position(self);
    if (ch == '[' && pos > 0)
        tl->seek(self, pos - 1);
    else if (ch == ']' && pos + 1 < n)
        tl->seek(self, pos + 1);
    else if (ch == KEY_HOME)
        tl->seek(self, 0);
    else if (ch == KEY_END)
        tl->seek(self, n - 1);
    else if (ch == 'P')
        tl->seek(self, tl->peak(self));
    return true;
}

/* Returns false to quit. */
static bool handle_key(tui *t, int ch, double *next_refresh)
{
    tui_state *st = &t->st;
    switch (ch) {
    case 'q':
    case KEY_F(10):
        return false;
    case 'h':
    case '?':
    case KEY_F(1):
        st->view = st->view == VIEW_HELP ? VIEW_DEVICE : VIEW_HELP;
        return true;
    case 27: /* Esc */
        st->view = VIEW_DEVICE;
        return true;
    case '\t':
        if (st->nvisible)
            select_device(t, (st->sel + 1) % st->nvisible);
        return true;
    case KEY_BTAB:
        if (st->nvisible)
            select_device(t, (st->sel + st->nvisible - 1) % st->nvisible);
        return true;
    case 'm':
        st->metric = (heat_metric)((st->metric + 1) % METRIC_COUNT);
        return true;
    case 'a':
        st->allocator_view = !st->allocator_view;
        return true;
    case 'p':
        st->view = st->view == VIEW_PROCESSES ? VIEW_DEVICE : VIEW_PROCESSES;
        return true;
    case 'A':
        st->view = st->view == VIEW_ALERTS ? VIEW_DEVICE : VIEW_ALERTS;
        return true;
    case 'T':
        st->view = st->view == VIEW_TTMETAL ? VIEW_DEVICE : VIEW_TTMETAL;
        return true;
    case '[':
    case ']':
    case KEY_HOME:
    case KEY_END:
    case 'P':
        if (step_timeline(t, ch))
            *next_refresh = now_s();
        return true;
    case 't':
        next_theme(t);
        return true;
    case 'r':
        reload_config(t);
        *next_refresh = now_s();
        return true;
    case 'o':
        st->view = st->view == VIEW_OVERVIEW ? VIEW_DEVICE : VIEW_OVERVIEW;
        return true;
    case ' ':
        st->paused = !st->paused;
        *next_refresh = now_s();
        return true;
    case '+':
    case '=':
        st->delay_tenths = st->delay_tenths >= 600 ? 600 : st->delay_tenths + (st->delay_tenths < 10 ? 1 : 5);
        return true;
    case '-':
    case '_':
        st->delay_tenths = st->delay_tenths <= 1 ? 1 : st->delay_tenths - (st->delay_tenths <= 10 ? 1 : 5);
        return true;
    case KEY_MOUSE:
        handle_mouse(t);
        return true;
    case KEY_RESIZE:
        return true;
    default:
        break;
    }
    if (ch >= '1' && ch <= '9') {
        select_device(t, (size_t)(ch - '1'));
        return true;
    }
    bool enter = ch == '\n' || ch == '\r' || ch == KEY_ENTER;
    switch (st->view) {
    case VIEW_DEVICE:
        if (enter) {
            st->view = VIEW_CORE;
            st->core_scroll = 0;
        }
        move_cursor(t, ch == KEY_LEFT ? -1 : ch == KEY_RIGHT ? 1 : 0, ch == KEY_UP ? -1 : ch == KEY_DOWN ? 1 : 0);
        break;
    case VIEW_CORE:
        if (ch == KEY_DOWN)
            st->core_scroll++;
        else if (ch == KEY_UP && st->core_scroll > 0)
            st->core_scroll--;
        else if (ch == KEY_NPAGE)
            st->core_scroll += (size_t)(LINES > 10 ? LINES - 10 : 1);
        else if (ch == KEY_PPAGE)
            st->core_scroll = st->core_scroll > (size_t)LINES ? st->core_scroll - (size_t)LINES : 0;
        else if (ch == KEY_LEFT || ch == KEY_RIGHT) {
            move_cursor(t, ch == KEY_LEFT ? -1 : 1, 0);
            st->core_scroll = 0;
        }
        break;
    case VIEW_PROCESSES:
        if (ch == KEY_DOWN && st->proc_sel + 1 < t->snap.nprocesses)
            st->proc_sel++;
        else if (ch == KEY_UP && st->proc_sel > 0)
            st->proc_sel--;
        else if (ch == '>' || ch == '.')
            st->psort = (proc_sort)((st->psort + 1) % PSORT_COUNT);
        else if (ch == '<' || ch == ',')
            st->psort = (proc_sort)((st->psort + PSORT_COUNT - 1) % PSORT_COUNT);
        else if (ch == 'I')
            st->preverse = !st->preverse;
        break;
    case VIEW_OVERVIEW: {
        int per_row = overview_per_row(t);
        long v = (long)st->sel;
        if (ch == KEY_RIGHT)
            v++;
        else if (ch == KEY_LEFT)
            v--;
        else if (ch == KEY_DOWN)
            v += per_row;
        else if (ch == KEY_UP)
            v -= per_row;
        if (v >= 0 && (size_t)v < st->nvisible)
            select_device(t, (size_t)v);
        if (enter)
            st->view = VIEW_DEVICE;
        break;
    }
    case VIEW_HELP:
    case VIEW_ALERTS:
    case VIEW_TTMETAL:
        break;
    }
    return true;
}

/* ---------- terminal ---------- */

/* After getch() kept failing at once: is the terminal hung up, or at end of
 * input (readable, yet ncurses got no key)? A signal's EINTR is neither. */
static bool terminal_gone(void)
{
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, 0) < 0)
        return false;
    return (p.revents & (POLLHUP | POLLERR | POLLNVAL | POLLIN)) != 0;
}

int tui_run(const cli_options *o, const feed *f, l1top_config *cfg)
{
    setlocale(LC_ALL, "");
    tui *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "l1top: out of memory\n");
        return EXIT_SOFTWARE;
    }
    t->opts = o;
    t->feed = f;
    t->cfg = cfg;
    t->alerts = alerts_new();
    if (!t->alerts) {
        free(t);
        fprintf(stderr, "l1top: out of memory\n");
        return EXIT_SOFTWARE;
    }
    alerts_enable_actions(t->alerts, true);
    snapshot_init(&t->snap);
    t->st.delay_tenths = cfg->refresh_ms / 100u ? cfg->refresh_ms / 100u : 1;
    t->st.metric = cfg->heatmap;
    t->st.allocator_view = cfg->allocator_view;

    quit_signals_install(); /* no SA_RESTART: getch() returns at once */

    char err[CONFIG_ERR_LEN];
    if (theme_find(&t->theme, cfg->theme, err, sizeof err) != 0) {
        fprintf(stderr, "l1top: %s\n", err);
        alerts_free(t->alerts);
        free(t);
        return EXIT_CONFIGERR;
    }

    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        fprintf(stderr, "l1top: cannot initialise the terminal (TERM=%s); try --once\n",
                getenv("TERM") ? getenv("TERM") : "");
        alerts_free(t->alerts);
        free(t);
        return EXIT_IOERR;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
    mouseinterval(0);
    const char *codeset = nl_langinfo(CODESET);
    const char *no_color = getenv("NO_COLOR");
    t->want_color = !o->no_color && !(no_color && *no_color); /* no-color.org: set and non-empty; wins over themes */
    t->st.rc.utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
    render_init(&t->st.rc, t->want_color, &t->theme);

    int rc = EXIT_OK, early_errs = 0;
    double next_refresh = 0;
    for (;;) {
        double now = now_s();
        if (!t->st.paused && now >= next_refresh) {
            refresh_data(t);
            t->frames++;
            next_refresh = now + t->st.delay_tenths / 10.0;
        }
        if (t->fatal[0]) {
            rc = EXIT_SOFTWARE;
            break;
        }
        draw(t);
        if (quit_signal_pending() || (o->max_frames && t->frames >= o->max_frames))
            break;
        double wait = t->st.paused ? 1.0 : next_refresh - now_s();
        int ms = (int)(wait * 1000.0);
        ms = ms < 1 ? 1 : ms > 1000 ? 1000 : ms;
        timeout(ms);
        double asked = now_s();
        int ch = getch();
        if (quit_signal_pending())
            break;
        if (reload_signal_take()) {
            reload_config(t);
            next_refresh = now_s();
        }
        early_errs = ch == ERR && ms >= 20 && now_s() - asked < ms / 2000.0 ? early_errs + 1 : 0;
        if (early_errs >= DEAD_TTY_EARLY_ERRS && terminal_gone()) {
            quit_signal_raise(SIGHUP); /* as if the hang-up had reached us */
            break;
        }
        if (ch != ERR && !handle_key(t, ch, &next_refresh))
            break;
    }
    if (quit_signal_pending())
        rc = QUIT_SIGNAL_EXIT_BASE + quit_signal_pending();
    endwin();
    delscreen(scr);
    if (t->fatal[0])
        fprintf(stderr, "l1top: %s\n", t->fatal);
    accounting_free(&t->acct);
    snapshot_free(&t->snap);
    alerts_free(t->alerts);
    free(t);
    return rc;
}
