/*
 * demo.c - see demo.h. The demo runs one l1sim per chip group, each a
 * different workload on chips of its own, like several TT-Metal programs
 * sharing a host (a chip belongs to one process at a time).
 */
#define _GNU_SOURCE
#include "cli/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "sources/shm_reader.h"

#define DEMO_SHM_DIR "/dev/shm"

static void find_l1sim(char *out, size_t n)
{
    char self[PATH_MAX - 16]; /* room for "/l1sim" in out */
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len > 0) {
        self[len] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(out, n, "%s/l1sim", self);
            if (access(out, X_OK) == 0)
                return;
        }
    }
    snprintf(out, n, "l1sim"); /* from PATH */
}

static pid_t spawn(const char *l1sim, const char *shm, const char *board, const char *workload,
                   const char *devices, const char *seed)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* Die with l1top, however it ends (even SIGKILL); if it is already
     * gone, the request came too late: leave at once. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(0);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
    }
    execlp(l1sim, "l1sim", "--shm", shm, "--board", board, "--workload", workload, "--devices", devices,
           "--seed", seed, "--op-ms", "400", (char *)NULL);
    _exit(127);
}

/* Remove /dev/shm/l1top-demo-PID segments of ours whose l1top is dead (it
 * was SIGKILLed, so it could not clean up). Other users' files and live
 * sessions are left alone. */
static void remove_stale_segments(void)
{
    DIR *dir = opendir(DEMO_SHM_DIR);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir))) {
        static const char prefix[] = "l1top-demo-";
        if (strncmp(e->d_name, prefix, sizeof prefix - 1) != 0)
            continue;
        const char *digits = e->d_name + sizeof prefix - 1;
        char *end;
        long pid = strtol(digits, &end, 10);
        struct stat st;
        if (end == digits || *end != '\0' || pid <= 0 || pid > INT_MAX || pid == (long)getpid())
            continue;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char name[NAME_MAX + 2];
        snprintf(name, sizeof name, "/%s", e->d_name);
        shm_unlink(name);
    }
    closedir(dir);
}

int demo_start(demo_session *d, const char *board_name, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    const board_info *board = board_by_name(board_name);
    if (!board) {
        snprintf(err, errlen, "unknown board '%s'", board_name);
        return -1;
    }
    remove_stale_segments();
    snprintf(d->shm, sizeof d->shm, "/l1top-demo-%d", (int)getpid());
    shm_unlink(d->shm);
    char l1sim[PATH_MAX];
    find_l1sim(l1sim, sizeof l1sim);

    static const char *const wl[] = { "llama-decode", "resnet50", "llama-prefill" };
    /* Split chips into up to 3 contiguous groups, one workload each. */
    unsigned groups = board->chips < 3 ? board->chips : 3;
    for (unsigned g = 0; g < groups; g++) {
        char devs[256] = "", seed[16];
        size_t used = 0;
        for (unsigned c = g; c < board->chips; c += groups)
            used += (size_t)snprintf(devs + used, sizeof devs - used, "%s%u", used ? "," : "", c);
        snprintf(seed, sizeof seed, "%u", g + 1);
        pid_t pid = spawn(l1sim, d->shm, board->name, wl[g], devs, seed);
        if (pid < 0) {
            snprintf(err, errlen, "cannot start l1sim: %s", strerror(errno));
            demo_stop(d);
            return -1;
        }
        d->pids[d->nprocs++] = pid;
    }
    /* No second process on a chip: TT-Metal opens a chip for one process,
     * whose kernel-config ring and CBs are its own. */
    return 0;
}

int demo_wait_ready(const demo_session *d, int timeout_ms)
{
    snapshot s;
    snapshot_init(&s);
    int rc = -1;
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        shm_reader *r = NULL;
        char err[256];
        if (shm_reader_open(d->shm, &r, err, sizeof err) == SHM_OK) {
            if (shm_reader_snapshot(r, &s, err, sizeof err) == SHM_OK && s.nprocesses >= (size_t)d->nprocs &&
                s.nregions > 0) {
                shm_reader_close(r);
                rc = 0;
                break;
            }
            shm_reader_close(r);
        }
        for (int i = 0; i < d->nprocs; i++) {
            int status;
            if (waitpid(d->pids[i], &status, WNOHANG) == d->pids[i])
                goto out; /* a demo process died: l1sim missing? */
        }
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
out:
    snapshot_free(&s);
    return rc;
}

void demo_stop(demo_session *d)
{
    for (int i = 0; i < d->nprocs; i++)
        kill(d->pids[i], SIGTERM);
    for (int i = 0; i < d->nprocs; i++) {
        int status;
        for (int t = 0; t < 100; t++) { /* up to 2 s, then SIGKILL */
            if (waitpid(d->pids[i], &status, WNOHANG) != 0)
                goto reaped;
            struct timespec ts = { 0, 20 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        kill(d->pids[i], SIGKILL);
        waitpid(d->pids[i], &status, 0);
    reaped:;
    }
    d->nprocs = 0;
    if (d->shm[0])
        shm_unlink(d->shm);
}
