/*
 * snapshot.c - growable arrays of the snapshot model (see snapshot.h); their
 * memory is kept across snapshots (snapshot_reset), so a frame does not
 * fault in fresh buffers.
 */
#include "snapshot.h"

#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

void snapshot_init(snapshot *s)
{
    memset(s, 0, sizeof *s);
}

void snapshot_reset(snapshot *s)
{
    s->segment[0] = '\0';
    s->timestamp_ns = 0;
    s->ndevices = s->nprocesses = s->nregions = s->nranges = 0;
    s->dropped_records = s->bad_records = s->torn_records = s->stale_records = 0;
    s->dead_writers = s->capacity = s->records_in_use = 0;
    s->have_segment = false;
    snapshot_drop_extras(s);
}

void snapshot_drop_extras(snapshot *s)
{
    s->unchanged = false;
    free(s->ttm);
    s->ttm = NULL;
    s->nttm = 0;
    s->ttm_warnings[0] = '\0';
    free(s->boards);
    s->boards = NULL;
    s->nboards = 0;
}

void snapshot_free(snapshot *s)
{
    free(s->devices);
    free(s->processes);
    free(s->regions);
    free(s->ranges);
    free(s->ttm);
    free(s->boards);
    snapshot_init(s);
}

/* Make room for `more` elements of `size` in *arr (count n, capacity *cap). */
static int reserve(void **arr, size_t *cap, size_t n, size_t more, size_t size)
{
    if (n + more <= *cap)
        return 0;
    size_t want = *cap ? *cap : 16;
    while (want < n + more)
        want *= 2;
    void *p = realloc(*arr, want * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = want;
    return 0;
}

snap_device *snapshot_add_device(snapshot *s)
{
    if (reserve((void **)&s->devices, &s->devices_cap, s->ndevices, 1, sizeof *s->devices))
        return NULL;
    snap_device *d = &s->devices[s->ndevices++];
    memset(d, 0, sizeof *d);
    return d;
}

snap_process *snapshot_add_process(snapshot *s)
{
    if (reserve((void **)&s->processes, &s->processes_cap, s->nprocesses, 1, sizeof *s->processes))
        return NULL;
    snap_process *p = &s->processes[s->nprocesses++];
    memset(p, 0, sizeof *p);
    return p;
}

static int append_ranges(snapshot *s, const l1top_range *ranges, size_t nranges)
{
    if (nranges == 0)
        return 0;
    if (reserve((void **)&s->ranges, &s->ranges_cap, s->nranges, nranges, sizeof *s->ranges))
        return -1;
    memcpy(s->ranges + s->nranges, ranges, nranges * sizeof *ranges);
    s->nranges += nranges;
    return 0;
}

snap_region *snapshot_add_region(snapshot *s, const l1top_range *ranges, size_t nranges)
{
    if (reserve((void **)&s->regions, &s->regions_cap, s->nregions, 1, sizeof *s->regions))
        return NULL;
    size_t first = s->nranges;
    if (append_ranges(s, ranges, nranges))
        return NULL;
    snap_region *r = &s->regions[s->nregions++];
    memset(r, 0, sizeof *r);
    r->first_range = (uint32_t)first;
    r->nranges = (uint32_t)nranges;
    return r;
}

int snapshot_extend_region(snapshot *s, const l1top_range *ranges, size_t nranges)
{
    if (s->nregions == 0)
        return -1;
    if (append_ranges(s, ranges, nranges))
        return -1;
    s->regions[s->nregions - 1].nranges += (uint32_t)nranges;
    return 0;
}

int snapshot_device_index(const snapshot *s, uint32_t id)
{
    for (size_t i = 0; i < s->ndevices; i++)
        if (s->devices[i].id == id)
            return (int)i;
    return -1;
}
