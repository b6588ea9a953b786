/* clock.c - the clocks in nanoseconds (see clock.h). */
#define _GNU_SOURCE /* CLOCK_MONOTONIC_COARSE */
#include "clock.h"

#include <time.h>

static uint64_t read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t clock_monotonic_ns(void)
{
    return read_ns(CLOCK_MONOTONIC);
}

uint64_t clock_monotonic_coarse_ns(void)
{
    return read_ns(CLOCK_MONOTONIC_COARSE);
}

uint64_t clock_realtime_ns(void)
{
    return read_ns(CLOCK_REALTIME);
}
