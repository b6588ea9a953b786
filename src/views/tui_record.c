/*
 * tui_record.c - the `w` key: a recording of the live sources begun and
 * ended in the TUI. The recorder and the file's name are the caller's
 * (tui_options' rec_* callbacks, set by the command line, so no view
 * includes the recorder); this keeps the handle, ticks it after each loop
 * turn once a reading came (the file's header is that reading), shows it
 * in the header (REC file size) and ends it cleanly at quit.
 */
#include <stdio.h>

#include "views/format.h"
#include "views/tui_app.h"

/* The header's REC note: "REC l1top-20261126-140000.l1rec 12.0 KiB". */
static void show(tui *t)
{
    char size[32];
    if (t->rec)
        snprintf(t->st.recording, sizeof t->st.recording, "REC %s %s", t->rec_path,
                 format_bytes(t->rec_size, size, sizeof size));
    else
        t->st.recording[0] = '\0';
}

void tui_record_toggle(tui *t)
{
    const tui_options *o = t->opts;
    char err[TUI_ERR_LEN] = "";
    if (t->rec) {
        tui_record_stop(t, true);
        return;
    }
    if (t->feed->timeline) {
        tui_say(t, "nothing live to record: this is a trace or a recording");
        return;
    }
    if (!o->rec_start) {
        tui_say(t, "nothing live to record here");
        return;
    }
    t->rec = o->rec_start(o->rec_ctx, t->rec_path, sizeof t->rec_path, err, sizeof err);
    if (!t->rec) {
        tui_say(t, "not recording: %s", err);
        return;
    }
    t->rec_read = false;
    t->rec_size = 0;
    t->next_refresh = tui_now(); /* the first reading now: the file's header */
    show(t);
    tui_say(t, "recording to %s (w again: stop)", t->rec_path);
}

void tui_record_tick(tui *t, bool reading)
{
    if (!t->rec)
        return;
    if (reading && t->have_data)
        t->rec_read = true;
    if (!t->rec_read)
        return;
    char err[TUI_ERR_LEN] = "";
    if (t->opts->rec_tick(t->rec, &t->snap, &t->rec_size, err, sizeof err) != 0) {
        uint64_t size = 0;
        char stop_err[TUI_ERR_LEN];
        t->opts->rec_stop(t->rec, false, &size, stop_err, sizeof stop_err);
        t->rec = NULL;
        tui_say(t, "recording stopped: %s", err);
    }
    show(t);
}

void tui_record_stop(tui *t, bool clean)
{
    if (!t->rec)
        return;
    char err[TUI_ERR_LEN] = "", size[32];
    uint64_t bytes = 0;
    int rc = t->opts->rec_stop(t->rec, clean, &bytes, err, sizeof err);
    t->rec = NULL;
    show(t);
    if (rc == 0)
        tui_say(t, "recorded %s (%s)", t->rec_path, format_bytes(bytes, size, sizeof size));
    else
        tui_say(t, "recording %s ended badly: %s", t->rec_path, err);
}
