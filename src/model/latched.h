/*
 * latched.h - the event log: clashes (a CB over an L1 buffer, seen in the
 * accounting or only in the peak model's marks between two refreshes),
 * dropped records and alert transitions (the caller notes those: the alert
 * engine is the command line's), each kept after its condition clears, in
 * a bounded ring (the oldest go). Pure: the caller observes each snapshot
 * and stamps it, with its timeline position when it has one, so a view can
 * go back to the moment.
 */
#ifndef L1TOP_LATCHED_H
#define L1TOP_LATCHED_H

#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/snapshot.h"

#define LATCHED_MAX 512          /* events kept */
#define LATCHED_DEVICES_MAX 256  /* devices whose cores are followed */

typedef enum { LATCH_CLASH, LATCH_DROPPED, LATCH_ALERT_START, LATCH_ALERT_STOP } latched_kind;

#define LATCHED_DETAIL_LEN 32

typedef struct {
    uint64_t time_ns;            /* CLOCK_REALTIME; the peak moment for a clash between refreshes */
    latched_kind kind;
    uint32_t device;             /* device id */
    int32_t x, y;                /* core, -1: the device (dropped records: the segment) */
    int32_t pid;                 /* 0 unknown */
    uint64_t bytes;              /* clash bytes, or records dropped since the last event */
    char tag[SNAP_TAG_LEN];      /* the op/tag, or the alert's name; "" unknown */
    char detail[LATCHED_DETAIL_LEN]; /* an alert's value in words ("97.8 %"), else "" */
    size_t pos;                  /* the timeline position it was seen at; SIZE_MAX: live data */
    bool marked;                 /* seen only in the peak marks: seq and at_start say when */
    bool at_start;               /* the mark's moment was a start (peak_moment.kind 0) */
    uint64_t seq;                /* the peak model's change that made it (peak_moment.seq) */
} latched_event;

typedef struct latched latched;

latched *latched_new(void);
void latched_free(latched *l);
/* Compare s (its accounting a, its peak marks s->peaks) with the last
 * observation; log what began. pos: s's timeline position (SIZE_MAX: live).
 * 0, or -1 (memory: nothing logged). */
int latched_observe(latched *l, const snapshot *s, const accounting *a, uint64_t time_ns, size_t pos);
/* Log e as it is (an alert's start or stop). */
void latched_note(latched *l, const latched_event *e);
size_t latched_count(const latched *l);
/* i-th newest first (0: the latest), NULL past the end. */
const latched_event *latched_at(const latched *l, size_t i);
/* Events ever logged (some may have left the ring). */
uint64_t latched_total(const latched *l);

#endif
