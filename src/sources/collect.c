/*
 * collect.c - see collect.h.
 */
#include "sources/collect.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "proc.h"
#include "shm_name.h"
#include "sources/telemetry.h"
#include "sources/ttmetal_stats.h"

static int pid_alive(int32_t pid) { return proc_alive((pid_t)pid, 0); }

void collector_init(collector *c, source_sel sel, const char *shm, const char *ttm_dir, const char *sysfs_root)
{
    memset(c, 0, sizeof *c);
    snprintf(c->sysfs_root, sizeof c->sysfs_root, "%s", sysfs_root ? sysfs_root : "");
    snprintf(c->ttm_dir, sizeof c->ttm_dir, "%s", ttm_dir && *ttm_dir ? ttm_dir : "/dev/shm");
    if (sel == SOURCE_AUTO)
        sel = ttm_present(c->ttm_dir) ? SOURCE_ALL : SOURCE_L1TOP;
    c->sel = sel;
    c->shm = shm;
    if (shm_name_resolve(shm, c->segment, sizeof c->segment) != 0)
        snprintf(c->segment, sizeof c->segment, "%s", shm ? shm : "");
}

/* Board telemetry goes with every source: it is only present with the driver. */
static void add_telemetry(collector *c, snapshot *s)
{
    int n = telemetry_scan(c->sysfs_root, &s->boards);
    s->nboards = n > 0 ? (size_t)n : 0;
}

static shm_status collect_sources(collector *c, snapshot *s, char *err, size_t errlen)
{
    /* The segment's part of s is kept when nothing in the segment moved
     * (shm_reader_refresh); what the other sources add is always re-read. */
    if (c->reader && s->have_segment)
        snapshot_drop_extras(s);
    else
        snapshot_reset(s);
    shm_status st = SHM_OK;
    if (c->sel == SOURCE_L1TOP || c->sel == SOURCE_ALL) {
        if (!c->reader)
            st = shm_reader_open(c->shm, &c->reader, err, errlen);
        if (st == SHM_OK) {
            st = shm_reader_refresh(c->reader, s, err, errlen);
            if (st != SHM_OK) { /* reopen next time: it may be recreated */
                shm_reader_close(c->reader);
                c->reader = NULL;
            }
        }
        if (st != SHM_OK && !(c->sel == SOURCE_ALL && st == SHM_MISSING))
            return st;
    }
    snprintf(s->segment, sizeof s->segment, "%s", c->segment);
    if (c->sel == SOURCE_TTMETAL || c->sel == SOURCE_ALL) {
        int n = ttm_scan(c->ttm_dir, pid_alive, &s->ttm, s->ttm_warnings, sizeof s->ttm_warnings);
        s->nttm = n > 0 ? (size_t)n : 0;
        if (s->nttm == 0 && s->ttm_warnings[0] && (c->sel == SOURCE_TTMETAL || !s->have_segment)) {
            /* Files are there but none is valid: say why (the first one). */
            snprintf(err, errlen, "%s", s->ttm_warnings);
            err[strcspn(err, "\n")] = '\0';
            return SHM_CORRUPT;
        }
        if (s->nttm == 0 && (c->sel == SOURCE_TTMETAL || !s->have_segment)) {
            if (c->sel == SOURCE_TTMETAL)
                snprintf(err, errlen, "no TT-Metal statistics files (tt_device_*_memory) in %s%s%s", c->ttm_dir,
                         s->ttm_warnings[0] ? ": " : "", s->ttm_warnings);
            else
                snprintf(err, errlen, "no such segment, and no TT-Metal statistics files in %s", c->ttm_dir);
            err[strcspn(err, "\n")] = '\0';
            return SHM_MISSING;
        }
    }
    return SHM_OK;
}

shm_status collect(collector *c, snapshot *s, char *err, size_t errlen)
{
    shm_status st = collect_sources(c, s, err, errlen);
    if (st != SHM_OK)
        return st;
    add_telemetry(c, s);
    if (s->timestamp_ns == 0) { /* no segment read: the time of reading the files */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s->timestamp_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    }
    snapshot_sanitize_strings(s);
    return st;
}

void collector_wait(collector *c, double ms)
{
    uint64_t end = clock_monotonic_ns() + (uint64_t)(ms > 0 ? ms * 1e6 : 0);
    char err[256];
    for (;;) {
        uint64_t now = clock_monotonic_ns();
        if (now >= end)
            return;
        uint64_t step = end - now < COLLECT_POLL_MS * 1000000ull ? end - now : COLLECT_POLL_MS * 1000000ull;
        struct timespec ts = { (time_t)(step / 1000000000u), (long)(step % 1000000000u) };
        if (nanosleep(&ts, NULL) != 0)
            return; /* a signal: the caller looks at it */
        if (c->reader)
            shm_reader_poll(c->reader, err, sizeof err); /* the next collect reports any error */
    }
}

const char *collector_warning(const collector *c) { return c->reader ? shm_reader_warning(c->reader) : ""; }

void collector_close(collector *c)
{
    shm_reader_close(c->reader);
    c->reader = NULL;
}
