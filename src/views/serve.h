/*
 * serve.h - `l1top --serve ADDR:PORT`: Prometheus metrics over HTTP
 * (/metrics, /healthz), refreshed on scrape with a cache for the refresh
 * interval. A view: it only formats what its feed gives it.
 */
#ifndef L1TOP_SERVE_H
#define L1TOP_SERVE_H

#include <stddef.h>
#include <sys/socket.h>

#include "model/feed.h"
#include "views/output.h"

enum { SERVE_OK = 0, SERVE_USAGE = 1, SERVE_IOERR = 2 };

/* "127.0.0.1:9617", "[::1]:9617", "localhost:0" (0: any free port). 0, or
 * -1 with a one-line message in err. */
int serve_parse_address(const char *spec, struct sockaddr_storage *out, socklen_t *outlen, char *err,
                        size_t errlen);

/* Serves until SIGINT, SIGTERM or SIGHUP. Prints the bound address on
 * stderr once listening. SERVE_OK, or SERVE_USAGE (bad address) /
 * SERVE_IOERR (cannot listen) with a message in err. */
int serve_run(const char *addr, const feed *f, const output_options *oo, unsigned refresh_ms, char *err,
              size_t errlen);

#endif
