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

#include "views/quit_signal.h"
#include "model/accounting.h"
#include "model/diff.h"
#include "sources/json_snapshot.h"
#include "sources/source.h"
#include "views/answers.h"
#include "views/output.h"
#include "views/view_common.h"

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

int answer_load_file(const char *path, const char *board, snapshot *s, char *moment, size_t momentlen)
{
    if (moment)
        moment[0] = '\0';
    source_params p = { SOURCE_AUTO, NULL, NULL, NULL, json_snapshot_file_source(path), path, board };
    source_set set;
    char err[4096 + 512];
    source_status st = source_set_open(&set, &p, err, sizeof err);
    if (st == SRC_OK) {
        st = collect(&set, s, err, sizeof err); /* a trace: its peak */
        source_set_close(&set);
    }
    if (st != SRC_OK) {
        fprintf(stderr, "l1top: %s\n", err);
        return cli_exit_status(st);
    }
    if (!s->has_trace)
        return EXIT_OK;
    if (s->trace.board_source != TRACE_BOARD_FROM_TRACE) /* the answer depends on the grid: say whence */
        fprintf(stderr, "l1top: %s: board %s (%s)\n", path, s->trace.board, s->trace.board_reason);
    if (moment)
        snprintf(moment, momentlen, "peak at node %llu (op '%s', device %u core (%u,%u))",
                 (unsigned long long)s->trace.peak.counter, s->trace.peak.op, s->trace.peak.device,
                 s->trace.peak.x, s->trace.peak.y);
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
    char ma[256] = "", mb[256] = "";
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
            int w = is_json(o) ? output_diff_json(stdout, &ia, &ib, &d) : output_diff_text(stdout, &ia, &ib, &d);
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
