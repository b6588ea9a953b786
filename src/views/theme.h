/*
 * theme.h - a colour theme as the views draw it: the colours of the
 * header, table, bars, warning/critical and the heatmap ramp (several
 * stops, interpolated for 256-colour terminals and reduced for 8-colour
 * ones), and the colour maths. Pure: no curses here; render_common.c turns
 * a theme into colour pairs. Theme files are loaded by cli/theme.c.
 */
#ifndef L1TOP_VIEWS_THEME_H
#define L1TOP_VIEWS_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THEME_MAX_STOPS 16
#define COLOR_DEFAULT_IDX (-1)

typedef struct {
    int16_t fg, bg; /* xterm-256 index, or -1 for the terminal's default */
} theme_pair;

typedef struct {
    uint8_t r, g, b;
} rgb;

typedef struct {
    char name[64];
    char path[512];          /* file it came from, "" for the built-in default */
    bool monochrome;         /* draw with attributes and shading only */
    theme_pair header, table, bar, warning, critical;
    rgb ramp[THEME_MAX_STOPS];
    size_t nramp;
} theme;

/* The built-in default (used when no theme file is installed). */
void theme_default(theme *t);

/* Colour maths. */
rgb xterm256_rgb(int index);
int rgb_to_xterm256(rgb c);
int rgb_to_ansi8(rgb c);
/* levels colours sampled evenly along the ramp (linear RGB interpolation). */
void theme_ramp(const theme *t, int levels, rgb *out);
/* Black or white, whichever reads better on c. */
int text_color_on(rgb c);

/* 0xRRGGBB as a colour. */
rgb rgb_hex(uint32_t v);

#endif
