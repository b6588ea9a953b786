/*
 * writer.c - libl1top: creates/attaches the segment, claims a writer slot,
 * and records/releases L1 regions.
 *
 * Hot path (l1top_record*, l1top_release): atomics on the mapped segment
 * only. A record slot is taken with one compare-and-swap on its `owner`
 * word, filled under its seqlock and freed by storing 0; nothing is ever
 * locked across processes, so a writer killed at any instruction leaves
 * nothing for others to wait on. Its records become stale when its slot is
 * reaped (l1top_open, or a full segment) and are then reused.
 *
 * Threads: each thread keeps its own claim cursor, counter stripe and event
 * ring (thread-local, keyed by the writer), so threads of one process do
 * not write a shared line. Every record and release is also appended to the
 * thread's ring (event_log.h), for readers that replay every change. A forked child's copy of a writer refuses every call
 * (ECHILD) and never touches the parent's records; a segment truncated
 * under the writer is caught by a SIGBUS handler that swaps in anonymous
 * memory and makes later calls fail with EIO.
 */
#define _GNU_SOURCE
#include "l1top.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "clock.h"
#include "event_log.h"
#include "sig_chain.h"
#include "proc.h"
#include "shm_format.h"
#include "shm_name.h"
#include "utf8.h"

typedef struct {
    uint32_t id;
    uint16_t grid_x, grid_y;
    uint32_t l1_size;
    uint32_t alignment;
    struct l1top_shm_device *entry; /* for the per-device dropped counter */
} device_cache;

struct l1top_writer {
    /* Read by every call; written only at open and declare. */
    int fd;
    unsigned char *base;
    size_t size;
    struct l1top_shm_header *hdr;
    struct l1top_shm_writer *writers;
    struct l1top_shm_device *devices;
    struct l1top_shm_stripe *stripes;
    struct l1top_shm_record *records;
    event_rings rings;          /* the event rings, for claiming one per thread */
    uint32_t capacity;
    uint32_t slot;
    uint64_t owner;             /* RECORD_OWNER(slot, gen) */
    uint64_t id;                /* unique in this process: keys the thread-local state */
    uint32_t fork_gen;          /* fork generation of the opening process */
    pid_t pid;
    _Atomic int lost;           /* the segment was truncated under us (set once) */
    pthread_mutex_t declare_lock; /* process-local; declarations only */
    _Atomic uint32_t ndevices;  /* published entries of `devices_known` */
    device_cache devices_known[L1TOP_SHM_MAX_DEVICES];
    /* Written now and then (a new thread, a full segment): own line. */
    alignas(64) _Atomic uint32_t threads; /* threads that used this writer: spreads their cursors */
    _Atomic uint64_t last_reclaim_ns;     /* when a full segment last looked for dead writers */
};

/* Per thread and writer: where its next claim starts, its counter stripe
 * and its event ring. */
typedef struct {
    uint64_t writer_id;
    uint32_t cursor;
    uint32_t stripe;
    event_log log;
    uint32_t unlogged;          /* events logged nowhere (no ring was free) */
} thread_state;

/* A thread keeps the state of the last few writers it used (a process
 * normally has one). A writer pushed out and used again gets a new ring;
 * the old one stays its writer's until l1top_close. */
#define THREAD_WRITERS 4
static _Thread_local thread_state tls[THREAD_WRITERS];
static _Atomic uint64_t next_writer_id = 1;
/* Bumped in every fork child (pthread_atfork): a writer opened before the
 * fork sees a mismatch with one load, without a getpid() system call. */
static _Atomic uint32_t fork_generation;

/* Slots a claim probes before it asks whether the segment is full. */
#define CLAIM_PROBE 16u
/* A full segment looks for dead writers' records at most this often. */
#define RECLAIM_INTERVAL_NS (10u * 1000u * 1000u)

const char *l1top_version(void) { return L1TOP_VERSION_STRING; }
uint32_t l1top_layout_version(void) { return L1TOP_SHM_VERSION; }

/* ---------- seqlock helpers (writer side) ---------- */

static uint32_t seq_begin(_Atomic uint32_t *seq)
{
    /* Odd while writing. A dead writer may have left it odd: keep it odd. */
    uint32_t s = atomic_load_explicit(seq, memory_order_relaxed) | 1u;
    atomic_store_explicit(seq, s, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    return s;
}

static void seq_end(_Atomic uint32_t *seq, uint32_t s)
{
    atomic_store_explicit(seq, s + 1u, memory_order_release);
}

/* ---------- process-wide: fork detection and the truncation guard ---------- */

#define MAX_MAPPINGS 64

/* Mappings of open writers, for the SIGBUS handler (lock-free: a handler
 * may run at any moment). */
static struct {
    _Atomic(l1top_writer *) writer; /* claims the entry */
    _Atomic(unsigned char *) base;  /* set last, cleared first */
    _Atomic size_t size;
} mappings[MAX_MAPPINGS];

static struct sigaction previous_bus;


/* A segment truncated by another process faults on access. Put anonymous
 * memory where the mapping was, so the access completes harmlessly, and
 * mark the writer lost: its calls fail with EIO from then on. */
static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
    uintptr_t addr = (uintptr_t)info->si_addr;
    for (size_t i = 0; i < MAX_MAPPINGS; i++) {
        unsigned char *base = atomic_load(&mappings[i].base);
        size_t size = atomic_load(&mappings[i].size);
        if (!base || addr < (uintptr_t)base || addr - (uintptr_t)base >= size)
            continue;
        l1top_writer *w = atomic_load(&mappings[i].writer);
        if (w)
            atomic_store(&w->lost, 1);
        int e = errno;
        void *p = mmap(base, size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        errno = e;
        if (p != MAP_FAILED)
            return;
        break;
    }
    sig_chain(&previous_bus, sig, info, ctx);
}

/* ---------- a thread's rings go back when it ends ----------
 * Open writers by id, for the thread-exit destructor: it touches a
 * writer's mapping only while the writer is open, and l1top_close takes
 * the writer out of here (under the lock) before it unmaps. A thread that
 * ends without the destructor running (the process's main thread, a
 * registry full of writers) leaves its ring to be reclaimed by thread id
 * (event_log_claim). */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint64_t id;
    l1top_writer *w;
} open_writers[MAX_MAPPINGS];
static pthread_key_t thread_end_key;

static void open_writers_set(uint64_t id, l1top_writer *w)
{
    pthread_mutex_lock(&open_lock);
    for (size_t i = 0; i < MAX_MAPPINGS; i++) {
        if (w ? open_writers[i].id == 0 : open_writers[i].id == id) {
            open_writers[i].id = w ? id : 0;
            open_writers[i].w = w;
            break;
        }
    }
    pthread_mutex_unlock(&open_lock);
}

static bool writer_usable(const l1top_writer *w);

static void thread_ends(void *unused)
{
    (void)unused;
    int e = errno;
    pthread_mutex_lock(&open_lock);
    for (size_t k = 0; k < THREAD_WRITERS; k++) {
        for (size_t i = 0; tls[k].writer_id && tls[k].log.ring && i < MAX_MAPPINGS; i++)
            if (open_writers[i].id == tls[k].writer_id && writer_usable(open_writers[i].w))
                event_log_return(&tls[k].log, &open_writers[i].w->rings);
        tls[k].writer_id = 0;
    }
    pthread_mutex_unlock(&open_lock);
    errno = e;
}

static void before_fork(void) { pthread_mutex_lock(&open_lock); }
static void after_fork_in_parent(void) { pthread_mutex_unlock(&open_lock); }

static void after_fork_in_child(void)
{
    pthread_mutex_unlock(&open_lock);
    atomic_fetch_add(&fork_generation, 1);
}

static void process_setup(void)
{
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    pthread_key_create(&thread_end_key, thread_ends);
    sig_install_chained(SIGBUS, on_sigbus, &previous_bus);
}

static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void guard_mapping(l1top_writer *w, bool on)
{
    for (size_t i = 0; i < MAX_MAPPINGS; i++) {
        if (on) {
            l1top_writer *expect = NULL;
            if (!atomic_compare_exchange_strong(&mappings[i].writer, &expect, w))
                continue;
            atomic_store(&mappings[i].size, w->size);
            atomic_store(&mappings[i].base, w->base);
            return;
        }
        if (atomic_load(&mappings[i].writer) == w) {
            atomic_store(&mappings[i].base, NULL);
            atomic_store(&mappings[i].writer, NULL);
            return;
        }
    }
}

/* ECHILD in a fork child of the opener, EIO once the segment was truncated. */
static bool writer_usable(const l1top_writer *w)
{
    if (w->fork_gen != atomic_load_explicit(&fork_generation, memory_order_relaxed)) {
        errno = ECHILD;
        return false;
    }
    if (atomic_load_explicit(&w->lost, memory_order_relaxed)) {
        errno = EIO;
        return false;
    }
    return true;
}

/* ---------- segment creation / attach ---------- */

/* A count from the environment into *v: `def` when unset; false when
 * malformed or outside [min, max]. */
static bool count_from_env(const char *name, uint32_t def, uint32_t min, uint32_t max, uint32_t *v)
{
    const char *s = getenv(name);
    *v = def;
    if (!s || !*s)
        return true;
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (errno || *end || *s == '-' || n < min || n > max)
        return false;
    *v = (uint32_t)n;
    return true;
}

/* The geometry of a new segment: $L1TOP_CAPACITY records, $L1TOP_RINGS
 * rings (0: none) of $L1TOP_RING_SLOTS slots (a power of two). false if
 * malformed. */
static bool geometry_from_env(uint32_t *capacity, uint32_t *nrings, uint32_t *slots)
{
    return count_from_env("L1TOP_CAPACITY", L1TOP_SHM_DEFAULT_CAPACITY, L1TOP_SHM_MIN_CAPACITY,
                          L1TOP_SHM_MAX_CAPACITY, capacity) &&
           count_from_env("L1TOP_RINGS", L1TOP_SHM_DEFAULT_RINGS, L1TOP_SHM_MIN_RINGS, L1TOP_SHM_MAX_RINGS,
                          nrings) &&
           count_from_env("L1TOP_RING_SLOTS", L1TOP_SHM_DEFAULT_RING_SLOTS, L1TOP_SHM_MIN_RING_SLOTS,
                          L1TOP_SHM_MAX_RING_SLOTS, slots) &&
           (*slots & (*slots - 1u)) == 0;
}

static int mode_from_env(mode_t *mode)
{
    const char *s = getenv("L1TOP_SHM_MODE");
    *mode = 0600;
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 8);
    if (errno || *end || v > 0777)
        return -1;
    *mode = (mode_t)v;
    return 0;
}

static void init_header(struct l1top_shm_header *h, uint32_t capacity, uint32_t nrings, uint32_t slots)
{
    shm_header_layout(h, capacity, nrings, slots);
    h->created_unix_ns = clock_realtime_ns();
    atomic_store(&h->dropped_records, 0);
    atomic_store(&h->high_water, 0);
    /* The magic goes last: a reader or writer that sees it sees the rest. */
    atomic_thread_fence(memory_order_release);
    memcpy(h->magic, L1TOP_SHM_MAGIC, L1TOP_SHM_MAGIC_LEN);
}

/* Checks what a writer relies on; the reader validates far more. */
static bool header_usable(const struct l1top_shm_header *h, uint64_t file_size)
{
    return memcmp(h->magic, L1TOP_SHM_MAGIC, L1TOP_SHM_MAGIC_LEN) == 0 &&
           h->version == L1TOP_SHM_VERSION && h->header_size == sizeof *h &&
           h->max_writers == L1TOP_SHM_MAX_WRITERS &&
           h->writer_size == sizeof(struct l1top_shm_writer) &&
           h->max_devices == L1TOP_SHM_MAX_DEVICES &&
           h->device_size == sizeof(struct l1top_shm_device) &&
           h->record_size == sizeof(struct l1top_shm_record) &&
           h->record_capacity >= L1TOP_SHM_MIN_CAPACITY &&
           h->record_capacity <= L1TOP_SHM_MAX_CAPACITY &&
           h->writers_offset == shm_writers_offset() && h->devices_offset == shm_devices_offset() &&
           h->records_offset == shm_records_offset() && h->stripes_offset == shm_stripes_offset() &&
           h->nstripes == L1TOP_SHM_STRIPES && h->stripe_size == sizeof(struct l1top_shm_stripe) &&
           h->rings_offset == shm_rings_offset(h->record_capacity) && h->nrings <= L1TOP_SHM_MAX_RINGS && h->ring_slots >= L1TOP_SHM_MIN_RING_SLOTS &&
           h->ring_slots <= L1TOP_SHM_MAX_RING_SLOTS && (h->ring_slots & (h->ring_slots - 1u)) == 0 &&
           h->event_size == sizeof(struct l1top_shm_event) &&
           h->ring_header_size == sizeof(struct l1top_shm_ring) &&
           h->total_size == shm_total_size(h->record_capacity, h->nrings, h->ring_slots) &&
           h->total_size <= file_size;
}

static int create_segment(const char *name, int *fd_out)
{
    mode_t mode;
    if (mode_from_env(&mode) < 0) {
        errno = EINVAL;
        return -1;
    }
    uint32_t capacity, nrings, slots;
    if (!geometry_from_env(&capacity, &nrings, &slots)) {
        errno = EINVAL;
        return -1;
    }
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    uint64_t size = shm_total_size(capacity, nrings, slots);
    /* umask must not loosen or tighten what the user asked for. */
    if (fchmod(fd, mode) != 0 || ftruncate(fd, (off_t)size) != 0) {
        int e = errno;
        close(fd);
        shm_unlink(name);
        errno = e;
        return -1;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        close(fd);
        shm_unlink(name);
        errno = e;
        return -1;
    }
    init_header(p, capacity, nrings, slots);
    munmap(p, size);
    *fd_out = fd;
    return 0;
}

/* A segment another user owns, or that others may write, can be changed
 * (or truncated) under us by someone else: attach only when asked to. */
static int check_ownership(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if (st.st_uid == geteuid() && !(st.st_mode & (S_IWGRP | S_IWOTH)))
        return 0;
    const char *allow = getenv("L1TOP_SHM_ALLOW_SHARED");
    if (allow && strcmp(allow, "1") == 0)
        return 0;
    errno = EACCES;
    return -1;
}

/* Attach to an existing segment, waiting briefly for its creator to finish. */
static int attach_segment(l1top_writer *w, int fd)
{
    struct stat st;
    for (int tries = 0;; tries++) {
        if (fstat(fd, &st) != 0)
            return -1;
        if ((uint64_t)st.st_size >= sizeof(struct l1top_shm_header)) {
            struct l1top_shm_header h;
            if (pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h) {
                atomic_thread_fence(memory_order_acquire);
                if (header_usable(&h, (uint64_t)st.st_size)) {
                    w->size = h.total_size;
                    w->capacity = h.record_capacity;
                    w->rings.nrings = h.nrings;
                    w->rings.ring_slots = h.ring_slots;
                    break;
                }
                if (memcmp(h.magic, L1TOP_SHM_MAGIC, L1TOP_SHM_MAGIC_LEN) == 0) {
                    errno = EPROTO; /* ours, but another layout or corrupt */
                    return -1;
                }
            }
        }
        if (tries >= 200) { /* ~2 s: not ours, or its creator died */
            errno = EPROTO;
            return -1;
        }
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    void *p = mmap(NULL, w->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return -1;
    w->base = p;
    w->hdr = p;
    /* Offsets were validated as the formula's: use the formula, so a later
     * change in the segment cannot move our pointers. */
    w->writers = (struct l1top_shm_writer *)(w->base + shm_writers_offset());
    w->devices = (struct l1top_shm_device *)(w->base + shm_devices_offset());
    w->stripes = (struct l1top_shm_stripe *)(w->base + shm_stripes_offset());
    w->records = (struct l1top_shm_record *)(w->base + shm_records_offset());
    w->rings.rings = w->base + shm_rings_offset(w->capacity);
    w->rings.writers = w->writers;
    return 0;
}

/* ---------- writer slots ---------- */

/* Free the slots of writers that died without l1top_close; returns how
 * many. Their records become stale (generation mismatch). */
static uint32_t reap_dead_slots(l1top_writer *w)
{
    uint32_t reaped = 0;
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_WRITERS; i++) {
        struct l1top_shm_writer *s = &w->writers[i];
        uint64_t word = atomic_load_explicit(&s->word, memory_order_acquire);
        uint32_t state = SLOT_STATE(word);
        if (state == SLOT_FREE)
            continue;
        pid_t pid = SLOT_PID(word);
        uint64_t start = state == SLOT_ACTIVE ? s->start_time : 0;
        if (proc_alive(pid, start))
            continue;
        uint64_t freed = SLOT_WORD(0, SLOT_GEN(word), SLOT_FREE);
        if (atomic_compare_exchange_strong(&s->word, &word, freed))
            reaped++;
    }
    return reaped;
}

static bool owner_is_live(const l1top_writer *w, uint64_t owner)
{
    return shm_owner_live(w->writers, owner);
}

/* First use of writer w by this thread: a cursor, a stripe, a ring, in
 * the first entry (the others move down; the last one is forgotten). */
static __attribute__((noinline)) thread_state *thread_start(l1top_writer *w)
{
    memmove(&tls[1], &tls[0], (THREAD_WRITERS - 1) * sizeof tls[0]);
    thread_state *t = &tls[0];
    uint32_t n = atomic_fetch_add_explicit(&w->threads, 1, memory_order_relaxed);
    t->writer_id = w->id;
    /* Golden-ratio spread: the n-th thread starts far from the others. */
    t->cursor = (uint32_t)(((uint64_t)(uint32_t)(n * 2654435769u) * w->capacity) >> 32);
    t->stripe = ((uint32_t)w->pid * 31u + n) % L1TOP_SHM_STRIPES;
    t->unlogged = 0;
    if (event_log_claim(&t->log, &w->rings))
        pthread_setspecific(thread_end_key, tls); /* any non-NULL value: thread_ends runs at exit */
    return t;
}

/* The calling thread's state for this writer (inline: every call asks). */
static inline thread_state *thread_for(l1top_writer *w)
{
    if (tls[0].writer_id == w->id)
        return &tls[0];
    for (int i = 1; i < THREAD_WRITERS; i++) {
        if (tls[i].writer_id == w->id) { /* to the front: the next calls find it first */
            thread_state t = tls[i];
            memmove(&tls[1], &tls[0], (size_t)i * sizeof tls[0]);
            tls[0] = t;
            return &tls[0];
        }
    }
    return thread_start(w);
}

static void count_claim(l1top_writer *w, const thread_state *t)
{
    atomic_fetch_add_explicit(&w->stripes[t->stripe].claims, 1, memory_order_release);
}

static void count_release(l1top_writer *w, const thread_state *t)
{
    atomic_fetch_add_explicit(&w->stripes[t->stripe].releases, 1, memory_order_release);
}

/* Events of a thread without a ring are counted, so readers know their
 * replay missed some (their peaks are approximate from then on). */
/* A thread without a ring looks for one again after this many events
 * (rings come free when threads end). */
#define RING_RETRY_EVENTS 4096u

static void count_unlogged(l1top_writer *w, thread_state *t)
{
    if (!w->rings.nrings) /* a segment made without rings logs nothing, and says so */
        return;
    atomic_fetch_add_explicit(&w->stripes[t->stripe].unlogged, 1, memory_order_relaxed);
    if (++t->unlogged % RING_RETRY_EVENTS == 0 && event_log_claim(&t->log, &w->rings))
        pthread_setspecific(thread_end_key, tls);
}

/* An event's time stamp; none in a segment without rings. */
static inline uint64_t event_ticks(const l1top_writer *w)
{
    return w && w->rings.nrings ? clock_ticks() : 0;
}

/* Log the release of record idx, if it heads a region (a region is
 * released as a whole: its continuation records are not events), by a
 * call that started at `ticks`. */
static inline void log_release(l1top_writer *w, thread_state *t, uint32_t idx, uint64_t ticks)
{
    const struct l1top_shm_record *r = &w->records[idx];
    if (r->kind == 0 || (r->flags & REC_CONT))
        return;
    if (t->log.ring)
        event_log_release(&t->log, ticks, idx, __atomic_load_n(&r->gen, __ATOMIC_RELAXED), r->device);
    else
        count_unlogged(w, t);
}

/* Free record `idx` (ours): kind 0 under the seqlock, counted, then the slot. */
static void unclaim_record(l1top_writer *w, const thread_state *t, uint32_t idx)
{
    struct l1top_shm_record *r = &w->records[idx];
    uint32_t seq = seq_begin(&r->seq);
    r->kind = 0;
    r->data_owner = 0;
    r->next = 0;
    seq_end(&r->seq, seq);
    count_release(w, t);
    atomic_store_explicit(&r->owner, 0, memory_order_release);
}

/* Free every record whose owner is no longer live; returns how many. */
static uint32_t free_stale_records(l1top_writer *w)
{
    thread_state *t = thread_for(w);
    uint32_t hw = atomic_load_explicit(&w->hdr->high_water, memory_order_acquire);
    uint32_t freed = 0;
    if (hw > w->capacity)
        hw = w->capacity;
    for (uint32_t i = 0; i < hw; i++) {
        _Atomic uint64_t *owner = &w->records[i].owner;
        uint64_t o = atomic_load_explicit(owner, memory_order_relaxed);
        if (o == 0 || o == w->owner || owner_is_live(w, o))
            continue;
        if (atomic_compare_exchange_strong(owner, &o, w->owner)) {
            log_release(w, t, i, clock_ticks());
            unclaim_record(w, t, i);
            freed++;
        }
    }
    return freed;
}

/* Records in use by the stripes' counters. A writer dying between a record
 * change and its count leaves the sum short, never long: a full segment
 * is never refused for a record that is free. */
static bool segment_full(const l1top_writer *w)
{
    uint64_t claims = 0, releases = 0;
    for (uint32_t i = 0; i < L1TOP_SHM_STRIPES; i++) {
        claims += atomic_load_explicit(&w->stripes[i].claims, memory_order_relaxed);
        releases += atomic_load_explicit(&w->stripes[i].releases, memory_order_relaxed);
    }
    return (int64_t)(claims - releases) >= (int64_t)w->capacity;
}

/* A full segment: reap dead writers and free their records, at most once
 * per RECLAIM_INTERVAL_NS per process. True when something was freed. */
static bool reclaim_if_due(l1top_writer *w)
{
    uint64_t now = clock_monotonic_coarse_ns();
    uint64_t last = atomic_load_explicit(&w->last_reclaim_ns, memory_order_relaxed);
    if (last && now - last < RECLAIM_INTERVAL_NS)
        return false;
    if (!atomic_compare_exchange_strong(&w->last_reclaim_ns, &last, now))
        return false;
    reap_dead_slots(w);
    return free_stale_records(w) > 0;
}

static void write_label(struct l1top_shm_writer *s, const char *label)
{
    uint32_t seq = seq_begin(&s->name_seq);
    memset(s->name, 0, sizeof s->name);
    utf8_copy(s->name, sizeof s->name, label); /* never cut inside a character */
    seq_end(&s->name_seq, seq);
}

static int claim_slot(l1top_writer *w)
{
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < L1TOP_SHM_MAX_WRITERS; i++) {
            struct l1top_shm_writer *s = &w->writers[i];
            uint64_t word = atomic_load_explicit(&s->word, memory_order_acquire);
            if (SLOT_STATE(word) != SLOT_FREE)
                continue;
            uint32_t gen = (SLOT_GEN(word) + 1u) & 0xFFFFFFu;
            if (gen == 0)
                gen = 1; /* generation 0 never names a live writer */
            uint64_t claiming = SLOT_WORD(w->pid, gen, SLOT_CLAIMING);
            if (!atomic_compare_exchange_strong(&s->word, &word, claiming))
                continue;
            s->start_time = proc_start_time(w->pid);
            atomic_store(&s->dropped, 0);
            char comm[L1TOP_SHM_NAME_LEN];
            proc_comm(w->pid, comm, sizeof comm);
            write_label(s, comm);
            atomic_store_explicit(&s->word, SLOT_WORD(w->pid, gen, SLOT_ACTIVE),
                                  memory_order_release);
            w->slot = i;
            w->owner = RECORD_OWNER(i, gen);
            w->rings.owner = w->owner;
            w->rings.pid = w->pid;
            return 0;
        }
        (void)reap_dead_slots(w);
    }
    errno = EUSERS;
    return -1;
}

static l1top_writer *writer_alloc(void)
{
    size_t size = (sizeof(l1top_writer) + 63u) & ~(size_t)63u;
    l1top_writer *w = aligned_alloc(64, size);
    if (w)
        memset(w, 0, size);
    return w;
}

l1top_writer *l1top_open(const char *segment)
{
    char name[L1TOP_SHM_NAME_MAX];
    if (shm_name_resolve(segment, name, sizeof name) != 0) {
        errno = EINVAL;
        return NULL;
    }
    pthread_once(&process_once, process_setup);
    l1top_writer *w = writer_alloc();
    if (!w)
        return NULL;
    w->fd = -1;
    w->pid = getpid();
    w->id = atomic_fetch_add(&next_writer_id, 1);
    w->fork_gen = atomic_load(&fork_generation);
    pthread_mutex_init(&w->declare_lock, NULL);

    int fd = -1;
    if (create_segment(name, &fd) != 0) {
        if (errno != EEXIST)
            goto fail;
        fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
        if (fd < 0 || check_ownership(fd) != 0)
            goto fail;
    }
    w->fd = fd;
    fd = -1;
    if (attach_segment(w, w->fd) != 0)
        goto fail;
    guard_mapping(w, true);
    uint32_t reaped = reap_dead_slots(w);
    if (claim_slot(w) != 0)
        goto fail;
    if (reaped) /* their records count as in use until freed */
        free_stale_records(w);
    open_writers_set(w->id, w);
    return w;

fail:;
    int e = errno;
    if (w->base) {
        guard_mapping(w, false);
        munmap(w->base, w->size);
    }
    if (w->fd >= 0)
        close(w->fd);
    if (fd >= 0)
        close(fd);
    pthread_mutex_destroy(&w->declare_lock);
    free(w);
    errno = e;
    return NULL;
}

int l1top_set_label(l1top_writer *w, const char *label)
{
    if (!w || !label) {
        errno = EINVAL;
        return -1;
    }
    if (!writer_usable(w))
        return -1;
    write_label(&w->writers[w->slot], label);
    return 0;
}

/* ---------- devices ---------- */

static const device_cache *find_known_device(const l1top_writer *w, uint32_t id)
{
    uint32_t n = atomic_load_explicit(&w->ndevices, memory_order_acquire);
    for (uint32_t i = 0; i < n; i++)
        if (w->devices_known[i].id == id)
            return &w->devices_known[i];
    return NULL;
}

static void write_device(struct l1top_shm_device *d, uint32_t id, const arch_info *a, uint16_t gx,
                         uint16_t gy, uint32_t l1, uint32_t small, uint32_t ub)
{
    uint32_t seq = seq_begin(&d->seq);
    d->device_id = id;
    d->arch = (uint32_t)a->id;
    d->grid_x = gx;
    d->grid_y = gy;
    d->l1_size = l1;
    d->l1_small_size = small;
    d->unreserved_base = ub;
    d->alignment = a->alignment;
    atomic_store_explicit(&d->mesh, 0, memory_order_relaxed); /* a new declaration: place unknown */
    seq_end(&d->seq, seq);
}

static bool device_matches(const struct l1top_shm_device *d, const arch_info *a, uint16_t gx,
                           uint16_t gy, uint32_t l1, uint32_t small, uint32_t ub)
{
    return d->arch == (uint32_t)a->id && d->grid_x == gx && d->grid_y == gy && d->l1_size == l1 &&
           d->l1_small_size == small && d->unreserved_base == ub;
}

/* Become the declarer of entry d, unless another live writer is; else
 * false with errno `busy`. */
static bool take_over_device(l1top_writer *w, struct l1top_shm_device *d, int busy)
{
    uint64_t by = atomic_load(&d->declared_by);
    if ((owner_is_live(w, by) && by != w->owner) ||
        !atomic_compare_exchange_strong(&d->declared_by, &by, w->owner)) {
        errno = busy;
        return false;
    }
    return true;
}

/* Find or create the segment's entry for `id`. Caller holds declare_lock. */
static struct l1top_shm_device *declare_in_segment(l1top_writer *w, uint32_t id, const arch_info *a,
                                                   uint16_t gx, uint16_t gy, uint32_t l1,
                                                   uint32_t small, uint32_t ub)
{
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_DEVICES; i++) {
        struct l1top_shm_device *d = &w->devices[i];
        if (atomic_load_explicit(&d->state, memory_order_acquire) != DEV_READY ||
            d->device_id != id)
            continue;
        /* Left mid-write (seq odd): repair it unless its writer is alive,
         * and so still writing it (EBUSY). Declared differently: allowed
         * only once its declarer is gone (EEXIST). */
        bool torn = atomic_load_explicit(&d->seq, memory_order_acquire) & 1u;
        if (!torn && device_matches(d, a, gx, gy, l1, small, ub))
            return d;
        if (!take_over_device(w, d, torn ? EBUSY : EEXIST))
            return NULL;
        write_device(d, id, a, gx, gy, l1, small, ub);
        return d;
    }
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_DEVICES; i++) {
        struct l1top_shm_device *d = &w->devices[i];
        uint32_t expect = DEV_FREE;
        if (!atomic_compare_exchange_strong(&d->state, &expect, DEV_CLAIMING))
            continue;
        atomic_store(&d->declared_by, w->owner);
        atomic_store(&d->dropped, 0);
        write_device(d, id, a, gx, gy, l1, small, ub);
        atomic_store_explicit(&d->state, DEV_READY, memory_order_release);
        return d;
    }
    errno = ENOSPC;
    return NULL;
}

int l1top_declare_device_config(l1top_writer *w, uint32_t device, const char *arch,
                                uint16_t grid_x, uint16_t grid_y, const l1top_device_config *cfg)
{
    const arch_info *a = arch_by_name(arch);
    if (!w || !a || grid_x == 0 || grid_y == 0 || grid_x > L1TOP_SHM_MAX_GRID ||
        grid_y > L1TOP_SHM_MAX_GRID) {
        errno = EINVAL;
        return -1;
    }
    uint32_t l1 = cfg && cfg->l1_size ? cfg->l1_size : a->l1_size;
    uint32_t ub = cfg && cfg->unreserved_base ? cfg->unreserved_base : a->unreserved_base;
    uint32_t small = cfg ? cfg->l1_small_size : 0;
    if (l1 > L1TOP_SHM_MAX_L1_SIZE || ub >= l1 || small > l1 - ub) {
        errno = EINVAL;
        return -1;
    }
    if (!writer_usable(w))
        return -1;
    pthread_mutex_lock(&w->declare_lock);
    int rc = -1;
    struct l1top_shm_device *entry = declare_in_segment(w, device, a, grid_x, grid_y, l1, small, ub);
    if (entry) {
        device_cache *known = (device_cache *)find_known_device(w, device);
        uint32_t n = atomic_load(&w->ndevices);
        if (!known && n < L1TOP_SHM_MAX_DEVICES)
            known = &w->devices_known[n];
        if (known) {
            /* Entries are only appended; re-declaring one in place with the
             * same id changes geometry for later calls only. */
            known->id = device;
            known->grid_x = grid_x;
            known->grid_y = grid_y;
            known->l1_size = l1;
            known->alignment = a->alignment;
            known->entry = entry;
            if (known == &w->devices_known[n])
                atomic_store_explicit(&w->ndevices, n + 1, memory_order_release);
            rc = 0;
        } else {
            errno = ENOSPC;
        }
    }
    pthread_mutex_unlock(&w->declare_lock);
    return rc;
}

int l1top_declare_device(l1top_writer *w, uint32_t device, const char *arch, uint16_t grid_x,
                         uint16_t grid_y)
{
    return l1top_declare_device_config(w, device, arch, grid_x, grid_y, NULL);
}

_Static_assert(L1TOP_DEVICE_MESH_MAX == L1TOP_MESH_MAX, "the public limit is the segment's");

int l1top_set_device_mesh(l1top_writer *w, uint32_t device, uint16_t row, uint16_t col)
{
    if (!w || row >= L1TOP_MESH_MAX || col >= L1TOP_MESH_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (!writer_usable(w))
        return -1;
    const device_cache *known = find_known_device(w, device);
    if (!known) {
        errno = ENODEV;
        return -1;
    }
    /* One word: readers copy the entry under its seqlock and see the old place or the new one. */
    atomic_store_explicit(&known->entry->mesh, L1TOP_MESH_WORD(row, col), memory_order_release);
    return 0;
}

/* ---------- records (hot path) ---------- */

static void note_dropped(l1top_writer *w, const device_cache *dev)
{
    atomic_fetch_add_explicit(&w->hdr->dropped_records, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->writers[w->slot].dropped, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&dev->entry->dropped, 1, memory_order_relaxed);
}

static void raise_high_water(l1top_writer *w, uint32_t idx)
{
    uint32_t hw = atomic_load_explicit(&w->hdr->high_water, memory_order_relaxed);
    while (idx + 1 > hw && !atomic_compare_exchange_weak_explicit(&w->hdr->high_water, &hw, idx + 1,
                                                                    memory_order_release,
                                                                    memory_order_relaxed)) {
    }
}

/* Take a free (or stale) record slot; returns its index or UINT32_MAX.
 * Starts at the thread's cursor (its last released slot, usually free and
 * in cache); after a few busy slots asks the stripes whether the segment
 * is full, so a refusal costs a few dozen loads, not a scan. */
static uint32_t claim_record(l1top_writer *w, thread_state *t)
{
    uint32_t cap = w->capacity;
    uint32_t idx = t->cursor < cap ? t->cursor : 0;
    for (uint32_t n = 0; n < cap; n++) {
        if (n == CLAIM_PROBE && segment_full(w) && !reclaim_if_due(w))
            return UINT32_MAX;
        struct l1top_shm_record *r = &w->records[idx];
        uint64_t o = atomic_load_explicit(&r->owner, memory_order_relaxed);
        if ((o == 0 || (o != w->owner && !owner_is_live(w, o))) &&
            atomic_compare_exchange_strong_explicit(&r->owner, &o, w->owner, memory_order_acquire,
                                                    memory_order_relaxed)) {
            if (o != 0) { /* the dead writer's record, reused */
                log_release(w, t, idx, clock_ticks());
                count_release(w, t);
            }
            t->cursor = idx + 1 < cap ? idx + 1 : 0;
            raise_high_water(w, idx);
            return idx;
        }
        if (++idx == cap)
            idx = 0;
    }
    return UINT32_MAX;
}

typedef struct {
    uint32_t device;
    uint8_t kind, flags;
    uint32_t address, size_per_core, page_size;
    uint64_t total_size;
    const char *tag;
    uint64_t ticks;           /* when the call started: its event's time stamp */
} record_fields;

/* Fill a claimed record under its seqlock; returns its new generation. */
static uint32_t fill_record(l1top_writer *w, uint32_t idx, const record_fields *f,
                            const l1top_range *ranges, size_t nranges, uint32_t next)
{
    struct l1top_shm_record *r = &w->records[idx];
    uint32_t seq = seq_begin(&r->seq);
    uint32_t gen = r->gen + 1u;
    __atomic_store_n(&r->gen, gen, __ATOMIC_RELAXED);
    r->data_owner = w->owner;
    r->device = f->device;
    r->kind = f->kind;
    r->flags = f->flags;
    r->nranges = (uint8_t)nranges;
    r->reserved0 = 0;
    r->address = f->address;
    r->size_per_core = f->size_per_core;
    r->page_size = f->page_size;
    r->total_size = f->total_size;
    r->next = next;
    for (size_t i = 0; i < L1TOP_SHM_RANGES_PER_RECORD; i++)
        r->ranges[i] = i < nranges ? ranges[i] : (l1top_range){ 0, 0, 0, 0 };
    shm_copy_tag(r->tag, f->tag);
    seq_end(&r->seq, seq);
    return gen;
}

/* Declared by another process: adopt its declaration (rare, slow path). */
static const device_cache *adopt_device(l1top_writer *w, uint32_t device)
{
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_DEVICES; i++) {
        struct l1top_shm_device *e = &w->devices[i];
        if (atomic_load_explicit(&e->state, memory_order_acquire) != DEV_READY || e->device_id != device)
            continue;
        const arch_info *a = arch_by_id(e->arch);
        if (!a)
            return NULL;
        l1top_device_config cfg = { e->l1_small_size, e->l1_size, e->unreserved_base };
        if (l1top_declare_device_config(w, device, a->name, e->grid_x, e->grid_y, &cfg) != 0)
            return NULL;
        return find_known_device(w, device);
    }
    return NULL;
}

/* The device's cached geometry, or NULL with errno ENODEV. */
static const device_cache *lookup_device(l1top_writer *w, uint32_t device)
{
    const device_cache *d = find_known_device(w, device);
    if (d)
        return d;
    d = adopt_device(w, device);
    if (!d)
        errno = ENODEV;
    return d;
}

static bool ranges_valid(const device_cache *d, const l1top_range *ranges, size_t nranges)
{
    for (size_t i = 0; i < nranges; i++) {
        const l1top_range *r = &ranges[i];
        if (r->x0 > r->x1 || r->y0 > r->y1 || r->x1 >= d->grid_x || r->y1 >= d->grid_y)
            return false;
    }
    return true;
}

/* Claim, fill and publish a region of one or more records (the head last,
 * so a reader sees all of a region's ranges or none). */
static uint64_t publish_region(l1top_writer *w, const device_cache *dev, const record_fields *f,
                               const l1top_range *ranges, size_t nranges)
{
    thread_state *t = thread_for(w);
    size_t nrec = nranges == 0 ? 1 : (nranges + L1TOP_SHM_RANGES_PER_RECORD - 1) / L1TOP_SHM_RANGES_PER_RECORD;
    uint32_t head = UINT32_MAX, next = 0;
    /* Build from the tail: each record points at the one after it. */
    for (size_t k = nrec; k-- > 0;) {
        uint32_t idx = claim_record(w, t);
        if (idx == UINT32_MAX) {
            while (next) { /* undo the continuation records placed so far */
                uint32_t undo = next - 1;
                next = w->records[undo].next;
                unclaim_record(w, t, undo);
            }
            note_dropped(w, dev);
            errno = ENOSPC;
            return 0;
        }
        size_t first = k * L1TOP_SHM_RANGES_PER_RECORD;
        size_t count = nranges - first < L1TOP_SHM_RANGES_PER_RECORD ? nranges - first
                                                                       : L1TOP_SHM_RANGES_PER_RECORD;
        record_fields rf = *f;
        if (k > 0)
            rf.flags |= REC_CONT;
        uint32_t gen = fill_record(w, idx, &rf, nranges ? ranges + first : NULL, nranges ? count : 0, next);
        count_claim(w, t); /* after the record is visible: readers re-read on a change */
        next = idx + 1;
        if (k == 0) {
            head = idx;
            if (t->log.ring)
                event_log_record(&t->log, f->ticks, idx, gen, f->device, f->kind, f->flags, f->address,
                                 f->flags & REC_INTERLEAVED ? f->page_size : f->size_per_core,
                                 f->total_size,
                                 ranges, nranges, w->records[idx].tag);
            else
                count_unlogged(w, t);
            if (atomic_load_explicit(&w->lost, memory_order_relaxed)) {
                errno = EIO; /* written into the stand-in of a truncated segment */
                return 0;
            }
            return ((uint64_t)gen << 32) | (uint64_t)(head + 1u);
        }
    }
    return 0; /* unreachable: nrec >= 1 */
}

uint64_t l1top_record(l1top_writer *w, uint32_t device, l1top_kind kind, const l1top_range *ranges,
                      size_t nranges, uint32_t address, uint32_t size_per_core, const char *tag)
{
    /* The event's time stamp is read first: the counter's latency then
     * overlaps the checks, and any instant within the call orders it. */
    uint64_t ticks = event_ticks(w);
    if (!w || (unsigned)kind < L1TOP_KIND_MIN || (unsigned)kind > L1TOP_KIND_MAX || !ranges ||
        nranges == 0 || nranges > 255u * L1TOP_SHM_RANGES_PER_RECORD || size_per_core == 0) {
        errno = EINVAL;
        return 0;
    }
    if (!writer_usable(w))
        return 0;
    const device_cache *dev = lookup_device(w, device);
    if (!dev)
        return 0;
    if ((uint64_t)address + size_per_core > dev->l1_size || !ranges_valid(dev, ranges, nranges)) {
        errno = EINVAL;
        return 0;
    }
    record_fields f = { device, (uint8_t)kind, 0, address, size_per_core, 0, 0, tag, ticks };
    return publish_region(w, dev, &f, ranges, nranges);
}

uint64_t l1top_record_interleaved(l1top_writer *w, uint32_t device, uint32_t address,
                                  uint64_t total_size, uint32_t page_size, const char *tag)
{
    uint64_t ticks = event_ticks(w);
    if (!w || total_size == 0 || page_size == 0) {
        errno = EINVAL;
        return 0;
    }
    if (total_size > L1TOP_MAX_INTERLEAVED_TOTAL) {
        errno = EOVERFLOW; /* the page count would overflow; readers refuse it too */
        return 0;
    }
    if (!writer_usable(w))
        return 0;
    const device_cache *dev = lookup_device(w, device);
    if (!dev)
        return 0;
    uint32_t banks = (uint32_t)dev->grid_x * dev->grid_y;
    uint64_t per_bank = interleaved_bank_bytes(total_size, page_size, dev->alignment, banks, 0);
    if ((uint64_t)address + per_bank > dev->l1_size) {
        errno = EINVAL;
        return 0;
    }
    record_fields f = { device, L1TOP_L1_BUFFER, REC_INTERLEAVED, address, 0, page_size, total_size, tag, ticks };
    return publish_region(w, dev, &f, NULL, 0);
}

/* Release a head record and its continuation chain (a call that started
 * at `ticks`). */
static void release_chain(l1top_writer *w, thread_state *t, uint32_t idx, uint64_t ticks)
{
    t->cursor = idx; /* reuse it next: free, and in this core's cache */
    log_release(w, t, idx, ticks);
    for (uint32_t steps = 0; steps <= 255; steps++) {
        struct l1top_shm_record *r = &w->records[idx];
        uint32_t next = r->next;
        unclaim_record(w, t, idx);
        if (next == 0 || next > w->capacity)
            return;
        idx = next - 1;
        if (atomic_load_explicit(&w->records[idx].owner, memory_order_relaxed) != w->owner)
            return;
    }
}

int l1top_release(l1top_writer *w, uint64_t handle)
{
    uint64_t ticks = event_ticks(w);
    uint32_t idx = (uint32_t)handle - 1u;
    if (!w || (uint32_t)handle == 0 || idx >= w->capacity) {
        errno = EINVAL;
        return -1;
    }
    if (!writer_usable(w))
        return -1;
    struct l1top_shm_record *r = &w->records[idx];
    if (atomic_load_explicit(&r->owner, memory_order_acquire) != w->owner ||
        __atomic_load_n(&r->gen, __ATOMIC_RELAXED) != (uint32_t)(handle >> 32) || (r->flags & REC_CONT) ||
        r->kind == 0) {
        errno = EINVAL;
        return -1;
    }
    release_chain(w, thread_for(w), idx, ticks);
    return 0;
}

int l1top_release_kind(l1top_writer *w, uint32_t device, l1top_kind kind)
{
    if (!w || (unsigned)kind < L1TOP_KIND_MIN || (unsigned)kind > L1TOP_KIND_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (!writer_usable(w))
        return -1;
    uint64_t ticks = event_ticks(w);
    thread_state *t = thread_for(w);
    uint32_t hw = atomic_load_explicit(&w->hdr->high_water, memory_order_acquire);
    if (hw > w->capacity)
        hw = w->capacity;
    int released = 0;
    for (uint32_t i = 0; i < hw; i++) {
        struct l1top_shm_record *r = &w->records[i];
        if (atomic_load_explicit(&r->owner, memory_order_acquire) != w->owner)
            continue;
        if (r->kind == (uint8_t)kind && r->device == device && !(r->flags & REC_CONT)) {
            release_chain(w, t, i, ticks);
            released++;
        }
    }
    return released;
}

void l1top_close(l1top_writer *w)
{
    if (!w)
        return;
    open_writers_set(w->id, NULL); /* no thread's end touches it from here on */
    /* A fork child only drops its copy: the records and the slot are the
     * parent's. A lost segment has nothing left to release. */
    bool own = w->fork_gen == atomic_load(&fork_generation) && !atomic_load(&w->lost);
    if (own) {
        thread_state *t = thread_for(w);
        uint32_t hw = atomic_load_explicit(&w->hdr->high_water, memory_order_acquire);
        if (hw > w->capacity)
            hw = w->capacity;
        for (uint32_t i = 0; i < hw; i++) {
            if (atomic_load_explicit(&w->records[i].owner, memory_order_acquire) == w->owner) {
                log_release(w, t, i, clock_ticks());
                unclaim_record(w, t, i);
            }
        }
        event_log_release_all(&w->rings);
        struct l1top_shm_writer *s = &w->writers[w->slot];
        uint64_t word = atomic_load(&s->word);
        atomic_store_explicit(&s->word, SLOT_WORD(0, SLOT_GEN(word), SLOT_FREE), memory_order_release);
    }
    guard_mapping(w, false);
    munmap(w->base, w->size);
    close(w->fd);
    pthread_mutex_destroy(&w->declare_lock);
    for (int i = 0; i < THREAD_WRITERS; i++)
        if (tls[i].writer_id == w->id)
            tls[i].writer_id = 0;
    free(w);
}
