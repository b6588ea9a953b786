/*
 * output_text.c - `--format text` (the default of --once): per device a
 * breakdown table with exact bytes and the tracked/untracked split, a
 * compact heatmap of used %, processes, clashes and dropped records.
 */
#include <stdio.h>
#include <string.h>

#include "views/format.h"
#include "model/peaks.h"
#include "views/output.h"
#include "views/view_common.h"
#include "utf8.h"

char output_heat_char(double pct)
{
    if (pct >= 99.95)
        return '#';
    if (pct < 0)
        pct = 0;
    int tens = (int)(pct / 10.0);
    return (char)('0' + (tens > 9 ? 9 : tens));
}

static void row(FILE *f, const char *label, const char *mark, uint64_t bytes, uint64_t total)
{
    char human[32];
    double pct = total ? 100.0 * (double)bytes / (double)total : 0.0;
    fprintf(f, "  %-24s %-10s %14llu  %10s  %6.2f%%\n", label, mark, (unsigned long long)bytes,
            format_bytes(bytes, human, sizeof human), pct);
}

/* Text lists the largest clashes only (accounting sorts them by bytes);
 * JSON carries every listed pair. */
#define TEXT_CLASHES_SHOWN 10

static void output_text_clashes(FILE *f, const snapshot *s, const device_usage *du)
{
    if (du->clashes_truncated)
        fprintf(f, "  clashes: %zu listed (the first by address) of at least %zu CB/buffer pairs, %llu B overlapping\n",
                du->nclashes, du->clash_pairs_at_least, (unsigned long long)du->clash_bytes);
    else
        fprintf(f, "  clashes: %zu (%llu B overlapping)\n", du->nclashes, (unsigned long long)du->clash_bytes);
    size_t shown = du->nclashes < TEXT_CLASHES_SHOWN ? du->nclashes : TEXT_CLASHES_SHOWN;
    for (size_t i = 0; i < shown; i++) {
        const clash_info *c = &du->clashes[i];
        const snap_region *cb = &s->regions[c->cb_region], *buf = &s->regions[c->buffer_region];
        fprintf(f, "    CB '%s' [0x%X, 0x%X) overlaps L1 buffer '%s' at 0x%X on %u core(s), first (%u,%u), %llu B\n",
                cb->tag, c->overlap_start, c->overlap_end, buf->tag, buf->address, c->cores, c->first_x,
                c->first_y, (unsigned long long)c->bytes);
    }
    if (du->clash_pairs_at_least > shown)
        fprintf(f, "    ... and %s%zu more (--format json lists %zu)\n", du->clashes_truncated ? "at least " : "",
                du->clash_pairs_at_least - shown, du->nclashes);
}

/* One line: the core whose used bytes peaked highest since the reader
 * began, when (the change's tag and writer), and the device's own peak. */
static void peak_line(FILE *f, const snapshot *s, const snap_device *d)
{
    const peak_device *pd = s->peaks ? peaks_device(s->peaks, d->id) : NULL;
    if (!pd || pd->ncores == 0)
        return;
    uint32_t top = 0;
    for (uint32_t c = 1; c < pd->ncores; c++)
        if (pd->cores[c].used > pd->cores[top].used)
            top = c;
    const peak_figures *p = &pd->cores[top];
    const peak_status *st = peaks_status(s->peaks);
    char since[40], at[40], h1[32], h2[32], tag[96];
    fprintf(f, "  peak since %s: core (%u,%u) used %s (%.1f %%)", format_iso8601_ms(st->since_ns, since, sizeof since),
            top % d->grid_x, top / d->grid_x, format_bytes(p->used, h1, sizeof h1),
            d->l1_size ? 100.0 * (double)p->used / (double)d->l1_size : 0.0);
    if (p->at.kind)
        fprintf(f, " at %s by pid %d, %s \"%s\"", format_iso8601_ms(p->at.time_ns, at, sizeof at), p->at.pid,
                category_short[category_of_kind(p->at.kind)],
                utf8_clean(tag, sizeof tag, p->at.tag, UTF8_ESCAPE_CONTROLS));
    else
        fputs(" at the start", f);
    fprintf(f, "; device used %s%s\n", format_bytes(pd->total.used, h2, sizeof h2),
            st->approximate ? " (approximate: changes were missed)" : "");
}

/* The device minimum of CB room (what TT-Metal checks a program's CBs
 * against), what bounds it, and the largest current CB region. */
static void output_text_cb_room(FILE *f, const snapshot *s, const device_usage *du)
{
    const snap_device *d = &s->devices[du->device];
    char h1[32], h2[32];
    if (du->ncores == 0)
        return;
    const core_usage *u = &du->cores[du->cb_room_min_core];
    fprintf(f, "  CB room: %llu B (%s), the least on core (%u,%u): ", (unsigned long long)du->cb_room_min,
            format_bytes(du->cb_room_min, h1, sizeof h1), du->cb_room_min_core % d->grid_x,
            du->cb_room_min_core / d->grid_x);
    if (u->cb_room_region >= 0) {
        const snap_region *r = &s->regions[u->cb_room_region];
        fprintf(f, "%s '%s' at 0x%X\n", category_short[category_of_kind(r->kind)], r->tag, r->address);
    } else {
        fprintf(f, "up to the top of L1\n");
    }
    fprintf(f, "  current CBs: up to %llu B (%s), on core (%u,%u)%s\n", (unsigned long long)du->cb_extent_max,
            format_bytes(du->cb_extent_max, h2, sizeof h2), du->cb_extent_max_core % d->grid_x,
            du->cb_extent_max_core / d->grid_x, du->cb_extent_max > du->cb_room_min ? "  (past the device's CB room)" : "");
}

static void device_text(FILE *f, const snapshot *s, const device_usage *du)
{
    const snap_device *d = &s->devices[du->device];
    char h1[32], h2[32], h3[32];
    uint64_t total = usage_total(du->totals);
    fprintf(f, "\nDevice %u  %s  grid %ux%u (%u cores)  L1 %s/core, %s total\n", d->id, d->arch_name,
            d->grid_x, d->grid_y, du->ncores, format_bytes(d->l1_size, h1, sizeof h1),
            format_bytes(total, h2, sizeof h2));
    fprintf(f, "  %-24s %-10s %14s  %10s  %7s\n", "category", "allocator", "bytes", "", "% of L1");
    for (int k = 0; k < CAT_FREE; k++)
        row(f, category_label[k], category_tracked((l1_category)k) ? "tracked" : "untracked", du->totals[k],
            total);
    row(f, "Free", "", du->totals[CAT_FREE], total);
    fprintf(f, "  %s\n", "------------------------------------------------------------------------");
    row(f, "Tracked (allocator sees)", "", usage_tracked(du->totals), total);
    row(f, "Untracked", "", usage_untracked(du->totals), total);
    row(f, "Used", "", usage_used(du->totals), total);
    row(f, "Total", "", total, total);
    fprintf(f, "  largest free block common to all cores: %llu B (%s); fragmented free: %llu B (%s)\n",
            (unsigned long long)du->largest_free_common, format_bytes(du->largest_free_common, h1, sizeof h1),
            (unsigned long long)du->fragmented, format_bytes(du->fragmented, h3, sizeof h3));
    output_text_cb_room(f, s, du);
    peak_line(f, s, d);

    fprintf(f, "\n  used %% per core (0-9 = tens of %%, # = full)\n      ");
    for (uint32_t x = 0; x < d->grid_x; x++)
        fprintf(f, "%u", x % 10);
    fputc('\n', f);
    for (uint32_t y = 0; y < d->grid_y; y++) {
        fprintf(f, "  %3u ", y);
        for (uint32_t x = 0; x < d->grid_x; x++)
            fputc(output_heat_char(usage_used_pct(du->cores[y * d->grid_x + x].bytes)), f);
        fputc('\n', f);
    }

    fprintf(f, "\n  processes: %zu\n", du->nprocesses);
    for (size_t i = 0; i < du->nprocesses; i++) {
        const process_usage *pu = &du->processes[i];
        const snap_process *p = &s->processes[pu->process];
        fprintf(f, "    %7d %-16s %5u regions  tracked %12llu B  untracked %12llu B\n", p->pid, p->name,
                pu->regions, (unsigned long long)recorded_tracked(pu->bytes),
                (unsigned long long)recorded_untracked(pu->bytes));
    }
    output_text_clashes(f, s, du);
    fprintf(f, "  dropped records: %llu\n", (unsigned long long)d->dropped_records);
}

static void ttmetal_text(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    char h[6][32];
    fprintf(f, "\nTT-Metal allocator statistics (per device and process totals; no per-core detail)\n");
    for (size_t i = 0; i < s->nttm; i++) {
        const ttm_device *d = &s->ttm[i];
        if (!output_device_selected(o, d->device_id))
            continue;
        fprintf(f, "\n  device %u  asic 0x%llx  board 0x%llx  layout v%u  %s%s\n", d->device_id,
                (unsigned long long)d->asic_id, (unsigned long long)d->board_serial, d->version, d->file,
                d->ready ? "" : "  (not ready)");
        fprintf(f, "    %-9s %14s %14s\n", "", "live", "file total");
        for (int k = 0; k < TTM_COUNT; k++)
            fprintf(f, "    %-9s %14llu %14llu\n", ttm_kind_label[k], (unsigned long long)d->live_totals[k],
                    (unsigned long long)d->totals[k]);
        for (size_t p = 0; p < d->nprocesses; p++) {
            const ttm_process *pr = &d->processes[p];
            uint64_t t, u;
            bool both = output_l1top_bytes_of_pid(s, a, o, pr->pid, &t, &u);
            fprintf(f, "    %7d %-16s L1 %s  L1_SMALL %s  CB %s  DRAM %s  TRACE %s%s", pr->pid, pr->name,
                    format_bytes(pr->bytes[TTM_L1], h[0], 32), format_bytes(pr->bytes[TTM_L1_SMALL], h[1], 32),
                    format_bytes(pr->bytes[TTM_CB], h[2], 32), format_bytes(pr->bytes[TTM_DRAM], h[3], 32),
                    format_bytes(pr->bytes[TTM_TRACE], h[4], 32), pr->alive ? "" : "  STALE (process gone)");
            if (both)
                fprintf(f, "  | l1top: tracked %s, untracked %s", format_bytes(t, h[0], 32), format_bytes(u, h[1], 32));
            fputc('\n', f);
        }
    }
    if (s->ttm_warnings[0])
        fprintf(f, "  skipped: %s", s->ttm_warnings);
}

const char *const warning_kind_key[WARN_KIND_COUNT] = { "segment", "records", "skipped_file" };

bool output_warning(const snapshot *s, const output_options *o, size_t i, warning_kind *kind, char *buf, size_t n)
{
    if (o && o->warning && *o->warning && i-- == 0) {
        *kind = WARN_SEGMENT;
        snprintf(buf, n, "%s", o->warning);
        return true;
    }
    if ((s->bad_records || s->torn_records) && i-- == 0) {
        *kind = WARN_RECORDS;
        snprintf(buf, n, "%llu invalid and %llu busy record(s) skipped", (unsigned long long)s->bad_records,
                 (unsigned long long)s->torn_records);
        return true;
    }
    for (const char *line = s->ttm_warnings; *line;) { /* one skipped file per line */
        size_t len = strcspn(line, "\n");
        if (i-- == 0) {
            *kind = WARN_SKIPPED_FILE;
            snprintf(buf, n, "%.*s", (int)len, line);
            return true;
        }
        line += len + (line[len] == '\n');
    }
    return false;
}

/* --trace: what the replay found, before the state at its peak. */
static void trace_text(FILE *f, const trace_summary *t)
{
    fprintf(f, "trace: %zu nodes (%zu L1 events, %zu ignored), %zu chip(s), board %s (%s)%s\n", t->nodes,
            t->l1_events, t->ignored, t->chips, t->board, t->board_reason,
            t->simulated_placement ? ", simulated placement" : "");
    fprintf(f, "peak: device %u core (%u,%u): %llu B (circular buffers %llu B, L1 buffers %llu B) at node %llu%s%s\n",
            t->peak.device, t->peak.x, t->peak.y, (unsigned long long)t->peak.bytes,
            (unsigned long long)t->peak.circular_buffers, (unsigned long long)t->peak.l1_buffers,
            (unsigned long long)t->peak.counter, t->peak.op[0] ? " in " : "", t->peak.op);
    fprintf(f, "ttnn's extractor (ignores core ranges): peak CB %llu B, peak L1 %llu B, peak dataflow buffer %llu B, "
               "peak scratchpad %llu B, peak total %llu B\n",
            (unsigned long long)t->ttnn.peak_cb, (unsigned long long)t->ttnn.peak_l1,
            (unsigned long long)t->ttnn.peak_dataflow_buffer, (unsigned long long)t->ttnn.peak_scratchpad,
            (unsigned long long)t->ttnn.peak_total);
    if (t->ttnn.underflow)
        fprintf(f, "warning: ttnn's figures wrapped below zero (the trace frees a buffer allocated before the "
                   "capture); they are printed as ttnn returns them\n");
    if (t->pre_window)
        fprintf(f, "note: %zu buffer(s) allocated before the capture, placed from their tensors' addresses "
                   "(ttnn does not count them)\n", t->pre_window);
    if (t->sharded_guessed)
        fprintf(f, "note: a sharded buffer had no shard grid; placed on the first num_cores cores\n");
    if (t->unplaced)
        fprintf(f, "warning: %zu simulated allocation(s) did not fit in L1 (shown where they would clash)\n",
                t->unplaced);
    fprintf(f, "the state at the peak:\n");
}

static void boards_text(FILE *f, const snapshot *s)
{
    fprintf(f, "\nBoards (Tenstorrent driver)\n");
    for (size_t i = 0; i < s->nboards; i++) {
        const tt_board *b = &s->boards[i];
        fprintf(f, "  /dev/tenstorrent/%d  %-8s", b->index, b->card_type[0] ? b->card_type : "?");
        if (b->has_aiclk)
            fprintf(f, "  aiclk %u MHz", b->aiclk_mhz);
        if (b->has_temp)
            fprintf(f, "  %.1f C", b->temp_c);
        if (b->has_power)
            fprintf(f, "  %.1f W", b->power_w);
        fprintf(f, "  pids:");
        for (size_t p = 0; p < b->npids; p++)
            fprintf(f, " %d", b->pids[p]);
        fprintf(f, "%s\n", b->npids ? "" : " none");
    }
}

static void alerts_text(FILE *f, const output_options *o)
{
    size_t shown = 0;
    for (size_t i = 0; o && i < o->nalerts; i++) {
        const firing_alert *fa = &o->alerts[i];
        if (!output_device_selected(o, fa->device))
            continue;
        if (shown++ == 0)
            fprintf(f, "\nalerts:\n");
        char text[ALERT_TEXT_LEN];
        fprintf(f, "  %-8s %-20s %s\n", fa->severity == SEVERITY_CRITICAL ? "CRITICAL" : "warning", fa->name,
                alert_describe(text, sizeof text, fa));
    }
    if (shown == 0)
        fprintf(f, "\nalerts: none\n");
}

int output_text(FILE *f, const snapshot *s, const accounting *a, const output_options *o)
{
    char when[32];
    fprintf(f, "l1top %s  segment %s  %s  %zu device(s), %zu process(es)\n", L1TOP_VERSION_STRING, s->segment,
            format_iso8601(s->timestamp_ns, when, sizeof when), s->ndevices, s->nprocesses);
    if (o && o->warning && *o->warning)
        fprintf(f, "warning: %s\n", o->warning);
    if (s->bad_records || s->torn_records)
        fprintf(f, "warning: %llu invalid and %llu busy record(s) skipped\n", (unsigned long long)s->bad_records,
                (unsigned long long)s->torn_records);
    if (o && o->trace)
        trace_text(f, o->trace);
    size_t shown = 0;
    for (size_t i = 0; i < a->ndevices; i++) {
        if (!output_device_selected(o, s->devices[a->devices[i].device].id))
            continue;
        device_text(f, s, &a->devices[i]);
        shown++;
    }
    if (shown == 0 && s->have_segment)
        fprintf(f, "\nno devices declared yet\n");
    if (s->nttm || s->ttm_warnings[0])
        ttmetal_text(f, s, a, o);
    if (s->nboards)
        boards_text(f, s);
    alerts_text(f, o);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

const output_format output_format_text = {
    .name = "text",
    .once = output_text,
    .help = "per device a breakdown table, a heatmap of used %, processes, clashes, alerts",
    .content_type = "text/plain; charset=utf-8",
};
