/*
 * render.h - the TUI's screens. Each render_* function draws one view of
 * the model into stdscr from the TUI state; none changes the state, reads
 * a source or handles input (that is tui.c). Layout rules live in
 * tui_layout.c, colours and glyphs in render_common.c.
 */
#ifndef L1TOP_RENDER_H
#define L1TOP_RENDER_H

#include <curses.h>
#include <stdbool.h>

#include "model/accounting.h"
#include "cli/alerts.h"
#include "cli/config.h"
#include "model/snapshot.h"
#include "cli/theme.h"
#include "views/tui_layout.h"

typedef enum { VIEW_DEVICE, VIEW_CORE, VIEW_PROCESSES, VIEW_OVERVIEW, VIEW_HELP, VIEW_ALERTS, VIEW_TTMETAL } view_id;

typedef enum {
    PSORT_PID = 0, PSORT_NAME, PSORT_DEVICES, PSORT_L1, PSORT_SMALL, PSORT_CB, PSORT_KERNEL, PSORT_SEM,
    PSORT_RUNTIME, PSORT_REGIONS, PSORT_COUNT
} proc_sort;

typedef struct {
    bool color;        /* colour pairs in use */
    bool c256;         /* 256-colour ramp */
    bool utf8;         /* block and shading glyphs */
    int ramp_levels;   /* heatmap colour stops */
    char theme[64];    /* name of the theme in use */
} render_ctx;

/* Everything the views read. tui.c owns and updates it. */
typedef struct {
    render_ctx rc;
    const char *segment;          /* what we watch */
    const snapshot *snap;         /* NULL while waiting */
    const accounting *acct;
    char status[512];             /* why there is no data (waiting screen), or "" */
    const char *warning;          /* segment remark */
    size_t *visible;              /* device indices shown (after --device) */
    size_t nvisible;
    size_t sel;                   /* index into visible */
    uint16_t cx, cy;              /* core cursor */
    heat_metric metric;
    bool allocator_view;
    bool paused;
    unsigned delay_tenths;
    view_id view;
    size_t core_scroll;           /* first line of the core view's region list */
    size_t proc_sel;              /* selected row of the process view */
    proc_sort psort;
    bool preverse;
    char clock[16];               /* HH:MM:SS of the snapshot */
    const l1top_config *cfg;      /* thresholds, alerts */
    const alert_engine *alerts;   /* what fires now, and the history */
    const snapshot *ttm_snap;     /* TT-Metal statistics, when there are any */
    char config_error[CONFIG_ERR_LEN]; /* last failed reload or theme, shown in the header */
} tui_state;

/* The configured size unit (config `units`). */
#define UNITS(st) ((st)->cfg ? (int)(st)->cfg->units : 0)

/* Colours and glyphs. */
/* Set up colours from a theme (NULL: built-in default); want_color false
 * (NO_COLOR, --no-color) or a monochrome theme give attributes only.
 * Safe to call again to switch themes live. */
void render_init(render_ctx *rc, bool want_color, const theme *t);
void render_put(int y, int x, int maxw, attr_t attr, const char *text);
/* s as a table cell of exactly cols display columns (cut on a character,
 * padded with spaces): "%-15.15s" counts bytes and shifts the columns after
 * a multi-byte name. Returns dst (cap >= 4 * cols + 1 suffices). */
const char *render_fit(char *dst, size_t cap, const char *s, int cols);
void render_putf(int y, int x, int maxw, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
attr_t render_ramp_attr(const render_ctx *rc, double fraction);
attr_t render_category_attr(const render_ctx *rc, l1_category c);
attr_t render_alert_attr(const render_ctx *rc);
attr_t render_warn_attr(const render_ctx *rc);
attr_t render_header_attr(const render_ctx *rc);
attr_t render_bar_attr(const render_ctx *rc);
attr_t render_table_attr(const render_ctx *rc);
/* Shading glyph for a fraction (mono mode). */
const char *render_shade(const render_ctx *rc, double fraction);
/* One-letter code of a category for the address strip. */
char render_category_letter(l1_category c);

/* Screens. */
void render_header(const tui_state *st);
void render_device(const tui_state *st);
void render_core(const tui_state *st);
void render_processes(const tui_state *st);
void render_overview(const tui_state *st);
void render_help(const tui_state *st);
void render_waiting(const tui_state *st);
void render_alerts(const tui_state *st);
void render_ttmetal(const tui_state *st);
void render_too_small(int need_cols, int need_rows);

/* Sorted process rows for the process view (shared with tui.c for keys). */
typedef struct {
    uint32_t process;             /* snapshot process index */
    uint64_t bytes[CAT_RECORDED];
    uint32_t regions;
    uint32_t devices;             /* how many devices it holds regions on */
    char device_list[32];
} proc_row;
size_t render_process_rows(const tui_state *st, proc_row *rows, size_t max);

/* Currently selected device (snapshot index) and its usage, or NULL. */
const snap_device *tui_selected_device(const tui_state *st, const device_usage **du);

#endif
