/*
 * alerts.h - evaluates threshold and alert rules on a snapshot's
 * accounting, with hysteresis (`for`), and runs their actions (log line,
 * exec, bell). Evaluation is pure given the time; actions are the only
 * side effects and are off for --once.
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
    int32_t x, y;           /* core scope, else -1 */
    int32_t pid;            /* process scope, else 0 */
    char process[32];
    double value, threshold;
    bool above;
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
/* true once after a start event of a rule with the bell action. */
bool alerts_take_bell(alert_engine *e);
/* Reap finished exec children; call now and then. */
void alerts_reap(alert_engine *e);

#define ALERT_HISTORY 256

#endif
