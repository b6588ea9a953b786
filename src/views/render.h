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

#include "views/theme.h"
#include "views/tui_layout.h"
#include "views/tui_state.h"

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
void render_events(const tui_state *st);
void render_too_small(int need_cols, int need_rows);
/* The device view's history strip in the w x h box at (x, y): a title, used %
 * with its spikes, tracked, untracked, largest free block (STRIP_ROWS). */
#define STRIP_ROWS 6
#define STRIP_MIN_ROWS 2
#define STRIP_MIN_SAMPLES_W 10
void render_history(const tui_state *st, const snap_device *d, int x, int y, int w, int h);

/* The device view's geometry for this terminal and device (drawing and the mouse). */
device_layout render_device_layout(const tui_state *st, const snap_device *d, const device_usage *du);
/* Its panels (render_panels.c), each in the rectangle the layout gave it. */
void render_hot_cores(const tui_state *st, const snap_device *d, const device_usage *du, const layout_rect *r);
void render_alert_panel(const tui_state *st, const layout_rect *r);
void render_device_processes(const tui_state *st, const snap_device *d, const device_usage *du, const layout_rect *r);
attr_t render_severity_attr(const render_ctx *rc, alert_severity s);
/* The answers (#17): the fit view and the top view; the prompt over the
 * bottom lines (after the view); in the device view, the CB room line of
 * the table (returns the next row) and a cell's mark (its middle row at
 * mid); line 1's note of what the heatmap marks ("" none). */
void render_fit_answer(const tui_state *st);
void render_top(const tui_state *st);
void render_prompt(const tui_state *st);
int render_cb_room(const tui_state *st, const snap_device *d, const device_usage *du, const core_usage *u, int y,
                   int x, int w);
void render_heat_mark(const tui_state *st, const snap_device *d, int x, int y, int sx, int mid, const device_layout *l,
                      attr_t attr);
const char *render_answers_note(const tui_state *st, char *buf, size_t n);
/* Bytes of s that fit in cols display columns (whole characters). */
size_t render_bytes_in_columns(const char *s, int cols);
/* The snapshot process index on row `row` of the process view (its sort
 * order), or UINT32_MAX. */
uint32_t render_process_at(const tui_state *st, size_t row);
/* The key bar of the view on the last line (from the key table). */
void render_key_bar(const tui_state *st);

/* Geometry as drawn, for the mouse: the device tab or overview tile at a
 * screen cell (an index into st->visible), or SIZE_MAX. */
size_t render_tab_at(const tui_state *st, int x);
size_t render_overview_tile_at(const tui_state *st, int x, int y);

/* The overview's places: where each shown device sits (its mesh position
 * when known), and the tile geometry. */
typedef struct {
    place_grid grid;
    overview_layout layout;
    int row[256], col[256];   /* per shown device (TUI_MAX_DEVICES) */
} overview_places;
void render_overview_places(const tui_state *st, overview_places *p);
/* The shown device at place (row, col), or SIZE_MAX. */
size_t render_overview_device_at(const tui_state *st, const overview_places *p, int row, int col);

#endif
