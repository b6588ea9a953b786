/*
 * render_core.c - the core view: one core's address map from 0 to its L1
 * size as a strip coloured by kind, and every region and hole on it in
 * address order; the largest free hole highlighted, clashes marked. The
 * peak line names the core's high-water mark and when it was reached; on a
 * timeline (a trace, a recording) c moves to that moment, so the map shown
 * is the map at the peak. Live data keeps marks, not maps (see
 * docs/architecture.md): the map at a live peak needs a recording.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/format.h"
#include "views/render.h"
#include "views/view_peaks.h"

#define STRIP_ROW 3            /* the address strip; its address marks under it */
#define PEAK_ROW 5             /* the core's high-water mark and when it was reached */
#define COUNT_ROW 6            /* how many spans, and the first one shown */
#define LIST_ROW 7             /* the span list's header */
#define ADDR_LABEL_W 12        /* room for "0x1FFFFF" and a gap at either end of the strip */
#define STRIP_MARKS_MIN_COLS 30 /* narrower: only the start address under the strip */
#define UB_MARK_MIN_X 10       /* the unreserved-base mark starts after the start address */

/* Category shown at [a, b) of the strip: the region covering most of it. */
static l1_category strip_category(const map_span *sp, size_t n, uint64_t a, uint64_t b, bool *clash)
{
    uint64_t best = 0;
    l1_category cat = CAT_FREE;
    *clash = false;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].end <= a || sp[i].start >= b)
            continue;
        uint64_t lo = sp[i].start > a ? sp[i].start : a, hi = sp[i].end < b ? sp[i].end : b;
        /* Regions win over holes; then the one covering most. */
        uint64_t weight = (hi - lo) + (sp[i].region >= 0 ? b - a : 0);
        if (weight > best) {
            best = weight;
            cat = sp[i].category;
        }
        *clash |= sp[i].clash;
    }
    return cat;
}

/* Row 3: the core's L1 from 0 to its size, one cell per slice; row 4: the addresses. */
static void draw_strip(const tui_state *st, const snap_device *d, const map_span *sp, size_t n)
{
    int sw = COLS - 2;
    for (int i = 0; i < sw; i++) {
        uint64_t lo = (uint64_t)d->l1_size * (uint64_t)i / (uint64_t)sw;
        uint64_t hi = (uint64_t)d->l1_size * (uint64_t)(i + 1) / (uint64_t)sw;
        bool clash;
        l1_category c = strip_category(sp, n, lo, hi > lo ? hi : lo + 1, &clash);
        char ch[2] = { clash ? '!' : render_category_letter(c), '\0' };
        attr_t attr = clash ? render_alert_attr(&st->rc) : render_category_attr(&st->rc, c);
        if (st->rc.color && !clash)
            attr |= A_REVERSE;
        render_put(STRIP_ROW, 1 + i, 1, attr, ch);
    }
    char lo[16], hi[16];
    format_addr(0, lo, sizeof lo);
    format_addr(d->l1_size, hi, sizeof hi);
    render_put(STRIP_ROW + 1, 1, ADDR_LABEL_W, A_DIM, lo);
    if (COLS > STRIP_MARKS_MIN_COLS) {
        char ub[40];
        snprintf(ub, sizeof ub, "^unreserved base 0x%X", d->unreserved_base);
        int ux = 1 + (int)((uint64_t)d->unreserved_base * (uint64_t)sw / d->l1_size);
        if (ux < UB_MARK_MIN_X)
            ux = UB_MARK_MIN_X;
        render_put(STRIP_ROW + 1, ux, COLS - ux - ADDR_LABEL_W, A_DIM, ub);
        render_put(STRIP_ROW + 1, COLS - 1 - (int)strlen(hi), (int)strlen(hi), A_DIM, hi);
    }
}

/* The largest free hole of the map (highlighted in the list), or SIZE_MAX. */
static size_t largest_hole(const map_span *sp, size_t n)
{
    size_t largest = SIZE_MAX;
    uint64_t largest_len = 0;
    for (size_t i = 0; i < n; i++)
        if (sp[i].category == CAT_FREE && sp[i].end - sp[i].start > largest_len) {
            largest_len = sp[i].end - sp[i].start;
            largest = i;
        }
    return largest;
}

static void span_row(const tui_state *st, int y, const map_span *sp, bool largest)
{
    const snap_region *r = sp->region >= 0 ? &st->snap->regions[sp->region] : NULL;
    const snap_process *p = r && r->process < st->snap->nprocesses ? &st->snap->processes[r->process] : NULL;
    char s1[16], s2[16], sz[24], pid[16], name[64];
    snprintf(pid, sizeof pid, "%d", p ? p->pid : 0);
    attr_t attr = render_category_attr(&st->rc, sp->category);
    if (sp->clash)
        attr = render_alert_attr(&st->rc);
    else if (largest)
        attr = A_REVERSE | A_BOLD;
    render_putf(y, 1, COLS - 2, attr, "%-9s %-9s %10s  %-10s %7s  %s %s%s", format_addr(sp->start, s1, sizeof s1),
                format_addr(sp->end, s2, sizeof s2), format_bytes_unit(sp->end - sp->start, UNITS(st), sz, sizeof sz),
                category_short[sp->category], p ? pid : "-", render_fit(name, sizeof name, p ? p->name : "-", 14),
                r ? r->tag : "", sp->clash ? "  ! clash" : largest ? "  <- largest free" : "");
}

/* The selected core's map, from the cache when data and core are unchanged. */
static const core_map_cache *core_map(const tui_state *st)
{
    core_map_cache *c = st->core_cache;
    uint32_t dev = (uint32_t)st->visible[st->sel];
    if (c->gen == 0 || c->gen != st->data_gen || c->dev != dev || c->x != st->cx || c->y != st->cy) {
        c->n = accounting_core_map(st->snap, dev, st->cx, st->cy, c->spans, CORE_MAP_MAX_SPANS, &c->needed);
        c->gen = st->data_gen;
        c->dev = dev;
        c->x = st->cx;
        c->y = st->cy;
    }
    return c;
}

void render_core(const tui_state *st)
{
    const device_usage *du;
    const snap_device *d = tui_selected_device(st, &du);
    if (!d)
        return;
    if (COLS < LAYOUT_MIN_COLS || LINES < LAYOUT_MIN_ROWS) {
        render_too_small(LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
        return;
    }
    const core_map_cache *cm = core_map(st);
    const map_span *spans = cm->spans;
    size_t n = cm->n, needed = cm->needed;
    const core_usage *u = &du->cores[st->cy * d->grid_x + st->cx];
    char a[24], b[24];
    render_putf(2, 1, COLS - 2, A_BOLD, "Core (%u,%u) of device %u  %s  L1 %s  used %.1f%%  largest free %s%s", st->cx,
                st->cy, d->id, d->arch_name, format_bytes_unit(d->l1_size, UNITS(st), a, sizeof a), usage_used_pct(u->bytes),
                format_bytes_unit(u->largest_free, UNITS(st), b, sizeof b), u->clash_bytes ? "  CLASH" : "");
    draw_strip(st, d, spans, n);
    const peak_figures *pk = view_core_peak(view_peak_device(st->snap, d), st->cx, st->cy);
    if (pk) {
        char pb[24], why[160];
        render_putf(PEAK_ROW, 1, COLS - 2, pk->clash_bytes ? render_warn_attr(&st->rc) : A_NORMAL,
                    "peak used %s (%.1f%%) %s%s  %s", format_bytes_unit(pk->used, UNITS(st), pb, sizeof pb),
                    d->l1_size ? 100.0 * (double)pk->used / (double)d->l1_size : 0.0,
                    view_peak_moment(&pk->at, why, sizeof why), pk->clash_bytes ? "  clashed" : "",
                    st->timeline ? "[c] the map then" : "[R] reset");
    } else if (st->timeline) {
        render_put(PEAK_ROW, 1, COLS - 2, A_DIM, "[c] this core at its own peak (the map then)");
    }
    size_t largest = largest_hole(spans, n);
    int y = LIST_ROW;
    render_putf(y++, 1, COLS - 2, A_BOLD | A_UNDERLINE, "%-9s %-9s %10s  %-10s %7s  %-14s %s", "address", "end", "size",
                "kind", "pid", "process", "tag");
    size_t first = st->core_scroll < n ? st->core_scroll : (n ? n - 1 : 0);
    for (size_t i = first; i < n && y < LINES - 1; i++, y++)
        span_row(st, y, &spans[i], i == largest);
    render_putf(COUNT_ROW, 1, COLS - 2, A_DIM, "%zu spans%s, from the %zu%s", needed,
                needed > n ? " (list truncated)" : "", first + 1, first == 0 ? "st" : "th");
}
