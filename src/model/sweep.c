/*
 * sweep.c - every byte of every core of one device, in one sweep of its
 * placements by address (see placement.h).
 *
 * Each core keeps its coverage (intervals per kind covering the sweep
 * position) and the address up to which its bytes are attributed; an
 * interval's start or end touches only the cores it covers, and a span of
 * bytes is attributed only when what it counts as changes. Intervals that
 * cover every core (interleaved L1 buffers, full-grid ones) do not touch
 * the cores at all: they form a device-wide layer whose covered bytes are
 * a running sum, so a core's span [pos, a) holds exactly sum(a) - sum(pos)
 * of them, and whose uncovered runs give the free holes. An interleaved
 * buffer's banks that hold one page more are covered by that layer up to
 * its shorter end, then by their own interval.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "model/placement.h"

/* One core. 32-bit byte counts suffice: a core holds less than 4 GiB. */
typedef struct {
    uint32_t pos;                     /* bytes below are attributed */
    uint32_t layer;                   /* the layer's covered bytes below pos */
    uint32_t mask;                    /* bit k-1: an interval of kind k covers pos */
    uint32_t clash;                   /* bytes a CB and a buffer both cover */
    uint32_t free_since;              /* where the current run without own intervals began */
    uint32_t largest;                 /* largest free hole closed so far */
    uint32_t bytes[CAT_COUNT];
    uint32_t cover[CAT_RECORDED];     /* intervals of kind k+1 covering pos */
    uint64_t pairs;                   /* CB/buffer pairs met here (when counted) */
} core_state;

/* One core's CB room (accounting.h), apart from core_state: only buffer
 * starts and CB ends touch it. The lowest own buffer start, and the end of
 * the last CB to end that started below the bound. A CB's end comes after
 * every start at or below its own start, so the bound is final for it then
 * (a CB starting where a buffer starts sits on it), and ends come in
 * address order, so the last one is the highest. */
typedef struct {
    uint32_t limit, top;
    int32_t limit_region, top_region;
} cb_state;

/* What a placement is to the sweep. */
enum { ROLE_CORES, ROLE_LAYER, ROLE_LAYER_HEAD, ROLE_LAYER_TAIL };

/* The device-wide layer of L1 buffers over every core. */
typedef struct {
    uint32_t count;                   /* its intervals covering the sweep position */
    uint64_t starts;                  /* its intervals started so far */
    uint32_t pos, sum;                /* covered bytes below pos */
    uint32_t now;                     /* covered bytes below the current event */
    uint32_t at_fw, at_ub;            /* ... below the zone boundaries, once passed */
    uint32_t gap_start;               /* count 0: where the uncovered run began */
    uint32_t *gap_s, *gap_e;          /* closed uncovered runs, in address order */
    uint32_t *top;                    /* gaps whose length beats every later one */
    size_t ngaps, ntop;
} layer;

struct sweep_scratch {
    core_state *core;
    cb_state *cb;
    size_t ncores_cap;
    uint8_t *role;
    uint32_t *gap_s, *gap_e, *top;
    size_t n_cap;
};

#define MASKS (1u << CAT_RECORDED)
#define BIT(kind) (1u << ((kind) - 1))
#define BUFFER_BITS (BIT(L1TOP_L1_BUFFER) | BIT(L1TOP_L1_SMALL))
#define ST_CAT 0x0Fu  /* the lowest kind's category; ST_NONE: no interval */
#define ST_NONE 0x0Fu
#define ST_CB 0x10u   /* a CB covers */
#define ST_BUF 0x20u  /* an L1 buffer or L1_SMALL of the core's own covers */

typedef struct {
    core_state *core;
    cb_state *cb;
    uint16_t gx;
    uint32_t fw, ub, l1;              /* firmware | kernel-config ring | free */
    uint8_t state[MASKS];             /* what a mask makes its bytes count as */
    layer g;
    cb_floor floor;                   /* the lowest interleaved buffer: on every bank */
    cb_floor layer_first;             /* the lowest buffer of the layer: on every core */
    uint32_t cb_bound;                /* the lower of the two: every core's CB room ends there */
} sweep;

sweep_scratch *sweep_scratch_new(void)
{
    return calloc(1, sizeof(sweep_scratch));
}

void sweep_scratch_free(sweep_scratch *x)
{
    if (!x)
        return;
    free(x->core);
    free(x->cb);
    free(x->role);
    free(x->gap_s);
    free(x->gap_e);
    free(x->top);
    free(x);
}

/* Uncovered bytes of [p, a) (own intervals none): by zone, less the
 * layer's. Layer sums at p, a and the zone boundaries between are known. */
static void uncovered(const sweep *sw, core_state *c, uint32_t a)
{
    uint32_t p = c->pos;
    const uint32_t lo[3] = { 0, sw->fw, sw->ub }, hi[3] = { sw->fw, sw->ub, sw->l1 };
    const uint32_t at_lo[3] = { 0, sw->g.at_fw, sw->g.at_ub }, at_hi[3] = { sw->g.at_fw, sw->g.at_ub, 0 };
    static const l1_category zone[3] = { CAT_FIRMWARE, CAT_KERNEL_CONFIG, CAT_FREE };
    for (int z = 0; z < 3; z++) {
        uint32_t s = p > lo[z] ? p : lo[z], e = a < hi[z] ? a : hi[z];
        if (s >= e)
            continue;
        uint32_t gs = s == p ? c->layer : at_lo[z], ge = e == a ? sw->g.now : at_hi[z];
        c->bytes[zone[z]] += (e - s) - (ge - gs);
    }
}

/* Attribute [pos, a) of core c: the layer's bytes are L1 buffers unless the
 * core's own lowest kind is already that. */
static inline void attribute(const sweep *sw, core_state *c, uint32_t a)
{
    uint32_t len = a - c->pos, g = sw->g.now - c->layer;
    unsigned st = sw->state[c->mask], cat = st & ST_CAT;
    if (cat == CAT_L1_BUFFERS) {
        c->bytes[CAT_L1_BUFFERS] += len;
    } else {
        c->bytes[CAT_L1_BUFFERS] += g;
        if (cat != ST_NONE)
            c->bytes[cat] += len - g;
        else
            uncovered(sw, c, a);
    }
    if (st & ST_CB)
        c->clash += st & ST_BUF ? len : g;
    c->pos = a;
    c->layer = sw->g.now;
}

/* Index of the first of v[0..n) (ascending) above x, n if none. */
static size_t first_above(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Longest run in [from, a) that the layer leaves uncovered. */
static uint32_t layer_free_run(const layer *g, uint32_t from, uint32_t a)
{
    uint32_t best = 0;
    if (!g->count) /* the open run */
        best = a - (g->gap_start > from ? g->gap_start : from);
    size_t lo = first_above(g->gap_e, g->ngaps, from); /* the first closed run ending after from */
    if (lo == g->ngaps)
        return best;
    uint32_t part = g->gap_e[lo] - (g->gap_s[lo] > from ? g->gap_s[lo] : from);
    best = part > best ? part : best;
    size_t t0 = first_above(g->top, g->ntop, (uint32_t)lo); /* the longest run after it */
    if (t0 < g->ntop) {
        uint32_t k = g->top[t0], len = g->gap_e[k] - g->gap_s[k];
        best = len > best ? len : best;
    }
    return best;
}

/* A run without own intervals ends at a on core c: its free holes. */
static inline void close_run(const sweep *sw, core_state *c, uint32_t a)
{
    uint32_t from = c->free_since > sw->ub ? c->free_since : sw->ub;
    if (a <= from)
        return;
    uint32_t run = sw->g.ngaps || sw->g.count || sw->g.gap_start ? layer_free_run(&sw->g, from, a) : a - from;
    if (run > c->largest)
        c->largest = run;
}

/* An interval of kind slot+1 starts at a on core c; count_kinds (bit k-1:
 * kind k) and layer_term count the CB/buffer pairs it makes there. */
static inline void core_start(const sweep *sw, core_state *c, uint32_t a, unsigned slot, unsigned count_kinds,
                              uint64_t layer_term)
{
    uint32_t m = c->mask, nm = m | 1u << slot;
    if (sw->state[nm] != sw->state[m]) {
        attribute(sw, c, a);
        if (!m)
            close_run(sw, c, a);
    }
    if (count_kinds) /* bit k-1: cover[k-1] counts */
        c->pairs += (count_kinds & 1 ? c->cover[0] : 0) + (count_kinds & 2 ? c->cover[1] : 0) +
                    (count_kinds & 4 ? c->cover[2] : 0) + layer_term;
    c->cover[slot]++;
    c->mask = nm;
}

/* An interval ends at a on core c; end_term completes its pair count. */
static inline void core_end(const sweep *sw, core_state *c, uint32_t a, unsigned slot, uint64_t end_term)
{
    c->pairs += end_term;
    if (--c->cover[slot])
        return;
    uint32_t m = c->mask, nm = m & ~(1u << slot);
    if (sw->state[nm] != sw->state[m])
        attribute(sw, c, a);
    c->mask = nm;
    if (!nm)
        c->free_since = a;
}

/* A buffer starts at a on cores [x0, x1] of a row: it bounds those whose
 * CB room nothing lower bounds yet. */
static inline void cb_bound_start(cb_state *row, uint32_t x0, uint32_t x1, uint32_t a, const placement *p)
{
    for (uint32_t x = x0; x <= x1; x++)
        if (a < row[x].limit) {
            row[x].limit = a;
            row[x].limit_region = (int32_t)p->region;
        }
}

/* A CB ends on cores [x0, x1] of a row: in the CB region of those whose
 * bound is above its start. */
static inline void cb_region_end(cb_state *row, uint32_t x0, uint32_t x1, const placement *p)
{
    for (uint32_t x = x0; x <= x1; x++)
        if (p->start < row[x].limit) {
            row[x].top = p->end;
            row[x].top_region = (int32_t)p->region;
        }
}

/* The core's CB room and current CB region, once swept. */
static void cb_finish(const sweep *sw, const cb_state *c, core_usage *u)
{
    cb_floor b = sw->floor;
    if (sw->layer_first.address < b.address)
        b = sw->layer_first;
    if (c->limit < b.address)
        b = (cb_floor){ c->limit, c->limit_region };
    if (b.address >= sw->l1)
        b = (cb_floor){ sw->l1, -1 };
    u->cb_room = b.address > sw->ub ? b.address - sw->ub : 0;
    u->cb_room_region = b.region;
    u->cb_extent = c->top > sw->ub ? c->top - sw->ub : 0;
    u->cb_top_region = c->top_region;
}

/* A placement's interval starts at a on every core of its rectangles' rows;
 * with count, the CB/buffer pairs it makes are counted. A CB meets the
 * layer's buffers under way now (count) and those that start before it
 * ends (starts then less starts now): the start adds count - starts, its
 * end adds starts (modulo 2^64, exact once it has ended). */
static void apply_start(const sweep *sw, const placement_set *ps, const placement *p, uint32_t a, bool count)
{
    const rect *r = ps->rects + p->first_rect;
    unsigned slot = p->kind - 1u, with = 0;
    uint64_t layer_term = 0;
    if (count && p->kind == L1TOP_CIRCULAR_BUFFER) {
        with = BUFFER_BITS;
        layer_term = sw->g.count - sw->g.starts;
    } else if (count && (BIT(p->kind) & BUFFER_BITS)) {
        with = BIT(L1TOP_CIRCULAR_BUFFER);
    }
    /* A buffer below what bounds every core may bound a core's CB room. */
    bool bound = (BIT(p->kind) & BUFFER_BITS) && a < sw->cb_bound;
    for (uint32_t i = 0; i < p->nrects; i++)
        for (uint32_t y = r[i].y0; y <= r[i].y1; y++) {
            core_state *row = sw->core + y * sw->gx;
            for (uint32_t x = r[i].x0; x <= r[i].x1; x++)
                core_start(sw, &row[x], a, slot, with, layer_term);
            if (bound)
                cb_bound_start(sw->cb + y * sw->gx, r[i].x0, r[i].x1, a, p);
        }
}

static void apply_end(const sweep *sw, const placement_set *ps, const placement *p, bool count)
{
    const rect *r = ps->rects + p->first_rect;
    unsigned slot = p->kind - 1u;
    uint64_t end_term = count && p->kind == L1TOP_CIRCULAR_BUFFER ? sw->g.starts : 0;
    /* A CB that started below what bounds every core may be in a core's CB region. */
    bool region = p->kind == L1TOP_CIRCULAR_BUFFER && p->start < sw->cb_bound;
    for (uint32_t i = 0; i < p->nrects; i++)
        for (uint32_t y = r[i].y0; y <= r[i].y1; y++) {
            core_state *row = sw->core + y * sw->gx;
            for (uint32_t x = r[i].x0; x <= r[i].x1; x++)
                core_end(sw, &row[x], p->end, slot, end_term);
            if (region)
                cb_region_end(sw->cb + y * sw->gx, r[i].x0, r[i].x1, p);
        }
}

/* The sweep reaches a: the layer's covered bytes below a. */
static void layer_advance(layer *g, uint32_t a)
{
    if (g->count)
        g->sum += a - g->pos;
    g->pos = a;
    g->now = g->sum;
}

static void layer_start(layer *g, uint32_t a)
{
    g->starts++;
    if (g->count++ == 0 && a > g->gap_start) { /* an uncovered run closes */
        size_t k = g->ngaps++;
        g->gap_s[k] = g->gap_start;
        g->gap_e[k] = a;
        uint32_t len = a - g->gap_start;
        while (g->ntop && g->gap_e[g->top[g->ntop - 1]] - g->gap_s[g->top[g->ntop - 1]] <= len)
            g->ntop--;
        g->top[g->ntop++] = (uint32_t)k;
    }
}

static void layer_end(layer *g, uint32_t a)
{
    if (--g->count == 0)
        g->gap_start = a;
}

static bool is_full(const placement_set *ps, const placement *p, const snap_device *d, bool from_first)
{
    const rect *r = ps->rects + p->first_rect + (from_first ? 0 : p->nrects - 1);
    return from_first ? r->x0 == 0 && r->y0 == 0 : r->x1 == d->grid_x - 1u && r->y1 == d->grid_y - 1u;
}

/* L1 buffers over every core join the layer: a full-grid one whole, the two
 * halves of an interleaved one up to the shorter end (the head, on the
 * first banks, then goes on alone). */
static void assign_roles(const snap_device *d, const placement_set *ps, uint8_t *role)
{
    const placement *p = ps->p;
    for (size_t i = 0; i < ps->n; i++)
        role[i] = ROLE_CORES;
    for (size_t i = 0; i < ps->n; i++) {
        if (p[i].kind != L1TOP_L1_BUFFER)
            continue;
        if (p[i].sibling < 0) {
            if (p[i].nrects == 1 && is_full(ps, &p[i], d, true) && is_full(ps, &p[i], d, false))
                role[i] = ROLE_LAYER;
            continue;
        }
        size_t t = (size_t)p[i].sibling;
        if (t > i && is_full(ps, &p[i], d, true) && is_full(ps, &p[t], d, false) && p[i].end > p[t].end) {
            role[i] = ROLE_LAYER_HEAD;
            role[t] = ROLE_LAYER_TAIL;
        }
    }
}

static void sweep_init(sweep *sw, const snap_device *d, sweep_scratch *x)
{
    memset(sw, 0, sizeof *sw);
    sw->core = x->core;
    sw->gx = d->grid_x;
    sw->l1 = d->l1_size;
    sw->ub = d->unreserved_base < sw->l1 ? d->unreserved_base : sw->l1;
    uint32_t fw = arch_firmware_end(d->arch, d->unreserved_base);
    sw->fw = fw < sw->ub ? fw : sw->ub;
    sw->state[0] = ST_NONE;
    for (uint32_t m = 1; m < MASKS; m++) { /* by accounting.h's rules, which the peak model shares */
        uint32_t cover[CAT_RECORDED + 1] = { 0 };
        for (unsigned k = 1; k <= CAT_RECORDED; k++)
            cover[k] = (m & BIT(k)) != 0;
        sw->state[m] = (uint8_t)(category_covered(cover) | (m & BIT(L1TOP_CIRCULAR_BUFFER) ? ST_CB : 0) |
                                 (m & BUFFER_BITS ? ST_BUF : 0));
    }
    sw->g.gap_s = x->gap_s;
    sw->g.gap_e = x->gap_e;
    sw->g.top = x->top;
}

static int reserve(sweep_scratch *x, size_t ncores, size_t n)
{
    if (ncores > x->ncores_cap) {
        core_state *c = malloc(ncores * sizeof *c);
        cb_state *b = malloc(ncores * sizeof *b);
        if (!c || !b) {
            free(c);
            free(b);
            return -1;
        }
        free(x->core);
        free(x->cb);
        x->core = c;
        x->cb = b;
        x->ncores_cap = ncores;
    }
    if (n + 1 > x->n_cap) {
        uint8_t *r = malloc(n + 1);
        uint32_t *s = malloc((n + 1) * sizeof *s), *e = malloc((n + 1) * sizeof *e), *t = malloc((n + 1) * sizeof *t);
        if (!r || !s || !e || !t) {
            free(r);
            free(s);
            free(e);
            free(t);
            return -1;
        }
        free(x->role);
        free(x->gap_s);
        free(x->gap_e);
        free(x->top);
        x->role = r;
        x->gap_s = s;
        x->gap_e = e;
        x->top = t;
        x->n_cap = n + 1;
    }
    return 0;
}

/* One event of the merge: placement k starts or ends at a. */
static void event(sweep *sw, const placement_set *ps, const uint8_t *role, size_t k, uint32_t a, bool start,
                  bool count)
{
    const placement *p = &ps->p[k];
    layer_advance(&sw->g, a);
    if (start && role[k] != ROLE_CORES && role[k] != ROLE_LAYER_TAIL && a < sw->layer_first.address) {
        sw->layer_first = (cb_floor){ a, (int32_t)p->region }; /* the layer's buffers are on every core */
        if (a < sw->cb_bound)
            sw->cb_bound = a;
    }
    switch (role[k]) {
    case ROLE_LAYER:
        if (start)
            layer_start(&sw->g, a);
        else
            layer_end(&sw->g, a);
        break;
    case ROLE_LAYER_HEAD: /* starts with the layer, ends on its own banks */
        if (start)
            layer_start(&sw->g, a);
        else
            apply_end(sw, ps, p, count);
        break;
    case ROLE_LAYER_TAIL: /* the layer ends here; the head's banks go on */
        if (!start) {
            layer_end(&sw->g, a);
            /* not counted: the pairs it makes here were met (or not) as the layer */
            apply_start(sw, ps, &ps->p[p->sibling], a, false);
        }
        break;
    default:
        if (start)
            apply_start(sw, ps, p, a, count);
        else
            apply_end(sw, ps, p, count);
    }
}

int sweep_device(const snap_device *d, const placement_set *ps, const uint32_t *ends, sweep_scratch *x,
                 bool count_pairs, cb_floor floor, core_usage *out, uint64_t *most_pairs)
{
    uint32_t nc = (uint32_t)d->grid_x * d->grid_y;
    if (reserve(x, nc, ps->n))
        return -1;
    sweep sw;
    sweep_init(&sw, d, x);
    memset(x->core, 0, nc * sizeof *x->core);
    for (uint32_t c = 0; c < nc; c++)
        x->cb[c] = (cb_state){ UINT32_MAX, 0, -1, -1 };
    sw.cb = x->cb;
    sw.floor = floor;
    sw.layer_first = (cb_floor){ UINT32_MAX, -1 };
    sw.cb_bound = floor.address;
    assign_roles(d, ps, x->role);
    const placement *p = ps->p;
    size_t n = ps->n, i = 0, j = 0;
    bool fw_passed = false, ub_passed = false;
    while (i < n || j < n) {
        uint32_t as = i < n ? p[i].start : UINT32_MAX, ae = j < n ? p[ends[j]].end : UINT32_MAX;
        uint32_t a = as < ae ? as : ae;
        if (!fw_passed && sw.fw <= a) { /* the layer's sums at the zone boundaries */
            layer_advance(&sw.g, sw.fw);
            sw.g.at_fw = sw.g.now;
            fw_passed = true;
        }
        if (!ub_passed && sw.ub <= a) {
            layer_advance(&sw.g, sw.ub);
            sw.g.at_ub = sw.g.now;
            ub_passed = true;
        }
        if (ae <= as) /* its start, lower, is already swept */
            event(&sw, ps, x->role, ends[j++], ae, false, count_pairs);
        else
            event(&sw, ps, x->role, i++, as, true, count_pairs);
    }
    if (!fw_passed) {
        layer_advance(&sw.g, sw.fw);
        sw.g.at_fw = sw.g.now;
    }
    if (!ub_passed) {
        layer_advance(&sw.g, sw.ub);
        sw.g.at_ub = sw.g.now;
    }
    layer_advance(&sw.g, sw.l1);
    *most_pairs = 0;
    for (uint32_t c = 0; c < nc; c++) {
        core_state *st = &x->core[c];
        attribute(&sw, st, sw.l1);
        if (!st->mask) /* every interval has ended: the last run is free */
            close_run(&sw, st, sw.l1);
        core_usage *u = &out[c];
        for (int k = 0; k < CAT_COUNT; k++)
            u->bytes[k] = st->bytes[k];
        u->largest_free = st->largest;
        u->fragmented = u->bytes[CAT_FREE] - st->largest;
        u->clash_bytes = st->clash;
        cb_finish(&sw, &x->cb[c], u);
        if (st->pairs > *most_pairs)
            *most_pairs = st->pairs;
    }
    return 0;
}
