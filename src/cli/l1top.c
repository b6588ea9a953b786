/*
 * l1top.c - main: parse the command line, pick the source (our segment,
 * or a --demo one), then run the batch view (--once) or the TUI.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/accounting.h"
#include "cli/alerts.h"
#include "cli/cli.h"
#include "sources/collect.h"
#include "cli/config.h"
#include "cli/demo.h"
#include "views/output.h"
#include "cli/quit_signal.h"
#include "views/serve.h"
#include "shm_name.h"
#include "sources/shm_reader.h"
#include "sources/trace.h"
#include "views/tui.h"
#include "utf8.h"

static int exit_for(shm_status st)
{
    switch (st) {
    case SHM_OK: return EXIT_OK;
    case SHM_MISSING: return EXIT_NOINPUT;
    case SHM_CORRUPT: return EXIT_DATAERR;
    default: return EXIT_IOERR;
    }
}

static void report(shm_status st, const char *name, const char *err, bool segment_only)
{
    if (st == SHM_MISSING && segment_only)
        fprintf(stderr,
                "l1top: segment %s: no such segment; start an instrumented program or `l1sim`, "
                "or try `l1top --demo`\n",
                name);
    else if (st == SHM_MISSING)
        fprintf(stderr, "l1top: segment %s: %s; start an instrumented program or `l1sim`, or try `l1top --demo`\n",
                name, err);
    else
        fprintf(stderr, "l1top: segment %s: %s\n", name, err);
}

/* The output could not be written. A reader that went away (`| head -1`)
 * ends l1top quietly, as it ends cat: status 128 + SIGPIPE, no message. */
static int write_failed(void)
{
    if (errno == EPIPE)
        return QUIT_SIGNAL_EXIT_BASE + SIGPIPE;
    fprintf(stderr, "l1top: writing output: %s\n", strerror(errno));
    return EXIT_IOERR;
}

static double monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* --once, or -n N: N snapshots at the refresh interval. The exit code is
 * the worst alert level seen (0, 1, 2), or an error. */
static int run_once(const cli_options *o, const l1top_config *cfg, const char *shm)
{
    char err[512] = "";
    collector col;
    collector_init(&col, (source_sel)o->source, shm, o->tt_metal_dir, o->sysfs_root);
    shm_status st;
    long n = o->iterations > 0 ? o->iterations : 1;
    output_formatter out = output_format_formatter(o->format, n > 1);
    alert_engine *ae = alerts_new();
    snapshot s;
    snapshot_init(&s);
    int rc = EXIT_OK, level = 0;
    double start = monotonic_ms();
    for (long i = 0; i < n && ae; i++) {
        if (i > 0) { /* keep to the interval, whatever a frame took */
            double due = start + (double)i * cfg->refresh_ms, now = monotonic_ms();
            if (due > now)
                collector_wait(&col, due - now); /* replays events meanwhile; a quitting signal cuts it short */
        }
        if (quit_signal_pending())
            break;
        st = collect(&col, &s, err, sizeof err);
        if (st != SHM_OK) {
            report(st, col.segment, err, col.sel == SOURCE_L1TOP);
            rc = exit_for(st);
            break;
        }
        accounting a;
        if (accounting_compute(&s, &a) != 0) {
            rc = EXIT_SOFTWARE;
            break;
        }
        /* One snapshot has no duration: `for` counts only across -n snapshots. */
        output_options oo = o->output;
        oo.warning = collector_warning(&col);
        oo.continued = i > 0;
        int e = alerts_evaluate(ae, cfg, &s, &a, (uint64_t)(monotonic_ms() - start), n == 1);
        oo.nalerts = alerts_firing(ae, &oo.alerts);
        int w = e == 0 ? out(stdout, &s, &a, &oo) : 0;
        accounting_free(&a);
        if (e != 0) {
            rc = EXIT_SOFTWARE;
            break;
        }
        if (w != 0) {
            rc = write_failed();
            break;
        }
        if (alerts_exit_level(ae) > level)
            level = alerts_exit_level(ae);
    }
    if (!ae) {
        fprintf(stderr, "l1top: out of memory\n");
        rc = EXIT_SOFTWARE;
    }
    alerts_free(ae);
    snapshot_free(&s);
    collector_close(&col);
    if (quit_signal_pending())
        return QUIT_SIGNAL_EXIT_BASE + quit_signal_pending();
    return rc != EXIT_OK ? rc : level;
}

/* --serve ADDR:PORT: the Prometheus exporter, until SIGINT/SIGTERM/SIGHUP. */
static int run_serve(const cli_options *o, const l1top_config *cfg, const char *shm)
{
    collector col;
    collector_init(&col, (source_sel)o->source, shm, o->tt_metal_dir, o->sysfs_root);
    char err[512] = "";
    int rc = serve_run(o->serve, &col, &o->output, cfg->refresh_ms, err, sizeof err);
    collector_close(&col);
    if (rc != SERVE_OK)
        fprintf(stderr, "l1top: %s\n", err);
    return rc == SERVE_OK ? EXIT_OK : rc == SERVE_USAGE ? EXIT_USAGE : EXIT_IOERR;
}

/* The summary's strings come from the trace (op names cut to fit): show them
 * as valid UTF-8 with controls escaped, like the snapshot's. */
static void trace_summary_clean(trace_summary *sum)
{
    char tmp[sizeof sum->peak.op];
    snprintf(sum->peak.op, sizeof sum->peak.op, "%s", utf8_clean(tmp, sizeof tmp, sum->peak.op, UTF8_ESCAPE_CONTROLS));
    snprintf(sum->board, sizeof sum->board, "%s", utf8_clean(tmp, sizeof tmp, sum->board, UTF8_ESCAPE_CONTROLS));
}

/* --trace FILE --once: the state at the per-core peak, plus the trace summary. */
static int run_trace(const cli_options *o, const l1top_config *cfg)
{
    snapshot s;
    snapshot_init(&s);
    trace_summary sum;
    char err[512];
    int status = trace_load(o->trace, o->board, &s, &sum, err, sizeof err);
    if (status != 0) {
        fprintf(stderr, "l1top: %s\n", err);
        snapshot_free(&s);
        return status == TRACE_ENOINPUT ? EXIT_NOINPUT : EXIT_DATAERR;
    }
    snapshot_sanitize_strings(&s);
    trace_summary_clean(&sum);
    if (sum.board_source != TRACE_BOARD_FROM_TRACE)
        fprintf(stderr, "l1top: %s: board %s (%s)\n", o->trace, sum.board, sum.board_reason);
    accounting a;
    int rc = EXIT_OK;
    alert_engine *ae = alerts_new();
    if (!ae || accounting_compute(&s, &a) != 0) {
        fprintf(stderr, "l1top: out of memory\n");
        alerts_free(ae);
        snapshot_free(&s);
        return EXIT_SOFTWARE;
    }
    output_options oo = o->output;
    oo.trace = &sum;
    if (alerts_evaluate(ae, cfg, &s, &a, 0, true) == 0)
        oo.nalerts = alerts_firing(ae, &oo.alerts);
    if (output_format_formatter(o->format, false)(stdout, &s, &a, &oo) != 0) {
        rc = write_failed();
    } else {
        rc = alerts_exit_level(ae);
    }
    accounting_free(&a);
    alerts_free(ae);
    snapshot_free(&s);
    return rc;
}

int main(int argc, char **argv)
{
    cli_options o;
    char err[256];
    int rc = cli_parse(argc, argv, &o, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "l1top: %s (try --help)\n", err);
        return rc;
    }
    if (o.help) {
        cli_print_help("l1top");
        return EXIT_OK;
    }
    if (o.version) {
        printf("l1top %s\n", L1TOP_VERSION_STRING);
        return EXIT_OK;
    }
    /* A closed pipe (| head) is seen as EPIPE, so --demo still cleans up. */
    signal(SIGPIPE, SIG_IGN);
    quit_signals_install();

    static l1top_config cfg;
    if (config_load(&cfg, o.config_path, err, sizeof err) != 0) {
        fprintf(stderr, "l1top: %s\n", err);
        return EXIT_CONFIGERR;
    }
    /* The command line wins over the file; --once and the TUI filter devices by the result. */
    cli_apply_overrides(&o, &cfg);
    memcpy(o.output.devices, cfg.devices, cfg.ndevices * sizeof cfg.devices[0]);
    o.output.ndevices = cfg.ndevices;
    if (o.print_config) {
        config_print(&cfg, stdout);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
    }

    demo_session demo;
    const char *shm = cfg.segment[0] ? cfg.segment : NULL;
    char resolved[256];
    if (!o.demo && !o.trace && shm_name_resolve(shm, resolved, sizeof resolved) != 0) {
        fprintf(stderr, "l1top: invalid segment name '%s': at most 200 characters and no '/' after the "
                        "leading one (try --help)\n", shm ? shm : getenv("L1TOP_SHM"));
        return EXIT_USAGE;
    }
    if (o.demo) {
        if (demo_start(&demo, o.demo_board, err, sizeof err) != 0) {
            fprintf(stderr, "l1top: --demo: %s\n", err);
            return EXIT_SOFTWARE;
        }
        if (demo_wait_ready(&demo, 5000) != 0) {
            demo_stop(&demo);
            fprintf(stderr, "l1top: --demo: the simulated workload did not start (is l1sim installed?)\n");
            return EXIT_SOFTWARE;
        }
        shm = demo.shm;
    }
    /* A machine format, or an output that is not a terminal, means batch:
     * the TUI would only write escape codes into a file or a pipe. */
    if (!o.once && !o.serve && (o.format_given || !isatty(STDOUT_FILENO)))
        o.once = true;
    if (o.serve)
        rc = run_serve(&o, &cfg, shm);
    else if (o.trace && o.once)
        rc = run_trace(&o, &cfg);
    else if (o.once)
        rc = run_once(&o, &cfg, shm);
    else
        rc = tui_run(&o, shm, &cfg);
    if (o.demo)
        demo_stop(&demo);
    return rc;
}
