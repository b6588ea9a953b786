/*
 * trace_place.c - where TT-Metal would put a buffer when a NO_DISPATCH trace
 * says address 0. An L1 (or L1_SMALL) bank allocator keeps one address space
 * for all of a chip's banks: a buffer takes the same range on every bank,
 * first fit from the top. A tspace is that address space: the live spans,
 * sorted by address. Allocation scans gaps from the top and stops at the
 * first that fits (like the allocator's free list); insertion and release
 * find their place by binary search.
 */
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"

/* The first index whose span starts at or above lo. */
static size_t lower_bound(const tspace *s, uint64_t lo)
{
    size_t a = 0, b = s->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (s->v[m].lo < lo)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static int insert(tspace *s, tspan sp)
{
    if (s->n == s->cap) {
        size_t want = s->cap ? s->cap * 2 : 64;
        tspan *v = realloc(s->v, want * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = want;
    }
    size_t at = lower_bound(s, sp.lo);
    memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
    s->v[at] = sp;
    s->n++;
    return 0;
}

int tspace_alloc(tspace *s, uint64_t width, uint64_t align, uint32_t owner, uint64_t *addr)
{
    if (align == 0)
        align = 1;
    uint64_t limit = s->top;
    for (size_t i = s->n + 1; i-- > 0;) {
        uint64_t floor = s->base;
        if (i > 0 && s->v[i - 1].hi > floor)
            floor = s->v[i - 1].hi;
        if (limit >= width && limit - width >= floor) {
            uint64_t cand = (limit - width) / align * align;
            if (cand >= floor) {
                *addr = cand;
                return insert(s, (tspan){ cand, cand + width, owner });
            }
        }
        if (i > 0 && s->v[i - 1].lo < limit)
            limit = s->v[i - 1].lo;
    }
    return -1;
}

int tspace_reserve(tspace *s, uint64_t lo, uint64_t width, uint32_t owner)
{
    return insert(s, (tspan){ lo, lo + width, owner });
}

void tspace_release(tspace *s, uint64_t lo, uint32_t owner)
{
    for (size_t i = lower_bound(s, lo); i < s->n && s->v[i].lo == lo; i++)
        if (s->v[i].owner == owner) {
            memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof *s->v);
            s->n--;
            return;
        }
}

void tspace_free(tspace *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
