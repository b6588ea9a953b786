/*
 * Writer library: errors and errno, handles, release_kind, chained
 * multi-range records, a full segment, labels, and many threads.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "model/accounting.h"
#include "helpers.h"
#include "l1top.h"
#include "sources/shm_reader.h"
#include "utf8.h"

static char seg[64];
static l1top_writer *w;
static snapshot s;

static void setup(void)
{
    t_segment(seg, sizeof seg, "writer");
    shm_unlink(seg);
    unsetenv("L1TOP_CAPACITY");
    w = l1top_open(seg);
    cr_assert_not_null(w, "l1top_open: %s", strerror(errno));
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    snapshot_init(&s);
}

static void teardown(void)
{
    l1top_close(w);
    shm_unlink(seg);
    snapshot_free(&s);
}

static void take(void)
{
    shm_reader *r;
    char err[256];
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK, "%s", err);
    cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_OK, "%s", err);
    shm_reader_close(r);
}

TestSuite(writer, .init = setup, .fini = teardown);

Test(writer, bad_calls_fail_with_errno)
{
    l1top_range in = { 0, 0, 7, 7 }, out = { 0, 0, 8, 0 }, flipped = { 3, 0, 2, 0 };
    errno = 0;
    cr_assert_eq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &out, 1, 0x20000, 64, "x"), 0);
    cr_assert_eq(errno, EINVAL, "range outside the grid");
    cr_assert_eq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &flipped, 1, 0x20000, 64, "x"), 0);
    cr_assert_eq(errno, EINVAL, "x0 > x1");
    cr_assert_eq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &in, 1, 1499136 - 10, 64, "x"), 0);
    cr_assert_eq(errno, EINVAL, "beyond L1");
    cr_assert_eq(l1top_record(w, 0, (l1top_kind)7, &in, 1, 0x20000, 64, "x"), 0);
    cr_assert_eq(errno, EINVAL, "unknown kind");
    cr_assert_eq(l1top_record(w, 0, (l1top_kind)0, &in, 1, 0x20000, 64, "x"), 0);
    cr_assert_eq(errno, EINVAL, "kind 0");
    cr_assert_eq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &in, 0, 0x20000, 64, "x"), 0);
    cr_assert_eq(errno, EINVAL, "no ranges");
    cr_assert_eq(l1top_record(w, 5, L1TOP_CIRCULAR_BUFFER, &in, 1, 0x20000, 64, "x"), 0);
    cr_assert_eq(errno, ENODEV, "undeclared device");
    cr_assert_eq(l1top_record_interleaved(w, 0, 1499136 - 1024, 64 * 2048, 2048, "x"), 0);
    cr_assert_eq(errno, EINVAL, "interleaved beyond L1");
    cr_assert_eq(l1top_record_interleaved(w, 0, 0x20000, 4096, 0, "x"), 0);
    cr_assert_eq(errno, EINVAL, "page size 0");
    cr_assert_eq(l1top_declare_device(w, 1, "pentium", 8, 8), -1);
    cr_assert_eq(errno, EINVAL, "unknown arch");
    cr_assert_eq(l1top_declare_device(w, 1, "blackhole", 0, 10), -1);
    cr_assert_eq(errno, EINVAL, "empty grid");
    cr_assert_eq(l1top_release(w, 0), -1);
    cr_assert_eq(errno, EINVAL);
    cr_assert_eq(l1top_release(w, 12345678), -1);
    cr_assert_eq(errno, EINVAL);
}

Test(writer, handles_release_once)
{
    l1top_range r = { 0, 0, 7, 7 };
    uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 4096, "cb");
    cr_assert_neq(h, 0);
    cr_assert_eq(l1top_release(w, h), 0);
    cr_assert_eq(l1top_release(w, h), -1, "double release");
    cr_assert_eq(errno, EINVAL);
    /* The slot is reused; the old handle must not release the new record. */
    uint64_t h2 = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 4096, "cb");
    cr_assert_neq(h2, h);
    cr_assert_eq(l1top_release(w, h), -1);
    take();
    cr_assert_eq(s.nregions, 1);
}

Test(writer, redeclaring_differently_while_alive_is_refused)
{
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0, "same declaration is fine");
    l1top_writer *other = l1top_open(seg);
    cr_assert_not_null(other);
    cr_assert_eq(l1top_declare_device(other, 0, "blackhole", 11, 10), -1);
    cr_assert_eq(errno, EEXIST);
    l1top_range r = { 0, 0, 0, 0 };
    cr_assert_neq(l1top_record(other, 0, L1TOP_L1_BUFFER, &r, 1, 0x100000, 64, "adopted"), 0,
                  "a device declared by another writer is usable");
    l1top_close(other);
}

Test(writer, release_kind_releases_only_that_kind_of_that_device)
{
    cr_assert_eq(l1top_declare_device(w, 1, "wormhole_b0", 8, 8), 0);
    l1top_range r = { 0, 0, 7, 7 };
    for (int i = 0; i < 5; i++)
        cr_assert_neq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000 + 4096u * (unsigned)i, 4096, "cb"), 0);
    cr_assert_neq(l1top_record(w, 1, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 4096, "cb1"), 0);
    cr_assert_neq(l1top_record(w, 0, L1TOP_L1_BUFFER, &r, 1, 0x100000, 4096, "buf"), 0);
    cr_assert_eq(l1top_release_kind(w, 0, L1TOP_CIRCULAR_BUFFER), 5);
    take();
    cr_assert_eq(s.nregions, 2);
    for (size_t i = 0; i < s.nregions; i++)
        cr_assert(s.regions[i].kind != L1TOP_CIRCULAR_BUFFER || s.devices[s.regions[i].device].id == 1);
}

Test(writer, many_ranges_chain_and_read_back_whole)
{
    l1top_range r[10];
    for (uint16_t i = 0; i < 10; i++)
        r[i] = (l1top_range){ (uint16_t)(i % 8), (uint16_t)(i / 8), (uint16_t)(i % 8), (uint16_t)(i / 8) };
    uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, r, 10, 0x20000, 1000, "ten cores");
    cr_assert_neq(h, 0);
    take();
    cr_assert_eq(s.nregions, 1, "three records read back as one region");
    cr_assert_eq(s.regions[0].nranges, 10);
    accounting a;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(a.devices[0].totals[CAT_CIRCULAR_BUFFERS], 10 * 1000);
    accounting_free(&a);
    cr_assert_eq(l1top_release(w, h), 0);
    take();
    cr_assert_eq(s.nregions, 0);
    cr_assert_eq(s.records_in_use, 0, "continuations released too");
}

Test(writer, full_segment_is_enospc_and_counted)
{
    l1top_close(w);
    shm_unlink(seg);
    setenv("L1TOP_CAPACITY", "32", 1);
    w = l1top_open(seg);
    unsetenv("L1TOP_CAPACITY");
    cr_assert_not_null(w);
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    l1top_range r = { 0, 0, 0, 0 };
    for (int i = 0; i < 32; i++)
        cr_assert_neq(l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "s"), 0, "record %d", i);
    errno = 0;
    cr_assert_eq(l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "s"), 0);
    cr_assert_eq(errno, ENOSPC);
    cr_assert_eq(l1top_record_interleaved(w, 0, 0x100000, 4096, 2048, "i"), 0);
    cr_assert_eq(errno, ENOSPC);
    take();
    cr_assert_eq(s.capacity, 32);
    cr_assert_eq(s.dropped_records, 2);
    cr_assert_eq(s.devices[0].dropped_records, 2);
    cr_assert_eq(s.processes[0].dropped_records, 2);
}

Test(writer, chained_record_that_does_not_fit_leaves_nothing)
{
    l1top_close(w);
    shm_unlink(seg);
    setenv("L1TOP_CAPACITY", "16", 1);
    w = l1top_open(seg);
    unsetenv("L1TOP_CAPACITY");
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    l1top_range one = { 0, 0, 0, 0 }, many[8];
    for (int i = 0; i < 15; i++)
        cr_assert_neq(l1top_record(w, 0, L1TOP_SEMAPHORE, &one, 1, 0x10000, 16, "s"), 0);
    for (uint16_t i = 0; i < 8; i++)
        many[i] = (l1top_range){ i, 0, i, 0 };
    cr_assert_eq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, many, 8, 0x20000, 64, "two records"), 0);
    cr_assert_eq(errno, ENOSPC);
    take();
    cr_assert_eq(s.records_in_use, 15, "the partial chain was rolled back");
}

Test(writer, label_and_version)
{
    cr_assert_eq(l1top_set_label(w, "my model"), 0);
    l1top_range r = { 0, 0, 0, 0 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_L1_SMALL, &r, 1, 0x100000, 64, "x"), 0);
    take();
    cr_assert_eq(s.nprocesses, 1);
    cr_assert_str_eq(s.processes[0].name, "my model");
    cr_assert_eq(s.processes[0].pid, getpid());
    cr_assert_str_eq(l1top_version(), L1TOP_VERSION_STRING);
    cr_assert_eq(l1top_layout_version(), 3);
}

Test(writer, close_releases_everything)
{
    l1top_range r = { 0, 0, 7, 7 };
    for (int i = 0; i < 100; i++)
        cr_assert_neq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 64, "cb"), 0);
    l1top_close(w);
    take();
    cr_assert_eq(s.nregions, 0);
    cr_assert_eq(s.nprocesses, 0);
    cr_assert_eq(s.devices[0].id, 0, "devices stay declared");
    w = l1top_open(seg); /* for teardown */
}

#define THREADS 4
#define ROUNDS 2000

static void *thread_body(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    l1top_range r = { (uint16_t)id, 0, (uint16_t)id, 7 }; /* column `id` */
    uint64_t keep[8];
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 100, "t");
        if (!h || l1top_release(w, h) != 0)
            return (void *)1;
    }
    /* Each thread keeps 8 records of 100 B on its column. */
    for (int i = 0; i < 8; i++)
        if (!(keep[i] = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000 + 100u * (unsigned)i, 100, "k")))
            return (void *)1;
    return NULL;
}

Test(writer, threads_record_and_release_concurrently)
{
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, thread_body, (void *)i);
    for (int i = 0; i < THREADS; i++) {
        void *rv;
        pthread_join(t[i], &rv);
        cr_assert_null(rv, "thread %d failed", i);
    }
    take();
    cr_assert_eq(s.nregions, THREADS * 8);
    accounting a;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    for (uint32_t x = 0; x < 8; x++)
        for (uint32_t y = 0; y < 8; y++)
            cr_assert_eq(a.devices[0].cores[y * 8 + x].bytes[CAT_CIRCULAR_BUFFERS], x < THREADS ? 800u : 0u);
    accounting_free(&a);
}

/* A valid label or tag longer than the segment keeps was cut in the middle
 * of a character, so every reader saw invalid UTF-8. */
Test(writer, long_labels_and_tags_are_cut_on_character_boundaries)
{
    char label[64] = "", tag[64] = "x";
    for (int i = 0; i < 10; i++)
        strcat(label, "\xE2\x82\xAC"); /* 30 bytes of euro signs */
    strcat(label, "\xC3\xA9");          /* 32 bytes: the segment keeps 31 */
    for (int i = 0; i < 13; i++)
        strcat(tag, "\xE2\x82\xAC");   /* 40 bytes: the segment keeps 39 */
    cr_assert_eq(l1top_set_label(w, label), 0);
    l1top_range r = { 0, 0, 0, 0 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 64, tag), 0);
    take();
    cr_assert_eq(strlen(s.processes[0].name), 30);
    cr_assert(utf8_valid(s.processes[0].name, strlen(s.processes[0].name)));
    cr_assert_eq(s.nregions, 1);
    cr_assert_eq(strlen(s.regions[0].tag), 37);
    cr_assert(utf8_valid(s.regions[0].tag, strlen(s.regions[0].tag)));
}

static void refresh(shm_reader *r)
{
    char err[256];
    cr_assert_eq(shm_reader_refresh(r, &s, err, sizeof err), SHM_OK, "%s", err);
}

Test(writer, reader_refresh_reuses_the_snapshot_until_something_moves)
{
    shm_reader *r;
    char err[256];
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK, "%s", err);
    l1top_range g = { 0, 0, 7, 7 };
    uint64_t h1 = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &g, 1, 0x20000, 64, "one");
    refresh(r);
    cr_assert_not(s.unchanged);
    cr_assert_eq(s.nregions, 1);
    refresh(r);
    cr_assert(s.unchanged, "nothing moved");
    cr_assert_eq(s.nregions, 1, "the kept snapshot is whole");
    cr_assert_neq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &g, 1, 0x30000, 64, "two"), 0);
    refresh(r);
    cr_assert_not(s.unchanged, "a record was added");
    cr_assert_eq(s.nregions, 2);
    cr_assert_eq(l1top_release(w, h1), 0);
    refresh(r);
    cr_assert_not(s.unchanged, "a record was released");
    cr_assert_eq(s.nregions, 1);
    refresh(r);
    cr_assert(s.unchanged);
    cr_assert_eq(l1top_set_label(w, "renamed"), 0);
    refresh(r);
    cr_assert_not(s.unchanged, "a label changed");
    cr_assert_str_eq(s.processes[0].name, "renamed");
    /* A writer that dies changes nothing in the segment but its liveness. */
    pid_t p = fork();
    if (p == 0) {
        l1top_writer *cw = l1top_open(seg);
        _exit(cw && l1top_record(cw, 0, L1TOP_SEMAPHORE, &g, 1, 0x10000, 16, "child") ? 0 : 1);
    }
    int st;
    waitpid(p, &st, 0);
    cr_assert_eq(WEXITSTATUS(st), 0);
    refresh(r);
    cr_assert_not(s.unchanged);
    cr_assert_eq(s.nregions, 1, "the dead child's record is not shown");
    cr_assert_eq(s.dead_writers, 1);
    refresh(r);
    cr_assert(s.unchanged);
    shm_reader_close(r);
}

/* A chip's place on its board's mesh goes through the segment to the snapshot. */
Test(writer, mesh_place_reaches_the_snapshot)
{
    cr_assert_eq(l1top_declare_device(w, 1, "wormhole_b0", 8, 8), 0);
    take();
    cr_assert_not(s.devices[0].has_mesh, "unknown until set");
    cr_assert_eq(l1top_set_device_mesh(w, 0, 3, 1), 0);
    cr_assert_eq(l1top_set_device_mesh(w, 1, 7, 2), 0);
    take();
    cr_assert(s.devices[0].has_mesh && s.devices[0].mesh_row == 3 && s.devices[0].mesh_col == 1);
    cr_assert(s.devices[1].has_mesh && s.devices[1].mesh_row == 7 && s.devices[1].mesh_col == 2);
    errno = 0;
    cr_assert_eq(l1top_set_device_mesh(w, 5, 0, 0), -1);
    cr_assert_eq(errno, ENODEV, "undeclared device");
    cr_assert_eq(l1top_set_device_mesh(w, 0, 1024, 0), -1);
    cr_assert_eq(errno, EINVAL);
    cr_assert_eq(l1top_set_device_mesh(NULL, 0, 0, 0), -1);
    /* A new declaration of the entry (its declarer gone) forgets the old place. */
    l1top_close(w);
    w = l1top_open(seg);
    cr_assert_not_null(w);
    cr_assert_eq(l1top_declare_device(w, 0, "blackhole", 11, 10), 0);
    take();
    cr_assert_eq(s.devices[0].arch, ARCH_BLACKHOLE);
    cr_assert_not(s.devices[0].has_mesh, "the place was the old chip's");
}
