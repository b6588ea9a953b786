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
#include "views/quit_signal.h"
#include "sources/recording_file.h"

/* A chunk is written at this many raw bytes, or this often: a writer killed
 * loses at most the last second. */
#define REC_FLUSH_BYTES (256u << 10)
#define REC_FLUSH_NS 1000000000ull
#define REC_ZSTD_LEVEL 9 /* on version 2: 10% smaller than 3, for ~0.4% of a core (bench/RESULTS.md 10) */

typedef struct {
    rec_buf buf;
} recorder;

static rec_buf *buf_of(void *ctx) { return &((recorder *)ctx)->buf; }

static void j_load(void *ctx, const snapshot *s, bool keep, uint64_t t) { rec_put_load(buf_of(ctx), s, keep, t); }
static void j_sync(void *ctx, const snapshot *s, uint64_t t) { rec_put_sync(buf_of(ctx), s, t); }
static void j_record(void *ctx, const peak_region *r, uint64_t t) { rec_put_record(buf_of(ctx), r, t); }
static void j_release(void *ctx, uint64_t handle, uint64_t t) { rec_put_release(buf_of(ctx), handle, t); }

static void j_retain(void *ctx, const int32_t *pids, size_t n, uint64_t t)
{
    rec_put_retain(buf_of(ctx), pids, n, t);
}

static void j_reset(void *ctx, uint64_t t) { rec_put_mark(buf_of(ctx), REC_OP_RESET, t); }
static void j_approx(void *ctx, uint64_t t) { rec_put_mark(buf_of(ctx), REC_OP_APPROX, t); }

static int flush(FILE *f, recorder *r, const char *path, record_stats *st)
{
    if (r->buf.len == 0)
        return 0;
    uint64_t raw = r->buf.len, n = 0;
    if (rec_write_chunk(f, &r->buf, REC_ZSTD_LEVEL, &n) != 0) {
        fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
        return -1;
    }
    st->raw_bytes += raw;
    st->file_bytes += n;
    st->chunks++;
    return 0;
}

int record_run(const char *path, source_set *set, double refresh_ms, long iterations, double duration_s,
               record_stats *st)
{
    memset(st, 0, sizeof *st);
    recorder r = { { 0 } };
    peaks_journal j = { j_load, j_sync, j_record, j_release, j_retain, j_reset, j_approx, &r };
    if (source_set_journal(set, &j) == 0) {
        fprintf(stderr, "l1top: --record: no source to record (it records our segment)\n");
        return EXIT_USAGE;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
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
    source_set_journal(set, NULL);
    rec_buf_free(&r.buf);
    snapshot_free(&s);
    if (fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "l1top: %s: %s\n", path, strerror(errno));
        rc = EXIT_IOERR;
    }
    return rc;
}
