/*
 * alerts.c - see alerts.h.
 *
 * Each (rule, device, process) that meets its condition gets a state entry
 * in a hash table: when the condition first held, and whether it fires. It
 * fires once the condition has held for the rule's `for`, and stops the
 * first evaluation it no longer holds, so a value hovering at the
 * threshold starts one alert, not one per refresh. A per-core rule holds
 * on a device while any of its cores meets it: one entry per device, its
 * cores gathered in a pool rebuilt at each evaluation (a Galaxy at 90 %
 * is 32 alerts, not 2,048).
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
#include "views/format.h"

#define MAX_EXEC_CHILDREN 16
#define EXEC_NOTE_LEN 256
#define EXEC_ERR_LINE 160   /* the last stderr line kept of an exec without a log */

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
    uint64_t hist_total;    /* events ever recorded */
    bool actions;
    bool bell;
    uint64_t last_exec[CONFIG_MAX_ALERTS + 2];
    pid_t children[MAX_EXEC_CHILDREN];
    /* An exec without a log: its stderr comes back through a pipe. */
    int child_err[MAX_EXEC_CHILDREN];        /* read end, -1 none */
    char child_rule[MAX_EXEC_CHILDREN][64];
    char child_line[MAX_EXEC_CHILDREN][EXEC_ERR_LINE];
    char exec_note[EXEC_NOTE_LEN];
    alert_core *cores;                       /* the cores of this evaluation's core alerts */
    size_t ncores, cores_cap;
    alert_core *scratch;                     /* one device's cores while a rule is evaluated */
    size_t nscratch, scratch_cap;
};

alert_engine *alerts_new(void)
{
    alert_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cap = 256;
    for (int i = 0; i < MAX_EXEC_CHILDREN; i++)
        e->child_err[i] = -1;
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
    for (int i = 0; i < MAX_EXEC_CHILDREN; i++)
        if (e->child_err[i] >= 0)
            close(e->child_err[i]);
    free(e->table);
    free(e->firing);
    free(e->cores);
    free(e->scratch);
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
    ev->alert.first_core = UINT32_MAX; /* the pool holds the current alerts' cores only */
    e->hist_next = (e->hist_next + 1) % ALERT_HISTORY;
    if (e->hist_count < ALERT_HISTORY)
        e->hist_count++;
    e->hist_total++;
}

size_t alerts_history_count(const alert_engine *e) { return e->hist_count; }
uint64_t alerts_history_total(const alert_engine *e) { return e->hist_total; }

const alert_event *alerts_history_at(const alert_engine *e, size_t i)
{
    if (i >= e->hist_count)
        return NULL;
    size_t first = (e->hist_next + ALERT_HISTORY - e->hist_count) % ALERT_HISTORY;
    return &e->history[(first + i) % ALERT_HISTORY];
}

/* ---------- words ---------- */

const char *alert_value_text(char *buf, size_t n, alert_metric m, double value)
{
    value_kind k = alert_metric_kind(m);
    if (k == VALUE_BYTES)
        return format_bytes(value > 0 ? (uint64_t)(value + 0.5) : 0, buf, n);
    if (k == VALUE_PERCENT)
        snprintf(buf, n, "%.1f %%", value);
    else
        snprintf(buf, n, "%.0f", value);
    return buf;
}

const char *alert_value_exact(char *buf, size_t n, alert_metric m, double value)
{
    if (alert_metric_kind(m) == VALUE_PERCENT)
        snprintf(buf, n, "%.6g", value);
    else
        snprintf(buf, n, "%llu", value > 0 ? (unsigned long long)(value + 0.5) : 0ull);
    return buf;
}

const char *alert_describe(char *buf, size_t n, const firing_alert *a)
{
    char v[32], t[32];
    alert_value_text(v, sizeof v, a->metric, a->value);
    alert_value_text(t, sizeof t, a->metric, a->threshold);
    if (a->scope == SCOPE_CORE) {
        /* Used % is what "cores over 90 %" means; other metrics are named. */
        bool used = a->metric == AM_USED_PCT;
        snprintf(buf, n, "dev %u: %u/%u cores %s%s%s %s, worst (%d,%d) %s", a->device, a->cores_over, a->cores_of,
                 used ? "" : "with ", used ? "" : alert_metric_name(a->metric), used ? (a->above ? "over" : "under")
                 : (a->above ? " over" : " under"), t, a->x, a->y, v);
    } else if (a->scope == SCOPE_PROCESS) {
        snprintf(buf, n, "dev %u pid %d (%s): %s %s %s %s", a->device, a->pid, a->process,
                 alert_metric_name(a->metric), v, a->above ? ">" : "<", t);
    } else {
        snprintf(buf, n, "dev %u: %s %s %s %s", a->device, alert_metric_name(a->metric), v, a->above ? ">" : "<", t);
    }
    return buf;
}

/* ---------- actions ---------- */

static void log_event(const alert_rule *r, const firing_alert *a, bool start)
{
    char text[ALERT_TEXT_LEN], vt[32];
    json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:i, s:s}", "event", start ? "start" : "stop",
                          "unix_ms", (json_int_t)unix_ms(), "name", a->name, "severity",
                          a->severity == SEVERITY_CRITICAL ? "critical" : "warning", "metric",
                          alert_metric_name(a->metric), "scope", alert_scope_name(a->scope), "device",
                          (int)a->device, "summary", alert_describe(text, sizeof text, a));
    if (!o)
        return;
    /* Sizes and counts as exact integers, with the unit beside them for people. */
    bool pct = alert_metric_kind(a->metric) == VALUE_PERCENT;
    json_object_set_new(o, "value", pct ? json_real(a->value) : json_integer((json_int_t)(a->value + 0.5)));
    json_object_set_new(o, "value_text", json_string(alert_value_text(vt, sizeof vt, a->metric, a->value)));
    json_object_set_new(o, "threshold", pct ? json_real(a->threshold) : json_integer((json_int_t)(a->threshold + 0.5)));
    if (a->scope == SCOPE_CORE) {
        json_object_set_new(o, "cores_over", json_integer(a->cores_over));
        json_object_set_new(o, "cores_of", json_integer(a->cores_of));
        json_object_set_new(o, "worst_core", json_pack("{s:i, s:i}", "x", a->x, "y", a->y));
    }
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

/* In the child: what the command gets in its environment. */
static void exec_environment(const firing_alert *a)
{
    char v[8][ALERT_TEXT_LEN];
    snprintf(v[0], sizeof v[0], "%u", a->device);
    snprintf(v[1], sizeof v[1], "%d,%d", a->x, a->y);
    snprintf(v[2], sizeof v[2], "%d", a->pid);
    alert_value_exact(v[3], sizeof v[3], a->metric, a->value);
    alert_value_exact(v[4], sizeof v[4], a->metric, a->threshold);
    alert_value_text(v[5], sizeof v[5], a->metric, a->value);
    snprintf(v[6], sizeof v[6], "%u/%u", a->cores_over, a->cores_of);
    alert_describe(v[7], sizeof v[7], a);
    setenv("L1TOP_ALERT_NAME", a->name, 1);
    setenv("L1TOP_ALERT_SEVERITY", a->severity == SEVERITY_CRITICAL ? "critical" : "warning", 1);
    setenv("L1TOP_ALERT_METRIC", alert_metric_name(a->metric), 1);
    setenv("L1TOP_ALERT_SCOPE", alert_scope_name(a->scope), 1);
    setenv("L1TOP_ALERT_DEVICE", v[0], 1);
    if (a->scope == SCOPE_CORE) {
        setenv("L1TOP_ALERT_CORE", v[1], 1); /* the worst core */
        setenv("L1TOP_ALERT_CORES", v[6], 1);
    }
    if (a->scope == SCOPE_PROCESS)
        setenv("L1TOP_ALERT_PID", v[2], 1);
    setenv("L1TOP_ALERT_VALUE", v[3], 1);
    setenv("L1TOP_ALERT_VALUE_TEXT", v[5], 1);
    setenv("L1TOP_ALERT_THRESHOLD", v[4], 1);
    setenv("L1TOP_ALERT_SUMMARY", v[7], 1);
    setenv("L1TOP_ALERT_EVENT", "start", 1);
}

/* In the child: stdin and stdout on /dev/null; stderr to the rule's log,
 * else to errfd (a pipe back to l1top), never onto the TUI's screen. */
static void exec_redirect(const alert_rule *r, int errfd)
{
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
    }
    int logfd = r->log[0] ? open(r->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
    int to = logfd >= 0 ? logfd : errfd >= 0 ? errfd : devnull;
    if (to >= 0)
        dup2(to, STDERR_FILENO);
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
    int errpipe[2] = { -1, -1 };
    if (!r->log[0] && pipe2(errpipe, O_CLOEXEC) != 0)
        errpipe[0] = errpipe[1] = -1;
    pid_t pid = fork();
    if (pid < 0) {
        if (errpipe[0] >= 0) {
            close(errpipe[0]);
            close(errpipe[1]);
        }
        return;
    }
    if (pid == 0) {
        setsid();
        exec_redirect(r, errpipe[1]);
        exec_environment(a);
        execl("/bin/sh", "sh", "-c", r->exec, (char *)NULL);
        _exit(127);
    }
    if (errpipe[1] >= 0) {
        close(errpipe[1]);
        fcntl(errpipe[0], F_SETFL, O_NONBLOCK);
    }
    e->children[slot] = pid;
    e->child_err[slot] = errpipe[0];
    snprintf(e->child_rule[slot], sizeof e->child_rule[slot], "%s", r->name);
    e->child_line[slot][0] = '\0';
    e->last_exec[rule_index] = now_ms;
}

/* Keep the last non-empty line a child wrote to its stderr pipe. */
static void drain_stderr(alert_engine *e, int i)
{
    char buf[512];
    ssize_t n;
    while (e->child_err[i] >= 0 && (n = read(e->child_err[i], buf, sizeof buf - 1)) > 0) {
        buf[n] = '\0';
        char *end = buf + n;
        while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
            *--end = '\0';
        if (end == buf)
            continue;
        char *line = strrchr(buf, '\n');
        snprintf(e->child_line[i], sizeof e->child_line[i], "%.*s", EXEC_ERR_LINE - 1, line ? line + 1 : buf);
    }
}

/* A child ended: say what went wrong, if anything. */
static void child_done(alert_engine *e, int i, int status)
{
    drain_stderr(e, i);
    bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (e->child_line[i][0] || failed) {
        char how[32] = "";
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            snprintf(how, sizeof how, " (exit %d)", WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            snprintf(how, sizeof how, " (signal %d)", WTERMSIG(status));
        snprintf(e->exec_note, sizeof e->exec_note, "exec %s: %s%s", e->child_rule[i],
                 e->child_line[i][0] ? e->child_line[i] : "failed", how);
    }
    if (e->child_err[i] >= 0)
        close(e->child_err[i]);
    e->child_err[i] = -1;
    e->children[i] = 0;
}

void alerts_reap(alert_engine *e)
{
    for (int i = 0; i < MAX_EXEC_CHILDREN; i++) {
        if (e->children[i] <= 0)
            continue;
        drain_stderr(e, i);
        int status = 0;
        pid_t r = waitpid(e->children[i], &status, WNOHANG);
        if (r == e->children[i])
            child_done(e, i, status);
        else if (r < 0) { /* not ours any more (reaped elsewhere) */
            if (e->child_err[i] >= 0)
                close(e->child_err[i]);
            e->child_err[i] = -1;
            e->children[i] = 0;
        }
    }
}

const char *alerts_exec_note(const alert_engine *e) { return e->exec_note; }

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
    /* A per-core rule's alert is its device's, wherever the worst core is now. */
    bool per_device = candidate->scope == SCOPE_CORE;
    state *s = lookup(e, rule_index, candidate->device, per_device ? -1 : candidate->x, per_device ? -1 : candidate->y,
                      candidate->pid, true);
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

static int worst_high_first(const void *pa, const void *pb)
{
    const alert_core *a = pa, *b = pb;
    return (a->value < b->value) - (a->value > b->value);
}

static int worst_low_first(const void *pa, const void *pb) { return -worst_high_first(pa, pb); }

/* The cores of one device meeting a per-core rule: counted, the worst one
 * in fa (its place and value), the list worst first in the pool at
 * fa->first_core. false when none does (or memory ran out: v->failed). */
static bool core_alert(eval *v, const alert_rule *r, const snap_device *d, const device_usage *du,
                       firing_alert *fa)
{
    alert_engine *e = v->e;
    size_t first = e->ncores;
    for (uint32_t c = 0; c < du->ncores; c++) {
        double value = core_value(r->metric, &du->cores[c]);
        if (!crosses(r, value))
            continue;
        if (grow_array((void **)&e->cores, &e->cores_cap, e->ncores, 1, sizeof *e->cores) != 0) {
            v->failed = 1;
            e->ncores = first;
            return false;
        }
        e->cores[e->ncores++] = (alert_core){ (uint16_t)(c % d->grid_x), (uint16_t)(c / d->grid_x), value };
    }
    size_t n = e->ncores - first;
    if (n == 0)
        return false;
    qsort(e->cores + first, n, sizeof *e->cores, r->above ? worst_high_first : worst_low_first);
    fa->first_core = (uint32_t)first;
    fa->cores_over = (uint32_t)n;
    fa->cores_of = du->ncores;
    fa->x = e->cores[first].x;
    fa->y = e->cores[first].y;
    fa->value = e->cores[first].value;
    return true;
}

/* An alert of rule r on device d, before its value is known. */
static void alert_of(firing_alert *fa, const alert_rule *r, const snap_device *d)
{
    memset(fa, 0, sizeof *fa);
    snprintf(fa->name, sizeof fa->name, "%.*s", (int)sizeof fa->name - 1, r->name);
    fa->severity = r->severity;
    fa->metric = r->metric;
    fa->scope = r->scope;
    fa->device = d->id;
    fa->threshold = r->threshold;
    fa->above = r->above;
    fa->highlight = (r->actions & ACTION_HIGHLIGHT) != 0;
    fa->x = fa->y = -1;
    fa->first_core = UINT32_MAX;
}

static void eval_rule(eval *v, uint32_t ri, const alert_rule *r, const snapshot *s, const accounting *a)
{
    for (size_t di = 0; di < a->ndevices; di++) {
        const device_usage *du = &a->devices[di];
        const snap_device *d = &s->devices[du->device];
        if (!device_wanted(r, d->id))
            continue;
        firing_alert fa;
        alert_of(&fa, r, d);
        if (r->scope == SCOPE_CORE) {
            consider(v, ri, r, core_alert(v, r, d, du, &fa), &fa);
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

/* The thresholds: per device one alert, of the worst band any core reaches
 * (critical over critical_pct, else warning over warning_pct). */
static void eval_thresholds(eval *v, const snapshot *s, const accounting *a)
{
    alert_rule thr[2];
    threshold_rules(v->c, thr);
    eval tv = *v;
    tv.ignore_for = true; /* thresholds fire at once: they are the colour of the cell */
    for (size_t di = 0; di < a->ndevices; di++) {
        const device_usage *du = &a->devices[di];
        const snap_device *d = &s->devices[du->device];
        for (int band = 0; band < 2; band++) {
            firing_alert fa;
            alert_of(&fa, &thr[band], d);
            if (core_alert(&tv, &thr[band], d, du, &fa)) {
                consider(&tv, (uint32_t)(v->c->nalerts + (size_t)band), &thr[band], true, &fa);
                break;
            }
        }
    }
    v->failed |= tv.failed;
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
    e->ncores = 0; /* this evaluation's cores */
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
        if (!a->highlight || a->device != device || (int)a->severity <= level)
            continue;
        bool here = a->scope == SCOPE_DEVICE;
        const alert_core *c;
        size_t n = a->scope == SCOPE_CORE ? alerts_cores(e, a, &c) : 0;
        for (size_t k = 0; k < n && !here; k++)
            here = c[k].x == x && c[k].y == y;
        if (here)
            level = (int)a->severity;
    }
    return level;
}

size_t alerts_cores(const alert_engine *e, const firing_alert *a, const alert_core **list)
{
    *list = NULL;
    if (a->scope != SCOPE_CORE || a->first_core == UINT32_MAX || a->first_core > e->ncores ||
        a->cores_over > e->ncores - a->first_core)
        return 0;
    *list = e->cores + a->first_core;
    return a->cores_over;
}
