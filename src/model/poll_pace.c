/*
 * poll_pace.c - the back-off rule of a live feed's polls (see poll_pace.h).
 * Pure: the caller passes the time.
 */
#include "model/poll_pace.h"

void poll_pace_init(poll_pace *p)
{
    *p = (poll_pace){ .ms = FEED_POLL_MS, .rate = 0, .ring_slots = 0, .last_ms = -1 };
}

unsigned poll_pace_cap(const poll_pace *p)
{
    if (p->rate <= 0 || p->ring_slots == 0)
        return FEED_POLL_MAX_MS; /* no ring seen filling yet */
    double cap = (double)p->ring_slots / (FEED_POLL_RING_SHARE * p->rate);
    if (cap < FEED_POLL_MS)
        return FEED_POLL_MS;
    return cap > FEED_POLL_MAX_MS ? FEED_POLL_MAX_MS : (unsigned)cap;
}

unsigned poll_pace_next(poll_pace *p, const feed_drained *d, double now_ms)
{
    if (d->ring_slots && (p->ring_slots == 0 || d->ring_slots < p->ring_slots))
        p->ring_slots = d->ring_slots;
    if (p->last_ms >= 0 && d->ring_used) {
        /* A wait cut short (a key, a refresh) is counted as FEED_POLL_MS at
         * least: a rate over a few microseconds says nothing. */
        double waited = now_ms - p->last_ms;
        double rate = (double)d->ring_used / (waited > FEED_POLL_MS ? waited : FEED_POLL_MS);
        if (rate > p->rate)
            p->rate = rate;
    }
    p->last_ms = now_ms;
    if (d->events || d->ring_used) {
        p->ms = FEED_POLL_MS;
    } else {
        unsigned cap = poll_pace_cap(p);
        p->ms = p->ms * 2 > cap ? cap : p->ms * 2;
    }
    return p->ms;
}

void feed_drained_add(feed_drained *sum, const feed_drained *d)
{
    sum->events += d->events;
    if (d->ring_used > sum->ring_used)
        sum->ring_used = d->ring_used;
    if (d->ring_slots && (sum->ring_slots == 0 || d->ring_slots < sum->ring_slots))
        sum->ring_slots = d->ring_slots;
}
