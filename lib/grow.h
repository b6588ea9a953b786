/*
 * grow.h - the one growable-array helper: room for more elements in a
 * realloc'd array, its capacity doubling (from 16) so appends cost O(1)
 * amortised; sizes that would overflow are refused, never wrapped.
 */
#ifndef L1TOP_GROW_H
#define L1TOP_GROW_H

#include <stddef.h>

/* Make the array *v (elements of `size` bytes, capacity *cap, n in use)
 * hold n + extra. 0, or -1 when out of memory or too large: then *v and
 * *cap are unchanged. */
int grow_array(void **v, size_t *cap, size_t n, size_t extra, size_t size);

#endif
