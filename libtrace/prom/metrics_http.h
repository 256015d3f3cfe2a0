/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Serves the latest exposition at GET /metrics (libmicrohttpd, one internal
 * thread, TLS through its GnuTLS); every other path is 404. The tracing loop publishes a new
 * exposition each interval; requests get a copy taken under a mutex.
 */
#ifndef KMT_METRICS_HTTP_H
#define KMT_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMT_LISTEN_DEFAULT_ADDR "127.0.0.1"

struct kmt_metrics_http;
struct kmt_web_config;

/*
 * Splits "[ADDR:]PORT" ("9464", "127.0.0.1:9464", "[::1]:9464") into host
 * and port; host defaults to KMT_LISTEN_DEFAULT_ADDR. Returns 0 or -EINVAL.
 */
int kmt_listen_parse(const char *spec, char *host, size_t hostlen, char *port, size_t portlen);

/* Whether spec parses and its address is numeric and valid: 0 or -EINVAL. */
int kmt_listen_check(const char *spec);

/*
 * Binds spec and starts serving (an empty exposition until the first
 * publish). web (NULL: plain HTTP, no auth) adds TLS and/or basic auth
 * (web_config.h); it must outlive the server. Every request is
 * authenticated before anything else: 401 with WWW-Authenticate otherwise.
 * Returns 0, or -errno with a message in err (e.g. the port is in use).
 */
int kmt_metrics_http_start(struct kmt_metrics_http **out, const char *spec,
			   const struct kmt_web_config *web, char *err, size_t errlen);

/*
 * Serves with web from now on (SIGHUP: a rotated certificate, new users),
 * on the same listening socket. Connections being answered are closed.
 * Returns 0, or -errno with err saying why: the previous configuration is
 * then served again (and if even that fails, nothing is:
 * kmt_metrics_http_serving() says so).
 */
int kmt_metrics_http_reload(struct kmt_metrics_http *http, const struct kmt_web_config *web,
			    char *err, size_t errlen);

bool kmt_metrics_http_serving(const struct kmt_metrics_http *http);

/*
 * Replaces the served exposition with a copy of text; scrapes share it
 * rather than copy it. Returns 0 or -ENOMEM.
 */
int kmt_metrics_http_publish(struct kmt_metrics_http *http, const char *text, size_t len);

/* Requests that could not be answered completely, since start. */
uint64_t kmt_metrics_http_errors(struct kmt_metrics_http *http);

void kmt_metrics_http_stop(struct kmt_metrics_http *http);

#endif /* KMT_METRICS_HTTP_H */
