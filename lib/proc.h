/*
 * proc.h - facts about processes from /proc: start time (to tell a live
 * writer from a reused pid) and liveness. Used off the hot path only.
 */
#ifndef L1TOP_PROC_H
#define L1TOP_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* starttime (field 22 of /proc/<pid>/stat, clock ticks since boot); 0 unknown. */
uint64_t proc_start_time(pid_t pid);

/* true when pid exists and, if start_time is known, started then. */
bool proc_alive(pid_t pid, uint64_t start_time);

/* The comm of pid (or "?"), NUL-terminated in buf. */
void proc_comm(pid_t pid, char *buf, size_t n);

#endif
