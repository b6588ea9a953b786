/*
 * tui_layout.h - the TUI's pure logic: colour-ramp levels, cell text, and
 * where panels go for a terminal size (device view, overview, device tabs).
 * No ncurses here, so every rule is unit tested (as nvtop does for its
 * layout selection).
 */
#ifndef L1TOP_TUI_LAYOUT_H
#define L1TOP_TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/heat_metric.h"

/* Level 0..levels-1 of a fraction on a ramp of `levels` stops. */
int ramp_level(double fraction, int levels);

/* The two characters of a percentage in a cell: " 0".."99", "##" when full. */
void percent_digits(double fraction, char out[3]);

/* A rectangle of the screen; h == 0 (or w == 0): the panel is not shown. */
typedef struct {
    int x, y, w, h;
} layout_rect;

/* The breakdown table's forms, widest first. */
typedef enum {
    TABLE_FULL,    /* long labels, core and device sizes, % of L1, a bar */
    TABLE_COMPACT, /* the same without the bar */
    TABLE_NARROW,  /* short labels ("CB", "kernel") */
} table_style;

/* What else the device view may show, which decides the panels' sizes. */
typedef struct {
    int nprocesses;    /* processes on the device: rows of the processes panel */
    int nalerts;       /* alerts firing */
    int history_rows;  /* rows the history strip (#16) asks for; 0: none */
} layout_wants;

/* Device view geometry. Rows: header, device tabs, the body, the key bar. */
typedef struct {
    bool fits;              /* false: show "enlarge the terminal" */
    int cell_w, cell_h;     /* one core's cell, in columns and rows */
    bool glyphs;            /* cells too narrow for two digits: a glyph scale */
    layout_rect heat;       /* column labels row, the grid, the legend */
    layout_rect table;      /* the breakdown table (LAYOUT_TABLE_ROWS high) */
    table_style style;
    bool table_below;       /* the table under the heatmap instead of beside it */
    layout_rect hot;        /* the hottest cores list */
    layout_rect alerts;     /* alerts firing */
    layout_rect procs;      /* the device's processes */
    layout_rect history;    /* left for the history strip; empty unless asked for */
} device_layout;

#define LAYOUT_HEADER_ROWS 2    /* header + device tabs */
#define LAYOUT_FOOTER_ROWS 1    /* the key bar */
#define LAYOUT_TABLE_ROWS 17    /* title, 8 categories, free, rule, 4 subtotals, free line, allocator line */
#define LAYOUT_TABLE_FULL_W 55  /* "%-22s %c %10s %10s %6.1f%% ", then a bar */
#define LAYOUT_TABLE_BAR_MAX_W 40
#define LAYOUT_TABLE_COMPACT_W 51 /* "%-22s %c %9s %9s %5.1f%%" */
#define LAYOUT_TABLE_NARROW_W 39  /* "%-10s %c %9s %9s %5.1f%%" */
#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 12
#define LAYOUT_ROW_LABEL_W 4    /* "%2d  ": the core row's number left of the heatmap */
#define LAYOUT_LEGEND_W 26      /* "0% " + the ramp + " 100%=1.43 MiB", uncut */
#define LAYOUT_TABLE_GAP 1      /* columns between the heatmap and the table beside it */
#define LAYOUT_HOT_W 34         /* the hottest cores list: " 1 (10,9)  97.8%  1.07 MiB" */
#define LAYOUT_SIDE_MIN_W 30    /* a panel right of the table needs this much */
#define LAYOUT_PANEL_MIN_ROWS 3 /* a title, a header or one line, one more */
#define LAYOUT_ALERT_ROWS_MAX 6 /* the alerts panel: a title and up to five alerts */

device_layout layout_device(int cols, int rows, int grid_x, int grid_y, const layout_wants *wants);
/* The terminal size the device view needs at least. */
int layout_device_min_cols(int grid_x);
int layout_device_min_rows(int grid_y);
/* The core under screen cell (x, y) of a device view, or false. */
bool layout_core_at(const device_layout *l, int grid_x, int grid_y, int x, int y, int *cx, int *cy);

/* ---------- device tabs ---------- */

/* The device tab label " 0:wormhole_b0 8x8 ", "[0:wormhole_b0 8x8]" when
 * selected; short: " 0 ", "[0]". Returns its width (the same either way). */
int layout_tab_label(char *out, size_t n, uint32_t id, const char *arch, int gx, int gy, bool selected, bool brief);

/* Which tabs fit in `width` columns: a window [first, last) holding the
 * selected one, with "< N more" / "N more >" marks for the rest. */
typedef struct {
    size_t first, last;       /* the tabs shown */
    bool brief;               /* short labels ("[0]") */
    int left_w, right_w;      /* the overflow marks' widths (0: none) */
} tab_window;

#define LAYOUT_TAB_MORE_W 10  /* "< 123 more", "123 more >" */

/* widths[i]: tab i's full width; brief_widths[i]: its short width. Full
 * labels when every one fits, else short ones, scrolled to keep sel shown. */
tab_window layout_tabs(const int *widths, const int *brief_widths, size_t n, size_t sel, int width);
/* The overflow marks' text: "< 3 more", "12 more >" (empty when none). */
void layout_tab_more(char *out, size_t n, size_t hidden, bool left);

/* ---------- the overview ---------- */

/* Where devices sit: on the board's mesh when every shown device knows its
 * position and no two share one, else in id order (mesh false, rows and
 * cols 0: the overview's width decides). */
typedef struct {
    bool mesh;
    int rows, cols;           /* the mesh's places */
} place_grid;

#define LAYOUT_MESH_MAX 64    /* mesh rows or columns beyond this: id order */

/* has[i], row[i], col[i]: shown device i's mesh position as its source knows it. */
place_grid layout_mesh(size_t n, const bool *has, const uint16_t *row, const uint16_t *col);

/* Overview: mini heatmaps (one char per core) when they fit, else text
 * tiles of up to two lines (the used share and a bar; the hottest core and
 * the smallest largest-free block), with a blank line between tile rows
 * when there is room. */
typedef struct {
    bool fits;
    bool minimaps;
    int lines;              /* text tiles: 1 or 2 lines of text */
    int tile_w, tile_h;     /* one device's tile */
    int per_row;            /* tiles per row (the mesh's columns on a mesh) */
    int nrows;              /* rows of tiles */
    int y0;                 /* the first tile row (under the title line) */
} overview_layout;

#define OVERVIEW_TILE_MIN_W 20     /* text tiles: "31  61% ####", "(3,4)97% 1.07 MiB" */
#define OVERVIEW_MINIMAP_MIN_W 24  /* a minimap's label: " 0  22% (0,0)22% 1.05 MiB" */

overview_layout layout_overview(int cols, int rows, int ndevices, int grid_x, int grid_y, const place_grid *g);
/* Device i's place (row, col): its mesh position, or i in id order. */
void layout_place(const place_grid *g, const overview_layout *o, size_t i, const uint16_t *row, const uint16_t *col,
                  int *prow, int *pcol);
/* The place (row, col) under screen cell (x, y), or false. */
bool layout_overview_place_at(const overview_layout *o, int x, int y, int *row, int *col);

/* A bar of `width` cells for fraction f using '#' and '.'; out >= width+1. */
void bar_text(double f, int width, char *out);

#endif
