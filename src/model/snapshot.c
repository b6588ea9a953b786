/*
 * snapshot.c - the snapshot model's arrays (see snapshot.h), grown with
 * grow_array; their memory is kept across snapshots (snapshot_reset), so a
 * frame does not fault in fresh buffers. Also the model's string hygiene.
 */
#include "model/snapshot.h"
#include "grow.h"
#include "utf8.h"

#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

const char *const ttm_kind_key[TTM_COUNT] = { "dram", "l1", "l1_small", "trace", "cb" };

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
    s->peaks = NULL;
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
    s->has_trace = false;
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

snap_device *snapshot_add_device(snapshot *s)
{
    if (grow_array((void **)&s->devices, &s->devices_cap, s->ndevices, 1, sizeof *s->devices))
        return NULL;
    snap_device *d = &s->devices[s->ndevices++];
    memset(d, 0, sizeof *d);
    return d;
}

snap_process *snapshot_add_process(snapshot *s)
{
    if (grow_array((void **)&s->processes, &s->processes_cap, s->nprocesses, 1, sizeof *s->processes))
        return NULL;
    snap_process *p = &s->processes[s->nprocesses++];
    memset(p, 0, sizeof *p);
    return p;
}

static int append_ranges(snapshot *s, const l1top_range *ranges, size_t nranges)
{
    if (nranges == 0)
        return 0;
    if (grow_array((void **)&s->ranges, &s->ranges_cap, s->nranges, nranges, sizeof *s->ranges))
        return -1;
    memcpy(s->ranges + s->nranges, ranges, nranges * sizeof *ranges);
    s->nranges += nranges;
    return 0;
}

snap_region *snapshot_add_region(snapshot *s, const l1top_range *ranges, size_t nranges)
{
    if (grow_array((void **)&s->regions, &s->regions_cap, s->nregions, 1, sizeof *s->regions))
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

/* Clean one fixed-size string field in place: valid UTF-8, controls shown
 * as \xNN, cut on a character boundary. Plain printable ASCII (the usual
 * case) is left untouched without copying. */
static void clean_field(char *f, size_t cap)
{
    const unsigned char *p = (const unsigned char *)f;
    size_t n = 0;
    while (n < cap && p[n] >= 0x20 && p[n] < 0x7f)
        n++;
    if (n < cap && p[n] == '\0')
        return;
    char tmp[1024];
    const char *nul = memchr(f, '\0', cap);
    size_t len = nul ? (size_t)(nul - f) : cap;
    utf8_sanitize(tmp, cap < sizeof tmp ? cap : sizeof tmp, f, len, UTF8_ESCAPE_CONTROLS);
    memcpy(f, tmp, strlen(tmp) + 1);
}

/* Each line of a newline-separated list cleaned on its own (the newlines stay). */
static void clean_lines(char *f, size_t cap)
{
    char tmp[1024] = "";
    size_t used = 0;
    for (const char *line = f; *line && used + 1 < sizeof tmp && used + 1 < cap;) {
        size_t len = strcspn(line, "\n");
        used += utf8_sanitize(tmp + used, (cap < sizeof tmp ? cap : sizeof tmp) - used, line, len, UTF8_ESCAPE_CONTROLS);
        line += len;
        if (*line == '\n' && used + 1 < cap && used + 1 < sizeof tmp) {
            tmp[used++] = '\n';
            tmp[used] = '\0';
            line++;
        } else if (*line == '\n') {
            break;
        }
    }
    memcpy(f, tmp, used + 1);
}

void snapshot_sanitize_strings(snapshot *s)
{
    clean_field(s->segment, sizeof s->segment);
    for (size_t i = 0; i < s->ndevices; i++)
        clean_field(s->devices[i].arch_name, sizeof s->devices[i].arch_name);
    for (size_t i = 0; i < s->nprocesses; i++)
        clean_field(s->processes[i].name, sizeof s->processes[i].name);
    for (size_t i = 0; i < s->nregions; i++)
        clean_field(s->regions[i].tag, sizeof s->regions[i].tag);
    for (size_t i = 0; i < s->nttm; i++) {
        clean_field(s->ttm[i].file, sizeof s->ttm[i].file);
        for (size_t p = 0; p < s->ttm[i].nprocesses; p++)
            clean_field(s->ttm[i].processes[p].name, sizeof s->ttm[i].processes[p].name);
    }
    for (size_t i = 0; i < s->nboards; i++) {
        clean_field(s->boards[i].card_type, sizeof s->boards[i].card_type);
        clean_field(s->boards[i].asic_id, sizeof s->boards[i].asic_id);
        clean_field(s->boards[i].pci_bus, sizeof s->boards[i].pci_bus);
    }
    clean_lines(s->ttm_warnings, sizeof s->ttm_warnings);
    if (s->has_trace) {
        clean_field(s->trace.peak.op, sizeof s->trace.peak.op);
        clean_field(s->trace.board, sizeof s->trace.board);
        clean_field(s->trace.board_reason, sizeof s->trace.board_reason);
    }
}

int snapshot_copy(snapshot *s, const snapshot *from)
{
    snapshot_reset(s);
    for (size_t i = 0; i < from->ndevices; i++) {
        snap_device *d = snapshot_add_device(s);
        if (!d)
            return -1;
        *d = from->devices[i];
    }
    for (size_t i = 0; i < from->nprocesses; i++) {
        snap_process *p = snapshot_add_process(s);
        if (!p)
            return -1;
        *p = from->processes[i];
    }
    for (size_t i = 0; i < from->nregions; i++) {
        const snap_region *r = &from->regions[i];
        snap_region *c = snapshot_add_region(s, snapshot_region_ranges(from, r), r->nranges);
        if (!c)
            return -1;
        uint32_t first = c->first_range;
        *c = *r;
        c->first_range = first;
    }
    s->dropped_records = from->dropped_records;
    return 0;
}
