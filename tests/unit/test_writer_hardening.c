/*
 * Writer and reader hardening (issue 13): fork children, foreign and
 * world-writable segments, truncation under a writer, a device left
 * mid-declaration, interleaved overflow, dead writers on a full segment,
 * and a reader racing a process that rewrites the header.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "helpers.h"
#include "l1top.h"
#include "shm_format.h"
#include "sources/shm_reader.h"

static char seg[64];
static snapshot s;

static void setup(void)
{
    t_segment(seg, sizeof seg, "hard");
    shm_unlink(seg);
    unsetenv("L1TOP_CAPACITY");
    unsetenv("L1TOP_SHM_MODE");
    unsetenv("L1TOP_SHM_ALLOW_SHARED");
    snapshot_init(&s);
}

static void teardown(void)
{
    shm_unlink(seg);
    snapshot_free(&s);
}

TestSuite(writer_hardening, .init = setup, .fini = teardown, .timeout = 60);

static shm_status take(void)
{
    shm_reader *r;
    char err[256];
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK, "%s", err);
    shm_status st = shm_reader_snapshot(r, &s, err, sizeof err);
    shm_reader_close(r);
    return st;
}

static l1top_writer *open_declared(void)
{
    l1top_writer *w = l1top_open(seg);
    cr_assert_not_null(w, "l1top_open: %s", strerror(errno));
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    return w;
}

/* Run fn in a child; its exit status (or 128 + signal). */
static int in_child(int (*fn)(l1top_writer *), l1top_writer *w)
{
    pid_t p = fork();
    if (p == 0)
        _exit(fn(w));
    int st;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- (c) a fork child must not use or wipe its parent's writer ---- */

static int child_uses_parent_writer(l1top_writer *w)
{
    l1top_range r = { 0, 0, 0, 0 };
    errno = 0;
    if (l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "child") != 0 || errno != ECHILD)
        return 1;
    errno = 0;
    if (l1top_release(w, ((uint64_t)1 << 32) | 1u) != -1 || errno != ECHILD)
        return 2;
    if (l1top_release_kind(w, 0, L1TOP_CIRCULAR_BUFFER) != -1 || errno != ECHILD)
        return 3;
    if (l1top_declare_device(w, 1, "wormhole_b0", 8, 8) != -1 || errno != ECHILD)
        return 4;
    l1top_close(w); /* drops the child's copy only */
    return 0;
}

Test(writer_hardening, fork_child_is_refused_and_its_close_keeps_the_parents_records)
{
    l1top_writer *w = open_declared();
    l1top_range r = { 0, 0, 7, 7 };
    uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 4096, "parent");
    cr_assert_neq(h, 0);
    cr_assert_eq(in_child(child_uses_parent_writer, w), 0, "the child got ECHILD everywhere");
    cr_assert_eq(take(), SHM_OK);
    cr_assert_eq(s.nregions, 1, "the parent's region survives the child's l1top_close");
    cr_assert_eq(s.nprocesses, 1);
    cr_assert_eq(s.processes[0].pid, getpid(), "and its slot is still the parent's");
    cr_assert_eq(l1top_release(w, h), 0, "the parent still owns its handle");
    l1top_close(w);
}

/* ---- (e) interleaved totals whose page count overflows ---- */

Test(writer_hardening, interleaved_total_that_overflows_is_refused)
{
    l1top_writer *w = open_declared();
    errno = 0;
    cr_assert_eq(l1top_record_interleaved(w, 0, 0x100000, UINT64_MAX, 2, "huge"), 0);
    cr_assert_eq(errno, EOVERFLOW);
    cr_assert_eq(l1top_record_interleaved(w, 0, 0x100000, ((uint64_t)1 << 48) + 1, 4096, "huge"), 0);
    cr_assert_eq(errno, EOVERFLOW);
    cr_assert_eq(take(), SHM_OK);
    cr_assert_eq(s.nregions + s.bad_records, 0, "nothing was written");
    l1top_close(w);
}

/* ---- (d) a device entry left mid-declaration by a dead writer ---- */

static struct l1top_shm_device *map_devices(unsigned char **m, size_t *size)
{
    int fd = shm_open(seg, O_RDWR, 0);
    struct stat st;
    fstat(fd, &st);
    *size = (size_t)st.st_size;
    *m = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    cr_assert_neq(*m, MAP_FAILED);
    return (struct l1top_shm_device *)(*m + shm_devices_offset());
}

Test(writer_hardening, device_left_odd_by_a_dead_writer_is_shown_and_repaired)
{
    l1top_writer *w = open_declared();
    unsigned char *m;
    size_t size;
    struct l1top_shm_device *d = map_devices(&m, &size);
    /* What a writer killed inside write_device leaves: seq odd, declared by
     * a slot that no live writer holds. */
    atomic_store(&d[0].declared_by, RECORD_OWNER(250, 7));
    atomic_fetch_add(&d[0].seq, 1);
    cr_assert(atomic_load(&d[0].seq) & 1u);
    cr_assert_eq(take(), SHM_OK);
    cr_assert_eq(s.ndevices, 1, "the reader recovers the entry of a dead declarer");
    /* Re-declaring the same geometry repairs the lock. */
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    cr_assert_eq(atomic_load(&d[0].seq) & 1u, 0, "seqlock even again");
    cr_assert_eq(take(), SHM_OK);
    cr_assert_eq(s.ndevices, 1);
    munmap(m, size);
    l1top_close(w);
}

Test(writer_hardening, device_being_declared_by_a_live_writer_is_not_taken_over)
{
    l1top_writer *w = open_declared();
    l1top_writer *w2 = l1top_open(seg);
    unsigned char *m;
    size_t size;
    struct l1top_shm_device *d = map_devices(&m, &size);
    uint64_t by = atomic_load(&d[0].declared_by); /* w, alive */
    atomic_fetch_add(&d[0].seq, 1);
    errno = 0;
    cr_assert_eq(l1top_declare_device(w2, 0, "wormhole_b0", 8, 8), -1);
    cr_assert_eq(errno, EBUSY);
    cr_assert_eq(atomic_load(&d[0].declared_by), by);
    cr_assert_eq(take(), SHM_OK);
    cr_assert_eq(s.ndevices, 0, "a live writer's half-written entry stays hidden");
    atomic_fetch_add(&d[0].seq, 1);
    munmap(m, size);
    l1top_close(w2);
    l1top_close(w);
}

/* ---- (b) foreign or loosely permitted segments ---- */

Test(writer_hardening, world_writable_segment_needs_an_opt_in)
{
    setenv("L1TOP_SHM_MODE", "0666", 1);
    l1top_writer *creator = l1top_open(seg); /* its creator chose the mode */
    unsetenv("L1TOP_SHM_MODE");
    cr_assert_not_null(creator);
    errno = 0;
    cr_assert_null(l1top_open(seg), "another writer does not attach to a world-writable segment");
    cr_assert_eq(errno, EACCES);
    setenv("L1TOP_SHM_ALLOW_SHARED", "1", 1);
    l1top_writer *w = l1top_open(seg);
    unsetenv("L1TOP_SHM_ALLOW_SHARED");
    cr_assert_not_null(w, "L1TOP_SHM_ALLOW_SHARED=1 opts in");
    l1top_close(w);
    l1top_close(creator);
}

Test(writer_hardening, segment_of_another_user_needs_an_opt_in)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to give the segment away");
    l1top_writer *creator = l1top_open(seg);
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", seg);
    cr_assert_eq(chown(path, 65534, 65534), 0);
    errno = 0;
    cr_assert_null(l1top_open(seg));
    cr_assert_eq(errno, EACCES);
    setenv("L1TOP_SHM_ALLOW_SHARED", "1", 1);
    l1top_writer *w = l1top_open(seg);
    unsetenv("L1TOP_SHM_ALLOW_SHARED");
    cr_assert_not_null(w);
    l1top_close(w);
    l1top_close(creator);
}

static int record_after_truncation(l1top_writer *unused)
{
    (void)unused;
    l1top_writer *w = l1top_open(seg);
    l1top_range r = { 0, 0, 0, 0 };
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0 ||
        l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "before") == 0)
        return 10;
    int fd = shm_open(seg, O_RDWR, 0);
    if (fd < 0 || ftruncate(fd, 0) != 0)
        return 11;
    close(fd);
    errno = 0;
    if (l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "after") != 0 || errno != EIO)
        return 1;
    errno = 0;
    if (l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "again") != 0 || errno != EIO)
        return 2;
    if (l1top_release_kind(w, 0, L1TOP_SEMAPHORE) != -1 || errno != EIO)
        return 3;
    l1top_close(w);
    return 0;
}

Test(writer_hardening, segment_truncated_under_a_writer_is_eio_not_sigbus)
{
    /* In a child, so that a SIGBUS (the bug) is seen as its exit status. */
    int rc = in_child(record_after_truncation, NULL);
    cr_assert_neq(rc, 128 + SIGBUS, "died of SIGBUS");
    cr_assert_eq(rc, 0, "child step %d", rc);
}

/* ---- full segment: dead writers' records are reclaimed before refusing ---- */

static int fill_and_die(l1top_writer *unused)
{
    (void)unused;
    l1top_writer *w = l1top_open(seg);
    l1top_range r = { 0, 0, 0, 0 };
    while (w && l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "doomed") != 0) {
    }
    raise(SIGKILL);
    return 1;
}

Test(writer_hardening, full_segment_reclaims_a_killed_writers_records_before_refusing)
{
    setenv("L1TOP_CAPACITY", "64", 1);
    l1top_writer *w = open_declared();
    unsetenv("L1TOP_CAPACITY");
    cr_assert_eq(in_child(fill_and_die, NULL), 128 + SIGKILL);
    cr_assert_eq(take(), SHM_OK);
    cr_assert_eq(s.stale_records, 64, "the killed writer still holds the whole segment");
    cr_assert_eq(s.dead_writers, 1);
    l1top_range r = { 1, 1, 1, 1 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "survivor"), 0,
                  "a survivor records without anyone calling l1top_open: %s", strerror(errno));
    cr_assert_eq(take(), SHM_OK);
    cr_assert_eq(s.nregions, 1);
    cr_assert_eq(s.dead_writers, 0);
    /* A truly full segment is still refused. */
    int placed = 1;
    while (l1top_record(w, 0, L1TOP_SEMAPHORE, &r, 1, 0x10000, 16, "more") != 0)
        placed++;
    cr_assert_eq(errno, ENOSPC);
    cr_assert_eq(placed, 64);
    l1top_close(w);
}

/* ---- (a) a reader racing a process that rewrites the header ---- */

static int flip_header_forever(l1top_writer *unused)
{
    (void)unused;
    int fd = shm_open(seg, O_RDWR, 0);
    struct l1top_shm_header *h = mmap(NULL, sizeof *h, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (h == MAP_FAILED)
        return 1;
    struct l1top_shm_header good;
    memcpy(&good, h, sizeof good);
    for (uint64_t i = 0;; i++) {
        volatile struct l1top_shm_header *v = h;
        bool bad = i & 1;
        v->writers_offset = bad ? (1ull << 40) + i : good.writers_offset;
        v->devices_offset = bad ? (1ull << 41) : good.devices_offset;
        v->records_offset = bad ? (1ull << 42) : good.records_offset;
        v->record_capacity = bad ? L1TOP_SHM_MAX_CAPACITY : good.record_capacity;
        atomic_store(&h->high_water, bad ? L1TOP_SHM_MAX_CAPACITY : good.record_capacity);
    }
    return 0;
}

Test(writer_hardening, reader_racing_header_flips_never_crashes)
{
    setenv("L1TOP_CAPACITY", "1024", 1);
    l1top_writer *w = open_declared();
    unsetenv("L1TOP_CAPACITY");
    l1top_range r = { 0, 0, 7, 7 };
    for (int i = 0; i < 200; i++)
        cr_assert_neq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000 + 64u * (unsigned)i, 64, "r"), 0);
    pid_t p = fork();
    if (p == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a crashed reader must not leave it spinning */
        _exit(getppid() == 1 ? 1 : flip_header_forever(NULL));
    }
    shm_reader *rd;
    char err[256];
    cr_assert_eq(shm_reader_open(seg, &rd, err, sizeof err), SHM_OK);
    int ok = 0, refused = 0;
    for (int i = 0; i < 3000; i++) {
        shm_status st = shm_reader_snapshot(rd, &s, err, sizeof err);
        cr_assert(st == SHM_OK || st == SHM_CORRUPT, "status %d: %s", st, err);
        if (st == SHM_OK) {
            ok++;
            cr_assert_leq(s.nregions, 200);
        } else {
            refused++;
        }
    }
    shm_reader_close(rd);
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
    cr_assert_gt(ok + refused, 0);
    l1top_close(w);
}
