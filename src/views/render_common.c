/*
 * render_common.c - colours, glyphs, clipped text, and the small screens:
 * header, help, waiting, too small.
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

/* ---------- header ---------- */

/* Append to a NUL-terminated buffer, truncating at its end. */
static void append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

void render_header(const tui_state *st)
{
    attr_t h = render_header_attr(&st->rc);
    move(0, 0);
    attron(h);
    hline(' ', COLS);
    attroff(h);
    size_t ndev = st->snap ? st->snap->ndevices : 0, nproc = st->snap ? st->snap->nprocesses : 0;
    char left[256];
    snprintf(left, sizeof left, " l1top %s  %s  %zu dev  %zu proc  %.1fs  %s  [t] %s", L1TOP_VERSION_STRING,
             st->segment, ndev, nproc, st->delay_tenths / 10.0, st->clock, st->rc.theme);
    render_put(0, 0, COLS, h | A_BOLD, left);
    /* Warnings, right-aligned. */
    char warn[160] = "";
    if (st->snap) {
        size_t clashes = 0;
        bool at_least = false;
        for (size_t i = 0; st->acct && i < st->acct->ndevices; i++) {
            clashes += st->acct->devices[i].clash_pairs_at_least;
            at_least |= st->acct->devices[i].clashes_truncated;
        }
        uint64_t bad = st->snap->bad_records + st->snap->torn_records;
        if (st->snap->dropped_records)
            append(warn, sizeof warn, " dropped %llu ", (unsigned long long)st->snap->dropped_records);
        if (clashes)
            append(warn, sizeof warn, " clashes %s%zu ", at_least ? ">=" : "", clashes);
        if (st->snap->dead_writers)
            append(warn, sizeof warn, " stale writers %u ", st->snap->dead_writers);
        if (bad)
            append(warn, sizeof warn, " bad records %llu ", (unsigned long long)bad);
    }
    if (st->warning && *st->warning)
        append(warn, sizeof warn, " %s ", st->warning);
    if (st->alerts) {
        const firing_alert *fa;
        size_t n = alerts_firing(st->alerts, &fa);
        if (n)
            append(warn, sizeof warn, " ALERTS %zu%s ", n, alerts_exit_level(st->alerts) == 2 ? " critical" : "");
    }
    if (st->config_error[0])
        append(warn, sizeof warn, " config: %s ", st->config_error);
    if (st->paused)
        append(warn, sizeof warn, " PAUSED ");
    int wl = (int)strlen(warn);
    int lx = (int)strlen(left) + 1;
    if (wl && COLS - wl > lx)
        render_put(0, COLS - wl, wl, render_alert_attr(&st->rc), warn);
    else if (wl && COLS > lx)
        render_put(0, lx, COLS - lx, render_alert_attr(&st->rc), warn);

    /* Line 1: device tabs and the metric. */
    if (!st->snap)
        return;
    int x = 0;
    for (size_t i = 0; i < st->nvisible && x < COLS; i++) {
        const snap_device *d = &st->snap->devices[st->visible[i]];
        char tab[48];
        int n = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, i == st->sel);
        render_put(1, x, COLS - x, i == st->sel ? A_REVERSE | A_BOLD : A_NORMAL, tab);
        x += n;
    }
    char right[96];
    snprintf(right, sizeof right, " [m] %s%s ", metric_name(st->metric), st->allocator_view ? "  [a] allocator view" : "");
    int rl = (int)strlen(right);
    if (COLS - rl > x)
        render_put(1, COLS - rl, rl, A_DIM, right);
}

/* ---------- help, waiting, too small ---------- */

static const char *const help_lines[] = {
    "Keys",
    "  q, F10        quit",
    "  Tab, S-Tab    next / previous device      1-9   device by position",
    "  arrows        move the core cursor (lists: scroll)",
    "  Enter         core view of the selected core (overview: open the device)",
    "  Esc           back to the device view",
    "  m             heatmap metric: used %, CBs, L1 buffers, free, largest free",
    "  a             allocator view: what an allocator-only monitor would report",
    "  p             processes (< > sort column, I invert)",
    "  A             alerts: active ones and the history      r  reload the config",
    "  t             next colour theme (default, light, mono, colorblind, high-contrast)",
    "  T             TT-Metal's own allocator statistics (totals, --source tt-metal/all)",
    "  [ ]           --trace: previous / next L1 event   Home End  first / last   P  peak",
    "  o             overview of every device",
    "  space         pause / resume",
    "  + -           refresh interval up / down",
    "  h, ?, F1      this help                   mouse: click a core or a device",
    "",
    "Tracked and untracked",
    "  Tracked (T): what the TT-Metal allocator knows, explicit L1 and L1_SMALL.",
    "  Untracked (U): real but invisible to it: circular buffers, kernel binaries,",
    "  semaphores, runtime args and CB configs, the rest of the kernel-config ring,",
    "  firmware and mailboxes.",
    "",
    "Colours",
    "  heatmap: dark = empty ... red = full (mono: blank . : * # or shades)",
    "  address map: B L1 buffer, s L1_SMALL, C circular buffer, K kernel code,",
    "               S semaphores, R runtime, k kernel-config ring, F firmware,",
    "               . free, ! clash",
};

void render_help(const tui_state *st)
{
    int y = 2;
    for (size_t i = 0; i < sizeof help_lines / sizeof help_lines[0] && y < LINES - 1; i++, y++)
        render_put(y, 1, COLS - 2, help_lines[i][0] != ' ' && help_lines[i][0] ? A_BOLD : A_NORMAL, help_lines[i]);
    if (st->rc.color && y + 1 < LINES) {
        int x = 3;
        for (int c = 0; c < CAT_COUNT && x < COLS; c++) {
            char lbl[40];
            int n = snprintf(lbl, sizeof lbl, "%c %s  ", render_category_letter((l1_category)c), category_label[c]);
            render_put(y + 1, x, COLS - x, render_category_attr(&st->rc, (l1_category)c), lbl);
            x += n;
        }
    }
    render_put(LINES - 1, 1, COLS - 2, A_DIM, "Esc or h: back");
}

void render_waiting(const tui_state *st)
{
    int y = LINES / 2 - 3;
    if (y < 1)
        y = 1;
    char line[320];
    snprintf(line, sizeof line, "Waiting for L1 data on segment %s", st->segment);
    render_put(y, 2, COLS - 4, A_BOLD, line);
    if (st->status[0])
        render_put(y + 1, 2, COLS - 4, render_warn_attr(&st->rc), st->status);
    render_put(y + 3, 2, COLS - 4, A_NORMAL, "Start an instrumented program (linked with libl1top), or the simulator:");
    snprintf(line, sizeof line, "    L1TOP_SHM=%s l1sim --board n300 --workload llama-decode", st->segment);
    render_put(y + 4, 2, COLS - 4, A_NORMAL, line);
    render_put(y + 5, 2, COLS - 4, A_NORMAL, "or try the built-in demo:  l1top --demo");
    render_put(y + 7, 2, COLS - 4, A_DIM, "Still watching; data appears here as soon as a writer records. q quits.");
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
