/*
 * history.c - see history.h: one fixed ring per device, found by id.
 */
#include "model/history.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t id;
    uint64_t last_seq;         /* the device mark's moment at the last sample */
    size_t head, n;            /* next slot to write; samples held */
    history_sample *ring;
} device_ring;

struct history {
    size_t per_device;
    device_ring devs[HISTORY_DEVICES_MAX];
    size_t ndevs;
};

history *history_new(size_t per_device)
{
    history *h = calloc(1, sizeof *h);
    if (h)
        h->per_device = per_device ? per_device : 1;
    return h;
}

void history_free(history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->ndevs; i++)
        free(h->devs[i].ring);
    free(h);
}

static device_ring *find(const history *h, uint32_t id)
{
    for (size_t i = 0; i < h->ndevs; i++)
        if (h->devs[i].id == id)
            return (device_ring *)&h->devs[i];
    return NULL;
}

static device_ring *find_or_add(history *h, uint32_t id)
{
    device_ring *r = find(h, id);
    if (r || h->ndevs == HISTORY_DEVICES_MAX)
        return r;
    r = &h->devs[h->ndevs];
    r->ring = calloc(h->per_device, sizeof *r->ring);
    if (!r->ring)
        return NULL;
    r->id = id;
    h->ndevs++;
    return r;
}

history_sample history_sample_of(const device_usage *du, const peak_device *pd, uint64_t *last_seq, uint64_t time_ns)
{
    history_sample s;
    memset(&s, 0, sizeof s);
    s.time_ns = time_ns;
    s.l1_total = usage_total(du->totals);
    s.used = usage_used(du->totals);
    s.tracked = usage_tracked(du->totals);
    s.untracked = usage_untracked(du->totals);
    s.largest_free_common = du->largest_free_common;
    if (pd && pd->total.at.seq != *last_seq) {
        /* The mark rose since the last sample: that is the spike between them
         * (a reset also moves it: then it is the state at the reset). */
        s.spike_used = pd->total.used;
        memcpy(s.spike_tag, pd->total.at.tag, sizeof s.spike_tag);
        *last_seq = pd->total.at.seq;
    }
    return s;
}

bool history_push(history *h, uint32_t id, const history_sample *s)
{
    device_ring *r = find_or_add(h, id);
    if (!r)
        return false;
    r->ring[r->head] = *s;
    r->head = (r->head + 1) % h->per_device;
    if (r->n < h->per_device)
        r->n++;
    return true;
}

size_t history_count(const history *h, uint32_t id)
{
    const device_ring *r = find(h, id);
    return r ? r->n : 0;
}

const history_sample *history_at(const history *h, uint32_t id, size_t i)
{
    const device_ring *r = find(h, id);
    if (!r || i >= r->n)
        return NULL;
    size_t oldest = (r->head + h->per_device - r->n) % h->per_device;
    return &r->ring[(oldest + i) % h->per_device];
}

uint64_t *history_last_seq(history *h, uint32_t id)
{
    device_ring *r = find(h, id);
    return r ? &r->last_seq : NULL;
}
