/*
 * Hardening of the model and the views against hostile strings and
 * numbers: every output stays valid (UTF-8, no key dropped, no negative
 * count), impossible TT-Metal values are corrupt, percentages are decimal.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/accounting.h"
#include "cli/config.h"
#include "helpers.h"
#include "views/output.h"
#include "sources/trace.h"
#include "sources/ttmetal_stats.h"
#include "ttm_build.h"
#include "utf8.h"

static snapshot s;
static accounting a;

/* A process name cut inside a character, a tag with raw invalid bytes and
 * an escape sequence, and a clash between their regions. */
static void hostile(void)
{
    snapshot_init(&s);
    snprintf(s.segment, sizeof s.segment, "/seg\xff");
    s.timestamp_ns = 1700000000ull * 1000000000ull;
    t_device(&s, 0, "wormhole_b0", 2, 1);
    uint32_t p = t_process(&s, 4242, "caf\xc3");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 0 }), 0x19180, 0x10000, "cb\xe2\x82\x1b[2J");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x19180, 0x1000, "buf\x80");
    s.devices[0].dropped_records = UINT64_MAX;
    cr_assert_eq(accounting_compute(&s, &a), 0);
}

static void done(void)
{
    accounting_free(&a);
    snapshot_free(&s);
}

TestSuite(hardening, .init = hostile, .fini = done);

static char *render(int (*fn)(FILE *, const snapshot *, const accounting *, const output_options *),
                    const output_options *o)
{
    return t_render(fn, &s, &a, o);
}

Test(hardening, json_keeps_every_key_of_invalid_utf8_strings)
{
    trace_summary sum;
    memset(&sum, 0, sizeof sum);
    snprintf(sum.peak.op, sizeof sum.peak.op, "ttnn::matmul\xce");
    snprintf(sum.board, sizeof sum.board, "n300");
    snprintf(sum.board_reason, sizeof sum.board_reason, "given");
    output_options o;
    memset(&o, 0, sizeof o);
    o.trace = &sum;
    json_t *root = output_json_build(&s, &a, &o);
    cr_assert_not_null(root);
    cr_assert(json_is_string(json_object_get(root, "segment")));
    json_t *dev = json_array_get(json_object_get(root, "devices"), 0);
    json_t *proc = json_array_get(json_object_get(dev, "processes"), 0);
    cr_assert(json_is_string(json_object_get(proc, "name")), "name is not a string");
    cr_assert_str_eq(json_string_value(json_object_get(proc, "name")), "caf\xef\xbf\xbd");
    json_t *clash = json_array_get(json_object_get(dev, "clashes"), 0);
    cr_assert_not_null(clash, "the clash is reported");
    cr_assert(json_is_string(json_object_get(json_object_get(clash, "buffer"), "process")));
    cr_assert(json_is_string(json_object_get(json_object_get(clash, "circular_buffer"), "tag")));
    json_t *tr = json_object_get(root, "trace");
    cr_assert_not_null(tr, "the trace object vanished");
    cr_assert(json_is_string(json_object_get(json_object_get(tr, "peak"), "op")));
    json_decref(root);
}

Test(hardening, json_never_prints_a_negative_count)
{
    json_t *root = output_json_build(&s, &a, NULL);
    json_t *dev = json_array_get(json_object_get(root, "devices"), 0);
    cr_assert_eq(json_integer_value(json_object_get(dev, "dropped_records")), INT64_MAX, "saturated, not -1");
    json_decref(root);
}

Test(hardening, text_csv_and_prometheus_are_valid_utf8_without_controls)
{
    int (*fns[])(FILE *, const snapshot *, const accounting *, const output_options *) = { output_text, output_csv,
                                                                                          output_prometheus };
    const char *names[] = { "text", "csv", "prometheus" };
    snapshot_sanitize_strings(&s); /* what collect() does for text, CSV and the TUI */
    for (size_t i = 0; i < 3; i++) {
        char *out = render(fns[i], NULL);
        cr_assert(utf8_valid(out, strlen(out)), "%s output is not valid UTF-8: %s", names[i], out);
        cr_assert_null(strchr(out, '\x1b'), "%s output carries an escape sequence", names[i]);
        free(out);
    }
}

Test(hardening, prometheus_labels_are_valid_without_the_model_sanitised)
{
    output_options o = { .per_process_metrics = true }; /* the family with comm labels is opt-in */
    char *out = render(output_prometheus, &o);
    cr_assert(utf8_valid(out, strlen(out)), "%s", out);
    cr_assert(strstr(out, "comm=\"caf\xef\xbf\xbd\"") != NULL, "%s", out);
    free(out);
}

Test(hardening, sanitising_cuts_on_a_character_boundary)
{
    snapshot_sanitize_strings(&s);
    cr_assert_str_eq(s.processes[0].name, "caf\xef\xbf\xbd");
    cr_assert_str_eq(s.regions[1].tag, "buf\xef\xbf\xbd");
    cr_assert_str_eq(s.regions[0].tag, "cb\xef\xbf\xbd\xef\xbf\xbd\\x1B[2J"); /* one U+FFFD per invalid byte */
    cr_assert_str_eq(s.segment, "/seg\xef\xbf\xbd");
}

Test(hardening, warnings_reach_json_and_prometheus)
{
    snprintf(s.ttm_warnings, sizeof s.ttm_warnings, "/x/tt_device_9_memory: truncated: 12 bytes\n");
    s.bad_records = 2;
    output_options o;
    memset(&o, 0, sizeof o);
    o.warning = "segment is world-writable (mode 666)";
    json_t *root = output_json_build(&s, &a, &o);
    json_t *w = json_object_get(root, "warnings");
    cr_assert_eq(json_array_size(w), 3, "%zu warnings", json_array_size(w));
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "kind")), "segment");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 0), "message")), o.warning);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(w, 2), "message")),
                     "/x/tt_device_9_memory: truncated: 12 bytes");
    json_decref(root);
    char *prom = render(output_prometheus, &o);
    cr_assert(strstr(prom, "l1top_warnings{kind=\"segment\"} 1\n"), "%s", prom);
    cr_assert(strstr(prom, "l1top_warnings{kind=\"records\"} 1\n"), "%s", prom);
    cr_assert(strstr(prom, "l1top_warnings{kind=\"skipped_file\"} 1\n"), "%s", prom);
    free(prom);
}

static int all_alive(int32_t pid)
{
    (void)pid;
    return 1;
}

Test(hardening, impossible_tt_metal_counts_are_corrupt_and_live_sums_saturate)
{
    static unsigned char b[TTM_BUILD_SIZE];
    ttm_device d;
    char err[320];
    ttm_build(b, 4, 0, 77);
    uint64_t huge[5] = { UINT64_MAX, 0, 0, 0, 0 };
    ttm_build_process(b, 0, 100, "p", huge);
    cr_assert_neq(ttm_parse(b, sizeof b, "f", all_alive, &d, err, sizeof err), 0);
    cr_assert(strstr(err, "corrupt") && strstr(err, "impossible"), "%s", err);
    ttm_build(b, 4, 0, 77);
    ttm_build_totals(b, huge);
    cr_assert_neq(ttm_parse(b, sizeof b, "f", all_alive, &d, err, sizeof err), 0);
    cr_assert(strstr(err, "corrupt"), "%s", err);
    ttm_build(b, 4, 0, 77);
    uint64_t big[5] = { 0, (UINT64_C(1) << 63) - 1, 0, 0, 0 };
    for (int i = 0; i < 3; i++)
        ttm_build_process(b, i, 100 + i, "p", big);
    cr_assert_eq(ttm_parse(b, sizeof b, "f", all_alive, &d, err, sizeof err), 0, "%s", err);
    cr_assert_eq(d.live_totals[TTM_L1], UINT64_MAX, "saturated, not wrapped");
}

Test(hardening, a_percentage_is_decimal)
{
    double v;
    const char *why;
    cr_assert_neq(parse_percent("0x10", &v, &why), 0, "0x10 taken as %g%%", v);
    cr_assert_neq(parse_percent("0X1p4", &v, &why), 0);
    cr_assert_neq(parse_percent("inf", &v, &why), 0);
    cr_assert_neq(parse_size("0x10", &v, &why), 0);
    cr_assert_eq(parse_percent("75%", &v, &why), 0);
    cr_assert_eq(parse_percent(".5", &v, &why), 0);
    cr_assert_eq(parse_size("1.5MiB", &v, &why), 0);
}

/* ---------- configuration ---------- */

static l1top_config cfg;

Test(hardening, deep_nesting_fails_fast_with_file_line_col)
{
    size_t n = 20000;
    char *yaml = malloc(n + 1);
    memset(yaml, '[', n);
    yaml[n] = '\0';
    char err[CONFIG_ERR_LEN];
    config_defaults(&cfg);
    cr_assert_neq(config_load_string(&cfg, "deep.yaml", yaml, n, err, sizeof err), 0);
    cr_assert(strstr(err, "deep.yaml:1:65: nested deeper than 64 levels") != NULL, "%s", err);
    free(yaml);
}

/* 60,000 keys in one alert took 114 s with a quadratic duplicate check. */
Test(hardening, a_duplicate_among_60000_keys_is_found_in_linear_time, .timeout = 20)
{
    size_t cap = 60000 * 16 + 256, used = 0;
    char *yaml = malloc(cap);
    used += (size_t)snprintf(yaml + used, cap - used, "alerts:\n  - name: x\n");
    for (int i = 0; i < 60000; i++)
        used += (size_t)snprintf(yaml + used, cap - used, "    k%d: 1\n", i);
    used += (size_t)snprintf(yaml + used, cap - used, "    k5: 2\n");
    char err[CONFIG_ERR_LEN];
    config_defaults(&cfg);
    cr_assert_neq(config_load_string(&cfg, "keys.yaml", yaml, used, err, sizeof err), 0);
    cr_assert(strstr(err, "keys.yaml:60003:5: duplicate key 'k5'") != NULL, "%s", err);
    free(yaml);
}

Test(hardening, exec_actions_are_refused_from_files_others_can_write)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/l1top-hard-cfg-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("alerts:\n  - name: a\n    metric: used_pct\n    above: 50%\n    actions: [exec]\n    exec: \"touch /tmp/x\"\n", f);
    fclose(f);
    char err[CONFIG_ERR_LEN];
    chmod(path, 0666);
    int world = config_load(&cfg, path, err, sizeof err);
    char werr[CONFIG_ERR_LEN];
    snprintf(werr, sizeof werr, "%s", err);
    chmod(path, 0620);
    int group = config_load(&cfg, path, err, sizeof err);
    chmod(path, 0600);
    int own = config_load(&cfg, path, err, sizeof err);
    unlink(path);
    cr_assert_neq(world, 0, "a world-writable file's exec was accepted");
    cr_assert(strstr(werr, ":6:11: exec refused: the file is writable by others (mode 666)") != NULL, "%s", werr);
    cr_assert_neq(group, 0, "a group-writable file's exec was accepted");
    cr_assert_eq(own, 0, "%s", err);
}

Test(hardening, board_strings_from_the_driver_stay_in_json)
{
    s.boards = calloc(1, sizeof *s.boards);
    s.nboards = 1;
    snprintf(s.boards[0].card_type, sizeof s.boards[0].card_type, "n300\xff");
    snprintf(s.boards[0].asic_id, sizeof s.boards[0].asic_id, "0x1\xc3");
    snprintf(s.boards[0].pci_bus, sizeof s.boards[0].pci_bus, "0000:\xe2\x82");
    json_t *root = output_json_build(&s, &a, NULL);
    json_t *b = json_array_get(json_object_get(root, "boards"), 0);
    cr_assert(json_is_string(json_object_get(b, "card_type")));
    cr_assert(json_is_string(json_object_get(b, "asic_id")), "asic_id dropped");
    cr_assert(json_is_string(json_object_get(b, "pci_bus")), "pci_bus dropped");
    json_decref(root);
}

/* TT-Metal ids of 2^63 or more printed as negative numbers in JSON: they are
 * ids, not counts, so they stay exact (as a string past 2^63-1). */
Test(hardening, huge_tt_metal_ids_are_exact_not_negative)
{
    s.ttm = calloc(1, sizeof *s.ttm);
    cr_assert_not_null(s.ttm);
    s.nttm = 1;
    s.ttm[0].asic_id = (1ull << 63) + 5;
    s.ttm[0].board_serial = 42;
    json_t *root = output_json_build(&s, &a, NULL);
    json_t *d = json_array_get(json_object_get(root, "tt_metal"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(d, "asic_id")), "9223372036854775813");
    cr_assert_eq(json_integer_value(json_object_get(d, "board_serial")), 42);
    json_decref(root);
}
