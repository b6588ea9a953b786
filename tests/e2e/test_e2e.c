/*
 * End to end: real writer processes (a client built only on l1top.h and
 * -ll1top, and l1sim), a real segment, the real l1top binary.
 */
#include "proc_util.h"

#include "arch.h"
#include "l1top.h"

#include <sys/stat.h>

static char seg[64];
static char fixture[512];

static void setup(void)
{
    snprintf(seg, sizeof seg, "/l1top-e2e-%d", (int)getpid());
    shm_unlink(seg);
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
}
static void teardown(void)
{
    kill_started();
    shm_unlink(seg);
}

TestSuite(e2e, .init = setup, .fini = teardown, .timeout = 60);

#define L1 1499136
#define UB 0x19400 /* Wormhole L1_UNRESERVED_BASE */
#define FW 0x7FF0  /* Wormhole MEM_MAP_END */

static pid_t writer_a(void)
{
    char *argv[] = { fixture, "label", "writer-a", "declare", "0", "wormhole_b0", "8", "8",
                     "record", "0", "cb", "0,0,3,7", "0x19400", "200000", "cbA",
                     "interleaved", "0", "0x150000", "133120", "2048", "actA", NULL };
    return start_ready(seg, argv);
}

static pid_t writer_b(void)
{
    char *argv[] = { fixture, "label", "writer-b", "declare", "0", "wormhole_b0", "8", "8",
                     "record", "0", "kernel", "0,0,7,7", "0x8000", "40960", "kern",
                     "record", "0", "l1_buffer", "4,0,7,7", "0x100000", "65536", "shardB", NULL };
    return start_ready(seg, argv);
}

Test(e2e, two_writers_reported_byte_exactly_per_core)
{
    pid_t a = writer_a(), b = writer_b();
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    cr_assert_not_null(dev);
    cr_assert_eq(json_integer_value(json_object_get(dev, "cores")), 64);
    /* Core (0,0): CB, bank 0 of the interleaved buffer (2 pages), kernel. */
    cr_assert_eq(core_value(dev, 0, 0, "circular_buffers"), 200000);
    cr_assert_eq(core_value(dev, 0, 0, "l1_buffers"), 4096);
    cr_assert_eq(core_value(dev, 0, 0, "kernel_code"), 40960);
    cr_assert_eq(core_value(dev, 0, 0, "firmware"), FW);
    cr_assert_eq(core_value(dev, 0, 0, "kernel_config"), UB - FW - 40960, "the kernel sits in the ring");
    cr_assert_eq(core_value(dev, 0, 0, "free"), L1 - UB - 200000 - 4096);
    cr_assert_eq(core_value(dev, 0, 0, "largest_free"), 0x150000 - (UB + 200000));
    cr_assert_eq(core_value(dev, 0, 0, "fragmented"), L1 - (0x150000 + 4096));
    /* Core (5,0): bank 5 (one page) plus B's shard, no CB. */
    cr_assert_eq(core_value(dev, 5, 0, "circular_buffers"), 0);
    cr_assert_eq(core_value(dev, 5, 0, "l1_buffers"), 2048 + 65536);
    cr_assert_eq(core_value(dev, 5, 0, "free"), L1 - UB - 2048 - 65536);
    cr_assert_eq(core_value(dev, 5, 0, "largest_free"), 0x100000 - UB);
    /* The invariant, on every core. */
    json_t *cores = json_object_get(dev, "cores_detail");
    static const char *const cats[] = { "l1_buffers", "l1_small", "circular_buffers", "kernel_code",
                                        "semaphores", "runtime", "kernel_config", "firmware", "free" };
    for (size_t i = 0; i < json_array_size(cores); i++) {
        json_int_t sum = 0;
        for (int k = 0; k < (int)(sizeof cats / sizeof cats[0]); k++)
            sum += json_integer_value(json_object_get(json_array_get(cores, i), cats[k]));
        cr_assert_eq(sum, L1, "core %zu sums to %lld", i, (long long)sum);
    }
    cr_assert_eq(total_value(dev, "circular_buffers"), 32 * 200000);
    cr_assert_eq(total_value(dev, "l1_buffers"), 65 * 2048 + 32 * 65536);
    cr_assert_eq(total_value(dev, "tracked"), 65 * 2048 + 32 * 65536);
    json_t *procs = json_object_get(dev, "processes");
    cr_assert_eq(json_array_size(procs), 2);
    int seen = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *p = json_array_get(procs, i);
        json_int_t pid = json_integer_value(json_object_get(p, "pid"));
        const char *name = json_string_value(json_object_get(p, "name"));
        if (pid == a) {
            cr_assert_str_eq(name, "writer-a");
            cr_assert_eq(json_integer_value(json_object_get(p, "regions")), 2);
            seen |= 1;
        } else if (pid == b) {
            cr_assert_str_eq(name, "writer-b");
            cr_assert_eq(json_integer_value(json_object_get(p, "kernel_code")), 64 * 40960);
            seen |= 2;
        }
    }
    cr_assert_eq(seen, 3);
    json_decref(root);
    cr_assert_eq(WEXITSTATUS(stop_process(a, SIGTERM)), 0);
    cr_assert_eq(WEXITSTATUS(stop_process(b, SIGTERM)), 0);
}

Test(e2e, sigkill_removes_a_writers_records_and_its_slot_is_reused)
{
    pid_t a = writer_a(), b = writer_b();
    int status = stop_process(b, SIGKILL);
    cr_assert(WIFSIGNALED(status));
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(json_array_size(json_object_get(dev, "processes")), 1);
    cr_assert_eq(core_value(dev, 5, 0, "kernel_code"), 0);
    cr_assert_eq(core_value(dev, 5, 0, "l1_buffers"), 2048, "only A's interleaved page is left");
    cr_assert_eq(core_value(dev, 5, 0, "firmware"), FW);
    cr_assert_eq(core_value(dev, 5, 0, "kernel_config"), UB - FW);
    cr_assert_eq(core_value(dev, 0, 0, "circular_buffers"), 200000, "A is untouched");
    json_decref(root);
    /* More writers than slots (256), each killed: slots must be reaped and reused. */
    for (int i = 0; i < 300; i++) {
        char *argv[] = { fixture, "record", "0", "semaphore", "0,0,0,0", "0x10000", "64", "s", NULL };
        pid_t p = start_ready(seg, argv);
        stop_process(p, SIGKILL);
    }
    pid_t c = writer_b();
    root = l1top_json(seg);
    dev = device_by_id(root, 0);
    cr_assert_eq(json_array_size(json_object_get(dev, "processes")), 2);
    cr_assert_eq(core_value(dev, 0, 0, "semaphores"), 0, "killed writers' records are gone");
    cr_assert_eq(core_value(dev, 5, 0, "kernel_code"), 40960);
    json_decref(root);
    stop_process(a, SIGTERM);
    stop_process(c, SIGTERM);
}

Test(e2e, corrupt_segment_exits_65_with_one_line)
{
    int fd = shm_open(seg, O_RDWR | O_CREAT, 0600);
    cr_assert_geq(fd, 0);
    char junk[8192];
    memset(junk, 0xA5, sizeof junk);
    cr_assert_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--shm", seg, NULL };
    char *out, *err;
    cr_assert_eq(run_capture(argv, &out, &err), 65);
    cr_assert_str_empty(out);
    cr_assert(strstr(err, seg) != NULL, "names the segment: %s", err);
    cr_assert(strstr(err, "not an l1top segment") != NULL, "%s", err);
    cr_assert_eq(strchr(err, '\n') - err + 1, (long)strlen(err), "exactly one line: %s", err);
    free(out);
    free(err);
}

Test(e2e, missing_segment_exits_66_and_suggests_demo)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--shm", seg, NULL };
    char *err;
    cr_assert_eq(run_capture(argv, NULL, &err), 66);
    cr_assert(strstr(err, "--demo") != NULL, "%s", err);
    free(err);
}

Test(e2e, usage_errors_exit_64)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--format", "yaml", NULL };
    char *err;
    cr_assert_eq(run_capture(argv, NULL, &err), 64);
    cr_assert(strstr(err, "yaml") != NULL);
    free(err);
    char *argv2[] = { bin, "--help", NULL };
    char *out;
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    cr_assert(strstr(out, "Exit codes") != NULL);
    free(out);
}

Test(e2e, l1sim_llama_decode_untracked_dwarfs_tracked)
{
    char sim[512];
    bin_path(sim, sizeof sim, "l1sim");
    char *argv[] = { sim, "--board", "n300", "--workload", "llama-decode", "--hold", NULL };
    pid_t p = start_ready(seg, argv);
    json_t *root = l1top_json(seg);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 2, "n300 has two chips");
    for (int id = 0; id < 2; id++) {
        json_t *dev = device_by_id(root, id);
        cr_assert_str_eq(json_string_value(json_object_get(dev, "arch")), "wormhole_b0");
        cr_assert_eq(json_integer_value(json_object_get(json_object_get(dev, "grid"), "x")), 8);
        cr_assert_eq(json_integer_value(json_object_get(json_object_get(dev, "grid"), "y")), 8);
        json_int_t tracked = total_value(dev, "tracked"), untracked = total_value(dev, "untracked");
        cr_assert_gt(tracked, 0, "the model has explicit L1 buffers");
        cr_assert_gt(untracked, 4 * tracked, "device %d: untracked %lld vs tracked %lld", id, (long long)untracked,
                     (long long)tracked);
        cr_assert_gt(total_value(dev, "circular_buffers"), tracked);
        cr_assert_gt(total_value(dev, "kernel_code"), 0);
        cr_assert_gt(total_value(dev, "firmware"), 0);
        cr_assert_eq(json_array_size(json_object_get(dev, "clashes")), 0);
    }
    json_decref(root);
    cr_assert_eq(WEXITSTATUS(stop_process(p, SIGINT)), 0);
    /* It released everything on the way out. */
    root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(total_value(dev, "circular_buffers") + total_value(dev, "l1_buffers"), 0);
    json_decref(root);
}

Test(e2e, l1sim_inject_clash_is_reported)
{
    char sim[512];
    bin_path(sim, sizeof sim, "l1sim");
    char *argv[] = { sim, "--board", "n150", "--workload", "llama-prefill", "--hold", "--inject-clash", NULL };
    pid_t p = start_ready(seg, argv);
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    cr_assert_gt(json_array_size(json_object_get(dev, "clashes")), 0, "prefill CBs overlap the resident buffers");
    json_t *c = json_array_get(json_object_get(dev, "clashes"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "circular_buffer"), "kind")),
                     "circular_buffers");
    json_decref(root);
    stop_process(p, SIGTERM);
}

Test(e2e, demo_once_runs_and_cleans_up)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--demo", "--once", "--format", "json", NULL };
    char *out, *err;
    int rc = run_capture(argv, &out, &err);
    cr_assert_eq(rc, 0, "%s", err);
    json_t *root = json_loads(out, 0, NULL);
    cr_assert_not_null(root);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 2);
    const char *segment = json_string_value(json_object_get(root, "segment"));
    cr_assert(strncmp(segment, "/l1top-demo-", 12) == 0, "%s", segment);
    char path[256];
    snprintf(path, sizeof path, "/dev/shm%s", segment);
    cr_assert_neq(access(path, F_OK), 0, "%s was removed", path);
    /* As TT-Metal does: one process per chip, each chip its own. */
    json_int_t pid0 = -1;
    for (int id = 0; id < 2; id++) {
        json_t *procs = json_object_get(device_by_id(root, id), "processes");
        cr_assert_eq(json_array_size(procs), 1, "device %d has one process", id);
        json_int_t pid = json_integer_value(json_object_get(json_array_get(procs, 0), "pid"));
        cr_assert_neq(pid, pid0, "the two chips belong to two processes");
        pid0 = pid;
    }
    json_decref(root);
    free(out);
    free(err);
}

Test(e2e, text_format_is_the_default)
{
    pid_t a = writer_a();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    cr_assert(strstr(out, "Device 0  wormhole_b0  grid 8x8 (64 cores)") != NULL, "%s", out);
    cr_assert(strstr(out, "writer-a") != NULL);
    free(out);
    stop_process(a, SIGTERM);
}

Test(e2e, writer_errors_reach_the_client)
{
    char *argv[] = { fixture, "declare", "0", "wormhole_b0", "8", "8",
                     "expect-fail", "EINVAL", "record", "0", "cb", "0,0,8,0", "0x19180", "100", "outside",
                     "expect-fail", "EINVAL", "record", "0", "cb", "0,0,0,0", "0x16E000", "100", "beyond L1",
                     "expect-fail", "ENODEV", "record", "9", "cb", "0,0,0,0", "0x19180", "100", "no device",
                     "expect-fail", "EINVAL", "declare", "1", "quantum", "8", "8", NULL };
    pid_t p = start_ready(seg, argv);
    cr_assert_eq(WEXITSTATUS(stop_process(p, SIGTERM)), 0);
}

/* ---- configuration, thresholds and alerts ---- */

static const char *write_config(const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "/tmp/l1top-e2e-config-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

Test(e2e, low_threshold_makes_once_exit_2_with_the_alert)
{
    pid_t a = writer_a();
    const char *cfg = write_config("thresholds:\n  warning: 1%\n  critical: 2%\n");
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--format", "json", "--shm", seg, "-c", (char *)cfg, NULL };
    char *out, *err;
    cr_assert_eq(run_capture(argv, &out, &err), 2, "%s", err);
    json_t *root = json_loads(out, 0, NULL);
    json_t *alerts = json_object_get(root, "alerts");
    cr_assert_eq(json_array_size(alerts), 1, "one alert for the chip, not one per core");
    json_t *first = json_array_get(alerts, 0);
    cr_assert_str_eq(json_string_value(json_object_get(first, "name")), "threshold-critical");
    cr_assert_str_eq(json_string_value(json_object_get(first, "severity")), "critical");
    cr_assert_str_eq(json_string_value(json_object_get(first, "metric")), "used_pct");
    cr_assert_str_eq(json_string_value(json_object_get(first, "scope")), "core");
    cr_assert_eq(json_integer_value(json_object_get(first, "cores_over")), 64, "every core of the chip is above 2%%");
    cr_assert_eq(json_integer_value(json_object_get(first, "cores_of")), 64);
    cr_assert_not_null(json_object_get(json_object_get(first, "core"), "x"), "the worst core");
    cr_assert_eq(json_real_value(json_object_get(first, "threshold")), 2.0);
    cr_assert_gt(json_real_value(json_object_get(first, "value")), 2.0);
    const char *summary = json_string_value(json_object_get(first, "summary"));
    cr_assert(summary && strstr(summary, "dev 0: 64/64 cores over 2.0 %, worst ("), "%s", summary);
    json_decref(root);
    free(out);
    free(err);
    /* A warning-only rule: exit 1; the text format lists it. */
    cfg = write_config("alerts:\n  - name: cb-heavy\n    metric: circular_buffers\n    above: 100KiB\n");
    char *argv2[] = { bin, "--once", "--shm", seg, "-c", (char *)cfg, NULL };
    cr_assert_eq(run_capture(argv2, &out, NULL), 1);
    cr_assert(strstr(out, "cb-heavy") != NULL, "%s", out);
    cr_assert(strstr(out, "dev 0: 32/64 cores with circular_buffers over 100 KiB, worst (0,0) 195 KiB") != NULL, "%s", out);
    free(out);
    stop_process(a, SIGTERM);
    unlink(cfg);
}

Test(e2e, bad_config_exits_78_with_file_line_col)
{
    const char *cfg = write_config("refresh: 2s\nrefesh: 3s\n");
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--shm", seg, "-c", (char *)cfg, NULL };
    char *out, *err;
    cr_assert_eq(run_capture(argv, &out, &err), 78);
    char want[256];
    snprintf(want, sizeof want, "l1top: %s:2:1: unknown key 'refesh'; did you mean 'refresh'?\n", cfg);
    cr_assert_str_eq(err, want);
    cr_assert_str_empty(out);
    free(out);
    free(err);
    unlink(cfg);
}

Test(e2e, print_config_says_where_each_part_came_from)
{
    const char *cfg = write_config("refresh: 2s\ntheme: light\n");
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--print-config", "-c", (char *)cfg, "--theme", "mono", NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    char want[256];
    snprintf(want, sizeof want, "refresh: 2s    # %s:1", cfg);
    cr_assert(strstr(out, want) != NULL, "%s", out);
    cr_assert(strstr(out, "theme: \"mono\"    # command line") != NULL, "%s", out);
    cr_assert(strstr(out, "heatmap: used    # default") != NULL, "%s", out);
    free(out);
    unlink(cfg);
}

/* ---- exports ---- */

Test(e2e, prometheus_output_passes_promtool_and_matches_json)
{
    pid_t a = writer_a();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--format", "prometheus", "--per-process-metrics", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    char path[96];
    snprintf(path, sizeof path, "/tmp/l1top-prom-%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(out, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    cr_assert_eq(system(cmd), 0, "promtool check metrics rejected:\n%s", out);
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    char want[256];
    snprintf(want, sizeof want,
             "l1top_l1_bytes{device=\"0\",arch=\"wormhole_b0\",category=\"circular_buffers\",tracked=\"false\"} %lld\n",
             (long long)total_value(dev, "circular_buffers"));
    cr_assert(strstr(out, want) != NULL, "%s", out);
    snprintf(want, sizeof want, "l1top_core_largest_free_bytes{device=\"0\",x=\"0\",y=\"0\"} %lld\n",
             (long long)core_value(dev, 0, 0, "largest_free"));
    cr_assert(strstr(out, want) != NULL, "%s", out);
    snprintf(want, sizeof want, "l1top_process_l1_bytes{device=\"0\",pid=\"%d\",comm=\"writer-a\",category=\"circular_buffers\"} 6400000\n", (int)a);
    cr_assert(strstr(out, want) != NULL, "%s", out);
    json_decref(root);
    free(out);
    unlink(path);
    stop_process(a, SIGTERM);
}

Test(e2e, iterations_print_one_json_object_per_line)
{
    pid_t a = writer_a();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "-n", "3", "-d", "1", "--format", "json", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    int lines = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *o = json_loads(line, 0, NULL);
        cr_assert_not_null(o, "line %d is not one JSON object: %.80s", lines, line);
        cr_assert_eq(json_integer_value(json_object_get(o, "schema")), 1);
        json_decref(o);
        lines++;
    }
    cr_assert_eq(lines, 3);
    free(out);
    char *argv2[] = { bin, "-n", "2", "-d", "1", "--format", "csv", "--shm", seg, NULL };
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    int headers = 0, rows = 0;
    for (char *p = out; (p = strstr(p, "timestamp,device,arch,x,y")); p++)
        headers++;
    for (char *p = out; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    cr_assert_eq(headers, 1, "one header for all snapshots:\n%s", out);
    cr_assert_eq(rows, 1 + 2 * 64, "two snapshots of 64 cores after the header");
    cr_assert(strncmp(strstr(out, "\r\n") + 2, "20", 2) == 0, "rows start with their timestamp: %s", out);
    free(out);
    stop_process(a, SIGTERM);
}

/* ---- TT-Metal's own statistics files ---- */

#include "ttm_build.h"

static void write_ttm_file(const char *dir, uint64_t asic, uint32_t version, uint32_t device, int32_t live_pid)
{
    static unsigned char b[TTM_BUILD_SIZE];
    ttm_build(b, version, device, asic);
    uint64_t tot[5] = { 1 << 20, 4 << 20, 32768, 0, 8 << 20 };
    ttm_build_totals(b, tot);
    uint64_t live[5] = { 1 << 20, 3 << 20, 32768, 0, 6 << 20 }, gone[5] = { 0, 1 << 20, 0, 0, 2 << 20 };
    ttm_build_process(b, 0, live_pid, "model.py", live);
    ttm_build_process(b, 1, 0x7FFFFFF0, "crashed.py", gone); /* no such pid: stale */
    char path[256];
    snprintf(path, sizeof path, "%s/tt_device_%llu_memory", dir, (unsigned long long)asic);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(b, 1, sizeof b, f), sizeof b);
    fclose(f);
}

Test(e2e, tt_metal_statistics_per_process_with_stale_pids)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/l1top-ttm-%d", (int)getpid());
    mkdir(dir, 0700);
    write_ttm_file(dir, 77, 3, 0, (int32_t)getpid());
    write_ttm_file(dir, 78, 4, 1, (int32_t)getpid());
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--format", "json", "--source", "tt-metal", "--tt-metal-dir", dir, NULL };
    char *out, *err;
    cr_assert_eq(run_capture(argv, &out, &err), 0, "%s", err);
    json_t *root = json_loads(out, 0, NULL);
    json_t *ttm = json_object_get(root, "tt_metal");
    cr_assert_eq(json_array_size(ttm), 2);
    json_t *d0 = json_array_get(ttm, 0);
    cr_assert_eq(json_integer_value(json_object_get(d0, "version")), 3);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(d0, "live_totals"), "l1")), 3 << 20,
                 "the stale pid's MiB is not live");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(d0, "totals"), "l1")), 4 << 20);
    json_t *procs = json_object_get(d0, "processes");
    cr_assert_eq(json_array_size(procs), 2);
    cr_assert(json_is_false(json_object_get(json_array_get(procs, 0), "stale")));
    cr_assert(json_is_true(json_object_get(json_array_get(procs, 1), "stale")));
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 0, "no per-core devices from totals");
    json_decref(root);
    free(out);
    free(err);
    char *argv2[] = { bin, "--once", "--source", "tt-metal", "--tt-metal-dir", dir, NULL };
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    cr_assert(strstr(out, "crashed.py") && strstr(out, "STALE (process gone)"), "%s", out);
    free(out);
    char *argv3[] = { bin, "--once", "--format", "prometheus", "--source", "tt-metal", "--tt-metal-dir", dir, NULL };
    cr_assert_eq(run_capture(argv3, &out, NULL), 0);
    cr_assert(strstr(out, "l1top_ttmetal_bytes{device=\"0\",kind=\"l1\"} 3145728\n") != NULL, "%s", out);
    free(out);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(e2e, both_sources_show_one_process_side_by_side)
{
    pid_t a = writer_a();
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/l1top-ttm-%d", (int)getpid());
    mkdir(dir, 0700);
    write_ttm_file(dir, 90, 3, 0, (int32_t)a); /* the same process, seen by TT-Metal's allocator */
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--format", "json", "--shm", seg, "--tt-metal-dir", dir, NULL }; /* auto: all */
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    json_t *root = json_loads(out, 0, NULL);
    json_t *p = json_array_get(json_object_get(json_array_get(json_object_get(root, "tt_metal"), 0), "processes"), 0);
    cr_assert_eq(json_integer_value(json_object_get(p, "pid")), a);
    json_t *mine = json_object_get(p, "l1top");
    cr_assert(json_is_object(mine), "l1top's own figures next to TT-Metal's");
    char *argv_p[] = { bin, "--once", "--format", "prometheus", "--shm", seg, "--tt-metal-dir", dir, NULL };
    char *prom;
    cr_assert_eq(run_capture(argv_p, &prom, NULL), 0);
    cr_assert(strstr(prom, "l1top_device_info{device=\"0\",arch=\"wormhole_b0\",asic_id=\"0x5a\"} 1\n"),
              "device 0's asic id (90) from TT-Metal's file joins the series:\n%s", prom);
    free(prom);
    cr_assert_eq(json_integer_value(json_object_get(mine, "tracked")), 65 * 2048);
    cr_assert_eq(json_integer_value(json_object_get(mine, "untracked")), 32 * 200000);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(total_value(dev, "circular_buffers"), 32 * 200000, "never added to TT-Metal's CB figure");
    json_decref(root);
    free(out);
    /* A directory of only broken files: exit 65 naming the file. */
    char path[256];
    snprintf(path, sizeof path, "%s/tt_device_90_memory", dir);
    cr_assert_eq(truncate(path, 100), 0);
    char *argv2[] = { bin, "--once", "--source", "tt-metal", "--tt-metal-dir", dir, NULL };
    char *err;
    cr_assert_eq(run_capture(argv2, NULL, &err), 65);
    cr_assert(strstr(err, "truncated: 100 bytes") != NULL, "%s", err);
    free(err);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    stop_process(a, SIGTERM);
}

/* ---- board telemetry from the driver's sysfs ---- */

static void put_file(const char *root, const char *rel, const char *text)
{
    char path[512], cmd[700];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    cr_assert_eq(system(cmd), 0);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

Test(e2e, board_telemetry_from_a_sysfs_fixture)
{
    char root[64];
    snprintf(root, sizeof root, "/tmp/l1top-sysfs-%d", (int)getpid());
    put_file(root, "sys/class/tenstorrent/tenstorrent!0/tt_card_type", "n300\n");
    put_file(root, "sys/class/tenstorrent/tenstorrent!0/tt_aiclk", "1000\n");
    put_file(root, "sys/class/tenstorrent/tenstorrent!0/tt_asic_id", "0x4a3b2c1d00000001\n");
    /* As in real sysfs, device is a link to the PCI device's directory. */
    put_file(root, "sys/devices/pci0000:00/0000:01:00.0/hwmon/hwmon3/temp1_input", "45250\n");
    put_file(root, "sys/devices/pci0000:00/0000:01:00.0/hwmon/hwmon3/power1_input", "31500000\n");
    char link[256], target[256];
    snprintf(link, sizeof link, "%s/sys/class/tenstorrent/tenstorrent!0/device", root);
    snprintf(target, sizeof target, "%s/sys/devices/pci0000:00/0000:01:00.0", root);
    cr_assert_eq(symlink(target, link), 0);
    put_file(root, "sys/class/tenstorrent/tenstorrent!1/tt_card_type", "p150\n");
    put_file(root, "proc/driver/tenstorrent/0/pids", "1234\n5678\n");
    pid_t a = writer_a();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--once", "--format", "json", "--shm", seg, "--sysfs-root", root, NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    json_t *root_json = json_loads(out, 0, NULL);
    json_t *boards = json_object_get(root_json, "boards");
    cr_assert_eq(json_array_size(boards), 2);
    json_t *b0 = json_array_get(boards, 0);
    cr_assert_str_eq(json_string_value(json_object_get(b0, "card_type")), "n300");
    cr_assert_eq(json_integer_value(json_object_get(b0, "aiclk_mhz")), 1000);
    cr_assert_float_eq(json_real_value(json_object_get(b0, "temperature_c")), 45.25, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(b0, "power_w")), 31.5, 1e-9);
    cr_assert_eq(json_array_size(json_object_get(b0, "pids")), 2);
    json_t *b1 = json_array_get(boards, 1);
    cr_assert(json_is_null(json_object_get(b1, "temperature_c")), "unknown is null, not 0");
    cr_assert_str_eq(json_string_value(json_object_get(b0, "asic_id")), "0x4a3b2c1d00000001");
    cr_assert_str_eq(json_string_value(json_object_get(b0, "pci_bus")), "0000:01:00.0");
    cr_assert(json_is_null(json_object_get(b1, "pci_bus")));
    json_decref(root_json);
    free(out);
    char *argv2[] = { bin, "--once", "--format", "prometheus", "--shm", seg, "--sysfs-root", root, NULL };
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    cr_assert(strstr(out, "l1top_board_temperature_celsius{board=\"0\",card=\"n300\"} 45.25\n") != NULL, "%s", out);
    cr_assert(strstr(out, "l1top_board_aiclk_hertz{board=\"0\",card=\"n300\"} 1000000000\n") != NULL,
              "base units: 1000 MHz is 1e9 Hz\n%s", out);
    cr_assert(strstr(out, "l1top_board_info{board=\"0\",card=\"n300\",asic_id=\"0x4a3b2c1d00000001\","
                          "pci_bus=\"0000:01:00.0\"} 1\n") != NULL, "join labels\n%s", out);
    char path[96];
    snprintf(path, sizeof path, "/tmp/l1top-prom2-%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(out, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    cr_assert_eq(system(cmd), 0);
    unlink(path);
    free(out);
    /* No driver: no boards, no error. */
    char *argv3[] = { bin, "--once", "--format", "json", "--shm", seg, "--sysfs-root", "/nonexistent", NULL };
    cr_assert_eq(run_capture(argv3, &out, NULL), 0);
    cr_assert(strstr(out, "\"boards\"") == NULL);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    cr_assert_eq(system(cmd), 0);
    stop_process(a, SIGTERM);
}

/* ---- ttnn graph-capture traces (hand-computed peaks: tests/data/README.md) ---- */

static json_t *trace_json(const char *file, int *rc_out)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--trace", (char *)file, "--once", "--format", "json", NULL };
    char *out, *err;
    *rc_out = run_capture(argv, &out, &err);
    json_t *root = json_loads(out, 0, NULL);
    cr_assert_not_null(root, "exit %d, stderr: %s", *rc_out, err);
    free(out);
    free(err);
    return root;
}

Test(e2e, trace_report_peak_matches_the_hand_calculation)
{
    int rc;
    json_t *root = trace_json("tests/data/trace_report_normal.json", &rc);
    cr_assert_eq(rc, 0);
    json_t *t = json_object_get(root, "trace");
    json_t *peak = json_object_get(t, "peak");
    cr_assert_eq(json_integer_value(json_object_get(t, "nodes")), 12);
    cr_assert_eq(json_integer_value(json_object_get(peak, "bytes")), 100352);
    cr_assert_eq(json_integer_value(json_object_get(peak, "circular_buffers")), 98304);
    cr_assert_eq(json_integer_value(json_object_get(peak, "l1_buffers")), 2048);
    cr_assert_eq(json_integer_value(json_object_get(peak, "counter")), 5);
    cr_assert_str_eq(json_string_value(json_object_get(peak, "op")), "ttnn::matmul");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(peak, "core"), "x")), 0);
    json_t *ttnn = json_object_get(t, "ttnn");
    cr_assert_eq(json_integer_value(json_object_get(ttnn, "peak_cb")), 163840, "ttnn adds both disjoint CB sets");
    cr_assert_eq(json_integer_value(json_object_get(ttnn, "peak_total")), 165888);
    cr_assert(json_is_false(json_object_get(t, "simulated_placement")));
    /* The state at the peak, per core, in the ordinary schema. */
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(core_value(dev, 0, 0, "circular_buffers"), 98304);
    cr_assert_eq(core_value(dev, 0, 0, "l1_buffers"), 2048);
    cr_assert_eq(core_value(dev, 0, 4, "circular_buffers"), 32768, "(0,4) is in neither 65,536 B set");
    cr_assert_eq(core_value(dev, 5, 5, "circular_buffers"), 98304);
    cr_assert_eq(core_value(dev, 0, 0, "firmware"), FW);
    json_decref(root);
}

Test(e2e, trace_list_with_simulated_placement)
{
    int rc;
    json_t *root = trace_json("tests/data/trace_list_no_dispatch.json", &rc);
    cr_assert_eq(rc, 0);
    json_t *t = json_object_get(root, "trace");
    json_t *peak = json_object_get(t, "peak");
    cr_assert_eq(json_integer_value(json_object_get(peak, "bytes")), 14336);
    cr_assert_eq(json_integer_value(json_object_get(peak, "counter")), 4);
    cr_assert_str_eq(json_string_value(json_object_get(peak, "op")), "ttnn::add");
    cr_assert(json_is_true(json_object_get(t, "simulated_placement")));
    cr_assert_str_eq(json_string_value(json_object_get(t, "board")), "n150");
    cr_assert_eq(json_integer_value(json_object_get(t, "ignored_nodes")), 1);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(core_value(dev, 1, 1, "circular_buffers"), 12288);
    cr_assert_eq(core_value(dev, 2, 2, "circular_buffers"), 0);
    cr_assert_eq(core_value(dev, 7, 7, "l1_buffers"), 2048);
    const arch_info *wh = arch_by_name("wormhole_b0");
    cr_assert_eq(core_value(dev, 0, 0, "largest_free"),
                 (json_int_t)(wh->l1_size - 2048 - (align_up(wh->unreserved_base, arch_dram_alignment(wh)) + 12288)),
                 "CBs packed up from the base, the buffer at the top");
    json_decref(root);
}

static void expect_trace_error(const char *text, const char *want)
{
    char path[96];
    snprintf(path, sizeof path, "/tmp/l1top-badtrace-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--trace", path, "--once", NULL };
    char *err;
    cr_assert_eq(run_capture(argv, NULL, &err), 65, "%s", err);
    char expected[256];
    snprintf(expected, sizeof expected, "l1top: %s%s\n", path, want);
    cr_assert_str_eq(err, expected);
    free(err);
    unlink(path);
}

Test(e2e, malformed_traces_exit_65_with_position)
{
    expect_trace_error("[{\"counter\": 0, \"node_type\": \"x\"", ":1:32: '}' expected near end of file");
    expect_trace_error("[{\"counter\": 0, \"node_type\": \"a\"}, {\"counter\": 5, \"node_type\": \"b\"}]",
                       ": node 1: counter 5 out of order (expected 1)");
    expect_trace_error("[{\"counter\": 0, \"node_type\": \"buffer_allocate\", \"params\": {\"size\": {}, \"address\": 0}}]",
                       ": node 0: buffer_allocate needs a numeric 'size'");
    expect_trace_error("[{\"counter\": 0, \"node_type\": \"circular_buffer_allocate\", \"params\": {\"size\": 64, "
                       "\"core_range_set\": \"<0,0>\"}}]",
                       ": node 0: unknown core_range_set syntax '<0,0>'");
    expect_trace_error("{\"nodes\": []}", ":1:1: not a ttnn graph trace (a list of nodes, or an object with a 'graph' list)");
}

Test(e2e, l1sim_replays_a_trace_into_the_segment)
{
    char sim[512];
    bin_path(sim, sizeof sim, "l1sim");
    char *argv[] = { sim, "--replay", "tests/data/trace_report_normal.json", "--speed", "50", "--hold", NULL };
    pid_t p = start_ready(seg, argv); /* waits for "replay done" */
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(core_value(dev, 0, 0, "circular_buffers"), 20000, "the trace's last state: one CB on core (0,0)");
    cr_assert_eq(total_value(dev, "circular_buffers"), 20000);
    cr_assert_eq(total_value(dev, "l1_buffers"), 0, "the buffer was deallocated at node 9");
    json_decref(root);
    stop_process(p, SIGTERM);
}

Test(e2e, mesh_buffers_land_on_their_chip)
{
    char path[96];
    snprintf(path, sizeof path, "/tmp/l1top-mesh-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("[{\"counter\":0,\"node_type\":\"tensor\",\"params\":{\"device_tensors\":"
          "\"[{\\\"address\\\":1048576,\\\"device_id\\\":1,\\\"mesh_device_id\\\":7}]\"}},"
          "{\"counter\":1,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":\"131072\",\"address\":\"1048576\","
          "\"type\":\"L1\",\"layout\":\"INTERLEAVED\",\"page_size\":\"2048\",\"num_cores\":\"0\",\"device_id\":\"7\"}},"
          "{\"counter\":2,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":\"4096\",\"address\":\"102784\","
          "\"core_range_set\":\"{[0-0 - 7-7]}\",\"globally_allocated\":\"false\",\"device_id\":\"1\"}}]",
          f);
    fclose(f);
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--trace", path, "--once", "--format", "json", "--board", "n300", NULL };
    char *out, *err;
    cr_assert_eq(run_capture(argv, &out, &err), 0, "%s", err);
    json_t *root = json_loads(out, 0, NULL);
    cr_assert_not_null(root);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 1, "mesh device 7 is chip 1");
    json_t *dev = device_by_id(root, 1);
    cr_assert_not_null(dev);
    cr_assert_eq(core_value(dev, 0, 0, "l1_buffers"), 2048);
    cr_assert_eq(core_value(dev, 0, 0, "circular_buffers"), 4096);
    json_decref(root);
    free(out);
    free(err);
    unlink(path);
}

/* `l1top --format json` without --once opened the TUI, and `l1top > file`
 * wrote the TUI's escape codes into the file. */
Test(e2e, a_machine_format_or_a_non_terminal_output_means_batch)
{
    pid_t a = writer_a();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *json_argv[] = { bin, "--format", "json", "--shm", seg, NULL };
    char *out, *err;
    cr_assert_eq(run_capture(json_argv, &out, &err), 0, "%s", err);
    json_t *root = json_loads(out, 0, NULL);
    cr_assert_not_null(root, "one JSON document, no TUI: %.200s", out);
    json_decref(root);
    free(out);
    free(err);
    char *plain_argv[] = { bin, "--frames", "2", "--shm", seg, NULL };
    cr_assert_eq(run_capture(plain_argv, &out, &err), 0, "%s", err);
    cr_assert_null(strchr(out, '\033'), "no escape codes in a file: %.200s", out);
    cr_assert(strstr(out, "Device 0") != NULL, "the text report: %.200s", out);
    free(out);
    free(err);
    stop_process(a, SIGTERM);
}

/* `l1sim --replay` never exited after "replay done"; --version failed. */
Test(e2e, l1sim_replay_exits_when_done_and_has_a_version)
{
    char sim[512];
    bin_path(sim, sizeof sim, "l1sim");
    char *argv[] = { sim, "--replay", "tests/data/trace_report_normal.json", "--speed", "1000", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    cr_assert(strstr(out, "replay done"), "%s", out);
    free(out);
    char *ver[] = { sim, "--version", NULL };
    cr_assert_eq(run_capture(ver, &out, NULL), 0);
    cr_assert(strncmp(out, "l1sim " L1TOP_VERSION_STRING "\n", strlen("l1sim " L1TOP_VERSION_STRING "\n")) == 0, "%s", out);
    free(out);
    char *help[] = { sim, "--help", NULL };
    cr_assert_eq(run_capture(help, &out, NULL), 0);
    cr_assert(strstr(out, "--seed N") && strstr(out, "--shm NAME") && strstr(out, "--label NAME"), "%s", out);
    free(out);
}

/* A copied config.example.yaml silently overrode $L1TOP_SHM, and
 * --print-config said `segment: "/l1top" # default` while $L1TOP_SHM was
 * in use. */
Test(e2e, the_environment_wins_over_the_file_and_print_config_says_so)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--print-config", "-c", "config.example.yaml", NULL };
    setenv("L1TOP_SHM", "/from-env", 1);
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    cr_assert(strstr(out, "segment: \"/from-env\"    # $L1TOP_SHM\n"), "%s", out);
    free(out);
    const char *cfg = write_config("segment: /from-file\n");
    char *argv2[] = { bin, "--print-config", "-c", (char *)cfg, NULL };
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    cr_assert(strstr(out, "segment: \"/from-env\"    # $L1TOP_SHM\n"), "environment over file: %s", out);
    free(out);
    char *argv3[] = { bin, "--print-config", "-c", (char *)cfg, "--shm", "/from-flag", NULL };
    cr_assert_eq(run_capture(argv3, &out, NULL), 0);
    cr_assert(strstr(out, "segment: \"/from-flag\"    # command line\n"), "flag over environment: %s", out);
    free(out);
    unsetenv("L1TOP_SHM");
    unlink(cfg);
}
