/*
 * view_peaks.c - see view_peaks.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "views/view_peaks.h"

#include <stdio.h>
#include <time.h>

const peak_device *view_peak_device(const snapshot *s, const snap_device *d)
{
    if (!s || !s->peaks || !d)
        return NULL;
    const peak_device *pd = peaks_device(s->peaks, d->id);
    /* A device re-declared since the model's last drain: its marks are of
     * another grid, not this one's cores. */
    if (!pd || pd->grid_x != d->grid_x || pd->grid_y != d->grid_y || pd->l1_size != d->l1_size)
        return NULL;
    return pd;
}

const peak_figures *view_core_peak(const peak_device *pd, uint32_t x, uint32_t y)
{
    if (!pd || x >= pd->grid_x || y >= pd->grid_y)
        return NULL;
    return &pd->cores[(size_t)y * pd->grid_x + x];
}

static const char *clock_of(uint64_t ns, bool ms, char *buf, size_t n)
{
    time_t secs = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (ns == 0 || !localtime_r(&secs, &tm)) {
        snprintf(buf, n, "%s", ms ? "--:--:--.---" : "--:--:--");
        return buf;
    }
    if (ms)
        snprintf(buf, n, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned)(ns / 1000000u % 1000u));
    else
        snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

const char *view_clock(uint64_t ns, char *buf, size_t n) { return clock_of(ns, false, buf, n); }
const char *view_clock_ms(uint64_t ns, char *buf, size_t n) { return clock_of(ns, true, buf, n); }

const char *view_peak_moment(const peak_moment *m, char *buf, size_t n)
{
    char at[24];
    view_clock_ms(m->time_ns, at, sizeof at);
    if (m->kind == 0) /* a release or a dead writer's regions leaving cannot raise `used`: the start */
        snprintf(buf, n, "at %s (the state when peaks began)", at);
    else
        snprintf(buf, n, "at %s pid %d recording %s \"%s\"", at, (int)m->pid, category_short[category_of_kind(m->kind)],
                 m->tag);
    return buf;
}

const char *view_peaks_since(const snapshot *s, char *buf, size_t n)
{
    if (!s || !s->peaks) {
        if (n)
            buf[0] = '\0';
        return buf;
    }
    const peak_status *ps = peaks_status(s->peaks);
    char at[16];
    uint64_t lost = ps->lost + ps->unlogged;
    if (ps->approximate)
        snprintf(buf, n, "peaks approximate since %s (%llu lost)", view_clock(ps->approximate_since_ns, at, sizeof at),
                 (unsigned long long)lost);
    else
        snprintf(buf, n, "peaks since %s", view_clock(ps->since_ns, at, sizeof at));
    return buf;
}
