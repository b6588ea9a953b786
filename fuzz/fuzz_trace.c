/* libFuzzer target: the ttnn graph-trace reader, replay and timeline, on any
 * input. trace_open reads a path: the input goes through a memfd. Besides
 * not crashing, two invariants abort: the JSON view always carries the
 * trace object (op names are valid UTF-8), and a step back to a position
 * gives the state a forward step gave. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "model/accounting.h"
#include "views/output.h"
#include "sources/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t digest(const snapshot *s)
{
    uint64_t d = s->nregions;
    for (size_t i = 0; i < s->nregions; i++)
        d += (uint64_t)s->regions[i].address * 31 + s->regions[i].size_per_core + s->regions[i].device * 7u;
    return d;
}

static void check_views(snapshot *s, const trace_summary *sum)
{
    accounting a;
    if (accounting_compute(s, &a) != 0)
        return;
    output_options o = { .trace = sum };
    json_t *root = output_json_build(s, &a, &o);
    if (!root || !json_object_get(root, "trace"))
        abort();
    json_decref(root);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        output_text(null, s, &a, &o);
        fclose(null);
    }
    accounting_free(&a);
}

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
    trace_file *tf = trace_open(path, NULL, err, sizeof err);
    if (tf) {
        snapshot s;
        snapshot_init(&s);
        const trace_summary *sum = trace_get_summary(tf);
        if (trace_state_at(tf, (size_t)sum->peak.counter, &s, NULL, 0) == 0)
            check_views(&s, sum);
        size_t n = trace_event_count(tf);
        uint64_t *fwd = n ? calloc(n, sizeof *fwd) : NULL;
        char op[96];
        for (size_t i = 0; fwd && i < n; i++)
            if (trace_state_at(tf, trace_event_node(tf, i), &s, op, sizeof op) == 0)
                fwd[i] = digest(&s);
        for (size_t i = n; fwd && i-- > 0;)
            if (trace_state_at(tf, trace_event_node(tf, i), &s, NULL, 0) == 0 && digest(&s) != fwd[i])
                abort();
        free(fwd);
        snapshot_free(&s);
        trace_close(tf);
    }
    close(fd);
    return 0;
}
