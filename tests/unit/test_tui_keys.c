/*
 * The TUI's key table on an off-screen terminal (ncurses writing to
 * /dev/null, read back from its screen): every key of the table is on the
 * help screen, no key is bound twice in a view, and the keys really act on
 * the TUI's state through the same dispatch the event loop uses.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <criterion/criterion.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "views/render.h"
#include "views/tui_app.h"
#include "views/tui_keys.h"

#define SCREEN_COLS 160
#define SCREEN_ROWS 50

static SCREEN *scr;
static FILE *term_out, *term_in;
static tui t;
static tui_options opts;
static l1top_config cfg;

static void offscreen(void)
{
    setenv("TERM", "xterm", 1);
    char cols[16], rows[16];
    snprintf(cols, sizeof cols, "%d", SCREEN_COLS);
    snprintf(rows, sizeof rows, "%d", SCREEN_ROWS);
    setenv("COLUMNS", cols, 1);
    setenv("LINES", rows, 1);
    term_out = fopen("/dev/null", "w");
    term_in = fopen("/dev/null", "r");
    cr_assert(term_out && term_in);
    scr = newterm("xterm", term_out, term_in);
    cr_assert_not_null(scr, "no xterm terminfo");
    cr_assert_eq(COLS, SCREEN_COLS);
}

/* A TUI holding two devices (8x8 and 11x10) and one process, as after a refresh. */
static void setup(void)
{
    offscreen();
    config_defaults(&cfg);
    t.opts = &opts;
    t.cfg = &cfg;
    snapshot_init(&t.snap);
    t_device(&t.snap, 0, "wormhole_b0", 8, 8);
    t_device(&t.snap, 1, "blackhole", 11, 10);
    uint32_t p = t_process(&t.snap, 42, "model");
    t_region(&t.snap, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 7, 7 }), 0x19180, 0x10000, "cb");
    cr_assert_eq(accounting_compute(&t.snap, &t.acct), 0);
    t.visible[0] = 0;
    t.visible[1] = 1;
    t.st.visible = t.visible;
    t.st.nvisible = 2;
    t.st.snap = &t.snap;
    t.st.acct = &t.acct;
    t.st.cfg = &cfg;
    t.st.segment = "/test";
    t.st.delay_tenths = 10;
    t.st.core_cache = &t.core_cache;
    t.st.data_gen = 1;
    t.have_data = true;
}

static void teardown(void)
{
    accounting_free(&t.acct);
    snapshot_free(&t.snap);
    endwin();
    delscreen(scr);
    fclose(term_out);
    fclose(term_in);
}

TestSuite(tui_keys, .init = setup, .fini = teardown);

/* What the off-screen terminal shows, row after row. Caller frees. */
static char *screen_text(void)
{
    char *text = calloc((size_t)LINES, (size_t)COLS + 2);
    cr_assert_not_null(text);
    char *p = text;
    for (int y = 0; y < LINES; y++) {
        int n = mvinnstr(y, 0, p, COLS);
        p += n > 0 ? n : 0;
        *p++ = '\n';
    }
    *p = '\0';
    return text;
}

Test(tui_keys, every_key_of_the_table_is_on_the_help_screen)
{
    t.st.view = VIEW_HELP;
    erase();
    render_help(&t.st);
    char *text = screen_text();
    cr_assert_gt(keys_count(), 20);
    for (size_t i = 0; i < keys_count(); i++) {
        const key_binding *b = keys_at(i);
        cr_assert_not_null(strstr(text, b->label), "'%s' (%s) is not on the help screen:\n%s", b->label, b->help, text);
        cr_assert_not_null(strstr(text, b->help), "what '%s' does is not on the help screen:\n%s", b->label, text);
    }
    cr_assert_not_null(strstr(text, "Tracked and untracked"), "the help still explains the split");
    free(text);
}

Test(tui_keys, no_key_is_bound_twice_in_a_view)
{
    for (size_t i = 0; i < keys_count(); i++) {
        const key_binding *b = keys_at(i);
        cr_assert(b->keys[0] && b->views && b->act && b->label && b->help, "binding %zu is complete", i);
        for (view_id v = 0; v < VIEW_COUNT; v++)
            for (size_t k = 0; k < KEY_MAX_CODES && b->keys[k] && (b->views & VIEW_BIT(v)); k++)
                cr_assert_eq(keys_find(v, b->keys[k]), b, "'%s' key %d in %s is taken by an earlier binding",
                             b->label, b->keys[k], view_name[v]);
    }
    cr_assert_null(keys_find(VIEW_HELP, 'Z'), "an unbound key does nothing");
}

Test(tui_keys, the_keys_act_on_the_state)
{
    cr_assert(tui_handle_key(&t, 'm'));
    cr_assert_eq(t.st.metric, METRIC_CIRCULAR_BUFFERS);
    cr_assert(tui_handle_key(&t, 'a'));
    cr_assert(t.st.allocator_view);
    cr_assert(tui_handle_key(&t, KEY_RIGHT));
    cr_assert(tui_handle_key(&t, KEY_DOWN));
    cr_assert(t.st.cx == 1 && t.st.cy == 1, "arrows move the core cursor");
    cr_assert(tui_handle_key(&t, '\t'));
    cr_assert_eq(t.st.sel, 1);
    cr_assert(tui_handle_key(&t, KEY_BTAB));
    cr_assert_eq(t.st.sel, 0);
    cr_assert(tui_handle_key(&t, '2'));
    cr_assert_eq(t.st.sel, 1);
    cr_assert(tui_handle_key(&t, '9'), "no ninth device: nothing moves");
    cr_assert_eq(t.st.sel, 1);
    cr_assert(tui_handle_key(&t, '+'));
    cr_assert_eq(t.st.delay_tenths, 15);
    cr_assert(tui_handle_key(&t, '-'));
    cr_assert_eq(t.st.delay_tenths, 10);
    cr_assert(tui_handle_key(&t, ' '));
    cr_assert(t.st.paused);
    cr_assert(tui_handle_key(&t, '\n'));
    cr_assert_eq(t.st.view, VIEW_CORE, "Enter opens the core view");
    cr_assert(tui_handle_key(&t, 27));
    cr_assert_eq(t.st.view, VIEW_DEVICE, "Esc goes back");
    cr_assert(tui_handle_key(&t, 'p'));
    cr_assert_eq(t.st.view, VIEW_PROCESSES);
    cr_assert(tui_handle_key(&t, '>'));
    cr_assert_eq(t.st.psort, PSORT_NAME);
    cr_assert(tui_handle_key(&t, 'I'));
    cr_assert(t.st.preverse);
    cr_assert(tui_handle_key(&t, 'p'));
    cr_assert_eq(t.st.view, VIEW_DEVICE, "p again: back");
    cr_assert(tui_handle_key(&t, 'o'));
    cr_assert(tui_handle_key(&t, KEY_LEFT));
    cr_assert_eq(t.st.sel, 0, "the overview's arrows select a device");
    cr_assert(tui_handle_key(&t, KEY_ENTER));
    cr_assert_eq(t.st.view, VIEW_DEVICE, "and Enter opens it");
    cr_assert(tui_handle_key(&t, 'I'), "I is a process view key: elsewhere it does nothing");
    cr_assert(t.st.preverse);
    cr_assert_not(tui_handle_key(&t, 'q'), "q quits");
    cr_assert_not(tui_handle_key(&t, KEY_F(10)));
}

Test(tui_keys, a_view_key_bar_shows_that_views_keys)
{
    char bar[512];
    keys_bar(VIEW_PROCESSES, false, 0, bar, sizeof bar);
    cr_assert_not_null(strstr(bar, "q Quit"), "%s", bar);
    cr_assert_not_null(strstr(bar, "< > Sort"), "%s", bar);
    cr_assert_null(strstr(bar, "Enter Core"), "the device view's Enter: %s", bar);
    cr_assert_null(strstr(bar, "Step"), "no trace, no timeline keys: %s", bar);
    keys_bar(VIEW_DEVICE, true, 0, bar, sizeof bar);
    cr_assert_not_null(strstr(bar, "Enter Core"), "%s", bar);
    cr_assert_not_null(strstr(bar, "[ ] Step"), "%s", bar);
    cr_assert_null(strstr(bar, "Esc"), "Esc does nothing in the device view: %s", bar);
    char tiny[12];
    keys_bar(VIEW_DEVICE, false, 0, tiny, sizeof tiny);
    cr_assert_eq(strlen(tiny), sizeof tiny - 1, "cut to the buffer");
}

/* The core view keeps its map while data and core stay the same, and draws
 * the new one when the data changes (data_gen) or the cursor moves. */
Test(tui_keys, the_core_view_map_follows_the_data_and_the_cursor)
{
    t.st.view = VIEW_CORE;
    erase();
    render_core(&t.st);
    char *text = screen_text();
    cr_assert_not_null(strstr(text, "cb"), "the CB is on core (0,0):\n%s", text);
    cr_assert_null(strstr(text, "late-buffer"), "%s", text);
    free(text);
    /* A refresh brings a buffer on core (0,0): new accounting, new generation. */
    t_region(&t.snap, 0, 0, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x100000, 0x1000, "late-buffer");
    accounting_free(&t.acct);
    cr_assert_eq(accounting_compute(&t.snap, &t.acct), 0);
    t.st.data_gen++;
    erase();
    render_core(&t.st);
    text = screen_text();
    cr_assert_not_null(strstr(text, "late-buffer"), "a changed snapshot is drawn, not the cached map:\n%s", text);
    free(text);
    /* Core (1,0) does not hold it. */
    t.st.cx = 1;
    erase();
    render_core(&t.st);
    text = screen_text();
    cr_assert_null(strstr(text, "late-buffer"), "the cursor's core is drawn:\n%s", text);
    cr_assert_not_null(strstr(text, "Core (1,0)"), "%s", text);
    free(text);
}

/* The answers' prompts through the same dispatch: an open prompt takes
 * every key (q types a q), Enter answers, the marks land on the cores. */
Test(tui_keys, the_prompts_take_every_key_and_answer)
{
    tui_answers_init(&t.answers);
    cr_assert(tui_handle_key(&t, 'f'));
    cr_assert_eq(t.answers.prompt, PROMPT_FIT);
    for (const char *p = "cb 2MiB on 0-0..1-0 q"; *p; p++)
        cr_assert(tui_handle_key(&t, *p), "'%c' is typed, not acted on", *p);
    cr_assert_str_eq(t.answers.line.text, "cb 2MiB on 0-0..1-0 q");
    cr_assert(tui_handle_key(&t, KEY_BACKSPACE));
    cr_assert(tui_handle_key(&t, KEY_BACKSPACE));
    cr_assert(tui_handle_key(&t, '\n'));
    cr_assert_eq(t.answers.prompt, PROMPT_NONE);
    cr_assert_eq(t.st.view, VIEW_FIT);
    tui_answers_prepare(&t);
    cr_assert(t.answers.have_answer);
    cr_assert_not(t.answers.answer.fits, "2 MiB of CBs is more than L1");
    cr_assert_eq(answers_core_mark(&t.answers, 0, 1, 0), 'X');
    cr_assert_eq(answers_core_mark(&t.answers, 0, 2, 0), 0);
    cr_assert_eq(t.answers.fit_marks.count[0], 2);
    cr_assert_not_null(strstr(t.answers.fit_text, "Answer: does not fit"));
    /* A bad SPEC: the error, the prompt still open. */
    cr_assert(tui_handle_key(&t, 'f'));
    cr_assert_str_eq(t.answers.line.text, "cb 2MiB on 0-0..1-0", "the last SPEC, to change");
    cr_assert(tui_handle_key(&t, 'X'));
    cr_assert(tui_handle_key(&t, '\n'));
    cr_assert_eq(t.answers.prompt, PROMPT_FIT);
    cr_assert(t.answers.prompt_error[0], "the parse error is kept to show");
    cr_assert(tui_handle_key(&t, 27));
    cr_assert_eq(t.answers.prompt, PROMPT_NONE, "Esc cancels");
    /* Find: the process name "model" holds the CB on every core of device 0. */
    t.st.cx = 3;
    cr_assert(tui_handle_key(&t, '/'));
    for (const char *p = "MODEL"; *p; p++)
        cr_assert(tui_handle_key(&t, *p));
    cr_assert(tui_handle_key(&t, '\n'));
    cr_assert_eq(t.st.view, VIEW_DEVICE);
    cr_assert_eq(t.answers.find_marks.count[0], 64);
    cr_assert_eq(t.answers.find_marks.count[1], 0);
    cr_assert(t.st.cx == 3 && t.st.cy == 0, "the cursor's own core matches: it stays");
    cr_assert(tui_handle_key(&t, 'n'));
    cr_assert_eq(t.st.cx, 4);
    tui_answers_prepare(&t);
    char note[320];
    render_answers_note(&t.st, note, sizeof note);
    cr_assert_str_eq(note, " fit: 2 cores X  /MODEL: 64 cores * of 64  x clears ", "line 1 says what is marked");
    char tiny[12];
    render_answers_note(&t.st, tiny, sizeof tiny);
    cr_assert(strlen(tiny) >= sizeof tiny - 2 && strlen(tiny) < sizeof tiny, "cut at the buffer, NUL-terminated");
    cr_assert(strncmp(tiny, note, strlen(tiny)) == 0, "'%s' starts the note", tiny);
    cr_assert(tui_handle_key(&t, 'x'));
    cr_assert_eq(t.answers.query[0], '\0');
    cr_assert_not(t.answers.fit_on);
    cr_assert_eq(answers_core_mark(&t.answers, 0, 1, 0), 0, "x clears the marks");
    render_answers_note(&t.st, note, sizeof note);
    cr_assert_str_eq(note, "", "and line 1 says nothing");
    tui_answers_free(&t.answers);
}

/* ---- a timeline's core keys and the event log's Enter (#16) ---- */

typedef struct {
    size_t pos, len;
    uint32_t dev;
    uint16_t x, y;
    int dir;
    size_t answer;             /* what find_change / core_peak answer */
} fake_timeline;

static size_t ft_length(const void *self) { return ((const fake_timeline *)self)->len; }
static size_t ft_position(const void *self) { return ((const fake_timeline *)self)->pos; }
static void ft_seek(void *self, size_t pos) { ((fake_timeline *)self)->pos = pos; }
static size_t ft_peak(const void *self) { return ((const fake_timeline *)self)->len - 1; }
static void ft_label(const void *self, size_t pos, char *buf, size_t n)
{
    (void)self;
    snprintf(buf, n, "step %zu", pos);
}
static size_t ft_find(const void *self, size_t from, uint32_t dev, uint16_t x, uint16_t y, int dir)
{
    fake_timeline *f = (fake_timeline *)self;
    cr_assert_eq(from, f->pos, "finds from where the timeline stands");
    f->dev = dev, f->x = x, f->y = y, f->dir = dir;
    return f->answer;
}
static size_t ft_core_peak(const void *self, uint32_t dev, uint16_t x, uint16_t y)
{
    return ft_find(self, ((const fake_timeline *)self)->pos, dev, x, y, 0);
}
static size_t ft_position_of(const void *self, uint64_t seq, uint64_t start_ns)
{
    (void)self;
    return seq == 5 && !start_ns ? 9 : SIZE_MAX;
}

static const timeline_ops fake_ops = { ft_length, ft_position, ft_seek, ft_peak, ft_label,
                                       ft_find,   ft_core_peak, ft_position_of };

Test(tui_keys, core_keys_and_event_enter_move_a_timeline)
{
    fake_timeline ft = { .pos = 3, .len = 20, .answer = 7 };
    feed f = { .timeline = &fake_ops, .timeline_self = &ft };
    t.feed = &f;
    t.events = latched_new();
    cr_assert_not_null(t.events);
    cr_assert(tui_handle_key(&t, '2')); /* device 1 */
    cr_assert(tui_handle_key(&t, KEY_RIGHT));
    cr_assert(tui_handle_key(&t, '}'));
    cr_assert(ft.pos == 7 && ft.dir == 1 && ft.dev == 1 && ft.x == 1 && ft.y == 0, "pos %zu dir %d dev %u (%u,%u)",
              ft.pos, ft.dir, ft.dev, ft.x, ft.y);
    cr_assert_not_null(strstr(t.st.message, "core (1,0) next change: step 7"), "%s", t.st.message);
    ft.answer = SIZE_MAX;
    cr_assert(tui_handle_key(&t, '{'));
    cr_assert(ft.pos == 7 && ft.dir == -1, "nothing before: the timeline stays");
    cr_assert_str_eq(t.st.message, "no previous change of core (1,0) on device 1");
    cr_assert(tui_handle_key(&t, 'c'), "c in the device view says it is the core view's");
    cr_assert_not_null(strstr(t.st.message, "does nothing in the device view"), "%s", t.st.message);
    cr_assert(tui_handle_key(&t, '\n'));
    ft.answer = 12;
    cr_assert(tui_handle_key(&t, 'c'));
    cr_assert(ft.pos == 12 && ft.dir == 0, "c: the core's own peak");
    /* The event log: a clash seen at step 4, one the marks saw (seq 5: step 9). */
    latched_event seen = { .kind = LATCH_CLASH, .device = 0, .x = 2, .y = 3, .pos = 4 };
    latched_event marked = { .kind = LATCH_CLASH, .device = 0, .x = 5, .y = 6, .pos = 1, .marked = true, .seq = 5 };
    latched_note(t.events, &seen);
    latched_note(t.events, &marked);
    t.st.view = VIEW_EVENTS;
    t.st.event_sel = 0;
    cr_assert(tui_handle_key(&t, '\n'));
    cr_assert(ft.pos == 9 && t.st.view == VIEW_CORE && t.st.sel == 0 && t.st.cx == 5 && t.st.cy == 6,
              "the change that made the mark: pos %zu", ft.pos);
    cr_assert_str_eq(t.st.message, "at the event: step 9");
    t.st.view = VIEW_EVENTS;
    cr_assert(tui_handle_key(&t, KEY_DOWN));
    cr_assert(tui_handle_key(&t, '\n'));
    cr_assert(ft.pos == 4 && t.st.cx == 2 && t.st.cy == 3, "where it was seen: pos %zu", ft.pos);
    latched_free(t.events);
    t.events = NULL;
    t.feed = NULL;
}
