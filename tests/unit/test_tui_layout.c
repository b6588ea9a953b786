/*
 * TUI pure logic: metrics, colour-ramp levels, cell text, layouts for
 * many terminal sizes and grids.
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

Test(tui_layout, cell_text_by_width)
{
    char out[8];
    cell_text(0.423, 4, out);
    cr_assert_str_eq(out, " 42 ");
    cell_text(0.423, 3, out);
    cr_assert_str_eq(out, "42 ");
    cell_text(0.423, 2, out);
    cr_assert_str_eq(out, "4 ", "tens only, so cells do not run together");
    cell_text(0.423, 1, out);
    cr_assert_str_eq(out, " ");
    cell_text(1.0, 4, out);
    cr_assert_str_eq(out, " ## ");
    cell_text(0.0, 3, out);
    cr_assert_str_eq(out, "00 ");
    char d[3];
    percent_digits(0.999, d);
    cr_assert_str_eq(d, "99");
    percent_digits(0.07, d);
    cr_assert_str_eq(d, "07");
}

Test(tui_layout, device_layout_for_common_sizes)
{
    device_layout l = layout_device(120, 40, 8, 8);
    cr_assert(l.fits);
    cr_assert_not(l.table_below);
    cr_assert_eq(l.cell_w, 4);
    cr_assert_eq(l.table_x, 4 + 32 + 2);
    cr_assert_geq(l.table_w, LAYOUT_TABLE_MIN_W);

    l = layout_device(80, 24, 8, 8); /* n300 chip on a classic terminal */
    cr_assert(l.fits);
    cr_assert_not(l.table_below);
    cr_assert_eq(l.cell_w, 2);
    cr_assert_leq(l.table_x + l.table_w, 80);

    l = layout_device(80, 24, 14, 10); /* full Blackhole grid */
    cr_assert(l.fits);
    cr_assert_eq(l.cell_w, 1);

    l = layout_device(120, 40, 12, 10); /* Grayskull */
    cr_assert(l.fits);
    cr_assert_geq(l.cell_w, 3);

    l = layout_device(60, 40, 8, 8); /* narrow and tall: table below */
    cr_assert(l.fits);
    cr_assert(l.table_below);
    cr_assert_eq(l.table_y, LAYOUT_HEADER_ROWS + l.heat_h + 1);
}

Test(tui_layout, too_small_never_fits)
{
    int sizes[][2] = { { 10, 5 }, { 1, 1 }, { 0, 0 }, { 39, 100 }, { 200, 11 }, { 60, 20 } };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        cr_assert_not(layout_device(sizes[i][0], sizes[i][1], 8, 8).fits, "%dx%d", sizes[i][0], sizes[i][1]);
    cr_assert_not(layout_device(120, 40, 0, 8).fits);
}

Test(tui_layout, every_fitting_layout_stays_on_screen)
{
    for (int cols = 1; cols <= 200; cols += 7)
        for (int rows = 1; rows <= 60; rows += 3)
            for (int g = 1; g <= 14; g += 3) {
                device_layout l = layout_device(cols, rows, g, 10);
                if (!l.fits)
                    continue;
                cr_assert_leq(l.heat_x + l.heat_w, cols);
                cr_assert_leq(l.table_x + l.table_w, cols);
                cr_assert_leq(l.heat_y + l.heat_h, rows);
                cr_assert_leq(l.table_y + LAYOUT_TABLE_ROWS, rows, "%dx%d grid %d", cols, rows, g);
            }
}

/* The mouse's hit test is the drawing's geometry read backwards. */
Test(tui_layout, a_click_finds_the_core_drawn_there)
{
    device_layout l = layout_device(120, 40, 8, 8);
    int cx, cy;
    int x0 = l.heat_x + LAYOUT_ROW_LABEL_W, y0 = l.heat_y + 1; /* core (0,0): under the column labels */
    cr_assert(layout_core_at(&l, 8, 8, x0, y0, &cx, &cy));
    cr_assert(cx == 0 && cy == 0);
    cr_assert(layout_core_at(&l, 8, 8, x0 + 2 * l.cell_w + l.cell_w - 1, y0 + 3, &cx, &cy));
    cr_assert(cx == 2 && cy == 3, "(%d,%d)", cx, cy);
    cr_assert_not(layout_core_at(&l, 8, 8, x0 - 1, y0, &cx, &cy), "the row labels");
    cr_assert_not(layout_core_at(&l, 8, 8, x0, y0 - 1, &cx, &cy), "the column labels");
    cr_assert_not(layout_core_at(&l, 8, 8, x0 + 8 * l.cell_w, y0, &cx, &cy), "right of the grid");
    cr_assert_not(layout_core_at(&l, 8, 8, x0, y0 + 8, &cx, &cy), "the legend");
    device_layout none = layout_device(10, 5, 8, 8);
    cr_assert_not(layout_core_at(&none, 8, 8, 5, 3, &cx, &cy), "nothing drawn");
    /* The smallest terminal the view asks for does fit. */
    cr_assert(layout_device(layout_device_min_cols(8), layout_device_min_rows(8), 8, 8).fits);
    cr_assert(layout_device(layout_device_min_cols(14), layout_device_min_rows(10), 14, 10).fits);
}

Test(tui_layout, overview_fits_a_galaxy_on_80x24)
{
    overview_layout o = layout_overview(80, 24, 32, 8, 8);
    cr_assert(o.fits, "32 chips on one 80x24 screen");
    cr_assert_not(o.minimaps);
    cr_assert_geq(o.per_row * (24 - LAYOUT_HEADER_ROWS - 1), 32);
    o = layout_overview(80, 24, 8, 8, 8); /* T3000 */
    cr_assert(o.fits);
    o = layout_overview(120, 40, 8, 8, 8);
    cr_assert(o.minimaps);
    cr_assert_eq(o.per_row, 10);
    cr_assert_not(layout_overview(10, 5, 2, 8, 8).fits);
}

Test(tui_layout, bars_and_tabs)
{
    char b[16];
    bar_text(0.5, 10, b);
    cr_assert_str_eq(b, "#####.....");
    bar_text(1.5, 4, b);
    cr_assert_str_eq(b, "####");
    bar_text(0, 0, b);
    cr_assert_str_eq(b, "");
    char t[64];
    int w1 = layout_tab_label(t, sizeof t, 3, "blackhole", 11, 10, true);
    cr_assert_str_eq(t, "[3:blackhole 11x10]");
    int w2 = layout_tab_label(t, sizeof t, 3, "blackhole", 11, 10, false);
    cr_assert_eq(w1, w2);
}
