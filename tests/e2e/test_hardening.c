/*
 * Hardening, end to end: how l1top ends (hang-up, a dead terminal, signals,
 * a closed pipe), what --demo leaves behind, and hostile files in its way.
 */
#include "proc_util.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static char seg[64], sock[64], fixture[512], l1top[512];

static void hard_setup(void)
{
    setenv("L1TOP_CONFIG", "/dev/null", 0);
    snprintf(seg, sizeof seg, "/l1top-hard-%d", (int)getpid());
    snprintf(sock, sizeof sock, "l1top-hard-%d", (int)getpid());
    shm_unlink(seg);
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
    bin_path(l1top, sizeof l1top, "l1top");
}

static void hard_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "tmux -L %s kill-server >/dev/null 2>&1", sock);
    int rc = system(cmd);
    (void)rc;
    kill_started();
    shm_unlink(seg);
}

TestSuite(hard, .init = hard_setup, .fini = hard_teardown, .timeout = 60);

static void nap_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Alive and not a zombie (an orphan's reaper may be slow or absent). */
static bool alive(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' && close_paren[2] != 'Z';
}

static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    int ppid = -1;
    char state;
    if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
        return -1;
    return ppid;
}

/* The live children of pid, up to max. */
static int children_of(pid_t pid, pid_t *out, int max)
{
    DIR *d = opendir("/proc");
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        pid_t p = (pid_t)atoi(e->d_name);
        if (p > 0 && parent_of(p) == pid && alive(p))
            out[n++] = p;
    }
    closedir(d);
    return n;
}

/* Wait (up to ~5 s) until none of pids is alive; false if one still is. */
static bool all_gone(const pid_t *pids, int n)
{
    for (int t = 0; t < 250; t++) {
        bool any = false;
        for (int i = 0; i < n; i++)
            any = any || alive(pids[i]);
        if (!any)
            return true;
        nap_ms(20);
    }
    return false;
}

static bool demo_segment_exists(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/l1top-demo-%d", (int)pid);
    return access(path, F_OK) == 0;
}

/* Wait until `l1top --demo` (pid) runs its l1sim helpers (one per chip of the default n300); returns them. */
static int wait_demo(pid_t pid, pid_t *kids)
{
    int n = 0;
    for (int t = 0; t < 250 && n < 2; t++) {
        nap_ms(20);
        n = children_of(pid, kids, 8);
    }
    cr_assert_geq(n, 2, "l1top --demo (%d) has %d helpers", (int)pid, n);
    for (int t = 0; t < 250 && !demo_segment_exists(pid); t++)
        nap_ms(20);
    cr_assert(demo_segment_exists(pid));
    return n;
}

/* `l1top --demo --once -n 1000` in the background (it runs for minutes). */
static pid_t start_batch_demo(void)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, STDOUT_FILENO);
        execl(l1top, "l1top", "--demo", "--once", "-n", "1000", "--format", "json", (char *)NULL);
        _exit(127);
    }
    started[nstarted++] = pid;
    return pid;
}

static int wait_exit(pid_t pid)
{
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    for (int i = 0; i < nstarted; i++)
        if (started[i] == pid)
            started[i] = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Test(hard, closing_the_tmux_terminal_ends_the_tui_and_the_demo)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "tmux -L %s new-session -d -s l1 -x 100 -y 30 'exec %s --demo -d 2' >/dev/null 2>&1",
             sock, l1top);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "tmux -L %s list-panes -t l1 -F '#{pane_pid}'", sock);
    FILE *p = popen(cmd, "r");
    int pid = 0;
    cr_assert_eq(fscanf(p, "%d", &pid), 1);
    pclose(p);
    pid_t kids[8];
    int n = wait_demo((pid_t)pid, kids);
    kids[n++] = (pid_t)pid;
    snprintf(cmd, sizeof cmd, "tmux -L %s kill-server >/dev/null 2>&1", sock);
    cr_assert_eq(system(cmd), 0);
    cr_assert(all_gone(kids, n), "l1top or its l1sim helpers outlived their terminal");
    cr_assert_not(demo_segment_exists((pid_t)pid), "the demo segment was left behind");
}

Test(hard, end_of_input_on_the_terminal_ends_the_tui_with_129)
{
    /* A pty that is not our controlling terminal: closing its master sends
     * no SIGHUP, the TUI only sees end of input (as under `nohup`). */
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert_geq(master, 0);
    cr_assert_eq(grantpt(master), 0);
    cr_assert_eq(unlockpt(master), 0);
    char slave[128];
    cr_assert_eq(ptsname_r(master, slave, sizeof slave), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setsid();
        int fd = open(slave, O_RDWR | O_NOCTTY);
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(master);
        setenv("TERM", "xterm", 1);
        execl(l1top, "l1top", "--demo", "-d", "2", (char *)NULL);
        _exit(127);
    }
    started[nstarted++] = pid;
    pid_t kids[8];
    int n = wait_demo(pid, kids);
    char buf[4096];
    cr_assert_gt(read(master, buf, sizeof buf), 0, "the TUI drew nothing");
    close(master);
    for (int t = 0; t < 250 && alive(pid); t++)
        nap_ms(20);
    cr_assert_not(alive(pid), "l1top kept running on a dead terminal");
    cr_assert_eq(wait_exit(pid), 128 + SIGHUP);
    cr_assert(all_gone(kids, n));
    cr_assert_not(demo_segment_exists(pid));
}

Test(hard, sigkill_of_demo_takes_its_helpers_and_the_next_demo_removes_the_segment)
{
    pid_t pid = start_batch_demo();
    pid_t kids[8];
    int n = wait_demo(pid, kids);
    kill(pid, SIGKILL);
    cr_assert_eq(wait_exit(pid), 128 + SIGKILL);
    cr_assert(all_gone(kids, n), "l1sim helpers outlived a SIGKILLed l1top --demo");
    /* (Its segment may be gone already: any later --demo, even a concurrent
     * test's, removes it; the next test checks that on a segment of its own.) */
    char *argv[] = { l1top, "--demo", "--once", NULL };
    cr_assert_eq(run_capture(argv, NULL, NULL), 0);
    cr_assert_not(demo_segment_exists(pid), "a later --demo removes the stale segment of a dead l1top");
}

Test(hard, a_later_demo_removes_only_stale_demo_segments)
{
    pid_t dead = fork(); /* a pid that is surely dead, and reaped */
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char stale[64], live[64];
    snprintf(stale, sizeof stale, "/l1top-demo-%d", (int)dead);
    snprintf(live, sizeof live, "/l1top-demo-%d", (int)getpid()); /* our pid: alive */
    int fd1 = shm_open(stale, O_CREAT | O_EXCL | O_RDWR, 0600), fd2 = shm_open(live, O_CREAT | O_EXCL | O_RDWR, 0600);
    cr_assert(fd1 >= 0 && fd2 >= 0);
    close(fd1);
    close(fd2);
    char *argv[] = { l1top, "--demo", "--once", NULL };
    int rc = run_capture(argv, NULL, NULL);
    bool live_kept = demo_segment_exists(getpid()), stale_kept = demo_segment_exists(dead);
    shm_unlink(live);
    shm_unlink(stale);
    cr_assert_eq(rc, 0);
    cr_assert_not(stale_kept, "the dead owner's segment %s was kept", stale);
    cr_assert(live_kept, "a live owner's segment was removed");
}

Test(hard, sigquit_and_sigusr1_of_demo_leave_nothing_behind)
{
    pid_t pid = start_batch_demo();
    pid_t kids[8];
    int n = wait_demo(pid, kids);
    kill(pid, SIGUSR1); /* a reload request, never an end */
    nap_ms(300);
    cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "SIGUSR1 ended l1top");
    kill(pid, SIGQUIT);
    cr_assert_eq(wait_exit(pid), 128 + SIGQUIT);
    cr_assert(all_gone(kids, n));
    cr_assert_not(demo_segment_exists(pid));
}

Test(hard, sigterm_of_a_batch_run_exits_143_and_cleans_up)
{
    pid_t pid = start_batch_demo();
    pid_t kids[8];
    int n = wait_demo(pid, kids);
    kill(pid, SIGTERM);
    cr_assert_eq(wait_exit(pid), 128 + SIGTERM);
    cr_assert(all_gone(kids, n));
    cr_assert_not(demo_segment_exists(pid));
}

Test(hard, a_closed_pipe_ends_once_quietly_like_cat)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    close(fds[0]); /* the reader is gone before l1top writes: `| head -0` */
    char errp[] = "/tmp/l1top-hard-err-XXXXXX";
    int ef = mkstemp(errp);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(ef, STDERR_FILENO);
        execl(l1top, "l1top", "--demo", "--once", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    started[nstarted++] = pid;
    cr_assert_eq(wait_exit(pid), 128 + SIGPIPE);
    char buf[256] = "";
    ssize_t got = pread(ef, buf, sizeof buf - 1, 0);
    close(ef);
    unlink(errp);
    cr_assert_eq(got, 0, "stderr: %s", buf);
}

Test(hard, an_invalid_segment_name_is_a_usage_error)
{
    char *argv[] = { l1top, "--once", "-s", "/a/b", NULL };
    char *err;
    cr_assert_eq(run_capture(argv, NULL, &err), 64);
    cr_assert(strstr(err, "invalid segment name '/a/b'") != NULL, "%s", err);
    cr_assert_eq(strchr(err, '\n'), strrchr(err, '\n'), "one line: %s", err);
    free(err);
}

/* ---------- names that are not regular files ---------- */

/* run_capture, but a hang is killed after 10 s (alarm survives exec): 142. */
static int run_limited(char *const argv[], char **out, char **err)
{
    char outp[] = "/tmp/l1top-hard-out-XXXXXX", errp[] = "/tmp/l1top-hard-err-XXXXXX";
    int of = mkstemp(outp), ef = mkstemp(errp);
    cr_assert(of >= 0 && ef >= 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(of, STDOUT_FILENO);
        dup2(ef, STDERR_FILENO);
        alarm(10);
        execv(argv[0], argv);
        _exit(127);
    }
    started[nstarted++] = pid;
    int rc = wait_exit(pid);
    int fdl[2] = { of, ef };
    char **dst[2] = { out, err };
    for (int i = 0; i < 2; i++) {
        off_t len = lseek(fdl[i], 0, SEEK_END);
        char *b = calloc(1, (size_t)len + 1);
        cr_assert_eq(pread(fdl[i], b, (size_t)len, 0), len);
        close(fdl[i]);
        if (dst[i])
            *dst[i] = b;
        else
            free(b);
    }
    unlink(outp);
    unlink(errp);
    return rc;
}

static void one_line_naming(const char *err, const char *what, const char *name)
{
    cr_assert(strstr(err, what) != NULL && strstr(err, name) != NULL, "expected '%s' about %s: %s", what, name, err);
    cr_assert_eq(strchr(err, '\n'), strrchr(err, '\n'), "one line: %s", err);
}

Test(hard, a_fifo_named_like_the_segment_is_refused_at_once)
{
    char name[64], path[80];
    snprintf(name, sizeof name, "/l1top-hard-fifo-%d", (int)getpid());
    snprintf(path, sizeof path, "/dev/shm%s", name);
    cr_assert_eq(mkfifo(path, 0600), 0);
    char *argv[] = { l1top, "--once", "--shm", name, NULL };
    char *err;
    int rc = run_limited(argv, NULL, &err);
    unlink(path);
    cr_assert_eq(rc, 74, "exit %d (142: hung in open): %s", rc, err);
    one_line_naming(err, "not a regular file", name);
    free(err);
}

#include "ttm_build.h"

/* dir/tt_device_<asic>_memory (path into out): the first len bytes of a
 * valid v4 file with no process. */
static void write_ttm(char *out, size_t n, const char *dir, int asic, size_t len)
{
    static unsigned char b[TTM_BUILD_SIZE];
    ttm_build(b, 4, 0, (uint64_t)asic);
    snprintf(out, n, "%s/tt_device_%d_memory", dir, asic);
    FILE *f = fopen(out, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(b, 1, len, f), len);
    fclose(f);
}

Test(hard, a_fifo_named_like_tt_metal_statistics_is_skipped_with_a_warning)
{
    char dir[64], good[128], fifo[128];
    snprintf(dir, sizeof dir, "/tmp/l1top-hard-ttm-%d", (int)getpid());
    cr_assert_eq(mkdir(dir, 0700), 0);
    write_ttm(good, sizeof good, dir, 77, TTM_BUILD_SIZE);
    snprintf(fifo, sizeof fifo, "%s/tt_device_99_memory", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    char *argv[] = { l1top, "--once", "--source", "tt-metal", "--tt-metal-dir", dir, NULL };
    char *out, *err;
    int rc = run_limited(argv, &out, &err);
    unlink(fifo);
    unlink(good);
    rmdir(dir);
    cr_assert_eq(rc, 0, "exit %d (142: hung in open): %s", rc, err);
    cr_assert(strstr(out, "tt_device_99_memory: a FIFO, not a regular file") || strstr(err, "a FIFO"),
              "out: %s\nerr: %s", out, err);
    free(out);
    free(err);
}

Test(hard, a_fifo_as_configuration_or_trace_is_refused_at_once)
{
    char fifo[64];
    snprintf(fifo, sizeof fifo, "/tmp/l1top-hard-fifo-%d", (int)getpid());
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    char *argv[] = { l1top, "--once", "--config", fifo, NULL };
    char *err;
    int rc = run_limited(argv, NULL, &err);
    cr_assert_eq(rc, 78, "config: exit %d (142: hung in open): %s", rc, err);
    one_line_naming(err, "a FIFO, not a regular file", fifo);
    free(err);
    char *argv2[] = { l1top, "--once", "--trace", fifo, NULL };
    rc = run_limited(argv2, NULL, &err);
    unlink(fifo);
    cr_assert_eq(rc, 65, "trace: exit %d (142: hung in open): %s", rc, err);
    one_line_naming(err, "a FIFO, not a regular file", fifo);
    free(err);
}

/* ---------- what --once says about TT-Metal files alone ---------- */

Test(hard, tt_metal_only_json_has_the_reading_time_and_the_skipped_files)
{
    char dir[64], good[128], bad[128];
    snprintf(dir, sizeof dir, "/tmp/l1top-hard-ttmw-%d", (int)getpid());
    cr_assert_eq(mkdir(dir, 0700), 0);
    write_ttm(good, sizeof good, dir, 77, TTM_BUILD_SIZE);
    write_ttm(bad, sizeof bad, dir, 78, 100); /* truncated */
    char *argv[] = { l1top, "--once", "--format", "json", "--source", "tt-metal", "--tt-metal-dir", dir, NULL };
    char *out, *err;
    int rc = run_limited(argv, &out, &err);
    unlink(good);
    unlink(bad);
    rmdir(dir);
    cr_assert_eq(rc, 0, "%s", err);
    json_t *root = json_loads(out, 0, NULL);
    cr_assert_not_null(root, "%s", out);
    const char *ts = json_string_value(json_object_get(root, "timestamp"));
    cr_assert(ts && strncmp(ts, "1970", 4) != 0, "timestamp %s", ts ? ts : "(none)");
    json_t *w = json_object_get(root, "warnings");
    cr_assert_eq(json_array_size(w), 1, "%s", out);
    cr_assert(strstr(json_string_value(json_object_get(json_array_get(w, 0), "message")), "tt_device_78_memory: truncated"),
              "%s", out);
    json_decref(root);
    free(out);
    free(err);
}

/* ---------- invalid UTF-8 from a real writer, through every format ---------- */

Test(hard, invalid_utf8_labels_from_a_writer_pass_promtool_and_keep_json_keys)
{
    char *argv[] = { fixture, "label", "bad\xff\xfe\x1b[2Jlabel", "declare", "0", "wormhole_b0", "8", "8",
                     "record", "0", "cb", "0,0,3,7", "0x19180", "1000", "t\xc3", NULL };
    pid_t w = start_ready(seg, argv);
    char *prom_argv[] = { l1top, "--once", "--format", "prometheus", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_limited(prom_argv, &out, NULL), 0);
    promtool_accepts(out);
    free(out);
    json_t *root = l1top_json(seg);
    json_t *proc = json_array_get(json_object_get(device_by_id(root, 0), "processes"), 0);
    cr_assert(json_is_string(json_object_get(proc, "name")), "\"name\": null");
    json_decref(root);
    char *text_argv[] = { l1top, "--once", "--shm", seg, NULL };
    cr_assert_eq(run_limited(text_argv, &out, NULL), 0);
    cr_assert_null(strchr(out, '\x1b'), "an escape sequence reached the terminal: %s", out);
    free(out);
    stop_process(w, SIGTERM);
}
