/*
 * trace_parse.c - a ttnn graph-capture JSON file into a compact event list
 * (trace_internal.h). Owns the file format: the node kinds and params of
 * ttnn's GraphProcessor, core range sets, memory_config shard grids, the
 * buffer <-> tensor links of `connections`, mesh ids in device_tensors and
 * the tensors that were allocated before the capture window.
 *
 * Linear: every node is read once, every connection followed once. Numbers
 * are checked here (integers or numeric strings, no sign, no wrap) and kept
 * as uint64_t; narrowing happens only after the replay checks them against L1.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe_open.h"
#include "sources/trace_internal.h"
#include "utf8.h"

#define MAX_RANGES_PER_SET 65536u
#define MAX_NUM_CORES (1u << 20)

/* ---------- core ranges ---------- */

static bool eat(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool coord_number(const char **p, unsigned *v)
{
    if (!isdigit((unsigned char)**p))
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(*p, &end, 10);
    if (errno || x > 0xFFFF)
        return false;
    *v = (unsigned)x;
    *p = end;
    return true;
}

/* A core: "(x=3,y=4)" (old traces) or "3-4" (CoreRangeSet::str()). */
static bool coord(const char **p, unsigned *x, unsigned *y)
{
    if (eat(p, "(x="))
        return coord_number(p, x) && eat(p, ",y=") && coord_number(p, y) && eat(p, ")");
    return coord_number(p, x) && eat(p, "-") && coord_number(p, y);
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
        if (x0 > x1 || y0 > y1 || n == INT32_MAX)
            return -1;
        if ((size_t)n < max)
            out[n] = (l1top_range){ (uint16_t)x0, (uint16_t)y0, (uint16_t)x1, (uint16_t)y1 };
        n++;
    }
}

/* ---------- the parser's working state ---------- */

typedef struct {
    uint8_t kind;              /* TN_* */
    uint8_t mem;               /* tensor / buffer: MEM_* */
    bool interleaved;          /* buffer: layout */
    bool has_grid;
    uint32_t first_range, nranges;  /* shard grid (tensor) or the grid found for a buffer */
    uint32_t tensor;           /* buffer: a tensor with an address, or TRACE_NONE */
    uint32_t first_event;      /* buffer: first alloc/free event naming it */
    uint64_t address, device, size;
    bool has_device;
} ninfo;

typedef struct {
    const char *path;
    char *err;
    size_t errlen;
    json_t *nodes;
    ninfo *info;
    trace_parsed *p;
} parser;

static int fail(parser *ps, size_t node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(parser *ps, size_t node, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errlen, "%s: node %zu: %s", ps->path, node, msg);
    return -1;
}


/* A parameter as a number: a JSON integer >= 0 or a string of decimal digits
 * that fits in 64 bits. 1 found, 0 absent (or null), -1 not a number. */
static int pnum(json_t *params, const char *key, uint64_t *out)
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
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    if (!isdigit((unsigned char)s[0]))
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || errno == ERANGE)
        return -1;
    *out = x;
    return 1;
}

static const char *pstr(json_t *params, const char *key)
{
    json_t *v = params ? json_object_get(params, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* globally_allocated / borrows_memory: "0"/"1" strings in real traces (ttnn
 * tests stoi(...) == 1), also true/false, 0/1. */
static bool pflag(json_t *params, const char *key)
{
    json_t *v = params ? json_object_get(params, key) : NULL;
    if (json_is_true(v))
        return true;
    if (json_is_integer(v))
        return json_integer_value(v) == 1;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    return s && (strcmp(s, "1") == 0 || strcmp(s, "true") == 0);
}

static uint8_t node_kind(const char *t)
{
    static const struct {
        const char *name;
        uint8_t kind;
    } kinds[] = {
        { "buffer_allocate", TN_BUF_ALLOC },
        { "buffer_deallocate", TN_BUF_FREE },
        { "circular_buffer_allocate", TN_CB_ALLOC },
        { "dataflow_buffer_allocate", TN_DFB_ALLOC },
        { "scratchpad_allocate", TN_SCRATCH_ALLOC },
        { "circular_buffer_deallocate_all", TN_PROGRAM_FREE },
        { "function_start", TN_FN_START },
        { "function_end", TN_FN_END },
        { "tensor", TN_TENSOR },
        { "buffer", TN_BUFFER },
        { "capture_start", TN_QUIET },
        { "capture_end", TN_QUIET },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(t, kinds[i].name) == 0)
            return kinds[i].kind;
    return TN_OTHER;
}

/* TT-Metal's BufferType, as traces number it (tt-metalium/buffer_types.hpp,
 * tt-metal 622c6fb9). */
enum { BT_DRAM = 0, BT_L1 = 1, BT_SYSTEM_MEMORY = 2, BT_L1_SMALL = 3, BT_TRACE = 4 };

/* The memory a buffer/tensor lives in: the "type" string (ttnn writes "DRAM"
 * or "L1", L1 also for L1_SMALL) refined by the buffer_type enum. */
static uint8_t mem_of(const char *type, int has_bt, uint64_t bt)
{
    if (type && (strcmp(type, "DRAM") == 0 || strcmp(type, "TRACE") == 0 || strcmp(type, "SYSTEM_MEMORY") == 0))
        return MEM_DRAM;
    if (type && strcmp(type, "L1_SMALL") == 0)
        return MEM_L1_SMALL;
    if (has_bt == 1)
        return bt == BT_L1_SMALL                                                    ? MEM_L1_SMALL
               : (bt == BT_DRAM || bt == BT_SYSTEM_MEMORY || bt == BT_TRACE) && !type ? MEM_DRAM
                                                                                    : MEM_L1;
    return MEM_L1;
}

/* ---------- ranges and grids ---------- */

static int add_ranges_text(parser *ps, size_t node, const char *text, uint32_t *first, uint32_t *n)
{
    trace_parsed *p = ps->p;
    int count = trace_parse_core_ranges(text, NULL, 0);
    if (count < 0)
        return -1;
    if ((unsigned)count > MAX_RANGES_PER_SET)
        return fail(ps, node, "more than %u core ranges", MAX_RANGES_PER_SET);
    if (grow_array((void **)&p->ranges, &p->ranges_cap, p->nranges, (size_t)count, sizeof *p->ranges) != 0)
        return fail(ps, node, "out of memory");
    trace_parse_core_ranges(text, p->ranges + p->nranges, (size_t)count);
    *first = (uint32_t)p->nranges;
    *n = (uint32_t)count;
    p->nranges += (size_t)count;
    return 0;
}

static bool xy(json_t *o, unsigned *x, unsigned *y)
{
    json_t *jx = json_object_get(o, "x"), *jy = json_object_get(o, "y");
    if (!json_is_integer(jx) || !json_is_integer(jy) || json_integer_value(jx) < 0 || json_integer_value(jy) < 0 ||
        json_integer_value(jx) > 0xFFFF || json_integer_value(jy) > 0xFFFF)
        return false;
    *x = (unsigned)json_integer_value(jx);
    *y = (unsigned)json_integer_value(jy);
    return true;
}

/* grid=[{"start":{"x":0,"y":0},"end":{"x":7,"y":7}}, ...] as ttnn prints a
 * ShardSpec / NdShardSpec inside memory_config. 0 found, 1 absent, -1 bad. */
static int grid_json(parser *ps, const char *open, uint32_t *first, uint32_t *n)
{
    int depth = 0;
    const char *e = open;
    for (; *e; e++) {
        depth += *e == '[' ? 1 : *e == ']' ? -1 : 0;
        if (depth == 0)
            break;
    }
    if (!*e)
        return -1;
    json_t *arr = json_loadb(open, (size_t)(e - open + 1), 0, NULL);
    if (!json_is_array(arr) || json_array_size(arr) > MAX_RANGES_PER_SET) {
        json_decref(arr);
        return -1;
    }
    trace_parsed *p = ps->p;
    if (grow_array((void **)&p->ranges, &p->ranges_cap, p->nranges, json_array_size(arr), sizeof *p->ranges) != 0) {
        json_decref(arr);
        return -1;
    }
    size_t i, k = 0;
    json_t *r;
    json_array_foreach(arr, i, r) {
        unsigned x0, y0, x1, y1;
        if (!xy(json_object_get(r, "start"), &x0, &y0) || !xy(json_object_get(r, "end"), &x1, &y1) || x0 > x1 ||
            y0 > y1) {
            json_decref(arr);
            return -1;
        }
        p->ranges[p->nranges + k++] = (l1top_range){ (uint16_t)x0, (uint16_t)y0, (uint16_t)x1, (uint16_t)y1 };
    }
    json_decref(arr);
    *first = (uint32_t)p->nranges;
    *n = (uint32_t)k;
    p->nranges += k;
    return 0;
}

/* The shard grid of a memory_config string, in the forms ttnn has printed:
 * shard_spec=ShardSpec{grid=[{...}]...}, nd_shard_spec={"grid":[{...}]},
 * and the older grid={[(x=0,y=0) - (x=7,y=7)]}. */
static int memory_config_grid(parser *ps, size_t node, const char *mc, uint32_t *first, uint32_t *n)
{
    static const char *const json_keys[] = { "grid=[", "\"grid\":[" };
    for (size_t k = 0; k < 2; k++) {
        const char *g = strstr(mc, json_keys[k]);
        if (g)
            return grid_json(ps, strchr(g, '['), first, n) == 0 && *n > 0 ? 0 : 1;
    }
    const char *g = strstr(mc, "grid={");
    if (g && add_ranges_text(ps, node, g + 5, first, n) == 0 && *n > 0)
        return 0;
    return 1;
}

/* ---------- pass 1: what each node is ---------- */

static int add_mesh(trace_parsed *p, uint64_t mesh, uint64_t chip)
{
    for (size_t i = 0; i < p->nmesh; i++)
        if (p->mesh[i].mesh == mesh && p->mesh[i].chip == chip)
            return 0;
    if (grow_array((void **)&p->mesh, &p->mesh_cap, p->nmesh, 1, sizeof *p->mesh) != 0)
        return -1;
    p->mesh[p->nmesh++] = (tmesh){ mesh, chip };
    return 0;
}

/* device_tensors: [{"address", "device_id", "mesh_device_id"}], as JSON or a string of it. */
static int read_device_tensors(parser *ps, size_t i, json_t *params)
{
    json_t *dt = params ? json_object_get(params, "device_tensors") : NULL, *parsed = NULL;
    if (json_is_string(dt))
        dt = parsed = json_loads(json_string_value(dt), 0, NULL);
    size_t k;
    json_t *e;
    int rc = 0;
    json_array_foreach(dt, k, e) {
        uint64_t mesh, chip, addr;
        if (pnum(e, "mesh_device_id", &mesh) == 1 && pnum(e, "device_id", &chip) == 1 && mesh != chip &&
            add_mesh(ps->p, mesh, chip) != 0)
            rc = fail(ps, i, "out of memory");
        if (k == 0 && ps->info[i].address == 0 && pnum(e, "address", &addr) == 1)
            ps->info[i].address = addr;
        if (rc)
            break;
    }
    json_decref(parsed);
    return rc;
}

static int read_tensor(parser *ps, size_t i, json_t *params)
{
    ninfo *in = &ps->info[i];
    uint64_t bt = 0;
    int has_bt = pnum(params, "buffer_type", &bt);
    const char *mc = pstr(params, "memory_config");
    if (has_bt != 1 && mc && strstr(mc, "BufferType::"))
        has_bt = 1, bt = strstr(mc, "BufferType::L1_SMALL") ? BT_L1_SMALL : strstr(mc, "BufferType::L1") ? BT_L1 : BT_DRAM;
    in->mem = has_bt == 1 ? mem_of(NULL, 1, bt) : MEM_DRAM; /* no evidence of L1: not placed */
    if (pnum(params, "address", &in->address) < 0)
        in->address = 0;
    in->has_device = pnum(params, "device_id", &in->device) == 1;
    if (mc && memory_config_grid(ps, i, mc, &in->first_range, &in->nranges) == 0)
        in->has_grid = true;
    in->interleaved = !mc || strstr(mc, "INTERLEAVED") != NULL;
    return read_device_tensors(ps, i, params);
}

static int classify(parser *ps)
{
    size_t n = json_array_size(ps->nodes);
    for (size_t i = 0; i < n; i++) {
        json_t *node = json_array_get(ps->nodes, i);
        if (!json_is_object(node))
            return fail(ps, i, "not an object");
        json_t *counter = json_object_get(node, "counter");
        if (!json_is_integer(counter))
            return fail(ps, i, "missing integer 'counter'");
        if (json_integer_value(counter) < 0 || (uint64_t)json_integer_value(counter) != i)
            return fail(ps, i, "counter %lld out of order (expected %zu)", (long long)json_integer_value(counter), i);
        const char *type = json_string_value(json_object_get(node, "node_type"));
        if (!type)
            return fail(ps, i, "missing string 'node_type'");
        json_t *params = json_object_get(node, "params");
        if (params && !json_is_object(params) && !json_is_null(params))
            return fail(ps, i, "params must be an object or null");
        json_t *conns = json_object_get(node, "connections");
        if (conns && !json_is_array(conns) && !json_is_null(conns))
            return fail(ps, i, "connections must be a list");
        size_t k;
        json_t *c;
        json_array_foreach(conns, k, c) if (!json_is_integer(c) || json_integer_value(c) < 0 ||
                                            (uint64_t)json_integer_value(c) >= n) return fail(ps, i,
                                                                                              "connection %zu is not a node",
                                                                                              k);
        ninfo *in = &ps->info[i];
        in->kind = node_kind(type);
        in->tensor = in->first_event = TRACE_NONE;
        if (json_is_null(params))
            params = NULL;
        if (in->kind == TN_TENSOR && read_tensor(ps, i, params) != 0)
            return -1;
        if (in->kind == TN_BUFFER || in->kind == TN_BUF_ALLOC) {
            uint64_t bt = 0;
            int has_bt = pnum(params, "buffer_type", &bt);
            in->mem = mem_of(pstr(params, "type"), has_bt, bt);
            const char *layout = pstr(params, "layout");
            in->interleaved = !layout || strcmp(layout, "INTERLEAVED") == 0;
            in->has_device = pnum(params, "device_id", &in->device) == 1;
            if (pnum(params, "size", &in->size) < 0)
                in->size = 0;
        }
        if (in->kind == TN_OTHER)
            ps->p->ignored++;
    }
    return 0;
}

/* ---------- pass 2: links between buffers and tensors ---------- */

static json_t *conns_of(parser *ps, size_t i)
{
    return json_object_get(json_array_get(ps->nodes, i), "connections");
}

static bool is_buffer_node(uint8_t kind) { return kind == TN_BUFFER || kind == TN_BUF_ALLOC; }

static void link(parser *ps, size_t buf, size_t tensor)
{
    ninfo *b = &ps->info[buf], *t = &ps->info[tensor];
    if (!b->has_grid && t->has_grid) {
        b->has_grid = true;
        b->first_range = t->first_range;
        b->nranges = t->nranges;
    }
    if (b->tensor == TRACE_NONE && t->address)
        b->tensor = (uint32_t)tensor;
}

/* A tensor reaches its buffer through the buffer node's connections (ttnn's
 * add_tensor), or, in older traces, either way round with buffer_allocate. */
static void link_buffers(parser *ps)
{
    size_t n = json_array_size(ps->nodes);
    for (size_t i = 0; i < n; i++) {
        size_t k;
        json_t *c;
        json_array_foreach(conns_of(ps, i), k, c) {
            size_t j = (size_t)json_integer_value(c);
            if (is_buffer_node(ps->info[i].kind) && ps->info[j].kind == TN_TENSOR)
                link(ps, i, j);
            else if (ps->info[i].kind == TN_TENSOR && is_buffer_node(ps->info[j].kind))
                link(ps, j, i);
        }
    }
}

/* ---------- pass 3: events ---------- */

static uint32_t first_conn(parser *ps, size_t i, uint8_t kind)
{
    json_t *c = json_array_get(conns_of(ps, i), 0);
    if (!c)
        return TRACE_NONE;
    size_t j = (size_t)json_integer_value(c);
    return ps->info[j].kind == kind ? (uint32_t)j : TRACE_NONE;
}

static int add_name(parser *ps, size_t i, const char *name, uint32_t *off)
{
    trace_parsed *p = ps->p;
    if (grow_array((void **)&p->names, &p->names_cap, p->names_len, TRACE_OP_LEN, 1) != 0)
        return fail(ps, i, "out of memory");
    const char *src = name ? name : "?";
    size_t len = utf8_sanitize(p->names + p->names_len, TRACE_OP_LEN, src, strlen(src), UTF8_ESCAPE_CONTROLS);
    *off = (uint32_t)p->names_len;
    p->names_len += len + 1;
    return 0;
}

static int decode_buffer(parser *ps, size_t i, json_t *params, tev *e)
{
    const char *what = e->type == TN_BUF_ALLOC ? "buffer_allocate" : "buffer_deallocate";
    int has_size = pnum(params, "size", &e->size);
    if (has_size < 0 || (e->type == TN_BUF_ALLOC && has_size == 0))
        return fail(ps, i, "%s needs a numeric 'size'", what);
    uint64_t bt = 0;
    int has_bt, has_mb;
    if (pnum(params, "address", &e->address) < 0 || (has_bt = pnum(params, "buffer_type", &bt)) < 0 ||
        pnum(params, "page_size", &e->page) < 0 || pnum(params, "num_cores", &e->num_cores) < 0 ||
        (has_mb = pnum(params, "max_size_per_bank", &e->max_bank)) < 0)
        return fail(ps, i, "%s: a parameter is not a number", what);
    int has_dev = pnum(params, "device_id", &e->device);
    if (has_dev < 0)
        return fail(ps, i, "%s: a parameter is not a number", what);
    e->has_device = has_dev == 1;
    e->has_max_bank = has_mb == 1;
    if (e->page > UINT32_MAX)
        return fail(ps, i, "page_size %llu out of range", (unsigned long long)e->page);
    if (e->page == 0)
        e->page = TRACE_DEFAULT_PAGE; /* older traces: ttnn's tile page */
    if (e->num_cores > MAX_NUM_CORES)
        return fail(ps, i, "num_cores %llu out of range", (unsigned long long)e->num_cores);
    const char *type = pstr(params, "type");
    e->mem = mem_of(type, has_bt, bt);
    /* ttnn skips only type "DRAM"; traces without the string: by buffer_type. */
    e->ttnn_counted = type ? strcmp(type, "DRAM") != 0 : e->mem != MEM_DRAM;
    const char *layout = pstr(params, "layout");
    e->interleaved = e->num_cores == 0 && (!layout || strcmp(layout, "INTERLEAVED") == 0);
    e->buffer = first_conn(ps, i, TN_BUFFER);
    const ninfo *self = &ps->info[i];
    const ninfo *grid = self->has_grid ? self : e->buffer != TRACE_NONE && ps->info[e->buffer].has_grid
                                                    ? &ps->info[e->buffer]
                                                    : NULL;
    if (grid) {
        e->first_range = grid->first_range;
        e->nranges = grid->nranges;
    }
    if (e->buffer != TRACE_NONE && ps->info[e->buffer].first_event == TRACE_NONE)
        ps->info[e->buffer].first_event = (uint32_t)ps->p->nev;
    return 0;
}

static int decode_program_l1(parser *ps, size_t i, json_t *params, tev *e)
{
    static const char *const names[] = { [TN_CB_ALLOC] = "circular_buffer_allocate",
                                         [TN_DFB_ALLOC] = "dataflow_buffer_allocate",
                                         [TN_SCRATCH_ALLOC] = "scratchpad_allocate" };
    const char *what = names[e->type];
    if (pnum(params, "size", &e->size) != 1)
        return fail(ps, i, "%s needs a numeric 'size'", what);
    int has_dev;
    if (pnum(params, "address", &e->address) < 0 || (has_dev = pnum(params, "device_id", &e->device)) < 0)
        return fail(ps, i, "%s: a parameter is not a number", what);
    e->has_device = has_dev == 1;
    e->shared = e->type == TN_CB_ALLOC ? pflag(params, "globally_allocated")
                                       : e->type == TN_DFB_ALLOC && pflag(params, "borrows_memory");
    e->ttnn_counted = !e->shared;
    const char *crs = pstr(params, "core_range_set");
    if (crs && add_ranges_text(ps, i, crs, &e->first_range, &e->nranges) != 0) {
        char shown[64];
        utf8_sanitize(shown, sizeof shown, crs, strlen(crs), UTF8_ESCAPE_CONTROLS);
        return fail(ps, i, "unknown core_range_set syntax '%s'", shown);
    }
    return 0;
}

static int decode_events(parser *ps)
{
    size_t n = json_array_size(ps->nodes);
    trace_parsed *p = ps->p;
    for (size_t i = 0; i < n; i++) {
        uint8_t kind = ps->info[i].kind;
        if (kind == TN_OTHER || kind == TN_TENSOR || kind == TN_BUFFER || kind == TN_QUIET)
            continue;
        if (grow_array((void **)&p->ev, &p->ev_cap, p->nev, 1, sizeof *p->ev) != 0)
            return fail(ps, i, "out of memory");
        tev *e = &p->ev[p->nev];
        memset(e, 0, sizeof *e);
        e->node = (uint32_t)i;
        e->type = kind;
        e->buffer = TRACE_NONE;
        json_t *params = json_object_get(json_array_get(ps->nodes, i), "params");
        if (json_is_null(params))
            params = NULL;
        int rc = 0;
        if (kind == TN_BUF_ALLOC || kind == TN_BUF_FREE) {
            rc = decode_buffer(ps, i, params, e);
        } else if (kind == TN_CB_ALLOC || kind == TN_DFB_ALLOC || kind == TN_SCRATCH_ALLOC) {
            rc = decode_program_l1(ps, i, params, e);
        } else if (kind == TN_PROGRAM_FREE) {
            int has_dev = pnum(params, "device_id", &e->device);
            if (has_dev < 0)
                rc = fail(ps, i, "circular_buffer_deallocate_all: device_id is not a number");
            e->has_device = has_dev == 1;
        } else if (kind == TN_FN_START) {
            rc = add_name(ps, i, pstr(params, "name"), &e->name);
        }
        if (rc)
            return rc;
        p->nev++;
    }
    return 0;
}

/* ---------- pass 4: buffers that were live before the window ---------- */

/* A buffer node whose first event is a deallocation (or that has none) and
 * whose tensor carries a real address was allocated before the capture. */
static int find_pre_window(parser *ps)
{
    trace_parsed *p = ps->p;
    size_t n = json_array_size(ps->nodes);
    for (size_t i = 0; i < n; i++) {
        const ninfo *b = &ps->info[i];
        if (b->kind != TN_BUFFER || b->tensor == TRACE_NONE || b->mem == MEM_DRAM)
            continue;
        const tev *first = b->first_event != TRACE_NONE ? &p->ev[b->first_event] : NULL;
        if (first && first->type == TN_BUF_ALLOC)
            continue;
        const ninfo *t = &ps->info[b->tensor];
        if (grow_array((void **)&p->pre, &p->pre_cap, p->npre, 1, sizeof *p->pre) != 0)
            return fail(ps, i, "out of memory");
        tpre *q = &p->pre[p->npre++];
        memset(q, 0, sizeof *q);
        q->buffer = (uint32_t)i;
        q->tensor = b->tensor;
        q->device = b->has_device ? b->device : t->device;
        q->address = t->address;
        q->size = b->size;
        q->mem = t->mem == MEM_L1_SMALL ? MEM_L1_SMALL : b->mem;
        q->interleaved = b->interleaved && !b->has_grid;
        q->first_range = b->first_range;
        q->nranges = b->has_grid ? b->nranges : 0;
        /* The freeing node knows the per-bank size exactly; else one shard of the grid. */
        if (first && first->has_max_bank) {
            q->per_core = first->max_bank;
        } else if (q->nranges) {
            uint64_t cells = 0;
            for (uint32_t k = 0; k < q->nranges; k++) {
                const l1top_range *g = &p->ranges[q->first_range + k];
                cells += (uint64_t)(g->x1 - g->x0 + 1) * (g->y1 - g->y0 + 1);
            }
            q->per_core = cells ? q->size / cells + (q->size % cells != 0) : 0;
        }
    }
    return 0;
}

/* ---------- a one-chip mesh without device_tensors ---------- */

/* Traces whose tensors carry no device_tensors still say the MeshDevice on
 * buffer nodes and the chip (IDevice) on CB nodes in NORMAL mode. When
 * every buffer names one id and every program-scope node another, they are
 * one chip seen twice: the buffers' id is taken as a mesh of that chip. */
static int guess_single_chip_mesh(parser *ps)
{
    trace_parsed *p = ps->p;
    if (p->nmesh)
        return 0;
    uint64_t buf_id = 0, prog_id = 0;
    bool have_buf = false, have_prog = false;
    for (size_t i = 0; i < p->nev; i++) {
        const tev *e = &p->ev[i];
        bool buf = e->type == TN_BUF_ALLOC || e->type == TN_BUF_FREE;
        bool prog = e->type == TN_CB_ALLOC || e->type == TN_DFB_ALLOC || e->type == TN_SCRATCH_ALLOC;
        if ((!buf && !prog) || !e->has_device)
            continue;
        uint64_t *id = buf ? &buf_id : &prog_id;
        bool *have = buf ? &have_buf : &have_prog;
        if (*have && *id != e->device)
            return 0; /* several ids of one kind: a real multi-device trace */
        *id = e->device;
        *have = true;
    }
    if (have_buf && have_prog && buf_id != prog_id && add_mesh(p, buf_id, prog_id) != 0)
        return fail(ps, 0, "out of memory");
    return 0;
}

/* ---------- the file ---------- */

static void read_devices(trace_parsed *p, json_t *devices)
{
    json_t *d0 = json_is_array(devices) ? json_array_get(devices, 0) : NULL;
    if (!json_is_object(d0))
        return;
    p->have_devices = true;
    p->dev_gx = json_integer_value(json_object_get(d0, "num_x_compute_cores"));
    p->dev_gy = json_integer_value(json_object_get(d0, "num_y_compute_cores"));
    p->dev_l1 = json_integer_value(json_object_get(d0, "worker_l1_size"));
    p->dev_cb_base = json_integer_value(json_object_get(d0, "address_at_first_l1_cb_buffer"));
}

int trace_parse_file(const char *path, trace_parsed *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    FILE *f = safe_fopen_regular(path, 0, err, errlen); /* a FIFO must not hang us */
    if (!f) /* absent or unreadable: no input; something else than a file: bad data */
        return errno == SAFE_NOT_REGULAR ? -1 : -2;
    json_error_t je;
    json_t *root = json_loadf(f, 0, &je);
    fclose(f);
    if (!root) {
        if (je.line > 0)
            snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        else
            snprintf(err, errlen, "%s: %s", path, je.text);
        return -1;
    }
    parser ps = { path, err, errlen, NULL, NULL, p };
    if (json_is_array(root)) {
        ps.nodes = root;
    } else if (json_is_object(root) && json_is_array(json_object_get(root, "graph"))) {
        ps.nodes = json_object_get(root, "graph");
        read_devices(p, json_object_get(root, "devices"));
    } else {
        snprintf(err, errlen, "%s:1:1: not a ttnn graph trace (a list of nodes, or an object with a 'graph' list)",
                 path);
        json_decref(root);
        return -1;
    }
    p->nodes = json_array_size(ps.nodes);
    int rc = 0;
    if (p->nodes >= TRACE_NONE) {
        snprintf(err, errlen, "%s: more than %u nodes", path, TRACE_NONE - 1);
        rc = -1;
    }
    ps.info = rc ? NULL : calloc(p->nodes ? p->nodes : 1, sizeof *ps.info);
    if (!rc && !ps.info) {
        snprintf(err, errlen, "%s: out of memory", path);
        rc = -1;
    }
    if (rc == 0)
        rc = classify(&ps);
    if (rc == 0) {
        link_buffers(&ps);
        rc = decode_events(&ps);
    }
    if (rc == 0)
        rc = find_pre_window(&ps);
    if (rc == 0)
        rc = guess_single_chip_mesh(&ps);
    for (size_t i = 0; rc == 0 && i < p->nev; i++) {
        const tev *e = &p->ev[i];
        if (e->type == TN_BUF_ALLOC && !e->interleaved && e->nranges == 0 && e->mem != MEM_DRAM)
            p->sharded_guessed = true;
    }
    free(ps.info);
    json_decref(root);
    if (rc != 0)
        trace_parsed_free(p);
    return rc;
}

void trace_parsed_free(trace_parsed *p)
{
    free(p->ev);
    free(p->pre);
    free(p->ranges);
    free(p->names);
    free(p->mesh);
    memset(p, 0, sizeof *p);
}
