/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Serves the latest exposition at GET /metrics (libmicrohttpd, one internal
 * thread, TLS through its GnuTLS); every other path is 404. The tracing loop renders a new
 * exposition each interval into a buffer the server lends it and hands it back; requests share
 * it. At a thousand guests it is some 12 MB: one copy is kept, not two.
 */
#ifndef KMT_METRICS_HTTP_H
#define KMT_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "strbuf.h"

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
 * The buffer to render the next exposition into, emptied: the served one's
 * when no response is sending it (written over in place: no new pages to
 * fault in), otherwise a new one. In the first case requests wait from now
 * on, so kmt_metrics_http_publish() or _withdraw() must follow at once.
 */
void kmt_metrics_http_lend(struct kmt_metrics_http *http, struct kmt_strbuf *buf);

/*
 * Serves text from now on, taking its memory: text is left empty, as
 * kmt_strbuf_free() leaves it. The previous exposition is freed once no
 * response is sending it. Returns 0, or -ENOMEM with text left as it was
 * (never after kmt_metrics_http_lend() lent the served buffer).
 */
int kmt_metrics_http_publish(struct kmt_metrics_http *http, struct kmt_strbuf *text);

/*
 * Gives back a lent buffer that holds no exposition (rendering failed) and
 * frees buf. If it was the served one, whose text is lost, requests get 503
 * Service Unavailable until the next publish; otherwise they go on getting
 * the previous exposition.
 */
void kmt_metrics_http_withdraw(struct kmt_metrics_http *http, struct kmt_strbuf *buf);

/* Requests that could not be answered completely, since start. */
uint64_t kmt_metrics_http_errors(struct kmt_metrics_http *http);

void kmt_metrics_http_stop(struct kmt_metrics_http *http);

#endif /* KMT_METRICS_HTTP_H */
