/*
 * ttnn graph-capture replay, end to end: `l1top --trace FILE --once` on
 * traces written in the real capture format (tests/data/README.md has the
 * hand computation of every figure asserted here), the board guess, exit
 * codes and hostile input. Each test names the bug it pins down.
 */
#include "proc_util.h"

#include "arch.h"
#include "utf8.h"

/* l1top --trace FILE --once --format json [extra...]: the parsed output, exit code in *rc. */
static json_t *trace_run(const char *file, const char *board, int *rc)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[9] = { bin, "--trace", (char *)file, "--once", "--format", "json", NULL, NULL, NULL };
    if (board) {
        argv[6] = "--board";
        argv[7] = (char *)board;
    }
    char *out, *err;
    *rc = run_capture(argv, &out, &err);
    json_t *root = json_loads(out, 0, NULL);
    cr_assert_not_null(root, "exit %d, stderr: %s", *rc, err);
    free(out);
    free(err);
    return root;
}

static json_int_t tget(json_t *root, const char *obj, const char *key)
{
    json_t *t = json_object_get(root, "trace");
    return json_integer_value(json_object_get(obj ? json_object_get(t, obj) : t, key));
}

static const char *tstr(json_t *root, const char *obj, const char *key)
{
    json_t *t = json_object_get(root, "trace");
    const char *s = json_string_value(json_object_get(obj ? json_object_get(t, obj) : t, key));
    return s ? s : "";
}

/* A trace written to a pid-unique temp file; removed by the caller. */
static void write_trace(char *path, size_t n, const char *tag, const char *text)
{
    snprintf(path, n, "/tmp/l1top-trace-%s-%d.json", tag, (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* l1top --trace FILE --once (text): exit code, stdout and stderr. */
static int trace_text(const char *path, char **out, char **err)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--trace", (char *)path, "--once", NULL };
    return run_capture(argv, out, err);
}

/* ---- one device per chip, board from evidence ---- */

/* Bug: CBs kept the mesh device id (1) while buffers mapped to chip 0, so one
 * chip became two devices; and with no devices section the board became an
 * n150 (Wormhole). */
Test(trace, matmul_no_dispatch_one_blackhole_chip_peak_806912)
{
    int rc;
    json_t *root = trace_run("tests/data/matmul_no_dispatch.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 1, "mesh 1 and chip 0 are one chip");
    json_t *dev = device_by_id(root, 0);
    cr_assert_not_null(dev);
    cr_assert_str_eq(json_string_value(json_object_get(dev, "arch")), "blackhole");
    cr_assert_str_eq(tstr(root, NULL, "board"), "p150");
    cr_assert_eq(tget(root, "peak", "bytes"), 806912);
    cr_assert_eq(tget(root, "peak", "circular_buffers"), 786432);
    cr_assert_eq(tget(root, "peak", "l1_buffers"), 20480);
    cr_assert_eq(tget(root, "peak", "counter"), 14);
    cr_assert_str_eq(tstr(root, "peak", "op"), "MatmulDeviceOperation");
    cr_assert_eq(tget(root, "ttnn", "peak_cb"), 786432);
    cr_assert_eq(tget(root, "ttnn", "peak_l1"), 20480);
    cr_assert_eq(tget(root, "ttnn", "peak_total"), 806912);
    /* Interleaved: max_size_per_bank on every bank, at the top of L1. */
    cr_assert_eq(core_value(dev, 10, 9, "l1_buffers"), 20480);
    cr_assert_eq(core_value(dev, 2, 0, "circular_buffers"), 0);
    /* CBs packed up from the unreserved base, aligned as TT-Metal aligns them. */
    const arch_info *bh = arch_by_name("blackhole");
    uint64_t cb_base = align_up(bh->unreserved_base, arch_dram_alignment(bh));
    cr_assert_eq(core_value(dev, 0, 0, "largest_free"), (json_int_t)(bh->l1_size - 20480 - (cb_base + 786432)));
    json_decref(root);
}

/* Bug: in NORMAL mode deallocate_all says 1 and the CBs 0: CBs were never
 * freed and two programs added up (1572864 with --board p150). */
Test(trace, matmul_normal_frees_cbs_between_programs)
{
    int rc;
    json_t *root = trace_run("tests/data/matmul_normal.json", "p150", &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 1);
    cr_assert_eq(tget(root, "peak", "bytes"), 806912, "the second program's CBs replace the first's");
    cr_assert_eq(tget(root, "ttnn", "peak_total"), 806912);
    /* The real addresses: CBs end at 373760 + 524288, the buffer at 1552384. */
    cr_assert_eq(core_value(device_by_id(root, 0), 0, 0, "largest_free"), 1552384 - (373760 + 524288));
    json_decref(root);
}

/* Bug: without --board the NORMAL capture became an n150 and failed with
 * exit 65 "beyond L1". */
Test(trace, matmul_normal_board_from_evidence)
{
    int rc;
    json_t *root = trace_run("tests/data/matmul_normal.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(tstr(root, NULL, "board"), "p150");
    cr_assert(strstr(tstr(root, NULL, "board_from"), "103-113 L1 banks"), "%s", tstr(root, NULL, "board_from"));
    cr_assert_eq(tget(root, "peak", "bytes"), 806912);
    json_decref(root);
}

/* An address no known board holds: the error suggests --board. */
Test(trace, impossible_address_suggests_board)
{
    char path[128];
    write_trace(path, sizeof path, "far",
                "[{\"counter\":0,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":4096,"
                "\"address\":2000000,\"core_range_set\":\"{[0-0 - 0-0]}\",\"globally_allocated\":\"0\"}}]");
    char *out, *err;
    cr_assert_eq(trace_text(path, &out, &err), 65, "%s", err);
    cr_assert(strstr(err, "beyond L1") && strstr(err, "pass --board"), "%s", err);
    free(out);
    free(err);
    unlink(path);
}

/* ---- shard grids, L1_SMALL, Metal 2.0, connections ---- */

/* Bug: the grid in memory_config's shard_spec=ShardSpec{grid=[{...}]} was
 * never found: 16 of 64 shards landed outside 0-0..7-7. The inputs were
 * allocated before the capture and are placed from their tensors. */
Test(trace, height_sharded_add_uses_the_shard_grid)
{
    int rc;
    json_t *root = trace_run("tests/data/sharded_add.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    json_t *dev = device_by_id(root, 0);
    cr_assert_not_null(dev);
    cr_assert_eq(core_value(dev, 7, 7, "l1_buffers"), 98304, "a, b (before capture) and the output shard");
    cr_assert_eq(core_value(dev, 8, 0, "l1_buffers"), 0, "outside the 8x8 shard grid");
    cr_assert_eq(core_value(dev, 0, 5, "l1_buffers"), 98304);
    cr_assert_eq(tget(root, "peak", "bytes"), 98304);
    cr_assert_eq(tget(root, "ttnn", "peak_l1"), 32768, "ttnn counts only the output");
    cr_assert(json_is_false(json_object_get(json_object_get(root, "trace"), "sharded_grid_guessed")));
    json_decref(root);
}

/* Bug: an in-place op whose tensors predate the capture showed 0 B. */
Test(trace, in_place_op_prices_pre_window_tensors)
{
    int rc;
    json_t *root = trace_run("tests/data/sharded_add_in_place.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(tget(root, "peak", "bytes"), 65536);
    cr_assert_eq(tget(root, NULL, "pre_window_buffers"), 2);
    cr_assert_eq(core_value(device_by_id(root, 0), 3, 3, "l1_buffers"), 65536);
    cr_assert_eq(tget(root, "ttnn", "peak_total"), 0, "ttnn's own figure stays as ttnn computes it");
    json_decref(root);
}

/* ttnn's known underflow: freeing a pre-window buffer wraps its size_t counters. */
Test(trace, ttnn_underflow_is_shown_literally_and_flagged)
{
    int rc;
    json_t *root = trace_run("tests/data/pre_window_free.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    json_t *ttnn = json_object_get(json_object_get(root, "trace"), "ttnn");
    cr_assert_str_eq(json_string_value(json_object_get(ttnn, "peak_l1")), "18446744073709518848");
    cr_assert_str_eq(json_string_value(json_object_get(ttnn, "peak_total")), "18446744073709518848");
    cr_assert(json_is_true(json_object_get(ttnn, "underflow")));
    cr_assert_eq(tget(root, "peak", "bytes"), 65536, "l1top's own peak: the pre-window tensor");
    json_decref(root);
    char *out, *err;
    cr_assert_eq(trace_text("tests/data/pre_window_free.json", &out, &err), 0);
    cr_assert(strstr(out, "peak L1 18446744073709518848 B") && strstr(out, "wrapped below zero"), "%s", out);
    free(out);
    free(err);
}

/* Bugs: L1_SMALL buffers (type "L1", buffer_type 3) counted as L1 buffers;
 * one chip as two devices (77888 instead of 125536); dataflow buffers and
 * scratchpads ignored. */
Test(trace, conv_like_l1_small_and_metal2_nodes)
{
    int rc;
    json_t *root = trace_run("tests/data/conv2d_like.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 1);
    cr_assert_eq(tget(root, "peak", "bytes"), 125536);
    cr_assert_eq(tget(root, "peak", "circular_buffers"), 77888);
    cr_assert_eq(tget(root, "peak", "l1_buffers"), 47648);
    cr_assert_str_eq(tstr(root, "peak", "op"), "Conv2dDeviceOperation");
    cr_assert_eq(tget(root, "ttnn", "peak_cb"), 77888);
    cr_assert_eq(tget(root, "ttnn", "peak_l1"), 47648, "ttnn folds L1_SMALL into peak_l1");
    cr_assert_eq(tget(root, "ttnn", "peak_dataflow_buffer"), 4096, "the borrowed one adds nothing");
    cr_assert_eq(tget(root, "ttnn", "peak_scratchpad"), 1024);
    cr_assert_eq(tget(root, "ttnn", "peak_total"), 125536);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(core_value(dev, 0, 0, "l1_small"), 32, "the conv config tensor, in the L1_SMALL region");
    cr_assert_eq(core_value(dev, 0, 0, "l1_buffers"), 47616);
    json_decref(root);
}

/* Bug: dataflow_buffer_allocate / scratchpad_allocate were ignored. They are
 * program-scope L1: counted with the CBs and freed by deallocate_all. */
Test(trace, dataflow_buffers_and_scratchpads)
{
    int rc;
    json_t *root = trace_run("tests/data/dataflow_buffers.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(tget(root, "peak", "bytes"), 1024, "384 + 384 + 256; 900 after the free, not 1924");
    cr_assert_eq(tget(root, "peak", "counter"), 5);
    cr_assert_eq(tget(root, "ttnn", "peak_dataflow_buffer"), 900);
    cr_assert_eq(tget(root, "ttnn", "peak_scratchpad"), 256);
    cr_assert_eq(tget(root, "ttnn", "peak_cb"), 0);
    cr_assert_eq(tget(root, "ttnn", "peak_total"), 1024);
    cr_assert_eq(tget(root, NULL, "ignored_nodes"), 0);
    json_decref(root);
}

/* Bug: with addresses 0 a deallocation freed the latest buffer of that size,
 * not the one its connections name. */
Test(trace, deallocation_follows_connections)
{
    int rc;
    json_t *root = trace_run("tests/data/dealloc_by_connection.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(tget(root, "peak", "bytes"), 12288, "the second buffer survives under the CB");
    cr_assert_eq(tget(root, "peak", "x"), 0);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(core_value(dev, 1, 1, "l1_buffers"), 4096);
    cr_assert_eq(core_value(dev, 0, 0, "l1_buffers"), 0, "the first buffer was freed");
    json_decref(root);
}

/* Bug: the mesh map kept one chip per mesh; a buffer on a 2-chip mesh lands on both. */
Test(trace, two_chip_mesh_lands_on_both_chips)
{
    int rc;
    json_t *root = trace_run("tests/data/mesh_2chip.json", "n300", &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 2);
    for (int chip = 0; chip < 2; chip++) {
        json_t *dev = device_by_id(root, chip);
        cr_assert_not_null(dev, "chip %d", chip);
        cr_assert_eq(core_value(dev, 7, 7, "l1_buffers"), 4096);
        cr_assert_eq(core_value(dev, 7, 7, "circular_buffers"), 16384);
    }
    cr_assert_eq(tget(root, "peak", "bytes"), 20480);
    json_decref(root);
}

/* The board guess counts chips: two chips of 64 banks is an n300. */
Test(trace, two_chip_mesh_board_guess)
{
    int rc;
    json_t *root = trace_run("tests/data/mesh_2chip.json", NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(tstr(root, NULL, "board"), "n300");
    cr_assert(strstr(tstr(root, NULL, "board_from"), "2 chips"), "%s", tstr(root, NULL, "board_from"));
    json_decref(root);
}

/* ---- hostile input ---- */

static void expect_error(const char *tag, const char *text, const char *want)
{
    char path[128];
    write_trace(path, sizeof path, tag, text);
    char *out, *err;
    int rc = trace_text(path, &out, &err);
    cr_assert_eq(rc, 65, "%s: exit %d: %s", tag, rc, err);
    cr_assert(strstr(err, want), "%s: %s", tag, err);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line: %s", err);
    free(out);
    free(err);
    unlink(path);
}

/* Bug: page_size 2^32 became 0 (SIGFPE); 2^64-1 sizes, addresses near 2^64
 * and max_size_per_bank 2^32+16 (read as 16) were accepted. */
Test(trace, numbers_are_checked_before_narrowing)
{
    expect_error("page", "[{\"counter\":0,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":\"65536\","
                         "\"page_size\":\"4294967296\",\"type\":\"L1\",\"address\":0}}]",
                 "page_size 4294967296 out of range");
    expect_error("cbsize", "[{\"counter\":0,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":"
                           "\"18446744073709551615\",\"address\":1,\"core_range_set\":\"{[0-0 - 0-0]}\"}}]",
                 "larger than L1");
    expect_error("addr", "[{\"counter\":0,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":\"131072\","
                         "\"address\":\"18446744073709551600\",\"type\":\"L1\",\"page_size\":\"2048\"}}]",
                 "beyond L1");
    expect_error("maxbank", "[{\"counter\":0,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":\"131072\","
                            "\"max_size_per_bank\":\"4294967312\",\"type\":\"L1\",\"address\":0}}]",
                 "larger than L1");
    expect_error("wrap", "[{\"counter\":0,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":"
                         "\"18446744073709551616\",\"type\":\"L1\"}}]",
                 "needs a numeric 'size'");
}

/* Bug: 33 nested function_start overflowed a fixed 32-entry stack. */
Test(trace, nesting_of_any_depth)
{
    enum { DEPTH = 200 };
    size_t cap = DEPTH * 96 + 512;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "[");
    for (int i = 0; i < DEPTH; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "{\"counter\":%d,\"node_type\":\"function_start\",\"params\":{\"name\":\"op%d\"}},", i, i);
    snprintf(text + n, cap - n,
             "{\"counter\":%d,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":4096,"
             "\"core_range_set\":\"{[0-0 - 0-0]}\",\"globally_allocated\":\"0\"}}]",
             DEPTH);
    char path[128];
    write_trace(path, sizeof path, "deep", text);
    free(text);
    int rc;
    json_t *root = trace_run(path, NULL, &rc);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(tstr(root, "peak", "op"), "op199", "the innermost of 200 nested ops");
    json_decref(root);
    unlink(path);
}

/* Bug: op names were printed raw (escape sequences reached the terminal) and
 * cut inside a UTF-8 character (the whole trace object vanished from JSON). */
Test(trace, op_names_are_sanitized_in_text_and_json)
{
    char name[512] = "\\u001b]0;owned\\u0007\\u001b[31m";
    for (int i = 0; i < 60; i++)
        strcat(name, "\\u00e9"); /* two bytes each in UTF-8: the 96-byte cut falls on a boundary or not */
    char text[1024];
    snprintf(text, sizeof text,
             "[{\"counter\":0,\"node_type\":\"function_start\",\"params\":{\"name\":\"x%s\"}},"
             "{\"counter\":1,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":4096,"
             "\"core_range_set\":\"{[0-0 - 0-0]}\",\"globally_allocated\":\"0\"}}]",
             name);
    char path[128];
    write_trace(path, sizeof path, "names", text);
    int rc;
    json_t *root = trace_run(path, NULL, &rc);
    cr_assert_eq(rc, 0);
    const char *op = tstr(root, "peak", "op");
    cr_assert(strncmp(op, "x\\x1B]0;owned\\x07\\x1B[31m", 25) == 0, "controls escaped: %s", op);
    cr_assert(utf8_valid(op, strlen(op)));
    json_decref(root);
    char *out, *err;
    cr_assert_eq(trace_text(path, &out, &err), 0);
    cr_assert_null(strchr(out, '\x1b'), "no escape byte reaches the terminal");
    cr_assert(utf8_valid(out, strlen(out)));
    free(out);
    free(err);
    unlink(path);
}

/* Missing file: "No such file", exit 66 (EX_NOINPUT), no ":-1:-1". */
Test(trace, missing_file_exits_66)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/l1top-trace-missing-%d.json", (int)getpid());
    char *out, *err;
    cr_assert_eq(trace_text(path, &out, &err), 66, "%s", err);
    cr_assert(strstr(err, "No such file"), "%s", err);
    cr_assert_null(strstr(err, ":-1:-1"), "%s", err);
    free(out);
    free(err);
}

/* NORMAL capture from a ttnn without device_tensors: buffers and deallocate_all
 * say the mesh (1), CBs the chip (0); one chip, and the second program's CBs
 * replace the first's. */
Test(trace, normal_capture_without_device_tensors_is_one_chip)
{
    char path[128];
    write_trace(path, sizeof path, "nodt",
                "[{\"counter\":0,\"node_type\":\"buffer_allocate\",\"params\":{\"size\":131072,\"address\":1048576,"
                "\"type\":\"L1\",\"layout\":\"INTERLEAVED\",\"page_size\":2048,\"num_cores\":0,"
                "\"max_size_per_bank\":2048,\"device_id\":1}},"
                "{\"counter\":1,\"node_type\":\"circular_buffer_deallocate_all\",\"params\":{\"device_id\":1}},"
                "{\"counter\":2,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":65536,\"address\":111616,"
                "\"core_range_set\":\"{[0-0 - 0-0]}\",\"globally_allocated\":\"0\",\"device_id\":0}},"
                "{\"counter\":3,\"node_type\":\"circular_buffer_deallocate_all\",\"params\":{\"device_id\":1}},"
                "{\"counter\":4,\"node_type\":\"circular_buffer_allocate\",\"params\":{\"size\":65536,\"address\":111616,"
                "\"core_range_set\":\"{[0-0 - 0-0]}\",\"globally_allocated\":\"0\",\"device_id\":0}}]");
    int rc;
    json_t *root = trace_run(path, "p150", &rc);
    cr_assert_eq(rc, 0);
    cr_assert_eq(json_array_size(json_object_get(root, "devices")), 1);
    cr_assert_eq(tget(root, "peak", "bytes"), 2048 + 65536);
    cr_assert_eq(core_value(device_by_id(root, 0), 0, 0, "circular_buffers"), 65536);
    json_decref(root);
    unlink(path);
}
