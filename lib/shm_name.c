/*
 * shm_name.c - see shm_name.h.
 */
#include "shm_name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_format.h"

int shm_name_resolve(const char *requested, char *out, size_t n)
{
    const char *name = requested;
    if (!name || !*name)
        name = getenv("L1TOP_SHM");
    if (!name || !*name)
        name = L1TOP_SHM_DEFAULT_NAME;
    const char *body = name[0] == '/' ? name + 1 : name;
    size_t len = strlen(body);
    if (len == 0 || len > 200 || strchr(body, '/') != NULL)
        return -1;
    if ((size_t)snprintf(out, n, "/%s", body) >= n)
        return -1;
    return 0;
}
