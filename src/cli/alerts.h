/*
 * alerts.h - evaluates threshold and alert rules on a snapshot's
 * accounting, with hysteresis (`for`), and runs their actions (log line,
 * exec, bell). Evaluation is pure given the time; actions are the only
 * side effects and are off for --once.
 *
 * A per-core rule (and the built-in thresholds) fires one alert per
 * device: how many cores meet it, and the worst of them; the cores
 * themselves are listed by alerts_cores. A device starts and stops once
 * however many of its cores come and go.
 */
#ifndef L1TOP_ALERTS_H
#define L1TOP_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "model/accounting.h"
#include "cli/config.h"
#include "model/snapshot.h"

typedef struct {
    char name[64];
    alert_severity severity;
    alert_metric metric;
    alert_scope scope;
    uint32_t device;        /* device id */
    int32_t x, y;           /* core scope: the worst core, else -1 */
    int32_t pid;            /* process scope, else 0 */
    char process[32];
    double value, threshold; /* core scope: the worst core's value */
    bool above;
    uint32_t cores_over;    /* core scope: cores meeting the condition ... */
    uint32_t cores_of;      /* ... of the device's cores */
    uint32_t first_core;    /* where they are in alerts_cores (current alerts only) */
    bool highlight;         /* the rule asks the TUI to mark it */
    uint64_t since_ms;      /* monotonic ms when it started firing */
} firing_alert;

typedef struct {
    uint64_t unix_ms;
    bool start;             /* start or stop */
    firing_alert alert;
} alert_event;

typedef struct alert_engine alert_engine;

alert_engine *alerts_new(void);
void alerts_free(alert_engine *e);
/* Run log/exec/bell actions on start (and log on stop). Off by default. */
void alerts_enable_actions(alert_engine *e, bool on);

/* Evaluate every rule (and the thresholds, as threshold-warning and
 * threshold-critical) at monotonic time now_ms. With `ignore_for` the
 * `for` durations are ignored (--once). Returns 0, or -1 out of memory. */
int alerts_evaluate(alert_engine *e, const l1top_config *c, const snapshot *s, const accounting *a,
                    uint64_t now_ms, bool ignore_for);

/* Alerts firing after the last evaluation. */
size_t alerts_firing(const alert_engine *e, const firing_alert **list);
/* 0 none, 1 a warning, 2 a critical alert firing. */
int alerts_exit_level(const alert_engine *e);
/* Highest severity of highlighted alerts on core (x, y) of device id, or 0. */
int alerts_core_level(const alert_engine *e, uint32_t device, uint16_t x, uint16_t y);
/* The last ALERT_HISTORY start/stop events: how many, and the i-th, oldest first. */
size_t alerts_history_count(const alert_engine *e);
const alert_event *alerts_history_at(const alert_engine *e, size_t i);
/* Start/stop events ever recorded (the ring keeps the last ALERT_HISTORY):
 * a reader that follows them takes those past its own count. */
uint64_t alerts_history_total(const alert_engine *e);
/* The cores of a firing core-scope alert (from alerts_firing), worst
 * first; 0 for other alerts and for history entries. */
typedef struct {
    uint16_t x, y;
    double value;
} alert_core;
size_t alerts_cores(const alert_engine *e, const firing_alert *a, const alert_core **list);

/* An alert in words, sizes with units: "dev 0: 64/64 cores over 90 %,
 * worst (3,4) 97.8 %", "dev 0: largest_free_common 120 KiB < 256 KiB",
 * "dev 0 pid 42 (model): untracked_pct 35.2 % > 10 %". Returns buf. */
#define ALERT_TEXT_LEN 192
const char *alert_describe(char *buf, size_t n, const firing_alert *a);
/* A metric's value with its unit: "48.0 KiB", "97.8 %", "3". */
const char *alert_value_text(char *buf, size_t n, alert_metric m, double value);
/* The same for programs: bytes and counts as exact integers ("49152"),
 * percentages as "97.8". */
const char *alert_value_exact(char *buf, size_t n, alert_metric m, double value);

/* What the last exec action said on stderr, or how it failed, when its
 * rule has no log file: "exec cb-heavy: notify-send: not found (exit 127)";
 * "" when nothing went wrong. */
const char *alerts_exec_note(const alert_engine *e);

/* true once after a start event of a rule with the bell action. */
bool alerts_take_bell(alert_engine *e);
/* Reap finished exec children; call now and then. */
void alerts_reap(alert_engine *e);

#define ALERT_HISTORY 256

#endif
