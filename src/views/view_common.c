/*
 * view_common.c - see view_common.h.
 */
#include "views/view_common.h"

#include <stdio.h>

const char *const ttm_kind_label[TTM_COUNT] = { "DRAM", "L1", "L1_SMALL", "TRACE", "CB" };

bool output_device_selected(const output_options *o, uint32_t id)
{
    if (!o || o->ndevices == 0)
        return true;
    for (size_t i = 0; i < o->ndevices; i++)
        if (o->devices[i] == id)
            return true;
    return false;
}

bool output_l1top_bytes_of_pid(const snapshot *s, const accounting *a, const output_options *o, int32_t pid,
                               uint64_t *tracked, uint64_t *untracked)
{
    size_t shown[OUTPUT_MAX_SHOWN], nshown = 0;
    for (size_t i = 0; i < a->ndevices && nshown < OUTPUT_MAX_SHOWN; i++)
        if (output_device_selected(o, s->devices[a->devices[i].device].id))
            shown[nshown++] = i;
    bool found = false;
    *tracked = *untracked = 0;
    for (uint32_t p = 0; p < s->nprocesses; p++) {
        if (s->processes[p].pid != pid)
            continue;
        process_total tot;
        accounting_process_total(a, p, shown, nshown, &tot);
        found |= tot.devices > 0;
        *tracked += recorded_tracked(tot.bytes);
        *untracked += recorded_untracked(tot.bytes);
    }
    return found;
}
