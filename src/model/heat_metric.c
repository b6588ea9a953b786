/*
 * heat_metric.c - see heat_metric.h.
 */
#include "model/heat_metric.h"

const char *const heat_metric_key[METRIC_COUNT] = { "used", "circular_buffers", "l1_buffers", "free",
                                                    "largest_free" };

static const char *const metric_names[METRIC_COUNT] = {
    "used %", "circular buffers", "L1 buffers (tracked)", "free", "largest free block",
};

const char *metric_name(heat_metric m)
{
    return m < METRIC_COUNT ? metric_names[m] : "?";
}

uint64_t metric_bytes(const core_usage *u, heat_metric m)
{
    switch (m) {
    case METRIC_USED: return usage_used(u->bytes);
    case METRIC_CIRCULAR_BUFFERS: return u->bytes[CAT_CIRCULAR_BUFFERS];
    case METRIC_L1_BUFFERS: return u->bytes[CAT_L1_BUFFERS] + u->bytes[CAT_L1_SMALL];
    case METRIC_FREE: return u->bytes[CAT_FREE];
    case METRIC_LARGEST_FREE: return u->largest_free;
    default: return 0;
    }
}

double metric_fraction(const core_usage *u, uint32_t l1_size, heat_metric m)
{
    if (l1_size == 0)
        return 0.0;
    double f = (double)metric_bytes(u, m) / (double)l1_size;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}
