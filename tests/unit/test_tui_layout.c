/*
 * TUI pure logic: metrics, colour-ramp levels, cell digits, the device
 * view's layout for many terminal sizes and grids (cells, table form,
 * panels), device tabs with overflow, the overview on a mesh or in id
 * order.
 */
#include <criterion/criterion.h>

#include "views/tui_layout.h"

Test(tui_layout, metrics_as_fraction_of_l1)
{
    core_usage u = { .bytes = { 100, 50, 200, 10, 5, 5, 100, 30, 500 }, .largest_free = 300 };
    cr_assert_float_eq(metric_fraction(&u, 1000, METRIC_USED), 0.5, 1e-9);
    cr_assert_float_eq(metric_fraction(&u, 1000, METRIC_CIRCULAR_BUFFERS), 0.2, 1e-9);
    cr_assert_float_eq(metric_fraction(&u, 1000, METRIC_L1_BUFFERS), 0.15, 1e-9);
    cr_assert_float_eq(metric_fraction(&u, 1000, METRIC_FREE), 0.5, 1e-9);
    cr_assert_float_eq(metric_fraction(&u, 1000, METRIC_LARGEST_FREE), 0.3, 1e-9);
    cr_assert_float_eq(metric_fraction(&u, 0, METRIC_USED), 0.0, 1e-9, "no L1: no division");
    cr_assert_eq(metric_bytes(&u, METRIC_USED), 500);
    cr_assert_str_eq(metric_name(METRIC_CIRCULAR_BUFFERS), "circular buffers");
}

Test(tui_layout, ramp_levels_cover_the_range)
{
    cr_assert_eq(ramp_level(0.0, 12), 0);
    cr_assert_eq(ramp_level(-1.0, 12), 0);
    cr_assert_eq(ramp_level(0.999, 12), 11);
    cr_assert_eq(ramp_level(1.0, 12), 11);
    cr_assert_eq(ramp_level(0.5, 6), 3);
    cr_assert_eq(ramp_level(0.5, 1), 0);
}

Test(tui_layout, percent_digits_are_two_columns)
{
    char d[3];
    percent_digits(0.999, d);
    cr_assert_str_eq(d, "99");
    percent_digits(0.423, d);
    cr_assert_str_eq(d, "42");
    percent_digits(0.02, d);
    cr_assert_str_eq(d, " 2", "two percent, not '02'");
    percent_digits(0.0, d);
    cr_assert_str_eq(d, " 0");
    percent_digits(1.0, d);
    cr_assert_str_eq(d, "##", "full");
}

static int rect_bottom(layout_rect r) { return r.h > 0 ? r.y + r.h : 0; }
static int rect_right(layout_rect r) { return r.h > 0 ? r.x + r.w : 0; }

/* The rows a layout uses: the lowest bottom edge of its parts. */
static int lowest(const device_layout *l)
{
    layout_rect parts[] = { l->heat, l->table, l->hot, l->alerts, l->procs, l->history };
    int y = 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        y = rect_bottom(parts[i]) > y ? rect_bottom(parts[i]) : y;
    return y;
}

Test(tui_layout, classic_80x24_keeps_two_digits_an_uncut_legend_and_the_key_bar)
{
    layout_wants w = { 2, 0, 0 };
    device_layout l = layout_device(80, 24, 8, 8, &w); /* n300 chip on a classic terminal */
    cr_assert(l.fits);
    cr_assert_not(l.table_below);
    cr_assert_geq(l.cell_w, 3, "two digits and a gap a core");
    cr_assert_not(l.glyphs);
    cr_assert_geq(l.heat.w, LAYOUT_LEGEND_W, "the legend is not cut");
    cr_assert_leq(l.table.x + LAYOUT_TABLE_COMPACT_W, 80, "the table's columns fit");
    cr_assert_neq(l.style, TABLE_NARROW, "long labels at 80 columns");
    cr_assert_gt(l.hot.h, 0, "the hottest cores list has a place");
    cr_assert_gt(l.procs.h, 0, "and the processes");
    cr_assert_leq(lowest(&l), 24 - LAYOUT_FOOTER_ROWS, "the key bar's row stays free");

    l = layout_device(80, 24, 11, 10, &w); /* Blackhole p150 */
    cr_assert(l.fits);
    cr_assert_geq(l.cell_w, 3, "still two digits");
    cr_assert_eq(l.style, TABLE_NARROW, "short labels make room");
    cr_assert_leq(l.table.x + LAYOUT_TABLE_NARROW_W, 80);

    l = layout_device(80, 24, 14, 10, &w); /* a full Blackhole die: a glyph scale */
    cr_assert(l.fits);
    cr_assert(l.glyphs);
    cr_assert_geq(l.heat.w, LAYOUT_LEGEND_W);
}

Test(tui_layout, big_terminals_get_big_cells_and_panels_down_to_the_key_bar)
{
    static const struct { int cols, rows, min_h; } sizes[] = { { 160, 48, 2 }, { 240, 70, 3 }, { 120, 40, 2 } };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int cols = sizes[i].cols, rows = sizes[i].rows;
        layout_wants w = { 3, 2, 0 };
        device_layout l = layout_device(cols, rows, 8, 8, &w);
        cr_assert(l.fits, "%dx%d", cols, rows);
        cr_assert_geq(l.cell_h, sizes[i].min_h, "%dx%d: cells %dx%d", cols, rows, l.cell_w, l.cell_h);
        cr_assert_eq(l.style, TABLE_FULL, "%dx%d", cols, rows);
        cr_assert_eq(lowest(&l), rows - LAYOUT_FOOTER_ROWS, "%dx%d: panels reach the key bar (%d)", cols, rows,
                     lowest(&l));
        cr_assert_geq(l.hot.h, 10, "%dx%d: a long hottest cores list", cols, rows);
        cr_assert_gt(l.alerts.h, 0, "%dx%d", cols, rows);
        cr_assert_gt(l.procs.h, 0, "%dx%d", cols, rows);
        cr_assert_geq(rect_right(l.table), cols * 2 / 3, "%dx%d: the width is used", cols, rows);
    }
}

Test(tui_layout, too_small_never_fits)
{
    int sizes[][2] = { { 10, 5 }, { 1, 1 }, { 0, 0 }, { 39, 100 }, { 200, 11 }, { 60, 20 } };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        cr_assert_not(layout_device(sizes[i][0], sizes[i][1], 8, 8, NULL).fits, "%dx%d", sizes[i][0], sizes[i][1]);
    cr_assert_not(layout_device(120, 40, 0, 8, NULL).fits);
}

static bool overlap(layout_rect a, layout_rect b)
{
    return a.h > 0 && b.h > 0 && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

Test(tui_layout, every_fitting_layout_stays_on_screen_without_overlaps)
{
    for (int cols = 1; cols <= 260; cols += 7)
        for (int rows = 1; rows <= 75; rows += 3)
            for (int g = 1; g <= 14; g += 3)
                for (int history = 0; history <= 4; history += 4) {
                    layout_wants w = { 4, 3, history };
                    device_layout l = layout_device(cols, rows, g, 10, &w);
                    if (!l.fits)
                        continue;
                    layout_rect parts[] = { l.heat, l.table, l.hot, l.alerts, l.procs, l.history };
                    size_t n = sizeof parts / sizeof parts[0];
                    for (size_t i = 0; i < n; i++) {
                        if (parts[i].h <= 0)
                            continue;
                        cr_assert_geq(parts[i].y, LAYOUT_HEADER_ROWS, "%dx%d grid %d part %zu", cols, rows, g, i);
                        cr_assert_leq(parts[i].x + parts[i].w, cols, "%dx%d grid %d part %zu", cols, rows, g, i);
                        cr_assert_leq(parts[i].y + parts[i].h, rows - LAYOUT_FOOTER_ROWS, "%dx%d grid %d part %zu",
                                      cols, rows, g, i);
                        for (size_t j = i + 1; j < n; j++)
                            cr_assert_not(overlap(parts[i], parts[j]), "%dx%d grid %d: parts %zu and %zu overlap",
                                          cols, rows, g, i, j);
                    }
                    cr_assert_eq(l.heat.h, 2 + 10 * l.cell_h);
                    cr_assert_eq(l.table.h, LAYOUT_TABLE_ROWS);
                }
}

Test(tui_layout, a_slot_for_the_history_strip_when_asked)
{
    layout_wants none = { 2, 0, 0 }, strip = { 2, 0, 3 };
    cr_assert_eq(layout_device(160, 48, 8, 8, &none).history.h, 0);
    device_layout l = layout_device(160, 48, 8, 8, &strip);
    cr_assert_eq(l.history.h, 3);
    cr_assert_eq(l.history.w, 160, "the full width");
}

/* The mouse's hit test is the drawing's geometry read backwards, tall cells included. */
Test(tui_layout, a_click_finds_the_core_drawn_there)
{
    int sizes[][2] = { { 120, 40 }, { 80, 24 }, { 240, 70 } };
    for (size_t i = 0; i < 3; i++) {
        device_layout l = layout_device(sizes[i][0], sizes[i][1], 8, 8, NULL);
        int cx, cy;
        int x0 = l.heat.x + LAYOUT_ROW_LABEL_W, y0 = l.heat.y + 1; /* core (0,0): under the column labels */
        cr_assert(layout_core_at(&l, 8, 8, x0, y0, &cx, &cy));
        cr_assert(cx == 0 && cy == 0);
        cr_assert(layout_core_at(&l, 8, 8, x0 + 2 * l.cell_w + l.cell_w - 1, y0 + 3 * l.cell_h + l.cell_h - 1, &cx,
                                 &cy));
        cr_assert(cx == 2 && cy == 3, "(%d,%d)", cx, cy);
        cr_assert_not(layout_core_at(&l, 8, 8, x0 - 1, y0, &cx, &cy), "the row labels");
        cr_assert_not(layout_core_at(&l, 8, 8, x0, y0 - 1, &cx, &cy), "the column labels");
        cr_assert_not(layout_core_at(&l, 8, 8, x0 + 8 * l.cell_w, y0, &cx, &cy), "right of the grid");
        cr_assert_not(layout_core_at(&l, 8, 8, x0, y0 + 8 * l.cell_h, &cx, &cy), "the legend");
    }
    int cx, cy;
    device_layout none = layout_device(10, 5, 8, 8, NULL);
    cr_assert_not(layout_core_at(&none, 8, 8, 5, 3, &cx, &cy), "nothing drawn");
    /* The smallest terminal the view asks for does fit. */
    cr_assert(layout_device(layout_device_min_cols(8), layout_device_min_rows(8), 8, 8, NULL).fits);
    cr_assert(layout_device(layout_device_min_cols(14), layout_device_min_rows(10), 14, 10, NULL).fits);
}

/* ---------- tabs ---------- */

#define GALAXY 32

static void galaxy_tabs(int *full, int *brief)
{
    char t[64];
    for (int i = 0; i < GALAXY; i++) {
        full[i] = layout_tab_label(t, sizeof t, (uint32_t)i, "wormhole_b0", 8, 8, false, false);
        brief[i] = layout_tab_label(t, sizeof t, (uint32_t)i, "wormhole_b0", 8, 8, false, true);
    }
}

Test(tui_layout, tabs_fit_whole_or_brief)
{
    int full[GALAXY], brief[GALAXY];
    galaxy_tabs(full, brief);
    tab_window t = layout_tabs(full, brief, 2, 1, 70); /* n300 */
    cr_assert(t.first == 0 && t.last == 2 && !t.brief && !t.left_w && !t.right_w);
    t = layout_tabs(full, brief, 8, 0, 140); /* T3000: short labels fit */
    cr_assert(t.brief && t.first == 0 && t.last == 8 && !t.left_w && !t.right_w);
    char l[64];
    cr_assert_eq(layout_tab_label(l, sizeof l, 3, "blackhole", 11, 10, true, false),
                 layout_tab_label(l, sizeof l, 3, "blackhole", 11, 10, false, false), "selected or not, one width");
    cr_assert_str_eq(l, " 3:blackhole 11x10 ");
    layout_tab_label(l, sizeof l, 3, "blackhole", 11, 10, true, true);
    cr_assert_str_eq(l, "[3]");
}

Test(tui_layout, galaxy_tabs_overflow_with_counts_and_scroll_with_the_selection)
{
    int full[GALAXY], brief[GALAXY], width = 66;
    galaxy_tabs(full, brief);
    size_t prev_first = 0;
    for (size_t sel = 0; sel < GALAXY; sel++) {
        tab_window t = layout_tabs(full, brief, GALAXY, sel, width);
        cr_assert(t.brief);
        cr_assert(t.first <= sel && sel < t.last, "sel %zu in [%zu, %zu)", sel, t.first, t.last);
        int used = t.left_w + t.right_w;
        for (size_t i = t.first; i < t.last; i++)
            used += brief[i];
        cr_assert_leq(used, width, "sel %zu: %d columns", sel, used);
        cr_assert_eq(t.left_w > 0, t.first > 0, "a left mark exactly when tabs are hidden there");
        cr_assert_eq(t.right_w > 0, t.last < GALAXY, "a right mark exactly when tabs are hidden there");
        cr_assert_geq(t.first, prev_first, "the window only moves right as the selection does");
        prev_first = t.first;
    }
    tab_window t = layout_tabs(full, brief, GALAXY, 0, width);
    cr_assert_eq(t.first, 0);
    cr_assert_gt(t.last, 10, "as many as fit: %zu", t.last);
    t = layout_tabs(full, brief, GALAXY, GALAXY - 1, width);
    cr_assert_eq(t.last, GALAXY);
    char m[32];
    layout_tab_more(m, sizeof m, 3, true);
    cr_assert_str_eq(m, "< 3 more");
    layout_tab_more(m, sizeof m, 12, false);
    cr_assert_str_eq(m, "12 more >");
    layout_tab_more(m, sizeof m, 0, false);
    cr_assert_str_eq(m, "");
}

/* ---------- the overview ---------- */

/* A Galaxy's 32 chips on an 8x4 mesh, numbered in an order unlike the mesh's. */
static void galaxy_mesh(bool *has, uint16_t *row, uint16_t *col)
{
    for (int i = 0; i < GALAXY; i++) {
        has[i] = true;
        int place = (i * 5) % GALAXY; /* 5 is coprime with 32: every place once */
        row[i] = (uint16_t)(place / 4);
        col[i] = (uint16_t)(place % 4);
    }
}

Test(tui_layout, the_mesh_is_used_only_when_every_chip_has_its_own_place)
{
    bool has[GALAXY];
    uint16_t row[GALAXY], col[GALAXY];
    galaxy_mesh(has, row, col);
    place_grid g = layout_mesh(GALAXY, has, row, col);
    cr_assert(g.mesh);
    cr_assert(g.rows == 8 && g.cols == 4);
    has[7] = false;
    cr_assert_not(layout_mesh(GALAXY, has, row, col).mesh, "one chip without a place: id order");
    has[7] = true;
    row[1] = row[0];
    col[1] = col[0];
    cr_assert_not(layout_mesh(GALAXY, has, row, col).mesh, "two chips in one place: id order");
    cr_assert_not(layout_mesh(0, has, row, col).mesh);
}

Test(tui_layout, galaxy_overview_on_its_mesh_at_80x24)
{
    bool has[GALAXY];
    uint16_t row[GALAXY], col[GALAXY];
    galaxy_mesh(has, row, col);
    place_grid g = layout_mesh(GALAXY, has, row, col);
    overview_layout o = layout_overview(80, 24, GALAXY, 8, 8, &g);
    cr_assert(o.fits, "32 chips on one 80x24 screen");
    cr_assert_not(o.minimaps);
    cr_assert_eq(o.per_row, 4, "the mesh's columns");
    cr_assert_eq(o.nrows, 8);
    cr_assert_eq(o.lines, 2, "room for the hottest core and the smallest largest-free block");
    cr_assert_geq(o.tile_w, OVERVIEW_TILE_MIN_W);
    cr_assert_leq(o.y0 + o.nrows * o.tile_h, 24 - LAYOUT_FOOTER_ROWS + 1);
    for (size_t i = 0; i < GALAXY; i++) {
        int r, c, hr, hc;
        layout_place(&g, &o, i, row, col, &r, &c);
        cr_assert(r == row[i] && c == col[i], "chip %zu at its mesh place", i);
        cr_assert(layout_overview_place_at(&o, c * o.tile_w + 1, o.y0 + r * o.tile_h, &hr, &hc));
        cr_assert(hr == r && hc == c, "a click on chip %zu's tile finds it", i);
    }
    int hr, hc;
    cr_assert_not(layout_overview_place_at(&o, 1, o.y0 - 1, &hr, &hc), "the title line");
}

Test(tui_layout, overview_in_id_order_without_a_mesh)
{
    place_grid none = { false, 0, 0 };
    overview_layout o = layout_overview(80, 24, GALAXY, 8, 8, &none);
    cr_assert(o.fits);
    cr_assert_geq(o.per_row * o.nrows, GALAXY);
    int r, c;
    layout_place(&none, &o, 5, NULL, NULL, &r, &c);
    cr_assert(r == 5 / o.per_row && c == 5 % o.per_row);
    o = layout_overview(80, 24, 8, 8, 8, &none); /* T3000 */
    cr_assert(o.fits);
    o = layout_overview(120, 40, 8, 8, 8, &none);
    cr_assert(o.minimaps);
    cr_assert_not(layout_overview(10, 5, 2, 8, 8, &none).fits);
}

Test(tui_layout, bars)
{
    char b[16];
    bar_text(0.5, 10, b);
    cr_assert_str_eq(b, "#####.....");
    bar_text(1.5, 4, b);
    cr_assert_str_eq(b, "####");
    bar_text(0, 0, b);
    cr_assert_str_eq(b, "");
}
