/*
 * trace.c - ttnn graph-capture replay (see trace.h).
 *
 * Two passes over the nodes: the first replays every L1 event with running
 * per-core sums to find the per-core peak (and what ttnn's own extractor,
 * which ignores core ranges, would report); the second replays up to the
 * peak's node and turns what is live then into snapshot regions.
 */
#define _GNU_SOURCE
#include "trace.h"
#include "safe_open.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "arch.h"

#define MAX_RANGES 64
#define MAX_DEVICES 64
#define MAX_DEPTH 32

/* ---------- core ranges ---------- */

static bool eat(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool number(const char **p, unsigned *v)
{
    if (!isdigit((unsigned char)**p))
        return false;
    char *end;
    unsigned long x = strtoul(*p, &end, 10);
    if (x > 0xFFFF)
        return false;
    *v = (unsigned)x;
    *p = end;
    return true;
}

/* A core: "(x=3,y=4)" (old traces) or "3-4" (new ones). */
static bool coord(const char **p, unsigned *x, unsigned *y)
{
    if (eat(p, "(x="))
        return number(p, x) && eat(p, ",y=") && number(p, y) && eat(p, ")");
    return number(p, x) && eat(p, "-") && number(p, y);
}

int trace_parse_core_ranges(const char *t, l1top_range *out, size_t max)
{
    while (isspace((unsigned char)*t))
        t++;
    if (!eat(&t, "{"))
        return -1;
    int n = 0;
    for (;;) {
        while (isspace((unsigned char)*t) || *t == ',')
            t++;
        if (*t == '}')
            return n;
        unsigned x0, y0, x1, y1;
        if (!eat(&t, "[") || !coord(&t, &x0, &y0) || !eat(&t, " - ") || !coord(&t, &x1, &y1) || !eat(&t, "]"))
            return -1;
        if (x0 > x1 || y0 > y1)
            return -1;
        if ((size_t)n < max)
            out[n] = (l1top_range){ (uint16_t)x0, (uint16_t)y0, (uint16_t)x1, (uint16_t)y1 };
        n++;
    }
}

/* ---------- the replay state ---------- */

typedef struct {
    uint32_t device;
    uint32_t address;
    uint8_t kind;               /* L1TOP_L1_BUFFER, L1TOP_L1_SMALL, L1TOP_CIRCULAR_BUFFER */
    bool interleaved;
    uint64_t total, page;       /* interleaved */
    uint32_t per_core;          /* ranged (sharded, CBs, interleaved with max_size_per_bank) */
    l1top_range ranges[8];
    size_t nranges;
    uint32_t width;             /* widest bank, for placement */
    uint64_t size;              /* the size the trace gave, to match a deallocation */
    uint64_t ttnn_l1;           /* this buffer's share per core in ttnn's reckoning */
} live;

typedef struct {
    const char *path;
    char *err;
    size_t errlen;
    json_t *nodes;
    const arch_info *arch;
    uint16_t gx, gy;
    uint32_t l1_size, ub;
    trace_summary *sum;
    live *items;
    size_t nitems, cap;
    uint32_t cb_top[MAX_DEVICES];
    uint64_t *cb_core, *l1_core;  /* [device][core] running sums */
    uint32_t devices_seen[MAX_DEVICES];
    size_t ndevices;
    char stack[MAX_DEPTH][96];
    int depth;
    uint64_t ttnn_cb, ttnn_l1;
    json_t *shard_grids;          /* buffer node counter -> memory_config text */
    json_t *mesh_map;             /* "mesh device id" -> chip device id, from tensors' device_tensors */
    size_t *events;               /* nodes that moved L1, in order */
    size_t nevents, events_cap;
} replay;

static int fail(replay *r, size_t node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(replay *r, size_t node, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s: node %zu: %s", r->path, node, msg);
    return -1;
}

/* A parameter as a number: JSON integer or a numeric string. 1 found, 0 absent, -1 bad. */
static int param_u64(json_t *params, const char *key, uint64_t *out)
{
    json_t *v = params ? json_object_get(params, key) : NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0)
            return -1;
        *out = (uint64_t)json_integer_value(v);
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        unsigned long long x = strtoull(s, &end, 10);
        if (!*s || *end || errno || s[0] == '-')
            return -1;
        *out = x;
        return 1;
    }
    return -1;
}

static const char *param_str(json_t *params, const char *key)
{
    json_t *v = params ? json_object_get(params, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int device_slot(replay *r, uint32_t id)
{
    for (size_t i = 0; i < r->ndevices; i++)
        if (r->devices_seen[i] == id)
            return (int)i;
    if (r->ndevices == MAX_DEVICES)
        return -1;
    r->devices_seen[r->ndevices] = id;
    return (int)r->ndevices++;
}

static uint32_t ncores(const replay *r) { return (uint32_t)r->gx * r->gy; }

/* Visit every (core, bytes) of a live item. */
static void item_cores(const replay *r, const live *it, void (*fn)(const replay *, const live *, uint32_t, uint64_t, void *),
                       void *ctx)
{
    if (it->interleaved) {
        for (uint32_t b = 0; b < ncores(r); b++) {
            uint64_t bytes = interleaved_bank_bytes(it->total, (uint32_t)it->page, r->arch->alignment, ncores(r), b);
            if (bytes)
                fn(r, it, b, bytes, ctx);
        }
        return;
    }
    for (size_t i = 0; i < it->nranges; i++)
        for (uint32_t y = it->ranges[i].y0; y <= it->ranges[i].y1 && y < r->gy; y++)
            for (uint32_t x = it->ranges[i].x0; x <= it->ranges[i].x1 && x < r->gx; x++)
                fn(r, it, y * r->gx + x, it->per_core, ctx);
}

typedef struct {
    int sign;
    int slot;
} adjust_ctx;

static void adjust(const replay *r, const live *it, uint32_t core, uint64_t bytes, void *vctx)
{
    adjust_ctx *c = vctx;
    uint64_t *row = (it->kind == L1TOP_CIRCULAR_BUFFER ? r->cb_core : r->l1_core) + (size_t)c->slot * ncores(r);
    row[core] = c->sign > 0 ? row[core] + bytes : row[core] - (bytes > row[core] ? row[core] : bytes);
}

static void account(replay *r, const live *it, int sign)
{
    int slot = device_slot(r, it->device);
    if (slot < 0)
        return;
    adjust_ctx c = { sign, slot };
    item_cores(r, it, adjust, &c);
    if (it->kind == L1TOP_CIRCULAR_BUFFER)
        r->ttnn_cb = sign > 0 ? r->ttnn_cb + it->per_core : r->ttnn_cb - it->per_core;
    else
        r->ttnn_l1 = sign > 0 ? r->ttnn_l1 + it->ttnn_l1 : r->ttnn_l1 - it->ttnn_l1;
}

static int add_item(replay *r, const live *it)
{
    if (r->nitems == r->cap) {
        size_t want = r->cap ? r->cap * 2 : 64;
        live *p = realloc(r->items, want * sizeof *p);
        if (!p)
            return -1;
        r->items = p;
        r->cap = want;
    }
    r->items[r->nitems++] = *it;
    account(r, it, +1);
    return 0;
}

static void remove_item(replay *r, size_t i)
{
    account(r, &r->items[i], -1);
    r->items[i] = r->items[--r->nitems];
}

/* First fit from the top of L1 down, among live buffers of the device. */
static uint32_t place_buffer(const replay *r, uint32_t device, uint32_t width)
{
    uint32_t top = r->l1_size;
    for (int guard = 0; guard < 100000; guard++) {
        if (top < r->ub + width)
            return r->ub; /* does not fit: put it where it would clash, visibly */
        uint32_t cand = (top - width) & ~31u;
        bool moved = false;
        for (size_t i = 0; i < r->nitems; i++) {
            const live *o = &r->items[i];
            if (o->device != device || o->kind == L1TOP_CIRCULAR_BUFFER)
                continue;
            if (cand < o->address + o->width && o->address < cand + width) {
                top = o->address;
                moved = true;
                break;
            }
        }
        if (!moved)
            return cand;
    }
    return r->ub;
}

static uint64_t chip_of(const replay *r, uint64_t device);

/* ---------- nodes ---------- */

static int on_buffer_allocate(replay *r, size_t n, json_t *node, json_t *params)
{
    uint64_t size = 0, address = 0, device = 0, page = 0, ncores_p = 0, max_bank = 0, btype = 1;
    if (param_u64(params, "size", &size) != 1)
        return fail(r, n, "buffer_allocate needs a numeric 'size'");
    if (param_u64(params, "address", &address) < 0 || param_u64(params, "device_id", &device) < 0 ||
        param_u64(params, "page_size", &page) < 0 || param_u64(params, "num_cores", &ncores_p) < 0 ||
        param_u64(params, "max_size_per_bank", &max_bank) < 0 || param_u64(params, "buffer_type", &btype) < 0)
        return fail(r, n, "buffer_allocate: a parameter is not a number");
    const char *type = param_str(params, "type");
    bool has_type_str = type != NULL;
    bool dram = has_type_str ? strcmp(type, "DRAM") == 0 || strcmp(type, "TRACE") == 0 : (btype == 0 || btype == 4);
    bool system = !has_type_str && btype == 2;
    if (dram || system) {
        r->sum->dram_peak += size; /* counted apart, never in L1 */
        return 0;
    }
    bool small = has_type_str ? strcmp(type, "L1_SMALL") == 0 : btype == 3;
    const char *layout = param_str(params, "layout");
    bool interleaved = ncores_p == 0 && (!layout || strcmp(layout, "INTERLEAVED") == 0);
    device = chip_of(r, device);
    live it;
    memset(&it, 0, sizeof it);
    it.device = (uint32_t)device;
    it.size = size;
    it.kind = small ? L1TOP_L1_SMALL : L1TOP_L1_BUFFER;
    if (page == 0)
        page = 2048; /* older traces: ttnn's tile page */
    if (interleaved) {
        if (max_bank) { /* what the allocator reserves on every bank */
            it.per_core = (uint32_t)max_bank;
            it.ranges[0] = (l1top_range){ 0, 0, (uint16_t)(r->gx - 1), (uint16_t)(r->gy - 1) };
            it.nranges = 1;
            it.width = (uint32_t)max_bank;
        } else {
            it.interleaved = true;
            it.total = size;
            it.page = page;
            it.width = (uint32_t)interleaved_bank_bytes(size, (uint32_t)page, r->arch->alignment, ncores(r), 0);
        }
        it.ttnn_l1 = it.width;
    } else {
        uint64_t cores = ncores_p ? ncores_p : ncores(r);
        it.per_core = (uint32_t)(max_bank ? max_bank : (size + cores - 1) / cores);
        it.width = it.per_core;
        it.ttnn_l1 = it.per_core;
        /* The shard grid from the tensor's memory config, else the first num_cores cores. */
        char key[32];
        snprintf(key, sizeof key, "%zu", n);
        const char *mc = json_string_value(json_object_get(r->shard_grids, key));
        const char *grid = mc ? strstr(mc, "grid={") : NULL;
        int nr = grid ? trace_parse_core_ranges(grid + 5, it.ranges, 8) : -1;
        if (nr > 0) {
            it.nranges = (size_t)(nr > 8 ? 8 : nr);
        } else {
            r->sum->sharded_guessed = true;
            uint64_t left = cores;
            for (uint16_t y = 0; y < r->gy && left && it.nranges < 8; y++) {
                uint16_t w = (uint16_t)(left < r->gx ? left : r->gx);
                it.ranges[it.nranges++] = (l1top_range){ 0, y, (uint16_t)(w - 1), y };
                left -= w;
            }
        }
    }
    if (address == 0) {
        r->sum->simulated_placement = true;
        address = place_buffer(r, it.device, it.width);
    }
    if (address + it.width > r->l1_size)
        return fail(r, n, "buffer at 0x%llx of %u B per core is beyond L1 (%u B)", (unsigned long long)address,
                    it.width, r->l1_size);
    it.address = (uint32_t)address;
    (void)node;
    return add_item(r, &it);
}

static int on_buffer_deallocate(replay *r, size_t n, json_t *params)
{
    uint64_t address = 0, device = 0, size = 0;
    if (param_u64(params, "address", &address) < 0 || param_u64(params, "device_id", &device) < 0 ||
        param_u64(params, "size", &size) < 0)
        return fail(r, n, "buffer_deallocate: a parameter is not a number");
    const char *type = param_str(params, "type");
    if (type && (strcmp(type, "DRAM") == 0 || strcmp(type, "TRACE") == 0))
        return 0;
    device = chip_of(r, device);
    /* By address; with simulated placement (address 0), the latest buffer of that size. */
    for (size_t k = r->nitems; k-- > 0;) {
        live *it = &r->items[k];
        if (it->kind == L1TOP_CIRCULAR_BUFFER || it->device != device)
            continue;
        bool match = address ? it->address == address : it->size == size;
        if (match) {
            remove_item(r, k);
            return 0;
        }
    }
    return 0; /* a buffer allocated before the capture started */
}

static int on_cb_allocate(replay *r, size_t n, json_t *params)
{
    uint64_t size = 0, address = 0, device = 0;
    if (param_u64(params, "size", &size) != 1)
        return fail(r, n, "circular_buffer_allocate needs a numeric 'size'");
    if (param_u64(params, "address", &address) < 0 || param_u64(params, "device_id", &device) < 0)
        return fail(r, n, "circular_buffer_allocate: a parameter is not a number");
    json_t *ga = json_object_get(params, "globally_allocated");
    bool global = false;
    if (json_is_true(ga))
        global = true;
    else if (json_is_string(ga))
        global = strcmp(json_string_value(ga), "1") == 0 || strcmp(json_string_value(ga), "true") == 0;
    else if (json_is_integer(ga))
        global = json_integer_value(ga) != 0;
    if (global)
        return 0; /* tensor-backed: aliases its tensor, adds no bytes */
    live it;
    memset(&it, 0, sizeof it);
    it.device = (uint32_t)device;
    it.kind = L1TOP_CIRCULAR_BUFFER;
    it.per_core = (uint32_t)size;
    it.width = (uint32_t)size;
    const char *crs = param_str(params, "core_range_set");
    int nr = crs ? trace_parse_core_ranges(crs, it.ranges, 8) : 0;
    if (nr < 0)
        return fail(r, n, "unknown core_range_set syntax '%.60s'", crs);
    if (nr == 0) { /* {} or absent: every core */
        it.ranges[0] = (l1top_range){ 0, 0, (uint16_t)(r->gx - 1), (uint16_t)(r->gy - 1) };
        nr = 1;
    }
    it.nranges = (size_t)(nr > 8 ? 8 : nr);
    int slot = device_slot(r, it.device);
    if (slot < 0)
        return fail(r, n, "more than %d devices", MAX_DEVICES);
    if (address == 0) {
        r->sum->simulated_placement = true;
        if (!r->cb_top[slot])
            r->cb_top[slot] = r->ub;
        address = r->cb_top[slot];
        r->cb_top[slot] += (uint32_t)size;
    }
    if (address + size > r->l1_size)
        return fail(r, n, "circular buffer at 0x%llx of %llu B is beyond L1 (%u B)", (unsigned long long)address,
                    (unsigned long long)size, r->l1_size);
    it.address = (uint32_t)address;
    return add_item(r, &it);
}

static void on_cb_deallocate_all(replay *r, json_t *params)
{
    uint64_t device = 0;
    bool all = param_u64(params, "device_id", &device) != 1;
    for (size_t k = r->nitems; k-- > 0;)
        if (r->items[k].kind == L1TOP_CIRCULAR_BUFFER && (all || r->items[k].device == device))
            remove_item(r, k);
    for (size_t i = 0; i < r->ndevices; i++)
        if (all || r->devices_seen[i] == device)
            r->cb_top[i] = 0;
}

/* Track the per-core peak after an L1 event. */
static void check_peak(replay *r, size_t counter)
{
    trace_peak *p = &r->sum->peak;
    for (size_t d = 0; d < r->ndevices; d++)
        for (uint32_t c = 0; c < ncores(r); c++) {
            size_t i = d * ncores(r) + c;
            uint64_t b = r->cb_core[i] + r->l1_core[i];
            if (b > p->bytes) {
                p->bytes = b;
                p->device = r->devices_seen[d];
                p->x = (uint16_t)(c % r->gx);
                p->y = (uint16_t)(c / r->gx);
                p->circular_buffers = r->cb_core[i];
                p->l1_buffers = r->l1_core[i];
                p->counter = counter;
                snprintf(p->op, sizeof p->op, "%s", r->depth > 0 ? r->stack[r->depth - 1] : "");
            }
        }
    trace_ttnn *t = &r->sum->ttnn;
    if (r->ttnn_cb > t->peak_cb)
        t->peak_cb = r->ttnn_cb;
    if (r->ttnn_l1 > t->peak_l1)
        t->peak_l1 = r->ttnn_l1;
    if (r->ttnn_cb + r->ttnn_l1 > t->peak_total)
        t->peak_total = r->ttnn_cb + r->ttnn_l1;
}

/* Replay nodes [0, stop]; track peaks when `track`. */
static int run(replay *r, size_t stop, bool track)
{
    size_t n = json_array_size(r->nodes);
    for (size_t i = 0; i < n && i <= stop; i++) {
        json_t *node = json_array_get(r->nodes, i);
        const char *type = json_string_value(json_object_get(node, "node_type"));
        json_t *params = json_object_get(node, "params");
        if (params && !json_is_object(params) && !json_is_null(params))
            return fail(r, i, "params must be an object or null");
        if (json_is_null(params))
            params = NULL;
        int rc = 0;
        bool l1 = true;
        if (strcmp(type, "buffer_allocate") == 0)
            rc = on_buffer_allocate(r, i, node, params);
        else if (strcmp(type, "buffer_deallocate") == 0)
            rc = on_buffer_deallocate(r, i, params);
        else if (strcmp(type, "circular_buffer_allocate") == 0)
            rc = on_cb_allocate(r, i, params);
        else if (strcmp(type, "circular_buffer_deallocate_all") == 0)
            on_cb_deallocate_all(r, params);
        else {
            l1 = false;
            if (strcmp(type, "function_start") == 0) {
                const char *name = param_str(params, "name");
                if (r->depth < MAX_DEPTH)
                    snprintf(r->stack[r->depth], sizeof r->stack[0], "%s", name ? name : "?");
                r->depth++;
            } else if (strcmp(type, "function_end") == 0) {
                if (r->depth > 0)
                    r->depth--;
            } else if (track && strcmp(type, "tensor") != 0 && strcmp(type, "capture_start") != 0 &&
                       strcmp(type, "capture_end") != 0) {
                r->sum->ignored++;
            }
        }
        if (rc)
            return rc;
        if (l1 && track) {
            r->sum->l1_events++;
            check_peak(r, i);
            if (r->nevents == r->events_cap) {
                size_t want = r->events_cap ? r->events_cap * 2 : 64;
                size_t *e = realloc(r->events, want * sizeof *e);
                if (!e)
                    return fail(r, i, "out of memory");
                r->events = e;
                r->events_cap = want;
            }
            r->events[r->nevents++] = i;
        }
    }
    return 0;
}

/* ---------- set-up ---------- */

static void choose_board(replay *r, json_t *devices, const char *board_name)
{
    json_t *d0 = json_is_array(devices) ? json_array_get(devices, 0) : NULL;
    json_int_t gx = json_integer_value(json_object_get(d0, "num_x_compute_cores"));
    json_int_t gy = json_integer_value(json_object_get(d0, "num_y_compute_cores"));
    json_int_t l1 = json_integer_value(json_object_get(d0, "worker_l1_size"));
    if (d0 && gx > 0 && gy > 0 && gx <= 64 && gy <= 64) {
        r->arch = l1 == 1572864 ? arch_by_name("blackhole") : l1 == 1048576 ? arch_by_name("grayskull")
                                                                           : arch_by_name("wormhole_b0");
        r->gx = (uint16_t)gx;
        r->gy = (uint16_t)gy;
        snprintf(r->sum->board, sizeof r->sum->board, "%s %lldx%lld", r->arch->name, (long long)gx, (long long)gy);
        snprintf(r->sum->board_reason, sizeof r->sum->board_reason, "from the trace's devices section");
        return;
    }
    const board_info *b = board_name ? board_by_name(board_name) : NULL;
    if (b) {
        snprintf(r->sum->board_reason, sizeof r->sum->board_reason, "from --board");
    } else {
        /* The smallest known board whose grid holds every core range in the trace. */
        unsigned need_x = 0, need_y = 0;
        for (size_t i = 0; i < json_array_size(r->nodes); i++) {
            const char *crs = param_str(json_object_get(json_array_get(r->nodes, i), "params"), "core_range_set");
            l1top_range rr[MAX_RANGES];
            int nr = crs ? trace_parse_core_ranges(crs, rr, MAX_RANGES) : 0;
            for (int k = 0; k < nr && k < MAX_RANGES; k++) {
                need_x = rr[k].x1 + 1u > need_x ? rr[k].x1 + 1u : need_x;
                need_y = rr[k].y1 + 1u > need_y ? rr[k].y1 + 1u : need_y;
            }
        }
        const board_info *best = NULL;
        for (unsigned i = 0; board_at(i); i++) {
            const board_info *c = board_at(i);
            if (c->grid_x >= need_x && c->grid_y >= need_y &&
                (!best || c->grid_x * c->grid_y < best->grid_x * best->grid_y))
                best = c;
        }
        b = best ? best : board_by_name("p150");
        snprintf(r->sum->board_reason, sizeof r->sum->board_reason, "smallest board holding every core range");
    }
    r->arch = arch_by_name(b->arch);
    r->gx = b->grid_x;
    r->gy = b->grid_y;
    snprintf(r->sum->board, sizeof r->sum->board, "%s", b->name);
}

/* Sharded buffers find their grid in a tensor node's memory_config: a
 * tensor connected to the buffer node, either way round. */
static void collect_shard_grids(replay *r)
{
    r->shard_grids = json_object();
    size_t n = json_array_size(r->nodes);
    for (size_t i = 0; i < n; i++) {
        json_t *node = json_array_get(r->nodes, i);
        if (strcmp(json_string_value(json_object_get(node, "node_type")), "tensor") != 0)
            continue;
        const char *mc = param_str(json_object_get(node, "params"), "memory_config");
        if (!mc || !strstr(mc, "grid={"))
            continue;
        for (size_t j = 0; j < n; j++) {
            json_t *other = json_array_get(r->nodes, j);
            if (strcmp(json_string_value(json_object_get(other, "node_type")), "buffer_allocate") != 0)
                continue;
            bool linked = false;
            json_t *c;
            size_t k;
            json_array_foreach(json_object_get(other, "connections"), k, c) linked |= (size_t)json_integer_value(c) == i;
            json_array_foreach(json_object_get(node, "connections"), k, c) linked |= (size_t)json_integer_value(c) == j;
            if (linked) {
                char key[32];
                snprintf(key, sizeof key, "%zu", j);
                json_object_set_new(r->shard_grids, key, json_string(mc));
            }
        }
    }
}

/* On a mesh, NORMAL captures give buffers the mesh device's id and CBs the
 * chip's; tensor nodes' device_tensors ([{"address", "device_id",
 * "mesh_device_id"}], as JSON or as a string of it) tie one to the other. */
static void collect_mesh_map(replay *r)
{
    r->mesh_map = json_object();
    for (size_t i = 0; i < json_array_size(r->nodes); i++) {
        json_t *node = json_array_get(r->nodes, i);
        if (strcmp(json_string_value(json_object_get(node, "node_type")), "tensor") != 0)
            continue;
        json_t *dt = json_object_get(json_object_get(node, "params"), "device_tensors"), *parsed = NULL;
        if (json_is_string(dt))
            dt = parsed = json_loads(json_string_value(dt), 0, NULL);
        size_t k;
        json_t *e;
        json_array_foreach(dt, k, e) {
            json_t *mesh = json_object_get(e, "mesh_device_id"), *chip = json_object_get(e, "device_id");
            if (json_is_integer(mesh) && json_is_integer(chip) && json_integer_value(mesh) != json_integer_value(chip)) {
                char key[32];
                snprintf(key, sizeof key, "%lld", (long long)json_integer_value(mesh));
                json_object_set_new(r->mesh_map, key, json_integer(json_integer_value(chip)));
            }
        }
        json_decref(parsed);
    }
}

/* A buffer's device id, mapped from a mesh device to its chip when known. */
static uint64_t chip_of(const replay *r, uint64_t device)
{
    char key[32];
    snprintf(key, sizeof key, "%llu", (unsigned long long)device);
    json_t *v = json_object_get(r->mesh_map, key);
    return json_is_integer(v) ? (uint64_t)json_integer_value(v) : device;
}

static int validate_nodes(replay *r)
{
    size_t n = json_array_size(r->nodes);
    for (size_t i = 0; i < n; i++) {
        json_t *node = json_array_get(r->nodes, i);
        if (!json_is_object(node))
            return fail(r, i, "not an object");
        json_t *counter = json_object_get(node, "counter");
        if (!json_is_integer(counter))
            return fail(r, i, "missing integer 'counter'");
        if ((size_t)json_integer_value(counter) != i)
            return fail(r, i, "counter %lld out of order (expected %zu)", (long long)json_integer_value(counter), i);
        if (!json_is_string(json_object_get(node, "node_type")))
            return fail(r, i, "missing string 'node_type'");
    }
    return 0;
}

static int build_snapshot(replay *r, snapshot *s)
{
    snapshot_reset(s);
    snprintf(s->segment, sizeof s->segment, "%s", r->path);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->timestamp_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    snap_process *p = snapshot_add_process(s);
    if (!p)
        return -1;
    snprintf(p->name, sizeof p->name, "trace");
    for (size_t d = 0; d < r->ndevices; d++) {
        snap_device *sd = snapshot_add_device(s);
        if (!sd)
            return -1;
        sd->id = r->devices_seen[d];
        sd->arch = r->arch->id;
        snprintf(sd->arch_name, sizeof sd->arch_name, "%s", r->arch->name);
        sd->grid_x = r->gx;
        sd->grid_y = r->gy;
        sd->l1_size = r->l1_size;
        sd->unreserved_base = r->ub;
        sd->alignment = r->arch->alignment;
    }
    for (size_t i = 0; i < r->nitems; i++) {
        const live *it = &r->items[i];
        snap_region *g = snapshot_add_region(s, it->ranges, it->interleaved ? 0 : it->nranges);
        if (!g)
            return -1;
        g->device = (uint32_t)snapshot_device_index(s, it->device);
        g->process = 0;
        g->kind = it->kind;
        g->interleaved = it->interleaved;
        g->address = it->address;
        g->size_per_core = it->per_core;
        g->total_size = it->total;
        g->page_size = (uint32_t)it->page;
        snprintf(g->tag, sizeof g->tag, "%s", it->kind == L1TOP_CIRCULAR_BUFFER ? "cb" : "buffer");
    }
    /* Views list devices by id. */
    return 0;
}

struct trace_file {
    json_t *root;
    replay r;
    trace_summary sum;
    uint32_t devices[MAX_DEVICES];  /* every device of the trace */
    size_t ndevices;
    char err[512];
};

trace_file *trace_open(const char *path, const char *board_name, char *err, size_t errlen)
{
    trace_file *tr = calloc(1, sizeof *tr);
    if (!tr) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    json_error_t je;
    int fd = safe_open_regular(path, 0, err, errlen); /* a FIFO must not hang us */
    if (fd < 0) {
        free(tr);
        return NULL;
    }
    tr->root = json_loadfd(fd, 0, &je);
    close(fd);
    if (!tr->root) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        free(tr);
        return NULL;
    }
    replay *r = &tr->r;
    r->path = path;
    r->err = err;
    r->errlen = errlen;
    r->sum = &tr->sum;
    json_t *devices = NULL;
    if (json_is_array(tr->root)) {
        r->nodes = tr->root;
    } else if (json_is_object(tr->root) && json_is_array(json_object_get(tr->root, "graph"))) {
        r->nodes = json_object_get(tr->root, "graph");
        devices = json_object_get(tr->root, "devices");
    } else {
        snprintf(err, errlen, "%s:1:1: not a ttnn graph trace (a list of nodes, or an object with a 'graph' list)",
                 path);
        trace_close(tr);
        return NULL;
    }
    int rc = validate_nodes(r);
    if (rc == 0) {
        tr->sum.nodes = json_array_size(r->nodes);
        choose_board(r, devices, board_name);
        r->l1_size = r->arch->l1_size;
        r->ub = r->arch->unreserved_base;
        json_t *d0 = json_is_array(devices) ? json_array_get(devices, 0) : NULL;
        json_int_t cbase = json_integer_value(json_object_get(d0, "address_at_first_l1_cb_buffer"));
        if (cbase > 0 && cbase < r->l1_size)
            r->ub = (uint32_t)cbase;
        collect_shard_grids(r);
        collect_mesh_map(r);
        r->cb_core = calloc((size_t)MAX_DEVICES * ncores(r), sizeof(uint64_t));
        r->l1_core = calloc((size_t)MAX_DEVICES * ncores(r), sizeof(uint64_t));
        if (!r->cb_core || !r->l1_core)
            rc = fail(r, 0, "out of memory");
    }
    if (rc == 0)
        rc = run(r, SIZE_MAX, true);
    if (rc != 0) {
        trace_close(tr);
        return NULL;
    }
    if (r->ndevices == 0)
        device_slot(r, 0);
    tr->ndevices = r->ndevices;
    memcpy(tr->devices, r->devices_seen, sizeof tr->devices);
    /* Later replays report into the trace's own buffer. */
    r->err = tr->err;
    r->errlen = sizeof tr->err;
    return tr;
}

const trace_summary *trace_get_summary(const trace_file *tr) { return &tr->sum; }
size_t trace_event_count(const trace_file *tr) { return tr->r.nevents; }
size_t trace_event_node(const trace_file *tr, size_t i) { return i < tr->r.nevents ? tr->r.events[i] : 0; }

int trace_state_at(trace_file *tr, size_t node, snapshot *s, char *op, size_t oplen)
{
    replay *r = &tr->r;
    trace_summary keep = tr->sum;
    r->nitems = 0;
    r->depth = 0;
    memset(r->cb_top, 0, sizeof r->cb_top);
    memset(r->cb_core, 0, (size_t)MAX_DEVICES * ncores(r) * sizeof(uint64_t));
    memset(r->l1_core, 0, (size_t)MAX_DEVICES * ncores(r) * sizeof(uint64_t));
    r->ttnn_cb = r->ttnn_l1 = 0;
    int rc = run(r, node, false);
    tr->sum = keep;
    r->ndevices = tr->ndevices; /* every device of the trace, even if idle now */
    memcpy(r->devices_seen, tr->devices, sizeof tr->devices);
    if (op)
        snprintf(op, oplen, "%s", r->depth > 0 && r->depth <= MAX_DEPTH ? r->stack[r->depth - 1] : "");
    if (rc == 0 && build_snapshot(r, s) != 0)
        rc = -1;
    return rc;
}

void trace_close(trace_file *tr)
{
    if (!tr)
        return;
    free(tr->r.items);
    free(tr->r.cb_core);
    free(tr->r.l1_core);
    free(tr->r.events);
    json_decref(tr->r.shard_grids);
    json_decref(tr->r.mesh_map);
    json_decref(tr->root);
    free(tr);
}

int trace_load(const char *path, const char *board_name, snapshot *s, trace_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    trace_file *tr = trace_open(path, board_name, err, errlen);
    if (!tr)
        return -1;
    *sum = tr->sum;
    int rc = trace_state_at(tr, (size_t)tr->sum.peak.counter, s, NULL, 0);
    if (rc != 0)
        snprintf(err, errlen, "%s", tr->err);
    trace_close(tr);
    return rc;
}
