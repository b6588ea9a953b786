/*
 * trace_board.c - which board a trace ran on. In order: the trace's own
 * devices section, --board, and otherwise the evidence in the nodes:
 *   - the L1 bank count implied by an interleaved buffer's max_size_per_bank
 *     (ceil(pages / banks) x aligned page: 1024 pages of 2048 B reserving
 *     20480 B per bank means 103..113 banks, a p150's 110 worker cores);
 *   - the highest address + size the trace itself placed (beyond a
 *     Wormhole's 1464 KiB means a Blackhole);
 *   - the largest core range, and the number of chips.
 * The smallest known board that satisfies all of them wins (Grayskull only
 * as a last resort); the reason is said in one line.
 */
#include <stdio.h>
#include <string.h>

#include "sources/trace_internal.h"

#define EVIDENCE_ALIGN 16u /* L1 page alignment on every arch l1top knows */

typedef struct {
    unsigned need_x, need_y;
    uint64_t max_end;          /* highest address + size placed by the trace */
    uint64_t bank_lo, bank_hi; /* L1 bank count implied by max_size_per_bank */
    uint32_t bank_node;
    size_t chips;
} evidence;

/* Banks B with ceil(pages / B) == k pages per bank: ceil(pages/k) <= B <= (pages-1)/(k-1). */
static void bank_evidence(evidence *ev, const tev *e)
{
    if (!e->interleaved || !e->has_max_bank || e->mem == MEM_DRAM || e->page == 0 || e->size == 0)
        return;
    uint64_t aligned = align_up(e->page, EVIDENCE_ALIGN);
    if (e->max_bank == 0 || e->max_bank % aligned)
        return;
    uint64_t k = e->max_bank / aligned, pages = (e->size + e->page - 1) / e->page;
    uint64_t lo = (pages + k - 1) / k, hi = k > 1 ? (pages - 1) / (k - 1) : UINT64_MAX;
    if (lo > hi)
        return;
    if (ev->bank_node == TRACE_NONE)
        ev->bank_node = e->node;
    ev->bank_lo = lo > ev->bank_lo ? lo : ev->bank_lo;
    ev->bank_hi = hi < ev->bank_hi ? hi : ev->bank_hi;
}

static void gather(const trace_parsed *p, size_t nchips, evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->bank_hi = UINT64_MAX;
    ev->bank_node = TRACE_NONE;
    ev->chips = nchips;
    for (size_t i = 0; i < p->nranges; i++) {
        ev->need_x = p->ranges[i].x1 + 1u > ev->need_x ? p->ranges[i].x1 + 1u : ev->need_x;
        ev->need_y = p->ranges[i].y1 + 1u > ev->need_y ? p->ranges[i].y1 + 1u : ev->need_y;
    }
    for (size_t i = 0; i < p->nev; i++) {
        const tev *e = &p->ev[i];
        uint64_t width = e->type == TN_BUF_ALLOC ? (e->mem != MEM_DRAM && e->has_max_bank ? e->max_bank : 0)
                         : e->type == TN_CB_ALLOC || e->type == TN_DFB_ALLOC || e->type == TN_SCRATCH_ALLOC
                             ? (e->shared ? 0 : e->size)
                             : 0;
        if (e->address && width && e->address + width > e->address && e->address + width > ev->max_end)
            ev->max_end = e->address + width;
        if (e->type == TN_BUF_ALLOC)
            bank_evidence(ev, e);
    }
    for (size_t i = 0; i < p->npre; i++)
        if (p->pre[i].address + p->pre[i].per_core > ev->max_end && p->pre[i].mem != MEM_DRAM)
            ev->max_end = p->pre[i].address + p->pre[i].per_core;
}

static bool fits(const board_info *b, const evidence *ev, bool use_banks)
{
    const arch_info *a = arch_by_name(b->arch);
    uint64_t banks = (uint64_t)b->grid_x * b->grid_y;
    return a && b->grid_x >= ev->need_x && b->grid_y >= ev->need_y && a->l1_size >= ev->max_end &&
           b->chips >= ev->chips && (!use_banks || (banks >= ev->bank_lo && banks <= ev->bank_hi));
}

/* Grayskull left TT-Metal in 2025, before the trace fields used here: it is
 * a candidate only when nothing newer fits. */
static const board_info *smallest(const evidence *ev, bool use_banks, bool legacy)
{
    const board_info *best = NULL;
    for (unsigned i = 0; board_at(i); i++) {
        const board_info *c = board_at(i);
        if (!fits(c, ev, use_banks) || (!legacy && strcmp(c->arch, "grayskull") == 0))
            continue;
        unsigned area = (unsigned)c->grid_x * c->grid_y, best_area = best ? (unsigned)best->grid_x * best->grid_y : 0;
        if (!best || area < best_area || (area == best_area && c->chips < best->chips))
            best = c;
    }
    return best;
}

static void say(char *dst, size_t cap, const evidence *ev, bool banks_used)
{
    size_t n = 0;
    dst[0] = '\0';
    if (banks_used && ev->bank_node != TRACE_NONE)
        n += (size_t)snprintf(dst + n, cap - n, "%llu-%llu L1 banks (max_size_per_bank, node %u); ",
                              (unsigned long long)ev->bank_lo, (unsigned long long)ev->bank_hi, ev->bank_node);
    if (ev->max_end && n < cap)
        n += (size_t)snprintf(dst + n, cap - n, "addresses up to %llu B; ", (unsigned long long)ev->max_end);
    if (ev->need_x && n < cap)
        n += (size_t)snprintf(dst + n, cap - n, "core ranges up to %u-%u; ", ev->need_x - 1, ev->need_y - 1);
    if (ev->chips > 1 && n < cap)
        n += (size_t)snprintf(dst + n, cap - n, "%zu chips; ", ev->chips);
    if (n >= 2 && n < cap)
        dst[n - 2] = '\0';
    else if (n == 0)
        snprintf(dst, cap, "no evidence in the trace: the smallest board");
}

static void use_board(const board_info *b, trace_board *tb, trace_summary *sum)
{
    tb->arch = arch_by_name(b->arch);
    tb->gx = b->grid_x;
    tb->gy = b->grid_y;
    tb->l1_size = tb->arch->l1_size;
    tb->cb_base = tb->arch->unreserved_base;
    snprintf(sum->board, sizeof sum->board, "%s", b->name);
}

int trace_choose_board(const trace_parsed *p, const char *board_name, size_t nchips, trace_board *tb,
                       trace_summary *sum, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    memset(tb, 0, sizeof *tb);
    if (p->have_devices && p->dev_gx > 0 && p->dev_gy > 0 && p->dev_gx <= 0xFFFF && p->dev_gy <= 0xFFFF) {
        tb->arch = arch_by_name(p->dev_l1 == 1572864 ? "blackhole" : p->dev_l1 == 1048576 ? "grayskull" : "wormhole_b0");
        tb->gx = (uint16_t)p->dev_gx;
        tb->gy = (uint16_t)p->dev_gy;
        tb->l1_size = p->dev_l1 > 0 && p->dev_l1 <= (int64_t)tb->arch->l1_size * 4 ? (uint32_t)p->dev_l1
                                                                                  : tb->arch->l1_size;
        tb->cb_base = tb->arch->unreserved_base;
        snprintf(sum->board, sizeof sum->board, "%s %ux%u", tb->arch->name, tb->gx, tb->gy);
        snprintf(sum->board_reason, sizeof sum->board_reason, "from the trace's devices section");
        sum->board_source = TRACE_BOARD_FROM_TRACE;
    } else if (board_name && board_by_name(board_name)) {
        use_board(board_by_name(board_name), tb, sum);
        snprintf(sum->board_reason, sizeof sum->board_reason, "from --board");
        sum->board_source = TRACE_BOARD_FROM_OPTION;
    } else {
        evidence ev;
        gather(p, nchips, &ev);
        bool banks = ev.bank_node != TRACE_NONE;
        const board_info *b = smallest(&ev, banks, false);
        if (!b)
            b = smallest(&ev, banks, true);
        if (!b && banks)
            b = smallest(&ev, banks = false, true);
        char why[128];
        say(why, sizeof why, &ev, banks);
        if (!b) {
            b = board_by_name("p150");
            snprintf(sum->board_reason, sizeof sum->board_reason, "no known board fits (%s); pass --board", why);
        } else {
            snprintf(sum->board_reason, sizeof sum->board_reason, "guessed: %s", why);
        }
        use_board(b, tb, sum);
        tb->guessed = true;
        sum->board_source = TRACE_BOARD_GUESSED;
    }
    if (p->dev_cb_base > 0 && (uint64_t)p->dev_cb_base < tb->l1_size)
        tb->cb_base = (uint32_t)p->dev_cb_base;
    return 0;
}
