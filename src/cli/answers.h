/*
 * answers.h - l1top's answers from the command line: --fit SPEC (will it
 * fit) and --diff A B (what changed). Each asks the model once and prints
 * the views of views/answers.h; the exit status is the answer.
 */
#ifndef L1TOP_CLI_ANSWERS_H
#define L1TOP_CLI_ANSWERS_H

#include <stddef.h>

#include "cli/cli.h"
#include "model/fit.h"
#include "model/snapshot.h"

/* A file given to an answer: a saved `--once --format json` snapshot, or a
 * ttnn trace at its per-core peak (moment, when not NULL, then says which).
 * EXIT_OK, or EXIT_DATAERR / EXIT_NOINPUT with a one-line message printed. */
int answer_load_file(const char *path, const char *board, snapshot *s, char *moment, size_t momentlen);

/* --fit on a snapshot: EXIT_OK fits, 1 does not, EXIT_NOINPUT no device to
 * answer for, EXIT_SOFTWARE / write errors as l1top's others. */
int answer_fit(const cli_options *o, const fit_spec *spec, const snapshot *s);

/* --diff A B: EXIT_OK, 1 when something grew past --max-growth, or the
 * status of a file that could not be read. */
int answer_diff(const cli_options *o);

#endif
