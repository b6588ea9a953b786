/*
 * The source registry and the source set (sources/source.h): which sources
 * a run opens, how one that is missing or broken combines with the others,
 * and a trace's timeline through the feed the views hold.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "l1top.h"
#include "sources/source.h"
#include "ttm_build.h"

static char dir[64], seg[64], err[512];
static source_set set;
static snapshot s;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/l1top-sources-%d", (int)getpid());
    cr_assert_eq(mkdir(dir, 0700), 0, "%s: %s", dir, strerror(errno));
    t_segment(seg, sizeof seg, "sources");
    shm_unlink(seg);
    snapshot_init(&s);
}

static void teardown(void)
{
    source_set_close(&set);
    snapshot_free(&s);
    char path[128];
    snprintf(path, sizeof path, "%s/tt_device_7_memory", dir);
    unlink(path);
    rmdir(dir);
    shm_unlink(seg);
}

/* A statistics file in dir: a valid one (device 7, 1 MiB of L1), or junk. */
static void ttm_file(bool valid)
{
    char path[128];
    snprintf(path, sizeof path, "%s/tt_device_7_memory", dir);
    static unsigned char b[TTM_BUILD_SIZE];
    ttm_build(b, 3, 7, 0x77);
    const uint64_t bytes[5] = { 0, 1 << 20, 0, 0, 0 };
    ttm_build_totals(b, bytes);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(b, 1, valid ? sizeof b : 100, f), valid ? sizeof b : 100u);
    fclose(f);
}

static source_params live(source_sel sel)
{
    source_params p = { sel, seg, dir, "/nonexistent-sysfs-root", NULL, NULL, NULL };
    return p;
}

static bool has(const char *name)
{
    for (size_t i = 0; i < set.n; i++)
        if (strcmp(set.ops[i]->name, name) == 0)
            return true;
    return false;
}

/* Open the live sources of sel (as the command line would) and read them once into s. */
static source_status read_live(source_sel sel)
{
    source_params p = live(sel);
    source_set_close(&set);
    cr_assert_eq(source_set_open(&set, &p, err, sizeof err), SRC_OK, "%s", err);
    return collect(&set, &s, err, sizeof err);
}

TestSuite(sources, .init = setup, .fini = teardown);

Test(sources, every_registered_source_is_complete_and_named_once)
{
    cr_assert_geq(source_registry_count, 4u);
    for (size_t i = 0; i < source_registry_count; i++) {
        const source_ops *o = source_registry[i];
        cr_assert(o->name && o->wanted && o->open && o->fill && o->close, "source %zu", i);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(source_registry[j]->name, o->name);
    }
}

Test(sources, auto_reads_tt_metal_files_only_when_there_are_some)
{
    cr_assert_eq(read_live(SOURCE_AUTO), SRC_MISSING);
    cr_assert(has("segment") && has("telemetry"));
    cr_assert_not(has("ttmetal"), "no files: no TT-Metal source");
    cr_assert_null(source_set_feed(&set).timeline, "live sources have no timeline");
    ttm_file(true);
    cr_assert_eq(read_live(SOURCE_AUTO), SRC_OK, "%s", err);
    cr_assert(has("segment") && has("ttmetal") && has("telemetry"));
    cr_assert_not(has("trace"));
}

Test(sources, a_missing_segment_is_no_error_while_tt_metal_has_data)
{
    ttm_file(true);
    cr_assert_eq(read_live(SOURCE_ALL), SRC_OK, "%s", err);
    cr_assert_eq(s.nttm, 1);
    cr_assert_eq(s.ttm[0].device_id, 7);
    cr_assert_not(s.have_segment);
    cr_assert_str_eq(s.segment, seg, "labelled with the segment watched");
    cr_assert_neq(s.timestamp_ns, 0);
}

Test(sources, nothing_anywhere_joins_the_reasons)
{
    cr_assert_eq(read_live(SOURCE_ALL), SRC_MISSING);
    char want[256];
    snprintf(want, sizeof want, "segment %s: no such segment; no TT-Metal statistics files (tt_device_*_memory) in %s",
             seg, dir);
    cr_assert_str_eq(err, want);
}

Test(sources, invalid_files_and_no_segment_say_why)
{
    ttm_file(false);
    cr_assert_eq(read_live(SOURCE_ALL), SRC_CORRUPT);
    cr_assert(strstr(err, "tt_device_7_memory") != NULL, "names the file: %s", err);
    cr_assert_null(strchr(err, '\n'), "one line: %s", err);
}

Test(sources, a_segment_with_data_stands_beside_invalid_files)
{
    ttm_file(false);
    l1top_writer *w = l1top_open(seg);
    cr_assert_not_null(w, "%s", strerror(errno));
    cr_assert_eq(l1top_declare_device(w, 0, "wormhole_b0", 8, 8), 0);
    l1top_range r = { 0, 0, 7, 7 };
    cr_assert_neq(l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &r, 1, 0x20000, 4096, "cb"), 0u);
    cr_assert_eq(read_live(SOURCE_ALL), SRC_OK, "%s", err);
    cr_assert(s.have_segment);
    cr_assert_eq(s.nregions, 1);
    cr_assert_eq(s.nttm, 0);
    cr_assert(strstr(s.ttm_warnings, "tt_device_7_memory") != NULL, "the skipped file is a warning: %s",
              s.ttm_warnings);
    /* Nothing moved: the second reading keeps the first. */
    cr_assert_eq(collect(&set, &s, err, sizeof err), SRC_OK, "%s", err);
    cr_assert(s.unchanged);
    cr_assert_eq(s.nregions, 1);
    /* Gone: the regions of the earlier reading do not stay. */
    l1top_close(w);
    shm_unlink(seg);
    cr_assert_eq(read_live(SOURCE_ALL), SRC_CORRUPT, "invalid files and no segment");
    cr_assert_eq(s.nregions, 0);
}

Test(sources, telemetry_never_stands_alone)
{
    cr_assert_eq(read_live(SOURCE_TTMETAL), SRC_MISSING, "boards alone are no data");
    cr_assert(has("telemetry") && has("ttmetal"));
    cr_assert_not(has("segment"), "--source tt-metal reads no segment");
}

Test(sources, a_file_source_is_alone_and_unknown_ones_are_refused)
{
    source_params p = live(SOURCE_ALL);
    p.file_source = "no-such-kind";
    p.path = "x";
    cr_assert_eq(source_set_open(&set, &p, err, sizeof err), SRC_IO);
    cr_assert(strstr(err, "no-such-kind") != NULL, "%s", err);
    p.file_source = "trace";
    p.path = "tests/data/no-such-trace.json";
    cr_assert_eq(source_set_open(&set, &p, err, sizeof err), SRC_MISSING, "%s", err);
    cr_assert(strstr(err, "no-such-trace.json") != NULL, "%s", err);
    p.path = "tests/data/trace_report_normal.json";
    cr_assert_eq(source_set_open(&set, &p, err, sizeof err), SRC_OK, "%s", err);
    cr_assert_eq(set.n, 1);
    cr_assert_str_eq(set.ops[0]->name, "trace");
}

/* The timeline the TUI steps: it opens at the peak, seeks clamp, labels say
 * where it is, and a still position is not replayed again. */
Test(sources, a_trace_is_a_timeline_that_opens_at_its_peak)
{
    source_params p = live(SOURCE_AUTO);
    p.file_source = "trace";
    p.path = "tests/data/trace_report_normal.json";
    cr_assert_eq(source_set_open(&set, &p, err, sizeof err), SRC_OK, "%s", err);
    feed f = source_set_feed(&set);
    cr_assert_not_null(f.timeline);
    cr_assert_str_eq(f.label, p.path);
    const timeline_ops *tl = f.timeline;
    void *self = f.timeline_self;
    cr_assert_eq(tl->length(self), 8);
    cr_assert_eq(tl->position(self), tl->peak(self));
    cr_assert_eq(feed_fill(&f, &s, err, sizeof err), SRC_OK, "%s", err);
    cr_assert(s.has_trace);
    cr_assert_eq(s.trace.l1_events, 8);
    char label[160];
    tl->label(self, tl->position(self), label, sizeof label);
    cr_assert_str_eq(label, "node 5 (4/8) in ttnn::matmul  PEAK");
    cr_assert_eq(feed_fill(&f, &s, err, sizeof err), SRC_OK);
    cr_assert(s.unchanged, "a still timeline is kept");
    tl->seek(self, 0);
    cr_assert_eq(feed_fill(&f, &s, err, sizeof err), SRC_OK);
    cr_assert_not(s.unchanged);
    tl->label(self, 0, label, sizeof label);
    cr_assert_str_eq(label, "node 2 (1/8) in ttnn::matmul");
    tl->seek(self, 1000);
    cr_assert_eq(tl->position(self), 7, "past the end: the last position");
}
