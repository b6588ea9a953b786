/*
 * output_diff.c - the answer to --diff in text and JSON (answers.h): per
 * device the categories that changed, largest first, then the cores, and
 * what went past --max-growth.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "views/answers.h"
#include "views/format.h"

/* Cores listed per device in text (JSON lists every changed core). */
#define DIFF_TEXT_CORES 10

/* "+88.0 KiB" / "-1.00 MiB" / "0 B" */
static const char *signed_bytes(int64_t d, char *buf, size_t n)
{
    char h[32];
    uint64_t m = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    snprintf(buf, n, "%s%s", d > 0 ? "+" : d < 0 ? "-" : "", format_bytes(m, h, sizeof h));
    return buf;
}

static const char *growth(const diff_value *v, char *buf, size_t n)
{
    if (v->from_zero)
        snprintf(buf, n, "new");
    else if (v->a == 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%+.1f%%", v->growth_pct);
    return buf;
}

static void value_row(FILE *f, const char *label, const diff_value *v)
{
    char d[40], g[24];
    fprintf(f, "  %-24s %14llu %14llu %12s %9s%s\n", label, (unsigned long long)v->a, (unsigned long long)v->b,
            signed_bytes(v->delta, d, sizeof d), growth(v, g, sizeof g), v->exceeded ? "  << over the limit" : "");
}

/* "A: run1.json (2026-11-25T22:05:40Z)", or for a trace its moment. */
static void input_line(FILE *f, const char *side, const diff_input *in)
{
    char when[32];
    if (in->moment)
        fprintf(f, "%s: %s, %s\n", side, in->label, in->moment);
    else
        fprintf(f, "%s: %s (%s)\n", side, in->label, format_iso8601(in->s->timestamp_ns, when, sizeof when));
}

static void device_text(FILE *f, const diff_input *a, const diff_input *b, const diff_device *dd)
{
    const snapshot *s = dd->dev_a >= 0 ? a->s : b->s;
    const snap_device *d = &s->devices[dd->dev_a >= 0 ? dd->dev_a : dd->dev_b];
    fprintf(f, "\nDevice %u  %s  grid %ux%u%s\n", dd->id, d->arch_name, d->grid_x, d->grid_y,
            dd->dev_a < 0 ? "  (only in B)" : dd->dev_b < 0 ? "  (only in A)" : "");
    fprintf(f, "  %-24s %14s %14s %12s %9s\n", "category (all cores)", "A bytes", "B bytes", "change", "growth");
    size_t shown = 0;
    for (int k = 0; k < CAT_COUNT; k++)
        if (dd->cats[k].v.delta != 0) {
            value_row(f, category_label[dd->cats[k].cat], &dd->cats[k].v);
            shown++;
        }
    if (shown == 0)
        fprintf(f, "  no category changed\n");
    value_row(f, "Tracked (allocator sees)", &dd->tracked);
    value_row(f, "Untracked", &dd->untracked);
    value_row(f, "Used", &dd->used);
    if (dd->dev_a >= 0 && dd->dev_b >= 0 && !dd->same_grid) {
        fprintf(f, "  the grids differ: no per-core changes\n");
        return;
    }
    if (dd->dev_a < 0 || dd->dev_b < 0)
        return;
    fprintf(f, "  cores changed: %zu\n", dd->ncores);
    size_t n = dd->ncores < DIFF_TEXT_CORES ? dd->ncores : DIFF_TEXT_CORES;
    for (size_t i = 0; i < n; i++) {
        const diff_core *c = &dd->cores[i];
        char d1[40], d2[40], g[24], ha[32], hb[32];
        fprintf(f, "    core (%u,%u): used %s -> %s (%s, %s)", c->x, c->y, format_bytes(c->used.a, ha, sizeof ha),
                format_bytes(c->used.b, hb, sizeof hb), signed_bytes(c->used.delta, d1, sizeof d1),
                growth(&c->used, g, sizeof g));
        if (c->top_delta != 0)
            fprintf(f, ", most in %s (%s)", category_label[c->top_cat], signed_bytes(c->top_delta, d2, sizeof d2));
        fprintf(f, "%s\n", c->used.exceeded ? "  << over the limit" : "");
    }
    if (dd->ncores > n)
        fprintf(f, "    ... and %zu more cores (--format json lists every one)\n", dd->ncores - n);
}

int output_diff_text(FILE *f, const diff_input *a, const diff_input *b, const diff_result *d)
{
    input_line(f, "A", a);
    input_line(f, "B", b);
    for (size_t i = 0; i < d->ndevices; i++)
        device_text(f, a, b, &d->devices[i]);
    if (d->gate && d->exceeded)
        fprintf(f, "\n%zu categor%s or cores grew by more than %g%%\n", d->exceeded, d->exceeded == 1 ? "y" : "ies",
                d->max_growth_pct);
    else if (d->gate)
        fprintf(f, "\nNothing grew by more than %g%%\n", d->max_growth_pct);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---------- JSON ---------- */

static json_t *value_json(const diff_value *v)
{
    json_t *o = json_pack("{s:I, s:I, s:I}", "a", (json_int_t)v->a, "b", (json_int_t)v->b, "delta",
                          (json_int_t)v->delta);
    /* No percentage for growth from nothing: null, with "from_zero". */
    json_object_set_new(o, "growth_pct", v->a ? json_real(v->growth_pct) : json_null());
    json_object_set_new(o, "from_zero", json_boolean(v->from_zero));
    json_object_set_new(o, "exceeded", json_boolean(v->exceeded));
    return o;
}

static json_t *input_json(const diff_input *in)
{
    char when[32];
    json_t *label = json_string(in->label), *moment = in->moment ? json_string(in->moment) : json_null();
    return json_pack("{s:o, s:o, s:s}", "source", label ? label : json_string("?"), "moment",
                     moment ? moment : json_null(), "timestamp", format_iso8601(in->s->timestamp_ns, when, sizeof when));
}

static json_t *device_json(const diff_device *dd)
{
    json_t *o = json_pack("{s:i, s:b, s:b}", "id", (int)dd->id, "in_a", dd->dev_a >= 0, "in_b", dd->dev_b >= 0);
    json_t *cats = json_array();
    for (int k = 0; k < CAT_COUNT; k++) {
        json_t *c = value_json(&dd->cats[k].v);
        json_object_set_new(c, "category", json_string(category_key[dd->cats[k].cat]));
        json_array_append_new(cats, c);
    }
    json_object_set_new(o, "categories", cats);
    json_object_set_new(o, "tracked", value_json(&dd->tracked));
    json_object_set_new(o, "untracked", value_json(&dd->untracked));
    json_object_set_new(o, "used", value_json(&dd->used));
    json_object_set_new(o, "same_grid", json_boolean(dd->same_grid));
    json_t *cores = json_array();
    for (size_t i = 0; i < dd->ncores; i++) {
        const diff_core *c = &dd->cores[i];
        json_t *jc = value_json(&c->used);
        json_object_set_new(jc, "x", json_integer(c->x));
        json_object_set_new(jc, "y", json_integer(c->y));
        json_object_set_new(jc, "most_changed", c->top_delta ? json_string(category_key[c->top_cat]) : json_null());
        json_object_set_new(jc, "most_changed_delta", json_integer(c->top_delta));
        json_array_append_new(cores, jc);
    }
    json_object_set_new(o, "cores", cores);
    return o;
}

json_t *output_diff_json_build(const diff_input *a, const diff_input *b, const diff_result *d)
{
    json_t *root = json_object(), *devs = json_array();
    json_object_set_new(root, "a", input_json(a));
    json_object_set_new(root, "b", input_json(b));
    json_object_set_new(root, "max_growth_pct", d->gate ? json_real(d->max_growth_pct) : json_null());
    json_object_set_new(root, "exceeded", json_integer((json_int_t)d->exceeded));
    for (size_t i = 0; i < d->ndevices; i++)
        json_array_append_new(devs, device_json(&d->devices[i]));
    json_object_set_new(root, "devices", devs);
    return root;
}

int output_diff_json(FILE *f, const diff_input *a, const diff_input *b, const diff_result *d)
{
    json_t *root = output_diff_json_build(a, b, d);
    int rc = root && json_dumpf(root, f, JSON_INDENT(2)) == 0 ? 0 : -1;
    json_decref(root);
    if (rc == 0)
        fputc('\n', f);
    return rc == 0 && fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
