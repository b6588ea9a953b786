/*
 * format.c - see format.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "views/format.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

char *format_bytes(uint64_t bytes, char *buf, size_t n)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    if (bytes < 1024) {
        snprintf(buf, n, "%llu B", (unsigned long long)bytes);
        return buf;
    }
    double v = (double)bytes;
    unsigned u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    /* Three significant digits: 1.43 MiB, 14.3 MiB, 143 MiB. */
    if (v < 9.995)
        snprintf(buf, n, "%.2f %s", v, units[u]);
    else if (v < 99.95)
        snprintf(buf, n, "%.1f %s", v, units[u]);
    else
        snprintf(buf, n, "%.0f %s", v, units[u]);
    return buf;
}

char *format_bytes_unit(uint64_t bytes, int unit, char *buf, size_t n)
{
    switch (unit) {
    case 1: snprintf(buf, n, "%llu B", (unsigned long long)bytes); break;
    case 2: snprintf(buf, n, "%.1f KiB", (double)bytes / 1024.0); break;
    case 3: snprintf(buf, n, "%.2f MiB", (double)bytes / 1048576.0); break;
    default: return format_bytes(bytes, buf, n);
    }
    return buf;
}

char *format_iso8601(uint64_t unix_ns, char *buf, size_t n)
{
    time_t t = (time_t)(unix_ns / 1000000000u);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "1970-01-01T00:00:00Z");
    return buf;
}

char *format_iso8601_ms(uint64_t unix_ns, char *buf, size_t n)
{
    time_t t = (time_t)(unix_ns / 1000000000u);
    struct tm tm;
    char sec[24];
    if (!gmtime_r(&t, &tm) || strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(sec, sizeof sec, "1970-01-01T00:00:00");
    snprintf(buf, n, "%s.%03uZ", sec, (unsigned)(unix_ns % 1000000000u / 1000000u));
    return buf;
}

char *format_addr(uint32_t addr, char *buf, size_t n)
{
    snprintf(buf, n, "0x%05X", addr);
    return buf;
}

/* The run of consecutive ids starting at ids[at]: "7" or "3-9" in out;
 * returns the index after it. */
static size_t run_at(const uint32_t *ids, size_t n, size_t at, char *out, size_t len)
{
    size_t j = at;
    while (j + 1 < n && ids[j + 1] == ids[j] + 1)
        j++;
    if (j == at)
        snprintf(out, len, "%u", ids[at]);
    else
        snprintf(out, len, "%u-%u", ids[at], ids[j]);
    return j + 1;
}

char *format_id_ranges(const uint32_t *ids, size_t n, int width, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    snprintf(buf, len, "%s", n ? "" : "-");
    size_t used = 0;
    for (size_t at = 0; at < n;) {
        char run[32], more[24];
        size_t next = run_at(ids, n, at, run, sizeof run);
        size_t w = strlen(run) + (used ? 1 : 0);
        /* After this run: the next one, or the mark for the ids left out. */
        int more_w = next < n ? snprintf(more, sizeof more, "+%zu", n - next) : 0;
        if (used + w + 1 > len || (width > 0 && (int)(used + w) + more_w > width)) {
            /* This run does not fit with what must follow it: say how many are left. */
            snprintf(more, sizeof more, "+%zu", n - at);
            snprintf(buf + used, len - used, "%s", more);
            return buf;
        }
        snprintf(buf + used, len - used, "%s%s", used ? "," : "", run);
        used += w;
        at = next;
    }
    return buf;
}
