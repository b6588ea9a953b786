/*
 * tui_timeline.c - a feed with a timeline (a ttnn trace's L1 events, a
 * recording's changes) in the TUI: keys move through it ([ ] Home End P;
 * { } and c for the selected core; Enter in the event log to an event's
 * moment) and the header says where it stands. The feed opens at the peak
 * and replays only when moved.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <curses.h>
#include <stdint.h>
#include <stdio.h>

#include "views/tui_app.h"

bool tui_timeline_active(const tui *t) { return t->feed->timeline != NULL; }

const char *tui_timeline_describe(tui *t)
{
    const timeline_ops *tl = t->feed->timeline;
    char pos[160];
    tl->label(t->feed->timeline_self, tl->position(t->feed->timeline_self), pos, sizeof pos);
    snprintf(t->timeline_line, sizeof t->timeline_line, "%s  [ ] Home End P", pos);
    return t->timeline_line;
}

void tui_timeline_step(tui *t, int key)
{
    const timeline_ops *tl = t->feed->timeline;
    void *self = t->feed->timeline_self;
    size_t n = tl ? tl->length(self) : 0;
    if (n == 0)
        return;
    size_t pos = tl->position(self);
    if (key == '[' && pos > 0)
        tl->seek(self, pos - 1);
    else if (key == ']' && pos + 1 < n)
        tl->seek(self, pos + 1);
    else if (key == KEY_HOME)
        tl->seek(self, 0);
    else if (key == KEY_END)
        tl->seek(self, n - 1);
    else if (key == 'P')
        tl->seek(self, tl->peak(self));
    t->next_refresh = tui_now(); /* show it now */
}

size_t tui_timeline_position(const tui *t)
{
    const timeline_ops *tl = t->feed->timeline;
    return tl ? tl->position(t->feed->timeline_self) : SIZE_MAX;
}

bool tui_timeline_seek(tui *t, size_t pos)
{
    const timeline_ops *tl = t->feed->timeline;
    if (!tl || pos >= tl->length(t->feed->timeline_self))
        return false;
    tl->seek(t->feed->timeline_self, pos);
    t->next_refresh = tui_now();
    return true;
}

void tui_timeline_core(tui *t, int dir)
{
    const timeline_ops *tl = t->feed->timeline;
    const snap_device *d = tui_selected_device(&t->st, NULL);
    const char *what = dir > 0 ? "next change" : dir < 0 ? "previous change" : "peak";
    if (!d) {
        tui_say(t, "no core selected yet");
        return;
    }
    if (!tl) {
        tui_say(t, dir ? "live data: { } step a --trace or --replay through a core's changes"
                       : "live data: the map at a core's peak needs a recording (--record, then --replay)");
        return;
    }
    void *self = t->feed->timeline_self;
    size_t pos = SIZE_MAX;
    if (dir && tl->find_change)
        pos = tl->find_change(self, tl->position(self), d->id, t->st.cx, t->st.cy, dir);
    else if (!dir && tl->core_peak)
        pos = tl->core_peak(self, d->id, t->st.cx, t->st.cy);
    else {
        tui_say(t, "this timeline cannot find a core's %s", what);
        return;
    }
    char label[160];
    if (pos == SIZE_MAX || !tui_timeline_seek(t, pos)) {
        if (dir)
            tui_say(t, "no %s of core (%u,%u) on device %u", what, t->st.cx, t->st.cy, d->id);
        else
            tui_say(t, "core (%u,%u) on device %u holds nothing to peak at", t->st.cx, t->st.cy, d->id);
        return;
    }
    tl->label(self, pos, label, sizeof label);
    tui_say(t, "core (%u,%u) %s: %s", t->st.cx, t->st.cy, what, label);
}
