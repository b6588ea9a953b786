/*
 * quit_signal.h - the signals that end or reload l1top, shared by the TUI
 * and the batch loop. Handlers only record the signal; the loops notice it,
 * clean up (terminal, --demo helpers and segment) and exit 128 + signal.
 *
 * SIGINT, SIGTERM, SIGQUIT and SIGHUP end l1top (a hang-up means the
 * terminal is gone, as in htop); SIGUSR1 asks for a configuration reload.
 */
#ifndef L1TOP_QUIT_SIGNAL_H
#define L1TOP_QUIT_SIGNAL_H

#include <stdbool.h>

/* Exit status for "ended by signal N", as a shell reports it. */
#define QUIT_SIGNAL_EXIT_BASE 128

/* Install the handlers (without SA_RESTART: blocking calls return EINTR). */
void quit_signals_install(void);
/* The quitting signal received, or 0. */
int quit_signal_pending(void);
/* Record a quit for a reason that is not a signal (a dead terminal counts as SIGHUP). */
void quit_signal_raise(int sig);
/* True once per SIGUSR1 received. */
bool reload_signal_take(void);

#endif
