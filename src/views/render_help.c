/*
 * render_help.c - the help screen (its key lines generated from the key
 * table) and the waiting screen shown until a writer records.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <stdio.h>

#include "views/render.h"
#include "views/tui_keys.h"

/* What the help says beside the keys (which come from the key table). */
static const char *const about_lines[] = {
    "Tracked and untracked",
    "  Tracked (T): what the TT-Metal allocator knows, explicit L1 and L1_SMALL.",
    "  Untracked (U): real but invisible to it: circular buffers, kernel binaries,",
    "  semaphores, runtime args and CB configs, the rest of the kernel-config ring,",
    "  firmware and mailboxes.",
    "",
    "Colours",
    "  heatmap: dark = empty ... red = full (mono: blank . : * # or shades)",
    "  address map: B L1 buffer, s L1_SMALL, C circular buffer, K kernel code,",
    "               S semaphores, R runtime, k kernel-config ring, F firmware,",
    "               . free, ! clash",
};

static int help_line(int y, const char *text)
{
    if (y < LINES - 1)
        render_put(y, 1, COLS - 2, text[0] != ' ' && text[0] ? A_BOLD : A_NORMAL, text);
    return y + 1;
}

void render_help(const tui_state *st)
{
    int y = help_line(LAYOUT_HEADER_ROWS, "Keys");
    char line[512];
    for (size_t i = 0; keys_help_line(i, line, sizeof line); i++)
        y = help_line(y, line);
    y = help_line(y, "");
    for (size_t i = 0; i < sizeof about_lines / sizeof about_lines[0]; i++)
        y = help_line(y, about_lines[i]);
    if (st->rc.color && y + 1 < LINES) {
        int x = 3;
        for (int c = 0; c < CAT_COUNT && x < COLS; c++) {
            char lbl[40];
            int n = snprintf(lbl, sizeof lbl, "%c %s  ", render_category_letter((l1_category)c), category_label[c]);
            render_put(y + 1, x, COLS - x, render_category_attr(&st->rc, (l1_category)c), lbl);
            x += n;
        }
    }
}

void render_waiting(const tui_state *st)
{
    int y = LINES / 2 - 3;
    if (y < 1)
        y = 1;
    char line[320];
    snprintf(line, sizeof line, "Waiting for L1 data on segment %s", st->segment);
    render_put(y, 2, COLS - 4, A_BOLD, line);
    if (st->status[0])
        render_put(y + 1, 2, COLS - 4, render_warn_attr(&st->rc), st->status);
    render_put(y + 3, 2, COLS - 4, A_NORMAL, "Start an instrumented program (linked with libl1top), or the simulator:");
    snprintf(line, sizeof line, "    L1TOP_SHM=%s l1sim --board n300 --workload llama-decode", st->segment);
    render_put(y + 4, 2, COLS - 4, A_NORMAL, line);
    render_put(y + 5, 2, COLS - 4, A_NORMAL, "or try the built-in demo:  l1top --demo");
    render_put(y + 7, 2, COLS - 4, A_DIM, "Still watching; data appears here as soon as a writer records. q quits.");
}
