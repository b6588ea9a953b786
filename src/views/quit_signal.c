/*
 * quit_signal.c - see quit_signal.h. The only file-global state is what a
 * signal handler may touch: two sig_atomic_t flags.
 */
#define _GNU_SOURCE
#include "views/quit_signal.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t quit_sig, reload_req;

static void on_quit(int sig) { quit_sig = sig; }
static void on_reload(int sig) { reload_req = sig; }

void quit_signals_install(void)
{
    static const int quits[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit;
    for (size_t i = 0; i < sizeof quits / sizeof quits[0]; i++)
        sigaction(quits[i], &sa, NULL);
    sa.sa_handler = on_reload;
    sigaction(SIGUSR1, &sa, NULL);
}

int quit_signal_pending(void) { return quit_sig; }

void quit_signal_raise(int sig) { quit_sig = sig; }

bool reload_signal_take(void)
{
    if (!reload_req)
        return false;
    reload_req = 0;
    return true;
}
