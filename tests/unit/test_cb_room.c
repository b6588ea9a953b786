/*
 * CB room (accounting): per core, from the unreserved base to the lowest L1
 * or L1_SMALL buffer there (or the top of L1), the current CBs against it,
 * and the device minimum. Every number below is computed by hand from the
 * Wormhole map: L1 1,499,136 B, unreserved base 0x19400 = 103,424.
 */
#include <criterion/criterion.h>

#include "model/accounting.h"
#include "helpers.h"

#define WH_L1 1499136u
#define WH_UB 0x19400u
#define FULL8 ((l1top_range){ 0, 0, 7, 7 })

static snapshot s;
static accounting a;

static void setup(void) { snapshot_init(&s); }
static void teardown(void)
{
    accounting_free(&a);
    snapshot_free(&s);
}

TestSuite(cb_room, .init = setup, .fini = teardown);

static const core_usage *core(uint32_t x, uint32_t y)
{
    return &a.devices[0].cores[y * s.devices[0].grid_x + x];
}

Test(cb_room, empty_device_has_the_whole_unreserved_l1)
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

Test(cb_room, a_sharded_buffer_on_some_cores_bounds_only_them)
{
    t_device(&s, 0, "wormhole_b0", 8, 8);
    uint32_t p = t_process(&s, 10, "model");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, FULL8, WH_UB, 0x20000, "cb0");
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

Test(cb_room, an_interleaved_buffer_reserves_every_bank_even_without_pages)
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

Test(cb_room, a_cb_placed_on_a_tensor_is_not_in_the_cb_region)
{
    t_device(&s, 0, "wormhole_b0", 1, 1);
    uint32_t p = t_process(&s, 10, "model");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x80000, 0x10000, "sharded in");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x80000, 0x8000, "global cb");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), WH_UB, 0x1000, "cb0");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(core(0, 0)->cb_room, 0x80000u - WH_UB);
    cr_assert_eq(core(0, 0)->cb_extent, 0x1000);
    cr_assert_eq(core(0, 0)->cb_top_region, 2);
}

Test(cb_room, a_clash_shows_as_an_extent_past_the_room)
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

Test(cb_room, l1_small_counts_and_a_buffer_below_the_base_leaves_none)
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

/* ---- against a direct reference over random regions ---- */

static uint64_t rnd_state = 777;
static uint32_t rnd(uint32_t n)
{
    rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((rnd_state >> 33) % n);
}

/* The definition, region by region: the lowest buffer on the core (an
 * interleaved one on every bank), then the CBs starting below it. */
static void reference(uint16_t x, uint16_t y, uint32_t *room, uint32_t *extent)
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

Test(cb_room, random_regions_match_the_definition)
{
    const uint32_t L1 = 0x9000, UB = 0x8400;
    for (int round = 0; round < 60; round++) {
        snapshot_reset(&s);
        accounting_free(&a);
        snap_device *d = t_device(&s, 0, "wormhole_b0", 3, 2);
        d->l1_size = L1;
        d->unreserved_base = UB;
        uint32_t p = t_process(&s, 1, "w");
        int n = 1 + (int)rnd(10);
        for (int i = 0; i < n; i++) {
            uint32_t addr = UB - 0x100 + rnd(L1 - UB + 0x100 - 16), size = 1 + rnd(L1 - addr);
            if (rnd(6) == 0) {
                snap_region *g = t_interleaved(&s, 0, p, addr, 1 + rnd(2000), 64 + rnd(256));
                uint64_t w0 = interleaved_bank_bytes(g->total_size, g->page_size, 16, 6, 0);
                if (addr + w0 > L1)
                    g->address = (uint32_t)(L1 - w0);
            } else {
                uint16_t x0 = (uint16_t)rnd(3), y0 = (uint16_t)rnd(2);
                l1top_range r = { x0, y0, (uint16_t)(x0 + rnd(3 - x0)), (uint16_t)(y0 + rnd(2 - y0)) };
                static const l1top_kind kinds[] = { L1TOP_L1_BUFFER, L1TOP_L1_SMALL, L1TOP_CIRCULAR_BUFFER,
                                                    L1TOP_CIRCULAR_BUFFER, L1TOP_KERNEL_CODE };
                t_region(&s, 0, p, kinds[rnd(5)], r, addr, size, "r");
            }
        }
        cr_assert_eq(accounting_compute(&s, &a), 0);
        uint32_t min = UINT32_MAX;
        for (uint16_t y = 0; y < 2; y++)
            for (uint16_t x = 0; x < 3; x++) {
                uint32_t room, extent;
                reference(x, y, &room, &extent);
                cr_assert_eq(core(x, y)->cb_room, room, "round %d core (%u,%u) room %u vs %u", round, x, y,
                             core(x, y)->cb_room, room);
                cr_assert_eq(core(x, y)->cb_extent, extent, "round %d core (%u,%u) extent %u vs %u", round, x, y,
                             core(x, y)->cb_extent, extent);
                if (room < min)
                    min = room;
            }
        cr_assert_eq(a.devices[0].cb_room_min, min);
    }
}

Test(cb_room, a_cb_recorded_before_a_buffer_at_its_address_still_sits_on_it)
{
    t_device(&s, 0, "wormhole_b0", 1, 1);
    uint32_t p = t_process(&s, 10, "model");
    /* Same address, CB first in region order: the sweep meets the CB first. */
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x80000, 0x8000, "global cb");
    t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), 0x80000, 0x10000, "sharded in");
    t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), WH_UB, 0x2000, "cb0");
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(core(0, 0)->cb_room, 0x80000u - WH_UB);
    cr_assert_eq(core(0, 0)->cb_extent, 0x2000);
    cr_assert_eq(core(0, 0)->cb_top_region, 2);
}
