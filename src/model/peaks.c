/*
 * peaks.c - the peak model (see peaks.h): regions by handle, one span map
 * per core, the current per-core and per-device figures, and their
 * high-water marks. No I/O, no clock, no globals.
 */
#include "model/peaks.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "grow.h"
#include "utf8.h"
#include "model/span_map.h"

typedef struct {
    peak_device pub;           /* what peaks_device() hands out */
    uint32_t arch, l1, ub, fw_end, alignment;
    span_map *maps;            /* per core */
    peak_figures *marks;       /* per core (pub.cores) */
    peak_now *now;             /* per core (pub.now) */
    uint64_t total_now[CAT_COUNT], total_clash;
    uint64_t *stamp;           /* per core: the region placement that last reached it */
    uint64_t *seen;            /* per core: the change that last touched it */
    uint32_t *touched;         /* cores the change `change` touched */
    uint32_t ntouched;
    uint64_t change;
} device;

typedef struct {
    uint64_t handle;           /* 0: a free entry */
    int32_t pid;
    uint32_t dev;              /* index into peaks.devs */
    uint8_t kind;
    bool interleaved;
    uint32_t address, size_per_core, page_size;
    uint64_t total_size;
    uint32_t nranges;
    l1top_range *ranges;
    uint32_t next_free;        /* free list, index + 1 */
} region;

/* Open addressing, linear probing, backward-shift deletion: handle -> region. */
typedef struct {
    uint64_t *keys;            /* 0 empty */
    uint32_t *vals;
    uint32_t cap, n;           /* cap a power of two, n <= cap / 2 */
} handle_map;

/* A release that came before its record (peaks.h). */
typedef struct {
    uint64_t handle;
    uint32_t batch;
} tombstone;

#define TOMBSTONES_MAX 1024u

struct peaks {
    device **devs;
    size_t ndevs, devs_cap;
    region *regions;
    uint32_t nregions_slots, free_head, live;
    size_t regions_cap;
    handle_map map;
    tombstone *tombs;
    uint32_t ntombs, batch;
    uint64_t stamp;            /* region placements, for per-core stamps */
    uint64_t change;           /* changes (a record, a release, the regions of a dead writer) */
    peak_status status;
};

/* ---------- small helpers ---------- */

static uint32_t hash_handle(uint64_t h, uint32_t cap)
{
    return (uint32_t)((h * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static uint32_t map_find(const handle_map *m, uint64_t h)
{
    if (!m->cap)
        return UINT32_MAX;
    for (uint32_t i = hash_handle(h, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == h)
            return i;
        if (m->keys[i] == 0)
            return UINT32_MAX;
    }
}

static int map_put(handle_map *m, uint64_t h, uint32_t v)
{
    if ((m->n + 1) * 2 > m->cap) {
        handle_map bigger = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };
        bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
        bigger.vals = calloc(bigger.cap, sizeof *bigger.vals);
        if (!bigger.keys || !bigger.vals) {
            free(bigger.keys);
            free(bigger.vals);
            return -1;
        }
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->keys[i])
                map_put(&bigger, m->keys[i], m->vals[i]);
        free(m->keys);
        free(m->vals);
        *m = bigger;
    }
    uint32_t i = hash_handle(h, m->cap);
    while (m->keys[i])
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = h;
    m->vals[i] = v;
    m->n++;
    return 0;
}

/* Remove the entry at slot i, moving later entries of its run back. */
static void map_remove_at(handle_map *m, uint32_t i)
{
    uint32_t mask = m->cap - 1;
    for (uint32_t j = (i + 1) & mask; m->keys[j]; j = (j + 1) & mask) {
        uint32_t home = hash_handle(m->keys[j], m->cap);
        /* j's entry may fill the hole at i unless its home lies in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            i = j;
        }
    }
    m->keys[i] = 0;
    m->n--;
}

/* ---------- devices and span maps ---------- */

/* The category of the bytes of a span starting at `start` under `cover`. */
static l1_category span_category(const device *d, const uint32_t *cover, uint32_t start)
{
    l1_category c = category_covered(cover);
    if (c != CAT_COUNT)
        return c;
    uint32_t zone_end;
    return category_uncovered(start, d->fw_end, d->ub, d->l1, &zone_end);
}

/* A core with no region: one span per zone, its figures the zones'. */
static int core_init(device *d, uint32_t c)
{
    span_map *m = &d->maps[c];
    span_map_free(m);
    uint32_t starts[3] = { 0 };
    size_t n = 0;
    uint32_t zones[3] = { 0, d->fw_end, d->ub };
    for (int i = 0; i < 3; i++)
        if (zones[i] < d->l1 && (n == 0 || starts[n - 1] != zones[i]))
            starts[n++] = zones[i];
    if (span_map_init(m, starts, n, d->l1))
        return -1;
    memset(&d->now[c], 0, sizeof d->now[c]);
    span_pos p = { 0, 0 };
    do {
        d->now[c].bytes[span_category(d, span_cover(m, p), span_start(m, p))] += span_end(m, p) - span_start(m, p);
    } while (span_next(m, &p));
    return 0;
}

static void device_free(device *d)
{
    if (!d)
        return;
    for (uint32_t c = 0; c < d->pub.ncores && d->maps; c++)
        span_map_free(&d->maps[c]);
    free(d->maps);
    free(d->marks);
    free(d->now);
    free(d->stamp);
    free(d->seen);
    free(d->touched);
    free(d);
}

/* Every core empty, the totals theirs. */
static int device_clear(device *d)
{
    memset(d->total_now, 0, sizeof d->total_now);
    d->total_clash = 0;
    for (uint32_t c = 0; c < d->pub.ncores; c++) {
        if (core_init(d, c))
            return -1;
        for (int k = 0; k < CAT_COUNT; k++)
            d->total_now[k] += d->now[c].bytes[k];
    }
    return 0;
}

static void marks_set(peak_figures *f, const uint64_t bytes[CAT_COUNT], uint64_t clash, const peak_moment *at);

/* A device with no region, its marks those of that state from `at` on. */
static device *device_new(const snap_device *sd, const peak_moment *at)
{
    device *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    uint32_t nc = (uint32_t)sd->grid_x * sd->grid_y;
    d->pub.id = sd->id;
    d->pub.grid_x = sd->grid_x;
    d->pub.grid_y = sd->grid_y;
    d->pub.ncores = nc;
    d->pub.l1_size = sd->l1_size;
    d->arch = sd->arch;
    d->l1 = sd->l1_size;
    d->ub = sd->unreserved_base < sd->l1_size ? sd->unreserved_base : sd->l1_size;
    d->fw_end = arch_firmware_end(sd->arch, d->ub);
    d->alignment = sd->alignment ? sd->alignment : 1;
    d->maps = calloc(nc ? nc : 1, sizeof *d->maps);
    d->marks = calloc(nc ? nc : 1, sizeof *d->marks);
    d->now = calloc(nc ? nc : 1, sizeof *d->now);
    d->stamp = calloc(nc ? nc : 1, sizeof *d->stamp);
    d->seen = calloc(nc ? nc : 1, sizeof *d->seen);
    d->touched = calloc(nc ? nc : 1, sizeof *d->touched);
    d->pub.cores = d->marks;
    d->pub.now = d->now;
    if (!d->maps || !d->marks || !d->now || !d->stamp || !d->seen || !d->touched || device_clear(d)) {
        device_free(d);
        return NULL;
    }
    for (uint32_t c = 0; c < nc; c++)
        marks_set(&d->marks[c], d->now[c].bytes, d->now[c].clash_bytes, at);
    marks_set(&d->pub.total, d->total_now, d->total_clash, at);
    return d;
}

static bool same_geometry(const device *d, const snap_device *sd)
{
    return d->pub.grid_x == sd->grid_x && d->pub.grid_y == sd->grid_y && d->l1 == sd->l1_size &&
           d->arch == sd->arch && d->ub == sd->unreserved_base && d->alignment == (sd->alignment ? sd->alignment : 1);
}

static int device_index(const peaks *p, uint32_t id)
{
    for (size_t i = 0; i < p->ndevs; i++)
        if (p->devs[i]->pub.id == id)
            return (int)i;
    return -1;
}

/* One kind more (delta 1) or less (-1) over [a, b) of core c; the core's
 * and the device's current figures follow. */
static int core_change(device *d, uint32_t c, uint32_t a, uint32_t b, unsigned kind, int delta)
{
    span_map *m = &d->maps[c];
    span_pos p;
    if ((b < d->l1 && span_map_split(m, b, &p)) || span_map_split(m, a, &p))
        return -1;
    span_pos from = p;
    span_prev(m, &from); /* the span before a may become like the one at a */
    peak_now *now = &d->now[c];
    do {
        uint32_t start = span_start(m, p);
        if (start >= b)
            break;
        uint32_t *cover = span_cover(m, p);
        uint64_t len = span_end(m, p) - start;
        l1_category before = span_category(d, cover, start);
        bool clash_before = category_clash(cover);
        cover[kind] = (uint32_t)((int64_t)cover[kind] + delta);
        l1_category after = span_category(d, cover, start);
        bool clash_after = category_clash(cover);
        if (before != after) {
            now->bytes[before] -= len;
            now->bytes[after] += len;
            d->total_now[before] -= len;
            d->total_now[after] += len;
        }
        if (clash_before != clash_after) {
            now->clash_bytes = clash_after ? now->clash_bytes + len : now->clash_bytes - len;
            d->total_clash = clash_after ? d->total_clash + len : d->total_clash - len;
        }
    } while (span_next(m, &p));
    /* From the span before a to the one at b: what the change made alike joins. */
    uint32_t fixed[2] = { d->fw_end, d->ub };
    span_map_merge(m, from, b, fixed, 2);
    return 0;
}

/* ---------- placing a region ---------- */

/* Core c of d is part of the current change: listed once for the marks. */
static void touch(const peaks *p, device *d, uint32_t c)
{
    if (d->change != p->change) {
        d->change = p->change;
        d->ntouched = 0;
    }
    if (d->seen[c] != p->change) {
        d->seen[c] = p->change;
        d->touched[d->ntouched++] = c;
    }
}

/* Put region g on (delta 1) or off (-1) every core it occupies, each core
 * once (overlapping ranges of one region count once, as in accounting). */
static int region_apply(peaks *p, const region *g, int delta)
{
    device *d = p->devs[g->dev];
    uint64_t stamp = ++p->stamp;
    int rc = 0;
    if (g->interleaved) {
        uint32_t banks = d->pub.ncores;
        uint64_t pages = (g->total_size + g->page_size - 1) / g->page_size;
        uint64_t page = align_up(g->page_size, d->alignment);
        uint32_t used = pages < banks ? (uint32_t)pages : banks;
        for (uint32_t bnk = 0; bnk < used && rc == 0; bnk++) {
            uint64_t bytes = (pages / banks + (bnk < pages % banks ? 1u : 0u)) * page;
            uint64_t end = (uint64_t)g->address + bytes;
            if (g->address >= d->l1 || !bytes)
                continue;
            d->stamp[bnk] = stamp;
            touch(p, d, bnk);
            rc = core_change(d, bnk, g->address, end < d->l1 ? (uint32_t)end : d->l1, g->kind, delta);
        }
        return rc;
    }
    uint64_t end = (uint64_t)g->address + g->size_per_core;
    if (g->address >= d->l1 || !g->size_per_core)
        return 0;
    uint32_t b = end < d->l1 ? (uint32_t)end : d->l1;
    for (uint32_t i = 0; i < g->nranges && rc == 0; i++) {
        l1top_range r = g->ranges[i];
        if (r.x0 > r.x1 || r.y0 > r.y1 || r.x0 >= d->pub.grid_x || r.y0 >= d->pub.grid_y)
            continue; /* accounting's range_clip */
        uint32_t x1 = r.x1 < d->pub.grid_x ? r.x1 : d->pub.grid_x - 1u;
        uint32_t y1 = r.y1 < d->pub.grid_y ? r.y1 : d->pub.grid_y - 1u;
        for (uint32_t y = r.y0; y <= y1 && rc == 0; y++) {
            for (uint32_t x = r.x0; x <= x1 && rc == 0; x++) {
                uint32_t c = y * d->pub.grid_x + x;
                if (d->stamp[c] == stamp)
                    continue;
                d->stamp[c] = stamp;
                touch(p, d, c);
                rc = core_change(d, c, g->address, b, g->kind, delta);
            }
        }
    }
    return rc;
}

/* ---------- high-water marks ---------- */

static void marks_raise(peak_figures *f, const uint64_t bytes[CAT_COUNT], uint64_t clash, const peak_moment *at)
{
    for (int k = 0; k < CAT_COUNT; k++) {
        if (k == CAT_FREE ? bytes[k] < f->bytes[k] : bytes[k] > f->bytes[k])
            f->bytes[k] = bytes[k];
    }
    uint64_t used = usage_used(bytes), tracked = usage_tracked(bytes), untracked = usage_untracked(bytes);
    if (used > f->used) {
        f->used = used;
        f->at = *at;
    }
    if (tracked > f->tracked)
        f->tracked = tracked;
    if (untracked > f->untracked)
        f->untracked = untracked;
    if (clash > f->clash_bytes) {
        f->clash_bytes = clash;
        f->clash_at = *at;
    }
}

static void marks_set(peak_figures *f, const uint64_t bytes[CAT_COUNT], uint64_t clash, const peak_moment *at)
{
    memcpy(f->bytes, bytes, sizeof f->bytes);
    f->used = usage_used(bytes);
    f->tracked = usage_tracked(bytes);
    f->untracked = usage_untracked(bytes);
    f->clash_bytes = clash;
    f->at = *at;
    f->clash_at = *at;
}

/* After a change on device d: the cores it touched and the device's sums. */
static void marks_after_change(const peaks *p, device *d, const peak_moment *at)
{
    if (d->change != p->change)
        return; /* not touched by it */
    for (uint32_t i = 0; i < d->ntouched; i++) {
        uint32_t c = d->touched[i];
        marks_raise(&d->marks[c], d->now[c].bytes, d->now[c].clash_bytes, at);
    }
    marks_raise(&d->pub.total, d->total_now, d->total_clash, at);
}

static peak_moment moment(const peaks *p, uint64_t time_ns, int32_t pid, uint8_t kind, const char *tag)
{
    peak_moment m = { p->status.changes, time_ns, pid, kind, "" };
    if (tag)
        utf8_copy(m.tag, sizeof m.tag, tag); /* cut on a character boundary */
    return m;
}

/* ---------- regions ---------- */

static uint32_t region_alloc(peaks *p)
{
    if (p->free_head) {
        uint32_t i = p->free_head - 1;
        p->free_head = p->regions[i].next_free;
        return i;
    }
    if (grow_array((void **)&p->regions, &p->regions_cap, p->nregions_slots, 1, sizeof *p->regions))
        return UINT32_MAX;
    return p->nregions_slots++;
}

/* Back to the free list (the handle map entry is the caller's). */
static void region_slot_free(peaks *p, uint32_t i)
{
    region *g = &p->regions[i];
    free(g->ranges);
    memset(g, 0, sizeof *g);
    g->next_free = p->free_head;
    p->free_head = i + 1;
}

/* Insert (without applying) a region; its index, or UINT32_MAX (memory). */
static uint32_t region_insert(peaks *p, const peak_region *r, uint32_t dev)
{
    uint32_t i = region_alloc(p);
    if (i == UINT32_MAX)
        return i;
    region *g = &p->regions[i];
    *g = (region){ r->handle, r->pid, dev, r->kind, r->interleaved, r->address, r->size_per_core, r->page_size,
                   r->total_size, 0, NULL, 0 };
    if (!r->interleaved && r->nranges) {
        g->ranges = malloc((size_t)r->nranges * sizeof *g->ranges);
        if (!g->ranges) {
            region_slot_free(p, i);
            return UINT32_MAX;
        }
        memcpy(g->ranges, r->ranges, (size_t)r->nranges * sizeof *g->ranges);
        g->nranges = r->nranges;
    }
    if (map_put(&p->map, r->handle, i)) {
        region_slot_free(p, i);
        return UINT32_MAX;
    }
    p->live++;
    return i;
}

/* Whether r can be placed at all (the source validated the rest). */
static bool region_usable(const peak_region *r)
{
    unsigned kind = r->kind;
    return r->handle != 0 && kind >= 1 && kind <= CAT_RECORDED &&
           (r->interleaved ? r->page_size != 0 : r->ranges != NULL || r->nranges == 0);
}

static bool tombstone_take(peaks *p, uint64_t handle)
{
    for (uint32_t i = 0; i < p->ntombs; i++) {
        if (p->tombs[i].handle == handle) {
            p->tombs[i] = p->tombs[--p->ntombs];
            return true;
        }
    }
    return false;
}

static void tombstone_add(peaks *p, uint64_t handle)
{
    if (!p->tombs && !(p->tombs = calloc(TOMBSTONES_MAX, sizeof *p->tombs)))
        return;
    if (p->ntombs == TOMBSTONES_MAX) { /* the oldest goes */
        memmove(&p->tombs[0], &p->tombs[1], (TOMBSTONES_MAX - 1) * sizeof *p->tombs);
        p->ntombs--;
    }
    p->tombs[p->ntombs++] = (tombstone){ handle, p->batch };
}

peak_result peaks_record(peaks *p, const peak_region *r, uint64_t time_ns)
{
    if (!region_usable(r)) {
        p->status.bad++;
        return PEAK_IGNORED;
    }
    int dev = device_index(p, r->device);
    if (dev < 0)
        return PEAK_UNKNOWN_DEVICE;
    if (map_find(&p->map, r->handle) != UINT32_MAX || tombstone_take(p, r->handle))
        return PEAK_IGNORED;
    uint32_t i = region_insert(p, r, (uint32_t)dev);
    if (i == UINT32_MAX)
        return PEAK_NOMEM;
    p->status.changes++;
    p->change++;
    if (region_apply(p, &p->regions[i], 1))
        return PEAK_NOMEM;
    peak_moment at = moment(p, time_ns, r->pid, r->kind, r->tag);
    marks_after_change(p, p->devs[dev], &at);
    return PEAK_APPLIED;
}

/* Out of the model, without touching its cores (whose state goes too). */
static void region_forget(peaks *p, uint32_t slot, uint32_t i)
{
    map_remove_at(&p->map, slot);
    region_slot_free(p, i);
    p->live--;
}

/* Take region i off its cores and out of the model. */
static int region_remove(peaks *p, uint32_t slot, uint32_t i)
{
    int rc = region_apply(p, &p->regions[i], -1);
    region_forget(p, slot, i);
    return rc;
}

peak_result peaks_release(peaks *p, uint64_t handle, uint64_t time_ns)
{
    uint32_t slot = map_find(&p->map, handle);
    if (slot == UINT32_MAX) {
        tombstone_add(p, handle);
        return PEAK_IGNORED;
    }
    uint32_t i = p->map.vals[slot];
    device *d = p->devs[p->regions[i].dev];
    int32_t pid = p->regions[i].pid;
    p->status.changes++;
    p->change++;
    if (region_remove(p, slot, i))
        return PEAK_NOMEM;
    /* Used cannot rise on a release, but a category can (bytes a buffer hid
     * go back to the CB under it): every mark is looked at. */
    peak_moment at = moment(p, time_ns, pid, 0, NULL);
    marks_after_change(p, d, &at);
    return PEAK_APPLIED;
}

void peaks_age_tombstones(peaks *p)
{
    uint32_t out = 0;
    for (uint32_t i = 0; i < p->ntombs; i++)
        if (p->tombs[i].batch == p->batch)
            p->tombs[out++] = p->tombs[i];
    p->ntombs = out;
    p->batch++;
}

static int cmp_pid(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

size_t peaks_retain_pids(peaks *p, const int32_t *pids, size_t n, uint64_t time_ns)
{
    int32_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return 0;
    if (n) {
        memcpy(sorted, pids, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, cmp_pid);
    }
    /* One change: the writer's regions leave together (their one-by-one
     * states never existed, and a category could peak in one of them). */
    size_t gone = 0;
    p->change++;
    for (uint32_t i = 0; i < p->nregions_slots; i++) {
        region *g = &p->regions[i];
        if (!g->handle || bsearch(&g->pid, sorted, n, sizeof *sorted, cmp_pid))
            continue;
        region_remove(p, map_find(&p->map, g->handle), i);
        gone++;
    }
    free(sorted);
    if (gone) {
        p->status.changes++;
        peak_moment at = moment(p, time_ns, 0, 0, NULL);
        for (size_t d = 0; d < p->ndevs; d++)
            marks_after_change(p, p->devs[d], &at);
    }
    return gone;
}

/* ---------- the model as a whole ---------- */

peaks *peaks_new(void)
{
    return calloc(1, sizeof(peaks));
}

static void regions_clear(peaks *p)
{
    for (uint32_t i = 0; i < p->nregions_slots; i++)
        free(p->regions[i].ranges);
    p->nregions_slots = 0;
    p->free_head = 0;
    p->live = 0;
    if (p->map.keys)
        memset(p->map.keys, 0, (size_t)p->map.cap * sizeof *p->map.keys);
    p->map.n = 0;
    p->ntombs = 0;
}

static void devices_clear(peaks *p)
{
    for (size_t i = 0; i < p->ndevs; i++)
        device_free(p->devs[i]);
    p->ndevs = 0;
}

void peaks_free(peaks *p)
{
    if (!p)
        return;
    regions_clear(p);
    devices_clear(p);
    free(p->devs);
    free(p->regions);
    free(p->map.keys);
    free(p->map.vals);
    free(p->tombs);
    free(p);
}

int peaks_sync_devices(peaks *p, const snapshot *s, uint64_t time_ns)
{
    peak_moment start = moment(p, time_ns, 0, 0, NULL);
    for (size_t i = 0; i < s->ndevices; i++) {
        const snap_device *sd = &s->devices[i];
        int at = device_index(p, sd->id);
        if (at >= 0 && same_geometry(p->devs[at], sd))
            continue;
        device *d = device_new(sd, &start);
        if (!d)
            return -1;
        if (at >= 0) { /* re-declared: its regions were placed on another geometry */
            for (uint32_t r = 0; r < p->nregions_slots; r++)
                if (p->regions[r].handle && p->regions[r].dev == (uint32_t)at)
                    region_forget(p, map_find(&p->map, p->regions[r].handle), r);
            device_free(p->devs[at]);
            p->devs[at] = d;
            continue;
        }
        if (grow_array((void **)&p->devs, &p->devs_cap, p->ndevs, 1, sizeof(device *))) {
            device_free(d);
            return -1;
        }
        p->devs[p->ndevs++] = d;
    }
    return 0;
}

/* The snapshot region as the model's input. */
static peak_region from_snapshot(const snapshot *s, const snap_region *r)
{
    const snap_process *proc = r->process < s->nprocesses ? &s->processes[r->process] : NULL;
    return (peak_region){ r->handle, proc ? proc->pid : 0, s->devices[r->device].id, r->kind, r->interleaved,
                          r->address, r->size_per_core, r->page_size, r->total_size,
                          snapshot_region_ranges(s, r), r->nranges, r->tag };
}

int peaks_load(peaks *p, const snapshot *s, bool keep_marks, uint64_t time_ns)
{
    regions_clear(p);
    if (!keep_marks)
        devices_clear(p);
    for (size_t i = 0; i < p->ndevs; i++)
        if (device_clear(p->devs[i]))
            goto fail;
    if (peaks_sync_devices(p, s, time_ns))
        goto fail;
    for (size_t ri = 0; ri < s->nregions; ri++) {
        const snap_region *r = &s->regions[ri];
        if (r->device >= s->ndevices)
            continue;
        peak_region pr = from_snapshot(s, r);
        int dev = device_index(p, pr.device);
        if (dev < 0 || !region_usable(&pr) || map_find(&p->map, pr.handle) != UINT32_MAX)
            continue; /* a handle twice would be one region: the first wins */
        uint32_t i = region_insert(p, &pr, (uint32_t)dev);
        if (i == UINT32_MAX || region_apply(p, &p->regions[i], 1))
            goto fail;
    }
    peak_moment at = moment(p, time_ns, 0, 0, NULL);
    for (size_t i = 0; i < p->ndevs; i++) {
        device *d = p->devs[i];
        for (uint32_t c = 0; c < d->pub.ncores; c++) {
            if (keep_marks)
                marks_raise(&d->marks[c], d->now[c].bytes, d->now[c].clash_bytes, &at);
            else
                marks_set(&d->marks[c], d->now[c].bytes, d->now[c].clash_bytes, &at);
        }
        if (keep_marks)
            marks_raise(&d->pub.total, d->total_now, d->total_clash, &at);
        else
            marks_set(&d->pub.total, d->total_now, d->total_clash, &at);
    }
    if (!keep_marks) {
        p->status.since_ns = time_ns;
        p->status.since_seq = p->status.changes;
    }
    return 0;
fail:
    regions_clear(p);
    devices_clear(p);
    return -1;
}

void peaks_reset(peaks *p, uint64_t time_ns)
{
    peak_moment at = moment(p, time_ns, 0, 0, NULL);
    for (size_t i = 0; i < p->ndevs; i++) {
        device *d = p->devs[i];
        for (uint32_t c = 0; c < d->pub.ncores; c++)
            marks_set(&d->marks[c], d->now[c].bytes, d->now[c].clash_bytes, &at);
        marks_set(&d->pub.total, d->total_now, d->total_clash, &at);
    }
    p->status.since_ns = time_ns;
    p->status.since_seq = p->status.changes;
    p->status.approximate = false;
    p->status.approximate_since_ns = 0;
}

void peaks_mark_approximate(peaks *p, uint64_t time_ns)
{
    if (!p->status.approximate) {
        p->status.approximate = true;
        p->status.approximate_since_ns = time_ns;
    }
}

size_t peaks_ndevices(const peaks *p) { return p->ndevs; }
const peak_device *peaks_device_at(const peaks *p, size_t i) { return i < p->ndevs ? &p->devs[i]->pub : NULL; }

const peak_device *peaks_device(const peaks *p, uint32_t id)
{
    int i = device_index(p, id);
    return i < 0 ? NULL : &p->devs[i]->pub;
}

const peak_status *peaks_status(const peaks *p) { return &p->status; }
peak_status *peaks_status_mut(peaks *p) { return &p->status; }
size_t peaks_regions(const peaks *p) { return p->live; }

int peaks_restore(peaks *p, size_t i, uint32_t c, const peak_figures *marks, const peak_now *now)
{
    if (i >= p->ndevs)
        return -1;
    device *d = p->devs[i];
    if (c == PEAKS_DEVICE_SUMS) { /* its current sums are its cores' (as core_change keeps them) */
        d->pub.total = *marks;
        memset(d->total_now, 0, sizeof d->total_now);
        d->total_clash = 0;
        for (uint32_t k = 0; k < d->pub.ncores; k++) {
            for (int cat = 0; cat < CAT_COUNT; cat++)
                d->total_now[cat] += d->now[k].bytes[cat];
            d->total_clash += d->now[k].clash_bytes;
        }
        return 0;
    }
    if (c >= d->pub.ncores)
        return -1;
    d->marks[c] = *marks;
    d->now[c] = *now;
    return 0;
}

size_t peaks_core_spans(const peaks *p, uint32_t id, uint32_t c)
{
    int i = device_index(p, id);
    return i < 0 || c >= p->devs[i]->pub.ncores ? 0 : span_map_count(&p->devs[i]->maps[c]);
}
