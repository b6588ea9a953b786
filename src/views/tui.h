/*
 * tui.h - the interactive ncurses monitor. The only module (with the
 * render_* helpers it calls) that talks to the terminal. It knows nothing
 * of the command line: the caller fills a tui_options.
 */
#ifndef L1TOP_TUI_H
#define L1TOP_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/config.h"
#include "model/feed.h"
#include "views/output.h"
#include "views/theme.h"

typedef struct {
    const feed *feed;              /* the data: live, or a timeline to step through (--trace) */
    output_options filter;         /* the devices shown */
    bool no_color;                 /* --no-color (NO_COLOR is read too) */
    long max_frames;               /* exit after this many refreshes (tests), 0 = never */
    /* The `r` key and SIGUSR1: the configuration as it would be loaded now
     * (the file, then the command line's overrides). 0, or -1 with why. */
    int (*reload_config)(void *ctx, l1top_config *out, char *err, size_t errlen);
    void *reload_ctx;
    /* Theme files are the caller's: find NAME into t (0, or -1 with why),
     * and the names the `t` key cycles through. */
    int (*find_theme)(theme *t, const char *name, char *err, size_t errlen);
    const char *const *themes;
    size_t nthemes;
    /* The `w` key: the caller records the live sources (rec_start NULL:
     * it cannot). rec_start: a new file in the current directory, its name
     * in path; NULL with why in err. rec_tick: after each reading s, the
     * file's size so far in *size; 0, or -1 with why. rec_stop: ends it
     * (clean: with its trailer), its size in *size; 0, or -1 with why. */
    void *(*rec_start)(void *ctx, char *path, size_t pathlen, char *err, size_t errlen);
    int (*rec_tick)(void *rec, const snapshot *s, uint64_t *size, char *err, size_t errlen);
    int (*rec_stop)(void *rec, bool clean, uint64_t *size, char *err, size_t errlen);
    void *rec_ctx;
} tui_options;

/* Runs on o->feed until the user quits; returns an exit code (sysexits.h, or 128 +
 * the signal that ended it). cfg is the loaded configuration; the TUI
 * replaces it on a reload. */
int tui_run(const tui_options *o, l1top_config *cfg);

#endif
