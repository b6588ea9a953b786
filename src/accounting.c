/*
 * accounting.c - per-core byte attribution, free holes, clashes and
 * per-process sums from a snapshot (see accounting.h). No I/O, no globals.
 */
#include "accounting.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"

/* Distinct CB/buffer pairs kept per device: enough to explain any clash. */
#define MAX_CLASHES 4096

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

/* Call fn(core, bytes) for every core a region occupies. */
typedef void (*core_visit)(void *ctx, uint32_t core, uint64_t bytes, uint32_t region);

static void visit_region(const snapshot *s, uint32_t ri, core_visit fn, void *ctx)
{
    const snap_region *r = &s->regions[ri];
    const snap_device *d = &s->devices[r->device];
    uint32_t ncores = (uint32_t)d->grid_x * d->grid_y;
    if (r->interleaved) {
        /* interleaved_bank_bytes, hoisted out of the bank loop. */
        uint32_t pages = region_pages(r);
        uint32_t used_banks = pages < ncores ? pages : ncores;
        uint64_t page = align_up(r->page_size, d->alignment ? d->alignment : 1);
        uint64_t base = pages / ncores, extra = pages % ncores;
        for (uint32_t b = 0; b < used_banks; b++)
            fn(ctx, b, (base + (b < extra)) * page, ri);
        return;
    }
    const l1top_range *g = snapshot_region_ranges(s, r);
    for (uint32_t i = 0; i < r->nranges; i++) {
        l1top_range c;
        if (!range_clip(d, &g[i], &c))
            continue;
        for (uint32_t y = c.y0; y <= c.y1; y++)
            for (uint32_t x = c.x0; x <= c.x1; x++)
                fn(ctx, y * d->grid_x + x, r->size_per_core, ri);
    }
}

/* ---------- per-device work ---------- */

typedef struct {
    uint32_t start, end;
    uint32_t region;
    uint8_t kind;
} interval;

typedef struct {
    uint32_t *count;      /* per core: intervals */
    uint32_t *offset;     /* per core: first interval */
    interval *iv;
    size_t niv;
} core_lists;

static void count_visit(void *ctx, uint32_t core, uint64_t bytes, uint32_t region)
{
    (void)region;
    if (bytes)
        ((core_lists *)ctx)->count[core]++;
}

typedef struct {
    core_lists *cl;
    uint32_t *fill;
    const snapshot *s;
} fill_ctx;

static void fill_visit(void *ctx, uint32_t core, uint64_t bytes, uint32_t region)
{
    fill_ctx *f = ctx;
    if (!bytes)
        return;
    const snap_region *r = &f->s->regions[region];
    interval *iv = &f->cl->iv[f->cl->offset[core] + f->fill[core]++];
    iv->start = r->address;
    iv->end = (uint32_t)(r->address + bytes);
    iv->region = region;
    iv->kind = r->kind;
}


static int add_clash(device_usage *du, size_t *cap, uint32_t cb, uint32_t buf, uint32_t core,
                     uint16_t gx, uint32_t start, uint32_t end, uint32_t *last_core)
{
    for (size_t i = 0; i < du->nclashes; i++) {
        clash_info *c = &du->clashes[i];
        if (c->cb_region == cb && c->buffer_region == buf) {
            if (last_core[i] != core) {
                last_core[i] = core;
                c->cores++;
            }
            return 0;
        }
    }
    if (du->nclashes >= MAX_CLASHES)
        return 0; /* enough to explain; more would only bloat the output */
    if (du->nclashes == *cap) {
        size_t want = *cap ? *cap * 2 : 8;
        clash_info *p = realloc(du->clashes, want * sizeof *p);
        if (!p)
            return -1;
        du->clashes = p;
        *cap = want;
    }
    clash_info *c = &du->clashes[du->nclashes];
    last_core[du->nclashes] = core;
    du->nclashes++;
    c->cb_region = cb;
    c->buffer_region = buf;
    c->cores = 1;
    c->first_x = (uint16_t)(core % gx);
    c->first_y = (uint16_t)(core / gx);
    c->overlap_start = start;
    c->overlap_end = end;
    return 0;
}

/* Name the CB/buffer pairs behind a clash segment [a, b) on one core. */
static int explain_clash(device_usage *du, size_t *cap, uint32_t *last_core, const interval *iv, size_t n,
                         uint32_t core, uint16_t gx, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < n; i++) {
        if (iv[i].kind != L1TOP_CIRCULAR_BUFFER || iv[i].start > a || iv[i].end < b)
            continue;
        for (size_t j = 0; j < n; j++) {
            if ((iv[j].kind != L1TOP_L1_BUFFER && iv[j].kind != L1TOP_L1_SMALL) || iv[j].start > a ||
                iv[j].end < b)
                continue;
            uint32_t s = iv[i].start > iv[j].start ? iv[i].start : iv[j].start;
            uint32_t e = iv[i].end < iv[j].end ? iv[i].end : iv[j].end;
            if (add_clash(du, cap, iv[i].region, iv[j].region, core, gx, s, e, last_core))
                return -1;
        }
    }
    return 0;
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

/* The part of [*a, b) below `limit` goes to category c; *a moves past it. */
static void reserved_part(sweep_state *st, uint32_t *a, uint32_t b, uint32_t limit, l1_category c)
{
    if (*a < limit) {
        uint32_t end = b < limit ? b : limit;
        st->u->bytes[c] += end - *a;
        *a = end;
    }
}

static void uncovered(sweep_state *st, uint32_t a, uint32_t b)
{
    reserved_part(st, &a, b, st->fw_end, CAT_FIRMWARE);
    reserved_part(st, &a, b, st->ub, CAT_KERNEL_CONFIG);
    if (a >= b)
        return;
    st->u->bytes[CAT_FREE] += b - a;
    if (st->hole_end != a || st->hole_end == st->hole_start) {
        close_hole(st);
        st->hole_start = a;
    }
    st->hole_end = b;
}

/* Attribute one core's L1 from its intervals, sorted by start address.
 * A sweep from address 0 to the L1 size keeps the intervals covering the
 * current address in `act` (scratch of n): usually one or two, so each
 * step is cheap and no per-core sort is needed. */
static int sweep_core(device_usage *du, size_t *clash_cap, uint32_t *last_core, const interval *iv, size_t n,
                      const interval **act, uint32_t core, const snap_device *d)
{
    core_usage *u = &du->cores[core];
    sweep_state st = { u, arch_firmware_end(d->arch, d->unreserved_base), d->unreserved_base, d->l1_size, 0, 0 };
    size_t na = 0, i = 0;
    uint32_t pos = 0;
    while (pos < d->l1_size) {
        uint32_t next = i < n ? iv[i].start : d->l1_size;
        for (size_t k = 0; k < na; k++)
            if (act[k]->end < next)
                next = act[k]->end;
        if (next > d->l1_size)
            next = d->l1_size;
        if (next > pos) {
            unsigned winner = 0;
            bool cb = false, buf = false;
            for (size_t k = 0; k < na; k++) {
                unsigned kind = act[k]->kind;
                if (!winner || kind < winner)
                    winner = kind;
                cb |= kind == L1TOP_CIRCULAR_BUFFER;
                buf |= kind == L1TOP_L1_BUFFER || kind == L1TOP_L1_SMALL;
            }
            if (winner) {
                u->bytes[category_of_kind(winner)] += next - pos;
                if (cb && buf) {
                    u->clash_bytes += next - pos;
                    if (explain_clash(du, clash_cap, last_core, iv, n, core, d->grid_x, pos, next))
                        return -1;
                }
            } else {
                uncovered(&st, pos, next);
            }
            pos = next;
        }
        size_t keep = 0;
        for (size_t k = 0; k < na; k++)
            if (act[k]->end > pos)
                act[keep++] = act[k];
        na = keep;
        for (; i < n && iv[i].start <= pos; i++)
            if (iv[i].end > pos)
                act[na++] = &iv[i];
    }
    close_hole(&st);
    u->fragmented = u->bytes[CAT_FREE] - u->largest_free;
    return 0;
}

typedef struct {
    uint32_t start, end;
} extent;

static int cmp_extent(const void *a, const void *b)
{
    const extent *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Largest address range in [ub, l1 - l1_small) free on every core: a gap in
 * the union of every region's extent (each region sits at one address on
 * all of its cores, interleaved ones widest on bank 0). */
static uint64_t largest_common_free(const snapshot *s, uint32_t dev, extent *ex)
{
    const snap_device *d = &s->devices[dev];
    size_t n = 0;
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *r = &s->regions[i];
        if (r->device != dev)
            continue;
        uint64_t width = r->interleaved ? interleaved_on_bank(d, r, 0) : r->size_per_core;
        if (width)
            ex[n++] = (extent){ r->address, (uint32_t)(r->address + width) };
    }
    qsort(ex, n, sizeof *ex, cmp_extent);
    uint32_t top = d->l1_size - d->l1_small_size;
    uint32_t cursor = d->unreserved_base;
    uint64_t best = 0;
    for (size_t i = 0; i < n && cursor < top; i++) {
        if (ex[i].start > cursor) {
            uint32_t gap_end = ex[i].start < top ? ex[i].start : top;
            if (gap_end > cursor && gap_end - cursor > best)
                best = gap_end - cursor;
        }
        if (ex[i].end > cursor)
            cursor = ex[i].end;
    }
    if (top > cursor && top - cursor > best)
        best = top - cursor;
    return best;
}

/* Regions ordered by (device, address): each device's slice, visited in
 * this order, fills every core's interval list already sorted by start. */
typedef struct {
    uint32_t device, address, region;
} region_key;

static int cmp_region_key(const void *a, const void *b)
{
    const region_key *x = a, *y = b;
    if (x->device != y->device)
        return x->device < y->device ? -1 : 1;
    if (x->address != y->address)
        return x->address < y->address ? -1 : 1;
    return (x->region > y->region) - (x->region < y->region);
}

static int account_device(const snapshot *s, uint32_t dev, const region_key *order, size_t norder,
                          device_usage *du)
{
    const snap_device *d = &s->devices[dev];
    uint32_t nc = (uint32_t)d->grid_x * d->grid_y;
    du->device = dev;
    du->ncores = nc;
    du->cores = calloc(nc, sizeof *du->cores);
    core_lists cl = { calloc(nc, sizeof(uint32_t)), calloc(nc + 1, sizeof(uint32_t)), NULL, 0 };
    uint32_t *fill = calloc(nc, sizeof(uint32_t));
    process_usage *per_proc = calloc(s->nprocesses ? s->nprocesses : 1, sizeof *per_proc);
    extent *ex = malloc((s->nregions ? s->nregions : 1) * sizeof *ex);
    const interval **act = NULL;
    uint32_t *last_core = NULL;
    int rc = -1;
    if (!du->cores || !cl.count || !cl.offset || !fill || !per_proc || !ex)
        goto out;

    for (size_t o = 0; o < norder; o++) {
        du->regions++;
        visit_region(s, order[o].region, count_visit, &cl);
    }
    size_t max_n = 0;
    for (uint32_t c = 0; c < nc; c++) {
        cl.offset[c + 1] = cl.offset[c] + cl.count[c];
        if (cl.count[c] > max_n)
            max_n = cl.count[c];
    }
    cl.niv = cl.offset[nc];
    cl.iv = malloc((cl.niv ? cl.niv : 1) * sizeof *cl.iv);
    act = malloc((max_n + 1) * sizeof(const interval *)); /* pointers into cl.iv */
    last_core = malloc(MAX_CLASHES * sizeof *last_core);
    if (!cl.iv || !act || !last_core)
        goto out;
    fill_ctx fc = { &cl, fill, s };
    for (size_t o = 0; o < norder; o++) {
        const snap_region *r = &s->regions[order[o].region];
        visit_region(s, order[o].region, fill_visit, &fc);
        if (r->process < s->nprocesses) {
            process_usage *pu = &per_proc[r->process];
            l1_category cat = category_of_kind(r->kind);
            pu->regions++;
            if (cat < CAT_RECORDED) {
                if (r->interleaved) {
                    /* every page lands on exactly one bank */
                    pu->bytes[cat] += (uint64_t)region_pages(r) * align_up(r->page_size, d->alignment ? d->alignment : 1);
                } else {
                    const l1top_range *g = snapshot_region_ranges(s, r);
                    for (uint32_t i = 0; i < r->nranges; i++) {
                        l1top_range c;
                        if (range_clip(d, &g[i], &c))
                            pu->bytes[cat] += (uint64_t)r->size_per_core * (c.x1 - c.x0 + 1u) * (c.y1 - c.y0 + 1u);
                    }
                }
            }
        }
    }

    size_t clash_cap = 0;
    for (uint32_t c = 0; c < nc; c++) {
        if (sweep_core(du, &clash_cap, last_core, cl.iv + cl.offset[c], cl.count[c], act, c, d))
            goto out;
        for (int k = 0; k < CAT_COUNT; k++)
            du->totals[k] += du->cores[c].bytes[k];
        du->fragmented += du->cores[c].fragmented;
    }
    du->largest_free_common = largest_common_free(s, dev, ex);

    size_t np = 0;
    for (size_t p = 0; p < s->nprocesses; p++)
        if (per_proc[p].regions)
            np++;
    du->processes = calloc(np ? np : 1, sizeof *du->processes);
    if (!du->processes)
        goto out;
    for (size_t p = 0; p < s->nprocesses; p++) {
        if (!per_proc[p].regions)
            continue;
        du->processes[du->nprocesses] = per_proc[p];
        du->processes[du->nprocesses].process = (uint32_t)p;
        du->nprocesses++;
    }
    rc = 0;
out:
    free(cl.count);
    free(cl.offset);
    free(cl.iv);
    free(fill);
    free(per_proc);
    free(ex);
    free(act);
    free(last_core);
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
    region_key *order = malloc((s->nregions ? s->nregions : 1) * sizeof *order);
    if (!order) {
        accounting_free(a);
        return -1;
    }
    for (uint32_t ri = 0; ri < s->nregions; ri++)
        order[ri] = (region_key){ s->regions[ri].device, s->regions[ri].address, ri };
    qsort(order, s->nregions, sizeof *order, cmp_region_key);
    size_t first = 0;
    for (uint32_t i = 0; i < s->ndevices; i++) {
        size_t end = first;
        while (end < s->nregions && order[end].device == i)
            end++;
        if (account_device(s, i, order + first, end - first, &a->devices[i]) != 0) {
            free(order);
            accounting_free(a);
            return -1;
        }
        first = end;
    }
    free(order);
    return 0;
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

/* ---------- one core's address map ---------- */

static int cmp_span(const void *a, const void *b)
{
    const map_span *x = a, *y = b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->end > y->end) - (x->end < y->end);
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
    /* Clash marks: a CB overlapping an L1 buffer / L1_SMALL, both ways. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && out[j].start < out[i].end; j++) {
            bool cb_i = out[i].category == CAT_CIRCULAR_BUFFERS, cb_j = out[j].category == CAT_CIRCULAR_BUFFERS;
            bool buf_i = category_tracked(out[i].category), buf_j = category_tracked(out[j].category);
            if ((cb_i && buf_j) || (buf_i && cb_j))
                out[i].clash = out[j].clash = true;
        }
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
