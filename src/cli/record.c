/*
 * record.c - `l1top --record FILE`: the live sources' peak model journaled
 * (model/journal.h) into a recording (sources/recording_file.h), chunk by
 * chunk, until SIGINT/SIGTERM, --duration or -n refreshes. It lives in the
 * command line because it wires a source (the journal hook) to a file: the
 * model only defines the journal, the sources only call it, and no view is
 * involved, so every arrow stays one way.
 */
#include "cli/record.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "model/journal.h"
#include "views/quit_signal.h"
#include "sources/recording_file.h"

/* A chunk is written at this many raw bytes, or this often: a writer killed
 * loses at most the last second. */
#define REC_FLUSH_BYTES (256u << 10)
#define REC_FLUSH_NS 1000000000ull
#define REC_ZSTD_LEVEL 9 /* on version 2: 10% smaller than 3, for ~0.4% of a core (bench/RESULTS.md 10) */

/* The file's buffer, and the journal replayed as the reader will replay
 * it (journal_model): its marks are the trailer, so opening the file need
 * not replay the journal again (docs/recording-format.md). */
typedef struct {
    rec_buf buf;
    journal_model marks;
    peaks_journal replay;
    uint64_t nops;             /* operations in the chunks written */
} recorder;

static recorder *rec_of(void *ctx) { return ctx; }

static void j_load(void *ctx, const snapshot *s, bool keep, uint64_t t)
{
    rec_put_load(&rec_of(ctx)->buf, s, keep, t);
    rec_of(ctx)->replay.load(&rec_of(ctx)->marks, s, keep, t);
}

static void j_sync(void *ctx, const snapshot *s, uint64_t t)
{
    rec_put_sync(&rec_of(ctx)->buf, s, t);
    rec_of(ctx)->replay.sync(&rec_of(ctx)->marks, s, t);
}

/* The region as the file keeps it: its tag cut where rec_put_record cuts it. */
static void j_record(void *ctx, const peak_region *r, uint64_t t)
{
    rec_put_record(&rec_of(ctx)->buf, r, t);
    char tag[SNAP_TAG_LEN] = "";
    for (size_t n = 0; r->tag && n + 1 < sizeof tag && r->tag[n]; n++)
        tag[n] = r->tag[n];
    peak_region stored = *r;
    stored.tag = tag;
    rec_of(ctx)->replay.record(&rec_of(ctx)->marks, &stored, t);
}

static void j_release(void *ctx, uint64_t handle, uint64_t t)
{
    rec_put_release(&rec_of(ctx)->buf, handle, t);
    rec_of(ctx)->replay.release(&rec_of(ctx)->marks, handle, t);
}

static void j_retain(void *ctx, const int32_t *pids, size_t n, uint64_t t)
{
    rec_put_retain(&rec_of(ctx)->buf, pids, n, t);
    rec_of(ctx)->replay.retain(&rec_of(ctx)->marks, pids, n, t);
}

static void j_reset(void *ctx, uint64_t t)
{
    rec_put_mark(&rec_of(ctx)->buf, REC_OP_RESET, t);
    rec_of(ctx)->replay.reset(&rec_of(ctx)->marks, t);
}

static void j_approx(void *ctx, uint64_t t)
{
    rec_put_mark(&rec_of(ctx)->buf, REC_OP_APPROX, t);
    rec_of(ctx)->replay.approximate(&rec_of(ctx)->marks, t);
}

static int flush(FILE *f, recorder *r, const char *path, record_stats *st)
{
    if (r->buf.len == 0)
        return 0;
    uint64_t raw = r->buf.len, n = 0, nops = r->buf.nops;
    if (rec_write_chunk(f, &r->buf, REC_ZSTD_LEVEL, &n) != 0) {
        fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
        return -1;
    }
    st->raw_bytes += raw;
    st->file_bytes += n;
    st->chunks++;
    r->nops += nops;
    return 0;
}

int record_run(const char *path, source_set *set, double refresh_ms, long iterations, double duration_s,
               record_stats *st)
{
    memset(st, 0, sizeof *st);
    recorder r = { .marks = { peaks_new(), false } };
    r.replay = journal_model_callbacks(&r.marks);
    if (!r.marks.model) {
        fprintf(stderr, "l1top: --record: out of memory\n");
        return EXIT_IOERR;
    }
    peaks_journal j = { j_load, j_sync, j_record, j_release, j_retain, j_reset, j_approx, &r };
    if (source_set_journal(set, &j) == 0) {
        fprintf(stderr, "l1top: --record: no source to record (it records our segment)\n");
        peaks_free(r.marks.model);
        return EXIT_USAGE;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
        peaks_free(r.marks.model);
        return EXIT_CANTCREAT;
    }
    snapshot s;
    snapshot_init(&s);
    char err[4096 + 512];
    int rc = 0;
    bool header = false;
    uint64_t start = clock_monotonic_ns(), last_flush = start;
    for (long i = 0; !quit_signal_pending(); i++) {
        source_status ss = collect(set, &s, err, sizeof err);
        if (ss != SRC_OK) {
            fprintf(stderr, "l1top: %s\n", err);
            rc = cli_exit_status(ss);
            break;
        }
        uint64_t now = clock_monotonic_ns();
        if (!header) {
            st->start_ns = clock_realtime_ns();
            if (rec_write_header(f, &s, st->start_ns, REC_VERSION) != 0) {
                fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
                rc = EXIT_IOERR;
                break;
            }
            header = true;
        }
        if ((r.buf.len >= REC_FLUSH_BYTES || now - last_flush >= REC_FLUSH_NS) && (last_flush = now, 1)
            && flush(f, &r, path, st)) {
            rc = EXIT_IOERR;
            break;
        }
        if ((iterations > 0 && i + 1 >= iterations) || (duration_s > 0 && (double)(now - start) / 1e9 >= duration_s))
            break;
        source_set_wait(set, refresh_ms);
    }
    if (header && rc == 0 && flush(f, &r, path, st))
        rc = EXIT_IOERR;
    /* Ended cleanly: the trailer (a file without one still opens, replayed). */
    if (header && rc == 0 && !r.marks.nomem
        && rec_write_trailer(f, r.marks.model, st->chunks, r.nops, REC_ZSTD_LEVEL) != 0) {
        fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
        rc = EXIT_IOERR;
    }
    source_set_journal(set, NULL);
    rec_buf_free(&r.buf);
    peaks_free(r.marks.model);
    snapshot_free(&s);
    if (fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
        rc = EXIT_IOERR;
    }
    return rc;
}
