/*
 * render_overview.c - the overview: every shown device at once, placed as
 * on the board's mesh when the sources know each chip's position (else in
 * id order, and the title says so). Each tile: the chip's used share, its
 * hottest core and its smallest largest-free block (the chip is only as
 * roomy as its tightest core), as a mini heatmap when they fit, else as
 * text. The places also serve the arrows and the mouse.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <string.h>

#include "views/format.h"
#include "views/render.h"
#include "views/view_peaks.h"

#define PLACES_MAX 256
#define OVERVIEW_TITLE_LONG_W 110 /* the title explains the tiles in full */

void render_overview_places(const tui_state *st, overview_places *p)
{
    bool has[PLACES_MAX] = { false };
    uint16_t row[PLACES_MAX] = { 0 }, col[PLACES_MAX] = { 0 };
    size_t n = st->snap && st->nvisible < PLACES_MAX ? st->nvisible : st->snap ? PLACES_MAX : 0;
    int gx = 1, gy = 1; /* tiles are sized for the largest grid shown */
    for (size_t v = 0; v < n; v++) {
        const snap_device *d = &st->snap->devices[st->visible[v]];
        has[v] = d->has_mesh;
        row[v] = d->mesh_row;
        col[v] = d->mesh_col;
        gx = d->grid_x > gx ? d->grid_x : gx;
        gy = d->grid_y > gy ? d->grid_y : gy;
    }
    p->grid = layout_mesh(n, has, row, col);
    p->layout = layout_overview(COLS, LINES, (int)n, gx, gy, &p->grid);
    for (size_t v = 0; v < n; v++)
        layout_place(&p->grid, &p->layout, v, row, col, &p->row[v], &p->col[v]);
}

size_t render_overview_device_at(const tui_state *st, const overview_places *p, int row, int col)
{
    for (size_t v = 0; v < st->nvisible && v < PLACES_MAX; v++)
        if (p->row[v] == row && p->col[v] == col)
            return v;
    return SIZE_MAX;
}

size_t render_overview_tile_at(const tui_state *st, int x, int y)
{
    overview_places p;
    render_overview_places(st, &p);
    int row, col;
    return layout_overview_place_at(&p.layout, x, y, &row, &col) ? render_overview_device_at(st, &p, row, col)
                                                                 : SIZE_MAX;
}

/* What a tile says of a chip. */
typedef struct {
    double used;            /* share of the chip's L1 */
    double hot;             /* the hottest core's used share */
    int hot_x, hot_y;
    uint64_t least_free;    /* the smallest largest-free block of its cores */
} chip_figures;

static chip_figures figures(const snap_device *d, const device_usage *du)
{
    chip_figures f = { 0, 0, 0, 0, 0 };
    uint64_t total = usage_total(du->totals);
    f.used = total ? (double)usage_used(du->totals) / (double)total : 0;
    for (uint32_t c = 0; c < du->ncores; c++) {
        const core_usage *u = &du->cores[c];
        double used = metric_fraction(u, d->l1_size, METRIC_USED);
        if (c == 0 || used > f.hot) {
            f.hot = used;
            f.hot_x = (int)(c % d->grid_x);
            f.hot_y = (int)(c / d->grid_x);
        }
        if (c == 0 || u->largest_free < f.least_free)
            f.least_free = u->largest_free;
    }
    return f;
}

static void minimap(const tui_state *st, const snap_device *d, const device_usage *du, int x, int y)
{
    const peak_device *pd = view_peak_device(st->snap, d);
    for (int cy = 0; cy < d->grid_y; cy++)
        for (int cx = 0; cx < d->grid_x; cx++) {
            double f = metric_fraction_peak(&du->cores[cy * d->grid_x + cx],
                                            view_core_peak(pd, (uint32_t)cx, (uint32_t)cy), d->l1_size, st->metric);
            render_put(y + cy, x + cx, 1, render_ramp_attr(&st->rc, f), st->rc.color ? " " : render_shade(&st->rc, f));
        }
}

/* Whole percent as the heatmap's cells show it: 13.6 % is 13. */
static int percent_floor(double f) { return (int)(f * 100.0); }

/* "hot 97% (3,4) lf 1.07 MiB", shorter forms when room is short; returns the text. */
static const char *chip_line(const chip_figures *f, const char *lf, int room, char *out, size_t n)
{
    int hot = percent_floor(f->hot);
    snprintf(out, n, "hot %d%% (%d,%d) lf %s", hot, f->hot_x, f->hot_y, lf);
    if ((int)strlen(out) > room)
        snprintf(out, n, "(%d,%d) %d%% lf %s", f->hot_x, f->hot_y, hot, lf);
    if ((int)strlen(out) > room)
        snprintf(out, n, "(%d,%d)%d%% %s", f->hot_x, f->hot_y, hot, lf);
    return out;
}

static void tile(const tui_state *st, const overview_layout *o, size_t v, int x, int y)
{
    size_t idx = st->visible[v];
    const snap_device *d = &st->snap->devices[idx];
    const device_usage *du = &st->acct->devices[idx];
    chip_figures f = figures(d, du);
    attr_t sel = v == st->sel ? A_REVERSE | A_BOLD : A_BOLD;
    attr_t hot_attr = st->cfg && f.hot * 100 > st->cfg->critical_pct ? render_alert_attr(&st->rc)
                      : st->cfg && f.hot * 100 > st->cfg->warning_pct ? render_warn_attr(&st->rc) : A_NORMAL;
    char lf[24], line[64], head[64];
    format_bytes_unit(f.least_free, UNITS(st), lf, sizeof lf);
    int w = o->tile_w - 1;
    int n = snprintf(head, sizeof head, "%2u %3d%%%s ", d->id, percent_floor(f.used), du->nclashes ? "!" : "");
    render_put(y, x, w, sel, head);
    if (o->minimaps || o->lines == 1) {
        render_put(y, x + n, w - n, hot_attr, chip_line(&f, lf, w - n, line, sizeof line));
        if (o->minimaps)
            minimap(st, d, du, x, y + 1);
        return;
    }
    if (w - n > 1) {
        bar_text(f.used, w - n > 40 ? 40 : w - n, line);
        render_put(y, x + n, w - n, render_bar_attr(&st->rc), line);
    }
    render_put(y + 1, x + 1, w - 1, hot_attr, chip_line(&f, lf, w - 1, line, sizeof line));
}

void render_overview(const tui_state *st)
{
    if (!st->snap || st->nvisible == 0)
        return;
    overview_places p;
    render_overview_places(st, &p);
    if (!p.layout.fits) {
        render_too_small(LAYOUT_MIN_COLS, LAYOUT_HEADER_ROWS + 3 + (int)st->nvisible);
        return;
    }
    char where[64];
    if (p.grid.mesh)
        snprintf(where, sizeof where, "%zu chips on their %dx%d mesh", st->nvisible, p.grid.rows, p.grid.cols);
    else
        snprintf(where, sizeof where, "%zu chips in id order (mesh unknown)", st->nvisible);
    render_putf(LAYOUT_HEADER_ROWS, 1, COLS - 2, A_BOLD, "%s; %s", where,
                COLS >= OVERVIEW_TITLE_LONG_W ? "per chip: used, hottest core, smallest largest-free block (lf)"
                                              : "used, hottest core, least lf");
    for (size_t v = 0; v < st->nvisible && v < PLACES_MAX; v++)
        tile(st, &p.layout, v, p.col[v] * p.layout.tile_w, p.layout.y0 + p.row[v] * p.layout.tile_h);
}
