/*
 * Find and the top view's sums (model/find.c): case-insensitive substring
 * matching on whole UTF-8 characters, the cores a query marks (ranges,
 * interleaved banks, process names), and tags ranked by bytes with exact
 * hand-computed figures.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>

#include "acct_fixture.h"
#include "model/find.h"

TestSuite(find, .init = acct_setup, .fini = acct_teardown);

Test(find, substring_case_insensitive)
{
    cr_assert(find_text_matches("ttnn::MatMul", "matmul"));
    cr_assert(find_text_matches("ttnn::MatMul", "NN::M"));
    cr_assert(find_text_matches("matmul", "matmul"), "the whole string");
    cr_assert(find_text_matches("x matmul", "l"), "at the end");
    cr_assert_not(find_text_matches("ttnn::matmul", "matmux"));
    cr_assert_not(find_text_matches("mat", "matmul"), "a needle longer than the text");
    cr_assert_not(find_text_matches("anything", ""), "an empty query finds nothing");
    cr_assert_not(find_text_matches("", "a"));
    cr_assert_not(find_text_matches(NULL, "a"));
}

Test(find, utf8_is_compared_by_characters)
{
    cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"), "C.UTF-8 locale");
    /* U+03A9 OMEGA and U+03C9 omega: one letter in two cases. */
    cr_assert(find_text_matches("\xce\xa9mega op", "\xcf\x89MEGA"));
    cr_assert(find_text_matches("caf\xc3\xa9", "\xc3\x89"), "U+00C9 finds U+00E9");
    /* A lone lead byte is not the start of a character of the text. */
    cr_assert_not(find_text_matches("\xcf\x89", "\xcf"));
    /* Bytes that are not UTF-8 match only themselves. */
    cr_assert(find_text_matches("a\xff" "b", "\xff" "B"));
    cr_assert_not(find_text_matches("a\xfe" "b", "\xff"));
    setlocale(LC_CTYPE, "C");
}

static size_t marked_list(const core_marks *m, size_t dev, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    const snap_device *d = &s.devices[dev];
    for (uint16_t y = 0; y < d->grid_y; y++)
        for (uint16_t x = 0; x < d->grid_x; x++)
            if (core_marked(m, dev, x, y) && used < n)
                used += (size_t)snprintf(out + used, n - used, "(%u,%u)", x, y);
    return m->count[dev];
}

Test(find, marks_the_cores_holding_matches)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    t_device(&s, 1, "wormhole_b0", 8, 8);
    uint32_t model = t_process(&s, 10, "Model.py"), other = t_process(&s, 11, "server");
    t_region(&s, 0, other, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), 0x20000, 4096, "ttnn::matmul cb");
    t_region(&s, 0, model, L1TOP_L1_BUFFER, ((l1top_range){ 7, 7, 7, 7 }), 0x100000, 4096, "conv");
    t_region(&s, 1, other, L1TOP_L1_BUFFER, ((l1top_range){ 3, 2, 3, 2 }), 0x100000, 4096, "MATMUL out");
    /* 3 pages of 2 KiB interleaved over 64 banks: banks 0, 1, 2 hold one each. */
    t_interleaved(&s, 0, other, 0x140000, 3 * 2048, 2048);
    core_marks m = { 0 };
    char list[512];
    cr_assert_eq(find_cores(&s, "MatMul", &m), 0);
    cr_assert_eq(marked_list(&m, 0, list, sizeof list), 4);
    cr_assert_str_eq(list, "(0,0)(1,0)(0,1)(1,1)");
    cr_assert_eq(marked_list(&m, 1, list, sizeof list), 1);
    cr_assert_str_eq(list, "(3,2)");
    cr_assert_eq(m.total, 5);
    cr_assert_eq(find_cores(&s, "model", &m), 0, "a process name matches its regions");
    cr_assert_eq(marked_list(&m, 0, list, sizeof list), 1);
    cr_assert_str_eq(list, "(7,7)");
    cr_assert_eq(m.count[1], 0);
    cr_assert_eq(find_cores(&s, "interLEAVED", &m), 0, "an interleaved buffer marks the banks holding its pages");
    cr_assert_eq(marked_list(&m, 0, list, sizeof list), 3);
    cr_assert_str_eq(list, "(0,0)(1,0)(2,0)");
    /* 100 pages over 64 banks: every bank holds one. */
    snap_region *big = t_interleaved(&s, 1, other, 0x140000, 100 * 2048, 2048);
    snprintf(big->tag, sizeof big->tag, "wide act");
    cr_assert_eq(find_cores(&s, "wide", &m), 0);
    cr_assert_eq(m.count[1], 64);
    cr_assert_eq(m.count[0], 0);
    cr_assert_eq(find_cores(&s, "nothing like it", &m), 0);
    cr_assert_eq(m.total, 0);
    core_marks_free(&m);
}

Test(find, a_range_past_the_grid_is_clipped)
{
    t_device(&s, 0, "wormhole_b0", 2, 2);
    uint32_t p = t_process(&s, 1, "p");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 1, 1, 9, 9 }), 0x20000, 64, "wide");
    core_marks m = { 0 };
    cr_assert_eq(find_cores(&s, "wide", &m), 0);
    cr_assert_eq(m.total, 1);
    cr_assert(core_marked(&m, 0, 1, 1));
    cr_assert_not(core_marked(&m, 0, 9, 9), "outside the grid: never marked");
    cr_assert_not(core_marked(&m, 7, 0, 0), "a device it was not made for");
    core_marks_set(&m, 0, 2, 0);
    core_marks_set(&m, 5, 0, 0);
    cr_assert_eq(m.total, 1, "marks outside what it knows are ignored");
    core_marks_free(&m);
}

Test(find, tags_by_bytes_tracked_and_untracked)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    t_device(&s, 1, "wormhole_b0", 8, 8);
    uint32_t p = t_process(&s, 1, "a"), q = t_process(&s, 2, "b");
    /* matmul: a CB of 10,000 B on 4 cores (40,000 untracked) and a buffer of
     * 2,048 B on 8 cores (16,384 tracked) by two processes. */
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), 0x20000, 10000, "matmul");
    t_region(&s, 0, q, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 7, 0 }), 0x100000, 2048, "matmul");
    /* conv: 64 KiB interleaved in 2 KiB pages (32 pages, tracked 65,536) and
     * kernel code 3,000 B on one core. */
    snap_region *il = t_interleaved(&s, 0, p, 0x140000, 65536, 2048);
    snprintf(il->tag, sizeof il->tag, "conv");
    t_region(&s, 0, p, L1TOP_KERNEL_CODE, ((l1top_range){ 5, 5, 5, 5 }), 0x8000, 3000, "conv");
    /* the other device: not counted for device 0 */
    t_region(&s, 1, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 7, 7 }), 0x20000, 100000, "matmul");
    tag_total *t;
    size_t n;
    cr_assert_eq(find_tags_by_bytes(&s, 0, false, &t, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(t[0].tag, "conv");
    cr_assert_eq(t[0].tag_len, 4);
    cr_assert_eq(t[0].tracked, 65536);
    cr_assert_eq(t[0].untracked, 3000);
    cr_assert_eq(t[0].regions, 2);
    cr_assert_eq(t[0].processes, 1);
    cr_assert_str_eq(t[1].tag, "matmul");
    cr_assert_eq(t[1].tracked, 16384);
    cr_assert_eq(t[1].untracked, 40000);
    cr_assert_eq(t[1].regions, 2);
    cr_assert_eq(t[1].processes, 2);
    free(t);
    cr_assert_eq(find_tags_by_bytes(&s, 1, false, &t, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(t[0].untracked, 6400000);
    free(t);
}

Test(find, ops_group_the_tags_by_their_first_word)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t p = t_process(&s, 1, "a");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x20000, 1000, "ttnn::matmul cb0");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x30000, 2000, "ttnn::matmul cb1");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 1, 0 }), 0x100000, 4000, "ttnn::matmul");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x110000, 9000, "ttnn::matmul_x out");
    tag_total *t;
    size_t n;
    cr_assert_eq(find_tags_by_bytes(&s, 0, true, &t, &n), 0);
    cr_assert_eq(n, 2, "ttnn::matmul and ttnn::matmul_x: a prefix is not the same op");
    cr_assert_eq(t[0].tag_len, 12);
    cr_assert(strncmp(t[0].tag, "ttnn::matmul", 12) == 0);
    cr_assert_eq(t[0].untracked, 3000);
    cr_assert_eq(t[0].tracked, 8000);
    cr_assert_eq(t[0].regions, 3);
    cr_assert_eq(t[1].tag_len, 14);
    cr_assert_eq(t[1].tracked, 9000);
    free(t);
    cr_assert_eq(find_tags_by_bytes(&s, 0, false, &t, &n), 0);
    cr_assert_eq(n, 4, "by tag: every tag its own row");
    free(t);
}
