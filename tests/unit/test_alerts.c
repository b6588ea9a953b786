/*
 * Alerts: threshold bands, every scope, `for` hysteresis, devices filter,
 * the log and exec actions (once per start), exit levels.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli/alerts.h"
#include "helpers.h"

#define WH_L1 1499136u
#define WH_UB 0x19180u

static snapshot s;
static accounting a;
static l1top_config cfg;
static alert_engine *e;

static void setup(void)
{
    snapshot_init(&s);
    config_defaults(&cfg);
    e = alerts_new();
    cr_assert_not_null(e);
}

static void teardown(void)
{
    alerts_free(e);
    accounting_free(&a);
    snapshot_free(&s);
}

TestSuite(alerts, .init = setup, .fini = teardown);

/* Device 0, 2x1 cores: core 0 holds `cb0` bytes of CB, core 1 `cb1`. */
static void build(uint32_t cb0, uint32_t cb1)
{
    accounting_free(&a);
    snapshot_reset(&s);
    t_device(&s, 0, "wormhole_b0", 2, 1);
    uint32_t p = t_process(&s, 77, "model");
    if (cb0)
        t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 0, 0 }), WH_UB, cb0, "cb0");
    if (cb1)
        t_region(&s, 0, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 1, 0, 1, 0 }), WH_UB, cb1, "cb1");
    cr_assert_eq(accounting_compute(&s, &a), 0);
}

static alert_rule *add_rule(const char *name, alert_metric m, alert_scope scope, bool above, double thr)
{
    alert_rule *r = &cfg.alerts[cfg.nalerts++];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->metric = m;
    r->scope = scope;
    r->above = above;
    r->threshold = thr;
    r->severity = SEVERITY_WARNING;
    r->actions = ACTION_HIGHLIGHT;
    r->exec_min_interval_ms = 10000;
    return r;
}

static size_t firing(const firing_alert **f) { return alerts_firing(e, f); }

Test(alerts, thresholds_fire_one_alert_per_device_at_its_worst_band)
{
    /* core 0: ~80 % used (warning band), core 1: ~95 % (critical band): one critical alert for the device. */
    build((uint32_t)(0.80 * WH_L1) - WH_UB, (uint32_t)(0.95 * WH_L1) - WH_UB);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, true), 0);
    const firing_alert *f;
    cr_assert_eq(firing(&f), 1);
    cr_assert_str_eq(f[0].name, "threshold-critical");
    cr_assert_eq(f[0].scope, SCOPE_CORE);
    cr_assert(f[0].cores_over == 1 && f[0].cores_of == 2, "%u/%u", f[0].cores_over, f[0].cores_of);
    cr_assert(f[0].x == 1 && f[0].y == 0, "the worst core");
    cr_assert_float_eq(f[0].value, 95.0, 0.01);
    cr_assert_eq(alerts_exit_level(e), 2);
    cr_assert_eq(alerts_core_level(e, 0, 1, 0), SEVERITY_CRITICAL);
    cr_assert_eq(alerts_core_level(e, 0, 0, 0), 0, "core 0 is not one of the critical alert's cores");
    /* Both in the warning band: one warning alert, both cores, the worst first. */
    build((uint32_t)(0.78 * WH_L1) - WH_UB, (uint32_t)(0.85 * WH_L1) - WH_UB);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, true), 0);
    cr_assert_eq(firing(&f), 1);
    cr_assert_str_eq(f[0].name, "threshold-warning");
    cr_assert_eq(f[0].cores_over, 2);
    const alert_core *c;
    cr_assert_eq(alerts_cores(e, &f[0], &c), 2);
    cr_assert(c[0].x == 1 && c[1].x == 0, "worst first");
    cr_assert_gt(c[0].value, c[1].value);
    cr_assert_eq(alerts_core_level(e, 0, 0, 0), SEVERITY_WARNING);
    char text[ALERT_TEXT_LEN];
    cr_assert_str_eq(alert_describe(text, sizeof text, &f[0]), "dev 0: 2/2 cores over 75.0 %, worst (1,0) 85.0 %");
    build(1000, 1000);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, true), 0);
    cr_assert_eq(firing(&f), 0);
    cr_assert_eq(alerts_exit_level(e), 0);
    /* History: warning start... each is one event per device, and history entries keep no core list. */
    size_t h = alerts_history_count(e);
    cr_assert_geq(h, 4);
    cr_assert_eq(alerts_cores(e, &alerts_history_at(e, h - 1)->alert, &c), 0);
}

/* A Galaxy at 97 %: 32 alerts, one per chip, each saying 64/64, not 2,048. */
Test(alerts, a_full_galaxy_is_one_alert_per_chip)
{
    accounting_free(&a);
    snapshot_reset(&s);
    uint32_t p = t_process(&s, 77, "model");
    for (uint32_t d = 0; d < 32; d++) {
        t_device(&s, d, "wormhole_b0", 8, 8);
        t_region(&s, d, p, L1TOP_CIRCULAR_BUFFER, ((l1top_range){ 0, 0, 7, 7 }), WH_UB,
                 (uint32_t)(0.97 * WH_L1) - WH_UB, "cb");
    }
    cr_assert_eq(accounting_compute(&s, &a), 0);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, true), 0);
    const firing_alert *f;
    cr_assert_eq(firing(&f), 32);
    for (size_t i = 0; i < 32; i++) {
        cr_assert_eq(f[i].device, i, "sorted by device");
        cr_assert(f[i].cores_over == 64 && f[i].cores_of == 64);
        const alert_core *c;
        cr_assert_eq(alerts_cores(e, &f[i], &c), 64);
    }
    char text[ALERT_TEXT_LEN];
    cr_assert_str_eq(alert_describe(text, sizeof text, &f[31]), "dev 31: 64/64 cores over 90.0 %, worst (0,0) 97.0 %");
    cr_assert_eq(alerts_history_count(e), 32, "32 starts");
}

/* Cores coming and going under a per-core rule: the device's alert starts once and stops once. */
Test(alerts, one_transition_per_device_as_cores_come_and_go)
{
    add_rule("cb-heavy", AM_CIRCULAR_BUFFERS, SCOPE_CORE, true, 400 * 1024);
    const firing_alert *f;
    build(500 * 1024, 100);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, false), 0);
    cr_assert_eq(firing(&f), 1);
    cr_assert(f[0].cores_over == 1 && f[0].x == 0);
    build(500 * 1024, 600 * 1024); /* a second core joins: the same alert, its worst core moves */
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 1000, false), 0);
    cr_assert_eq(firing(&f), 1);
    cr_assert(f[0].cores_over == 2 && f[0].x == 1, "%u cores, worst x %d", f[0].cores_over, f[0].x);
    cr_assert_eq(f[0].value, 600 * 1024);
    build(100, 600 * 1024); /* the first leaves: still firing */
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 2000, false), 0);
    cr_assert_eq(firing(&f), 1);
    cr_assert_eq(f[0].cores_over, 1);
    build(100, 100);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 3000, false), 0);
    cr_assert_eq(firing(&f), 0);
    cr_assert_eq(alerts_history_count(e), 2, "one start, one stop");
}

Test(alerts, for_must_hold_and_stops_when_it_does_not)
{
    alert_rule *r = add_rule("cb-heavy", AM_CIRCULAR_BUFFERS, SCOPE_CORE, true, 400 * 1024);
    r->for_ms = 2000;
    const firing_alert *f;
    build(500 * 1024, 100);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 10000, false), 0);
    cr_assert_eq(firing(&f), 0, "not yet: it must hold 2 s");
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 11000, false), 0);
    cr_assert_eq(firing(&f), 0);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 12000, false), 0);
    cr_assert_eq(firing(&f), 1);
    cr_assert_eq(f[0].x, 0);
    cr_assert_eq(f[0].value, 500 * 1024);
    /* A dip resets the clock: no flapping. */
    build(100, 100);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 13000, false), 0);
    cr_assert_eq(firing(&f), 0);
    build(500 * 1024, 100);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 14000, false), 0);
    cr_assert_eq(firing(&f), 0, "pending again from 14 s");
    cr_assert_eq(alerts_history_count(e), 2, "one start, one stop");
    cr_assert(alerts_history_at(e, 0)->start);
    cr_assert_not(alerts_history_at(e, 1)->start);
    /* --once ignores for. */
    alert_engine *once = alerts_new();
    cr_assert_eq(alerts_evaluate(once, &cfg, &s, &a, 0, true), 0);
    cr_assert_eq(alerts_firing(once, &f), 1);
    alerts_free(once);
}

Test(alerts, device_and_process_scopes_and_device_filter)
{
    add_rule("common", AM_LARGEST_FREE_COMMON, SCOPE_DEVICE, false, 1024 * 1024);
    alert_rule *p = add_rule("untracked-hog", AM_UNTRACKED_PCT, SCOPE_PROCESS, true, 10);
    p->severity = SEVERITY_CRITICAL;
    alert_rule *other = add_rule("other-device", AM_USED_PCT, SCOPE_DEVICE, true, 0);
    other->devices[0] = 7;
    other->ndevices = 1;
    build(600 * 1024, 600 * 1024);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, true), 0);
    const firing_alert *f;
    size_t n = firing(&f);
    cr_assert_eq(n, 2, "the device-7 rule does not apply to device 0");
    cr_assert_str_eq(f[0].name, "untracked-hog");
    cr_assert_eq(f[0].pid, 77);
    cr_assert_str_eq(f[0].process, "model");
    cr_assert_str_eq(f[1].name, "common");
    cr_assert_eq(f[1].value, WH_L1 - WH_UB - 600 * 1024);
    cr_assert_eq(alerts_exit_level(e), 2);
}

Test(alerts, log_and_exec_run_once_per_start)
{
    char dir[64], log[96], marker[96];
    snprintf(dir, sizeof dir, "/tmp/l1top-alerts-%d", (int)getpid());
    mkdir(dir, 0700);
    snprintf(log, sizeof log, "%s/alerts.jsonl", dir);
    snprintf(marker, sizeof marker, "%s/exec.out", dir);
    alert_rule *r = add_rule("cb", AM_CIRCULAR_BUFFERS, SCOPE_DEVICE, true, 0);
    r->actions = ACTION_LOG | ACTION_EXEC;
    snprintf(r->log, sizeof r->log, "%s", log);
    snprintf(r->exec, sizeof r->exec, "echo \"$L1TOP_ALERT_NAME $L1TOP_ALERT_DEVICE $L1TOP_ALERT_EVENT\" >> %s", marker);
    alerts_enable_actions(e, true);
    build(1000, 0);
    for (int t = 0; t < 5; t++) /* holds for five refreshes: one start */
        cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, (uint64_t)t * 1000, false), 0);
    build(0, 0);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 6000, false), 0);
    for (int i = 0; i < 100; i++) { /* the exec child runs on its own */
        alerts_reap(e);
        struct stat st;
        if (stat(marker, &st) == 0 && st.st_size > 0)
            break;
        usleep(20000);
    }
    usleep(50000);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f);
    char line[512];
    int starts = 0, stops = 0;
    while (fgets(line, sizeof line, f)) {
        starts += strstr(line, "\"event\":\"start\"") != NULL;
        stops += strstr(line, "\"event\":\"stop\"") != NULL;
        cr_assert(strstr(line, "\"name\":\"cb\"") != NULL, "%s", line);
    }
    fclose(f);
    cr_assert_eq(starts, 1);
    cr_assert_eq(stops, 1);
    f = fopen(marker, "r");
    cr_assert_not_null(f, "exec ran");
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "cb 0 start\n");
    cr_assert_null(fgets(line, sizeof line, f), "exactly once");
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(alerts, actions_stay_off_unless_enabled)
{
    char log[96];
    snprintf(log, sizeof log, "/tmp/l1top-alerts-off-%d.jsonl", (int)getpid());
    alert_rule *r = add_rule("cb", AM_CIRCULAR_BUFFERS, SCOPE_DEVICE, true, 0);
    r->actions = ACTION_LOG;
    snprintf(r->log, sizeof r->log, "%s", log);
    build(1000, 0);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, true), 0);
    cr_assert_neq(access(log, F_OK), 0, "--once reports, it does not act");
}

/* Wait (up to ~2 s) for the exec child to be reaped; then its output is complete. */
static void reap_all(void)
{
    for (int i = 0; i < 100; i++) {
        alerts_reap(e);
        usleep(20000);
    }
}

Test(alerts, exec_gets_exact_integers_the_cores_and_the_summary)
{
    char out[96];
    snprintf(out, sizeof out, "/tmp/l1top-alerts-env-%d.out", (int)getpid());
    unlink(out);
    alert_rule *r = add_rule("cb", AM_CIRCULAR_BUFFERS, SCOPE_CORE, true, 40000);
    r->actions = ACTION_EXEC;
    snprintf(r->exec, sizeof r->exec,
             "echo \"$L1TOP_ALERT_VALUE|$L1TOP_ALERT_VALUE_TEXT|$L1TOP_ALERT_THRESHOLD|$L1TOP_ALERT_CORES|"
             "$L1TOP_ALERT_CORE|$L1TOP_ALERT_SUMMARY\" > %s",
             out);
    alerts_enable_actions(e, true);
    build(49152, 45000);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, false), 0);
    reap_all();
    FILE *f = fopen(out, "r");
    cr_assert_not_null(f, "exec ran");
    char line[512] = "";
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    cr_assert_str_eq(line, "49152|48.0 KiB|40000|2/2|0,0|dev 0: 2/2 cores with circular_buffers over 39.1 KiB, worst "
                           "(0,0) 48.0 KiB\n");
    unlink(out);
}

Test(alerts, exec_stderr_without_a_log_is_kept_not_dropped)
{
    alert_rule *r = add_rule("notify", AM_CIRCULAR_BUFFERS, SCOPE_DEVICE, true, 0);
    r->actions = ACTION_EXEC;
    snprintf(r->exec, sizeof r->exec, "echo first >&2; echo 'notify-send: not found' >&2; exit 127");
    alerts_enable_actions(e, true);
    cr_assert_str_eq(alerts_exec_note(e), "");
    build(1000, 0);
    cr_assert_eq(alerts_evaluate(e, &cfg, &s, &a, 0, false), 0);
    reap_all();
    cr_assert_str_eq(alerts_exec_note(e), "exec notify: notify-send: not found (exit 127)");
}
