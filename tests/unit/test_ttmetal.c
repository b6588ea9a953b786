/*
 * TT-Metal's shared-memory statistics files, built byte by byte: every
 * layout version, stale pids, chips, and corrupt, truncated and oversized
 * files.
 */
#include <criterion/criterion.h>

#include "ttm_build.h"
#include "sources/ttmetal_stats.h"

static unsigned char buf[TTM_BUILD_SIZE + 16];
static int alive_only_100(int32_t pid) { return pid == 100; }

Test(ttmetal, every_version_parses)
{
    for (uint32_t v = 2; v <= 4; v++) {
        ttm_build(buf, v, 3, 0xABCD);
        uint64_t tot[5] = { 1000, 2000, 300, 40, 5000 };
        ttm_build_totals(buf, tot);
        uint64_t p1[5] = { 600, 1500, 300, 40, 4000 }, p2[5] = { 400, 500, 0, 0, 1000 };
        ttm_build_process(buf, 0, 100, "python3", p1);
        ttm_build_process(buf, 5, 200, "old run", p2);
        uint64_t chip[5] = { 1, 2, 3, 4, 5 };
        ttm_build_chip(buf, 0, 0, 0, chip);
        ttm_build_chip(buf, 1, 1, 1, chip);
        ttm_device d;
        char err[256];
        cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE, "f", alive_only_100, &d, err, sizeof err), 0, "v%u: %s", v, err);
        cr_assert_eq(d.version, v);
        cr_assert_eq(d.device_id, 3);
        cr_assert_eq(d.asic_id, 0xABCD);
        cr_assert_eq(d.board_serial, 0xB0A4D);
        cr_assert(d.ready);
        cr_assert_eq(d.totals[TTM_L1], 2000);
        cr_assert_eq(d.nchips, 2, "unused slots (0xFFFFFFFF) skipped");
        cr_assert(d.chips[1].is_remote);
        cr_assert_eq(d.chips[1].bytes[TTM_CB], 5);
        cr_assert_eq(d.nprocesses, 2);
        cr_assert_str_eq(d.processes[0].name, "python3");
        cr_assert(d.processes[0].alive);
        cr_assert_not(d.processes[1].alive, "a dead pid is stale");
        cr_assert_eq(d.live_totals[TTM_L1], 1500, "stale bytes are never counted as live");
        cr_assert_eq(d.live_totals[TTM_CB], 4000);
        cr_assert_eq(d.num_active_processes, 2);
    }
}

Test(ttmetal, v4_not_ready_is_flagged)
{
    ttm_build(buf, 4, 0, 1);
    put32(buf + 8536, 0);
    ttm_device d;
    char err[256];
    cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE, "f", NULL, &d, err, sizeof err), 0);
    cr_assert_not(d.ready);
}

Test(ttmetal, bad_files_are_refused_with_a_reason)
{
    ttm_device d;
    char err[256];
    ttm_build(buf, 3, 0, 1);
    cr_assert_eq(ttm_parse(buf, 100, "f", NULL, &d, err, sizeof err), -1);
    cr_assert_str_eq(err, "f: truncated: 100 bytes, a TT-Metal stats file has 8576");
    cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE + 1, "f", NULL, &d, err, sizeof err), -1);
    cr_assert_str_eq(err, "f: 8577 bytes, a TT-Metal stats file has 8576");
    put32(buf, 1);
    cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE, "f", NULL, &d, err, sizeof err), -1);
    cr_assert_str_eq(err, "f: layout version 1, l1top reads versions 2 to 4");
    put32(buf, 0x7F454C46);
    cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE, "f", NULL, &d, err, sizeof err), -1);
    ttm_build(buf, 3, 0, 1);
    put32(buf + 4, 65);
    cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE, "f", NULL, &d, err, sizeof err), -1);
    cr_assert_str_eq(err, "f: corrupt: 65 active processes, at most 64");
    ttm_build(buf, 3, 0, 1);
    put32(buf + 856, (uint32_t)-5);
    cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE, "f", NULL, &d, err, sizeof err), -1);
    cr_assert_str_eq(err, "f: corrupt: process slot 0 has pid -5");
}

Test(ttmetal, names_are_sanitized_and_bounded)
{
    ttm_build(buf, 3, 0, 1);
    uint64_t z[5] = { 0 };
    ttm_build_process(buf, 0, 100, "a\\x1b[31mred", z);
    memset(buf + 856 + 56, 'x', 64); /* no NUL at all */
    ttm_device d;
    char err[256];
    cr_assert_eq(ttm_parse(buf, TTM_BUILD_SIZE, "f", NULL, &d, err, sizeof err), 0);
    cr_assert_eq(strlen(d.processes[0].name), 63);
}
