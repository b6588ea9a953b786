/*
 * Peaks end to end (issue #16 item 6): a real writer process raises a 1 MiB
 * circular buffer on one core for 2 ms every second while the real l1top
 * refreshes once a second (-n, JSON); every frame must show that peak to
 * the byte, though no snapshot ever sees the buffer. Then a writer bursts
 * faster than a small ring holds: the loss is counted and shown, and the
 * peaks are marked approximate.
 */
#include "spike_writer.h"

static char seg[64];
static char recpath[96]; /* a recording a test made, removed by teardown */

static void setup(void)
{
    snprintf(seg, sizeof seg, "/l1top-e2e-peaks-%d", (int)getpid());
    shm_unlink(seg);
}

static void teardown(void)
{
    kill_started();
    shm_unlink(seg);
    if (recpath[0])
        unlink(recpath);
}

TestSuite(peaks, .init = setup, .fini = teardown, .timeout = 60);

static pid_t start_writer(void (*body)(l1top_writer *), const char *ring_slots)
{
    return start_writer_on(seg, body, ring_slots);
}

/* Half a second after start, then every second: 1 MiB for 2 ms. */
static void spikes(l1top_writer *w) { spike_n(w, SPIKES); }

static json_t *core_object(json_t *dev, int x, int y)
{
    json_t *cores = json_object_get(dev, "cores_detail");
    for (size_t i = 0; i < json_array_size(cores); i++) {
        json_t *c = json_array_get(cores, i);
        if (json_integer_value(json_object_get(c, "x")) == x && json_integer_value(json_object_get(c, "y")) == y)
            return c;
    }
    return NULL;
}

static json_int_t int_at(json_t *o, const char *a, const char *b)
{
    return json_integer_value(json_object_get(json_object_get(o, a), b));
}

Test(peaks, a_2ms_spike_every_second_is_in_every_frame_to_the_byte)
{
    pid_t w = start_writer(spikes, NULL);
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "-n", "7", "-d", "10", "--format", "json", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    int frames = 0, with_peak = 0;
    json_int_t last_changes = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *o = json_loads(line, 0, NULL);
        cr_assert_not_null(o, "frame %d: %.80s", frames, line);
        json_t *peaks = json_object_get(o, "peaks");
        cr_assert(json_is_true(json_object_get(peaks, "exact")), "frame %d: every change replayed", frames);
        json_int_t changes = json_integer_value(json_object_get(peaks, "changes"));
        cr_assert(changes % 2 == 0 && changes >= last_changes, "frame %d: %lld changes", frames, (long long)changes);
        last_changes = changes;
        json_t *core = core_object(device_by_id(o, 0), SPIKE_X, SPIKE_Y);
        cr_assert_not_null(core);
        cr_assert_eq(json_integer_value(json_object_get(core, "circular_buffers")), 0,
                     "frame %d: the snapshot itself never sees the 2 ms buffer", frames);
        json_int_t peak = int_at(core, "peak", "circular_buffers");
        if (changes == 0) {
            cr_assert_eq(peak, 0, "frame %d: no spike yet", frames);
        } else {
            cr_assert_eq(peak, SPIKE_BYTES, "frame %d: peak %lld B", frames, (long long)peak);
            json_t *at = json_object_get(json_object_get(core, "peak"), "at");
            cr_assert_str_eq(json_string_value(json_object_get(at, "tag")), "spike");
            cr_assert_str_eq(json_string_value(json_object_get(at, "kind")), "circular_buffers");
            cr_assert_eq(json_integer_value(json_object_get(at, "pid")), w);
            cr_assert_eq(int_at(device_by_id(o, 0), "peak", "circular_buffers"), SPIKE_BYTES);
            with_peak++;
        }
        json_decref(o);
        frames++;
    }
    cr_assert_eq(frames, 7);
    cr_assert_eq(last_changes, 2 * SPIKES, "every spike's record and release were replayed");
    cr_assert_geq(with_peak, 5);
    free(out);
    int status;
    waitpid(w, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer failed (%d)", status);
}

/* Bursts of 1000 record/release pairs, far more than a 64-slot ring holds
 * between two drains (10 ms apart). */
static void bursts(l1top_writer *w)
{
    l1top_range core = { 0, 0, 0, 0 };
    for (;;) {
        for (int i = 0; i < 1000; i++)
            l1top_release(w, l1top_record(w, 0, L1TOP_SEMAPHORE, &core, 1, 0x30000, 64, "burst"));
        sleep_until(mono_ns() + 200000000u);
    }
}

Test(peaks, a_lapped_ring_is_counted_and_shown_and_the_peaks_marked_approximate)
{
    start_writer(bursts, "64");
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "-n", "3", "-d", "5", "--format", "json", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv, &out, NULL), 0);
    json_t *last = NULL;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_decref(last);
        last = json_loads(line, 0, NULL);
        cr_assert_not_null(last);
    }
    json_t *peaks = json_object_get(last, "peaks");
    cr_assert(json_is_false(json_object_get(peaks, "exact")));
    cr_assert(json_is_string(json_object_get(peaks, "approximate_since")));
    cr_assert_gt(json_integer_value(json_object_get(peaks, "ring_slots_lost")), 0);
    cr_assert_geq(json_integer_value(json_object_get(peaks, "resyncs")), 1);
    json_decref(last);
    free(out);
    char *argv2[] = { bin, "-n", "2", "-d", "5", "--shm", seg, NULL };
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    cr_assert(strstr(out, "approximate: changes were missed"), "the text output says so:\n%s", out);
    free(out);
}

/* Holds one CB on every core, then waits to be killed. */
static void hold(l1top_writer *w)
{
    l1top_range all = { 0, 0, 7, 7 };
    if (!l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &all, 1, 0x20000, 0x4000, "held"))
        _exit(2);
    for (;;)
        pause();
}

Test(peaks, once_reports_the_state_it_starts_from_as_the_peak)
{
    start_writer(hold, NULL);
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(int_at(dev, "peak", "used"), total_value(dev, "used"));
    cr_assert_eq(int_at(dev, "peak", "circular_buffers"), 64 * 0x4000);
    cr_assert_eq(int_at(dev, "peak", "free"), total_value(dev, "free"), "free: the least seen");
    json_t *at = json_object_get(json_object_get(dev, "peak"), "at");
    cr_assert_eq(json_integer_value(json_object_get(at, "change")), 0, "the start");
    cr_assert(json_is_null(json_object_get(at, "tag")));
    json_t *core = core_object(dev, 7, 7);
    cr_assert_eq(int_at(core, "peak", "used"), 1499136 - json_integer_value(json_object_get(core, "free")));
    cr_assert_eq(int_at(core, "peak", "circular_buffers"), 0x4000);
    json_t *peaks = json_object_get(root, "peaks");
    cr_assert(json_is_true(json_object_get(peaks, "exact")));
    cr_assert_eq(json_integer_value(json_object_get(peaks, "changes")), 0);
    json_decref(root);
}

/* The value of a sample line "NAME VALUE" (labels included in NAME), or -1. */
static long long sample(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    return p ? strtoll(p + strlen(name), NULL, 10) : -1;
}

/* Prometheus scrapes every 15 s or more: the exporter must drain the rings
 * between scrapes, or a busy writer laps its ring and the peaks turn
 * approximate. */
Test(peaks, the_exporter_drains_the_rings_between_scrapes)
{
    char bin[512], errpath[96];
    bin_path(bin, sizeof bin, "l1top");
    snprintf(errpath, sizeof errpath, "/tmp/l1top-peaks-serve-%d", (int)getpid());
    start_writer(steady_spikes, "64");
    unsigned port;
    start_exporter(bin, seg, "5", errpath, &port);
    int code;
    free(curl_local(port, "", "/metrics", &code)); /* the reader starts */
    cr_assert_eq(code, 200);
    usleep(1500000); /* ~600 events through a 64-slot ring */
    char *body = curl_local(port, "", "/metrics", &code);
    cr_assert_eq(code, 200);
    const char *peaks = strstr(body, "# HELP l1top_peaks_exact");
    cr_assert_eq(sample(body, "\nl1top_peaks_exact "), 1, "every change replayed:\n%.600s", peaks ? peaks : body);
    cr_assert_eq(sample(body, "l1top_peak_l1_bytes{device=\"0\",arch=\"wormhole_b0\",category=\"circular_buffers\","
                              "tracked=\"false\"} "),
                 SPIKE_BYTES, "%.600s", peaks);
    long long now = sample(body, "l1top_core_used_bytes{device=\"0\",x=\"3\",y=\"4\"} ");
    long long peak = sample(body, "l1top_core_peak_used_bytes{device=\"0\",x=\"3\",y=\"4\"} ");
    cr_assert(now > 0 && peak - now == SPIKE_BYTES, "core (3,4): peak %lld B, now %lld B", peak, now);
    free(body);
    unlink(errpath);
}

/* ---------- record and replay (#16 item 5) ---------- */

#define KNOWN_SPIKES 4
#define KNOWN_STEP (256u << 10)

/* Spike i: (i+1) x 256 KiB on core (i, 1) for 2 ms, 300 ms apart from
 * 500 ms on, so each core's peak is known to the byte. */
static void known_spikes(l1top_writer *w)
{
    uint64_t t0 = mono_ns();
    for (uint16_t i = 0; i < KNOWN_SPIKES; i++) {
        l1top_range core = { i, 1, i, 1 };
        sleep_until(t0 + 500000000ull + (uint64_t)i * 300000000ull);
        uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &core, 1, 0x20000, (i + 1u) * KNOWN_STEP, "known");
        if (!h)
            _exit(2);
        sleep_until(mono_ns() + 2000000u);
        if (l1top_release(w, h) != 0)
            _exit(3);
    }
}

/* argv started with its output thrown away; its exit code from wait_code. */
static pid_t spawn_quiet(char *const argv[])
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        setenv("L1TOP_CONFIG", "/dev/null", 0);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int wait_code(pid_t pid)
{
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Each core (i,1)'s peak circular buffers in a JSON frame. */
static void known_core_peaks(json_t *root, const char *what)
{
    json_t *dev = device_by_id(root, 0);
    cr_assert_not_null(dev, "%s", what);
    for (int i = 0; i < KNOWN_SPIKES; i++)
        cr_assert_eq(int_at(core_object(dev, i, 1), "peak", "circular_buffers"), (json_int_t)(i + 1) * KNOWN_STEP,
                     "%s: core %d-1", what, i);
    cr_assert_eq(int_at(core_object(dev, KNOWN_SPIKES, 1), "peak", "circular_buffers"), 0, "%s", what);
    cr_assert_eq(int_at(dev, "peak", "circular_buffers"), (json_int_t)KNOWN_SPIKES * KNOWN_STEP, "%s", what);
    json_t *peaks = json_object_get(root, "peaks");
    cr_assert_eq(json_integer_value(json_object_get(peaks, "changes")), 2 * KNOWN_SPIKES, "%s", what);
    cr_assert(json_is_true(json_object_get(peaks, "exact")), "%s", what);
}

/* Records the known spikes while a live `l1top -n` watches the same run. */
static void record_known(void)
{
    snprintf(recpath, sizeof recpath, "/tmp/l1top-e2e-rec-%d.l1rec", (int)getpid());
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    start_writer(known_spikes, NULL);
    char *rec[] = { bin, "--record", recpath, "--duration", "2.5", "-d", "2", "--shm", seg, NULL };
    pid_t recorder = spawn_quiet(rec);
    char *live[] = { bin, "-n", "6", "-d", "5", "--format", "json", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(live, &out, NULL), 0);
    cr_assert_eq(wait_code(recorder), 0, "the recorder failed");
    char *last = NULL;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        last = line;
    json_t *o = json_loads(last ? last : "", 0, NULL);
    cr_assert_not_null(o);
    known_core_peaks(o, "the live run");
    json_decref(o);
    free(out);
}

Test(peaks, a_recording_replays_to_the_per_core_peaks_of_the_live_run)
{
    record_known();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--replay", recpath, "--once", "--format", "json", NULL };
    char *out, *err;
    int code = run_capture(argv, &out, &err);
    cr_assert_eq(code, 1, "exit %d (1: at the peak, core 3-1 is past the warning threshold): %s", code, err);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert_not_null(o, "%.200s", out);
    known_core_peaks(o, "the replay");
    json_decref(o);
    free(out);
    free(err);
    unlink(recpath);
}

/* --replay FILE --once --format json: its output, and no warning. */
static char *replay_json(const char *bin)
{
    char *argv[] = { (char *)bin, "--replay", recpath, "--once", "--format", "json", NULL };
    char *out, *err;
    int code = run_capture(argv, &out, &err);
    cr_assert_eq(code, 1, "exit %d (1: at the peak, core 3-1 is past the warning threshold): %s", code, err);
    cr_assert_str_empty(err);
    free(err);
    return out;
}

/* Opened from the trailer's marks or by replaying every change: the same bytes. */
Test(peaks, a_recording_opens_the_same_with_or_without_its_trailer)
{
    record_known();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    long at = recording_trailer_offset(recpath);
    cr_assert_gt(at, 0, "a recorder that ended cleanly writes a trailer");
    char *with = replay_json(bin);
    cr_assert_eq(truncate(recpath, at), 0);
    char *without = replay_json(bin);
    cr_assert_str_eq(with, without);
    json_t *o = json_loads(without, 0, NULL);
    cr_assert_not_null(o);
    known_core_peaks(o, "the replay without a trailer");
    json_decref(o);
    free(with);
    free(without);
    unlink(recpath);
}

Test(peaks, fit_and_diff_accept_a_recording)
{
    record_known();
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *fits[] = { bin, "--replay", recpath, "--fit", "cb 100KiB on 0-0", NULL };
    char *out;
    cr_assert_eq(run_capture(fits, &out, NULL), 0, "100 KiB fits beside the peak: %s", out);
    free(out);
    char *nofit[] = { bin, "--replay", recpath, "--fit", "cb 1400KiB on 3-1", NULL };
    cr_assert_eq(run_capture(nofit, &out, NULL), 1, "1400 KiB does not fit on 3-1: %s", out);
    free(out);
    char *diff[] = { bin, "--diff", recpath, recpath, "--format", "json", NULL };
    cr_assert_eq(run_capture(diff, &out, NULL), 0, "%s", out);
    json_t *d = json_loads(out, 0, NULL);
    cr_assert_not_null(d, "%.200s", out);
    json_decref(d);
    free(out);
    unlink(recpath);
}

/* A foreign or truncated --replay file: exit 65, one line naming it. */
static void refused_with_65(const char *path, const char *says)
{
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv[] = { bin, "--replay", (char *)path, "--once", NULL };
    char *out, *err;
    cr_assert_eq(run_capture(argv, &out, &err), 65, "%s", err);
    cr_assert_not_null(strstr(err, path), "%s", err);
    cr_assert_not_null(strstr(err, says), "%s", err);
    char *nl = strchr(err, '\n');
    cr_assert(nl && nl[1] == '\0', "one line: %s", err);
    free(out);
    free(err);
}

Test(peaks, a_foreign_or_truncated_recording_exits_65_naming_the_file)
{
    record_known();
    char cut[128];
    snprintf(cut, sizeof cut, "%s.cut", recpath);
    FILE *in = fopen(recpath, "rb"), *o = fopen(cut, "wb");
    cr_assert(in && o);
    char head[40];
    cr_assert_eq(fread(head, 1, sizeof head, in), sizeof head);
    cr_assert_eq(fwrite(head, 1, sizeof head, o), sizeof head); /* the header, half a device list */
    fclose(in);
    fclose(o);
    refused_with_65(cut, "truncated");
    o = fopen(cut, "w");
    cr_assert_not_null(o);
    fputs("{\"schema\": 1}\n", o);
    fclose(o);
    refused_with_65(cut, "recording");
    unlink(cut);
    unlink(recpath);
}
