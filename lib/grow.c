/* grow.c - see grow.h. */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

#define GROW_FIRST 16 /* elements: small arrays never realloc more than a few times */

int grow_array(void **v, size_t *cap, size_t n, size_t extra, size_t size)
{
    if (size == 0 || n > SIZE_MAX - extra)
        return -1;
    size_t need = n + extra;
    if (need <= *cap)
        return 0;
    size_t want = *cap ? *cap : GROW_FIRST;
    while (want < need) {
        if (want > SIZE_MAX / 2)
            return -1;
        want *= 2;
    }
    if (want > SIZE_MAX / size)
        return -1;
    void *q = realloc(*v, want * size);
    if (!q)
        return -1;
    *v = q;
    *cap = want;
    return 0;
}
