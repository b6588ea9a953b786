/*
 * tui.h - the interactive ncurses monitor. The only module (with the
 * render_* helpers it calls) that talks to the terminal.
 */
#ifndef L1TOP_TUI_H
#define L1TOP_TUI_H

#include "cli/cli.h"
#include "cli/config.h"
#include "model/feed.h"

/* Runs on the feed until the user quits; returns an exit code. cfg is the
 * loaded configuration; the TUI may reload it (SIGHUP, 'r'). */
int tui_run(const cli_options *o, const feed *f, l1top_config *cfg);

#endif
