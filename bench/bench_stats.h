/*
 * bench_stats.h - what the timeline benchmarks share (bench_trace,
 * bench_recording): CPU time of this process (the machine is shared: wall
 * time is not ours alone), percentiles of samples, a fixed-seed generator
 * so runs pick the same positions.
 */
#ifndef L1TOP_BENCH_STATS_H
#define L1TOP_BENCH_STATS_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-th quantile of v (sorted in place). */
static inline double pct(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_d);
    return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

static uint64_t bench_seed = 12345;
static inline size_t rnd(size_t n)
{
    bench_seed = bench_seed * 6364136223846793005ull + 1442695040888963407ull;
    return (size_t)(bench_seed >> 33) % n;
}

#endif
