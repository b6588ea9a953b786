/*
 * arch.c - architecture and board tables, and the interleaved-buffer
 * distribution rule shared by the writer (validation) and the accounting.
 */
#include "arch.h"

#include <string.h>

/* Unreserved base = MEM_MAP_END + the 69 KiB default kernel-config ring,
 * rounded up to max(L1, DRAM alignment) (wh/bh_hal_tensix.cpp). */
static const arch_info arches[] = {
    /* Grayskull: removed from TT-Metal/tt-umd in 2026; boundaries approximate (last known map). */
    { ARCH_GRAYSKULL, "grayskull", 1048576u, 0x7D80u, 0x19000u, 16, 12, 10 },
    /* Wormhole B0: MEM_MAP_END 0x7FF0; 0x7FF0 + 69 KiB = 0x193F0, aligned to 32 -> 0x19400. */
    { ARCH_WORMHOLE_B0, "wormhole_b0", 1499136u, 0x7FF0u, 0x19400u, 16, 8, 10 },
    /* Blackhole: MEM_MAP_END 0x9F00; 0x9F00 + 69 KiB = 0x1B300, already 64-aligned. */
    { ARCH_BLACKHOLE, "blackhole", 1572864u, 0x9F00u, 0x1B300u, 16, 14, 10 },
};

uint32_t arch_firmware_end(uint32_t arch, uint32_t unreserved_base)
{
    const arch_info *a = arch_by_id(arch);
    if (!a || a->firmware_end > unreserved_base)
        return unreserved_base;
    return a->firmware_end;
}

const arch_info *arch_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (unsigned i = 0; i < sizeof arches / sizeof arches[0]; i++)
        if (strcmp(arches[i].name, name) == 0)
            return &arches[i];
    return NULL;
}

const arch_info *arch_by_id(uint32_t id)
{
    for (unsigned i = 0; i < sizeof arches / sizeof arches[0]; i++)
        if ((uint32_t)arches[i].id == id)
            return &arches[i];
    return NULL;
}

uint32_t arch_dram_alignment(const arch_info *a)
{
    /* hal: Blackhole DRAM 64 B, Wormhole and Grayskull 32 B */
    return a && a->id == ARCH_BLACKHOLE ? 64u : 32u;
}

/* Mesh shapes as TT-NN opens them (tech_reports/Programming_Mesh_of_Devices, tt-metal 992f3ca6):
 * N300 1x2, T3000 2x4, Galaxy 8x4. */
static const board_info boards[] = {
    { "e150", "grayskull", 1, 12, 9, "Grayskull e150, one chip", 1, 1 },
    { "n150", "wormhole_b0", 1, 8, 8, "Wormhole n150, one chip", 1, 1 },
    { "n300", "wormhole_b0", 2, 8, 8, "Wormhole n300, two chips", 1, 2 },
    { "p150", "blackhole", 1, 11, 10, "Blackhole p150, one chip", 1, 1 },
    { "p100", "blackhole", 1, 11, 10, "Blackhole p100, one chip (harvested)", 1, 1 },
    { "t3000", "wormhole_b0", 8, 8, 8, "T3000, four n300 cards, eight chips", 2, 4 },
    { "galaxy", "wormhole_b0", 32, 8, 8, "Galaxy, 32 Wormhole chips", 8, 4 },
};

const board_info *board_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (unsigned i = 0; i < sizeof boards / sizeof boards[0]; i++)
        if (strcmp(boards[i].name, name) == 0)
            return &boards[i];
    return NULL;
}

const board_info *board_at(unsigned i)
{
    return i < sizeof boards / sizeof boards[0] ? &boards[i] : NULL;
}

uint64_t interleaved_bank_bytes(uint64_t total_size, uint32_t page_size, uint32_t alignment,
                                uint32_t banks, uint32_t bank)
{
    if (page_size == 0 || banks == 0 || bank >= banks)
        return 0;
    uint64_t pages = (total_size + page_size - 1) / page_size;
    uint64_t aligned_page = align_up(page_size, alignment ? alignment : 1);
    uint64_t per_bank = pages / banks;
    if (bank < pages % banks)
        per_bank++;
    return per_bank * aligned_page;
}
