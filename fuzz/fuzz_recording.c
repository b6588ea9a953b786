/* libFuzzer target: the --record file reader (rec_load_memory: versions 1
 * to 3, varints turned into version 1's layout; rec_decode; version 3's
 * trailer, checked against the journal and applied at open, or ignored)
 * and the recording source's timeline on any input. Besides not crashing,
 * invariants abort: a refusal always says why, naming the file; a loaded
 * file's operations decode to their end or stop at a malformed one without
 * moving; and a position reached going forward holds the same state when
 * sought again after a jump back (the replay's step cost relies on it),
 * checkpoints included. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sources/recording_file.h"
#include "sources/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NAME "fuzz.l1rec"
#define FUZZ_MAX_STEPS 64 /* positions walked per input: enough to hit every op type */
#define FUZZ_MAX_WALK 2048 /* a whole timeline walked when no longer: past its first checkpoints */

static void decode_all(const rec_file *rf)
{
    rec_op op = { 0 };
    snapshot state;
    snapshot_init(&state);
    int32_t *pids = NULL;
    size_t pids_cap = 0, pos = 0;
    while (pos < rf->len) {
        size_t before = pos;
        int rc = rec_decode(rf, &pos, &op, &state, &pids, &pids_cap);
        if (rc != 0) {
            if (pos != before)
                abort(); /* a refused op must not move the reader */
            break;
        }
        if (pos <= before || pos > rf->len)
            abort(); /* every op has a size and stays inside the journal */
    }
    free(pids);
    rec_op_free(&op);
    snapshot_free(&state);
}

static uint64_t digest(const snapshot *s)
{
    uint64_t d = s->nregions * 1000003u + s->ndevices;
    for (size_t i = 0; i < s->nregions; i++)
        d = d * 31 + (uint64_t)s->regions[i].address * 7 + s->regions[i].size_per_core + s->regions[i].handle;
    return d;
}

/* The state at pos, or 0 with ok false when the source refuses it. s is
 * kept between calls, as collect keeps it: fill marks it unchanged when it
 * already holds pos. */
static uint64_t state_at(const source_ops *ops, void *self, size_t pos, snapshot *s, bool *ok)
{
    char err[512];
    ops->timeline->seek(self, pos);
    s->unchanged = false;
    *ok = ops->fill(self, s, err, sizeof err) == SRC_OK;
    return *ok ? digest(s) : 0;
}

/* The recording source, as --replay finds it: by name in the registry. */
static const source_ops *recording_ops(void)
{
    for (size_t i = 0; i < source_registry_count; i++)
        if (strcmp(source_registry[i]->name, "recording") == 0)
            return source_registry[i];
    return NULL;
}

/* One core through the timeline ({ } and c in the TUI): each change found
 * lies past (or before) where the search began, inside the timeline, and
 * finding moves no position: the state there is still what it was. */
static void walk_core(const source_ops *ops, void *self, size_t n, snapshot *s, uint64_t want, size_t at)
{
    const timeline_ops *tl = ops->timeline;
    if (s->ndevices == 0)
        return;
    uint32_t dev = s->devices[0].id;
    size_t found = 0, p = 0;
    while (found++ < FUZZ_MAX_STEPS && (p = tl->find_change(self, p, dev, 0, 0, 1)) != SIZE_MAX)
        if (p >= n)
            abort();
    for (size_t q = n - 1, k = 0; k < FUZZ_MAX_STEPS; k++) {
        size_t r = tl->find_change(self, q, dev, 0, 0, -1);
        if (r == SIZE_MAX)
            break;
        if (r >= q)
            abort();
        q = r;
    }
    size_t pk = tl->core_peak(self, dev, 0, 0);
    bool ok;
    if ((pk != SIZE_MAX && pk >= n) || (state_at(ops, self, at, s, &ok) != want && ok))
        abort();
}

static void walk_timeline(const uint8_t *data, size_t size)
{
    int fd = memfd_create("recording", 0);
    if (fd < 0)
        return;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    char path[64], err[512] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    source_params p = { .file_source = "recording", .path = path };
    source_status st;
    const source_ops *ops = recording_ops();
    void *self = ops ? ops->open(&p, &st, err, sizeof err) : NULL;
    if (self) {
        const timeline_ops *tl = ops->timeline;
        size_t n = tl->length(self), peak = tl->peak(self);
        if (n == 0 || peak >= n)
            abort();
        snapshot s;
        snapshot_init(&s);
        size_t steps = n < FUZZ_MAX_STEPS ? n : FUZZ_MAX_STEPS;
        uint64_t seen[FUZZ_MAX_STEPS];
        bool okf[FUZZ_MAX_STEPS], okb;
        char label[256];
        for (size_t i = 0; i < steps; i++) {
            seen[i] = state_at(ops, self, i, &s, &okf[i]);
            tl->label(self, i, label, sizeof label);
        }
        for (size_t i = steps; i-- > 0;)
            if (state_at(ops, self, i, &s, &okb) != seen[i] || okb != okf[i])
                abort(); /* sought back: another state than stepping forward gave */
        uint64_t at_peak = state_at(ops, self, peak, &s, &okb);
        if (okb)
            walk_core(ops, self, n, &s, at_peak, peak);
        if (n > FUZZ_MAX_STEPS && n <= FUZZ_MAX_WALK) {
            /* the last state, stepped to one change at a time, then rebuilt
             * from the last checkpoint after a jump back to the start */
            uint64_t walked = 0;
            bool okw = true;
            for (size_t i = 0; i < n && okw; i++)
                walked = state_at(ops, self, i, &s, &okw);
            state_at(ops, self, 0, &s, &okb);
            if (okw && state_at(ops, self, n - 1, &s, &okb) != walked)
                abort();
        }
        snapshot_free(&s);
        ops->close(self);
    } else if (ops && !err[0]) {
        abort(); /* refused without a reason */
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rec_file rf;
    char err[512] = "";
    int rc = rec_load_memory(&rf, FUZZ_NAME, data, size, err, sizeof err);
    if (rc == REC_OK)
        decode_all(&rf);
    else if (strncmp(err, FUZZ_NAME ": ", strlen(FUZZ_NAME) + 2) != 0)
        abort(); /* a refusal names the file */
    rec_file_free(&rf);
    walk_timeline(data, size);
    return 0;
}
