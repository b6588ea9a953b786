/* libFuzzer target: the writer API driven by random calls (bytes are a
 * program of operations with hostile arguments: huge sizes, 2^32 and 2^64
 * totals, bad kinds and grids, invalid UTF-8 labels and tags) on a small
 * private segment, with the reader taking a snapshot after every call.
 * Invariants: the reader never fails on what a writer wrote, never shows
 * more regions than the writer holds, and nothing once the writer closed.
 * Each input gets a fresh segment, removed at the end. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/accounting.h"
#include "l1top.h"
#include "sources/shm_reader.h"

#define MAX_HANDLES 256

typedef struct {
    const uint8_t *p;
    size_t left;
} cursor;

static uint64_t take(cursor *c, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes && c->left; i++, c->p++, c->left--)
        v |= (uint64_t)*c->p << (8 * i);
    return v;
}

/* Up to max bytes of the input as a NUL-terminated string (any bytes). */
static void take_text(cursor *c, char *out, size_t max)
{
    size_t n = (size_t)take(c, 1) % max;
    size_t i = 0;
    for (; i < n && c->left; i++) {
        uint8_t b = (uint8_t)take(c, 1);
        out[i] = (char)(b ? b : 1); /* no NUL inside */
    }
    out[i] = '\0';
}

static void check(shm_reader *r, size_t live, bool closed)
{
    static snapshot s;
    static bool init;
    if (!init) {
        snapshot_init(&s);
        init = true;
    }
    char err[256];
    if (shm_reader_snapshot(r, &s, err, sizeof err) != SHM_OK) {
        fprintf(stderr, "reader failed on a writer's segment: %s\n", err);
        abort();
    }
    if (s.nregions > live || (closed && s.nregions != 0)) {
        fprintf(stderr, "reader shows %zu regions, the writer holds %zu%s\n", s.nregions, live,
                closed ? " (closed)" : "");
        abort();
    }
    accounting a;
    if (accounting_compute(&s, &a) == 0)
        accounting_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const archs[] = { "wormhole_b0", "blackhole", "grayskull", "", "quasar" };
    char name[64];
    snprintf(name, sizeof name, "/l1top-fuzz-writer-%d", (int)getpid());
    shm_unlink(name);
    setenv("L1TOP_CAPACITY", "64", 1); /* small: the full-segment paths too */
    setenv("L1TOP_RING_SLOTS", "64", 1); /* and a ring the calls lap */
    l1top_writer *w = l1top_open(name);
    if (!w)
        return 0;
    shm_reader *r = NULL;
    char err[256];
    if (shm_reader_open(name, &r, err, sizeof err) != SHM_OK) {
        fprintf(stderr, "cannot read a segment a writer just made: %s\n", err);
        abort();
    }
    uint64_t handles[MAX_HANDLES];
    size_t live = 0;
    cursor c = { data, size };
    while (c.left) {
        uint8_t op = (uint8_t)take(&c, 1);
        uint32_t dev = (uint32_t)take(&c, 1) % 4;
        char text[80];
        switch (op % 8) {
        case 0:
        case 7: {
            const char *arch = archs[take(&c, 1) % 5];
            uint16_t gx = (uint16_t)take(&c, 2), gy = (uint16_t)take(&c, 2);
            l1top_device_config cfg = { (uint32_t)take(&c, 4), (uint32_t)take(&c, 4), (uint32_t)take(&c, 4) };
            if (op % 8 == 0)
                l1top_declare_device(w, dev, arch, gx, gy);
            else
                l1top_declare_device_config(w, dev, arch, gx, gy, &cfg);
            break;
        }
        case 1: {
            l1top_range rg[3];
            size_t n = (size_t)take(&c, 1) % 4;
            for (size_t i = 0; i < n; i++)
                rg[i] = (l1top_range){ (uint16_t)take(&c, 1), (uint16_t)take(&c, 1), (uint16_t)take(&c, 1),
                                       (uint16_t)take(&c, 1) };
            l1top_kind kind = (l1top_kind)(take(&c, 1) % 8);
            uint32_t addr = (uint32_t)take(&c, 4), per_core = (uint32_t)take(&c, 4);
            take_text(&c, text, sizeof text);
            uint64_t h = l1top_record(w, dev, kind, n ? rg : NULL, n, addr, per_core, text);
            if (h && live < MAX_HANDLES)
                handles[live++] = h;
            break;
        }
        case 2: {
            uint32_t addr = (uint32_t)take(&c, 4);
            uint64_t total = take(&c, 8);
            uint32_t page = (uint32_t)take(&c, 4);
            take_text(&c, text, sizeof text);
            uint64_t h = l1top_record_interleaved(w, dev, addr, total, page, text);
            if (h && live < MAX_HANDLES)
                handles[live++] = h;
            break;
        }
        case 3: {
            size_t i = live ? (size_t)take(&c, 1) % live : 0;
            if (live && l1top_release(w, handles[i]) == 0)
                handles[i] = handles[--live];
            else
                l1top_release(w, take(&c, 8)); /* an unknown handle: EINVAL, nothing released */
            break;
        }
        case 4:
            /* Which handles went is not known here: only the upper bound stays checked. */
            l1top_release_kind(w, dev, (l1top_kind)(take(&c, 1) % 8));
            break;
        case 5:
            take_text(&c, text, sizeof text);
            l1top_set_label(w, text);
            break;
        default:
            break;
        }
        check(r, live, false);
    }
    l1top_close(w);
    check(r, 0, true);
    shm_reader_close(r);
    shm_unlink(name);
    return 0;
}
