/*
 * config.h - l1top's YAML configuration: the schema, its defaults, where
 * each value came from, and the value syntaxes (sizes, percentages,
 * durations). Parsed with libyaml; every error is one line
 * "FILE:LINE:COL: what is wrong" (exit 78).
 */
#ifndef L1TOP_CONFIG_H
#define L1TOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/heat_metric.h"

#define EXIT_CONFIG 78 /* EX_CONFIG */
#define CONFIG_MAX_DEVICES 64
#define CONFIG_MAX_ALERTS 64
#define CONFIG_ERR_LEN 512
#define CONFIG_MIN_REFRESH_MS 100
#define CONFIG_MAX_REFRESH_MS 60000
#define ALERT_EXEC_INTERVAL_MS 10000 /* default exec_interval: one run per rule per 10 s */

typedef enum { UNITS_AUTO = 0, UNITS_BYTES, UNITS_KIB, UNITS_MIB } size_units;
typedef enum { SCOPE_CORE = 0, SCOPE_DEVICE, SCOPE_PROCESS } alert_scope;
typedef enum { SEVERITY_WARNING = 1, SEVERITY_CRITICAL = 2 } alert_severity;

/* Alert metrics: the categories first (same order as l1_category). */
typedef enum {
    AM_L1_BUFFERS = 0, AM_L1_SMALL, AM_CIRCULAR_BUFFERS, AM_KERNEL_CODE, AM_SEMAPHORES, AM_RUNTIME,
    AM_KERNEL_CONFIG, AM_FIRMWARE, AM_FREE,
    AM_TRACKED, AM_UNTRACKED, AM_USED, AM_FRAGMENTED, AM_LARGEST_FREE, AM_LARGEST_FREE_COMMON,
    AM_USED_PCT, AM_UNTRACKED_PCT, AM_CLASHES, AM_DROPPED_RECORDS,
    AM_COUNT
} alert_metric;

typedef enum { VALUE_BYTES, VALUE_PERCENT, VALUE_COUNT } value_kind;

const char *alert_metric_name(alert_metric m);
value_kind alert_metric_kind(alert_metric m);
/* Whether a metric has a value for a scope (e.g. dropped_records: device only). */
bool alert_metric_has_scope(alert_metric m, alert_scope s);
const char *alert_scope_name(alert_scope s);

enum { ACTION_HIGHLIGHT = 1, ACTION_BELL = 2, ACTION_LOG = 4, ACTION_EXEC = 8 };

typedef struct {
    char name[64];
    alert_metric metric;
    alert_scope scope;
    bool above;                 /* above: value > threshold; below: value < threshold */
    double threshold;           /* bytes, percent (0-100) or count */
    uint32_t for_ms;            /* must hold this long before it fires */
    alert_severity severity;
    uint32_t devices[CONFIG_MAX_DEVICES];
    size_t ndevices;            /* 0 = every device */
    unsigned actions;           /* ACTION_* */
    char log[512];              /* log file (~ expanded) */
    char exec[1024];            /* shell command */
    size_t exec_line, exec_col; /* where `exec:` is, for messages (1-based) */
    uint32_t exec_min_interval_ms; /* rate limit of exec, per rule */
} alert_rule;

/* Top-level keys, for "where each part came from". */
typedef enum {
    CFG_REFRESH, CFG_SEGMENT, CFG_DEVICES, CFG_HEATMAP, CFG_THEME, CFG_UNITS, CFG_ALLOCATOR_VIEW,
    CFG_THRESHOLDS, CFG_ALERTS, CFG_KEY_COUNT
} config_key;

typedef struct {
    uint32_t refresh_ms;
    char segment[256];                 /* "" = $L1TOP_SHM or /l1top */
    uint32_t devices[CONFIG_MAX_DEVICES];
    size_t ndevices;                   /* 0 = all */
    heat_metric heatmap;
    char theme[64];
    size_units units;
    bool allocator_view;
    double warning_pct, critical_pct;  /* per-core used share, 0-100 */
    alert_rule alerts[CONFIG_MAX_ALERTS];
    size_t nalerts;
    char path[512];                    /* the file loaded, "" for built-in defaults */
    char origin[CFG_KEY_COUNT][560];       /* "default", "FILE:LINE" or "command line" */
} l1top_config;

void config_defaults(l1top_config *c);

/* Load one file. 0, or -1 with "FILE:LINE:COL: message" in err (c unchanged on error). */
int config_load_file(l1top_config *c, const char *path, char *err, size_t errlen);
/* The same from memory; `name` stands for the file in messages. */
int config_load_string(l1top_config *c, const char *name, const char *data, size_t len, char *err, size_t errlen);

/* Find and load the configuration: explicit path (-c), $L1TOP_CONFIG,
 * $XDG_CONFIG_HOME/l1top/config.yaml (~/.config), /etc/l1top/config.yaml;
 * first found wins; none found is the defaults. A file the user named that
 * cannot be read is an error. */
int config_load(l1top_config *c, const char *explicit_path, char *err, size_t errlen);

/* The effective configuration as YAML, each key with where it came from. */
void config_print(const l1top_config *c, FILE *f);

/* Value syntaxes (exported for tests): 0 on success, -1 with a reason. */
int parse_size(const char *s, double *bytes, const char **why);      /* 64KiB 1.5MiB 1499136 */
int parse_percent(const char *s, double *pct, const char **why);     /* 75% 75 */
int parse_duration_ms(const char *s, uint32_t *ms, const char **why);/* 500ms 2s 1m */

#endif
