/*
 * span_map.c - chunked span maps (see span_map.h).
 */
#include "model/span_map.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* Put a new empty chunk at index ci. */
static span_chunk *insert_chunk(span_map *m, uint32_t ci)
{
    span_chunk *c = malloc(sizeof *c);
    if (!c || grow_array((void **)&m->chunk, &m->chunk_cap, m->n, 1, sizeof(span_chunk *)) ||
        grow_array((void **)&m->first, &m->first_cap, m->n, 1, sizeof *m->first)) {
        free(c);
        return NULL;
    }
    memmove(&m->chunk[ci + 1], &m->chunk[ci], (m->n - ci) * sizeof(span_chunk *));
    memmove(&m->first[ci + 1], &m->first[ci], (m->n - ci) * sizeof *m->first);
    m->chunk[ci] = c;
    c->n = 0;
    m->n++;
    return c;
}

static void remove_chunk(span_map *m, uint32_t ci)
{
    free(m->chunk[ci]);
    memmove(&m->chunk[ci], &m->chunk[ci + 1], (m->n - ci - 1) * sizeof(span_chunk *));
    memmove(&m->first[ci], &m->first[ci + 1], (m->n - ci - 1) * sizeof *m->first);
    m->n--;
}

int span_map_init(span_map *m, const uint32_t *starts, size_t n, uint32_t end)
{
    memset(m, 0, sizeof *m);
    m->end = end;
    for (size_t i = 0; i < n; i++) {
        span_chunk *c = m->n && m->chunk[m->n - 1]->n < SPAN_CHUNK ? m->chunk[m->n - 1] : insert_chunk(m, m->n);
        if (!c) {
            span_map_free(m);
            return -1;
        }
        c->start[c->n] = starts[i];
        memset(c->cover[c->n], 0, sizeof c->cover[0]);
        if (c->n++ == 0)
            m->first[m->n - 1] = starts[i];
    }
    return 0;
}

void span_map_free(span_map *m)
{
    for (uint32_t i = 0; i < m->n; i++)
        free(m->chunk[i]);
    free(m->chunk);
    free(m->first);
    memset(m, 0, sizeof *m);
}

/* The span holding addr: the last whose start is <= addr. */
static span_pos find(const span_map *m, uint32_t addr)
{
    uint32_t ci = (uint32_t)sorted_last_at_most(m->first, m->n, addr);
    return (span_pos){ ci, (uint32_t)sorted_last_at_most(m->chunk[ci]->start, m->chunk[ci]->n, addr) };
}

int span_map_split(span_map *m, uint32_t addr, span_pos *at)
{
    span_pos p = find(m, addr);
    span_chunk *c = m->chunk[p.ci];
    if (c->start[p.k] == addr) {
        *at = p;
        return 0;
    }
    if (c->n == SPAN_CHUNK) { /* full: its upper half moves to a new chunk after it */
        span_chunk *up = insert_chunk(m, p.ci + 1);
        if (!up)
            return -1;
        c = m->chunk[p.ci];
        uint32_t half = SPAN_CHUNK / 2;
        up->n = SPAN_CHUNK - half;
        memcpy(up->start, &c->start[half], up->n * sizeof c->start[0]);
        memcpy(up->cover, &c->cover[half], up->n * sizeof c->cover[0]);
        c->n = half;
        m->first[p.ci + 1] = up->start[0];
        if (p.k >= half) {
            p.ci++;
            p.k -= half;
            c = up;
        }
    }
    uint32_t k = p.k + 1;
    memmove(&c->start[k + 1], &c->start[k], (c->n - k) * sizeof c->start[0]);
    memmove(&c->cover[k + 1], &c->cover[k], (c->n - k) * sizeof c->cover[0]);
    c->start[k] = addr;
    memcpy(c->cover[k], c->cover[p.k], sizeof c->cover[0]);
    c->n++;
    *at = (span_pos){ p.ci, k };
    return 0;
}

/* Drop span p (its bytes go to the span before it). */
static void remove_span(span_map *m, span_pos p)
{
    span_chunk *c = m->chunk[p.ci];
    memmove(&c->start[p.k], &c->start[p.k + 1], (c->n - p.k - 1) * sizeof c->start[0]);
    memmove(&c->cover[p.k], &c->cover[p.k + 1], (c->n - p.k - 1) * sizeof c->cover[0]);
    if (--c->n == 0)
        remove_chunk(m, p.ci);
    else if (p.k == 0)
        m->first[p.ci] = c->start[0];
}

static bool is_fixed(uint32_t addr, const uint32_t *fixed, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fixed[i] == addr)
            return true;
    return false;
}

void span_map_merge(span_map *m, span_pos from, uint32_t to, const uint32_t *fixed, size_t nfixed)
{
    span_pos p = from;
    for (;;) {
        span_pos q = p;
        if (!span_next(m, &q) || span_start(m, q) > to)
            return;
        uint32_t s = span_start(m, q);
        if (!is_fixed(s, fixed, nfixed) &&
            memcmp(span_cover(m, p), span_cover(m, q), sizeof m->chunk[0]->cover[0]) == 0) {
            remove_span(m, q); /* p now ends where q did (p itself did not move); look at its new neighbour */
            continue;
        }
        p = q;
    }
}

size_t span_map_count(const span_map *m)
{
    size_t n = 0;
    for (uint32_t i = 0; i < m->n; i++)
        n += m->chunk[i]->n;
    return n;
}
