/*
 * clock.h - the one place l1top reads clocks: monotonic time for intervals
 * and timeouts, wall-clock time for timestamps, both in nanoseconds, and
 * the cheap tick counter that stamps the segment's events.
 */
#ifndef L1TOP_CLOCK_H
#define L1TOP_CLOCK_H

#include <stdint.h>

uint64_t clock_monotonic_ns(void);
/* Monotonic at the kernel tick's resolution: cheaper, for rate limits. */
uint64_t clock_monotonic_coarse_ns(void);
uint64_t clock_realtime_ns(void);

/* A machine-wide tick counter for ordering events of different threads and
 * processes: the time-stamp counter on x86-64 (constant-rate and synchronised
 * across cores wherever Linux uses it as its clocksource), the virtual
 * counter on AArch64, else CLOCK_MONOTONIC in ns. Its rate is not fixed:
 * readers calibrate it against clock_monotonic_ns(). A few ns, no system
 * call: it is on the writer's hot path, where clock_gettime() alone would
 * cost as much as a whole record. */
static inline uint64_t clock_ticks(void)
{
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return clock_monotonic_ns();
#endif
}

#endif
