/*
 * diff.c - two accountings compared (diff.h). Devices match by id, cores
 * by position when both sides have the same grid. Pure.
 */
#include "model/diff.h"

#include <stdlib.h>
#include <string.h>

static uint64_t abs64(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* a -> b; gated: exceeded when it grew by more than limit percent. */
static diff_value compare(uint64_t a, uint64_t b, bool gate, double limit)
{
    diff_value v = { a, b, (int64_t)(b - a), 0.0, a == 0 && b > 0, false };
    if (a > 0)
        v.growth_pct = 100.0 * ((double)b - (double)a) / (double)a;
    v.exceeded = gate && b > a && (v.from_zero || v.growth_pct > limit);
    return v;
}

static int cmp_category(const void *x, const void *y)
{
    const diff_category *p = x, *q = y;
    uint64_t a = abs64(p->v.delta), b = abs64(q->v.delta);
    if (a != b)
        return a < b ? 1 : -1;
    return (p->cat > q->cat) - (p->cat < q->cat);
}

static int cmp_core(const void *x, const void *y)
{
    const diff_core *p = x, *q = y;
    uint64_t a = abs64(p->used.delta), b = abs64(q->used.delta);
    if (a != b)
        return a < b ? 1 : -1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

static int cmp_id(const void *x, const void *y)
{
    const diff_device *p = x, *q = y;
    return (p->id > q->id) - (p->id < q->id);
}

static const device_usage *usage_of(const diff_input *in, int32_t dev)
{
    for (size_t i = 0; dev >= 0 && i < in->a->ndevices; i++)
        if (in->a->devices[i].device == (uint32_t)dev)
            return &in->a->devices[i];
    return NULL;
}

static int compare_cores(const device_usage *ua, const device_usage *ub, const snap_device *d, bool gate,
                         double limit, diff_device *dd, size_t *exceeded)
{
    dd->cores = calloc(ua->ncores ? ua->ncores : 1, sizeof *dd->cores);
    if (!dd->cores)
        return -1;
    for (uint32_t c = 0; c < ua->ncores; c++) {
        const core_usage *p = &ua->cores[c], *q = &ub->cores[c];
        diff_core dc = { (uint16_t)(c % d->grid_x), (uint16_t)(c / d->grid_x),
                         compare(usage_used(p->bytes), usage_used(q->bytes), gate, limit), CAT_FREE, 0 };
        bool moved = dc.used.delta != 0;
        for (int k = 0; k < CAT_COUNT; k++) {
            int64_t delta = (int64_t)(q->bytes[k] - p->bytes[k]);
            moved |= delta != 0;
            if (k != CAT_FREE && abs64(delta) > abs64(dc.top_delta)) {
                dc.top_delta = delta;
                dc.top_cat = (l1_category)k;
            }
        }
        if (!moved)
            continue;
        *exceeded += dc.used.exceeded;
        dd->cores[dd->ncores++] = dc;
    }
    qsort(dd->cores, dd->ncores, sizeof *dd->cores, cmp_core);
    return 0;
}

static int compare_device(const diff_input *a, const diff_input *b, diff_device *dd, bool gate, double limit,
                          size_t *exceeded)
{
    static const uint64_t zero[CAT_COUNT];
    const device_usage *ua = usage_of(a, dd->dev_a), *ub = usage_of(b, dd->dev_b);
    const uint64_t *ta = ua ? ua->totals : zero, *tb = ub ? ub->totals : zero;
    bool both = ua && ub;
    for (int k = 0; k < CAT_COUNT; k++) {
        dd->cats[k] = (diff_category){ (l1_category)k, compare(ta[k], tb[k], both && gate && k != CAT_FREE, limit) };
        *exceeded += dd->cats[k].v.exceeded;
    }
    qsort(dd->cats, CAT_COUNT, sizeof dd->cats[0], cmp_category);
    dd->tracked = compare(usage_tracked(ta), usage_tracked(tb), false, 0);
    dd->untracked = compare(usage_untracked(ta), usage_untracked(tb), false, 0);
    dd->used = compare(usage_used(ta), usage_used(tb), false, 0);
    if (!both)
        return 0;
    const snap_device *da = &a->s->devices[dd->dev_a], *db = &b->s->devices[dd->dev_b];
    dd->same_grid = da->grid_x == db->grid_x && da->grid_y == db->grid_y && ua->ncores == ub->ncores;
    return dd->same_grid ? compare_cores(ua, ub, da, gate, limit, dd, exceeded) : 0;
}

int diff_compute(const diff_input *a, const diff_input *b, bool gate, double max_growth_pct, diff_result *out)
{
    memset(out, 0, sizeof *out);
    out->gate = gate;
    out->max_growth_pct = max_growth_pct;
    size_t cap = a->s->ndevices + b->s->ndevices;
    out->devices = calloc(cap ? cap : 1, sizeof *out->devices);
    if (!out->devices)
        return -1;
    /* Devices of A (with their match in B), then those only in B; by id. */
    for (size_t i = 0; i < a->s->ndevices + b->s->ndevices; i++) {
        bool in_a = i < a->s->ndevices;
        uint32_t id = in_a ? a->s->devices[i].id : b->s->devices[i - a->s->ndevices].id;
        if (!in_a && snapshot_device_index(a->s, id) >= 0)
            continue;
        diff_device *dd = &out->devices[out->ndevices++];
        dd->id = id;
        dd->dev_a = in_a ? (int32_t)i : -1;
        dd->dev_b = snapshot_device_index(b->s, id);
    }
    qsort(out->devices, out->ndevices, sizeof *out->devices, cmp_id);
    for (size_t i = 0; i < out->ndevices; i++)
        if (compare_device(a, b, &out->devices[i], gate, max_growth_pct, &out->exceeded)) {
            diff_free(out);
            return -1;
        }
    return 0;
}

void diff_free(diff_result *d)
{
    for (size_t i = 0; i < d->ndevices; i++)
        free(d->devices[i].cores);
    free(d->devices);
    memset(d, 0, sizeof *d);
}
