/*
 * acct_fixture.h - what a model test works on: the snapshot it builds and
 * the accounting computed from it (both freed after each test), and a
 * reproducible generator for the randomized cross-checks.
 */
#ifndef L1TOP_ACCT_FIXTURE_H
#define L1TOP_ACCT_FIXTURE_H

#include <stdint.h>

#include "model/accounting.h"
#include "helpers.h"

static snapshot s;
static accounting a;

static inline void acct_setup(void) { snapshot_init(&s); }
static inline void acct_teardown(void)
{
    accounting_free(&a);
    snapshot_free(&s);
}

/* 0 .. n-1 from the LCG stream *state (the same sequence every run). */
static inline uint32_t t_rnd(uint64_t *state, uint32_t n)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((*state >> 33) % n);
}

#endif
