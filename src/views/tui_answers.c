/*
 * tui_answers.c - the TUI's answers kept in step with the data, and their
 * keys (tui_answers.h): the prompt's editing and Enter, the fit and the
 * find recomputed when the data moves, n/N through the matching cores, the
 * top view's rows, and the process filter's copy of the data.
 */
#define _XOPEN_SOURCE_EXTENDED
#define _GNU_SOURCE
#include "views/tui_answers.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "views/answers.h"
#include "views/tui_app.h"
#include "views/view_common.h"

#define KEY_ESC 27
#define CTRL(c) ((c) & 0x1f)
#define STALE UINT64_MAX /* a generation no data has: recompute on the next draw */

char answers_core_mark(const tui_answers *a, size_t dev, uint16_t x, uint16_t y)
{
    if (!a)
        return 0;
    if (a->fit_on && a->have_answer && core_marked(&a->fit_marks, dev, x, y))
        return 'X';
    if (a->query[0] && core_marked(&a->find_marks, dev, x, y))
        return '*';
    return 0;
}

void tui_answers_init(tui_answers *a)
{
    memset(a, 0, sizeof *a);
    snapshot_init(&a->fsnap);
}

static void drop_fit(tui_answers *a)
{
    if (a->have_answer)
        fit_answer_free(&a->answer);
    a->have_answer = false;
    free(a->fit_text);
    a->fit_text = NULL;
    a->fit_text_len = a->fit_lines = 0;
    core_marks_free(&a->fit_marks);
}

static void drop_filter(tui_answers *a)
{
    accounting_free(&a->facct);
    a->have_facct = false;
    a->filter_on = false;
}

void tui_answers_free(tui_answers *a)
{
    drop_fit(a);
    drop_filter(a);
    core_marks_free(&a->find_marks);
    free(a->top);
    snapshot_free(&a->fsnap);
    memset(a, 0, sizeof *a);
}

/* ---------- keeping up with the data ---------- */

static bool device_shown(uint32_t id, void *ctx)
{
    return output_device_selected(ctx, id);
}

/* The answer as --fit prints it, and the failing cores marked. */
static void describe_fit(tui_answers *a, const snapshot *s)
{
    FILE *f = open_memstream(&a->fit_text, &a->fit_text_len);
    if (!f || output_fit_text(f, s, &a->spec, &a->answer) != 0) {
        if (f)
            fclose(f);
        free(a->fit_text);
        a->fit_text = NULL;
        a->fit_text_len = 0;
        return;
    }
    fclose(f);
    for (size_t i = 0; i < a->fit_text_len; i++)
        a->fit_lines += a->fit_text[i] == '\n';
    if (core_marks_init(&a->fit_marks, s) != 0)
        return;
    for (size_t i = 0; i < a->answer.ndevices; i++) {
        const fit_device *fd = &a->answer.devices[i];
        for (size_t k = 0; k < a->answer.nterms; k++)
            for (size_t c = 0; c < fd->terms[k].nfailing; c++)
                core_marks_set(&a->fit_marks, fd->device, fd->terms[k].failing[c].x, fd->terms[k].failing[c].y);
    }
}

static void sync_fit(tui *t)
{
    tui_answers *a = &t->answers;
    if (!a->fit_on || a->fit_gen == t->st.data_gen)
        return;
    drop_fit(a);
    a->fit_gen = t->st.data_gen;
    if (fit_compute(&t->snap, &t->acct, &a->spec, device_shown, (void *)&t->opts->filter, &a->answer) != 0) {
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
        return;
    }
    a->have_answer = true;
    describe_fit(a, &t->snap);
}

static void sync_find(tui *t)
{
    tui_answers *a = &t->answers;
    if (!a->query[0] || a->find_gen == t->st.data_gen)
        return;
    a->find_gen = t->st.data_gen;
    if (find_cores(&t->snap, a->query, &a->find_marks) != 0)
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
}

static void sync_filter(tui *t)
{
    tui_answers *a = &t->answers;
    if (!a->filter_on || a->filter_gen == t->st.data_gen)
        return;
    a->filter_gen = t->st.data_gen;
    uint32_t only = (uint32_t)t->snap.nprocesses; /* gone: no region is its */
    for (size_t p = 0; p < t->snap.nprocesses; p++)
        if (t->snap.processes[p].pid == a->filter_pid)
            only = (uint32_t)p;
    a->filter_present = only < t->snap.nprocesses;
    accounting_free(&a->facct);
    a->have_facct = snapshot_copy_process(&a->fsnap, &t->snap, only) == 0 &&
                    accounting_compute(&a->fsnap, &a->facct) == 0;
    if (!a->have_facct)
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
}

/* The top view's rows: the selected device of the data it shows. */
static void sync_top(tui *t)
{
    tui_answers *a = &t->answers;
    const tui_state *st = &t->st;
    if (!st->snap || st->sel >= st->nvisible)
        return;
    size_t dev = st->visible[st->sel];
    if (a->top && a->top_gen == st->data_gen && a->top_dev == dev && a->top_snap == st->snap)
        return;
    free(a->top);
    a->top = NULL;
    a->ntop = 0;
    if (find_tags_by_bytes(st->snap, (uint32_t)dev, a->top_by_op, &a->top, &a->ntop) != 0) {
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
        return;
    }
    if (a->top_dev != dev)
        a->top_sel = 0;
    a->top_gen = st->data_gen;
    a->top_dev = dev;
    a->top_snap = st->snap;
    if (a->top_sel >= a->ntop)
        a->top_sel = a->ntop ? a->ntop - 1 : 0;
}

/* The views that show the process filter's data (the process view lists
 * every process, to pick another; the fit answers for the device). */
static bool filtered_view(view_id v)
{
    return v == VIEW_DEVICE || v == VIEW_CORE || v == VIEW_OVERVIEW || v == VIEW_TOP;
}

void tui_answers_prepare(tui *t)
{
    tui_answers *a = &t->answers;
    t->st.answers = a;
    if (!t->st.snap)
        return;
    sync_fit(t);
    sync_find(t);
    sync_filter(t);
    if (a->filter_on && a->have_facct && filtered_view(t->st.view)) {
        t->st.snap = &a->fsnap;
        t->st.acct = &a->facct;
    }
    if (t->st.view == VIEW_TOP)
        sync_top(t);
}

/* ---------- find: the matching cores in order ---------- */

/* From the cursor (itself included when `inclusive`), the next (dir 1) or
 * previous (dir -1) core holding a match over the shown devices in order,
 * row-major, wrapping; the cursor goes there. false: none. */
static bool find_goto(tui *t, int dir, bool inclusive)
{
    const tui_answers *a = &t->answers;
    const tui_state *st = &t->st;
    if (!t->have_data || !a->query[0] || !a->find_marks.mark || st->nvisible == 0 || st->sel >= st->nvisible)
        return false; /* the marks are brought up to the data only while there is some */
    size_t total = 0, here = 0;
    for (size_t v = 0; v < st->nvisible; v++) {
        const snap_device *d = &t->snap.devices[st->visible[v]];
        if (v == st->sel)
            here = total + (size_t)st->cy * d->grid_x + st->cx;
        total += (size_t)d->grid_x * d->grid_y;
    }
    if (total == 0)
        return false;
    for (size_t step = inclusive ? 0 : 1; step <= total; step++) {
        size_t pos = dir > 0 ? (here + step) % total : (here + total - step % total) % total;
        for (size_t v = 0; v < st->nvisible; v++) {
            const snap_device *d = &t->snap.devices[st->visible[v]];
            size_t n = (size_t)d->grid_x * d->grid_y;
            if (pos >= n) {
                pos -= n;
                continue;
            }
            uint16_t x = (uint16_t)(pos % d->grid_x), y = (uint16_t)(pos / d->grid_x);
            if (!core_marked(&a->find_marks, st->visible[v], x, y))
                break;
            tui_select_device(t, v);
            t->st.cx = x;
            t->st.cy = y;
            return true;
        }
    }
    return false;
}

/* A new find: the cores holding it, and the cursor on the first from where it is. */
static void start_find(tui *t, const char *query)
{
    tui_answers *a = &t->answers;
    utf8_copy(a->query, sizeof a->query, query);
    a->find_gen = STALE;
    if (!a->query[0])
        return;
    if (t->have_data)
        sync_find(t);
    if (!find_goto(t, 1, true))
        tui_say(t, "no core holds '%s' on the devices shown", a->query);
    t->st.view = VIEW_DEVICE;
}

/* ---------- the prompt ---------- */

static void run_prompt(tui *t)
{
    tui_answers *a = &t->answers;
    if (a->prompt == PROMPT_FIND) {
        a->prompt = PROMPT_NONE;
        start_find(t, a->line.text);
        return;
    }
    fit_spec *spec = malloc(sizeof *spec);
    if (!spec) {
        snprintf(t->fatal, sizeof t->fatal, "out of memory");
        return;
    }
    if (fitspec_parse(a->line.text, spec, a->prompt_error, sizeof a->prompt_error) != 0) {
        free(spec); /* the error shows in place; the line stays to be mended */
        return;
    }
    a->spec = *spec;
    free(spec);
    utf8_copy(a->fit_text_spec, sizeof a->fit_text_spec, a->line.text);
    a->fit_on = true;
    a->fit_gen = STALE;
    a->fit_scroll = 0;
    a->prompt = PROMPT_NONE;
    t->st.view = VIEW_FIT;
}

/* The prompt's editing keys; false for a key it does not know. */
static bool edit_key(line_edit *e, int key)
{
    switch (key) {
    case KEY_BACKSPACE: case 127: case CTRL('h'): line_edit_backspace(e); return true;
    case KEY_DC: case CTRL('d'): line_edit_delete(e); return true;
    case KEY_LEFT: case CTRL('b'): line_edit_left(e); return true;
    case KEY_RIGHT: case CTRL('f'): line_edit_right(e); return true;
    case KEY_HOME: case CTRL('a'): line_edit_home(e); return true;
    case KEY_END: case CTRL('e'): line_edit_end(e); return true;
    case CTRL('u'): line_edit_kill_to_start(e); return true;
    case CTRL('w'): line_edit_kill_word(e); return true;
    default: return key >= 0x20 && key <= 0xFF && line_edit_insert(e, (unsigned char)key);
    }
}

bool tui_answers_prompt_key(tui *t, int key)
{
    tui_answers *a = &t->answers;
    if (a->prompt == PROMPT_NONE)
        return false;
    if (key == KEY_ESC) {
        a->prompt = PROMPT_NONE;
        a->prompt_error[0] = '\0';
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        run_prompt(t);
    } else if (key == KEY_MOUSE) {
        MEVENT ev;
        (void)getmouse(&ev); /* taken, so no click lands under the prompt */
    } else if (edit_key(&a->line, key)) {
        a->prompt_error[0] = '\0'; /* mended or not, the old error no longer describes the line */
    }
    return true; /* every key types while the prompt is open */
}

static void open_prompt(tui_answers *a, prompt_kind kind, const char *text)
{
    a->prompt = kind;
    a->prompt_error[0] = '\0';
    line_edit_set(&a->line, text);
}

/* ---------- key actions ---------- */

bool act_fit_prompt(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    open_prompt(&t->answers, PROMPT_FIT, t->answers.fit_text_spec); /* the last SPEC, to change */
    return true;
}

bool act_find_prompt(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    open_prompt(&t->answers, PROMPT_FIND, "");
    return true;
}

bool act_find_step(tui *t, int key, int arg)
{
    (void)arg;
    tui_answers *a = &t->answers;
    if (!a->query[0])
        tui_say(t, "nothing to find: / first");
    else if (!find_goto(t, key == 'N' ? -1 : 1, false))
        tui_say(t, "no core holds '%s' on the devices shown", a->query);
    return true;
}

bool act_answers_clear(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    tui_answers *a = &t->answers;
    if (a->filter_on)
        t->st.data_gen++; /* the views' caches hold the filtered data */
    drop_fit(a);
    a->fit_on = false;
    drop_filter(a);
    a->query[0] = '\0';
    core_marks_free(&a->find_marks);
    if (t->st.view == VIEW_FIT)
        t->st.view = VIEW_DEVICE;
    return true;
}

/* Lines a page key moves a list by: the screen less its frame. */
#define ANSWER_VIEW_CHROME_ROWS 5

static size_t page_rows(void)
{
    return (size_t)(LINES > ANSWER_VIEW_CHROME_ROWS + 1 ? LINES - ANSWER_VIEW_CHROME_ROWS : 1);
}

/* Move *pos within [0, n) by a key: Up Down one, PgUp PgDn a page. */
static void move_in_list(size_t *pos, size_t n, int key)
{
    size_t page = page_rows();
    if (key == KEY_DOWN || key == KEY_NPAGE)
        *pos += key == KEY_DOWN ? 1 : page;
    else
        *pos = *pos > (key == KEY_UP ? 1 : page) ? *pos - (key == KEY_UP ? 1 : page) : 0;
    if (*pos >= n)
        *pos = n ? n - 1 : 0;
}

bool act_fit_scroll(tui *t, int key, int arg)
{
    (void)arg;
    move_in_list(&t->answers.fit_scroll, t->answers.fit_lines, key);
    return true;
}

bool act_top_select(tui *t, int key, int arg)
{
    (void)arg;
    move_in_list(&t->answers.top_sel, t->answers.ntop, key);
    return true;
}

bool act_top_find(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    tui_answers *a = &t->answers;
    if (a->top_sel >= a->ntop)
        return true;
    char name[SNAP_TAG_LEN];
    snprintf(name, sizeof name, "%.*s", a->top[a->top_sel].tag_len, a->top[a->top_sel].tag);
    start_find(t, name);
    return true;
}

bool act_top_group(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    tui_answers *a = &t->answers;
    a->top_by_op = !a->top_by_op;
    a->top_gen = STALE;
    a->top_sel = 0;
    return true;
}

bool act_filter_process(tui *t, int key, int arg)
{
    (void)key, (void)arg;
    tui_answers *a = &t->answers;
    uint32_t p = t->st.snap ? render_process_at(&t->st, t->st.proc_sel) : UINT32_MAX;
    if (p >= t->snap.nprocesses)
        return true;
    a->filter_on = true;
    a->filter_pid = t->snap.processes[p].pid;
    utf8_copy(a->filter_name, sizeof a->filter_name, t->snap.processes[p].name);
    a->filter_gen = STALE;
    t->st.data_gen++; /* what the views cached was of other data */
    t->st.view = VIEW_DEVICE;
    return true;
}
