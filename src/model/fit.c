/*
 * fit.c - the fit engine (fit.h): a SPEC's buffers placed as TT-Metal's
 * L1 allocator would place them, then its CBs checked as TT-Metal's
 * program validation would check them; where not, the cores and the
 * regions in the way. Pure.
 */
#include "model/fit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "grow.h"

typedef struct {
    uint32_t start, end;
    int32_t region;       /* snapshot region, or -2 a SPEC buffer */
    uint32_t term;        /* the SPEC buffer's term */
} span;

typedef struct {
    span *v;
    size_t n, cap;
} span_list;

/* A SPEC buffer the engine placed. */
typedef struct {
    uint32_t term, start, end;
} placed;

typedef struct {
    const snapshot *s;
    const snap_device *d;
    const device_usage *du;
    const fit_spec *spec;
    uint32_t dev, ncores;
    uint32_t ub, top;         /* the L1 allocator's range [ub, top): below L1_SMALL */
    uint32_t dalign;          /* its free list's alignment (DRAM alignment, bank_manager.cpp) */
    span_list used;           /* lockstep: every L1 buffer's reservation, merged */
    span_list core;           /* scratch: one core's buffers */
    span_list bufs;           /* the device's L1 buffers, unmerged: what a core's view starts from */
    placed put[FIT_MAX_TERMS];
    size_t nput;
} fit_ctx;

static int push(span_list *l, span v)
{
    if (grow_array((void **)&l->v, &l->cap, l->n, 1, sizeof *l->v) != 0)
        return -1;
    l->v[l->n++] = v;
    return 0;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* What an L1 buffer reserves on each bank it is on: TT-Metal gives an
 * interleaved buffer ceil(pages / banks) aligned pages on every bank. */
static uint64_t reservation(const fit_ctx *c, const snap_region *r)
{
    if (r->interleaved)
        return interleaved_bank_bytes(r->total_size, r->page_size, c->d->alignment, c->ncores, 0);
    return r->size_per_core;
}

static bool covers(const l1top_range *g, size_t n, uint16_t x, uint16_t y)
{
    for (size_t i = 0; i < n; i++)
        if (x >= g[i].x0 && x <= g[i].x1 && y >= g[i].y0 && y <= g[i].y1)
            return true;
    return false;
}

static bool region_on(const fit_ctx *c, const snap_region *r, uint16_t x, uint16_t y)
{
    return r->interleaved || covers(snapshot_region_ranges(c->s, r), r->nranges, x, y);
}

/* [start, end) clipped to the allocator's range; false when nothing is left. */
static bool clip(const fit_ctx *c, uint64_t start, uint64_t end, span *out)
{
    uint64_t a = start > c->ub ? start : c->ub, b = end < c->top ? end : c->top;
    if (a >= b)
        return false;
    out->start = (uint32_t)a;
    out->end = (uint32_t)b;
    return true;
}

/* The device's L1 buffers at their addresses (bufs), and merged: the one
 * free list every bank shares (used). */
static int build_lockstep(fit_ctx *c)
{
    c->bufs.n = 0;
    for (uint32_t ri = 0; ri < c->s->nregions; ri++) {
        const snap_region *r = &c->s->regions[ri];
        span v = { 0, 0, (int32_t)ri, 0 };
        if (r->device == c->dev && r->kind == L1TOP_L1_BUFFER &&
            clip(c, r->address, (uint64_t)r->address + reservation(c, r), &v) && (push(&c->used, v) || push(&c->bufs, v)))
            return -1;
    }
    if (c->used.n > 1) { /* qsort wants a non-NULL base even for nothing */
        qsort(c->used.v, c->used.n, sizeof *c->used.v, cmp_span);
        qsort(c->bufs.v, c->bufs.n, sizeof *c->bufs.v, cmp_span);
    }
    size_t m = 0;
    for (size_t i = 0; i < c->used.n; i++) {
        if (m && c->used.v[i].start <= c->used.v[m - 1].end) {
            if (c->used.v[i].end > c->used.v[m - 1].end)
                c->used.v[m - 1].end = c->used.v[i].end;
        } else {
            c->used.v[m++] = c->used.v[i];
        }
    }
    c->used.n = m;
    return 0;
}

/* Holes of a sorted, disjoint span list in [ub, top), walked top-down:
 * hole i (0 = highest) into [*a, *b); false past the lowest. */
static bool hole(const fit_ctx *c, const span_list *l, size_t i, uint32_t *a, uint32_t *b)
{
    if (i > l->n)
        return false;
    size_t k = l->n - i; /* the hole below span k (k == n: below top) */
    *b = k == l->n ? c->top : l->v[k].start;
    *a = k == 0 ? c->ub : l->v[k - 1].end;
    return true;
}

static uint64_t largest_hole(const fit_ctx *c, const span_list *l, size_t *at)
{
    uint64_t best = 0;
    uint32_t a, b;
    *at = 0;
    for (size_t i = 0; hole(c, l, i, &a, &b); i++)
        if (b > a && b - a > best) {
            best = b - a;
            *at = i;
        }
    return best;
}

/* Insert [start, end) into the merged lockstep list, kept sorted. */
/* v into a list sorted by start, kept sorted (a SPEC adds a few). */
static int insert_sorted(span_list *l, span v)
{
    if (push(l, v))
        return -1;
    size_t i = l->n - 1;
    for (; i > 0 && l->v[i - 1].start > v.start; i--)
        l->v[i] = l->v[i - 1];
    l->v[i] = v;
    return 0;
}

static int occupy(fit_ctx *c, uint32_t start, uint32_t end, uint32_t term)
{
    return insert_sorted(&c->used, (span){ start, end, -2, term });
}

static bool term_on(const fit_term *t, uint16_t x, uint16_t y)
{
    return t->kind == FIT_INTERLEAVED || covers(t->ranges, t->nranges, x, y);
}

static void set_in_the_way(fit_core *fc, const span *v, uint16_t x, uint16_t y)
{
    fc->region = v ? v->region : -1;
    fc->spec_term = v ? v->term : 0;
    fc->start = v ? v->start : 0;
    fc->end = v ? v->end : 0;
    fc->rx = x;
    fc->ry = y;
}

/* One core's buffers (snapshot and SPEC ones placed so far), sorted by start. */
static int core_buffers(fit_ctx *c, uint16_t x, uint16_t y)
{
    c->core.n = 0;
    for (size_t i = 0; i < c->bufs.n; i++) /* sorted once per device: stays sorted */
        if (region_on(c, &c->s->regions[c->bufs.v[i].region], x, y) && push(&c->core, c->bufs.v[i]))
            return -1;
    for (size_t i = 0; i < c->nput; i++)
        if (term_on(&c->spec->terms[c->put[i].term], x, y) &&
            insert_sorted(&c->core, (span){ c->put[i].start, c->put[i].end, -2, c->put[i].term }))
            return -1;
    return 0;
}

/* The largest hole among one core's buffers (sorted by start, overlaps
 * allowed) in [ub, top), and the buffer bounding it: the one just above it,
 * or when it reaches the top, the one below it (NULL: none). */
static uint64_t core_largest_hole(const fit_ctx *c, const span **way)
{
    uint32_t cursor = c->ub;
    const span *below = NULL;
    uint64_t best = 0;
    *way = NULL;
    for (size_t i = 0; i < c->core.n; i++) {
        const span *v = &c->core.v[i];
        if (v->start > cursor && v->start - cursor > best) {
            best = v->start - cursor;
            *way = v;
        }
        if (v->end > cursor) {
            cursor = v->end;
            below = v;
        }
    }
    if (c->top > cursor && c->top - cursor > best) {
        best = c->top - cursor;
        *way = below;
    }
    return best;
}

static int add_failing(fit_term_result *res, const fit_core *fc, size_t max)
{
    if (res->nfailing == 0) {
        res->failing = calloc(max ? max : 1, sizeof *res->failing);
        if (!res->failing)
            return -1;
    }
    if (res->nfailing < max)
        res->failing[res->nfailing++] = *fc;
    return 0;
}

/* No address for the buffer: which of its banks could not take it even
 * alone, and what bounds each one's largest hole (the buffer above it, or
 * below it when the hole reaches the top). */
static int why_no_address(fit_ctx *c, const fit_term *t, uint64_t alloc, fit_term_result *res)
{
    for (uint32_t k = 0; k < c->ncores; k++) {
        uint16_t x = (uint16_t)(k % c->d->grid_x), y = (uint16_t)(k / c->d->grid_x);
        if (!term_on(t, x, y))
            continue;
        if (core_buffers(c, x, y))
            return -1;
        const span *way;
        uint64_t best = core_largest_hole(c, &way);
        if (best >= alloc)
            continue;
        fit_core fc = { x, y, best, best, alloc, -1, 0, 0, x, y, 0 };
        set_in_the_way(&fc, way, x, y);
        if (add_failing(res, &fc, c->ncores))
            return -1;
    }
    return 0;
}

/* Cores whose current CBs reach past addr: the next program with the same
 * CBs would be refused once the buffer sits there. */
static void warn_cbs(fit_ctx *c, uint32_t addr, fit_term_result *res)
{
    for (uint32_t k = 0; k < c->ncores; k++) {
        const core_usage *u = &c->du->cores[k];
        if (u->cb_extent == 0 || (uint64_t)c->ub + u->cb_extent <= addr)
            continue;
        if (res->warn_cores++ == 0) {
            uint16_t x = (uint16_t)(k % c->d->grid_x), y = (uint16_t)(k / c->d->grid_x);
            const snap_region *cb = u->cb_top_region >= 0 ? &c->s->regions[u->cb_top_region] : NULL;
            res->warn_first = (fit_core){ x, y, addr > c->ub ? addr - c->ub : 0, u->cb_room, u->cb_extent,
                                          u->cb_top_region, cb ? cb->address : 0, c->ub + u->cb_extent, x, y, 0 };
        }
    }
}

static bool ranges_inside(const fit_ctx *c, const fit_term *t, fit_term_result *res)
{
    for (size_t i = 0; i < t->nranges; i++)
        if (t->ranges[i].x1 >= c->d->grid_x || t->ranges[i].y1 >= c->d->grid_y) {
            snprintf(res->reason, sizeof res->reason, "core range %u-%u..%u-%u is not inside the %ux%u grid",
                     t->ranges[i].x0, t->ranges[i].y0, t->ranges[i].x1, t->ranges[i].y1, c->d->grid_x,
                     c->d->grid_y);
            return false;
        }
    return true;
}

/* A buffer term: top-down first fit over the shared free list. */
static int place_buffer(fit_ctx *c, size_t ti, fit_term_result *res)
{
    const fit_term *t = &c->spec->terms[ti];
    if (!ranges_inside(c, t, res))
        return 0;
    uint64_t need = t->kind == FIT_INTERLEAVED
                        ? interleaved_bank_bytes(t->size, (uint32_t)t->page, c->d->alignment, c->ncores, 0)
                        : align_up(t->size, c->d->alignment);
    uint64_t alloc = align_up(need, c->dalign);
    size_t at;
    res->need = alloc;
    res->largest_free = largest_hole(c, &c->used, &at);
    uint32_t a, b;
    for (size_t i = 0; hole(c, &c->used, i, &a, &b); i++) {
        if (b < a || b - a < alloc)
            continue;
        uint32_t addr = (uint32_t)((b - alloc) / c->dalign * c->dalign);
        if (addr < a)
            continue;
        res->fits = res->placed = true;
        res->address = addr;
        c->put[c->nput++] = (placed){ (uint32_t)ti, addr, (uint32_t)(addr + alloc) };
        warn_cbs(c, addr, res);
        return occupy(c, addr, (uint32_t)(addr + alloc), (uint32_t)ti);
    }
    snprintf(res->reason, sizeof res->reason,
             "no address: the largest block free at one address on every bank is %llu B, %llu B needed per bank",
             (unsigned long long)res->largest_free, (unsigned long long)alloc);
    return why_no_address(c, t, alloc, res);
}

/* CB room of core k once the SPEC's buffers are placed, and what bounds it. */
static uint64_t room_after(const fit_ctx *c, uint32_t k, span *bound)
{
    const core_usage *u = &c->du->cores[k];
    uint16_t x = (uint16_t)(k % c->d->grid_x), y = (uint16_t)(k / c->d->grid_x);
    uint64_t room = u->cb_room;
    *bound = (span){ 0, 0, u->cb_room_region, 0 };
    if (u->cb_room_region >= 0) {
        const snap_region *r = &c->s->regions[u->cb_room_region];
        bound->start = r->address;
        bound->end = (uint32_t)(r->address + (r->interleaved ? reservation(c, r) : r->size_per_core));
    }
    for (size_t i = 0; i < c->nput; i++)
        if (term_on(&c->spec->terms[c->put[i].term], x, y) && c->put[i].start - c->ub < room) {
            room = c->put[i].start - c->ub;
            *bound = (span){ c->put[i].start, c->put[i].end, -2, c->put[i].term };
        }
    return room;
}

/* The program's CBs on core k, stacked upward from the base in SPEC order,
 * each at the allocator's alignment: where the last one ends, less the base. */
static uint64_t cb_need(const fit_ctx *c, uint32_t k)
{
    uint16_t x = (uint16_t)(k % c->d->grid_x), y = (uint16_t)(k / c->d->grid_x);
    uint64_t cursor = c->ub;
    bool any = false;
    for (size_t i = 0; i < c->spec->nterms; i++) {
        const fit_term *t = &c->spec->terms[i];
        if (t->kind == FIT_CB && covers(t->ranges, t->nranges, x, y)) {
            cursor = align_up(cursor, c->dalign) + t->size;
            any = true;
        }
    }
    return any ? cursor - c->ub : 0;
}

/* The CB terms: TT-Metal refuses the program when its CB region on any
 * core ends past the lowest L1 buffer of the device. */
static int check_cbs(fit_ctx *c, fit_device *out)
{
    uint64_t dev_room = UINT64_MAX;
    span dev_bound = { 0, 0, -1, 0 };
    uint32_t dev_core = 0;
    for (uint32_t k = 0; k < c->ncores; k++) {
        span b;
        uint64_t r = room_after(c, k, &b);
        if (r < dev_room) {
            dev_room = r;
            dev_bound = b;
            dev_core = k;
        }
    }
    for (size_t ti = 0; ti < c->spec->nterms; ti++) {
        const fit_term *t = &c->spec->terms[ti];
        fit_term_result *res = &out->terms[ti];
        if (t->kind != FIT_CB || !ranges_inside(c, t, res))
            continue;
        res->fits = true;
        for (uint32_t k = 0; k < c->ncores; k++) {
            uint16_t x = (uint16_t)(k % c->d->grid_x), y = (uint16_t)(k / c->d->grid_x);
            if (!covers(t->ranges, t->nranges, x, y))
                continue;
            uint64_t need = cb_need(c, k);
            if (need > res->need)
                res->need = need;
            if (need <= dev_room)
                continue;
            span own;
            uint64_t core_room = room_after(c, k, &own);
            fit_core fc = { x, y, dev_room, core_room, need, -1, 0, 0, x, y, 0 };
            if (core_room < need)
                set_in_the_way(&fc, &own, x, y);
            else
                set_in_the_way(&fc, &dev_bound, (uint16_t)(dev_core % c->d->grid_x),
                               (uint16_t)(dev_core / c->d->grid_x));
            if (fc.region == -1)
                fc.end = fc.start = 0;
            if (add_failing(res, &fc, c->ncores))
                return -1;
            res->fits = false;
        }
        if (!res->fits)
            snprintf(res->reason, sizeof res->reason,
                     "CBs need up to %llu B above the base on %zu core(s); TT-Metal allows %llu B on this device",
                     (unsigned long long)res->need, res->nfailing, (unsigned long long)dev_room);
    }
    return 0;
}

static int fit_device_compute(fit_ctx *c, fit_device *out)
{
    out->fits = true;
    if (build_lockstep(c))
        return -1;
    for (size_t ti = 0; ti < c->spec->nterms; ti++)
        if (c->spec->terms[ti].kind != FIT_CB && place_buffer(c, ti, &out->terms[ti]))
            return -1;
    if (check_cbs(c, out))
        return -1;
    for (size_t ti = 0; ti < c->spec->nterms; ti++)
        out->fits &= out->terms[ti].fits;
    return 0;
}

int fit_compute(const snapshot *s, const accounting *a, const fit_spec *spec, bool (*selected)(uint32_t id, void *ctx),
                void *ctx, fit_answer *out)
{
    memset(out, 0, sizeof *out);
    out->fits = true;
    out->nterms = spec->nterms;
    out->devices = calloc(a->ndevices ? a->ndevices : 1, sizeof *out->devices);
    if (!out->devices)
        return -1;
    fit_ctx c;
    memset(&c, 0, sizeof c);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->ndevices; i++) {
        const device_usage *du = &a->devices[i];
        const snap_device *d = &s->devices[du->device];
        if (selected && !selected(d->id, ctx))
            continue;
        c.s = s;
        c.d = d;
        c.du = du;
        c.spec = spec;
        c.dev = du->device;
        c.ncores = du->ncores;
        c.ub = d->unreserved_base;
        c.top = d->l1_size - d->l1_small_size;
        c.dalign = arch_dram_alignment(arch_by_id(d->arch));
        c.used.n = 0;
        c.nput = 0;
        fit_device *fd = &out->devices[out->ndevices++];
        fd->device = du->device;
        rc = fit_device_compute(&c, fd);
        out->fits &= fd->fits;
    }
    free(c.used.v);
    free(c.core.v);
    free(c.bufs.v);
    if (rc)
        fit_answer_free(out);
    return rc;
}

void fit_answer_free(fit_answer *f)
{
    for (size_t i = 0; i < f->ndevices; i++)
        for (size_t t = 0; t < FIT_MAX_TERMS; t++)
            free(f->devices[i].terms[t].failing);
    free(f->devices);
    memset(f, 0, sizeof *f);
}
