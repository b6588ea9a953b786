/*
 * free_list.h - one address space of an L1 (or L1_SMALL) bank allocator,
 * [base, top): a buffer takes the same range on every bank, first fit from
 * the top, aligned down, as TT-Metal's allocator places L1 buffers. Used
 * where l1top must place buffers itself: traces without addresses
 * (NO_DISPATCH) and l1sim's simulated workload.
 */
#ifndef L1TOP_FREE_LIST_H
#define L1TOP_FREE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t lo, hi, maxlen;   /* a free range; maxlen: the longest in its subtree */
    uint32_t l, r, prio;
} free_range;

/* Zero it, set base and top, and use; free_list_free when done. */
typedef struct {
    free_range *v;             /* node pool; node 0 is the empty tree */
    size_t n, cap;
    uint32_t root, seed;
    bool started, oom;
    uint64_t base, top;
} free_list;

/* The highest aligned address where width fits: 0 (*addr set), or -1 when
 * nothing fits or memory ran out (oom is then set). */
int free_list_alloc(free_list *s, uint64_t width, uint64_t align, uint64_t *addr);
/* Mark a range placed by someone else as used (it may overlap others). */
int free_list_reserve(free_list *s, uint64_t lo, uint64_t width);
/* Give a range back (merged with the free space around it). */
void free_list_release(free_list *s, uint64_t lo, uint64_t width);
void free_list_free(free_list *s);

#endif
