/*
 * theme.h - colour themes: YAML files naming the colours of the header,
 * table, bars, warning/critical and the heatmap ramp (several stops,
 * interpolated for 256-colour terminals and reduced for 8-colour ones).
 * Pure: no curses here; render_common.c turns a theme into colour pairs.
 */
#ifndef L1TOP_THEME_H
#define L1TOP_THEME_H

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

/* The shipped themes, in the order the `t` key cycles them. */
#define THEME_SHIPPED_COUNT 5
extern const char *const theme_shipped[THEME_SHIPPED_COUNT];

/* The built-in default (used when no theme file is installed). */
void theme_default(theme *t);

/* Parse a theme from memory; 0, or -1 with "NAME:LINE:COL: message". */
int theme_load_string(theme *t, const char *name, const char *data, size_t len, char *err, size_t errlen);
int theme_load_file(theme *t, const char *path, char *err, size_t errlen);

/* Find NAME: $XDG_CONFIG_HOME/l1top/themes (or ~/.config/...), then
 * $L1TOP_THEME_DIR, the installed share directory, and themes/ next to the
 * binary's directory. "default" falls back to the built-in one. */
int theme_find(theme *t, const char *name, char *err, size_t errlen);

/* Colour maths. */
rgb xterm256_rgb(int index);
int rgb_to_xterm256(rgb c);
int rgb_to_ansi8(rgb c);
/* levels colours sampled evenly along the ramp (linear RGB interpolation). */
void theme_ramp(const theme *t, int levels, rgb *out);
/* Black or white, whichever reads better on c. */
int text_color_on(rgb c);

#endif
