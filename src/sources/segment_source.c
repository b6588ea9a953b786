/*
 * segment_source.c - our segment as a source (source.h): the reader (shm_reader.c)
 * opened lazily, kept open while the segment reads cleanly and reopened
 * after a failure (it may be recreated); what did not move is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_name.h"
#include "sources/shm_reader.h"
#include "sources/source.h"

typedef struct {
    const char *shm;         /* as given: NULL is $L1TOP_SHM or the default */
    char name[256];          /* resolved, for messages */
    shm_reader *reader;      /* open while the segment reads cleanly */
    const peaks_journal *journal; /* told the model's changes (--record), or NULL */
} segment_source;

static bool wanted(const source_params *p)
{
    return source_wants_live(p) && p->sel != SOURCE_TTMETAL;
}

static void *open_segment(const source_params *p, source_status *st, char *err, size_t errlen)
{
    segment_source *g = source_state_new(sizeof *g, st, err, errlen);
    if (!g)
        return NULL;
    g->shm = p->shm;
    if (shm_name_resolve(p->shm, g->name, sizeof g->name) != 0)
        snprintf(g->name, sizeof g->name, "%s", p->shm ? p->shm : "");
    return g;
}

static source_status status_of(shm_status st)
{
    switch (st) {
    case SHM_OK: return SRC_OK;
    case SHM_MISSING: return SRC_MISSING;
    case SHM_CORRUPT: return SRC_CORRUPT;
    default: return SRC_IO;
    }
}

static source_status fill(void *self, snapshot *s, char *err, size_t errlen)
{
    segment_source *g = self;
    char why[512] = "";
    shm_status st = SHM_OK;
    if (!g->reader) {
        st = shm_reader_open(g->shm, &g->reader, why, sizeof why);
        if (st == SHM_OK && g->journal)
            shm_reader_set_journal(g->reader, g->journal); /* a new reader: its model starts with a load */
    }
    if (st == SHM_OK)
        st = shm_reader_refresh(g->reader, s, why, sizeof why);
    if (st == SHM_OK)
        return SRC_OK;
    shm_reader_close(g->reader); /* reopen next time: it may be recreated */
    g->reader = NULL;
    snapshot_reset(s); /* nothing of an earlier reading stays */
    snprintf(err, errlen, "segment %s: %s", g->name, st == SHM_MISSING ? "no such segment" : why);
    return status_of(st);
}

/* Replays the segment's event rings; a failure shows at the next fill. */
static void poll_segment(void *self, feed_drained *d)
{
    segment_source *g = self;
    char why[256];
    if (g->reader)
        shm_reader_poll(g->reader, d, why, sizeof why);
}

static void set_journal(void *self, const peaks_journal *j)
{
    segment_source *g = self;
    g->journal = j;
    if (g->reader)
        shm_reader_set_journal(g->reader, j);
}

static const char *warning(const void *self)
{
    const segment_source *g = self;
    return g->reader ? shm_reader_warning(g->reader) : "";
}

static bool reset_peaks(void *self, uint64_t time_ns)
{
    segment_source *g = self;
    return g->reader && shm_reader_reset_peaks(g->reader, time_ns);
}

static void close_segment(void *self)
{
    segment_source *g = self;
    shm_reader_close(g->reader);
    free(g);
}

const source_ops source_segment = {
    .name = "segment",
    .wanted = wanted,
    .open = open_segment,
    .fill = fill,
    .warning = warning,
    .poll = poll_segment,
    .journal = set_journal,
    .close = close_segment,
    .reset_peaks = reset_peaks,
};
