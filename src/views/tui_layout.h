/*
 * tui_layout.h - the TUI's pure logic: colour-ramp levels,
 * cell text and where panels go for a terminal size. No ncurses here, so
 * every rule is unit tested (as nvtop does for its layout selection).
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

/* Text of a heatmap cell `width` wide (1..4) for a fraction: "42", "##"
 * for full, centred; NUL-terminated in out (at least width + 1 bytes). */
void cell_text(double fraction, int width, char *out);

/* Device view geometry. */
typedef struct {
    bool fits;              /* false: show "enlarge the terminal" */
    int cell_w;             /* heatmap cell width, 1..4 */
    int heat_x, heat_y;     /* top-left of the heatmap (its column labels row) */
    int heat_w, heat_h;     /* with labels and legend */
    int table_x, table_y, table_w;
    bool table_below;       /* table under the heatmap instead of beside it */
} device_layout;

#define LAYOUT_HEADER_ROWS 2    /* header + device tabs */
#define LAYOUT_TABLE_ROWS 16    /* title, 7 categories, free, rule, 4 subtotals, free line, allocator line */
#define LAYOUT_TABLE_MIN_W 52
#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 12
#define LAYOUT_ROW_LABEL_W 4    /* "%2d  ": the core row's number left of the heatmap */
#define LAYOUT_CELL_MAX_W 4     /* widest heatmap cell: " 42 " */
#define LAYOUT_TABLE_GAP 2      /* columns between the heatmap and the table beside it */

device_layout layout_device(int cols, int rows, int grid_x, int grid_y);
/* The terminal size the device view needs at least (one column per core). */
int layout_device_min_cols(int grid_x);
int layout_device_min_rows(int grid_y);
/* The core under screen cell (x, y) of a device view, or false. */
bool layout_core_at(const device_layout *l, int grid_x, int grid_y, int x, int y, int *cx, int *cy);

/* Overview: mini heatmaps (one char per core) when they fit, else one bar
 * line per device in as many columns as fit. */
typedef struct {
    bool fits;
    bool minimaps;
    int tile_w, tile_h;     /* one device's tile */
    int per_row;            /* tiles (or bar columns) per row */
} overview_layout;

overview_layout layout_overview(int cols, int rows, int ndevices, int grid_x, int grid_y);
/* The tile (device position) under screen cell (x, y), or -1. */
int layout_overview_tile_at(const overview_layout *o, int x, int y);

/* A bar of `width` cells for fraction f using '#' and '.'; out >= width+1. */
void bar_text(double f, int width, char *out);



/* The device tab label " 0:wormhole_b0 8x8 ", "[0:wormhole_b0 8x8]" when
 * selected; returns its width (the same either way). Shared by the header
 * (drawing) and mouse hit-testing. */
int layout_tab_label(char *out, size_t n, uint32_t id, const char *arch, int gx, int gy, bool selected);

/* The two characters of a percentage in a cell: "00".."99", "##" when full. */
void percent_digits(double fraction, char out[3]);
#endif
