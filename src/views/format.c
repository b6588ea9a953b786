/*
 * format.c - see format.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "views/format.h"

#include <stdio.h>
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
