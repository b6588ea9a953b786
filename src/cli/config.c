/*
 * config.c - YAML configuration (see config.h). libyaml builds the
 * document; this file walks it, checks every key, type, unit and range,
 * and reports the first problem with its file, line and column.
 */
#define _GNU_SOURCE
#include "cli/config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "shm_name.h"
#include "cli/text_file.h"
#include "cli/yaml_walk.h"

/* ---------- metrics and scopes ---------- */

static const char *const metric_names[AM_COUNT] = {
    "l1_buffers", "l1_small", "circular_buffers", "kernel_code", "semaphores", "runtime", "kernel_config", "firmware", "free",
    "tracked", "untracked", "used", "fragmented", "largest_free", "largest_free_common",
    "used_pct", "untracked_pct", "clashes", "dropped_records",
};

const char *alert_metric_name(alert_metric m) { return m < AM_COUNT ? metric_names[m] : "?"; }

value_kind alert_metric_kind(alert_metric m)
{
    if (m == AM_USED_PCT || m == AM_UNTRACKED_PCT)
        return VALUE_PERCENT;
    if (m == AM_CLASHES || m == AM_DROPPED_RECORDS)
        return VALUE_COUNT;
    return VALUE_BYTES;
}

bool alert_metric_has_scope(alert_metric m, alert_scope s)
{
    switch (s) {
    case SCOPE_CORE: return m != AM_LARGEST_FREE_COMMON && m != AM_DROPPED_RECORDS;
    case SCOPE_DEVICE: return true;
    case SCOPE_PROCESS:
        return m <= AM_RUNTIME || m == AM_TRACKED || m == AM_UNTRACKED || m == AM_USED || m == AM_USED_PCT ||
               m == AM_UNTRACKED_PCT;
    }
    return false;
}

static const char *const scope_names[] = { "core", "device", "process" };
const char *alert_scope_name(alert_scope s) { return s <= SCOPE_PROCESS ? scope_names[s] : "?"; }

static const char *const units_names[] = { "auto", "B", "KiB", "MiB" };
static const char *const key_names[CFG_KEY_COUNT] = { "refresh", "segment", "devices", "heatmap", "theme",
                                                  "units", "allocator_view", "thresholds", "alerts" };

void config_defaults(l1top_config *c)
{
    memset(c, 0, sizeof *c);
    c->refresh_ms = 1000;
    c->heatmap = METRIC_USED;
    snprintf(c->theme, sizeof c->theme, "default");
    c->units = UNITS_AUTO;
    c->warning_pct = 75;
    c->critical_pct = 90;
    for (int k = 0; k < CFG_KEY_COUNT; k++)
        snprintf(c->origin[k], sizeof c->origin[k], "default");
}

/* ---------- value syntaxes ---------- */

/* A decimal number ("75", "1.5", "2e3"): strtod alone would also take
 * "0x10", "inf" or "nan", which no one means as a size or a percentage. */
static int parse_number(const char *s, double *v, const char **rest)
{
    char *end;
    errno = 0;
    const char *digits = s + (*s == '+' || *s == '-');
    if (!isdigit((unsigned char)digits[0]) && !(digits[0] == '.' && isdigit((unsigned char)digits[1])))
        return -1;
    double d = strtod(s, &end);
    if (end == s || errno || !isfinite(d) || memchr(s, 'x', (size_t)(end - s)) || memchr(s, 'X', (size_t)(end - s)))
        return -1;
    *v = d;
    *rest = end;
    return 0;
}

typedef struct {
    const char *unit;
    double mult;
} unit_scale;

/* "NUMBER[ ]UNIT", UNIT one of the n in units: *out = the number times its
 * scale. -1 when it is not: *unit is NULL (no number) or the unit unknown
 * ("" when there was none). */
static int parse_scaled(const char *s, const unit_scale *units, size_t n, double *out, const char **unit)
{
    double v;
    const char *rest;
    *unit = NULL;
    if (parse_number(s, &v, &rest))
        return -1;
    while (*rest == ' ')
        rest++;
    *unit = rest;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rest, units[i].unit) == 0) {
            *out = v * units[i].mult;
            return 0;
        }
    return -1;
}

int parse_size(const char *s, double *bytes, const char **why)
{
    static const unit_scale units[] = {
        { "", 1 }, { "B", 1 }, { "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
        { "KB", 1000.0 }, { "MB", 1e6 }, { "GB", 1e9 }, { "K", 1024.0 }, { "M", 1048576.0 },
    };
    double v;
    const char *unit;
    if (parse_scaled(s, units, sizeof units / sizeof units[0], &v, &unit)) {
        *why = !unit ? "not a size (examples: 1499136, 64KiB, 1.5MiB)"
                     : "unknown size unit (B, KiB, MiB, GiB, KB, MB, GB)";
        return -1;
    }
    if (v < 0) {
        *why = "a size cannot be negative";
        return -1;
    }
    *bytes = v;
    return 0;
}

int parse_percent(const char *s, double *pct, const char **why)
{
    double v;
    const char *rest;
    if (parse_number(s, &v, &rest)) {
        *why = "not a percentage (examples: 75%, 90)";
        return -1;
    }
    while (*rest == ' ')
        rest++;
    if (*rest && strcmp(rest, "%") != 0) {
        *why = "a percentage takes no unit but %";
        return -1;
    }
    if (v < 0 || v > 100) {
        *why = "a percentage must be between 0% and 100%";
        return -1;
    }
    *pct = v;
    return 0;
}

int parse_duration_ms(const char *s, uint32_t *ms, const char **why)
{
    static const unit_scale units[] = {
        { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
    };
    double total;
    const char *unit;
    if (parse_scaled(s, units, sizeof units / sizeof units[0], &total, &unit)) {
        *why = !unit  ? "not a duration (examples: 500ms, 2s, 1m)"
               : *unit ? "unknown duration unit (ms, s, m, h)"
                       : "a duration needs a unit (ms, s, m, h)";
        return -1;
    }
    if (total < 0 || total > 86400000.0) {
        *why = "a duration must be between 0 and 24h";
        return -1;
    }
    *ms = (uint32_t)(total + 0.5);
    return 0;
}


static int parse_devices(walk *w, const yaml_node_t *n, const char *key, uint32_t *devs, size_t *ndevs)
{
    const char *s = yw_scalar(n);
    if (s && strcmp(s, "all") == 0) {
        *ndevs = 0;
        return 0;
    }
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return yw_fail(w, n, "%s: expected a list of device numbers, like [0, 1], or 'all'", key);
    size_t count = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(w->doc, *it);
        const char *v = yw_scalar(item);
        char *end;
        errno = 0;
        unsigned long d = v ? strtoul(v, &end, 10) : 0;
        if (!v || !*v || *end || errno || d > UINT32_MAX || v[0] == '-')
            return yw_fail(w, item, "%s: '%s' is not a device number", key, v ? v : "(list)");
        if (count == CONFIG_MAX_DEVICES)
            return yw_fail(w, item, "%s: at most %d devices", key, CONFIG_MAX_DEVICES);
        devs[count++] = (uint32_t)d;
    }
    *ndevs = count;
    return 0;
}

/* ---------- typed scalars: one node parser over a table of syntaxes ---------- */

typedef enum {
    SCALAR_DURATION, /* into a uint32_t of milliseconds */
    SCALAR_PERCENT,  /* into a double */
    SCALAR_SIZE,     /* into a double of bytes */
    SCALAR_COUNT,    /* a whole number >= 0, into a double */
} scalar_kind;

static int duration_text(const char *s, void *out, const char **why) { return parse_duration_ms(s, out, why); }
static int percent_text(const char *s, void *out, const char **why) { return parse_percent(s, out, why); }
static int size_text(const char *s, void *out, const char **why) { return parse_size(s, out, why); }

static int count_text(const char *s, void *out, const char **why)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno || v < 0 || end == s) {
        *why = "expected a whole number";
        return -1;
    }
    *(double *)out = (double)v;
    return 0;
}

/* Each kind's text syntax; out's type is the kind's (above). */
static int (*const scalar_syntax[])(const char *s, void *out, const char **why) = {
    [SCALAR_DURATION] = duration_text,
    [SCALAR_PERCENT] = percent_text,
    [SCALAR_SIZE] = size_text,
    [SCALAR_COUNT] = count_text,
};

/* The scalar n (under key) read as `kind` into out. On failure, one error
 * at n: "KEY: 'TEXT': why", or "KEY: 'TEXT' for WHAT: why" when for_what
 * names what the syntax depends on (an alert's metric). */
static int parse_scalar_node(walk *w, const yaml_node_t *n, const char *key, scalar_kind kind, void *out,
                             const char *for_what)
{
    const char *s, *why = "";
    if (yw_want_scalar(w, n, key, &s))
        return -1;
    if (scalar_syntax[kind](s, out, &why) == 0)
        return 0;
    if (for_what)
        return yw_fail(w, n, "%s: '%s' for %s: %s", key, s, for_what, why);
    return yw_fail(w, n, "%s: '%s': %s", key, s, why);
}

static void expand_home(const char *in, char *out, size_t n)
{
    const char *home = getenv("HOME");
    if (in[0] == '~' && (in[1] == '/' || in[1] == '\0') && home)
        snprintf(out, n, "%s%s", home, in + 1);
    else
        snprintf(out, n, "%s", in);
}

/* ---------- alerts ---------- */

static const char *const alert_keys[] = { "name", "metric", "scope", "above", "below", "for", "severity",
                                          "devices", "actions", "log", "exec", "exec_interval" };

/* The threshold's syntax is its metric's: bytes, a percentage or a count. */
static int parse_threshold(walk *w, const yaml_node_t *n, alert_rule *r, const char *key)
{
    static const scalar_kind syntax_of[] = {
        [VALUE_BYTES] = SCALAR_SIZE,
        [VALUE_PERCENT] = SCALAR_PERCENT,
        [VALUE_COUNT] = SCALAR_COUNT,
    };
    return parse_scalar_node(w, n, key, syntax_of[alert_metric_kind(r->metric)], &r->threshold,
                             alert_metric_name(r->metric));
}

/* An alert's keys are all known ones. */
static int check_alert_keys(walk *w, const yaml_node_t *map)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
        const char *ks = yw_scalar(k);
        bool known = false;
        for (size_t i = 0; i < sizeof alert_keys / sizeof alert_keys[0]; i++)
            known |= strcmp(ks, alert_keys[i]) == 0;
        if (!known)
            return yw_unknown_key(w, k, ks, alert_keys, sizeof alert_keys / sizeof alert_keys[0], " in an alert");
    }
    return 0;
}

/* What the rule watches: name, metric (first: the threshold's syntax depends on it), scope, threshold. */
static int parse_alert_condition(walk *w, const yaml_node_t *map, alert_rule *r)
{
    yaml_node_t *v;
    const char *s;
    int e;
    if (!(v = yw_map_get(w, map, "name")))
        return yw_fail(w, map, "an alert needs a 'name'");
    if (yw_want_scalar(w, v, "name", &s))
        return -1;
    if (!*s || strlen(s) >= sizeof r->name)
        return yw_fail(w, v, "name: must be 1 to %zu characters", sizeof r->name - 1);
    snprintf(r->name, sizeof r->name, "%s", s);
    if (!(v = yw_map_get(w, map, "metric")))
        return yw_fail(w, map, "alert '%s' needs a 'metric'", r->name);
    if (yw_parse_enum(w, v, "metric", metric_names, AM_COUNT, &e))
        return -1;
    r->metric = (alert_metric)e;
    r->scope = alert_metric_has_scope(r->metric, SCOPE_CORE) ? SCOPE_CORE : SCOPE_DEVICE;
    if ((v = yw_map_get(w, map, "scope"))) {
        if (yw_parse_enum(w, v, "scope", scope_names, 3, &e))
            return -1;
        r->scope = (alert_scope)e;
        if (!alert_metric_has_scope(r->metric, r->scope))
            return yw_fail(w, v, "scope: %s has no %s scope", alert_metric_name(r->metric), scope_names[e]);
    }
    yaml_node_t *above = yw_map_get(w, map, "above"), *below = yw_map_get(w, map, "below");
    if (!!above == !!below)
        return yw_fail(w, map, "alert '%s' needs exactly one of 'above' or 'below'", r->name);
    r->above = above != NULL;
    if (parse_threshold(w, above ? above : below, r, above ? "above" : "below"))
        return -1;
    if ((v = yw_map_get(w, map, "for")) && parse_scalar_node(w, v, "for", SCALAR_DURATION, &r->for_ms, NULL))
        return -1;
    if ((v = yw_map_get(w, map, "severity"))) {
        static const char *const sev[] = { "warning", "critical" };
        if (yw_parse_enum(w, v, "severity", sev, 2, &e))
            return -1;
        r->severity = e == 0 ? SEVERITY_WARNING : SEVERITY_CRITICAL;
    }
    if ((v = yw_map_get(w, map, "devices")) && parse_devices(w, v, "devices", r->devices, &r->ndevices))
        return -1;
    return 0;
}

/* What the rule does when it fires: actions, the log file, the command. */
static int parse_alert_actions(walk *w, const yaml_node_t *map, alert_rule *r)
{
    yaml_node_t *v;
    const char *s;
    int e;
    if ((v = yw_map_get(w, map, "actions"))) {
        if (v->type != YAML_SEQUENCE_NODE)
            return yw_fail(w, v, "actions: expected a list, like [highlight, log]");
        r->actions = 0;
        static const char *const acts[] = { "highlight", "bell", "log", "exec" };
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            if (yw_parse_enum(w, yaml_document_get_node(w->doc, *it), "actions", acts, 4, &e))
                return -1;
            r->actions |= 1u << e;
        }
    }
    if ((v = yw_map_get(w, map, "log"))) {
        if (yw_want_scalar(w, v, "log", &s))
            return -1;
        expand_home(s, r->log, sizeof r->log);
    }
    if ((v = yw_map_get(w, map, "exec"))) {
        if (yw_want_scalar(w, v, "exec", &s))
            return -1;
        if (strlen(s) >= sizeof r->exec)
            return yw_fail(w, v, "exec: command longer than %zu characters", sizeof r->exec - 1);
        snprintf(r->exec, sizeof r->exec, "%s", s);
        r->exec_line = v->start_mark.line + 1;
        r->exec_col = v->start_mark.column + 1;
    }
    if ((v = yw_map_get(w, map, "exec_interval")) &&
        parse_scalar_node(w, v, "exec_interval", SCALAR_DURATION, &r->exec_min_interval_ms, NULL))
        return -1;
    if ((r->actions & ACTION_LOG) && !r->log[0])
        return yw_fail(w, map, "alert '%s' has the log action but no 'log' file", r->name);
    if ((r->actions & ACTION_EXEC) && !r->exec[0])
        return yw_fail(w, map, "alert '%s' has the exec action but no 'exec' command", r->name);
    return 0;
}

static int parse_alert(walk *w, const yaml_node_t *map, alert_rule *r)
{
    if (yw_check_mapping(w, map, "an alert") || check_alert_keys(w, map))
        return -1;
    memset(r, 0, sizeof *r);
    r->severity = SEVERITY_WARNING;
    r->actions = ACTION_HIGHLIGHT;
    r->exec_min_interval_ms = ALERT_EXEC_INTERVAL_MS;
    return parse_alert_condition(w, map, r) || parse_alert_actions(w, map, r) ? -1 : 0;
}

/* ---------- the top-level keys: one parser each ---------- */

typedef int (*key_parser)(walk *w, const yaml_node_t *v, const char *key, l1top_config *c);

static int parse_refresh(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    if (parse_scalar_node(w, v, key, SCALAR_DURATION, &c->refresh_ms, NULL))
        return -1;
    if (c->refresh_ms < CONFIG_MIN_REFRESH_MS || c->refresh_ms > CONFIG_MAX_REFRESH_MS)
        return yw_fail(w, v, "refresh: must be between 100ms and 60s");
    return 0;
}

static int parse_segment(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    char resolved[256];
    const char *s;
    if (yw_want_scalar(w, v, key, &s))
        return -1;
    if (shm_name_resolve(s, resolved, sizeof resolved) != 0)
        return yw_fail(w, v, "segment: '%s' is not a shared-memory name like /l1top", s);
    snprintf(c->segment, sizeof c->segment, "%s", resolved);
    return 0;
}

static int parse_devices_key(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    return parse_devices(w, v, key, c->devices, &c->ndevices);
}

static int parse_heatmap(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    int e;
    if (yw_parse_enum(w, v, key, heat_metric_key, METRIC_COUNT, &e))
        return -1;
    c->heatmap = (heat_metric)e;
    return 0;
}

static int parse_theme_name(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    const char *s;
    if (yw_want_scalar(w, v, key, &s))
        return -1;
    if (!*s || strlen(s) >= sizeof c->theme || strchr(s, '/'))
        return yw_fail(w, v, "theme: '%s' is not a theme name", s);
    snprintf(c->theme, sizeof c->theme, "%s", s);
    return 0;
}

static int parse_units(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    int e;
    if (yw_parse_enum(w, v, key, units_names, 4, &e))
        return -1;
    c->units = (size_units)e;
    return 0;
}

static int parse_allocator_view(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    return yw_parse_bool(w, v, key, &c->allocator_view);
}

static int parse_thresholds(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    (void)key;
    if (yw_check_mapping(w, v, "thresholds"))
        return -1;
    static const char *const tk[] = { "warning", "critical" };
    for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
        yaml_node_t *k2 = yaml_document_get_node(w->doc, q->key), *v2 = yaml_document_get_node(w->doc, q->value);
        const char *k2s = yw_scalar(k2);
        if (strcmp(k2s, "warning") == 0) {
            if (parse_scalar_node(w, v2, "warning", SCALAR_PERCENT, &c->warning_pct, NULL))
                return -1;
        } else if (strcmp(k2s, "critical") == 0) {
            if (parse_scalar_node(w, v2, "critical", SCALAR_PERCENT, &c->critical_pct, NULL))
                return -1;
        } else {
            return yw_unknown_key(w, k2, k2s, tk, 2, " in thresholds");
        }
    }
    if (c->warning_pct > c->critical_pct)
        return yw_fail(w, v, "thresholds: warning (%g%%) is above critical (%g%%)", c->warning_pct, c->critical_pct);
    return 0;
}

static int parse_alerts(walk *w, const yaml_node_t *v, const char *key, l1top_config *c)
{
    (void)key;
    c->nalerts = 0;
    const char *s = yw_scalar(v);
    if (s && (strcmp(s, "") == 0 || strcmp(s, "null") == 0 || strcmp(s, "~") == 0))
        return 0; /* alerts: with nothing: none */
    if (v->type != YAML_SEQUENCE_NODE)
        return yw_fail(w, v, "alerts: expected a list of alert rules");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(w->doc, *it);
        if (c->nalerts == CONFIG_MAX_ALERTS)
            return yw_fail(w, item, "alerts: at most %d rules", CONFIG_MAX_ALERTS);
        if (parse_alert(w, item, &c->alerts[c->nalerts]))
            return -1;
        for (size_t j = 0; j < c->nalerts; j++)
            if (strcmp(c->alerts[j].name, c->alerts[c->nalerts].name) == 0)
                return yw_fail(w, item, "alerts: two rules named '%s'", c->alerts[j].name);
        c->nalerts++;
    }
    return 0;
}

/* By config_key. */
static const key_parser key_parsers[CFG_KEY_COUNT] = {
    parse_refresh, parse_segment,        parse_devices_key, parse_heatmap, parse_theme_name,
    parse_units,   parse_allocator_view, parse_thresholds,  parse_alerts,
};

/* ---------- the document ---------- */

static void set_origin(l1top_config *c, config_key k, const char *file, const yaml_node_t *n)
{
    snprintf(c->origin[k], sizeof c->origin[k], "%s:%zu", file, n->start_mark.line + 1);
}

static int parse_root(walk *w, const yaml_node_t *root, l1top_config *c)
{
    if (yw_check_mapping(w, root, "the configuration"))
        return -1;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
        const char *ks = yw_scalar(k);
        int key = -1;
        for (int i = 0; i < CFG_KEY_COUNT; i++)
            if (strcmp(ks, key_names[i]) == 0)
                key = i;
        if (key < 0)
            return yw_unknown_key(w, k, ks, key_names, CFG_KEY_COUNT, "");
        if (key_parsers[key](w, v, ks, c))
            return -1;
        set_origin(c, (config_key)key, w->file, k);
    }
    return 0;
}

static int parse_root_fn(walk *w, yaml_node_t *root, void *c) { return parse_root(w, root, c); }

int config_load_string(l1top_config *c, const char *name, const char *data, size_t len, char *err, size_t errlen)
{
    /* Work on a copy so that a bad file leaves the configuration as it was. */
    l1top_config *next = malloc(sizeof *next);
    if (!next) {
        snprintf(err, errlen, "%s:1:1: out of memory", name);
        return -1;
    }
    *next = *c;
    /* An empty file (or only comments) is valid: the defaults. */
    int rc = yw_parse_document(name, data, len, parse_root_fn, next, NULL, err, errlen);
    if (rc == 0) {
        snprintf(next->path, sizeof next->path, "%s", name);
        *c = *next;
    }
    free(next);
    return rc;
}

/* Like ssh and sudo with their files: a command l1top runs must come from a
 * file only its owner (or root) can change. Someone else who can write the
 * file could otherwise run anything as the user watching the TUI. */
static int refuse_untrusted_exec(const l1top_config *c, const char *path, const struct stat *st, char *err,
                                 size_t errlen)
{
    bool foreign = st->st_uid != geteuid() && st->st_uid != 0;
    if (!(st->st_mode & (S_IWGRP | S_IWOTH)) && !foreign)
        return 0;
    for (size_t i = 0; i < c->nalerts; i++)
        if (c->alerts[i].exec[0] || (c->alerts[i].actions & ACTION_EXEC)) {
            if (foreign)
                snprintf(err, errlen, "%s:%zu:%zu: exec refused: the file is owned by uid %u, not by you or root", path,
                         c->alerts[i].exec_line, c->alerts[i].exec_col, (unsigned)st->st_uid);
            else
                snprintf(err, errlen, "%s:%zu:%zu: exec refused: the file is writable by %s (mode %03o); chmod go-w %s",
                         path, c->alerts[i].exec_line, c->alerts[i].exec_col,
                         (st->st_mode & S_IWOTH) ? "others" : "its group", (unsigned)(st->st_mode & 0777), path);
            return -1;
        }
    return 0;
}

int config_load_file(l1top_config *c, const char *path, char *err, size_t errlen)
{
    char *data;
    size_t len;
    struct stat st;
    if (read_small_text_file(path, &data, &len, &st, err, errlen) != 0)
        return -1;
    l1top_config *next = malloc(sizeof *next);
    if (!next) {
        free(data);
        snprintf(err, errlen, "%s:1:1: out of memory", path);
        return -1;
    }
    *next = *c;
    int rc = config_load_string(next, path, data, len, err, errlen);
    free(data);
    if (rc == 0)
        rc = refuse_untrusted_exec(next, path, &st, err, errlen);
    if (rc == 0)
        *c = *next;
    free(next);
    return rc;
}

int config_load(l1top_config *c, const char *explicit_path, char *err, size_t errlen)
{
    config_defaults(c);
    if (explicit_path)
        return config_load_file(c, explicit_path, err, errlen);
    const char *env = getenv("L1TOP_CONFIG");
    if (env && *env)
        return config_load_file(c, env, err, errlen);
    char path[512];
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/l1top/config.yaml", xdg);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.config/l1top/config.yaml", home);
    else
        path[0] = '\0';
    if (path[0] && access(path, F_OK) == 0)
        return config_load_file(c, path, err, errlen);
    if (access("/etc/l1top/config.yaml", F_OK) == 0)
        return config_load_file(c, "/etc/l1top/config.yaml", err, errlen);
    return 0;
}

/* ---------- printing ---------- */

static void print_size(FILE *f, double v)
{
    if (v >= 1048576 && fmod(v, 1048576) == 0)
        fprintf(f, "%.0fMiB", v / 1048576);
    else if (v >= 1024 && fmod(v, 1024) == 0)
        fprintf(f, "%.0fKiB", v / 1024);
    else
        fprintf(f, "%.0f", v);
}

static void print_duration(FILE *f, uint32_t ms)
{
    if (ms % 60000 == 0 && ms)
        fprintf(f, "%um", ms / 60000);
    else if (ms % 1000 == 0)
        fprintf(f, "%us", ms / 1000);
    else
        fprintf(f, "%ums", ms);
}

static void print_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void print_devices(FILE *f, const uint32_t *d, size_t n)
{
    if (n == 0) {
        fputs("all", f);
        return;
    }
    fputc('[', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%u", i ? ", " : "", d[i]);
    fputc(']', f);
}

static void print_alert(FILE *f, const alert_rule *r)
{
    fprintf(f, "  - name: ");
    print_quoted(f, r->name);
    fprintf(f, "\n    metric: %s\n    scope: %s\n    %s: ", alert_metric_name(r->metric), scope_names[r->scope],
            r->above ? "above" : "below");
    switch (alert_metric_kind(r->metric)) {
    case VALUE_BYTES: print_size(f, r->threshold); break;
    case VALUE_PERCENT: fprintf(f, "%g%%", r->threshold); break;
    case VALUE_COUNT: fprintf(f, "%.0f", r->threshold); break;
    }
    fprintf(f, "\n    for: ");
    print_duration(f, r->for_ms);
    fprintf(f, "\n    severity: %s\n    devices: ", r->severity == SEVERITY_CRITICAL ? "critical" : "warning");
    print_devices(f, r->devices, r->ndevices);
    fprintf(f, "\n    actions: [");
    static const char *const acts[] = { "highlight", "bell", "log", "exec" };
    bool first = true;
    for (int a = 0; a < 4; a++)
        if (r->actions & (1u << a)) {
            fprintf(f, "%s%s", first ? "" : ", ", acts[a]);
            first = false;
        }
    fprintf(f, "]\n");
    if (r->log[0]) {
        fprintf(f, "    log: ");
        print_quoted(f, r->log);
        fputc('\n', f);
    }
    if (r->exec[0]) {
        fprintf(f, "    exec: ");
        print_quoted(f, r->exec);
        fputc('\n', f);
    }
    fprintf(f, "    exec_interval: ");
    print_duration(f, r->exec_min_interval_ms);
    fputc('\n', f);
}

void config_print(const l1top_config *c, FILE *f)
{
    fprintf(f, "# l1top effective configuration, from %s\n", c->path[0] ? c->path : "built-in defaults");
    fprintf(f, "refresh: ");
    print_duration(f, c->refresh_ms);
    fprintf(f, "    # %s\n", c->origin[CFG_REFRESH]);
    fprintf(f, "segment: ");
    print_quoted(f, c->segment[0] ? c->segment : "/l1top");
    fprintf(f, "    # %s\n", c->origin[CFG_SEGMENT]);
    fprintf(f, "devices: ");
    print_devices(f, c->devices, c->ndevices);
    fprintf(f, "    # %s\n", c->origin[CFG_DEVICES]);
    fprintf(f, "heatmap: %s    # %s\n", heat_metric_key[c->heatmap], c->origin[CFG_HEATMAP]);
    fprintf(f, "theme: ");
    print_quoted(f, c->theme);
    fprintf(f, "    # %s\n", c->origin[CFG_THEME]);
    fprintf(f, "units: %s    # %s\n", units_names[c->units], c->origin[CFG_UNITS]);
    fprintf(f, "allocator_view: %s    # %s\n", c->allocator_view ? "true" : "false", c->origin[CFG_ALLOCATOR_VIEW]);
    fprintf(f, "thresholds:    # %s\n  warning: %g%%\n  critical: %g%%\n", c->origin[CFG_THRESHOLDS], c->warning_pct,
            c->critical_pct);
    fprintf(f, "alerts:    # %s\n", c->origin[CFG_ALERTS]);
    if (c->nalerts == 0)
        fprintf(f, "  []\n");
    for (size_t i = 0; i < c->nalerts; i++)
        print_alert(f, &c->alerts[i]);
}
