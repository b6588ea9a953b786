/*
 * placement.c - a device's regions as placements: address intervals on
 * disjoint rectangles of cores (see placement.h), and the radix sort the
 * model orders them with.
 */
#include "model/placement.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* Ranges of one region checked pairwise for overlap; more, or overlapping
 * ones, are made disjoint through a stamp of the grid. */
#define DISJOINT_CHECK_MAX 8

void radix_sort(sort_item *v, sort_item *tmp, size_t n, unsigned bits)
{
    enum { DIGITS = 8 };
    if (n < 2)
        return;
    uint64_t diff = 0, keep = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    for (size_t i = 1; i < n; i++) /* the digits that differ somewhere: only those need a pass */
        diff |= v[i].key ^ v[0].key;
    diff &= keep;
    unsigned shift[DIGITS] = { 0 }, passes = 0;
    for (unsigned p = 0; p < DIGITS; p++)
        if ((diff >> (8 * p)) & 0xFF)
            shift[passes++] = 8 * p;
    size_t count[DIGITS][256];
    memset(count, 0, passes * sizeof count[0]);
    for (size_t i = 0; i < n; i++) /* every needed digit's histogram in one read */
        for (unsigned p = 0; p < passes; p++)
            count[p][(v[i].key >> shift[p]) & 0xFF]++;
    sort_item *from = v, *to = tmp;
    for (unsigned p = 0; p < passes; p++) {
        size_t *c = count[p], sum = 0;
        for (int d = 0; d < 256; d++) {
            size_t k = c[d];
            c[d] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            to[c[(from[i].key >> shift[p]) & 0xFF]++] = from[i];
        sort_item *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof *v);
}

static int push_rect(placement_set *ps, uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
    if (ps->nrects == ps->rects_cap &&
        grow_array((void **)&ps->rects, &ps->rects_cap, ps->nrects, 1, sizeof *ps->rects))
        return -1;
    ps->rects[ps->nrects++] = (rect){ (uint16_t)x0, (uint16_t)y0, (uint16_t)x1, (uint16_t)y1 };
    return 0;
}

static bool rects_meet(const rect *a, const rect *b)
{
    return a->x0 <= b->x1 && b->x0 <= a->x1 && a->y0 <= b->y1 && b->y0 <= a->y1;
}

/* Rectangles [first, nrects) that overlap become runs along rows, through
 * a stamp of the grid (cost: their cells and bounding box). */
static int make_disjoint(placement_set *ps, const snap_device *d, size_t first)
{
    size_t nc = (size_t)d->grid_x * d->grid_y;
    if (ps->stamp_cap < nc) {
        uint8_t *st = calloc(nc, 1);
        if (!st)
            return -1;
        free(ps->stamp);
        ps->stamp = st;
        ps->stamp_cap = nc;
    }
    rect box = ps->rects[first];
    for (size_t i = first; i < ps->nrects; i++) {
        const rect *r = &ps->rects[i];
        box = (rect){ r->x0 < box.x0 ? r->x0 : box.x0, r->y0 < box.y0 ? r->y0 : box.y0,
                      r->x1 > box.x1 ? r->x1 : box.x1, r->y1 > box.y1 ? r->y1 : box.y1 };
        for (uint32_t y = r->y0; y <= r->y1; y++)
            memset(ps->stamp + (size_t)y * d->grid_x + r->x0, 1, (size_t)r->x1 - r->x0 + 1);
    }
    ps->nrects = first;
    for (uint32_t y = box.y0; y <= box.y1; y++) {
        uint8_t *row = ps->stamp + (size_t)y * d->grid_x;
        for (uint32_t x = box.x0; x <= box.x1; x++) {
            if (!row[x])
                continue;
            uint32_t end = x;
            while (end < box.x1 && row[end + 1])
                end++;
            if (push_rect(ps, x, y, end, y))
                return -1;
            memset(row + x, 0, end - x + 1);
            x = end;
        }
    }
    return 0;
}

/* The placement whose rectangles start at `first`, unless it has none.
 * Copied field by field: a whole-struct copy of the caller's just-built
 * value stalled on store forwarding (a tenth of building them). */
static int finish(placement_set *ps, const placement *pl, size_t first)
{
    if (ps->nrects == first)
        return 0;
    if (ps->n == ps->cap && grow_array((void **)&ps->p, &ps->cap, ps->n, 1, sizeof *ps->p))
        return -1;
    placement *q = &ps->p[ps->n++];
    q->start = pl->start;
    q->end = pl->end;
    q->region = pl->region;
    q->first_rect = (uint32_t)first;
    q->nrects = (uint32_t)(ps->nrects - first);
    q->sibling = -1;
    q->kind = pl->kind;
    return 0;
}

int placement_add_banks(placement_set *ps, const snap_device *d, const placement *pl, uint32_t first, uint32_t last)
{
    uint32_t gx = d->grid_x, nc = gx * d->grid_y;
    if (last > nc)
        last = nc;
    size_t at = ps->nrects;
    if (first < last) {
        /* a partial first row, whole rows, a partial last row */
        uint32_t ya = first / gx, xa = first % gx, yb = (last - 1) / gx, xb = (last - 1) % gx;
        if (ya == yb || xa)
            if (push_rect(ps, xa, ya, ya == yb ? xb : gx - 1, ya))
                return -1;
        uint32_t y0 = ya == yb || xa ? ya + 1 : ya, y1 = xb == gx - 1 ? yb : yb - 1;
        if (ya != yb && y0 <= y1 && y1 != UINT32_MAX && push_rect(ps, 0, y0, gx - 1, y1))
            return -1;
        if (ya != yb && xb != gx - 1 && push_rect(ps, 0, yb, xb, yb))
            return -1;
    }
    return finish(ps, pl, at);
}

int placement_add_ranges(placement_set *ps, const snap_device *d, const placement *pl, const l1top_range *g,
                         uint32_t n)
{
    size_t at = ps->nrects;
    for (uint32_t i = 0; i < n; i++) {
        if (g[i].x0 > g[i].x1 || g[i].y0 > g[i].y1 || g[i].x0 >= d->grid_x || g[i].y0 >= d->grid_y)
            continue;
        uint32_t x1 = g[i].x1 < d->grid_x ? g[i].x1 : d->grid_x - 1u;
        uint32_t y1 = g[i].y1 < d->grid_y ? g[i].y1 : d->grid_y - 1u;
        if (push_rect(ps, g[i].x0, g[i].y0, x1, y1))
            return -1;
    }
    bool disjoint = ps->nrects - at <= DISJOINT_CHECK_MAX;
    for (size_t i = at; disjoint && i < ps->nrects; i++)
        for (size_t j = i + 1; disjoint && j < ps->nrects; j++)
            disjoint = !rects_meet(&ps->rects[i], &ps->rects[j]);
    if (!disjoint && make_disjoint(ps, d, at))
        return -1;
    return finish(ps, pl, at);
}

void placement_set_free(placement_set *ps)
{
    free(ps->p);
    free(ps->rects);
    free(ps->stamp);
    memset(ps, 0, sizeof *ps);
}
