/*
 * l1top.h - the l1top writer library (libl1top).
 *
 * An instrumented process records every L1 region it places on a
 * Tenstorrent device (buffers, L1_SMALL, circular buffers, kernel code,
 * semaphores, runtime areas) into a POSIX shared-memory segment that the
 * l1top monitor reads. Recording and releasing take no cross-process lock,
 * make no system call and allocate nothing; they are safe from many
 * threads of one process and from many processes at once.
 *
 * The segment layout is documented in docs/shm-format.md.
 *
 * Errors every call may return besides those listed with it:
 *   ECHILD  the calling process is a fork() child of the one that opened
 *           the writer: the writer (and its records) stay the parent's;
 *           call l1top_open() in the child. l1top_close() in the child
 *           only frees the child's copy.
 *   EIO     the segment was truncated under the writer by another
 *           process; nothing more is recorded (the access that met the
 *           truncation is absorbed, not a SIGBUS). l1top_close() it.
 *
 * Signals: the first l1top_open() installs a SIGBUS handler that handles
 * faults inside writer mappings only and passes every other SIGBUS on to
 * the handler installed before it (or the default action).
 */
#ifndef L1TOP_H
#define L1TOP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define L1TOP_VERSION_MAJOR 0
#define L1TOP_VERSION_MINOR 1
#define L1TOP_VERSION_PATCH 0
#define L1TOP_VERSION_STRING "0.1.0"

#if defined(L1TOP_BUILDING_SHARED) && defined(__GNUC__)
#define L1TOP_API __attribute__((visibility("default")))
#else
#define L1TOP_API
#endif

typedef struct l1top_writer l1top_writer;

typedef enum {
    L1TOP_L1_BUFFER = 1,   /* explicit L1 buffer, interleaved or sharded: tracked by the allocator */
    L1TOP_L1_SMALL,        /* L1_SMALL buffer: tracked */
    L1TOP_CIRCULAR_BUFFER, /* untracked from here on */
    L1TOP_KERNEL_CODE,
    L1TOP_SEMAPHORE,
    L1TOP_RUNTIME          /* runtime args, CB configs, dispatch scratch */
} l1top_kind;

typedef struct { uint16_t x0, y0, x1, y1; } l1top_range; /* inclusive rectangle of logical worker cores */

/* Open (and create if absent) the segment. NULL: $L1TOP_SHM, else "/l1top".
 * Returns NULL with errno on failure: EACCES when the segment exists but
 * belongs to another user or is group/world-writable (anyone who can write
 * it can change or truncate it under you) unless $L1TOP_SHM_ALLOW_SHARED
 * is "1"; EPROTO for a foreign or other-version object; EUSERS when all
 * 256 writer slots are held by live processes; EINVAL when creating it and
 * $L1TOP_CAPACITY, $L1TOP_RINGS or $L1TOP_RING_SLOTS is malformed.
 * Every record and release is also logged to an event ring of the calling
 * thread (one per thread, claimed on its first call), so l1top sees even
 * regions that live between two of its refreshes (docs/shm-format.md). */
L1TOP_API l1top_writer *l1top_open(const char *segment);

/* Declare a device before recording on it. arch: "grayskull", "wormhole_b0",
 * "blackhole"; grid: the compute grid the program sees. 0, or -1 with errno
 * (EINVAL bad arch/grid, EEXIST declared differently by a live writer,
 * EBUSY being declared by another live writer right now, ENOSPC device
 * table full). An entry left half-written by a writer that died is
 * repaired by the next declaration. */
L1TOP_API int l1top_declare_device(l1top_writer *w, uint32_t device, const char *arch,
                         uint16_t grid_x, uint16_t grid_y);

/* Record a region of size_per_core bytes at the same address on every core
 * of the given ranges. Returns a handle > 0, or 0 with errno (EINVAL bad
 * argument, ENODEV undeclared device, ENOSPC segment full: refused only
 * after the records of dead writers were reclaimed). */
L1TOP_API uint64_t l1top_record(l1top_writer *w, uint32_t device, l1top_kind kind,
                      const l1top_range *ranges, size_t nranges,
                      uint32_t address, uint32_t size_per_core, const char *tag);

/* Record an interleaved L1 buffer: total_size bytes in pages of page_size,
 * spread round-robin over one bank per worker core at the same address.
 * EOVERFLOW when total_size exceeds 2^48 bytes (its page count could
 * overflow), EINVAL when a bank's share does not fit in L1. */
L1TOP_API uint64_t l1top_record_interleaved(l1top_writer *w, uint32_t device, uint32_t address,
                                  uint64_t total_size, uint32_t page_size, const char *tag);

/* Release one recorded region. 0, or -1 with errno EINVAL (unknown handle). */
L1TOP_API int l1top_release(l1top_writer *w, uint64_t handle);

/* Release every region of one kind this writer holds on a device (e.g. all
 * circular buffers at program end). Returns the number released, or -1. */
L1TOP_API int l1top_release_kind(l1top_writer *w, uint32_t device, l1top_kind kind);

/* Release everything this writer recorded and detach. NULL is allowed. */
L1TOP_API void l1top_close(l1top_writer *w);

/* ---- additions beyond the core API ---- */

/* Device configuration beyond the arch defaults. Zero fields keep the default. */
typedef struct {
    uint32_t l1_small_size;   /* L1_SMALL region at the top of L1 (default 0) */
    uint32_t l1_size;         /* override L1 bytes per core (default: the arch's) */
    uint32_t unreserved_base; /* override L1_UNRESERVED_BASE (default: the arch's) */
} l1top_device_config;

L1TOP_API int l1top_declare_device_config(l1top_writer *w, uint32_t device, const char *arch,
                                uint16_t grid_x, uint16_t grid_y,
                                const l1top_device_config *cfg);

/* Where a declared chip sits on its board's mesh: the row and column of its
 * MeshDevice coordinate (a T3000 is 2x4, a Galaxy 8x4), so l1top's
 * overview lays the chips out as the board does; chip ids do not follow the
 * mesh. 0, or -1 with errno (EINVAL row or col >= L1TOP_DEVICE_MESH_MAX, ENODEV undeclared
 * device). The place is the entry's: it stays until the chip is declared
 * anew. */
#define L1TOP_DEVICE_MESH_MAX 1024u /* rows and columns of a mesh place are below this */
L1TOP_API int l1top_set_device_mesh(l1top_writer *w, uint32_t device, uint16_t row, uint16_t col);

/* Set the process label shown by l1top (default: the process's comm). */
L1TOP_API int l1top_set_label(l1top_writer *w, const char *label);

/* Library version, "MAJOR.MINOR.PATCH". */
L1TOP_API const char *l1top_version(void);

/* Layout version of the segments this library writes. */
L1TOP_API uint32_t l1top_layout_version(void);

#ifdef __cplusplus
}
#endif

#endif /* L1TOP_H */
