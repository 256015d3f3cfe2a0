// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include "metrics_http.h"
#include "web_config.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define REALM "kvm-mmio-top"

/*
 * The exposition being served, shared with the responses still sending it:
 * a scrape takes a reference instead of a copy (some 12 MB at a thousand
 * guests), and whoever drops the last one frees it.
 */
struct exposition {
	atomic_uint refs;
	struct kmt_strbuf text;
};

struct kmt_metrics_http {
	struct MHD_Daemon *daemon;
	const struct kmt_web_config *web;	/* NULL: plain HTTP, no auth */
	int fd;			/* listening; ours until the first daemon starts */
	char spec[128];
	pthread_mutex_t lock;	/* guards current, rewriting, unavailable and errors */
	pthread_cond_t published;	/* rewriting ended */
	struct exposition *current;	/* NULL until the first publish */
	bool rewriting;		/* current's text is lent out to be written over */
	bool unavailable;	/* it was, and could not be rendered again: 503 */
	uint64_t errors;
};

static void release(void *cls)
{
	struct exposition *exp = cls;

	if (exp && atomic_fetch_sub(&exp->refs, 1) == 1) {
		kmt_strbuf_free(&exp->text);
		free(exp);
	}
}

/*
 * The exposition with a reference for the caller, or NULL (none yet, or
 * *unavailable). Waits while it is being written over.
 */
static struct exposition *take_current(struct kmt_metrics_http *http, bool *unavailable)
{
	struct exposition *exp;

	pthread_mutex_lock(&http->lock);
	while (http->rewriting)
		pthread_cond_wait(&http->published, &http->lock);
	*unavailable = http->unavailable;
	exp = *unavailable ? NULL : http->current;
	if (exp)
		atomic_fetch_add(&exp->refs, 1);
	pthread_mutex_unlock(&http->lock);
	return exp;
}

int kmt_listen_parse(const char *spec, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(spec, ':');
	const char *h = KMT_LISTEN_DEFAULT_ADDR, *p = spec;
	size_t hlen = strlen(KMT_LISTEN_DEFAULT_ADDR);

	if (colon) {
		h = spec;
		hlen = (size_t)(colon - spec);
		p = colon + 1;
		/* "[::1]:9464": the brackets only delimit an IPv6 address. */
		if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
			h++;
			hlen -= 2;
		} else if (memchr(h, ':', hlen) || memchr(h, '[', hlen)) {
			return -EINVAL;
		}
	}
	if (!hlen || hlen >= hostlen || !*p || strlen(p) >= portlen ||
	    strspn(p, "0123456789") != strlen(p) || atoi(p) < 1 || atoi(p) > 65535)
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	strcpy(port, p);
	return 0;
}

#define LISTEN_HOST_SIZE 64	/* an IPv6 literal with scope fits */
#define LISTEN_PORT_SIZE 8

/*
 * spec, parsed into host and port (LISTEN_*_SIZE bytes) and resolved for a
 * listening socket: 0, or -EINVAL with what is wrong in err.
 */
static int resolve_listen(const char *spec, char *host, char *port, struct addrinfo **ai,
			  char *err, size_t errlen)
{
	const struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
	};
	int rc;

	if (kmt_listen_parse(spec, host, LISTEN_HOST_SIZE, port, LISTEN_PORT_SIZE)) {
		snprintf(err, errlen, "invalid --listen '%s': expected [ADDR:]PORT, "
			 "e.g. 9464, 127.0.0.1:9464 or [::1]:9464", spec);
		return -EINVAL;
	}
	rc = getaddrinfo(host, port, &hints, ai);
	if (rc) {
		snprintf(err, errlen, "invalid --listen address '%s': %s", host, gai_strerror(rc));
		return -EINVAL;
	}
	return 0;
}

int kmt_listen_check(const char *spec)
{
	char host[LISTEN_HOST_SIZE], port[LISTEN_PORT_SIZE], err[1];
	struct addrinfo *ai;

	if (resolve_listen(spec, host, port, &ai, err, sizeof(err)))
		return -EINVAL;
	freeaddrinfo(ai);
	return 0;
}

static int listen_on(const char *spec, char *err, size_t errlen)
{
	char host[LISTEN_HOST_SIZE], port[LISTEN_PORT_SIZE];
	struct addrinfo *ai;
	int fd, rc, one = 1;

	rc = resolve_listen(spec, host, port, &ai, err, errlen);
	if (rc)
		return rc;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		rc = -errno;
	else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		 bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16))
		rc = -errno;
	freeaddrinfo(ai);
	if (!rc)
		return fd;
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "cannot listen on %s port %s: %s%s", host, port, strerror(-rc),
		 rc == -EADDRINUSE ? " (another exporter on this port? choose another with --listen)"
				   : "");
	return rc;
}

/* basic_auth_users: whether the request carries one of them. */
static bool authorized(const struct kmt_web_config *web, struct MHD_Connection *conn)
{
	char *password = NULL, *user;
	bool ok;

	if (!web || !web->nr_users)
		return true;
	user = MHD_basic_auth_get_username_password(conn, &password);
	ok = user && password && kmt_web_config_check(web, user, password);
	if (password) {
		explicit_bzero(password, strlen(password));
		MHD_free(password);
	}
	if (user)
		MHD_free(user);
	return ok;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req_state)
{
	struct kmt_metrics_http *http = cls;
	struct MHD_Response *resp;
	unsigned int status = MHD_HTTP_OK;
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req_state;
	if (!authorized(http->web, conn)) {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		ret = MHD_queue_basic_auth_fail_response(conn, REALM, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else if (strcmp(url, "/metrics")) {
		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		bool unavailable;
		struct exposition *exp = take_current(http, &unavailable);

		if (unavailable)
			status = MHD_HTTP_SERVICE_UNAVAILABLE;
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
			exp ? exp->text.len : 0, exp ? exp->text.data : NULL, release, exp);
		if (resp && !unavailable)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
		else if (!resp)
			release(exp);
	}
	if (!resp)
		return MHD_NO;	/* counted as an error when the request completes */
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **req_state,
		      enum MHD_RequestTerminationCode toe)
{
	struct kmt_metrics_http *http = cls;

	(void)conn;
	(void)req_state;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		return;
	pthread_mutex_lock(&http->lock);
	http->errors++;
	pthread_mutex_unlock(&http->lock);
}

/* A daemon on http->fd with http->web's TLS; NULL with err on failure. */
static struct MHD_Daemon *start_daemon(struct kmt_metrics_http *http, const char *spec,
				       char *err, size_t errlen)
{
	/* ITC: MHD_quiesce_daemon() hands the socket back for a reload. */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC;
	const struct kmt_web_config *web = http->web;
	struct MHD_OptionItem tls[4] = { { MHD_OPTION_END, 0, NULL } };
	struct MHD_Daemon *daemon;

	if (web && web->tls) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "this libmicrohttpd was built without TLS: "
				 "tls_server_config cannot be served");
			return NULL;
		}
		flags |= MHD_USE_TLS;
		tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, web->cert };
		tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, web->key };
		tls[2] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						  (void *)kmt_web_config_tls_priorities(web) };
	}
	if (web && web->nr_users && MHD_is_feature_supported(MHD_FEATURE_BASIC_AUTH) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd was built without basic auth: "
			 "basic_auth_users cannot be checked");
		return NULL;
	}
	daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, http,
				  MHD_OPTION_LISTEN_SOCKET, http->fd,
				  MHD_OPTION_NOTIFY_COMPLETED, completed, http,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10U,
				  MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (!daemon && web && web->tls)
		snprintf(err, errlen, "cannot start the HTTPS server on %s: libmicrohttpd (GnuTLS) "
			 "refused the certificate %s or the key %s (PEM, and matching each "
			 "other?)", spec, web->cert_file, web->key_file);
	else if (!daemon)
		snprintf(err, errlen, "cannot start the HTTP server on %s (libmicrohttpd)", spec);
	return daemon;
}

int kmt_metrics_http_start(struct kmt_metrics_http **out, const char *spec,
			   const struct kmt_web_config *web, char *err, size_t errlen)
{
	struct kmt_metrics_http *http;
	int fd;

	*out = NULL;
	fd = listen_on(spec, err, errlen);
	if (fd < 0)
		return fd;
	http = calloc(1, sizeof(*http));
	if (!http) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	http->fd = fd;
	http->web = web;
	snprintf(http->spec, sizeof(http->spec), "%s", spec);
	pthread_mutex_init(&http->lock, NULL);
	pthread_cond_init(&http->published, NULL);
	http->daemon = start_daemon(http, spec, err, errlen);
	if (!http->daemon) {
		kmt_metrics_http_stop(http);
		return -EIO;
	}
	*out = http;
	return 0;
}

int kmt_metrics_http_reload(struct kmt_metrics_http *http, const struct kmt_web_config *web,
			    char *err, size_t errlen)
{
	const struct kmt_web_config *old = http->web;
	char again[256];

	/* The listening socket stays open: connections wait in its backlog meanwhile. */
	if (MHD_quiesce_daemon(http->daemon) == MHD_INVALID_SOCKET) {
		snprintf(err, errlen, "libmicrohttpd cannot hand back the listening socket");
		return -EIO;
	}
	MHD_stop_daemon(http->daemon);
	http->web = web;
	http->daemon = start_daemon(http, http->spec, err, errlen);
	if (http->daemon)
		return 0;
	http->web = old;
	http->daemon = start_daemon(http, http->spec, again, sizeof(again));
	if (!http->daemon)
		snprintf(err + strlen(err), errlen - strlen(err),
			 "; the previous configuration failed too: %s", again);
	return -EIO;
}

bool kmt_metrics_http_serving(const struct kmt_metrics_http *http)
{
	return http->daemon != NULL;
}

void kmt_metrics_http_lend(struct kmt_metrics_http *http, struct kmt_strbuf *buf)
{
	struct exposition *exp;

	memset(buf, 0, sizeof(*buf));
	pthread_mutex_lock(&http->lock);
	exp = http->current;
	/* No new reference can be taken meanwhile: take_current() needs the lock. */
	if (exp && atomic_load(&exp->refs) == 1) {
		*buf = exp->text;
		memset(&exp->text, 0, sizeof(exp->text));
		kmt_strbuf_reset(buf);
		http->rewriting = true;
	}
	pthread_mutex_unlock(&http->lock);
}

/* Ends a rewrite: requests go on with current, or with 503 if unavailable. */
static void end_rewrite(struct kmt_metrics_http *http, bool unavailable)
{
	http->rewriting = false;
	http->unavailable = unavailable;
	pthread_cond_broadcast(&http->published);
}

int kmt_metrics_http_publish(struct kmt_metrics_http *http, struct kmt_strbuf *text)
{
	struct exposition *exp, *old;

	pthread_mutex_lock(&http->lock);
	if (http->rewriting) {
		http->current->text = *text;
		memset(text, 0, sizeof(*text));
		end_rewrite(http, false);
		pthread_mutex_unlock(&http->lock);
		return 0;
	}
	pthread_mutex_unlock(&http->lock);
	exp = malloc(sizeof(*exp));
	if (!exp)
		return -ENOMEM;
	atomic_init(&exp->refs, 1);
	exp->text = *text;
	memset(text, 0, sizeof(*text));
	pthread_mutex_lock(&http->lock);
	old = http->current;
	http->current = exp;
	http->unavailable = false;
	pthread_mutex_unlock(&http->lock);
	release(old);
	return 0;
}

void kmt_metrics_http_withdraw(struct kmt_metrics_http *http, struct kmt_strbuf *buf)
{
	pthread_mutex_lock(&http->lock);
	if (http->rewriting) {
		/* Its memory serves the next rewrite; what it holds is no exposition. */
		kmt_strbuf_truncate(buf, 0);
		http->current->text = *buf;
		memset(buf, 0, sizeof(*buf));
		end_rewrite(http, true);
	}
	pthread_mutex_unlock(&http->lock);
	kmt_strbuf_free(buf);
}

uint64_t kmt_metrics_http_errors(struct kmt_metrics_http *http)
{
	uint64_t errors;

	pthread_mutex_lock(&http->lock);
	errors = http->errors;
	pthread_mutex_unlock(&http->lock);
	return errors;
}

void kmt_metrics_http_stop(struct kmt_metrics_http *http)
{
	if (!http)
		return;
	if (http->daemon)
		MHD_stop_daemon(http->daemon);
	/* MHD closes a socket it was given only when it started. */
	if (!http->daemon)
		close(http->fd);
	pthread_cond_destroy(&http->published);
	pthread_mutex_destroy(&http->lock);
	release(http->current);
	free(http);
}
