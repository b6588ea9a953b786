/*
 * json_snapshot.c - a saved `--once --format json` snapshot back into the
 * model (json_snapshot.h). Owns what schema 1 promises a reader: every
 * device with its memory map and regions, every region with its process,
 * kind, address and placement. Every value is checked as the segment reader
 * checks a record (kinds, sizes inside L1, ranges inside the grid); the
 * first bad one refuses the whole file, named by its JSON path, because a
 * half-read snapshot would answer --diff and --fit wrongly without saying.
 */
#define _GNU_SOURCE /* timegm */
#include "sources/json_snapshot.h"
#include "sources/recording_file.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "grow.h"
#include "model/accounting.h"
#include "safe_open.h"
#include "shm_format.h"
#include "utf8.h"

#define JSNAP_SCHEMA 1
#define JSNAP_MAX_L1 (64u << 20) /* as the segment reader: no core has more */
#define SNIFF_BYTES 4096

typedef struct {
    const char *name;
    char *err;
    size_t errlen;
    char where[96]; /* JSON path of the value being read */
} jctx;

static int bad(jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(jctx *c, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "%s: %s%s%s", c->name, c->where, c->where[0] ? ": " : "", msg);
    return JSNAP_EDATA;
}

static void at(jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void at(jctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->where, sizeof c->where, fmt, ap);
    va_end(ap);
}

/* obj[key] as an integer in [0, max]. */
static int get_uint(jctx *c, json_t *obj, const char *key, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    *out = 0;
    if (!v)
        return bad(c, "no '%s'", key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
        return bad(c, "'%s' is not an integer from 0 to %llu", key, (unsigned long long)max);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int get_u32(jctx *c, json_t *obj, const char *key, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (get_uint(c, obj, key, max, &v))
        return JSNAP_EDATA;
    *out = (uint32_t)v;
    return 0;
}

static int get_string(jctx *c, json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return bad(c, "'%s' is not a string", key);
    *out = json_string_value(v);
    return 0;
}

static int get_array(jctx *c, json_t *obj, const char *key, json_t **out)
{
    *out = json_object_get(obj, key);
    if (!json_is_array(*out))
        return *out ? bad(c, "'%s' is not a list", key)
                    : bad(c, "no '%s' (saved by an l1top older than 0.1.0's answers? save it again)", key);
    return 0;
}

/* ---------- one device ---------- */

/* "mesh": {"row", "col"} or null/absent (an older l1top, or not known). */
static int read_mesh(jctx *c, json_t *jd, snap_device *d)
{
    json_t *mesh = json_object_get(jd, "mesh");
    uint32_t row, col;
    if (!mesh || json_is_null(mesh))
        return 0;
    if (!json_is_object(mesh))
        return bad(c, "'mesh' is not an object");
    if (get_u32(c, mesh, "row", L1TOP_MESH_MAX - 1, &row) || get_u32(c, mesh, "col", L1TOP_MESH_MAX - 1, &col))
        return JSNAP_EDATA;
    d->has_mesh = true;
    d->mesh_row = (uint16_t)row;
    d->mesh_col = (uint16_t)col;
    return 0;
}

static int read_memory_map(jctx *c, json_t *jd, snap_device *d)
{
    const char *arch = "";
    json_t *grid = json_object_get(jd, "grid");
    uint32_t gx, gy;
    if (get_u32(c, jd, "id", UINT32_MAX, &d->id) || get_string(c, jd, "arch", &arch))
        return JSNAP_EDATA;
    const arch_info *a = arch_by_name(arch);
    if (!a)
        return bad(c, "unknown arch '%.32s'", arch);
    if (!json_is_object(grid))
        return bad(c, "'grid' is not an object");
    if (get_u32(c, grid, "x", L1TOP_SHM_MAX_GRID, &gx) || get_u32(c, grid, "y", L1TOP_SHM_MAX_GRID, &gy) ||
        get_u32(c, jd, "l1_per_core", JSNAP_MAX_L1, &d->l1_size) ||
        get_u32(c, jd, "l1_small_size", JSNAP_MAX_L1, &d->l1_small_size) ||
        get_u32(c, jd, "unreserved_base", JSNAP_MAX_L1, &d->unreserved_base) ||
        get_u32(c, jd, "alignment", 4096, &d->alignment) ||
        get_uint(c, jd, "dropped_records", INT64_MAX, &d->dropped_records))
        return JSNAP_EDATA;
    if (gx == 0 || gy == 0)
        return bad(c, "an empty grid");
    if (d->l1_size == 0 || d->unreserved_base >= d->l1_size || d->l1_small_size > d->l1_size - d->unreserved_base)
        return bad(c, "memory map out of order: L1 %u, unreserved base %u, L1_SMALL %u", d->l1_size,
                   d->unreserved_base, d->l1_small_size);
    if (d->alignment == 0)
        return bad(c, "'alignment' is 0");
    d->arch = a->id;
    snprintf(d->arch_name, sizeof d->arch_name, "%s", a->name);
    d->grid_x = (uint16_t)gx;
    d->grid_y = (uint16_t)gy;
    return read_mesh(c, jd, d);
}

/* The device's processes become snapshot processes; *first gets the index
 * of its first one (a region's "proc" counts from there). */
static int read_processes(jctx *c, json_t *jd, size_t di, snapshot *s, size_t *first, size_t *count)
{
    json_t *list;
    at(c, "devices[%zu]", di);
    if (get_array(c, jd, "processes", &list))
        return JSNAP_EDATA;
    *first = s->nprocesses;
    *count = json_array_size(list);
    for (size_t i = 0; i < *count; i++) {
        json_t *jp = json_array_get(list, i);
        at(c, "devices[%zu].processes[%zu]", di, i);
        uint64_t pid;
        const char *name = "";
        if (!json_is_object(jp))
            return bad(c, "not an object");
        if (get_uint(c, jp, "pid", INT32_MAX, &pid) || get_string(c, jp, "name", &name))
            return JSNAP_EDATA;
        snap_process *p = snapshot_add_process(s);
        if (!p)
            return bad(c, "out of memory");
        p->pid = (int32_t)pid;
        utf8_clean(p->name, sizeof p->name, name, UTF8_KEEP_CONTROLS);
    }
    return 0;
}

/* A region's kind from its category key ("l1_buffers", ...). */
static int read_kind(jctx *c, json_t *jr, uint8_t *kind)
{
    const char *key = "";
    if (get_string(c, jr, "kind", &key))
        return JSNAP_EDATA;
    for (int k = 0; k < CAT_RECORDED; k++)
        if (strcmp(key, category_key[k]) == 0) {
            *kind = (uint8_t)(k + 1);
            return 0;
        }
    return bad(c, "unknown kind '%.32s'", key);
}

static int read_interleaved(jctx *c, json_t *jr, const snap_device *d, snap_region *r)
{
    uint64_t total = 0, page = 0;
    if (get_uint(c, jr, "total_size", L1TOP_MAX_INTERLEAVED_TOTAL, &total) ||
        get_uint(c, jr, "page_size", UINT32_MAX, &page))
        return JSNAP_EDATA;
    if (r->kind != L1TOP_L1_BUFFER)
        return bad(c, "only an L1 buffer can be interleaved");
    if (total == 0 || page == 0)
        return bad(c, "an empty interleaved buffer");
    uint64_t bank0 = interleaved_bank_bytes(total, (uint32_t)page, d->alignment, (uint32_t)d->grid_x * d->grid_y, 0);
    if ((uint64_t)r->address + bank0 > d->l1_size)
        return bad(c, "ends past L1 (%u B)", d->l1_size);
    r->interleaved = true;
    r->total_size = total;
    r->page_size = (uint32_t)page;
    return 0;
}

/* A ranged region's rectangles, checked against the grid, into ranges[]. */
static int read_ranges(jctx *c, json_t *jr, const snap_device *d, l1top_range **ranges, size_t *cap, size_t *n)
{
    json_t *list;
    if (get_array(c, jr, "ranges", &list))
        return JSNAP_EDATA;
    *n = json_array_size(list);
    if (*n == 0)
        return bad(c, "no ranges");
    if (grow_array((void **)ranges, cap, 0, *n, sizeof **ranges) != 0)
        return bad(c, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        json_t *q = json_array_get(list, i);
        uint64_t v[4];
        for (size_t k = 0; k < 4; k++) {
            json_t *e = json_array_get(q, k);
            if (!json_is_array(q) || json_array_size(q) != 4 || !json_is_integer(e) || json_integer_value(e) < 0 ||
                json_integer_value(e) > UINT16_MAX)
                return bad(c, "ranges[%zu] is not [x0, y0, x1, y1]", i);
            v[k] = (uint64_t)json_integer_value(e);
        }
        if (v[0] > v[2] || v[1] > v[3] || v[2] >= d->grid_x || v[3] >= d->grid_y)
            return bad(c, "ranges[%zu] [%llu, %llu, %llu, %llu] is not inside the %ux%u grid", i,
                       (unsigned long long)v[0], (unsigned long long)v[1], (unsigned long long)v[2],
                       (unsigned long long)v[3], d->grid_x, d->grid_y);
        (*ranges)[i] = (l1top_range){ (uint16_t)v[0], (uint16_t)v[1], (uint16_t)v[2], (uint16_t)v[3] };
    }
    return 0;
}

typedef struct {
    l1top_range *ranges;
    size_t cap;
} range_buf;

static int read_region(jctx *c, json_t *jr, snapshot *s, uint32_t dev, size_t pfirst, size_t pcount, range_buf *rb)
{
    const snap_device *d = &s->devices[dev];
    snap_region tmp;
    memset(&tmp, 0, sizeof tmp);
    json_t *proc = json_object_get(jr, "proc"), *inter = json_object_get(jr, "interleaved");
    const char *tag = "";
    if (!json_is_object(jr))
        return bad(c, "not an object");
    if (read_kind(c, jr, &tmp.kind) || get_string(c, jr, "tag", &tag) ||
        get_u32(c, jr, "address", d->l1_size, &tmp.address))
        return JSNAP_EDATA;
    if (!json_is_boolean(inter))
        return bad(c, "'interleaved' is not true or false");
    if (json_is_null(proc)) {
        tmp.process = UINT32_MAX; /* a writer l1top no longer knew */
    } else {
        uint64_t pi;
        if (get_uint(c, jr, "proc", pcount ? pcount - 1 : 0, &pi) || pcount == 0)
            return pcount ? JSNAP_EDATA : bad(c, "'proc' names a process the device does not list");
        tmp.process = (uint32_t)(pfirst + pi);
    }
    size_t nranges = 0;
    if (json_is_true(inter)) {
        if (read_interleaved(c, jr, d, &tmp))
            return JSNAP_EDATA;
    } else {
        if (get_u32(c, jr, "size_per_core", d->l1_size, &tmp.size_per_core) ||
            read_ranges(c, jr, d, &rb->ranges, &rb->cap, &nranges))
            return JSNAP_EDATA;
        if (tmp.size_per_core == 0 || (uint64_t)tmp.address + tmp.size_per_core > d->l1_size)
            return bad(c, "%u B at %u is empty or ends past L1 (%u B)", tmp.size_per_core, tmp.address, d->l1_size);
    }
    snap_region *r = snapshot_add_region(s, rb->ranges, nranges);
    if (!r)
        return bad(c, "out of memory");
    uint32_t first = r->first_range, n = r->nranges;
    *r = tmp;
    r->device = dev;
    r->first_range = first;
    r->nranges = n;
    utf8_clean(r->tag, sizeof r->tag, tag, UTF8_KEEP_CONTROLS);
    return 0;
}

static int read_device(jctx *c, json_t *jd, size_t di, snapshot *s, range_buf *rb)
{
    at(c, "devices[%zu]", di);
    if (!json_is_object(jd))
        return bad(c, "not an object");
    snap_device *d = snapshot_add_device(s);
    if (!d)
        return bad(c, "out of memory");
    if (read_memory_map(c, jd, d))
        return JSNAP_EDATA;
    for (size_t i = 0; i + 1 < s->ndevices; i++)
        if (s->devices[i].id == d->id)
            return bad(c, "device %u appears twice", d->id);
    s->dropped_records += d->dropped_records;
    size_t pfirst, pcount;
    json_t *regions;
    if (read_processes(c, jd, di, s, &pfirst, &pcount))
        return JSNAP_EDATA;
    at(c, "devices[%zu]", di);
    if (get_array(c, jd, "regions", &regions))
        return JSNAP_EDATA;
    for (size_t i = 0; i < json_array_size(regions); i++) {
        at(c, "devices[%zu].regions[%zu]", di, i);
        if (read_region(c, json_array_get(regions, i), s, (uint32_t)(s->ndevices - 1), pfirst, pcount, rb))
            return JSNAP_EDATA;
    }
    return 0;
}

/* Views list devices by id, as the segment reader gives them. */
static void sort_devices(snapshot *s)
{
    for (size_t i = 1; i < s->ndevices; i++)
        for (size_t j = i; j > 0 && s->devices[j - 1].id > s->devices[j].id; j--) {
            snap_device t = s->devices[j];
            s->devices[j] = s->devices[j - 1];
            s->devices[j - 1] = t;
            for (size_t r = 0; r < s->nregions; r++) /* swap the two indices */
                if (s->regions[r].device == j || s->regions[r].device == j - 1)
                    s->regions[r].device = (uint32_t)(s->regions[r].device == j ? j - 1 : j);
        }
}

/* "2026-11-25T22:05:40Z" (format_iso8601) into nanoseconds. */
static int read_timestamp(jctx *c, json_t *root, uint64_t *ns)
{
    const char *t = "";
    if (get_string(c, root, "timestamp", &t))
        return JSNAP_EDATA;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm);
    time_t secs = end && *end == '\0' ? timegm(&tm) : (time_t)-1;
    if (secs < 0)
        return bad(c, "'timestamp' is not YYYY-MM-DDTHH:MM:SSZ");
    *ns = (uint64_t)secs * 1000000000u;
    return 0;
}

static int read_root(jctx *c, json_t *root, snapshot *s)
{
    json_t *schema = json_object_get(root, "schema"), *devices;
    if (!json_is_object(root) || !json_is_integer(schema) || !json_object_get(root, "l1top_version")) {
        bad(c, "neither a saved l1top snapshot (l1top --once --format json) nor a ttnn graph trace");
        /* A node list, or an object with a graph: a trace's, for its own reader. */
        return json_is_array(root) || json_object_get(root, "graph") ? JSNAP_EFOREIGN : JSNAP_EDATA;
    }
    if (json_integer_value(schema) != JSNAP_SCHEMA)
        return bad(c, "schema %lld, this l1top reads schema %d", (long long)json_integer_value(schema), JSNAP_SCHEMA);
    if (read_timestamp(c, root, &s->timestamp_ns) || get_array(c, root, "devices", &devices))
        return JSNAP_EDATA;
    range_buf rb = { NULL, 0 };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(devices); i++)
        rc = read_device(c, json_array_get(devices, i), i, s, &rb);
    free(rb.ranges);
    if (rc)
        return rc;
    sort_devices(s);
    snprintf(s->segment, sizeof s->segment, "%s", c->name);
    s->have_segment = true;
    snapshot_sanitize_strings(s);
    return 0;
}

static int finish(jctx *c, json_t *root, const json_error_t *je, snapshot *s)
{
    snapshot_reset(s);
    if (!root) {
        if (je->line > 0)
            snprintf(c->err, c->errlen, "%s:%d:%d: %s", c->name, je->line, je->column, je->text);
        else
            snprintf(c->err, c->errlen, "%s: %s", c->name, je->text);
        return JSNAP_EDATA;
    }
    int rc = read_root(c, root, s);
    json_decref(root);
    if (rc)
        snapshot_reset(s);
    return rc;
}

int json_snapshot_parse(const char *data, size_t len, const char *name, snapshot *s, char *err, size_t errlen)
{
    jctx c = { name, err, errlen, "" };
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    return finish(&c, root, &je, s);
}

int json_snapshot_load(const char *path, snapshot *s, char *err, size_t errlen)
{
    jctx c = { path, err, errlen, "" };
    FILE *f = safe_fopen_regular(path, 0, err, errlen); /* a FIFO must not hang us */
    if (!f) {
        snapshot_reset(s);
        return errno == SAFE_NOT_REGULAR ? JSNAP_EDATA : JSNAP_ENOINPUT;
    }
    json_error_t je;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    return finish(&c, root, &je, s);
}

/* ---------- what a file is ---------- */

/* The top-level keys of a JSON object, read a chunk at a time: strings and
 * nesting are followed (escapes included) so a value's contents are never
 * taken for a key, and nothing is kept but the key being read. A file is
 * told by a key only one kind has, wherever jq -S or a hand put it. */
typedef struct {
    int depth;              /* 0 before the top '{', 1 inside it */
    bool in_string, escape;
    bool want_key;          /* the next string at depth 1 is a key */
    bool reading_key;
    char key[32];
    size_t klen;
    bool key_too_long;      /* none of the keys that decide is long */
} key_scan;

/* The kind a finished top-level key decides, or JSNAP_IS_UNKNOWN. */
static int kind_of_key(const key_scan *k)
{
    if (k->key_too_long)
        return JSNAP_IS_UNKNOWN;
    if (strcmp(k->key, "schema") == 0 || strcmp(k->key, "l1top_version") == 0)
        return JSNAP_IS_SNAPSHOT;
    return strcmp(k->key, "graph") == 0 ? JSNAP_IS_TRACE : JSNAP_IS_UNKNOWN;
}

/* One byte inside a string; a finished key may decide the kind. */
static int scan_string_byte(key_scan *k, char c)
{
    if (k->escape) {
        k->escape = false;
        k->key_too_long |= k->reading_key; /* no deciding key has an escape */
        return JSNAP_IS_UNKNOWN;
    }
    if (c == '\\') {
        k->escape = true;
        return JSNAP_IS_UNKNOWN;
    }
    if (c != '"') {
        if (k->reading_key && k->klen + 1 < sizeof k->key)
            k->key[k->klen++] = c;
        else if (k->reading_key)
            k->key_too_long = true;
        return JSNAP_IS_UNKNOWN;
    }
    k->in_string = false;
    if (!k->reading_key)
        return JSNAP_IS_UNKNOWN;
    k->reading_key = false;
    k->key[k->klen] = '\0';
    return kind_of_key(k);
}

/* One byte; JSNAP_IS_* once the kind is known, -1 when the object ended
 * (or the text is no object) without telling, 0 to read on. */
static int scan_byte(key_scan *k, char c)
{
    if (k->in_string)
        return scan_string_byte(k, c);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        return 0;
    if (k->depth == 0) {
        if (c == '[')
            return JSNAP_IS_TRACE; /* a node list */
        if (c != '{')
            return -1;
        k->depth = 1;
        k->want_key = true;
        return 0;
    }
    if (c == '"') {
        k->in_string = true;
        k->reading_key = k->depth == 1 && k->want_key;
        k->want_key = false;
        k->klen = 0;
        k->key_too_long = false;
    } else if (c == '{' || c == '[') {
        k->depth++;
    } else if (c == '}' || c == ']') {
        if (--k->depth == 0)
            return -1;
    } else if (c == ',' && k->depth == 1) {
        k->want_key = true;
    }
    return 0;
}

int json_snapshot_sniff(const char *path)
{
    char buf[SNIFF_BYTES];
    int fd = safe_open_regular(path, 0, buf, sizeof buf);
    if (fd < 0)
        return JSNAP_IS_UNKNOWN;
    key_scan k;
    memset(&k, 0, sizeof k);
    int kind = 0;
    ssize_t n;
    while (kind == 0 && (n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n && kind == 0; i++)
            kind = scan_byte(&k, buf[i]);
    close(fd);
    return kind > 0 ? kind : JSNAP_IS_UNKNOWN;
}

const char *json_snapshot_file_source(const char *path)
{
    if (rec_sniff(path))
        return "recording";
    return json_snapshot_sniff(path) == JSNAP_IS_SNAPSHOT ? "snapshot" : "trace";
}
