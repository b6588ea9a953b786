/*
 * poll_pace.h - how long a view waits between two polls of a live feed
 * (model/feed.h): what a poll drained, and the back-off rule over it.
 *
 * The rule: a poll that drained events snaps the wait back to FEED_POLL_MS.
 * A quiet poll doubles it, up to a cap: the wait may fill at most
 * 1/FEED_POLL_RING_SHARE of the smallest ring at the fastest rate a ring
 * ever filled between two polls of this feed (slots per ms), and never
 * exceeds FEED_POLL_MAX_MS. So a writer that comes back at any rate it
 * showed before cannot lap its ring in one wait, and once its events show
 * the polls are FEED_POLL_MS apart again. A writer never seen busy that
 * bursts at more than slots / FEED_POLL_MAX_MS (the default 2048-slot ring:
 * ~10 000 slots a second) within one long wait may lap its ring once: the
 * loss is counted and the peaks flagged approximate, never silently wrong.
 */
#ifndef L1TOP_POLL_PACE_H
#define L1TOP_POLL_PACE_H

#include <stdint.h>

#define FEED_POLL_MS 10         /* the wait while events flow */
#define FEED_POLL_MAX_MS 200    /* the longest wait: an idle feed polls 5 times a second */
#define FEED_POLL_RING_SHARE 2  /* a wait fills at most half the smallest ring at the fastest rate seen */

/* What one poll drained (a feed of several sources: summed, see feed_drained_add). */
typedef struct {
    uint64_t events;     /* events replayed */
    uint64_t ring_used;  /* slots the busiest ring advanced (or lapped by) */
    uint32_t ring_slots; /* the smallest ring's capacity; 0: no ring read */
} feed_drained;

typedef struct {
    unsigned ms;         /* the next wait */
    double rate;         /* the fastest a ring filled between two polls, slots per ms */
    uint32_t ring_slots; /* the smallest ring seen; 0: none yet */
    double last_ms;      /* when the last poll was (monotonic ms); < 0: none yet */
} poll_pace;

void poll_pace_init(poll_pace *p);
/* After a poll at now_ms that drained d: the next wait, in ms (also p->ms). */
unsigned poll_pace_next(poll_pace *p, const feed_drained *d, double now_ms);
/* The longest wait p allows now (the cap of the rule above). */
unsigned poll_pace_cap(const poll_pace *p);

/* sum := sum and d drained together (several sources in one poll). */
void feed_drained_add(feed_drained *sum, const feed_drained *d);

#endif
