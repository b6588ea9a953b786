/*
 * The per-core sweep and the pair finder against byte-wise references, on
 * the inputs their shortcuts are for: interleaved L1 buffers over every
 * bank (the device-wide layer, with the banks holding a page more going
 * on alone), full-grid buffers, zones moved by the unreserved base,
 * intervals past the end of L1, overlapping ranges of one region, and more
 * CB/buffer pairs than are listed.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "acct_fixture.h"
#include "arch.h"

TestSuite(sweep, .init = acct_setup, .fini = acct_teardown);

static uint64_t rnd_state = 777;
static uint32_t rnd(uint32_t n) { return t_rnd(&rnd_state, n); }

static l1top_range random_range(uint16_t gx, uint16_t gy)
{
    uint16_t x0 = (uint16_t)rnd(gx), y0 = (uint16_t)rnd(gy);
    return (l1top_range){ x0, y0, (uint16_t)(x0 + rnd(gx - x0)), (uint16_t)(y0 + rnd(gy - y0)) };
}

/* A device of random size and zones, with regions that exercise the layer. */
static void random_device(uint32_t l1, uint32_t nregions)
{
    static const uint16_t grids[][2] = { { 1, 1 }, { 3, 2 }, { 4, 4 }, { 5, 1 } };
    const uint16_t *g = grids[rnd(4)];
    snap_device *d = t_device(&s, 0, "wormhole_b0", g[0], g[1]);
    d->l1_size = l1;
    d->unreserved_base = 0x400 + rnd(l1 - 0x400); /* MEM_MAP_END is above or below it */
    uint32_t p = t_process(&s, 1, "w"), nc = (uint32_t)g[0] * g[1];
    for (uint32_t i = 0; i < nregions; i++) {
        uint32_t addr = rnd(l1 + 0x200); /* some start or end past L1 */
        switch (rnd(6)) {
        case 0:
        case 1: { /* interleaved: fewer pages than banks, a multiple of them, or some over */
            uint32_t page = 16 * (1 + rnd(32));
            uint32_t pages = rnd(3) == 0 ? 1 + rnd(nc) : nc * (1 + rnd(4)) + rnd(2) * rnd(nc);
            t_interleaved(&s, 0, p, addr, (uint64_t)pages * page - rnd(page), page);
            break;
        }
        case 2: /* a full-grid buffer joins the layer too */
            t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, (uint16_t)(g[0] - 1), (uint16_t)(g[1] - 1) }),
                     addr, 1 + rnd(l1 / 4), "full");
            break;
        case 3: { /* two ranges of one region that overlap */
            l1top_range two[2] = { random_range(g[0], g[1]), random_range(g[0], g[1]) };
            snap_region *r = snapshot_add_region(&s, two, 2);
            r->device = 0;
            r->process = p;
            r->kind = (uint8_t)(1 + rnd(6));
            r->address = addr;
            r->size_per_core = 1 + rnd(l1 / 4);
            break;
        }
        default:
            t_region(&s, 0, p, (l1top_kind)(1 + rnd(6)), random_range(g[0], g[1]), addr, 1 + rnd(l1 / 4), "r");
        }
    }
}

Test(sweep, layer_and_cores_match_bytewise_reference)
{
    enum { L1 = 0x3000 };
    static uint8_t owner[L1];
    static bool cb[L1], buf[L1];
    for (int round = 0; round < 300; round++) {
        snapshot_reset(&s);
        accounting_free(&a);
        random_device(L1, 1 + rnd(40));
        const snap_device *d = &s.devices[0];
        uint32_t ub = d->unreserved_base, fw = arch_firmware_end(d->arch, ub);
        cr_assert_eq(accounting_compute(&s, &a), 0);
        for (uint16_t y = 0; y < d->grid_y; y++)
            for (uint16_t x = 0; x < d->grid_x; x++) {
                memset(owner, 0, sizeof owner);
                memset(cb, 0, sizeof cb);
                memset(buf, 0, sizeof buf);
                for (size_t ri = 0; ri < s.nregions; ri++) {
                    const snap_region *r = &s.regions[ri];
                    uint64_t b = region_bytes_on_core(&s, r, x, y);
                    for (uint64_t k = r->address; k < r->address + b && k < L1; k++) {
                        owner[k] = !owner[k] || owner[k] > r->kind ? r->kind : owner[k];
                        cb[k] |= r->kind == L1TOP_CIRCULAR_BUFFER;
                        buf[k] |= r->kind == L1TOP_L1_BUFFER || r->kind == L1TOP_L1_SMALL;
                    }
                }
                uint64_t want[CAT_COUNT] = { 0 }, clash = 0, largest = 0, run = 0;
                for (uint32_t k = 0; k < L1; k++) {
                    want[owner[k] ? owner[k] - 1u : k < fw ? CAT_FIRMWARE : k < ub ? CAT_KERNEL_CONFIG : CAT_FREE]++;
                    clash += cb[k] && buf[k];
                    run = !owner[k] && k >= ub ? run + 1 : 0;
                    largest = run > largest ? run : largest;
                }
                const core_usage *u = &a.devices[0].cores[y * d->grid_x + x];
                for (int k = 0; k < CAT_COUNT; k++)
                    cr_assert_eq(u->bytes[k], want[k], "round %d core (%u,%u) %s: %llu, byte-wise %llu", round, x, y,
                                 category_key[k], (unsigned long long)u->bytes[k], (unsigned long long)want[k]);
                cr_assert_eq(u->largest_free, largest, "round %d core (%u,%u): largest free %llu, byte-wise %llu",
                             round, x, y, (unsigned long long)u->largest_free, (unsigned long long)largest);
                cr_assert_eq(u->clash_bytes, clash, "round %d core (%u,%u): clash bytes", round, x, y);
            }
    }
}

/* Bytes [*s, *e) region r holds on core (x, y); false if none. */
static bool span_on(const snap_region *r, uint16_t x, uint16_t y, uint32_t l1, uint64_t *st, uint64_t *en)
{
    uint64_t b = region_bytes_on_core(&s, r, x, y);
    *st = r->address;
    *en = r->address + b < l1 ? r->address + b : l1;
    return b && *st < *en;
}

/* A device of gx x gy cores with 1 MiB of L1 from 0x8000 up, and its process. */
#define PAIRS_L1 (1u << 20)
static uint32_t pairs_device(uint16_t gx, uint16_t gy)
{
    snap_device *d = t_device(&s, 0, "wormhole_b0", gx, gy);
    d->l1_size = PAIRS_L1;
    d->unreserved_base = 0x8000;
    return t_process(&s, 1, "w");
}

Test(sweep, pairs_past_the_cap_are_a_true_lower_bound_and_listed_ones_exact)
{
    /* 120 CBs and 120 buffers (interleaved, full-grid, sharded) over each
     * other on a 4x4 grid: far more than 4,096 pairs. */
    enum { L1 = PAIRS_L1 };
    uint32_t p = pairs_device(4, 4);
    for (int i = 0; i < 120; i++) {
        uint32_t addr = 0x8000 + 64 * (uint32_t)i;
        t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, random_range(4, 4), addr, 0x4000 + rnd(0x4000), "cb");
        if (i % 3 == 0)
            t_interleaved(&s, 0, p, addr + 32, 16 * 1024 + rnd(8192), 1024);
        else if (i % 3 == 1)
            t_region(&s, 0, p, L1TOP_L1_BUFFER, ((l1top_range){ 0, 0, 3, 3 }), addr + 32, 0x2000, "full");
        else
            t_region(&s, 0, p, L1TOP_L1_SMALL, random_range(4, 4), addr + 32, 0x2000, "small");
    }
    cr_assert_eq(accounting_compute(&s, &a), 0);
    const device_usage *du = &a.devices[0];
    size_t pairs = 0;
    for (size_t i = 0; i < s.nregions; i++)
        for (size_t j = 0; j < s.nregions; j++) {
            if (s.regions[i].kind != L1TOP_CIRCULAR_BUFFER || s.regions[j].kind == L1TOP_CIRCULAR_BUFFER)
                continue;
            bool meet = false;
            for (uint16_t c = 0; c < 16 && !meet; c++) {
                uint64_t s0, e0, s1, e1;
                meet = span_on(&s.regions[i], c % 4, c / 4, L1, &s0, &e0) &&
                       span_on(&s.regions[j], c % 4, c / 4, L1, &s1, &e1) && s0 < e1 && s1 < e0;
            }
            pairs += meet;
        }
    cr_assert_gt(pairs, CLASH_PAIRS_LISTED_MAX, "the case needs more pairs than are listed: %zu", pairs);
    cr_assert(du->clashes_truncated);
    cr_assert_eq(du->nclashes, CLASH_PAIRS_LISTED_MAX);
    cr_assert_gt(du->clash_pairs_at_least, CLASH_PAIRS_LISTED_MAX);
    cr_assert_leq(du->clash_pairs_at_least, pairs, "a lower bound: %zu of %zu", du->clash_pairs_at_least, pairs);
    for (size_t k = 0; k < du->nclashes; k++) { /* every listed pair: its cores and bytes, exactly */
        const clash_info *ci = &du->clashes[k];
        uint32_t cores = 0, first = UINT32_MAX;
        uint64_t bytes = 0;
        for (uint16_t c = 0; c < 16; c++) {
            uint64_t s0, e0, s1, e1;
            if (!span_on(&s.regions[ci->cb_region], c % 4, c / 4, L1, &s0, &e0) ||
                !span_on(&s.regions[ci->buffer_region], c % 4, c / 4, L1, &s1, &e1) || s0 >= e1 || s1 >= e0)
                continue;
            cores++;
            bytes += (e0 < e1 ? e0 : e1) - (s0 > s1 ? s0 : s1);
            first = c < first ? c : first;
        }
        cr_assert_eq(ci->cores, cores, "pair %zu: cores", k);
        cr_assert_eq(ci->bytes, bytes, "pair %zu: bytes", k);
        cr_assert_eq(ci->first_y * 4u + ci->first_x, first, "pair %zu: first core", k);
        if (k > 0)
            cr_assert_geq(du->clashes[k - 1].bytes, ci->bytes, "largest first");
    }
}

Test(sweep, pairs_counted_on_one_core_are_exact_when_every_region_covers_it)
{
    /* Every region on every core: the widest core (bank 0) meets every pair,
     * so the most pairs on one core is the exact count, through the layer
     * (interleaved and full-grid buffers) and the banks that go on alone. */
    enum { L1 = PAIRS_L1 };
    uint32_t p = pairs_device(2, 2);
    for (int i = 0; i < 150; i++) {
        uint32_t addr = 0x8000 + 256 * rnd(200);
        t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 1, 1 }), addr, 0x1000 + rnd(0x4000), "cb");
        if (i % 2)
            t_interleaved(&s, 0, p, 0x8000 + 256 * rnd(200), 4 * 1024 * (1 + rnd(4)) + 512 * rnd(8), 512);
        else
            t_region(&s, 0, p, i % 4 ? L1TOP_L1_BUFFER : L1TOP_L1_SMALL, ((l1top_range){ 0, 0, 1, 1 }),
                     0x8000 + 256 * rnd(200), 0x1000 + rnd(0x2000), "buf");
    }
    cr_assert_eq(accounting_compute(&s, &a), 0);
    size_t pairs = 0;
    for (size_t i = 0; i < s.nregions; i++)
        for (size_t j = 0; j < s.nregions; j++) {
            uint64_t s0, e0, s1, e1;
            pairs += s.regions[i].kind == L1TOP_CIRCULAR_BUFFER && s.regions[j].kind != L1TOP_CIRCULAR_BUFFER &&
                     span_on(&s.regions[i], 0, 0, L1, &s0, &e0) && span_on(&s.regions[j], 0, 0, L1, &s1, &e1) &&
                     s0 < e1 && s1 < e0;
        }
    cr_assert_gt(pairs, CLASH_PAIRS_LISTED_MAX, "the case needs more pairs than are listed: %zu", pairs);
    cr_assert(a.devices[0].clashes_truncated);
    cr_assert_eq(a.devices[0].clash_pairs_at_least, pairs);
}
