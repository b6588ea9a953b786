/*
 * render_header.c - the frame around every view: the header line
 * (version, source, counts, interval, clock, theme, warnings right-aligned),
 * the device tabs under it, and the key bar on the last line.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "views/render.h"
#include "views/tui_keys.h"
#include "views/view_peaks.h"

#define TABS_MAX 256 /* devices the tabs line can hold (TUI_MAX_DEVICES) */

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

/* The header's remarks: data problems, the source's warning, alerts, a bad
 * reload, pause. */
static void header_warnings(const tui_state *st, char *warn, size_t n)
{
    warn[0] = '\0';
    if (st->snap) {
        size_t clashes = 0;
        bool at_least = false;
        for (size_t i = 0; st->acct && i < st->acct->ndevices; i++) {
            clashes += st->acct->devices[i].clash_pairs_at_least;
            at_least |= st->acct->devices[i].clashes_truncated;
        }
        uint64_t bad = st->snap->bad_records + st->snap->torn_records;
        if (st->snap->dropped_records)
            append(warn, n, " dropped %llu ", (unsigned long long)st->snap->dropped_records);
        if (clashes)
            append(warn, n, " clashes %s%zu ", at_least ? ">=" : "", clashes);
        if (st->snap->dead_writers)
            append(warn, n, " stale writers %u ", st->snap->dead_writers);
        if (bad)
            append(warn, n, " bad records %llu ", (unsigned long long)bad);
        if (st->snap->peaks && peaks_status(st->snap->peaks)->approximate) {
            char since[96];
            append(warn, n, " %s ", view_peaks_since(st->snap, since, sizeof since));
        }
    }
    if (st->warning && *st->warning)
        append(warn, n, " %s ", st->warning);
    const firing_alert *fa;
    size_t firing = st->alerts ? alerts_firing(st->alerts, &fa) : 0;
    if (firing)
        append(warn, n, " ALERTS %zu%s ", firing, alerts_exit_level(st->alerts) == 2 ? " critical" : "");
    if (st->alerts && alerts_exec_note(st->alerts)[0])
        append(warn, n, " exec said something: [A] ");
    if (st->config_error[0])
        append(warn, n, " config: %s ", st->config_error);
    if (st->paused)
        append(warn, n, " PAUSED ");
    if (st->recording[0])
        append(warn, n, " %s ", st->recording);
}

#define METRIC_NOTE_MAX 512

/* The right end of line 1: what the heatmap marks (fit, find, filter), what
 * the peaks cover, the heatmap metric and the allocator view. */
static int metric_note(const tui_state *st, char *out, size_t n)
{
    char marks[320], since[96] = "";
    if (st->snap->peaks && !peaks_status(st->snap->peaks)->approximate) /* approximate: in the header's warnings */
        view_peaks_since(st->snap, since, sizeof since);
    int w = snprintf(out, n, "%s %s%s[m] %s%s ", render_answers_note(st, marks, sizeof marks), since,
                     since[0] ? " [R]  " : "", metric_name(st->metric),
                     st->allocator_view ? "  [a] allocator view" : "");
    return w < 0 ? 0 : w >= (int)n ? (int)n - 1 : w;
}

/* The tabs that fit left of the metric note, scrolled to the selected one. */
static tab_window tabs_window(const tui_state *st, int width)
{
    int full[TABS_MAX], brief[TABS_MAX];
    size_t n = st->nvisible < TABS_MAX ? st->nvisible : TABS_MAX;
    char tab[64];
    for (size_t i = 0; i < n; i++) {
        const snap_device *d = &st->snap->devices[st->visible[i]];
        full[i] = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, false, false);
        brief[i] = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, false, true);
    }
    return layout_tabs(full, brief, n, st->sel, width);
}

static int tabs_width(const tui_state *st)
{
    char note[METRIC_NOTE_MAX];
    int w = COLS - metric_note(st, note, sizeof note) - 1;
    return w > 0 ? w : COLS;
}

/* Line 1: the device tabs ("< 3 more", "12 more >" past the ends), and the metric on the right. */
static void tabs_line(const tui_state *st)
{
    tab_window tw = tabs_window(st, tabs_width(st));
    char more[24];
    int x = 0;
    if (tw.left_w) {
        layout_tab_more(more, sizeof more, tw.first, true);
        render_put(1, x, tw.left_w, A_BOLD, more);
        x += tw.left_w;
    }
    for (size_t i = tw.first; i < tw.last && x < COLS; i++) {
        const snap_device *d = &st->snap->devices[st->visible[i]];
        char tab[64];
        int n = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, i == st->sel, tw.brief);
        render_put(1, x, COLS - x, i == st->sel ? A_REVERSE | A_BOLD : A_NORMAL, tab);
        x += n;
    }
    if (tw.right_w) {
        layout_tab_more(more, sizeof more, st->nvisible - tw.last, false);
        render_putf(1, x, tw.right_w, A_BOLD, "%*s", tw.right_w, more);
        x += tw.right_w;
    }
    char right[METRIC_NOTE_MAX];
    int rl = metric_note(st, right, sizeof right);
    if (COLS - rl > x)
        render_put(1, COLS - rl, rl, A_DIM, right);
}

void render_header(const tui_state *st)
{
    attr_t h = render_header_attr(&st->rc);
    move(0, 0);
    attron(h);
    hline(' ', COLS);
    attroff(h);
    size_t ndev = st->snap ? st->snap->ndevices : 0, nproc = st->snap ? st->snap->nprocesses : 0;
    char left[256], theme_note[80];
    /* Without colour the themes do not show: say so instead of naming one. */
    if (st->rc.no_color)
        snprintf(theme_note, sizeof theme_note, "no colour");
    else
        snprintf(theme_note, sizeof theme_note, "[t] %s", st->rc.theme);
    snprintf(left, sizeof left, " l1top %s  %s  %zu dev  %zu proc  %.1fs  %s  %s", L1TOP_VERSION_STRING,
             st->segment, ndev, nproc, st->delay_tenths / 10.0, st->clock, theme_note);
    render_put(0, 0, COLS, h | A_BOLD, left);
    /* Warnings, right-aligned; after the left part when they do not fit there. */
    char warn[256];
    header_warnings(st, warn, sizeof warn);
    int wl = (int)strlen(warn);
    int lx = (int)strlen(left) + 1;
    if (wl && COLS - wl > lx)
        render_put(0, COLS - wl, wl, render_alert_attr(&st->rc), warn);
    else if (wl && COLS > lx)
        render_put(0, lx, COLS - lx, render_alert_attr(&st->rc), warn);
    if (st->snap)
        tabs_line(st);
}

size_t render_tab_at(const tui_state *st, int x)
{
    if (!st->snap)
        return SIZE_MAX;
    tab_window tw = tabs_window(st, tabs_width(st));
    int left = tw.left_w;
    if (x < left) /* "< 3 more": the tab before the window */
        return tw.first > 0 ? tw.first - 1 : SIZE_MAX;
    for (size_t v = tw.first; v < tw.last; v++) {
        const snap_device *d = &st->snap->devices[st->visible[v]];
        char tab[64];
        int w = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, false, tw.brief);
        if (x >= left && x < left + w)
            return v;
        left += w;
    }
    if (tw.right_w && x >= left && x < left + tw.right_w) /* "12 more >": the tab after it */
        return tw.last;
    return SIZE_MAX;
}

/* The last line: what the last key said, then the view's keys. */
void render_key_bar(const tui_state *st)
{
    char bar[512];
    int x = 1;
    move(LINES - 1, 0);
    clrtoeol();
    if (st->message[0]) {
        render_putf(LINES - 1, x, COLS - 2, render_warn_attr(&st->rc) | A_BOLD, "%s", st->message);
        x += (int)strlen(st->message) + 2;
    }
    if (x < COLS - 1)
        render_put(LINES - 1, x, COLS - 1 - x, A_DIM, keys_bar(st->view, st->timeline, COLS - 1 - x, bar, sizeof bar));
}
