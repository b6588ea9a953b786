/*
 * Accounting: byte-exact attribution, interleaved distribution, overlaps,
 * clashes, free holes, common free, per-process sums, and the invariant
 * against a brute-force byte-by-byte reference.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "acct_fixture.h"
#include "arch.h"

#define WH_L1 1499136u
#define WH_FW 0x7FF0u  /* MEM_MAP_END (docs/tt-metal.md, "Memory map") */
#define WH_UB 0x19400u /* L1_UNRESERVED_BASE */
#define FULL(gx, gy) ((l1top_range){ 0, 0, (gx) - 1, (gy) - 1 })

TestSuite(accounting, .init = acct_setup, .fini = acct_teardown);

static void check_invariant(void)
{
    for (size_t d = 0; d < a.ndevices; d++) {
        const device_usage *du = &a.devices[d];
        for (uint32_t c = 0; c < du->ncores; c++) {
            uint64_t sum = 0;
            for (int k = 0; k < CAT_COUNT; k++)
                sum += du->cores[c].bytes[k];
            cr_assert_eq(sum, s.devices[du->device].l1_size, "core %u: categories sum to %llu", c,
                         (unsigned long long)sum);
        }
    }
}

Test(accounting, empty_device_is_firmware_kernel_config_and_free)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    cr_assert_eq(du->ncores, 64);
    for (uint32_t c = 0; c < 64; c++) {
        cr_assert_eq(du->cores[c].bytes[CAT_FIRMWARE], WH_FW);
        cr_assert_eq(du->cores[c].bytes[CAT_KERNEL_CONFIG], WH_UB - WH_FW);
        cr_assert_eq(du->cores[c].bytes[CAT_FREE], WH_L1 - WH_UB);
        cr_assert_eq(du->cores[c].largest_free, WH_L1 - WH_UB);
        cr_assert_eq(du->cores[c].fragmented, 0);
    }
    cr_assert_eq(du->largest_free_common, WH_L1 - WH_UB);
    cr_assert_eq(usage_total(du->totals), 64ull * WH_L1);
    check_invariant();
}

Test(accounting, blackhole_memory_map_and_a_real_capture_first_cb)
{
    /* Blackhole: MEM_MAP_END 0x9F00, unreserved base 0x1B300. A real NORMAL
     * capture put its first CB at 0x1B400: above the base, 256 B free below. */
    t_device(&s, 0, "blackhole", 1, 1);
    uint32_t p = t_process(&s, 1, "w");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL(1, 1), 0x1B400, 0x8000, "matmul cb0");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const core_usage *u = &a.devices[0].cores[0];
    cr_assert_eq(u->bytes[CAT_FIRMWARE], 0x9F00);
    cr_assert_eq(u->bytes[CAT_KERNEL_CONFIG], 0x1B300 - 0x9F00);
    cr_assert_eq(u->bytes[CAT_CIRCULAR_BUFFERS], 0x8000);
    cr_assert_eq(u->bytes[CAT_FREE], 1572864 - 0x1B300 - 0x8000);
    check_invariant();
}

Test(accounting, firmware_never_above_an_overridden_unreserved_base)
{
    snap_device *d = t_device(&s, 0, "blackhole", 1, 1);
    d->unreserved_base = 0x8000; /* a writer's override below MEM_MAP_END */
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const core_usage *u = &a.devices[0].cores[0];
    cr_assert_eq(u->bytes[CAT_FIRMWARE], 0x8000);
    cr_assert_eq(u->bytes[CAT_KERNEL_CONFIG], 0);
    cr_assert_eq(u->bytes[CAT_FREE], 1572864 - 0x8000);
    cr_assert_eq(arch_firmware_end(ARCH_WORMHOLE_B0, 0x19400), 0x7FF0);
    cr_assert_eq(arch_firmware_end(ARCH_UNKNOWN, 0x19400), 0x19400, "unknown arch: all firmware");
}

Test(accounting, interleaved_pages_round_robin_over_banks)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t p = t_process(&s, 100, "w");
    /* 100 pages of 2048 B over 64 banks: banks 0..35 get 2 pages, 36..63 get 1. */
    t_interleaved(&s, 0, p, 0x100000, 100 * 2048, 2048);
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    for (uint32_t b = 0; b < 64; b++)
        cr_assert_eq(du->cores[b].bytes[CAT_L1_BUFFERS], b < 36 ? 4096u : 2048u, "bank %u", b);
    cr_assert_eq(du->totals[CAT_L1_BUFFERS], 100u * 2048u);
    cr_assert_eq(du->processes[0].bytes[CAT_L1_BUFFERS], 100u * 2048u);
    check_invariant();
}

Test(accounting, interleaved_pages_are_aligned_and_few_pages_use_few_banks)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t p = t_process(&s, 100, "w");
    /* 3 pages of 1000 B (aligned to 1008) land on banks 0, 1, 2 only. */
    t_interleaved(&s, 0, p, 0x100000, 3000, 1000);
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    for (uint32_t b = 0; b < 64; b++)
        cr_assert_eq(du->cores[b].bytes[CAT_L1_BUFFERS], b < 3 ? 1008u : 0u, "bank %u", b);
    cr_assert_eq(interleaved_bank_bytes(3001, 1000, 16, 64, 3), 1008u, "a partial 4th page is a whole page");
}

Test(accounting, overlapping_records_are_counted_once)
{
    t_device(&s, 0, "wormhole_b0", 2, 2);
    uint32_t p = t_process(&s, 1, "w");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(2, 2), 0x100000, 0x1000, "a");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(2, 2), 0x100800, 0x1000, "b"); /* half overlaps a */
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(a.devices[0].cores[0].bytes[CAT_L1_BUFFERS], 0x1800u);
    cr_assert_eq(a.devices[0].nclashes, 0);
    check_invariant();
}

Test(accounting, cb_over_l1_buffer_is_a_clash_with_both_named)
{
    t_device(&s, 0, "wormhole_b0", 4, 4);
    uint32_t p = t_process(&s, 1, "w");
    /* CB on the left half [ub, ub+600K); an L1 buffer at ub+500K on all cores. */
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 3 }), WH_UB, 600 * 1024, "matmul cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(4, 4), WH_UB + 500 * 1024, 200 * 1024, "act");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    cr_assert_eq(du->nclashes, 1);
    cr_assert_eq(du->clashes[0].cb_region, 0);
    cr_assert_eq(du->clashes[0].buffer_region, 1);
    cr_assert_eq(du->clashes[0].cores, 8, "left half of a 4x4 grid");
    cr_assert_eq(du->clashes[0].overlap_start, WH_UB + 500 * 1024);
    cr_assert_eq(du->clashes[0].overlap_end, WH_UB + 600 * 1024);
    /* The overlap counts once, for the L1 buffer. */
    cr_assert_eq(du->cores[0].bytes[CAT_L1_BUFFERS], 200 * 1024);
    cr_assert_eq(du->cores[0].bytes[CAT_CIRCULAR_BUFFERS], 500 * 1024);
    cr_assert_eq(du->cores[0].clash_bytes, 100 * 1024);
    cr_assert_eq(du->cores[2].clash_bytes, 0);
    check_invariant();
}

Test(accounting, kernel_code_in_reserved_area_is_not_firmware)
{
    t_device(&s, 0, "wormhole_b0", 1, 1);
    uint32_t p = t_process(&s, 1, "w");
    t_region(&s, 0, p, L1TOP_KERNEL_CODE, FULL(1, 1), 0x8000, 40 * 1024, "k");
    t_region(&s, 0, p, L1TOP_SEMAPHORE, FULL(1, 1), WH_UB - 1024, 256, "s");
    t_region(&s, 0, p, L1TOP_RUNTIME, FULL(1, 1), 0x7D80, 512, "rt");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const core_usage *u = &a.devices[0].cores[0];
    cr_assert_eq(u->bytes[CAT_KERNEL_CODE], 40 * 1024);
    cr_assert_eq(u->bytes[CAT_SEMAPHORES], 256);
    cr_assert_eq(u->bytes[CAT_RUNTIME], 512);
    /* Runtime at 0x7D80 sits in the firmware area, the rest in the ring. */
    cr_assert_eq(u->bytes[CAT_FIRMWARE], WH_FW - 512);
    cr_assert_eq(u->bytes[CAT_KERNEL_CONFIG], WH_UB - WH_FW - 40 * 1024 - 256);
    cr_assert_eq(u->bytes[CAT_FREE], WH_L1 - WH_UB);
    check_invariant();
}

Test(accounting, largest_free_and_fragmentation)
{
    t_device(&s, 0, "wormhole_b0", 1, 1);
    uint32_t p = t_process(&s, 1, "w");
    /* [ub, ub+100K) CB | hole 300K | 50K buffer | hole rest-to-top-200K | 200K buffer at top */
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL(1, 1), WH_UB, 100 * 1024, "cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(1, 1), WH_UB + 400 * 1024, 50 * 1024, "mid");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(1, 1), WH_L1 - 200 * 1024, 200 * 1024, "top");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const core_usage *u = &a.devices[0].cores[0];
    uint64_t free_total = WH_L1 - WH_UB - 350 * 1024;
    uint64_t upper_hole = (WH_L1 - 200 * 1024) - (WH_UB + 450 * 1024);
    cr_assert_eq(u->bytes[CAT_FREE], free_total);
    cr_assert_eq(u->largest_free, upper_hole > 300 * 1024 ? upper_hole : 300 * 1024);
    cr_assert_eq(u->fragmented, free_total - u->largest_free);
    check_invariant();
}

Test(accounting, common_free_needs_the_range_free_on_every_core)
{
    t_device(&s, 0, "wormhole_b0", 2, 1);
    uint32_t p = t_process(&s, 1, "w");
    /* Core 0: CB up to ub+700K. Core 1: buffer at ub+100K..ub+200K.
     * Free on both: [ub+700K, L1). */
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), WH_UB, 700 * 1024, "cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 1, 0, 1, 0 }), WH_UB + 100 * 1024, 100 * 1024, "b");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    cr_assert_eq(du->largest_free_common, WH_L1 - (WH_UB + 700 * 1024));
    cr_assert_eq(du->cores[1].largest_free, WH_L1 - (WH_UB + 200 * 1024));
}

Test(accounting, common_free_stops_below_l1_small)
{
    snap_device *d = t_device(&s, 0, "wormhole_b0", 1, 1);
    d->l1_small_size = 32 * 1024;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(a.devices[0].largest_free_common, WH_L1 - 32 * 1024 - WH_UB);
}

Test(accounting, per_process_sums_and_multiple_ranges)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t p1 = t_process(&s, 11, "one"), p2 = t_process(&s, 22, "two");
    l1top_range two[2] = { { 0, 0, 1, 1 }, { 4, 4, 7, 7 } }; /* 4 + 16 cores */
    snap_region *r = snapshot_add_region(&s, two, 2);
    r->device = 0;
    r->process = p1;
    r->kind = L1TOP_CIRCULAR_BUFFER;
    r->address = WH_UB;
    r->size_per_core = 1000;
    t_region(&s, 0, p2, L1TOP_L1_SMALL, FULL(8, 8), WH_L1 - 4096, 4096, "small");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    cr_assert_eq(du->nprocesses, 2);
    cr_assert_eq(du->processes[0].bytes[CAT_CIRCULAR_BUFFERS], 20 * 1000);
    cr_assert_eq(du->processes[0].regions, 1);
    cr_assert_eq(du->processes[1].bytes[CAT_L1_SMALL], 64 * 4096);
    cr_assert_eq(du->totals[CAT_CIRCULAR_BUFFERS], 20 * 1000);
    cr_assert_eq(du->cores[2].bytes[CAT_CIRCULAR_BUFFERS], 0, "core (2,0) is in neither range");
    check_invariant();
}

/* The one place per-process totals are summed: over chosen devices, or all. */
Test(accounting, process_totals_over_the_devices_shown)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    t_device(&s, 1, "wormhole_b0", 8, 8);
    t_device(&s, 2, "wormhole_b0", 8, 8);
    uint32_t p1 = t_process(&s, 11, "one"), p2 = t_process(&s, 22, "two");
    t_region(&s, 0, p1, L1TOP_CIRCULAR_BUFFER, FULL(8, 8), WH_UB, 1000, "cb");
    t_region(&s, 1, p1, L1TOP_L1_BUFFER, FULL(8, 8), WH_L1 - 8192, 8192, "buf");
    t_region(&s, 1, p1, L1TOP_L1_SMALL, FULL(4, 4), WH_L1 - 16384, 100, "small");
    t_region(&s, 2, p2, L1TOP_KERNEL_CODE, FULL(8, 8), WH_FW, 512, "kernel");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    process_total t;
    accounting_process_total(&a, p1, NULL, 0, &t);
    cr_assert_eq(t.devices, 2);
    cr_assert_eq(t.regions, 3);
    cr_assert_eq(t.bytes[CAT_CIRCULAR_BUFFERS], 64 * 1000);
    cr_assert_eq(recorded_tracked(t.bytes), 64 * 8192 + 16 * 100);
    cr_assert_eq(recorded_all(t.bytes), 64 * 1000 + 64 * 8192 + 16 * 100);
    cr_assert_eq(recorded_untracked(t.bytes), 64 * 1000);
    const size_t shown[] = { 1, 2 };
    accounting_process_total(&a, p1, shown, 2, &t);
    cr_assert_eq(t.devices, 1, "device 0 not shown");
    cr_assert_eq(recorded_untracked(t.bytes), 0);
    cr_assert_eq(t.regions, 2);
    accounting_process_total(&a, p2, shown, 1, &t);
    cr_assert_eq(t.devices, 0, "p2 is on device 2 only");
    cr_assert_eq(recorded_all(t.bytes), 0);
}

Test(accounting, core_map_covers_l1_in_order)
{
    t_device(&s, 0, "wormhole_b0", 1, 1);
    uint32_t p = t_process(&s, 1, "w");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL(1, 1), WH_UB, 0x1000, "cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(1, 1), WH_L1 - 0x2000, 0x2000, "buf");
    map_span spans[16];
    size_t needed = 0;
    size_t n = accounting_core_map(&s, 0, 0, 0, spans, 16, &needed);
    cr_assert_eq(n, needed);
    cr_assert_eq(n, 5, "firmware, kernel-config ring, cb, free, buffer");
    cr_assert_eq(spans[0].category, CAT_FIRMWARE);
    cr_assert_eq(spans[0].start, 0);
    cr_assert_eq(spans[0].end, WH_FW);
    cr_assert_eq(spans[1].category, CAT_KERNEL_CONFIG);
    cr_assert_eq(spans[1].end, WH_UB);
    cr_assert_eq(spans[2].category, CAT_CIRCULAR_BUFFERS);
    cr_assert_eq(spans[3].category, CAT_FREE);
    cr_assert_eq(spans[4].category, CAT_L1_BUFFERS);
    cr_assert_eq(spans[4].end, WH_L1);
    for (size_t i = 1; i < n; i++)
        cr_assert_eq(spans[i].start, spans[i - 1].end, "contiguous");
}

/* ---- the invariant against a brute-force reference ---- */

static uint64_t rnd_state = 12345;
static uint32_t rnd(uint32_t n) { return t_rnd(&rnd_state, n); }

static const core_usage *core(uint32_t x, uint32_t y)
{
    return &a.devices[0].cores[y * s.devices[0].grid_x + x];
}

/* The definition, region by region: the lowest buffer on the core (an
 * interleaved one on every bank), then the CBs starting below it. */
static void cb_room_reference(uint16_t x, uint16_t y, uint32_t *room, uint32_t *extent)
{
    const snap_device *d = &s.devices[0];
    uint32_t limit = d->l1_size, top = 0;
    for (size_t ri = 0; ri < s.nregions; ri++) {
        const snap_region *r = &s.regions[ri];
        bool on = r->interleaved || region_bytes_on_core(&s, r, x, y) > 0;
        if (on && (r->kind == L1TOP_L1_BUFFER || r->kind == L1TOP_L1_SMALL) && r->address < limit)
            limit = r->address;
    }
    for (size_t ri = 0; ri < s.nregions; ri++) {
        const snap_region *r = &s.regions[ri];
        uint64_t b = region_bytes_on_core(&s, r, x, y);
        if (b && r->kind == L1TOP_CIRCULAR_BUFFER && r->address < limit && r->address + b > top)
            top = (uint32_t)(r->address + b);
    }
    *room = limit > d->unreserved_base ? limit - d->unreserved_base : 0;
    *extent = top > d->unreserved_base ? top - d->unreserved_base : 0;
}

Test(accounting, random_regions_match_bytewise_reference)
{
    /* A small L1 so a per-byte reference is cheap; the unreserved base above
     * Wormhole's MEM_MAP_END so all three hole categories occur. */
    const uint32_t L1 = 0x9000, UB = 0x8400, FW = WH_FW;
    for (int round = 0; round < 40; round++) {
        snapshot_reset(&s);
        accounting_free(&a);
        snap_device *d = t_device(&s, 0, "wormhole_b0", 3, 2);
        d->l1_size = L1;
        d->unreserved_base = UB;
        uint32_t p = t_process(&s, 1, "w");
        int n = 1 + (int)rnd(12);
        for (int i = 0; i < n; i++) {
            uint32_t addr = rnd(L1 - 16), size = 1 + rnd(L1 - addr);
            if (rnd(5) == 0) {
                snap_region *g = t_interleaved(&s, 0, p, addr, 1 + rnd(4000), 64 + rnd(512));
                /* keep it inside L1 */
                uint64_t w0 = interleaved_bank_bytes(g->total_size, g->page_size, 16, 6, 0);
                if (addr + w0 > L1)
                    g->address = (uint32_t)(L1 - w0);
            } else {
                uint16_t x0 = (uint16_t)rnd(3), y0 = (uint16_t)rnd(2);
                l1top_range r = { x0, y0, (uint16_t)(x0 + rnd(3 - x0)), (uint16_t)(y0 + rnd(2 - y0)) };
                t_region(&s, 0, p, (l1top_kind)(1 + rnd(6)), r, addr, size, "r");
            }
        }
        cr_assert_eq(accounting_compute(&s, &a), 0);
        check_invariant();
        uint32_t min_room = UINT32_MAX;
        for (uint16_t y = 0; y < 2; y++)
            for (uint16_t x = 0; x < 3; x++) {
                static uint8_t owner[0x9000];
                memset(owner, 0, sizeof owner); /* 0 = uncovered, else smallest kind */
                for (size_t ri = 0; ri < s.nregions; ri++) {
                    uint64_t b = region_bytes_on_core(&s, &s.regions[ri], x, y);
                    for (uint64_t k = s.regions[ri].address; k < s.regions[ri].address + b; k++)
                        if (!owner[k] || owner[k] > s.regions[ri].kind)
                            owner[k] = s.regions[ri].kind;
                }
                uint64_t want[CAT_COUNT] = { 0 }, largest = 0, run = 0;
                for (uint32_t k = 0; k < L1; k++) {
                    if (owner[k])
                        want[owner[k] - 1]++;
                    else
                        want[k < FW ? CAT_FIRMWARE : k < UB ? CAT_KERNEL_CONFIG : CAT_FREE]++;
                    run = (!owner[k] && k >= UB) ? run + 1 : 0;
                    if (run > largest)
                        largest = run;
                }
                const core_usage *u = &a.devices[0].cores[y * 3 + x];
                for (int k = 0; k < CAT_COUNT; k++)
                    cr_assert_eq(u->bytes[k], want[k], "round %d core (%u,%u) %s: %llu vs %llu", round, x, y,
                                 category_key[k], (unsigned long long)u->bytes[k], (unsigned long long)want[k]);
                cr_assert_eq(u->largest_free, largest, "round %d core (%u,%u) largest free", round, x, y);
                uint32_t room, extent;
                cb_room_reference(x, y, &room, &extent);
                cr_assert_eq(u->cb_room, room, "round %d core (%u,%u) CB room %u vs %u", round, x, y, u->cb_room, room);
                cr_assert_eq(u->cb_extent, extent, "round %d core (%u,%u) CB extent %u vs %u", round, x, y,
                             u->cb_extent, extent);
                if (room < min_room)
                    min_room = room;
            }
        cr_assert_eq(a.devices[0].cb_room_min, min_room, "round %d", round);
    }
}

Test(accounting, tracked_untracked_split)
{
    uint64_t b[CAT_COUNT] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
    cr_assert_eq(usage_tracked(b), 3);
    cr_assert_eq(usage_untracked(b), 252, "CBs, kernels, semaphores, runtime, kernel-config ring, firmware");
    cr_assert_eq(usage_used(b), 255);
    cr_assert_eq(usage_total(b), 511);
    cr_assert(category_tracked(CAT_L1_SMALL));
    cr_assert_not(category_tracked(CAT_CIRCULAR_BUFFERS));
}

/* ---- clashes against a byte-wise reference ---- */

/* Naive: per core and byte, which CBs and which buffers cover it. */
typedef struct {
    uint64_t bytes;
    uint32_t cores;
} ref_pair;

static void ref_clashes(uint32_t L1, uint16_t gx, uint16_t gy, uint64_t *core_clash, ref_pair *pairs, size_t nreg)
{
    for (uint16_t y = 0; y < gy; y++)
        for (uint16_t x = 0; x < gx; x++) {
            uint32_t core = (uint32_t)y * gx + x;
            core_clash[core] = 0;
            bool met[64][64] = { { false } };
            for (uint32_t k = 0; k < L1; k++) {
                bool cb = false, buf = false;
                for (size_t i = 0; i < nreg; i++) {
                    const snap_region *r = &s.regions[i];
                    uint64_t b = region_bytes_on_core(&s, r, x, y);
                    if (k < r->address || k >= r->address + b)
                        continue;
                    cb |= r->kind == L1TOP_CIRCULAR_BUFFER;
                    buf |= r->kind == L1TOP_L1_BUFFER || r->kind == L1TOP_L1_SMALL;
                    if (r->kind != L1TOP_CIRCULAR_BUFFER)
                        continue;
                    for (size_t j = 0; j < nreg; j++) {
                        const snap_region *q = &s.regions[j];
                        uint64_t qb = region_bytes_on_core(&s, q, x, y);
                        if ((q->kind != L1TOP_L1_BUFFER && q->kind != L1TOP_L1_SMALL) || k < q->address ||
                            k >= q->address + qb)
                            continue;
                        pairs[i * nreg + j].bytes++;
                        met[i][j] = true;
                    }
                }
                core_clash[core] += cb && buf;
            }
            for (size_t i = 0; i < nreg; i++)
                for (size_t j = 0; j < nreg; j++)
                    pairs[i * nreg + j].cores += met[i][j];
        }
}

Test(accounting, overlapping_cbs_and_buffers_match_bytewise_clash_reference)
{
    const uint32_t L1 = 4096, UB = 512;
    for (int round = 0; round < 30; round++) {
        snapshot_reset(&s);
        accounting_free(&a);
        snap_device *d = t_device(&s, 0, "wormhole_b0", 3, 2);
        d->l1_size = L1;
        d->unreserved_base = UB;
        uint32_t p = t_process(&s, 1, "w");
        size_t n = 4 + rnd(20);
        for (size_t i = 0; i < n; i++) {
            static const l1top_kind kinds[] = { L1TOP_CIRCULAR_BUFFER, L1TOP_L1_BUFFER, L1TOP_L1_SMALL,
                                                L1TOP_CIRCULAR_BUFFER, L1TOP_KERNEL_CODE };
            uint32_t addr = UB + rnd(L1 - UB - 16), size = 1 + rnd(L1 - addr);
            if (rnd(6) == 0) {
                snap_region *g = t_interleaved(&s, 0, p, addr, 1 + rnd(3000), 32 + rnd(256));
                uint64_t w0 = interleaved_bank_bytes(g->total_size, g->page_size, 16, 6, 0);
                if (addr + w0 > L1)
                    g->address = (uint32_t)(L1 - w0);
                continue;
            }
            uint16_t x0 = (uint16_t)rnd(3), y0 = (uint16_t)rnd(2);
            l1top_range r = { x0, y0, (uint16_t)(x0 + rnd(3 - x0)), (uint16_t)(y0 + rnd(2 - y0)) };
            t_region(&s, 0, p, kinds[rnd(5)], r, addr, size, "r");
        }
        cr_assert_eq(accounting_compute(&s, &a), 0);
        check_invariant();
        uint64_t core_clash[6];
        ref_pair *pairs = calloc(n * n, sizeof *pairs);
        ref_clashes(L1, 3, 2, core_clash, pairs, n);
        const device_usage *du = &a.devices[0];
        uint64_t total = 0;
        for (uint32_t c = 0; c < 6; c++) {
            cr_assert_eq(du->cores[c].clash_bytes, core_clash[c], "round %d core %u: %llu vs %llu", round, c,
                         (unsigned long long)du->cores[c].clash_bytes, (unsigned long long)core_clash[c]);
            total += core_clash[c];
        }
        cr_assert_eq(du->clash_bytes, total);
        size_t want_pairs = 0;
        for (size_t k = 0; k < n * n; k++)
            want_pairs += pairs[k].cores > 0;
        cr_assert_eq(du->nclashes, want_pairs, "round %d: %zu pairs vs %zu", round, du->nclashes, want_pairs);
        cr_assert_not(du->clashes_truncated);
        cr_assert_eq(du->clash_pairs_at_least, want_pairs);
        for (size_t i = 0; i < du->nclashes; i++) {
            const clash_info *c = &du->clashes[i];
            const ref_pair *rp = &pairs[c->cb_region * n + c->buffer_region];
            cr_assert_eq(c->cores, rp->cores, "round %d pair %u/%u cores", round, c->cb_region, c->buffer_region);
            cr_assert_eq(c->bytes, rp->bytes, "round %d pair %u/%u bytes %llu vs %llu", round, c->cb_region,
                         c->buffer_region, (unsigned long long)c->bytes, (unsigned long long)rp->bytes);
            if (i > 0)
                cr_assert_geq(du->clashes[i - 1].bytes, c->bytes, "largest first");
        }
        free(pairs);
        /* The core map marks exactly the spans that overlap one of the other kind. */
        for (uint16_t cy = 0; cy < 2; cy++)
            for (uint16_t cx = 0; cx < 3; cx++) {
                map_span sp[64];
                size_t m = accounting_core_map(&s, 0, cx, cy, sp, 64, NULL);
                for (size_t i = 0; i < m; i++) {
                    bool want = false;
                    for (size_t j = 0; j < m; j++) {
                        bool cb_i = sp[i].category == CAT_CIRCULAR_BUFFERS, cb_j = sp[j].category == CAT_CIRCULAR_BUFFERS;
                        bool buf_i = category_tracked(sp[i].category), buf_j = category_tracked(sp[j].category);
                        if (((cb_i && buf_j) || (buf_i && cb_j)) && sp[i].start < sp[j].end && sp[j].start < sp[i].end)
                            want = true;
                    }
                    cr_assert_eq(sp[i].clash, want, "round %d core (%u,%u) span %zu", round, cx, cy, i);
                }
            }
    }
}

Test(accounting, clash_cap_is_reported_not_hidden)
{
    /* 80 CBs x 80 buffers, all over each other on every core: 6,400 pairs. */
    t_device(&s, 0, "wormhole_b0", 2, 2);
    uint32_t p = t_process(&s, 1, "w");
    for (int i = 0; i < 80; i++) {
        t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL(2, 2), WH_UB + (uint32_t)i * 16, 64 * 1024, "cb");
        t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(2, 2), WH_UB + 8 + (uint32_t)i * 16, 64 * 1024, "buf");
    }
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    cr_assert_eq(du->nclashes, CLASH_PAIRS_LISTED_MAX);
    cr_assert(du->clashes_truncated);
    cr_assert_geq(du->clash_pairs_at_least, 6400, "every pair meets on one core: %zu", du->clash_pairs_at_least);
    cr_assert_leq(du->clash_pairs_at_least, 6400);
    /* Clash bytes stay exact: CBs cover [ub, ub+64K+79*16), buffers [ub+8, ub+8+64K+79*16). */
    cr_assert_eq(du->cores[0].clash_bytes, 64 * 1024 + 79 * 16 - 8);
    check_invariant();
}

/* ---- CB room: per core, from the unreserved base to the lowest L1 or
 * L1_SMALL buffer there (or the top of L1), the current CBs against it, and
 * the device minimum. Wormhole: 1499136 - 0x19400 = 1395712 B on an empty
 * core. ---- */

Test(accounting, cb_room_empty_device_has_the_whole_unreserved_l1)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    cr_assert_eq(accounting_compute(&s, &a), 0);
    for (uint32_t c = 0; c < 64; c++) {
        cr_assert_eq(a.devices[0].cores[c].cb_room, 1395712u); /* 1499136 - 103424 */
        cr_assert_eq(a.devices[0].cores[c].cb_room_region, -1);
        cr_assert_eq(a.devices[0].cores[c].cb_extent, 0);
        cr_assert_eq(a.devices[0].cores[c].cb_top_region, -1);
    }
    cr_assert_eq(a.devices[0].cb_room_min, 1395712u);
    cr_assert_eq(a.devices[0].cb_room_min_core, 0);
}

Test(accounting, cb_room_a_sharded_buffer_on_some_cores_bounds_only_them)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t p = t_process(&s, 10, "model");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL(8, 8), WH_UB, 0x20000, "cb0");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 2, 1, 3, 2 }), 0x100000, 0x10000, "act");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    /* 0x100000 - 0x19400 = 1048576 - 103424 */
    cr_assert_eq(core(2, 1)->cb_room, 945152u);
    cr_assert_eq(core(3, 2)->cb_room, 945152u);
    cr_assert_eq(core(2, 1)->cb_room_region, 1);
    cr_assert_eq(core(4, 1)->cb_room, 1395712u);
    cr_assert_eq(core(4, 1)->cb_room_region, -1);
    for (uint32_t c = 0; c < 64; c++) {
        cr_assert_eq(a.devices[0].cores[c].cb_extent, 0x20000);
        cr_assert_eq(a.devices[0].cores[c].cb_top_region, 0);
    }
    cr_assert_eq(a.devices[0].cb_room_min, 945152u);
    cr_assert_eq(a.devices[0].cb_room_min_core, 1 * 8 + 2);
    cr_assert_eq(a.devices[0].cb_extent_max, 0x20000);
}

Test(accounting, cb_room_an_interleaved_buffer_reserves_every_bank_even_without_pages)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t p = t_process(&s, 10, "model");
    /* 2 pages over 64 banks: pages on banks 0 and 1 only, the address on all. */
    t_interleaved(&s, 0, p, 0x120000, 4096, 2048);
    cr_assert_eq(accounting_compute(&s, &a), 0);
    for (uint32_t c = 0; c < 64; c++) {
        cr_assert_eq(a.devices[0].cores[c].cb_room, 0x120000u - WH_UB, "core %u", c); /* 1076224 */
        cr_assert_eq(a.devices[0].cores[c].cb_room_region, 0);
    }
    cr_assert_eq(a.devices[0].cores[2].bytes[CAT_L1_BUFFERS], 0, "no page on bank 2");
}

Test(accounting, cb_room_a_cb_placed_on_a_tensor_is_not_in_the_cb_region)
{
    /* A CB at a buffer's address sits on that tensor, whichever was recorded
     * first (the sweep meets equal starts in region order). */
    for (int cb_first = 0; cb_first < 2; cb_first++) {
        snapshot_reset(&s);
        accounting_free(&a);
        t_device(&s, 0, "wormhole_b0", 1, 1);
        uint32_t p = t_process(&s, 10, "model");
        for (int i = 0; i < 2; i++)
            if ((i == 0) == (cb_first == 1))
                t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL(1, 1), 0x80000, 0x8000, "global cb");
            else
                t_region(&s, 0, p, L1TOP_L1_BUFFER, FULL(1, 1), 0x80000, 0x10000, "sharded in");
        t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL(1, 1), WH_UB, 0x1000, "cb0");
        cr_assert_eq(accounting_compute(&s, &a), 0);
        cr_assert_eq(core(0, 0)->cb_room, 0x80000u - WH_UB);
        cr_assert_eq(core(0, 0)->cb_extent, 0x1000, "CB first: %d", cb_first);
        cr_assert_eq(core(0, 0)->cb_top_region, 2);
    }
}

Test(accounting, cb_room_a_clash_shows_as_an_extent_past_the_room)
{
    t_device(&s, 0, "wormhole_b0", 1, 1);
    uint32_t p = t_process(&s, 10, "model");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), WH_UB, 0x70000, "cbs");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x50000, 0x10000, "low");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(core(0, 0)->cb_room, 0x50000u - WH_UB); /* 224256 */
    cr_assert_eq(core(0, 0)->cb_extent, 0x70000);        /* 458752 > room */
    cr_assert_eq(core(0, 0)->cb_room_region, 1);
}

Test(accounting, cb_room_l1_small_counts_and_a_buffer_below_the_base_leaves_none)
{
    snap_device *d = t_device(&s, 0, "wormhole_b0", 2, 1);
    d->l1_small_size = 0x8000;
    uint32_t p = t_process(&s, 10, "model");
    t_region(&s, 0, p, L1TOP_L1_SMALL, ((l1top_range){ 0, 0, 0, 0 }), WH_L1 - 0x8000, 0x4000, "halo");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 1, 0, 1, 0 }), 0x10000, 0x1000, "odd");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(core(0, 0)->cb_room, WH_L1 - 0x8000 - WH_UB); /* 1362944 */
    cr_assert_eq(core(1, 0)->cb_room, 0);
    cr_assert_eq(a.devices[0].cb_room_min, 0);
    cr_assert_eq(a.devices[0].cb_room_min_core, 1);
}

/* accounting_most_held against a byte-by-byte count at every position. */
Test(accounting, most_held_over_time_matches_bytewise_reference)
{
    enum { SPACE = 4096, POSITIONS = 40, RANGES = 60 };
    held_range r[RANGES];
    held_scratch w;
    memset(&w, 0, sizeof w);
    srand(4242);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rand() % RANGES);
        for (size_t i = 0; i < n; i++) {
            uint32_t lo = (uint32_t)(rand() % SPACE), len = (uint32_t)(rand() % 700);
            uint32_t born = (uint32_t)(rand() % POSITIONS), life = (uint32_t)(rand() % 12);
            r[i] = (held_range){ lo, lo + len > SPACE ? SPACE : lo + len, born,
                                 rand() % 5 == 0 ? UINT32_MAX : born + life };
        }
        uint64_t want = 0;
        uint32_t want_at = 0;
        for (uint32_t pos = 0; pos <= POSITIONS + 12; pos++) {
            static unsigned char used[SPACE];
            memset(used, 0, sizeof used);
            for (size_t i = 0; i < n; i++)
                if (r[i].born <= pos && pos < r[i].died)
                    memset(used + r[i].start, 1, r[i].end - r[i].start);
            uint64_t bytes = 0;
            for (int b = 0; b < SPACE; b++)
                bytes += used[b];
            if (bytes > want) {
                want = bytes;
                want_at = pos;
            }
        }
        uint32_t at;
        cr_assert_eq(accounting_most_held(r, n, &at, &w), want, "round %d", round);
        cr_assert_eq(at, want_at, "round %d: the earliest position", round);
    }
    held_scratch_free(&w);
}
