/*
 * demo.h - `l1top --demo`: start simulated writer processes (l1sim) on a
 * private segment, and clean both up afterwards.
 */
#ifndef L1TOP_DEMO_H
#define L1TOP_DEMO_H

#include <stddef.h>
#include <sys/types.h>

#define DEMO_MAX_PROCS 8

typedef struct {
    char shm[64];
    pid_t pids[DEMO_MAX_PROCS];
    int nprocs;
} demo_session;

/* 0, or -1 with a message in err. l1sim is looked for next to l1top, then in PATH. */
int demo_start(demo_session *d, const char *board, char *err, size_t errlen);
/* Wait (up to timeout_ms) until every demo process has recorded something. */
int demo_wait_ready(const demo_session *d, int timeout_ms);
void demo_stop(demo_session *d);

#endif
