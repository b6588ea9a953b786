/*
 * trace_replay.c - one pass over a parsed trace (trace_parse.c): every L1
 * event becomes items (one per chip it lands on) with a lifetime, the
 * position of the per-core peak is found core by core with the model's
 * accountant (accounting_most_held), and ttnn's own extractor is
 * reproduced counter for counter. The timeline then moves a live set
 * between positions: forward by applying births and deaths, backward from
 * the nearest checkpoint. Everything here is linear in the events (per-core
 * work is bounded by the cores an event covers).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/accounting.h"
#include "sources/trace_internal.h"

#define CHECKPOINT_EVERY 256u  /* steps between checkpoints, at least */
#define SMALL_REGION_ALIGN 4096u

typedef struct {
    trace_file *tf;
    const char *path;
    char *err;
    size_t errlen;
    uint32_t ncores;
    uint64_t *cb_top;            /* simulated CB packing, per core */
    free_list l1[TRACE_MAX_CHIPS], small[TRACE_MAX_CHIPS];
    uint32_t *prog;              /* live program-scope items */
    size_t nprog, prog_cap;
    uint32_t *buf_first, *buf_n; /* [buffer node]: its live items */
    uint32_t *stack;             /* op names, innermost last */
    size_t depth, stack_cap;
    uint64_t cb, l1b, dfb, sp, total; /* ttnn's running totals (size_t, wrapping) */
    uint32_t pos, node;
    uint32_t last_cp;
} rp;

static int fail(rp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(rp *r, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s: node %u: %s%s", r->path, r->node, msg,
             r->tf->board.guessed ? " (board guessed; pass --board)" : "");
    return -1;
}


/* ---------- chips ---------- */

static bool is_chip_id(const trace_parsed *p, uint64_t id)
{
    for (size_t i = 0; i < p->nmesh; i++)
        if (p->mesh[i].chip == id)
            return true;
    return false;
}

/* The physical chips a raw device id stands for: a mesh's chips (from
 * tensors' device_tensors) or the chip itself. Returns how many. */
static size_t chips_of(const trace_parsed *p, uint64_t raw, uint64_t out[TRACE_MAX_CHIPS])
{
    size_t n = 0;
    if (!is_chip_id(p, raw))
        for (size_t i = 0; i < p->nmesh && n < TRACE_MAX_CHIPS; i++)
            if (p->mesh[i].mesh == raw)
                out[n++] = p->mesh[i].chip;
    if (n == 0)
        out[n++] = raw;
    return n;
}

static int slot_of(const trace_file *tf, uint64_t chip)
{
    for (size_t i = 0; i < tf->nchips; i++)
        if (tf->chip_ids[i] == chip)
            return (int)i;
    return -1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int note_chips(trace_file *tf, bool has, uint64_t raw)
{
    uint64_t c[TRACE_MAX_CHIPS];
    size_t n = chips_of(&tf->p, has ? raw : 0, c);
    for (size_t i = 0; i < n; i++)
        if (slot_of(tf, c[i]) < 0) {
            if (tf->nchips == TRACE_MAX_CHIPS)
                return -1;
            tf->chip_ids[tf->nchips++] = c[i];
        }
    return 0;
}

static int collect_chips(trace_file *tf, rp *r)
{
    for (size_t i = 0; i < tf->p.nev; i++) {
        const tev *e = &tf->p.ev[i];
        bool placed = e->type == TN_BUF_ALLOC || e->type == TN_BUF_FREE || e->type == TN_CB_ALLOC ||
                      e->type == TN_DFB_ALLOC || e->type == TN_SCRATCH_ALLOC || (e->type == TN_PROGRAM_FREE && e->has_device);
        r->node = e->node;
        if (placed && note_chips(tf, e->has_device, e->device) != 0)
            return fail(r, "more than %d chips", TRACE_MAX_CHIPS);
    }
    for (size_t i = 0; i < tf->p.npre; i++)
        if (note_chips(tf, true, tf->p.pre[i].device) != 0)
            return fail(r, "more than %d chips", TRACE_MAX_CHIPS);
    if (tf->nchips == 0)
        tf->chip_ids[tf->nchips++] = 0;
    qsort(tf->chip_ids, tf->nchips, sizeof tf->chip_ids[0], cmp_u64);
    return 0;
}

/* ---------- the live set (shared by the build and the timeline) ---------- */

static void live_add(trace_file *tf, uint32_t it)
{
    tf->live_at[it] = (uint32_t)tf->nlive;
    tf->live[tf->nlive++] = it;
}

static void live_remove(trace_file *tf, uint32_t it)
{
    uint32_t at = tf->live_at[it];
    if (at == TRACE_NONE)
        return;
    uint32_t last = tf->live[--tf->nlive];
    tf->live[at] = last;
    tf->live_at[last] = at;
    tf->live_at[it] = TRACE_NONE;
}

/* ---------- cores ---------- */

/* Visit every core an item covers (ranges are checked against the grid). */
typedef void (*core_fn)(rp *r, const titem *it, uint32_t core, void *ctx);
static void each_core(rp *r, const titem *it, core_fn fn, void *ctx)
{
    const trace_file *tf = r->tf;
    if (it->all_cores) {
        for (uint32_t c = 0; c < r->ncores; c++)
            fn(r, it, c, ctx);
        return;
    }
    for (uint32_t k = 0; k < it->nranges; k++) {
        const l1top_range *g = &tf->p.ranges[it->first_range + k];
        for (uint32_t y = g->y0; y <= g->y1; y++)
            for (uint32_t x = g->x0; x <= g->x1; x++)
                fn(r, it, y * tf->board.gx + x, ctx);
    }
}

/* Simulated CB packing: the highest CB end over the item's cores, then theirs moves up. */
static void cb_top_max(rp *r, const titem *it, uint32_t core, void *ctx)
{
    uint64_t *at = ctx, top = r->cb_top[(size_t)it->chip * r->ncores + core];
    *at = top > *at ? top : *at;
}

static void cb_top_set(rp *r, const titem *it, uint32_t core, void *ctx)
{
    (void)ctx;
    r->cb_top[(size_t)it->chip * r->ncores + core] = it->address + it->per_core;
}

/* ---------- items ---------- */

static int check_ranges(rp *r, const titem *it)
{
    const trace_board *b = &r->tf->board;
    for (uint32_t k = 0; k < it->nranges; k++) {
        const l1top_range *g = &r->tf->p.ranges[it->first_range + k];
        if (g->x1 >= b->gx || g->y1 >= b->gy)
            return fail(r, "core range [%u-%u - %u-%u] is beyond the %ux%u grid of %s", g->x0, g->y0, g->x1, g->y1,
                        b->gx, b->gy, r->tf->sum.board);
    }
    return 0;
}

static int new_item(rp *r, const titem *proto, uint32_t *id)
{
    trace_file *tf = r->tf;
    if (tf->nitems >= TRACE_NONE - 1 || grow_array((void **)&tf->items, &tf->items_cap, tf->nitems, 1, sizeof *tf->items))
        return fail(r, "out of memory");
    *id = (uint32_t)tf->nitems;
    titem *it = &tf->items[tf->nitems++];
    *it = *proto;
    it->born = r->pos;
    it->died = TRACE_NONE;
    return 0;
}

static void kill_item(rp *r, uint32_t id)
{
    titem *it = &r->tf->items[id];
    if (it->died != TRACE_NONE)
        return;
    it->died = r->pos;
    if (it->placed)
        free_list_release(it->sub == ITEM_SMALL ? &r->small[it->chip] : &r->l1[it->chip], it->address, it->per_core);
}

/* Place `it` (address 0: simulated) in its chip's address space. */
static int place(rp *r, titem *it, uint64_t address, uint8_t mem)
{
    trace_file *tf = r->tf;
    free_list *sp = mem == MEM_L1_SMALL ? &r->small[it->chip] : &r->l1[it->chip];
    if (address) {
        if (address > tf->board.l1_size || it->per_core > tf->board.l1_size - address)
            return fail(r, "buffer at 0x%llx of %llu B per core is beyond L1 (%u B)", (unsigned long long)address,
                        (unsigned long long)it->per_core, tf->board.l1_size);
        it->address = address;
        it->placed = true;
        return free_list_reserve(sp, address, it->per_core) == 0 ? 0 : fail(r, "out of memory");
    }
    tf->sum.simulated_placement = true;
    it->placed = free_list_alloc(sp, it->per_core, tf->board.arch->alignment, &it->address) == 0;
    if (sp->oom)
        return fail(r, "out of memory");
    if (!it->placed) {
        tf->sum.unplaced++;
        it->address = sp->base; /* does not fit: shown where it would clash */
    }
    return 0;
}

/* ceil(pages / banks) aligned pages: what one bank reserves. */
static uint64_t per_bank(uint64_t size, uint64_t page, uint64_t banks, uint64_t align)
{
    uint64_t pages = size / page + (size % page != 0);
    uint64_t n = banks ? pages / banks + (pages % banks != 0) : pages;
    return n * align_up(page, align ? align : 1);
}

static uint64_t grid_cells(const trace_parsed *p, uint32_t first, uint32_t n)
{
    uint64_t cells = 0;
    for (uint32_t k = 0; k < n; k++) {
        const l1top_range *g = &p->ranges[first + k];
        cells += (uint64_t)(g->x1 - g->x0 + 1) * (g->y1 - g->y0 + 1);
    }
    return cells;
}

/* A sharded buffer without a grid: the first num_cores cores, row by row. */
static int guess_grid(rp *r, uint64_t cores, titem *it)
{
    trace_parsed *p = &r->tf->p;
    const trace_board *b = &r->tf->board;
    if (grow_array((void **)&p->ranges, &p->ranges_cap, p->nranges, b->gy, sizeof *p->ranges) != 0)
        return fail(r, "out of memory");
    it->first_range = (uint32_t)p->nranges;
    for (uint16_t y = 0; y < b->gy && cores; y++) {
        uint16_t w = (uint16_t)(cores < b->gx ? cores : b->gx);
        p->ranges[p->nranges++] = (l1top_range){ 0, y, (uint16_t)(w - 1), y };
        cores -= w;
    }
    it->nranges = (uint32_t)p->nranges - it->first_range;
    return 0;
}

/* A buffer's items, one per chip of its device; `proto` is filled but for chip/address. */
static int create_on_chips(rp *r, bool has, uint64_t raw, titem *proto, uint64_t address, uint8_t mem,
                           uint32_t buffer)
{
    trace_file *tf = r->tf;
    uint64_t c[TRACE_MAX_CHIPS];
    size_t n = chips_of(&tf->p, has ? raw : 0, c);
    uint32_t first = (uint32_t)tf->nitems;
    for (size_t i = 0; i < n; i++) {
        proto->chip = (uint32_t)slot_of(tf, c[i]);
        uint32_t id = 0;
        if (place(r, proto, address, mem) != 0 || new_item(r, proto, &id) != 0)
            return -1;
        live_add(tf, id);
    }
    if (buffer != TRACE_NONE) {
        r->buf_first[buffer] = first;
        r->buf_n[buffer] = (uint32_t)n;
    }
    return 0;
}

/* ---------- ttnn's extractor, reproduced ---------- */

static void ttnn_add(rp *r, uint64_t *cur, uint64_t *peak, uint64_t amount)
{
    trace_ttnn *t = &r->tf->sum.ttnn;
    *cur += amount;
    *peak = *cur > *peak ? *cur : *peak;
    r->total += amount;
    t->peak_total = r->total > t->peak_total ? r->total : t->peak_total;
}

static void ttnn_sub(rp *r, uint64_t *cur, uint64_t amount)
{
    if (amount > *cur || amount > r->total)
        r->tf->sum.ttnn.underflow = true;
    *cur -= amount; /* size_t arithmetic, as ttnn: wraps */
    r->total -= amount;
}

/* max_size_per_bank, or for traces without it the older extractor's
 * worst case: ceil(pages / cores) pages of page_size. */
static uint64_t ttnn_amount(const rp *r, const tev *e)
{
    if (e->has_max_bank)
        return e->max_bank;
    uint64_t cores = e->num_cores ? e->num_cores : r->ncores;
    return per_bank(e->size, e->page, cores, 1);
}

/* ---------- events ---------- */

static int on_buffer_allocate(rp *r, const tev *e)
{
    trace_file *tf = r->tf;
    if (e->mem == MEM_DRAM) {
        tf->sum.dram_peak += e->size;
        return 0;
    }
    if (e->ttnn_counted)
        ttnn_add(r, &r->l1b, &tf->sum.ttnn.peak_l1, ttnn_amount(r, e));
    titem it;
    memset(&it, 0, sizeof it);
    it.sub = e->mem == MEM_L1_SMALL ? ITEM_SMALL : ITEM_BUFFER;
    it.size = e->size;
    it.ttnn_amount = ttnn_amount(r, e);
    if (e->interleaved) { /* the allocator reserves the same range on every bank */
        it.all_cores = true;
        it.per_core = e->has_max_bank ? e->max_bank : per_bank(e->size, e->page, r->ncores, tf->board.arch->alignment);
    } else {
        it.first_range = e->first_range;
        it.nranges = e->nranges;
        if (it.nranges == 0 && guess_grid(r, e->num_cores ? e->num_cores : r->ncores, &it) != 0)
            return -1;
        uint64_t cells = e->num_cores ? e->num_cores : grid_cells(&tf->p, it.first_range, it.nranges);
        it.per_core = e->has_max_bank ? e->max_bank : per_bank(e->size, 1, cells ? cells : 1, 1);
        if (check_ranges(r, &it) != 0)
            return -1;
    }
    if (it.per_core > tf->board.l1_size)
        return fail(r, "buffer of %llu B per core is larger than L1 (%u B)", (unsigned long long)it.per_core,
                    tf->board.l1_size);
    return create_on_chips(r, e->has_device, e->device, &it, e->address, e->mem, e->buffer);
}

/* Old traces without a buffer node: by address, or (address 0) the latest
 * live buffer of that size. */
static void free_by_match(rp *r, const tev *e, uint64_t *ttnn_amt)
{
    trace_file *tf = r->tf;
    uint64_t c[TRACE_MAX_CHIPS];
    size_t n = chips_of(&tf->p, e->has_device ? e->device : 0, c);
    for (size_t k = 0; k < n; k++) {
        int slot = slot_of(tf, c[k]);
        for (size_t i = tf->nlive; i-- > 0;) {
            const titem *it = &tf->items[tf->live[i]];
            bool buf = it->sub == ITEM_BUFFER || it->sub == ITEM_SMALL || it->sub == ITEM_PRE;
            if (!buf || (int)it->chip != slot || !(e->address ? it->address == e->address : it->size == e->size))
                continue;
            *ttnn_amt = it->ttnn_amount;
            uint32_t id = tf->live[i];
            kill_item(r, id);
            live_remove(tf, id);
            break;
        }
    }
}

static int on_buffer_deallocate(rp *r, const tev *e)
{
    trace_file *tf = r->tf;
    uint64_t amount = e->has_max_bank ? e->max_bank : ttnn_amount(r, e);
    if (e->buffer != TRACE_NONE && r->buf_first[e->buffer] != TRACE_NONE) {
        for (uint32_t k = 0; k < r->buf_n[e->buffer]; k++) {
            uint32_t id = r->buf_first[e->buffer] + k;
            if (!e->has_max_bank)
                amount = tf->items[id].ttnn_amount;
            kill_item(r, id);
            live_remove(tf, id);
        }
        r->buf_first[e->buffer] = TRACE_NONE;
    } else if (e->buffer == TRACE_NONE && e->mem != MEM_DRAM) {
        uint64_t matched = amount;
        free_by_match(r, e, &matched);
        if (!e->has_max_bank)
            amount = matched;
    }
    /* Not found: allocated before the capture; ttnn subtracts it all the same. */
    if (e->ttnn_counted)
        ttnn_sub(r, &r->l1b, amount);
    return 0;
}

static int on_program_l1(rp *r, const tev *e)
{
    trace_file *tf = r->tf;
    trace_ttnn *t = &tf->sum.ttnn;
    if (e->shared)
        return 0; /* a view of a tensor already counted: adds no bytes, for ttnn neither */
    if (e->type == TN_CB_ALLOC)
        ttnn_add(r, &r->cb, &t->peak_cb, e->size);
    else if (e->type == TN_DFB_ALLOC)
        ttnn_add(r, &r->dfb, &t->peak_dataflow_buffer, e->size);
    else
        ttnn_add(r, &r->sp, &t->peak_scratchpad, e->size);
    if (e->size > tf->board.l1_size)
        return fail(r, "%llu B per core is larger than L1 (%u B)", (unsigned long long)e->size, tf->board.l1_size);
    titem it;
    memset(&it, 0, sizeof it);
    it.sub = e->type == TN_CB_ALLOC ? ITEM_CB : e->type == TN_DFB_ALLOC ? ITEM_DFB : ITEM_SCRATCH;
    it.per_core = it.size = e->size;
    it.first_range = e->first_range;
    it.nranges = e->nranges;
    it.all_cores = e->nranges == 0; /* {} or absent: every core */
    if (check_ranges(r, &it) != 0)
        return -1;
    if (e->address && (e->address > tf->board.l1_size || e->size > tf->board.l1_size - e->address))
        return fail(r, "circular buffer at 0x%llx of %llu B is beyond L1 (%u B)", (unsigned long long)e->address,
                    (unsigned long long)e->size, tf->board.l1_size);
    uint64_t c[TRACE_MAX_CHIPS];
    size_t n = chips_of(&tf->p, e->has_device ? e->device : 0, c);
    for (size_t k = 0; k < n; k++) {
        titem one = it;
        one.chip = (uint32_t)slot_of(tf, c[k]);
        one.address = e->address;
        if (!e->address) { /* packed up from the base, each aligned as TT-Metal does */
            tf->sum.simulated_placement = true;
            uint64_t at = tf->board.cb_base;
            each_core(r, &one, cb_top_max, &at);
            at = align_up(at, arch_dram_alignment(tf->board.arch));
            if (at + one.per_core > tf->board.l1_size) {
                tf->sum.unplaced++;
                at = tf->board.cb_base;
            }
            one.address = at;
            each_core(r, &one, cb_top_set, NULL);
        }
        uint32_t id = 0;
        if (new_item(r, &one, &id) != 0 || grow_array((void **)&r->prog, &r->prog_cap, r->nprog, 1, sizeof *r->prog) != 0)
            return fail(r, "out of memory");
        live_add(tf, id);
        r->prog[r->nprog++] = id;
    }
    return 0;
}

/* circular_buffer_deallocate_all: the program-scope L1 of the device's
 * chips goes (CBs, dataflow buffers, scratchpads); ttnn zeroes all three. */
static void on_program_free(rp *r, const tev *e)
{
    trace_file *tf = r->tf;
    r->total -= r->cb + r->dfb + r->sp;
    r->cb = r->dfb = r->sp = 0;
    bool on[TRACE_MAX_CHIPS] = { false };
    uint64_t c[TRACE_MAX_CHIPS];
    size_t n = e->has_device ? chips_of(&tf->p, e->device, c) : 0;
    for (size_t k = 0; k < n; k++)
        if (slot_of(tf, c[k]) >= 0)
            on[slot_of(tf, c[k])] = true;
    for (size_t k = 0; k < tf->nchips; k++)
        if (!e->has_device || on[k])
            memset(r->cb_top + k * r->ncores, 0, r->ncores * sizeof *r->cb_top);
    size_t keep = 0;
    for (size_t i = 0; i < r->nprog; i++) {
        uint32_t id = r->prog[i];
        uint32_t chip = tf->items[id].chip;
        if (!e->has_device || on[chip]) {
            kill_item(r, id);
            live_remove(tf, id);
        } else {
            r->prog[keep++] = id;
        }
    }
    r->nprog = keep;
}

/* ---------- buffers from before the window ---------- */

static int pre_window(rp *r)
{
    trace_file *tf = r->tf;
    for (size_t i = 0; i < tf->p.npre; i++) {
        const tpre *q = &tf->p.pre[i];
        r->node = q->tensor;
        titem it;
        memset(&it, 0, sizeof it);
        it.sub = ITEM_PRE;
        it.size = q->size;
        it.all_cores = q->interleaved;
        it.first_range = q->first_range;
        it.nranges = q->nranges;
        if (!it.all_cores && it.nranges == 0 && guess_grid(r, r->ncores, &it) != 0)
            return -1;
        uint64_t cells = it.all_cores ? r->ncores : grid_cells(&tf->p, it.first_range, it.nranges);
        it.per_core = q->per_core ? q->per_core
                      : it.all_cores ? per_bank(q->size, TRACE_DEFAULT_PAGE, r->ncores, tf->board.arch->alignment)
                                     : per_bank(q->size, 1, cells ? cells : 1, 1);
        it.ttnn_amount = it.per_core;
        if (it.per_core > tf->board.l1_size)
            return fail(r, "tensor of %llu B per core is larger than L1 (%u B)", (unsigned long long)it.per_core,
                        tf->board.l1_size);
        if (check_ranges(r, &it) != 0 ||
            create_on_chips(r, true, q->device, &it, q->address, q->mem, q->buffer) != 0)
            return -1;
        tf->sum.pre_window++;
    }
    return 0;
}

/* ---------- checkpoints ---------- */

/* A checkpoint copies the live set; one is taken when the steps since the
 * last reach max(CHECKPOINT_EVERY, live / 4), so copies stay O(steps) in
 * all and a backward step costs O(steps between checkpoints + live). */
static int maybe_checkpoint(rp *r, bool force)
{
    trace_file *tf = r->tf;
    uint32_t since = r->pos - r->last_cp;
    if (!force && (since < CHECKPOINT_EVERY || since < tf->nlive / 4))
        return 0;
    if (grow_array((void **)&tf->cps, &tf->cps_cap, tf->ncps, 1, sizeof *tf->cps) != 0 ||
        grow_array((void **)&tf->cp_items, &tf->cp_items_cap, tf->ncp_items, tf->nlive + 1, sizeof *tf->cp_items) != 0)
        return fail(r, "out of memory");
    tf->cps[tf->ncps++] = (tcheckpoint){ r->pos, (uint32_t)tf->ncp_items, (uint32_t)tf->nlive };
    memcpy(tf->cp_items + tf->ncp_items, tf->live, tf->nlive * sizeof *tf->live);
    tf->ncp_items += tf->nlive;
    r->last_cp = r->pos;
    return 0;
}

/* ---------- the pass ---------- */

static bool moves_l1(const tev *e)
{
    switch (e->type) {
    case TN_BUF_ALLOC:
    case TN_BUF_FREE:
        return e->mem != MEM_DRAM;
    case TN_CB_ALLOC:
    case TN_DFB_ALLOC:
    case TN_SCRATCH_ALLOC:
    case TN_PROGRAM_FREE:
        return true;
    default:
        return false;
    }
}

static int on_event(rp *r, const tev *e)
{
    trace_file *tf = r->tf;
    switch (e->type) {
    case TN_FN_START:
        if (grow_array((void **)&r->stack, &r->stack_cap, r->depth, 1, sizeof *r->stack) != 0)
            return fail(r, "out of memory");
        r->stack[r->depth++] = e->name;
        return 0;
    case TN_FN_END:
        r->depth -= r->depth > 0;
        return 0;
    case TN_BUF_ALLOC:
        return on_buffer_allocate(r, e);
    case TN_BUF_FREE:
        return on_buffer_deallocate(r, e);
    case TN_PROGRAM_FREE:
        on_program_free(r, e);
        return 0;
    default:
        (void)tf;
        return on_program_l1(r, e);
    }
}

static int run(rp *r)
{
    trace_file *tf = r->tf;
    size_t nsteps = 0;
    for (size_t i = 0; i < tf->p.nev; i++)
        nsteps += moves_l1(&tf->p.ev[i]);
    tf->steps = malloc((nsteps + 1) * sizeof *tf->steps);
    tf->step_op = malloc((nsteps + 1) * sizeof *tf->step_op);
    tf->born_start = malloc((nsteps + 2) * sizeof *tf->born_start);
    if (!tf->steps || !tf->step_op || !tf->born_start)
        return fail(r, "out of memory");
    r->pos = 0;
    tf->born_start[0] = 0;
    if (pre_window(r) != 0 || maybe_checkpoint(r, true) != 0)
        return -1;
    for (size_t i = 0; i < tf->p.nev; i++) {
        const tev *e = &tf->p.ev[i];
        r->node = e->node;
        bool step = moves_l1(e);
        if (step) {
            tf->born_start[++r->pos] = (uint32_t)tf->nitems;
            tf->steps[r->pos - 1] = e->node;
        }
        if (on_event(r, e) != 0)
            return -1;
        if (step) {
            tf->step_op[r->pos - 1] = r->depth ? r->stack[r->depth - 1] : TRACE_NONE;
            if (maybe_checkpoint(r, false) != 0)
                return -1;
        }
    }
    tf->nsteps = nsteps;
    tf->born_start[nsteps + 1] = (uint32_t)tf->nitems;
    tf->cur_pos = (uint32_t)nsteps;
    return 0;
}

/* Deaths per position, as a CSR list. */
static int index_deaths(trace_file *tf)
{
    size_t np = tf->nsteps + 2;
    tf->died_start = calloc(np + 1, sizeof *tf->died_start);
    tf->died = malloc((tf->nitems + 1) * sizeof *tf->died);
    if (!tf->died_start || !tf->died)
        return -1;
    for (size_t i = 0; i < tf->nitems; i++)
        if (tf->items[i].died != TRACE_NONE)
            tf->died_start[tf->items[i].died + 1]++;
    for (size_t q = 0; q < np; q++)
        tf->died_start[q + 1] += tf->died_start[q];
    uint32_t *fill = calloc(np + 1, sizeof *fill);
    if (!fill)
        return -1;
    memcpy(fill, tf->died_start, np * sizeof *fill);
    for (size_t i = 0; i < tf->nitems; i++)
        if (tf->items[i].died != TRACE_NONE)
            tf->died[fill[tf->items[i].died]++] = (uint32_t)i;
    free(fill);
    return 0;
}

static int setup(rp *r)
{
    trace_file *tf = r->tf;
    const trace_board *b = &tf->board;
    r->ncores = (uint32_t)b->gx * b->gy;
    size_t cells = tf->nchips * (size_t)r->ncores;
    r->cb_top = calloc(cells, sizeof *r->cb_top);
    r->buf_first = malloc((tf->p.nodes + 1) * sizeof *r->buf_first);
    r->buf_n = calloc(tf->p.nodes + 1, sizeof *r->buf_n);
    size_t max_items = tf->p.npre * tf->nchips + tf->p.nev * tf->nchips + 1;
    tf->live = malloc(max_items * sizeof *tf->live);
    tf->live_at = malloc(max_items * sizeof *tf->live_at);
    if (!r->cb_top || !r->buf_first || !r->buf_n || !tf->live || !tf->live_at)
        return fail(r, "out of memory");
    memset(r->buf_first, 0xFF, (tf->p.nodes + 1) * sizeof *r->buf_first);
    memset(tf->live_at, 0xFF, max_items * sizeof *tf->live_at);
    for (size_t k = 0; k < tf->nchips; k++) {
        r->l1[k] = (free_list){ .base = b->cb_base, .top = b->l1_size - tf->small_size };
        r->small[k] = (free_list){ .base = b->l1_size - tf->small_size, .top = b->l1_size };
    }
    return 0;
}

/* The L1_SMALL region: sized by the device at open, which a trace does not
 * record. Traces that place L1_SMALL buffers themselves show where it
 * starts; for simulated ones it is the trace's own peak L1_SMALL use,
 * rounded up to 4 KiB. */
static void size_small_region(trace_file *tf)
{
    uint64_t cur = 0, peak = 0, lowest = UINT64_MAX;
    for (size_t i = 0; i < tf->p.nev; i++) {
        const tev *e = &tf->p.ev[i];
        if (e->mem != MEM_L1_SMALL || (e->type != TN_BUF_ALLOC && e->type != TN_BUF_FREE))
            continue;
        uint64_t amount = e->has_max_bank ? e->max_bank : align_up(e->page, tf->board.arch->alignment);
        if (e->type == TN_BUF_ALLOC && e->address && e->address < lowest)
            lowest = e->address;
        if (e->type == TN_BUF_ALLOC)
            peak = (cur += amount) > peak ? cur : peak;
        else
            cur -= amount < cur ? amount : cur;
    }
    uint64_t size = peak ? align_up(peak, SMALL_REGION_ALIGN) : 0;
    if (lowest < tf->board.l1_size && tf->board.l1_size - lowest > size)
        size = tf->board.l1_size - lowest;
    if (size > tf->board.l1_size - tf->board.cb_base)
        size = 0;
    tf->small_size = (uint32_t)size;
}

/* ---------- where the per-core peak is ---------- */

/* The items on each (chip, core), as one list per cell (CSR): built in a
 * counting pass and a filling pass over the cores each item covers. */
typedef struct {
    uint32_t *start;           /* [cell]: first entry; cells + 1 of them */
    uint32_t *list;            /* item indices */
    uint32_t item;             /* the item being filled */
} cell_items;

static void count_cell(rp *r, const titem *it, uint32_t core, void *ctx)
{
    cell_items *c = ctx;
    c->start[(size_t)it->chip * r->ncores + core + 1]++;
}

static void fill_cell(rp *r, const titem *it, uint32_t core, void *ctx)
{
    cell_items *c = ctx;
    c->list[c->start[(size_t)it->chip * r->ncores + core]++] = c->item;
}

/* Every cell's item list; *most gets the longest. 0, or -1 when out of memory. */
static int build_cells(rp *r, cell_items *c, size_t cells, size_t *most)
{
    trace_file *tf = r->tf;
    c->start = calloc(cells + 1, sizeof *c->start);
    if (!c->start)
        return -1;
    for (size_t i = 0; i < tf->nitems; i++)
        each_core(r, &tf->items[i], count_cell, c);
    *most = 0;
    for (size_t k = 0; k < cells; k++) {
        *most = c->start[k + 1] > *most ? c->start[k + 1] : *most;
        c->start[k + 1] += c->start[k];
    }
    c->list = malloc(((size_t)c->start[cells] + 1) * sizeof *c->list);
    if (!c->list)
        return -1;
    for (size_t i = 0; i < tf->nitems; i++) {
        c->item = (uint32_t)i;
        each_core(r, &tf->items[i], fill_cell, c); /* moves each start to the next cell's */
    }
    memmove(c->start + 1, c->start, cells * sizeof *c->start); /* back to firsts */
    c->start[0] = 0;
    return 0;
}

/* Cells with the same item list have the same history (cores a program's
 * ranges and shard grids cover alike): one sweep serves them all. */
typedef struct {
    uint64_t hash;
    uint32_t cell;         /* UINT32_MAX: empty slot */
    uint32_t at;
    uint64_t bytes;
} swept_cell;

static uint64_t list_hash(const uint32_t *v, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ v[i]) * 1099511628211ull;
    return h;
}

/* The most bytes cell k holds at once and when (accounting_most_held);
 * UINT64_MAX when out of memory. */
static uint64_t sweep_cell(const trace_file *tf, const cell_items *c, size_t k, held_range *held, held_scratch *w,
                           uint32_t *at)
{
    size_t n = 0;
    for (size_t e = c->start[k]; e < c->start[k + 1]; e++) {
        const titem *it = &tf->items[c->list[e]];
        uint64_t end = it->address + it->per_core;
        if (it->address < tf->board.l1_size)
            held[n++] = (held_range){ (uint32_t)it->address, (uint32_t)(end < tf->board.l1_size ? end : tf->board.l1_size),
                                      it->born, it->died == TRACE_NONE ? UINT32_MAX : it->died };
    }
    return accounting_most_held(held, n, at, w);
}

/* The bytes a core holds over time, each byte once (model/accounting.c),
 * for every core: the earliest position where a core holds the most, first
 * in (chip, core) order on ties, into tf->peak_pos. */
static int find_peak_position(rp *r)
{
    trace_file *tf = r->tf;
    size_t cells = tf->nchips * (size_t)r->ncores, most = 0, slots = 16;
    while (slots < 2 * cells)
        slots *= 2;
    cell_items c = { NULL, NULL, 0 };
    int rc = build_cells(r, &c, cells, &most);
    held_range *held = malloc((most + 1) * sizeof *held);
    swept_cell *memo = malloc(slots * sizeof *memo);
    held_scratch w;
    memset(&w, 0, sizeof w);
    if (rc != 0 || !held || !memo) {
        fail(r, "out of memory");
        rc = -1; /* said here: the analyzer does not follow fail()'s -1 */
    }
    for (size_t i = 0; rc == 0 && i < slots; i++)
        memo[i].cell = UINT32_MAX;
    uint64_t best = 0;
    tf->peak_pos = 0;
    for (size_t k = 0; rc == 0 && k < cells; k++) {
        const uint32_t *list = c.list + c.start[k];
        size_t n = c.start[k + 1] - c.start[k];
        uint64_t h = list_hash(list, n);
        size_t i = (size_t)h & (slots - 1);
        for (; memo[i].cell != UINT32_MAX; i = (i + 1) & (slots - 1)) {
            const swept_cell *m = &memo[i];
            if (m->hash == h && c.start[m->cell + 1] - c.start[m->cell] == n &&
                memcmp(c.list + c.start[m->cell], list, n * sizeof *list) == 0)
                break;
        }
        if (memo[i].cell == UINT32_MAX) {
            uint32_t at;
            uint64_t bytes = sweep_cell(tf, &c, k, held, &w, &at);
            if (bytes == UINT64_MAX) {
                rc = fail(r, "out of memory");
                break;
            }
            memo[i] = (swept_cell){ h, (uint32_t)k, at, bytes };
        }
        if (memo[i].bytes > best || (memo[i].bytes == best && best && memo[i].at < tf->peak_pos)) {
            best = memo[i].bytes;
            tf->peak_pos = memo[i].at;
        }
    }
    held_scratch_free(&w);
    free(memo);
    free(held);
    free(c.list);
    free(c.start);
    return rc;
}

int trace_replay_build(trace_file *tf, const char *path, const char *board_name, char *err, size_t errlen)
{
    rp r;
    memset(&r, 0, sizeof r);
    r.tf = tf;
    r.path = path;
    r.err = err;
    r.errlen = errlen;
    int rc = collect_chips(tf, &r);
    if (rc == 0)
        rc = trace_choose_board(&tf->p, board_name, tf->nchips, &tf->board, &tf->sum, err, errlen);
    if (rc == 0) {
        tf->sum.nodes = tf->p.nodes;
        tf->sum.ignored = tf->p.ignored;
        tf->sum.chips = tf->nchips;
        size_small_region(tf);
        rc = setup(&r);
    }
    if (rc == 0)
        rc = run(&r);
    if (rc == 0 && index_deaths(tf) != 0)
        rc = fail(&r, "out of memory");
    if (rc == 0)
        rc = find_peak_position(&r);
    tf->sum.sharded_guessed = tf->p.sharded_guessed;
    tf->sum.l1_events = tf->nsteps;
    free(r.cb_top);
    free(r.buf_first);
    free(r.buf_n);
    free(r.prog);
    free(r.stack);
    for (size_t k = 0; k < TRACE_MAX_CHIPS; k++) {
        free_list_free(&r.l1[k]);
        free_list_free(&r.small[k]);
    }
    return rc;
}

/* ---------- the timeline ---------- */

static void apply(trace_file *tf, uint32_t pos)
{
    for (uint32_t i = tf->born_start[pos]; i < tf->born_start[pos + 1]; i++)
        if (tf->items[i].died != pos)
            live_add(tf, i);
    for (uint32_t k = tf->died_start[pos]; k < tf->died_start[pos + 1]; k++)
        live_remove(tf, tf->died[k]);
}

void trace_goto(trace_file *tf, uint32_t pos)
{
    if (pos > tf->nsteps)
        pos = (uint32_t)tf->nsteps;
    /* the last checkpoint at or before pos */
    size_t a = 0, b = tf->ncps;
    while (b - a > 1) {
        size_t m = a + (b - a) / 2;
        if (tf->cps[m].pos <= pos)
            a = m;
        else
            b = m;
    }
    const tcheckpoint *cp = &tf->cps[a];
    if (!(tf->cur_pos <= pos && tf->cur_pos >= cp->pos)) {
        for (size_t i = 0; i < tf->nlive; i++)
            tf->live_at[tf->live[i]] = TRACE_NONE;
        tf->nlive = 0;
        for (uint32_t i = 0; i < cp->n; i++)
            live_add(tf, tf->cp_items[cp->first + i]);
        tf->cur_pos = cp->pos;
    }
    while (tf->cur_pos < pos)
        apply(tf, ++tf->cur_pos);
}

void trace_replay_free(trace_file *tf)
{
    free(tf->steps);
    free(tf->step_op);
    free(tf->items);
    free(tf->born_start);
    free(tf->died_start);
    free(tf->died);
    free(tf->cps);
    free(tf->cp_items);
    free(tf->live);
    free(tf->live_at);
}

/* ---------- one core over the timeline ---------- */

/* Timeline position i (the i-th L1 event) is replay position i + 1. */

static int chip_slot(const trace_file *tf, uint64_t chip)
{
    for (size_t s = 0; s < tf->nchips; s++)
        if (tf->chip_ids[s] == chip)
            return (int)s;
    return -1;
}

static bool item_on_core(const trace_file *tf, const titem *it, int slot, uint16_t x, uint16_t y)
{
    if ((int)it->chip != slot || it->per_core == 0)
        return false;
    if (it->all_cores)
        return x < tf->board.gx && y < tf->board.gy;
    for (uint32_t k = 0; k < it->nranges; k++) {
        const l1top_range *g = &tf->p.ranges[it->first_range + k];
        if (x >= g->x0 && x <= g->x1 && y >= g->y0 && y <= g->y1)
            return true;
    }
    return false;
}

/* Whether replay position pos births or ends an item on the core (one born
 * and ended there never held anything). */
static bool changes_core(const trace_file *tf, uint32_t pos, int slot, uint16_t x, uint16_t y)
{
    for (uint32_t i = tf->born_start[pos]; i < tf->born_start[pos + 1]; i++)
        if (tf->items[i].died != pos && item_on_core(tf, &tf->items[i], slot, x, y))
            return true;
    for (uint32_t k = tf->died_start[pos]; k < tf->died_start[pos + 1]; k++) {
        const titem *it = &tf->items[tf->died[k]];
        if (it->born != pos && item_on_core(tf, it, slot, x, y))
            return true;
    }
    return false;
}

size_t trace_find_change(const trace_file *tf, size_t from, uint64_t chip, uint16_t x, uint16_t y, int dir)
{
    int slot = chip_slot(tf, chip);
    if (slot < 0 || dir == 0 || from >= tf->nsteps)
        return SIZE_MAX;
    for (size_t i = from; dir > 0 ? i + 1 < tf->nsteps : i > 0;) {
        i = dir > 0 ? i + 1 : i - 1;
        if (changes_core(tf, (uint32_t)(i + 1), slot, x, y))
            return i;
    }
    return SIZE_MAX;
}

size_t trace_core_peak(const trace_file *tf, uint64_t chip, uint16_t x, uint16_t y)
{
    int slot = chip_slot(tf, chip);
    if (slot < 0 || tf->nsteps == 0)
        return SIZE_MAX;
    size_t n = 0;
    for (size_t i = 0; i < tf->nitems; i++)
        n += item_on_core(tf, &tf->items[i], slot, x, y);
    held_range *held = malloc((n + 1) * sizeof *held);
    if (!held)
        return SIZE_MAX;
    n = 0;
    for (size_t i = 0; i < tf->nitems; i++) {
        const titem *it = &tf->items[i];
        uint64_t end = it->address + it->per_core;
        if (item_on_core(tf, it, slot, x, y) && it->address < tf->board.l1_size)
            held[n++] = (held_range){ (uint32_t)it->address, (uint32_t)(end < tf->board.l1_size ? end : tf->board.l1_size),
                                      it->born, it->died == TRACE_NONE ? UINT32_MAX : it->died };
    }
    held_scratch w;
    memset(&w, 0, sizeof w);
    uint32_t at = 0;
    uint64_t most = accounting_most_held(held, n, &at, &w);
    held_scratch_free(&w);
    free(held);
    if (most == UINT64_MAX || most == 0)
        return SIZE_MAX;
    return at ? at - 1 : 0; /* 0: what the window began with, shown after its first event */
}
