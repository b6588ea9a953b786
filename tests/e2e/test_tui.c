/*
 * The real TUI inside tmux: send keys, capture the pane, compare what it
 * shows with `l1top --once --format json` on the same (still) segment.
 */
#include "views/format.h"
#include "proc_util.h"

#include <sys/stat.h>

static char seg[64], sock[64], fixture[512], l1top[512], exit_file[128];

static void tui_setup(void)
{
    setenv("L1TOP_CONFIG", "/dev/null", 0); /* hermetic; the tmux server inherits it */
    snprintf(seg, sizeof seg, "/l1top-tui-%d", (int)getpid());
    snprintf(sock, sizeof sock, "l1top-e2e-%d", (int)getpid());
    snprintf(exit_file, sizeof exit_file, "/tmp/l1top-tui-exit-%d", (int)getpid());
    shm_unlink(seg);
    unlink(exit_file);
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
    bin_path(l1top, sizeof l1top, "l1top");
}

static void tmux(const char *fmt, ...)
{
    char args[1024], cmd[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "tmux -L %s %s >/dev/null 2>&1", sock, args);
    int rc = system(cmd);
    (void)rc;
}

static void tui_teardown(void)
{
    tmux("kill-server");
    kill_started();
    shm_unlink(seg);
    unlink(exit_file);
}

TestSuite(tui, .init = tui_setup, .fini = tui_teardown, .timeout = 60);

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* The pane's text. Caller frees. */
static char *capture(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t l1 2>/dev/null", sock);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - 1 - len, p)) > 0)
        len += n;
    buf[len] = '\0';
    pclose(p);
    return buf;
}

/* Wait until the pane shows `needle` (up to ~5 s); returns the capture. */
static char *wait_for(const char *needle)
{
    char *s = NULL;
    for (int i = 0; i < 100; i++) {
        free(s);
        s = capture();
        if (strstr(s, needle))
            return s;
        sleep_ms(50);
    }
    cr_assert_fail("pane never showed '%s'; it shows:\n%s", needle, s);
    return s;
}

/* Like wait_for, until the pane shows every needle of a NULL-terminated list
 * at once: a capture can catch a frame half drawn (seen under load). */
static char *wait_for_all(const char *const *needles)
{
    char *s = NULL;
    for (int i = 0; i < 100; i++) {
        free(s);
        s = capture();
        size_t k = 0;
        while (needles[k] && strstr(s, needles[k]))
            k++;
        if (!needles[k])
            return s;
        sleep_ms(50);
    }
    cr_assert_fail("pane never showed all of '%s'...; it shows:\n%s", needles[0], s);
    return s;
}

static void start_tui(int cols, int rows, const char *extra)
{
    tmux("kill-server");
    tmux("new-session -d -s l1 -x %d -y %d \"%s --shm %s -d 2 %s; echo l1top-exit=\\$? > %s; sleep 30\"", cols, rows,
         l1top, seg, extra ? extra : "", exit_file);
}

/* Bytes straight to the program, as a terminal would send them. */
static void send_raw(const char *bytes)
{
    char quoted[64];
    size_t n = 0;
    for (const char *p = bytes; *p && n + 2 < sizeof quoted; p++) {
        if (strchr("\"\\$`", *p))
            quoted[n++] = '\\';
        quoted[n++] = *p;
    }
    quoted[n] = '\0';
    tmux("send-keys -t l1 -l \"%s\"", quoted);
    sleep_ms(150);
}

static void keys(const char *k)
{
    tmux("send-keys -t l1 %s", k);
    sleep_ms(150);
}

static int exit_code(void)
{
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(exit_file, "r");
        int code = -1;
        if (f) {
            int got = fscanf(f, "l1top-exit=%d", &code);
            fclose(f);
            if (got == 1)
                return code;
        }
        sleep_ms(50);
    }
    return -1;
}

static pid_t still_writer(void)
{
    /* Left half: a 700 KB CB; right half: a 300 KB L1 buffer; column 7 also kernel code. */
    char *argv[] = { fixture, "label", "still", "declare", "0", "wormhole_b0", "8", "8", "declare", "1", "blackhole",
                     "11", "10", "record", "0", "cb", "0,0,3,7", "0x19180", "700000", "big cb",
                     "record", "0", "l1_buffer", "4,0,7,7", "0x100000", "300000", "act",
                     "record", "0", "kernel", "7,0,7,7", "0x8000", "50000", "kern",
                     "record", "1", "cb", "0,0,10,9", "0x19B40", "400000", "bh cb", NULL };
    return start_ready(seg, argv);
}

/* The row of the heatmap for core row y: the first grid_x numbers after the label. */
static void heat_row(const char *screen, int y, int gx, int *out)
{
    char label[8];
    snprintf(label, sizeof label, "\n%2d  ", y);
    const char *p = strstr(screen, label);
    cr_assert_not_null(p, "no heatmap row %d in:\n%s", y, screen);
    p += strlen(label);
    for (int x = 0; x < gx; x++) {
        while (*p == ' ')
            p++;
        cr_assert(*p >= '0' && *p <= '9', "row %d cell %d is '%.8s'", y, x, p);
        out[x] = (int)strtol(p, (char **)&p, 10);
        while (*p == '!')
            p++; /* the alert mark */
    }
}

static const char *line_with(const char *screen, const char *needle, char *line, size_t n)
{
    const char *p = strstr(screen, needle);
    cr_assert_not_null(p, "no line with '%s' in:\n%s", needle, screen);
    if (*needle == '\n')
        p++; /* the needle anchors at a line start */
    const char *start = p;
    while (start > screen && start[-1] != '\n')
        start--;
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    if (len >= n)
        len = n - 1;
    memcpy(line, start, len);
    line[len] = '\0';
    return line;
}

Test(tui, grid_and_breakdown_match_once_at_120x40)
{
    pid_t w = still_writer();
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    start_tui(120, 40, "");
    char *s = wait_for("Explicit L1 buffers");
    /* The grid has the board's dimensions and shows used % per core. */
    cr_assert_not_null(strstr(s, "[0:wormhole_b0 8x8]"), "%s", s);
    cr_assert_null(strstr(s, "\n 8  "), "only rows 0..7");
    for (int y = 0; y < 8; y++) {
        int cells[8];
        heat_row(s, y, 8, cells);
        for (int x = 0; x < 8; x++) {
            json_t *cores = json_object_get(dev, "cores_detail");
            double pct = json_real_value(json_object_get(json_array_get(cores, (size_t)(y * 8 + x)), "used_pct"));
            cr_assert_eq(cells[x], (int)pct, "core (%d,%d): screen %d, json %.3f", x, y, cells[x], pct);
        }
    }
    /* Breakdown rows: selected core (0,0) and device totals, as --once says. */
    static const struct { const char *label, *key; } rows[] = {
        { "Explicit L1 buffers", "l1_buffers" }, { "Circular buffers", "circular_buffers" },
        { "Kernel code", "kernel_code" },        { "Kernel-config ring", "kernel_config" },
        { "Firmware & mailboxes", "firmware" },
        { "Free  ", "free" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char line[256], want_core[32], want_dev[32];
        line_with(s, rows[i].label, line, sizeof line);
        format_bytes((uint64_t)core_value(dev, 0, 0, rows[i].key), want_core, sizeof want_core);
        format_bytes((uint64_t)total_value(dev, rows[i].key), want_dev, sizeof want_dev);
        cr_assert_not_null(strstr(line, want_core), "'%s' lacks core value %s", line, want_core);
        cr_assert_not_null(strstr(line, want_dev), "'%s' lacks device value %s", line, want_dev);
    }
    char line[256], want[32];
    line_with(s, "Tracked (allocator)", line, sizeof line);
    format_bytes((uint64_t)total_value(dev, "tracked"), want, sizeof want);
    cr_assert_not_null(strstr(line, want), "%s lacks %s", line, want);
    line_with(s, "Untracked ", line, sizeof line);
    format_bytes((uint64_t)total_value(dev, "untracked"), want, sizeof want);
    cr_assert_not_null(strstr(line, want), "%s lacks %s", line, want);
    free(s);
    json_decref(root);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    s = capture();
    cr_assert_null(strstr(s, "Explicit L1 buffers"), "the terminal was restored:\n%s", s);
    free(s);
    stop_process(w, SIGTERM);
}

Test(tui, classic_80x24_shows_the_whole_grid)
{
    pid_t w = still_writer();
    start_tui(80, 24, "");
    free(wait_for("Explicit L1 buffers"));
    char *s = wait_for("\n 7  "); /* the grid's last row: a capture may catch the screen half drawn */
    int cells[8];
    heat_row(s, 7, 8, cells); /* tens of % at this width */
    for (int x = 0; x < 8; x++)
        cr_assert_eq(cells[x], x < 4 ? 5 : 2, "core (%d,7) tens of %%: %d\n%s", x, cells[x], s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, every_key_in_help_does_what_it_says)
{
    pid_t w = still_writer();
    start_tui(120, 40, "");
    free(wait_for("core(0,0)"));
    keys("h");
    free(wait_for("Tracked and untracked"));
    keys("Escape");
    free(wait_for("core(0,0)"));
    keys("?");
    free(wait_for("Tracked and untracked"));
    keys("F1");
    free(wait_for("core(0,0)"));
    keys("Right");
    keys("Down");
    free(wait_for("core(1,1)"));
    keys("Left");
    keys("Up");
    free(wait_for("core(0,0)"));
    keys("m");
    free(wait_for("[m] circular buffers"));
    keys("m");
    free(wait_for("[m] L1 buffers"));
    keys("m");
    keys("m");
    free(wait_for("[m] largest free block"));
    keys("m");
    free(wait_for("[m] peak used %"));
    keys("m");
    free(wait_for("[m] used %"));
    keys("R");
    free(wait_for("peaks reset at "));
    keys("a");
    free(wait_for("allocator sees"));
    keys("a");
    free(wait_for("[a] allocator view"));
    keys("Tab");
    free(wait_for("[1:blackhole 11x10]"));
    keys("BTab");
    free(wait_for("[0:wormhole_b0 8x8]"));
    keys("2");
    free(wait_for("[1:blackhole 11x10]"));
    keys("1");
    free(wait_for("[0:wormhole_b0 8x8]"));
    keys("Enter");
    char *s = wait_for("Core (0,0) of device 0");
    cr_assert_not_null(strstr(s, "big cb"), "the core's regions are listed:\n%s", s);
    cr_assert_not_null(strstr(s, "largest free"));
    free(s);
    keys("Escape");
    free(wait_for("core(0,0)"));
    keys("p");
    s = wait_for("Processes: 1 writing");
    cr_assert_not_null(strstr(s, "still"));
    free(s);
    keys("'>'");
    free(wait_for("sort: NAME"));
    keys("I");
    free(wait_for("(inverted)"));
    keys("p");
    keys("o");
    free(wait_for("Enter opens it"));
    keys("Right");
    keys("Enter");
    free(wait_for("[1:blackhole 11x10]"));
    keys("Space");
    free(wait_for("PAUSED"));
    keys("Space");
    keys("+");
    free(wait_for("0.3s"));
    keys("-");
    keys("-");
    free(wait_for("0.1s"));
    free(wait_for("[t] default"));
    keys("t");
    free(wait_for("[t] light"));
    keys("t");
    free(wait_for("[t] mono"));
    keys("A");
    free(wait_for("Active alerts: 0"));
    keys("A");
    keys("r");
    free(wait_for("core(0,0)"));
    keys("F10");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, mouse_click_selects_a_core)
{
    pid_t w = still_writer();
    start_tui(120, 40, "");
    free(wait_for("core(0,0)"));
    /* X10 mouse report: press at column 4 + 2*4 + 1, row 2 + 1 + 3 (core (2,3)), 1-based +32. */
    int x = 4 + 2 * 4 + 1, y = 2 + 1 + 3;
    char press[8] = { '\033', '[', 'M', ' ', (char)(32 + x + 1), (char)(32 + y + 1), 0 };
    char release[8] = { '\033', '[', 'M', '#', (char)(32 + x + 1), (char)(32 + y + 1), 0 };
    send_raw(press);
    send_raw(release);
    free(wait_for("core(2,3)"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, resize_to_10x5_and_back)
{
    pid_t w = still_writer();
    start_tui(100, 30, "");
    free(wait_for("Explicit L1 buffers"));
    tmux("resize-window -t l1 -x 10 -y 5");
    char *s = wait_for("enlarge");
    free(s);
    tmux("resize-window -t l1 -x 1 -y 1");
    sleep_ms(300);
    tmux("resize-window -t l1 -x 100 -y 30");
    free(wait_for("Explicit L1 buffers"));
    keys("q");
    cr_assert_eq(exit_code(), 0, "still alive and exits cleanly after resizing");
    stop_process(w, SIGTERM);
}

Test(tui, waits_for_a_writer_then_goes_live)
{
    start_tui(100, 30, "");
    char *s = wait_for("l1top --demo"); /* the waiting screen's last line: a capture may catch it half drawn */
    cr_assert_not_null(strstr(s, "Waiting for L1 data"));
    cr_assert_not_null(strstr(s, seg), "names the segment");
    free(s);
    pid_t w = still_writer();
    free(wait_for("Explicit L1 buffers"));
    stop_process(w, SIGKILL);
    free(wait_for("no live writer process"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
}

static void check_shading(const char *locale, const char *left, const char *right)
{
    pid_t w = still_writer();
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 120 -y 40 \"LC_ALL=%s NO_COLOR=1 %s --shm %s; echo l1top-exit=\\$? > %s; sleep 30\"",
         locale, l1top, seg, exit_file);
    char *s = wait_for("Explicit L1 buffers");
    char line[256];
    line_with(s, "\n 0  ", line, sizeof line);
    /* Left half 53.5 % used (shade level 2), right half 26.9 % (level 1). */
    cr_assert_not_null(strstr(line, left), "%s: '%s' lacks %s", locale, line, left);
    cr_assert_not_null(strstr(line, right), "%s: '%s' lacks %s", locale, line, right);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, no_color_uses_ascii_shading_in_the_c_locale)
{
    check_shading("C", ":53", ".26");
}

Test(tui, no_color_uses_block_shading_in_a_utf8_locale)
{
    check_shading("C.UTF-8", "\u259253", "\u259126");
}

Test(tui, sigterm_restores_the_terminal)
{
    pid_t w = still_writer();
    start_tui(100, 30, "");
    free(wait_for("Explicit L1 buffers"));
    tmux("send-keys -t l1 C-c");
    cr_assert_eq(exit_code(), 128 + SIGINT); /* ended by a signal, as a shell reports it */
    char *s = capture();
    cr_assert_null(strstr(s, "Explicit L1 buffers"), "%s", s);
    free(s);
    stop_process(w, SIGTERM);
}

Test(tui, frames_limit_exits_by_itself)
{
    pid_t w = still_writer();
    start_tui(100, 30, "--frames 3");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

/* ---- alerts in the TUI ---- */

static char cfg_path[128];

static void write_tui_config(const char *text)
{
    snprintf(cfg_path, sizeof cfg_path, "/tmp/l1top-tui-config-%d.yaml", (int)getpid());
    FILE *f = fopen(cfg_path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    chmod(cfg_path, 0600); /* exec actions are refused from files others can write, whatever the umask */
}

Test(tui, alerted_cores_are_marked_and_listed)
{
    write_tui_config("alerts:\n  - name: cb-heavy\n    metric: circular_buffers\n    above: 400KiB\n");
    pid_t w = still_writer();
    char extra[256];
    snprintf(extra, sizeof extra, "-c %s", cfg_path);
    start_tui(120, 40, extra);
    char *s = wait_for("Alerts: 32 firing");
    int cells[8];
    heat_row(s, 0, 8, cells); /* still numbers: the mark follows them */
    char line[256];
    line_with(s, "\n 0  ", line, sizeof line);
    cr_assert_not_null(strstr(line, " 53! 53! 53! 53! 26  26  26  26 "), "left half marked: '%s'", line);
    cr_assert_not_null(strstr(s, "cb-heavy"));
    cr_assert_not_null(strstr(s, "ALERTS 32"), "header says so");
    free(s);
    keys("A");
    s = wait_for("Active alerts: 32");
    cr_assert_not_null(strstr(s, "start"), "history lists the starts:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
    unlink(cfg_path);
}

Test(tui, log_and_exec_fire_once_per_alert_start)
{
    char log[128], marker[128], text[1024];
    snprintf(log, sizeof log, "/tmp/l1top-tui-alerts-%d.jsonl", (int)getpid());
    snprintf(marker, sizeof marker, "/tmp/l1top-tui-exec-%d.out", (int)getpid());
    unlink(log);
    unlink(marker);
    snprintf(text, sizeof text,
             "alerts:\n  - name: big-cb\n    metric: circular_buffers\n    scope: device\n    devices: [0]\n    above: 1MiB\n"
             "    actions: [log, exec]\n    log: %s\n    exec: \"echo $L1TOP_ALERT_NAME >> %s\"\n",
             log, marker);
    write_tui_config(text);
    pid_t w = still_writer();
    char extra[256];
    snprintf(extra, sizeof extra, "-c %s --frames 8", cfg_path); /* 8 refreshes at 0.2 s */
    start_tui(120, 40, extra);
    cr_assert_eq(exit_code(), 0);
    sleep_ms(200);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f, "log written");
    char line[512];
    int starts = 0;
    while (fgets(line, sizeof line, f))
        starts += strstr(line, "\"event\":\"start\"") && strstr(line, "\"name\":\"big-cb\"");
    fclose(f);
    cr_assert_eq(starts, 1, "one start line over 8 refreshes, got %d", starts);
    f = fopen(marker, "r");
    cr_assert_not_null(f, "exec ran");
    int runs = 0;
    while (fgets(line, sizeof line, f))
        runs += strcmp(line, "big-cb\n") == 0;
    fclose(f);
    cr_assert_eq(runs, 1);
    stop_process(w, SIGTERM);
    unlink(log);
    unlink(marker);
    unlink(cfg_path);
}

Test(tui, reload_with_errors_keeps_the_old_configuration)
{
    write_tui_config("heatmap: circular_buffers\n");
    pid_t w = still_writer();
    char extra[256];
    snprintf(extra, sizeof extra, "-c %s", cfg_path);
    start_tui(160, 40, extra);
    free(wait_for("[m] circular buffers"));
    write_tui_config("heatmap: [broken\n");
    keys("r");
    char *s = wait_for("config:");
    cr_assert_not_null(strstr(s, "not valid YAML"), "%s", s);
    cr_assert_not_null(strstr(s, "[m] circular buffers"), "old settings kept");
    free(s);
    write_tui_config("allocator_view: true\n");
    tmux("send-keys -t l1 r");
    free(wait_for("[a] allocator view"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
    unlink(cfg_path);
}

Test(tui, unknown_theme_exits_78)
{
    start_tui(100, 30, "--theme sparkly");
    cr_assert_eq(exit_code(), 78);
}

Test(tui, dropped_records_show_in_the_header)
{
    setenv("L1TOP_CAPACITY", "64", 1);
    char *argv[] = { fixture, "declare", "0", "wormhole_b0", "8", "8", "flood", "0", "100", NULL };
    pid_t w = start_ready(seg, argv);
    unsetenv("L1TOP_CAPACITY");
    start_tui(120, 40, "");
    free(wait_for("dropped 36"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

#include "ttm_build.h"

Test(tui, tt_metal_totals_without_per_core_data)
{
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/l1top-tui-ttm-%d", (int)getpid());
    mkdir(dir, 0700);
    static unsigned char b[TTM_BUILD_SIZE];
    ttm_build(b, 4, 2, 555);
    uint64_t live[5] = { 0, 3 << 20, 0, 0, 6 << 20 };
    ttm_build_process(b, 0, (int32_t)getpid(), "model.py", live);
    snprintf(path, sizeof path, "%s/tt_device_555_memory", dir);
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, sizeof b, f);
    fclose(f);
    char extra[256];
    snprintf(extra, sizeof extra, "--source tt-metal --tt-metal-dir %s", dir);
    start_tui(120, 40, extra);
    static const char *const shown[] = { "TT-Metal allocator statistics", "device 2", "no per-core data",
                                         "model.py", "CB 6.00 MiB", NULL };
    char *s = wait_for_all(shown);
    cr_assert_not_null(strstr(s, "device 2"), "%s", s);
    cr_assert_not_null(strstr(s, "no per-core data"));
    cr_assert_not_null(strstr(s, "model.py"));
    cr_assert_not_null(strstr(s, "CB 6.00 MiB"), "%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    unlink(path);
    rmdir(dir);
}

Test(tui, trace_timeline_steps_through_events)
{
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 140 -y 40 \"%s --trace tests/data/trace_report_normal.json; echo l1top-exit=\\$? > %s; sleep 30\"",
         l1top, exit_file);
    char *s = wait_for("node 5 (4/8) in ttnn::matmul  PEAK");
    int cells[8];
    heat_row(s, 0, 8, cells);
    cr_assert_eq(cells[0], 13, "core (0,0) at the peak: 100,352 + 102,784 B of 1,499,136 = 13%%");
    cr_assert_eq(cells[4], 9, "core (4,0): 2,048 + 32,768 + 102,784 B = 9%%");
    free(s);
    keys("Home");
    free(wait_for("node 2 (1/8)"));
    keys("]");
    free(wait_for("node 3 (2/8)"));
    keys("End");
    free(wait_for("node 10 (8/8)"));
    keys("[");
    free(wait_for("node 9 (7/8)"));
    keys("P");
    free(wait_for("PEAK"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
}

/* Display columns of a UTF-8 line (every character here is one column wide). */
static size_t columns(const char *line)
{
    size_t n = 0, len = strlen(line);
    while (len && line[len - 1] == ' ')
        len--;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)line[i] & 0xC0) != 0x80;
    return n;
}

Test(tui, multibyte_process_names_keep_the_columns)
{
    /* 20 omegas: 40 bytes, cut by the writer to 15 (30 bytes, on a boundary). */
    char *wide[] = { fixture, "label", "\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89"
                     "\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89\xcf\x89",
                     "declare", "0", "wormhole_b0", "8", "8", "record", "0", "cb", "0,0,3,7", "0x19180", "1000", "w", NULL };
    char *ascii[] = { fixture, "label", "plain", "declare", "0", "wormhole_b0", "8", "8",
                      "record", "0", "cb", "0,0,3,7", "0x40000", "1000", "a", NULL };
    pid_t w1 = start_ready(seg, wide), w2 = start_ready(seg, ascii);
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 140 -y 30 \"LC_ALL=C.UTF-8 %s --shm %s; echo l1top-exit=\\$? > %s; sleep 30\"", l1top,
         seg, exit_file);
    free(wait_for("Explicit L1 buffers"));
    keys("p");
    char *s = wait_for("plain");
    char a[512], b[512];
    line_with(s, "plain", a, sizeof a);
    line_with(s, "\xcf\x89\xcf\x89\xcf\x89", b, sizeof b);
    cr_assert_eq(columns(a), columns(b), "the columns shift after a multi-byte name:\n%s\n%s", a, b);
    free(s);
    keys("q");
    stop_process(w1, SIGTERM);
    stop_process(w2, SIGTERM);
}

Test(tui, an_exec_action_writes_its_stderr_to_the_log_not_the_screen)
{
    char log[128], text[1024];
    snprintf(log, sizeof log, "/tmp/l1top-tui-stderr-%d.log", (int)getpid());
    unlink(log);
    snprintf(text, sizeof text,
             "alerts:\n  - name: big-cb\n    metric: circular_buffers\n    scope: device\n    devices: [0]\n"
             "    above: 1MiB\n    actions: [log, exec]\n    log: %s\n    exec: \"echo EXEC-STDERR-LINE >&2\"\n",
             log);
    write_tui_config(text);
    pid_t w = still_writer();
    char extra[256];
    snprintf(extra, sizeof extra, "-c %s", cfg_path);
    start_tui(120, 40, extra);
    free(wait_for("Explicit L1 buffers"));
    char *line = NULL;
    for (int i = 0; i < 100 && !line; i++) { /* the command has run once its line is in the log */
        sleep_ms(50);
        FILE *f = fopen(log, "r");
        char buf[4096] = "";
        if (f) {
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            buf[n] = '\0';
            fclose(f);
        }
        if (strstr(buf, "EXEC-STDERR-LINE"))
            line = "found";
    }
    char *s = capture();
    cr_assert_null(strstr(s, "EXEC-STDERR-LINE"), "the command's stderr reached the screen:\n%s", s);
    cr_assert_not_null(line, "the command's stderr is not in the log %s", log);
    free(s);
    keys("q");
    stop_process(w, SIGTERM);
    unlink(log);
    unlink(cfg_path);
}
