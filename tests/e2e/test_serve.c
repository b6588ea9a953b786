/*
 * `l1top --serve`: the real exporter on a loopback port, scraped with curl,
 * checked with promtool, compared with `--once --format prometheus`; bad
 * requests, a stalled and an aborted client, a missing segment, shutdown.
 */
#include "proc_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static char seg[64], fixture[512], l1top[512], errpath[96];
static pid_t server;
static unsigned port;

static void setup(void)
{
    snprintf(seg, sizeof seg, "/l1top-serve-%d", (int)getpid());
    snprintf(errpath, sizeof errpath, "/tmp/l1top-serve-err-%d", (int)getpid());
    shm_unlink(seg);
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
    bin_path(l1top, sizeof l1top, "l1top");
    server = 0;
    port = 0;
}

static void teardown(void)
{
    kill_started();
    shm_unlink(seg);
    unlink(errpath);
}

TestSuite(serve, .init = setup, .fini = teardown, .timeout = 60);

static void start_writer(void)
{
    char *argv[] = { fixture, "label", "writer-a", "declare", "0", "wormhole_b0", "8", "8",
                     "record", "0", "cb", "0,0,3,7", "0x20000", "200000", "cbA", NULL };
    start_ready(seg, argv);
}

static void start_server(const char *shm)
{
    server = start_exporter(l1top, shm, "50", errpath, &port);
}

static char *curl(const char *args, const char *path, int *code)
{
    return curl_local(port, args, path, code);
}

Test(serve, metrics_pass_promtool_and_match_once)
{
    start_writer();
    start_server(seg);
    int code;
    char *body = curl("", "/metrics", &code);
    cr_assert_eq(code, 200);
    promtool_accepts(body);
    cr_assert(strstr(body, "l1top_up 1\n"), "%s", body);
    /* Every line of --once --format prometheus is served as it is. */
    char *argv[] = { l1top, "--once", "--format", "prometheus", "--shm", seg, NULL };
    char *once;
    cr_assert_eq(run_capture(argv, &once, NULL), 0);
    char *save, *line = strtok_r(once, "\n", &save);
    int lines = 0;
    for (; line; line = strtok_r(NULL, "\n", &save), lines++)
        cr_assert(strstr(body, line), "served metrics lack '%s'", line);
    cr_assert_gt(lines, 10);
    cr_assert(strstr(body, "category=\"circular_buffers\",tracked=\"false\"} 6400000\n"), "32 cores x 200000 B");
    free(once);
    free(body);
}

Test(serve, scrapes_within_the_refresh_interval_share_one_collection)
{
    start_writer();
    start_server(seg);
    int code;
    for (int i = 0; i < 3; i++)
        free(curl("", "/metrics", &code));
    char *body = curl("", "/metrics", &code);
    cr_assert_eq(code, 200);
    cr_assert(strstr(body, "l1top_exporter_collections_total 1\n"), "four scrapes in 5 s, one collection:\n%s", body);
    free(body);
}

Test(serve, other_paths_and_methods_are_refused)
{
    start_server(seg);
    int code;
    char *b = curl("", "/nope", &code);
    cr_assert_eq(code, 404);
    free(b);
    b = curl("-X POST -d x=1", "/metrics", &code);
    cr_assert_eq(code, 405);
    free(b);
    char cmd[256], headers[1024] = "";
    snprintf(cmd, sizeof cmd, "curl -s --max-time 10 -o /dev/null -D - -X DELETE http://127.0.0.1:%u/metrics", port);
    FILE *p = popen(cmd, "r");
    size_t n = fread(headers, 1, sizeof headers - 1, p);
    headers[n] = '\0';
    pclose(p);
    cr_assert(strstr(headers, " 405 "), "%s", headers);
    cr_assert(strstr(headers, "Allow: GET, HEAD"), "405 names the allowed methods:\n%s", headers);
    b = curl("-I", "/metrics", &code);
    cr_assert_eq(code, 200, "HEAD is allowed");
    free(b);
    b = curl("", "/healthz", &code);
    cr_assert_eq(code, 200);
    cr_assert_str_eq(b, "ok\n");
    free(b);
}

Test(serve, a_missing_segment_is_up_zero_not_an_error)
{
    start_server("/l1top-serve-none-of-this");
    int code;
    char *body = curl("", "/metrics", &code);
    cr_assert_eq(code, 200);
    cr_assert(strstr(body, "l1top_up 0\n"), "%s", body);
    promtool_accepts(body);
    free(body);
}

static int connect_loopback(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

Test(serve, a_stalled_or_aborted_client_does_not_stall_others)
{
    start_writer();
    start_server(seg);
    /* A client that sends half a request and then waits, and one that hangs up mid-request. */
    int stalled = connect_loopback();
    const char half[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
    cr_assert_eq(write(stalled, half, sizeof half - 1), (ssize_t)(sizeof half - 1));
    int aborted = connect_loopback();
    cr_assert_eq(write(aborted, half, 10), 10);
    close(aborted);
    int code;
    char *body = curl("", "/metrics", &code);
    cr_assert_eq(code, 200, "a scrape next to a stalled client");
    cr_assert(strstr(body, "l1top_up 1\n"));
    free(body);
    close(stalled);
}

Test(serve, bad_address_is_a_usage_error_and_a_busy_port_an_io_error)
{
    char *bad[] = { l1top, "--serve", "no-port", NULL };
    char *err;
    cr_assert_eq(run_capture(bad, NULL, &err), 64, "%s", err);
    cr_assert(strstr(err, "ADDR:PORT"), "%s", err);
    free(err);
    char *both[] = { l1top, "--serve", "127.0.0.1:0", "--once", NULL };
    cr_assert_eq(run_capture(both, NULL, NULL), 64);

    start_server(seg);
    char addr[32];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", port);
    char *busy[] = { l1top, "--serve", addr, "--shm", seg, NULL };
    cr_assert_eq(run_capture(busy, NULL, &err), 74, "%s", err);
    cr_assert(strstr(err, "cannot listen"), "%s", err);
    free(err);
}

Test(serve, sigterm_stops_it_cleanly)
{
    start_server(seg);
    int status = stop_process(server, SIGTERM);
    cr_assert(WIFEXITED(status), "ended by a signal instead of exiting");
    cr_assert_eq(WEXITSTATUS(status), 0);
}
