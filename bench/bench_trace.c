/*
 * bench_trace.c - ttnn trace replay at scale.
 *
 *   bench_trace L1TOP_BIN [NODES]     generate, then measure (default 100,000 nodes)
 *   bench_trace --generate FILE NODES write the synthetic trace only
 *   bench_trace --generate-placement FILE N   the placement case only
 *
 * The trace is the hard case for each old cost: a NO_DISPATCH capture
 * (every address 0, so every buffer is placed), every output height-sharded
 * with the real memory_config string (a shard-grid lookup per buffer),
 * one output in eight kept alive to the end (a long live list for
 * placement), nested ops, a program of CBs per op, frees by connection.
 *
 * Measured, median of runs (baseline in the same run: jansson parsing the
 * same file, which any reader of the format pays):
 *   - `l1top --trace FILE --once` end to end (target < 1 s at 100k nodes);
 *   - trace_open (parse + one replay);
 *   - one timeline step (trace_state_at + snapshot) at random positions,
 *     one step back from every position near the end (the checkpoint
 *     path), and one step forward (target < 1 ms at any position).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_stats.h"
#include "model/snapshot.h"
#include "sources/trace.h"

extern char **environ;

#define RUNS 5
#define STEPS 2000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the synthetic trace ---- */

static const char *const sharded_mc =
    "MemoryConfig(memory_layout=TensorMemoryLayout::HEIGHT_SHARDED,buffer_type=BufferType::L1,"
    "shard_spec=ShardSpec{grid=[{\\\"start\\\":{\\\"x\\\":0,\\\"y\\\":0},\\\"end\\\":{\\\"x\\\":%d,\\\"y\\\":7}}], "
    "shape=[32, 64], orientation=ShardOrientation::ROW_MAJOR, mode=ShardMode::PHYSICAL, physical_shard_shape="
    "std::nullopt},nd_shard_spec={\\\"shard_shape\\\":[32, 64],\\\"grid\\\":[{\\\"start\\\":{\\\"x\\\":0,\\\"y\\\":0},"
    "\\\"end\\\":{\\\"x\\\":%d,\\\"y\\\":7}}],\\\"orientation\\\":\\\"ROW_MAJOR\\\"},created_with_nd_shard_spec=0)";

static int generate(const char *path, long target)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long c = 0, op = 0;
    fprintf(f, "[{\"counter\":0,\"node_type\":\"capture_start\",\"params\":null,\"connections\":[]}");
    c = 1;
    while (c < target - 16) {
        int w = (int)(op % 8); /* shard grid 1..8 columns x 8 rows */
        long shard = 2048L * (1 + op % 4), size = shard * (w + 1) * 8;
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"function_start\",\"params\":{\"name\":\"ttnn::op%ld\"}}", c++, op % 97);
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"function_start\",\"params\":{\"name\":\"Device%ld\"}}", c++, op % 13);
        long buf = c;
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"buffer\",\"params\":{\"size\":%ld,\"type\":\"L1\",\"buffer_type\":1,"
                   "\"layout\":\"HEIGHT_SHARDED\",\"device_id\":1},\"connections\":[%ld]}", c, size, c + 2);
        c++;
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"buffer_allocate\",\"params\":{\"address\":0,\"buffer_type\":1,"
                   "\"device_id\":1,\"layout\":\"HEIGHT_SHARDED\",\"max_size_per_bank\":%ld,\"num_cores\":%d,"
                   "\"page_size\":2048,\"size\":%ld,\"type\":\"L1\"},\"connections\":[%ld]}",
                c++, shard, (w + 1) * 8, size, buf);
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"tensor\",\"params\":{\"tensor_id\":%ld,\"address\":0,\"buffer_type\":1,"
                   "\"device_id\":1,\"device_tensors\":\"[{\\\"address\\\":0,\\\"device_id\\\":0,\\\"mesh_device_id\\\":1}]\","
                   "\"memory_config\":\"",
                c++, op);
        fprintf(f, sharded_mc, w, w);
        fprintf(f, "\"}}");
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"circular_buffer_deallocate_all\",\"params\":{\"device_id\":1}}", c++);
        for (int k = 0; k < 3; k++)
            fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"address\":0,"
                       "\"core_range_set\":\"{[0-0 - %d-7]}\",\"device_id\":1,\"globally_allocated\":\"0\",\"size\":%d}}",
                    c++, (int)(op % 11 > 7 ? 7 : op % 11), 4096 << k);
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"function_end\",\"params\":{\"name\":\"Device\"}}", c++);
        fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"function_end\",\"params\":{\"name\":\"ttnn::op\"}}", c++);
        /* Free the output of two ops ago, unless it is one kept to the end. */
        static long prev[2][2];
        if (op >= 2 && (op - 2) % 8 != 0)
            fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"buffer_deallocate\",\"params\":{\"address\":0,\"buffer_type\":1,"
                       "\"device_id\":1,\"layout\":\"HEIGHT_SHARDED\",\"max_size_per_bank\":%ld,\"num_cores\":%ld,"
                       "\"page_size\":2048,\"size\":0,\"type\":\"L1\"},\"connections\":[%ld]}",
                    c++, prev[op % 2][1], (long)0, prev[op % 2][0]);
        prev[op % 2][0] = buf;
        prev[op % 2][1] = shard;
        op++;
    }
    fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"capture_end\",\"params\":null}\n]\n", c);
    return fclose(f);
}

/* The placement hard case (the old 3,000-buffer trace): n small interleaved
 * buffers live at once, every other one freed, then n/2 buffers twice as
 * large that fit none of the holes, so each first-fit scan from the top
 * passes every hole. Address 0 throughout. */
static int generate_placement(const char *path, int n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long c = 0;
    fprintf(f, "[{\"counter\":0,\"node_type\":\"capture_start\",\"params\":null}");
    c = 1;
    for (int pass = 0; pass < 2; pass++) {
        int count = pass ? n / 2 : n, bank = pass ? 512 : 256;
        long first = c;
        for (int i = 0; i < count; i++) {
            fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"buffer\",\"params\":{\"size\":%d,\"type\":\"L1\"}}", c,
                    bank * 64);
            fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"buffer_allocate\",\"params\":{\"address\":0,"
                       "\"layout\":\"INTERLEAVED\",\"max_size_per_bank\":%d,\"num_cores\":0,\"page_size\":%d,"
                       "\"size\":%d,\"type\":\"L1\"},\"connections\":[%ld]}",
                    c + 1, bank, bank, bank * 64, c);
            c += 2;
        }
        for (int i = 0; pass == 0 && i < count; i += 2) {
            fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"buffer_deallocate\",\"params\":{\"address\":0,"
                       "\"max_size_per_bank\":%d,\"size\":%d,\"type\":\"L1\"},\"connections\":[%ld]}",
                    c++, bank, bank * 64, first + 2L * i);
        }
    }
    fprintf(f, ",\n{\"counter\":%ld,\"node_type\":\"capture_end\",\"params\":null}\n]\n", c);
    return fclose(f);
}

/* ---- measurements ---- */

/* user + system CPU of one `l1top --trace FILE --once`; wall time in *wall. */
static double run_once(const char *bin, const char *path, double *wall)
{
    char *argv[] = { (char *)bin, "--trace", (char *)path, "--once", "--board", "n150", NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    double t0 = now_ms();
    pid_t pid;
    int status = -1;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (posix_spawn(&pid, bin, &fa, NULL, argv, environ) == 0)
        wait4(pid, &status, 0, &ru);
    *wall = now_ms() - t0;
    posix_spawn_file_actions_destroy(&fa);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    /* 0, or 1/2 when the default alert thresholds fire on the peak state */
    return WIFEXITED(status) && WEXITSTATUS(status) <= 2 ? cpu : -1;
}


/* CPU time of one step: on a shared machine a wall-clock sample can include
 * another process's time slice. */
static double step_ms(trace_file *tf, size_t ev, snapshot *s)
{
    double t0 = cpu_ms();
    trace_state_at(tf, trace_event_node(tf, ev), s, NULL, 0);
    return cpu_ms() - t0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--generate") == 0)
        return generate(argv[2], atol(argv[3])) == 0 ? 0 : 1;
    if (argc == 4 && strcmp(argv[1], "--generate-placement") == 0)
        return generate_placement(argv[2], atoi(argv[3])) == 0 ? 0 : 1;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_trace L1TOP_BIN [NODES] | --generate FILE NODES\n");
        return 2;
    }
    long nodes = argc > 2 ? atol(argv[2]) : 100000;
    char path[128];
    snprintf(path, sizeof path, "/tmp/l1top-bench-trace-%d.json", (int)getpid());
    if (generate(path, nodes) != 0) {
        perror(path);
        return 1;
    }
    double t_json[RUNS], t_open[RUNS], t_once[RUNS], w_once[RUNS];
    char err[512];
    size_t events = 0, steps = 0;
    for (int i = 0; i < RUNS; i++) {
        double t0 = cpu_ms();
        json_t *j = json_load_file(path, 0, NULL);
        t_json[i] = cpu_ms() - t0;
        json_decref(j);
        t0 = cpu_ms();
        trace_file *tf = trace_open(path, "n150", err, sizeof err);
        t_open[i] = cpu_ms() - t0;
        if (!tf) {
            fprintf(stderr, "bench_trace: %s\n", err);
            return 1;
        }
        events = trace_get_summary(tf)->nodes;
        steps = trace_event_count(tf);
        trace_close(tf);
        t_once[i] = run_once(argv[1], path, &w_once[i]);
    }
    trace_file *tf = trace_open(path, "n150", err, sizeof err);
    snapshot s;
    snapshot_init(&s);
    static double rand_t[STEPS], back_t[STEPS], fwd_t[STEPS];
    for (int i = 0; i < STEPS; i++)
        rand_t[i] = step_ms(tf, rnd(steps), &s);
    for (int i = 0; i < STEPS; i++) /* backward, one at a time, from the end */
        back_t[i] = step_ms(tf, steps - 1 - (size_t)i, &s);
    for (int i = 0; i < STEPS; i++) /* forward, one at a time, from the middle */
        fwd_t[i] = step_ms(tf, steps / 2 + (size_t)i, &s);
    static double all_t[3 * STEPS];
    memcpy(all_t, rand_t, sizeof rand_t);
    memcpy(all_t + STEPS, back_t, sizeof back_t);
    memcpy(all_t + 2 * STEPS, fwd_t, sizeof fwd_t);
    size_t regions = s.nregions;
    trace_close(tf);
    snapshot_free(&s);
    unlink(path);

    /* placement: 3,000 live buffers, then 1,500 that fit no hole */
    double t_place[RUNS];
    size_t placed_nodes = 0;
    if (generate_placement(path, 3000) != 0)
        return 1;
    for (int i = 0; i < RUNS; i++) {
        double t0 = cpu_ms();
        trace_file *pt = trace_open(path, "n150", err, sizeof err);
        t_place[i] = cpu_ms() - t0;
        if (!pt) {
            fprintf(stderr, "bench_trace: %s\n", err);
            return 1;
        }
        placed_nodes = trace_get_summary(pt)->nodes;
        trace_close(pt);
    }
    unlink(path);

    double json_med = pct(t_json, RUNS, 0.5), open_med = pct(t_open, RUNS, 0.5), once_med = pct(t_once, RUNS, 0.5);
    printf("trace replay: %zu nodes, %zu L1 events, %zu live regions at the end; CPU ms, median of %d runs\n", events,
           steps, regions, RUNS);
    printf("  jansson parse of the file (baseline)   %8.1f ms\n", json_med);
    printf("  trace_open (parse + replay)            %8.1f ms  (%.2fx the baseline)\n", open_med, open_med / json_med);
    printf("  l1top --trace --once, end to end       %8.1f ms  (%.2fx the baseline; wall %.1f ms)  target < 1000 ms: %s\n",
           once_med, once_med / json_med, pct(w_once, RUNS, 0.5), once_med > 0 && once_med < 1000 ? "met" : "NOT met");
    printf("  timeline step, %d random positions    median %.3f ms  p99 %.3f ms\n", STEPS, pct(rand_t, STEPS, 0.5),
           pct(rand_t, STEPS, 0.99));
    printf("  timeline step back, from the end       median %.3f ms  p99 %.3f ms\n", pct(back_t, STEPS, 0.5),
           pct(back_t, STEPS, 0.99));
    printf("  timeline step forward, from the middle median %.3f ms  p99 %.3f ms\n", pct(fwd_t, STEPS, 0.5),
           pct(fwd_t, STEPS, 0.99));
    printf("  placement: 3,000 live buffers + 1,500 past every hole (%zu nodes): trace_open %.1f ms\n", placed_nodes,
           pct(t_place, RUNS, 0.5));
    double p99 = pct(all_t, 3 * STEPS, 0.99), worst = all_t[3 * STEPS - 1];
    printf("  all %d steps                         p99 %.3f ms  max %.3f ms  target < 1 ms (p99): %s\n", 3 * STEPS,
           p99, worst, p99 < 1.0 ? "met" : "NOT met");
    return 0;
}
