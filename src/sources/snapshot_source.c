/*
 * snapshot_source.c - a saved `--once --format json` snapshot as a source
 * (source.h): read once at open (json_snapshot.c), the same snapshot on
 * every fill. --trace FILE selects it when FILE is one (l1top.c tells by
 * its first key); --diff reads its two files through it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/json_snapshot.h"
#include "sources/source.h"

typedef struct {
    snapshot saved;
    bool shown;          /* the caller's snapshot holds it: a file does not change */
} snapshot_source;

static bool wanted(const source_params *p) { return source_wants_file(p, "snapshot"); }

static void *open_snapshot(const source_params *p, source_status *st, char *err, size_t errlen)
{
    snapshot_source *t = source_state_new(sizeof *t, st, err, errlen);
    if (!t)
        return NULL;
    snapshot_init(&t->saved);
    int rc = json_snapshot_load(p->path ? p->path : "", &t->saved, err, errlen);
    if (rc != 0) {
        snapshot_free(&t->saved);
        free(t);
        *st = rc == JSNAP_ENOINPUT ? SRC_MISSING : SRC_CORRUPT;
        return NULL;
    }
    return t;
}

static source_status fill(void *self, snapshot *s, char *err, size_t errlen)
{
    snapshot_source *t = self;
    if (t->shown) {
        s->unchanged = true;
    } else if (snapshot_copy(s, &t->saved) != 0) {
        snprintf(err, errlen, "%s: out of memory", t->saved.segment);
        return SRC_IO;
    }
    t->shown = true;
    s->have_segment = true;
    s->timestamp_ns = t->saved.timestamp_ns; /* when it was saved, not read */
    return SRC_OK;
}

static void close_snapshot(void *self)
{
    snapshot_source *t = self;
    snapshot_free(&t->saved);
    free(t);
}

const source_ops source_snapshot = {
    .name = "snapshot",
    .wanted = wanted,
    .open = open_snapshot,
    .fill = fill,
    .close = close_snapshot,
};
