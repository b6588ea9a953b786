/*
 * sig_chain.c - see sig_chain.h.
 */
#define _GNU_SOURCE
#include "sig_chain.h"

#include <string.h>

void sig_install_chained(int sig, void (*handler)(int, siginfo_t *, void *), struct sigaction *previous)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, previous);
}

void sig_chain(const struct sigaction *previous, int sig, siginfo_t *info, void *ctx)
{
    if (previous->sa_flags & SA_SIGINFO) {
        previous->sa_sigaction(sig, info, ctx);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(sig);
    } else {
        signal(sig, SIG_DFL);
        if (info && info->si_code <= 0)
            raise(sig); /* sent (kill, raise), not a fault that a retry repeats */
    }
}
