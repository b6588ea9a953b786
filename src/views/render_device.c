/*
 * render_device.c - the device view: per-core heatmap on the device's
 * logical grid, and the tracked/untracked breakdown table (selected core
 * next to the device total), with the allocator's view on demand.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <string.h>

#include "views/format.h"
#include "views/render.h"
#include "views/view_common.h"
#include "views/view_peaks.h"

/* One core's cell at screen (cx, cy), w wide: its metric on the ramp, the
 * cursor reversed, clashes and alerts in their colours and marked '!'. */
static void heat_cell(const tui_state *st, const snap_device *d, const core_usage *u, const peak_figures *pk, int x,
                      int y, int cx, int cy, int w)
{
    double f = metric_fraction_peak(u, pk, d->l1_size, st->metric);
    bool sel = x == st->cx && y == st->cy;
    char text[8];
    attr_t attr = render_ramp_attr(&st->rc, f) | (sel ? A_REVERSE | A_BOLD : 0);
    int level = st->alerts ? alerts_core_level(st->alerts, d->id, (uint16_t)x, (uint16_t)y) : 0;
    if (u->clash_bytes || level == SEVERITY_CRITICAL)
        attr = render_alert_attr(&st->rc) | (sel ? A_REVERSE : 0);
    else if (level == SEVERITY_WARNING)
        attr = render_warn_attr(&st->rc) | (sel ? A_REVERSE : 0);
    if (st->rc.color) {
        cell_text(f, w, text);
        if (level && w >= 3)
            text[w - 1] = '!'; /* alerted: readable without colour too */
        render_put(cy, cx, w, attr, text);
        return;
    }
    /* Mono: a shading glyph, then the number where there is room. */
    const char *shade = render_shade(&st->rc, f);
    render_put(cy, cx, w, attr, shade);
    if (w >= 3) {
        percent_digits(f, text);
        render_put(cy, cx + 1, 2, attr, text);
        if (level && w >= 4)
            render_put(cy, cx + 3, 1, attr, "!");
    } else if (w == 2) {
        render_put(cy, cx + 1, 1, attr, shade);
    }
}

/* Under the grid: the ramp from 0% to 100%, and what 100% is. */
static void heat_legend(const tui_state *st, const snap_device *d, const device_layout *l)
{
    int ly = l->heat_y + 1 + d->grid_y, lx = l->heat_x;
    render_put(ly, lx, 3, A_DIM, "0% ");
    int steps = st->rc.color ? st->rc.ramp_levels : 5;
    if (steps > l->heat_w - 12)
        steps = l->heat_w - 12 > 2 ? l->heat_w - 12 : 2;
    for (int i = 0; i < steps; i++) {
        double f = (i + 0.5) / steps;
        render_put(ly, lx + 3 + i, 1, render_ramp_attr(&st->rc, f), st->rc.color ? " " : render_shade(&st->rc, f));
    }
    char h[32];
    render_putf(ly, lx + 3 + steps, l->heat_w - 3 - steps, A_DIM, " 100%%=%s", format_bytes_unit(d->l1_size, UNITS(st), h, sizeof h));
}

static void draw_heatmap(const tui_state *st, const snap_device *d, const device_usage *du, const device_layout *l)
{
    int w = l->cell_w, y0 = l->heat_y, x0 = l->heat_x + LAYOUT_ROW_LABEL_W;
    const peak_device *pd = view_peak_device(st->snap, d);
    /* Column labels. */
    for (int x = 0; x < d->grid_x; x++) {
        char lab[16];
        if (w >= 3)
            snprintf(lab, sizeof lab, "%*d", (w - 1) & 7, x % 100);
        else
            snprintf(lab, sizeof lab, "%d", x % 10);
        render_put(y0, x0 + x * w, w, A_DIM, lab);
    }
    for (int y = 0; y < d->grid_y; y++) {
        render_putf(y0 + 1 + y, l->heat_x, LAYOUT_ROW_LABEL_W, A_DIM, "%2d  ", y);
        for (int x = 0; x < d->grid_x; x++)
            heat_cell(st, d, &du->cores[y * d->grid_x + x], view_core_peak(pd, (uint32_t)x, (uint32_t)y), x, y,
                      x0 + x * w, y0 + 1 + y, w);
    }
    heat_legend(st, d, l);
}

/* A breakdown row: "%-22s %c %10s %10s %6.1f%% " is this wide, then its bar;
 * with the core's peak column (a peak model, and room) " %10s" more. */
#define TABLE_TEXT_W 55
#define TABLE_PEAK_W 11
#define TABLE_BAR_MAX_W 40
#define TABLE_RULE_MAX_W 60

/* peak: the core's high-water mark of the row, or NULL for no peak column. */
static void table_row(const tui_state *st, int y, int x, int w, const char *label, char mark, uint64_t core,
                      const uint64_t *peak, uint64_t dev, uint64_t dev_total, attr_t attr)
{
    char cb[24], pb[24] = "", db[24], bar[64];
    double pct = dev_total ? 100.0 * (double)dev / (double)dev_total : 0;
    int text_w = TABLE_TEXT_W + (peak ? TABLE_PEAK_W : 0);
    int barw = w - text_w;
    if (barw > TABLE_BAR_MAX_W)
        barw = TABLE_BAR_MAX_W;
    if (peak)
        format_bytes_unit(*peak, UNITS(st), pb, sizeof pb);
    render_putf(y, x, w, attr, "%-22s %c %10s%s%*s %10s %6.1f%% ", label, mark ? mark : ' ',
                format_bytes_unit(core, UNITS(st), cb, sizeof cb), peak ? " " : "", peak ? 10 : 0, pb,
                format_bytes_unit(dev, UNITS(st), db, sizeof db), pct);
    if (barw > 0) {
        bar_text(pct / 100.0, barw, bar);
        render_put(y, x + text_w, barw, render_bar_attr(&st->rc), bar);
    }
}


static void draw_table(const tui_state *st, const snap_device *d, const device_usage *du, const device_layout *l)
{
    int y = l->table_y, x = l->table_x, w = l->table_w;
    const core_usage *u = &du->cores[st->cy * d->grid_x + st->cx];
    uint64_t total = usage_total(du->totals);
    /* The core's high-water marks beside its bytes now, where they fit. */
    const peak_figures *pk = w >= TABLE_TEXT_W + TABLE_PEAK_W
                                 ? view_core_peak(view_peak_device(st->snap, d), st->cx, st->cy)
                                 : NULL;
    char coretitle[24];
    snprintf(coretitle, sizeof coretitle, "core(%u,%u)", st->cx, st->cy);
    render_putf(y++, x, w, A_BOLD | A_UNDERLINE, "%-22s %c %10s%s %10s %7s %s", "L1 category", 'A', coretitle,
                pk ? "  core peak" : "", "device", "% of L1", "");
    for (int k = 0; k < CAT_FREE; k++) {
        bool tracked = category_tracked((l1_category)k);
        attr_t attr = render_category_attr(&st->rc, (l1_category)k);
        if (st->allocator_view && !tracked)
            attr = A_DIM;
        table_row(st, y++, x, w, category_label[k], tracked ? 'T' : 'U', u->bytes[k], pk ? &pk->bytes[k] : NULL,
                  du->totals[k], total, attr);
    }
    /* Free's mark is its low-water: the least the core had free (the man page says so). */
    table_row(st, y++, x, w, "Free", ' ', u->bytes[CAT_FREE], pk ? &pk->bytes[CAT_FREE] : NULL,
              du->totals[CAT_FREE], total, render_category_attr(&st->rc, CAT_FREE));
    move(y, x);
    hline(ACS_HLINE, w < TABLE_RULE_MAX_W ? w : TABLE_RULE_MAX_W);
    y++;
    uint64_t ct = usage_tracked(u->bytes), cu = usage_untracked(u->bytes);
    table_row(st, y++, x, w, "Tracked (allocator)", 'T', ct, pk ? &pk->tracked : NULL,
              usage_tracked(du->totals), total, A_BOLD);
    table_row(st, y++, x, w, "Untracked", 'U', cu, pk ? &pk->untracked : NULL, usage_untracked(du->totals),
              total, A_BOLD);
    /* The core's used row takes the threshold colour it crossed. */
    double used_pct = usage_used_pct(u->bytes);
    attr_t used_attr = A_BOLD;
    if (st->cfg && used_pct > st->cfg->critical_pct)
        used_attr = render_alert_attr(&st->rc);
    else if (st->cfg && used_pct > st->cfg->warning_pct)
        used_attr = render_warn_attr(&st->rc);
    table_row(st, y++, x, w, "Used", ' ', ct + cu, pk ? &pk->used : NULL, usage_used(du->totals), total,
              used_attr);
    uint64_t l1 = usage_total(u->bytes);
    table_row(st, y++, x, w, "Total", ' ', l1, pk ? &l1 : NULL, total, total, render_table_attr(&st->rc));
    char a[24], b[24], c[24], e[24];
    render_putf(y++, x, w, A_NORMAL, "largest free: core %s, all cores %s; fragmented: core %s, device %s",
                format_bytes_unit(u->largest_free, UNITS(st), a, sizeof a), format_bytes_unit(du->largest_free_common, UNITS(st), b, sizeof b),
                format_bytes_unit(u->fragmented, UNITS(st), c, sizeof c), format_bytes_unit(du->fragmented, UNITS(st), e, sizeof e));
    if (st->allocator_view) {
        /* TT-Metal's own statistics for this device, when present, are what the allocator reports. */
        const ttm_device *tm = NULL;
        for (size_t i = 0; st->ttm_snap && i < st->ttm_snap->nttm; i++)
            if (st->ttm_snap->ttm[i].device_id == d->id)
                tm = &st->ttm_snap->ttm[i];
        uint64_t seen = tm ? tm->live_totals[TTM_L1] + tm->live_totals[TTM_L1_SMALL] : usage_tracked(du->totals);
        render_putf(y, x, w, render_warn_attr(&st->rc), "allocator sees %s used%s; real use %s",
                    format_bytes_unit(seen, UNITS(st), a, sizeof a), tm ? " (TT-Metal's own stats)" : "",
                    format_bytes_unit(usage_used(du->totals), UNITS(st), b, sizeof b));
    } else {
        render_put(y, x, w, A_DIM, "T tracked by the allocator, U untracked   [a] allocator view");
    }
}

void render_device(const tui_state *st)
{
    const device_usage *du;
    const snap_device *d = tui_selected_device(st, &du);
    if (!d)
        return;
    device_layout l = layout_device(COLS, LINES, d->grid_x, d->grid_y);
    if (!l.fits) {
        render_too_small(layout_device_min_cols(d->grid_x), layout_device_min_rows(d->grid_y));
        return;
    }
    draw_heatmap(st, d, du, &l);
    draw_table(st, d, du, &l);
    /* The history strip across the bottom, above the key bar, when it clears
     * the heatmap and the table; the alerts between. */
    int y = l.table_y + LAYOUT_TABLE_ROWS + 1, x = l.table_below ? 0 : l.table_x;
    int heat_end = l.heat_y + l.heat_h, hist_y = LINES - 1 - HISTORY_ROWS, end = LINES;
    if (hist_y >= y && hist_y >= heat_end) {
        render_history(st, d, 0, hist_y, COLS, HISTORY_ROWS);
        end = hist_y;
    }
    /* Active alerts under the table, as many as fit. */
    const firing_alert *fa;
    size_t n = st->alerts ? alerts_firing(st->alerts, &fa) : 0;
    if (n && y < end) {
        render_putf(y++, x, COLS - x, A_BOLD, "Alerts: %zu firing  [A] all and history", n);
        for (size_t i = 0; i < n && y < end; i++, y++) {
            char where[ALERT_WHERE_LEN];
            render_putf(y, x, COLS - x,
                        fa[i].severity == SEVERITY_CRITICAL ? render_alert_attr(&st->rc) : render_warn_attr(&st->rc),
                        "%-8s %-20s %-20s %s %.4g", fa[i].severity == SEVERITY_CRITICAL ? "CRIT" : "warn", fa[i].name,
                        alert_where(where, sizeof where, &fa[i], true), alert_metric_name(fa[i].metric), fa[i].value);
        }
    }
}
