/*
 * shm_events.h - source: the reader's side of the segment's event rings
 * (layout v3, docs/shm-format.md "Event rings"). It keeps a position in
 * every ring, copies the events written since (each slot checked against
 * its stamp, so a slot the writer lapped is a loss, never a misread),
 * merges the rings by time stamp and replays every record and release on
 * the peak model (model/peaks.h). When a ring was lapped, or a thread could
 * not log, the model is started again from the records (a resync) and its
 * marks are flagged approximate from then on.
 *
 * Ordering: events are replayed in time-stamp order up to the tick counter
 * read when the drain began; later ones wait for the next drain, so an
 * event that happens after another was published (and so after the drain
 * began) is never replayed before it.
 */
#ifndef L1TOP_SHM_EVENTS_H
#define L1TOP_SHM_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/journal.h"
#include "model/peaks.h"
#include "model/snapshot.h"

typedef struct shm_events shm_events;

/* A mapped segment whose header the caller validated (shm_reader.c). */
typedef struct {
    const unsigned char *base;
    uint32_t capacity, nrings, ring_slots;
} shm_view;

typedef enum {
    EVENTS_OK = 0,
    EVENTS_RESYNC,             /* events were missed: start the model again from a snapshot */
    EVENTS_NOMEM,
} events_status;

shm_events *shm_events_new(void);
void shm_events_free(shm_events *e);
/* The model the events are replayed on (owned by e). */
peaks *shm_events_model(shm_events *e);
const peaks *shm_events_peaks(const shm_events *e);
/* Whether the model follows the rings (started, and no event missed since). */
bool shm_events_started(const shm_events *e);
/* A journal waits for the next start (shm_events_set_journal). */
bool shm_events_journal_waits(const shm_events *e);

/* The model stops following the rings (a read of them was cut short): the
 * next snapshot starts it again, as after a lapped ring. */
void shm_events_unfollow(shm_events *e);
/* What the last drain did: events replayed, and the most slots one ring
 * advanced since the drain before (lapped slots included). */
void shm_events_drained(const shm_events *e, uint64_t *events, uint64_t *ring_used);

/* Before the snapshot a (re)start will load: remember every ring's head and
 * writer, and the count of changes writers could not log. */
void shm_events_mark(shm_events *e, const shm_view *v);

/* (Re)start the model from s (taken after shm_events_mark) and replay the
 * events since the mark. A first start begins the marks at this state; a
 * resync keeps them (raised by this state) and flags them approximate.
 * EVENTS_RESYNC: events since the mark were lapped already; the model holds
 * s's state but is not started: mark, snapshot and start again. A segment
 * without rings is never started: every snapshot is a resync. */
events_status shm_events_start(shm_events *e, const shm_view *v, const snapshot *s);

/* Replay what the rings got since the last call. With s (a snapshot just
 * taken): the model learns its new devices first, so an event on a device
 * still unknown is bad, and afterwards the regions of writers no longer in
 * s leave (a writer killed without l1top_close). Without s (between two
 * snapshots) the drain stops at an event on an unknown device, until the
 * next call with a snapshot. EVENTS_RESYNC: events were missed; the caller
 * marks, takes a snapshot and starts again. */
events_status shm_events_drain(shm_events *e, const shm_view *v, const snapshot *s);

/* Tell j (kept, not copied; NULL: nobody) every change the model applies.
 * A model already following the rings goes on as before, and starts again
 * at the next snapshot (keeping its marks, not a resync: the caller drains
 * the rings first) with j told from there, so j's first change is a LOAD. */
void shm_events_set_journal(shm_events *e, const peaks_journal *j);

#endif
