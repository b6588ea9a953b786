/*
 * heat_metric.c - see heat_metric.h.
 */
#include "model/heat_metric.h"

const char *const heat_metric_key[METRIC_COUNT] = { "used", "circular_buffers", "l1_buffers", "free",
                                                    "largest_free", "cb_room", "peak_used" };

static const char *const metric_names[METRIC_COUNT] = {
    "used %", "circular buffers", "L1 buffers (tracked)", "free", "largest free block", "CB room", "peak used %",
};

const char *metric_name(heat_metric m)
{
    return m < METRIC_COUNT ? metric_names[m] : "?";
}

uint64_t metric_bytes(const core_usage *u, heat_metric m)
{
    return metric_bytes_peak(u, NULL, m);
}

uint64_t metric_bytes_peak(const core_usage *u, const peak_figures *peak, heat_metric m)
{
    switch (m) {
    case METRIC_USED: return usage_used(u->bytes);
    case METRIC_PEAK_USED: {
        /* The mark is at least now's figure; a mark lower than now (an
         * accounting the model does not follow, e.g. TT-Metal's own) shows now. */
        uint64_t now = usage_used(u->bytes);
        return peak && peak->used > now ? peak->used : now;
    }
    case METRIC_CIRCULAR_BUFFERS: return u->bytes[CAT_CIRCULAR_BUFFERS];
    case METRIC_L1_BUFFERS: return u->bytes[CAT_L1_BUFFERS] + u->bytes[CAT_L1_SMALL];
    case METRIC_FREE: return u->bytes[CAT_FREE];
    case METRIC_LARGEST_FREE: return u->largest_free;
    case METRIC_CB_ROOM: return u->cb_room;
    default: return 0;
    }
}

double metric_fraction(const core_usage *u, uint32_t l1_size, heat_metric m)
{
    return metric_fraction_peak(u, NULL, l1_size, m);
}

double metric_fraction_peak(const core_usage *u, const peak_figures *peak, uint32_t l1_size, heat_metric m)
{
    if (l1_size == 0)
        return 0.0;
    double f = (double)metric_bytes_peak(u, peak, m) / (double)l1_size;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}
