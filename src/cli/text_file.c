/*
 * text_file.c - see text_file.h.
 */
#include "cli/text_file.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe_open.h"

int read_small_text_file(const char *path, char **data, size_t *len, struct stat *st, char *err, size_t errlen)
{
    char why[320];
    FILE *f = safe_fopen_regular(path, SAFE_ALLOW_DEVNULL, why, sizeof why); /* a FIFO must not hang us */
    if (!f) {
        snprintf(err, errlen, "%s:1:1: cannot read: %s", path, why + strlen(path) + 2);
        return -1;
    }
    if (st && fstat(fileno(f), st) != 0)
        memset(st, 0, sizeof *st);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            if (cap >= TEXT_FILE_MAX) {
                free(buf);
                fclose(f);
                snprintf(err, errlen, "%s:1:1: larger than 1 MiB, not a configuration or theme", path);
                return -1;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!buf || failed) {
        free(buf);
        snprintf(err, errlen, "%s:1:1: cannot read: %s", path, buf ? "I/O error" : "out of memory");
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}
