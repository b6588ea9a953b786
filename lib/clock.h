/*
 * clock.h - the one place l1top reads clocks: monotonic time for intervals
 * and timeouts, wall-clock time for timestamps, both in nanoseconds.
 */
#ifndef L1TOP_CLOCK_H
#define L1TOP_CLOCK_H

#include <stdint.h>

uint64_t clock_monotonic_ns(void);
/* Monotonic at the kernel tick's resolution: cheaper, for rate limits. */
uint64_t clock_monotonic_coarse_ns(void);
uint64_t clock_realtime_ns(void);

#endif
