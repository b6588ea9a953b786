/*
 * End to end: the answers (--fit, --diff) on a real segment with a real
 * writer, on files saved from it, and on traces; exit statuses as CI
 * scripts see them. Wormhole 8x8: L1 1,499,136 B, unreserved base 0x19400.
 */
#include "proc_util.h"

#include <sys/stat.h>

static char seg[64], fixture[512], bin[512], dir[96];

static void setup(void)
{
    snprintf(seg, sizeof seg, "/l1top-e2e-ans-%d", (int)getpid());
    shm_unlink(seg);
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
    bin_path(bin, sizeof bin, "l1top");
    snprintf(dir, sizeof dir, "/tmp/l1top-e2e-ans-%d", (int)getpid());
    mkdir(dir, 0700);
}

static void teardown(void)
{
    kill_started();
    shm_unlink(seg);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(answers, .init = setup, .fini = teardown, .timeout = 60);

#define UB 0x19400

/* CBs of 0x30000 B on every core; an activation low, on cores 0-0..1-1. */
static pid_t writer(void)
{
    char *argv[] = { fixture, "label", "model", "declare", "0", "wormhole_b0", "8", "8",
                     "record", "0", "cb", "0,0,7,7", "0x19400", "196608", "cb_in0",
                     "record", "0", "l1_buffer", "0,0,1,1", "0x50000", "65536", "act", NULL };
    return start_ready(seg, argv);
}

/* A second writer: more CBs on the left half. */
static pid_t writer_more(void)
{
    char *argv[] = { fixture, "label", "more", "declare", "0", "wormhole_b0", "8", "8",
                     "record", "0", "cb", "0,0,3,7", "0x49400", "16384", "cb_extra", NULL };
    return start_ready(seg, argv);
}

static int l1top(char **out, char **err, const char *a1, const char *a2, const char *a3, const char *a4,
                 const char *a5, const char *a6)
{
    char *argv[] = { bin, (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, (char *)a6, NULL };
    return run_capture(argv, out, err);
}

/* Save `--once --format json` of the segment to dir/name. */
static const char *save(const char *name)
{
    static char path[2][160];
    static int which;
    char *p = path[which++ % 2], *out;
    snprintf(p, 160, "%s/%s", dir, name);
    cr_assert_eq(l1top(&out, NULL, "--once", "--format", "json", "--shm", seg, NULL), 0);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(out, f);
    fclose(f);
    free(out);
    return p;
}

Test(answers, fit_on_the_live_segment_exits_0_or_1)
{
    pid_t w = writer();
    char *out, *err;
    /* 200 KiB = 204800 B under 0x50000 - 0x19400 = 224256 B */
    cr_assert_eq(l1top(&out, &err, "--fit", "cb 200KiB on 4-4..7-7", "--shm", seg, NULL, NULL), 0, "%s%s", out, err);
    cr_assert(strstr(out, "  cb 200KiB on 4-4..7-7: fits (200 KiB above the base on the neediest core)\n"), "%s", out);
    cr_assert(strstr(out, "\nAnswer: fits\n"), "%s", out);
    free(out);
    free(err);
    cr_assert_eq(l1top(&out, &err, "--fit", "cb 300KiB on 0-0..7-7", "--shm", seg, "--format", "json"), 1, "%s", err);
    json_t *root = json_loads(out, 0, NULL);
    cr_assert_not_null(root, "%s", out);
    cr_assert(json_is_false(json_object_get(root, "fits")));
    json_t *d0 = json_array_get(json_object_get(root, "devices"), 0);
    json_t *fc = json_object_get(d0, "failing_cores");
    cr_assert_eq(json_array_size(fc), 64, "TT-Metal checks every core against the lowest buffer");
    json_t *first = json_array_get(fc, 0);
    cr_assert_eq(json_integer_value(json_object_get(first, "room")), 224256);
    cr_assert_eq(json_integer_value(json_object_get(first, "need")), 307200);
    json_t *way = json_object_get(first, "in_the_way");
    cr_assert_eq(json_integer_value(json_object_get(way, "pid")), w);
    cr_assert_str_eq(json_string_value(json_object_get(way, "tag")), "act");
    cr_assert_eq(json_integer_value(json_object_get(way, "start")), 0x50000);
    json_decref(root);
    free(out);
    free(err);
    /* 64 MiB in 2 KiB pages: 512 pages a bank = 1 MiB, top-down from L1's end */
    cr_assert_eq(l1top(&out, &err, "--fit", "interleaved 64MiB page 2KiB", "--shm", seg, "-f", "json"), 0, "%s", err);
    root = json_loads(out, 0, NULL);
    d0 = json_array_get(json_object_get(root, "devices"), 0);
    cr_assert_eq(json_integer_value(json_object_get(d0, "address")), 1499136 - 1048576);
    json_decref(root);
    free(out);
    free(err);
    cr_assert_eq(WEXITSTATUS(stop_process(w, SIGTERM)), 0);
}

Test(answers, bad_spec_exits_65_and_no_segment_66)
{
    char *out, *err;
    cr_assert_eq(l1top(&out, &err, "--fit", "cb 300KB on 0-0", "--shm", seg, NULL, NULL), 65);
    cr_assert_str_eq(err, "l1top: --fit: bad SPEC at word 2 '300KB': write KiB or MiB (1024-based)\n");
    cr_assert_str_eq(out, "");
    free(out);
    free(err);
    cr_assert_eq(l1top(&out, &err, "--fit", "cb 1KiB on 0-0", "--shm", seg, NULL, NULL), 66, "%s", err);
    free(out);
    free(err);
}

/* Drop the live reader's peaks (issue #16: high-water marks since that
 * l1top started) from a document's devices and cores: a saved snapshot is
 * read back as the state it holds, without them. */
static void drop_peaks(json_t *doc)
{
    json_t *devs = json_object_get(doc, "devices");
    for (size_t i = 0; i < json_array_size(devs); i++) {
        json_t *d = json_array_get(devs, i), *cores = json_object_get(d, "cores_detail");
        json_object_del(d, "peak");
        for (size_t c = 0; c < json_array_size(cores); c++)
            json_object_del(json_array_get(cores, c), "peak");
    }
}

Test(answers, a_saved_snapshot_answers_like_the_live_one)
{
    pid_t w = writer();
    const char *file = save("now.json");
    char *live, *saved;
    cr_assert_eq(l1top(&live, NULL, "--fit", "cb 300KiB on 0-0..7-7 + sharded 100KiB on 2-2", "--shm", seg, "-f", "json"), 1);
    cr_assert_eq(l1top(&saved, NULL, "--fit", "cb 300KiB on 0-0..7-7 + sharded 100KiB on 2-2", "--trace", file, "-f",
                       "json"),
                 1);
    json_t *a = json_loads(live, 0, NULL), *b = json_loads(saved, 0, NULL);
    json_object_del(a, "source");
    json_object_del(b, "source");
    cr_assert(json_equal(json_object_get(a, "devices"), json_object_get(b, "devices")), "live:\n%s\nsaved:\n%s", live,
              saved);
    json_decref(a);
    json_decref(b);
    free(live);
    free(saved);
    /* The saved file is a source like the others: --once shows it again, the same. */
    char *again;
    cr_assert_eq(l1top(&again, NULL, "--trace", file, "--once", "--format", "json", NULL), 0);
    FILE *f = fopen(file, "r");
    json_t *first = json_loadf(f, 0, NULL), *second = json_loads(again, 0, NULL);
    fclose(f);
    drop_peaks(first);
    cr_assert(json_equal(json_object_get(first, "devices"), json_object_get(second, "devices")), "%s", again);
    cr_assert_str_eq(json_string_value(json_object_get(first, "timestamp")),
                     json_string_value(json_object_get(second, "timestamp")), "the time it was saved");
    json_decref(first);
    json_decref(second);
    free(again);
    stop_process(w, SIGTERM);
}

/* A snapshot whose keys `jq -S` sorted ("devices" before "schema") is
 * still read as a snapshot: what a file is, is told by a key only a
 * snapshot has, wherever it sits (it was taken for a trace: exit 65). */
Test(answers, a_jq_sorted_snapshot_is_still_a_snapshot)
{
    pid_t w = writer();
    const char *file = save("now.json");
    char sorted[200], cmd[512];
    snprintf(sorted, sizeof sorted, "%s/sorted.json", dir);
    snprintf(cmd, sizeof cmd, "jq -S . '%s' > '%s'", file, sorted);
    cr_assert_eq(system(cmd), 0, "jq -S");
    FILE *f = fopen(sorted, "r");
    char head[16] = "";
    cr_assert(f && fgets(head, sizeof head, f));
    fclose(f);
    cr_assert_str_neq(head, "{\n  \"schema\"", "the keys moved");
    char *out, *err;
    cr_assert_eq(l1top(&out, &err, "--diff", file, sorted, NULL, NULL, NULL), 0, "%s", err);
    cr_assert(strstr(out, "no category changed") && strstr(out, "cores changed: 0"), "%s", out);
    free(out);
    free(err);
    char *a, *b;
    cr_assert_eq(l1top(&a, &err, "--fit", "cb 300KiB on 0-0..7-7", "--trace", sorted, NULL, NULL), 1, "%s", err);
    free(err);
    cr_assert_eq(l1top(&b, NULL, "--fit", "cb 300KiB on 0-0..7-7", "--trace", file, NULL, NULL), 1);
    /* Past "Will it fit" and "On: FILE at TIME", the same words. */
    const char *ra = strstr(a, "\n\n"), *rb = strstr(b, "\n\n");
    cr_assert(ra && rb && strcmp(ra, rb) == 0, "sorted:\n%s\nas saved:\n%s", a, b);
    free(a);
    free(b);
    stop_process(w, SIGTERM);
}

/* A recording (--record, #16) answers --fit and --diff like the live
 * segment it recorded. */
Test(answers, a_recording_answers_like_the_live_segment)
{
    pid_t w = writer();
    const char *file = save("now.json");
    char rec[200], cmd[1024];
    snprintf(rec, sizeof rec, "%s/live.rec", dir);
    snprintf(cmd, sizeof cmd, "%s --record %s --shm %s --duration 1 2>/dev/null", bin, rec, seg);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    char *live, *recorded;
    cr_assert_eq(l1top(&live, NULL, "--fit", "cb 300KiB on 0-0..7-7", "--shm", seg, "-f", "json"), 1);
    stop_process(w, SIGTERM);
    cr_assert_eq(l1top(&recorded, NULL, "--fit", "cb 300KiB on 0-0..7-7", "--replay", rec, "-f", "json"), 1);
    json_t *a = json_loads(live, 0, NULL), *b = json_loads(recorded, 0, NULL);
    cr_assert(json_equal(json_object_get(a, "devices"), json_object_get(b, "devices")), "live:\n%s\nrecorded:\n%s",
              live, recorded);
    json_decref(a);
    json_decref(b);
    free(live);
    free(recorded);
    char *out, *err;
    cr_assert_eq(l1top(&out, &err, "--diff", file, rec, NULL, NULL, NULL), 0, "%s", err);
    cr_assert(strstr(out, "no category changed") && strstr(out, "cores changed: 0"), "%s", out);
    free(out);
    free(err);
}

Test(answers, diff_of_two_saved_snapshots_gates_on_growth)
{
    pid_t w = writer();
    const char *a = save("a.json");
    char a_path[160];
    snprintf(a_path, sizeof a_path, "%s", a);
    pid_t m = writer_more();
    const char *b = save("b.json");
    char *out, *err;
    cr_assert_eq(l1top(&out, &err, "--diff", a_path, b, "--max-growth", "5", NULL), 1, "%s", err);
    /* CBs: 64 x 196608 -> + 32 x 16384 = 524288 B more, +4.17 %; the left half's
     * cores: used 103424 + 196608 (+65536 on 0-0..1-1) -> + 16384. */
    cr_assert(strstr(out, "  Circular buffers               12582912       13107200     +512 KiB     +4.2%\n"), "%s", out);
    cr_assert(strstr(out, "cores changed: 32\n"), "%s", out);
    cr_assert(strstr(out, "    core (2,0): used 293 KiB -> 309 KiB (+16.0 KiB, +5.5%), most in Circular buffers "
                          "(+16.0 KiB)  << over the limit\n"),
              "%s", out);
    cr_assert(strstr(out, "\n28 categories or cores grew by more than 5%\n"), "%s", out);
    free(out);
    free(err);
    /* 28 = the 28 left-half cores without the activation (+5.46 %); the four
     * with it grow by 16384 / 365568 = 4.48 %, the CB category by 4.17 %. */
    cr_assert_eq(l1top(&out, &err, "--diff", a_path, b, "--max-growth", "6", NULL), 0, "%s", err);
    free(out);
    free(err);
    cr_assert_eq(l1top(&out, &err, "--diff", a_path, b, "--format", "json", NULL), 0, "no limit, no gate");
    json_t *root = json_loads(out, 0, NULL);
    json_t *c0 = json_array_get(json_object_get(json_array_get(json_object_get(root, "devices"), 0), "categories"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(c0, "category")), "circular_buffers");
    cr_assert_eq(json_integer_value(json_object_get(c0, "delta")), 524288);
    json_decref(root);
    free(out);
    free(err);
    stop_process(m, SIGTERM);
    stop_process(w, SIGTERM);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(answers, diff_refuses_foreign_truncated_and_missing_files)
{
    pid_t w = writer();
    const char *good = save("good.json");
    char good_path[160], cut[160], foreign[160], missing[160];
    snprintf(good_path, sizeof good_path, "%s", good);
    snprintf(cut, sizeof cut, "%s/cut.json", dir);
    snprintf(foreign, sizeof foreign, "%s/foreign.json", dir);
    snprintf(missing, sizeof missing, "%s/missing.json", dir);
    write_file(cut, "{\"schema\": 1, \"l1top_version\": \"0.1.0\", \"devices\": [");
    write_file(foreign, "{\"name\": \"something else\"}");
    char *out, *err;
    cr_assert_eq(l1top(&out, &err, "--diff", good_path, cut, NULL, NULL, NULL), 65);
    cr_assert(strncmp(err, "l1top: ", 7) == 0 && strstr(err, "cut.json:1:") && strchr(err, '\n') == err + strlen(err) - 1,
              "one line naming the file and position: %s", err);
    free(out);
    free(err);
    cr_assert_eq(l1top(&out, &err, "--diff", foreign, good_path, NULL, NULL, NULL), 65);
    /* Not a snapshot by its first key: the trace reader says what it is not. */
    cr_assert(strstr(err, "foreign.json:1:1: not a ttnn graph trace"), "%s", err);
    cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "one line: %s", err);
    free(out);
    free(err);
    cr_assert_eq(l1top(&out, &err, "--diff", good_path, missing, NULL, NULL, NULL), 66);
    cr_assert(strstr(err, "missing.json: No such file or directory"), "%s", err);
    free(out);
    free(err);
    stop_process(w, SIGTERM);
}

Test(answers, traces_are_compared_at_their_peaks)
{
    char *out, *err;
    cr_assert_eq(l1top(&out, &err, "--diff", "tests/data/matmul_normal.json", "tests/data/conv2d_like.json", NULL, NULL,
                       NULL),
                 0, "%s", err);
    cr_assert(strstr(out, "A: tests/data/matmul_normal.json, peak at node "), "%s", out);
    cr_assert(strstr(out, "Circular buffers"), "%s", out);
    free(out);
    free(err);
    cr_assert_eq(l1top(&out, &err, "--diff", "tests/data/matmul_normal.json", "tests/data/conv2d_like.json",
                       "--max-growth", "10", NULL),
                 1);
    free(out);
    free(err);
    cr_assert_eq(l1top(&out, &err, "--fit", "cb 1MiB on 0-0..3-3", "--trace", "tests/data/conv2d_like.json", NULL, NULL),
                 0, "%s", err);
    free(out);
    free(err);
}
