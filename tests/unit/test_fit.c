/*
 * --fit: the SPEC grammar, and answers computed by hand on a Wormhole 8x8
 * (L1 1,499,136 B, unreserved base 0x19400 = 103,424, L1 alignment 16,
 * allocator alignment 32): top-down first fit at one address over every
 * bank, a CB that clashes with an L1 buffer on some cores only, an
 * interleaved buffer that fits on every bank but one, the warning when a
 * buffer lands inside the current CBs.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "helpers.h"
#include "model/accounting.h"
#include "model/fit.h"
#include "views/answers.h"

#define WH_L1 1499136u
#define WH_UB 103424u
#define FULL8 ((l1top_range){ 0, 0, 7, 7 })

static snapshot s;
static accounting a;
static fit_spec spec;
static fit_answer fa;
static uint32_t proc;

static void setup(void)
{
    snapshot_init(&s);
    snprintf(s.segment, sizeof s.segment, "/fit-test");
    t_device(&s, 0, "wormhole_b0", 8, 8);
    proc = t_process(&s, 321, "model");
    memset(&fa, 0, sizeof fa);
}

static void teardown(void)
{
    fit_answer_free(&fa);
    accounting_free(&a);
    snapshot_free(&s);
}

TestSuite(fitspec);
TestSuite(fit, .init = setup, .fini = teardown);

/* ---------- the grammar ---------- */

Test(fitspec, the_three_terms_and_their_sizes)
{
    char err[256] = "";
    cr_assert_eq(fitspec_parse("cb 300KiB on 0-0..7-7 + sharded 512KiB on 1-2 + interleaved 4MiB page 2KiB", &spec, err,
                               sizeof err),
                 0, "%s", err);
    cr_assert_eq(spec.nterms, 3);
    cr_assert_eq(spec.terms[0].kind, FIT_CB);
    cr_assert_eq(spec.terms[0].size, 307200);
    cr_assert_eq(spec.terms[0].nranges, 1);
    cr_assert(memcmp(&spec.terms[0].ranges[0], &FULL8, sizeof FULL8) == 0);
    cr_assert_eq(spec.terms[1].kind, FIT_SHARDED);
    cr_assert_eq(spec.terms[1].size, 524288);
    cr_assert_eq(spec.terms[1].ranges[0].x0, 1);
    cr_assert_eq(spec.terms[1].ranges[0].y1, 2, "a single core is a range of one");
    cr_assert_eq(spec.terms[2].kind, FIT_INTERLEAVED);
    cr_assert_eq(spec.terms[2].size, 4194304);
    cr_assert_eq(spec.terms[2].page, 2048);
    cr_assert_str_eq(spec.terms[2].text, "interleaved 4MiB page 2KiB");
}

Test(fitspec, spacing_units_and_range_lists)
{
    char err[256] = "";
    cr_assert_eq(fitspec_parse("cb 300 kib on 0-0..1-1, 4-4..5-5+cb 1000 on 3-3 , 6-6", &spec, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(spec.nterms, 2);
    cr_assert_eq(spec.terms[0].size, 307200);
    cr_assert_eq(spec.terms[0].nranges, 2);
    cr_assert_eq(spec.terms[0].ranges[1].x0, 4);
    cr_assert_eq(spec.terms[1].size, 1000);
    cr_assert_eq(spec.terms[1].nranges, 2);
    cr_assert_str_eq(spec.terms[1].text, "cb 1000B on 3-3..3-3,6-6..6-6");
    cr_assert_eq(fitspec_parse("interleaved 1 MiB page 2048 B", &spec, err, sizeof err), 0, "%s", err);
    cr_assert_eq(spec.terms[0].size, 1048576);
    cr_assert_eq(spec.terms[0].page, 2048);
}

Test(fitspec, bad_specs_name_the_word)
{
    static const struct {
        const char *spec, *want;
    } cases[] = {
        { "", "bad SPEC at its end: expected 'cb', 'sharded' or 'interleaved'" },
        { "cb", "bad SPEC at its end: expected the size per core" },
        { "dram 1MiB", "bad SPEC at word 1 'dram': expected 'cb', 'sharded' or 'interleaved'" },
        { "cb 300KB on 0-0", "at word 2 '300KB': write KiB or MiB (1024-based)" },
        { "cb 1.5MiB on 0-0", "sizes are whole numbers" },
        { "cb 3GB on 0-0", "unknown unit 'GB' (B, KiB, MiB)" },
        { "cb 300KiB 0-0..7-7", "at word 3 '0-0..7-7': expected 'on'" },
        { "cb 300KiB on 7-7..0-0", "the range 7-7..0-0 runs backwards" },
        { "cb 300KiB on 0-0..", "expected the far corner after '..'" },
        { "cb 300KiB on x", "expected a core range like 0-0..7-7" },
        { "cb 300KiB on 0-0,", "bad SPEC at its end: expected another core range after ','" },
        { "interleaved 4MiB", "bad SPEC at its end: expected 'page'" },
        { "interleaved 4MiB page 0", "a size of 0" },
        { "cb 0 on 0-0", "at word 2 '0': a size of 0" },
        { "cb 99999999999999999999 on 0-0", "expected the size per core, a size like 300KiB" },
        { "cb 4096MiB on 0-0", "more than 4 GiB per core" },
        { "interleaved 300000000MiB page 2KiB", "more than 256 TiB" },
        { "cb 1KiB on 0-0 cb 1KiB on 1-1", "at word 5 'cb': expected '+' or the end of the SPEC" },
        { "cb 1KiB on 0-0 +", "bad SPEC at its end: expected 'cb', 'sharded' or 'interleaved'" },
        { "cb 1KiB on 0-0..65536-0", "expected the far corner after '..'" },
        { "cb 1KiB on 65536-0", "expected a core range like 0-0..7-7" },
    };
    char err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        cr_assert_eq(fitspec_parse(cases[i].spec, &spec, err, sizeof err), -1, "'%s' accepted", cases[i].spec);
        cr_assert(strstr(err, cases[i].want) != NULL, "'%s': '%s' lacks '%s'", cases[i].spec, err, cases[i].want);
    }
}

Test(fitspec, limits_on_terms_and_ranges)
{
    char text[4096] = "", err[256];
    for (int i = 0; i < FIT_MAX_TERMS + 1; i++)
        strcat(text, i ? " + cb 1KiB on 0-0" : "cb 1KiB on 0-0");
    cr_assert_eq(fitspec_parse(text, &spec, err, sizeof err), -1);
    cr_assert(strstr(err, "more than 64 terms"), "%s", err);
    strcpy(text, "cb 1KiB on 0-0");
    for (int i = 0; i < FIT_MAX_RANGES; i++)
        strcat(text, ", 1-1");
    cr_assert_eq(fitspec_parse(text, &spec, err, sizeof err), -1);
    cr_assert(strstr(err, "more than 16 core ranges"), "%s", err);
    char word[200];
    memset(word, '9', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    snprintf(text, sizeof text, "cb %s", word);
    cr_assert_eq(fitspec_parse(text, &spec, err, sizeof err), -1);
    cr_assert(strstr(err, "bad SPEC at word 2 '999"), "%s", err);
    cr_assert(strstr(err, "...': a word longer than 60 characters"), "%s", err);
}

/* ---------- answers ---------- */

static void answer(const char *text)
{
    char err[256] = "";
    cr_assert_eq(fitspec_parse(text, &spec, err, sizeof err), 0, "%s", err);
    accounting_free(&a);
    fit_answer_free(&fa);
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(fit_compute(&s, &a, &spec, NULL, NULL, &fa), 0);
    cr_assert_eq(fa.ndevices, 1);
}

static const fit_term_result *term(size_t i) { return &fa.devices[0].terms[i]; }

static int fit_text(FILE *f, const void *ctx)
{
    (void)ctx;
    return output_fit_text(f, &s, &spec, &fa);
}

Test(fit, interleaved_on_an_empty_device_takes_the_top)
{
    /* 4 MiB in 2 KiB pages: 2048 pages over 64 banks, 32 pages = 65536 B a bank */
    answer("interleaved 4MiB page 2KiB");
    cr_assert(fa.fits);
    cr_assert(term(0)->placed);
    cr_assert_eq(term(0)->need, 65536);
    cr_assert_eq(term(0)->address, WH_L1 - 65536); /* 0x15E000 */
    cr_assert_eq(term(0)->largest_free, WH_L1 - WH_UB);
    cr_assert_eq(term(0)->warn_cores, 0);
}

Test(fit, top_down_first_fit_shares_one_free_list_over_all_banks)
{
    /* Buffers on every core at [0x140000, 0x150000): holes [0x150000, top) =
     * 122880 B and [base, 0x140000) = 1207296 B. */
    t_region(&s, 0, proc, L1TOP_L1_BUFFER, FULL8, 0x140000, 0x10000, "weights");
    answer("sharded 100KiB on 0-0 + sharded 100KiB on 1-1 + sharded 200KiB on 2-2");
    cr_assert(fa.fits);
    cr_assert_eq(term(0)->address, WH_L1 - 102400, "the highest hole first: 1396736");
    /* On another core, yet the same free list: what is left above is 20480 B. */
    cr_assert_eq(term(1)->address, 0x140000 - 102400, "1208320");
    cr_assert_eq(term(2)->address, 0x140000 - 102400 - 204800, "1003520");
}

Test(fit, a_cb_that_clashes_on_some_cores_only_is_refused_everywhere)
{
    /* A sharded buffer low on cores 0-0..1-1: CB room there 0x50000 - base =
     * 224256 B; elsewhere 1395712 B, but TT-Metal checks CBs against the
     * lowest L1 buffer of any core. */
    t_region(&s, 0, proc, L1TOP_CIRCULAR_BUFFER, FULL8, WH_UB, 0x8000, "cb now");
    t_region(&s, 0, proc, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), 0x50000, 0x10000, "act");
    answer("cb 300KiB on 0-0..7-7");
    cr_assert_not(fa.fits);
    const fit_term_result *r = term(0);
    cr_assert_not(r->fits);
    cr_assert_eq(r->need, 307200);
    cr_assert_eq(r->nfailing, 64);
    size_t own = 0;
    for (size_t i = 0; i < r->nfailing; i++) {
        const fit_core *fc = &r->failing[i];
        cr_assert_eq(fc->room, 224256);
        cr_assert_eq(fc->need, 307200);
        cr_assert_eq(fc->region, 1, "'act' is in the way");
        cr_assert_eq(fc->start, 0x50000);
        cr_assert_eq(fc->end, 0x60000);
        if (fc->x <= 1 && fc->y <= 1) { /* the clash is on this very core */
            own++;
            cr_assert_eq(fc->core_room, 224256);
            cr_assert(fc->rx == fc->x && fc->ry == fc->y);
        } else {
            cr_assert_eq(fc->core_room, 1395712);
            cr_assert(fc->rx == 0 && fc->ry == 0, "named where it lies");
        }
    }
    cr_assert_eq(own, 4);
    answer("cb 200KiB on 4-4..7-7");
    cr_assert(fa.fits, "204800 B stay under 224256 B");
    answer("cb 200KiB on 0-0..7-7 + cb 100KiB on 4-4..7-7");
    cr_assert_not(fa.fits, "a program's CBs stack: 204800 + 102400 B on 4-4..7-7");
    cr_assert(term(0)->fits == false && term(1)->fits == false);
    cr_assert_eq(term(1)->need, 204800 + 102400);
    cr_assert_eq(term(1)->nfailing, 16);
}

Test(fit, cbs_of_one_program_stack_at_the_allocator_alignment)
{
    answer("cb 1000B on 0-0 + cb 1000B on 0-0 + cb 1000B on 1-1");
    cr_assert(fa.fits);
    /* 1000 B at the base; the next at base + 1024 (32-aligned) ends 2024 B up */
    cr_assert_eq(term(0)->need, 2024);
    cr_assert_eq(term(1)->need, 2024);
    cr_assert_eq(term(2)->need, 1000);
}

Test(fit, an_interleaved_buffer_that_fits_on_every_bank_but_one)
{
    /* One shard on core (5,5) at [0xC0000, 0xE0000): that bank keeps 683008 B
     * below it and 581632 B above; the others 1395712 B. 43 MiB in 2 KiB
     * pages = 22016 pages, 344 a bank: 704512 B each. */
    t_region(&s, 0, proc, L1TOP_L1_BUFFER, ((l1top_range){ 5, 5, 5, 5 }), 0xC0000, 0x20000, "odd shard");
    answer("interleaved 43MiB page 2KiB");
    cr_assert_not(fa.fits);
    const fit_term_result *r = term(0);
    cr_assert_not(r->placed);
    cr_assert_eq(r->need, 704512);
    cr_assert_eq(r->largest_free, 683008);
    cr_assert_eq(r->nfailing, 1, "only bank (5,5)");
    cr_assert_eq(r->failing[0].x, 5);
    cr_assert_eq(r->failing[0].y, 5);
    cr_assert_eq(r->failing[0].room, 683008);
    cr_assert_eq(r->failing[0].region, 0, "the shard bounds its largest hole");
    cr_assert(strstr(r->reason, "683008 B, 704512 B needed per bank"), "%s", r->reason);
    /* 41 MiB: 20992 pages, 328 a bank = 671744 B, under the shard's 683008 */
    answer("interleaved 41MiB page 2KiB");
    cr_assert(fa.fits);
    cr_assert_eq(term(0)->address, 0xC0000 - 671744, "under the shard, top-down");
}

Test(fit, a_buffer_inside_the_current_cbs_warns)
{
    /* CBs from the base up to 0x59400 on every core; buffers from 0x60000 to
     * the top: 64 KiB a bank lands at 0x50000, inside the CB region. */
    t_region(&s, 0, proc, L1TOP_CIRCULAR_BUFFER, FULL8, WH_UB, 0x40000, "cb big");
    t_region(&s, 0, proc, L1TOP_L1_BUFFER, FULL8, 0x60000, WH_L1 - 0x60000, "resident");
    answer("interleaved 4MiB page 2KiB");
    cr_assert(fa.fits, "the allocator does not see CBs");
    cr_assert_eq(term(0)->address, 0x50000);
    cr_assert_eq(term(0)->warn_cores, 64);
    cr_assert_eq(term(0)->warn_first.region, 0, "the CB ending highest");
    cr_assert_eq(term(0)->warn_first.end, 0x59400);
}

Test(fit, the_specs_own_buffer_can_be_in_the_way_of_its_cbs)
{
    answer("interleaved 4MiB page 2KiB + cb 1300KiB on 0-0");
    cr_assert_not(fa.fits);
    cr_assert(term(0)->fits);
    cr_assert_not(term(1)->fits);
    /* 0x15E000 - base = 1330176 B of room; 1331200 B needed */
    cr_assert_eq(term(1)->failing[0].room, 1330176);
    cr_assert_eq(term(1)->failing[0].region, -2);
    cr_assert_eq(term(1)->failing[0].spec_term, 0);
}

Test(fit, l1_small_is_above_the_allocator_and_ranges_must_be_inside_the_grid)
{
    s.devices[0].l1_small_size = 0x8000;
    answer("interleaved 4MiB page 2KiB + cb 1KiB on 0-0..8-8");
    cr_assert_eq(term(0)->address, WH_L1 - 0x8000 - 65536);
    cr_assert_not(term(1)->fits);
    cr_assert_str_eq(term(1)->reason, "core range 0-0..8-8 is not inside the 8x8 grid");
}

Test(fit, json_answer_has_the_promised_keys)
{
    t_region(&s, 0, proc, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), 0x50000, 0x10000, "act");
    answer("cb 300KiB on 0-0..1-1 + interleaved 4MiB page 2KiB");
    json_t *root = output_fit_json_build(&s, &spec, &fa);
    cr_assert(json_is_false(json_object_get(root, "fits")));
    json_t *d0 = json_array_get(json_object_get(root, "devices"), 0);
    cr_assert_eq(json_integer_value(json_object_get(d0, "id")), 0);
    cr_assert(json_is_false(json_object_get(d0, "fits")));
    cr_assert_eq(json_integer_value(json_object_get(d0, "address")), WH_L1 - 65536);
    json_t *fc = json_array_get(json_object_get(d0, "failing_cores"), 0);
    cr_assert_eq(json_integer_value(json_object_get(fc, "x")), 0);
    cr_assert_eq(json_integer_value(json_object_get(fc, "y")), 0);
    cr_assert_eq(json_integer_value(json_object_get(fc, "room")), 224256);
    cr_assert_eq(json_integer_value(json_object_get(fc, "need")), 307200);
    json_t *way = json_object_get(fc, "in_the_way");
    cr_assert_eq(json_integer_value(json_object_get(way, "pid")), 321);
    cr_assert_str_eq(json_string_value(json_object_get(way, "kind")), "l1_buffers");
    cr_assert_str_eq(json_string_value(json_object_get(way, "tag")), "act");
    cr_assert_eq(json_integer_value(json_object_get(way, "start")), 0x50000);
    cr_assert_eq(json_integer_value(json_object_get(way, "end")), 0x60000);
    json_decref(root);
}

Test(fit, text_answer_names_cores_and_regions)
{
    t_region(&s, 0, proc, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x50000, 0x10000, "act");
    answer("cb 300KiB on 0-0..1-0");
    char *buf = t_capture(fit_text, NULL);
    cr_assert(strstr(buf, "Device 0  wormhole_b0  grid 8x8: DOES NOT FIT\n"), "%s", buf);
    cr_assert(strstr(buf, "    1 core (0,0): need 300 KiB, room 219 KiB; in the way: L1 buffer 'act' [0x50000, 0x60000) "
                          "of pid 321 (model)\n"),
              "%s", buf);
    cr_assert(strstr(buf, "    1 core (1,0): need 300 KiB, room 219 KiB (1.33 MiB on each alone); in the way: L1 buffer "
                          "'act' [0x50000, 0x60000) of pid 321 (model) on core (0,0): TT-Metal checks CBs against the "
                          "lowest L1 buffer of any core\n"),
              "%s", buf);
    cr_assert(strstr(buf, "\nAnswer: does not fit\n"), "%s", buf);
    free(buf);
}

Test(fit, text_groups_cores_answered_alike)
{
    t_region(&s, 0, proc, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), 0x50000, 0x10000, "act");
    answer("cb 300KiB on 0-0..7-7");
    char *buf = t_capture(fit_text, NULL);
    cr_assert(strstr(buf, "\n    4 cores (0,0) (1,0) (0,1) (1,1): need 300 KiB, room 219 KiB; in the way: L1 buffer 'act' "
                          "[0x50000, 0x60000) of pid 321 (model)\n"),
              "%s", buf);
    cr_assert(strstr(buf, "\n    60 cores (2,0) (3,0) (4,0) (5,0) (6,0) (7,0) (2,1) (3,1) ...: need 300 KiB, room 219 KiB "
                          "(1.33 MiB on each alone); in the way: L1 buffer 'act' [0x50000, 0x60000) of pid 321 (model) "
                          "on core (0,0): TT-Metal checks CBs against the lowest L1 buffer of any core\n"),
              "%s", buf);
    free(buf);
}
