/*
 * sig_chain.h - hand a signal on to the handler that was installed before
 * ours. The SIGBUS guards of the writer (lib/writer.c) and of the reader
 * (src/sources/shm_reader.c) stay installed for good and catch only faults
 * in their own mappings; any other goes where it went before them.
 */
#ifndef L1TOP_SIG_CHAIN_H
#define L1TOP_SIG_CHAIN_H

#include <signal.h>

/* Install handler for sig (SA_SIGINFO | SA_NODEFER: the mask is left
 * alone, so a handler may jump out without restoring it), saving the one
 * it replaces in *previous. */
void sig_install_chained(int sig, void (*handler)(int, siginfo_t *, void *), struct sigaction *previous);

/* Call `previous` for sig (either form of handler). When it was the
 * default or ignore, sig's action becomes the default: a fault, retried
 * when our handler returns, then ends the process as it would have; a
 * signal that was sent (kill, raise) is raised again at once. */
void sig_chain(const struct sigaction *previous, int sig, siginfo_t *info, void *ctx);

#endif
