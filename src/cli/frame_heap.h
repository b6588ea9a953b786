/*
 * frame_heap.h - how a long-running l1top keeps its heap between frames.
 */
#ifndef L1TOP_FRAME_HEAP_H
#define L1TOP_FRAME_HEAP_H

/* Every refresh allocates and frees the same few MiB (the accounting's
 * working memory, its results); by default glibc hands the top of the heap
 * back to the kernel past 128 KiB and maps larger blocks afresh, so each
 * frame faulted all of it in again (a fifth of a frame at 8 chips x 2,000
 * regions). Keep freed memory (up to FRAME_HEAP_KEEP) for the next frame.
 * No-op without glibc. */
void frame_heap_keep(void);

#endif
