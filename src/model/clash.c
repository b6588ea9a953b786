/*
 * clash.c - which circular buffers overlap which L1 buffers (or L1_SMALL)
 * on one device: each pair of regions named once, with the exact cores
 * and bytes they share.
 *
 * Pairs are found per region, not per core: one sweep of the device's
 * placements by address meets every CB/buffer pair whose address ranges
 * overlap when the later of the two starts; their footprints (a few
 * disjoint rectangles each) then say on how many cores, and on which
 * first. Naming stops at CLASH_PAIRS_LISTED_MAX pairs: the count is then a
 * lower bound (the per-core sweep may raise it) and the device is marked
 * truncated. A work cap bounds the case of thousands of CBs and buffers
 * over each other in address but not in cores. Cost: O(placements +
 * address-overlapping pairs met before the cap), whatever the cores.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/placement.h"

/* Rectangle pairs intersected per device before naming gives up (some
 * milliseconds); the pairs named by then are a lower bound. */
#define CLASH_WORK_MAX (1u << 22)

struct clash_scratch {
    uint32_t *active[2];               /* placements under way: [0] CBs, [1] buffers */
    uint32_t *where;                   /* per placement: its index in active[] */
    size_t cap;                        /* of the per-placement arrays */
    sort_item *items, *items_tmp;      /* CLASH_PAIRS_LISTED_MAX each */
};

clash_scratch *clash_scratch_new(void)
{
    clash_scratch *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->items = malloc(CLASH_PAIRS_LISTED_MAX * sizeof *x->items);
    x->items_tmp = malloc(CLASH_PAIRS_LISTED_MAX * sizeof *x->items_tmp);
    if (!x->items || !x->items_tmp) {
        clash_scratch_free(x);
        return NULL;
    }
    return x;
}

void clash_scratch_free(clash_scratch *x)
{
    if (!x)
        return;
    free(x->active[0]);
    free(x->active[1]);
    free(x->where);
    free(x->items);
    free(x->items_tmp);
    free(x);
}

/* 0 for a CB, 1 for an L1 buffer or L1_SMALL, -1 for kinds that never clash. */
static int side_of(unsigned kind)
{
    return kind == L1TOP_CIRCULAR_BUFFER ? 0 : kind == L1TOP_L1_BUFFER || kind == L1TOP_L1_SMALL ? 1 : -1;
}

/* Cores two placements share, and the first of them in row-major order. */
typedef struct {
    uint64_t cores;
    uint32_t first; /* UINT32_MAX: none */
} meet;

static meet meet_of(const placement_set *ps, uint32_t gx, uint32_t a, uint32_t b, uint64_t *work)
{
    meet m = { 0, UINT32_MAX };
    const rect *ra = ps->rects + ps->p[a].first_rect, *rb = ps->rects + ps->p[b].first_rect;
    uint32_t na = ps->p[a].nrects, nb = ps->p[b].nrects;
    *work += (uint64_t)na * nb;
    for (uint32_t i = 0; i < na; i++)
        for (uint32_t j = 0; j < nb; j++) {
            uint32_t x0 = ra[i].x0 > rb[j].x0 ? ra[i].x0 : rb[j].x0, x1 = ra[i].x1 < rb[j].x1 ? ra[i].x1 : rb[j].x1;
            uint32_t y0 = ra[i].y0 > rb[j].y0 ? ra[i].y0 : rb[j].y0, y1 = ra[i].y1 < rb[j].y1 ? ra[i].y1 : rb[j].y1;
            if (x0 > x1 || y0 > y1)
                continue;
            m.cores += (uint64_t)(x1 - x0 + 1) * (y1 - y0 + 1);
            if (y0 * gx + x0 < m.first)
                m.first = y0 * gx + x0;
        }
    return m;
}

/* A region's placements in index order: itself and its sibling. */
static uint32_t placements_of(const placement *p, uint32_t i, uint32_t out[2])
{
    if (p[i].sibling < 0) {
        out[0] = i;
        return 1;
    }
    uint32_t sib = (uint32_t)p[i].sibling;
    out[0] = sib < i ? sib : i;
    out[1] = sib < i ? i : sib;
    return 2;
}

typedef struct {
    const placement_set *ps;
    uint32_t gx;
    device_usage *du;
    size_t listed_cap;
    uint64_t work;
    size_t pairs;
} finder;

/* Placements c (a CB) and b (a buffer) overlap in address and share cores
 * (m). Their regions form a pair, named here unless an earlier pair of
 * their placements (interleaved regions have two) also meets: it was
 * named there. Cores and bytes are summed over all their placements.
 * 1 when the pair is one past the listing cap (nothing more to name). */
static int name_pair(finder *f, uint32_t c, uint32_t b, meet m)
{
    const placement *p = f->ps->p;
    uint32_t pc[2], pb[2], nc = placements_of(p, c, pc), nb = placements_of(p, b, pb);
    clash_info ci = { p[c].region, p[b].region, 0, 0, 0, 0, 0, 0 };
    uint32_t first = UINT32_MAX;
    for (uint32_t i = 0; i < nc; i++)
        for (uint32_t j = 0; j < nb; j++) {
            uint32_t os = p[pc[i]].start > p[pb[j]].start ? p[pc[i]].start : p[pb[j]].start;
            uint32_t oe = p[pc[i]].end < p[pb[j]].end ? p[pc[i]].end : p[pb[j]].end;
            if (oe <= os)
                continue;
            meet k = pc[i] == c && pb[j] == b ? m : meet_of(f->ps, f->gx, pc[i], pb[j], &f->work);
            if (!k.cores)
                continue;
            if (first == UINT32_MAX && (pc[i] != c || pb[j] != b))
                return 0; /* the first pair that meets names them */
            ci.cores += (uint32_t)k.cores;
            ci.bytes += k.cores * (oe - os);
            if (k.first < first) {
                first = k.first;
                ci.first_x = (uint16_t)(first % f->gx);
                ci.first_y = (uint16_t)(first / f->gx);
                ci.overlap_start = os;
                ci.overlap_end = oe;
            }
        }
    device_usage *du = f->du;
    f->pairs++;
    if (du->nclashes == CLASH_PAIRS_LISTED_MAX)
        return 1;
    if (du->nclashes == f->listed_cap) {
        size_t want = f->listed_cap ? 2 * f->listed_cap : 64;
        if (want > CLASH_PAIRS_LISTED_MAX)
            want = CLASH_PAIRS_LISTED_MAX;
        clash_info *h = realloc(du->clashes, want * sizeof *h);
        if (!h)
            return -1;
        du->clashes = h;
        f->listed_cap = want;
    }
    du->clashes[du->nclashes++] = ci;
    return 0;
}

/* Largest first, ties by (CB, buffer) region: two stable radix passes. */
static int sort_listed(clash_scratch *x, device_usage *du)
{
    size_t n = du->nclashes;
    if (n < 2)
        return 0;
    clash_info *out = malloc(n * sizeof *out);
    if (!out)
        return -1;
    for (size_t i = 0; i < n; i++)
        x->items[i] = (sort_item){ (uint64_t)du->clashes[i].cb_region << 32 | du->clashes[i].buffer_region,
                                   (uint32_t)i };
    radix_sort(x->items, x->items_tmp, n, 64);
    for (size_t i = 0; i < n; i++)
        x->items[i].key = UINT64_MAX - du->clashes[x->items[i].idx].bytes;
    radix_sort(x->items, x->items_tmp, n, 64);
    for (size_t i = 0; i < n; i++)
        out[i] = du->clashes[x->items[i].idx];
    free(du->clashes);
    du->clashes = out;
    return 0;
}

static void active_remove(clash_scratch *x, size_t *nactive, int side, uint32_t e)
{
    uint32_t at = x->where[e], last = x->active[side][--nactive[side]];
    x->active[side][at] = last;
    x->where[last] = at;
}

static int reserve_u32(uint32_t **a, size_t n)
{
    uint32_t *q = malloc(n * sizeof *q);
    if (!q)
        return -1;
    free(*a);
    *a = q;
    return 0;
}

int clash_find(const placement_set *ps, const snap_device *d, const uint32_t *end_order, clash_scratch *x,
               device_usage *du)
{
    size_t n = ps->n;
    const placement *p = ps->p;
    if (n > x->cap) {
        if (reserve_u32(&x->active[0], n) || reserve_u32(&x->active[1], n) || reserve_u32(&x->where, n))
            return -1;
        x->cap = n;
    }
    finder f = { ps, d->grid_x, du, 0, 0, 0 };
    size_t nactive[2] = { 0, 0 }, j = 0;
    int stop = 0;
    for (uint32_t i = 0; i < n && !stop; i++) {
        int side = side_of(p[i].kind);
        if (side < 0)
            continue;
        for (; j < n && p[end_order[j]].end <= p[i].start; j++) {
            uint32_t e = end_order[j];
            int es = side_of(p[e].kind);
            if (es >= 0) /* ended before i starts: it started earlier, so it is under way */
                active_remove(x, nactive, es, e);
        }
        /* Every placement of the other kind under way overlaps i in address. */
        const uint32_t *other = x->active[1 - side];
        for (size_t k = 0; k < nactive[1 - side] && !stop; k++) {
            uint32_t c = side == 0 ? i : other[k], b = side == 0 ? other[k] : i;
            meet m = meet_of(ps, d->grid_x, c, b, &f.work);
            if (m.cores)
                stop = name_pair(&f, c, b, m);
        }
        if (stop < 0)
            return -1;
        if (f.work > CLASH_WORK_MAX && i + 1 < n)
            stop = 1;
        x->where[i] = (uint32_t)nactive[side];
        x->active[side][nactive[side]++] = i;
    }
    du->clash_pairs_at_least = f.pairs;
    du->clashes_truncated = stop != 0;
    return sort_listed(x, du);
}
