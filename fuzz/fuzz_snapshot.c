/* libFuzzer target: reading a saved --format json snapshot back
 * (json_snapshot_parse) on any input. Besides not crashing, one invariant
 * aborts: whatever is accepted is written out again by the JSON view and
 * read back into the very same document (the round trip --diff relies on). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/accounting.h"
#include "sources/json_snapshot.h"
#include "views/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The JSON view of s, as a document. */
static json_t *view(const snapshot *s)
{
    accounting a;
    if (accounting_compute(s, &a) != 0)
        return NULL;
    json_t *root = output_json_build(s, &a, NULL);
    accounting_free(&a);
    return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    snapshot s, again;
    snapshot_init(&s);
    snapshot_init(&again);
    char err[512];
    if (json_snapshot_parse((const char *)data, size, "fuzz.json", &s, err, sizeof err) == 0) {
        json_t *first = view(&s);
        char *text = first ? json_dumps(first, JSON_COMPACT) : NULL;
        if (text) {
            if (json_snapshot_parse(text, strlen(text), "fuzz.json", &again, err, sizeof err) != 0)
                abort(); /* our own output refused */
            json_t *second = view(&again);
            if (second && !json_equal(first, second))
                abort(); /* read back differently */
            json_decref(second);
        }
        free(text);
        json_decref(first);
    }
    snapshot_free(&s);
    snapshot_free(&again);
    return 0;
}
