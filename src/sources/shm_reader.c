/*
 * shm_reader.c - reads an l1top segment into a snapshot (see shm_reader.h).
 *
 * The mapping is PROT_READ. Records are copied under their seqlocks and
 * validated field by field; a record that fails is skipped and counted, a
 * header that fails stops the read. A segment shrunk under us would raise
 * SIGBUS on access: the size is checked before each snapshot and the copy
 * runs under a SIGBUS guard that turns the fault into SHM_CORRUPT.
 */
#define _GNU_SOURCE
#include "sources/shm_reader.h"
#include "safe_open.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
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
#include "proc.h"
#include "shm_format.h"
#include "shm_name.h"
#include "sig_chain.h"
#include "sources/shm_events.h"

/* What a snapshot depends on besides the records, plus the stripes'
 * change counter that covers the records: equal signatures, taken before
 * two snapshots, mean the second would copy what the first did. */
typedef struct {
    uint64_t changes;                          /* sum of claims + releases */
    uint64_t dropped;
    uint64_t writer_word[L1TOP_SHM_MAX_WRITERS];
    uint32_t writer_name_seq[L1TOP_SHM_MAX_WRITERS];
    uint8_t writer_alive[L1TOP_SHM_MAX_WRITERS];
    uint32_t device_state[L1TOP_SHM_MAX_DEVICES];
    uint32_t device_seq[L1TOP_SHM_MAX_DEVICES];
    uint64_t device_by[L1TOP_SHM_MAX_DEVICES];
    uint64_t device_dropped[L1TOP_SHM_MAX_DEVICES];
} segment_signature;

struct shm_reader {
    char name[L1TOP_SHM_NAME_MAX];
    int fd;
    const unsigned char *map;
    size_t map_size;
    char warning[160];
    bool have_last;               /* `last` describes the last clean snapshot */
    segment_signature last, now;
    shm_events *events;           /* the event rings, replayed on the peak model */
    uint32_t ring_slots;          /* per ring, from the last header read (0: no rings) */
    bool drained;                 /* the last poll drained the rings (the model follows them) */
};

static void set_err(char *err, size_t n, const char *fmt, ...)
{
    if (!err || n == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* Validate the header from one copy of it, which the caller then uses:
 * the live mapping may change under us, so nothing is read from it twice.
 * *hw_out is high_water, read once. */
static int validate_copy(const void *header, uint64_t size, struct l1top_shm_header *out, uint32_t *hw_out,
                         char *err, size_t n)
{
    struct l1top_shm_header h;
    if (size < sizeof h) {
        set_err(err, n, "truncated: %llu bytes, smaller than the %zu-byte header",
                (unsigned long long)size, sizeof h);
        return -1;
    }
    memcpy(&h, header, sizeof h);
    atomic_thread_fence(memory_order_acquire);
    if (memcmp(h.magic, L1TOP_SHM_MAGIC, L1TOP_SHM_MAGIC_LEN) != 0) {
        set_err(err, n, "not an l1top segment (bad magic)");
        return -1;
    }
    if (h.version != L1TOP_SHM_VERSION) {
        set_err(err, n, "layout version %u, this l1top reads version %u", h.version, L1TOP_SHM_VERSION);
        return -1;
    }
    if (h.header_size != sizeof h) {
        set_err(err, n, "corrupt header: header_size %u, expected %zu", h.header_size, sizeof h);
        return -1;
    }
    if (h.max_writers != L1TOP_SHM_MAX_WRITERS || h.writer_size != sizeof(struct l1top_shm_writer)) {
        set_err(err, n, "corrupt header: writer table %u x %u B", h.max_writers, h.writer_size);
        return -1;
    }
    if (h.max_devices != L1TOP_SHM_MAX_DEVICES || h.device_size != sizeof(struct l1top_shm_device)) {
        set_err(err, n, "corrupt header: device table %u x %u B", h.max_devices, h.device_size);
        return -1;
    }
    if (h.record_size != sizeof(struct l1top_shm_record) || h.record_capacity < L1TOP_SHM_MIN_CAPACITY ||
        h.record_capacity > L1TOP_SHM_MAX_CAPACITY) {
        set_err(err, n, "corrupt header: record table %u x %u B", h.record_capacity, h.record_size);
        return -1;
    }
    if (h.writers_offset != shm_writers_offset() || h.devices_offset != shm_devices_offset() ||
        h.records_offset != shm_records_offset()) {
        set_err(err, n, "corrupt header: section offsets %llu/%llu/%llu",
                (unsigned long long)h.writers_offset, (unsigned long long)h.devices_offset,
                (unsigned long long)h.records_offset);
        return -1;
    }
    if (h.stripes_offset != shm_stripes_offset() || h.nstripes != L1TOP_SHM_STRIPES ||
        h.stripe_size != sizeof(struct l1top_shm_stripe)) {
        set_err(err, n, "corrupt header: stripe table %u x %u B at offset %llu", h.nstripes, h.stripe_size,
                (unsigned long long)h.stripes_offset);
        return -1;
    }
    if (h.rings_offset != shm_rings_offset(h.record_capacity) || h.nrings > L1TOP_SHM_MAX_RINGS || h.ring_slots < L1TOP_SHM_MIN_RING_SLOTS ||
        h.ring_slots > L1TOP_SHM_MAX_RING_SLOTS || (h.ring_slots & (h.ring_slots - 1u)) != 0 ||
        h.event_size != sizeof(struct l1top_shm_event) || h.ring_header_size != sizeof(struct l1top_shm_ring)) {
        set_err(err, n, "corrupt header: event rings %u x %u slots of %u B at offset %llu", h.nrings, h.ring_slots,
                h.event_size, (unsigned long long)h.rings_offset);
        return -1;
    }
    if (h.total_size != shm_total_size(h.record_capacity, h.nrings, h.ring_slots)) {
        set_err(err, n, "corrupt header: total_size %llu does not match capacity %u and %u rings of %u slots",
                (unsigned long long)h.total_size, h.record_capacity, h.nrings, h.ring_slots);
        return -1;
    }
    if (h.total_size > size) {
        set_err(err, n, "truncated: %llu bytes, header says %llu", (unsigned long long)size,
                (unsigned long long)h.total_size);
        return -1;
    }
    uint32_t hw = atomic_load_explicit(&h.high_water, memory_order_relaxed);
    if (hw > h.record_capacity) {
        set_err(err, n, "corrupt header: high_water %u beyond capacity %u", hw, h.record_capacity);
        return -1;
    }
    if (out)
        memcpy(out, &h, sizeof h);
    if (hw_out)
        *hw_out = hw;
    return 0;
}

int shm_validate_header(const void *header, uint64_t size, char *err, size_t n)
{
    return validate_copy(header, size, NULL, NULL, err, n);
}

/* Copy `size` bytes guarded by a seqlock; false if it did not hold still.
 * A record being written right now is simply not visible yet: a few quick
 * retries, then it is skipped (and counted busy) for this snapshot, so a
 * reader never waits on a writer, busy or dead. */
static bool seq_copy(const _Atomic uint32_t *seq, void *dst, const void *src, size_t size)
{
    for (int tries = 0; tries < 8; tries++) {
        uint32_t s1 = atomic_load_explicit(seq, memory_order_acquire);
        if (s1 & 1u)
            continue;
        memcpy(dst, src, size);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(seq, memory_order_relaxed) == s1)
            return true;
    }
    return false;
}

static void sanitize_text(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n && src[i]; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    dst[i] = '\0';
}

typedef struct {
    uint32_t slot_gen[L1TOP_SHM_MAX_WRITERS]; /* generation of each live slot, 0 = not live */
    int32_t process[L1TOP_SHM_MAX_WRITERS];   /* snapshot process index */
} writer_map;

static int read_writers(const struct l1top_shm_writer *ws, writer_alive_fn alive, snapshot *s,
                        writer_map *wm)
{
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_WRITERS; i++) {
        const struct l1top_shm_writer *w = &ws[i];
        wm->slot_gen[i] = 0;
        wm->process[i] = -1;
        uint64_t word = atomic_load_explicit(&w->word, memory_order_acquire);
        if (SLOT_STATE(word) != SLOT_ACTIVE || SLOT_GEN(word) == 0)
            continue;
        int32_t pid = SLOT_PID(word);
        uint64_t start = w->start_time;
        if (pid <= 0 || (alive && !alive(pid, start))) {
            s->dead_writers++;
            continue;
        }
        char name[L1TOP_SHM_NAME_LEN];
        if (!seq_copy(&w->name_seq, name, w->name, sizeof name))
            snprintf(name, sizeof name, "?");
        name[sizeof name - 1] = '\0';
        snap_process *p = snapshot_add_process(s);
        if (!p)
            return -1;
        p->pid = pid;
        p->start_time = start;
        p->dropped_records = atomic_load_explicit(&w->dropped, memory_order_relaxed);
        sanitize_text(p->name, name, sizeof p->name);
        wm->slot_gen[i] = SLOT_GEN(word);
        wm->process[i] = (int32_t)(s->nprocesses - 1);
    }
    return 0;
}

static bool device_entry_valid(const struct l1top_shm_device *d)
{
    const arch_info *a = arch_by_id(d->arch);
    return a && d->grid_x >= 1 && d->grid_y >= 1 && d->grid_x <= L1TOP_SHM_MAX_GRID &&
           d->grid_y <= L1TOP_SHM_MAX_GRID && d->l1_size > 0 && d->l1_size <= L1TOP_SHM_MAX_L1_SIZE &&
           d->unreserved_base < d->l1_size && d->l1_small_size <= d->l1_size - d->unreserved_base &&
           d->alignment >= 1 && d->alignment <= 4096;
}

static bool owner_live_in(const writer_map *wm, uint64_t owner)
{
    uint32_t slot = OWNER_SLOT(owner);
    return owner != 0 && slot < L1TOP_SHM_MAX_WRITERS && wm->slot_gen[slot] != 0 &&
           wm->slot_gen[slot] == OWNER_GEN(owner);
}

/* A device entry whose seqlock stays odd: being re-declared right now, or
 * left so by a writer that died mid-declaration. Only in the second case,
 * with the declarer unchanged around the copy, is the copy taken (and then
 * validated like any other). */
static bool copy_abandoned_device(const struct l1top_shm_device *e, const writer_map *wm,
                                  struct l1top_shm_device *d)
{
    uint64_t by = atomic_load_explicit(&e->declared_by, memory_order_acquire);
    if (owner_live_in(wm, by))
        return false;
    memcpy(d, e, sizeof *d);
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&e->declared_by, memory_order_relaxed) == by;
}

static int read_devices(const struct l1top_shm_device *ds, const writer_map *wm, snapshot *s)
{
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_DEVICES; i++) {
        const struct l1top_shm_device *e = &ds[i];
        if (atomic_load_explicit(&e->state, memory_order_acquire) != DEV_READY)
            continue;
        struct l1top_shm_device d;
        if (!seq_copy(&e->seq, &d, e, sizeof d) && !copy_abandoned_device(e, wm, &d))
            continue; /* being re-declared right now */
        if (!device_entry_valid(&d)) {
            s->bad_records++;
            continue;
        }
        if (snapshot_device_index(s, d.device_id) >= 0)
            continue; /* a racing duplicate declaration: the first wins */
        snap_device *sd = snapshot_add_device(s);
        if (!sd)
            return -1;
        const arch_info *a = arch_by_id(d.arch);
        sd->id = d.device_id;
        sd->arch = d.arch;
        snprintf(sd->arch_name, sizeof sd->arch_name, "%s", a->name);
        sd->grid_x = d.grid_x;
        sd->grid_y = d.grid_y;
        sd->l1_size = d.l1_size;
        sd->l1_small_size = d.l1_small_size;
        sd->unreserved_base = d.unreserved_base;
        sd->alignment = d.alignment;
        uint32_t mesh = atomic_load_explicit(&e->mesh, memory_order_acquire);
        if (mesh & L1TOP_MESH_KNOWN) { /* where the writer says the chip sits on its board's mesh */
            sd->has_mesh = true;
            sd->mesh_row = L1TOP_MESH_ROW(mesh);
            sd->mesh_col = L1TOP_MESH_COL(mesh);
        }
        sd->dropped_records = atomic_load_explicit(&e->dropped, memory_order_relaxed);
        s->dropped_records += sd->dropped_records;
    }
    /* Views list devices by id. */
    for (size_t i = 1; i < s->ndevices; i++) {
        snap_device tmp = s->devices[i];
        size_t j = i;
        for (; j > 0 && s->devices[j - 1].id > tmp.id; j--)
            s->devices[j] = s->devices[j - 1];
        s->devices[j] = tmp;
    }
    return 0;
}

bool shm_region_valid(const shm_region_check *r, const snap_device *d)
{
    if (r->kind < L1TOP_KIND_MIN || r->kind > L1TOP_KIND_MAX)
        return false;
    if (r->interleaved) {
        if (r->kind != L1TOP_L1_BUFFER || r->nranges != 0 || r->page_size == 0 || r->total_size == 0 ||
            r->total_size > L1TOP_MAX_INTERLEAVED_TOTAL)
            return false;
        uint64_t bank0 = interleaved_bank_bytes(r->total_size, r->page_size, d->alignment,
                                                (uint32_t)d->grid_x * d->grid_y, 0);
        return (uint64_t)r->address + bank0 <= d->l1_size;
    }
    if (r->nranges == 0 || r->size_per_core == 0 || (uint64_t)r->address + r->size_per_core > d->l1_size)
        return false;
    for (uint32_t i = 0; i < r->nranges; i++) {
        const l1top_range *g = &r->ranges[i];
        if (g->x0 > g->x1 || g->y0 > g->y1 || g->x1 >= d->grid_x || g->y1 >= d->grid_y)
            return false;
    }
    return true;
}

/* A record copy, checked against its device. */
static bool record_valid(const struct l1top_shm_record *r, const snap_device *d)
{
    if ((r->flags & ~(REC_INTERLEAVED | REC_CONT)) || r->nranges > L1TOP_SHM_RANGES_PER_RECORD ||
        ((r->flags & REC_INTERLEAVED) && (r->flags & REC_CONT)))
        return false;
    shm_region_check c = { r->kind, (r->flags & REC_INTERLEAVED) != 0, r->address, r->size_per_core,
                           r->page_size, r->total_size, r->ranges, r->nranges };
    return shm_region_valid(&c, d);
}

/* k continues head: a valid continuation of the same owner, device, kind,
 * address and size. */
static bool chain_link_ok(const struct l1top_shm_record *k, const struct l1top_shm_record *head)
{
    return (k->flags & REC_CONT) && k->data_owner == head->data_owner && k->device == head->device &&
           k->kind == head->kind && k->address == head->address && k->size_per_core == head->size_per_core;
}

/* A record copy that is live and valid, counted; false (and counted as
 * stale, bad or torn) otherwise. */
static bool take_record(const struct l1top_shm_record *src, const writer_map *wm, snapshot *s,
                        struct l1top_shm_record *c, int *dev)
{
    if (!seq_copy(&src->seq, c, src, sizeof *c)) {
        s->torn_records++;
        return false;
    }
    if (c->kind == 0)
        return false;
    uint32_t slot = OWNER_SLOT(c->data_owner);
    if (c->data_owner == 0 || slot >= L1TOP_SHM_MAX_WRITERS || wm->slot_gen[slot] == 0 ||
        wm->slot_gen[slot] != OWNER_GEN(c->data_owner)) {
        s->stale_records++;
        return false;
    }
    *dev = snapshot_device_index(s, c->device);
    if (*dev < 0 || !record_valid(c, &s->devices[*dev])) {
        s->bad_records++;
        return false;
    }
    s->records_in_use++;
    return true;
}

/* Append the ranges of head's continuation chain, each re-read from the
 * segment (it may have been written after a first look). 0 whole, 1 torn,
 * 2 corrupt (a pointer no writer makes), -1 out of memory. */
static int read_chain(const struct l1top_shm_record *rs, uint32_t hw, const struct l1top_shm_record *head,
                      const snap_device *d, snapshot *s)
{
    uint32_t next = head->next;
    for (unsigned steps = 0; next != 0; steps++) {
        uint32_t j = next - 1;
        if (steps >= 255 || j >= hw)
            return 2;
        struct l1top_shm_record k;
        if (!seq_copy(&rs[j].seq, &k, &rs[j], sizeof k) || !record_valid(&k, d) || !chain_link_ok(&k, head))
            return 1;
        if (snapshot_extend_region(s, k.ranges, k.nranges))
            return -1;
        next = k.next;
    }
    return 0;
}

/* One pass over the records below high water: each is copied under its
 * seqlock into a local and, when it heads a region, appended at once (no
 * copy of the whole table: memory follows the regions, not the capacity).
 * A region whose chain does not hold together is left out of this
 * snapshot: seen whole or not at all. */
static int read_records(const struct l1top_shm_record *rs, uint32_t hw, const writer_map *wm, snapshot *s)
{
    for (uint32_t i = 0; i < hw; i++) {
        if (atomic_load_explicit(&rs[i].owner, memory_order_relaxed) == 0)
            continue;
        struct l1top_shm_record c;
        int dev;
        if (!take_record(&rs[i], wm, s, &c, &dev) || (c.flags & REC_CONT))
            continue; /* continuations are taken through their head */
        snap_region *r = snapshot_add_region(s, c.ranges, c.nranges);
        if (!r)
            return -1;
        r->device = (uint32_t)dev;
        r->process = (uint32_t)wm->process[OWNER_SLOT(c.data_owner)];
        r->handle = (uint64_t)c.gen << 32 | ((uint64_t)i + 1u); /* the writer's handle: events name it */
        r->kind = c.kind;
        r->interleaved = (c.flags & REC_INTERLEAVED) != 0;
        r->address = c.address;
        r->size_per_core = c.size_per_core;
        r->page_size = c.page_size;
        r->total_size = c.total_size;
        char tag[L1TOP_SHM_TAG_LEN];
        memcpy(tag, c.tag, sizeof tag);
        tag[sizeof tag - 1] = '\0';
        sanitize_text(r->tag, tag, sizeof r->tag);
        size_t first_range = r->first_range;
        int chain = read_chain(rs, hw, &c, &s->devices[dev], s);
        if (chain < 0)
            return -1;
        if (chain > 0) {
            s->nregions--;
            s->nranges = first_range;
            if (chain == 2)
                s->bad_records++;
            else
                s->torn_records++;
        }
    }
    return 0;
}

shm_status shm_image_snapshot(const void *image, uint64_t size, writer_alive_fn alive, snapshot *s,
                              char *err, size_t errlen)
{
    snapshot_reset(s);
    s->timestamp_ns = clock_realtime_ns();
    struct l1top_shm_header h;
    uint32_t hw;
    if (validate_copy(image, size, &h, &hw, err, errlen) != 0)
        return SHM_CORRUPT;
    /* Sections at the offsets the copy was validated to have, which are
     * the format's: the live header is not read again. */
    const unsigned char *base = image;
    s->capacity = h.record_capacity;
    s->have_segment = true;
    static writer_map wm; /* 2 KiB; one snapshot at a time per process */
    if (read_writers((const struct l1top_shm_writer *)(base + shm_writers_offset()), alive, s, &wm) ||
        read_devices((const struct l1top_shm_device *)(base + shm_devices_offset()), &wm, s) ||
        read_records((const struct l1top_shm_record *)(base + shm_records_offset()), hw, &wm, s)) {
        set_err(err, errlen, "out of memory");
        return SHM_IO;
    }
    return SHM_OK;
}

/* ---------- change detection ---------- */

static void take_signature(const unsigned char *base, writer_alive_fn alive, segment_signature *sig)
{
    memset(sig, 0, sizeof *sig);
    const struct l1top_shm_header *h = (const void *)base;
    const struct l1top_shm_stripe *st = (const void *)(base + shm_stripes_offset());
    for (uint32_t i = 0; i < L1TOP_SHM_STRIPES; i++)
        sig->changes += atomic_load_explicit(&st[i].claims, memory_order_acquire) +
                        atomic_load_explicit(&st[i].releases, memory_order_acquire);
    sig->dropped = atomic_load_explicit(&h->dropped_records, memory_order_relaxed);
    const struct l1top_shm_writer *ws = (const void *)(base + shm_writers_offset());
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_WRITERS; i++) {
        uint64_t word = atomic_load_explicit(&ws[i].word, memory_order_acquire);
        sig->writer_word[i] = word;
        sig->writer_name_seq[i] = atomic_load_explicit(&ws[i].name_seq, memory_order_relaxed);
        if (SLOT_STATE(word) == SLOT_ACTIVE && SLOT_PID(word) > 0)
            sig->writer_alive[i] = (uint8_t)(!alive || alive(SLOT_PID(word), ws[i].start_time));
    }
    const struct l1top_shm_device *ds = (const void *)(base + shm_devices_offset());
    for (uint32_t i = 0; i < L1TOP_SHM_MAX_DEVICES; i++) {
        sig->device_state[i] = atomic_load_explicit(&ds[i].state, memory_order_acquire);
        sig->device_seq[i] = atomic_load_explicit(&ds[i].seq, memory_order_acquire);
        sig->device_by[i] = atomic_load_explicit(&ds[i].declared_by, memory_order_relaxed);
        sig->device_dropped[i] = atomic_load_explicit(&ds[i].dropped, memory_order_relaxed);
    }
}

/* ---------- live segment ---------- */

static int writer_alive(int32_t pid, uint64_t start_time)
{
    return proc_alive((pid_t)pid, start_time);
}

shm_status shm_reader_open(const char *name, shm_reader **out, char *err, size_t errlen)
{
    *out = NULL;
    shm_reader *r = calloc(1, sizeof *r);
    if (!r) {
        set_err(err, errlen, "out of memory");
        return SHM_IO;
    }
    r->fd = -1;
    r->events = shm_events_new();
    if (!r->events) {
        set_err(err, errlen, "out of memory");
        free(r);
        return SHM_IO;
    }
    if (shm_name_resolve(name, r->name, sizeof r->name) != 0) {
        set_err(err, errlen, "invalid segment name '%s'", name ? name : "");
        shm_reader_close(r);
        return SHM_IO;
    }
    r->fd = shm_open_regular(r->name, O_RDONLY | O_CLOEXEC); /* a FIFO must not hang us */
    if (r->fd < 0) {
        int e = errno;
        shm_status st = e == ENOENT ? SHM_MISSING : SHM_IO;
        set_err(err, errlen, "%s", safe_strerror(e));
        shm_reader_close(r);
        return st;
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0) {
        set_err(err, errlen, "%s", strerror(errno));
        shm_reader_close(r);
        return SHM_IO;
    }
    if (st.st_uid != geteuid())
        snprintf(r->warning, sizeof r->warning, "segment owned by uid %u, not by you", (unsigned)st.st_uid);
    else if (st.st_mode & 0002)
        snprintf(r->warning, sizeof r->warning, "segment is world-writable (mode %03o)",
                 (unsigned)(st.st_mode & 0777));
    *out = r;
    return SHM_OK;
}

const char *shm_reader_name(const shm_reader *r) { return r->name; }
const char *shm_reader_warning(const shm_reader *r) { return r->warning; }

/* The SIGBUS guard. Installed once per process at the first guarded read
 * and never removed (as libl1top's writer does, lib/writer.c): a read (a
 * poll every few ms) then costs no syscall for it. Armed per thread only
 * while that thread reads a mapping; any other SIGBUS goes to the handler
 * that was there before (or kills as by default). SA_NODEFER leaves the
 * signal mask alone on entry, so the jump out need not restore it and
 * sigsetjmp saves no mask (no sigprocmask per read). */
static _Thread_local sigjmp_buf bus_jump;
static _Thread_local volatile sig_atomic_t bus_armed;
static struct sigaction bus_previous;
static pthread_once_t bus_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
    if (bus_armed)
        siglongjmp(bus_jump, 1);
    sig_chain(&bus_previous, sig, info, ctx);
}

static void install_bus_guard(void) { sig_install_chained(SIGBUS, on_sigbus, &bus_previous); }

static shm_status map_current(shm_reader *r, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(r->fd, &st) != 0) {
        set_err(err, errlen, "%s", strerror(errno));
        return SHM_IO;
    }
    size_t size = (size_t)st.st_size;
    if (r->map && r->map_size == size)
        return SHM_OK;
    r->have_last = false;
    if (r->map)
        munmap((void *)r->map, r->map_size);
    r->map = NULL;
    r->map_size = 0;
    if (size < sizeof(struct l1top_shm_header)) {
        set_err(err, errlen, "truncated: %zu bytes, smaller than the %zu-byte header", size,
                sizeof(struct l1top_shm_header));
        return SHM_CORRUPT;
    }
    void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, r->fd, 0);
    if (p == MAP_FAILED) {
        set_err(err, errlen, "mmap: %s", strerror(errno));
        return SHM_IO;
    }
    r->map = p;
    r->map_size = size;
    return SHM_OK;
}

/* Starts a read may make again when writers lap their rings meanwhile;
 * past them the model keeps the last snapshot's state (approximate) and
 * the next read starts again. */
#define EVENT_RESTARTS 3

/* After the snapshot in s: start the peak model from it (first read, or
 * after missed events), else replay the events since the last read. A
 * drain that finds events missed starts again from a fresh snapshot. */
static shm_status follow_events(shm_reader *r, const shm_view *v, snapshot *s, bool start, char *err,
                                size_t errlen)
{
    events_status es = start ? shm_events_start(r->events, v, s) : shm_events_drain(r->events, v, s);
    for (int again = 0; es == EVENTS_RESYNC && v->nrings && again < EVENT_RESTARTS; again++) {
        shm_events_mark(r->events, v);
        shm_status st = shm_image_snapshot(r->map, r->map_size, writer_alive, s, err, errlen);
        r->have_last = false;
        if (st != SHM_OK)
            return st;
        es = shm_events_start(r->events, v, s);
    }
    if (es == EVENTS_NOMEM) {
        set_err(err, errlen, "out of memory");
        return SHM_IO;
    }
    s->peaks = shm_events_peaks(r->events);
    return SHM_OK;
}

/* The reads, under the guard. poll: only the events; else a snapshot
 * (`keep`, may be NULL, says whether the previous one still holds; then s
 * is left alone) and the events. */
static shm_status read_guarded(shm_reader *r, snapshot *s, bool *keep, bool poll, char *err, size_t errlen)
{
    struct l1top_shm_header h;
    if (validate_copy(r->map, r->map_size, &h, NULL, err, errlen) != 0)
        return SHM_CORRUPT;
    shm_view v = { r->map, h.record_capacity, h.nrings, h.ring_slots };
    r->ring_slots = h.nrings ? h.ring_slots : 0;
    if (poll) {
        r->drained = shm_events_started(r->events);
        if (r->drained && shm_events_drain(r->events, &v, NULL) == EVENTS_NOMEM) {
            set_err(err, errlen, "out of memory");
            return SHM_IO;
        }
        return SHM_OK;
    }
    /* The rings' positions are taken before a snapshot the model starts from. */
    bool start = !shm_events_started(r->events) || shm_events_journal_waits(r->events);
    /* A journal waits: the rings drained up to the mark first, so the model
     * misses nothing across the start. */
    if (start && shm_events_started(r->events) && shm_events_drain(r->events, &v, NULL) == EVENTS_NOMEM) {
        set_err(err, errlen, "out of memory");
        return SHM_IO;
    }
    if (start)
        shm_events_mark(r->events, &v);
    take_signature(r->map, writer_alive, &r->now);
    /* A start loads the snapshot taken after the mark, never an older one. */
    if (keep && !start && r->have_last && memcmp(&r->now, &r->last, sizeof r->now) == 0) {
        *keep = true;
    } else {
        shm_status st = shm_image_snapshot(r->map, r->map_size, writer_alive, s, err, errlen);
        /* A record skipped as busy this time must be read next time. */
        r->have_last = st == SHM_OK && s->torn_records == 0;
        r->last = r->now;
        if (st != SHM_OK)
            return st;
    }
    return follow_events(r, &v, s, start, err, errlen);
}

/* Run a read under a SIGBUS guard: a segment truncated under us is an
 * error, not a crash. */
static shm_status guarded_read(shm_reader *r, snapshot *s, bool *keep, bool poll, char *err, size_t errlen)
{
    pthread_once(&bus_once, install_bus_guard);
    shm_status st;
    if (sigsetjmp(bus_jump, 0) == 0) {
        bus_armed = 1;
        st = read_guarded(r, s, keep, poll, err, errlen);
    } else {
        if (s)
            snapshot_reset(s);
        shm_events_unfollow(r->events); /* a drain may have been cut short: start again */
        set_err(err, errlen, "truncated while reading (SIGBUS)");
        st = SHM_CORRUPT;
    }
    bus_armed = 0;
    if (st != SHM_OK)
        r->have_last = false;
    return st;
}

/* The mapping at the object's current size; on failure s is emptied. */
static shm_status map_for_read(shm_reader *r, snapshot *s, char *err, size_t errlen)
{
    shm_status st = map_current(r, err, errlen);
    if (st != SHM_OK) {
        snapshot_reset(s);
        r->have_last = false;
    }
    return st;
}

shm_status shm_reader_snapshot(shm_reader *r, snapshot *s, char *err, size_t errlen)
{
    shm_status st = map_for_read(r, s, err, errlen);
    if (st != SHM_OK)
        return st;
    st = guarded_read(r, s, NULL, false, err, errlen);
    snprintf(s->segment, sizeof s->segment, "%s", r->name);
    return st;
}

shm_status shm_reader_refresh(shm_reader *r, snapshot *s, char *err, size_t errlen)
{
    shm_status st = map_for_read(r, s, err, errlen);
    if (st != SHM_OK)
        return st;
    bool keep = false;
    if (!s->have_segment)
        r->have_last = false; /* s holds something else now */
    st = guarded_read(r, s, &keep, false, err, errlen);
    if (st == SHM_OK && keep) {
        s->timestamp_ns = clock_realtime_ns();
        s->unchanged = true;
    }
    snprintf(s->segment, sizeof s->segment, "%s", r->name);
    return st;
}

/* No fstat of the object's size here (a syscall per poll): the header is
 * validated against the size mapped (a segment grown since is read as it
 * was mapped), and one truncated under us faults under the guard; either
 * way the next snapshot remaps and says what is wrong. */
shm_status shm_reader_poll(shm_reader *r, feed_drained *d, char *err, size_t errlen)
{
    if (!r->map)
        return SHM_OK; /* nothing read yet: the first snapshot starts the model */
    r->drained = false;
    shm_status st = guarded_read(r, NULL, NULL, true, err, errlen);
    feed_drained mine = { 0, 0, r->ring_slots };
    if (r->drained)
        shm_events_drained(r->events, &mine.events, &mine.ring_used);
    feed_drained_add(d, &mine);
    return st;
}

const peaks *shm_reader_peaks(const shm_reader *r) { return shm_events_peaks(r->events); }
void shm_reader_set_journal(shm_reader *r, const peaks_journal *j) { shm_events_set_journal(r->events, j); }

bool shm_reader_reset_peaks(shm_reader *r, uint64_t time_ns)
{
    if (!shm_events_started(r->events))
        return false;
    peaks_reset(shm_events_model(r->events), time_ns);
    return true;
}

void shm_reader_close(shm_reader *r)
{
    if (!r)
        return;
    if (r->map)
        munmap((void *)r->map, r->map_size);
    if (r->fd >= 0)
        close(r->fd);
    shm_events_free(r->events);
    free(r);
}
