/*
 * tui_timeline.c - a feed with a timeline (a ttnn trace's L1 events) in
 * the TUI: keys move through it ([ ] Home End P) and the header says where
 * it stands. The feed opens at the peak and replays only when moved.
 */
#define _XOPEN_SOURCE_EXTENDED
#include <curses.h>
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
