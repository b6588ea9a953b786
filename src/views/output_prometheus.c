/*
 * output_prometheus.c - `--format prometheus`: the Prometheus text
 * exposition format (version 0.0.4), for node_exporter's textfile
 * collector. Every family has HELP and TYPE lines; all are gauges.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model/peaks.h"
#include "views/output.h"
#include "views/view_common.h"
#include "utf8.h"

/* A label value: valid UTF-8 (promtool refuses anything else), controls
 * shown as \xNN, then backslash, double quote and newline escaped. */
static void label(FILE *f, const char *raw)
{
    char clean[1024];
    for (const char *v = utf8_clean(clean, sizeof clean, raw, UTF8_ESCAPE_CONTROLS); *v; v++) {
        if (*v == '\\' || *v == '"')
            fputc('\\', f);
        if (*v == '\n') {
            fputs("\\n", f);
            continue;
        }
        fputc(*v, f);
    }
}

static void family_typed(FILE *f, const char *name, const char *help, const char *type)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void family(FILE *f, const char *name, const char *help)
{
    family_typed(f, name, help, "gauge");
}

/* One gauge per selected device. */
typedef uint64_t (*device_value)(const device_usage *du);
static uint64_t clash_pairs_at_least(const device_usage *du) { return du->clash_pairs_at_least; }
static uint64_t clash_pairs_listed(const device_usage *du) { return du->nclashes; }
static uint64_t clash_bytes(const device_usage *du) { return du->clash_bytes; }

static void device_gauge(FILE *f, const snapshot *s, const accounting *a, const output_options *o, const char *name,
                         const char *help, device_value value)
{
    family(f, name, help);
    for (size_t i = 0; i < a->ndevices; i++) {
        const snap_device *d = &s->devices[a->devices[i].device];
        if (output_device_selected(o, d->id))
            fprintf(f, "%s{device=\"%u\"} %llu\n", name, d->id, (unsigned long long)value(&a->devices[i]));
    }
}

/* One gauge per core of every shown device. */
typedef uint64_t (*core_value)(const core_usage *u);
static uint64_t core_used(const core_usage *u) { return usage_used(u->bytes); }
static uint64_t core_largest_free(const core_usage *u) { return u->largest_free; }
static uint64_t core_cb_room(const core_usage *u) { return u->cb_room; }
static uint64_t cb_room_min(const device_usage *du) { return du->cb_room_min; }

static void per_core_family(FILE *f, const snapshot *s, const accounting *a, const output_options *o, const char *name,
                            const char *help, core_value value)
{
    family(f, name, help);
    for (size_t i = 0; i < a->ndevices; i++) {
        const device_usage *du = &a->devices[i];
        const snap_device *d = &s->devices[du->device];
        if (!output_device_selected(o, d->id))
            continue;
        for (uint32_t c = 0; c < du->ncores; c++)
            fprintf(f, "%s{device=\"%u\",x=\"%u\",y=\"%u\"} %llu\n", name, d->id, c % d->grid_x, c / d->grid_x,
                    (unsigned long long)value(&du->cores[c]));
    }
}

/* The asic id of device id in TT-Metal's statistics files, 0 if unknown. */
static uint64_t asic_of_device(const snapshot *s, uint32_t id)
{
    for (size_t i = 0; i < s->nttm; i++)
        if (s->ttm[i].device_id == id)
            return s->ttm[i].asic_id;
    return 0;
}

/* One info series per device (always 1): the join key to TT-Metal's and the
 * driver's series, where TT-Metal's statistics name the chip's asic id. */
/* The peak model's marks of a shown device, or NULL. */
static const peak_device *shown_peaks(const snapshot *s, const output_options *o, const snap_device *d)
{
    const peak_device *pd = s->peaks ? peaks_device(s->peaks, d->id) : NULL;
    return pd && output_device_selected(o, d->id) && pd->ncores == (uint32_t)d->grid_x * d->grid_y ? pd : NULL;
}

/* High-water marks since the reader began (model/peaks.h): per core, per
 * device and category, and whether every change was seen. */
static void peak_families(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    family(f, "l1top_core_peak_used_bytes",
           "Most L1 bytes used on one core at any moment since l1top started (every change replayed).");
    for (size_t i = 0; i < a->ndevices; i++) {
        const snap_device *d = &s->devices[a->devices[i].device];
        const peak_device *pd = shown_peaks(s, o, d);
        for (uint32_t c = 0; pd && c < pd->ncores; c++)
            fprintf(f, "l1top_core_peak_used_bytes{device=\"%u\",x=\"%u\",y=\"%u\"} %llu\n", d->id, c % d->grid_x,
                    c / d->grid_x, (unsigned long long)pd->cores[c].used);
    }
    family(f, "l1top_peak_l1_bytes", "Highest sum over a device's cores of each category since l1top started "
                                      "(free: the lowest).");
    family(f, "l1top_device_peak_used_bytes", "Highest L1 bytes used on a device, summed over its cores, since "
                                               "l1top started.");
    for (size_t i = 0; i < a->ndevices; i++) {
        const snap_device *d = &s->devices[a->devices[i].device];
        const peak_device *pd = shown_peaks(s, o, d);
        if (!pd)
            continue;
        for (int k = 0; k < CAT_COUNT; k++) {
            fprintf(f, "l1top_peak_l1_bytes{device=\"%u\",arch=\"", d->id);
            label(f, d->arch_name);
            fprintf(f, "\",category=\"%s\",tracked=\"%s\"} %llu\n", category_key[k],
                    category_tracked((l1_category)k) ? "true" : "false", (unsigned long long)pd->total.bytes[k]);
        }
        fprintf(f, "l1top_device_peak_used_bytes{device=\"%u\"} %llu\n", d->id, (unsigned long long)pd->total.used);
    }
    const peak_status *st = peaks_status(s->peaks);
    family(f, "l1top_peaks_exact", "1 when every change since l1top started was replayed, 0 when some were missed "
                                   "(a lapped event ring, a thread without one): the peaks may then be low.");
    fprintf(f, "l1top_peaks_exact %d\n", st->approximate ? 0 : 1);
    family_typed(f, "l1top_event_ring_slots_lost_total",
                 "Event ring slots writers overwrote before l1top read them, since l1top started.", "counter");
    fprintf(f, "l1top_event_ring_slots_lost_total %llu\n", (unsigned long long)st->lost);
}

static void device_info_family(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    family(f, "l1top_device_info", "A device l1top shows (always 1); asic_id from TT-Metal's statistics when known.");
    for (size_t i = 0; i < a->ndevices; i++) {
        const snap_device *d = &s->devices[a->devices[i].device];
        if (!output_device_selected(o, d->id))
            continue;
        fprintf(f, "l1top_device_info{device=\"%u\",arch=\"", d->id);
        label(f, d->arch_name);
        uint64_t asic = asic_of_device(s, d->id);
        if (asic)
            fprintf(f, "\",asic_id=\"0x%llx\"} 1\n", (unsigned long long)asic);
        else
            fputs("\",asic_id=\"\"} 1\n", f);
    }
}

/* Per-pid series: opt-in (--per-process-metrics), as pids and names make
 * one new series per process run. */
static void process_families(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    family(f, "l1top_process_l1_bytes", "L1 bytes a writer process recorded on a device, by category.");
    for (size_t i = 0; i < a->ndevices; i++) {
        const device_usage *du = &a->devices[i];
        const snap_device *d = &s->devices[du->device];
        if (!output_device_selected(o, d->id))
            continue;
        for (size_t p = 0; p < du->nprocesses; p++) {
            const snap_process *sp = &s->processes[du->processes[p].process];
            for (int k = 0; k < CAT_RECORDED; k++) {
                fprintf(f, "l1top_process_l1_bytes{device=\"%u\",pid=\"%d\",comm=\"", d->id, sp->pid);
                label(f, sp->name);
                fprintf(f, "\",category=\"%s\"} %llu\n", category_key[k],
                        (unsigned long long)du->processes[p].bytes[k]);
            }
        }
    }
}

static uint64_t largest_free_common(const device_usage *du) { return du->largest_free_common; }

static void category_family(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    family(f, "l1top_l1_bytes", "L1 bytes of a device by category, summed over its cores.");
    for (size_t i = 0; i < a->ndevices; i++) {
        const snap_device *d = &s->devices[a->devices[i].device];
        if (!output_device_selected(o, d->id))
            continue;
        for (int k = 0; k < CAT_COUNT; k++) {
            fprintf(f, "l1top_l1_bytes{device=\"%u\",arch=\"", d->id);
            label(f, d->arch_name);
            fprintf(f, "\",category=\"%s\",tracked=\"%s\"} %llu\n", category_key[k],
                    category_tracked((l1_category)k) ? "true" : "false",
                    (unsigned long long)a->devices[i].totals[k]);
        }
    }
}

static void dropped_family(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    family_typed(f, "l1top_dropped_records_total", "Records refused because the segment was full, since it was created.",
                 "counter");
    for (size_t i = 0; i < a->ndevices; i++) {
        const snap_device *d = &s->devices[a->devices[i].device];
        if (output_device_selected(o, d->id))
            fprintf(f, "l1top_dropped_records_total{device=\"%u\"} %llu\n", d->id, (unsigned long long)d->dropped_records);
    }
}

/* TT-Metal's own totals per device; per process only when asked (cardinality). */
static void ttmetal_families(FILE *f, const snapshot *s, const output_options *o)
{
    family(f, "l1top_ttmetal_bytes", "TT-Metal's own allocator totals of a device, live processes only.");
    for (size_t i = 0; i < s->nttm; i++)
        if (output_device_selected(o, s->ttm[i].device_id))
            for (int k = 0; k < TTM_COUNT; k++)
                fprintf(f, "l1top_ttmetal_bytes{device=\"%u\",kind=\"%s\"} %llu\n", s->ttm[i].device_id,
                        ttm_kind_key[k], (unsigned long long)s->ttm[i].live_totals[k]);
    if (!o || !o->per_process_metrics)
        return;
    family(f, "l1top_ttmetal_process_bytes", "TT-Metal's own allocator totals of a process on a device.");
    for (size_t i = 0; i < s->nttm; i++) {
        const ttm_device *d = &s->ttm[i];
        if (!output_device_selected(o, d->device_id))
            continue;
        for (size_t p = 0; p < d->nprocesses; p++)
            for (int k = 0; k < TTM_COUNT; k++) {
                fprintf(f, "l1top_ttmetal_process_bytes{device=\"%u\",pid=\"%d\",comm=\"", d->device_id,
                        d->processes[p].pid);
                label(f, d->processes[p].name);
                fprintf(f, "\",kind=\"%s\",stale=\"%s\"} %llu\n", ttm_kind_key[k],
                        d->processes[p].alive ? "false" : "true", (unsigned long long)d->processes[p].bytes[k]);
            }
    }
}

/* The driver's boards: an info series, then clock, temperature and power where known. */
static void board_families(FILE *f, const snapshot *s)
{
    family(f, "l1top_board_info", "A board the driver knows (always 1); asic_id and pci_bus join other exporters' series.");
    for (size_t i = 0; i < s->nboards; i++) {
        const tt_board *b = &s->boards[i];
        fprintf(f, "l1top_board_info{board=\"%d\",card=\"", b->index);
        label(f, b->card_type);
        fputs("\",asic_id=\"", f);
        label(f, b->asic_id);
        fputs("\",pci_bus=\"", f);
        label(f, b->pci_bus);
        fputs("\"} 1\n", f);
    }
    static const char *const names[3] = { "l1top_board_aiclk_hertz", "l1top_board_temperature_celsius",
                                          "l1top_board_power_watts" };
    static const char *const helps[3] = { "AI clock of a board, from the driver.",
                                          "ASIC temperature of a board (hwmon temp1).",
                                          "Power of a board (hwmon power1)." };
    for (int m = 0; m < 3; m++) {
        family(f, names[m], helps[m]);
        for (size_t i = 0; i < s->nboards; i++) {
            const tt_board *b = &s->boards[i];
            bool has = m == 0 ? b->has_aiclk : m == 1 ? b->has_temp : b->has_power;
            double v = m == 0 ? (double)b->aiclk_mhz * 1e6 : m == 1 ? b->temp_c : b->power_w;
            if (!has)
                continue;
            fprintf(f, "%s{board=\"%d\",card=\"", names[m], b->index);
            label(f, b->card_type);
            fprintf(f, "\"} %.15g\n", v);
        }
    }
}

static void warnings_family(FILE *f, const snapshot *s, const output_options *o)
{
    family(f, "l1top_warnings", "Warnings of this reading, by kind (segment ownership or mode, skipped records, "
                                "skipped TT-Metal files).");
    size_t count[WARN_KIND_COUNT] = { 0 };
    char text[512];
    warning_kind kind;
    for (size_t i = 0; output_warning(s, o, i, &kind, text, sizeof text); i++)
        count[kind]++;
    for (int k = 0; k < WARN_KIND_COUNT; k++)
        fprintf(f, "l1top_warnings{kind=\"%s\"} %zu\n", warning_kind_key[k], count[k]);
}

static void alerts_family(FILE *f, const output_options *o)
{
    family(f, "l1top_alerts_firing", "Alerts firing now, by rule name and severity (a per-core rule: one per device).");
    /* Count per (name, severity); the list is sorted by severity then name. */
    for (size_t i = 0; o && i < o->nalerts;) {
        size_t j = i, n = 0;
        for (; j < o->nalerts && o->alerts[j].severity == o->alerts[i].severity &&
               strcmp(o->alerts[j].name, o->alerts[i].name) == 0;
             j++)
            if (output_device_selected(o, o->alerts[j].device))
                n++;
        if (n) {
            fputs("l1top_alerts_firing{name=\"", f);
            label(f, o->alerts[i].name);
            fprintf(f, "\",severity=\"%s\"} %zu\n", o->alerts[i].severity == SEVERITY_CRITICAL ? "critical" : "warning",
                    n);
        }
        i = j;
    }
    family(f, "l1top_alert_cores", "Cores meeting a firing per-core alert rule, by rule, severity and device.");
    for (size_t i = 0; o && i < o->nalerts; i++) {
        const firing_alert *fa = &o->alerts[i];
        if (fa->scope != SCOPE_CORE || !output_device_selected(o, fa->device))
            continue;
        fputs("l1top_alert_cores{name=\"", f);
        label(f, fa->name);
        fprintf(f, "\",severity=\"%s\",device=\"%u\"} %u\n", fa->severity == SEVERITY_CRITICAL ? "critical" : "warning",
                fa->device, fa->cores_over);
    }
}

int output_prometheus(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    category_family(f, s, a, o);
    per_core_family(f, s, a, o, "l1top_core_used_bytes", "L1 bytes used on one core (every category but free).",
                    core_used);
    per_core_family(f, s, a, o, "l1top_core_largest_free_bytes", "Largest free hole in one core's L1.",
                    core_largest_free);
    per_core_family(f, s, a, o, "l1top_core_cb_room_bytes",
                    "Circular-buffer bytes a program can place on one core now: from the unreserved base to the "
                    "lowest L1 or L1_SMALL buffer there, or to the top of L1.",
                    core_cb_room);
    if (s->peaks)
        peak_families(f, s, a, o);
    device_gauge(f, s, a, o, "l1top_cb_room_min_bytes",
                 "The least CB room of any core of a device: what TT-Metal checks a program's CBs against.",
                 cb_room_min);
    device_info_family(f, s, a, o);
    device_gauge(f, s, a, o, "l1top_largest_free_common_bytes",
                 "Largest address range free on every core of a device: the largest interleaved buffer that fits.",
                 largest_free_common);
    if (o && o->per_process_metrics)
        process_families(f, s, a, o);
    device_gauge(f, s, a, o, "l1top_clashes",
                 "Circular buffer / L1 buffer pairs that overlap on a device (a lower bound when more than "
                 "l1top_clash_pairs_listed).",
                 clash_pairs_at_least);
    device_gauge(f, s, a, o, "l1top_clash_pairs_listed", "Clashing pairs named in the JSON output (capped).",
                 clash_pairs_listed);
    device_gauge(f, s, a, o, "l1top_clash_bytes",
                 "Bytes where a circular buffer overlaps an L1 buffer, summed over cores (exact).", clash_bytes);
    dropped_family(f, s, a, o);
    if (s->nttm)
        ttmetal_families(f, s, o);
    if (s->nboards)
        board_families(f, s);
    warnings_family(f, s, o);
    alerts_family(f, o);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

const output_format output_format_prometheus = {
    .name = "prometheus",
    .once = output_prometheus,
    .help = "Prometheus text exposition, for node_exporter's textfile collector",
    .content_type = "text/plain; version=0.0.4; charset=utf-8",
};
