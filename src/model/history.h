/*
 * history.h - the device view's history: per device, a ring of the last
 * samples (one per refresh) of used %, tracked and untracked bytes and the
 * largest block free on every core, with the op/tag that raised the
 * device's high-water mark since the sample before. Pure: no I/O, no clock
 * (the caller stamps each sample); bounded (a fixed number of samples per
 * device, a fixed number of devices).
 */
#ifndef L1TOP_HISTORY_H
#define L1TOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/accounting.h"
#include "model/peaks.h"
#include "model/snapshot.h"

#define HISTORY_DEVICES_MAX 256

typedef struct {
    uint64_t time_ns;
    uint64_t l1_total;        /* the device's L1 over its cores: what 100 % is */
    uint64_t used, tracked, untracked; /* sums over the cores at the sample */
    uint64_t largest_free_common;
    /* The device's used high-water mark when it rose since the sample
     * before (a spike between two refreshes), else 0; and what raised it. */
    uint64_t spike_used;
    char spike_tag[SNAP_TAG_LEN];
} history_sample;

typedef struct history history;

/* Rings of `per_device` samples (at least 1). NULL: out of memory. */
history *history_new(size_t per_device);
void history_free(history *h);

/* A sample of device du (its usage) with its marks pd (NULL: none).
 * last_seq: where the device's mark stood at the sample before (updated). */
history_sample history_sample_of(const device_usage *du, const peak_device *pd, uint64_t *last_seq, uint64_t time_ns);

/* Append a sample of device `id`, the oldest going when its ring is full.
 * The device's first sample takes a ring (false: HISTORY_DEVICES_MAX
 * devices already have one, or memory ran out). */
bool history_push(history *h, uint32_t id, const history_sample *s);
/* Samples held for device `id`; i-th from the oldest (NULL past the end). */
size_t history_count(const history *h, uint32_t id);
const history_sample *history_at(const history *h, uint32_t id, size_t i);
/* The device's last_seq slot for history_sample_of (NULL: no ring yet). */
uint64_t *history_last_seq(history *h, uint32_t id);

#endif
