/*
 * answers.c - --fit and --diff from the command line (answers.h): read the
 * inputs, ask the model (fit.h, diff.h), print the answer in the format
 * asked, and turn it into the exit status CI scripts test.
 */
#define _GNU_SOURCE
#include "cli/answers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/quit_signal.h"
#include "model/accounting.h"
#include "model/diff.h"
#include "sources/json_snapshot.h"
#include "sources/trace.h"
#include "utf8.h"
#include "views/answers.h"
#include "views/output.h"

/* Exit statuses of the answers themselves (cli.h has the errors). */
enum { ANSWER_NO = 1 };

static int written(int rc)
{
    if (rc == 0)
        return EXIT_OK;
    if (errno == EPIPE)
        return QUIT_SIGNAL_EXIT_BASE + SIGPIPE;
    fprintf(stderr, "l1top: writing output: %s\n", strerror(errno));
    return EXIT_IOERR;
}

static int load_trace(const char *path, const char *board, snapshot *s, char *moment, size_t n)
{
    trace_summary sum;
    char err[512];
    int st = trace_load(path, board, s, &sum, err, sizeof err);
    if (st != 0) {
        fprintf(stderr, "l1top: %s\n", err);
        return st == TRACE_ENOINPUT ? EXIT_NOINPUT : EXIT_DATAERR;
    }
    snapshot_sanitize_strings(s);
    if (sum.board_source != TRACE_BOARD_FROM_TRACE) { /* the answer depends on the grid: say where it came from */
        char name[sizeof sum.board];
        fprintf(stderr, "l1top: %s: board %s (%s)\n", path, utf8_clean(name, sizeof name, sum.board, UTF8_ESCAPE_CONTROLS),
                sum.board_reason);
    }
    if (moment) {
        char op[sizeof sum.peak.op];
        snprintf(moment, n, "peak at node %llu (op '%s', device %u core (%u,%u))", (unsigned long long)sum.peak.counter,
                 utf8_clean(op, sizeof op, sum.peak.op, UTF8_ESCAPE_CONTROLS), sum.peak.device, sum.peak.x,
                 sum.peak.y);
    }
    return EXIT_OK;
}

int answer_load_file(const char *path, const char *board, snapshot *s, char *moment, size_t momentlen)
{
    char err[512];
    if (moment)
        moment[0] = '\0';
    if (json_snapshot_sniff(path) == JSNAP_IS_TRACE)
        return load_trace(path, board, s, moment, momentlen);
    int st = json_snapshot_load(path, s, err, sizeof err);
    if (st == JSNAP_EFOREIGN) /* keys in another order than ours: maybe a trace */
        return load_trace(path, board, s, moment, momentlen);
    if (st != 0) {
        fprintf(stderr, "l1top: %s\n", err);
        return st == JSNAP_ENOINPUT ? EXIT_NOINPUT : EXIT_DATAERR;
    }
    return EXIT_OK;
}

static bool is_json(const cli_options *o)
{
    return strcmp(o->format->name, "json") == 0;
}

static bool selected(uint32_t id, void *ctx)
{
    return output_device_selected(ctx, id);
}

int answer_fit(const cli_options *o, const fit_spec *spec, const snapshot *s)
{
    accounting a;
    fit_answer fa;
    if (accounting_compute(s, &a) != 0)
        return EXIT_SOFTWARE;
    if (fit_compute(s, &a, spec, selected, (void *)&o->output, &fa) != 0) {
        accounting_free(&a);
        return EXIT_SOFTWARE;
    }
    int rc;
    if (fa.ndevices == 0) {
        fprintf(stderr, "l1top: --fit: no device to answer for in %s\n", s->segment);
        rc = EXIT_NOINPUT;
    } else {
        int w = is_json(o) ? output_fit_json(stdout, s, spec, &fa) : output_fit_text(stdout, s, spec, &fa);
        rc = w ? written(w) : fa.fits ? EXIT_OK : ANSWER_NO;
    }
    fit_answer_free(&fa);
    accounting_free(&a);
    return rc;
}

int answer_diff(const cli_options *o)
{
    snapshot sa, sb;
    accounting aa, ab;
    char ma[256], mb[256];
    snapshot_init(&sa);
    snapshot_init(&sb);
    memset(&aa, 0, sizeof aa);
    memset(&ab, 0, sizeof ab);
    int rc = answer_load_file(o->diff_a, o->board, &sa, ma, sizeof ma);
    if (rc == EXIT_OK)
        rc = answer_load_file(o->diff_b, o->board, &sb, mb, sizeof mb);
    if (rc == EXIT_OK && (accounting_compute(&sa, &aa) != 0 || accounting_compute(&sb, &ab) != 0))
        rc = EXIT_SOFTWARE;
    if (rc == EXIT_OK) {
        diff_input ia = { o->diff_a, ma[0] ? ma : NULL, &sa, &aa }, ib = { o->diff_b, mb[0] ? mb : NULL, &sb, &ab };
        diff_result d;
        if (diff_compute(&ia, &ib, o->max_growth_given, o->max_growth, &d) != 0) {
            rc = EXIT_SOFTWARE;
        } else {
            int w = is_json(o) ? output_diff_json(stdout, &ia, &ib, &d)
                                             : output_diff_text(stdout, &ia, &ib, &d);
            rc = w ? written(w) : d.exceeded ? ANSWER_NO : EXIT_OK;
            diff_free(&d);
        }
    }
    if (rc == EXIT_SOFTWARE)
        fprintf(stderr, "l1top: --diff: out of memory\n");
    accounting_free(&aa);
    accounting_free(&ab);
    snapshot_free(&sa);
    snapshot_free(&sb);
    return rc;
}
