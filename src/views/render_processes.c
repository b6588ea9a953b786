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

#define PROCESS_DEVICES_MAX 256 /* the devices a row can name (TUI_MAX_DEVICES) */

static int cmp_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* One process over the shown devices. */
typedef struct {
    uint32_t process;             /* snapshot process index */
    process_total total;
    char device_list[32];         /* the ids of the devices it holds regions on */
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
    case PSORT_DEVICES: c = (a->total.devices > b->total.devices) - (a->total.devices < b->total.devices); break;
    case PSORT_REGIONS: c = (a->total.regions > b->total.regions) - (a->total.regions < b->total.regions); break;
    default: {
        int k = (int)st->psort - (int)PSORT_L1; /* the six byte columns, in category order */
        c = (a->total.bytes[k] > b->total.bytes[k]) - (a->total.bytes[k] < b->total.bytes[k]);
        /* Bytes: biggest first, like htop's MEM% */
        c = -c;
    }
    }
    return st->preverse ? -c : c;
}

/* The ids of the shown devices process p holds regions on, as ranges cut
 * to the DEVS column: "0-13", "0,3,6+8", "-". */
static void device_list(const tui_state *st, uint32_t p, char *out, size_t n)
{
    uint32_t ids[PROCESS_DEVICES_MAX] = { 0 };
    size_t nids = 0;
    for (size_t v = 0; v < st->nvisible && nids < PROCESS_DEVICES_MAX; v++) {
        process_total one;
        accounting_process_total(st->acct, p, &st->visible[v], 1, &one);
        if (one.devices)
            ids[nids++] = st->snap->devices[st->visible[v]].id;
    }
    qsort(ids, nids, sizeof *ids, cmp_id);
    format_id_ranges(ids, nids, psort_widths[PSORT_DEVICES] - 1, out, n);
}

/* The rows over the shown devices, in the view's sort order. */
static size_t process_rows(const tui_state *st, proc_row *rows, size_t max)
{
    if (!st->snap || !st->acct)
        return 0;
    size_t n = 0;
    for (uint32_t p = 0; p < st->snap->nprocesses && n < max; p++, n++) {
        rows[n].process = p;
        accounting_process_total(st->acct, p, st->visible, st->nvisible, &rows[n].total);
        device_list(st, p, rows[n].device_list, sizeof rows[n].device_list);
    }
    qsort_r(rows, n, sizeof *rows, cmp_rows, (void *)st);
    return n;
}

/* One row's first ncols columns, each in its column's width. */
static void process_line(const tui_state *st, const proc_row *r, int ncols, char *line, size_t n)
{
    const snap_process *p = &st->snap->processes[r->process];
    size_t used = 0;
    line[0] = '\0';
    for (int c = 0; c < ncols && used + 1 < n; c++) {
        char cell[64], name[64];
        int w = psort_widths[c] - 1;
        if (c == PSORT_PID)
            snprintf(cell, sizeof cell, "%*d", w, p->pid);
        else if (c == PSORT_NAME)
            snprintf(cell, sizeof cell, "%s", render_fit(name, sizeof name, p->name, w));
        else if (c == PSORT_DEVICES)
            snprintf(cell, sizeof cell, "%-*s", w, r->device_list);
        else if (c == PSORT_REGIONS)
            snprintf(cell, sizeof cell, "%*u", w, r->total.regions);
        else /* the byte columns, in category order */
            snprintf(cell, sizeof cell, "%*s", w,
                     format_bytes_unit(r->total.bytes[c - PSORT_L1], UNITS(st), name, sizeof name));
        used += (size_t)snprintf(line + used, n - used, " %s", cell);
    }
}

void render_processes(const tui_state *st)
{
    if (COLS < LAYOUT_MIN_COLS || LINES < PROCESS_VIEW_MIN_ROWS) {
        render_too_small(LAYOUT_MIN_COLS, PROCESS_VIEW_MIN_ROWS);
        return;
    }
    static proc_row rows[PROCESS_ROWS_MAX];
    size_t n = process_rows(st, rows, PROCESS_ROWS_MAX);
    render_putf(2, 1, COLS - 2, A_BOLD, "Processes: %zu writing   sort: %s%s", n, psort_names[st->psort],
                st->preverse ? " (inverted)" : "");
    /* Whole columns only: those past the screen's edge are left out, not cut. */
    int ncols = 0, width = 0;
    while (ncols < PSORT_COUNT && width + psort_widths[ncols] <= COLS)
        width += psort_widths[ncols++];
    int y = 3;
    char head[256];
    int len = 0;
    for (int c = 0; c < ncols; c++)
        len += snprintf(head + len, sizeof head - (size_t)len, c == PSORT_NAME ? " %-*s" : " %*s",
                        psort_widths[c] - 1, psort_names[c]);
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
        char line[256];
        process_line(st, &rows[i], ncols, line, sizeof line);
        render_put(y, 0, COLS, i == st->proc_sel ? A_REVERSE : A_NORMAL, line);
    }
    if (n == 0)
        render_put(5, 2, COLS - 4, A_DIM, "no live writer process");
}
