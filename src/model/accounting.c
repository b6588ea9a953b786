/*
 * accounting.c - per-core byte attribution, free holes, clashes and
 * per-process sums from a snapshot, per-process totals over devices, one
 * core's bytes over time (a trace's peak) and one core's address map (see
 * accounting.h). No I/O, no globals.
 */
#include "model/accounting.h"
#include "model/placement.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"

const char *const category_key[CAT_COUNT] = {
    "l1_buffers", "l1_small", "circular_buffers", "kernel_code",
    "semaphores", "runtime",  "kernel_config",    "firmware", "free",
};

const char *const category_label[CAT_COUNT] = {
    "Explicit L1 buffers", "L1_SMALL",   "Circular buffers",   "Kernel code",
    "Semaphores",          "Runtime args & configs", "Kernel-config ring",
    "Firmware & mailboxes", "Free",
};

const char *const category_short[CAT_COUNT] = {
    "L1 buffer", "L1_SMALL", "CB", "kernel", "semaphore", "runtime", "kcfg ring", "firmware", "free",
};

bool category_tracked(l1_category c)
{
    return c == CAT_L1_BUFFERS || c == CAT_L1_SMALL;
}

l1_category category_of_kind(unsigned kind)
{
    return kind >= 1 && kind <= CAT_RECORDED ? (l1_category)(kind - 1) : CAT_COUNT;
}

double usage_used_pct(const uint64_t b[CAT_COUNT])
{
    uint64_t total = usage_total(b);
    return total ? 100.0 * (double)usage_used(b) / (double)total : 0.0;
}

/* ---------- where a region lands ---------- */

static uint32_t region_pages(const snap_region *r)
{
    uint64_t pages = (r->total_size + r->page_size - 1) / r->page_size;
    return pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
}

/* Bank b of an interleaved buffer is core (b % grid_x, b / grid_x). */
static uint64_t interleaved_on_bank(const snap_device *d, const snap_region *r, uint32_t bank)
{
    return interleaved_bank_bytes(r->total_size, r->page_size, d->alignment,
                                  (uint32_t)d->grid_x * d->grid_y, bank);
}

static bool range_clip(const snap_device *d, const l1top_range *in, l1top_range *out)
{
    if (in->x0 > in->x1 || in->y0 > in->y1 || in->x0 >= d->grid_x || in->y0 >= d->grid_y)
        return false;
    *out = *in;
    if (out->x1 >= d->grid_x)
        out->x1 = (uint16_t)(d->grid_x - 1);
    if (out->y1 >= d->grid_y)
        out->y1 = (uint16_t)(d->grid_y - 1);
    return true;
}

uint64_t region_bytes_on_core(const snapshot *s, const snap_region *r, uint16_t x, uint16_t y)
{
    const snap_device *d = &s->devices[r->device];
    if (x >= d->grid_x || y >= d->grid_y)
        return 0;
    if (r->interleaved)
        return interleaved_on_bank(d, r, (uint32_t)y * d->grid_x + x);
    const l1top_range *g = snapshot_region_ranges(s, r);
    for (uint32_t i = 0; i < r->nranges; i++)
        if (x >= g[i].x0 && x <= g[i].x1 && y >= g[i].y0 && y <= g[i].y1)
            return r->size_per_core;
    return 0;
}

/* A region as its device's accounting reads it: each device's keys are
 * sorted by address, and every walk reads them in order instead of the
 * snapshot's regions and ranges at random (at 320k regions those misses
 * were a third of the frame). */
typedef struct {
    uint32_t address, region;
    uint32_t bytes;         /* per core; interleaved: on banks >= extra */
    uint32_t first_range, nranges;
    uint32_t page, extra, used; /* interleaved: aligned page; banks < extra hold one page more; banks < used any */
    uint32_t process;
    uint64_t recorded;      /* bytes it records on the device, over all its cores */
    uint8_t kind;
    bool interleaved;
} region_key;

static region_key key_of(const snapshot *s, uint32_t ri)
{
    const snap_region *r = &s->regions[ri];
    const snap_device *d = &s->devices[r->device];
    region_key k = { r->address, ri, r->size_per_core, r->first_range, r->nranges, 0, 0, 0, r->process, 0, r->kind,
                     r->interleaved };
    if (r->interleaved) {
        uint32_t ncores = (uint32_t)d->grid_x * d->grid_y, pages = region_pages(r);
        uint64_t page = align_up(r->page_size, d->alignment ? d->alignment : 1);
        uint64_t base = (uint64_t)(pages / ncores) * page;
        k.page = (uint32_t)(page > UINT32_MAX ? UINT32_MAX : page);
        k.bytes = (uint32_t)(base > UINT32_MAX ? UINT32_MAX : base);
        k.extra = pages % ncores;
        k.used = pages < ncores ? pages : ncores;
        k.recorded = (uint64_t)pages * page; /* every page lands on exactly one bank */
        return k;
    }
    const l1top_range *g = snapshot_region_ranges(s, r);
    for (uint32_t i = 0; i < r->nranges; i++) {
        l1top_range c;
        if (range_clip(d, &g[i], &c))
            k.recorded += (uint64_t)r->size_per_core * (c.x1 - c.x0 + 1u) * (c.y1 - c.y0 + 1u);
    }
    return k;
}

uint64_t region_recorded_bytes(const snapshot *s, uint32_t region)
{
    return key_of(s, region).recorded;
}

uint32_t region_banks_used(const snapshot *s, const snap_region *r)
{
    const snap_device *d = &s->devices[r->device];
    uint32_t ncores = (uint32_t)d->grid_x * d->grid_y, pages = r->page_size ? region_pages(r) : 0;
    return pages < ncores ? pages : ncores;
}

/* Largest address range in [ub, l1 - l1_small) free on every core: a gap in
 * the union of every region's extent (each region sits at one address on
 * all of its cores, interleaved ones widest on bank 0). The device's
 * regions come sorted by address, so one walk finds it. */
static uint64_t largest_common_free(const snap_device *d, const region_key *order, size_t norder)
{
    uint32_t top = d->l1_size - d->l1_small_size;
    uint32_t cursor = d->unreserved_base;
    uint64_t best = 0;
    for (size_t i = 0; i < norder && cursor < top; i++) {
        const region_key *k = &order[i];
        uint64_t width = k->interleaved ? (uint64_t)k->bytes + (k->extra ? k->page : 0) : k->bytes;
        if (!width)
            continue;
        if (k->address > cursor) {
            uint32_t gap_end = k->address < top ? k->address : top;
            if (gap_end > cursor && gap_end - cursor > best)
                best = gap_end - cursor;
        }
        uint64_t end = (uint64_t)k->address + width;
        if (end > cursor)
            cursor = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
    }
    if (top > cursor && top - cursor > best)
        best = top - cursor;
    return best;
}

/* ---------- per-device work ---------- */

/* A device's placements in start order (its regions come sorted by address;
 * the two halves of an interleaved region start together), each interval
 * clipped to [0, l1) and dropped when empty. */
static int build_placements(const snap_device *d, const l1top_range *ranges, const region_key *order, size_t norder,
                            placement_set *ps)
{
    ps->n = ps->nrects = 0;
    for (size_t o = 0; o < norder; o++) {
        const region_key *k = &order[o];
        if (category_of_kind(k->kind) >= CAT_RECORDED)
            continue;
        uint32_t start = k->address < d->l1_size ? k->address : d->l1_size;
        placement pl = { start, 0, k->region, 0, 0, -1, k->kind };
        uint64_t width[2] = { k->bytes, (uint64_t)k->bytes + k->page }, end[2];
        for (int w = 0; w < 2; w++) {
            end[w] = (uint64_t)k->address + width[w];
            end[w] = end[w] < d->l1_size ? end[w] : d->l1_size;
        }
        size_t first = ps->n;
        int rc = 0;
        if (!k->interleaved) {
            pl.end = (uint32_t)end[0];
            rc = pl.end > start ? placement_add_ranges(ps, d, &pl, ranges + k->first_range, k->nranges) : 0;
        } else {
            pl.end = (uint32_t)end[1]; /* banks [0, extra): one page more */
            rc = k->extra && pl.end > start ? placement_add_banks(ps, d, &pl, 0, k->extra) : 0;
            pl.end = (uint32_t)end[0];
            if (!rc && k->used > k->extra && pl.end > start)
                rc = placement_add_banks(ps, d, &pl, k->extra, k->used);
        }
        if (rc)
            return -1;
        if (ps->n - first == 2) {
            ps->p[first].sibling = (int32_t)first + 1;
            ps->p[first + 1].sibling = (int32_t)first;
        }
    }
    return 0;
}

/* Working memory of one accounting_compute, grown to the largest device
 * and reused by every device (fresh pages are most of a frame's cost). */
typedef struct {
    placement_set ps;
    sort_item *items, *items_tmp;
    uint32_t *ends;
    size_t cap[3];        /* of each array above, in order */
    sweep_scratch *sweep;
    clash_scratch *clash;
} acct_scratch;

/* Make *p hold at least n elements of `size` (contents not kept). */
static int reserve(void **p, size_t *cap, size_t n, size_t size)
{
    if (*p && n <= *cap)
        return 0;
    void *q = calloc(n ? n : 1, size); /* fresh pages are zero anyway */
    if (!q)
        return -1;
    free(*p);
    *p = q;
    *cap = n;
    return 0;
}

static void scratch_free(acct_scratch *x)
{
    placement_set_free(&x->ps);
    free(x->items);
    free(x->items_tmp);
    free(x->ends);
    sweep_scratch_free(x->sweep);
    clash_scratch_free(x->clash);
}

/* Bytes each process recorded, overlaps not removed: O(regions). */
static void sum_processes(const snapshot *s, const region_key *order, size_t norder, process_usage *per_proc)
{
    for (size_t o = 0; o < norder; o++) {
        const region_key *k = &order[o];
        if (k->process >= s->nprocesses)
            continue;
        process_usage *pu = &per_proc[k->process];
        l1_category cat = category_of_kind(k->kind);
        pu->regions++;
        if (cat < CAT_RECORDED)
            pu->bytes[cat] += k->recorded;
    }
}

static int collect_processes(const snapshot *s, const process_usage *per_proc, device_usage *du)
{
    size_t np = 0;
    for (size_t p = 0; p < s->nprocesses; p++)
        if (per_proc[p].regions)
            np++;
    du->processes = calloc(np ? np : 1, sizeof *du->processes);
    if (!du->processes)
        return -1;
    for (size_t p = 0; p < s->nprocesses; p++) {
        if (!per_proc[p].regions)
            continue;
        du->processes[du->nprocesses] = per_proc[p];
        du->processes[du->nprocesses].process = (uint32_t)p;
        du->nprocesses++;
    }
    return 0;
}

/* The lowest interleaved L1 buffer of a device (keys sorted by address:
 * the first one): it reserves its address on every bank, also on banks it
 * put no page on, which have no placement of it. */
static cb_floor interleaved_floor(const region_key *order, size_t norder)
{
    for (size_t o = 0; o < norder; o++)
        if (order[o].interleaved && order[o].used)
            return (cb_floor){ order[o].address, (int32_t)order[o].region };
    return (cb_floor){ UINT32_MAX, -1 };
}

/* The device minimum of CB room and the largest current CB extent (first
 * core in row-major order on ties). */
static void cb_room_device(device_usage *du)
{
    du->cb_room_min = du->ncores ? UINT32_MAX : 0;
    for (uint32_t c = 0; c < du->ncores; c++) {
        const core_usage *u = &du->cores[c];
        if (u->cb_room < du->cb_room_min) {
            du->cb_room_min = u->cb_room;
            du->cb_room_min_core = c;
        }
        if (u->cb_extent > du->cb_extent_max) {
            du->cb_extent_max = u->cb_extent;
            du->cb_extent_max_core = c;
        }
    }
}

static int account_device(const snapshot *s, uint32_t dev, const region_key *order, size_t norder, acct_scratch *x,
                          device_usage *du)
{
    const snap_device *d = &s->devices[dev];
    uint32_t nc = (uint32_t)d->grid_x * d->grid_y;
    du->device = dev;
    du->ncores = nc;
    du->regions = (uint32_t)norder;
    du->cores = calloc(nc ? nc : 1, sizeof *du->cores);
    process_usage *per_proc = calloc(s->nprocesses ? s->nprocesses : 1, sizeof *per_proc);
    int rc = -1;
    if (!du->cores || !per_proc || build_placements(d, s->ranges, order, norder, &x->ps))
        goto out;
    size_t n = x->ps.n;
    if (reserve((void **)&x->items, &x->cap[0], n, sizeof *x->items) ||
        reserve((void **)&x->items_tmp, &x->cap[1], n, sizeof *x->items_tmp) ||
        reserve((void **)&x->ends, &x->cap[2], n, sizeof *x->ends))
        goto out;
    /* By end; ties keep start order (stable), which the sweep does not need
     * but keeps the result independent of anything else. */
    for (size_t i = 0; i < n; i++)
        x->items[i] = (sort_item){ x->ps.p[i].end, (uint32_t)i };
    radix_sort(x->items, x->items_tmp, n, 32);
    for (size_t i = 0; i < n; i++)
        x->ends[i] = x->items[i].idx;
    if (clash_find(&x->ps, d, x->ends, x->clash, du) != 0)
        goto out;
    /* Past the listing cap the pairs met on one core are a better bound. */
    uint64_t most;
    if (sweep_device(d, &x->ps, x->ends, x->sweep, du->clashes_truncated, interleaved_floor(order, norder),
                     du->cores, &most) != 0)
        goto out;
    cb_room_device(du);
    if (most > du->clash_pairs_at_least)
        du->clash_pairs_at_least = most > SIZE_MAX ? SIZE_MAX : (size_t)most;
    for (uint32_t c = 0; c < nc; c++) {
        for (int k = 0; k < CAT_COUNT; k++)
            du->totals[k] += du->cores[c].bytes[k];
        du->fragmented += du->cores[c].fragmented;
        du->clash_bytes += du->cores[c].clash_bytes;
    }
    du->largest_free_common = largest_common_free(d, order, norder);
    sum_processes(s, order, norder, per_proc);
    rc = collect_processes(s, per_proc, du);
out:
    free(per_proc);
    return rc;
}

int accounting_compute(const snapshot *s, accounting *a)
{
    memset(a, 0, sizeof *a);
    if (s->ndevices == 0)
        return 0;
    a->devices = calloc(s->ndevices, sizeof *a->devices);
    if (!a->devices)
        return -1;
    a->ndevices = s->ndevices;
    size_t n = s->nregions, nd = s->ndevices, most = 0;
    region_key *keys = malloc((n ? n : 1) * sizeof *keys), *order = NULL;
    size_t *first = calloc(nd + 1, sizeof *first), *fill = calloc(nd, sizeof *fill);
    sort_item *items = NULL, *tmp = NULL;
    acct_scratch x;
    memset(&x, 0, sizeof x);
    x.clash = clash_scratch_new();
    x.sweep = sweep_scratch_new();
    int rc = -1;
    if (!keys || !first || !fill || !x.clash || !x.sweep)
        goto out;
    /* Keys by device in one pass over the regions (in their order), then
     * each device's sorted by address, ties in region order (stable). */
    for (size_t ri = 0; ri < n; ri++)
        if (s->regions[ri].device < nd)
            first[s->regions[ri].device + 1]++;
    for (size_t i = 0; i < nd; i++) {
        most = first[i + 1] > most ? first[i + 1] : most;
        first[i + 1] += first[i];
    }
    for (uint32_t ri = 0; ri < n; ri++) {
        uint32_t dev = s->regions[ri].device;
        if (dev < nd)
            keys[first[dev] + fill[dev]++] = key_of(s, ri);
    }
    order = malloc((most ? most : 1) * sizeof *order);
    items = malloc((most ? most : 1) * sizeof *items);
    tmp = malloc((most ? most : 1) * sizeof *tmp);
    if (!order || !items || !tmp)
        goto out;
    for (uint32_t i = 0; i < nd; i++) {
        size_t m = first[i + 1] - first[i];
        for (size_t k = 0; k < m; k++)
            items[k] = (sort_item){ keys[first[i] + k].address, (uint32_t)k };
        radix_sort(items, tmp, m, 32);
        for (size_t k = 0; k < m; k++)
            order[k] = keys[first[i] + items[k].idx];
        if (account_device(s, i, order, m, &x, &a->devices[i]) != 0)
            goto out;
    }
    rc = 0;
out:
    free(keys);
    free(order);
    free(first);
    free(fill);
    free(items);
    free(tmp);
    scratch_free(&x);
    if (rc)
        accounting_free(a);
    return rc;
}

void accounting_process_total(const accounting *a, uint32_t process, const size_t *devices, size_t ndevices,
                              process_total *out)
{
    memset(out, 0, sizeof *out);
    size_t n = devices ? ndevices : a->ndevices;
    for (size_t v = 0; v < n; v++) {
        size_t di = devices ? devices[v] : v;
        if (di >= a->ndevices)
            continue;
        const device_usage *du = &a->devices[di];
        for (size_t i = 0; i < du->nprocesses; i++) {
            if (du->processes[i].process != process)
                continue;
            for (int k = 0; k < CAT_RECORDED; k++)
                out->bytes[k] += du->processes[i].bytes[k];
            out->regions += du->processes[i].regions;
            out->devices++;
        }
    }
}

void accounting_free(accounting *a)
{
    for (size_t i = 0; i < a->ndevices; i++) {
        free(a->devices[i].cores);
        free(a->devices[i].processes);
        free(a->devices[i].clashes);
    }
    free(a->devices);
    memset(a, 0, sizeof *a);
}

/* ---------- one core over time ---------- */

/* Covered length over elementary segments [x[i], x[i+1]): a segment tree
 * with, per node, how many ranges cover all of it and the length covered. */
typedef struct {
    const uint32_t *x;    /* the distinct endpoints, ascending */
    int32_t *count;
    uint64_t *len;
} cover_tree;

static void cover(cover_tree *t, size_t node, size_t lo, size_t hi, size_t a, size_t b, int32_t delta)
{
    if (b <= lo || hi <= a)
        return;
    if (a <= lo && hi <= b) {
        t->count[node] += delta;
    } else {
        size_t mid = lo + (hi - lo) / 2;
        cover(t, 2 * node, lo, mid, a, b, delta);
        cover(t, 2 * node + 1, mid, hi, a, b, delta);
    }
    if (t->count[node] > 0)
        t->len[node] = (uint64_t)t->x[hi] - t->x[lo];
    else if (hi - lo == 1)
        t->len[node] = 0;
    else
        t->len[node] = t->len[2 * node] + t->len[2 * node + 1];
}

/* Index of v among the n distinct endpoints x (it is there). */
static size_t endpoint(const uint32_t *x, size_t n, uint32_t v)
{
    return sorted_last_at_most(x, n, v);
}

uint64_t accounting_most_held(const held_range *r, size_t n, uint32_t *at, held_scratch *w)
{
    *at = 0;
    size_t nx = 2 * n + 1, nt = 4 * nx;
    if (reserve(&w->buf[0], &w->cap[0], 2 * n, sizeof(sort_item)) ||
        reserve(&w->buf[1], &w->cap[1], 2 * n, sizeof(sort_item)) ||
        reserve(&w->buf[2], &w->cap[2], nx, sizeof(uint32_t)) ||
        reserve(&w->buf[3], &w->cap[3], nt, sizeof(int32_t)) ||
        reserve(&w->buf[4], &w->cap[4], nt, sizeof(uint64_t)))
        return UINT64_MAX;
    sort_item *v = w->buf[0], *tmp = w->buf[1];
    uint32_t *x = w->buf[2];
    /* The distinct endpoints. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (r[i].end > r[i].start && r[i].born != r[i].died) {
            v[m++] = (sort_item){ r[i].start, 0 };
            v[m++] = (sort_item){ r[i].end, 0 };
        }
    if (m == 0)
        return 0;
    radix_sort(v, tmp, m, 32);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || x[k - 1] != (uint32_t)v[i].key)
            x[k++] = (uint32_t)v[i].key;
    /* Births and deaths by position (a range is born and dies at most once). */
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].end <= r[i].start || r[i].born == r[i].died)
            continue;
        v[ne++] = (sort_item){ (uint64_t)r[i].born << 1 | 1u, (uint32_t)i };
        if (r[i].died != UINT32_MAX)
            v[ne++] = (sort_item){ (uint64_t)r[i].died << 1, (uint32_t)i };
    }
    radix_sort(v, tmp, ne, 33);
    cover_tree t = { x, w->buf[3], w->buf[4] };
    memset(t.count, 0, 4 * k * sizeof *t.count);
    memset(t.len, 0, 4 * k * sizeof *t.len);
    uint64_t best = 0;
    for (size_t i = 0; i < ne;) {
        uint64_t pos = v[i].key >> 1;
        for (; i < ne && v[i].key >> 1 == pos; i++) {
            const held_range *q = &r[v[i].idx];
            cover(&t, 1, 0, k - 1, endpoint(x, k, q->start), endpoint(x, k, q->end), (v[i].key & 1u) ? 1 : -1);
        }
        if (t.len[1] > best) {
            best = t.len[1];
            *at = (uint32_t)pos;
        }
    }
    return best;
}

void held_scratch_free(held_scratch *w)
{
    for (size_t i = 0; i < sizeof w->buf / sizeof w->buf[0]; i++)
        free(w->buf[i]);
    memset(w, 0, sizeof *w);
}

/* ---------- one core's address map ---------- */

static int cmp_span(const void *a, const void *b)
{
    const map_span *x = a, *y = b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->end > y->end) - (x->end < y->end);
}

/* Mark spans (sorted by start) where a CB overlaps an L1 buffer / L1_SMALL,
 * both ways, in two linear passes: a span clashes with an earlier span of
 * the other kind still open at its start, or with the first later span of
 * the other kind starting before its end. */
static void mark_clashes(map_span *sp, size_t n)
{
    uint32_t open_end[2] = { 0, 0 }; /* furthest end so far: [0] CBs, [1] buffers */
    for (size_t i = 0; i < n; i++) {
        int side = sp[i].category == CAT_CIRCULAR_BUFFERS ? 0 : category_tracked(sp[i].category) ? 1 : -1;
        if (side < 0)
            continue;
        if (open_end[1 - side] > sp[i].start)
            sp[i].clash = true;
        if (sp[i].end > open_end[side])
            open_end[side] = sp[i].end;
    }
    bool have_next[2] = { false, false };
    uint32_t next_start[2] = { 0, 0 }; /* start of the next span of each kind */
    for (size_t i = n; i-- > 0;) {
        int side = sp[i].category == CAT_CIRCULAR_BUFFERS ? 0 : category_tracked(sp[i].category) ? 1 : -1;
        if (side < 0)
            continue;
        if (have_next[1 - side] && next_start[1 - side] < sp[i].end)
            sp[i].clash = true;
        have_next[side] = true;
        next_start[side] = sp[i].start;
    }
}

size_t accounting_core_map(const snapshot *s, uint32_t dev, uint16_t x, uint16_t y, map_span *out,
                           size_t max, size_t *needed)
{
    const snap_device *d = &s->devices[dev];
    size_t n = 0, total = 0;
    /* Regions first (sorted), then holes computed from their union. */
    for (uint32_t ri = 0; ri < s->nregions; ri++) {
        const snap_region *r = &s->regions[ri];
        if (r->device != dev)
            continue;
        uint64_t bytes = region_bytes_on_core(s, r, x, y);
        if (!bytes)
            continue;
        if (n < max)
            out[n++] = (map_span){ r->address, (uint32_t)(r->address + bytes), category_of_kind(r->kind),
                                   (int32_t)ri, false };
        total++;
    }
    qsort(out, n, sizeof *out, cmp_span);
    mark_clashes(out, n);
    size_t nreg = n;
    uint32_t cursor = 0, fw_end = arch_firmware_end(d->arch, d->unreserved_base);
    for (size_t i = 0; i <= nreg; i++) {
        uint32_t next = i < nreg ? out[i].start : d->l1_size;
        while (next > cursor) {
            /* A hole; split at MEM_MAP_END and the unreserved base. */
            l1_category c = cursor < fw_end ? CAT_FIRMWARE : cursor < d->unreserved_base ? CAT_KERNEL_CONFIG : CAT_FREE;
            uint32_t limit = c == CAT_FIRMWARE ? fw_end : c == CAT_KERNEL_CONFIG ? d->unreserved_base : next;
            uint32_t end = next < limit ? next : limit;
            if (n < max)
                out[n++] = (map_span){ cursor, end, c, -1, false };
            total++;
            cursor = end;
        }
        if (i < nreg && out[i].end > cursor)
            cursor = out[i].end;
    }
    qsort(out, n, sizeof *out, cmp_span);
    if (needed)
        *needed = total;
    return n;
}
