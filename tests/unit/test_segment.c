/*
 * The segment: creation, attach, modes, capacity, validation of every
 * header field, hostile record fields, dead writers.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "helpers.h"
#include "l1top.h"
#include "shm_format.h"
#include "sources/shm_reader.h"

static char seg[64];
/* Bytes of a segment of the default geometry. */
#define DEFAULT_SIZE shm_total_size(65536, L1TOP_SHM_DEFAULT_RINGS, L1TOP_SHM_DEFAULT_RING_SLOTS)

static void setup(void)
{
    t_segment(seg, sizeof seg, "seg");
    shm_unlink(seg);
    unsetenv("L1TOP_CAPACITY");
    unsetenv("L1TOP_SHM_MODE");
}
static void teardown(void) { shm_unlink(seg); }

TestSuite(segment, .init = setup, .fini = teardown);

/* A private copy of the whole segment. */
static unsigned char *image_of(const char *name, size_t *size)
{
    int fd = shm_open(name, O_RDONLY, 0);
    cr_assert_geq(fd, 0);
    struct stat st;
    fstat(fd, &st);
    unsigned char *buf = malloc((size_t)st.st_size);
    cr_assert_eq(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
    close(fd);
    *size = (size_t)st.st_size;
    return buf;
}

static int all_alive(int32_t pid, uint64_t t) { (void)pid; (void)t; return 1; }
static int none_alive(int32_t pid, uint64_t t) { (void)pid; (void)t; return 0; }

Test(segment, created_with_documented_header_and_mode_0600)
{
    l1top_writer *w = l1top_open(seg);
    cr_assert_not_null(w);
    size_t size;
    unsigned char *img = image_of(seg, &size);
    const struct l1top_shm_header *h = (const void *)img;
    cr_assert_eq(memcmp(h->magic, "L1TOPSHM", 8), 0);
    cr_assert_eq(h->version, 3);
    cr_assert_eq(h->record_capacity, 65536, "at least 65,536 live regions by default");
    cr_assert_eq(h->total_size, size);
    cr_assert_eq(size, 256 + 256 * 64 + 64 * 64 + 64 * 64 + 65536 * 128 + 64 * (64 + 2048 * 64));
    cr_assert_eq(h->rings_offset, 256 + 256 * 64 + 64 * 64 + 64 * 64 + 65536 * 128);
    cr_assert_eq(h->nrings, 64);
    cr_assert_eq(h->ring_slots, 2048);
    struct stat st;
    int fd = shm_open(seg, O_RDONLY, 0);
    fstat(fd, &st);
    close(fd);
    cr_assert_eq(st.st_mode & 0777, 0600);
    free(img);
    l1top_close(w);
}

Test(segment, capacity_and_mode_from_environment)
{
    setenv("L1TOP_CAPACITY", "1000", 1);
    setenv("L1TOP_SHM_MODE", "0640", 1);
    l1top_writer *w = l1top_open(seg);
    cr_assert_not_null(w);
    size_t size;
    unsigned char *img = image_of(seg, &size);
    cr_assert_eq(((const struct l1top_shm_header *)(const void *)img)->record_capacity, 1000);
    struct stat st;
    int fd = shm_open(seg, O_RDONLY, 0);
    fstat(fd, &st);
    close(fd);
    cr_assert_eq(st.st_mode & 0777, 0640);
    free(img);
    l1top_close(w);
    shm_unlink(seg);
    setenv("L1TOP_CAPACITY", "3", 1);
    cr_assert_null(l1top_open(seg), "capacity below the minimum");
    cr_assert_eq(errno, EINVAL);
    setenv("L1TOP_CAPACITY", "100", 1);
    setenv("L1TOP_SHM_MODE", "999", 1);
    cr_assert_null(l1top_open(seg), "bad mode");
    cr_assert_eq(errno, EINVAL);
}

Test(segment, second_writer_attaches_to_existing_segment)
{
    l1top_writer *a = l1top_open(seg), *b = l1top_open(seg);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_eq(l1top_declare_device(a, 0, "blackhole", 11, 10), 0);
    l1top_range r = { 0, 0, 10, 9 };
    cr_assert_neq(l1top_record(b, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x19B40, 1024, "cb"), 0);
    snapshot s;
    snapshot_init(&s);
    size_t size;
    unsigned char *img = image_of(seg, &size);
    char err[256];
    cr_assert_eq(shm_image_snapshot(img, size, all_alive, &s, err, sizeof err), SHM_OK);
    cr_assert_eq(s.nprocesses, 2, "two slots, same pid");
    cr_assert_eq(s.nregions, 1);
    cr_assert_str_eq(s.devices[0].arch_name, "blackhole");
    cr_assert_eq(s.devices[0].l1_size, 1572864);
    /* Writers whose processes are gone disappear with their records. */
    cr_assert_eq(shm_image_snapshot(img, size, none_alive, &s, err, sizeof err), SHM_OK);
    cr_assert_eq(s.nprocesses, 0);
    cr_assert_eq(s.nregions, 0);
    cr_assert_eq(s.stale_records, 1);
    cr_assert_eq(s.dead_writers, 2);
    snapshot_free(&s);
    free(img);
    l1top_close(a);
    l1top_close(b);
}

Test(segment, foreign_segment_is_refused_by_writer_and_reader)
{
    int fd = shm_open(seg, O_RDWR | O_CREAT | O_EXCL, 0600);
    cr_assert_geq(fd, 0);
    char junk[4096];
    memset(junk, 'Z', sizeof junk);
    cr_assert_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    cr_assert_null(l1top_open(seg), "a writer must not scribble on a foreign segment");
    cr_assert_eq(errno, EPROTO);
    shm_reader *r;
    char err[256];
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK);
    snapshot s;
    snapshot_init(&s);
    cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_CORRUPT);
    cr_assert(strstr(err, "bad magic") != NULL, "%s", err);
    shm_reader_close(r);
    snapshot_free(&s);
}

Test(segment, missing_segment_is_reported_as_missing)
{
    shm_reader *r;
    char err[256];
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_MISSING);
}

/* Change one header field of a valid image; the reader must refuse it. */
static void expect_rejected(size_t offset, size_t width, uint64_t value, const char *needle)
{
    l1top_writer *w = l1top_open(seg);
    cr_assert_not_null(w);
    size_t size;
    unsigned char *img = image_of(seg, &size);
    memcpy(img + offset, &value, width); /* little-endian host */
    snapshot s;
    snapshot_init(&s);
    char err[256] = "";
    cr_assert_eq(shm_image_snapshot(img, size, all_alive, &s, err, sizeof err), SHM_CORRUPT,
                 "field at %zu = %llu accepted", offset, (unsigned long long)value);
    cr_assert(strstr(err, needle) != NULL, "'%s' lacks '%s'", err, needle);
    snapshot_free(&s);
    free(img);
    l1top_close(w);
}

#define OFF(f) offsetof(struct l1top_shm_header, f)
#define W(f) sizeof(((struct l1top_shm_header *)0)->f)

Test(segment, every_header_field_is_validated)
{
    expect_rejected(0, 1, 'X', "bad magic");
    expect_rejected(OFF(version), W(version), 1, "layout version 1");
    expect_rejected(OFF(version), W(version), 2, "layout version 2, this l1top reads version 3");
    expect_rejected(OFF(rings_offset), W(rings_offset), 4096, "event rings");
    expect_rejected(OFF(nrings), W(nrings), 0, "total_size");
    expect_rejected(OFF(nrings), W(nrings), 2000, "event rings");
    expect_rejected(OFF(nrings), W(nrings), 63, "total_size");
    expect_rejected(OFF(ring_slots), W(ring_slots), 1000, "event rings");
    expect_rejected(OFF(ring_slots), W(ring_slots), 4096, "total_size");
    expect_rejected(OFF(event_size), W(event_size), 128, "event rings");
    expect_rejected(OFF(ring_header_size), W(ring_header_size), 0, "event rings");
    expect_rejected(OFF(stripes_offset), W(stripes_offset), 0, "stripe table");
    expect_rejected(OFF(nstripes), W(nstripes), 1000, "stripe table");
    expect_rejected(OFF(stripe_size), W(stripe_size), 8, "stripe table");
    expect_rejected(OFF(header_size), W(header_size), 128, "header_size");
    expect_rejected(OFF(max_writers), W(max_writers), 100000, "writer table");
    expect_rejected(OFF(writer_size), W(writer_size), 8, "writer table");
    expect_rejected(OFF(max_devices), W(max_devices), 0, "device table");
    expect_rejected(OFF(device_size), W(device_size), 65, "device table");
    expect_rejected(OFF(record_capacity), W(record_capacity), 0xFFFFFFFF, "record table");
    expect_rejected(OFF(record_capacity), W(record_capacity), 1024, "event rings"); /* rings follow the records */
    expect_rejected(OFF(record_size), W(record_size), 64, "record table");
    expect_rejected(OFF(writers_offset), W(writers_offset), 1ull << 40, "offsets");
    expect_rejected(OFF(devices_offset), W(devices_offset), 0, "offsets");
    expect_rejected(OFF(records_offset), W(records_offset), 7, "offsets");
    expect_rejected(OFF(total_size), W(total_size), 1ull << 62, "total_size");
    expect_rejected(OFF(high_water), W(high_water), 70000, "high_water");
}

Test(segment, truncated_image_is_rejected)
{
    l1top_writer *w = l1top_open(seg);
    size_t size;
    unsigned char *img = image_of(seg, &size);
    snapshot s;
    snapshot_init(&s);
    char err[256];
    cr_assert_eq(shm_image_snapshot(img, 100, all_alive, &s, err, sizeof err), SHM_CORRUPT);
    cr_assert(strstr(err, "truncated") != NULL);
    cr_assert_eq(shm_image_snapshot(img, size - 1, all_alive, &s, err, sizeof err), SHM_CORRUPT);
    cr_assert(strstr(err, "truncated") != NULL);
    snapshot_free(&s);
    free(img);
    l1top_close(w);
}

Test(segment, live_segment_truncated_under_the_reader_is_an_error_not_a_crash)
{
    l1top_writer *w = l1top_open(seg);
    shm_reader *r;
    char err[256];
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK);
    snapshot s;
    snapshot_init(&s);
    cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_OK);
    int fd = shm_open(seg, O_RDWR, 0);
    cr_assert_eq(ftruncate(fd, 4096), 0);
    close(fd);
    cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_CORRUPT);
    shm_reader_close(r);
    snapshot_free(&s);
    /* Give the writer its file back before it releases through the mapping. */
    fd = shm_open(seg, O_RDWR, 0);
    cr_assert_eq(ftruncate(fd, (off_t)DEFAULT_SIZE), 0);
    close(fd);
    l1top_close(w);
}

Test(segment, hostile_records_are_skipped_and_counted)
{
    l1top_writer *w = l1top_open(seg);
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    l1top_range r = { 0, 0, 7, 7 };
    for (int i = 0; i < 8; i++)
        cr_assert_neq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 64, "ok"), 0);
    size_t size;
    unsigned char *img = image_of(seg, &size);
    struct l1top_shm_record *rec = (void *)(img + shm_records_offset());
    /* Find the 8 used records (the writer may not start at index 0). */
    struct l1top_shm_record *used[8];
    int n = 0;
    for (uint32_t i = 0; i < 65536 && n < 8; i++)
        if (rec[i].kind)
            used[n++] = &rec[i];
    cr_assert_eq(n, 8);
    used[0]->kind = 9;
    used[1]->nranges = 200;
    used[2]->ranges[0].x1 = 60000;
    used[3]->address = 0xFFFFFFF0u;
    used[4]->device = 77;
    used[5]->flags = 0x80;
    used[6]->next = 0xFFFFFFFFu; /* a chain to nowhere: the region is left out */
    snapshot s;
    snapshot_init(&s);
    char err[256];
    cr_assert_eq(shm_image_snapshot(img, size, all_alive, &s, err, sizeof err), SHM_OK, "%s", err);
    cr_assert_eq(s.bad_records, 7);
    cr_assert_eq(s.nregions, 1);
    snapshot_free(&s);
    free(img);
    l1top_close(w);
}

Test(segment, dead_writer_slot_is_reaped_and_reused)
{
    l1top_writer *w = l1top_open(seg);
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    /* Forge a slot of a process that cannot exist, holding one record. */
    int fd = shm_open(seg, O_RDWR, 0);
    unsigned char *m = mmap(NULL, DEFAULT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    struct l1top_shm_writer *ws = (void *)(m + shm_writers_offset());
    struct l1top_shm_record *rs = (void *)(m + shm_records_offset());
    atomic_store(&ws[200].word, SLOT_WORD(0x7FFFFFF0, 5, SLOT_ACTIVE));
    atomic_store(&rs[60000].owner, RECORD_OWNER(200, 5));
    rs[60000].data_owner = RECORD_OWNER(200, 5);
    rs[60000].kind = L1TOP_CIRCULAR_BUFFER;
    rs[60000].nranges = 1;
    rs[60000].ranges[0] = (l1top_range){ 0, 0, 0, 0 };
    rs[60000].address = 0x20000;
    rs[60000].size_per_core = 64;
    atomic_store(&((struct l1top_shm_header *)(void *)m)->high_water, 60001);
    shm_reader *r;
    char err[256];
    snapshot s;
    snapshot_init(&s);
    cr_assert_eq(shm_reader_open(seg, &r, err, sizeof err), SHM_OK);
    cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_OK);
    cr_assert_eq(s.nregions, 0, "a dead pid's records are not shown");
    cr_assert_eq(s.dead_writers, 1);
    /* A new writer reaps the slot. */
    l1top_writer *w2 = l1top_open(seg);
    cr_assert_eq(SLOT_STATE(atomic_load(&ws[200].word)), SLOT_FREE);
    cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_OK);
    cr_assert_eq(s.dead_writers, 0);
    cr_assert_eq(s.stale_records, 0, "the reaper freed the dead writer's record");
    cr_assert_eq(atomic_load(&rs[60000].owner), 0);
    shm_reader_close(r);
    snapshot_free(&s);
    munmap(m, DEFAULT_SIZE);
    l1top_close(w2);
    l1top_close(w);
}

Test(segment, names_are_resolved_like_posix_shm)
{
    l1top_writer *w = l1top_open("l1top-test-noslash");
    cr_assert_not_null(w, "a leading slash is added");
    l1top_close(w);
    shm_unlink("/l1top-test-noslash");
    cr_assert_null(l1top_open("/a/b"));
    cr_assert_eq(errno, EINVAL);
}

Test(segment, oversized_object_is_read_within_its_header_size)
{
    l1top_writer *w = l1top_open(seg);
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    size_t size;
    unsigned char *img = image_of(seg, &size);
    unsigned char *big = calloc(1, size + 1000000);
    memcpy(big, img, size);
    snapshot s;
    snapshot_init(&s);
    char err[256];
    cr_assert_eq(shm_image_snapshot(big, size + 1000000, all_alive, &s, err, sizeof err), SHM_OK, "%s", err);
    cr_assert_eq(s.ndevices, 1);
    snapshot_free(&s);
    free(big);
    free(img);
    l1top_close(w);
}
