/*
 * tui_app.h - the TUI's own state, shared by its modules: the event loop
 * and terminal (tui.c), the data it shows (tui_data.c: one fill of the
 * feed, then accounting and alerts), a feed's timeline (tui_timeline.c) and
 * the key table (tui_keys.c). Nothing outside the TUI includes this; it
 * includes no source (the feed is the model's, model/feed.h).
 */
#ifndef L1TOP_TUI_APP_H
#define L1TOP_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "model/accounting.h"
#include "model/feed.h"
#include "model/history.h"
#include "model/latched.h"
#include "model/snapshot.h"
#include "views/render.h"
#include "views/tui_answers.h"
#include "views/tui.h"

#define TUI_MAX_DEVICES 256       /* devices the tabs and the overview can show */
#define TUI_MAX_DELAY_TENTHS 600  /* the slowest refresh the + key reaches */
#define TUI_ERR_LEN 512
#define TUI_HISTORY_SAMPLES 300   /* per device: 5 minutes at the default 1 s refresh */

typedef struct tui {
    tui_state st;                  /* what the views read */
    const tui_options *opts;
    l1top_config *cfg;
    const feed *feed;              /* the sources: live, or a timeline (--trace) */
    char timeline_line[192];       /* the timeline's position, in place of a warning */
    /* The data. */
    snapshot snap;
    accounting acct;
    bool have_acct;                /* acct was computed from snap */
    bool have_data;                /* per-core data to show */
    bool have_ttm;                 /* TT-Metal totals or board telemetry to show */
    size_t visible[TUI_MAX_DEVICES];
    core_map_cache core_cache;     /* the core view's map (st.core_cache points here) */
    alert_engine *alerts;
    tui_answers answers;           /* f, /, the top view, the process filter */
    struct history *history;       /* a sample per device per refresh (model/history.h) */
    struct latched *events;        /* clashes, drops and alert transitions, kept (model/latched.h) */
    uint64_t alerts_logged;        /* alert starts/stops already in events (alerts_history_total) */
    /* The loop. */
    long frames;
    poll_pace pace;                /* the feed's polls between refreshes ... */
    double next_poll;              /* ... and when the next is due (monotonic seconds) */
    double next_refresh;           /* monotonic seconds; a key sets it to now for an immediate refresh */
    char fatal[256];
    double message_until;          /* monotonic seconds: st.message is cleared then */
    bool want_color;
    theme theme;
    /* The `w` key's recording (tui_record.c), or NULL. */
    void *rec;
    bool rec_read;                 /* a reading since it began: the file has its header */
    uint64_t rec_size;             /* its size so far */
    char rec_path[256];
} tui;

/* tui.c */
double tui_now(void);
/* A line for the key bar, for a few seconds: what a key did, or why it could not. */
void tui_say(tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tui_data.c: refresh snap, acct and alerts from the feed. */
void tui_refresh_data(tui *t);
void tui_select_device(tui *t, size_t v);
void tui_move_cursor(tui *t, int dx, int dy);

/* tui_timeline.c: a feed's timeline (a trace's L1 events). */
bool tui_timeline_active(const tui *t);
const char *tui_timeline_describe(tui *t); /* "node 5 (4/8) in ttnn::matmul  PEAK  [ ] Home End P" */
void tui_timeline_step(tui *t, int key);   /* [ ] Home End P */
/* The timeline's position (SIZE_MAX: a live feed). */
size_t tui_timeline_position(const tui *t);
/* Move to pos and show it now; false (said why) when the feed cannot. */
bool tui_timeline_seek(tui *t, size_t pos);
/* The selected core's next (dir > 0) / previous change, or its own peak
 * (dir == 0): the timeline moves there, or the key bar says why not. */
void tui_timeline_core(tui *t, int dir);

/* tui_keys.c: one key press; false to quit. */
bool tui_handle_key(tui *t, int ch);

/* tui_record.c: the `w` key; after each loop turn (reading: a refresh
 * just filled); at quit. Each says what happened on the key bar. */
void tui_record_toggle(tui *t);
void tui_record_tick(tui *t, bool reading);
void tui_record_stop(tui *t, bool clean);

/* tui.c: the configuration again (the r key, SIGUSR1); a bad file keeps the old one. */
void tui_reload_config(tui *t);
void tui_next_theme(tui *t);

#endif
