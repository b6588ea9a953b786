/*
 * fit.h - "will it fit": a SPEC of circular buffers and L1 buffers (the
 * grammar is in l1top(1), --fit) answered against a snapshot the way
 * TT-Metal would answer it (docs/answers.md names the TT-Metal files):
 *   - L1 buffers are allocated top-down, first fit, at one address common
 *     to every bank: the L1 banks share one free list (lockstep), so a
 *     sharded buffer needs its range free on every bank, not only on its
 *     shard cores; an interleaved one reserves ceil(pages / banks) aligned
 *     pages on every bank;
 *   - a program's CBs are placed upward from the unreserved base and
 *     refused when their region ends past the lowest L1 buffer of the
 *     device (any core), or past L1.
 * The SPEC's buffers are placed first, in order (an op's output exists
 * before its program runs), then its CBs are checked against what is left.
 * Pure: no I/O, no globals.
 */
#ifndef L1TOP_FIT_H
#define L1TOP_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/snapshot.h"

#define FIT_MAX_TERMS 64
#define FIT_MAX_RANGES 16
#define FIT_MAX_SIZE ((uint64_t)1 << 48) /* as an interleaved record's total */

typedef enum { FIT_CB, FIT_SHARDED, FIT_INTERLEAVED } fit_kind;

typedef struct {
    fit_kind kind;
    uint64_t size;        /* per core (cb, sharded) or in all (interleaved) */
    uint64_t page;        /* interleaved page size */
    l1top_range ranges[FIT_MAX_RANGES]; /* cb, sharded: inclusive rectangles */
    size_t nranges;
    char text[96];        /* the term as written, for messages */
} fit_term;

typedef struct {
    fit_term terms[FIT_MAX_TERMS];
    size_t nterms;
} fit_spec;

/* Parse SPEC; 0, or -1 with a one-line reason in err naming the word. */
int fitspec_parse(const char *text, fit_spec *out, char *err, size_t errlen);

/* A core that cannot take its share, and what stands in the way. */
typedef struct {
    uint16_t x, y;
    uint64_t room;        /* what the term may have here (CBs: TT-Metal's limit, the device's) */
    uint64_t core_room;   /* what this core alone has free for it */
    uint64_t need;
    int32_t region;       /* snapshot region in the way, -1 none; -2 an earlier SPEC buffer */
    uint32_t start, end;  /* its range on the core it sits on */
    uint16_t rx, ry;      /* the core it sits on (CBs: maybe another one, TT-Metal checks any) */
    size_t spec_term;     /* region -2: that term */
} fit_core;

typedef struct {
    bool fits;
    bool placed;          /* buffers: an address was found */
    uint64_t need;        /* per bank (buffers, aligned) or the CB region on the neediest core */
    uint32_t address;     /* buffers, when placed */
    uint64_t largest_free; /* buffers: largest block free on every bank before placing */
    fit_core *failing;    /* cores or banks, row-major */
    size_t nfailing;
    char reason[160];     /* why not, one line ("" when it fits) */
    /* Buffers: the cores whose current CBs reach past the address (the next
     * program like the current one would then fail to validate). */
    uint32_t warn_cores;
    fit_core warn_first;  /* the first of them: its CB region and the CB ending highest */
} fit_term_result;

typedef struct {
    uint32_t device;      /* snapshot device index */
    bool fits;
    fit_term_result terms[FIT_MAX_TERMS];
} fit_device;

typedef struct {
    bool fits;            /* every device answered fits */
    fit_device *devices;
    size_t ndevices;
    size_t nterms;
} fit_answer;

/* Answer spec on the devices of s (a from accounting_compute of s) that
 * `selected` accepts (NULL: all). 0, or -1 when memory ran out. */
int fit_compute(const snapshot *s, const accounting *a, const fit_spec *spec, bool (*selected)(uint32_t id, void *ctx),
                void *ctx, fit_answer *out);
void fit_answer_free(fit_answer *f);

#endif
