/*
 * ttmetal_stats.c - TT-Metal's statistics files parsed into the model's
 * ttm_device (see ttmetal_stats.h), and those files as a source
 * (source.h). The layout (little-endian):
 *   0 version u32, 4 num_active_processes u32, 8 last_update_timestamp u64,
 *   16 reference_count u32, 24 board_serial u64, 32 asic_id u64,
 *   40 device_id u32, 48..88 five u64 totals (DRAM, L1, L1_SMALL, TRACE, CB),
 *   88 chip_stats[16] x 48 B (chip_id u32, 0xFFFFFFFF unused from v2;
 *      is_remote u32; five u64),
 *   856 processes[64] x 120 B (pid i32, 0 = free; 4 pad; five u64 at +8;
 *      last_update_timestamp u64 at +48; process_name char[64] at +56),
 *   v4: 8536 init_state u32 (0x52454459 when ready). 8576 bytes in all.
 * There is no magic: the version and the exact size are the check.
 */
#define _GNU_SOURCE
#include "sources/ttmetal_stats.h"
#include "grow.h"
#include "safe_open.h"
#include "proc.h"
#include "sources/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static int fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* No device holds 2^63 bytes: such a count is a corrupt (or hostile) file. */
#define TTM_IMPOSSIBLE_BYTES (UINT64_C(1) << 63)

static int impossible(const uint64_t *bytes, const char *name, const char *where, char *err, size_t errlen)
{
    for (int k = 0; k < TTM_COUNT; k++)
        if (bytes[k] >= TTM_IMPOSSIBLE_BYTES)
            return fail(err, errlen, "%s: corrupt: %s has %llu bytes of %s, impossible (2^63 or more)", name, where,
                        (unsigned long long)bytes[k], ttm_kind_key[k]);
    return 0;
}

static uint64_t add_saturated(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

int ttm_parse(const unsigned char *b, size_t len, const char *name, ttm_alive_fn alive, ttm_device *d, char *err,
              size_t errlen)
{
    memset(d, 0, sizeof *d);
    snprintf(d->file, sizeof d->file, "%s", name);
    if (len < TTM_FILE_SIZE)
        return fail(err, errlen, "%s: truncated: %zu bytes, a TT-Metal stats file has %u", name, len, TTM_FILE_SIZE);
    if (len > TTM_FILE_SIZE)
        return fail(err, errlen, "%s: %zu bytes, a TT-Metal stats file has %u", name, len, TTM_FILE_SIZE);
    d->version = le32(b);
    if (d->version < 2 || d->version > 4)
        return fail(err, errlen, "%s: layout version %u, l1top reads versions 2 to 4", name, d->version);
    d->num_active_processes = le32(b + 4);
    d->last_update = le64(b + 8);
    d->reference_count = le32(b + 16);
    d->board_serial = le64(b + 24);
    d->asic_id = le64(b + 32);
    d->device_id = le32(b + 40);
    for (int k = 0; k < TTM_COUNT; k++)
        d->totals[k] = le64(b + 48 + 8 * k);
    if (impossible(d->totals, name, "the device total", err, errlen))
        return -1;
    if (d->num_active_processes > TTM_MAX_PROCESSES)
        return fail(err, errlen, "%s: corrupt: %u active processes, at most %d", name, d->num_active_processes,
                    TTM_MAX_PROCESSES);
    for (int c = 0; c < TTM_MAX_CHIPS; c++) {
        const unsigned char *p = b + 88 + 48 * c;
        uint32_t id = le32(p);
        if (id == 0xFFFFFFFFu)
            continue;
        ttm_chip *ch = &d->chips[d->nchips++];
        ch->chip_id = id;
        ch->is_remote = le32(p + 4) != 0;
        for (int k = 0; k < TTM_COUNT; k++)
            ch->bytes[k] = le64(p + 8 + 8 * k);
        if (impossible(ch->bytes, name, "a chip", err, errlen))
            return -1;
    }
    for (int i = 0; i < TTM_MAX_PROCESSES; i++) {
        const unsigned char *p = b + 856 + 120 * i;
        int32_t pid = (int32_t)le32(p);
        if (pid == 0)
            continue;
        if (pid < 0)
            return fail(err, errlen, "%s: corrupt: process slot %d has pid %d", name, i, pid);
        ttm_process *pr = &d->processes[d->nprocesses++];
        pr->pid = pid;
        for (int k = 0; k < TTM_COUNT; k++)
            pr->bytes[k] = le64(p + 8 + 8 * k);
        pr->last_update = le64(p + 48);
        if (impossible(pr->bytes, name, "a process", err, errlen))
            return -1;
        size_t nl = 0;
        for (; nl < 63 && p[56 + nl]; nl++) {
            unsigned char c = p[56 + nl];
            pr->name[nl] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        }
        pr->name[nl] = '\0';
        pr->alive = alive ? alive(pid) != 0 : true;
        if (pr->alive)
            for (int k = 0; k < TTM_COUNT; k++)
                d->live_totals[k] = add_saturated(d->live_totals[k], pr->bytes[k]);
    }
    d->ready = d->version < 4 || le32(b + 8536) == TTM_INIT_READY;
    return 0;
}

static bool is_stats_name(const char *n)
{
    /* tt_device_<asic id>_memory */
    size_t len = strlen(n);
    return strncmp(n, "tt_device_", 10) == 0 && len > 17 && strcmp(n + len - 7, "_memory") == 0;
}

bool ttm_present(const char *dir)
{
    char name[256];
    return source_dir_find(dir, is_stats_name, name, sizeof name);
}

static int cmp_device(const void *a, const void *b)
{
    const ttm_device *x = a, *y = b;
    if (x->device_id != y->device_id)
        return x->device_id < y->device_id ? -1 : 1;
    return strcmp(x->file, y->file);
}

int ttm_scan(const char *dir, ttm_alive_fn alive, ttm_device **out, char *warnings, size_t wlen)
{
    *out = NULL;
    if (wlen)
        warnings[0] = '\0';
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    size_t n = 0, cap = 0;
    ttm_device *devs = NULL;
    unsigned char *buf = malloc(TTM_FILE_SIZE + 1);
    struct dirent *e;
    while (buf && (e = readdir(d))) {
        if (!is_stats_name(e->d_name))
            continue;
        char path[512], err[320];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = safe_open_regular(path, SAFE_NOFOLLOW, err, sizeof err); /* a FIFO must not hang us */
        ssize_t got = 0, r = 0;
        if (fd >= 0) {
            /* One byte more than the layout: an oversized file is caught too. */
            while ((size_t)got < TTM_FILE_SIZE + 1 && (r = read(fd, buf + got, TTM_FILE_SIZE + 1 - (size_t)got)) > 0)
                got += r;
            close(fd);
        }
        if (fd < 0 || r < 0) {
            size_t used = strlen(warnings);
            if (fd < 0)
                snprintf(warnings + used, wlen - used, "%s\n", err);
            else
                snprintf(warnings + used, wlen - used, "%s: %s\n", path, strerror(errno));
            continue;
        }
        if (grow_array((void **)&devs, &cap, n, 1, sizeof *devs) != 0)
            break;
        if (ttm_parse(buf, (size_t)got, path, alive, &devs[n], err, sizeof err) == 0) {
            n++;
        } else {
            size_t used = strlen(warnings);
            snprintf(warnings + used, wlen - used, "%s\n", err);
        }
    }
    closedir(d);
    free(buf);
    if (n > 1)
        qsort(devs, n, sizeof *devs, cmp_device);
    *out = devs;
    return (int)n;
}

/* ---------- as a source (source.h) ---------- */

/* The statistics directory. */
static const char *dir_of(const source_params *p) { return p->ttm_dir && *p->ttm_dir ? p->ttm_dir : TTM_DEFAULT_DIR; }

static bool ttm_wanted(const source_params *p)
{
    return source_wants_live(p) && (p->sel == SOURCE_TTMETAL || p->sel == SOURCE_ALL ||
                                    (p->sel == SOURCE_AUTO && ttm_present(dir_of(p))));
}

static int pid_alive(int32_t pid) { return proc_alive((pid_t)pid, 0); }

static source_status ttm_fill(void *self, snapshot *s, char *err, size_t errlen)
{
    const source_path_state *t = self;
    int n = ttm_scan(t->path, pid_alive, &s->ttm, s->ttm_warnings, sizeof s->ttm_warnings);
    s->nttm = n > 0 ? (size_t)n : 0;
    if (s->nttm)
        return SRC_OK;
    if (s->ttm_warnings[0]) { /* files, but none valid: the first one says why */
        snprintf(err, errlen, "%.*s", (int)strcspn(s->ttm_warnings, "\n"), s->ttm_warnings);
        return SRC_CORRUPT;
    }
    snprintf(err, errlen, "no TT-Metal statistics files (tt_device_*_memory) in %s", t->path);
    return SRC_MISSING;
}

SOURCE_PATH_OPS(source_ttmetal, "ttmetal", false, ttm_wanted, dir_of, ttm_fill);
