/*
 * tui_layout.c - see tui_layout.h.
 *
 * The device view picks, in order of preference, the widest table form
 * that fits, then the biggest cells (up to 12x3 characters a core on a big
 * terminal), the table beside the heatmap before under it; cells too
 * narrow for two digits (a glyph scale) come last. What is left of the
 * screen goes to panels: the hottest cores, the alerts, the device's
 * processes and a slot for the history strip.
 */
#include "views/tui_layout.h"

#include <stdio.h>
#include <string.h>

int ramp_level(double f, int levels)
{
    if (levels <= 1 || f <= 0)
        return 0;
    if (f >= 1)
        return levels - 1;
    int l = (int)(f * levels);
    return l >= levels ? levels - 1 : l;
}

void percent_digits(double f, char out[3])
{
    int pct = (int)(f * 100.0);
    if (f >= 0.9995)
        snprintf(out, 3, "##");
    else
        snprintf(out, 3, "%2d", pct > 99 ? 99 : pct < 0 ? 0 : pct);
}

/* ---------- the device view ---------- */

#define LAYOUT_CELL_MAX_H 3
#define LAYOUT_BOTTOM_MIN 8        /* rows left under cells taller than one row */
#define LAYOUT_TABLE_MIN_BAR 10    /* a full table's bar is at least this wide */
#define LAYOUT_SEPARATE_MIN 8      /* a bottom band this high starts with a blank row */
#define LAYOUT_HOT_MIN_W 20        /* the hottest cores list in the gap under the heatmap */

static const int table_min_w[] = { LAYOUT_TABLE_FULL_W + LAYOUT_TABLE_MIN_BAR, LAYOUT_TABLE_COMPACT_W,
                                   LAYOUT_TABLE_NARROW_W };

/* The columns a table of this style uses in w columns. */
static int table_used_w(table_style s, int w)
{
    if (s != TABLE_FULL)
        return table_min_w[s];
    int full = LAYOUT_TABLE_FULL_W + LAYOUT_TABLE_BAR_MAX_W;
    return w < full ? w : full;
}

static int body_rows(int rows) { return rows - LAYOUT_HEADER_ROWS - LAYOUT_FOOTER_ROWS; }

static int heat_width(int gx, int w)
{
    int grid = LAYOUT_ROW_LABEL_W + gx * w;
    return grid > LAYOUT_LEGEND_W ? grid : LAYOUT_LEGEND_W;
}

/* Heatmap and table with cells w x h, table style s, beside or below. */
static bool try_cells(device_layout *l, int cols, int rows, int gx, int gy, int w, int h, table_style s,
                      bool below)
{
    int heat_w = heat_width(gx, w), heat_h = 1 + gy * h + 1, body = body_rows(rows);
    int top_h, need_w;
    if (below) {
        top_h = heat_h + 1 + LAYOUT_TABLE_ROWS;
        need_w = heat_w > table_min_w[s] ? heat_w : table_min_w[s];
    } else {
        top_h = heat_h > LAYOUT_TABLE_ROWS ? heat_h : LAYOUT_TABLE_ROWS;
        need_w = heat_w + LAYOUT_TABLE_GAP + table_min_w[s];
    }
    if (need_w > cols || top_h > body || (h > 1 && top_h + LAYOUT_BOTTOM_MIN > body))
        return false;
    memset(l, 0, sizeof *l);
    l->fits = true;
    l->cell_w = w;
    l->cell_h = h;
    l->glyphs = w < 3;
    l->heat = (layout_rect){ 0, LAYOUT_HEADER_ROWS, heat_w, heat_h };
    l->style = s;
    l->table_below = below;
    /* The table's rectangle is what it draws: its form's columns, a full one's bar up to its widest. */
    if (below)
        l->table = (layout_rect){ 0, LAYOUT_HEADER_ROWS + heat_h + 1, table_used_w(s, cols), LAYOUT_TABLE_ROWS };
    else
        l->table = (layout_rect){ heat_w + LAYOUT_TABLE_GAP, LAYOUT_HEADER_ROWS,
                                  table_used_w(s, cols - heat_w - LAYOUT_TABLE_GAP), LAYOUT_TABLE_ROWS };
    return true;
}

static bool choose_cells(device_layout *l, int cols, int rows, int gx, int gy)
{
    static const int widths[LAYOUT_CELL_MAX_H][4] = { { 4, 3 }, { 8, 7, 6, 5 }, { 12, 10, 8, 7 } };
    for (int below = 0; below <= 1; below++)
        for (int s = TABLE_FULL; s <= TABLE_NARROW; s++)
            for (int h = LAYOUT_CELL_MAX_H; h >= 1; h--)
                for (int i = 0; i < 4 && widths[h - 1][i]; i++)
                    if (try_cells(l, cols, rows, gx, gy, widths[h - 1][i], h, (table_style)s, below != 0))
                        return true;
    for (int below = 0; below <= 1; below++) /* a glyph scale: one or two columns a core */
        for (int s = TABLE_FULL; s <= TABLE_NARROW; s++)
            for (int w = 2; w >= 1; w--)
                if (try_cells(l, cols, rows, gx, gy, w, 1, (table_style)s, below != 0))
                    return true;
    return false;
}

/* Take the top `h` rows of r (all of them when h is larger). */
static layout_rect take_rows(layout_rect *r, int h)
{
    if (h > r->h)
        h = r->h;
    layout_rect top = { r->x, r->y, r->w, h };
    r->y += h;
    r->h -= h;
    return top;
}

/* The panels around the heatmap and the table. */
static void place_panels(device_layout *l, int cols, int rows, const layout_wants *want)
{
    int top_end = l->table_below ? l->table.y + l->table.h
                                 : LAYOUT_HEADER_ROWS + (l->heat.h > l->table.h ? l->heat.h : l->table.h);
    int used_right = l->table_below ? (l->heat.w > l->table.w ? l->heat.w : l->table.w) : l->table.x + l->table.w;
    layout_rect side = { used_right + 2, LAYOUT_HEADER_ROWS, cols - used_right - 2, top_end - LAYOUT_HEADER_ROWS };
    if (side.w < LAYOUT_SIDE_MIN_W)
        side.h = 0;
    layout_rect gap = { 0, l->heat.y + l->heat.h + 1, l->heat.w, 0 };
    if (!l->table_below && l->heat.w >= LAYOUT_HOT_MIN_W)
        gap.h = top_end - gap.y;
    layout_rect bottom = { 0, top_end, cols, rows - LAYOUT_FOOTER_ROWS - top_end };
    if (bottom.h >= LAYOUT_SEPARATE_MIN)
        take_rows(&bottom, 1);
    if (want && want->history_rows > 0 && bottom.h >= want->history_rows)
        l->history = take_rows(&bottom, want->history_rows);
    if (gap.h >= LAYOUT_PANEL_MIN_ROWS) {
        l->hot = gap;
    } else if (bottom.h >= LAYOUT_PANEL_MIN_ROWS && cols >= LAYOUT_HOT_W + LAYOUT_SIDE_MIN_W) {
        l->hot = (layout_rect){ 0, bottom.y, LAYOUT_HOT_W, bottom.h };
        bottom.x = LAYOUT_HOT_W + 1;
        bottom.w = cols - bottom.x;
    } else if (side.h >= LAYOUT_PANEL_MIN_ROWS) {
        l->hot = side;
        side.h = 0;
    }
    int nalerts = want ? want->nalerts : 0;
    if (nalerts > 0) {
        int h = nalerts + 1 < LAYOUT_ALERT_ROWS_MAX ? nalerts + 1 : LAYOUT_ALERT_ROWS_MAX;
        if (side.h >= 2)
            l->alerts = take_rows(&side, h);
        else if (bottom.h >= 2)
            l->alerts = take_rows(&bottom, h);
    }
    if (bottom.h >= LAYOUT_PANEL_MIN_ROWS)
        l->procs = bottom;
}

device_layout layout_device(int cols, int rows, int gx, int gy, const layout_wants *want)
{
    device_layout l;
    memset(&l, 0, sizeof l);
    if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS || gx <= 0 || gy <= 0 ||
        !choose_cells(&l, cols, rows, gx, gy)) {
        memset(&l, 0, sizeof l);
        return l;
    }
    place_panels(&l, cols, rows, want);
    return l;
}

int layout_device_min_cols(int gx) { return heat_width(gx, 1) + LAYOUT_TABLE_GAP + LAYOUT_TABLE_NARROW_W; }

int layout_device_min_rows(int gy)
{
    int heat_h = gy + 2;
    return LAYOUT_HEADER_ROWS + (heat_h > LAYOUT_TABLE_ROWS ? heat_h : LAYOUT_TABLE_ROWS) + LAYOUT_FOOTER_ROWS;
}

bool layout_core_at(const device_layout *l, int gx, int gy, int x, int y, int *cx, int *cy)
{
    int col = x - l->heat.x - LAYOUT_ROW_LABEL_W, row = y - l->heat.y - 1; /* below the column labels */
    if (!l->fits || l->cell_w <= 0 || l->cell_h <= 0 || col < 0 || row < 0 || col / l->cell_w >= gx ||
        row / l->cell_h >= gy)
        return false;
    *cx = col / l->cell_w;
    *cy = row / l->cell_h;
    return true;
}

/* ---------- device tabs ---------- */

int layout_tab_label(char *out, size_t n, uint32_t id, const char *arch, int gx, int gy, bool selected, bool brief)
{
    int w;
    if (brief)
        w = snprintf(out, n, selected ? "[%u]" : " %u ", id);
    else
        w = snprintf(out, n, selected ? "[%u:%s %dx%d]" : " %u:%s %dx%d ", id, arch, gx, gy);
    return w < 0 ? 0 : w;
}

static int sum(const int *w, size_t from, size_t to)
{
    int s = 0;
    for (size_t i = from; i < to; i++)
        s += w[i];
    return s;
}

tab_window layout_tabs(const int *widths, const int *brief_widths, size_t n, size_t sel, int width)
{
    tab_window t = { 0, n, false, 0, 0 };
    if (sel >= n)
        sel = 0;
    if (sum(widths, 0, n) <= width)
        return t;
    t.brief = true;
    if (sum(brief_widths, 0, n) <= width)
        return t;
    /* The first window holding sel: it scrolls once sel passes its right edge. */
    for (size_t first = 0; first <= sel; first++) {
        int used = first > 0 ? LAYOUT_TAB_MORE_W : 0;
        size_t last = first;
        while (last < n && used + brief_widths[last] + (last + 1 < n ? LAYOUT_TAB_MORE_W : 0) <= width)
            used += brief_widths[last++];
        if (last > sel) {
            t.first = first;
            t.last = last;
            t.left_w = first > 0 ? LAYOUT_TAB_MORE_W : 0;
            t.right_w = last < n ? LAYOUT_TAB_MORE_W : 0;
            return t;
        }
    }
    t.first = sel; /* not even one tab and its marks fit: the selected one alone */
    t.last = sel + 1;
    return t;
}

void layout_tab_more(char *out, size_t n, size_t hidden, bool left)
{
    if (hidden == 0)
        snprintf(out, n, "%s", "");
    else if (left)
        snprintf(out, n, "< %zu more", hidden);
    else
        snprintf(out, n, "%zu more >", hidden);
}

/* ---------- the overview ---------- */

place_grid layout_mesh(size_t n, const bool *has, const uint16_t *row, const uint16_t *col)
{
    place_grid g = { false, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        if (!has[i] || row[i] >= LAYOUT_MESH_MAX || col[i] >= LAYOUT_MESH_MAX)
            return (place_grid){ false, 0, 0 };
        for (size_t j = 0; j < i; j++)
            if (row[j] == row[i] && col[j] == col[i])
                return (place_grid){ false, 0, 0 }; /* two chips in one place: not a mesh we can draw */
        g.rows = row[i] + 1 > g.rows ? row[i] + 1 : g.rows;
        g.cols = col[i] + 1 > g.cols ? col[i] + 1 : g.cols;
    }
    g.mesh = n > 0;
    return g;
}

/* Text tiles of `lines` lines (+1 blank when `gap`) in nrows x per_row. */
static bool try_text(overview_layout *o, int cols, int body, int per_row, int nrows, int lines, bool gap)
{
    int tile_h = lines + (gap ? 1 : 0);
    if (per_row < 1 || cols / per_row < OVERVIEW_TILE_MIN_W || nrows * tile_h - (gap ? 1 : 0) > body)
        return false;
    *o = (overview_layout){ true, false, lines, cols / per_row, tile_h, per_row, nrows, LAYOUT_HEADER_ROWS + 1 };
    return true;
}

overview_layout layout_overview(int cols, int rows, int n, int gx, int gy, const place_grid *g)
{
    overview_layout o;
    memset(&o, 0, sizeof o);
    int body = body_rows(rows) - 1; /* under the title line */
    if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS || n <= 0)
        return o;
    bool mesh = g && g->mesh;
    /* Mini heatmaps: a label line and one row per core row, one char per core. */
    int tile_w = (gx > OVERVIEW_MINIMAP_MIN_W ? gx : OVERVIEW_MINIMAP_MIN_W) + 2, tile_h = gy + 2;
    int per_row = mesh ? g->cols : cols / tile_w;
    int nrows = mesh ? g->rows : per_row > 0 ? (n + per_row - 1) / per_row : 0;
    if (per_row > 0 && per_row * tile_w <= cols && nrows * tile_h - 1 <= body) {
        o = (overview_layout){ true, true, 0, tile_w, tile_h, per_row, nrows, LAYOUT_HEADER_ROWS + 1 };
        return o;
    }
    /* Text tiles: two lines and a gap, two lines, one line; as wide as they can be. */
    static const struct { int lines; bool gap; } forms[] = { { 2, true }, { 2, false }, { 1, false } };
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (mesh) {
            if (try_text(&o, cols, body, g->cols, g->rows, forms[f].lines, forms[f].gap))
                return o;
            continue;
        }
        for (per_row = 1; per_row <= n; per_row++)
            if (try_text(&o, cols, body, per_row, (n + per_row - 1) / per_row, forms[f].lines, forms[f].gap))
                return o;
    }
    memset(&o, 0, sizeof o);
    return o;
}

void layout_place(const place_grid *g, const overview_layout *o, size_t i, const uint16_t *row, const uint16_t *col,
                  int *prow, int *pcol)
{
    if (g && g->mesh) {
        *prow = row[i];
        *pcol = col[i];
        return;
    }
    int per_row = o->per_row > 0 ? o->per_row : 1;
    *prow = (int)(i / (size_t)per_row);
    *pcol = (int)(i % (size_t)per_row);
}

bool layout_overview_place_at(const overview_layout *o, int x, int y, int *row, int *col)
{
    if (!o->fits || o->tile_w <= 0 || o->tile_h <= 0 || x < 0 || y < o->y0 || x / o->tile_w >= o->per_row ||
        (y - o->y0) / o->tile_h >= o->nrows)
        return false;
    *row = (y - o->y0) / o->tile_h;
    *col = x / o->tile_w;
    return true;
}

void bar_text(double f, int width, char *out)
{
    if (width < 0)
        width = 0;
    int filled = (int)(f * width + 0.5);
    if (filled > width)
        filled = width;
    if (filled < 0)
        filled = 0;
    for (int i = 0; i < width; i++)
        out[i] = i < filled ? '#' : '.';
    out[width] = '\0';
}
