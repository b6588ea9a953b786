/* libFuzzer target: the --fit SPEC parser on any input, and the fit engine
 * and its views on what it accepts (a small fixed device with CBs and
 * buffers). Invariants that abort: a refusal is one non-empty line; an
 * accepted SPEC written back from its terms parses to the same terms. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "model/accounting.h"
#include "model/fit.h"
#include "views/answers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void device(snapshot *s)
{
    const arch_info *a = arch_by_name("wormhole_b0");
    snap_device *d = snapshot_add_device(s);
    d->arch = a->id;
    snprintf(d->arch_name, sizeof d->arch_name, "%s", a->name);
    d->grid_x = 8;
    d->grid_y = 8;
    d->l1_size = a->l1_size;
    d->unreserved_base = a->unreserved_base;
    d->alignment = a->alignment;
    d->l1_small_size = 0x4000;
    snap_process *p = snapshot_add_process(s);
    p->pid = 1;
    static const struct {
        uint8_t kind;
        l1top_range r;
        uint32_t address, size;
    } regions[] = {
        { L1TOP_CIRCULAR_BUFFER, { 0, 0, 7, 7 }, 0x19400, 0x30000 },
        { L1TOP_L1_BUFFER, { 0, 0, 3, 3 }, 0x100000, 0x20000 },
        { L1TOP_L1_BUFFER, { 5, 5, 5, 5 }, 0x80000, 0x10000 },
        { L1TOP_L1_SMALL, { 0, 0, 7, 7 }, 0x16C000, 0x1000 },
    };
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++) {
        snap_region *g = snapshot_add_region(s, &regions[i].r, 1);
        g->kind = regions[i].kind;
        g->address = regions[i].address;
        g->size_per_core = regions[i].size;
    }
}

static bool same(const fit_spec *a, const fit_spec *b)
{
    if (a->nterms != b->nterms)
        return false;
    for (size_t i = 0; i < a->nterms; i++) {
        const fit_term *x = &a->terms[i], *y = &b->terms[i];
        if (x->kind != y->kind || x->size != y->size || x->page != y->page || x->nranges != y->nranges ||
            memcmp(x->ranges, y->ranges, x->nranges * sizeof x->ranges[0]) != 0)
            return false;
    }
    return true;
}

static void answer(const fit_spec *spec)
{
    snapshot s;
    accounting a;
    fit_answer fa;
    snapshot_init(&s);
    device(&s);
    if (accounting_compute(&s, &a) == 0) {
        if (fit_compute(&s, &a, spec, NULL, NULL, &fa) == 0) {
            json_decref(output_fit_json_build(&s, spec, &fa));
            FILE *null = fopen("/dev/null", "w");
            if (null) {
                output_fit_text(null, &s, spec, &fa);
                fclose(null);
            }
            fit_answer_free(&fa);
        }
        accounting_free(&a);
    }
    snapshot_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static fit_spec spec, again;
    char err[256] = "";
    if (fitspec_parse(text, &spec, err, sizeof err) != 0) {
        if (!err[0] || strchr(err, '\n'))
            abort();
        free(text);
        return 0;
    }
    char joined[FIT_MAX_TERMS * 100] = "";
    for (size_t i = 0; i < spec.nterms; i++) {
        strcat(joined, i ? " + " : "");
        strcat(joined, spec.terms[i].text);
    }
    /* A term's text is cut at 95 characters: only whole ones must read back. */
    bool whole = true;
    for (size_t i = 0; i < spec.nterms; i++)
        whole &= strlen(spec.terms[i].text) < sizeof spec.terms[i].text - 1;
    if (whole && (fitspec_parse(joined, &again, err, sizeof err) != 0 || !same(&spec, &again)))
        abort();
    answer(&spec);
    free(text);
    return 0;
}
