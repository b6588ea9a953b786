/*
 * tui_app.h - the TUI's own state, shared by its modules: the event loop
 * and terminal (tui.c), the data it shows (tui_data.c: one fetch, then
 * accounting and alerts), the trace timeline (tui_timeline.c) and the key
 * table (tui_keys.c). Nothing outside the TUI includes this.
 */
#ifndef L1TOP_TUI_APP_H
#define L1TOP_TUI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "model/accounting.h"
#include "model/snapshot.h"
#include "sources/collect.h"
#include "sources/shm_reader.h"
#include "sources/trace.h"
#include "views/render.h"
#include "views/tui.h"

#define TUI_MAX_DEVICES 256       /* devices the tabs and the overview can show */
#define TUI_MAX_DELAY_TENTHS 600  /* the slowest refresh the + key reaches */
#define TUI_ERR_LEN 512

typedef struct tui {
    tui_state st;                  /* what the views read */
    const tui_options *opts;
    l1top_config *cfg;
    char segment[256];             /* what the header names: the segment, or the trace */
    /* The source: live (the collector) or a trace's timeline. */
    collector col;
    trace_file *tr;
    size_t ev;                     /* the timeline's position: an index into the trace's L1 events */
    size_t replayed_ev;            /* position snap holds (SIZE_MAX: none): a still timeline is not replayed */
    char trace_line[160];
    /* The data. */
    snapshot snap;
    accounting acct;
    bool have_acct;                /* acct was computed from snap */
    bool have_data;                /* per-core data to show */
    bool have_ttm;                 /* TT-Metal totals or board telemetry to show */
    size_t visible[TUI_MAX_DEVICES];
    alert_engine *alerts;
    /* The loop. */
    long frames;
    double next_refresh;           /* monotonic seconds; a key sets it to now for an immediate refresh */
    char fatal[256];
    bool want_color;
    theme theme;
} tui;

/* tui.c */
double tui_now(void);

/* tui_data.c: open and close the source; refresh snap, acct and alerts. */
int tui_data_open(tui *t, char *err, size_t errlen); /* 0, or an exit code with the reason in err */
void tui_data_close(tui *t);
void tui_refresh_data(tui *t);
void tui_select_device(tui *t, size_t v);
void tui_move_cursor(tui *t, int dx, int dy);

/* tui_timeline.c: a trace as a timeline of L1 events. */
int tui_timeline_open(tui *t, char *err, size_t errlen); /* 0, or an exit code */
bool tui_timeline_active(const tui *t);
shm_status tui_timeline_fetch(tui *t, char *err, size_t errlen); /* snap: the state at the position */
void tui_timeline_step(tui *t, int key);                  /* [ ] Home End P */
void tui_timeline_close(tui *t);

/* tui_keys.c: one key press; false to quit. */
bool tui_handle_key(tui *t, int ch);

/* tui.c: the configuration again (the r key, SIGUSR1); a bad file keeps the old one. */
void tui_reload_config(tui *t);
void tui_next_theme(tui *t);

#endif
