/*
 * alerts.c - see alerts.h.
 *
 * Each (rule, device, core or process) that meets its condition gets a
 * state entry in a hash table: when the condition first held, and whether
 * it fires. It fires once the condition has held for the rule's `for`, and
 * stops the first evaluation it no longer holds, so a value hovering at
 * the threshold starts one alert, not one per refresh.
 */
#define _GNU_SOURCE
#include "cli/alerts.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "grow.h"

#define MAX_EXEC_CHILDREN 16

typedef struct {
    bool used;
    uint32_t rule;          /* index; thresholds are nalerts and nalerts + 1 */
    uint32_t device;
    int32_t x, y, pid;
    uint64_t pending_since;
    bool firing;
    uint32_t seen;          /* evaluation generation */
    firing_alert alert;
} state;

struct alert_engine {
    state *table;
    size_t cap, count;
    uint32_t gen;
    firing_alert *firing;
    size_t nfiring, firing_cap;
    alert_event history[ALERT_HISTORY];
    size_t hist_count, hist_next;
    bool actions;
    bool bell;
    uint64_t last_exec[CONFIG_MAX_ALERTS + 2];
    pid_t children[MAX_EXEC_CHILDREN];
};

alert_engine *alerts_new(void)
{
    alert_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cap = 256;
    e->table = calloc(e->cap, sizeof *e->table);
    if (!e->table) {
        free(e);
        return NULL;
    }
    return e;
}

void alerts_free(alert_engine *e)
{
    if (!e)
        return;
    alerts_reap(e);
    free(e->table);
    free(e->firing);
    free(e);
}

void alerts_enable_actions(alert_engine *e, bool on) { e->actions = on; }

/* ---------- the state table ---------- */

static uint64_t hash_key(uint32_t rule, uint32_t dev, int32_t x, int32_t y, int32_t pid)
{
    uint64_t h = 1469598103934665603ull;
    uint32_t parts[5] = { rule, dev, (uint32_t)x, (uint32_t)y, (uint32_t)pid };
    for (int i = 0; i < 5; i++) {
        h ^= parts[i];
        h *= 1099511628211ull;
    }
    return h;
}

static state *lookup(alert_engine *e, uint32_t rule, uint32_t dev, int32_t x, int32_t y, int32_t pid, bool create);

static int grow(alert_engine *e)
{
    state *old = e->table;
    size_t old_cap = e->cap;
    e->cap *= 2;
    e->table = calloc(e->cap, sizeof *e->table);
    if (!e->table) {
        e->table = old;
        e->cap = old_cap;
        return -1;
    }
    e->count = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].used) {
            state *n = lookup(e, old[i].rule, old[i].device, old[i].x, old[i].y, old[i].pid, true);
            *n = old[i];
        }
    free(old);
    return 0;
}

static state *lookup(alert_engine *e, uint32_t rule, uint32_t dev, int32_t x, int32_t y, int32_t pid, bool create)
{
    if (create && (e->count + 1) * 2 > e->cap && grow(e) != 0)
        return NULL;
    size_t mask = e->cap - 1;
    for (size_t i = hash_key(rule, dev, x, y, pid) & mask;; i = (i + 1) & mask) {
        state *s = &e->table[i];
        if (!s->used) {
            if (!create)
                return NULL;
            memset(s, 0, sizeof *s);
            s->used = true;
            s->rule = rule;
            s->device = dev;
            s->x = x;
            s->y = y;
            s->pid = pid;
            e->count++;
            return s;
        }
        if (s->rule == rule && s->device == dev && s->x == x && s->y == y && s->pid == pid)
            return s;
    }
}

/* Remove entries not seen in this generation (open addressing: rebuild). */
static void sweep_unseen(alert_engine *e)
{
    state *old = e->table;
    state *fresh = calloc(e->cap ? e->cap : 1, sizeof *fresh);
    if (!fresh)
        return; /* keep stale entries; they are harmless */
    e->table = fresh;
    e->count = 0;
    for (size_t i = 0; i < e->cap; i++)
        if (old[i].used && old[i].seen == e->gen)
            *lookup(e, old[i].rule, old[i].device, old[i].x, old[i].y, old[i].pid, true) = old[i];
    free(old);
}

/* ---------- actions ---------- */

static uint64_t unix_ms(void) { return clock_realtime_ns() / 1000000u; }

static void record_history(alert_engine *e, const firing_alert *a, bool start)
{
    alert_event *ev = &e->history[e->hist_next];
    ev->unix_ms = unix_ms();
    ev->start = start;
    ev->alert = *a;
    e->hist_next = (e->hist_next + 1) % ALERT_HISTORY;
    if (e->hist_count < ALERT_HISTORY)
        e->hist_count++;
}

size_t alerts_history_count(const alert_engine *e) { return e->hist_count; }

const alert_event *alerts_history_at(const alert_engine *e, size_t i)
{
    if (i >= e->hist_count)
        return NULL;
    size_t first = (e->hist_next + ALERT_HISTORY - e->hist_count) % ALERT_HISTORY;
    return &e->history[(first + i) % ALERT_HISTORY];
}

static void log_event(const alert_rule *r, const firing_alert *a, bool start)
{
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:i, s:f, s:f}", "event", start ? "start" : "stop",
                          "unix_ms", (json_int_t)unix_ms(), "name", a->name, "severity",
                          a->severity == SEVERITY_CRITICAL ? "critical" : "warning", "metric",
                          alert_metric_name(a->metric), "scope", alert_scope_name(a->scope), "device",
                          (int)a->device, "value", a->value, "threshold", a->threshold);
    if (!o)
        return;
    if (a->scope == SCOPE_CORE)
        json_object_set_new(o, "core", json_pack("{s:i, s:i}", "x", a->x, "y", a->y));
    if (a->scope == SCOPE_PROCESS)
        json_object_set_new(o, "pid", json_integer(a->pid));
    char *line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!line)
        return;
    /* One write of one line with O_APPEND: lines from several l1tops never interleave. */
    int fd = open(r->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        size_t len = strlen(line);
        line[len] = '\n';
        ssize_t wr = write(fd, line, len + 1);
        (void)wr;
        close(fd);
    }
    free(line);
}

static void run_exec(alert_engine *e, size_t rule_index, const alert_rule *r, const firing_alert *a,
                     uint64_t now_ms)
{
    if (e->last_exec[rule_index] && now_ms - e->last_exec[rule_index] < r->exec_min_interval_ms)
        return; /* rate-limited */
    int slot = -1;
    for (int i = 0; i < MAX_EXEC_CHILDREN; i++)
        if (e->children[i] == 0)
            slot = i;
    if (slot < 0)
        return; /* too many still running: never pile up */
    char v[8][64];
    snprintf(v[0], sizeof v[0], "%u", a->device);
    snprintf(v[1], sizeof v[1], "%d,%d", a->x, a->y);
    snprintf(v[2], sizeof v[2], "%d", a->pid);
    snprintf(v[3], sizeof v[3], "%.6g", a->value);
    snprintf(v[4], sizeof v[4], "%.6g", a->threshold);
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        setsid();
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
        }
        /* Never onto the TUI's screen: stderr to the rule's log, else nowhere. */
        int errfd = r->log[0] ? open(r->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
        dup2(errfd >= 0 ? errfd : devnull, STDERR_FILENO);
        setenv("L1TOP_ALERT_NAME", a->name, 1);
        setenv("L1TOP_ALERT_SEVERITY", a->severity == SEVERITY_CRITICAL ? "critical" : "warning", 1);
        setenv("L1TOP_ALERT_METRIC", alert_metric_name(a->metric), 1);
        setenv("L1TOP_ALERT_SCOPE", alert_scope_name(a->scope), 1);
        setenv("L1TOP_ALERT_DEVICE", v[0], 1);
        if (a->scope == SCOPE_CORE)
            setenv("L1TOP_ALERT_CORE", v[1], 1);
        if (a->scope == SCOPE_PROCESS)
            setenv("L1TOP_ALERT_PID", v[2], 1);
        setenv("L1TOP_ALERT_VALUE", v[3], 1);
        setenv("L1TOP_ALERT_THRESHOLD", v[4], 1);
        setenv("L1TOP_ALERT_EVENT", "start", 1);
        execl("/bin/sh", "sh", "-c", r->exec, (char *)NULL);
        _exit(127);
    }
    e->children[slot] = pid;
    e->last_exec[rule_index] = now_ms;
}

void alerts_reap(alert_engine *e)
{
    for (int i = 0; i < MAX_EXEC_CHILDREN; i++)
        if (e->children[i] > 0 && waitpid(e->children[i], NULL, WNOHANG) != 0)
            e->children[i] = 0;
}

bool alerts_take_bell(alert_engine *e)
{
    bool b = e->bell;
    e->bell = false;
    return b;
}

/* ---------- values ---------- */

static double pct(uint64_t part, uint64_t total) { return total ? 100.0 * (double)part / (double)total : 0.0; }

static double core_value(alert_metric m, const core_usage *u)
{
    if (m <= AM_FREE)
        return (double)u->bytes[m];
    switch (m) {
    case AM_TRACKED: return (double)usage_tracked(u->bytes);
    case AM_UNTRACKED: return (double)usage_untracked(u->bytes);
    case AM_USED: return (double)usage_used(u->bytes);
    case AM_FRAGMENTED: return (double)u->fragmented;
    case AM_LARGEST_FREE: return (double)u->largest_free;
    case AM_USED_PCT: return pct(usage_used(u->bytes), usage_total(u->bytes));
    case AM_UNTRACKED_PCT: return pct(usage_untracked(u->bytes), usage_total(u->bytes));
    case AM_CLASHES: return u->clash_bytes ? 1.0 : 0.0;
    default: return 0.0;
    }
}

static double device_value(alert_metric m, const snap_device *d, const device_usage *du)
{
    if (m <= AM_FREE)
        return (double)du->totals[m];
    switch (m) {
    case AM_TRACKED: return (double)usage_tracked(du->totals);
    case AM_UNTRACKED: return (double)usage_untracked(du->totals);
    case AM_USED: return (double)usage_used(du->totals);
    case AM_FRAGMENTED: return (double)du->fragmented;
    case AM_LARGEST_FREE: { /* the tightest core */
        uint64_t least = UINT64_MAX;
        for (uint32_t c = 0; c < du->ncores; c++)
            if (du->cores[c].largest_free < least)
                least = du->cores[c].largest_free;
        return du->ncores ? (double)least : 0.0;
    }
    case AM_LARGEST_FREE_COMMON: return (double)du->largest_free_common;
    case AM_USED_PCT: return pct(usage_used(du->totals), usage_total(du->totals));
    case AM_UNTRACKED_PCT: return pct(usage_untracked(du->totals), usage_total(du->totals));
    case AM_CLASHES: return (double)du->clash_pairs_at_least;
    case AM_DROPPED_RECORDS: return (double)d->dropped_records;
    default: return 0.0;
    }
}

static double process_value(alert_metric m, const process_usage *p, const device_usage *du)
{
    uint64_t tracked = recorded_tracked(p->bytes), all = recorded_all(p->bytes);
    if (m <= AM_RUNTIME)
        return (double)p->bytes[m];
    switch (m) {
    case AM_TRACKED: return (double)tracked;
    case AM_UNTRACKED: return (double)(all - tracked);
    case AM_USED: return (double)all;
    case AM_USED_PCT: return pct(all, usage_total(du->totals));
    case AM_UNTRACKED_PCT: return pct(all - tracked, usage_total(du->totals));
    default: return 0.0;
    }
}

/* ---------- evaluation ---------- */

typedef struct {
    alert_engine *e;
    const l1top_config *c;
    uint64_t now;
    bool ignore_for;
    int failed;
} eval;

static void consider(eval *v, uint32_t rule_index, const alert_rule *r, bool holds, firing_alert *candidate)
{
    if (!holds)
        return; /* unseen entries are stopped and removed after the pass */
    alert_engine *e = v->e;
    state *s = lookup(e, rule_index, candidate->device, candidate->x, candidate->y, candidate->pid, true);
    if (!s) {
        v->failed = 1;
        return;
    }
    s->seen = e->gen;
    if (!s->pending_since)
        s->pending_since = v->now ? v->now : 1;
    uint64_t held = v->now >= s->pending_since ? v->now - s->pending_since : 0;
    if (!s->firing && (v->ignore_for || held >= r->for_ms)) {
        s->firing = true;
        candidate->since_ms = v->now;
        s->alert = *candidate;
        record_history(e, candidate, true);
        if (e->actions) {
            if (r->actions & ACTION_LOG)
                log_event(r, candidate, true);
            if (r->actions & ACTION_EXEC)
                run_exec(e, rule_index, r, candidate, v->now);
            if (r->actions & ACTION_BELL)
                e->bell = true;
        }
    } else if (s->firing) {
        uint64_t since = s->alert.since_ms;
        s->alert = *candidate; /* refresh the value */
        s->alert.since_ms = since;
    }
}

static bool crosses(const alert_rule *r, double value)
{
    return r->above ? value > r->threshold : value < r->threshold;
}

static bool device_wanted(const alert_rule *r, uint32_t id)
{
    if (r->ndevices == 0)
        return true;
    for (size_t i = 0; i < r->ndevices; i++)
        if (r->devices[i] == id)
            return true;
    return false;
}

static void eval_rule(eval *v, uint32_t ri, const alert_rule *r, const snapshot *s, const accounting *a)
{
    for (size_t di = 0; di < a->ndevices; di++) {
        const device_usage *du = &a->devices[di];
        const snap_device *d = &s->devices[du->device];
        if (!device_wanted(r, d->id))
            continue;
        firing_alert fa;
        memset(&fa, 0, sizeof fa);
        snprintf(fa.name, sizeof fa.name, "%s", r->name);
        fa.severity = r->severity;
        fa.metric = r->metric;
        fa.scope = r->scope;
        fa.device = d->id;
        fa.threshold = r->threshold;
        fa.above = r->above;
        fa.highlight = (r->actions & ACTION_HIGHLIGHT) != 0;
        fa.x = fa.y = -1;
        if (r->scope == SCOPE_CORE) {
            for (uint32_t c = 0; c < du->ncores; c++) {
                fa.value = core_value(r->metric, &du->cores[c]);
                fa.x = (int32_t)(c % d->grid_x);
                fa.y = (int32_t)(c / d->grid_x);
                consider(v, ri, r, crosses(r, fa.value), &fa);
            }
        } else if (r->scope == SCOPE_DEVICE) {
            fa.value = device_value(r->metric, d, du);
            consider(v, ri, r, crosses(r, fa.value), &fa);
        } else {
            for (size_t p = 0; p < du->nprocesses; p++) {
                const snap_process *sp = &s->processes[du->processes[p].process];
                fa.pid = sp->pid;
                snprintf(fa.process, sizeof fa.process, "%s", sp->name);
                fa.value = process_value(r->metric, &du->processes[p], du);
                consider(v, ri, r, crosses(r, fa.value), &fa);
            }
        }
    }
}

static int cmp_firing(const void *pa, const void *pb)
{
    const firing_alert *a = pa, *b = pb;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    if (a->device != b->device)
        return a->device < b->device ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return (a->pid > b->pid) - (a->pid < b->pid);
}

/* The two built-in per-core bands: critical above critical_pct, warning between. */
static void threshold_rules(const l1top_config *c, alert_rule thr[2])
{
    memset(thr, 0, 2 * sizeof *thr);
    snprintf(thr[0].name, sizeof thr[0].name, "threshold-critical");
    thr[0].severity = SEVERITY_CRITICAL;
    thr[0].threshold = c->critical_pct;
    snprintf(thr[1].name, sizeof thr[1].name, "threshold-warning");
    thr[1].severity = SEVERITY_WARNING;
    thr[1].threshold = c->warning_pct;
    for (int t = 0; t < 2; t++) {
        thr[t].metric = AM_USED_PCT;
        thr[t].scope = SCOPE_CORE;
        thr[t].above = true;
        thr[t].actions = ACTION_HIGHLIGHT;
    }
}

static void eval_thresholds(eval *v, const snapshot *s, const accounting *a)
{
    const l1top_config *c = v->c;
    alert_rule thr[2];
    threshold_rules(c, thr);
    for (size_t di = 0; di < a->ndevices; di++) {
        const device_usage *du = &a->devices[di];
        const snap_device *d = &s->devices[du->device];
        for (uint32_t ci = 0; ci < du->ncores; ci++) {
            double used = core_value(AM_USED_PCT, &du->cores[ci]);
            int band = used > c->critical_pct ? 0 : used > c->warning_pct ? 1 : -1;
            if (band < 0)
                continue;
            firing_alert fa;
            memset(&fa, 0, sizeof fa);
            memcpy(fa.name, thr[band].name, sizeof fa.name);
            fa.severity = thr[band].severity;
            fa.metric = AM_USED_PCT;
            fa.scope = SCOPE_CORE;
            fa.device = d->id;
            fa.x = (int32_t)(ci % d->grid_x);
            fa.y = (int32_t)(ci / d->grid_x);
            fa.value = used;
            fa.threshold = thr[band].threshold;
            fa.above = true;
            fa.highlight = true;
            /* Thresholds fire at once: they are the colour of the cell. */
            eval tv = *v;
            tv.ignore_for = true;
            consider(&tv, (uint32_t)(c->nalerts + (size_t)band), &thr[band], true, &fa);
            v->failed |= tv.failed;
        }
    }
}

/* Stop what no longer holds, then list what fires (sorted); -1 out of memory. */
static int settle(alert_engine *e, const l1top_config *c)
{
    for (size_t i = 0; i < e->cap; i++) {
        state *st = &e->table[i];
        if (!st->used || st->seen == e->gen || !st->firing)
            continue;
        record_history(e, &st->alert, false);
        if (e->actions && st->rule < c->nalerts && (c->alerts[st->rule].actions & ACTION_LOG))
            log_event(&c->alerts[st->rule], &st->alert, false);
    }
    sweep_unseen(e);
    e->nfiring = 0;
    for (size_t i = 0; i < e->cap; i++) {
        state *st = &e->table[i];
        if (!st->used || !st->firing)
            continue;
        if (grow_array((void **)&e->firing, &e->firing_cap, e->nfiring, 1, sizeof *e->firing) != 0)
            return -1;
        e->firing[e->nfiring++] = st->alert;
    }
    if (e->nfiring > 1)
        qsort(e->firing, e->nfiring, sizeof *e->firing, cmp_firing);
    return 0;
}

int alerts_evaluate(alert_engine *e, const l1top_config *c, const snapshot *s, const accounting *a,
                    uint64_t now_ms, bool ignore_for)
{
    e->gen++;
    eval v = { e, c, now_ms, ignore_for, 0 };
    for (size_t i = 0; i < c->nalerts; i++)
        eval_rule(&v, (uint32_t)i, &c->alerts[i], s, a);
    eval_thresholds(&v, s, a);
    if (settle(e, c) != 0)
        return -1;
    if (e->actions)
        alerts_reap(e);
    return v.failed ? -1 : 0;
}

size_t alerts_firing(const alert_engine *e, const firing_alert **list)
{
    *list = e->firing;
    return e->nfiring;
}

int alerts_exit_level(const alert_engine *e)
{
    int level = 0;
    for (size_t i = 0; i < e->nfiring; i++)
        if ((int)e->firing[i].severity > level)
            level = (int)e->firing[i].severity;
    return level;
}

int alerts_core_level(const alert_engine *e, uint32_t device, uint16_t x, uint16_t y)
{
    int level = 0;
    for (size_t i = 0; i < e->nfiring; i++) {
        const firing_alert *a = &e->firing[i];
        if (!a->highlight || a->device != device)
            continue;
        bool here = a->scope == SCOPE_CORE ? (a->x == x && a->y == y) : a->scope == SCOPE_DEVICE;
        if (here && (int)a->severity > level)
            level = (int)a->severity;
    }
    return level;
}
