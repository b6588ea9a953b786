/*
 * latched.c - see latched.h. Per device the clash bytes each core had at
 * the last observation, and the clash mark of the peak model: a core whose
 * clash begins (now, or as a higher mark since) logs one event.
 */
#include "model/latched.h"

#include <stdlib.h>
#include <string.h>

#include "model/peaks.h"

typedef struct {
    uint32_t id, ncores;
    uint64_t *clash_now;         /* per core, at the last observation */
    uint64_t *clash_mark;        /* per core, the peak model's clash mark then */
} followed;

struct latched {
    latched_event ring[LATCHED_MAX];
    size_t head, n;
    uint64_t total, dropped_seen;
    followed devs[LATCHED_DEVICES_MAX];
    size_t ndevs;
};

latched *latched_new(void) { return calloc(1, sizeof(latched)); }

void latched_free(latched *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->ndevs; i++) {
        free(l->devs[i].clash_now);
        free(l->devs[i].clash_mark);
    }
    free(l);
}

static void push(latched *l, const latched_event *e)
{
    l->ring[l->head] = *e;
    l->head = (l->head + 1) % LATCHED_MAX;
    if (l->n < LATCHED_MAX)
        l->n++;
    l->total++;
}

/* The device's per-core state, (re)made when its grid is new. */
static followed *follow(latched *l, uint32_t id, uint32_t ncores)
{
    followed *f = NULL;
    for (size_t i = 0; i < l->ndevs && !f; i++)
        if (l->devs[i].id == id)
            f = &l->devs[i];
    if (!f && l->ndevs == LATCHED_DEVICES_MAX)
        return NULL;
    if (!f)
        f = &l->devs[l->ndevs++];
    if (f->clash_now && f->ncores == ncores)
        return f;
    free(f->clash_now);
    free(f->clash_mark);
    f->id = id;
    f->ncores = ncores;
    f->clash_now = calloc(ncores ? ncores : 1, sizeof *f->clash_now);
    f->clash_mark = calloc(ncores ? ncores : 1, sizeof *f->clash_mark);
    if (!f->clash_now || !f->clash_mark) {
        free(f->clash_now);
        free(f->clash_mark);
        f->clash_now = f->clash_mark = NULL;
        return NULL;
    }
    return f;
}

static void clashes_of_device(latched *l, const snap_device *d, const device_usage *du, const peak_device *pd,
                              followed *f, uint64_t time_ns, size_t pos)
{
    for (uint32_t c = 0; c < f->ncores; c++) {
        uint64_t now = du->cores[c].clash_bytes;
        const peak_figures *pk = pd && pd->ncores == f->ncores ? &pd->cores[c] : NULL;
        uint64_t mark = pk ? pk->clash_bytes : 0;
        latched_event e = { .time_ns = time_ns, .kind = LATCH_CLASH, .device = d->id, .x = (int32_t)(c % d->grid_x),
                            .y = (int32_t)(c / d->grid_x), .pos = pos };
        if (now && !f->clash_now[c]) {
            e.bytes = now;
        } else if (mark > f->clash_mark[c] && mark > now) {
            /* Between two refreshes: only the marks saw it, and when. */
            e.bytes = mark;
            e.pid = pk->clash_at.pid;
            e.time_ns = pk->clash_at.time_ns ? pk->clash_at.time_ns : time_ns;
            e.marked = true;
            e.at_start = pk->clash_at.kind == 0;
            e.seq = pk->clash_at.seq;
            memcpy(e.tag, pk->clash_at.tag, sizeof e.tag);
        }
        if (e.bytes)
            push(l, &e);
        f->clash_now[c] = now;
        f->clash_mark[c] = mark;
    }
}

void latched_note(latched *l, const latched_event *e) { push(l, e); }

int latched_observe(latched *l, const snapshot *s, const accounting *a, uint64_t time_ns, size_t pos)
{
    if (s->dropped_records > l->dropped_seen) {
        latched_event e = { .time_ns = time_ns, .kind = LATCH_DROPPED, .x = -1, .y = -1,
                            .bytes = s->dropped_records - l->dropped_seen, .pos = pos };
        push(l, &e);
    }
    l->dropped_seen = s->dropped_records;
    int rc = 0;
    for (size_t i = 0; i < s->ndevices && i < a->ndevices; i++) {
        const snap_device *d = &s->devices[i];
        followed *f = follow(l, d->id, (uint32_t)d->grid_x * d->grid_y);
        if (!f) {
            rc = -1;
            continue;
        }
        clashes_of_device(l, d, &a->devices[i], s->peaks ? peaks_device(s->peaks, d->id) : NULL, f, time_ns, pos);
    }
    return rc;
}

size_t latched_count(const latched *l) { return l->n; }
uint64_t latched_total(const latched *l) { return l->total; }

const latched_event *latched_at(const latched *l, size_t i)
{
    if (i >= l->n)
        return NULL;
    return &l->ring[(l->head + LATCHED_MAX - 1 - i) % LATCHED_MAX];
}
