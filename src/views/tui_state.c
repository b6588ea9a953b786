/*
 * tui_state.c - see tui_state.h.
 */
#include "views/tui_state.h"

const char *const view_name[VIEW_COUNT] = { "device view", "core view", "processes", "overview",   "help",
                                            "alerts",      "TT-Metal",  "event log", "fit answer", "top tags" };

const snap_device *tui_selected_device(const tui_state *st, const device_usage **du)
{
    if (!st->snap || !st->acct || st->sel >= st->nvisible)
        return NULL;
    size_t idx = st->visible[st->sel];
    if (idx >= st->snap->ndevices || idx >= st->acct->ndevices)
        return NULL;
    if (du)
        *du = &st->acct->devices[idx];
    return &st->snap->devices[idx];
}
