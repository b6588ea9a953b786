/*
 * tui_answers.h - the TUI's answers (issue #17): the prompt on the bottom
 * line (`f` a FIT SPEC, `/` a find), the fit answer and the cores it fails
 * on, the find and the cores holding matches (`n`/`N` step through them),
 * the top ops/tags view, and the process filter. tui_answers.c keeps it in
 * step with the data and owns the keys; render_fit.c and render_find.c draw
 * it. No ncurses here: the views read it through tui_state.answers.
 *
 * Every answer follows the data: a new snapshot (or a move on a trace's
 * timeline) recomputes the fit, the find and the filter on the next draw.
 */
#ifndef L1TOP_TUI_ANSWERS_H
#define L1TOP_TUI_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/find.h"
#include "model/fit.h"
#include "model/snapshot.h"
#include "views/line_edit.h"

typedef enum { PROMPT_NONE = 0, PROMPT_FIT, PROMPT_FIND } prompt_kind;

#define ANSWER_ERR_LEN 256

typedef struct tui_answers {
    /* The prompt: what it asks for, the line, and why the last Enter failed. */
    prompt_kind prompt;
    line_edit line;
    char prompt_error[ANSWER_ERR_LEN];
    /* f: the SPEC, its answer on the data shown, and that answer as text. */
    bool fit_on;
    char fit_text_spec[LINE_EDIT_MAX];
    fit_spec spec;
    fit_answer answer;
    bool have_answer;
    char *fit_text;               /* output_fit_text's answer, lines split at '\n' */
    size_t fit_text_len;
    size_t fit_lines, fit_scroll;
    core_marks fit_marks;         /* failing cores of every term, per device */
    uint64_t fit_gen;             /* tui_state.data_gen it was computed for */
    /* /: the query and the cores holding matches. */
    char query[FIND_QUERY_MAX];
    core_marks find_marks;
    uint64_t find_gen;
    /* The top view: the selected device's tags, or ops. */
    bool top_by_op;
    tag_total *top;
    size_t ntop, top_sel;
    size_t top_dev;               /* snapshot device index */
    const snapshot *top_snap;     /* what it was computed from */
    uint64_t top_gen;
    /* The process filter: by pid, so it survives the process list changing. */
    bool filter_on;
    int32_t filter_pid;
    char filter_name[SNAP_NAME_LEN];
    bool filter_present;          /* the pid is in the data now */
    snapshot fsnap;               /* the data with only its regions */
    accounting facct;
    bool have_facct;
    uint64_t filter_gen;
} tui_answers;

/* What a heatmap cell shows for core (x, y) of device index dev: 'X' a
 * core the fit fails on, '*' one holding a find match, 0 neither. */
char answers_core_mark(const tui_answers *a, size_t dev, uint16_t x, uint16_t y);

/* ---------- the TUI's side (tui_answers.c) ---------- */

struct tui;
void tui_answers_init(tui_answers *a);
void tui_answers_free(tui_answers *a);
/* Before a draw: bring the answers up to the data, point st.answers at
 * them, and show the filtered data in the views the filter applies to. */
void tui_answers_prepare(struct tui *t);
/* A key while a prompt is open: true when the prompt took it. */
bool tui_answers_prompt_key(struct tui *t, int key);

/* Key actions (the key table, tui_keys.c). */
bool act_fit_prompt(struct tui *t, int key, int arg);
bool act_find_prompt(struct tui *t, int key, int arg);
bool act_find_step(struct tui *t, int key, int arg);
bool act_answers_clear(struct tui *t, int key, int arg);
bool act_fit_scroll(struct tui *t, int key, int arg);
bool act_top_select(struct tui *t, int key, int arg);
bool act_top_find(struct tui *t, int key, int arg);
bool act_top_group(struct tui *t, int key, int arg);
bool act_filter_process(struct tui *t, int key, int arg);

#endif
