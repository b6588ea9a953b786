/*
 * theme_color.c - a theme's colours (see views/theme.h): the built-in
 * default and the colour maths the renderers use. Loading theme files is
 * the command line's (cli/theme.c).
 */
#include "views/theme.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ---------- colour maths ---------- */

static const rgb ansi16[16] = {
    { 0, 0, 0 },       { 205, 0, 0 },   { 0, 205, 0 },   { 205, 205, 0 },   { 0, 0, 238 },   { 205, 0, 205 },
    { 0, 205, 205 },   { 229, 229, 229 }, { 127, 127, 127 }, { 255, 0, 0 },   { 0, 255, 0 },   { 255, 255, 0 },
    { 92, 92, 255 },   { 255, 0, 255 },   { 0, 255, 255 },   { 255, 255, 255 },
};

rgb xterm256_rgb(int i)
{
    if (i < 0 || i > 255)
        return (rgb){ 0, 0, 0 };
    if (i < 16)
        return ansi16[i];
    if (i >= 232) {
        uint8_t v = (uint8_t)(8 + (i - 232) * 10);
        return (rgb){ v, v, v };
    }
    static const uint8_t steps[6] = { 0, 95, 135, 175, 215, 255 };
    int c = i - 16;
    return (rgb){ steps[c / 36], steps[(c / 6) % 6], steps[c % 6] };
}

static long dist2(rgb a, rgb b)
{
    long dr = (long)a.r - b.r, dg = (long)a.g - b.g, db = (long)a.b - b.b;
    return dr * dr * 3 + dg * dg * 4 + db * db * 2; /* rough perceptual weights */
}

int rgb_to_xterm256(rgb c)
{
    int best = 16;
    long best_d = LONG_MAX;
    for (int i = 16; i < 256; i++) { /* the stable part of the palette */
        long d = dist2(c, xterm256_rgb(i));
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

int rgb_to_ansi8(rgb c)
{
    int best = 0;
    long best_d = LONG_MAX;
    for (int i = 0; i < 8; i++) {
        long d = dist2(c, ansi16[i]);
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

void theme_ramp(const theme *t, int levels, rgb *out)
{
    for (int i = 0; i < levels; i++) {
        if (t->nramp == 0) {
            out[i] = (rgb){ 0, 0, 0 };
            continue;
        }
        if (t->nramp == 1 || levels == 1) {
            out[i] = t->ramp[0];
            continue;
        }
        double pos = (double)i * (double)(t->nramp - 1) / (double)(levels - 1);
        size_t k = (size_t)pos;
        if (k >= t->nramp - 1)
            k = t->nramp - 2;
        double f = pos - (double)k;
        rgb a = t->ramp[k], b = t->ramp[k + 1];
        out[i] = (rgb){ (uint8_t)(a.r + (b.r - a.r) * f + 0.5), (uint8_t)(a.g + (b.g - a.g) * f + 0.5),
                        (uint8_t)(a.b + (b.b - a.b) * f + 0.5) };
    }
}

int text_color_on(rgb c)
{
    double lum = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    return lum > 140 ? 16 : 231; /* black on light, white on dark (xterm indices) */
}

/* ---------- the built-in default ---------- */

rgb rgb_hex(uint32_t v) { return (rgb){ (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v }; }

void theme_default(theme *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "default");
    t->header = (theme_pair){ 0, 6 };
    t->table = (theme_pair){ -1, -1 };
    t->bar = (theme_pair){ 2, -1 };
    t->warning = (theme_pair){ 0, 3 };
    t->critical = (theme_pair){ 15, 1 };
    static const uint32_t stops[] = { 0x303030, 0x005f00, 0x5faf00, 0xd7af00, 0xd75f00, 0xd70000 };
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        t->ramp[i] = rgb_hex(stops[i]);
    t->nramp = sizeof stops / sizeof stops[0];
}

