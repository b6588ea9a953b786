/*
 * render_panels.c - the device view's panels around the heatmap and the
 * table, where tui_layout.c puts them: the hottest cores (by the heatmap's
 * metric), the alerts firing, the processes holding the device. A panel
 * the layout left empty (h == 0) is not drawn.
 */
#define _GNU_SOURCE /* qsort_r */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <stdlib.h>

#include "views/format.h"
#include "views/render.h"
#include "views/view_common.h"

#define HOT_CORES_MAX (64 * 64) /* the largest grid a segment declares (L1TOP_SHM_MAX_GRID squared) */
#define PANEL_PROCS_MAX 256
#define PANEL_PROCS_FULL_W 82 /* "%8d %-15s" + 5 sizes + "REGIONS" */

device_layout render_device_layout(const tui_state *st, const snap_device *d, const device_usage *du)
{
    const firing_alert *fa;
    layout_wants want = { (int)du->nprocesses, st->alerts ? (int)alerts_firing(st->alerts, &fa) : 0, STRIP_ROWS };
    return layout_device(COLS, LINES, d->grid_x, d->grid_y, &want);
}

/* The heatmap's metric is "hot" when high, except the free ones: there the tightest core comes first. */
static bool low_is_hot(heat_metric m) { return m == METRIC_FREE || m == METRIC_LARGEST_FREE; }

typedef struct {
    const device_usage *du;
    uint32_t l1_size;
    heat_metric metric;
} hot_order;

static int cmp_hot(const void *pa, const void *pb, void *ctx)
{
    const hot_order *o = ctx;
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    double fa = metric_fraction(&o->du->cores[a], o->l1_size, o->metric);
    double fb = metric_fraction(&o->du->cores[b], o->l1_size, o->metric);
    int c = (fa < fb) - (fa > fb); /* highest first */
    if (low_is_hot(o->metric))
        c = -c;
    return c ? c : (a > b) - (a < b);
}

void render_hot_cores(const tui_state *st, const snap_device *d, const device_usage *du, const layout_rect *r)
{
    if (r->h <= 0 || r->w <= 0 || du->ncores == 0 || du->ncores > HOT_CORES_MAX)
        return;
    uint32_t order[HOT_CORES_MAX];
    for (uint32_t c = 0; c < du->ncores; c++)
        order[c] = c;
    hot_order ho = { du, d->l1_size, st->metric };
    qsort_r(order, du->ncores, sizeof *order, cmp_hot, &ho);
    render_putf(r->y, r->x, r->w, A_BOLD | A_UNDERLINE, "%s cores: %s", low_is_hot(st->metric) ? "Tightest" : "Hottest",
                metric_name(st->metric));
    for (int i = 0; i + 1 < r->h && (uint32_t)i < du->ncores; i++) {
        uint32_t c = order[i];
        const core_usage *u = &du->cores[c];
        char where[16], lf[24];
        snprintf(where, sizeof where, "(%u,%u)", c % d->grid_x, c / d->grid_x);
        double f = metric_fraction(u, d->l1_size, st->metric);
        int level = st->alerts ? alerts_core_level(st->alerts, d->id, (uint16_t)(c % d->grid_x),
                                                    (uint16_t)(c / d->grid_x)) : 0;
        attr_t attr = level == SEVERITY_CRITICAL ? render_alert_attr(&st->rc)
                      : level == SEVERITY_WARNING ? render_warn_attr(&st->rc) : A_NORMAL;
        render_putf(r->y + 1 + i, r->x, r->w, attr, "%2d %-7s%5.1f%% lf %s", i + 1, where, f * 100.0,
                    format_bytes_unit(u->largest_free, UNITS(st), lf, sizeof lf));
    }
}

attr_t render_severity_attr(const render_ctx *rc, alert_severity s)
{
    return s == SEVERITY_CRITICAL ? render_alert_attr(rc) : render_warn_attr(rc);
}

void render_alert_panel(const tui_state *st, const layout_rect *r)
{
    const firing_alert *fa;
    size_t n = st->alerts ? alerts_firing(st->alerts, &fa) : 0;
    if (r->h <= 0 || n == 0)
        return;
    render_putf(r->y, r->x, r->w, A_BOLD | A_UNDERLINE, "Alerts: %zu firing  [A] all and history", n);
    for (size_t i = 0; i < n && (int)i + 1 < r->h; i++) {
        char text[ALERT_TEXT_LEN];
        bool last_row = (int)i + 2 == r->h && i + 1 < n;
        if (last_row) { /* no room for the rest: say how many */
            render_putf(r->y + 1 + (int)i, r->x, r->w, A_DIM, "... %zu more  [A]", n - i);
            break;
        }
        render_putf(r->y + 1 + (int)i, r->x, r->w, render_severity_attr(&st->rc, fa[i].severity), "%-4s %s",
                    fa[i].severity == SEVERITY_CRITICAL ? "CRIT" : "warn", alert_describe(text, sizeof text, &fa[i]));
    }
}

/* Processes by their bytes on the device, most first. */
static int cmp_proc_bytes(const void *pa, const void *pb, void *ctx)
{
    const device_usage *du = ctx;
    uint64_t x = recorded_all(du->processes[*(const uint32_t *)pa].bytes);
    uint64_t y = recorded_all(du->processes[*(const uint32_t *)pb].bytes);
    return (x < y) - (x > y);
}

void render_device_processes(const tui_state *st, const snap_device *d, const device_usage *du, const layout_rect *r)
{
    if (r->h <= 0 || r->w <= 0)
        return;
    uint32_t order[PANEL_PROCS_MAX] = { 0 };
    size_t n = du->nprocesses < PANEL_PROCS_MAX ? du->nprocesses : PANEL_PROCS_MAX;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, cmp_proc_bytes, (void *)du);
    render_putf(r->y, r->x, r->w, A_BOLD | A_UNDERLINE, "Processes on device %u: %zu%*s", d->id, du->nprocesses,
                r->w, "");
    if (r->h < 2)
        return;
    bool regions = r->w >= PANEL_PROCS_FULL_W; /* the region count only where it fits */
    render_putf(r->y + 1, r->x, r->w, A_BOLD, "%8s %-15s %9s %9s %9s %9s %9s %s", "PID", "NAME", "L1BUF", "CB",
                "KERNEL", "OTHER", "TOTAL", regions ? "REGIONS" : "");
    for (size_t i = 0; i < n && (int)i + 2 < r->h; i++) {
        const process_usage *pu = &du->processes[order[i]];
        const snap_process *p = &st->snap->processes[pu->process];
        char name[64], b[5][24];
        uint64_t other = recorded_all(pu->bytes) - pu->bytes[CAT_L1_BUFFERS] - pu->bytes[CAT_CIRCULAR_BUFFERS] -
                         pu->bytes[CAT_KERNEL_CODE];
        format_bytes_unit(pu->bytes[CAT_L1_BUFFERS] + pu->bytes[CAT_L1_SMALL], UNITS(st), b[0], sizeof b[0]);
        format_bytes_unit(pu->bytes[CAT_CIRCULAR_BUFFERS], UNITS(st), b[1], sizeof b[1]);
        format_bytes_unit(pu->bytes[CAT_KERNEL_CODE], UNITS(st), b[2], sizeof b[2]);
        format_bytes_unit(other - pu->bytes[CAT_L1_SMALL], UNITS(st), b[3], sizeof b[3]);
        format_bytes_unit(recorded_all(pu->bytes), UNITS(st), b[4], sizeof b[4]);
        char nreg[16] = "";
        if (regions)
            snprintf(nreg, sizeof nreg, "%7u", pu->regions);
        render_putf(r->y + 2 + (int)i, r->x, r->w, A_NORMAL, "%8d %s %9s %9s %9s %9s %9s %s", p->pid,
                    render_fit(name, sizeof name, p->name, 15), b[0], b[1], b[2], b[3], b[4], nreg);
    }
}
