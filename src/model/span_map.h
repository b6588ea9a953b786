/*
 * span_map.h - one core's L1 as elementary spans for the peak model
 * (peaks.c): each span [start, next start) carries how many regions of
 * each kind lie over it. Pure data structure.
 *
 * Spans live in chunks of SPAN_CHUNK, found through a small index of the
 * chunks' first addresses, so splitting a span or joining two moves at most
 * a chunk, not the whole core's map: a core under hundreds of overlapping
 * regions has hundreds of spans, and a change must not cost all of them.
 */
#ifndef L1TOP_SPAN_MAP_H
#define L1TOP_SPAN_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"

#define SPAN_CHUNK 32

typedef struct {
    uint32_t n;                                  /* spans used */
    uint32_t start[SPAN_CHUNK];
    uint32_t cover[SPAN_CHUNK][CAT_RECORDED + 1]; /* regions per kind 1..6 (index 0 unused) */
} span_chunk;

typedef struct {
    span_chunk **chunk;        /* in address order, none empty */
    uint32_t *first;           /* chunk[i]->start[0] */
    uint32_t n;
    size_t chunk_cap, first_cap;
    uint32_t end;              /* where the last span ends (the core's L1 size) */
} span_map;

/* A span: chunk ci, index k within it. */
typedef struct {
    uint32_t ci, k;
} span_pos;

/* One span per address in starts[0..n) (ascending, starts[0] == 0, all
 * below end), none covered. 0, or -1 when memory ran out. */
int span_map_init(span_map *m, const uint32_t *starts, size_t n, uint32_t end);
void span_map_free(span_map *m);

/* Make a span start at addr (< end) and return where it is; -1 on memory.
 * Splitting copies the cover of the span cut in two. */
int span_map_split(span_map *m, uint32_t addr, span_pos *at);

static inline uint32_t span_start(const span_map *m, span_pos p) { return m->chunk[p.ci]->start[p.k]; }
static inline uint32_t *span_cover(span_map *m, span_pos p) { return m->chunk[p.ci]->cover[p.k]; }
static inline uint32_t span_end(const span_map *m, span_pos p)
{
    const span_chunk *c = m->chunk[p.ci];
    return p.k + 1 < c->n ? c->start[p.k + 1] : p.ci + 1 < m->n ? m->first[p.ci + 1] : m->end;
}
/* The next span; false past the last. */
static inline bool span_next(const span_map *m, span_pos *p)
{
    if (p->k + 1 < m->chunk[p->ci]->n) {
        p->k++;
        return true;
    }
    if (p->ci + 1 < m->n) {
        p->ci++;
        p->k = 0;
        return true;
    }
    return false;
}

/* The span before p; false for the first. */
static inline bool span_prev(const span_map *m, span_pos *p)
{
    if (p->k > 0) {
        p->k--;
        return true;
    }
    if (p->ci > 0) {
        p->ci--;
        p->k = m->chunk[p->ci]->n - 1;
        return true;
    }
    return false;
}

/* Join neighbouring spans alike (same cover) from span `from` on, up to
 * the one starting at `to`, except across a span starting at one of
 * fixed[0..nfixed) (the zones accounting tells apart must stay apart). */
void span_map_merge(span_map *m, span_pos from, uint32_t to, const uint32_t *fixed, size_t nfixed);

/* Spans in the map (tests). */
size_t span_map_count(const span_map *m);

#endif
