/*
 * render_find.c - the TUI's "where is it" screens: the prompt on the
 * bottom line (f and /, with its error in place), the device view's lines
 * saying what is marked on the heatmap (fit, find, process filter), the
 * header's note of the filter, and the top view (a device's ops and tags
 * by bytes, tracked and untracked).
 */
#define _XOPEN_SOURCE_EXTENDED
#define _GNU_SOURCE /* fmemopen */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "views/format.h"
#include "views/render.h"
#include "views/tui_answers.h"

/* ---------- the prompt ---------- */

/* One character of s[0..len): its bytes and display columns (what cannot
 * be decoded: one byte, one column, as render_put shows it, '?'). */
static size_t char_columns(const char *s, size_t len, int *cols)
{
    mbstate_t mb;
    memset(&mb, 0, sizeof mb);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, len, &mb);
    int w = n == 0 || n > len ? -1 : wcwidth(wc);
    *cols = w < 0 ? 1 : w;
    return w < 0 ? 1 : n;
}

static int columns_of(const char *s, size_t len)
{
    int total = 0, w;
    for (size_t n; len; s += n, len -= n) {
        n = char_columns(s, len, &w);
        total += w;
    }
    return total;
}

size_t render_bytes_in_columns(const char *s, int cols)
{
    size_t used = 0, len = strlen(s);
    int w;
    while (used < len) {
        size_t n = char_columns(s + used, len - used, &w);
        if (w > cols)
            break;
        cols -= w;
        used += n;
    }
    return used;
}

/* The byte the prompt's visible part starts at: the cursor stays inside
 * the `avail` columns, a whole character at a time. */
static size_t visible_start(const line_edit *e, int avail)
{
    size_t start = 0;
    while (start < e->cur && columns_of(e->text + start, e->cur - start) >= avail) {
        size_t next = start + 1;
        while (next < e->cur && ((unsigned char)e->text[next] & 0xC0) == 0x80)
            next++;
        start = next;
    }
    return start;
}

static const char *prompt_hint(prompt_kind k)
{
    if (k == PROMPT_FIT)
        return "FIT SPEC, e.g. cb 300KiB on 0-0..7-7 + interleaved 4MiB page 2KiB (l1top(1))   Enter runs, Esc cancels";
    return "tags, ops and process names, any case   Enter finds, Esc cancels";
}

void render_prompt(const tui_state *st)
{
    const tui_answers *a = st->answers;
    if (!a || a->prompt == PROMPT_NONE || LINES < 2)
        return;
    const char *label = a->prompt == PROMPT_FIT ? "Fit: " : "Find: ";
    int y = LINES - 1, lx = (int)strlen(label), avail = COLS - lx - 1;
    move(y - 1, 0);
    clrtoeol();
    if (a->prompt_error[0])
        render_put(y - 1, 0, COLS, render_alert_attr(&st->rc), a->prompt_error);
    else
        render_put(y - 1, 0, COLS, A_DIM, prompt_hint(a->prompt));
    move(y, 0);
    clrtoeol();
    render_put(y, 0, COLS, A_BOLD, label);
    if (avail < 1)
        return;
    const line_edit *e = &a->line;
    size_t start = visible_start(e, avail);
    render_put(y, lx, avail, A_NORMAL, e->text + start);
    /* The cursor: the character under it (a blank at the end) in reverse. */
    char under[8] = " ";
    if (e->cur < e->len) {
        size_t n = 1;
        while (e->cur + n < e->len && n < sizeof under - 1 && ((unsigned char)e->text[e->cur + n] & 0xC0) == 0x80)
            n++;
        memcpy(under, e->text + e->cur, n);
        under[n] = '\0';
    }
    render_put(y, lx + columns_of(e->text + start, e->cur - start), 2, A_REVERSE, under);
}

/* ---------- what the heatmap marks ---------- */

const char *render_answers_note(const tui_state *st, char *buf, size_t n)
{
    const tui_answers *a = st->answers;
    memset(buf, 0, n); /* whatever fmemopen writes is NUL-terminated, a full buffer too */
    FILE *f = a && n > 1 ? fmemopen(buf, n - 1, "w") : NULL; /* cut at the buffer's end */
    if (!f)
        return buf;
    size_t dev = st->sel < st->nvisible ? st->visible[st->sel] : SIZE_MAX;
    if (a->fit_on && a->have_answer) {
        size_t here = dev < a->fit_marks.ndevices ? a->fit_marks.count[dev] : 0;
        if (here)
            fprintf(f, " fit: %zu core%s X ", here, here == 1 ? "" : "s");
        else
            fprintf(f, " fit: fits ");
    }
    if (a->query[0]) {
        size_t here = dev < a->find_marks.ndevices ? a->find_marks.count[dev] : 0;
        fprintf(f, " /%s: %zu core%s * of %zu ", a->query, here, here == 1 ? "" : "s", a->find_marks.total);
    }
    if (a->filter_on)
        fprintf(f, " only pid %d (%s)%s ", a->filter_pid, a->filter_name, a->filter_present ? "" : " gone");
    if (ftell(f) > 0)
        fprintf(f, " x clears ");
    fclose(f);
    return buf;
}

void render_heat_mark(const tui_state *st, const snap_device *d, int x, int y, int sx, int mid, const device_layout *l,
                      attr_t attr)
{
    char mark = answers_core_mark(st->answers, (size_t)(d - st->snap->devices), (uint16_t)x, (uint16_t)y);
    if (!mark)
        return;
    char text[2] = { mark, '\0' };
    /* In a column the cell's digits leave free: the first one of a cell 4
     * or wider, the last of one 3 wide (its alert mark's; the colour stays).
     * Cells with a glyph scale are underlined instead. */
    int w = l->cell_w, slot = l->glyphs ? -1 : w >= 4 ? 0 : 2;
    if (slot >= 0)
        render_put(mid, sx + slot, 1, attr | A_BOLD, text);
    else
        mvchgat(mid, sx, w, (attr & ~A_COLOR) | A_UNDERLINE | A_BOLD, (short)PAIR_NUMBER(attr), NULL);
}

/* ---------- the top view ---------- */

#define TOP_TAG_COLS 40

void render_top(const tui_state *st)
{
    const tui_answers *a = st->answers;
    const snap_device *d = tui_selected_device(st, NULL);
    if (!a || !d)
        return;
    char who[64] = "";
    if (a->filter_on)
        snprintf(who, sizeof who, " of pid %d", a->filter_pid);
    render_putf(LAYOUT_HEADER_ROWS, 1, COLS - 2, A_BOLD,
                "Top %s on device %u%s, by bytes over all cores (T tracked, U untracked)   g %s, Enter finds it",
                a->top_by_op ? "ops" : "tags", d->id, who, a->top_by_op ? "by tag" : "by op");
    int y = LAYOUT_HEADER_ROWS + 1;
    render_putf(y++, 0, COLS, A_BOLD | A_UNDERLINE, " %4s  %-*s %11s %11s %11s %8s %6s", "#", TOP_TAG_COLS,
                a->top_by_op ? "OP" : "TAG", "T BYTES", "U BYTES", "TOTAL", "REGIONS", "PROCS");
    if (a->ntop == 0)
        render_put(y, 2, COLS - 4, A_DIM, "no region on this device");
    size_t rows = (size_t)(LINES - 1 > y ? LINES - 1 - y : 1);
    size_t first = a->top_sel >= rows ? a->top_sel - rows + 1 : 0;
    for (size_t i = first; i < a->ntop && y < LINES - 1; i++, y++) {
        const tag_total *t = &a->top[i];
        char name[SNAP_TAG_LEN], tag[4 * TOP_TAG_COLS + 1], b1[24], b2[24], b3[24];
        snprintf(name, sizeof name, "%.*s", t->tag_len, t->tag);
        render_putf(y, 0, COLS, i == a->top_sel ? A_REVERSE : A_NORMAL, " %4zu  %s %11s %11s %11s %8u %6u", i + 1,
                    render_fit(tag, sizeof tag, name[0] ? name : "(no tag)", TOP_TAG_COLS),
                    format_bytes_unit(t->tracked, UNITS(st), b1, sizeof b1),
                    format_bytes_unit(t->untracked, UNITS(st), b2, sizeof b2),
                    format_bytes_unit(t->tracked + t->untracked, UNITS(st), b3, sizeof b3), t->regions, t->processes);
    }
}
