/*
 * shm_format.h - the binary layout of an l1top shared-memory segment,
 * shared by the writer library and the reader. docs/shm-format.md is the
 * prose version; bump L1TOP_SHM_VERSION whenever anything here changes.
 *
 * All multi-byte fields are native-endian (the segment never leaves the
 * machine). Every section is 64-byte aligned.
 */
#ifndef L1TOP_SHM_FORMAT_H
#define L1TOP_SHM_FORMAT_H

#include <stdalign.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "l1top.h"

#define L1TOP_SHM_MAGIC "L1TOPSHM"
#define L1TOP_SHM_MAGIC_LEN 8
#define L1TOP_SHM_VERSION 3u
#define L1TOP_SHM_DEFAULT_NAME "/l1top"
#define L1TOP_SHM_MAX_WRITERS 256u
#define L1TOP_SHM_MAX_DEVICES 64u
#define L1TOP_SHM_DEFAULT_CAPACITY 65536u
#define L1TOP_SHM_MIN_CAPACITY 16u
#define L1TOP_SHM_MAX_CAPACITY (1u << 22)
#define L1TOP_SHM_RANGES_PER_RECORD 4u
#define L1TOP_SHM_TAG_LEN 40u
#define L1TOP_SHM_NAME_LEN 32u
#define L1TOP_SHM_MAX_GRID 64u
/* No core has this much L1 (Blackhole has 1.5 MiB): a device declared with
 * more is refused by writers and skipped by readers. */
#define L1TOP_SHM_MAX_L1_SIZE (64u << 20)
#define L1TOP_SHM_STRIPES 64u     /* change/occupancy counters, one cache line each */
#define L1TOP_SHM_DEFAULT_RINGS 64u        /* event rings: one per recording thread */
#define L1TOP_SHM_MIN_RINGS 0u         /* 0: no events are logged (readers cannot replay) */
#define L1TOP_SHM_MAX_RINGS 1024u
#define L1TOP_SHM_DEFAULT_RING_SLOTS 2048u /* 64-byte slots per ring (a power of two) */
#define L1TOP_SHM_MIN_RING_SLOTS 64u
#define L1TOP_SHM_MAX_RING_SLOTS (1u << 20)

/* Interleaved buffers above this total are refused by writers (EOVERFLOW)
 * and skipped by readers: the page count must not overflow. */
#define L1TOP_MAX_INTERLEAVED_TOTAL ((uint64_t)1 << 48)

/* Kinds 1..6 are l1top_kind; 0 marks an empty record. */
#define L1TOP_KIND_MIN 1u
#define L1TOP_KIND_MAX 6u

/* Header: 256 bytes at offset 0. Lines 0-1 are written once at creation
 * (and high_water rarely); dropped_records, written on every refusal, has
 * line 2 to itself so refusals do not slow the fields every call reads. */
struct l1top_shm_header {
    char magic[L1TOP_SHM_MAGIC_LEN];   /* "L1TOPSHM", written last at creation */
    uint32_t version;                  /* L1TOP_SHM_VERSION */
    uint32_t header_size;              /* sizeof(struct l1top_shm_header) */
    uint64_t total_size;               /* bytes of the whole segment */
    uint32_t max_writers;              /* writer slots */
    uint32_t writer_size;              /* sizeof(struct l1top_shm_writer) */
    uint32_t max_devices;              /* device entries */
    uint32_t device_size;              /* sizeof(struct l1top_shm_device) */
    uint32_t record_capacity;          /* record slots */
    uint32_t record_size;              /* sizeof(struct l1top_shm_record) */
    uint64_t writers_offset;
    uint64_t devices_offset;
    uint64_t records_offset;
    uint64_t created_unix_ns;          /* CLOCK_REALTIME at creation */
    uint64_t stripes_offset;
    uint32_t nstripes;                 /* L1TOP_SHM_STRIPES */
    uint32_t stripe_size;              /* sizeof(struct l1top_shm_stripe) */
    _Atomic uint32_t high_water;       /* records at index >= high_water were never used */
    uint32_t reserved0;
    uint64_t rings_offset;             /* event rings, after the records (v3) */
    uint32_t nrings;                   /* rings */
    uint32_t ring_slots;               /* event slots per ring, a power of two */
    uint32_t event_size;               /* sizeof(struct l1top_shm_event) */
    uint32_t ring_header_size;         /* sizeof(struct l1top_shm_ring) */
    _Atomic uint64_t dropped_records;  /* records refused for lack of space */
    uint8_t reserved[120];
};

/* Stripe: 64 bytes. A writer thread counts the records it published and
 * released on its own stripe (no shared line on the hot path). The sums
 * over all stripes give the records in use (claims - releases, a hint that
 * can only under-count) and a change counter (claims + releases) that a
 * reader compares to skip a snapshot when nothing moved. Both are bumped
 * after the record change they count is visible. */
struct l1top_shm_stripe {
    _Atomic uint64_t claims;
    _Atomic uint64_t releases;
    _Atomic uint64_t unlogged;         /* events of threads that found no free ring (v3) */
    uint8_t reserved[40];
};

/* Writer slot state, low 8 bits of `word`. */
enum { SLOT_FREE = 0, SLOT_CLAIMING = 1, SLOT_ACTIVE = 2 };
#define SLOT_WORD(pid, gen, state) \
    (((uint64_t)(uint32_t)(pid) << 32) | (((uint64_t)(gen) & 0xFFFFFFu) << 8) | (uint64_t)(state))
#define SLOT_PID(word) ((int32_t)(uint32_t)((word) >> 32))
#define SLOT_GEN(word) ((uint32_t)(((word) >> 8) & 0xFFFFFFu))
#define SLOT_STATE(word) ((uint32_t)((word) & 0xFFu))

/* Writer slot: 64 bytes. pid, generation and state share one atomic word so
 * a slot is claimed with one compare-and-swap and a claim by a process that
 * dies at once is still attributable to a (dead) pid. */
struct l1top_shm_writer {
    _Atomic uint64_t word;             /* pid << 32 | gen << 8 | state */
    uint64_t start_time;               /* /proc/<pid>/stat starttime (clock ticks), 0 unknown */
    _Atomic uint64_t dropped;          /* records this writer could not place */
    _Atomic uint32_t name_seq;         /* seqlock over name */
    uint32_t reserved;
    char name[L1TOP_SHM_NAME_LEN];     /* process label, NUL-terminated */
};

/* Device entry state. */
enum { DEV_FREE = 0, DEV_CLAIMING = 1, DEV_READY = 2 };

/* Device entry: 64 bytes. Fields after `seq` are guarded by that seqlock. */
/* A chip's place on its board's mesh, one atomic word so a reader never sees
 * half of it. Zero in entries of writers that never set it. */
#define L1TOP_MESH_KNOWN 0x80000000u
#define L1TOP_MESH_MAX 1024u  /* rows and columns below this */
#define L1TOP_MESH_WORD(row, col) (L1TOP_MESH_KNOWN | ((uint32_t)(row) << 16) | (uint32_t)(col))
#define L1TOP_MESH_ROW(word) ((uint16_t)(((word) >> 16) & 0x7FFFu))
#define L1TOP_MESH_COL(word) ((uint16_t)((word) & 0xFFFFu))

struct l1top_shm_device {
    _Atomic uint32_t state;            /* DEV_* */
    _Atomic uint32_t seq;              /* seqlock: odd while being written */
    _Atomic uint64_t declared_by;      /* record owner value of the declaring writer */
    _Atomic uint64_t dropped;          /* records refused on this device */
    uint32_t device_id;
    uint32_t arch;                     /* arch_id */
    uint16_t grid_x, grid_y;
    uint32_t l1_size;
    uint32_t l1_small_size;
    uint32_t unreserved_base;
    uint32_t alignment;
    _Atomic uint32_t mesh;             /* L1TOP_MESH_KNOWN | row << 16 | col, or 0: place unknown */
    uint8_t reserved[8];
};

/* Record flags. */
#define REC_INTERLEAVED 0x01u /* total_size/page_size over every core of the grid */
#define REC_CONT 0x02u        /* continuation of a multi-record region (more ranges) */

/* Record: 128 bytes. `owner` says who holds the slot (0 free, else
 * (writer slot + 1) << 32 | writer generation). Everything after `seq` is
 * guarded by that seqlock; `data_owner` repeats the owner inside it so a
 * reader never pairs one owner with another's data. */
struct l1top_shm_record {
    _Atomic uint64_t owner;
    _Atomic uint32_t seq;
    uint32_t gen;                      /* bumped at each claim; part of the handle */
    uint64_t data_owner;
    uint32_t device;
    uint8_t kind;                      /* l1top_kind, 0 = empty */
    uint8_t flags;                     /* REC_* */
    uint8_t nranges;                   /* 0..L1TOP_SHM_RANGES_PER_RECORD */
    uint8_t reserved0;
    uint32_t address;
    uint32_t size_per_core;            /* ranged records */
    uint32_t page_size;                /* interleaved records */
    uint32_t next;                     /* index + 1 of the continuation record, 0 none */
    uint64_t total_size;               /* interleaved records */
    l1top_range ranges[L1TOP_SHM_RANGES_PER_RECORD];
    char tag[L1TOP_SHM_TAG_LEN];         /* NUL-terminated (truncated) */
};

/* ---------- event rings (v3) ----------
 *
 * Every thread that records claims a ring of its own and appends one event
 * per change (record, release) with a time stamp, so a reader can replay
 * every change in order between two looks at the records: the peaks a
 * snapshot would miss. One producer per ring: no lock, no shared line. An
 * event is one head slot and `more` slots after it; each slot carries the
 * ring position it was written at (+ 1) in `stamp`, set last, so a reader
 * copying a slot the writer has since lapped sees it. */
enum { EV_OWNER = 1, EV_RECORD = 2, EV_RELEASE = 3 };

#define EV_HEAD_RANGES 2u  /* ranges in a record's head slot */
#define EV_TAG_RANGES 2u   /* ... in its first extension slot, beside the tag */
#define EV_MORE_RANGES 7u  /* ... in each further extension slot */

/* Head slot: 64 bytes. */
struct l1top_shm_event {
    _Atomic uint64_t stamp;            /* ring position + 1 once the slot is complete, 0 while written */
    uint64_t ticks;                    /* clock_ticks() when the change was made */
    uint8_t type;                      /* EV_* */
    uint8_t kind;                      /* EV_RECORD: l1top_kind */
    uint8_t flags;                     /* EV_RECORD: REC_INTERLEAVED or 0 */
    uint8_t more;                      /* extension slots that follow */
    uint32_t device;                   /* EV_RECORD, EV_RELEASE: device id */
    uint32_t index;                    /* EV_RECORD, EV_RELEASE: record index of the region's head, */
    uint32_t gen;                      /*   and its generation: the writer's handle is gen << 32 | index + 1 */
    uint32_t address;                  /* EV_RECORD */
    uint32_t size;                     /* EV_RECORD: size_per_core, or page_size when interleaved */
    union {
        struct {
            uint16_t nranges;          /* ranges of the whole region */
            uint16_t reserved;
            l1top_range ranges[EV_HEAD_RANGES];
            uint32_t reserved1;
        } ranged;
        uint64_t total_size;           /* EV_RECORD interleaved */
        struct {
            uint64_t owner;            /* RECORD_OWNER(writer slot, generation) */
            int32_t pid;
            int32_t tid;
        } who;                         /* EV_OWNER: whose thread fills the ring from here on */
    } u;
};

/* Extension slot: 64 bytes. The first one after a record's head holds its
 * tag; ranges continue there and in the slots after it. */
struct l1top_shm_event_ext {
    _Atomic uint64_t stamp;
    union {
        struct {
            char tag[L1TOP_SHM_TAG_LEN];
            l1top_range ranges[EV_TAG_RANGES];
        } first;
        l1top_range ranges[EV_MORE_RANGES];
    } u;
};

/* Set in a ring's owner word while a claimer fills in its tid: an owner
 * value is never read with the tid of the ring's previous thread. */
#define RING_CLAIMING 0x80000000u

/* Ring header: 64 bytes, written by the ring's thread only (claims aside),
 * followed by ring_slots slots. */
struct l1top_shm_ring {
    _Atomic uint64_t owner;            /* 0 free, else RECORD_OWNER of the writer whose thread fills it */
    _Atomic uint64_t head;             /* slots ever written: the next goes to head mod ring_slots */
    _Atomic int32_t tid;               /* the filling thread, so a ring whose thread ended is reclaimed */
    uint32_t reserved0;
    uint8_t reserved[40];
};

/* Slots an EV_RECORD of n ranges takes (head included). */
static inline uint32_t ev_record_slots(uint32_t nranges, bool interleaved)
{
    uint32_t rest = interleaved || nranges <= EV_HEAD_RANGES + EV_TAG_RANGES
                        ? 0
                        : nranges - EV_HEAD_RANGES - EV_TAG_RANGES;
    return 2u + (rest + EV_MORE_RANGES - 1u) / EV_MORE_RANGES;
}

#define RECORD_OWNER(slot, gen) ((((uint64_t)(slot) + 1u) << 32) | (uint64_t)(gen))
#define OWNER_SLOT(owner) ((uint32_t)((owner) >> 32) - 1u)
#define OWNER_GEN(owner) ((uint32_t)(owner))

_Static_assert(sizeof(struct l1top_shm_header) == 256, "header is 256 bytes");
_Static_assert(sizeof(struct l1top_shm_writer) == 64, "writer slot is 64 bytes");
_Static_assert(sizeof(struct l1top_shm_device) == 64, "device entry is 64 bytes");
_Static_assert(sizeof(struct l1top_shm_record) == 128, "record is 128 bytes");
_Static_assert(sizeof(struct l1top_shm_stripe) == 64, "stripe is 64 bytes");
_Static_assert(sizeof(struct l1top_shm_event) == 64, "event slot is 64 bytes");
_Static_assert(sizeof(struct l1top_shm_event_ext) == 64, "event extension slot is 64 bytes");
_Static_assert(sizeof(struct l1top_shm_ring) == 64, "ring header is 64 bytes");
_Static_assert(offsetof(struct l1top_shm_header, high_water) == 96, "high_water at 96");
_Static_assert(offsetof(struct l1top_shm_header, rings_offset) == 104, "rings_offset at 104");
_Static_assert(offsetof(struct l1top_shm_header, dropped_records) == 128, "dropped_records on its own line");

/* Offsets and total size of a segment with the given capacity. */
static inline uint64_t shm_writers_offset(void) { return sizeof(struct l1top_shm_header); }
static inline uint64_t shm_devices_offset(void)
{
    return shm_writers_offset() + (uint64_t)L1TOP_SHM_MAX_WRITERS * sizeof(struct l1top_shm_writer);
}
static inline uint64_t shm_stripes_offset(void)
{
    return shm_devices_offset() + (uint64_t)L1TOP_SHM_MAX_DEVICES * sizeof(struct l1top_shm_device);
}
static inline uint64_t shm_records_offset(void)
{
    return shm_stripes_offset() + (uint64_t)L1TOP_SHM_STRIPES * sizeof(struct l1top_shm_stripe);
}
static inline uint64_t shm_rings_offset(uint32_t capacity)
{
    return shm_records_offset() + (uint64_t)capacity * sizeof(struct l1top_shm_record);
}
/* Bytes of one ring: its header and its slots. */
static inline uint64_t shm_ring_stride(uint32_t ring_slots)
{
    return sizeof(struct l1top_shm_ring) + (uint64_t)ring_slots * sizeof(struct l1top_shm_event);
}
static inline uint64_t shm_total_size(uint32_t capacity, uint32_t nrings, uint32_t ring_slots)
{
    return shm_rings_offset(capacity) + (uint64_t)nrings * shm_ring_stride(ring_slots);
}

/* The header's layout fields (version, sizes, offsets, counts) for this
 * capacity and these rings: what a writer creating a segment writes, and
 * what a reader checks. Not the magic, times or counters. */
static inline void shm_header_layout(struct l1top_shm_header *h, uint32_t capacity, uint32_t nrings,
                                     uint32_t ring_slots)
{
    h->version = L1TOP_SHM_VERSION;
    h->header_size = sizeof *h;
    h->total_size = shm_total_size(capacity, nrings, ring_slots);
    h->max_writers = L1TOP_SHM_MAX_WRITERS;
    h->writer_size = sizeof(struct l1top_shm_writer);
    h->max_devices = L1TOP_SHM_MAX_DEVICES;
    h->device_size = sizeof(struct l1top_shm_device);
    h->record_capacity = capacity;
    h->record_size = sizeof(struct l1top_shm_record);
    h->writers_offset = shm_writers_offset();
    h->devices_offset = shm_devices_offset();
    h->records_offset = shm_records_offset();
    h->stripes_offset = shm_stripes_offset();
    h->nstripes = L1TOP_SHM_STRIPES;
    h->stripe_size = sizeof(struct l1top_shm_stripe);
    h->rings_offset = shm_rings_offset(capacity);
    h->nrings = nrings;
    h->ring_slots = ring_slots;
    h->event_size = sizeof(struct l1top_shm_event);
    h->ring_header_size = sizeof(struct l1top_shm_ring);
}

#endif
