/*
 * render_processes.c - the process view: one row per live writer with
 * its bytes per category over the shown devices, sortable by any column
 * (htop's < > and I).
 */
#define _GNU_SOURCE /* qsort_r */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "views/format.h"
#include "views/render.h"

#define PROCESS_ROWS_MAX 1024
#define PROCESS_VIEW_MIN_ROWS 6

static const char *const psort_names[PSORT_COUNT] = {
    "PID", "NAME", "DEVS", "L1BUF", "L1SMALL", "CB", "KERNEL", "SEM", "RUNTIME", "REGIONS",
};
/* Each column's width, its header included. */
static const int psort_widths[PSORT_COUNT] = { 8, 16, 8, 10, 10, 10, 10, 9, 10, 8 };

/* One process over the shown devices. */
typedef struct {
    uint32_t process;             /* snapshot process index */
    uint64_t bytes[CAT_RECORDED];
    uint32_t regions;
    uint32_t devices;             /* how many devices it holds regions on */
    char device_list[32];
} proc_row;

/* qsort_r's comparison; ctx is the tui_state (sort column, order, snapshot). */
static int cmp_rows(const void *pa, const void *pb, void *ctx)
{
    const tui_state *st = ctx;
    const snapshot *snap = st->snap;
    const proc_row *a = pa, *b = pb;
    int c = 0;
    switch (st->psort) {
    case PSORT_PID: c = (snap->processes[a->process].pid > snap->processes[b->process].pid) -
                        (snap->processes[a->process].pid < snap->processes[b->process].pid); break;
    case PSORT_NAME: c = strcmp(snap->processes[a->process].name, snap->processes[b->process].name); break;
    case PSORT_DEVICES: c = (a->devices > b->devices) - (a->devices < b->devices); break;
    case PSORT_REGIONS: c = (a->regions > b->regions) - (a->regions < b->regions); break;
    default: {
        int k = (int)st->psort - (int)PSORT_L1; /* the six byte columns, in category order */
        c = (a->bytes[k] > b->bytes[k]) - (a->bytes[k] < b->bytes[k]);
        /* Bytes: biggest first, like htop's MEM% */
        c = -c;
    }
    }
    return st->preverse ? -c : c;
}

/* The rows over the shown devices, in the view's sort order. */
static size_t process_rows(const tui_state *st, proc_row *rows, size_t max)
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
    qsort_r(rows, n, sizeof *rows, cmp_rows, (void *)st);
    return n;
}

void render_processes(const tui_state *st)
{
    if (COLS < LAYOUT_MIN_COLS || LINES < PROCESS_VIEW_MIN_ROWS) {
        render_too_small(LAYOUT_MIN_COLS, PROCESS_VIEW_MIN_ROWS);
        return;
    }
    static proc_row rows[PROCESS_ROWS_MAX];
    size_t n = process_rows(st, rows, PROCESS_ROWS_MAX);
    render_putf(2, 1, COLS - 2, A_BOLD, "Processes: %zu writing   sort: %s%s   (< > column, I invert, Esc back)", n,
                psort_names[st->psort], st->preverse ? " (inverted)" : "");
    int y = 3;
    char head[256];
    int len = 0;
    for (int c = 0; c < PSORT_COUNT; c++) {
        int w = psort_widths[c];
        len += snprintf(head + len, sizeof head - (size_t)len, c == PSORT_NAME ? " %-*s" : " %*s", w - 1,
                        psort_names[c]);
    }
    render_put(y, 0, COLS, A_BOLD | A_UNDERLINE, head);
    /* Mark the sort column: its header cell in reverse. */
    int x = 0;
    for (int c = 0; c < (int)st->psort; c++)
        x += psort_widths[c];
    if (x < len)
        render_put(y, x, psort_widths[st->psort], A_REVERSE | A_BOLD, head + x);
    y++;
    size_t visible_rows = (size_t)(LINES - y - 1);
    size_t first = st->proc_sel >= visible_rows ? st->proc_sel - visible_rows + 1 : 0;
    for (size_t i = first; i < n && y < LINES - 1; i++, y++) {
        const proc_row *r = &rows[i];
        const snap_process *p = &st->snap->processes[r->process];
        char b[CAT_RECORDED][16], name[64];
        for (int k = 0; k < CAT_RECORDED; k++)
            format_bytes_unit(r->bytes[k], UNITS(st), b[k], sizeof b[k]);
        render_putf(y, 0, COLS, i == st->proc_sel ? A_REVERSE : A_NORMAL,
                    " %7d %s %7s %9s %9s %9s %9s %8s %9s %7u", p->pid, render_fit(name, sizeof name, p->name, 15),
                    r->device_list, b[0], b[1], b[2],
                    b[3], b[4], b[5], r->regions);
    }
    if (n == 0)
        render_put(5, 2, COLS - 4, A_DIM, "no live writer process");
}
