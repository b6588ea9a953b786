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
#include <stdlib.h>
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
struct recorder {
    rec_buf buf;
    journal_model marks;
    peaks_journal replay;
    peaks_journal journal;     /* what the sources are told: the j_* below */
    uint64_t nops;             /* operations in the chunks written */
    source_set *set;
    FILE *f;
    char path[REC_PATH_MAX];
    bool header;               /* written at the first reading */
    uint64_t last_flush;       /* monotonic ns */
    record_stats st;
};

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

/* One line naming the file and errno into err; the exit code. */
static int io_error(const recorder *r, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", r->path, strerror(errno));
    return EXIT_IOERR;
}

static int flush(recorder *r, char *err, size_t errlen)
{
    if (r->buf.len == 0)
        return 0;
    uint64_t raw = r->buf.len, n = 0, nops = r->buf.nops;
    if (rec_write_chunk(r->f, &r->buf, REC_ZSTD_LEVEL, &n) != 0)
        return io_error(r, err, errlen);
    r->st.raw_bytes += raw;
    r->st.file_bytes += n;
    r->st.chunks++;
    r->nops += nops;
    return 0;
}

static uint64_t file_size(FILE *f)
{
    long at = ftell(f);
    return at > 0 ? (uint64_t)at : 0;
}

static void recorder_free(recorder *r)
{
    rec_buf_free(&r->buf);
    peaks_free(r->marks.model);
    free(r);
}

recorder *recorder_start(const char *path, source_set *set, bool exclusive, int *code, char *err, size_t errlen)
{
    recorder *r = calloc(1, sizeof *r);
    if (r)
        r->marks = (journal_model){ peaks_new(), false };
    if (!r || !r->marks.model) {
        snprintf(err, errlen, "--record: out of memory");
        if (r)
            free(r);
        *code = EXIT_IOERR;
        return NULL;
    }
    r->replay = journal_model_callbacks(&r->marks);
    r->journal = (peaks_journal){ j_load, j_sync, j_record, j_release, j_retain, j_reset, j_approx, r };
    snprintf(r->path, sizeof r->path, "%s", path);
    r->set = set;
    if (source_set_journal(set, &r->journal) == 0) {
        snprintf(err, errlen, "--record: no source to record (it records our segment)");
        recorder_free(r);
        *code = EXIT_USAGE;
        return NULL;
    }
    r->f = fopen(path, exclusive ? "wbx" : "wb");
    if (!r->f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        source_set_journal(set, NULL);
        recorder_free(r);
        *code = EXIT_CANTCREAT;
        errno = e; /* EEXIST: the caller may pick another name */
        return NULL;
    }
    r->last_flush = clock_monotonic_ns();
    return r;
}

int recorder_tick(recorder *r, const snapshot *s, uint64_t now, char *err, size_t errlen)
{
    if (!r->header) {
        r->st.start_ns = clock_realtime_ns();
        if (rec_write_header(r->f, s, r->st.start_ns, REC_VERSION) != 0)
            return io_error(r, err, errlen);
        r->header = true;
        r->st.size = file_size(r->f);
    }
    if (r->buf.len >= REC_FLUSH_BYTES || now - r->last_flush >= REC_FLUSH_NS) {
        r->last_flush = now;
        int rc = flush(r, err, errlen);
        r->st.size = rc == 0 ? file_size(r->f) : r->st.size;
        return rc;
    }
    return 0;
}

const record_stats *recorder_stats(const recorder *r) { return &r->st; }

int recorder_stop(recorder *r, bool clean, record_stats *st, char *err, size_t errlen)
{
    int rc = 0;
    if (r->header && clean)
        rc = flush(r, err, errlen);
    /* Ended cleanly: the trailer (a file without one still opens, replayed). */
    if (r->header && clean && rc == 0 && !r->marks.nomem
        && rec_write_trailer(r->f, r->marks.model, r->st.chunks, r->nops, REC_ZSTD_LEVEL) != 0)
        rc = io_error(r, err, errlen);
    r->st.size = file_size(r->f);
    source_set_journal(r->set, NULL);
    if (fclose(r->f) != 0 && rc == 0)
        rc = io_error(r, err, errlen);
    if (st)
        *st = r->st;
    recorder_free(r);
    return rc;
}

int record_run(const char *path, source_set *set, double refresh_ms, long iterations, double duration_s,
               record_stats *st)
{
    memset(st, 0, sizeof *st);
    char err[4096 + 512];
    int rc = 0;
    recorder *r = recorder_start(path, set, false, &rc, err, sizeof err);
    if (!r) {
        fprintf(stderr, "l1top: %s\n", err);
        return rc;
    }
    snapshot s;
    snapshot_init(&s);
    uint64_t start = clock_monotonic_ns();
    for (long i = 0; !quit_signal_pending(); i++) {
        source_status ss = collect(set, &s, err, sizeof err);
        if (ss != SRC_OK) {
            fprintf(stderr, "l1top: %s\n", err);
            rc = cli_exit_status(ss);
            break;
        }
        uint64_t now = clock_monotonic_ns();
        if ((rc = recorder_tick(r, &s, now, err, sizeof err)) != 0) {
            fprintf(stderr, "l1top: %s\n", err);
            break;
        }
        if ((iterations > 0 && i + 1 >= iterations) || (duration_s > 0 && (double)(now - start) / 1e9 >= duration_s))
            break;
        source_set_wait(set, refresh_ms);
    }
    int e = recorder_stop(r, rc == 0, st, err, sizeof err);
    if (e != 0 && rc == 0) {
        fprintf(stderr, "l1top: %s\n", err);
        rc = e;
    }
    snapshot_free(&s);
    return rc;
}
