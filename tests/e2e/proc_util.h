/*
 * proc_util.h - end-to-end helpers: start real processes, wait for them to
 * say "ready", run l1top and capture what it prints.
 */
#ifndef L1TOP_PROC_UTIL_H
#define L1TOP_PROC_UTIL_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline const char *build_dir(void)
{
    const char *b = getenv("L1TOP_BUILD");
    return b && *b ? b : "build";
}

static inline void bin_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", build_dir(), name);
}

/* Every process a test starts, so teardown can kill what a failed test left. */
static pid_t started[512];
static int nstarted;

static inline void kill_started(void)
{
    for (int i = 0; i < nstarted; i++)
        if (started[i] > 0 && kill(started[i], SIGKILL) == 0)
            waitpid(started[i], NULL, 0);
    nstarted = 0;
}

/* Start argv with L1TOP_SHM=shm; wait until its stdout says "ready". */
static inline pid_t start_ready(const char *shm, char *const argv[])
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        setenv("L1TOP_SHM", shm, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    if (nstarted < 512)
        started[nstarted++] = pid;
    char buf[256];
    ssize_t got = 0, n;
    while (got < (ssize_t)sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) {
        got += n;
        buf[got] = '\0';
        if (strstr(buf, "ready") || strstr(buf, "replay done"))
            break;
    }
    close(fds[0]);
    buf[got > 0 ? got : 0] = '\0';
    cr_assert(strstr(buf, "ready") || strstr(buf, "replay done"), "%s did not get ready (output: '%s')", argv[0], buf);
    return pid;
}

static inline int stop_process(pid_t pid, int sig)
{
    int status = 0;
    kill(pid, sig);
    waitpid(pid, &status, 0);
    for (int i = 0; i < nstarted; i++)
        if (started[i] == pid)
            started[i] = 0;
    return status;
}


/* Starts `L1TOP --serve 127.0.0.1:0 --shm SHM -d REFRESH` (a free port), its
 * stderr into errpath, and reads the port from its start-up line. */
static inline pid_t start_exporter(const char *l1top, const char *shm, const char *refresh_tenths,
                                   const char *errpath, unsigned *port)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, STDERR_FILENO);
        setenv("L1TOP_CONFIG", "/dev/null", 1);
        execl(l1top, l1top, "--serve", "127.0.0.1:0", "--shm", shm, "-d", refresh_tenths, (char *)NULL);
        _exit(127);
    }
    started[nstarted++] = pid;
    *port = 0;
    for (int i = 0; i < 500 && *port == 0; i++) {
        FILE *f = fopen(errpath, "r");
        char line[256] = "";
        if (f && fgets(line, sizeof line, f))
            sscanf(line, "l1top: serving http://127.0.0.1:%u/metrics", port);
        if (f)
            fclose(f);
        if (!*port)
            usleep(10000);
    }
    cr_assert_neq(*port, 0, "the exporter did not say where it listens");
    return pid;
}

/* curl's output for a request to the loopback port; *code gets the HTTP status. */
static inline char *curl_local(unsigned port, const char *args, const char *path, int *code)
{
    char cmd[512], outp[96];
    snprintf(outp, sizeof outp, "/tmp/l1top-curl-body-%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "curl -s --max-time 10 %s -o %s -w '%%{http_code}' http://127.0.0.1:%u%s", args, outp,
             port, path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_eq(fscanf(p, "%d", code), 1, "curl printed no status for %s", path);
    pclose(p);
    FILE *f = fopen(outp, "r");
    char *body = calloc(1, 1 << 20);
    cr_assert_not_null(body);
    if (f) {
        size_t n = fread(body, 1, (1 << 20) - 1, f);
        body[n] = '\0';
        fclose(f);
    }
    unlink(outp);
    return body;
}

/* Run argv to completion; capture stdout and stderr; return the exit code. */
static inline int run_capture(char *const argv[], char **out, char **err)
{
    char outp[] = "/tmp/l1top-e2e-out-XXXXXX", errp[] = "/tmp/l1top-e2e-err-XXXXXX";
    int of = mkstemp(outp), ef = mkstemp(errp);
    cr_assert(of >= 0 && ef >= 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* Hermetic: no user or system configuration unless a test names one. */
        setenv("L1TOP_CONFIG", "/dev/null", 0);
        dup2(of, STDOUT_FILENO);
        dup2(ef, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    char *bufs[2] = { NULL, NULL };
    int fdl[2] = { of, ef };
    for (int i = 0; i < 2; i++) {
        off_t len = lseek(fdl[i], 0, SEEK_END);
        bufs[i] = calloc(1, (size_t)len + 1);
        pread(fdl[i], bufs[i], (size_t)len, 0);
        close(fdl[i]);
    }
    unlink(outp);
    unlink(errp);
    if (out)
        *out = bufs[0];
    else
        free(bufs[0]);
    if (err)
        *err = bufs[1];
    else
        free(bufs[1]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* `l1top --once --format json --shm shm`, parsed; asserts exit 0. */
static inline json_t *l1top_json(const char *shm)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--format", "json", "--shm", (char *)shm, NULL };
    char *out, *err;
    int rc = run_capture(argv, &out, &err);
    cr_assert(rc == 0 || rc == 1 || rc == 2, "l1top exited %d: %s", rc, err); /* 1, 2: alerts fired */
    json_error_t je;
    json_t *root = json_loads(out, 0, &je);
    cr_assert_not_null(root, "bad JSON (%s): %s", je.text, out);
    free(out);
    free(err);
    return root;
}

/* Asserts that `promtool check metrics` accepts text (the exposition format). */
static inline void promtool_accepts(const char *text)
{
    char path[96], cmd[160];
    snprintf(path, sizeof path, "/tmp/l1top-promtool-%d", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s >/dev/null 2>&1", path);
    int rc = system(cmd);
    unlink(path);
    cr_assert_eq(rc, 0, "promtool check metrics rejected:\n%s", text);
}

static inline json_t *device_by_id(json_t *root, int id)
{
    json_t *devs = json_object_get(root, "devices");
    for (size_t i = 0; i < json_array_size(devs); i++)
        if (json_integer_value(json_object_get(json_array_get(devs, i), "id")) == id)
            return json_array_get(devs, i);
    return NULL;
}

static inline json_int_t core_value(json_t *dev, int x, int y, const char *key)
{
    json_t *cores = json_object_get(dev, "cores_detail");
    for (size_t i = 0; i < json_array_size(cores); i++) {
        json_t *c = json_array_get(cores, i);
        if (json_integer_value(json_object_get(c, "x")) == x && json_integer_value(json_object_get(c, "y")) == y)
            return json_integer_value(json_object_get(c, key));
    }
    cr_assert_fail("no core (%d,%d)", x, y);
    return -1;
}

static inline json_int_t total_value(json_t *dev, const char *key)
{
    return json_integer_value(json_object_get(json_object_get(dev, "totals"), key));
}

/* The recording's bytes up to its trailer (the last block: "TRLR", its
 * stored length at +4, reaching the end), i.e. the file a recorder killed
 * after its last chunk leaves; 0 when there is none. */
static inline long recording_trailer_offset(const char *file)
{
    FILE *f = fopen(file, "rb");
    cr_assert_not_null(f);
    static unsigned char d[1 << 20];
    size_t n = fread(d, 1, sizeof d, f);
    fclose(f);
    for (size_t i = n >= 16 ? n - 16 : 0; i-- > 0;) {
        uint32_t stored = (uint32_t)d[i + 4] | (uint32_t)d[i + 5] << 8 | (uint32_t)d[i + 6] << 16 |
                          (uint32_t)d[i + 7] << 24;
        if (memcmp(d + i, "TRLR", 4) == 0 && i + 16 + stored == n)
            return (long)i;
    }
    return 0;
}

#endif
