/*
 * l1top.c - main: parse the command line, open the sources it asks for
 * (source.h: the live ones, a --demo segment, or a --trace file), then run
 * the batch view (--once), the exporter (--serve) or the TUI on them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "model/accounting.h"
#include "cli/alerts.h"
#include "cli/answers.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/demo.h"
#include "cli/frame_heap.h"
#include "views/output.h"
#include "views/quit_signal.h"
#include "cli/record.h"
#include "cli/theme.h"
#include "views/serve.h"
#include "shm_name.h"
#include "sources/json_snapshot.h"
#include "sources/source.h"
#include "views/tui.h"

#define DEMO_READY_MS 5000 /* l1sim --hold has this long to say "ready" */

/* A reading failed: err names what. Live data that is not there yet gets
 * the hint of how to make some. */
static void report(source_status st, const char *err, bool live)
{
    fprintf(stderr, "l1top: %s%s\n", err,
            st == SRC_MISSING && live ? "; start an instrumented program or `l1sim`, or try `l1top --demo`" : "");
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
    return (double)clock_monotonic_ns() / 1e6;
}

/* A trace drawn on a board it does not name: say which, once. */
static void note_board(const snapshot *s, const char *path)
{
    if (s->has_trace && s->trace.board_source != TRACE_BOARD_FROM_TRACE)
        fprintf(stderr, "l1top: %s: board %s (%s)\n", path, s->trace.board, s->trace.board_reason);
}

/* -n: sleep until snapshot i is due, whatever the last one took (a quitting signal cuts it short). */
static void wait_for_snapshot(source_set *set, long i, double start, const l1top_config *cfg)
{
    double due = start + (double)i * cfg->refresh_ms, now = monotonic_ms();
    if (due > now)
        source_set_wait(set, due - now); /* replays the segment's events meanwhile; a signal cuts it short */
}

/* One snapshot of --once or -n: account, evaluate the alerts, print. 0 or an exit code. */
static int print_snapshot(const cli_options *o, const l1top_config *cfg, source_set *set, const snapshot *s,
                          alert_engine *ae, output_formatter out, long i, long n, double start)
{
    accounting a;
    if (accounting_compute(s, &a) != 0)
        return EXIT_SOFTWARE;
    /* One snapshot has no duration: `for` counts only across -n snapshots. */
    output_options oo = o->output;
    oo.warning = source_set_warning(set);
    oo.trace = s->has_trace ? &s->trace : NULL;
    oo.continued = i > 0;
    int e = alerts_evaluate(ae, cfg, s, &a, (uint64_t)(monotonic_ms() - start), n == 1);
    oo.nalerts = alerts_firing(ae, &oo.alerts);
    int w = e == 0 ? out(stdout, s, &a, &oo) : 0;
    accounting_free(&a);
    return e != 0 ? EXIT_SOFTWARE : w != 0 ? write_failed() : 0;
}

/* --once, or -n N: N snapshots at the refresh interval. The exit code is
 * the worst alert level seen (0, 1, 2), or an error. */
static int run_once(const cli_options *o, const l1top_config *cfg, source_set *set)
{
    char err[512] = "";
    bool timeline = source_set_feed(set).timeline != NULL;
    long n = o->iterations > 0 && !timeline ? o->iterations : 1;
    output_formatter out = output_format_formatter(o->format, n > 1);
    alert_engine *ae = alerts_new();
    snapshot s;
    snapshot_init(&s);
    int rc = ae ? EXIT_OK : EXIT_SOFTWARE, level = 0;
    double start = monotonic_ms();
    for (long i = 0; i < n && rc == EXIT_OK; i++) {
        if (i > 0)
            wait_for_snapshot(set, i, start, cfg);
        if (quit_signal_pending())
            break;
        source_status st = collect(set, &s, err, sizeof err);
        if (st != SRC_OK) {
            report(st, err, !timeline);
            rc = cli_exit_status(st);
            break;
        }
        if (i == 0) {
            note_board(&s, set->label);
            if (timeline && source_set_warning(set)[0]) /* a recording cut short: say so once */
                fprintf(stderr, "l1top: warning: %s\n", source_set_warning(set));
        }
        rc = print_snapshot(o, cfg, set, &s, ae, out, i, n, start);
        if (rc == EXIT_OK && alerts_exit_level(ae) > level)
            level = alerts_exit_level(ae);
    }
    if (!ae)
        fprintf(stderr, "l1top: out of memory\n");
    alerts_free(ae);
    snapshot_free(&s);
    if (quit_signal_pending())
        return QUIT_SIGNAL_EXIT_BASE + quit_signal_pending();
    return rc != EXIT_OK ? rc : level;
}

/* --fit SPEC on one reading of the sources (a file: its peak). */
static int run_fit(const cli_options *o, const fit_spec *spec, source_set *set)
{
    char err[512] = "";
    snapshot s;
    snapshot_init(&s);
    source_status st = collect(set, &s, err, sizeof err);
    int rc;
    if (st != SRC_OK) {
        report(st, err, !o->trace);
        rc = cli_exit_status(st);
    } else {
        note_board(&s, set->label);
        rc = answer_fit(o, spec, &s);
    }
    snapshot_free(&s);
    return rc;
}

/* --serve ADDR:PORT: the Prometheus exporter, until SIGINT/SIGTERM/SIGHUP. */
static int run_serve(const cli_options *o, const l1top_config *cfg, source_set *set)
{
    char err[512] = "";
    feed f = source_set_feed(set);
    int rc = serve_run(o->serve, &f, &o->output, cfg->refresh_ms, err, sizeof err);
    if (rc != SERVE_OK)
        fprintf(stderr, "l1top: %s\n", err);
    return rc == SERVE_OK ? EXIT_OK : rc == SERVE_USAGE ? EXIT_USAGE : EXIT_IOERR;
}

/* The sources the command line asks for. */
static source_params params_of(const cli_options *o, const char *shm)
{
    source_params p = { (source_sel)o->source, shm, o->tt_metal_dir, o->sysfs_root, NULL, NULL, o->board };
    if (o->trace) { /* a ttnn trace, or a snapshot saved with --once --format json */
        p.file_source = o->replay ? "recording" : json_snapshot_file_source(o->trace);
        p.path = o->trace;
    }
    return p;
}

/* The TUI's `r` key and SIGUSR1: the file again, then the command line over it. */
static int reload_config(void *ctx, l1top_config *out, char *err, size_t errlen)
{
    const cli_options *o = ctx;
    if (config_load(out, o->config_path, err, errlen) != 0)
        return -1;
    cli_apply_overrides(o, out);
    return 0;
}

/* The TUI's `w` key: the sources recorded into l1top-YYYYMMDD-HHMMSS.l1rec
 * (local time) in the current directory; never over a file: -2 ... -9
 * after the name when it exists (w pressed twice in a second). */
#define TUI_REC_NAMES 9

static void *tui_rec_start(void *ctx, char *path, size_t pathlen, char *err, size_t errlen)
{
    time_t now = time(NULL);
    struct tm tm;
    char stamp[32] = "";
    if (localtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int i = 1; i <= TUI_REC_NAMES; i++) {
        snprintf(path, pathlen, i == 1 ? "l1top-%s.l1rec" : "l1top-%s-%d.l1rec", stamp, i);
        int code = 0;
        recorder *r = recorder_start(path, ctx, true, &code, err, errlen);
        if (r || code != EXIT_CANTCREAT || errno != EEXIST) {
            if (code == EXIT_USAGE)
                snprintf(err, errlen, "nothing live to record (w records our segment)");
            return r;
        }
    }
    return NULL; /* err: the last name exists */
}

static int tui_rec_tick(void *rec, const snapshot *s, uint64_t *size, char *err, size_t errlen)
{
    int rc = recorder_tick(rec, s, clock_monotonic_ns(), err, errlen);
    *size = recorder_stats(rec)->size;
    return rc == 0 ? 0 : -1;
}

static int tui_rec_stop(void *rec, bool clean, uint64_t *size, char *err, size_t errlen)
{
    record_stats rs;
    int rc = recorder_stop(rec, clean, &rs, err, errlen);
    *size = rs.size;
    return rc == 0 ? 0 : -1;
}

static int run_tui(const cli_options *o, l1top_config *cfg, source_set *set)
{
    feed f = source_set_feed(set);
    tui_options t = {
        .feed = &f, .filter = o->output, .no_color = o->no_color, .max_frames = o->max_frames,
        .reload_config = reload_config, .reload_ctx = (void *)o,
        .find_theme = theme_find, .themes = theme_shipped, .nthemes = THEME_SHIPPED_COUNT,
        .rec_start = tui_rec_start, .rec_tick = tui_rec_tick, .rec_stop = tui_rec_stop, .rec_ctx = set,
    };
    return tui_run(&t, cfg);
}

/* --record FILE: the live segment journaled until a signal, --duration or -n. */
static int run_record(const cli_options *o, const l1top_config *cfg, const char *shm)
{
    source_set set;
    char err[4096 + 512];
    source_params p = params_of(o, shm);
    source_status st = source_set_open(&set, &p, err, sizeof err);
    if (st != SRC_OK) {
        fprintf(stderr, "l1top: %s\n", err);
        return cli_exit_status(st);
    }
    record_stats rs;
    int rc = record_run(o->record, &set, cfg->refresh_ms, o->iterations, o->duration, &rs);
    source_set_close(&set);
    if (rc == EXIT_OK)
        fprintf(stderr, "l1top: %s: %llu bytes (%llu before zstd) in %llu chunks\n", o->record,
                (unsigned long long)rs.file_bytes, (unsigned long long)rs.raw_bytes,
                (unsigned long long)rs.chunks);
    return rc; /* a signal ends a recording normally: 0 */
}

/* Open the sources and run the view the options ask for on them. */
static int run_view(const cli_options *o, l1top_config *cfg, const char *shm)
{
    source_set set;
    char err[4096 + 512];
    static fit_spec spec; /* 64 terms: not on the stack */
    if (o->fit && fitspec_parse(o->fit, &spec, err, sizeof err) != 0) {
        fprintf(stderr, "l1top: --fit: %s\n", err);
        return EXIT_DATAERR;
    }
    source_params p = params_of(o, shm);
    source_status st = source_set_open(&set, &p, err, sizeof err);
    if (st != SRC_OK) {
        fprintf(stderr, "l1top: %s\n", err);
        return cli_exit_status(st);
    }
    int rc;
    if (o->fit) {
        rc = run_fit(o, &spec, &set);
    } else if (o->serve) {
        rc = run_serve(o, cfg, &set);
    } else if (o->once) {
        rc = run_once(o, cfg, &set);
    } else {
        rc = run_tui(o, cfg, &set);
    }
    source_set_close(&set);
    return rc;
}

/* The configuration file, then the command line over it; the devices it
 * leaves are the filter of --once and the TUI. 0, or an exit code. */
static int load_config(cli_options *o, l1top_config *cfg)
{
    char err[CONFIG_ERR_LEN];
    if (config_load(cfg, o->config_path, err, sizeof err) != 0) {
        fprintf(stderr, "l1top: %s\n", err);
        return EXIT_CONFIGERR;
    }
    cli_apply_overrides(o, cfg);
    memcpy(o->output.devices, cfg->devices, cfg->ndevices * sizeof cfg->devices[0]);
    o->output.ndevices = cfg->ndevices;
    return 0;
}

/* --demo: l1sim on a private segment, ready to read. 0, or an exit code. */
static int start_demo(const cli_options *o, demo_session *demo)
{
    char err[256];
    if (demo_start(demo, o->demo_board, err, sizeof err) != 0) {
        fprintf(stderr, "l1top: --demo: %s\n", err);
        return EXIT_SOFTWARE;
    }
    if (demo_wait_ready(demo, DEMO_READY_MS) != 0) {
        demo_stop(demo);
        fprintf(stderr, "l1top: --demo: the simulated workload did not start (is l1sim installed?)\n");
        return EXIT_SOFTWARE;
    }
    return 0;
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
    if (o.help || o.version) {
        if (o.help)
            cli_print_help("l1top");
        else
            printf("l1top %s\n", L1TOP_VERSION_STRING);
        return EXIT_OK;
    }
    frame_heap_keep();
    /* A closed pipe (| head) is seen as EPIPE, so --demo still cleans up. */
    signal(SIGPIPE, SIG_IGN);
    quit_signals_install();
    static l1top_config cfg;
    if ((rc = load_config(&o, &cfg)) != 0)
        return rc;
    if (o.print_config) {
        config_print(&cfg, stdout);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
    }

    if (o.diff_a)
        return answer_diff(&o);
    if (o.record)
        return run_record(&o, &cfg, cfg.segment[0] ? cfg.segment : NULL);
    const char *shm = cfg.segment[0] ? cfg.segment : NULL;
    char resolved[256];
    if (!o.demo && !o.trace && shm_name_resolve(shm, resolved, sizeof resolved) != 0) {
        fprintf(stderr, "l1top: invalid segment name '%s': at most 200 characters and no '/' after the "
                        "leading one (try --help)\n", shm ? shm : getenv("L1TOP_SHM"));
        return EXIT_USAGE;
    }
    demo_session demo;
    if (o.demo && (rc = start_demo(&o, &demo)) != 0)
        return rc;
    if (o.demo)
        shm = demo.shm;
    /* A machine format, or an output that is not a terminal, means batch:
     * the TUI would only write escape codes into a file or a pipe. */
    if (!o.once && !o.serve && (o.format_given || !isatty(STDOUT_FILENO)))
        o.once = true;
    rc = run_view(&o, &cfg, shm);
    if (o.demo)
        demo_stop(&demo);
    return rc;
}
