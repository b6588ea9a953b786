/*
 * render_fit.c - the TUI's room answers: the fit view (`f`: the answer to
 * a FIT SPEC as --fit words it, following the data, failing cores marked
 * on the heatmap) and the device view's CB room line (the selected core's
 * CBs against its room, the device minimum TT-Metal checks and what bounds
 * it).
 */
#define _XOPEN_SOURCE_EXTENDED
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>

#include "views/format.h"
#include "views/render.h"
#include "views/tui_answers.h"

/* What bounds the device's CB room: "L1 buffer 'act' at 0x100000 on (4,0)",
 * or the top of L1 when no buffer does. */
static void bound_text(const snapshot *s, const snap_device *d, const device_usage *du, char *out, size_t n)
{
    int32_t region = du->cores[du->cb_room_min_core].cb_room_region;
    if (region < 0 || (size_t)region >= s->nregions) {
        snprintf(out, n, "up to the top of L1");
        return;
    }
    const snap_region *r = &s->regions[region];
    snprintf(out, n, "%s '%s' at 0x%X on (%u,%u)", category_short[category_of_kind(r->kind)], r->tag, r->address,
             du->cb_room_min_core % d->grid_x, du->cb_room_min_core / d->grid_x);
}

int render_cb_room(const tui_state *st, const snap_device *d, const device_usage *du, const core_usage *u, int y,
                   int x, int w)
{
    char room[24], cbs[24], min[24], bound[128] = "";
    bool clash = u->cb_extent > u->cb_room;
    if (du->ncores)
        bound_text(st->snap, d, du, bound, sizeof bound);
    render_putf(y, x, w, clash ? render_alert_attr(&st->rc) : A_NORMAL, "CB room: core %s (CBs %s%s), device %s: %s",
                format_bytes_unit(u->cb_room, UNITS(st), room, sizeof room),
                format_bytes_unit(u->cb_extent, UNITS(st), cbs, sizeof cbs), clash ? ", CLASH" : "",
                format_bytes_unit(du->cb_room_min, UNITS(st), min, sizeof min), bound);
    return y + 1;
}

/* A line of the answer in the colour of what it says. */
static attr_t line_attr(const tui_state *st, const char *line, size_t len)
{
    if (memmem(line, len, "DOES NOT FIT", 12) || memmem(line, len, "does not fit", 12))
        return render_alert_attr(&st->rc);
    if (memmem(line, len, "warning:", 8))
        return render_warn_attr(&st->rc);
    return strncmp(line, "Device ", 7) == 0 || strncmp(line, "Answer:", 7) == 0 ? A_BOLD : A_NORMAL;
}

#define WRAP_INDENT 6 /* continuation lines start under the text of a failing-cores line */

/* One line of the answer, wrapped at blanks to the screen's width; returns
 * the next row. */
static int wrapped_line(const tui_state *st, int y, const char *line)
{
    attr_t attr = line_attr(st, line, strlen(line));
    int width = COLS - 2, indent = 0;
    if (!*line)
        return y + 1; /* a blank line stays one */
    while (*line && y < LINES - 1 && width - indent > WRAP_INDENT) {
        size_t cut = render_bytes_in_columns(line, width - indent);
        if (line[cut]) { /* more follows: break at the last blank, if any */
            const char *blank = memrchr(line, ' ', cut);
            cut = blank && blank > line ? (size_t)(blank - line) : cut;
        }
        render_putf(y++, 1 + indent, width - indent, attr, "%.*s", (int)cut, line);
        line += cut;
        while (*line == ' ')
            line++;
        indent = WRAP_INDENT;
    }
    return y;
}

void render_fit_answer(const tui_state *st)
{
    const tui_answers *a = st->answers;
    int y = LAYOUT_HEADER_ROWS;
    if (!a || !a->fit_on || !a->fit_text) {
        render_put(y, 1, COLS - 2, A_NORMAL, "No answer yet: press f and type a FIT SPEC, e.g. cb 300KiB on 0-0..7-7");
        return;
    }
    size_t marked = a->fit_marks.total;
    render_putf(y++, 1, COLS - 2, a->answer.fits ? A_BOLD : render_alert_attr(&st->rc),
                "%s: %zu failing core%s marked X on the heatmap (Esc); f changes the SPEC, x clears",
                a->answer.fits && a->answer.ndevices ? "FITS" : "DOES NOT FIT", marked, marked == 1 ? "" : "s");
    y++;
    const char *p = a->fit_text, *end = a->fit_text + a->fit_text_len;
    for (size_t skip = a->fit_scroll; skip > 0 && p < end; skip--) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    while (p < end && y < LINES - 1) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1), p);
        y = wrapped_line(st, y, line);
        p = nl ? nl + 1 : end;
    }
}
