/*
 * theme.h - colour themes as files: YAML naming the colours of the header,
 * table, bars, warning/critical and the heatmap ramp, the shipped ones and
 * where they are found. The theme itself and its colour maths are the
 * views' (views/theme.h).
 */
#ifndef L1TOP_THEME_H
#define L1TOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "views/theme.h"

/* The shipped themes, in the order the `t` key cycles them. */
#define THEME_SHIPPED_COUNT 5
extern const char *const theme_shipped[THEME_SHIPPED_COUNT];

/* Parse a theme from memory; 0, or -1 with "NAME:LINE:COL: message". */
int theme_load_string(theme *t, const char *name, const char *data, size_t len, char *err, size_t errlen);
int theme_load_file(theme *t, const char *path, char *err, size_t errlen);

/* Find NAME: $XDG_CONFIG_HOME/l1top/themes (or ~/.config/...), then
 * $L1TOP_THEME_DIR, the installed share directory, and themes/ next to the
 * binary's directory. "default" falls back to the built-in one. */
int theme_find(theme *t, const char *name, char *err, size_t errlen);

#endif
