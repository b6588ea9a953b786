/*
 * arch.h - what l1top knows about each Tenstorrent architecture and board:
 * L1 size per Tensix core, the memory-map boundaries (end of firmware &
 * mailboxes = MEM_MAP_END, then the kernel-config ring up to
 * L1_UNRESERVED_BASE), alignment, and the chips and grids of the boards
 * l1sim and the TUI know by name. Wormhole and Blackhole boundaries come
 * from tenstorrent/tt-metal's dev_mem_map.h and HAL at the commits named in
 * docs/tt-metal.md ("Memory map"); writers may override the unreserved base
 * and L1 size per device (l1top_device_config).
 */
#ifndef L1TOP_ARCH_H
#define L1TOP_ARCH_H

#include <stdint.h>

typedef enum {
    ARCH_UNKNOWN = 0,
    ARCH_GRAYSKULL = 1,
    ARCH_WORMHOLE_B0 = 2,
    ARCH_BLACKHOLE = 3,
} arch_id;

typedef struct {
    arch_id id;
    const char *name;          /* "wormhole_b0" */
    uint32_t l1_size;          /* bytes of L1 per Tensix core */
    uint32_t firmware_end;     /* MEM_MAP_END: firmware + mailboxes below, kernel-config ring above */
    uint32_t unreserved_base;  /* L1_UNRESERVED_BASE: end of the kernel-config ring, CBs start here */
    uint32_t alignment;        /* L1 page alignment */
    uint16_t max_grid_x, max_grid_y; /* full-die worker grid */
} arch_info;

/* NULL when unknown. */
const arch_info *arch_by_name(const char *name);
const arch_info *arch_by_id(uint32_t id);

typedef struct {
    const char *name;      /* "n300" */
    const char *arch;      /* "wormhole_b0" */
    uint16_t chips;
    uint16_t grid_x, grid_y; /* compute grid per chip */
    const char *description;
    uint16_t mesh_rows, mesh_cols; /* the chips' mesh (MeshShape): n300 1x2, T3000 2x4, Galaxy 8x4 */
} board_info;

const board_info *board_by_name(const char *name);
/* Iterate: returns NULL past the end. */
const board_info *board_at(unsigned i);

/* DRAM alignment of the arch's allocator: TT-Metal aligns each circular
 * buffer's address to it (ProgramImpl::allocate_circular_buffers). */
uint32_t arch_dram_alignment(const arch_info *a);

/* MEM_MAP_END of arch id `arch` for a device whose unreserved base is
 * `unreserved_base` (never above it; the base itself when the arch is
 * unknown, so everything below it counts as firmware). */
uint32_t arch_firmware_end(uint32_t arch, uint32_t unreserved_base);

/* Round v up to a multiple of align (align > 0). */
static inline uint64_t align_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) / align * align;
}

/* Bytes an interleaved buffer of total_size in pages of page_size places on
 * bank `bank` of `banks`: ceil(P/B) aligned pages on the first P mod B banks
 * (all of them when B divides P), floor(P/B) on the rest. */
uint64_t interleaved_bank_bytes(uint64_t total_size, uint32_t page_size, uint32_t alignment,
                                uint32_t banks, uint32_t bank);

#endif
