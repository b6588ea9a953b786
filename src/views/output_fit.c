/*
 * output_fit.c - the answer to --fit in text and JSON (answers.h): per
 * device and SPEC term, fits or not, the address a buffer gets, the cores
 * that cannot take their share with the region in the way, and the warning
 * when a buffer would sit inside the current CBs.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "views/answers.h"
#include "views/format.h"

/* ---------- text ---------- */

/* What stands in the way, one phrase: "L1 buffer 'act' [0x50000, 0x60000)
 * of pid 12 (model)". */
static void way_text(FILE *f, const snapshot *s, const fit_spec *spec, const fit_core *fc)
{
    if (fc->region == -1) {
        fprintf(f, "the top of L1");
        return;
    }
    if (fc->region == -2) {
        fprintf(f, "this SPEC's '%s' [0x%X, 0x%X)", spec->terms[fc->spec_term].text, fc->start, fc->end);
        return;
    }
    const snap_region *r = &s->regions[fc->region];
    fprintf(f, "%s '%s' [0x%X, 0x%X)", category_short[category_of_kind(r->kind)], r->tag, fc->start, fc->end);
    if (r->process < s->nprocesses)
        fprintf(f, " of pid %d (%s)", s->processes[r->process].pid, s->processes[r->process].name);
}

static bool own_core(const fit_core *fc)
{
    return fc->rx == fc->x && fc->ry == fc->y;
}

/* Cores answered alike: same need and room, the same region in the way,
 * on each core itself or on the same other core. */
static bool alike(const fit_core *a, const fit_core *b)
{
    bool own = own_core(a);
    return a->need == b->need && a->room == b->room && a->core_room == b->core_room && a->region == b->region &&
           a->spec_term == b->spec_term && a->start == b->start && a->end == b->end && own == own_core(b) &&
           (own || (a->rx == b->rx && a->ry == b->ry));
}

/* The failing cores in groups answered alike, the largest groups' cores
 * named up to ANSWER_TEXT_CORES each. */
static void failing_text(FILE *f, const snapshot *s, const fit_spec *spec, const fit_term *t, const fit_term_result *r)
{
    char h1[32], h2[32], h3[32];
    bool *done = calloc(r->nfailing ? r->nfailing : 1, sizeof *done);
    size_t groups = 0, left = r->nfailing;
    for (size_t i = 0; done && i < r->nfailing; i++) {
        if (done[i])
            continue;
        const fit_core *fc = &r->failing[i];
        if (groups++ == ANSWER_TEXT_GROUPS) {
            fprintf(f, "    ... and %zu more cores answered otherwise (--format json lists every one)\n", left);
            break;
        }
        size_t n = 0;
        for (size_t j = i; j < r->nfailing; j++)
            n += !done[j] && alike(fc, &r->failing[j]);
        fprintf(f, "    %zu core%s", n, n == 1 ? "" : "s");
        size_t named = 0;
        for (size_t j = i; j < r->nfailing; j++) {
            if (done[j] || !alike(fc, &r->failing[j]))
                continue;
            done[j] = true;
            if (named++ < ANSWER_TEXT_CORES)
                fprintf(f, " (%u,%u)", r->failing[j].x, r->failing[j].y);
        }
        left -= n;
        if (n > ANSWER_TEXT_CORES)
            fprintf(f, " ...");
        fprintf(f, ": need %s, room %s", format_bytes(fc->need, h1, sizeof h1), format_bytes(fc->room, h2, sizeof h2));
        if (t->kind == FIT_CB && !own_core(fc))
            fprintf(f, " (%s on each alone)", format_bytes(fc->core_room, h3, sizeof h3));
        fprintf(f, "; in the way: ");
        way_text(f, s, spec, fc);
        if (!own_core(fc))
            fprintf(f, " on core (%u,%u): TT-Metal checks CBs against the lowest L1 buffer of any core", fc->rx,
                    fc->ry);
        fputc('\n', f);
    }
    free(done);
}

static void term_text(FILE *f, const snapshot *s, const fit_spec *spec, size_t ti, const fit_term_result *r)
{
    const fit_term *t = &spec->terms[ti];
    char h1[32], h2[32];
    fprintf(f, "  %s: ", t->text);
    if (r->fits && t->kind != FIT_CB)
        fprintf(f, "fits at 0x%X (%s per bank; largest free block before it %s)\n", r->address,
                format_bytes(r->need, h1, sizeof h1), format_bytes(r->largest_free, h2, sizeof h2));
    else if (r->fits)
        fprintf(f, "fits (%s above the base on the neediest core)\n", format_bytes(r->need, h1, sizeof h1));
    else
        fprintf(f, "does not fit: %s\n", r->reason);
    failing_text(f, s, spec, t, r);
    if (r->warn_cores) {
        fprintf(f, "    warning: on %u core(s) the current CBs reach past 0x%X, first core (%u,%u): ", r->warn_cores,
                r->address, r->warn_first.x, r->warn_first.y);
        way_text(f, s, spec, &r->warn_first);
        fprintf(f, "; the next program with these CBs would be refused (\"clash with L1 buffers\")\n");
    }
}

int output_fit_text(FILE *f, const snapshot *s, const fit_spec *spec, const fit_answer *fa)
{
    char when[32];
    fprintf(f, "Will it fit: ");
    for (size_t i = 0; i < spec->nterms; i++)
        fprintf(f, "%s%s", i ? " + " : "", spec->terms[i].text);
    fprintf(f, "\nOn: %s at %s\n", s->segment, format_iso8601(s->timestamp_ns, when, sizeof when));
    for (size_t i = 0; i < fa->ndevices; i++) {
        const fit_device *fd = &fa->devices[i];
        const snap_device *d = &s->devices[fd->device];
        fprintf(f, "\nDevice %u  %s  grid %ux%u: %s\n", d->id, d->arch_name, d->grid_x, d->grid_y,
                fd->fits ? "fits" : "DOES NOT FIT");
        for (size_t t = 0; t < fa->nterms; t++)
            term_text(f, s, spec, t, &fd->terms[t]);
    }
    if (fa->ndevices == 0)
        fprintf(f, "\nNo device to answer for.\n");
    fprintf(f, "\n%s\n", fa->fits && fa->ndevices ? "Answer: fits" : "Answer: does not fit");
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---------- JSON ---------- */

static json_t *text_json(const char *v)
{
    json_t *j = json_string(v);
    return j ? j : json_string("?"); /* model strings are sanitized: only a bug gets here */
}

static json_t *way_json(const snapshot *s, const fit_spec *spec, const fit_core *fc)
{
    if (fc->region == -1)
        return json_null();
    json_t *o = json_object();
    if (fc->region == -2) {
        json_object_set_new(o, "pid", json_null());
        json_object_set_new(o, "process", json_null());
        json_object_set_new(o, "kind", json_string("spec"));
        json_object_set_new(o, "tag", text_json(spec->terms[fc->spec_term].text));
    } else {
        const snap_region *r = &s->regions[fc->region];
        bool p = r->process < s->nprocesses;
        json_object_set_new(o, "pid", p ? json_integer(s->processes[r->process].pid) : json_null());
        json_object_set_new(o, "process", p ? text_json(s->processes[r->process].name) : json_null());
        json_object_set_new(o, "kind", json_string(category_key[category_of_kind(r->kind)]));
        json_object_set_new(o, "tag", text_json(r->tag));
    }
    json_object_set_new(o, "start", json_integer(fc->start));
    json_object_set_new(o, "end", json_integer(fc->end));
    json_object_set_new(o, "x", json_integer(fc->rx));
    json_object_set_new(o, "y", json_integer(fc->ry));
    return o;
}

static json_t *core_json(const snapshot *s, const fit_spec *spec, size_t ti, const fit_core *fc)
{
    json_t *o = json_pack("{s:i, s:i, s:I, s:I, s:I, s:I}", "x", fc->x, "y", fc->y, "room", (json_int_t)fc->room,
                          "core_room", (json_int_t)fc->core_room, "need", (json_int_t)fc->need, "term", (json_int_t)ti);
    json_object_set_new(o, "in_the_way", way_json(s, spec, fc));
    return o;
}

static json_t *term_json(const snapshot *s, const fit_spec *spec, size_t ti, const fit_term_result *r,
                         json_t *all_failing)
{
    static const char *const kinds[] = { "cb", "sharded", "interleaved" };
    const fit_term *t = &spec->terms[ti];
    json_t *o = json_pack("{s:o, s:s, s:b, s:I}", "term", text_json(t->text), "kind", kinds[t->kind], "fits",
                          r->fits, "need", (json_int_t)r->need);
    json_object_set_new(o, "address", r->placed ? json_integer(r->address) : json_null());
    if (t->kind != FIT_CB)
        json_object_set_new(o, "largest_free", json_integer((json_int_t)r->largest_free));
    json_object_set_new(o, "reason", r->reason[0] ? text_json(r->reason) : json_null());
    json_t *cores = json_array();
    for (size_t i = 0; i < r->nfailing; i++) {
        json_array_append_new(cores, core_json(s, spec, ti, &r->failing[i]));
        json_array_append_new(all_failing, core_json(s, spec, ti, &r->failing[i]));
    }
    json_object_set_new(o, "failing_cores", cores);
    json_t *w = json_null();
    if (r->warn_cores) {
        w = json_pack("{s:I, s:i, s:i}", "cores", (json_int_t)r->warn_cores, "x", r->warn_first.x, "y",
                      r->warn_first.y);
        json_object_set_new(w, "cb", way_json(s, spec, &r->warn_first));
    }
    json_object_set_new(o, "warning", w);
    return o;
}

json_t *output_fit_json_build(const snapshot *s, const fit_spec *spec, const fit_answer *fa)
{
    char when[32];
    json_t *root = json_object(), *terms = json_array(), *devices = json_array();
    for (size_t i = 0; i < spec->nterms; i++)
        json_array_append_new(terms, text_json(spec->terms[i].text));
    json_object_set_new(root, "fits", json_boolean(fa->fits && fa->ndevices));
    json_object_set_new(root, "spec", terms);
    json_object_set_new(root, "source", text_json(s->segment));
    json_object_set_new(root, "timestamp", json_string(format_iso8601(s->timestamp_ns, when, sizeof when)));
    for (size_t i = 0; i < fa->ndevices; i++) {
        const fit_device *fd = &fa->devices[i];
        json_t *failing = json_array(), *per_term = json_array(), *address = json_null();
        for (size_t t = 0; t < fa->nterms; t++) {
            json_array_append_new(per_term, term_json(s, spec, t, &fd->terms[t], failing));
            if (json_is_null(address) && fd->terms[t].placed)
                address = json_integer(fd->terms[t].address);
        }
        json_t *dev = json_pack("{s:i, s:b}", "id", (int)s->devices[fd->device].id, "fits", fd->fits);
        json_object_set_new(dev, "failing_cores", failing);
        json_object_set_new(dev, "address", address);
        json_object_set_new(dev, "terms", per_term);
        json_array_append_new(devices, dev);
    }
    json_object_set_new(root, "devices", devices);
    return root;
}

int output_fit_json(FILE *f, const snapshot *s, const fit_spec *spec, const fit_answer *fa)
{
    json_t *root = output_fit_json_build(s, spec, fa);
    int rc = root && json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? 0 : -1;
    json_decref(root);
    if (rc == 0)
        fputc('\n', f);
    return rc == 0 && fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
