/*
 * collect.c - the source registry and the source set (see source.h): which
 * sources a run reads, and how their parts make one snapshot.
 */
#include "sources/source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "shm_name.h"
#include "utf8.h"

/* The registry, one line per source, in fill order: the sources owning
 * devices and regions before those that add to them. */
#define SOURCE_REGISTRY(X)                                                    \
    X(source_trace)     /* --trace FILE: a ttnn graph capture, a timeline */  \
    X(source_snapshot)  /* --trace FILE saved by --once --format json */      \
    X(source_recording) /* --replay FILE: a --record recording, a timeline */ \
    X(source_segment)   /* our segment: per-core regions from libl1top */     \
    X(source_ttmetal)   /* TT-Metal's allocator statistics files */           \
    X(source_telemetry) /* board telemetry from the kernel driver */

#define DECLARE_SOURCE(s) extern const source_ops s;
#define LIST_SOURCE(s) &(s),
SOURCE_REGISTRY(DECLARE_SOURCE)
const source_ops *const source_registry[] = { SOURCE_REGISTRY(LIST_SOURCE) };
const size_t source_registry_count = sizeof source_registry / sizeof source_registry[0];

void *source_state_new(size_t size, source_status *st, char *err, size_t errlen)
{
    void *self = calloc(1, size);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        *st = SRC_IO;
    }
    return self;
}

void source_state_free(void *self)
{
    free(self);
}

void *source_path_open(const char *path, source_status *st, char *err, size_t errlen)
{
    source_path_state *t = source_state_new(sizeof *t, st, err, errlen);
    if (t)
        snprintf(t->path, sizeof t->path, "%s", path);
    return t;
}

bool source_dir_find(const char *dir, bool (*match)(const char *entry), char *name, size_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    bool found = false;
    while (!found && (e = readdir(d)))
        if (match(e->d_name))
            found = (size_t)snprintf(name, n, "%s", e->d_name) < n;
    closedir(d);
    return found;
}

/* ---------- the set ---------- */

void source_set_wait(source_set *set, double ms)
{
    feed f = source_set_feed(set);
    uint64_t end = clock_monotonic_ns() + (uint64_t)(ms > 0 ? ms * 1e6 : 0);
    for (;;) {
        uint64_t now = clock_monotonic_ns();
        if (now >= end)
            return;
        uint64_t pace_ns = set->pace.ms * 1000000ull;
        uint64_t step = end - now < pace_ns ? end - now : pace_ns;
        struct timespec ts = { (time_t)(step / 1000000000u), (long)(step % 1000000000u) };
        if (nanosleep(&ts, NULL) != 0)
            return; /* a signal: the caller looks at it */
        feed_poll(&f, &set->pace, (double)clock_monotonic_ns() / 1e6);
    }
}

static void set_label(source_set *set, const source_params *p)
{
    if (p->file_source)
        snprintf(set->label, sizeof set->label, "%s", p->path ? p->path : "");
    else if (shm_name_resolve(p->shm, set->label, sizeof set->label) != 0)
        snprintf(set->label, sizeof set->label, "%s", p->shm ? p->shm : "");
}

source_status source_set_open(source_set *set, const source_params *p, char *err, size_t errlen)
{
    memset(set, 0, sizeof *set);
    poll_pace_init(&set->pace);
    set_label(set, p);
    for (size_t i = 0; i < source_registry_count; i++) {
        const source_ops *o = source_registry[i];
        if (!o->wanted(p))
            continue;
        if (set->n == SOURCE_SET_MAX) {
            snprintf(err, errlen, "more than %d sources at once", SOURCE_SET_MAX);
            source_set_close(set);
            return SRC_IO;
        }
        source_status st = SRC_IO;
        void *self = o->open(p, &st, err, errlen);
        if (!self) {
            source_set_close(set);
            return st == SRC_OK ? SRC_IO : st;
        }
        set->ops[set->n] = o;
        set->self[set->n++] = self;
    }
    if (set->n == 0) {
        snprintf(err, errlen, "no source reads '%s'", p->file_source ? p->file_source : "live data");
        return SRC_IO;
    }
    return SRC_OK;
}

/* Append `line` to a "; "-separated list in buf. */
static void join(char *buf, size_t n, const char *line)
{
    if (!line || !*line)
        return;
    size_t used = strlen(buf);
    snprintf(buf + used, n - used, "%s%s", used ? "; " : "", line);
}

source_status collect(source_set *set, snapshot *s, char *err, size_t errlen)
{
    /* What the sources that own devices and regions read stays unless they
     * reset it (a segment that did not move is kept); the rest is re-read. */
    snapshot_drop_extras(s);
    s->timestamp_ns = 0;
    bool got = false;
    char missing[1024] = "", why[512];
    for (size_t i = 0; i < set->n; i++) {
        const source_ops *o = set->ops[i];
        if (o->adds_only && !got)
            continue;
        why[0] = '\0';
        source_status st = o->fill(set->self[i], s, why, sizeof why);
        if (st == SRC_OK) {
            got |= !o->adds_only;
        } else if (!got && st != SRC_MISSING) {
            /* Broken before anything was read: that is the answer. (After, a
             * source's trouble is in its own warnings, e.g. skipped files.) */
            snprintf(err, errlen, "%s", why);
            return st;
        } else if (!got) {
            join(missing, sizeof missing, why);
        }
    }
    if (!got) {
        snprintf(err, errlen, "%s", missing[0] ? missing : "nothing to read");
        return SRC_MISSING;
    }
    utf8_copy(s->segment, sizeof s->segment, set->label); /* cut on a character */
    if (s->timestamp_ns == 0) /* a source that kept or read nothing timed: the time of reading */
        s->timestamp_ns = clock_realtime_ns();
    snapshot_sanitize_strings(s);
    set->warning[0] = '\0';
    for (size_t i = 0; i < set->n; i++)
        if (set->ops[i]->warning)
            join(set->warning, sizeof set->warning, set->ops[i]->warning(set->self[i]));
    return SRC_OK;
}

const char *source_set_warning(const source_set *set)
{
    return set->warning;
}

size_t source_set_journal(source_set *set, const peaks_journal *j)
{
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        if (set->ops[i]->journal) {
            set->ops[i]->journal(set->self[i], j);
            n++;
        }
    return n;
}

void source_set_close(source_set *set)
{
    for (size_t i = set->n; i-- > 0;)
        set->ops[i]->close(set->self[i]);
    set->n = 0;
}

/* ---------- the set as a feed ---------- */

static source_status feed_collect(void *self, snapshot *s, char *err, size_t errlen)
{
    return collect(self, s, err, errlen);
}

static const char *feed_set_warning(const void *self)
{
    return source_set_warning(self);
}

/* Every source with a peak model starts its marks again. */
static bool feed_reset_peaks(void *self, uint64_t time_ns)
{
    source_set *set = self;
    bool any = false;
    for (size_t i = 0; i < set->n; i++)
        if (set->ops[i]->reset_peaks)
            any |= set->ops[i]->reset_peaks(set->self[i], time_ns);
    return any;
}

/* The feed's poll: every source that has one (the segment drains its rings). */
static void feed_set_poll(void *self, feed_drained *d)
{
    source_set *set = self;
    for (size_t i = 0; i < set->n; i++)
        if (set->ops[i]->poll)
            set->ops[i]->poll(set->self[i], d);
}

feed source_set_feed(source_set *set)
{
    feed f = { set, feed_collect, feed_set_warning, set->label, NULL, NULL, feed_set_poll, feed_reset_peaks };
    /* One source with a timeline: the set steps as it does. */
    if (set->n == 1 && set->ops[0]->timeline) {
        f.timeline = set->ops[0]->timeline;
        f.timeline_self = set->self[0];
    }
    return f;
}
