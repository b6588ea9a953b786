/*
 * output.h - the batch views (`l1top --once`): text and JSON writers.
 * They only read the snapshot and its accounting; they never touch a
 * source or the terminal.
 */
#ifndef L1TOP_OUTPUT_H
#define L1TOP_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "model/accounting.h"
#include "cli/alerts.h"
#include "model/snapshot.h"

#define OUTPUT_MAX_DEVICE_FILTER 64

typedef struct {
    uint32_t devices[OUTPUT_MAX_DEVICE_FILTER]; /* ids to show; none = all */
    size_t ndevices;
    const char *warning;                        /* segment remark, may be NULL */
    const trace_summary *trace;                 /* --trace: the replay, else NULL */
    const firing_alert *alerts;                 /* alerts firing for this snapshot */
    size_t nalerts;
    bool per_process_metrics;                   /* Prometheus: per-pid series (opt-in: cardinality) */
    bool continued;                             /* -n: not the first snapshot (CSV: no second header) */
} output_options;

bool output_device_selected(const output_options *o, uint32_t id);

/* What the reader warns about, in every format (text lines, the JSON
 * `warnings` array, the l1top_warnings Prometheus gauge). */
typedef enum { WARN_SEGMENT, WARN_RECORDS, WARN_SKIPPED_FILE, WARN_KIND_COUNT } warning_kind;
extern const char *const warning_kind_key[WARN_KIND_COUNT];
/* The i-th warning (text into buf) and its kind; false past the last one. */
bool output_warning(const snapshot *s, const output_options *o, size_t i, warning_kind *kind, char *buf, size_t n);

/* 0, or -1 on a write error (errno set). */
int output_text(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
int output_json(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
/* JSON on one line (for -n loops: one object per line). */
int output_json_line(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
int output_prometheus(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
int output_csv(FILE *f, const snapshot *s, const accounting *a, const output_options *o);

/* The JSON document itself (caller json_decref()s), for tests and loops. */
struct json_t;
struct json_t *output_json_build(const snapshot *s, const accounting *a, const output_options *o);

/* What l1top itself records for a pid over the shown devices, for showing
 * next to TT-Metal's own figures (never added to them). false if none. */
bool output_l1top_bytes_of_pid(const snapshot *s, const accounting *a, const output_options *o, int32_t pid,
                               uint64_t *tracked, uint64_t *untracked);

/* One character of the text heatmap for a used share: '0'..'9' (tens of %), '#' full. */
char output_heat_char(double used_pct);

#endif
