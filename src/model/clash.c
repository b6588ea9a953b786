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

/* A placement under way, with the box around its cores: most candidates
 * are told apart by the boxes alone. */
typedef struct {
    rect box;
    uint32_t idx;
    uint32_t single;  /* its cores are exactly the box */
} active_entry;

struct clash_scratch {
    active_entry *active[2];           /* placements under way: [0] CBs, [1] buffers */
    uint32_t *where;                   /* per placement: its index in active[] */
    size_t cap;                        /* of the per-placement arrays */
    uint32_t *hits;                    /* per placement: candidates whose boxes meet */
    clash_info *named;                 /* the pairs named, in order */
    sort_item *items, *items_tmp;      /* CLASH_PAIRS_LISTED_MAX each */
};

clash_scratch *clash_scratch_new(void)
{
    clash_scratch *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->named = malloc(CLASH_PAIRS_LISTED_MAX * sizeof *x->named);
    x->items = malloc(CLASH_PAIRS_LISTED_MAX * sizeof *x->items);
    x->items_tmp = malloc(CLASH_PAIRS_LISTED_MAX * sizeof *x->items_tmp);
    if (!x->named || !x->items || !x->items_tmp) {
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
    free(x->hits);
    free(x->named);
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
    clash_info *named;                 /* CLASH_PAIRS_LISTED_MAX */
    size_t nnamed;
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
    f->pairs++;
    if (f->nnamed == CLASH_PAIRS_LISTED_MAX)
        return 1;
    f->named[f->nnamed++] = ci;
    return 0;
}

/* Largest first; ties in the order named (the sweep's, deterministic):
 * one stable radix sort. */
static int sort_listed(clash_scratch *x, const clash_info *named, size_t n, device_usage *du)
{
    du->clashes = malloc((n ? n : 1) * sizeof *du->clashes);
    if (!du->clashes)
        return -1;
    for (size_t i = 0; i < n; i++)
        x->items[i] = (sort_item){ UINT64_MAX - named[i].bytes, (uint32_t)i };
    radix_sort(x->items, x->items_tmp, n, 64);
    for (size_t i = 0; i < n; i++)
        du->clashes[i] = named[x->items[i].idx];
    du->nclashes = n;
    return 0;
}

static void active_remove(clash_scratch *x, size_t *nactive, int side, uint32_t e)
{
    uint32_t at = x->where[e];
    active_entry last = x->active[side][--nactive[side]];
    x->active[side][at] = last;
    x->where[last.idx] = at;
}

static bool boxes_meet(const rect *a, const rect *b)
{
    return (a->x0 <= b->x1) & (b->x0 <= a->x1) & (a->y0 <= b->y1) & (b->y0 <= a->y1);
}

static rect box_of(const placement_set *ps, const placement *p)
{
    const rect *r = ps->rects + p->first_rect;
    rect box = r[0];
    for (uint32_t i = 1; i < p->nrects; i++)
        box = (rect){ r[i].x0 < box.x0 ? r[i].x0 : box.x0, r[i].y0 < box.y0 ? r[i].y0 : box.y0,
                      r[i].x1 > box.x1 ? r[i].x1 : box.x1, r[i].y1 > box.y1 ? r[i].y1 : box.y1 };
    return box;
}

static int reserve_array(void **a, size_t n, size_t size)
{
    void *q = malloc(n * size);
    if (!q)
        return -1;
    free(*a);
    *a = q;
    return 0;
}

/* Placement i (of `side`) starts: every placement of the other kind under
 * way overlaps it in address; those that also share cores are named.
 * 1 when naming is over (cap reached), -1 when memory ran out. */
static int meet_under_way(finder *f, clash_scratch *x, size_t nother, uint32_t i, int side, rect box)
{
    const placement *p = f->ps->p;
    const active_entry *other = x->active[1 - side];
    size_t nhits = 0;
    for (size_t k = 0; k < nother; k++) { /* without branches: most boxes miss, unpredictably */
        x->hits[nhits] = (uint32_t)k;
        nhits += boxes_meet(&box, &other[k].box);
    }
    f->work += nother;
    bool single = p[i].nrects == 1;
    for (size_t h = 0; h < nhits; h++) {
        const active_entry *q = &other[x->hits[h]];
        uint32_t o = q->idx, c = side == 0 ? i : o, b = side == 0 ? o : i;
        meet m;
        if (single && q->single) { /* the boxes are the footprints */
            uint32_t x0 = box.x0 > q->box.x0 ? box.x0 : q->box.x0, x1 = box.x1 < q->box.x1 ? box.x1 : q->box.x1;
            uint32_t y0 = box.y0 > q->box.y0 ? box.y0 : q->box.y0, y1 = box.y1 < q->box.y1 ? box.y1 : q->box.y1;
            m = (meet){ (uint64_t)(x1 - x0 + 1) * (y1 - y0 + 1), y0 * f->gx + x0 };
        } else {
            m = meet_of(f->ps, f->gx, c, b, &f->work);
            if (!m.cores)
                continue;
        }
        int rc = name_pair(f, c, b, m);
        if (rc)
            return rc;
    }
    return 0;
}

int clash_find(const placement_set *ps, const snap_device *d, const uint32_t *end_order, clash_scratch *x,
               device_usage *du)
{
    size_t n = ps->n;
    const placement *p = ps->p;
    if (n > x->cap) {
        if (reserve_array((void **)&x->active[0], n, sizeof(active_entry)) ||
            reserve_array((void **)&x->active[1], n, sizeof(active_entry)) ||
            reserve_array((void **)&x->where, n, sizeof(uint32_t)) ||
            reserve_array((void **)&x->hits, n, sizeof(uint32_t)))
            return -1;
        x->cap = n;
    }
    finder f = { ps, d->grid_x, x->named, 0, 0, 0 };
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
        rect box = box_of(ps, &p[i]);
        stop = meet_under_way(&f, x, nactive[1 - side], i, side, box);
        if (stop < 0)
            return -1;
        if (f.work > CLASH_WORK_MAX && i + 1 < n)
            stop = 1;
        x->where[i] = (uint32_t)nactive[side];
        x->active[side][nactive[side]++] = (active_entry){ box, i, p[i].nrects == 1 };
    }
    du->clash_pairs_at_least = f.pairs;
    du->clashes_truncated = stop != 0;
    return sort_listed(x, f.named, f.nnamed, du);
}
