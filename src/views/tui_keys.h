/*
 * tui_keys.h - the TUI's key table, htop style: each binding names its
 * keys, the views where it applies, its action, its help text and its word
 * on the key bar. Input handling, the help screen and the key bar all come
 * from the one table in tui_keys.c: adding a key is adding a line there.
 */
#ifndef L1TOP_TUI_KEYS_H
#define L1TOP_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "views/render.h"

struct tui;
/* What a key does; key is the code pressed, arg the binding's. false: quit. */
typedef bool (*key_action)(struct tui *t, int key, int arg);

#define KEY_MAX_CODES 10

typedef struct {
    int keys[KEY_MAX_CODES];   /* ncurses key codes; 0 ends the list */
    const char *label;         /* the keys as the help names them: "q, F10" */
    unsigned views;            /* where it applies: VIEW_BIT()s */
    key_action act;
    int arg;
    const char *help;          /* what it does, for the help screen */
    const char *bar;           /* its word on the key bar, NULL: not there */
} key_binding;

size_t keys_count(void);
const key_binding *keys_at(size_t i);
/* The binding of key in view v, or NULL. */
const key_binding *keys_find(view_id v, int key);

/* The help screen's key lines, generated: one line per binding that works
 * in several views, then one line per view for the bindings of that view
 * only. The i-th line into buf; NULL past the last. */
const char *keys_help_line(size_t i, char *buf, size_t n);

/* View v's key bar: "q Quit  h Help  ...", the keys there that have a bar
 * word (timeline keys only when a trace is open): quit, help and the
 * view's own keys first, then the others; when width > 0 and that is too
 * wide, one space between entries and whole entries only, up to width
 * columns. Returns buf. */
const char *keys_bar(view_id v, bool timeline, int width, char *buf, size_t n);

#endif
