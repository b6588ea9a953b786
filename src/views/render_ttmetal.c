/*
 * render_ttmetal.c - the TT-Metal view: what the kernel driver says of the
 * boards, and TT-Metal's own allocator totals per device and process (no
 * per-core data: the heatmap needs l1top's segment).
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>

#include "views/format.h"
#include "views/render.h"
#include "views/view_common.h"

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
