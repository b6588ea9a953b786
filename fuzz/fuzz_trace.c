/* libFuzzer target: the ttnn graph-trace reader and replay, on any input.
 * trace_load reads a path: the input goes through a memfd. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accounting.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("trace", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    snapshot s;
    snapshot_init(&s);
    trace_summary sum;
    if (trace_load(path, NULL, &s, &sum, err, sizeof err) == 0) {
        accounting a;
        if (accounting_compute(&s, &a) == 0)
            accounting_free(&a);
    }
    snapshot_free(&s);
    close(fd);
    return 0;
}
