/*
 * tui_state.h - what the TUI's views read: the data to show, the view and
 * its cursor, sort and options. tui*.c own and change it; render_*.c only
 * read it. No ncurses here, so helpers on it are unit tested.
 */
#ifndef L1TOP_TUI_STATE_H
#define L1TOP_TUI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/alerts.h"
#include "cli/config.h"
#include "model/accounting.h"
#include "model/heat_metric.h"
#include "model/snapshot.h"

typedef enum {
    VIEW_DEVICE, VIEW_CORE, VIEW_PROCESSES, VIEW_OVERVIEW, VIEW_HELP, VIEW_ALERTS, VIEW_TTMETAL, VIEW_EVENTS,
    VIEW_FIT, VIEW_TOP, /* the answers (#17): the fit answer, the top ops/tags */
    VIEW_COUNT
} view_id;
#define VIEW_BIT(v) (1u << (v))
#define VIEWS_ALL ((1u << VIEW_COUNT) - 1u)
/* How the help screen names a view ("device view", "processes", ...). */
extern const char *const view_name[VIEW_COUNT];

typedef enum {
    PSORT_PID = 0, PSORT_NAME, PSORT_DEVICES, PSORT_L1, PSORT_SMALL, PSORT_CB, PSORT_KERNEL, PSORT_SEM,
    PSORT_RUNTIME, PSORT_REGIONS, PSORT_COUNT
} proc_sort;

typedef struct {
    bool color;        /* colour pairs in use */
    bool no_color;     /* NO_COLOR or --no-color: themes cannot show */
    bool c256;         /* 256-colour ramp */
    bool utf8;         /* block and shading glyphs */
    int ramp_levels;   /* heatmap colour stops */
    char theme[64];    /* name of the theme in use */
} render_ctx;

/* One core's address map, kept while the data and the core stay the same:
 * a refresh with nothing moved, or a key that changes no core, redraws it
 * without walking every region again (issue #14: 1.4 ms a redraw at 320k
 * regions, 0.2 ms cached). */
#define CORE_MAP_MAX_SPANS 4096
typedef struct {
    uint64_t gen;                 /* tui_state.data_gen it was made for; 0: empty */
    uint32_t dev;
    uint16_t x, y;
    size_t n, needed;
    map_span spans[CORE_MAP_MAX_SPANS];
} core_map_cache;

/* Everything the views read. */
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
    bool timeline;                /* a trace is open: its keys step through it */
    size_t core_scroll;           /* first line of the core view's region list */
    uint64_t data_gen;            /* bumps whenever snap/acct change: what caches key on */
    core_map_cache *core_cache;   /* owned by the loop; the core view fills it */
    size_t proc_sel;              /* selected row of the process view */
    proc_sort psort;
    bool preverse;
    char clock[16];               /* HH:MM:SS of the snapshot */
    const l1top_config *cfg;      /* thresholds, alerts */
    const alert_engine *alerts;   /* what fires now, and the history */
    const snapshot *ttm_snap;     /* TT-Metal statistics, when there are any */
    char config_error[CONFIG_ERR_LEN]; /* last failed reload or theme, shown in the header */
    char message[160];            /* what the last key did or why it could not: on the key bar line */
    char recording[320];          /* "REC file size" while the w key records, else "" */
    size_t alert_sel;             /* selected row of the alerts view */
    bool alert_open;              /* its cores listed under it */
    const struct tui_answers *answers; /* the prompt, fit, find, filter (views/tui_answers.h) */
    const struct history *history; /* the device view's history strip (model/history.h), or NULL */
    const struct latched *events;  /* the event log (model/latched.h), or NULL */
    size_t event_sel;              /* selected row of the event log (0: the latest) */
} tui_state;

/* The selected device (snapshot index order) and its usage, or NULL. */
const snap_device *tui_selected_device(const tui_state *st, const device_usage **du);

#endif
