/* libFuzzer target: TT-Metal's shared-memory statistics reader (one
 * tt_device_*_memory file image) must accept or refuse any bytes without
 * crashing; what it accepts has no impossible count (2^63 bytes or more)
 * and process names that print as text. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/snapshot.h"
#include "sources/ttmetal_stats.h"
#include "utf8.h"

static int alive_if_even(int32_t pid) { return (pid & 1) == 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static snapshot s;
    char err[320];
    snapshot_init(&s);
    s.ttm = calloc(1, sizeof *s.ttm);
    if (!s.ttm)
        return 0;
    if (ttm_parse(data, size, "fuzz_tt_device_0_memory", alive_if_even, s.ttm, err, sizeof err) == 0) {
        s.nttm = 1;
        const ttm_device *d = s.ttm;
        for (int k = 0; k < TTM_COUNT; k++)
            if (d->totals[k] >> 63)
                abort(); /* an impossible total was accepted */
        for (size_t p = 0; p < d->nprocesses; p++)
            for (int k = 0; k < TTM_COUNT; k++)
                if (d->processes[p].bytes[k] >> 63)
                    abort();
        snapshot_sanitize_strings(&s);
        for (size_t p = 0; p < d->nprocesses; p++)
            if (!utf8_valid(d->processes[p].name, strlen(d->processes[p].name)))
                abort();
    }
    snapshot_free(&s);
    return 0;
}
