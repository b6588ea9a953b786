/*
 * render_history.c - the device view's history strip: sparklines of used %
 * (a spike between two refreshes drawn at its high-water and marked),
 * tracked and untracked % and the largest block free on every core, one
 * column per sample (model/history.h), newest on the right, with the op/tag
 * that raised each spike written under it where there is room.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>
#include <string.h>

#include "model/history.h"
#include "views/format.h"
#include "views/render.h"

#define SPARK_LABEL_W 11   /* "untracked  " */
#define SPARK_VALUE_W 11   /* " 100.0%" / " 1.05 MiB" */
#define SPARK_LEVELS 8
#define SPIKE_TAG_GAP 1    /* columns between two tags on the spike line */

static const char *const spark_utf8[SPARK_LEVELS] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char spark_ascii[SPARK_LEVELS + 1] = "_.-:=+*#";

typedef enum { LINE_USED, LINE_TRACKED, LINE_UNTRACKED, LINE_FREE, LINE_COUNT } spark_line;
static const char *const line_label[LINE_COUNT] = { "used %", "tracked", "untracked", "free block" };

/* The line's value of a sample as a fraction of its scale. */
static double sample_fraction(const history_sample *s, spark_line line, uint32_t l1_size)
{
    double total = s->l1_total ? (double)s->l1_total : 1.0;
    switch (line) {
    case LINE_USED: return (double)(s->spike_used > s->used ? s->spike_used : s->used) / total;
    case LINE_TRACKED: return (double)s->tracked / total;
    case LINE_UNTRACKED: return (double)s->untracked / total;
    case LINE_FREE: return l1_size ? (double)s->largest_free_common / l1_size : 0;
    default: return 0;
    }
}

static void spark_row(const tui_state *st, const snap_device *d, spark_line line, size_t first, size_t n, int y, int x,
                      int sw)
{
    render_put(y, x, SPARK_LABEL_W, A_BOLD, line_label[line]);
    const history_sample *last = NULL;
    for (size_t i = 0; i < n; i++) {
        const history_sample *s = history_at(st->history, d->id, first + i);
        int lvl = ramp_level(sample_fraction(s, line, d->l1_size), SPARK_LEVELS);
        char ch[2] = { spark_ascii[lvl], '\0' };
        bool spike = line == LINE_USED && s->spike_used > s->used;
        attr_t attr = spike ? render_warn_attr(&st->rc) | A_BOLD : render_ramp_attr(&st->rc, lvl / (SPARK_LEVELS - 1.0));
        render_put(y, x + SPARK_LABEL_W + (sw - (int)n) + (int)i, 1, attr, st->rc.utf8 ? spark_utf8[lvl] : ch);
        last = s;
    }
    if (!last)
        return;
    char v[24];
    if (line == LINE_FREE)
        format_bytes_unit(last->largest_free_common, UNITS(st), v, sizeof v);
    else
        snprintf(v, sizeof v, "%.1f%%", 100.0 * sample_fraction(last, line, d->l1_size));
    render_putf(y, x + SPARK_LABEL_W + sw, SPARK_VALUE_W, A_NORMAL, " %*s", SPARK_VALUE_W - 1, v);
}

/* Under the used line: '^' at each spike and its tag where it fits. */
static void spike_row(const tui_state *st, const snap_device *d, size_t first, size_t n, int y, int x, int sw)
{
    int free_from = x + SPARK_LABEL_W;
    render_put(y, x, SPARK_LABEL_W, A_DIM, "spikes");
    for (size_t i = 0; i < n; i++) {
        const history_sample *s = history_at(st->history, d->id, first + i);
        int cx = x + SPARK_LABEL_W + (sw - (int)n) + (int)i;
        if (s->spike_used <= s->used || cx < free_from)
            continue;
        char text[SNAP_TAG_LEN + 4];
        snprintf(text, sizeof text, "^%s", s->spike_tag[0] ? s->spike_tag : "?");
        int room = x + SPARK_LABEL_W + sw - cx;
        int len = (int)strlen(text) < room ? (int)strlen(text) : room;
        render_put(y, cx, len, render_warn_attr(&st->rc), text);
        free_from = cx + len + SPIKE_TAG_GAP;
    }
}

void render_history(const tui_state *st, const snap_device *d, int x, int y, int w, int h)
{
    if (!st->history || h < STRIP_MIN_ROWS || w < SPARK_LABEL_W + SPARK_VALUE_W + STRIP_MIN_SAMPLES_W)
        return;
    int sw = w - SPARK_LABEL_W - SPARK_VALUE_W;
    size_t count = history_count(st->history, d->id);
    size_t n = count < (size_t)sw ? count : (size_t)sw, first = count - n;
    double secs = n > 1 ? (double)(history_at(st->history, d->id, count - 1)->time_ns -
                                   history_at(st->history, d->id, first)->time_ns) / 1e9
                        : 0;
    render_putf(y++, x, w, A_BOLD | A_UNDERLINE, "History of device %u: last %.0f s, a sample a refresh%*s", d->id,
                secs, w, "");
    for (spark_line line = LINE_USED; line < LINE_COUNT && h-- > 1; line++) {
        spark_row(st, d, line, first, n, y++, x, sw);
        if (line == LINE_USED && h-- > 1)
            spike_row(st, d, first, n, y++, x, sw);
    }
}
