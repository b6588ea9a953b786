/*
 * Configuration: every key, every value syntax, the lookup order, and the
 * exact one-line error for a sample of bad files.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/config.h"
#include "cli/yaml_walk.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/l1top-config-test-%d", (int)getpid());
    mkdir(dir, 0700);
    unsetenv("L1TOP_CONFIG");
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(config, .init = setup, .fini = teardown);

static const char *write_file(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load text; expect failure with exactly this message after "FILE:". */
static void expect_error(const char *text, const char *want)
{
    l1top_config c;
    config_defaults(&c);
    const char *path = write_file("bad.yaml", text);
    char err[CONFIG_ERR_LEN], expected[CONFIG_ERR_LEN];
    cr_assert_eq(config_load_file(&c, path, err, sizeof err), -1, "accepted:\n%s", text);
    snprintf(expected, sizeof expected, "%s:%s", path, want);
    cr_assert_str_eq(err, expected);
    cr_assert_eq(c.refresh_ms, 1000, "a bad file leaves the configuration as it was");
}

Test(config, defaults)
{
    l1top_config c;
    config_defaults(&c);
    cr_assert_eq(c.refresh_ms, 1000);
    cr_assert_eq(c.warning_pct, 75);
    cr_assert_eq(c.critical_pct, 90);
    cr_assert_eq(c.heatmap, METRIC_USED);
    cr_assert_str_eq(c.theme, "default");
    cr_assert_eq(c.nalerts, 0);
    cr_assert_str_eq(c.origin[CFG_REFRESH], "default");
}

Test(config, example_file_loads_with_every_key)
{
    l1top_config c;
    config_defaults(&c);
    char err[CONFIG_ERR_LEN];
    cr_assert_eq(config_load_file(&c, "config.example.yaml", err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.refresh_ms, 1000, "settings with a flag or environment equivalent are commented out");
    cr_assert_str_eq(c.segment, "", "copying the example must not override $L1TOP_SHM");
    cr_assert_str_eq(c.theme, "default");
    cr_assert_eq(c.ndevices, 0);
    cr_assert_eq(c.nalerts, 5);
    const alert_rule *r = &c.alerts[0];
    cr_assert_str_eq(r->name, "cb-heavy");
    cr_assert_eq(r->metric, AM_CIRCULAR_BUFFERS);
    cr_assert_eq(r->scope, SCOPE_CORE);
    cr_assert(r->above);
    cr_assert_eq(r->threshold, 400 * 1024);
    cr_assert_eq(r->for_ms, 2000);
    cr_assert_eq(r->ndevices, 2);
    cr_assert_eq(r->actions, ACTION_HIGHLIGHT | ACTION_BELL | ACTION_LOG | ACTION_EXEC);
    cr_assert_eq(r->exec_min_interval_ms, 30000);
    cr_assert(strstr(r->log, "/.local/state/l1top/alerts.jsonl") != NULL, "~ expanded: %s", r->log);
    cr_assert_str_eq(r->exec, "notify-send l1top \"$L1TOP_ALERT_NAME\"");
    cr_assert_eq(c.alerts[1].metric, AM_LARGEST_FREE_COMMON);
    cr_assert_not(c.alerts[1].above);
    cr_assert_eq(c.alerts[1].severity, SEVERITY_CRITICAL);
    cr_assert_eq(c.alerts[3].scope, SCOPE_DEVICE, "dropped_records defaults to device scope");
    cr_assert_eq(c.alerts[4].scope, SCOPE_PROCESS);
    cr_assert_eq(c.alerts[4].threshold, 60);
    cr_assert_str_eq(c.origin[CFG_REFRESH], "default");
    cr_assert_str_eq(c.origin[CFG_SEGMENT], "default");
}

Test(config, every_key)
{
    const char *path = write_file("all.yaml", "refresh: 2s\n"
                                              "segment: mine\n"
                                              "devices: [3, 5]\n"
                                              "heatmap: largest_free\n"
                                              "theme: colorblind\n"
                                              "units: KiB\n"
                                              "allocator_view: yes\n"
                                              "thresholds: {warning: 50%, critical: 60}\n"
                                              "alerts: []\n");
    l1top_config c;
    config_defaults(&c);
    char err[CONFIG_ERR_LEN];
    cr_assert_eq(config_load_file(&c, path, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.refresh_ms, 2000);
    cr_assert_str_eq(c.segment, "/mine");
    cr_assert_eq(c.ndevices, 2);
    cr_assert_eq(c.devices[1], 5);
    cr_assert_eq(c.heatmap, METRIC_LARGEST_FREE);
    cr_assert_str_eq(c.theme, "colorblind");
    cr_assert_eq(c.units, UNITS_KIB);
    cr_assert(c.allocator_view);
    cr_assert_eq(c.warning_pct, 50);
    cr_assert_eq(c.critical_pct, 60);
    cr_assert_str_eq(c.path, path);
}

Test(config, empty_file_is_the_defaults)
{
    l1top_config c;
    config_defaults(&c);
    char err[CONFIG_ERR_LEN];
    cr_assert_eq(config_load_file(&c, write_file("empty.yaml", "# nothing\n"), err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.refresh_ms, 1000);
}

Test(config, value_syntaxes)
{
    double v;
    uint32_t ms;
    const char *why;
    cr_assert_eq(parse_size("64KiB", &v, &why), 0);
    cr_assert_eq(v, 65536);
    cr_assert_eq(parse_size("1.5MiB", &v, &why), 0);
    cr_assert_eq(v, 1572864);
    cr_assert_eq(parse_size("1499136", &v, &why), 0);
    cr_assert_eq(v, 1499136);
    cr_assert_eq(parse_size("2 MB", &v, &why), 0);
    cr_assert_eq(v, 2e6);
    cr_assert_eq(parse_size("12XB", &v, &why), -1);
    cr_assert_eq(parse_size("-1KiB", &v, &why), -1);
    cr_assert_eq(parse_size("lots", &v, &why), -1);
    cr_assert_eq(parse_percent("75%", &v, &why), 0);
    cr_assert_eq(v, 75);
    cr_assert_eq(parse_percent("12.5", &v, &why), 0);
    cr_assert_eq(v, 12.5);
    cr_assert_eq(parse_percent("101%", &v, &why), -1);
    cr_assert_eq(parse_percent("50 percent", &v, &why), -1);
    cr_assert_eq(parse_duration_ms("500ms", &ms, &why), 0);
    cr_assert_eq(ms, 500);
    cr_assert_eq(parse_duration_ms("2s", &ms, &why), 0);
    cr_assert_eq(ms, 2000);
    cr_assert_eq(parse_duration_ms("1m", &ms, &why), 0);
    cr_assert_eq(ms, 60000);
    cr_assert_eq(parse_duration_ms("1.5s", &ms, &why), 0);
    cr_assert_eq(ms, 1500);
    cr_assert_eq(parse_duration_ms("5", &ms, &why), -1);
    cr_assert_str_eq(why, "a duration needs a unit (ms, s, m, h)");
    cr_assert_eq(parse_duration_ms("3 fortnights", &ms, &why), -1);
    cr_assert_eq(edit_distance("refesh", "refresh"), 1);
    cr_assert_eq(edit_distance("", "abc"), 3);
}

Test(config, exact_error_lines)
{
    expect_error("refesh: 1s\n", "1:1: unknown key 'refesh'; did you mean 'refresh'?");
    expect_error("colour: red\n", "1:1: unknown key 'colour'");
    expect_error("refresh: [1, 2]\n", "1:10: refresh: expected a single value, not a list");
    expect_error("refresh: 5parsecs\n", "1:10: refresh: '5parsecs': unknown duration unit (ms, s, m, h)");
    expect_error("refresh: 10ms\n", "1:10: refresh: must be between 100ms and 60s");
    expect_error("theme: x\ntheme: y\n", "2:1: duplicate key 'theme'");
    expect_error("devices: [0, 1\n", "2:1: not valid YAML: did not find expected ',' or ']'");
    expect_error("devices: [zero]\n", "1:11: devices: 'zero' is not a device number");
    expect_error("heatmap: hot\n",
                 "1:10: heatmap: 'hot' is not one of: used, circular_buffers, l1_buffers, free, largest_free, cb_room, peak_used");
    expect_error("allocator_view: maybe\n", "1:17: allocator_view: expected true or false, not 'maybe'");
    expect_error("thresholds:\n  warning: 95%\n  critical: 90%\n", "2:3: thresholds: warning (95%) is above critical (90%)");
    expect_error("thresholds:\n  warnin: 5%\n", "2:3: unknown key 'warnin' in thresholds; did you mean 'warning'?");
    expect_error("thresholds:\n  critical: 120%\n", "2:13: critical: '120%': a percentage must be between 0% and 100%");
    expect_error("segment: a/b\n", "1:10: segment: 'a/b' is not a shared-memory name like /l1top");
    expect_error("- 1\n- 2\n", "1:1: the configuration must be a mapping of keys to values");
    expect_error("a: 1\n---\nb: 2\n", "1:1: unknown key 'a'");
    expect_error("refresh: 1s\n---\nrefresh: 2s\n", "3:1: only one YAML document is allowed");
    expect_error("alerts:\n  - metric: used\n    above: 1\n", "2:5: an alert needs a 'name'");
    expect_error("alerts:\n  - name: x\n    metric: used\n", "2:5: alert 'x' needs exactly one of 'above' or 'below'");
    expect_error("alerts:\n  - name: x\n    metric: used\n    above: 1\n    below: 2\n",
                 "2:5: alert 'x' needs exactly one of 'above' or 'below'");
    expect_error("alerts:\n  - name: x\n    metric: used\n    above: 1Q\n",
                 "4:12: above: '1Q' for used: unknown size unit (B, KiB, MiB, GiB, KB, MB, GB)");
    expect_error("alerts:\n  - name: x\n    metric: dropped_records\n    scope: core\n    above: 0\n",
                 "4:12: scope: dropped_records has no core scope");
    expect_error("alerts:\n  - name: x\n    metric: clashes\n    above: 1.5\n",
                 "4:12: above: '1.5' for clashes: expected a whole number");
    expect_error("alerts:\n  - name: x\n    metric: used_pct\n    above: 80%\n    actions: [log]\n",
                 "2:5: alert 'x' has the log action but no 'log' file");
    expect_error("alerts:\n  - name: x\n    metric: used_pct\n    above: 80%\n    actions: [shout]\n",
                 "5:15: actions: 'shout' is not one of: highlight, bell, log, exec");
    expect_error("alerts:\n  - name: x\n    metric: used_pct\n    abov: 80%\n",
                 "4:5: unknown key 'abov' in an alert; did you mean 'above'?");
    expect_error("alerts:\n  - {name: x, metric: used_pct, above: 1}\n  - {name: x, metric: used_pct, above: 2}\n",
                 "3:5: alerts: two rules named 'x'");
    expect_error("alerts:\n  - name: x\n    metric: hotness\n    above: 1\n",
                 "3:13: metric: 'hotness' is not one of: l1_buffers, l1_small, circular_buffers, kernel_code, "
                 "semaphores, runtime, kernel_config, firmware, free, tracked, untracked, used, fragmented, largest_free, "
                 "largest_free_common, used_pct, untracked_pct, clashes, dropped_records");
}

Test(config, unreadable_named_file_is_an_error)
{
    l1top_config c;
    char err[CONFIG_ERR_LEN], path[128];
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    cr_assert_eq(config_load(&c, path, err, sizeof err), -1);
    cr_assert(strstr(err, "missing.yaml:1:1: cannot read: No such file or directory") != NULL, "%s", err);
}

Test(config, lookup_order)
{
    char err[CONFIG_ERR_LEN], xdg[128];
    l1top_config c;
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    mkdir(xdg, 0700);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/l1top", xdg);
    mkdir(sub, 0700);
    write_file("xdg/l1top/config.yaml", "refresh: 3s\n");
    const char *env_file = write_file("env.yaml", "refresh: 4s\n");
    char env_path[128];
    snprintf(env_path, sizeof env_path, "%s", env_file);
    const char *cli_file = write_file("cli.yaml", "refresh: 5s\n");
    char cli_path[128];
    snprintf(cli_path, sizeof cli_path, "%s", cli_file);

    setenv("XDG_CONFIG_HOME", xdg, 1);
    cr_assert_eq(config_load(&c, NULL, err, sizeof err), 0, "%s", err);
    cr_assert_eq(c.refresh_ms, 3000, "XDG file");
    setenv("L1TOP_CONFIG", env_path, 1);
    cr_assert_eq(config_load(&c, NULL, err, sizeof err), 0);
    cr_assert_eq(c.refresh_ms, 4000, "$L1TOP_CONFIG before XDG");
    cr_assert_eq(config_load(&c, cli_path, err, sizeof err), 0);
    cr_assert_eq(c.refresh_ms, 5000, "-c before everything");
    unsetenv("L1TOP_CONFIG");
    unsetenv("XDG_CONFIG_HOME");
}

Test(config, printed_configuration_loads_back_the_same)
{
    l1top_config c, back;
    config_defaults(&c);
    char err[CONFIG_ERR_LEN];
    cr_assert_eq(config_load_file(&c, "config.example.yaml", err, sizeof err), 0, "%s", err);
    char path[128];
    snprintf(path, sizeof path, "%s/printed.yaml", dir);
    FILE *f = fopen(path, "w");
    config_print(&c, f);
    fclose(f);
    config_defaults(&back);
    cr_assert_eq(config_load_file(&back, path, err, sizeof err), 0, "%s", err);
    cr_assert_eq(back.refresh_ms, c.refresh_ms);
    cr_assert_eq(back.nalerts, c.nalerts);
    for (size_t i = 0; i < c.nalerts; i++) {
        cr_assert_str_eq(back.alerts[i].name, c.alerts[i].name);
        cr_assert_eq(back.alerts[i].threshold, c.alerts[i].threshold);
        cr_assert_eq(back.alerts[i].for_ms, c.alerts[i].for_ms);
        cr_assert_eq(back.alerts[i].actions, c.alerts[i].actions);
        cr_assert_eq(back.alerts[i].scope, c.alerts[i].scope);
        cr_assert_str_eq(back.alerts[i].exec, c.alerts[i].exec);
    }
    cr_assert_eq(back.warning_pct, c.warning_pct);
}
