/*
 * fixture_writer.c - a test writer built only against the public header
 * and linked with -ll1top. It runs a script given as arguments, prints
 * "ready" and holds its records until SIGTERM/SIGINT (or dies to SIGKILL).
 *
 *   declare DEV ARCH GX GY [L1_SMALL]
 *   record DEV KIND RANGES ADDR SIZE TAG     RANGES: x0,y0,x1,y1[+x0,y0,x1,y1...]
 *   interleaved DEV ADDR TOTAL PAGE TAG
 *   release N                                N-th successful record (0-based)
 *   label NAME
 *   mesh DEV ROW COL                         the chip's place on its board's mesh
 *   expect-fail ERRNO_NAME                   the next command must fail so
 *   flood DEV N                              N one-core CB records (fills segments)
 *
 * KIND: l1_buffer l1_small cb kernel semaphore runtime.
 * Exit: 0 after a signal, 2 when a command fails unexpectedly.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <l1top.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static int kind_of(const char *s)
{
    static const char *const names[] = { "l1_buffer", "l1_small", "cb", "kernel", "semaphore", "runtime" };
    for (int i = 0; i < 6; i++)
        if (strcmp(s, names[i]) == 0)
            return i + 1;
    return atoi(s);
}

static size_t parse_ranges(char *s, l1top_range *out, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(s, "+", &save); tok && n < max; tok = strtok_r(NULL, "+", &save)) {
        unsigned x0, y0, x1, y1;
        if (sscanf(tok, "%u,%u,%u,%u", &x0, &y0, &x1, &y1) != 4)
            return 0;
        out[n++] = (l1top_range){ (uint16_t)x0, (uint16_t)y0, (uint16_t)x1, (uint16_t)y1 };
    }
    return n;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    l1top_writer *w = l1top_open(NULL);
    if (!w) {
        fprintf(stderr, "fixture_writer: l1top_open: %s\n", strerror(errno));
        return 2;
    }
    uint64_t handles[4096];
    size_t nh = 0;
    int expect_errno = 0;
    for (int i = 1; i < argc; i++) {
        const char *cmd = argv[i];
        int ok = 1;
        errno = 0;
        if (strcmp(cmd, "declare") == 0 && i + 4 < argc) {
            l1top_device_config cfg = { 0, 0, 0 };
            int dev = atoi(argv[i + 1]);
            const char *arch = argv[i + 2];
            int gx = atoi(argv[i + 3]), gy = atoi(argv[i + 4]);
            i += 4;
            if (i + 1 < argc && argv[i + 1][0] >= '0' && argv[i + 1][0] <= '9')
                cfg.l1_small_size = (uint32_t)strtoul(argv[++i], NULL, 0);
            ok = l1top_declare_device_config(w, (uint32_t)dev, arch, (uint16_t)gx, (uint16_t)gy, &cfg) == 0;
        } else if (strcmp(cmd, "record") == 0 && i + 6 < argc) {
            l1top_range r[64];
            char buf[1024];
            snprintf(buf, sizeof buf, "%s", argv[i + 3]);
            size_t n = parse_ranges(buf, r, 64);
            uint64_t h = l1top_record(w, (uint32_t)atoi(argv[i + 1]), (l1top_kind)kind_of(argv[i + 2]), r, n,
                                      (uint32_t)strtoul(argv[i + 4], NULL, 0),
                                      (uint32_t)strtoul(argv[i + 5], NULL, 0), argv[i + 6]);
            i += 6;
            ok = h != 0;
            if (ok && nh < 4096)
                handles[nh++] = h;
        } else if (strcmp(cmd, "interleaved") == 0 && i + 5 < argc) {
            uint64_t h = l1top_record_interleaved(w, (uint32_t)atoi(argv[i + 1]),
                                                  (uint32_t)strtoul(argv[i + 2], NULL, 0),
                                                  strtoull(argv[i + 3], NULL, 0),
                                                  (uint32_t)strtoul(argv[i + 4], NULL, 0), argv[i + 5]);
            i += 5;
            ok = h != 0;
            if (ok && nh < 4096)
                handles[nh++] = h;
        } else if (strcmp(cmd, "release") == 0 && i + 1 < argc) {
            size_t k = (size_t)atoi(argv[++i]);
            ok = k < nh && l1top_release(w, handles[k]) == 0;
        } else if (strcmp(cmd, "mesh") == 0 && i + 3 < argc) {
            uint32_t dev = (uint32_t)atoi(argv[i + 1]);
            uint16_t row = (uint16_t)atoi(argv[i + 2]), col = (uint16_t)atoi(argv[i + 3]);
            i += 3;
            ok = l1top_set_device_mesh(w, dev, row, col) == 0;
        } else if (strcmp(cmd, "label") == 0 && i + 1 < argc) {
            ok = l1top_set_label(w, argv[++i]) == 0;
        } else if (strcmp(cmd, "flood") == 0 && i + 2 < argc) {
            uint32_t dev = (uint32_t)atoi(argv[i + 1]);
            long n = atol(argv[i + 2]);
            i += 2;
            l1top_range r = { 0, 0, 0, 0 };
            for (long k = 0; k < n; k++)
                l1top_record(w, dev, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 64, "flood");
            continue;
        } else if (strcmp(cmd, "expect-fail") == 0 && i + 1 < argc) {
            const char *e = argv[++i];
            expect_errno = strcmp(e, "EINVAL") == 0 ? EINVAL : strcmp(e, "ENOSPC") == 0 ? ENOSPC
                         : strcmp(e, "ENODEV") == 0 ? ENODEV : strcmp(e, "EEXIST") == 0 ? EEXIST : -1;
            continue;
        } else {
            fprintf(stderr, "fixture_writer: bad command '%s'\n", cmd);
            return 2;
        }
        if (expect_errno) {
            if (ok || errno != expect_errno) {
                fprintf(stderr, "fixture_writer: '%s' should have failed with errno %d (got %s, errno %d)\n", cmd,
                        expect_errno, ok ? "success" : "failure", errno);
                return 2;
            }
            expect_errno = 0;
        } else if (!ok) {
            fprintf(stderr, "fixture_writer: '%s' failed: %s\n", cmd, strerror(errno));
            return 2;
        }
    }
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    while (!stop) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    l1top_close(w);
    return 0;
}
