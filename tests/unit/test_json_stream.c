/*
 * The streamed JSON writer: pretty output puts each core, process and
 * clash on one line, region references written from the per-document
 * cache read the same as the first one (also across buffer flushes), and
 * pretty and compact documents hold the same values.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "acct_fixture.h"
#include "views/output.h"

#define WH_UB 0x19400u

TestSuite(json_stream, .init = acct_setup, .fini = acct_teardown);

/* 80 CBs over 80 buffers on every core of a 2x2 grid: 6,400 pairs, 4,096
 * listed (well over the writer's 64 KiB buffer), tags that need escaping. */
static void crowd(void)
{
    t_device(&s, 0, "wormhole_b0", 2, 2);
    uint32_t p = t_process(&s, 77, "quote\"back\\slash");
    uint32_t q = t_process(&s, 78, "caf\xc3\xa9");
    for (int i = 0; i < 80; i++) {
        char tag[40];
        snprintf(tag, sizeof tag, "cb \"%d\"\t\xe2\x9c\x93 %010d", i, i);
        t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), WH_UB + (uint32_t)i * 16, 64 * 1024,
                 tag);
        snprintf(tag, sizeof tag, "buf\\%d", i);
        t_region(&s, 0, q, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), WH_UB + 8 + (uint32_t)i * 16, 64 * 1024,
                 tag);
    }
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(a.devices[0].nclashes, CLASH_PAIRS_LISTED_MAX);
}

/* A reference in the document names the snapshot region it stands for. */
static void assert_ref(json_t *ref, uint32_t ri)
{
    const snap_region *r = &s.regions[ri];
    const snap_process *p = &s.processes[r->process];
    json_t *want_tag = json_string(r->tag), *want_name = json_string(p->name);
    cr_assert(json_equal(json_object_get(ref, "tag"), want_tag), "region %u: tag", ri);
    cr_assert(json_equal(json_object_get(ref, "process"), want_name), "region %u: process", ri);
    cr_assert_eq(json_integer_value(json_object_get(ref, "pid")), p->pid);
    cr_assert_eq(json_integer_value(json_object_get(ref, "address")), r->address);
    cr_assert_str_eq(json_string_value(json_object_get(ref, "kind")),
                     category_key[category_of_kind(r->kind)]);
    cr_assert_eq(json_object_size(ref), 5);
    json_decref(want_tag);
    json_decref(want_name);
}

Test(json_stream, every_cached_reference_names_its_region)
{
    crowd();
    char *doc = t_render(output_json, &s, &a, NULL);
    json_error_t err;
    json_t *root = json_loads(doc, 0, &err);
    cr_assert_not_null(root, "pretty document parses: %s (line %d)", err.text, err.line);
    json_t *clashes = json_object_get(json_array_get(json_object_get(root, "devices"), 0), "clashes");
    cr_assert_eq(json_array_size(clashes), CLASH_PAIRS_LISTED_MAX);
    for (size_t i = 0; i < json_array_size(clashes); i++) {
        json_t *c = json_array_get(clashes, i);
        const clash_info *ci = &a.devices[0].clashes[i];
        assert_ref(json_object_get(c, "circular_buffer"), ci->cb_region);
        assert_ref(json_object_get(c, "buffer"), ci->buffer_region);
        cr_assert_eq(json_integer_value(json_object_get(c, "bytes")), (json_int_t)ci->bytes);
    }
    json_decref(root);
    free(doc);
}

Test(json_stream, pretty_lists_one_clash_core_and_process_per_line)
{
    crowd();
    char *doc = t_render(output_json, &s, &a, NULL);
    size_t clash_lines = 0, core_lines = 0, process_lines = 0;
    for (char *line = strtok(doc, "\n"); line; line = strtok(NULL, "\n")) {
        const char *at = line + strspn(line, " ");
        if (strncmp(at, "{\"circular_buffer\": {", 21) == 0) {
            clash_lines++;
            size_t n = strlen(at);
            cr_assert(at[n - 1] == '}' || (at[n - 2] == '}' && at[n - 1] == ','), "a whole clash: %s", at);
        }
        core_lines += strncmp(at, "{\"x\": ", 6) == 0;
        process_lines += strncmp(at, "{\"pid\": ", 8) == 0;
    }
    cr_assert_eq(clash_lines, CLASH_PAIRS_LISTED_MAX);
    cr_assert_eq(core_lines, 4);
    cr_assert_eq(process_lines, 2);
    free(doc);
}

Test(json_stream, pretty_and_compact_documents_hold_the_same_values)
{
    crowd();
    char *doc = t_render(output_json, &s, &a, NULL);
    char *line = t_render(output_json_line, &s, &a, NULL);
    cr_assert_eq(strchr(line, '\n'), line + strlen(line) - 1, "compact: one line");
    json_t *x = json_loads(doc, 0, NULL), *y = json_loads(line, 0, NULL), *z = output_json_build(&s, &a, NULL);
    cr_assert(x && y && z);
    cr_assert(json_equal(x, y));
    cr_assert(json_equal(y, z));
    json_decref(x);
    json_decref(y);
    json_decref(z);
    free(doc);
    free(line);
}
