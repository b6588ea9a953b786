/*
 * --diff: two hand-built snapshots compared with exact numbers, the order
 * of the changes, the growth limit, devices on one side only, and the views.
 * Wormhole 2x1: firmware 0x7FF0 = 32752 B, kernel-config ring 0x19400 -
 * 0x7FF0 = 70672 B on every core.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "helpers.h"
#include "model/accounting.h"
#include "model/diff.h"
#include "views/answers.h"

#define WH_UB 0x19400u
#define RESERVED (32752u + 70672u)

static snapshot sa, sb;
static accounting aa, ab;
static diff_result d;

static void build(snapshot *s, uint32_t cb, bool small, bool extra_device)
{
    snapshot_init(s);
    s->timestamp_ns = 1700000000ull * 1000000000ull;
    t_device(s, 0, "wormhole_b0", 2, 1);
    if (extra_device)
        t_device(s, 5, "wormhole_b0", 1, 1);
    uint32_t p = t_process(s, 7, "model");
    t_region(s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 0 }), WH_UB, cb, "cb");
    t_region(s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x100000, 0x1000, "buf");
    if (small)
        t_region(s, 0, p, L1TOP_L1_SMALL, ((l1top_range){ 1, 0, 1, 0 }), 0x140000, 0x800, "halo");
}

static void setup(void)
{
    build(&sa, 0x10000, false, false);
    build(&sb, 0x14000, true, true);
    cr_assert_eq(accounting_compute(&sa, &aa), 0);
    cr_assert_eq(accounting_compute(&sb, &ab), 0);
    memset(&d, 0, sizeof d);
}

static void teardown(void)
{
    diff_free(&d);
    accounting_free(&aa);
    accounting_free(&ab);
    snapshot_free(&sa);
    snapshot_free(&sb);
}

TestSuite(diff, .init = setup, .fini = teardown);

static diff_input in_a(void) { return (diff_input){ "a.json", NULL, &sa, &aa }; }
static diff_input in_b(void) { return (diff_input){ "b.json", "peak at node 3", &sb, &ab }; }

static void run(bool gate, double pct)
{
    diff_input a = in_a(), b = in_b();
    diff_free(&d);
    cr_assert_eq(diff_compute(&a, &b, gate, pct, &d), 0);
}

Test(diff, categories_largest_change_first_with_exact_numbers)
{
    run(false, 0);
    cr_assert_eq(d.ndevices, 2);
    const diff_device *dd = &d.devices[0];
    cr_assert_eq(dd->id, 0);
    /* Free fell by 2 x 16384 + 2048 = 34816, CBs grew 32768, L1_SMALL 2048. */
    cr_assert_eq(dd->cats[0].cat, CAT_FREE);
    cr_assert_eq(dd->cats[0].v.delta, -34816);
    cr_assert_eq(dd->cats[1].cat, CAT_CIRCULAR_BUFFERS);
    cr_assert_eq(dd->cats[1].v.a, 131072);
    cr_assert_eq(dd->cats[1].v.b, 163840);
    cr_assert_eq(dd->cats[1].v.delta, 32768);
    cr_assert_float_eq(dd->cats[1].v.growth_pct, 25.0, 1e-9);
    cr_assert_eq(dd->cats[2].cat, CAT_L1_SMALL);
    cr_assert(dd->cats[2].v.from_zero);
    cr_assert_eq(dd->cats[2].v.delta, 2048);
    cr_assert_eq(dd->cats[3].v.delta, 0, "the rest did not move");
    cr_assert_eq(dd->tracked.delta, 2048);
    cr_assert_eq(dd->untracked.delta, 32768);
    cr_assert_eq(d.exceeded, 0, "no gate, nothing counted");
}

Test(diff, cores_largest_change_first)
{
    run(false, 0);
    const diff_device *dd = &d.devices[0];
    cr_assert(dd->same_grid);
    cr_assert_eq(dd->ncores, 2);
    /* (1,0): 168960 -> 187392 B (+18432: CB +16384, L1_SMALL +2048) */
    cr_assert_eq(dd->cores[0].x, 1);
    cr_assert_eq(dd->cores[0].used.a, RESERVED + 0x10000);
    cr_assert_eq(dd->cores[0].used.b, RESERVED + 0x14000 + 0x800);
    cr_assert_eq(dd->cores[0].used.delta, 18432);
    cr_assert_float_eq(dd->cores[0].used.growth_pct, 100.0 * 18432 / 168960, 1e-9);
    cr_assert_eq(dd->cores[0].top_cat, CAT_CIRCULAR_BUFFERS);
    cr_assert_eq(dd->cores[0].top_delta, 16384);
    /* (0,0): 173056 -> 189440 B (+16384) */
    cr_assert_eq(dd->cores[1].x, 0);
    cr_assert_eq(dd->cores[1].used.delta, 16384);
}

Test(diff, the_growth_limit_marks_what_passed_it)
{
    run(true, 10.0);
    const diff_device *dd = &d.devices[0];
    /* CBs +25 %, L1_SMALL from nothing, core (1,0) +10.9 %; core (0,0) +9.47 % stays under. */
    cr_assert_eq(d.exceeded, 3);
    cr_assert(dd->cats[1].v.exceeded && dd->cats[2].v.exceeded);
    cr_assert_not(dd->cats[0].v.exceeded, "free is never gated");
    cr_assert(dd->cores[0].used.exceeded);
    cr_assert_not(dd->cores[1].used.exceeded);
    run(true, 30.0);
    cr_assert_eq(d.exceeded, 1, "only L1_SMALL, which grew from nothing");
    run(true, 9.0);
    cr_assert_eq(d.exceeded, 4);
}

Test(diff, a_device_on_one_side_is_listed_not_gated)
{
    run(true, 0.0);
    const diff_device *only = &d.devices[1];
    cr_assert_eq(only->id, 5);
    cr_assert_eq(only->dev_a, -1);
    cr_assert_eq(only->dev_b, 1);
    cr_assert_eq(only->ncores, 0);
    for (int k = 0; k < CAT_COUNT; k++)
        cr_assert_not(only->cats[k].v.exceeded);
    cr_assert_eq(only->used.b, RESERVED);
}

static int diff_text(FILE *f, const void *ctx)
{
    (void)ctx;
    diff_input a = in_a(), b = in_b();
    return output_diff_text(f, &a, &b, &d);
}

Test(diff, text_and_json_views)
{
    run(true, 10.0);
    diff_input a = in_a(), b = in_b();
    char *buf = t_capture(diff_text, NULL);
    cr_assert(strstr(buf, "A: a.json (2023-11-14T22:13:20Z)\nB: b.json, peak at node 3\n"), "%s", buf);
    cr_assert(strstr(buf, "  Circular buffers                 131072         163840    +32.0 KiB    +25.0%  << over the limit\n"),
              "%s", buf);
    cr_assert(strstr(buf, "  L1_SMALL                              0           2048    +2.00 KiB       new  << over the limit\n"),
              "%s", buf);
    cr_assert(strstr(buf, "    core (1,0): used 165 KiB -> 183 KiB (+18.0 KiB, +10.9%), most in Circular buffers "
                          "(+16.0 KiB)  << over the limit\n"),
              "%s", buf);
    cr_assert(strstr(buf, "Device 5  wormhole_b0  grid 1x1  (only in B)\n"), "%s", buf);
    cr_assert(strstr(buf, "\n3 categories or cores grew by more than 10%\n"), "%s", buf);
    free(buf);
    json_t *root = output_diff_json_build(&a, &b, &d);
    cr_assert_eq(json_integer_value(json_object_get(root, "exceeded")), 3);
    json_t *d0 = json_array_get(json_object_get(root, "devices"), 0);
    json_t *c1 = json_array_get(json_object_get(d0, "categories"), 1);
    cr_assert_str_eq(json_string_value(json_object_get(c1, "category")), "circular_buffers");
    cr_assert_eq(json_integer_value(json_object_get(c1, "delta")), 32768);
    json_t *c2 = json_array_get(json_object_get(d0, "categories"), 2);
    cr_assert(json_is_null(json_object_get(c2, "growth_pct")) && json_is_true(json_object_get(c2, "from_zero")));
    json_t *core0 = json_array_get(json_object_get(d0, "cores"), 0);
    cr_assert_eq(json_integer_value(json_object_get(core0, "delta")), 18432);
    cr_assert_str_eq(json_string_value(json_object_get(core0, "most_changed")), "circular_buffers");
    json_decref(root);
}
