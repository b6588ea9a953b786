/*
 * find.c - see find.h. Matching decodes UTF-8 itself (utf8_seq_len) so the
 * model does not depend on how the locale decodes; only the case folding
 * (towlower) is the locale's.
 */
#define _GNU_SOURCE /* qsort_r */
#include "model/find.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "model/accounting.h"
#include "utf8.h"

/* ---------- matching ---------- */

/* Not a character: a byte that starts no valid sequence, kept apart from
 * every code point so it only matches the same byte. */
#define RAW_BYTE_BASE 0x110000u

/* The character at *p, folded to lower case; advances *p past it. */
static uint32_t next_folded(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    if (s[0] < 0x80) { /* ASCII, most of what is searched: no locale call */
        (*p)++;
        return s[0] >= 'A' && s[0] <= 'Z' ? s[0] + ('a' - 'A') : s[0];
    }
    size_t n = utf8_seq_len(s, strnlen(*p, 4));
    if (n == 0) {
        (*p)++;
        return RAW_BYTE_BASE + s[0];
    }
    uint32_t c = n == 1 ? s[0] : n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
    for (size_t i = 1; i < n; i++)
        c = (c << 6) | (s[i] & 0x3Fu);
    *p += n;
    return (uint32_t)towlower((wint_t)c);
}

/* Whether needle matches hay at its start. */
static bool matches_at(const char *hay, const char *needle)
{
    while (*needle) {
        if (!*hay || next_folded(&hay) != next_folded(&needle))
            return false;
    }
    return true;
}

bool find_text_matches(const char *hay, const char *needle)
{
    if (!hay || !needle || !*needle)
        return false;
    for (const char *h = hay; *h;) {
        if (matches_at(h, needle))
            return true;
        (void)next_folded(&h); /* the next character's start */
    }
    return false;
}

bool find_region_matches(const snapshot *s, const snap_region *r, const char *needle)
{
    if (find_text_matches(r->tag, needle))
        return true;
    return r->process < s->nprocesses && find_text_matches(s->processes[r->process].name, needle);
}

/* ---------- marks ---------- */

int core_marks_init(core_marks *m, const snapshot *s)
{
    memset(m, 0, sizeof *m);
    size_t n = s->ndevices ? s->ndevices : 1, cores = 0;
    m->first = calloc(n, sizeof *m->first);
    m->count = calloc(n, sizeof *m->count);
    m->gx = calloc(n, sizeof *m->gx);
    m->gy = calloc(n, sizeof *m->gy);
    for (size_t d = 0; m->first && m->gx && m->gy && d < s->ndevices; d++) {
        m->first[d] = cores;
        m->gx[d] = s->devices[d].grid_x;
        m->gy[d] = s->devices[d].grid_y;
        cores += (size_t)m->gx[d] * m->gy[d];
    }
    m->mark = calloc(cores ? cores : 1, 1);
    if (!m->first || !m->count || !m->gx || !m->gy || !m->mark) {
        core_marks_free(m);
        return -1;
    }
    m->ndevices = s->ndevices;
    return 0;
}

void core_marks_free(core_marks *m)
{
    free(m->first);
    free(m->count);
    free(m->gx);
    free(m->gy);
    free(m->mark);
    memset(m, 0, sizeof *m);
}

/* The mark of core (x, y) of device dev, or NULL outside what m knows. */
static uint8_t *mark_of(const core_marks *m, size_t dev, uint16_t x, uint16_t y)
{
    if (dev >= m->ndevices || x >= m->gx[dev] || y >= m->gy[dev])
        return NULL;
    return &m->mark[m->first[dev] + (size_t)y * m->gx[dev] + x];
}

void core_marks_set(core_marks *m, size_t dev, uint16_t x, uint16_t y)
{
    uint8_t *c = mark_of(m, dev, x, y);
    if (c && !*c) {
        *c = 1;
        m->count[dev]++;
        m->total++;
    }
}

bool core_marked(const core_marks *m, size_t dev, uint16_t x, uint16_t y)
{
    const uint8_t *c = mark_of(m, dev, x, y);
    return c && *c;
}

/* Every core region r places bytes on. */
static void mark_region(core_marks *m, const snapshot *s, const snap_region *r)
{
    const snap_device *d = &s->devices[r->device];
    if (m->count[r->device] == (size_t)d->grid_x * d->grid_y)
        return; /* every core marked already */
    if (r->interleaved) { /* the banks its pages land on */
        uint32_t used = region_banks_used(s, r);
        for (uint32_t b = 0; b < used; b++)
            core_marks_set(m, r->device, (uint16_t)(b % d->grid_x), (uint16_t)(b / d->grid_x));
        return;
    }
    const l1top_range *g = snapshot_region_ranges(s, r);
    for (uint32_t i = 0; i < r->nranges; i++)
        for (uint32_t y = g[i].y0; y <= g[i].y1 && y < d->grid_y; y++)
            for (uint32_t x = g[i].x0; x <= g[i].x1 && x < d->grid_x; x++)
                core_marks_set(m, r->device, (uint16_t)x, (uint16_t)y);
}

int find_cores(const snapshot *s, const char *needle, core_marks *m)
{
    core_marks_free(m);
    if (core_marks_init(m, s) != 0)
        return -1;
    /* A process name is matched once, not once per region. */
    bool *proc_match = calloc(s->nprocesses ? s->nprocesses : 1, sizeof *proc_match);
    if (!proc_match) {
        core_marks_free(m);
        return -1;
    }
    for (size_t p = 0; p < s->nprocesses; p++)
        proc_match[p] = find_text_matches(s->processes[p].name, needle);
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *r = &s->regions[i];
        bool hit = (r->process < s->nprocesses && proc_match[r->process]) || find_text_matches(r->tag, needle);
        if (hit && r->device < s->ndevices)
            mark_region(m, s, r);
    }
    free(proc_match);
    return 0;
}

/* ---------- tags by bytes ---------- */

int find_op_length(const char *tag)
{
    return (int)strcspn(tag, " ");
}

typedef struct {
    const snapshot *s;
    bool by_op;
} group_ctx;

static int group_len(const group_ctx *g, const char *tag)
{
    return g->by_op ? find_op_length(tag) : (int)strlen(tag);
}

/* Names of two groups compared (a shorter prefix first). */
static int cmp_names(const char *a, int alen, const char *b, int blen)
{
    int c = memcmp(a, b, (size_t)(alen < blen ? alen : blen));
    return c ? c : (alen > blen) - (alen < blen);
}

/* qsort_r: regions by group, then process (so a run counts its processes). */
static int cmp_by_group(const void *a, const void *b, void *ctx)
{
    const group_ctx *g = ctx;
    const snap_region *ra = &g->s->regions[*(const uint32_t *)a], *rb = &g->s->regions[*(const uint32_t *)b];
    int c = cmp_names(ra->tag, group_len(g, ra->tag), rb->tag, group_len(g, rb->tag));
    return c ? c : (ra->process > rb->process) - (ra->process < rb->process);
}

static int cmp_by_bytes(const void *a, const void *b)
{
    const tag_total *ta = a, *tb = b;
    uint64_t x = ta->tracked + ta->untracked, y = tb->tracked + tb->untracked;
    if (x != y)
        return x > y ? -1 : 1;
    return cmp_names(ta->tag, ta->tag_len, tb->tag, tb->tag_len);
}

/* Adds region ri (of a run sorted by group) to its group's total. */
static void add_region(const snapshot *s, uint32_t ri, tag_total *cur, bool new_process)
{
    const snap_region *r = &s->regions[ri];
    uint64_t bytes = region_recorded_bytes(s, ri);
    l1_category c = category_of_kind(r->kind);
    if (c < CAT_COUNT && category_tracked(c))
        cur->tracked += bytes;
    else
        cur->untracked += bytes;
    cur->regions++;
    cur->processes += new_process;
}

int find_tags_by_bytes(const snapshot *s, uint32_t dev, bool by_op, tag_total **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    group_ctx g = { s, by_op };
    uint32_t *idx = malloc((s->nregions ? s->nregions : 1) * sizeof *idx);
    tag_total *t = calloc(s->nregions ? s->nregions : 1, sizeof *t);
    if (!idx || !t) {
        free(idx);
        free(t);
        return -1;
    }
    size_t m = 0, k = 0;
    for (size_t i = 0; i < s->nregions; i++)
        if (s->regions[i].device == dev)
            idx[m++] = (uint32_t)i;
    qsort_r(idx, m, sizeof *idx, cmp_by_group, &g);
    for (size_t i = 0; i < m; i++) {
        const snap_region *r = &s->regions[idx[i]], *prev = i ? &s->regions[idx[i - 1]] : NULL;
        int len = group_len(&g, r->tag);
        bool same = prev && cmp_names(r->tag, len, prev->tag, group_len(&g, prev->tag)) == 0;
        if (!same)
            t[k++] = (tag_total){ .tag = r->tag, .tag_len = len };
        add_region(s, idx[i], &t[k - 1], !same || r->process != prev->process);
    }
    free(idx);
    qsort(t, k, sizeof *t, cmp_by_bytes);
    *out = t;
    *n = k;
    return 0;
}
