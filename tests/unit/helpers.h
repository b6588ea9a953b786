/*
 * helpers.h - building snapshots by hand for the unit tests.
 */
#ifndef L1TOP_TEST_HELPERS_H
#define L1TOP_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "arch.h"
#include "views/output.h"
#include "model/snapshot.h"

static inline snap_device *t_device(snapshot *s, uint32_t id, const char *arch, uint16_t gx, uint16_t gy)
{
    const arch_info *a = arch_by_name(arch);
    snap_device *d = snapshot_add_device(s);
    d->id = id;
    d->arch = a->id;
    snprintf(d->arch_name, sizeof d->arch_name, "%s", a->name);
    d->grid_x = gx;
    d->grid_y = gy;
    d->l1_size = a->l1_size;
    d->unreserved_base = a->unreserved_base;
    d->alignment = a->alignment;
    return d;
}

static inline uint32_t t_process(snapshot *s, int32_t pid, const char *name)
{
    snap_process *p = snapshot_add_process(s);
    p->pid = pid;
    snprintf(p->name, sizeof p->name, "%s", name);
    return (uint32_t)(s->nprocesses - 1);
}

static inline snap_region *t_region(snapshot *s, uint32_t dev, uint32_t proc, l1top_kind kind, l1top_range r,
                                    uint32_t addr, uint32_t size, const char *tag)
{
    snap_region *g = snapshot_add_region(s, &r, 1);
    g->device = dev;
    g->process = proc;
    g->kind = (uint8_t)kind;
    g->address = addr;
    g->size_per_core = size;
    snprintf(g->tag, sizeof g->tag, "%s", tag);
    return g;
}

static inline snap_region *t_interleaved(snapshot *s, uint32_t dev, uint32_t proc, uint32_t addr, uint64_t total,
                                         uint32_t page)
{
    snap_region *g = snapshot_add_region(s, NULL, 0);
    g->device = dev;
    g->process = proc;
    g->kind = L1TOP_L1_BUFFER;
    g->interleaved = true;
    g->address = addr;
    g->total_size = total;
    g->page_size = page;
    snprintf(g->tag, sizeof g->tag, "interleaved");
    return g;
}

/* What an output function prints for s and a, as a string. Caller frees. */
static inline char *t_render(int (*fn)(FILE *, const snapshot *, const accounting *, const output_options *),
                             const snapshot *s, const accounting *a, const output_options *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(fn(f, s, a, o), 0);
    fclose(f);
    return buf;
}

/* What a writer prints (fn(f, ctx) returning 0), as a string. Caller frees. */
typedef int (*t_writer)(FILE *f, const void *ctx);
static inline char *t_capture(t_writer fn, const void *ctx)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_eq(fn(f, ctx), 0);
    fclose(f);
    return buf;
}

/* A segment name unique to this test process. */
static inline const char *t_segment(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, "/l1top-test-%s-%d", what, (int)getpid());
    return buf;
}

/* A whole file into memory (64 bytes spare to grow it), its size in *n. */
static inline unsigned char *t_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *d = malloc(*n + 64);
    cr_assert_not_null(d);
    cr_assert_eq(fread(d, 1, *n, f), *n);
    fclose(f);
    return d;
}

static inline void t_spit(const char *path, const unsigned char *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(d, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

#endif
