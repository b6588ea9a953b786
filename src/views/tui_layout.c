/*
 * tui_layout.c - see tui_layout.h.
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
        snprintf(out, 3, "%02d", pct > 99 ? 99 : pct < 0 ? 0 : pct);
}

void cell_text(double f, int width, char *out)
{
    char num[3];
    percent_digits(f, num);
    if (width <= 1) {
        out[0] = ' ';
        out[1] = '\0';
        return;
    }
    memset(out, ' ', (size_t)width);
    if (width == 2) {
        /* Two digits would run into the next cell: tens of % and a gap. */
        out[0] = num[0];
    } else {
        /* "42 ", " 42 " */
        memcpy(out + (width >= 4 ? 1 : 0), num, 2);
    }
    out[width] = '\0';
}

static bool try_layout(device_layout *l, int cols, int rows, int gx, int gy, int w, bool below)
{
    int heat_w = LAYOUT_ROW_LABEL_W + gx * w;
    int heat_h = 1 + gy + 1;
    int body = rows - LAYOUT_HEADER_ROWS;
    if (!below) {
        int table_x = heat_w + LAYOUT_TABLE_GAP;
        int table_w = cols - table_x;
        if (table_w < LAYOUT_TABLE_MIN_W || body < (heat_h > LAYOUT_TABLE_ROWS ? heat_h : LAYOUT_TABLE_ROWS))
            return false;
        *l = (device_layout){ true, w, 0, LAYOUT_HEADER_ROWS, heat_w, heat_h, table_x, LAYOUT_HEADER_ROWS,
                              table_w, false };
        return true;
    }
    if (cols < heat_w || cols < LAYOUT_TABLE_MIN_W || body < heat_h + 1 + LAYOUT_TABLE_ROWS)
        return false;
    *l = (device_layout){ true, w, 0, LAYOUT_HEADER_ROWS, heat_w, heat_h, 0, LAYOUT_HEADER_ROWS + heat_h + 1,
                          cols, true };
    return true;
}

device_layout layout_device(int cols, int rows, int gx, int gy)
{
    device_layout l;
    memset(&l, 0, sizeof l);
    if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS || gx <= 0 || gy <= 0)
        return l;
    for (int below = 0; below <= 1; below++)
        for (int w = LAYOUT_CELL_MAX_W; w >= 1; w--)
            if (try_layout(&l, cols, rows, gx, gy, w, below != 0))
                return l;
    memset(&l, 0, sizeof l);
    return l;
}

int layout_device_min_cols(int gx) { return LAYOUT_ROW_LABEL_W + gx + LAYOUT_TABLE_GAP + LAYOUT_TABLE_MIN_W; }

int layout_device_min_rows(int gy) { return LAYOUT_HEADER_ROWS + gy + 2 + LAYOUT_TABLE_ROWS; }

bool layout_core_at(const device_layout *l, int gx, int gy, int x, int y, int *cx, int *cy)
{
    int col = x - l->heat_x - LAYOUT_ROW_LABEL_W, row = y - l->heat_y - 1; /* below the column labels */
    if (!l->fits || l->cell_w <= 0 || col < 0 || row < 0 || col / l->cell_w >= gx || row >= gy)
        return false;
    *cx = col / l->cell_w;
    *cy = row;
    return true;
}

#define OVERVIEW_BAR_W 34

overview_layout layout_overview(int cols, int rows, int n, int gx, int gy)
{
    overview_layout o;
    memset(&o, 0, sizeof o);
    int body = rows - LAYOUT_HEADER_ROWS - 1; /* header, tabs line, footer */
    if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS || n <= 0)
        return o;
    /* Mini heatmaps: label line + one row per core row, one char per core. */
    int tile_w = (gx > 10 ? gx : 10) + 2, tile_h = gy + 2;
    int per_row = cols / tile_w;
    if (per_row > 0 && ((n + per_row - 1) / per_row) * tile_h <= body) {
        o = (overview_layout){ true, true, tile_w, tile_h, per_row };
        return o;
    }
    per_row = cols / OVERVIEW_BAR_W;
    if (per_row < 1)
        per_row = 1;
    if ((n + per_row - 1) / per_row <= body) {
        o = (overview_layout){ true, false, cols / per_row, 1, per_row };
        return o;
    }
    return o;
}

int layout_overview_tile_at(const overview_layout *o, int x, int y)
{
    if (!o->fits || o->tile_w <= 0 || o->tile_h <= 0 || x < 0 || y < LAYOUT_HEADER_ROWS || x / o->tile_w >= o->per_row)
        return -1;
    return (y - LAYOUT_HEADER_ROWS) / o->tile_h * o->per_row + x / o->tile_w;
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

int layout_tab_label(char *out, size_t n, uint32_t id, const char *arch, int gx, int gy, bool selected)
{
    int w = snprintf(out, n, selected ? "[%u:%s %dx%d]" : " %u:%s %dx%d ", id, arch, gx, gy);
    return w < 0 ? 0 : w;
}
