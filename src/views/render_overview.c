/*
 * render_overview.c - the overview: every shown device at once, as mini
 * heatmaps (one character per core) when they fit, else one bar line per
 * device; the tile geometry for drawing and for mouse clicks.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>

#include "views/render.h"
#include "views/view_peaks.h"

/* A bar line: "%3u %-4.4s %4.0f%% cb%3.0f%% T%3.0f%% " is this wide, then the bar. */
#define OVERVIEW_BAR_TEXT_W 26
#define OVERVIEW_BAR_MAX_W 40

overview_layout render_overview_layout(const tui_state *st)
{
    /* Tiles are sized for the largest grid shown. */
    int gx = 1, gy = 1;
    for (size_t v = 0; st->snap && v < st->nvisible; v++) {
        const snap_device *d = &st->snap->devices[st->visible[v]];
        gx = d->grid_x > gx ? d->grid_x : gx;
        gy = d->grid_y > gy ? d->grid_y : gy;
    }
    return layout_overview(COLS, LINES, (int)st->nvisible, gx, gy);
}

size_t render_overview_tile_at(const tui_state *st, int x, int y)
{
    overview_layout o = render_overview_layout(st);
    int v = layout_overview_tile_at(&o, x, y);
    return v >= 0 ? (size_t)v : SIZE_MAX;
}

void render_overview(const tui_state *st)
{
    if (!st->snap || st->nvisible == 0)
        return;
    overview_layout o = render_overview_layout(st);
    if (!o.fits) {
        render_too_small(LAYOUT_MIN_COLS, LAYOUT_HEADER_ROWS + 2 + (int)st->nvisible);
        return;
    }
    for (size_t v = 0; v < st->nvisible; v++) {
        size_t idx = st->visible[v];
        const snap_device *d = &st->snap->devices[idx];
        const device_usage *du = &st->acct->devices[idx];
        uint64_t total = usage_total(du->totals);
        double used = total ? (double)usage_used(du->totals) / (double)total : 0;
        double cb = total ? (double)du->totals[CAT_CIRCULAR_BUFFERS] / (double)total : 0;
        double tracked = total ? (double)usage_tracked(du->totals) / (double)total : 0;
        int col = (int)(v % (size_t)o.per_row), row = (int)(v / (size_t)o.per_row);
        int x = col * o.tile_w, y = LAYOUT_HEADER_ROWS + row * o.tile_h;
        attr_t sel = v == st->sel ? A_REVERSE | A_BOLD : A_BOLD;
        if (o.minimaps) {
            render_putf(y, x, o.tile_w - 1, sel, "%u %3.0f%%%s", d->id, used * 100, du->nclashes ? "!" : "");
            const peak_device *pd = view_peak_device(st->snap, d);
            for (int cy = 0; cy < d->grid_y; cy++)
                for (int cx = 0; cx < d->grid_x; cx++) {
                    double f = metric_fraction_peak(&du->cores[cy * d->grid_x + cx],
                                                    view_core_peak(pd, (uint32_t)cx, (uint32_t)cy), d->l1_size,
                                                    st->metric);
                    render_put(y + 1 + cy, x + cx, 1, render_ramp_attr(&st->rc, f),
                               st->rc.color ? " " : render_shade(&st->rc, f));
                }
        } else {
            char bar[64];
            int bw = o.tile_w - OVERVIEW_BAR_TEXT_W;
            if (bw > OVERVIEW_BAR_MAX_W)
                bw = OVERVIEW_BAR_MAX_W;
            if (bw < 1)
                bw = 1;
            bar_text(used, bw, bar);
            render_putf(y, x, o.tile_w - 1, sel, "%3u %-4.4s %4.0f%% cb%3.0f%% T%3.0f%% %s%s", d->id, d->arch_name,
                        used * 100, cb * 100, tracked * 100, bar, du->nclashes ? "!" : "");
        }
    }
    render_put(LINES - 1, 1, COLS - 2, A_DIM, "arrows select a device, Enter opens it, Esc back");
}
