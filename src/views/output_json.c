/*
 * output_json.c - `--format json`: the snapshot and its accounting as one
 * JSON document (schema 1, documented in README.md). Numbers are numbers,
 * bytes are exact, unknown is null.
 *
 * The document is streamed: the per-device bulk (cores, processes,
 * clashes: tens of thousands of objects on a Galaxy) is written value by
 * value as it is produced, through the emitter's own buffer, so memory and
 * time follow the output, not a DOM of it. Pretty output puts each core,
 * process and clash on one line. Every string and real goes through
 * jansson (escaping, number format); a region's reference, which a clash
 * list repeats thousands of times, is encoded once per document and
 * copied after that. The small sections (alerts, TT-Metal, trace, boards)
 * are built as jansson values and dumped in place.
 */
#define _GNU_SOURCE /* open_memstream under -std=c11 */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/peaks.h"
#include "views/format.h"
#include "views/output.h"
#include "views/view_common.h"
#include "utf8.h"

#define JSON_TEXT_MAX 1024

/* Every string from a source goes through here: jansson refuses invalid
 * UTF-8 (a key would silently vanish), so it is made valid first. */
static json_t *json_text(const char *s)
{
    char buf[JSON_TEXT_MAX];
    return json_string(utf8_clean(buf, sizeof buf, s, UTF8_KEEP_CONTROLS));
}

/* A count or a byte total: never negative; one above 2^63-1 (only a corrupt
 * source can claim that) is shown saturated at 2^63-1. */
static json_t *json_count(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

/* An unsigned 64-bit value that must stay exact rather than saturate:
 * ttnn's size_t counters (they wrap on its known underflow) and ids (asic id,
 * board serial). Beyond JSON's signed 64-bit integers it goes out as a
 * decimal string, never as a negative number. */
static json_t *u64_json(uint64_t v)
{
    if (v <= (uint64_t)INT64_MAX)
        return json_integer((json_int_t)v);
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return json_string(buf);
}


/* ---------- a streaming emitter ---------- */

#define JE_MAX_DEPTH 16
#define JE_BUF (1 << 16)

typedef struct {
    FILE *f;
    bool pretty;
    int depth;
    bool comma[JE_MAX_DEPTH]; /* a value was written at this depth */
    bool line[JE_MAX_DEPTH];  /* pretty: what is opened at this depth stays on one line */
    bool failed;
    /* What clashes repeat, encoded once per document: a region's whole
     * reference, and the strings in it. */
    char **region_ref;        /* per snapshot region */
    char **process_name;      /* per snapshot process */
    char *kind[CAT_COUNT];
    size_t len;               /* bytes waiting in buf */
    unsigned long flushes;
    char buf[JE_BUF];
} json_emitter;

static void je_flush(json_emitter *w)
{
    if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len)
        w->failed = true;
    w->len = 0;
    w->flushes++;
}

/* Raw output, through the emitter's own buffer: a document is tens of
 * thousands of short tokens, and stdio's per-call locking cost more than
 * their bytes. */
static void je_write(json_emitter *w, const char *p, size_t n)
{
    if (w->len + n > JE_BUF) {
        je_flush(w);
        if (n > JE_BUF) {
            if (fwrite(p, 1, n, w->f) != n)
                w->failed = true;
            return;
        }
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void je_char(json_emitter *w, char c)
{
    if (w->len == JE_BUF)
        je_flush(w);
    w->buf[w->len++] = c;
}

static void je_puts(json_emitter *w, const char *p)
{
    je_write(w, p, strlen(p));
}

/* Pretty: a new line at `depth`, or a space inside a one-line value. */
static void je_indent(json_emitter *w, int depth, bool line)
{
    static const char spaces[2 * JE_MAX_DEPTH + 1] = "\n                                ";
    if (!w->pretty)
        return;
    if (line)
        je_char(w, ' ');
    else
        je_write(w, spaces, 1 + 2 * (size_t)depth);
}

/* Keys are this file's own ASCII names, short: nothing to escape. */
#define JE_KEY_MAX 48

/* Separator, indentation and `"key": ` before a value (key NULL in arrays),
 * written straight into the buffer: most of a document is these. */
static void je_prefix(json_emitter *w, const char *key)
{
    bool more = w->comma[w->depth];
    if (JE_BUF - w->len < 2 * JE_MAX_DEPTH + JE_KEY_MAX + 8)
        je_flush(w);
    char *o = w->buf + w->len;
    if (more)
        *o++ = ',';
    w->comma[w->depth] = true;
    if (w->pretty && w->depth > 0 && (more || !w->line[w->depth])) { /* the document starts at column 0 */
        if (w->line[w->depth]) {
            *o++ = ' ';
        } else {
            *o++ = '\n';
            memset(o, ' ', 2 * (size_t)w->depth);
            o += 2 * w->depth;
        }
    }
    if (key) {
        *o++ = '"';
        size_t n = strnlen(key, JE_KEY_MAX);
        memcpy(o, key, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
        if (w->pretty)
            *o++ = ' ';
    }
    w->len = (size_t)(o - w->buf);
}

/* Open an object or array; with `line`, it and all it holds go on one line
 * (pretty output lists each core, process and clash that way). */
static void je_open_as(json_emitter *w, const char *key, char bracket, bool line)
{
    je_prefix(w, key);
    je_char(w, bracket);
    if (w->depth + 1 >= JE_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    w->depth++;
    w->comma[w->depth] = false;
    w->line[w->depth] = line || w->line[w->depth - 1];
}

static void je_open(json_emitter *w, const char *key, char bracket)
{
    je_open_as(w, key, bracket, false);
}

static void je_close(json_emitter *w, char bracket)
{
    bool any = w->comma[w->depth], line = w->line[w->depth];
    w->depth--;
    if (any && !line)
        je_indent(w, w->depth, false);
    je_char(w, bracket);
}

static void je_digits(json_emitter *w, uint64_t v)
{
    if (JE_BUF - w->len < 20)
        je_flush(w);
    size_t n = 1;
    for (uint64_t t = v; t >= 10; t /= 10)
        n++;
    char *o = w->buf + w->len + n;
    do {
        *--o = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    w->len += n;
}

static void je_uint(json_emitter *w, const char *key, uint64_t v)
{
    je_prefix(w, key);
    /* jansson integers are signed 64-bit: the same range here */
    je_digits(w, v > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v);
}

static void je_int(json_emitter *w, const char *key, int64_t v)
{
    je_prefix(w, key);
    if (v < 0)
        je_char(w, '-');
    je_digits(w, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

static void je_bool(json_emitter *w, const char *key, bool v)
{
    je_prefix(w, key);
    je_puts(w, v ? "true" : "false");
}

/* Pretty mode: jansson's output of a nested value, indented to our depth
 * (only whitespace is added, after its newlines). */
static int write_indented(const char *buf, size_t size, void *data)
{
    json_emitter *w = data;
    for (size_t i = 0; i < size; i++) {
        je_char(w, buf[i]);
        if (buf[i] == '\n')
            for (int k = 0; k < w->depth; k++)
                je_write(w, "  ", 2);
    }
    return 0;
}

/* Any jansson value (NULL: null), written by jansson; takes the reference. */
static void je_value(json_emitter *w, const char *key, json_t *v)
{
    je_prefix(w, key);
    if (!v) {
        je_puts(w, "null");
        return;
    }
    size_t flags = JSON_ENCODE_ANY | JSON_REAL_PRECISION(6) | (w->pretty ? JSON_INDENT(2) : JSON_COMPACT);
    if (json_dump_callback(v, write_indented, w, flags) != 0)
        w->failed = true;
    json_decref(v);
}

/* A string from a source: made valid UTF-8 first (json_text), or jansson
 * would refuse it and the key would go out as null. */
static void je_string(json_emitter *w, const char *key, const char *s)
{
    je_value(w, key, json_text(s));
}

/* A string as je_string writes it, without the encoder when it needs no
 * escape (printable ASCII, no quote or backslash): a snapshot's hundreds of
 * thousands of region tags are mostly such. */
static void je_plain_string(json_emitter *w, const char *key, const char *s)
{
    const char *p = s;
    while (*p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\')
        p++;
    if (*p) {
        je_string(w, key, s);
        return;
    }
    je_prefix(w, key);
    je_char(w, '"');
    je_write(w, s, (size_t)(p - s));
    je_char(w, '"');
}

/* A string encoded once and kept in *slot. */
static void je_string_cached(json_emitter *w, const char *key, char **slot, const char *s)
{
    if (!*slot) {
        json_t *v = json_text(s);
        *slot = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
        json_decref(v);
        if (!*slot) {
            je_value(w, key, NULL);
            return;
        }
    }
    je_prefix(w, key);
    je_puts(w, *slot);
}

static void je_free_cache(json_emitter *w, const snapshot *s)
{
    for (size_t i = 0; w->region_ref && i < s->nregions; i++)
        free(w->region_ref[i]);
    for (size_t i = 0; w->process_name && i < s->nprocesses; i++)
        free(w->process_name[i]);
    for (int k = 0; k < CAT_COUNT; k++)
        free(w->kind[k]);
    free(w->region_ref);
    free(w->process_name);
}

static void je_real(json_emitter *w, const char *key, double v)
{
    je_value(w, key, json_real(v));
}

/* ---------- the document ---------- */

static void categories_fields(json_emitter *w, const uint64_t *b, int n)
{
    for (int k = 0; k < n; k++)
        je_uint(w, category_key[k], b[k]);
}

/* A region's kind, tag and address. */
static void region_fields(json_emitter *w, const snap_region *r)
{
    l1_category cat = category_of_kind(r->kind);
    if (cat < CAT_COUNT)
        je_string_cached(w, "kind", &w->kind[cat], category_key[cat]);
    else
        je_string(w, "kind", "?");
    je_plain_string(w, "tag", r->tag);
    je_uint(w, "address", r->address);
}

/* A region's reference is at most this long: short fields, a tag and a
 * process name of a few dozen bytes, each byte at most a 6-byte escape. */
#define REF_MAX (256 + 6 * (SNAP_TAG_LEN + SNAP_NAME_LEN))

/* Written once through the emitter, then copied from the cache: a clash
 * list names the same regions thousands of times. */
static void region_ref(json_emitter *w, const char *key, const snapshot *s, uint32_t ri)
{
    char **slot = w->region_ref ? &w->region_ref[ri] : NULL;
    if (slot && *slot) {
        je_prefix(w, key);
        je_puts(w, *slot);
        return;
    }
    if (JE_BUF - w->len < REF_MAX)
        je_flush(w); /* so the reference lands in the buffer in one piece */
    unsigned long flushes = w->flushes;
    const snap_region *r = &s->regions[ri];
    const snap_process *p = r->process < s->nprocesses ? &s->processes[r->process] : NULL;
    je_open(w, key, '{');
    size_t start = w->len - 1;
    if (p) {
        je_int(w, "pid", p->pid);
        if (w->process_name) /* else no cache: memory ran out */
            je_string_cached(w, "process", &w->process_name[r->process], p->name);
        else
            je_string(w, "process", p->name);
    } else {
        je_value(w, "pid", NULL);
        je_value(w, "process", NULL);
    }
    region_fields(w, r);
    je_close(w, '}');
    if (!slot || flushes != w->flushes || (w->pretty && !w->line[w->depth + 1]))
        return; /* only compact or one-line references read the same wherever they go */
    *slot = malloc(w->len - start + 1);
    if (*slot) {
        memcpy(*slot, w->buf + start, w->len - start);
        (*slot)[w->len - start] = '\0';
    }
}

static void xy(json_emitter *w, const char *key, uint32_t x, uint32_t y)
{
    je_open(w, key, '{');
    je_uint(w, "x", x);
    je_uint(w, "y", y);
    je_close(w, '}');
}

static void device_totals(json_emitter *w, const device_usage *du)
{
    je_open(w, "totals", '{');
    categories_fields(w, du->totals, CAT_COUNT);
    je_uint(w, "largest_free_common", du->largest_free_common);
    je_uint(w, "fragmented", du->fragmented);
    je_uint(w, "tracked", usage_tracked(du->totals));
    je_uint(w, "untracked", usage_untracked(du->totals));
    je_uint(w, "used", usage_used(du->totals));
    je_uint(w, "total", usage_total(du->totals));
    je_close(w, '}');
}

/* ---------- peaks (model/peaks.h): the high-water marks of the figures beside them ---------- */

/* When the used high-water was reached: a change (a record, with its tag
 * and writer) or the start (change 0 of this reader, no tag). */
static void peak_moment_json(json_emitter *w, const peak_moment *m)
{
    char when[40];
    je_open(w, "at", '{');
    je_uint(w, "change", m->seq);
    je_value(w, "time", m->time_ns ? json_string(format_iso8601_ms(m->time_ns, when, sizeof when)) : NULL);
    je_value(w, "pid", m->pid ? json_integer(m->pid) : NULL);
    l1_category cat = category_of_kind(m->kind);
    je_value(w, "kind", cat < CAT_COUNT ? json_string(category_key[cat]) : NULL);
    je_value(w, "tag", m->kind ? json_text(m->tag) : NULL);
    je_close(w, '}');
}

/* `peak`: the category keys of `totals` or a core (`free` is the least
 * free seen), the sums, clash bytes, and when `used` peaked. */
static void peak_json(json_emitter *w, const peak_figures *f, uint64_t l1_total)
{
    je_open(w, "peak", '{');
    categories_fields(w, f->bytes, CAT_COUNT);
    je_uint(w, "tracked", f->tracked);
    je_uint(w, "untracked", f->untracked);
    je_uint(w, "used", f->used);
    je_uint(w, "clash_bytes", f->clash_bytes);
    je_real(w, "used_pct", l1_total ? 100.0 * (double)f->used / (double)l1_total : 0.0);
    peak_moment_json(w, &f->at);
    je_close(w, '}');
}

/* The top-level `peaks` object: since when the marks run and how exact they are. */
static void peaks_status_json(json_emitter *w, const peak_status *st)
{
    char when[40];
    je_open(w, "peaks", '{');
    je_string(w, "since", format_iso8601_ms(st->since_ns, when, sizeof when));
    je_uint(w, "changes", st->changes - st->since_seq);
    je_bool(w, "exact", !st->approximate);
    je_value(w, "approximate_since",
             st->approximate ? json_string(format_iso8601_ms(st->approximate_since_ns, when, sizeof when)) : NULL);
    je_uint(w, "ring_slots_lost", st->lost);
    je_uint(w, "unlogged", st->unlogged);
    je_uint(w, "late", st->late);
    je_uint(w, "bad_events", st->bad);
    je_uint(w, "resyncs", st->resyncs);
    je_close(w, '}');
}

static void device_cores(json_emitter *w, const snap_device *d, const device_usage *du, const peak_device *pd)
{
    je_open(w, "cores_detail", '[');
    for (uint32_t c = 0; c < du->ncores; c++) {
        const core_usage *u = &du->cores[c];
        je_open_as(w, NULL, '{', true);
        je_uint(w, "x", c % d->grid_x);
        je_uint(w, "y", c / d->grid_x);
        categories_fields(w, u->bytes, CAT_COUNT);
        je_uint(w, "largest_free", u->largest_free);
        je_uint(w, "fragmented", u->fragmented);
        je_real(w, "used_pct", usage_used_pct(u->bytes));
        je_uint(w, "cb_room", u->cb_room);
        je_uint(w, "cb_extent", u->cb_extent);
        if (pd && c < pd->ncores)
            peak_json(w, &pd->cores[c], d->l1_size);
        je_close(w, '}');
    }
    je_close(w, ']');
}

static void device_processes(json_emitter *w, const snapshot *s, const device_usage *du)
{
    je_open(w, "processes", '[');
    for (size_t i = 0; i < du->nprocesses; i++) {
        const process_usage *pu = &du->processes[i];
        const snap_process *p = &s->processes[pu->process];
        je_open_as(w, NULL, '{', true);
        je_int(w, "pid", p->pid);
        je_string(w, "name", p->name);
        categories_fields(w, pu->bytes, CAT_RECORDED);
        je_uint(w, "regions", pu->regions);
        je_close(w, '}');
    }
    je_close(w, ']');
}

static void device_clashes(json_emitter *w, const snapshot *s, const device_usage *du)
{
    je_open(w, "clashes", '[');
    for (size_t i = 0; i < du->nclashes; i++) {
        const clash_info *c = &du->clashes[i];
        je_open_as(w, NULL, '{', true);
        region_ref(w, "circular_buffer", s, c->cb_region);
        region_ref(w, "buffer", s, c->buffer_region);
        je_uint(w, "cores", c->cores);
        xy(w, "first_core", c->first_x, c->first_y);
        je_uint(w, "overlap_start", c->overlap_start);
        je_uint(w, "overlap_end", c->overlap_end);
        je_uint(w, "bytes", c->bytes);
        je_close(w, '}');
    }
    je_close(w, ']');
    je_bool(w, "clashes_truncated", du->clashes_truncated);
    je_uint(w, "clash_pairs_at_least", du->clash_pairs_at_least);
    je_uint(w, "clash_bytes", du->clash_bytes);
}

/* Position of snapshot process p in the device's process list (sorted by
 * snapshot index), or -1. */
static long process_position(const device_usage *du, uint32_t p)
{
    size_t lo = 0, hi = du->nprocesses;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (du->processes[mid].process < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < du->nprocesses && du->processes[lo].process == p ? (long)lo : -1;
}

/* Every region of the device as recorded, one line each: what a saved
 * snapshot needs to be read back (json_snapshot.c) into the same accounting. */
static void device_regions(json_emitter *w, const snapshot *s, const device_usage *du)
{
    je_open(w, "regions", '[');
    for (uint32_t ri = 0; ri < s->nregions; ri++) {
        const snap_region *r = &s->regions[ri];
        if (r->device != du->device)
            continue;
        long pos = process_position(du, r->process);
        je_open_as(w, NULL, '{', true);
        if (pos >= 0) {
            je_uint(w, "proc", (uint64_t)pos);
            je_int(w, "pid", s->processes[r->process].pid);
        } else {
            je_value(w, "proc", NULL);
            je_value(w, "pid", NULL);
        }
        region_fields(w, r);
        je_bool(w, "interleaved", r->interleaved);
        if (r->interleaved) {
            je_uint(w, "total_size", r->total_size);
            je_uint(w, "page_size", r->page_size);
        } else {
            je_uint(w, "size_per_core", r->size_per_core);
            je_open(w, "ranges", '[');
            const l1top_range *g = snapshot_region_ranges(s, r);
            for (uint32_t i = 0; i < r->nranges; i++) {
                je_open(w, NULL, '[');
                je_uint(w, NULL, g[i].x0);
                je_uint(w, NULL, g[i].y0);
                je_uint(w, NULL, g[i].x1);
                je_uint(w, NULL, g[i].y1);
                je_close(w, ']');
            }
            je_close(w, ']');
        }
        je_close(w, '}');
    }
    je_close(w, ']');
}

/* The device minimum of CB room, what bounds it, the largest current CB region. */
static void device_cb_room(json_emitter *w, const snapshot *s, const snap_device *d, const device_usage *du)
{
    je_open(w, "cb_room", '{');
    je_uint(w, "min", du->cb_room_min);
    xy(w, "min_core", du->cb_room_min_core % d->grid_x, du->cb_room_min_core / d->grid_x);
    int32_t bound = du->ncores ? du->cores[du->cb_room_min_core].cb_room_region : -1;
    if (bound >= 0)
        region_ref(w, "limited_by", s, (uint32_t)bound);
    else
        je_value(w, "limited_by", NULL);
    je_uint(w, "cb_extent_max", du->cb_extent_max);
    xy(w, "cb_extent_max_core", du->cb_extent_max_core % d->grid_x, du->cb_extent_max_core / d->grid_x);
    je_close(w, '}');
}

static void device_json(json_emitter *w, const snapshot *s, const device_usage *du)
{
    const snap_device *d = &s->devices[du->device];
    je_open(w, NULL, '{');
    je_uint(w, "id", d->id);
    je_string(w, "arch", d->arch_name);
    xy(w, "grid", d->grid_x, d->grid_y);
    if (d->has_mesh) { /* the chip's place on its board's mesh, when the source knows it */
        je_open(w, "mesh", '{');
        je_uint(w, "row", d->mesh_row);
        je_uint(w, "col", d->mesh_col);
        je_close(w, '}');
    } else {
        je_value(w, "mesh", NULL);
    }
    je_uint(w, "cores", du->ncores);
    je_uint(w, "l1_per_core", d->l1_size);
    je_uint(w, "l1_small_size", d->l1_small_size);
    je_uint(w, "unreserved_base", d->unreserved_base);
    je_uint(w, "alignment", d->alignment);
    device_totals(w, du);
    const peak_device *pd = s->peaks ? peaks_device(s->peaks, d->id) : NULL;
    if (pd && pd->ncores == du->ncores)
        peak_json(w, &pd->total, usage_total(du->totals));
    else
        pd = NULL;
    device_cb_room(w, s, d, du);
    device_cores(w, d, du, pd);
    device_processes(w, s, du);
    device_clashes(w, s, du);
    device_regions(w, s, du);
    je_uint(w, "dropped_records", d->dropped_records);
    je_close(w, '}');
}

static json_t *ttm_bytes(const uint64_t *b)
{
    json_t *o = json_object();
    for (int k = 0; k < TTM_COUNT; k++)
        json_object_set_new(o, ttm_kind_key[k], json_count(b[k]));
    return o;
}

static json_t *ttmetal_json(const snapshot *s, const accounting *a, const output_options *o)
{
    json_t *list = json_array();
    for (size_t i = 0; i < s->nttm; i++) {
        const ttm_device *d = &s->ttm[i];
        if (!output_device_selected(o, d->device_id))
            continue;
        json_t *dev = json_pack("{s:o, s:i, s:i, s:o, s:o, s:b, s:i}", "file", json_text(d->file), "version", (int)d->version,
                                "device_id", (int)d->device_id, "asic_id", u64_json(d->asic_id), "board_serial",
                                u64_json(d->board_serial), "ready", d->ready, "num_active_processes",
                                (int)d->num_active_processes);
        json_object_set_new(dev, "totals", ttm_bytes(d->totals));
        json_object_set_new(dev, "live_totals", ttm_bytes(d->live_totals));
        json_t *chips = json_array();
        for (size_t c = 0; c < d->nchips; c++) {
            json_t *ch = ttm_bytes(d->chips[c].bytes);
            json_object_set_new(ch, "chip_id", json_integer(d->chips[c].chip_id));
            json_object_set_new(ch, "is_remote", json_boolean(d->chips[c].is_remote));
            json_array_append_new(chips, ch);
        }
        json_object_set_new(dev, "chips", chips);
        json_t *procs = json_array();
        for (size_t p = 0; p < d->nprocesses; p++) {
            const ttm_process *pr = &d->processes[p];
            json_t *jp = ttm_bytes(pr->bytes);
            json_object_set_new(jp, "pid", json_integer(pr->pid));
            json_object_set_new(jp, "name", json_text(pr->name));
            json_object_set_new(jp, "stale", json_boolean(!pr->alive));
            uint64_t t, u;
            /* Side by side with l1top's own view of the same process, never summed. */
            if (output_l1top_bytes_of_pid(s, a, o, pr->pid, &t, &u))
                json_object_set_new(jp, "l1top", json_pack("{s:o, s:o}", "tracked", json_count(t), "untracked",
                                                           json_count(u)));
            else
                json_object_set_new(jp, "l1top", json_null());
            json_array_append_new(procs, jp);
        }
        json_object_set_new(dev, "processes", procs);
        json_array_append_new(list, dev);
    }
    return list;
}

static json_t *alerts_json(const output_options *o)
{
    json_t *alerts = json_array();
    for (size_t i = 0; o && i < o->nalerts; i++) {
        const firing_alert *fa = &o->alerts[i];
        if (!output_device_selected(o, fa->device))
            continue;
        json_t *al = json_pack("{s:o, s:s, s:s, s:s, s:i}", "name", json_text(fa->name), "severity",
                               fa->severity == SEVERITY_CRITICAL ? "critical" : "warning", "metric",
                               alert_metric_name(fa->metric), "scope", alert_scope_name(fa->scope), "device",
                               (int)fa->device);
        if (fa->scope == SCOPE_CORE) { /* one alert per device: how many cores, the worst one */
            json_object_set_new(al, "cores_over", json_integer(fa->cores_over));
            json_object_set_new(al, "cores_of", json_integer(fa->cores_of));
            json_object_set_new(al, "core", json_pack("{s:i, s:i}", "x", fa->x, "y", fa->y));
        }
        if (fa->scope == SCOPE_PROCESS) {
            json_object_set_new(al, "pid", json_integer(fa->pid));
            json_object_set_new(al, "process", json_text(fa->process));
        }
        /* Sizes and counts as exact integers; percentages as reals; the unit beside for people. */
        bool pct = alert_metric_kind(fa->metric) == VALUE_PERCENT;
        char text[ALERT_TEXT_LEN];
        json_object_set_new(al, "value", pct ? json_real(fa->value) : json_integer((json_int_t)(fa->value + 0.5)));
        json_object_set_new(al, "threshold",
                            pct ? json_real(fa->threshold) : json_integer((json_int_t)(fa->threshold + 0.5)));
        json_object_set_new(al, "value_text", json_string(alert_value_text(text, sizeof text, fa->metric, fa->value)));
        json_object_set_new(al, "summary", json_text(alert_describe(text, sizeof text, fa)));
        json_array_append_new(alerts, al);
    }
    return alerts;
}

/* Remarks about the sources (foreign owners, loose modes, skipped files, bad
 * records): the same list as the text output's. */
static json_t *warnings_json(const snapshot *s, const output_options *o)
{
    json_t *warnings = json_array();
    char text[512];
    warning_kind kind;
    for (size_t i = 0; output_warning(s, o, i, &kind, text, sizeof text); i++)
        json_array_append_new(warnings, json_pack("{s:s, s:o}", "kind", warning_kind_key[kind], "message",
                                                  json_text(text)));
    return warnings;
}

static json_t *trace_json(const trace_summary *t)
{
    json_t *peak = json_pack("{s:i, s:{s:i, s:i}, s:o, s:o, s:o, s:o, s:o}", "device", (int)t->peak.device, "core",
                             "x", t->peak.x, "y", t->peak.y, "bytes", json_count(t->peak.bytes),
                             "circular_buffers", json_count(t->peak.circular_buffers), "l1_buffers",
                             json_count(t->peak.l1_buffers), "counter", json_count(t->peak.counter), "op",
                             json_text(t->peak.op));
    /* ttnn's own numbers, literally (its underflow included): not saturated */
    json_t *ttnn = json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "peak_cb", u64_json(t->ttnn.peak_cb), "peak_l1",
                             u64_json(t->ttnn.peak_l1), "peak_dataflow_buffer",
                             u64_json(t->ttnn.peak_dataflow_buffer), "peak_scratchpad",
                             u64_json(t->ttnn.peak_scratchpad), "peak_total",
                             u64_json(t->ttnn.peak_total), "underflow", t->ttnn.underflow);
    json_t *tr = json_pack("{s:I, s:o, s:o, s:b, s:b, s:o, s:o, s:I, s:I, s:o, s:I, s:I, s:I}", "nodes",
                           (json_int_t)t->nodes, "peak", peak, "ttnn", ttnn, "simulated_placement",
                           t->simulated_placement, "sharded_grid_guessed", t->sharded_guessed, "board",
                           json_text(t->board), "board_from", json_text(t->board_reason), "l1_events",
                           (json_int_t)t->l1_events, "ignored_nodes", (json_int_t)t->ignored, "dram_allocated",
                           json_count(t->dram_peak), "chips", (json_int_t)t->chips, "pre_window_buffers",
                           (json_int_t)t->pre_window, "unplaced", (json_int_t)t->unplaced);
    return tr;
}

static json_t *boards_json(const snapshot *s)
{
    json_t *boards = json_array();
    for (size_t i = 0; i < s->nboards; i++) {
        const tt_board *b = &s->boards[i];
        json_t *jb = json_pack("{s:i, s:o}", "index", b->index, "card_type", json_text(b->card_type));
        /* null, not a fake 0, for what the driver does not report */
        json_object_set_new(jb, "asic_id", b->asic_id[0] ? json_text(b->asic_id) : json_null());
        json_object_set_new(jb, "pci_bus", b->pci_bus[0] ? json_text(b->pci_bus) : json_null());
        json_object_set_new(jb, "aiclk_mhz", b->has_aiclk ? json_integer(b->aiclk_mhz) : json_null());
        json_object_set_new(jb, "temperature_c", b->has_temp ? json_real(b->temp_c) : json_null());
        json_object_set_new(jb, "power_w", b->has_power ? json_real(b->power_w) : json_null());
        json_t *pids = json_array();
        for (size_t p = 0; p < b->npids; p++)
            json_array_append_new(pids, json_integer(b->pids[p]));
        json_object_set_new(jb, "pids", pids);
        json_array_append_new(boards, jb);
    }
    return boards;
}

static void document(json_emitter *w, const snapshot *s, const accounting *a, const output_options *o)
{
    char when[32];
    je_open(w, NULL, '{');
    je_uint(w, "schema", 1);
    je_string(w, "l1top_version", L1TOP_VERSION_STRING);
    je_string(w, "timestamp", format_iso8601(s->timestamp_ns, when, sizeof when));
    je_string(w, "segment", s->segment);
    je_open(w, "devices", '[');
    for (size_t i = 0; i < a->ndevices; i++)
        if (output_device_selected(o, s->devices[a->devices[i].device].id))
            device_json(w, s, &a->devices[i]);
    je_close(w, ']');
    je_value(w, "alerts", alerts_json(o));
    je_value(w, "warnings", warnings_json(s, o));
    if (s->peaks)
        peaks_status_json(w, peaks_status(s->peaks));
    if (s->nttm)
        je_value(w, "tt_metal", ttmetal_json(s, a, o));
    if (o && o->trace)
        je_value(w, "trace", trace_json(o->trace));
    if (s->nboards)
        je_value(w, "boards", boards_json(s));
    je_close(w, '}');
    je_char(w, '\n');
}

static int stream(FILE *f, const snapshot *s, const accounting *a, const output_options *o, bool pretty)
{
    json_emitter *w = calloc(1, sizeof *w); /* its buffer is 64 KiB: not on the stack */
    if (!w)
        return -1;
    w->f = f;
    w->pretty = pretty;
    /* Without the caches (no memory) strings are simply encoded each time. */
    w->region_ref = calloc(s->nregions ? s->nregions : 1, sizeof *w->region_ref);
    w->process_name = calloc(s->nprocesses ? s->nprocesses : 1, sizeof *w->process_name);
    document(w, s, a, o);
    je_flush(w);
    je_free_cache(w, s);
    bool failed = w->failed;
    free(w);
    if (failed || fflush(f) != 0 || ferror(f))
        return -1;
    return 0;
}

json_t *output_json_build(const snapshot *s, const accounting *a, const output_options *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rc = stream(f, s, a, o, false);
    fclose(f);
    json_t *root = rc == 0 ? json_loadb(buf, len, 0, NULL) : NULL;
    free(buf);
    return root;
}

int output_json(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    return stream(f, s, a, o, true);
}

int output_json_line(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    return stream(f, s, a, o, false);
}

const output_format output_format_json = {
    .name = "json",
    .once = output_json,
    .each = output_json_line,
    .help = "the whole snapshot as one JSON document (-n: one object per line)",
    .content_type = "application/json",
};
