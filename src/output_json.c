/*
 * output_json.c - `--format json`: the snapshot and its accounting as one
 * JSON document (schema 1, documented in README.md), built with jansson.
 * Numbers are numbers, bytes are exact, unknown is null.
 */
#include <jansson.h>
#include <stdint.h>

#include "format.h"
#include "output.h"
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

/* A trace figure: ttnn's counters are size_t and wrap on its known underflow;
 * beyond JSON's signed 64-bit integers the exact value goes out as a string. */
static json_t *trace_u64_json(uint64_t v)
{
    if (v <= (uint64_t)INT64_MAX)
        return json_integer((json_int_t)v);
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return json_string(buf);
}

static json_t *categories_object(const uint64_t *b, int n)
{
    json_t *o = json_object();
    for (int k = 0; k < n; k++)
        json_object_set_new(o, category_key[k], json_count(b[k]));
    return o;
}

static json_t *region_ref(const snapshot *s, uint32_t ri)
{
    const snap_region *r = &s->regions[ri];
    const snap_process *p = r->process < s->nprocesses ? &s->processes[r->process] : NULL;
    json_t *o = json_object();
    json_object_set_new(o, "pid", p ? json_integer(p->pid) : json_null());
    json_object_set_new(o, "process", p ? json_text(p->name) : json_null());
    json_object_set_new(o, "kind", json_string(category_key[category_of_kind(r->kind)]));
    json_object_set_new(o, "tag", json_text(r->tag));
    json_object_set_new(o, "address", json_integer(r->address));
    return o;
}

static json_t *device_json(const snapshot *s, const device_usage *du)
{
    const snap_device *d = &s->devices[du->device];
    json_t *dev = json_object();
    json_object_set_new(dev, "id", json_integer(d->id));
    json_object_set_new(dev, "arch", json_text(d->arch_name));
    json_object_set_new(dev, "grid", json_pack("{s:i, s:i}", "x", d->grid_x, "y", d->grid_y));
    json_object_set_new(dev, "cores", json_integer(du->ncores));
    json_object_set_new(dev, "l1_per_core", json_integer(d->l1_size));

    json_t *totals = categories_object(du->totals, CAT_COUNT);
    json_object_set_new(totals, "largest_free_common", json_count(du->largest_free_common));
    json_object_set_new(totals, "fragmented", json_count(du->fragmented));
    json_object_set_new(totals, "tracked", json_count(usage_tracked(du->totals)));
    json_object_set_new(totals, "untracked", json_count(usage_untracked(du->totals)));
    json_object_set_new(totals, "used", json_count(usage_used(du->totals)));
    json_object_set_new(totals, "total", json_count(usage_total(du->totals)));
    json_object_set_new(dev, "totals", totals);

    json_t *cores = json_array();
    for (uint32_t c = 0; c < du->ncores; c++) {
        const core_usage *u = &du->cores[c];
        json_t *o = json_object();
        json_object_set_new(o, "x", json_integer(c % d->grid_x));
        json_object_set_new(o, "y", json_integer(c / d->grid_x));
        for (int k = 0; k < CAT_COUNT; k++)
            json_object_set_new(o, category_key[k], json_count(u->bytes[k]));
        json_object_set_new(o, "largest_free", json_count(u->largest_free));
        json_object_set_new(o, "fragmented", json_count(u->fragmented));
        json_object_set_new(o, "used_pct", json_real(usage_used_pct(u->bytes)));
        json_array_append_new(cores, o);
    }
    json_object_set_new(dev, "cores_detail", cores);

    json_t *procs = json_array();
    for (size_t i = 0; i < du->nprocesses; i++) {
        const process_usage *pu = &du->processes[i];
        const snap_process *p = &s->processes[pu->process];
        json_t *o = json_object();
        json_object_set_new(o, "pid", json_integer(p->pid));
        json_object_set_new(o, "name", json_text(p->name));
        for (int k = 0; k < CAT_RECORDED; k++)
            json_object_set_new(o, category_key[k], json_count(pu->bytes[k]));
        json_object_set_new(o, "regions", json_integer(pu->regions));
        json_array_append_new(procs, o);
    }
    json_object_set_new(dev, "processes", procs);

    json_t *clashes = json_array();
    for (size_t i = 0; i < du->nclashes; i++) {
        const clash_info *c = &du->clashes[i];
        json_t *o = json_object();
        json_object_set_new(o, "circular_buffer", region_ref(s, c->cb_region));
        json_object_set_new(o, "buffer", region_ref(s, c->buffer_region));
        json_object_set_new(o, "cores", json_integer(c->cores));
        json_object_set_new(o, "first_core", json_pack("{s:i, s:i}", "x", c->first_x, "y", c->first_y));
        json_object_set_new(o, "overlap_start", json_integer(c->overlap_start));
        json_object_set_new(o, "overlap_end", json_integer(c->overlap_end));
        json_object_set_new(o, "bytes", json_count(c->bytes));
        json_array_append_new(clashes, o);
    }
    json_object_set_new(dev, "clashes", clashes);
    json_object_set_new(dev, "clashes_truncated", json_boolean(du->clashes_truncated));
    json_object_set_new(dev, "clash_pairs_at_least", json_count(du->clash_pairs_at_least));
    json_object_set_new(dev, "clash_bytes", json_count(du->clash_bytes));
    json_object_set_new(dev, "dropped_records", json_count(d->dropped_records));
    return dev;
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
        json_t *dev = json_pack("{s:o, s:i, s:i, s:I, s:I, s:b, s:i}", "file", json_text(d->file), "version", (int)d->version,
                                "device_id", (int)d->device_id, "asic_id", (json_int_t)d->asic_id, "board_serial",
                                (json_int_t)d->board_serial, "ready", d->ready, "num_active_processes",
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

json_t *output_json_build(const snapshot *s, const accounting *a, const output_options *o)
{
    char when[32];
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_integer(1));
    json_object_set_new(root, "l1top_version", json_string(L1TOP_VERSION_STRING));
    json_object_set_new(root, "timestamp", json_string(format_iso8601(s->timestamp_ns, when, sizeof when)));
    json_object_set_new(root, "segment", json_text(s->segment));
    json_t *devs = json_array();
    for (size_t i = 0; i < a->ndevices; i++)
        if (output_device_selected(o, s->devices[a->devices[i].device].id))
            json_array_append_new(devs, device_json(s, &a->devices[i]));
    json_object_set_new(root, "devices", devs);
    json_t *alerts = json_array();
    for (size_t i = 0; o && i < o->nalerts; i++) {
        const firing_alert *fa = &o->alerts[i];
        if (!output_device_selected(o, fa->device))
            continue;
        json_t *al = json_pack("{s:o, s:s, s:s, s:s, s:i}", "name", json_text(fa->name), "severity",
                               fa->severity == SEVERITY_CRITICAL ? "critical" : "warning", "metric",
                               alert_metric_name(fa->metric), "scope", alert_scope_name(fa->scope), "device",
                               (int)fa->device);
        if (fa->scope == SCOPE_CORE)
            json_object_set_new(al, "core", json_pack("{s:i, s:i}", "x", fa->x, "y", fa->y));
        if (fa->scope == SCOPE_PROCESS) {
            json_object_set_new(al, "pid", json_integer(fa->pid));
            json_object_set_new(al, "process", json_text(fa->process));
        }
        json_object_set_new(al, "value", json_real(fa->value));
        json_object_set_new(al, "threshold", json_real(fa->threshold));
        json_array_append_new(alerts, al);
    }
    json_object_set_new(root, "alerts", alerts);
    json_t *warnings = json_array();
    char text[512];
    warning_kind kind;
    for (size_t i = 0; output_warning(s, o, i, &kind, text, sizeof text); i++)
        json_array_append_new(warnings, json_pack("{s:s, s:o}", "kind", warning_kind_key[kind], "message",
                                                  json_text(text)));
    json_object_set_new(root, "warnings", warnings);
    if (s->nttm)
        json_object_set_new(root, "tt_metal", ttmetal_json(s, a, o));
    if (o && o->trace) {
        const trace_summary *t = o->trace;
        json_t *peak = json_pack("{s:i, s:{s:i, s:i}, s:o, s:o, s:o, s:o, s:o}", "device", (int)t->peak.device, "core",
                                 "x", t->peak.x, "y", t->peak.y, "bytes", json_count(t->peak.bytes),
                                 "circular_buffers", json_count(t->peak.circular_buffers), "l1_buffers",
                                 json_count(t->peak.l1_buffers), "counter", json_count(t->peak.counter), "op",
                                 json_text(t->peak.op));
        /* ttnn's own numbers, literally (its underflow included): not saturated */
        json_t *ttnn = json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "peak_cb", trace_u64_json(t->ttnn.peak_cb), "peak_l1",
                                 trace_u64_json(t->ttnn.peak_l1), "peak_dataflow_buffer",
                                 trace_u64_json(t->ttnn.peak_dataflow_buffer), "peak_scratchpad",
                                 trace_u64_json(t->ttnn.peak_scratchpad), "peak_total",
                                 trace_u64_json(t->ttnn.peak_total), "underflow", t->ttnn.underflow);
        json_t *tr = json_pack("{s:I, s:o, s:o, s:b, s:b, s:o, s:o, s:I, s:I, s:o, s:I, s:I, s:I}", "nodes",
                               (json_int_t)t->nodes, "peak", peak, "ttnn", ttnn, "simulated_placement",
                               t->simulated_placement, "sharded_grid_guessed", t->sharded_guessed, "board",
                               json_text(t->board), "board_from", json_text(t->board_reason), "l1_events",
                               (json_int_t)t->l1_events, "ignored_nodes", (json_int_t)t->ignored, "dram_allocated",
                               json_count(t->dram_peak), "chips", (json_int_t)t->chips, "pre_window_buffers",
                               (json_int_t)t->pre_window, "unplaced", (json_int_t)t->unplaced);
        json_object_set_new(root, "trace", tr);
    }
    if (s->nboards) {
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
        json_object_set_new(root, "boards", boards);
    }
    return root;
}

static int dump(FILE *f, const snapshot *s, const accounting *a, const output_options *o, size_t flags)
{
    json_t *root = output_json_build(s, a, o);
    if (!root)
        return -1;
    int rc = json_dumpf(root, f, flags | JSON_REAL_PRECISION(6));
    json_decref(root);
    if (rc != 0 || fputc('\n', f) == EOF || fflush(f) != 0)
        return -1;
    return 0;
}

int output_json(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    return dump(f, s, a, o, JSON_INDENT(2));
}

int output_json_line(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    return dump(f, s, a, o, JSON_COMPACT);
}
