/*
 * serve.c - `l1top --serve ADDR:PORT`: a Prometheus exporter over HTTP.
 *
 * It owns the HTTP side only: libmicrohttpd accepts and parses requests,
 * collection and formatting are the same as `--once --format prometheus`.
 * A scrape refreshes the snapshot unless the last one is younger than the
 * refresh interval (so N Prometheus servers scraping one host cost one
 * collection per interval, not N).
 *
 * Threads: libmicrohttpd runs one internal polling thread (epoll/poll, no
 * thread per connection), and every request handler runs on it. A slow or
 * stalled client cannot hold it: sockets are non-blocking and idle
 * connections are closed after SERVE_CONNECTION_TIMEOUT_S. The main thread
 * waits for SIGINT/SIGTERM/SIGHUP and meanwhile polls the feed (every
 * FEED_POLL_MS while events flow, less often while the rings are quiet:
 * model/poll_pace.h), so the segment's event rings are drained between scrapes
 * (Prometheus scrapes every 15 s or more; a busy writer's ring laps in
 * far less, and the peaks would turn approximate). The feed and the
 * exporter's state are shared by the two threads under `lock`.
 */
#define _GNU_SOURCE
#include "views/serve.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "model/accounting.h"
#include "clock.h"
#include "views/output.h"

enum {
    SERVE_CONNECTION_TIMEOUT_S = 10, /* an idle or stalled client is dropped after this */
    SERVE_CONNECTION_LIMIT = 64,     /* more concurrent clients than any scrape setup needs */
    SERVE_ERR_LEN = 512,
};

static const char INDEX_BODY[] = "l1top exporter\n  /metrics  Prometheus metrics\n  /healthz  liveness\n";

typedef struct {
    pthread_mutex_t lock;   /* feed, snap, body: the handler and the poller */
    const feed *feed;
    const output_format *format; /* what /metrics serves: prometheus */
    const output_options *oo;
    unsigned refresh_ms;
    snapshot snap;          /* reused between scrapes */
    char *body;             /* the last exposition text */
    size_t len;
    uint64_t made_ns;       /* monotonic time of body, 0 = never */
    uint64_t scrapes;       /* requests for /metrics served */
    uint64_t collections;   /* of which refreshed the snapshot */
} exporter;

/* Formats the current snapshot, or only l1top_up 0 with the reason when
 * the source cannot be read (a host with no running model is normal). */
static int make_body(exporter *e, FILE *f)
{
    char err[SERVE_ERR_LEN] = "";
    uint64_t t0 = clock_monotonic_ns();
    source_status st = feed_fill(e->feed, &e->snap, err, sizeof err);
    int rc = 0;
    if (st == SRC_OK) {
        accounting a;
        if (accounting_compute(&e->snap, &a) != 0)
            return -1;
        output_options oo = *e->oo;
        oo.warning = feed_warning(e->feed);
        rc = e->format->once(f, &e->snap, &a, &oo);
        accounting_free(&a);
    } else {
        fprintf(f, "# l1top: %s\n", err[0] ? err : "unavailable");
    }
    fprintf(f, "# HELP l1top_up 1 when the last collection read its source, else 0.\n# TYPE l1top_up gauge\n"
               "l1top_up %d\n", st == SRC_OK);
    fprintf(f, "# HELP l1top_collection_duration_seconds Time the last collection and formatting took.\n"
               "# TYPE l1top_collection_duration_seconds gauge\nl1top_collection_duration_seconds %.6f\n",
            (double)(clock_monotonic_ns() - t0) / 1e9);
    fprintf(f, "# HELP l1top_exporter_collections_total Collections made (scrapes within the refresh interval "
               "reuse the last one).\n# TYPE l1top_exporter_collections_total counter\n"
               "l1top_exporter_collections_total %llu\n", (unsigned long long)e->collections);
    return rc;
}

/* Brings e->body up to date unless it is younger than the refresh interval. */
static int refresh(exporter *e)
{
    uint64_t now = clock_monotonic_ns();
    if (e->body && now - e->made_ns < (uint64_t)e->refresh_ms * 1000000u)
        return 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -1;
    e->collections++;
    int rc = make_body(e, f);
    if (fclose(f) != 0 || rc != 0) {
        free(buf);
        return -1;
    }
    free(e->body);
    e->body = buf;
    e->len = len;
    e->made_ns = now;
    return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, const char *body,
                             size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return reply(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_len, void **req)
{
    (void)version;
    (void)upload;
    (void)upload_len;
    (void)req;
    exporter *e = cls;
    bool known = strcmp(url, "/metrics") == 0 || strcmp(url, "/healthz") == 0 || strcmp(url, "/") == 0;
    if (!known)
        return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET or HEAD\n");
    if (strcmp(url, "/healthz") == 0)
        return reply_text(c, MHD_HTTP_OK, "ok\n");
    if (strcmp(url, "/") == 0)
        return reply_text(c, MHD_HTTP_OK, INDEX_BODY);
    pthread_mutex_lock(&e->lock);
    e->scrapes++;
    enum MHD_Result r = refresh(e) != 0
        ? reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "l1top: collection failed (out of memory?)\n")
        : reply(c, MHD_HTTP_OK, e->format->content_type, e->body, e->len); /* the body is copied */
    pthread_mutex_unlock(&e->lock);
    return r;
}

int serve_parse_address(const char *spec, struct sockaddr_storage *out, socklen_t *outlen, char *err,
                        size_t errlen)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) {
        snprintf(err, errlen, "--serve takes ADDR:PORT (e.g. 127.0.0.1:9617 or [::]:9617), not '%s'", spec);
        return -1;
    }
    size_t hlen = (size_t)(colon - spec);
    const char *h = spec;
    if (spec[0] == '[' && hlen >= 2 && spec[hlen - 1] == ']') { /* [v6]:port */
        h++;
        hlen -= 2;
    }
    if (hlen >= sizeof host) {
        snprintf(err, errlen, "--serve: address too long");
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || port > 65535 || colon[1] == '-' || colon[1] == '+') {
        snprintf(err, errlen, "--serve: bad port '%s' (0-65535; 0 picks a free one)", colon + 1);
        return -1;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int g = getaddrinfo(host, colon + 1, &hints, &res);
    if (g != 0 || !res) {
        snprintf(err, errlen, "--serve: cannot resolve '%s': %s", host, gai_strerror(g));
        return -1;
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *outlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* The signals that end the exporter are blocked in every thread (the
 * polling thread inherits the mask); wait for one, polling the feed at its
 * pace meanwhile. */
static void wait_for_stop(const sigset_t *set, exporter *e)
{
    poll_pace pace;
    poll_pace_init(&pace);
    for (;;) {
        const struct timespec tick = { (time_t)(pace.ms / 1000u), (long)(pace.ms % 1000u) * 1000000L };
        if (sigtimedwait(set, NULL, &tick) >= 0)
            return;
        pthread_mutex_lock(&e->lock);
        feed_poll(e->feed, &pace, (double)clock_monotonic_ns() / 1e6);
        pthread_mutex_unlock(&e->lock);
    }
}

/* "HOST:PORT" of the socket actually bound, for the start-up line. */
static void bound_name(struct MHD_Daemon *d, const struct sockaddr_storage *sa, socklen_t salen, char *out,
                       size_t n)
{
    char host[NI_MAXHOST] = "?";
    getnameinfo((const struct sockaddr *)sa, salen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    bool v6 = sa->ss_family == AF_INET6;
    snprintf(out, n, "%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "", info ? (unsigned)info->port : 0u);
}

int serve_run(const char *addr, const feed *f, const output_options *oo, unsigned refresh_ms, char *err,
              size_t errlen)
{
    struct sockaddr_storage sa;
    socklen_t salen;
    if (serve_parse_address(addr, &sa, &salen, err, errlen) != 0)
        return SERVE_USAGE;
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    exporter e = { .lock = PTHREAD_MUTEX_INITIALIZER, .feed = f, .format = output_format_by_name("prometheus"),
                   .oo = oo, .refresh_ms = refresh_ms };
    snapshot_init(&e.snap);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    if (sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, handle, &e, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)SERVE_CONNECTION_LIMIT, MHD_OPTION_END);
    int rc = SERVE_OK;
    if (!d) {
        snprintf(err, errlen, "--serve %s: cannot listen: %s", addr, strerror(errno ? errno : EADDRINUSE));
        rc = SERVE_IOERR;
    } else {
        char name[NI_MAXHOST + 16];
        bound_name(d, &sa, salen, name, sizeof name);
        fprintf(stderr, "l1top: serving http://%s/metrics (segment %s)\n", name, f->label);
        wait_for_stop(&stop, &e);
        MHD_stop_daemon(d);
    }
    free(e.body);
    snapshot_free(&e.snap);
    return rc;
}
