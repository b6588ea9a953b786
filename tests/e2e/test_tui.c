/*
 * The real TUI inside tmux: send keys, capture the pane, compare what it
 * shows with `l1top --once --format json` on the same (still) segment.
 */
#include "views/format.h"
#include "views/tui_layout.h"
#include "proc_util.h"
#include "spike_writer.h"

#include <dirent.h>
#include <limits.h>
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

static size_t recordings(char names[][400], size_t max, bool remove);

static char cfg_path[128]; /* a test's config file (write_tui_config), removed whatever the test's end */

static void tui_teardown(void)
{
    tmux("kill-server");
    if (cfg_path[0])
        unlink(cfg_path);
    char names[4][400];
    recordings(names, 4, true); /* a failed test's recordings */
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

static const char *last_line(const char *screen, char *out, size_t n);

/* Wait until the pane shows `needle` in a whole frame (up to ~5 s): the key
 * bar, the frame's last line, is there too (a capture may catch a frame
 * half drawn, more so under sanitizers). Returns the capture. */
static char *wait_for(const char *needle)
{
    char *s = NULL, bar[512];
    for (int i = 0; i < 100; i++) {
        free(s);
        s = capture();
        if (strstr(s, needle) && strstr(last_line(s, bar, sizeof bar), "Quit"))
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
        while (*p == '!' || *p == ' ')
            p++; /* the alert mark, at the cell's right end */
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
    heat_row(s, 7, 8, cells); /* two digits even at this width */
    for (int x = 0; x < 8; x++)
        cr_assert_eq(cells[x], x < 4 ? 53 : 26, "core (%d,7): %d\n%s", x, cells[x], s);
    cr_assert_not_null(strstr(s, "100%=1.43 MiB"), "the legend is whole:\n%s", s);
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
    free(wait_for("[m] CB room"));
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
    free(wait_for("chips in id order"));
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
    /* X10 mouse report on core (2,3) where the layout draws it (1-based +32). */
    device_layout l = layout_device(120, 40, 8, 8, NULL);
    int x = l.heat.x + LAYOUT_ROW_LABEL_W + 2 * l.cell_w + 1, y = l.heat.y + 1 + 3 * l.cell_h;
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
    /* One alert for the device, not one per core: its count and its worst core. */
    char *s = wait_for("Alerts: 1 firing");
    int cells[8];
    heat_row(s, 0, 8, cells); /* still numbers: the mark follows them */
    char line[256];
    line_with(s, "\n 0  ", line, sizeof line);
    int marked = 0;
    for (const char *p = line; (p = strstr(p, "53 !")); p++)
        marked++;
    cr_assert_eq(marked, 4, "the left half is marked: '%s'", line);
    cr_assert_null(strstr(strstr(line, "26"), "!"), "the right half is not: '%s'", line);
    cr_assert_not_null(strstr(s, "dev 0: 32/64 cores with circular_buffers over 400 KiB, worst (0,0) 684 KiB"), "%s", s);
    cr_assert_not_null(strstr(s, "ALERTS 1"), "header says so");
    free(s);
    keys("A");
    s = wait_for("Active alerts: 1");
    cr_assert_not_null(strstr(s, "start"), "history lists the start:\n%s", s);
    cr_assert_null(strstr(s, "(3,7)"), "the cores are folded");
    free(s);
    keys("Enter");
    s = wait_for("(3,7)"); /* unfolded: all 32 cores, worst first */
    cr_assert_not_null(strstr(s, "(0,0)  684 KiB"), "%s", s);
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

/* The still writer and the TUI at 120x40 with the alert rules `rules`, whose
 * one %s is the log file (named after `tag` into log); returns the writer. */
static pid_t start_with_alert_log(char *log, size_t n, const char *tag, const char *rules, const char *options)
{
    snprintf(log, n, "/tmp/l1top-tui-%s-%d.log", tag, (int)getpid());
    unlink(log);
    char text[1024], extra[256];
    snprintf(text, sizeof text, rules, log);
    write_tui_config(text);
    pid_t w = still_writer();
    snprintf(extra, sizeof extra, "-c %s %s", cfg_path, options);
    start_tui(120, 40, extra);
    return w;
}

/* A per-core rule over 8 refreshes: one start line for the device, with the count, units and exact integers. */
Test(tui, a_core_rule_logs_one_line_per_device_with_units_and_exact_values)
{
    char log[128];
    pid_t w = start_with_alert_log(log, sizeof log, "corelog",
                                   "alerts:\n  - name: cb-heavy\n    metric: circular_buffers\n    above: 400KiB\n"
                                   "    actions: [log]\n    log: %s\n",
                                   "--frames 8");
    cr_assert_eq(exit_code(), 0);
    FILE *f = fopen(log, "r");
    cr_assert_not_null(f, "log written");
    char line[1024];
    int lines = 0;
    json_t *start = NULL;
    while (fgets(line, sizeof line, f)) {
        lines++;
        json_decref(start);
        start = json_loads(line, 0, NULL);
    }
    fclose(f);
    cr_assert_eq(lines, 1, "one line for device 0's 32 cores, got %d", lines);
    cr_assert_not_null(start);
    cr_assert_str_eq(json_string_value(json_object_get(start, "event")), "start");
    cr_assert_eq(json_integer_value(json_object_get(start, "cores_over")), 32);
    cr_assert_eq(json_integer_value(json_object_get(start, "cores_of")), 64);
    cr_assert(json_is_integer(json_object_get(start, "value")), "bytes as an exact integer");
    cr_assert_eq(json_integer_value(json_object_get(start, "value")), 700000);
    cr_assert_eq(json_integer_value(json_object_get(start, "threshold")), 400 * 1024);
    cr_assert_str_eq(json_string_value(json_object_get(start, "value_text")), "684 KiB");
    cr_assert_str_eq(json_string_value(json_object_get(start, "summary")),
                     "dev 0: 32/64 cores with circular_buffers over 400 KiB, worst (0,0) 684 KiB");
    json_decref(start);
    stop_process(w, SIGTERM);
    unlink(log);
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
    free(wait_for("node 5 (4/8) in ttnn::matmul  PEAK"));
    char *s = wait_for("Hottest cores"); /* drawn after the heatmap: the frame is whole */
    cr_assert_not_null(strstr(s, "node 5 (4/8) in ttnn::matmul  PEAK"));
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
    char log[128];
    pid_t w = start_with_alert_log(log, sizeof log, "stderr",
                                   "alerts:\n  - name: big-cb\n    metric: circular_buffers\n    scope: device\n"
                                   "    devices: [0]\n    above: 1MiB\n    actions: [log, exec]\n    log: %s\n"
                                   "    exec: \"echo EXEC-STDERR-LINE >&2\"\n",
                                   "");
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

/* ---- the screen at three sizes, the key bar, a Galaxy ---- */

/* Rows of the capture with something on them, and the rightmost column used. */
static void screen_usage(const char *screen, int *rows_used, int *right)
{
    *rows_used = 0;
    *right = 0;
    for (const char *line = screen; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        int w = (int)columns(buf);
        *rows_used += w > 0;
        *right = w > *right ? w : *right;
        line = end ? end + 1 : line + len;
    }
}

/* The last non-empty line: the key bar. */
static const char *last_line(const char *screen, char *out, size_t n)
{
    const char *end = screen + strlen(screen);
    while (end > screen && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    const char *start = end;
    while (start > screen && start[-1] != '\n')
        start--;
    snprintf(out, n, "%.*s", (int)(end - start), start);
    return out;
}

static void check_size(int cols, int rows, int min_rows_pct, int min_cols_pct)
{
    pid_t w = still_writer();
    start_tui(cols, rows, "");
    free(wait_for("Explicit L1 buffers"));
    char *s = wait_for("Hottest cores"); /* the panels are drawn: the whole frame is there */
    int used, right;
    screen_usage(s, &used, &right);
    cr_assert_geq(used * 100, rows * min_rows_pct, "%dx%d: %d rows used:\n%s", cols, rows, used, s);
    cr_assert_geq(right * 100, cols * min_cols_pct, "%dx%d: up to column %d:\n%s", cols, rows, right, s);
    /* Nothing essential cut: the tabs, the legend, the table's header, the key bar. */
    cr_assert_not_null(strstr(s, "[0:wormhole_b0 8x8]"), "%dx%d:\n%s", cols, rows, s);
    cr_assert_not_null(strstr(s, "100%=1.43 MiB"), "%dx%d: the legend is whole:\n%s", cols, rows, s);
    cr_assert_not_null(strstr(s, "T/U"), "%dx%d:\n%s", cols, rows, s);
    cr_assert_not_null(strstr(s, "Processes on device 0"), "%dx%d:\n%s", cols, rows, s);
    char bar[512];
    last_line(s, bar, sizeof bar);
    cr_assert(strstr(bar, "q Quit") && strstr(bar, "h Help") && strstr(bar, "Enter Core"), "%dx%d key bar: '%s'",
              cols, rows, bar);
    int cells[8];
    heat_row(s, 7, 8, cells);
    cr_assert(cells[0] == 53 && cells[7] == 26, "%dx%d: two digits a core", cols, rows);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, classic_80x24_uses_the_screen)
{
    check_size(80, 24, 90, 95);
}

Test(tui, a_160x48_terminal_has_no_blank_half)
{
    check_size(160, 48, 75, 70);
}

Test(tui, a_240x70_terminal_has_no_blank_half)
{
    check_size(240, 70, 75, 60);
}

/* Each view's key bar lists that view's keys; a key that cannot act says why. */
Test(tui, every_view_has_its_key_bar_and_keys_explain_themselves)
{
    pid_t w = still_writer();
    start_tui(120, 40, "");
    free(wait_for("Explicit L1 buffers"));
    static const struct { const char *key, *view_mark, *bar_word; } views[] = {
        { "Enter", "Core (0,0) of device 0", "Esc Back" }, { "p", "Processes:", "< > Sort" },
        { "o", "chips in id order", "Enter Open" },        { "A", "Active alerts", "Enter Cores" },
        { "h", "Tracked and untracked", "q Quit" },
    };
    char bar[512];
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        keys(views[i].key);
        char *s = wait_for(views[i].view_mark);
        last_line(s, bar, sizeof bar);
        cr_assert_not_null(strstr(bar, views[i].bar_word), "%s: key bar '%s'", views[i].view_mark, bar);
        cr_assert_not_null(strstr(bar, "h Help"), "%s: '%s'", views[i].view_mark, bar);
        free(s);
        keys("Escape");
        free(wait_for("Explicit L1 buffers"));
    }
    keys("T"); /* no TT-Metal statistics here */
    char *s = wait_for("no TT-Metal statistics");
    cr_assert_not_null(strstr(s, "Explicit L1 buffers"), "T stays in the device view");
    free(s);
    keys("]");
    free(wait_for("no timeline"));
    char *d = wait_for("Explicit L1 buffers");
    cr_assert_null(strstr(last_line(d, bar, sizeof bar), "Core step"), "no timeline, no { } on the bar: '%s'", bar);
    free(d);
    send_raw("}"); /* the core keys (#16) say what live data lacks */
    free(wait_for("live data: { } step a --trace or --replay"));
    keys("Enter");
    free(wait_for("Core (0,0) of device 0"));
    send_raw("c");
    free(wait_for("live data: the map at a core's peak needs a recording"));
    keys("Escape");
    keys("9");
    free(wait_for("no device at position 9"));
    keys("Z");
    free(wait_for("'Z' does nothing in the device view"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, no_color_header_names_no_theme)
{
    pid_t w = still_writer();
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 120 -y 40 \"NO_COLOR=1 %s --shm %s; echo l1top-exit=\\$? > %s; sleep 30\"", l1top,
         seg, exit_file);
    char *s = wait_for("Explicit L1 buffers");
    cr_assert_not_null(strstr(s, "no colour"), "%s", s);
    cr_assert_null(strstr(s, "[t] default"), "%s", s);
    free(s);
    keys("t");
    free(wait_for("themes cannot show"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

#define GALAXY_CHIPS 32

/* A Galaxy: 32 Wormhole chips, each used a little more than the last; with
 * `mesh`, chip i sits at mesh place (5 i mod 32) of the 8x4 mesh, an order
 * unlike the ids'. */
static pid_t galaxy_writer(bool mesh)
{
    static char args[GALAXY_CHIPS * 16][24];
    char *argv[GALAXY_CHIPS * 16 + 4];
    int n = 0;
    argv[n++] = fixture;
    for (int i = 0; i < GALAXY_CHIPS; i++) {
        int k = 0;
#define ARG(...) (snprintf(args[i * 16 + k], sizeof args[0], __VA_ARGS__), argv[n++] = args[i * 16 + k++])
        ARG("declare"), ARG("%d", i), ARG("wormhole_b0"), ARG("8"), ARG("8");
        if (mesh)
            ARG("mesh"), ARG("%d", i), ARG("%d", ((i * 5) % GALAXY_CHIPS) / 4), ARG("%d", ((i * 5) % GALAXY_CHIPS) % 4);
        ARG("record"), ARG("%d", i), ARG("cb"), ARG("0,0,7,7"), ARG("0x19400"), ARG("%d", 100000 + i * 20000), ARG("cb");
#undef ARG
    }
    argv[n] = NULL;
    return start_ready(seg, argv);
}

Test(tui, galaxy_tabs_overflow_and_scroll_with_the_selection)
{
    pid_t w = galaxy_writer(false);
    start_tui(80, 24, "");
    char *s = wait_for("more >");
    char line[256];
    line_with(s, "[0]", line, sizeof line);
    cr_assert_null(strstr(line, "< "), "nothing hidden on the left: '%s'", line);
    cr_assert_null(strstr(s, "8:wormh"), "no tab is cut:\n%s", s);
    free(s);
    keys("9");
    for (int i = 0; i < 12; i++)
        keys("Tab");
    s = wait_for("[20]");
    line_with(s, "[20]", line, sizeof line);
    cr_assert(strstr(line, "more <") == NULL && strstr(line, "< ") && strstr(line, " more >"),
              "hidden tabs on both sides, counted: '%s'", line);
    int left = 0, right = 0;
    cr_assert_eq(sscanf(line, "< %d more", &left), 1, "'%s'", line);
    const char *mark = strstr(line, " more >");
    while (mark > line && mark[-1] >= '0' && mark[-1] <= '9')
        mark--;
    right = atoi(mark);
    cr_assert(left > 0 && right > 0, "'%s'", line);
    int shown = 0; /* the tabs between the marks: " 9 ", "[20]", ... */
    for (const char *p = line + strlen("< 99 more"); p < mark; p++)
        shown += (*p >= '0' && *p <= '9') && !(p[-1] >= '0' && p[-1] <= '9');
    cr_assert_eq(left + shown + right, GALAXY_CHIPS, "%d hidden left, %d shown, %d hidden right: '%s'", left, shown,
                 right, line);
    free(s);
    keys("o");
    s = wait_for("in id order (mesh unknown)");
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, galaxy_overview_follows_the_mesh_with_hottest_core_and_least_free)
{
    pid_t w = galaxy_writer(true);
    start_tui(80, 24, "");
    free(wait_for("Explicit L1 buffers"));
    keys("o");
    char *s = wait_for("on their 8x4 mesh");
    /* Mesh row 0 holds places 0..3: chips 0, 13, 26, 7 (place p holds chip 13 p mod 32). */
    const char *title = strstr(s, "8x4 mesh");
    const char *row0 = strchr(title, '\n') + 1;
    int ids[4];
    cr_assert_eq(sscanf(row0, "%d %*d%% %*s %d %*d%% %*s %d %*d%% %*s %d", &ids[0], &ids[1], &ids[2], &ids[3]), 4,
                 "first tile row: %.80s", row0);
    cr_assert(ids[0] == 0 && ids[1] == 13 && ids[2] == 26 && ids[3] == 7, "mesh row 0: %d %d %d %d\n%s", ids[0],
              ids[1], ids[2], ids[3], s);
    /* Per chip the hottest core and the smallest largest-free block: chip 0 holds a 100,000 B CB on every core. */
    char line[256];
    line_with(row0 + strcspn(row0, "\n") + 1, "(0,0)", line, sizeof line);
    char want[64], lf[24];
    format_bytes(1499136 - 0x19400 - 100000, lf, sizeof lf);
    snprintf(want, sizeof want, "(0,0)13%% %s", lf);
    cr_assert_not_null(strstr(line, want), "'%s' lacks '%s'", line, want);
    free(s);
    keys("Right"); /* chip 0 at (0,0) -> chip 13 at (0,1) */
    keys("Enter");
    free(wait_for("[13]"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

/* ---- the answers (#17): f, /, n N, the top view, the process filter ---- */

/* The still writer's numbers (hand-checked, docs/answers.md): wormhole_b0,
 * unreserved base 0x19400, L1 1,499,136 B. 'act' at 0x100000 on columns
 * 4..7 bounds the device's CB room: 0x100000 - 0x19400 = 945,152 B; a core
 * of columns 0..3 alone has 1,499,136 - 0x19400 = 1,395,712 B. */

/* Like wait_for while a prompt is open: the prompt, not the key bar, is
 * the frame's last line. */
static char *wait_for_prompt(const char *needle)
{
    char *s = NULL, last[512];
    for (int i = 0; i < 100; i++) {
        free(s);
        s = capture();
        last_line(s, last, sizeof last);
        if (strstr(s, needle) && (strncmp(last, "Fit:", 4) == 0 || strncmp(last, "Find:", 5) == 0))
            return s;
        sleep_ms(50);
    }
    cr_assert_fail("the prompt never showed '%s'; the pane shows:\n%s", needle, s);
    return s;
}

/* Heatmap row y as "X53 .53 *26 ...": each cell's mark (the fit's X, a
 * find's *, '.' none; before the digits in a wide cell, after them in a
 * 3-column one) and its number. */
static void heat_marks(const char *screen, int y, int gx, char *out, size_t n)
{
    char label[8];
    snprintf(label, sizeof label, "\n%2d  ", y);
    const char *p = strstr(screen, label);
    cr_assert_not_null(p, "no heatmap row %d in:\n%s", y, screen);
    p += strlen(label);
    size_t used = 0;
    out[0] = '\0';
    for (int x = 0; x < gx; x++) {
        char mark = '.';
        while (*p == ' ')
            p++;
        if (*p == 'X' || *p == '*')
            mark = *p++;
        while (*p == ' ')
            p++;
        cr_assert(*p >= '0' && *p <= '9', "row %d cell %d is '%.8s'", y, x, p);
        long v = strtol(p, (char **)&p, 10);
        if (*p == 'X' || *p == '*')
            mark = *p++;
        while (*p == '!')
            p++;
        used += (size_t)snprintf(out + used, n - used, "%s%c%ld", x ? " " : "", mark, v);
    }
}

Test(tui, fit_prompt_answers_a_failing_and_a_fitting_spec)
{
    pid_t w = still_writer();
    start_tui(200, 50, ""); /* wide: the answer's lines are not wrapped */
    free(wait_for("core(0,0)"));
    keys("f");
    free(wait_for_prompt("Enter runs, Esc cancels"));
    tmux("send-keys -t l1 -l 'cb 1000KiB on 0-0..1-1'");
    keys("Enter");
    static const char *const failing[] = { "Answer: does not fit", "TT-Metal allows 945152 B on this device",
                                           "4 cores (0,0) (1,0) (0,1) (1,1): need 1000 KiB, room 923 KiB",
                                           "in the way: L1 buffer 'act' [0x100000, 0x1493E0)", NULL };
    char *s = wait_for_all(failing);
    cr_assert_not_null(strstr(s, "DOES NOT FIT: 4 failing cores marked X"), "%s", s);
    cr_assert_not_null(strstr(s, "CBs need up to 1024000 B"), "1000 KiB = 1,024,000 B:\n%s", s);
    free(s);
    keys("Escape");
    s = wait_for("fit: 4 cores X");
    char row[96];
    heat_marks(s, 0, 8, row, sizeof row);
    cr_assert_str_eq(row, "X53 X53 .53 .53 .26 .26 .26 .26", "cores (0,0) (1,0) marked");
    heat_marks(s, 1, 8, row, sizeof row);
    cr_assert_str_eq(row, "X53 X53 .53 .53 .26 .26 .26 .26", "cores (0,1) (1,1) marked");
    heat_marks(s, 2, 8, row, sizeof row);
    cr_assert_str_eq(row, ".53 .53 .53 .53 .26 .26 .26 .26", "row 2 holds no failing core");
    free(s);
    /* A SPEC that fits: the sharded buffer goes top-down into the hole above
     * 'act' (0x1493E0 .. 0x16E000): 0x16E000 - 102,400 = 0x155000. */
    keys("f");
    tmux("send-keys -t l1 C-u");
    tmux("send-keys -t l1 -l 'cb 300KiB on 0-0..7-7 + sharded 100KiB on 0-0..3-3'");
    keys("Enter");
    static const char *const fitting[] = { "Answer: fits", "fits at 0x155000 (100 KiB per bank",
                                           "fits (300 KiB above the base on the neediest core)", NULL };
    s = wait_for_all(fitting);
    cr_assert_not_null(strstr(s, "FITS: 0 failing cores"), "%s", s);
    free(s);
    keys("Escape");
    s = wait_for("fit: fits");
    char clean[96];
    heat_marks(s, 0, 8, clean, sizeof clean);
    cr_assert_str_eq(clean, ".53 .53 .53 .53 .26 .26 .26 .26", "nothing marked");
    free(s);
    keys("x");
    s = wait_for("core(0,0)");
    cr_assert_null(strstr(s, "fit:"), "x clears the fit:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, a_bad_spec_shows_its_error_in_place)
{
    pid_t w = still_writer();
    start_tui(120, 40, "");
    free(wait_for("core(0,0)"));
    keys("f");
    tmux("send-keys -t l1 -l 'cb 3KB on 0-0'");
    keys("Enter");
    char *s = wait_for_prompt("bad SPEC at word 2 '3KB'");
    cr_assert_not_null(strstr(s, "Fit: cb 3KB on 0-0"), "the prompt stays open with the line:\n%s", s);
    cr_assert_not_null(strstr(s, "Explicit L1 buffers"), "over the device view:\n%s", s);
    free(s);
    /* Mend it: three ^W take "0-0", "on " and "3KB ", then type on. */
    tmux("send-keys -t l1 C-w C-w C-w");
    free(wait_for_prompt("Fit: cb\n"));
    tmux("send-keys -t l1 -l '3KiB on 0-0'");
    keys("Enter");
    free(wait_for("Answer: fits"));
    keys("f");
    free(wait_for_prompt("Fit: cb 3KiB on 0-0"));
    keys("Escape");
    s = wait_for("Answer: fits");
    cr_assert_null(strstr(s, "Fit: "), "Esc closes the prompt:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, find_marks_matching_cores_and_n_steps_through_them)
{
    pid_t w = still_writer();
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 120 -y 40 \"LC_ALL=C.UTF-8 %s --shm %s -d 2; echo l1top-exit=\\$? > %s; sleep 30\"",
         l1top, seg, exit_file);
    free(wait_for("core(0,0)"));
    keys("/");
    /* Typed with a stray e-acute, taken back by one backspace (two bytes). */
    tmux("send-keys -t l1 -l 'ACT\xc3\xa9'");
    keys("BSpace");
    keys("Enter");
    char *s = wait_for("/ACT: 32 cores * of 32");
    cr_assert_not_null(strstr(s, "core(4,0)"), "the cursor goes to the first match:\n%s", s);
    char row[96];
    heat_marks(s, 3, 8, row, sizeof row);
    cr_assert_str_eq(row, ".53 .53 .53 .53 *26 *26 *26 *26", "columns 4..7 marked");
    free(s);
    keys("n");
    free(wait_for("core(5,0)"));
    keys("N");
    free(wait_for("core(4,0)"));
    keys("N");
    free(wait_for("core(7,7)")); /* backwards past device 1 (no match) to the last one */
    keys("n");
    free(wait_for("core(4,0)"));
    /* A process name matches every region of it, on both devices: 64 + 110. */
    keys("/");
    tmux("send-keys -t l1 -l still");
    keys("Enter");
    free(wait_for("/still: 64 cores * of 174"));
    keys("/");
    tmux("send-keys -t l1 -l nothing-like-it");
    keys("Enter");
    free(wait_for("no core holds 'nothing-like-it'"));
    keys("n");
    keys("x");
    s = wait_for("core(4,0)");
    cr_assert_null(strstr(s, "/nothing"), "%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, top_view_ranks_tags_by_bytes)
{
    pid_t w = still_writer();
    start_tui(120, 40, "");
    free(wait_for("core(0,0)"));
    keys("b");
    char *s = wait_for("Top tags on device 0");
    /* big cb 700,000 B x 32 cores, act 300,000 x 32, kern 50,000 x 8. */
    char want[3][160], b1[32], b2[32], b3[32];
    static const struct { const char *tag; uint64_t tracked, untracked; } rows[3] = {
        { "big cb", 0, 22400000 }, { "act", 9600000, 0 }, { "kern", 0, 400000 },
    };
    for (int i = 0; i < 3; i++)
        snprintf(want[i], sizeof want[i], "%-40s %11s %11s %11s %8u %6u", rows[i].tag,
                 format_bytes(rows[i].tracked, b1, sizeof b1), format_bytes(rows[i].untracked, b2, sizeof b2),
                 format_bytes(rows[i].tracked + rows[i].untracked, b3, sizeof b3), 1u, 1u);
    const char *a = strstr(s, want[0]), *b = strstr(s, want[1]), *c = strstr(s, want[2]);
    cr_assert(a && b && c, "rows\n%s\n%s\n%s\nin:\n%s", want[0], want[1], want[2], s);
    cr_assert(a < b && b < c, "largest first:\n%s", s);
    free(s);
    keys("Down");
    keys("Enter"); /* find 'act' */
    free(wait_for("/act: 32 cores *"));
    keys("b");
    keys("g");
    s = wait_for("Top ops on device 0");
    cr_assert_not_null(strstr(s, " big "), "by op: the tag's first word:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

Test(tui, selecting_a_process_filters_the_heatmap_and_table)
{
    pid_t w = still_writer();
    char *other[] = { fixture, "label", "other", "declare", "0", "wormhole_b0", "8", "8", "record", "0", "cb",
                      "0,0,0,0", "0x130000", "100000", "other cb", NULL };
    pid_t w2 = start_ready(seg, other);
    start_tui(120, 40, "");
    free(wait_for("core(0,0)"));
    keys("p");
    free(wait_for("Processes: 2 writing"));
    keys("'>'"); /* by name: other, then still */
    free(wait_for("sort: NAME"));
    keys("Enter");
    char buf[64];
    snprintf(buf, sizeof buf, "only pid %d (other)  x clears", (int)w2);
    char *s = wait_for(buf);
    char line[256], want[32];
    line_with(s, "Circular buffers", line, sizeof line);
    format_bytes(100000, want, sizeof want);
    cr_assert_not_null(strstr(line, want), "core (0,0) and the device hold only its CB: '%s'", line);
    cr_assert_null(strstr(line, "683"), "not the other process's CB: '%s'", line);
    line_with(s, "Explicit L1 buffers", line, sizeof line);
    snprintf(want, sizeof want, "%10s %10s", "0 B", "0 B");
    cr_assert_not_null(strstr(line, want), "no L1 buffer of it: '%s'", line);
    free(s);
    keys("x");
    s = wait_for("core(0,0)");
    for (int i = 0; i < 100 && strstr(s, "only pid"); i++) {
        free(s);
        sleep_ms(50);
        s = capture();
    }
    cr_assert_null(strstr(s, "only pid"), "x clears the filter:\n%s", s);
    line_with(s, "Explicit L1 buffers", line, sizeof line);
    format_bytes(9600000, want, sizeof want);
    cr_assert_not_null(strstr(line, want), "every process again: '%s'", line);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
    stop_process(w2, SIGTERM);
}

Test(tui, cb_room_metric_and_lines)
{
    pid_t w = still_writer();
    start_tui(200, 50, ""); /* wide: the table's CB room line uncut */
    free(wait_for("core(0,0)"));
    for (int i = 0; i < 5; i++)
        keys("m");
    /* 1,395,712 / 1,499,136 = 93.1 %, 945,152 / 1,499,136 = 63.0 %. */
    char *s = wait_for("[m] CB room");
    int cells[8];
    heat_row(s, 5, 8, cells);
    for (int x = 0; x < 8; x++)
        cr_assert_eq(cells[x], x < 4 ? 93 : 63, "core (%d,5): %d", x, cells[x]);
    cr_assert_not_null(strstr(s, "CB room: core 1.33 MiB (CBs 683 KiB), device 923 KiB: L1 buffer 'act' at 0x100000 on (4,0)"), "%s", s);
    free(s);
    keys("Right");
    keys("Right");
    keys("Right");
    keys("Right");
    s = wait_for("core(4,0)");
    cr_assert_not_null(strstr(s, "CB room: core 923 KiB (CBs 0 B), device 923 KiB"), "%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    stop_process(w, SIGTERM);
}

/* On a trace the answers follow the timeline: at the peak the 32 KiB CB
 * of ttnn::matmul is on all 64 cores; at node 2 no CB is placed; at node 3
 * the first 64 KiB CB covers 0-0..3-3 (16 cores). */
Test(tui, find_and_top_follow_a_trace_timeline)
{
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 140 -y 40 \"%s --trace tests/data/trace_report_normal.json; echo l1top-exit=\\$? > %s; sleep 30\"",
         l1top, exit_file);
    free(wait_for("PEAK"));
    keys("/");
    tmux("send-keys -t l1 -l 'matmul cb'");
    keys("Enter");
    free(wait_for("/matmul cb: 64 cores * of 64"));
    keys("Home");
    free(wait_for("/matmul cb: 0 cores * of 0"));
    keys("]");
    char *s = wait_for("/matmul cb: 16 cores * of 16");
    char row[96];
    heat_marks(s, 3, 8, row, sizeof row);
    cr_assert_str_eq(row, "*11 *11 *11 *11 .6 .6 .6 .6");
    free(s);
    keys("b");
    keys("g");
    /* 2,048 B x 64 cores tracked; 65,536 B x 16 cores untracked. */
    char want[160], b1[32], b2[32], b3[32];
    snprintf(want, sizeof want, "%-40s %11s %11s %11s %8u %6u", "ttnn::matmul", format_bytes(131072, b1, sizeof b1),
             format_bytes(1048576, b2, sizeof b2), format_bytes(131072 + 1048576, b3, sizeof b3), 2u, 1u);
    free(wait_for(want));
    keys("q");
    cr_assert_eq(exit_code(), 0);
}

/* A recording (--record, #16) is a timeline like a trace: the answers on
 * it are those of the live segment it recorded, with the same numbers. */
Test(tui, answers_on_a_recording)
{
    pid_t w = still_writer();
    char rec[128], cmd[1024];
    snprintf(rec, sizeof rec, "/tmp/l1top-tui-rec-%d.rec", (int)getpid());
    snprintf(cmd, sizeof cmd, "%s --record %s --shm %s --duration 1 2>/dev/null", l1top, rec, seg);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    stop_process(w, SIGTERM); /* the recording alone from here */
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 200 -y 50 \"%s --replay %s; echo l1top-exit=\\$? > %s; sleep 30\"", l1top, rec,
         exit_file);
    free(wait_for("core(0,0)"));
    keys("f");
    tmux("send-keys -t l1 -l 'cb 1000KiB on 0-0..1-1'");
    keys("Enter");
    static const char *const failing[] = { "Answer: does not fit", "TT-Metal allows 945152 B on this device",
                                           "4 cores (0,0) (1,0) (0,1) (1,1): need 1000 KiB, room 923 KiB", NULL };
    free(wait_for_all(failing));
    keys("Escape");
    keys("/");
    tmux("send-keys -t l1 -l 'big cb'");
    keys("Enter");
    char *s = wait_for("/big cb: 32 cores * of 32");
    char row[96];
    heat_marks(s, 0, 8, row, sizeof row);
    cr_assert_str_eq(row, "X53 X53 *53 *53 .26 .26 .26 .26", "the fit's X over the find's *");
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    unlink(rec);
}

/* Two clean spikes; then a 64 KiB L1 buffer held on the spike's core, inside
 * the spike's range, and one more spike that clashes with it for its 2 ms
 * (the accounting gives the overlap to the buffer: the CB's clean peak is
 * the one that stays whole). */
#define HELD_ADDR 0x80000u
#define HELD_BYTES 65536u

static void spikes_then_a_clash(l1top_writer *w)
{
    l1top_range core = { SPIKE_X, SPIKE_Y, SPIKE_X, SPIKE_Y };
    spike_n(w, 2);
    if (!l1top_record(w, 0, L1TOP_L1_BUFFER, &core, 1, HELD_ADDR, HELD_BYTES, "held act"))
        _exit(2);
    spike_n(w, 1);
    for (;;)
        pause(); /* held until the test ends it */
}

/* The Circular buffers row of the table, once it shows `want`. */
static char *cb_row_with(const char *want, char *line, size_t n)
{
    for (int i = 0; i < 60; i++) {
        char *s = wait_for("core peak");
        line_with(s, "Circular buffers", line, n);
        if (strstr(line, want))
            return s;
        free(s);
        sleep_ms(100);
    }
    cr_assert_fail("the CB row never showed %s: '%s'", want, line);
    return NULL;
}

/* Issue #16 item 6 in the TUI: a 1 MiB CB that lives 2 ms each second, at a
 * 1 s refresh that never sees it, is the core's peak to the byte (units: B)
 * in the breakdown table, frame after frame, and in the core view; its
 * clash with a held buffer stays in the event log. */
Test(tui, a_2ms_spike_each_second_is_the_core_peak_and_a_latched_clash)
{
    write_tui_config("units: B\n");
    start_writer_on(seg, spikes_then_a_clash, NULL);
    char extra[256], line[512], want[64];
    snprintf(extra, sizeof extra, "-c %s -d 10", cfg_path);
    start_tui(160, 48, extra);
    free(wait_for("Circular buffers"));
    keys("Right");
    keys("Right");
    keys("Right");
    for (int i = 0; i < SPIKE_Y; i++)
        keys("Down");
    free(wait_for("core(3,4)"));
    snprintf(want, sizeof want, "%u B", SPIKE_BYTES);
    free(cb_row_with(want, line, sizeof line));
    for (int frame = 0; frame < 2; frame++) { /* the next refreshes: gone from every snapshot, not from the mark */
        sleep_ms(1000);
        free(cb_row_with(want, line, sizeof line));
        cr_assert(strstr(line, " 0 B "), "frame %d: the core holds no CB now: '%s'", frame, line);
    }
    keys("Enter");
    free(wait_for_all((const char *const[]){ "peak used ", "\"spike\"", NULL }));
    keys("E");
    char *s = wait_for("clash ");
    line_with(s, "clash ", line, sizeof line);
    snprintf(want, sizeof want, "%u B", HELD_BYTES);
    cr_assert(strstr(line, "0 (3,4)") && strstr(line, want) && strstr(line, "spike"),
              "the clash names its core, bytes and op: '%s'", line);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    unlink(cfg_path);
}

/* The TUI drains the rings while it waits for a key (every FEED_POLL_MS
 * while events flow, model/poll_pace.h):
 * 800 events a second through a 64-slot ring at a 1 s refresh lose none, so
 * the peaks stay exact (without the polling every frame laps the ring). */
Test(tui, a_1s_refresh_drains_a_small_ring_between_frames)
{
    char extra[64];
    start_writer_on(seg, steady_spikes, "64");
    snprintf(extra, sizeof extra, "-d 10");
    start_tui(160, 48, extra);
    free(wait_for("peaks since"));
    sleep_ms(3500); /* three refreshes */
    char *s = wait_for("Circular buffers");
    cr_assert(strstr(s, "peaks since") && !strstr(s, "approximate") && !strstr(s, "dropped"),
              "the rings lapped between frames:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
}

/* ---- one core through a timeline, the event log's moments (#16 items 2, 4, 5) ---- */

static void start_trace_tui(const char *extra)
{
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 160 -y 40 \"%s --trace tests/data/trace_report_normal.json %s; echo "
         "l1top-exit=\\$? > %s; sleep 30\"",
         l1top, extra, exit_file);
}

/* { } move a trace to the selected core's next / previous change (core
 * (0,0) of trace_report_normal.json changes at events 2, 4, 6, 7, 8: the brute
 * force of tests/unit/test_core_timeline.c agrees), say when there is none,
 * and c in the core view goes to the core's own peak; live data says what
 * it lacks. */
Test(tui, core_keys_step_a_trace_through_one_core)
{
    start_trace_tui("");
    free(wait_for("node 5 (4/8) in ttnn::matmul  PEAK"));
    keys("Home");
    free(wait_for("node 2 (1/8)"));
    static const char *const steps[] = { "node 3 (2/8)", "node 5 (4/8)", "node 7 (6/8)", "node 9 (7/8)",
                                         "node 10 (8/8)" };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        send_raw("}");
        char *s = wait_for("core (0,0) next change");
        cr_assert(strstr(s, steps[i]), "step %zu: want %s in\n%s", i, steps[i], s);
        free(s);
    }
    send_raw("}");
    free(wait_for("no next change of core (0,0) on device 0"));
    send_raw("{");
    free(wait_for_all((const char *const[]){ "core (0,0) previous change: node 9 (7/8)", NULL }));
    char bar[512];
    char *s = wait_for("Hottest cores");
    cr_assert(strstr(last_line(s, bar, sizeof bar), "{ } Core step"), "the device view's bar: '%s'", bar);
    free(s);
    keys("Enter");
    s = wait_for("[c] this core at its own peak");
    cr_assert(strstr(last_line(s, bar, sizeof bar), "c Core peak"), "the core view's bar: '%s'", bar);
    free(s);
    keys("Home");
    free(wait_for("node 2 (1/8)"));
    send_raw("c");
    s = wait_for("core (0,0) peak: node 5 (4/8) in ttnn::matmul  PEAK");
    cr_assert(strstr(s, "used 13.6%"), "the map shown is the map at the peak:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
}

/* An alert rule on a trace: it fires at the peak (core (0,0) at 13.6%) and
 * clears at the first event (6%); both go to the event log with their
 * step, and Enter on the start goes back there, in the core view. */
Test(tui, alert_transitions_in_the_event_log_and_enter_goes_back_to_them)
{
    char extra[256];
    write_tui_config("alerts:\n  - name: hot-core\n    metric: used_pct\n    above: 10\n");
    snprintf(extra, sizeof extra, "-c %s", cfg_path);
    start_trace_tui(extra);
    free(wait_for("node 5 (4/8) in ttnn::matmul  PEAK"));
    keys("Home");
    free(wait_for("node 2 (1/8)"));
    keys("E");
    char line[512];
    char *s = wait_for_all((const char *const[]){ "cleared", "alert ", NULL });
    line_with(s, "alert ", line, sizeof line);
    cr_assert(strstr(line, "      4  alert    0 (0,0)") && strstr(line, "13.6 %") && strstr(line, "hot-core"),
              "the start: its step, core, value and name: '%s'", line);
    line_with(s, "cleared", line, sizeof line);
    cr_assert(strstr(line, "      1  cleared  0 (0,0)") && strstr(line, "hot-core"), "the stop at step 1: '%s'", line);
    free(s);
    keys("Down"); /* the latest first: the start is the second row */
    keys("Enter");
    s = wait_for("at the event: node 5 (4/8) in ttnn::matmul  PEAK");
    cr_assert(strstr(s, "Core (0,0) of device 0") && strstr(s, "used 13.6%"), "the core at that moment:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    unlink(cfg_path);
}

/* A recording of the spike writer: the clash of its third spike with the
 * held buffer is in the marks of the whole run; the event log names it
 * (from the marks: the replay opens at the first spike) and Enter moves the
 * recording to the change that made it, where the core view shows it. */
Test(tui, a_clash_in_a_recording_opens_at_its_change)
{
    char rec[128], cmd[1024];
    snprintf(rec, sizeof rec, "/tmp/l1top-tui-clash-%d.rec", (int)getpid());
    start_writer_on(seg, spikes_then_a_clash, NULL);
    snprintf(cmd, sizeof cmd, "%s --record %s --shm %s --duration 4 2>/dev/null", l1top, rec, seg);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    kill_started();
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 160 -y 48 \"L1TOP_CONFIG=/dev/null %s --replay %s; echo l1top-exit=\\$? > %s; "
         "sleep 30\"",
         l1top, rec, exit_file);
    free(wait_for("PEAK"));
    keys("E");
    char line[512];
    char *s = wait_for("clash ");
    line_with(s, "clash ", line, sizeof line);
    cr_assert(strstr(line, "0 (3,4)") && strstr(line, "64.0 KiB") && strstr(line, "spike"), "'%s'", line);
    free(s);
    keys("Enter");
    s = wait_for("at the event: change ");
    cr_assert(strstr(s, "Core (3,4) of device 0") && strstr(s, "CLASH"), "the core at its clash:\n%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
    unlink(rec);
}

/* ---- the w key: a recording of the live segment (#16 item 5) ---- */

static char rec_dir[128]; /* the TUI's working directory: the recordings land there */

static void five_spikes(l1top_writer *w) { spike_n(w, SPIKES); }

/* The recordings `w` wrote in rec_dir, sorted: their count; each removed
 * when `remove` (with the directory, once empty). */
static size_t recordings(char names[][400], size_t max, bool remove)
{
    DIR *d = opendir(rec_dir);
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (n < max)
            snprintf(names[n++], sizeof names[0], "%s/%s", rec_dir, e->d_name);
        if (remove) {
            char path[400];
            snprintf(path, sizeof path, "%s/%s", rec_dir, e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    if (remove)
        rmdir(rec_dir);
    qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    return n;
}

/* The TUI started in rec_dir on `source` (an option string). */
static void start_tui_in_rec_dir(const char *source)
{
    snprintf(rec_dir, sizeof rec_dir, "/tmp/l1top-tui-rec-%d", (int)getpid());
    cr_assert_eq(mkdir(rec_dir, 0700), 0, "%s", rec_dir);
    tmux("kill-server");
    tmux("new-session -d -s l1 -x 140 -y 40 -c %s \"%s %s -d 2; echo l1top-exit=\\$? > %s; sleep 30\"", rec_dir,
         l1top, source, exit_file);
}

/* --replay FILE --once --format json: the exit code (1: a 1 MiB peak is past
 * the warning threshold) and the document. */
static json_t *replay_once(const char *file, int *code)
{
    char *argv[] = { l1top, "--replay", (char *)file, "--once", "--format", "json", NULL };
    char *out, *err;
    *code = run_capture(argv, &out, &err);
    cr_assert_str_empty(err, "%s: %s", file, err);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert_not_null(o, "%s: %.200s", file, out);
    free(out);
    free(err);
    return o;
}

/* A spiking writer (1 MiB on (3,4) for 2 ms, every second from 0.5 s), the
 * TUI on it in rec_dir, and w pressed: recording. */
static void start_recording(void)
{
    start_writer_on(seg, five_spikes, NULL);
    char arg[128];
    snprintf(arg, sizeof arg, "--shm %s", seg);
    start_tui_in_rec_dir(arg);
    free(wait_for("Circular buffers"));
    keys("w");
    free(wait_for("REC l1top-"));
}

/* w, ~2 s, w: a file in the working directory with the writer's spikes to the
 * byte and a trailer; w again, then q: the second file is ended cleanly too. */
Test(tui, w_records_the_live_segment_to_a_file_that_replays_its_spikes)
{
    start_recording();
    sleep_ms(2200); /* holds at least one spike: they come a second apart */
    keys("w");
    char *s = wait_for("recorded l1top-");
    cr_assert_null(strstr(s, "REC l1top-"), "stopped: no REC in the header\n%s", s);
    free(s);
    keys("w");
    free(wait_for("REC l1top-"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    char names[4][400];
    size_t n = recordings(names, 4, false);
    cr_assert_eq(n, 2, "one file per w: %zu in %s", n, rec_dir);
    for (size_t i = 0; i < n; i++) {
        cr_assert_not_null(strstr(names[i], "/l1top-"), "%s", names[i]);
        cr_assert_not_null(strstr(names[i], ".l1rec"), "%s", names[i]);
        cr_assert_gt(recording_trailer_offset(names[i]), 0, "%s ended cleanly: a trailer", names[i]);
    }
    /* The first by time: sorted first, unless both have the same second and the second file is -2. */
    size_t stamp = strlen(rec_dir) + strlen("/l1top-YYYYMMDD-HHMMSS");
    size_t first = strncmp(names[0], names[1], stamp) == 0 && strstr(names[0], "-2.l1rec") ? 1 : 0;
    int code;
    json_t *o = replay_once(names[first], &code);
    cr_assert_eq(code, 1, "at the peak the spike's core is past the warning threshold: exit %d", code);
    json_t *dev = device_by_id(o, 0);
    cr_assert_not_null(dev);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(dev, "peak"), "circular_buffers")),
                 (json_int_t)SPIKE_BYTES, "the spike, to the byte");
    json_t *marks = json_object_get(o, "peaks");
    json_int_t changes = json_integer_value(json_object_get(marks, "changes"));
    cr_assert(changes >= 2 && changes % 2 == 0, "whole spikes (a record and its release): %lld",
              (long long)changes);
    cr_assert(json_is_true(json_object_get(marks, "exact")));
    json_decref(o);
    json_decref(replay_once(names[1 - first], &code));
    recordings(names, 4, true);
}

Test(tui, w_on_a_trace_says_there_is_nothing_live_to_record)
{
    char arg[PATH_MAX + 16], trace[PATH_MAX];
    cr_assert_not_null(realpath("tests/data/trace_report_normal.json", trace));
    snprintf(arg, sizeof arg, "--trace %s", trace);
    start_tui_in_rec_dir(arg);
    /* The trace is open when the key bar has its timeline keys (the header
     * names the trace by its absolute path: how much of it fits at 140
     * columns depends on where the checkout is). */
    free(wait_for("[ ] Step"));
    keys("w");
    free(wait_for("nothing live to record"));
    keys("q");
    cr_assert_eq(exit_code(), 0);
    char names[4][400];
    cr_assert_eq(recordings(names, 4, true), 0, "no file written");
}

/* A quitting signal while recording: the file still ends with its trailer. */
Test(tui, a_signal_while_recording_ends_the_file_cleanly)
{
    start_recording();
    tmux("send-keys -t l1 C-c");
    cr_assert_eq(exit_code(), 128 + SIGINT);
    char names[4][400];
    cr_assert_eq(recordings(names, 4, false), 1);
    cr_assert_gt(recording_trailer_offset(names[0]), 0, "%s ended cleanly: a trailer", names[0]);
    int code;
    json_decref(replay_once(names[0], &code));
    cr_assert(code == 0 || code == 1, "exit %d", code);
}

/* The file cannot be created (the working directory is gone): one line on
 * the key bar, and the monitor goes on. */
Test(tui, w_where_no_file_can_be_created_says_why_and_goes_on)
{
    still_writer();
    char arg[128];
    snprintf(arg, sizeof arg, "--shm %s", seg);
    start_tui_in_rec_dir(arg);
    free(wait_for("Explicit L1 buffers"));
    cr_assert_eq(rmdir(rec_dir), 0);
    keys("w");
    free(wait_for("not recording: l1top-"));
    char *s = wait_for("No such file or directory");
    cr_assert_null(strstr(s, "REC l1top-"), "%s", s);
    free(s);
    keys("q");
    cr_assert_eq(exit_code(), 0);
}
