/*
 * answers.h - the batch views of the answers (l1top --fit, --diff): text
 * for people, JSON for scripts. They only read the model and the answer.
 */
#ifndef L1TOP_ANSWERS_H
#define L1TOP_ANSWERS_H

#include <stdbool.h>
#include <stdio.h>

#include "model/diff.h"
#include "model/fit.h"
#include "model/snapshot.h"

/* Text names this many cores of a group answered alike, and this many
 * groups per term (JSON lists every core). */
#define ANSWER_TEXT_CORES 8
#define ANSWER_TEXT_GROUPS 6

/* 0, or -1 on a write error (errno set). */
int output_fit_text(FILE *f, const snapshot *s, const fit_spec *spec, const fit_answer *fa);
int output_fit_json(FILE *f, const snapshot *s, const fit_spec *spec, const fit_answer *fa);
/* The JSON document itself (caller json_decref()s), for tests. */
struct json_t;
struct json_t *output_fit_json_build(const snapshot *s, const fit_spec *spec, const fit_answer *fa);

int output_diff_text(FILE *f, const diff_input *a, const diff_input *b, const diff_result *d);
int output_diff_json(FILE *f, const diff_input *a, const diff_input *b, const diff_result *d);
struct json_t *output_diff_json_build(const diff_input *a, const diff_input *b, const diff_result *d);

#endif
