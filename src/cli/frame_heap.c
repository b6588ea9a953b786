/*
 * frame_heap.c - keep a frame's memory for the next one (see frame_heap.h).
 */
#include "cli/frame_heap.h"

#include <stdlib.h> /* defines __GLIBC__ under glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Freed memory kept for reuse, and the size below which blocks come from
 * the heap (glibc caps that one at 32 MiB on 64-bit systems). */
#define FRAME_HEAP_KEEP (256 << 20)
#define FRAME_HEAP_MMAP_MIN (32 << 20)

void frame_heap_keep(void)
{
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, FRAME_HEAP_KEEP);
    mallopt(M_MMAP_THRESHOLD, FRAME_HEAP_MMAP_MIN);
#endif
}
