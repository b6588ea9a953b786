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
    if (st->config_error[0])
        append(warn, n, " config: %s ", st->config_error);
    if (st->notice[0])
        append(warn, n, " %s ", st->notice);
    if (st->paused)
        append(warn, n, " PAUSED ");
}

/* Line 1: the device tabs, and the metric on the right. */
static void tabs_line(const tui_state *st)
{
    int x = 0;
    for (size_t i = 0; i < st->nvisible && x < COLS; i++) {
        const snap_device *d = &st->snap->devices[st->visible[i]];
        char tab[48];
        int n = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, i == st->sel);
        render_put(1, x, COLS - x, i == st->sel ? A_REVERSE | A_BOLD : A_NORMAL, tab);
        x += n;
    }
    char right[192], since[96] = "";
    if (st->snap->peaks && !peaks_status(st->snap->peaks)->approximate) /* approximate: in the header's warnings */
        view_peaks_since(st->snap, since, sizeof since);
    snprintf(right, sizeof right, " %s%s[m] %s%s ", since, since[0] ? " [R]  " : "", metric_name(st->metric),
             st->allocator_view ? "  [a] allocator view" : "");
    int rl = (int)strlen(right);
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
    char left[256];
    snprintf(left, sizeof left, " l1top %s  %s  %zu dev  %zu proc  %.1fs  %s  [t] %s", L1TOP_VERSION_STRING,
             st->segment, ndev, nproc, st->delay_tenths / 10.0, st->clock, st->rc.theme);
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
    int left = 0;
    for (size_t v = 0; st->snap && v < st->nvisible; v++) {
        const snap_device *d = &st->snap->devices[st->visible[v]];
        char tab[64];
        int w = layout_tab_label(tab, sizeof tab, d->id, d->arch_name, d->grid_x, d->grid_y, false);
        if (x >= left && x < left + w)
            return v;
        left += w;
    }
    return SIZE_MAX;
}

void render_key_bar(const tui_state *st)
{
    char bar[512];
    render_put(LINES - 1, 1, COLS - 2, A_DIM, keys_bar(st->view, st->timeline, bar, sizeof bar));
}
