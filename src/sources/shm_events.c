/*
 * shm_events.c - replaying the segment's event rings on the peak model
 * (see shm_events.h). Everything read from the segment is checked: a slot
 * whose stamp is not its position was lapped (a loss), an event of an
 * unknown type, a malformed record or one outside its device is skipped
 * and counted, never applied.
 */
#include "sources/shm_events.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "grow.h"
#include "shm_format.h"
#include "sources/shm_reader.h"
#include "utf8.h"

/* A ring as the reader follows it. */
typedef struct {
    uint64_t pos;              /* next slot to replay */
    uint64_t read_end;         /* its head at the last drain */
    uint64_t last_ticks;       /* of the last event replayed: stamps never go back within a ring */
    int32_t pid;               /* the writer filling it from pos on */
} ring_cursor;

/* One event copied out of a ring. */
typedef struct {
    uint64_t ticks;
    uint64_t pos, next;        /* its slots [pos, next) */
    uint32_t ring;
    int32_t pid;               /* the writer (EV_OWNER: the new one) */
    uint8_t type, kind;
    bool interleaved;
    uint32_t device, index, gen;
    uint32_t address, size;    /* size: size_per_core, or page_size when interleaved */
    uint64_t total_size;
    size_t first_range;        /* into shm_events.ranges */
    uint32_t nranges;
    char tag[L1TOP_SHM_TAG_LEN];
} decoded;

struct shm_events {
    peaks *model;
    bool started, ever_started;
    bool journal_fresh;        /* a journal came while started: the next start begins it ... */
    const peaks_journal *journal_next; /* ... this one; till then the model follows as before */
    ring_cursor *rings;
    uint32_t nrings;
    uint64_t unlogged;         /* stripes' count at the mark */
    decoded *ev;
    size_t nev, ev_cap;
    l1top_range *ranges;
    size_t nranges, ranges_cap;
    snap_device devices[L1TOP_SHM_MAX_DEVICES];
    size_t ndevices;
    int32_t *pids;
    size_t pids_cap;
    uint64_t cal_ticks, cal_mono; /* tick counter calibration: a first reading... */
    double ns_per_tick;           /* ... and the rate since (0 unknown) */
    uint64_t now_ticks, now_real; /* the drain's clock */
    uint64_t last_applied;        /* ticks of the last event replayed */
    uint64_t drained_events;      /* the last drain: events replayed, ... */
    uint64_t drained_slots;       /* ... the most slots a ring advanced (or lapped by) */
    const peaks_journal *journal; /* told every change applied (--record), or NULL */
};

shm_events *shm_events_new(void)
{
    shm_events *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->model = peaks_new();
    if (!e->model) {
        free(e);
        return NULL;
    }
    e->cal_ticks = clock_ticks();
    e->cal_mono = clock_monotonic_ns();
    return e;
}

void shm_events_free(shm_events *e)
{
    if (!e)
        return;
    peaks_free(e->model);
    free(e->rings);
    free(e->ev);
    free(e->ranges);
    free(e->pids);
    free(e);
}

peaks *shm_events_model(shm_events *e) { return e->model; }
const peaks *shm_events_peaks(const shm_events *e) { return e->model; }
bool shm_events_started(const shm_events *e) { return e->started; }
bool shm_events_journal_waits(const shm_events *e) { return e->journal_fresh; }
void shm_events_unfollow(shm_events *e) { e->started = false; }

void shm_events_drained(const shm_events *e, uint64_t *events, uint64_t *ring_used)
{
    *events = e->drained_events;
    *ring_used = e->drained_slots;
}

/* ---------- the segment's rings ---------- */

static const struct l1top_shm_ring *ring_at(const shm_view *v, uint32_t i)
{
    return (const struct l1top_shm_ring *)(v->base + shm_rings_offset(v->capacity) +
                                           (uint64_t)i * shm_ring_stride(v->ring_slots));
}

static uint64_t unlogged_now(const shm_view *v)
{
    const struct l1top_shm_stripe *st = (const void *)(v->base + shm_stripes_offset());
    uint64_t sum = 0;
    for (uint32_t i = 0; i < L1TOP_SHM_STRIPES; i++)
        sum += atomic_load_explicit(&st[i].unlogged, memory_order_relaxed);
    return sum;
}

/* The pid of the writer named by a ring's owner word, 0 unknown. */
static int32_t owner_pid(const shm_view *v, uint64_t owner)
{
    uint32_t slot = OWNER_SLOT(owner);
    if (owner == 0 || (owner & RING_CLAIMING) || slot >= L1TOP_SHM_MAX_WRITERS)
        return 0;
    const struct l1top_shm_writer *ws = (const void *)(v->base + shm_writers_offset());
    uint64_t word = atomic_load_explicit(&ws[slot].word, memory_order_acquire);
    return SLOT_GEN(word) == OWNER_GEN(owner) ? SLOT_PID(word) : 0;
}

/* Slot p of ring g, if it still holds position p (the writer has not lapped it). */
static bool copy_slot(const struct l1top_shm_ring *g, uint32_t slots, uint64_t p, void *out)
{
    const struct l1top_shm_event *s = (const struct l1top_shm_event *)(g + 1) + (p & (slots - 1u));
    if (atomic_load_explicit(&s->stamp, memory_order_acquire) != p + 1u)
        return false;
    memcpy(out, s, sizeof *s);
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&s->stamp, memory_order_relaxed) == p + 1u;
}

void shm_events_mark(shm_events *e, const shm_view *v)
{
    if (e->nrings != v->nrings) {
        ring_cursor *r = calloc(v->nrings ? v->nrings : 1, sizeof *r);
        if (!r) {
            e->nrings = 0;
            return;
        }
        free(e->rings);
        e->rings = r;
        e->nrings = v->nrings;
    }
    for (uint32_t i = 0; i < v->nrings; i++) {
        const struct l1top_shm_ring *g = ring_at(v, i);
        uint64_t owner = atomic_load_explicit(&g->owner, memory_order_acquire);
        uint64_t head = atomic_load_explicit(&g->head, memory_order_acquire);
        e->rings[i] = (ring_cursor){ head, head, 0, owner_pid(v, owner) };
    }
    e->unlogged = unlogged_now(v);
}

/* ---------- copying events out ---------- */

static decoded *new_event(shm_events *e)
{
    if (grow_array((void **)&e->ev, &e->ev_cap, e->nev, 1, sizeof *e->ev))
        return NULL;
    return &e->ev[e->nev++];
}

static int add_ranges(shm_events *e, const l1top_range *r, uint32_t n)
{
    if (n == 0)
        return 0;
    if (grow_array((void **)&e->ranges, &e->ranges_cap, e->nranges, n, sizeof *e->ranges))
        return -1;
    memcpy(e->ranges + e->nranges, r, (size_t)n * sizeof *r);
    e->nranges += n;
    return 0;
}

typedef enum { COPY_OK, COPY_LAPPED, COPY_BAD, COPY_NOMEM } copy_result;

/* The extension slots of a record at p (its head h): tag and ranges. */
static copy_result copy_record(shm_events *e, const struct l1top_shm_ring *g, uint32_t slots, uint64_t p,
                               const struct l1top_shm_event *h, decoded *d)
{
    bool interleaved = h->flags == REC_INTERLEAVED;
    uint32_t n = interleaved ? 0 : h->u.ranged.nranges;
    if ((h->flags & ~REC_INTERLEAVED) || (!interleaved && (n == 0 || n > 255u * L1TOP_SHM_RANGES_PER_RECORD)) ||
        h->more + 1u != ev_record_slots(n, interleaved))
        return COPY_BAD;
    d->interleaved = interleaved;
    d->kind = h->kind;
    d->address = h->address;
    d->size = h->size;
    d->total_size = interleaved ? h->u.total_size : 0;
    d->first_range = e->nranges;
    d->nranges = n;
    uint32_t head_n = n < EV_HEAD_RANGES ? n : EV_HEAD_RANGES;
    if (add_ranges(e, h->u.ranged.ranges, head_n))
        return COPY_NOMEM;
    uint32_t done = head_n;
    for (uint32_t k = 1; k <= h->more; k++) {
        struct l1top_shm_event_ext x;
        if (!copy_slot(g, slots, p + k, &x))
            return COPY_LAPPED;
        const l1top_range *src = k == 1 ? x.u.first.ranges : x.u.ranges;
        uint32_t cap = k == 1 ? EV_TAG_RANGES : EV_MORE_RANGES;
        uint32_t take = n - done < cap ? n - done : cap;
        if (k == 1) {
            memcpy(d->tag, x.u.first.tag, sizeof d->tag);
            d->tag[sizeof d->tag - 1] = '\0';
        }
        if (take && add_ranges(e, src, take))
            return COPY_NOMEM;
        done += take;
    }
    return COPY_OK;
}

/* Slots a drain copies from one ring at most (1 MiB of them): a ring made
 * huge ($L1TOP_RING_SLOTS) is read over several drains, not into a
 * buffer its size. */
#define RING_DRAIN_MAX 16384u

/* Events of ring i from its position towards its head, in e->ev. A ring
 * read only in part lowers *limit to the stamp of its last event copied:
 * its events not read yet are stamped no earlier, so those of other rings
 * stamped later must wait for them. */
static copy_result copy_ring(shm_events *e, const shm_view *v, uint32_t i, uint64_t *limit)
{
    const struct l1top_shm_ring *g = ring_at(v, i);
    ring_cursor *c = &e->rings[i];
    uint64_t head = atomic_load_explicit(&g->head, memory_order_acquire);
    peak_status *st = peaks_status_mut(e->model);
    if (head < c->pos)
        return COPY_BAD; /* a head never goes back: not the ring we followed */
    if (head - c->pos > e->drained_slots)
        e->drained_slots = head - c->pos;
    if (head - c->pos > v->ring_slots) {
        st->lost += head - c->pos - v->ring_slots;
        return COPY_LAPPED;
    }
    int32_t pid = c->pid;
    uint64_t last = c->last_ticks;
    uint64_t stop = head - c->pos > RING_DRAIN_MAX ? c->pos + RING_DRAIN_MAX : head;
    uint64_t p = c->pos;
    while (p < stop) {
        struct l1top_shm_event h;
        if (!copy_slot(g, v->ring_slots, p, &h)) {
            st->lost++;
            return COPY_LAPPED;
        }
        if (p + 1u + h.more > head)
            return COPY_BAD; /* a head is published after its event's last slot */
        decoded *d = new_event(e);
        if (!d)
            return COPY_NOMEM;
        memset(d, 0, sizeof *d);
        d->ticks = h.ticks > last ? h.ticks : last;
        last = d->ticks;
        d->pos = p;
        d->next = p + 1u + h.more;
        d->ring = i;
        d->type = h.type;
        d->device = h.device;
        d->index = h.index;
        d->gen = h.gen;
        copy_result r = COPY_OK;
        if (h.type == EV_OWNER && h.more == 0)
            pid = h.u.who.pid;
        else if (h.type == EV_RECORD)
            r = copy_record(e, g, v->ring_slots, p, &h, d);
        else if (h.type != EV_RELEASE || h.more != 0)
            r = COPY_BAD;
        if (r != COPY_OK)
            return r;
        d->pid = pid;
        p = d->next;
    }
    c->read_end = p;
    if (p < head && last < *limit)
        *limit = last;
    return COPY_OK;
}

/* ---------- replaying ---------- */

static int cmp_event(const void *a, const void *b)
{
    const decoded *x = a, *y = b;
    if (x->ticks != y->ticks)
        return x->ticks < y->ticks ? -1 : 1;
    if (x->ring != y->ring)
        return x->ring < y->ring ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static const snap_device *known_device(const shm_events *e, uint32_t id)
{
    for (size_t i = 0; i < e->ndevices; i++)
        if (e->devices[i].id == id)
            return &e->devices[i];
    return NULL;
}

/* CLOCK_REALTIME of a tick count, from the calibration. */
static uint64_t event_time(const shm_events *e, uint64_t ticks)
{
    if (ticks >= e->now_ticks || e->ns_per_tick <= 0)
        return e->now_real;
    double back = (double)(e->now_ticks - ticks) * e->ns_per_tick;
    return back >= (double)e->now_real ? 0 : e->now_real - (uint64_t)back;
}

static void read_clock(shm_events *e)
{
    e->now_ticks = clock_ticks();
    uint64_t mono = clock_monotonic_ns();
    e->now_real = clock_realtime_ns();
    /* The rate over everything since the reader began: more exact as it runs. */
    if (mono - e->cal_mono >= 1000000u && e->now_ticks > e->cal_ticks)
        e->ns_per_tick = (double)(mono - e->cal_mono) / (double)(e->now_ticks - e->cal_ticks);
}

typedef enum { APPLY_DONE, APPLY_WAIT, APPLY_NOMEM } apply_result;

/* One event on the model. APPLY_WAIT: its device is not known yet. */
static apply_result apply(shm_events *e, const decoded *d, bool final_devices)
{
    peak_status *st = peaks_status_mut(e->model);
    uint64_t handle = (uint64_t)d->gen << 32 | ((uint64_t)d->index + 1u);
    peak_result r = PEAK_APPLIED;
    if (d->type == EV_OWNER) {
        e->rings[d->ring].pid = d->pid;
        return APPLY_DONE;
    }
    if (d->type == EV_RELEASE) {
        uint64_t t = event_time(e, d->ticks);
        r = peaks_release(e->model, handle, t);
        if (r == PEAK_APPLIED && e->journal)
            e->journal->release(e->journal->ctx, handle, t);
    } else {
        const snap_device *dev = known_device(e, d->device);
        if (!dev) {
            if (!final_devices)
                return APPLY_WAIT;
            st->bad++;
            return APPLY_DONE;
        }
        const l1top_range *ranges = d->nranges ? e->ranges + d->first_range : NULL; /* none: interleaved */
        shm_region_check chk = { d->kind, d->interleaved, d->address, d->interleaved ? 0 : d->size,
                                 d->interleaved ? d->size : 0, d->total_size, ranges, d->nranges };
        if (!shm_region_valid(&chk, dev)) {
            st->bad++;
            return APPLY_DONE;
        }
        char tag[L1TOP_SHM_TAG_LEN];
        utf8_clean(tag, sizeof tag, d->tag, UTF8_ESCAPE_CONTROLS);
        peak_region pr = { handle, d->pid, d->device, d->kind, d->interleaved, d->address, chk.size_per_core,
                           chk.page_size, d->total_size, ranges, d->nranges, tag };
        uint64_t t = event_time(e, d->ticks);
        r = peaks_record(e->model, &pr, t);
        if (r == PEAK_APPLIED && e->journal)
            e->journal->record(e->journal->ctx, &pr, t);
    }
    if (r == PEAK_NOMEM)
        return APPLY_NOMEM;
    if (r == PEAK_UNKNOWN_DEVICE)
        return final_devices ? (st->bad++, APPLY_DONE) : APPLY_WAIT;
    return APPLY_DONE;
}

/* Replay the copied events in order, up to the drain's start (`limit`) or
 * an event that must wait; each ring then resumes at its first event left. */
static events_status replay(shm_events *e, uint64_t limit, bool final_devices)
{
    if (e->nev > 1)
        qsort(e->ev, e->nev, sizeof *e->ev, cmp_event);
    peak_status *st = peaks_status_mut(e->model);
    size_t k = 0;
    for (; k < e->nev && e->ev[k].ticks <= limit; k++) {
        const decoded *d = &e->ev[k];
        apply_result r = apply(e, d, final_devices);
        if (r == APPLY_NOMEM)
            return EVENTS_NOMEM;
        if (r == APPLY_WAIT)
            break;
        if (d->ticks < e->last_applied)
            st->late++;
        else
            e->last_applied = d->ticks;
        e->rings[d->ring].last_ticks = d->ticks;
    }
    e->drained_events = k;
    for (uint32_t i = 0; i < e->nrings; i++)
        e->rings[i].pos = e->rings[i].read_end;
    for (size_t j = k; j < e->nev; j++) /* left for the next drain */
        if (e->ev[j].pos < e->rings[e->ev[j].ring].pos)
            e->rings[e->ev[j].ring].pos = e->ev[j].pos;
    peaks_age_tombstones(e->model);
    return EVENTS_OK;
}

static events_status take_devices(shm_events *e, const snapshot *s);
static events_status retain_writers(shm_events *e, const snapshot *s);

static events_status drain(shm_events *e, const shm_view *v, bool final_devices)
{
    if (!e->started || v->nrings == 0 || e->nrings != v->nrings)
        return EVENTS_RESYNC; /* no rings: every snapshot is a resync */
    /* Read before any head: an event published after a head was read has
     * a later stamp, and waits for the next drain. */
    read_clock(e);
    uint64_t limit = e->now_ticks;
    e->drained_events = 0;
    e->drained_slots = 0;
    uint64_t unlogged = unlogged_now(v);
    peak_status *st = peaks_status_mut(e->model);
    if (unlogged != e->unlogged) {
        st->unlogged += unlogged > e->unlogged ? unlogged - e->unlogged : 0;
        return EVENTS_RESYNC;
    }
    e->nev = 0;
    e->nranges = 0;
    for (uint32_t i = 0; i < v->nrings; i++) {
        copy_result r = copy_ring(e, v, i, &limit);
        if (r == COPY_NOMEM)
            return EVENTS_NOMEM;
        if (r == COPY_BAD)
            st->bad++;
        if (r != COPY_OK)
            return EVENTS_RESYNC;
    }
    return replay(e, limit, final_devices);
}

events_status shm_events_drain(shm_events *e, const shm_view *v, const snapshot *s)
{
    if (s && take_devices(e, s) != EVENTS_OK)
        return EVENTS_NOMEM;
    events_status st = drain(e, v, s != NULL);
    if (st == EVENTS_RESYNC) {
        e->started = false; /* the state is behind: nothing more until a new start */
        if (e->journal_fresh) { /* that start is a resync: the journal is told so */
            e->journal = e->journal_next;
            e->journal_fresh = false;
        }
    }
    if (st == EVENTS_OK && s)
        st = retain_writers(e, s);
    return st;
}

/* ---------- starting and syncing ---------- */

static events_status take_devices(shm_events *e, const snapshot *s)
{
    e->ndevices = 0;
    for (size_t i = 0; i < s->ndevices && e->ndevices < L1TOP_SHM_MAX_DEVICES; i++)
        e->devices[e->ndevices++] = s->devices[i];
    uint64_t now = clock_realtime_ns();
    if (e->journal)
        e->journal->sync(e->journal->ctx, s, now);
    return peaks_sync_devices(e->model, s, now) ? EVENTS_NOMEM : EVENTS_OK;
}

static events_status retain_writers(shm_events *e, const snapshot *s)
{
    if (grow_array((void **)&e->pids, &e->pids_cap, 0, s->nprocesses, sizeof *e->pids))
        return EVENTS_NOMEM;
    for (size_t i = 0; i < s->nprocesses; i++)
        e->pids[i] = s->processes[i].pid;
    uint64_t now = clock_realtime_ns();
    if (peaks_retain_pids(e->model, e->pids, s->nprocesses, now) && e->journal)
        e->journal->retain(e->journal->ctx, e->pids, s->nprocesses, now);
    return EVENTS_OK;
}

events_status shm_events_start(shm_events *e, const shm_view *v, const snapshot *s)
{
    /* After a journal came to a model that was following the rings (a
     * recording begun in the TUI), nothing was missed: the model keeps its
     * marks without being approximate, and the journal begins as at a
     * first start. */
    bool keep = e->ever_started, fresh = e->journal_fresh;
    bool resync = keep && !fresh;
    uint64_t now = clock_realtime_ns();
    e->started = false;
    if (fresh)
        e->journal = e->journal_next;
    e->journal_fresh = false;
    if (peaks_load(e->model, s, keep, now))
        return EVENTS_NOMEM;
    if (e->journal)
        e->journal->load(e->journal->ctx, s, resync, now);
    if (take_devices(e, s) != EVENTS_OK)
        return EVENTS_NOMEM;
    e->ever_started = true;
    e->last_applied = 0;
    if (resync) {
        peaks_mark_approximate(e->model, now);
        peaks_status_mut(e->model)->resyncs++;
        if (e->journal)
            e->journal->approximate(e->journal->ctx, now);
    }
    if (v->nrings == 0)
        return EVENTS_OK; /* nothing to replay: each snapshot is a start (a resync) */
    /* The changes made between the mark and the snapshot are in both:
     * replaying them changes nothing the snapshot already shows (a record
     * held is ignored, a release of what is gone too). */
    e->started = true;
    events_status st = drain(e, v, true);
    if (st != EVENTS_OK) {
        e->started = false; /* lapped already: the caller starts again */
        return st;
    }
    if (!resync) {
        uint64_t at = clock_realtime_ns();
        if (!keep)
            peaks_reset(e->model, at);
        if (e->journal)
            e->journal->reset(e->journal->ctx, at);
    }
    return EVENTS_OK;
}

void shm_events_set_journal(shm_events *e, const peaks_journal *j)
{
    e->journal_fresh = j && e->started; /* it begins with a LOAD, at the next start */
    e->journal_next = j;
    if (!e->journal_fresh)
        e->journal = j;
}
