/*
 * free_list.c - first-fit placement as TT-Metal's bank allocator does it
 * (see free_list.h). The free ranges are a treap ordered by address and
 * augmented with the longest free range of each subtree: the highest range
 * that fits is found in O(log n), and taking, reserving or releasing a
 * range splits or merges O(1) ranges, each O(log n).
 */
#include "model/free_list.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* ---------- the treap (node 0 is the empty tree) ---------- */

static uint64_t len_of(const free_range *x) { return x->hi - x->lo; }

static void update(free_list *s, uint32_t t)
{
    free_range *x = &s->v[t];
    uint64_t m = len_of(x);
    if (s->v[x->l].maxlen > m)
        m = s->v[x->l].maxlen;
    if (s->v[x->r].maxlen > m)
        m = s->v[x->r].maxlen;
    x->maxlen = m;
}

/* Intervals starting below key go to *a, the others to *b. */
static void split(free_list *s, uint32_t t, uint64_t key, uint32_t *a, uint32_t *b)
{
    if (!t) {
        *a = *b = 0;
        return;
    }
    if (s->v[t].lo < key) {
        split(s, s->v[t].r, key, &s->v[t].r, b);
        *a = t;
    } else {
        split(s, s->v[t].l, key, a, &s->v[t].l);
        *b = t;
    }
    update(s, t);
}

/* Every interval of a lies below every interval of b. */
static uint32_t merge(free_list *s, uint32_t a, uint32_t b)
{
    if (!a || !b)
        return a ? a : b;
    if (s->v[a].prio > s->v[b].prio) {
        s->v[a].r = merge(s, s->v[a].r, b);
        update(s, a);
        return a;
    }
    s->v[b].l = merge(s, a, s->v[b].l);
    update(s, b);
    return b;
}

/* A one-node tree for [lo, hi), or 0 when empty or out of memory (the
 * caller checks s->oom). */
static uint32_t node(free_list *s, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return 0;
    if (s->n == 0)
        s->n = 1; /* node 0: the empty tree */
    if (s->n >= UINT32_MAX || grow_array((void **)&s->v, &s->cap, s->n, 1, sizeof *s->v) != 0) {
        s->oom = true;
        return 0;
    }
    memset(&s->v[0], 0, sizeof s->v[0]);
    s->seed ^= s->seed << 13;
    s->seed ^= s->seed >> 17;
    s->seed ^= s->seed << 5;
    uint32_t t = (uint32_t)s->n++;
    s->v[t] = (free_range){ lo, hi, hi - lo, 0, 0, s->seed };
    return t;
}

static uint32_t rightmost(const free_list *s, uint32_t t)
{
    while (t && s->v[t].r)
        t = s->v[t].r;
    return t;
}

/* Take the last interval off tree *t; returns it (detached), or 0. */
static uint32_t pop_last(free_list *s, uint32_t *t)
{
    uint32_t x = rightmost(s, *t);
    if (!x)
        return 0;
    uint32_t a, b;
    split(s, *t, s->v[x].lo, &a, &b);
    *t = a;
    s->v[b].l = s->v[b].r = 0; /* b is x alone: lo keys are distinct */
    update(s, b);
    return b;
}

static void start(free_list *s)
{
    if (s->started)
        return;
    s->started = true;
    s->seed = 2463534242u;
    s->root = node(s, s->base, s->top);
}

/* ---------- the allocator ---------- */

/* The highest interval of at least `width`, or 0. */
static uint32_t highest_fit(const free_list *s, uint64_t width)
{
    uint32_t t = s->root;
    while (t && s->v[t].maxlen >= width) {
        const free_range *x = &s->v[t];
        if (s->v[x->r].maxlen >= width)
            t = x->r;
        else if (len_of(x) >= width)
            return t;
        else
            t = x->l;
    }
    return 0;
}

/* Mark [lo, hi) used: the free intervals it covers are cut. */
static void carve(free_list *s, uint64_t lo, uint64_t hi)
{
    uint32_t a, b, m, c;
    split(s, s->root, lo, &a, &b);
    uint32_t left = 0, right = 0;
    uint32_t x = rightmost(s, a);
    if (x && s->v[x].hi > lo) { /* a free interval from below runs into the range */
        x = pop_last(s, &a);
        left = node(s, s->v[x].lo, lo);
        right = node(s, hi, s->v[x].hi);
    }
    split(s, b, hi, &m, &c);
    uint32_t y = rightmost(s, m); /* free intervals starting inside: dropped, but what runs past hi stays */
    if (y && s->v[y].hi > hi)
        right = node(s, hi, s->v[y].hi);
    s->root = merge(s, merge(s, a, left), merge(s, right, c));
}

int free_list_alloc(free_list *s, uint64_t width, uint64_t align, uint64_t *addr)
{
    start(s);
    if (align == 0)
        align = 1;
    if (width == 0) {
        *addr = s->top / align * align;
        return 0;
    }
    uint32_t t = highest_fit(s, width);
    bool found = false;
    if (t) {
        uint64_t cand = (s->v[t].hi - width) / align * align;
        if (cand >= s->v[t].lo) {
            *addr = cand;
            found = true;
        }
    }
    if (!found) { /* unaligned bounds (only from a trace's own addresses): every interval from the top */
        uint32_t rest = s->root, done = 0, x;
        while (!found && (x = pop_last(s, &rest)) != 0) {
            uint64_t lo = s->v[x].lo, hi = s->v[x].hi;
            uint64_t cand = hi >= width ? (hi - width) / align * align : 0;
            if (hi >= width && cand >= lo) {
                *addr = cand;
                found = true;
            }
            done = merge(s, x, done);
        }
        s->root = merge(s, rest, done);
        if (!found)
            return -1;
    }
    carve(s, *addr, *addr + width);
    return s->oom ? -1 : 0;
}

/* Ranges are clipped to the space: what lies outside never becomes free. */
static bool clip(const free_list *s, uint64_t *lo, uint64_t *hi)
{
    if (*lo < s->base)
        *lo = s->base;
    if (*hi > s->top)
        *hi = s->top;
    return *lo < *hi;
}

int free_list_reserve(free_list *s, uint64_t lo, uint64_t width)
{
    start(s);
    uint64_t hi = lo + width;
    if (clip(s, &lo, &hi))
        carve(s, lo, hi);
    return s->oom ? -1 : 0;
}

void free_list_release(free_list *s, uint64_t lo, uint64_t width)
{
    start(s);
    uint64_t hi = lo + width;
    if (!clip(s, &lo, &hi))
        return;
    uint32_t a, b, m, c;
    split(s, s->root, lo, &a, &b);
    uint32_t x = rightmost(s, a);
    if (x && s->v[x].hi >= lo) { /* touches or overlaps from below: absorb */
        x = pop_last(s, &a);
        lo = s->v[x].lo;
        hi = s->v[x].hi > hi ? s->v[x].hi : hi;
    }
    split(s, b, hi + 1, &m, &c);
    uint32_t y = rightmost(s, m); /* starting inside or right at hi: absorb */
    if (y && s->v[y].hi > hi)
        hi = s->v[y].hi;
    s->root = merge(s, merge(s, a, node(s, lo, hi)), c);
}

void free_list_free(free_list *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
