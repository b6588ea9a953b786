/*
 * Reading a saved --format json snapshot back: the round trip gives the
 * same document (so the same accounting), and foreign, truncated or
 * inconsistent files are refused with one line naming the value.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "model/accounting.h"
#include "sources/json_snapshot.h"
#include "views/output.h"

static snapshot s, back;
static accounting a;

static void setup(void)
{
    snapshot_init(&s);
    snapshot_init(&back);
    snprintf(s.segment, sizeof s.segment, "saved.json");
    s.timestamp_ns = 1700000000ull * 1000000000ull;
    t_device(&s, 2, "wormhole_b0", 2, 2);
    snap_device *d = t_device(&s, 7, "blackhole", 4, 3);
    d->l1_small_size = 0x8000;
    d->has_mesh = true; /* device 7 knows its place on the mesh, device 2 does not */
    d->mesh_row = 3;
    d->mesh_col = 1;
    uint32_t p = t_process(&s, 4242, "model");
    uint32_t q = t_process(&s, 99, "other \xc3\xa9");
    t_region(&s, 1, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 3, 2 }), 0x1B300, 0x20000, "cb0");
    t_region(&s, 1, q, L1TOP_L1_SMALL, ((l1top_range){ 1, 1, 2, 2 }), 1572864 - 0x8000, 0x1000, "halo");
    t_interleaved(&s, 1, p, 0x120000, 5 * 2048 + 100, 2048);
    t_region(&s, 0, q, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x100000, 0x4000, "act");
    l1top_range more = { 1, 1, 1, 1 };
    cr_assert_eq(snapshot_extend_region(&s, &more, 1), 0);
    cr_assert_eq(accounting_compute(&s, &a), 0);
}

static void teardown(void)
{
    accounting_free(&a);
    snapshot_free(&s);
    snapshot_free(&back);
}

TestSuite(json_snapshot, .init = setup, .fini = teardown);

static char *dump(const snapshot *x, const accounting *ax)
{
    return t_render(output_json, x, ax, NULL);
}

static int parse(const char *text, char *err, size_t n)
{
    return json_snapshot_parse(text, strlen(text), "saved.json", &back, err, n);
}

Test(json_snapshot, round_trip_gives_the_same_document)
{
    char *first = dump(&s, &a), err[256] = "";
    cr_assert_eq(parse(first, err, sizeof err), 0, "%s", err);
    cr_assert_eq(back.ndevices, 2);
    cr_assert_eq(back.devices[0].id, 2, "devices by id");
    cr_assert(!back.devices[0].has_mesh, "\"mesh\": null stays unknown");
    cr_assert(back.devices[1].has_mesh);
    cr_assert_eq(back.devices[1].mesh_row, 3);
    cr_assert_eq(back.devices[1].mesh_col, 1);
    cr_assert_eq(back.nregions, 4);
    accounting b;
    cr_assert_eq(accounting_compute(&back, &b), 0);
    char *second = dump(&back, &b);
    json_t *x = json_loads(first, 0, NULL), *y = json_loads(second, 0, NULL);
    cr_assert(json_equal(x, y), "the document read back differs");
    json_decref(x);
    json_decref(y);
    accounting_free(&b);
    free(first);
    free(second);
}

Test(json_snapshot, a_demo_like_file_keeps_every_byte)
{
    char *text = dump(&s, &a), err[256] = "";
    cr_assert_eq(parse(text, err, sizeof err), 0, "%s", err);
    accounting b;
    cr_assert_eq(accounting_compute(&back, &b), 0);
    for (uint32_t c = 0; c < 12; c++) {
        cr_assert_eq(memcmp(a.devices[1].cores[c].bytes, b.devices[1].cores[c].bytes, sizeof a.devices[1].cores[c].bytes),
                     0, "core %u", c);
        cr_assert_eq(a.devices[1].cores[c].cb_room, b.devices[1].cores[c].cb_room);
    }
    cr_assert_str_eq(back.processes[back.regions[0].process].name, "other \xc3\xa9");
    cr_assert_eq(back.regions[0].nranges, 2, "both rectangles of 'act'");
    accounting_free(&b);
    free(text);
}

/* The saved document with one edit: the value at a path replaced. */
static void expect_refused(const char *pointer_desc, void (*edit)(json_t *root), const char *want)
{
    char *text = dump(&s, &a), err[256] = "";
    json_t *root = json_loads(text, 0, NULL);
    edit(root);
    char *edited = json_dumps(root, 0);
    int rc = parse(edited, err, sizeof err);
    cr_assert_neq(rc, 0, "%s: accepted", pointer_desc);
    cr_assert(strstr(err, want) != NULL, "%s: '%s' lacks '%s'", pointer_desc, err, want);
    cr_assert_null(strchr(err, '\n'), "one line");
    cr_assert_eq(back.ndevices, 0, "nothing half-read");
    json_decref(root);
    free(edited);
    free(text);
}

static json_t *dev0(json_t *root) { return json_array_get(json_object_get(root, "devices"), 0); }
static json_t *reg(json_t *root, size_t i) { return json_array_get(json_object_get(dev0(root), "regions"), i); }

static void e_schema(json_t *r) { json_object_set_new(r, "schema", json_integer(2)); }
static void e_no_regions(json_t *r) { json_object_del(dev0(r), "regions"); }
static void e_arch(json_t *r) { json_object_set_new(dev0(r), "arch", json_string("quasar9")); }
static void e_range(json_t *r)
{
    json_t *q = json_array_get(json_object_get(reg(r, 0), "ranges"), 0);
    json_array_set_new(q, 2, json_integer(2)); /* x1 = 2 on a 2-wide grid */
}
static void e_past_l1(json_t *r) { json_object_set_new(reg(r, 0), "size_per_core", json_integer(2000000)); }
static void e_dup(json_t *r) { json_object_set_new(json_array_get(json_object_get(r, "devices"), 1), "id", json_integer(2)); }
static void e_proc(json_t *r) { json_object_set_new(reg(r, 0), "proc", json_integer(5)); }
static void e_kind(json_t *r) { json_object_set_new(reg(r, 0), "kind", json_string("dram")); }
static void e_negative(json_t *r) { json_object_set_new(reg(r, 0), "address", json_integer(-4)); }
static void e_mesh(json_t *r) { json_object_set_new(dev0(r), "mesh", json_string("0,1")); }
static void e_mesh_row(json_t *r) { json_object_set_new(dev0(r), "mesh", json_pack("{s:i,s:i}", "row", 5000, "col", 0)); }
static void e_map(json_t *r) { json_object_set_new(dev0(r), "unreserved_base", json_integer(1499136)); }

Test(json_snapshot, inconsistent_values_are_refused_by_name)
{
    expect_refused("schema", e_schema, "saved.json: schema 2, this l1top reads schema 1");
    expect_refused("regions", e_no_regions, "saved.json: devices[0]: no 'regions'");
    expect_refused("arch", e_arch, "devices[0]: unknown arch 'quasar9'");
    expect_refused("range", e_range, "devices[0].regions[0]: ranges[0] [0, 0, 2, 0] is not inside the 2x2 grid");
    expect_refused("size", e_past_l1, "devices[0].regions[0]: 'size_per_core' is not an integer from 0 to 1499136");
    expect_refused("duplicate", e_dup, "devices[1]: device 2 appears twice");
    expect_refused("proc", e_proc, "devices[0].regions[0]: 'proc' is not an integer from 0 to 0");
    expect_refused("kind", e_kind, "devices[0].regions[0]: unknown kind 'dram'");
    expect_refused("negative", e_negative, "'address' is not an integer");
    expect_refused("map", e_map, "devices[0]: memory map out of order");
    expect_refused("mesh", e_mesh, "devices[0]: 'mesh' is not an object");
    expect_refused("mesh row", e_mesh_row, "devices[0]: 'row' is not an integer from 0 to 1023");
}

Test(json_snapshot, truncated_and_foreign_json_is_refused)
{
    char *text = dump(&s, &a), err[256] = "";
    text[strlen(text) / 2] = '\0';
    cr_assert_eq(parse(text, err, sizeof err), JSNAP_EDATA);
    cr_assert(strncmp(err, "saved.json:", 11) == 0 && strstr(err, "end of"), "%s", err);
    cr_assert_eq(parse("[{\"node_type\": \"capture_start\"}]", err, sizeof err), JSNAP_EFOREIGN);
    cr_assert_eq(parse("{\"devices\": [], \"graph\": []}", err, sizeof err), JSNAP_EFOREIGN);
    cr_assert_eq(parse("{\"schema\": 1}", err, sizeof err), JSNAP_EDATA);
    cr_assert(strstr(err, "saved.json: neither a saved l1top snapshot (l1top --once --format json) nor a ttnn graph "
                          "trace"),
              "%s", err);
    cr_assert_eq(parse("", err, sizeof err), JSNAP_EDATA);
    free(text);
}

Test(json_snapshot, a_missing_file_is_no_input_and_sniffing_tells_kinds_apart)
{
    char err[256], path[128];
    cr_assert_eq(json_snapshot_load("/nonexistent/l1top-snap.json", &back, err, sizeof err), JSNAP_ENOINPUT);
    cr_assert(strstr(err, "No such file"), "%s", err);
    static const struct {
        const char *text;
        int kind;
    } cases[] = {
        { "  {\n  \"schema\": 1, \"devices\": []}", JSNAP_IS_SNAPSHOT },
        { "[{\"node_type\": \"capture_start\"}]", JSNAP_IS_TRACE },
        { "{\"graph\": []}", JSNAP_IS_TRACE },
        /* keys sorted by jq -S: the deciding key later in the object */
        { "{\"alerts\": [], \"schema\": 1}", JSNAP_IS_SNAPSHOT },
        { "{\"devices\": [{\"id\": 0}], \"l1top_version\": \"0.1.0\"}", JSNAP_IS_SNAPSHOT },
        { "{\"devices\": [], \"graph\": []}", JSNAP_IS_TRACE },
        /* inside a value, or in a string, a key decides nothing */
        { "{\"devices\": [{\"schema\": 1}], \"x\": {\"graph\": []}}", JSNAP_IS_UNKNOWN },
        { "{\"a\": \"x\\\", \\\"schema\\\": 1\", \"b\": [\"graph\"]}", JSNAP_IS_UNKNOWN },
        { "{\"sche\\u006da\": 1}", JSNAP_IS_UNKNOWN }, /* an escaped key is not decoded: no writer escapes these */
        { "{\"name\": \"something else\"}", JSNAP_IS_UNKNOWN },
        { "{\"devices\": [", JSNAP_IS_UNKNOWN },
        { "", JSNAP_IS_UNKNOWN },
        { "garbage", JSNAP_IS_UNKNOWN },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "/tmp/l1top-sniff-%d-%zu.json", (int)getpid(), i);
        FILE *f = fopen(path, "w");
        fputs(cases[i].text, f);
        fclose(f);
        cr_assert_eq(json_snapshot_sniff(path), cases[i].kind, "case %zu: %s", i, cases[i].text);
        unlink(path);
    }
    /* The deciding key far past the first read (chunks of 4 KiB). */
    snprintf(path, sizeof path, "/tmp/l1top-sniff-%d-far.json", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("{\"devices\": [", f);
    for (int i = 0; i < 5000; i++)
        fprintf(f, "%s{\"tag\": \"a \\\"quoted\\\" }{ tag\"}", i ? ", " : "");
    fputs("], \"schema\": 1}", f);
    fclose(f);
    cr_assert_eq(json_snapshot_sniff(path), JSNAP_IS_SNAPSHOT);
    unlink(path);
}
