/*
 * bench_recording.c - stepping through a --record recording, timed the way
 * bench_trace times the trace timeline (so the two sit side by side in
 * bench/RESULTS.md):
 *
 *   bench_recording FILE
 *
 * Measured, CPU time (the machine is shared): opening the recording (read,
 * decompress, index, replay once for the marks), then one timeline step
 * (seek + fill, the snapshot the views read) at random positions, one step
 * back from the end at a time, and one step forward from the middle.
 * bench/record.sh makes FILE from l1sim's busiest workload.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_stats.h"
#include "model/snapshot.h"
#include "sources/source.h"

#define STEPS 2000
#define RUNS 5


static source_set set;

static double step_ms(const source_ops *ops, void *self, size_t pos, snapshot *s)
{
    char err[512];
    double t0 = cpu_ms();
    ops->timeline->seek(self, pos);
    if (collect(&set, s, err, sizeof err) != SRC_OK) {
        fprintf(stderr, "bench_recording: %s\n", err);
        exit(1);
    }
    return cpu_ms() - t0;
}

static void report(const char *what, double *v, size_t n)
{
    double med = pct(v, n, 0.5), p99 = pct(v, n, 0.99); /* sorted: v[n - 1] is the max */
    printf("  %-44s median %.3f ms  p99 %.3f ms  max %.3f ms\n", what, med, p99, v[n - 1]);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_recording FILE\n");
        return 2;
    }
    source_params p = { .file_source = "recording", .path = argv[1] };
    char err[4096];
    double t_open[RUNS];
    for (int i = 0; i < RUNS; i++) {
        double t0 = cpu_ms();
        if (source_set_open(&set, &p, err, sizeof err) != SRC_OK) {
            fprintf(stderr, "bench_recording: %s\n", err);
            return 1;
        }
        t_open[i] = cpu_ms() - t0;
        if (i + 1 < RUNS)
            source_set_close(&set);
    }
    const source_ops *ops = set.ops[0];
    void *self = set.self[0];
    size_t n = ops->timeline->length(self);
    snapshot s;
    snapshot_init(&s);
    size_t steps = n < STEPS ? n : STEPS;
    static double rand_t[STEPS], back_t[STEPS], fwd_t[STEPS], all_t[3 * STEPS];
    for (size_t i = 0; i < steps; i++)
        rand_t[i] = step_ms(ops, self, rnd(n), &s);
    for (size_t i = 0; i < steps; i++)
        back_t[i] = step_ms(ops, self, n - 1 - i, &s);
    for (size_t i = 0; i < steps && n / 2 + i < n; i++)
        fwd_t[i] = step_ms(ops, self, n / 2 + i, &s);
    size_t fwd = n / 2 + steps <= n ? steps : n - n / 2;
    memcpy(all_t, rand_t, steps * sizeof *all_t);
    memcpy(all_t + steps, back_t, steps * sizeof *all_t);
    memcpy(all_t + 2 * steps, fwd_t, fwd * sizeof *all_t);
    printf("recording replay: %s, %zu positions, %zu regions at the last step; CPU, %d opens, %zu steps each\n",
           argv[1], n, s.nregions, RUNS, steps);
    printf("  %-44s median %.1f ms\n", "open (read, decompress, index, replay)", pct(t_open, RUNS, 0.5));
    report("timeline step, random positions", rand_t, steps);
    report("timeline step back, from the end", back_t, steps);
    report("timeline step forward, from the middle", fwd_t, fwd);
    double p99 = pct(all_t, 2 * steps + fwd, 0.99);
    printf("  all steps p99 %.3f ms  target < 1 ms (the trace timeline's): %s\n", p99, p99 < 1.0 ? "met" : "NOT met");
    snapshot_free(&s);
    source_set_close(&set);
    return 0;
}
