/*
 * ttm_build.h - builds TT-Metal shared-memory statistics files byte by
 * byte from the documented layout (versions 2-4), for the tests.
 */
#ifndef L1TOP_TTM_BUILD_H
#define L1TOP_TTM_BUILD_H

#include <stdint.h>
#include <string.h>

#define TTM_BUILD_SIZE 8576

static inline void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* A file with no process and every chip slot unused. */
static inline void ttm_build(unsigned char *b, uint32_t version, uint32_t device_id, uint64_t asic_id)
{
    memset(b, 0, TTM_BUILD_SIZE);
    put32(b, version);
    put64(b + 8, 1700000000000ull);
    put32(b + 16, 1);
    put64(b + 24, 0xB0A4Dull);
    put64(b + 32, asic_id);
    put32(b + 40, device_id);
    for (int c = 0; c < 16; c++)
        put32(b + 88 + 48 * c, 0xFFFFFFFFu);
    if (version >= 4)
        put32(b + 8536, 0x52454459u);
}

/* bytes: DRAM, L1, L1_SMALL, TRACE, CB */
static inline void ttm_build_totals(unsigned char *b, const uint64_t bytes[5])
{
    for (int k = 0; k < 5; k++)
        put64(b + 48 + 8 * k, bytes[k]);
}

static inline void ttm_build_chip(unsigned char *b, int slot, uint32_t chip_id, int remote, const uint64_t bytes[5])
{
    unsigned char *p = b + 88 + 48 * slot;
    put32(p, chip_id);
    put32(p + 4, (uint32_t)remote);
    for (int k = 0; k < 5; k++)
        put64(p + 8 + 8 * k, bytes[k]);
}

static inline void ttm_build_process(unsigned char *b, int slot, int32_t pid, const char *name, const uint64_t bytes[5])
{
    unsigned char *p = b + 856 + 120 * slot;
    put32(p, (uint32_t)pid);
    for (int k = 0; k < 5; k++)
        put64(p + 8 + 8 * k, bytes[k]);
    put64(p + 48, 1700000000123ull);
    strncpy((char *)p + 56, name, 63);
    uint32_t active = 0;
    for (int i = 0; i < 64; i++)
        active += b[856 + 120 * i] || b[857 + 120 * i] ? 1 : 0;
    put32(b + 4, active);
}

#endif
