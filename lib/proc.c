/*
 * proc.c - /proc readers for writer liveness (see proc.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t read_small_file(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, buf, n - 1);
    close(fd);
    if (got < 0)
        return -1;
    buf[got] = '\0';
    return got;
}

uint64_t proc_start_time(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (read_small_file(path, buf, sizeof buf) <= 0)
        return 0;
    /* comm may hold spaces and parentheses: fields restart after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    p++;
    /* After ')': field 3 (state) is the 1st token; starttime is field 22. */
    int field = 2;
    char *save = NULL;
    for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        field++;
        if (field == 22)
            return strtoull(tok, NULL, 10);
    }
    return 0;
}

bool proc_alive(pid_t pid, uint64_t start_time)
{
    if (pid <= 0)
        return false;
    if (kill(pid, 0) != 0 && errno == ESRCH)
        return false;
    if (start_time == 0)
        return true;
    uint64_t now = proc_start_time(pid);
    /* /proc unreadable (other namespace): trust kill(). */
    return now == 0 || now == start_time;
}

void proc_comm(pid_t pid, char *buf, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    if (n == 0)
        return;
    ssize_t got = read_small_file(path, buf, n);
    if (got <= 0) {
        snprintf(buf, n, "?");
        return;
    }
    buf[strcspn(buf, "\n")] = '\0';
}
