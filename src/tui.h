/*
 * tui.h - the interactive ncurses monitor. The only module (with the
 * render_* helpers it calls) that talks to the terminal.
 */
#ifndef L1TOP_TUI_H
#define L1TOP_TUI_H

#include "cli.h"

/* Runs until the user quits; returns an exit code. */
int tui_run(const cli_options *o, const char *shm);

#endif
