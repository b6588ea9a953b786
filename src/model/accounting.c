/*
 * accounting.c - per-core byte attribution, free holes, clashes and
 * per-process sums from a snapshot, per-process totals over devices, one
 * core's bytes over time (a trace's peak) and one core's address map (see
 * accounting.h). No I/O, no globals.
 */
#include "model/accounting.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "grow.h"

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

/* Stable LSD radix sort of (key, index) pairs by the low `bits` bits of
 * key, 8 bits a pass (passes where every key has the same digit are
 * skipped). Orders of tens of thousands of regions per frame: a comparison
 * sort through qsort's callback cost more than the sweep itself. */
typedef struct {
    uint64_t key;
    uint32_t idx;
} sort_item;

static void radix_sort(sort_item *v, sort_item *tmp, size_t n, unsigned bits)
{
    for (unsigned shift = 0; shift < bits; shift += 8) {
        size_t count[257] = { 0 };
        for (size_t i = 0; i < n; i++)
            count[((v[i].key >> shift) & 0xFF) + 1]++;
        bool one_digit = false;
        for (int d = 1; d <= 256; d++)
            one_digit |= count[d] == n;
        if (one_digit)
            continue;
        for (int d = 1; d <= 256; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i].key >> shift) & 0xFF]++] = v[i];
        memcpy(v, tmp, n * sizeof *v);
    }
}

/* Regions ordered by (device, address): each device's slice, visited in
 * this order, fills every core's interval list already sorted by start.
 * Each key carries what placing the region needs, so the sweeps read keys
 * in order instead of regions at random. */
typedef struct {
    uint32_t device, address, region;
    uint32_t bytes;         /* per core; interleaved: on banks >= extra */
    uint32_t first_range, nranges;
    uint32_t page, extra, used; /* interleaved: aligned page; banks < extra hold one page more; banks < used any */
    uint8_t kind;
    bool interleaved;
} region_key;

static region_key key_of(const snapshot *s, uint32_t ri)
{
    const snap_region *r = &s->regions[ri];
    region_key k = { r->device, r->address, ri, r->size_per_core, r->first_range, r->nranges, 0, 0, 0, r->kind,
                     r->interleaved };
    if (r->interleaved && r->device < s->ndevices) {
        const snap_device *d = &s->devices[r->device];
        uint32_t ncores = (uint32_t)d->grid_x * d->grid_y, pages = region_pages(r);
        uint64_t page = align_up(r->page_size, d->alignment ? d->alignment : 1);
        uint64_t base = (uint64_t)(pages / ncores) * page;
        k.page = (uint32_t)(page > UINT32_MAX ? UINT32_MAX : page);
        k.bytes = (uint32_t)(base > UINT32_MAX ? UINT32_MAX : base);
        k.extra = pages % ncores;
        k.used = pages < ncores ? pages : ncores;
    }
    return k;
}

/* Largest address range in [ub, l1 - l1_small) free on every core: a gap in
 * the union of every region's extent (each region sits at one address on
 * all of its cores, interleaved ones widest on bank 0). The device's
 * regions come sorted by address, so one walk finds it. */
static uint64_t largest_common_free(const snapshot *s, uint32_t dev, const region_key *order, size_t norder)
{
    const snap_device *d = &s->devices[dev];
    uint32_t top = d->l1_size - d->l1_small_size;
    uint32_t cursor = d->unreserved_base;
    uint64_t best = 0;
    for (size_t i = 0; i < norder && cursor < top; i++) {
        const snap_region *r = &s->regions[order[i].region];
        uint64_t width = r->interleaved ? interleaved_on_bank(d, r, 0) : r->size_per_core;
        if (!width)
            continue;
        if (r->address > cursor) {
            uint32_t gap_end = r->address < top ? r->address : top;
            if (gap_end > cursor && gap_end - cursor > best)
                best = gap_end - cursor;
        }
        uint64_t end = (uint64_t)r->address + width;
        if (end > cursor)
            cursor = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
    }
    if (top > cursor && top - cursor > best)
        best = top - cursor;
    return best;
}

/* ---------- per-device work ---------- */

/* Distinct CB/buffer pairs named per device. Past this the sweep stops
 * naming pairs (that is what made it quadratic) and says so: the count
 * becomes a lower bound and `clashes_truncated` is set. */
#define MAX_CLASHES CLASH_PAIRS_LISTED_MAX
#define CLASH_HASH_SIZE (2 * MAX_CLASHES) /* power of two, load <= 1/2 */
/* Intervals held at once: rows of cores are swept in blocks of about this
 * many, so memory follows this budget, not records x cores. */
#define INTERVAL_BUDGET (1u << 16)

typedef struct {
    uint32_t start, end;
    uint32_t region;
    uint8_t kind;
} interval;

static bool kind_is_buffer(unsigned kind)
{
    return kind == L1TOP_L1_BUFFER || kind == L1TOP_L1_SMALL;
}

/* Clash pairs of one device: the list plus a hash keyed by the pair. */
typedef struct {
    device_usage *du;
    size_t cap;
    uint32_t *hash;       /* CLASH_HASH_SIZE entries: clash index + 1, 0 empty */
    uint32_t *last_core;  /* per clash: last core it was counted on */
    size_t last_core_cap;
    uint64_t max_core_pairs; /* most pair incidences on one core: a lower bound */
} clash_table;

static uint32_t pair_hash(uint32_t cb, uint32_t buf)
{
    uint64_t k = ((uint64_t)cb << 32 | buf) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(k >> 40) & (CLASH_HASH_SIZE - 1);
}

/* Name the pair (cb, buf) overlapping on `core`; -1 when memory ran out. */
static int name_clash(clash_table *t, const interval *c, const interval *b, uint32_t core, uint16_t gx)
{
    device_usage *du = t->du;
    uint32_t s = c->start > b->start ? c->start : b->start;
    uint32_t e = c->end < b->end ? c->end : b->end;
    uint32_t h = pair_hash(c->region, b->region);
    for (;; h = (h + 1) & (CLASH_HASH_SIZE - 1)) {
        uint32_t slot = t->hash[h];
        if (slot == 0)
            break;
        clash_info *ci = &du->clashes[slot - 1];
        if (ci->cb_region == c->region && ci->buffer_region == b->region) {
            if (t->last_core[slot - 1] != core) {
                t->last_core[slot - 1] = core;
                ci->cores++;
                ci->bytes += e - s;
            }
            return 0;
        }
    }
    if (du->nclashes >= MAX_CLASHES) {
        du->clashes_truncated = true;
        return 0;
    }
    /* Two arrays indexed alike: each keeps its own capacity. */
    if (grow_array((void **)&du->clashes, &t->cap, du->nclashes, 1, sizeof *du->clashes) != 0 ||
        grow_array((void **)&t->last_core, &t->last_core_cap, du->nclashes, 1, sizeof *t->last_core) != 0)
        return -1;
    size_t i = du->nclashes++;
    t->hash[h] = (uint32_t)i + 1;
    t->last_core[i] = core;
    du->clashes[i] = (clash_info){ c->region, b->region, 1, (uint16_t)(core % gx), (uint16_t)(core / gx),
                                   s, e, e - s };
    return 0;
}

/* Scratch of one core's sweep. */
typedef struct {
    uint32_t *cb;     /* active circular buffers (indices into the start list) */
    uint32_t *buf;    /* active L1 buffers / L1_SMALL */
    uint32_t *where;  /* per snapshot region: its index in cb[] or buf[] */
    size_t ncb, nbuf;
} sweep_scratch;

/* Remove region r from an active list (swap with the last). */
static void active_remove(uint32_t *list, size_t *n, uint32_t *where, const interval *iv, uint32_t r)
{
    uint32_t at = where[r], last = list[--*n];
    list[at] = last;
    where[iv[last].region] = at;
}

typedef struct {
    core_usage *u;
    uint32_t fw_end, ub, l1; /* firmware | kernel-config ring | free */
    uint32_t hole_start, hole_end; /* current free hole, empty when equal */
} sweep_state;

static void close_hole(sweep_state *st)
{
    uint64_t len = st->hole_end - st->hole_start;
    if (len > st->u->largest_free)
        st->u->largest_free = len;
    st->hole_start = st->hole_end = 0;
}

/* [a, b) is covered by no region: each part to its zone's category
 * (category_uncovered); free parts extend or start a hole. */
static void uncovered(sweep_state *st, uint32_t a, uint32_t b)
{
    while (a < b) {
        uint32_t zone_end;
        l1_category c = category_uncovered(a, st->fw_end, st->ub, st->l1, &zone_end);
        uint32_t end = b < zone_end ? b : zone_end;
        st->u->bytes[c] += end - a;
        if (c == CAT_FREE) {
            if (st->hole_end != a || st->hole_end == st->hole_start) {
                close_hole(st);
                st->hole_start = a;
            }
            st->hole_end = end;
        }
        a = end;
    }
}

/* Bytes [pos, next) go to the first kind covering them (coverage counters
 * per kind), a clash where a CB and a buffer both cover them. */
static void attribute_span(sweep_state *st, const uint32_t cover[CAT_RECORDED + 1], uint32_t pos, uint32_t next)
{
    l1_category c = category_covered(cover);
    if (c == CAT_COUNT) {
        uncovered(st, pos, next);
        return;
    }
    st->u->bytes[c] += next - pos;
    if (category_clash(cover))
        st->u->clash_bytes += next - pos;
}

/* Interval x starts: it meets every active interval of the other clashing
 * kind here, and only here (the later of two starts names the pair). */
static int start_interval(clash_table *t, sweep_scratch *w, const interval *iv, uint32_t x, uint32_t core,
                          uint16_t gx, uint64_t *core_pairs)
{
    const interval *v = &iv[x];
    if (v->kind == L1TOP_CIRCULAR_BUFFER) {
        *core_pairs += w->nbuf;
        for (size_t k = 0; k < w->nbuf && !t->du->clashes_truncated; k++)
            if (name_clash(t, v, &iv[w->buf[k]], core, gx))
                return -1;
        w->where[v->region] = (uint32_t)w->ncb;
        w->cb[w->ncb++] = x;
    } else if (kind_is_buffer(v->kind)) {
        *core_pairs += w->ncb;
        for (size_t k = 0; k < w->ncb && !t->du->clashes_truncated; k++)
            if (name_clash(t, &iv[w->cb[k]], v, core, gx))
                return -1;
        w->where[v->region] = (uint32_t)w->nbuf;
        w->buf[w->nbuf++] = x;
    }
    return 0;
}

/* Attribute one core's L1: a merge of its intervals sorted by start (iv)
 * and the same intervals sorted by end (ends), with a coverage counter per
 * kind: O(n + pairs named). Both orders come from the device-wide region
 * orders, so no per-core sort is needed. */
static int sweep_core(clash_table *t, sweep_scratch *w, const interval *iv, const interval *ends, size_t n,
                      uint32_t core, const snap_device *d)
{
    core_usage *u = &t->du->cores[core];
    sweep_state st = { u, arch_firmware_end(d->arch, d->unreserved_base), d->unreserved_base, d->l1_size, 0, 0 };
    uint32_t cover[CAT_RECORDED + 1] = { 0 };
    uint64_t core_pairs = 0;
    size_t i = 0, j = 0;
    uint32_t pos = 0;
    w->ncb = w->nbuf = 0;
    while (pos < d->l1_size) {
        uint32_t next = i < n ? iv[i].start : d->l1_size;
        if (j < n && ends[j].end < next)
            next = ends[j].end;
        if (next > d->l1_size)
            next = d->l1_size;
        if (next > pos) {
            attribute_span(&st, cover, pos, next);
            pos = next;
        }
        /* An end at or before pos belongs to an interval already started. */
        for (; j < n && ends[j].end <= pos; j++) {
            cover[ends[j].kind]--;
            if (ends[j].kind == L1TOP_CIRCULAR_BUFFER)
                active_remove(w->cb, &w->ncb, w->where, iv, ends[j].region);
            else if (kind_is_buffer(ends[j].kind))
                active_remove(w->buf, &w->nbuf, w->where, iv, ends[j].region);
        }
        for (; i < n && iv[i].start <= pos; i++) {
            cover[iv[i].kind]++;
            if (start_interval(t, w, iv, (uint32_t)i, core, d->grid_x, &core_pairs))
                return -1;
        }
    }
    close_hole(&st);
    u->fragmented = u->bytes[CAT_FREE] - u->largest_free;
    if (core_pairs > t->max_core_pairs)
        t->max_core_pairs = core_pairs;
    return 0;
}

/* Where a region lands with one width on every core it occupies: a ranged
 * region, or one half of an interleaved one (banks below `extra` hold one
 * page more). The device's placements sorted by end give every core's
 * intervals in end order. */
typedef struct {
    uint32_t end;      /* address + width */
    uint32_t key;      /* index into the device's region keys */
    uint32_t first, last; /* banks [first, last) */
} placement;

/* Working memory of one accounting_compute, grown to the largest device
 * and reused by every device (fresh pages are most of a frame's cost). */
typedef struct {
    interval *starts, *stops;
    placement *ends, *ends_tmp;
    sort_item *items, *items_tmp;
    uint32_t *cb, *buf;
    uint32_t *count, *offset, *fill;
    size_t cap[11];       /* of each array above, in order */
    uint32_t *where;      /* per snapshot region */
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
    free(x->starts);
    free(x->stops);
    free(x->ends);
    free(x->ends_tmp);
    free(x->items);
    free(x->items_tmp);
    free(x->cb);
    free(x->buf);
    free(x->count);
    free(x->offset);
    free(x->fill);
    free(x->where);
}

typedef struct {
    uint32_t *count;      /* per core: intervals */
    uint32_t *offset;     /* per core of the block: first interval */
    uint32_t *fill;       /* per core of the block: intervals placed */
    interval *list;       /* the block's lists (starts or ends); NULL: count */
    uint32_t first_core, last_core; /* the block: cores [first, last) */
    uint32_t y0, y1;      /* its rows */
    const snapshot *s;
} core_lists;

/* Put a region on core c with `bytes` (list mode), or count it. */
static inline void put(core_lists *cl, uint32_t c, const region_key *k, uint64_t bytes)
{
    if (!bytes)
        return;
    if (!cl->list) {
        cl->count[c]++;
        return;
    }
    uint32_t at = c - cl->first_core;
    interval *list = cl->list + cl->offset[at];
    /* Overlapping ranges of one region put it on a core twice: once is enough. */
    if (cl->fill[at] && list[cl->fill[at] - 1].region == k->region)
        return;
    list[cl->fill[at]++] = (interval){ k->address, (uint32_t)(k->address + bytes), k->region, k->kind };
}

/* Place a region on the cores of the block (banks [first, last) only, for
 * an interleaved region). */
static void place(core_lists *cl, const snap_device *d, const region_key *k, uint32_t first, uint32_t last)
{
    if (k->interleaved) {
        uint32_t lo = first > cl->first_core ? first : cl->first_core;
        uint32_t hi = last < cl->last_core ? last : cl->last_core;
        if (hi > k->used)
            hi = k->used;
        for (uint32_t b = lo; b < hi; b++)
            put(cl, b, k, (uint64_t)k->bytes + (b < k->extra ? k->page : 0));
        return;
    }
    const l1top_range *g = cl->s->ranges + k->first_range;
    for (uint32_t i = 0; i < k->nranges; i++) {
        l1top_range c;
        if (!range_clip(d, &g[i], &c))
            continue;
        uint32_t ya = c.y0 > cl->y0 ? c.y0 : cl->y0, yb = c.y1 < cl->y1 ? c.y1 : cl->y1;
        for (uint32_t y = ya; y <= yb; y++)
            for (uint32_t x = c.x0; x <= c.x1; x++)
                put(cl, y * d->grid_x + x, k, k->bytes);
    }
}

/* A device's placements (one per ranged region, up to two per interleaved
 * one), sorted by end. Returns the count. */
static size_t end_order(const snap_device *d, const region_key *order, size_t norder, acct_scratch *x)
{
    placement *out = x->ends_tmp;
    uint32_t ncores = (uint32_t)d->grid_x * d->grid_y;
    size_t n = 0;
    for (size_t o = 0; o < norder; o++) {
        const region_key *k = &order[o];
        if (!k->interleaved) {
            if (k->bytes)
                out[n++] = (placement){ (uint32_t)(k->address + k->bytes), (uint32_t)o, 0, ncores };
            continue;
        }
        if (k->extra)
            out[n++] = (placement){ (uint32_t)(k->address + (uint64_t)k->bytes + k->page), (uint32_t)o, 0, k->extra };
        if (k->bytes && k->used > k->extra)
            out[n++] = (placement){ (uint32_t)(k->address + k->bytes), (uint32_t)o, k->extra, k->used };
    }
    /* By end; ties keep key order (stable), which the sweep does not need
     * but keeps the result independent of anything else. */
    for (size_t i = 0; i < n; i++)
        x->items[i] = (sort_item){ out[i].end, (uint32_t)i };
    radix_sort(x->items, x->items_tmp, n, 32);
    for (size_t i = 0; i < n; i++)
        x->ends[i] = out[x->items[i].idx];
    return n;
}

/* Sweep the cores of rows [y0, y1]: their start and end lists, then each core. */
static int sweep_rows(const snapshot *s, uint32_t dev, const region_key *order, size_t norder,
                      const placement *ends, size_t nends, core_lists *cl, interval *starts, interval *stops,
                      clash_table *t, sweep_scratch *w, uint32_t y0, uint32_t y1)
{
    const snap_device *d = &s->devices[dev];
    uint32_t first = y0 * d->grid_x, last = (y1 + 1) * d->grid_x;
    cl->first_core = first;
    cl->last_core = last;
    cl->y0 = y0;
    cl->y1 = y1;
    cl->offset[0] = 0;
    for (uint32_t c = first; c < last; c++)
        cl->offset[c - first + 1] = cl->offset[c - first] + cl->count[c];
    uint32_t nc = (uint32_t)d->grid_x * d->grid_y;
    cl->list = starts;
    memset(cl->fill, 0, (last - first) * sizeof *cl->fill);
    for (size_t o = 0; o < norder; o++)
        place(cl, d, &order[o], 0, nc);
    cl->list = stops;
    memset(cl->fill, 0, (last - first) * sizeof *cl->fill);
    for (size_t e = 0; e < nends; e++)
        place(cl, d, &order[ends[e].key], ends[e].first, ends[e].last);
    for (uint32_t c = first; c < last; c++)
        if (sweep_core(t, w, starts + cl->offset[c - first], stops + cl->offset[c - first], cl->fill[c - first], c,
                       d))
            return -1;
    cl->list = NULL;
    return 0;
}

/* Bytes each process recorded, overlaps not removed: O(regions). */
static void sum_processes(const snapshot *s, const snap_device *d, const region_key *order, size_t norder,
                          process_usage *per_proc)
{
    for (size_t o = 0; o < norder; o++) {
        const snap_region *r = &s->regions[order[o].region];
        if (r->process >= s->nprocesses)
            continue;
        process_usage *pu = &per_proc[r->process];
        l1_category cat = category_of_kind(r->kind);
        pu->regions++;
        if (cat >= CAT_RECORDED)
            continue;
        if (r->interleaved) {
            /* every page lands on exactly one bank */
            pu->bytes[cat] += (uint64_t)region_pages(r) * align_up(r->page_size, d->alignment ? d->alignment : 1);
            continue;
        }
        const l1top_range *g = snapshot_region_ranges(s, r);
        for (uint32_t i = 0; i < r->nranges; i++) {
            l1top_range c;
            if (range_clip(d, &g[i], &c))
                pu->bytes[cat] += (uint64_t)r->size_per_core * (c.x1 - c.x0 + 1u) * (c.y1 - c.y0 + 1u);
        }
    }
}

static int cmp_clash_bytes(const void *a, const void *b)
{
    const clash_info *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->cb_region != y->cb_region)
        return x->cb_region < y->cb_region ? -1 : 1;
    return (x->buffer_region > y->buffer_region) - (x->buffer_region < y->buffer_region);
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

/* Rows [y0, *y1] whose intervals fit the budget (at least one row). */
static uint32_t block_end(const uint32_t *count, const snap_device *d, uint32_t y0, size_t *total)
{
    size_t sum = 0;
    uint32_t y = y0;
    for (; y < d->grid_y; y++) {
        size_t row = 0;
        for (uint32_t x = 0; x < d->grid_x; x++)
            row += count[y * d->grid_x + x];
        if (y > y0 && sum + row > INTERVAL_BUDGET)
            break;
        sum += row;
    }
    *total = sum;
    return y - 1;
}

static int account_device(const snapshot *s, uint32_t dev, const region_key *order, size_t norder, acct_scratch *x,
                          device_usage *du)
{
    const snap_device *d = &s->devices[dev];
    uint32_t nc = (uint32_t)d->grid_x * d->grid_y;
    du->device = dev;
    du->ncores = nc;
    du->regions = (uint32_t)norder;
    du->cores = calloc(nc, sizeof *du->cores);
    process_usage *per_proc = calloc(s->nprocesses ? s->nprocesses : 1, sizeof *per_proc);
    clash_table t = { du, 0, calloc(CLASH_HASH_SIZE, sizeof(uint32_t)), NULL, 0, 0 };
    int rc = -1;
    size_t np = 2 * norder + 1;
    if (!du->cores || !per_proc || !t.hash || reserve((void **)&x->ends, &x->cap[2], np, sizeof *x->ends) ||
        reserve((void **)&x->ends_tmp, &x->cap[3], np, sizeof *x->ends_tmp) ||
        reserve((void **)&x->items, &x->cap[4], np, sizeof *x->items) ||
        reserve((void **)&x->items_tmp, &x->cap[5], np, sizeof *x->items_tmp) ||
        reserve((void **)&x->count, &x->cap[8], nc + 1, sizeof *x->count) ||
        reserve((void **)&x->offset, &x->cap[9], nc + 1, sizeof *x->offset) ||
        reserve((void **)&x->fill, &x->cap[10], nc + 1, sizeof *x->fill) || !x->count || !x->ends)
        goto out;
    core_lists cl = { x->count, x->offset, x->fill, NULL, 0, nc, 0, d->grid_y - 1u, s };
    memset(cl.count, 0, nc * sizeof *cl.count);
    for (size_t o = 0; o < norder; o++)
        place(&cl, d, &order[o], 0, nc); /* counts: cl.list is NULL */
    size_t nends = end_order(d, order, norder, x);
    size_t max_n = 0, max_block = 0;
    for (uint32_t c = 0; c < nc; c++)
        if (cl.count[c] > max_n)
            max_n = cl.count[c];
    for (uint32_t y = 0; y < d->grid_y;) {
        size_t total;
        y = block_end(cl.count, d, y, &total) + 1;
        if (total > max_block)
            max_block = total;
    }
    if (reserve((void **)&x->starts, &x->cap[0], max_block, sizeof *x->starts) ||
        reserve((void **)&x->stops, &x->cap[1], max_block, sizeof *x->stops) ||
        reserve((void **)&x->cb, &x->cap[6], max_n + 1, sizeof *x->cb) ||
        reserve((void **)&x->buf, &x->cap[7], max_n + 1, sizeof *x->buf) || !x->starts || !x->stops)
        goto out;
    sweep_scratch w = { x->cb, x->buf, x->where, 0, 0 };
    for (uint32_t y = 0; y < d->grid_y;) {
        size_t total;
        uint32_t y1 = block_end(cl.count, d, y, &total);
        if (sweep_rows(s, dev, order, norder, x->ends, nends, &cl, x->starts, x->stops, &t, &w, y, y1))
            goto out;
        y = y1 + 1;
    }
    for (uint32_t c = 0; c < nc; c++) {
        for (int k = 0; k < CAT_COUNT; k++)
            du->totals[k] += du->cores[c].bytes[k];
        du->fragmented += du->cores[c].fragmented;
        du->clash_bytes += du->cores[c].clash_bytes;
    }
    du->clash_pairs_at_least = t.max_core_pairs > du->nclashes ? t.max_core_pairs : du->nclashes;
    if (du->nclashes > 1)
        qsort(du->clashes, du->nclashes, sizeof *du->clashes, cmp_clash_bytes);
    du->largest_free_common = largest_common_free(s, dev, order, norder);
    sum_processes(s, d, order, norder, per_proc);
    rc = collect_processes(s, per_proc, du);
out:
    free(per_proc);
    free(t.hash);
    free(t.last_core);
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
    size_t n = s->nregions;
    region_key *order = malloc((n ? n : 1) * sizeof *order);
    sort_item *items = malloc((n ? n : 1) * sizeof *items), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    acct_scratch x;
    memset(&x, 0, sizeof x);
    x.where = calloc(n ? n : 1, sizeof *x.where);
    int rc = -1;
    if (!order || !items || !tmp || !x.where)
        goto out;
    /* (device, address), ties in region order: radix sorting is stable. */
    for (uint32_t ri = 0; ri < n; ri++)
        items[ri] = (sort_item){ (uint64_t)s->regions[ri].device << 32 | s->regions[ri].address, ri };
    radix_sort(items, tmp, n, 64);
    for (size_t i = 0; i < n; i++)
        order[i] = key_of(s, items[i].idx);
    size_t first = 0;
    for (uint32_t i = 0; i < s->ndevices; i++) {
        size_t end = first;
        while (end < n && order[end].device == i)
            end++;
        if (account_device(s, i, order + first, end - first, &x, &a->devices[i]) != 0)
            goto out;
        first = end;
    }
    rc = 0;
out:
    free(order);
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
