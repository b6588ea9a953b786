/*
 * source.h - the source interface. Every backend that fills the snapshot
 * (our segment, TT-Metal's statistics files, driver telemetry, ttnn traces)
 * is one table of functions, `source_ops`, listed once in the registry
 * (collect.c). The command line opens a `source_set` from its options; the
 * set picks the registered sources that want those options and collect()
 * walks them into one snapshot. `--once`, `--serve` and the TUI all read
 * the same set, the views through the feed it hands out (model/feed.h).
 *
 * Adding a source = one file defining `const source_ops source_NAME` plus
 * its line in SOURCE_REGISTRY (docs/architecture.md shows one).
 */
#ifndef L1TOP_SOURCE_H
#define L1TOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "model/feed.h"
#include "model/journal.h"
#include "model/snapshot.h"

/* --source: which live sources to read. */
typedef enum { SOURCE_AUTO = 0, SOURCE_L1TOP, SOURCE_TTMETAL, SOURCE_ALL } source_sel;

/* What the command line asks for; each source takes what it needs. */
typedef struct {
    source_sel sel;          /* the live sources: AUTO adds TT-Metal's files when there are some */
    const char *shm;         /* segment name; NULL: $L1TOP_SHM or the default */
    const char *ttm_dir;     /* TT-Metal's statistics files; NULL or "": /dev/shm */
    const char *sysfs_root;  /* driver telemetry under this root; NULL or "": the real / */
    const char *file_source; /* read a file instead of the live sources: its source's name ("trace") */
    const char *path;        /* that file */
    const char *board;       /* --board: the board of a file that does not say */
} source_params;

typedef struct source_ops {
    const char *name;
    /* Whether this source takes part, given the parameters. */
    bool (*wanted)(const source_params *p);
    /* Only adds to what another source read (board telemetry): filled once
     * a source that is not adds_only gave data, never alone. */
    bool adds_only;
    /* Open; NULL with *st and a one-line err on failure. A live source
     * opens lazily: a segment that does not exist yet is no error here. */
    void *(*open)(const source_params *p, source_status *st, char *err, size_t errlen);
    /* Add this source's part to s. Sources owning devices and regions come
     * first in the registry and may keep or reset s; the others only add
     * what snapshot_drop_extras forgets. */
    source_status (*fill)(void *self, snapshot *s, char *err, size_t errlen);
    const char *(*warning)(const void *self); /* NULL: never has one */
    /* Between fills, every few ms (model/poll_pace.h): keep up with what the
     * source logs as it happens (the segment's event rings), so nothing is
     * lost however long the next fill is away, and add what was drained to
     * *d. NULL: nothing to keep up with. */
    void (*poll)(void *self, feed_drained *d);
    /* Tell j (kept; NULL: nobody) every change the source's peak model
     * applies, from its next start on (--record). NULL: it keeps none. */
    void (*journal)(void *self, const peaks_journal *j);
    void (*close)(void *self);
    const timeline_ops *timeline;             /* NULL: a live source */
    /* Its peak model's marks := now (the R key); false: it has none. NULL: never has one. */
    bool (*reset_peaks)(void *self, uint64_t time_ns);
} source_ops;

/* Every registered source, in fill order, and their count. */
extern const source_ops *const source_registry[];
extern const size_t source_registry_count;

/* For a file source's wanted(): p asks for the file source `name`. */
static inline bool source_wants_file(const source_params *p, const char *name)
{
    return p->file_source && strcmp(p->file_source, name) == 0;
}

/* For a live source's wanted(): p asks for the live sources (no file). */
static inline bool source_wants_live(const source_params *p)
{
    return !p->file_source;
}

/* For open(): a source's zeroed state, or NULL with SRC_IO and "out of
 * memory" in err. */
void *source_state_new(size_t size, source_status *st, char *err, size_t errlen);
/* For close(), when the state owns nothing else. */
void source_state_free(void *self);

/* The state of a source that reads one place (a directory) and owns
 * nothing else (board telemetry, TT-Metal's statistics files). */
typedef struct {
    char path[256];
} source_path_state;
/* For open(): a source_path_state holding `path`, or NULL as source_state_new. */
void *source_path_open(const char *path, source_status *st, char *err, size_t errlen);

/* The first entry of directory dir whose name match()es, copied to name
 * (n bytes); false when none does or dir cannot be read. */
bool source_dir_find(const char *dir, bool (*match)(const char *entry), char *name, size_t n);

/* Defines `ops`, the table of a source whose state is a source_path_state:
 * the file gives only what differs, its name, whether it only adds, which
 * params it wants, the path it reads (path_of: const char *(const
 * source_params *)) and how it fills (self: the source_path_state). */
#define SOURCE_PATH_OPS(ops, source_name, only_adds, wanted_fn, path_of, fill_fn)                 \
    static void *ops##_open(const source_params *p, source_status *st, char *err, size_t errlen) \
    {                                                                                          \
        return source_path_open(path_of(p), st, err, errlen);                                  \
    }                                                                                          \
    const source_ops ops = { .name = (source_name), .wanted = (wanted_fn), .adds_only = (only_adds), \
                             .open = ops##_open, .fill = (fill_fn), .close = source_state_free }

#define SOURCE_SET_MAX 8

/* The sources open for one run. */
typedef struct {
    const source_ops *ops[SOURCE_SET_MAX];
    void *self[SOURCE_SET_MAX];
    size_t n;
    char label[4096];        /* what is read: the file, or the segment's resolved name */
    char warning[512];       /* the sources' remarks after the last collect, "; "-separated */
    poll_pace pace;          /* source_set_wait's polls */
} source_set;

/* Open every registered source that wants p. SRC_OK, or the first failure
 * with a one-line err (nothing is left open then). */
source_status source_set_open(source_set *set, const source_params *p, char *err, size_t errlen);
/* Fill s from the set: a source missing while another has data is no
 * error; when none has data, the reasons are joined into err. On success
 * s is stamped, labelled and its strings made safe to show. */
source_status collect(source_set *set, snapshot *s, char *err, size_t errlen);
/* Wait `ms` milliseconds (a signal cuts it short), polling the sources
 * meanwhile as often as set->pace says (model/poll_pace.h). */
void source_set_wait(source_set *set, double ms);
/* Give j to every source of the set that keeps a peak model; how many took it. */
size_t source_set_journal(source_set *set, const peaks_journal *j);
/* The sources' non-fatal remarks at the last collect ("" when none). */
const char *source_set_warning(const source_set *set);
/* The set as a feed for the views (valid while the set is open). */
feed source_set_feed(source_set *set);
void source_set_close(source_set *set);

#endif
