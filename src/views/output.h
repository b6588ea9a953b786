/*
 * output.h - the batch views (`l1top --once`, `-n`, `--serve`): the output
 * formats (text, JSON, Prometheus, CSV) and their registry. A formatter
 * only reads the snapshot and its accounting; it never touches a source or
 * the terminal.
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

/* What the reader warns about, in every format (text lines, the JSON
 * `warnings` array, the l1top_warnings Prometheus gauge). */
typedef enum { WARN_SEGMENT, WARN_RECORDS, WARN_SKIPPED_FILE, WARN_KIND_COUNT } warning_kind;
extern const char *const warning_kind_key[WARN_KIND_COUNT];
/* The i-th warning (text into buf) and its kind; false past the last one. */
bool output_warning(const snapshot *s, const output_options *o, size_t i, warning_kind *kind, char *buf, size_t n);

/* Prints one snapshot as a format; 0, or -1 on a write error (errno set). */
typedef int (*output_formatter)(FILE *f, const snapshot *s, const accounting *a, const output_options *o);

/* One output format. Each output_NAME.c defines its own `output_format_NAME`;
 * output_formats.c lists them (adding a format: its file, one line there). */
typedef struct {
    const char *name;            /* -f NAME */
    output_formatter once;       /* --once: a snapshot on its own */
    output_formatter each;       /* -n: one snapshot of a series; NULL: as once */
    const char *help;            /* what it prints, one line of --help */
    const char *content_type;    /* HTTP Content-Type when served */
} output_format;

/* The registry, in --help order; output_format_at(0) is the default. */
size_t output_format_count(void);
const output_format *output_format_at(size_t i);
/* The format named `name`, or NULL. */
const output_format *output_format_by_name(const char *name);
/* The formatter for a snapshot alone (series false) or one of a series (-n). */
output_formatter output_format_formatter(const output_format *f, bool series);
/* "text, json, prometheus, csv" (the registry's names) into buf; returns buf. */
const char *output_format_names(char *buf, size_t n);

/* The formats' entry points (tests call them directly). */
int output_text(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
int output_json(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
/* JSON on one line (for -n loops: one object per line). */
int output_json_line(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
int output_prometheus(FILE *f, const snapshot *s, const accounting *a, const output_options *o);
int output_csv(FILE *f, const snapshot *s, const accounting *a, const output_options *o);

/* The JSON document itself (caller json_decref()s), for tests and loops. */
struct json_t;
struct json_t *output_json_build(const snapshot *s, const accounting *a, const output_options *o);

/* One character of the text heatmap for a used share: '0'..'9' (tens of %), '#' full. */
char output_heat_char(double used_pct);

#endif
