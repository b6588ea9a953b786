/*
 * event_log.c - claiming and freeing a writer thread's event ring (see
 * event_log.h). Off the hot path: once per thread and writer, and at close.
 */
#define _GNU_SOURCE
#include "event_log.h"

#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct l1top_shm_ring *ring_at(const event_rings *r, uint32_t i)
{
    return (struct l1top_shm_ring *)(r->rings + (uint64_t)i * shm_ring_stride(r->ring_slots));
}

/* Whether thread `tid` of process `pid` has ended. Only a definite "no such
 * task" counts: without /proc nothing is ever taken from a live thread. */
static bool thread_gone(pid_t pid, int32_t tid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d", (int)pid, (int)tid);
    if (access(path, F_OK) == 0 || errno != ENOENT)
        return false;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    return access(path, F_OK) == 0;
}

/* The thread owns ring g from position `head` on: say so in the ring (the
 * reader attributes the events after it to this writer). */
static void take(event_log *l, const event_rings *r, struct l1top_shm_ring *g, int32_t tid)
{
    l->ring = g;
    l->slots = (struct l1top_shm_event *)(g + 1);
    l->mask = r->ring_slots - 1u;
    l->pos = atomic_load_explicit(&g->head, memory_order_acquire);
    uint64_t pos = l->pos;
    struct l1top_shm_event *e = ev_open(l, pos);
    memset((unsigned char *)e + sizeof e->stamp, 0, sizeof *e - sizeof e->stamp);
    e->ticks = clock_ticks();
    e->type = EV_OWNER;
    e->u.who.owner = r->owner;
    e->u.who.pid = (int32_t)r->pid;
    e->u.who.tid = tid;
    ev_seal(&e->stamp, pos);
    ev_publish(l, pos + 1u);
}

bool event_log_claim(event_log *l, const event_rings *r)
{
    int32_t tid = (int32_t)syscall(SYS_gettid);
    l->ring = NULL;
    /* A free ring, or one whose writer is gone. The claiming mark keeps the
     * old tid from ever being read beside our owner value. */
    for (uint32_t i = 0; i < r->nrings; i++) {
        struct l1top_shm_ring *g = ring_at(r, i);
        uint64_t o = atomic_load_explicit(&g->owner, memory_order_acquire);
        if (o != 0 && (o & RING_CLAIMING || o == r->owner || shm_owner_live(r->writers, o)))
            continue;
        if (!atomic_compare_exchange_strong(&g->owner, &o, r->owner | RING_CLAIMING))
            continue;
        atomic_store_explicit(&g->tid, tid, memory_order_relaxed);
        atomic_store_explicit(&g->owner, r->owner, memory_order_release);
        take(l, r, g, tid);
        return true;
    }
    /* One of this writer's rings whose thread has ended. */
    for (uint32_t i = 0; i < r->nrings; i++) {
        struct l1top_shm_ring *g = ring_at(r, i);
        if (atomic_load_explicit(&g->owner, memory_order_acquire) != r->owner)
            continue;
        int32_t t = atomic_load_explicit(&g->tid, memory_order_acquire);
        if (t == tid || !thread_gone(r->pid, t) || !atomic_compare_exchange_strong(&g->tid, &t, tid))
            continue;
        take(l, r, g, tid);
        return true;
    }
    return false;
}

void event_log_return(event_log *l, const event_rings *r)
{
    if (!l->ring)
        return;
    uint64_t o = r->owner;
    atomic_compare_exchange_strong(&l->ring->owner, &o, 0);
    l->ring = NULL;
}

void event_log_release_all(const event_rings *r)
{
    for (uint32_t i = 0; i < r->nrings; i++) {
        struct l1top_shm_ring *g = ring_at(r, i);
        uint64_t o = r->owner;
        atomic_compare_exchange_strong(&g->owner, &o, 0);
    }
}
