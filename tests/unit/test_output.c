/*
 * Batch views: the JSON schema (exact keys and values), the text report,
 * the command line and the number formatting.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "model/accounting.h"
#include "cli/cli.h"
#include "views/format.h"
#include "helpers.h"
#include "views/output.h"
#include "views/view_common.h"

static snapshot s;
static accounting a;

static void build(void)
{
    snapshot_init(&s);
    snprintf(s.segment, sizeof s.segment, "/test");
    s.timestamp_ns = 1700000000ull * 1000000000ull;
    t_device(&s, 0, "wormhole_b0", 2, 1);
    t_device(&s, 3, "blackhole", 1, 1);
    uint32_t p = t_process(&s, 4242, "model");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 0 }), 0x19180, 0x10000, "cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x100000, 0x1000, "buf");
    cr_assert_eq(accounting_compute(&s, &a), 0);
}
static void done(void)
{
    accounting_free(&a);
    snapshot_free(&s);
}

TestSuite(output, .init = build, .fini = done);

static void assert_keys(json_t *o, const char *const *keys, size_t n, const char *what)
{
    cr_assert(json_is_object(o), "%s is an object", what);
    cr_assert_eq(json_object_size(o), n, "%s has %zu keys, not %zu", what, json_object_size(o), n);
    for (size_t i = 0; i < n; i++)
        cr_assert_not_null(json_object_get(o, keys[i]), "%s lacks '%s'", what, keys[i]);
}

Test(output, json_has_exactly_the_schema_keys)
{
    json_t *root = output_json_build(&s, &a, NULL);
    static const char *const top[] = { "schema", "l1top_version", "timestamp", "segment", "devices", "alerts", "warnings" };
    assert_keys(root, top, 7, "top level");
    cr_assert_eq(json_integer_value(json_object_get(root, "schema")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(root, "timestamp")), "2023-11-14T22:13:20Z");
    cr_assert_eq(json_array_size(json_object_get(root, "alerts")), 0);
    json_t *devs = json_object_get(root, "devices");
    cr_assert_eq(json_array_size(devs), 2);
    json_t *d0 = json_array_get(devs, 0);
    static const char *const dev[] = { "id", "arch", "grid", "mesh", "cores", "l1_per_core", "l1_small_size",
                                       "unreserved_base", "alignment", "totals", "cb_room", "cores_detail",
                                       "processes", "clashes", "clashes_truncated", "clash_pairs_at_least",
                                       "clash_bytes", "regions", "dropped_records" };
    assert_keys(d0, dev, 19, "device");
    static const char *const totals[] = { "l1_buffers", "l1_small", "circular_buffers", "kernel_code",
                                          "semaphores", "runtime", "kernel_config", "firmware", "free", "largest_free_common",
                                          "fragmented", "tracked", "untracked", "used", "total" };
    json_t *t = json_object_get(d0, "totals");
    assert_keys(t, totals, 15, "totals");
    static const char *const core[] = { "x", "y", "l1_buffers", "l1_small", "circular_buffers", "kernel_code",
                                        "semaphores", "runtime", "kernel_config", "firmware", "free", "largest_free",
                                        "fragmented", "used_pct", "cb_room", "cb_extent" };
    json_t *c0 = json_array_get(json_object_get(d0, "cores_detail"), 0);
    assert_keys(c0, core, 16, "core");
    static const char *const cbr[] = { "min", "min_core", "limited_by", "cb_extent_max", "cb_extent_max_core" };
    json_t *room = json_object_get(d0, "cb_room");
    assert_keys(room, cbr, 5, "cb_room");
    static const char *const ranged[] = { "proc", "pid", "kind", "tag", "address", "interleaved", "size_per_core",
                                          "ranges" };
    json_t *r1 = json_array_get(json_object_get(d0, "regions"), 1);
    assert_keys(r1, ranged, 8, "region");
    static const char *const proc[] = { "pid", "name", "l1_buffers", "l1_small", "circular_buffers",
                                        "kernel_code", "semaphores", "runtime", "regions" };
    json_t *p0 = json_array_get(json_object_get(d0, "processes"), 0);
    assert_keys(p0, proc, 9, "process");

    /* Values, exactly. */
    cr_assert_str_eq(json_string_value(json_object_get(d0, "arch")), "wormhole_b0");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(d0, "grid"), "x")), 2);
    cr_assert_eq(json_integer_value(json_object_get(d0, "l1_per_core")), 1499136);
    cr_assert_eq(json_integer_value(json_object_get(t, "circular_buffers")), 2 * 0x10000);
    cr_assert_eq(json_integer_value(json_object_get(t, "l1_buffers")), 0x1000);
    cr_assert_eq(json_integer_value(json_object_get(t, "tracked")), 0x1000);
    cr_assert_eq(json_integer_value(json_object_get(t, "total")), 2 * 1499136);
    cr_assert_eq(json_integer_value(json_object_get(c0, "l1_buffers")), 0x1000);
    /* Wormhole: firmware below MEM_MAP_END 0x7FF0, the ring up to 0x19400 less the CB's 0x280 in it. */
    cr_assert_eq(json_integer_value(json_object_get(c0, "firmware")), 0x7FF0);
    cr_assert_eq(json_integer_value(json_object_get(c0, "kernel_config")), 0x19400 - 0x7FF0 - 0x280);
    cr_assert(json_is_real(json_object_get(c0, "used_pct")));
    cr_assert_eq(json_integer_value(json_object_get(p0, "pid")), 4242);
    cr_assert_eq(json_integer_value(json_object_get(p0, "regions")), 2);
    /* CB room: 0x100000 - 0x19400 under the buffer on (0,0), the whole
     * 1499136 - 0x19400 on (1,0); the CB ends 0x19180 + 0x10000 - 0x19400 above the base. */
    cr_assert_eq(json_integer_value(json_object_get(c0, "cb_room")), 945152);
    cr_assert_eq(json_integer_value(json_object_get(c0, "cb_extent")), 64896);
    json_t *c1 = json_array_get(json_object_get(d0, "cores_detail"), 1);
    cr_assert_eq(json_integer_value(json_object_get(c1, "cb_room")), 1395712);
    cr_assert_eq(json_integer_value(json_object_get(room, "min")), 945152);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(room, "limited_by"), "tag")), "buf");
    cr_assert_eq(json_integer_value(json_object_get(room, "cb_extent_max")), 64896);
    cr_assert_eq(json_integer_value(json_object_get(r1, "pid")), 4242);
    cr_assert_eq(json_integer_value(json_object_get(r1, "size_per_core")), 0x1000);
    cr_assert_eq(json_integer_value(json_array_get(json_array_get(json_object_get(r1, "ranges"), 0), 2)), 0);
    cr_assert_eq(json_integer_value(json_object_get(d0, "unreserved_base")), 0x19400);
    /* Blackhole 1x1, nothing on it: 1572864 - 0x1B300, bounded by the top of L1. */
    json_t *d1 = json_array_get(devs, 1);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(d1, "cb_room"), "min")), 1461504);
    cr_assert(json_is_null(json_object_get(json_object_get(d1, "cb_room"), "limited_by")));
    cr_assert_eq(json_array_size(json_object_get(d1, "regions")), 0);
    json_decref(root);
}

Test(output, device_filter_selects_devices)
{
    output_options o = { .devices = { 3 }, .ndevices = 1 };
    json_t *root = output_json_build(&s, &a, &o);
    json_t *devs = json_object_get(root, "devices");
    cr_assert_eq(json_array_size(devs), 1);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(devs, 0), "id")), 3);
    json_decref(root);
}

Test(output, text_report_has_table_heatmap_and_processes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(output_text(f, &s, &a, NULL), 0);
    fclose(f);
    cr_assert(strstr(buf, "Device 0  wormhole_b0  grid 2x1") != NULL, "%s", buf);
    cr_assert(strstr(buf, "Circular buffers") != NULL);
    cr_assert(strstr(buf, "131072") != NULL, "exact CB bytes");
    cr_assert(strstr(buf, "Tracked (allocator sees)") != NULL);
    cr_assert(strstr(buf, "4242 model") != NULL);
    cr_assert(strstr(buf, "Device 3  blackhole") != NULL);
    cr_assert(strstr(buf, "  CB room: 945152 B (923 KiB), the least on core (0,0): L1 buffer 'buf' at 0x100000\n"
                          "  current CBs: up to 64896 B (63.4 KiB), on core (0,0)\n"), "%s", buf);
    cr_assert(strstr(buf, "  CB room: 1461504 B (1.39 MiB), the least on core (0,0): up to the top of L1\n"), "%s", buf);
    free(buf);
}

Test(output, heat_chars)
{
    cr_assert_eq(output_heat_char(0), '0');
    cr_assert_eq(output_heat_char(9.99), '0');
    cr_assert_eq(output_heat_char(10), '1');
    cr_assert_eq(output_heat_char(99.9), '9');
    cr_assert_eq(output_heat_char(100), '#');
}

Test(output, bytes_are_human)
{
    char b[32];
    cr_assert_str_eq(format_bytes(0, b, sizeof b), "0 B");
    cr_assert_str_eq(format_bytes(1023, b, sizeof b), "1023 B");
    cr_assert_str_eq(format_bytes(1024, b, sizeof b), "1.00 KiB");
    cr_assert_str_eq(format_bytes(1499136, b, sizeof b), "1.43 MiB");
    cr_assert_str_eq(format_bytes(64ull * 1499136, b, sizeof b), "91.5 MiB");
    cr_assert_str_eq(format_bytes(300ull << 20, b, sizeof b), "300 MiB");
    cr_assert_str_eq(format_addr(0x19180, b, sizeof b), "0x19180");
}

static int parse(cli_options *o, char *err, int argc, ...)
{
    char *argv[16];
    va_list ap;
    va_start(ap, argc);
    argv[0] = "l1top";
    for (int i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    argv[argc] = NULL;
    return cli_parse(argc, argv, o, err, 256);
}

Test(output, command_line)
{
    cli_options o;
    char err[256];
    cr_assert_eq(parse(&o, err, 1), 0);
    cr_assert_not(o.once);
    cr_assert_eq(o.delay_tenths, 0, "0: take the configuration's refresh");
    cr_assert_eq(parse(&o, err, 8, "--once", "--format", "json", "--device", "1", "--device", "3"), 0);
    cr_assert(o.once);
    cr_assert_str_eq(o.format->name, "json");
    cr_assert_eq(o.output.ndevices, 2);
    cr_assert_eq(o.output.devices[1], 3);
    cr_assert_eq(parse(&o, err, 4, "-d", "5", "--shm=/x"), 0);
    cr_assert_eq(o.delay_tenths, 5);
    cr_assert_str_eq(o.shm, "/x");
    cr_assert_eq(parse(&o, err, 3, "--format", "xml"), EXIT_USAGE);
    cr_assert(strstr(err, "xml") != NULL);
    cr_assert_eq(parse(&o, err, 2, "--bogus"), EXIT_USAGE);
    cr_assert(strstr(err, "--bogus") != NULL, "%s", err);
    cr_assert_eq(parse(&o, err, 2, "--shm"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 3, "--device", "-1"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 3, "--demo-board", "x9"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 2, "stray"), EXIT_USAGE);
    /* Every kind of table entry: a nested flag, text, a checked value, a short option with its value attached. */
    cr_assert_eq(parse(&o, err, 7, "--per-process-metrics", "--trace", "t.json", "-n3", "--theme", "light"), 0, "%s", err);
    cr_assert(o.output.per_process_metrics);
    cr_assert_str_eq(o.trace, "t.json");
    cr_assert_eq(o.iterations, 3);
    cr_assert(o.once, "-n implies --once");
    cr_assert_str_eq(o.theme, "light");
    cr_assert_eq(parse(&o, err, 2, "-n0"), EXIT_USAGE);
    cr_assert_str_eq(err, "-n takes a positive number of snapshots, not '0'");
    cr_assert_eq(parse(&o, err, 2, "--frames"), EXIT_USAGE);
    cr_assert_str_eq(err, "option '--frames' needs a value");
    char long_name[80];
    memset(long_name, 't', 64);
    long_name[64] = '\0';
    cr_assert_eq(parse(&o, err, 3, "--theme", long_name), EXIT_USAGE, "64 characters do not fit a theme name");
    long_name[63] = '\0';
    cr_assert_eq(parse(&o, err, 3, "--theme", long_name), 0);
}

/* The registry drives -f: every format in it parses by name, prints this
 * snapshot, and is in --help; -n picks the per-iteration formatter. */
Test(output, every_registered_format_parses_and_prints)
{
    cr_assert_geq(output_format_count(), 4);
    cr_assert_str_eq(output_format_at(0)->name, "text", "the default comes first");
    cr_assert_null(output_format_at(output_format_count()));
    char names[256];
    output_format_names(names, sizeof names);
    for (size_t i = 0; i < output_format_count(); i++) {
        const output_format *f = output_format_at(i);
        cr_assert(f->once && f->help && *f->help && f->content_type, "%s is complete", f->name);
        cr_assert_eq(output_format_by_name(f->name), f, "%s: one entry per name", f->name);
        cr_assert_not_null(strstr(names, f->name));
        cli_options o;
        char err[256];
        cr_assert_eq(parse(&o, err, 3, "-f", f->name), 0, "%s", err);
        cr_assert_eq(o.format, f);
        for (int series = 0; series < 2; series++) {
            char *out = t_render(output_format_formatter(f, series), &s, &a, NULL);
            cr_assert(strlen(out) > 0, "%s prints something", f->name);
            free(out);
        }
    }
    const output_format *json = output_format_by_name("json");
    cr_assert_eq(output_format_formatter(json, false), output_json);
    cr_assert_eq(output_format_formatter(json, true), output_json_line, "-n: one object per line");
    cr_assert_eq(output_format_formatter(output_format_by_name("csv"), true), output_csv, "no series variant: once");
    cr_assert_null(output_format_by_name("yaml"));
    cr_assert_null(output_format_by_name(NULL));
}

Test(output, answer_flags)
{
    cli_options o;
    char err[256];
    cr_assert_eq(parse(&o, err, 3, "--fit", "cb 1KiB on 0-0"), 0, "%s", err);
    cr_assert_str_eq(o.fit, "cb 1KiB on 0-0");
    cr_assert_eq(parse(&o, err, 6, "--diff", "a.json", "--max-growth", "2.5%", "b.json"), 0, "%s", err);
    cr_assert_str_eq(o.diff_a, "a.json");
    cr_assert_str_eq(o.diff_b, "b.json");
    cr_assert(o.max_growth_given);
    cr_assert_float_eq(o.max_growth, 2.5, 1e-12);
    cr_assert_eq(parse(&o, err, 2, "--diff"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 3, "--diff", "a.json"), EXIT_USAGE);
    cr_assert(strstr(err, "--diff takes two files"), "%s", err);
    cr_assert_eq(parse(&o, err, 5, "--diff", "a", "b", "c"), EXIT_USAGE);
    cr_assert(strstr(err, "unexpected argument 'c'"), "%s", err);
    cr_assert_eq(parse(&o, err, 3, "--max-growth", "5"), EXIT_USAGE);
    cr_assert(strstr(err, "--max-growth goes with --diff"), "%s", err);
    cr_assert_eq(parse(&o, err, 6, "--diff", "a", "b", "--max-growth", "-1"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 6, "--diff", "a", "b", "--max-growth", "x"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 6, "--fit", "cb 1KiB on 0-0", "--diff", "a", "b"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 5, "--fit", "cb 1KiB on 0-0", "-f", "csv"), EXIT_USAGE);
    cr_assert(strstr(err, "text or json"), "%s", err);
    cr_assert_eq(parse(&o, err, 5, "--fit", "cb 1KiB on 0-0", "--serve", "127.0.0.1:1"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 4, "--fit", "cb 1KiB on 0-0", "--demo"), 0, "--demo is fine to try it");
    cr_assert_eq(parse(&o, err, 5, "--diff", "a", "b", "--demo"), EXIT_USAGE);
    cr_assert_eq(parse(&o, err, 6, "--diff", "a", "b", "-D", "0"), EXIT_USAGE);
    cr_assert(strstr(err, "not with --trace or -D"), "%s", err);
}

/* One wording of an alert for every view (text, TUI lists, the log): sizes with units. */
Test(output, alert_wording)
{
    firing_alert fa = { .scope = SCOPE_CORE, .metric = AM_USED_PCT, .device = 0, .x = 3, .y = 4, .above = true,
                        .value = 97.8, .threshold = 90, .cores_over = 64, .cores_of = 64 };
    char buf[ALERT_TEXT_LEN];
    cr_assert_str_eq(alert_describe(buf, sizeof buf, &fa), "dev 0: 64/64 cores over 90.0 %, worst (3,4) 97.8 %");
    fa = (firing_alert){ .scope = SCOPE_CORE, .metric = AM_CIRCULAR_BUFFERS, .device = 1, .x = 0, .y = 7,
                         .above = true, .value = 700000, .threshold = 400 * 1024, .cores_over = 32, .cores_of = 64 };
    cr_assert_str_eq(alert_describe(buf, sizeof buf, &fa),
                     "dev 1: 32/64 cores with circular_buffers over 400 KiB, worst (0,7) 684 KiB");
    fa = (firing_alert){ .scope = SCOPE_PROCESS, .metric = AM_UNTRACKED_PCT, .device = 0, .x = -1, .y = -1, .pid = 42,
                         .process = "model", .above = true, .value = 35.25, .threshold = 10 };
    cr_assert_str_eq(alert_describe(buf, sizeof buf, &fa), "dev 0 pid 42 (model): untracked_pct 35.2 % > 10.0 %");
    fa = (firing_alert){ .scope = SCOPE_DEVICE, .metric = AM_LARGEST_FREE_COMMON, .device = 7, .x = -1, .y = -1,
                         .value = 49152, .threshold = 256 * 1024 };
    cr_assert_str_eq(alert_describe(buf, sizeof buf, &fa), "dev 7: largest_free_common 48.0 KiB < 256 KiB");
    fa.metric = AM_CLASHES;
    fa.value = 3;
    fa.threshold = 0;
    fa.above = true;
    cr_assert_str_eq(alert_describe(buf, sizeof buf, &fa), "dev 7: clashes 3 > 0");
}

/* Device lists as ranges, cut to a column with the count left out. */
Test(output, id_ranges)
{
    char b[64];
    uint32_t galaxy[14], some[] = { 0, 1, 2, 3, 8 }, spread[11];
    for (uint32_t i = 0; i < 14; i++)
        galaxy[i] = i;
    for (uint32_t i = 0; i < 11; i++)
        spread[i] = i * 3;
    cr_assert_str_eq(format_id_ranges(galaxy, 14, 0, b, sizeof b), "0-13");
    cr_assert_str_eq(format_id_ranges(some, 5, 0, b, sizeof b), "0-3,8");
    cr_assert_str_eq(format_id_ranges(some, 1, 0, b, sizeof b), "0");
    cr_assert_str_eq(format_id_ranges(NULL, 0, 7, b, sizeof b), "-");
    cr_assert_str_eq(format_id_ranges(spread, 11, 0, b, sizeof b), "0,3,6,9,12,15,18,21,24,27,30");
    cr_assert_str_eq(format_id_ranges(spread, 11, 7, b, sizeof b), "0,3,6+8", "cut to 7 columns: %s", b);
    cr_assert_str_eq(format_id_ranges(spread, 11, 6, b, sizeof b), "0,3+9");
    cr_assert_str_eq(format_id_ranges(some, 5, 5, b, sizeof b), "0-3,8", "fits exactly");
    cr_assert_str_eq(format_id_ranges(some, 5, 4, b, sizeof b), "+5", "not one run fits with its mark");
}

/* Sizes for people, exact integers for programs (L1TOP_ALERT_VALUE), never 4.915e+04. */
Test(output, alert_values_with_units_and_exact)
{
    char buf[32];
    cr_assert_str_eq(alert_value_text(buf, sizeof buf, AM_FREE, 49152), "48.0 KiB");
    cr_assert_str_eq(alert_value_text(buf, sizeof buf, AM_LARGEST_FREE, 1499136), "1.43 MiB");
    cr_assert_str_eq(alert_value_text(buf, sizeof buf, AM_USED, 512), "512 B");
    cr_assert_str_eq(alert_value_text(buf, sizeof buf, AM_USED_PCT, 97.84), "97.8 %");
    cr_assert_str_eq(alert_value_text(buf, sizeof buf, AM_DROPPED_RECORDS, 12), "12");
    cr_assert_str_eq(alert_value_exact(buf, sizeof buf, AM_FREE, 49152), "49152");
    cr_assert_str_eq(alert_value_exact(buf, sizeof buf, AM_USED, 123456789012.0), "123456789012");
    cr_assert_str_eq(alert_value_exact(buf, sizeof buf, AM_USED_PCT, 97.84), "97.84");
    cr_assert_str_eq(alert_value_exact(buf, sizeof buf, AM_CLASHES, 0), "0");
}

Test(output, l1top_bytes_of_a_pid_over_the_shown_devices)
{
    uint64_t t, u;
    cr_assert(output_l1top_bytes_of_pid(&s, &a, NULL, 4242, &t, &u));
    cr_assert_eq(t, 0x1000, "the L1 buffer");
    cr_assert_eq(u, 2 * 0x10000, "the CB on two cores");
    output_options only3 = { .devices = { 3 }, .ndevices = 1 };
    cr_assert_not(output_l1top_bytes_of_pid(&s, &a, &only3, 4242, &t, &u), "nothing on device 3");
    cr_assert_not(output_l1top_bytes_of_pid(&s, &a, NULL, 1, &t, &u));
}

static char *render_to_string(int (*fn)(FILE *, const snapshot *, const accounting *, const output_options *),
                              const output_options *o)
{
    return t_render(fn, &s, &a, o);
}

Test(output, csv_rows_and_rfc4180_quoting)
{
    snprintf(s.devices[1].arch_name, sizeof s.devices[1].arch_name, "we,ird\"x");
    char *csv = render_to_string(output_csv, NULL);
    static const char header[] = "timestamp,device,arch,x,y,l1_buffers,l1_small,circular_buffers,kernel_code,semaphores,"
                                 "runtime,kernel_config,firmware,free,largest_free,used_pct,cb_room,cb_extent\r\n";
    cr_assert(strncmp(csv, header, strlen(header)) == 0, "%s", csv);
    int rows = 0;
    for (char *p = csv; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    cr_assert_eq(rows, 1 + 2 + 1, "header + 2 wormhole cores + 1 blackhole core");
    cr_assert(strstr(csv, "\r\n2023-11-14T22:13:20Z,0,wormhole_b0,0,0,4096,0,65536,") != NULL, "%s", csv);
    cr_assert(strstr(csv, "\r\n2023-11-14T22:13:20Z,3,\"we,ird\"\"x\",0,0,") != NULL, "quoted: %s", csv);
    cr_assert(strstr(csv, ",945152,64896\r\n") && strstr(csv, ",1395712,64896\r\n"), "cb_room, cb_extent: %s", csv);
    free(csv);
    output_options more = { .continued = true };
    csv = render_to_string(output_csv, &more);
    cr_assert(strncmp(csv, "2023-11-14T22:13:20Z,0,wormhole_b0,0,0,", 39) == 0, "-n: no second header: %s", csv);
    free(csv);
}

Test(output, prometheus_families_and_escaping)
{
    snprintf(s.processes[0].name, sizeof s.processes[0].name, "a\"b\\c");
    firing_alert fa[2];
    memset(fa, 0, sizeof fa);
    snprintf(fa[0].name, sizeof fa[0].name, "hot");
    fa[0].severity = SEVERITY_CRITICAL;
    fa[1] = fa[0];
    fa[1].device = 3;
    output_options o = { .alerts = fa, .nalerts = 2 };
    char *p = render_to_string(output_prometheus, &o);
    cr_assert_null(strstr(p, "l1top_process_l1_bytes"), "per-pid series are opt-in:\n%s", p);
    free(p);
    o.per_process_metrics = true;
    p = render_to_string(output_prometheus, &o);
    static const char *const families[] = { "l1top_l1_bytes", "l1top_core_used_bytes", "l1top_core_largest_free_bytes",
                                            "l1top_largest_free_common_bytes", "l1top_process_l1_bytes",
                                            "l1top_clashes", "l1top_dropped_records_total", "l1top_alerts_firing" };
    for (size_t i = 0; i < 8; i++) {
        char help[96], type[96];
        snprintf(help, sizeof help, "# HELP %s ", families[i]);
        bool counter = strstr(families[i], "_total") != NULL; /* Prometheus naming: counters end in _total */
        snprintf(type, sizeof type, "# TYPE %s %s\n", families[i], counter ? "counter" : "gauge");
        cr_assert(strstr(p, help) && strstr(p, type), "%s lacks HELP/TYPE", families[i]);
    }
    cr_assert(strstr(p, "l1top_l1_bytes{device=\"0\",arch=\"wormhole_b0\",category=\"circular_buffers\",tracked=\"false\"} 131072\n"), "%s", p);
    cr_assert(strstr(p, "l1top_core_used_bytes{device=\"0\",x=\"1\",y=\"0\"} ") != NULL);
    cr_assert(strstr(p, "# TYPE l1top_core_cb_room_bytes gauge\n") && strstr(p, "# TYPE l1top_cb_room_min_bytes gauge\n"));
    cr_assert(strstr(p, "l1top_core_cb_room_bytes{device=\"0\",x=\"0\",y=\"0\"} 945152\n"), "%s", p);
    cr_assert(strstr(p, "l1top_core_cb_room_bytes{device=\"0\",x=\"1\",y=\"0\"} 1395712\n"), "%s", p);
    cr_assert(strstr(p, "l1top_cb_room_min_bytes{device=\"3\"} 1461504\n"), "%s", p);
    cr_assert(strstr(p, "comm=\"a\\\"b\\\\c\"") != NULL, "escaped label: %s", p);
    cr_assert(strstr(p, "l1top_alerts_firing{name=\"hot\",severity=\"critical\"} 2\n") != NULL, "%s", p);
    free(p);
}
