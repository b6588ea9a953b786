/*
 * render_lists.c - the process view (one row per live writer, sortable)
 * and the overview (every device at once: mini heatmaps or bars).
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "views/format.h"
#include "views/render.h"
#include "views/view_common.h"

static const char *const psort_names[PSORT_COUNT] = {
    "PID", "NAME", "DEVS", "L1BUF", "L1SMALL", "CB", "KERNEL", "SEM", "RUNTIME", "REGIONS",
};

static proc_sort sort_key;
static bool sort_reverse;
static const snapshot *sort_snap;

static int cmp_rows(const void *pa, const void *pb)
{
    const proc_row *a = pa, *b = pb;
    int c = 0;
    switch (sort_key) {
    case PSORT_PID: c = (sort_snap->processes[a->process].pid > sort_snap->processes[b->process].pid) -
                        (sort_snap->processes[a->process].pid < sort_snap->processes[b->process].pid); break;
    case PSORT_NAME: c = strcmp(sort_snap->processes[a->process].name, sort_snap->processes[b->process].name); break;
    case PSORT_DEVICES: c = (a->devices > b->devices) - (a->devices < b->devices); break;
    case PSORT_REGIONS: c = (a->regions > b->regions) - (a->regions < b->regions); break;
    default: {
        int k = (int)sort_key - (int)PSORT_L1; /* the six byte columns, in category order */
        c = (a->bytes[k] > b->bytes[k]) - (a->bytes[k] < b->bytes[k]);
        /* Bytes: biggest first, like htop's MEM% */
        c = -c;
    }
    }
    return sort_reverse ? -c : c;
}

size_t render_process_rows(const tui_state *st, proc_row *rows, size_t max)
{
    if (!st->snap || !st->acct)
        return 0;
    size_t n = 0;
    for (size_t p = 0; p < st->snap->nprocesses && n < max; p++) {
        proc_row *r = &rows[n];
        memset(r, 0, sizeof *r);
        r->process = (uint32_t)p;
        size_t used = 0;
        for (size_t v = 0; v < st->nvisible; v++) {
            const device_usage *du = &st->acct->devices[st->visible[v]];
            for (size_t i = 0; i < du->nprocesses; i++) {
                if (du->processes[i].process != p)
                    continue;
                for (int k = 0; k < CAT_RECORDED; k++)
                    r->bytes[k] += du->processes[i].bytes[k];
                r->regions += du->processes[i].regions;
                r->devices++;
                if (used < sizeof r->device_list)
                    used += (size_t)snprintf(r->device_list + used, sizeof r->device_list - used, "%s%u",
                                             used ? "," : "", st->snap->devices[st->visible[v]].id);
            }
        }
        if (!r->devices)
            snprintf(r->device_list, sizeof r->device_list, "-");
        n++;
    }
    sort_key = st->psort;
    sort_reverse = st->preverse;
    sort_snap = st->snap;
    qsort(rows, n, sizeof *rows, cmp_rows);
    return n;
}

void render_processes(const tui_state *st)
{
    if (COLS < LAYOUT_MIN_COLS || LINES < 6) {
        render_too_small(LAYOUT_MIN_COLS, 6);
        return;
    }
    static proc_row rows[1024];
    size_t n = render_process_rows(st, rows, 1024);
    render_putf(2, 1, COLS - 2, A_BOLD, "Processes: %zu writing   sort: %s%s   (< > column, I invert, Esc back)", n,
                psort_names[st->psort], st->preverse ? " (inverted)" : "");
    int y = 3;
    char head[256];
    int len = 0;
    static const int widths[PSORT_COUNT] = { 8, 16, 8, 10, 10, 10, 10, 9, 10, 8 };
    for (int c = 0; c < PSORT_COUNT; c++) {
        int w = widths[c];
        len += snprintf(head + len, sizeof head - (size_t)len, c == PSORT_NAME ? " %-*s" : " %*s", w - 1,
                        psort_names[c]);
    }
    render_put(y, 0, COLS, A_BOLD | A_UNDERLINE, head);
    /* Mark the sort column: its header cell in reverse. */
    int x = 0;
    for (int c = 0; c < (int)st->psort; c++)
        x += widths[c];
    if (x < len)
        render_put(y, x, widths[st->psort], A_REVERSE | A_BOLD, head + x);
    y++;
    size_t visible_rows = (size_t)(LINES - y - 1);
    size_t first = st->proc_sel >= visible_rows ? st->proc_sel - visible_rows + 1 : 0;
    for (size_t i = first; i < n && y < LINES - 1; i++, y++) {
        const proc_row *r = &rows[i];
        const snap_process *p = &st->snap->processes[r->process];
        char b[6][16], name[64];
        for (int k = 0; k < 6; k++)
            format_bytes_unit(r->bytes[k], UNITS(st), b[k], sizeof b[k]);
        render_putf(y, 0, COLS, i == st->proc_sel ? A_REVERSE : A_NORMAL,
                    " %7d %s %7s %9s %9s %9s %9s %8s %9s %7u", p->pid, render_fit(name, sizeof name, p->name, 15),
                    r->device_list, b[0], b[1], b[2],
                    b[3], b[4], b[5], r->regions);
    }
    if (n == 0)
        render_put(5, 2, COLS - 4, A_DIM, "no live writer process");
}

void render_overview(const tui_state *st)
{
    if (!st->snap || st->nvisible == 0)
        return;
    /* Tiles are sized for the largest grid shown. */
    int gx = 1, gy = 1;
    for (size_t v = 0; v < st->nvisible; v++) {
        const snap_device *d = &st->snap->devices[st->visible[v]];
        gx = d->grid_x > gx ? d->grid_x : gx;
        gy = d->grid_y > gy ? d->grid_y : gy;
    }
    overview_layout o = layout_overview(COLS, LINES, (int)st->nvisible, gx, gy);
    if (!o.fits) {
        render_too_small(LAYOUT_MIN_COLS, LAYOUT_HEADER_ROWS + 2 + (int)st->nvisible);
        return;
    }
    for (size_t v = 0; v < st->nvisible; v++) {
        size_t idx = st->visible[v];
        const snap_device *d = &st->snap->devices[idx];
        const device_usage *du = &st->acct->devices[idx];
        uint64_t total = usage_total(du->totals);
        double used = total ? (double)usage_used(du->totals) / (double)total : 0;
        double cb = total ? (double)du->totals[CAT_CIRCULAR_BUFFERS] / (double)total : 0;
        double tracked = total ? (double)usage_tracked(du->totals) / (double)total : 0;
        int col = (int)(v % (size_t)o.per_row), row = (int)(v / (size_t)o.per_row);
        int x = col * o.tile_w, y = LAYOUT_HEADER_ROWS + row * o.tile_h;
        attr_t sel = v == st->sel ? A_REVERSE | A_BOLD : A_BOLD;
        if (o.minimaps) {
            render_putf(y, x, o.tile_w - 1, sel, "%u %3.0f%%%s", d->id, used * 100, du->nclashes ? "!" : "");
            for (int cy = 0; cy < d->grid_y; cy++)
                for (int cx = 0; cx < d->grid_x; cx++) {
                    double f = metric_fraction(&du->cores[cy * d->grid_x + cx], d->l1_size, st->metric);
                    render_put(y + 1 + cy, x + cx, 1, render_ramp_attr(&st->rc, f),
                               st->rc.color ? " " : render_shade(&st->rc, f));
                }
        } else {
            char bar[64];
            int bw = o.tile_w - 26;
            if (bw > 40)
                bw = 40;
            if (bw < 1)
                bw = 1;
            bar_text(used, bw, bar);
            render_putf(y, x, o.tile_w - 1, sel, "%3u %-4.4s %4.0f%% cb%3.0f%% T%3.0f%% %s%s", d->id, d->arch_name,
                        used * 100, cb * 100, tracked * 100, bar, du->nclashes ? "!" : "");
        }
    }
    render_put(LINES - 1, 1, COLS - 2, A_DIM, "arrows select a device, Enter opens it, Esc back");
}

static void alert_line(const tui_state *st, int y, const firing_alert *a, const char *prefix)
{
    char where[ALERT_WHERE_LEN];
    attr_t attr = a->severity == SEVERITY_CRITICAL ? render_alert_attr(&st->rc) : render_warn_attr(&st->rc);
    render_putf(y, 1, COLS - 2, attr, "%s%-8s %-22s %-28s %s %.6g %s %.6g", prefix,
                a->severity == SEVERITY_CRITICAL ? "critical" : "warning", a->name,
                alert_where(where, sizeof where, a, false),
                alert_metric_name(a->metric), a->value, a->above ? ">" : "<", a->threshold);
}

void render_alerts(const tui_state *st)
{
    if (!st->alerts)
        return;
    const firing_alert *fa;
    size_t n = alerts_firing(st->alerts, &fa);
    int y = 2;
    render_putf(y++, 1, COLS - 2, A_BOLD, "Active alerts: %zu", n);
    int half = (LINES - 4) / 2;
    for (size_t i = 0; i < n && y < 3 + half; i++)
        alert_line(st, y++, &fa[i], "");
    if (n == 0)
        render_put(y++, 3, COLS - 4, A_DIM, "none");
    y++;
    size_t h = alerts_history_count(st->alerts);
    render_putf(y++, 1, COLS - 2, A_BOLD, "History (newest first): %zu events", h);
    for (size_t i = 0; i < h && y < LINES - 1; i++) {
        const alert_event *ev = alerts_history_at(st->alerts, h - 1 - i);
        time_t t = (time_t)(ev->unix_ms / 1000);
        struct tm tm;
        char when[16] = "";
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%H:%M:%S", &tm);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s %s ", when, ev->start ? "start" : "stop ");
        alert_line(st, y++, &ev->alert, prefix);
    }
    render_put(LINES - 1, 1, COLS - 2, A_DIM, "Esc or A: back");
}

void render_ttmetal(const tui_state *st)
{
    const snapshot *s = st->ttm_snap;
    if (!s)
        return;
    int y = 2;
    if (s->nboards) {
        render_put(y++, 1, COLS - 2, A_BOLD, "Boards (Tenstorrent driver)");
        for (size_t i = 0; i < s->nboards && y < LINES - 1; i++) {
            const tt_board *b = &s->boards[i];
            char clk[24] = "aiclk -", temp[24] = "temp -", pw[24] = "power -";
            if (b->has_aiclk)
                snprintf(clk, sizeof clk, "aiclk %u MHz", b->aiclk_mhz);
            if (b->has_temp)
                snprintf(temp, sizeof temp, "%.1f C", b->temp_c);
            if (b->has_power)
                snprintf(pw, sizeof pw, "%.1f W", b->power_w);
            render_putf(y++, 3, COLS - 4, A_NORMAL, "/dev/tenstorrent/%d  %-8s %-14s %-9s %-9s %zu process(es)", b->index,
                        b->card_type[0] ? b->card_type : "?", clk, temp, pw, b->npids);
        }
        y++;
    }
    if (!s->nttm)
        return;
    render_put(y++, 1, COLS - 2, A_BOLD, "TT-Metal allocator statistics: totals per device and process, no per-core data");
    render_put(y++, 1, COLS - 2, A_DIM, "(what TT-Metal's own allocator tracks; l1top's segment, when present, shows the rest)  T: back");
    for (size_t i = 0; i < s->nttm && y < LINES - 1; i++) {
        const ttm_device *d = &s->ttm[i];
        char b[TTM_COUNT][24];
        for (int k = 0; k < TTM_COUNT; k++)
            format_bytes_unit(d->live_totals[k], UNITS(st), b[k], sizeof b[k]);
        y++;
        render_putf(y++, 1, COLS - 2, A_BOLD, "device %u  asic 0x%llx  v%u%s   heatmap: no per-core data", d->device_id,
                    (unsigned long long)d->asic_id, d->version, d->ready ? "" : "  (not ready)");
        render_putf(y++, 3, COLS - 4, A_NORMAL, "%s %s   %s %s   %s %s   %s %s   %s %s", ttm_kind_label[0], b[0],
                    ttm_kind_label[1], b[1], ttm_kind_label[2], b[2], ttm_kind_label[3], b[3], ttm_kind_label[4], b[4]);
        for (size_t p = 0; p < d->nprocesses && y < LINES - 1; p++) {
            const ttm_process *pr = &d->processes[p];
            char l1[24], cb[24], small[24], name[80];
            render_putf(y++, 5, COLS - 6, pr->alive ? A_NORMAL : A_DIM, "%7d %s L1 %s  L1_SMALL %s  CB %s%s", pr->pid,
                        render_fit(name, sizeof name, pr->name, 16), format_bytes_unit(pr->bytes[TTM_L1], UNITS(st), l1, sizeof l1),
                        format_bytes_unit(pr->bytes[TTM_L1_SMALL], UNITS(st), small, sizeof small),
                        format_bytes_unit(pr->bytes[TTM_CB], UNITS(st), cb, sizeof cb), pr->alive ? "" : "  stale");
        }
    }
}
