/*
 * tui.c - the interactive monitor's event loop and terminal: set up and
 * restore the terminal, refresh at the interval or on a key, draw the view,
 * hand keys to the key table (tui_keys.c). The data comes from tui_data.c:
 * a feed (model/feed.h) over the same sources and accounting as --once.
 *
 * The loop sleeps in getch() with a timeout until the next refresh, so an
 * idle l1top costs one snapshot per interval. Signal handlers only set a
 * flag; the loop notices it and restores the terminal.
 */
#define _XOPEN_SOURCE_EXTENDED
#define _GNU_SOURCE
#include "views/tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "views/tui_app.h"
#include "views/quit_signal.h"
#include "views/tui_keys.h"

/* getch() returning ERR this many times in a row, long before its timeout,
 * with the terminal readable or hung up: the terminal is gone (EOF/EIO). */
#define DEAD_TTY_EARLY_ERRS 3
#define ESC_DELAY_MS 25          /* Esc alone vs the start of an escape sequence */
#define MAX_WAIT_MS 1000         /* getch() wakes at least this often (signals, paused) */
#define EARLY_ERR_MIN_WAIT_MS FEED_POLL_MS /* shorter waits are too short to tell an early return */

#define MESSAGE_SECONDS 4.0  /* a key's message stays this long on the key bar line */

double tui_now(void) { return (double)clock_monotonic_ns() / 1e9; }

void tui_say(tui *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->st.message, sizeof t->st.message, fmt, ap);
    va_end(ap);
    t->message_until = tui_now() + MESSAGE_SECONDS;
}

static unsigned delay_of(const l1top_config *cfg)
{
    return cfg->refresh_ms / 100u ? cfg->refresh_ms / 100u : 1;
}

/* ---------- configuration and theme, live ---------- */

void tui_reload_config(tui *t)
{
    static l1top_config next;
    char err[CONFIG_ERR_LEN];
    theme th;
    if (t->opts->reload_config(t->opts->reload_ctx, &next, err, sizeof err) != 0 ||
        t->opts->find_theme(&th, next.theme, err, sizeof err) != 0) {
        snprintf(t->st.config_error, sizeof t->st.config_error, "%s", err); /* the old one stays */
        tui_say(t, "configuration not reloaded: the old one stays");
        return;
    }
    *t->cfg = next;
    t->theme = th;
    render_init(&t->st.rc, t->want_color, &t->theme);
    t->st.config_error[0] = '\0';
    t->st.delay_tenths = delay_of(t->cfg);
    tui_say(t, "configuration reloaded from %s", t->cfg->path[0] ? t->cfg->path : "the built-in defaults");
}

/* The `t` key: the next shipped theme (a user file of that name wins). */
void tui_next_theme(tui *t)
{
    if (!t->want_color) {
        tui_say(t, "no colour (NO_COLOR or --no-color): themes cannot show");
        return;
    }
    const tui_options *o = t->opts;
    if (o->nthemes == 0)
        return;
    size_t cur = 0;
    for (size_t i = 0; i < o->nthemes; i++)
        if (strcmp(o->themes[i], t->theme.name) == 0)
            cur = i;
    const char *name = o->themes[(cur + 1) % o->nthemes];
    char err[CONFIG_ERR_LEN];
    theme th;
    if (o->find_theme(&th, name, err, sizeof err) != 0) {
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
    st->timeline = tui_timeline_active(t);
    if (st->message[0] && tui_now() >= t->message_until)
        st->message[0] = '\0';
    tui_answers_prepare(t); /* may show the process filter's data instead */
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
    else if (st->view == VIEW_FIT)
        render_fit_answer(st);
    else if (st->view == VIEW_TOP)
        render_top(st);
    else if (st->view == VIEW_EVENTS)
        render_events(st);
    else
        render_device(st);
    render_key_bar(st); /* every view: its keys, and what the last key said */
    render_prompt(st);  /* an open prompt: over the key bar */
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---------- terminal ---------- */

static SCREEN *terminal_open(tui *t)
{
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr)
        return NULL;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(ESC_DELAY_MS);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
    mouseinterval(0);
    const char *codeset = nl_langinfo(CODESET);
    const char *no_color = getenv("NO_COLOR");
    t->want_color = !t->opts->no_color && !(no_color && *no_color); /* no-color.org: set and non-empty; wins over themes */
    t->st.rc.utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
    render_init(&t->st.rc, t->want_color, &t->theme);
    return scr;
}

/* After getch() kept failing at once: is the terminal hung up, or at end of
 * input (readable, yet ncurses got no key)? A signal's EINTR is neither. */
static bool terminal_gone(void)
{
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, 0) < 0)
        return false;
    return (p.revents & (POLLHUP | POLLERR | POLLNVAL | POLLIN)) != 0;
}

/* ---------- the loop ---------- */

/* One getch() of at most ms; counts returns that came long before their
 * timeout (a hung-up terminal returns at once, a timeout never does). */
static int getch_within(int ms, int *early_errs, bool *early)
{
    timeout(ms);
    double asked = tui_now();
    int ch = getch();
    *early = ch == ERR && tui_now() - asked < ms / 2000.0;
    *early_errs = *early && ms >= EARLY_ERR_MIN_WAIT_MS ? *early_errs + 1 : 0;
    if (*early_errs >= DEAD_TTY_EARLY_ERRS && terminal_gone())
        quit_signal_raise(SIGHUP); /* as if the hang-up had reached us */
    return ch;
}

/* Waits for a key until the next refresh is due; ERR when none came. A live
 * feed is polled meanwhile whenever its pace says (model/poll_pace.h: every
 * FEED_POLL_MS while events flow, less often while the rings are quiet), so
 * a busy writer's ring does not lap between two refreshes; nothing is drawn
 * between the polls. A poll that is due is made whether a key came or not
 * (held keys must not starve it). A signal or an early return ends the
 * wait at once. */
static int wait_key(tui *t, int *early_errs)
{
    bool polling = t->feed->poll && !t->feed->timeline;
    double end = t->st.paused ? tui_now() + MAX_WAIT_MS / 1000.0 : t->next_refresh;
    for (;;) {
        double until = polling && t->next_poll < end ? t->next_poll : end;
        int ms = (int)((until - tui_now()) * 1000.0);
        ms = ms < 1 ? 1 : ms > MAX_WAIT_MS ? MAX_WAIT_MS : ms;
        bool early;
        int ch = getch_within(ms, early_errs, &early);
        double now = tui_now();
        if (polling && now >= t->next_poll)
            t->next_poll = now + feed_poll(t->feed, &t->pace, now * 1000.0) / 1000.0;
        if (ch != ERR || early || quit_signal_pending() || now >= end)
            return ch;
    }
}

/* Until q, a quitting signal, --frames or a fatal error. */
static int run_loop(tui *t)
{
    int early_errs = 0;
    t->next_refresh = 0;
    for (;;) {
        /* A recording's first reading is made even while paused (its header). */
        bool reading = (!t->st.paused || (t->rec && !t->rec_read)) && tui_now() >= t->next_refresh;
        if (reading) {
            tui_refresh_data(t);
            t->frames++;
            t->next_refresh = tui_now() + t->st.delay_tenths / 10.0;
        }
        tui_record_tick(t, reading); /* a chunk every second, paused or not */
        if (t->fatal[0])
            return EX_SOFTWARE;
        draw(t);
        if (quit_signal_pending() || (t->opts->max_frames && t->frames >= t->opts->max_frames))
            return EX_OK;
        int ch = wait_key(t, &early_errs);
        if (quit_signal_pending())
            return EX_OK;
        if (reload_signal_take()) {
            tui_reload_config(t);
            t->next_refresh = tui_now();
        }
        /* A resize only needs the redraw at the top of the loop. */
        if (ch != ERR && ch != KEY_RESIZE && !tui_handle_key(t, ch))
            return EX_OK;
    }
}

/* Everything before the terminal is taken: 0, or an exit code with err. */
static int prepare(tui *t, char *err, size_t errlen)
{
    t->alerts = alerts_new();
    if (!t->alerts) {
        snprintf(err, errlen, "out of memory");
        return EX_SOFTWARE;
    }
    alerts_enable_actions(t->alerts, true);
    t->history = history_new(TUI_HISTORY_SAMPLES);
    if (!t->history) {
        snprintf(err, errlen, "out of memory");
        return EX_SOFTWARE;
    }
    t->st.history = t->history;
    t->events = latched_new();
    if (!t->events) {
        snprintf(err, errlen, "out of memory");
        return EX_SOFTWARE;
    }
    t->st.events = t->events;
    snapshot_init(&t->snap);
    tui_answers_init(&t->answers);
    t->st.delay_tenths = delay_of(t->cfg);
    t->st.metric = t->cfg->heatmap;
    t->st.allocator_view = t->cfg->allocator_view;
    t->st.core_cache = &t->core_cache;
    poll_pace_init(&t->pace);
    quit_signals_install(); /* no SA_RESTART: getch() returns at once */
    return t->opts->find_theme(&t->theme, t->cfg->theme, err, errlen) != 0 ? EX_CONFIG : 0;
}

int tui_run(const tui_options *o, l1top_config *cfg)
{
    setlocale(LC_ALL, "");
    tui *t = calloc(1, sizeof *t);
    if (!t) {
        fprintf(stderr, "l1top: out of memory\n");
        return EX_SOFTWARE;
    }
    t->opts = o;
    t->feed = o->feed;
    t->cfg = cfg;
    char err[TUI_ERR_LEN] = "";
    int rc = prepare(t, err, sizeof err);
    SCREEN *scr = NULL;
    if (rc == 0 && !(scr = terminal_open(t))) {
        snprintf(err, sizeof err, "cannot initialise the terminal (TERM=%s); try --once",
                 getenv("TERM") ? getenv("TERM") : "");
        rc = EX_IOERR;
    }
    if (rc == 0)
        rc = run_loop(t);
    if (scr) {
        endwin();
        delscreen(scr);
    }
    if (t->rec) { /* q, a signal or --frames: the recording ends cleanly, said on stderr */
        tui_record_stop(t, true);
        fprintf(stderr, "l1top: %s\n", t->st.message);
    }
    if (quit_signal_pending())
        rc = QUIT_SIGNAL_EXIT_BASE + quit_signal_pending();
    if (t->fatal[0])
        snprintf(err, sizeof err, "%s", t->fatal);
    if (err[0])
        fprintf(stderr, "l1top: %s\n", err);
    tui_answers_free(&t->answers);
    accounting_free(&t->acct);
    snapshot_free(&t->snap);
    alerts_free(t->alerts);
    history_free(t->history);
    latched_free(t->events);
    free(t);
    return rc;
}
