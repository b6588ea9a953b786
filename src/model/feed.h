/*
 * feed.h - what the views and the command line hold of the sources: a feed
 * fills snapshots on demand (a live one reads anew each time; a timeline
 * shows the position it was moved to) and names what it reads. The sources
 * layer builds feeds (sources/source.h); nothing here names a source, so a
 * view that drives a feed (the TUI, the exporter) includes no source header.
 */
#ifndef L1TOP_FEED_H
#define L1TOP_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/poll_pace.h"
#include "model/snapshot.h"

/* How reading went: one status for every source. */
typedef enum {
    SRC_OK = 0,
    SRC_MISSING, /* nothing there (yet): no segment, no file (exit 66) */
    SRC_CORRUPT, /* there, but foreign, truncated or invalid (exit 65) */
    SRC_IO,      /* could not be read for another reason (exit 74) */
} source_status;

/* A timeline: positions 0 .. length - 1 in time order (a trace's L1 events).
 * A timeline opens at its peak; a view steps it with seek and fills again. */
typedef struct {
    size_t (*length)(const void *self);
    size_t (*position)(const void *self);
    void (*seek)(void *self, size_t pos);     /* past the end: the last position */
    size_t (*peak)(const void *self);         /* the position of the peak */
    /* What a position is, e.g. "node 1234 (56/789) in ttnn::matmul  PEAK". */
    void (*label)(const void *self, size_t pos, char *buf, size_t n);
    /* The optional ones below may be NULL (the timeline cannot say); each
     * answers a position, or SIZE_MAX for none. */
    /* The next (dir > 0) or previous (dir < 0) position after / before
     * `from` whose change moves bytes on core (x, y) of device `device`. */
    size_t (*find_change)(const void *self, size_t from, uint32_t device, uint16_t x, uint16_t y, int dir);
    /* Where that core's own peak was first reached (its used bytes highest). */
    size_t (*core_peak)(const void *self, uint32_t device, uint16_t x, uint16_t y);
    /* Where a mark of the peak model the snapshots carry was reached: its
     * peak_moment's seq; start_ns 0 when that moment is a record, else the
     * moment's time (a start loads a state and applies no change: several
     * positions share its seq, its time tells which). */
    size_t (*position_of)(const void *self, uint64_t seq, uint64_t start_ns);
} timeline_ops;

typedef struct {
    void *self;
    /* s is the caller's, kept between calls: a feed may keep what did not
     * change (then s->unchanged is set). err gets one line naming what
     * failed, e.g. "segment /l1top: no such segment". */
    source_status (*fill)(void *self, snapshot *s, char *err, size_t errlen);
    const char *(*warning)(const void *self); /* a non-fatal remark, or "" */
    const char *label;                        /* what is read: a segment name, a file */
    const timeline_ops *timeline;             /* NULL: a live feed */
    void *timeline_self;
    /* Between fills, paced by poll_pace (model/poll_pace.h): a live source
     * with an event stream drains it, so that no change is lost between two
     * fills (the segment's rings lap after a few thousand events), and adds
     * what it drained to *d. NULL: nothing to do. */
    void (*poll)(void *self, feed_drained *d);
    /* High-water marks (snapshot.peaks) := now, from time_ns on; false: the
     * feed keeps none. NULL: the same as false. */
    bool (*reset_peaks)(void *self, uint64_t time_ns);
} feed;

static inline source_status feed_fill(const feed *f, snapshot *s, char *err, size_t errlen)
{
    return f->fill(f->self, s, err, errlen);
}

/* Poll f now (now_ms: monotonic) and pace the next poll: the wait until
 * then, in ms (see poll_pace.h). */
static inline unsigned feed_poll(const feed *f, poll_pace *p, double now_ms)
{
    feed_drained d = { 0, 0, 0 };
    if (f->poll)
        f->poll(f->self, &d);
    return poll_pace_next(p, &d, now_ms);
}

static inline const char *feed_warning(const feed *f)
{
    return f->warning(f->self);
}

#endif
