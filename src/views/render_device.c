/*
 * render_device.c - the device view: the per-core heatmap on the device's
 * logical grid (cells as big as the terminal allows) and the
 * tracked/untracked breakdown table (selected core next to the device
 * total, and its high-water marks where they fit), with the allocator's view
 * on demand, and the history strip (render_history.c) in the layout's slot. The panels around them
 * (hottest cores, alerts, processes) are render_panels.c's; where each
 * goes is tui_layout.c's.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <string.h>

#include "views/format.h"
#include "views/render.h"
#include "views/view_common.h"
#include "views/view_peaks.h"

/* One row of the widest cell in the widest glyph (3 UTF-8 bytes). */
#define LAYOUT_CELL_FILL_MAX (12 * 3 + 1)

/* Alerted cells: the cell's text ends with this mark when there is room. */
#define ALERT_MARK "!"

static attr_t cell_attr(const tui_state *st, const snap_device *d, const core_usage *u, int x, int y, double f,
                        int *level)
{
    bool sel = x == st->cx && y == st->cy;
    *level = st->alerts ? alerts_core_level(st->alerts, d->id, (uint16_t)x, (uint16_t)y) : 0;
    if (u->clash_bytes || *level == SEVERITY_CRITICAL)
        return render_alert_attr(&st->rc) | (sel ? A_REVERSE : 0);
    if (*level == SEVERITY_WARNING)
        return render_warn_attr(&st->rc) | (sel ? A_REVERSE : 0);
    return render_ramp_attr(&st->rc, f) | (sel ? A_REVERSE | A_BOLD : 0);
}

/* One core's cell, w x h at screen (sx, sy): its metric on the ramp (the
 * colour through blanks, or a shading glyph without colour or when the
 * cell has no room for digits), the percentage on the middle row, the
 * cursor reversed, clashes and alerts in their colours and marked. */
static void heat_cell(const tui_state *st, const snap_device *d, const core_usage *u, const peak_figures *pk, int x,
                      int y, int sx, int sy, const device_layout *l)
{
    double f = metric_fraction_peak(u, pk, d->l1_size, st->metric);
    int level, w = l->cell_w;
    attr_t attr = cell_attr(st, d, u, x, y, f, &level);
    const char *shade = st->rc.color && !l->glyphs ? " " : render_shade(&st->rc, f);
    char fill[LAYOUT_CELL_FILL_MAX];
    size_t glyph = strlen(shade), used = 0;
    for (int i = 0; i < w && used + glyph < sizeof fill; i++, used += glyph) /* one row of the cell, drawn at once */
        memcpy(fill + used, shade, glyph);
    fill[used] = '\0';
    for (int r = 0; r < l->cell_h; r++)
        render_put(sy + r, sx, w, attr, fill);
    int mid = sy + l->cell_h / 2;
    if (!l->glyphs) {
        char digits[3];
        percent_digits(f, digits);
        render_put(mid, sx + (w - 2) / 2, 2, attr, digits);
        if (level)
            render_put(mid, sx + w - 1, 1, attr, ALERT_MARK); /* alerted: readable without colour too */
    }
    render_heat_mark(st, d, x, y, sx, mid, l, attr); /* a fit's X, a find's * */
}

/* Under the grid: the scale from 0% to 100%, and what 100% is. */
static void heat_legend(const tui_state *st, const snap_device *d, const device_layout *l)
{
    int ly = l->heat.y + 1 + d->grid_y * l->cell_h, lx = l->heat.x;
    char full[32], tail[48];
    snprintf(tail, sizeof tail, " 100%%=%s", format_bytes_unit(d->l1_size, UNITS(st), full, sizeof full));
    int steps = st->rc.color && !l->glyphs ? st->rc.ramp_levels : 5;
    int room = l->heat.w - 3 - (int)strlen(tail);
    if (steps > room)
        steps = room > 2 ? room : 2;
    render_put(ly, lx, 3, A_DIM, "0% ");
    for (int i = 0; i < steps; i++) {
        double f = (i + 0.5) / steps;
        bool glyph = !st->rc.color || l->glyphs;
        render_put(ly, lx + 3 + i, 1, render_ramp_attr(&st->rc, f), glyph ? render_shade(&st->rc, f) : " ");
    }
    render_put(ly, lx + 3 + steps, l->heat.w - 3 - steps, A_DIM, tail);
}

static void draw_heatmap(const tui_state *st, const snap_device *d, const device_usage *du, const device_layout *l)
{
    int w = l->cell_w, y0 = l->heat.y, x0 = l->heat.x + LAYOUT_ROW_LABEL_W;
    const peak_device *pd = view_peak_device(st->snap, d);
    for (int x = 0; x < d->grid_x; x++) { /* column labels over the digits; every other one when cells are narrow */
        if (w >= 3)
            render_putf(y0, x0 + x * w + (w - 2) / 2, 2, A_DIM, "%2d", x);
        else if (w == 2)
            render_putf(y0, x0 + x * w, 2, A_DIM, "%-2d", x % 100);
        else if (x % 2 == 0)
            render_putf(y0, x0 + x, 2, A_DIM, "%d", x % 10);
    }
    for (int y = 0; y < d->grid_y; y++) {
        int sy = y0 + 1 + y * l->cell_h;
        render_putf(sy + l->cell_h / 2, l->heat.x, LAYOUT_ROW_LABEL_W, A_DIM, "%2d  ", y);
        for (int x = 0; x < d->grid_x; x++)
            heat_cell(st, d, &du->cores[y * d->grid_x + x], view_core_peak(pd, (uint32_t)x, (uint32_t)y), x, y,
                      x0 + x * w, sy, l);
    }
    heat_legend(st, d, l);
}

/* The table's columns in each style: label and size widths, a bar or not. */
typedef struct {
    int label_w, size_w, pct_w;
    bool bar;
} table_form;

static table_form form_of(table_style s)
{
    static const table_form forms[] = { { 22, 10, 6, true }, { 22, 9, 5, false }, { 10, 9, 5, false } };
    return forms[s];
}

/* The columns of a row's text, its bar left out: label, mark, sizes, percentage. */
static int table_text_width(table_form f)
{
    return f.label_w + 3 + 2 * (f.size_w + 1) + f.pct_w + 2;
}

/* The columns a row of the table uses (its bar included). */
static int table_form_width(const device_layout *l)
{
    table_form f = form_of(l->style);
    int w = table_text_width(f) + (f.bar ? LAYOUT_TABLE_BAR_MAX_W : 0);
    return w < l->table.w ? w : l->table.w;
}

/* The core's peak column goes beside its bytes when the core has marks and
 * the row's text still fits with it (the bar gives way first). */
static const peak_figures *table_peak(const tui_state *st, const snap_device *d, const device_layout *l)
{
    table_form f = form_of(l->style);
    if (table_text_width(f) + f.size_w + 1 > l->table.w)
        return NULL;
    return view_core_peak(view_peak_device(st->snap, d), st->cx, st->cy);
}

/* A row's label in the table's form: the short category name when narrow. */
static const char *row_label(const device_layout *l, const char *full, const char *brief)
{
    return l->style == TABLE_NARROW ? brief : full;
}

/* peak: the core's high-water mark of the row, or NULL for no peak column. */
static void table_row(const tui_state *st, const device_layout *l, int y, const char *label, char mark, uint64_t core,
                      const uint64_t *peak, uint64_t dev, uint64_t dev_total, attr_t attr)
{
    table_form f = form_of(l->style);
    char cb[24], pb[24] = "", db[24], bar[64], lab[96];
    double pct = dev_total ? 100.0 * (double)dev / (double)dev_total : 0;
    int pw = peak ? f.size_w : 0;
    if (peak)
        format_bytes_unit(*peak, UNITS(st), pb, sizeof pb);
    int n = table_text_width(f) + (peak ? pw + 1 : 0);
    render_putf(y, l->table.x, l->table.w, attr, "%s %c %*s%s%*s %*s %*.1f%%",
                render_fit(lab, sizeof lab, label, f.label_w), mark ? mark : ' ', f.size_w,
                format_bytes_unit(core, UNITS(st), cb, sizeof cb), peak ? " " : "", pw, pb, f.size_w,
                format_bytes_unit(dev, UNITS(st), db, sizeof db), f.pct_w, pct);
    int barw = l->table.w - n;
    if (barw > LAYOUT_TABLE_BAR_MAX_W)
        barw = LAYOUT_TABLE_BAR_MAX_W;
    if (f.bar && barw > 0) {
        bar_text(pct / 100.0, barw, bar);
        render_put(y, l->table.x + n, barw, render_bar_attr(&st->rc), bar);
    }
}

/* The table's title: T/U over the tracked/untracked mark, the core's place over its column. */
static void table_title(const tui_state *st, const device_layout *l, int y, bool peak)
{
    table_form f = form_of(l->style);
    int pw = peak ? f.size_w : 0;
    char core[24];
    snprintf(core, sizeof core, "core(%u,%u)", st->cx, st->cy);
    if ((int)strlen(core) >= f.size_w) /* keep a space after T/U */
        snprintf(core, sizeof core, "(%u,%u)", st->cx, st->cy);
    render_putf(y, l->table.x, l->table.w, A_BOLD | A_UNDERLINE, "%-*sT/U%*s%s%*s %*s %*s", f.label_w,
                l->style == TABLE_NARROW ? "category" : "L1 category", f.size_w, core, peak ? " " : "", pw,
                peak ? (f.size_w >= 10 ? "core peak" : "peak") : "", f.size_w, "device", f.pct_w + 1,
                f.bar ? "% of L1" : "% L1");
}

/* The largest free blocks and fragmentation, as much as fits. */
static void free_line(const tui_state *st, const device_layout *l, int y, const core_usage *u, const device_usage *du)
{
    char a[24], b[24], c[24], e[24], line[192];
    format_bytes_unit(u->largest_free, UNITS(st), a, sizeof a);
    format_bytes_unit(du->largest_free_common, UNITS(st), b, sizeof b);
    int n = snprintf(line, sizeof line, "largest free: core %s, all cores %s; fragmented: core %s, device %s", a, b,
                     format_bytes_unit(u->fragmented, UNITS(st), c, sizeof c),
                     format_bytes_unit(du->fragmented, UNITS(st), e, sizeof e));
    if (n > l->table.w)
        snprintf(line, sizeof line, "largest free: core %s, all cores %s", a, b);
    render_put(y, l->table.x, l->table.w, A_NORMAL, line);
}

static void allocator_line(const tui_state *st, const device_layout *l, int y, const snap_device *d,
                           const device_usage *du)
{
    if (!st->allocator_view) {
        render_put(y, l->table.x, l->table.w, A_DIM,
                   l->table.w >= 60 ? "T tracked by the allocator, U untracked   [a] allocator view"
                                    : "T tracked, U untracked   [a] allocator");
        return;
    }
    /* TT-Metal's own statistics for this device, when present, are what the allocator reports. */
    const ttm_device *tm = NULL;
    for (size_t i = 0; st->ttm_snap && i < st->ttm_snap->nttm; i++)
        if (st->ttm_snap->ttm[i].device_id == d->id)
            tm = &st->ttm_snap->ttm[i];
    uint64_t seen = tm ? tm->live_totals[TTM_L1] + tm->live_totals[TTM_L1_SMALL] : usage_tracked(du->totals);
    char a[24], b[24];
    render_putf(y, l->table.x, l->table.w, render_warn_attr(&st->rc), "allocator sees %s used%s; real use %s",
                format_bytes_unit(seen, UNITS(st), a, sizeof a), tm ? " (TT-Metal's own stats)" : "",
                format_bytes_unit(usage_used(du->totals), UNITS(st), b, sizeof b));
}

static void draw_table(const tui_state *st, const snap_device *d, const device_usage *du, const device_layout *l)
{
    int y = l->table.y;
    const core_usage *u = &du->cores[st->cy * d->grid_x + st->cx];
    uint64_t total = usage_total(du->totals);
    /* The core's high-water marks beside its bytes now, where they fit. */
    const peak_figures *pk = table_peak(st, d, l);
    table_title(st, l, y++, pk != NULL);
    for (int k = 0; k < CAT_FREE; k++) {
        bool tracked = category_tracked((l1_category)k);
        attr_t attr = render_category_attr(&st->rc, (l1_category)k);
        if (st->allocator_view && !tracked)
            attr = A_DIM;
        table_row(st, l, y++, row_label(l, category_label[k], category_short[k]), tracked ? 'T' : 'U', u->bytes[k],
                  pk ? &pk->bytes[k] : NULL, du->totals[k], total, attr);
    }
    /* Free's mark is its low-water: the least the core had free (the man page says so). */
    table_row(st, l, y++, "Free", ' ', u->bytes[CAT_FREE], pk ? &pk->bytes[CAT_FREE] : NULL, du->totals[CAT_FREE],
              total, render_category_attr(&st->rc, CAT_FREE));
    move(y++, l->table.x);
    hline(ACS_HLINE, table_form_width(l));
    uint64_t ct = usage_tracked(u->bytes), cu = usage_untracked(u->bytes);
    table_row(st, l, y++, row_label(l, "Tracked (allocator)", "Tracked"), 'T', ct, pk ? &pk->tracked : NULL,
              usage_tracked(du->totals), total, A_BOLD);
    table_row(st, l, y++, "Untracked", 'U', cu, pk ? &pk->untracked : NULL, usage_untracked(du->totals), total,
              A_BOLD);
    /* The core's used row takes the threshold colour it crossed. */
    double used_pct = usage_used_pct(u->bytes);
    attr_t used_attr = A_BOLD;
    if (st->cfg && used_pct > st->cfg->critical_pct)
        used_attr = render_alert_attr(&st->rc);
    else if (st->cfg && used_pct > st->cfg->warning_pct)
        used_attr = render_warn_attr(&st->rc);
    table_row(st, l, y++, "Used", ' ', ct + cu, pk ? &pk->used : NULL, usage_used(du->totals), total, used_attr);
    uint64_t l1 = usage_total(u->bytes);
    table_row(st, l, y++, "Total", ' ', l1, pk ? &l1 : NULL, total, total, render_table_attr(&st->rc));
    free_line(st, l, y++, u, du);
    y = render_cb_room(st, d, du, u, y, l->table.x, l->table.w);
    allocator_line(st, l, y, d, du);
}

void render_device(const tui_state *st)
{
    const device_usage *du;
    const snap_device *d = tui_selected_device(st, &du);
    if (!d)
        return;
    device_layout l = render_device_layout(st, d, du);
    if (!l.fits) {
        render_too_small(layout_device_min_cols(d->grid_x), layout_device_min_rows(d->grid_y));
        return;
    }
    draw_heatmap(st, d, du, &l);
    draw_table(st, d, du, &l);
    render_hot_cores(st, d, du, &l.hot);
    render_alert_panel(st, &l.alerts);
    render_device_processes(st, d, du, &l.procs);
    if (l.history.h >= STRIP_MIN_ROWS)
        render_history(st, d, l.history.x, l.history.y, l.history.w, l.history.h);
}
