/*
 * event_log.h - the writer's side of the segment's event rings (layout v3,
 * docs/shm-format.md "Event rings"): each thread that records claims a ring
 * of its own once (event_log_claim, off the hot path) and appends one event
 * per record or release (event_log_record / event_log_release, inline: they
 * are on the hot path). Internal to libl1top.
 *
 * A ring has one producer, so appending is plain stores: each slot is
 * invalidated (stamp 0), filled, stamped with its position + 1, and the
 * ring's head is published after the whole event. Nothing here is shared
 * with another thread's ring.
 */
#ifndef L1TOP_EVENT_LOG_H
#define L1TOP_EVENT_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "clock.h"
#include "shm_format.h"
#include "utf8.h"

typedef struct {
    struct l1top_shm_ring *ring;        /* NULL: no ring was free (events counted as unlogged) */
    struct l1top_shm_event *slots;      /* the ring's slots */
    uint64_t pos;                       /* next position: the ring's head, written by this thread only */
    uint32_t mask;                      /* ring_slots - 1 */
} event_log;

/* What a claim needs of the segment. */
typedef struct {
    unsigned char *rings;               /* first ring */
    uint32_t nrings, ring_slots;
    const struct l1top_shm_writer *writers; /* to tell a dead owner */
    uint64_t owner;                     /* RECORD_OWNER of the claiming writer */
    pid_t pid;
} event_rings;

/* Give the calling thread a ring for this writer: the one it held before
 * (same writer, same thread), else a free one, one whose writer is gone, or
 * one of this writer whose thread has ended. false when every ring is held
 * by a live thread (l->ring is then NULL). */
bool event_log_claim(event_log *l, const event_rings *r);

/* Free every ring this writer holds (l1top_close). */
void event_log_release_all(const event_rings *r);

/* The calling thread ends: its ring goes back (l->ring is then NULL). */
void event_log_return(event_log *l, const event_rings *r);

/* Whether `owner` (a RECORD_OWNER value) names an active writer slot. */
static inline bool shm_owner_live(const struct l1top_shm_writer *ws, uint64_t owner)
{
    uint32_t slot = OWNER_SLOT(owner);
    if (owner == 0 || slot >= L1TOP_SHM_MAX_WRITERS)
        return false;
    uint64_t word = atomic_load_explicit(&ws[slot].word, memory_order_acquire);
    return SLOT_STATE(word) == SLOT_ACTIVE && SLOT_GEN(word) == OWNER_GEN(owner);
}

/* ---------- appending (hot path) ---------- */

/* A tag into a record: NUL-padded, cut on a character boundary. */
static inline void shm_copy_tag(char *dst, const char *tag)
{
    size_t i = 0;
    if (tag) {
        for (; i + 1 < L1TOP_SHM_TAG_LEN && tag[i]; i++)
            dst[i] = tag[i];
        if (tag[i]) /* truncated: back off to a character boundary (rare, off the common path) */
            i = utf8_cut(tag, i + 1, i);
    }
    for (; i < L1TOP_SHM_TAG_LEN; i++)
        dst[i] = '\0';
}

static inline struct l1top_shm_event *ev_open(event_log *l, uint64_t pos)
{
    struct l1top_shm_event *e = &l->slots[pos & l->mask];
    atomic_store_explicit(&e->stamp, 0, memory_order_relaxed);
    atomic_thread_fence(memory_order_release); /* invalid before any of the new contents */
    return e;
}

static inline void ev_seal(_Atomic uint64_t *stamp, uint64_t pos)
{
    atomic_store_explicit(stamp, pos + 1u, memory_order_release);
}

static inline void ev_publish(event_log *l, uint64_t pos)
{
    l->pos = pos;
    atomic_store_explicit(&l->ring->head, pos, memory_order_release);
}

/* Ranges [from, from + cap) of `ranges` (those that exist) into dst. Slots
 * past the region's last range are left as they are: readers take nranges. */
static inline void ev_ranges(l1top_range *dst, uint32_t cap, const l1top_range *ranges, size_t from, size_t total)
{
    for (uint32_t i = 0; i < cap && from + i < total; i++)
        dst[i] = ranges[from + i];
}

/* A record published at `index` (its head) with generation `gen`, the
 * call having started at `ticks`. `tag` is the record's own (fixed-size,
 * NUL-padded) tag, copied whole. */
static inline void event_log_record(event_log *l, uint64_t ticks, uint32_t index, uint32_t gen, uint32_t device, uint8_t kind,
                                    uint8_t flags, uint32_t address, uint32_t size, uint64_t total_size,
                                    const l1top_range *ranges, size_t nranges, const char tag[L1TOP_SHM_TAG_LEN])
{
    bool interleaved = (flags & REC_INTERLEAVED) != 0;
    uint32_t nslots = ev_record_slots((uint32_t)nranges, interleaved);
    uint64_t pos = l->pos;
    struct l1top_shm_event *e = ev_open(l, pos);
    e->ticks = ticks;
    e->type = EV_RECORD;
    e->kind = kind;
    e->flags = flags;
    e->more = (uint8_t)(nslots - 1u);
    e->device = device;
    e->index = index;
    e->gen = gen;
    e->address = address;
    e->size = size;
    if (interleaved) {
        e->u.total_size = total_size;
    } else {
        e->u.ranged.nranges = (uint16_t)nranges;
        e->u.ranged.reserved = 0;
        e->u.ranged.reserved1 = 0;
        ev_ranges(e->u.ranged.ranges, EV_HEAD_RANGES, ranges, 0, nranges);
    }
    ev_seal(&e->stamp, pos);
    struct l1top_shm_event_ext *x = (struct l1top_shm_event_ext *)ev_open(l, ++pos);
    memcpy(x->u.first.tag, tag, L1TOP_SHM_TAG_LEN);
    ev_ranges(x->u.first.ranges, EV_TAG_RANGES, ranges, EV_HEAD_RANGES, interleaved ? 0 : nranges);
    ev_seal(&x->stamp, pos);
    for (size_t from = EV_HEAD_RANGES + EV_TAG_RANGES; !interleaved && from < nranges; from += EV_MORE_RANGES) {
        x = (struct l1top_shm_event_ext *)ev_open(l, ++pos);
        ev_ranges(x->u.ranges, EV_MORE_RANGES, ranges, from, nranges);
        ev_seal(&x->stamp, pos);
    }
    ev_publish(l, pos + 1u);
}

/* The region headed by record `index` of generation `gen` was released
 * by a call that started at `ticks`. */
static inline void event_log_release(event_log *l, uint64_t ticks, uint32_t index, uint32_t gen, uint32_t device)
{
    uint64_t pos = l->pos;
    struct l1top_shm_event *e = ev_open(l, pos);
    e->ticks = ticks;
    e->type = EV_RELEASE;
    e->more = 0;
    e->device = device;
    e->index = index;
    e->gen = gen; /* the other fields are not part of a release: left as they were */
    ev_seal(&e->stamp, pos);
    ev_publish(l, pos + 1u);
}

#endif
