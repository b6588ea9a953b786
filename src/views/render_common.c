/*
 * render_common.c - what every screen draws with: colours from the theme,
 * glyphs, text clipped to display columns, and "enlarge the terminal".
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <wchar.h>
#include <limits.h>

#include "views/format.h"
#include "views/render.h"

enum {
    PAIR_HEADER = 1,
    PAIR_ALERT,
    PAIR_WARN,
    PAIR_DIM,
    PAIR_TABLE,
    PAIR_BAR,
    PAIR_CAT0,                       /* one pair per category */
    PAIR_RAMP0 = PAIR_CAT0 + CAT_COUNT, /* ramp pairs */
};

#define RAMP_MAX 12

static const short category_fg[CAT_COUNT] = {
    COLOR_GREEN, COLOR_CYAN, COLOR_YELLOW, COLOR_MAGENTA, COLOR_BLUE, COLOR_BLUE, COLOR_MAGENTA, COLOR_RED, COLOR_WHITE,
};

/* A theme colour index on this terminal: as is with 256 colours, else the
 * nearest of the 8 basic ones. */
static short term_color(int idx)
{
    if (idx < 0)
        return -1;
    if (COLORS >= 256)
        return (short)idx;
    if (idx < 8)
        return (short)idx;
    if (idx < 16)
        return (short)(idx - 8);
    return (short)rgb_to_ansi8(xterm256_rgb(idx));
}

static void init_theme_pair(short pair, theme_pair p)
{
    init_pair(pair, term_color(p.fg), term_color(p.bg));
}

void render_init(render_ctx *rc, bool want_color, const theme *t)
{
    theme fallback;
    if (!t) {
        theme_default(&fallback);
        t = &fallback;
    }
    bool utf8 = rc->utf8;
    memset(rc, 0, sizeof *rc);
    rc->utf8 = utf8;
    snprintf(rc->theme, sizeof rc->theme, "%s", t->name);
    rc->ramp_levels = 5; /* mono shading levels */
    rc->no_color = !want_color;
    if (!want_color || t->monochrome || !has_colors())
        return;
    if (start_color() != OK)
        return;
    use_default_colors();
    rc->color = true;
    rc->c256 = COLORS >= 256 && COLOR_PAIRS >= PAIR_RAMP0 + RAMP_MAX;
    init_theme_pair(PAIR_HEADER, t->header);
    init_theme_pair(PAIR_ALERT, t->critical);
    init_theme_pair(PAIR_WARN, t->warning);
    init_pair(PAIR_DIM, COLOR_BLUE, -1);
    init_theme_pair(PAIR_TABLE, t->table);
    init_theme_pair(PAIR_BAR, t->bar);
    for (int c = 0; c < CAT_COUNT; c++)
        init_pair((short)(PAIR_CAT0 + c), category_fg[c], -1);
    rgb ramp[RAMP_MAX];
    rc->ramp_levels = rc->c256 ? RAMP_MAX : 6;
    theme_ramp(t, rc->ramp_levels, ramp);
    for (int i = 0; i < rc->ramp_levels; i++) {
        int fg = text_color_on(ramp[i]);
        if (rc->c256)
            init_pair((short)(PAIR_RAMP0 + i), (short)fg, (short)rgb_to_xterm256(ramp[i]));
        else
            init_pair((short)(PAIR_RAMP0 + i), fg == 16 ? COLOR_BLACK : COLOR_WHITE, (short)rgb_to_ansi8(ramp[i]));
    }
}

/* Copy at most cols display columns of s (whole characters: wide ones count
 * two, combining ones none; what the locale cannot show becomes '?'), then
 * pad with spaces to cols when asked. Byte counts would shift columns as
 * soon as a name holds a multi-byte character. */
static const char *fit_columns(char *dst, size_t cap, const char *s, int cols, bool pad)
{
    mbstate_t mb;
    memset(&mb, 0, sizeof mb);
    size_t used = 0, left = strlen(s);
    int w = 0;
    while (left && used + MB_LEN_MAX + 1 < cap) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, left, &mb);
        int cw = n == 0 || n > left ? -1 : wcwidth(wc);
        if (cw < 0) { /* undecodable or unprintable here: one '?' per byte */
            memset(&mb, 0, sizeof mb);
            n = 1;
            cw = 1;
        }
        if (w + cw > cols)
            break;
        if (cw == 1 && n == 1 && ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f))
            dst[used++] = '?';
        else {
            memcpy(dst + used, s, n);
            used += n;
        }
        w += cw;
        s += n;
        left -= n;
    }
    while (pad && w < cols && used + 1 < cap) {
        dst[used++] = ' ';
        w++;
    }
    dst[used] = '\0';
    return dst;
}

const char *render_fit(char *dst, size_t cap, const char *s, int cols) { return fit_columns(dst, cap, s, cols, true); }

void render_put(int y, int x, int maxw, attr_t attr, const char *text)
{
    if (y < 0 || y >= LINES || x < 0 || x >= COLS || maxw <= 0)
        return;
    if (maxw > COLS - x)
        maxw = COLS - x;
    char fitted[1024];
    attron(attr);
    mvaddstr(y, x, fit_columns(fitted, sizeof fitted, text, maxw, false));
    attroff(attr);
}

void render_putf(int y, int x, int maxw, attr_t attr, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    render_put(y, x, maxw, attr, buf);
}

attr_t render_ramp_attr(const render_ctx *rc, double f)
{
    if (!rc->color)
        return f >= 0.9 ? A_BOLD : A_NORMAL;
    return COLOR_PAIR(PAIR_RAMP0 + ramp_level(f, rc->ramp_levels));
}

attr_t render_category_attr(const render_ctx *rc, l1_category c)
{
    if (!rc->color)
        return c == CAT_FREE ? A_DIM : A_NORMAL;
    return COLOR_PAIR(PAIR_CAT0 + (int)c) | (c == CAT_FREE ? A_DIM : A_BOLD);
}

attr_t render_alert_attr(const render_ctx *rc) { return rc->color ? COLOR_PAIR(PAIR_ALERT) | A_BOLD : A_REVERSE | A_BOLD; }
attr_t render_warn_attr(const render_ctx *rc) { return rc->color ? COLOR_PAIR(PAIR_WARN) : A_BOLD; }
attr_t render_header_attr(const render_ctx *rc) { return rc->color ? COLOR_PAIR(PAIR_HEADER) : A_REVERSE; }
attr_t render_bar_attr(const render_ctx *rc) { return rc->color ? COLOR_PAIR(PAIR_BAR) : A_NORMAL; }
attr_t render_table_attr(const render_ctx *rc) { return rc->color ? COLOR_PAIR(PAIR_TABLE) : A_NORMAL; }

const char *render_shade(const render_ctx *rc, double f)
{
    static const char *const utf8[5] = { " ", "\u2591", "\u2592", "\u2593", "\u2588" };
    static const char *const ascii[5] = { " ", ".", ":", "*", "#" };
    int l = ramp_level(f, 5);
    return rc->utf8 ? utf8[l] : ascii[l];
}

char render_category_letter(l1_category c)
{
    static const char letters[CAT_COUNT] = { 'B', 's', 'C', 'K', 'S', 'R', 'k', 'F', '.' };
    return c < CAT_COUNT ? letters[c] : '?';
}

void render_too_small(int need_cols, int need_rows)
{
    char msg[96];
    snprintf(msg, sizeof msg, "enlarge the terminal (%dx%d, need %dx%d)", COLS, LINES, need_cols, need_rows);
    int y = LINES / 2, x = 0;
    int len = (int)strlen(msg);
    if (len < COLS)
        x = (COLS - len) / 2;
    render_put(y, x, COLS - x, A_BOLD, msg);
}
