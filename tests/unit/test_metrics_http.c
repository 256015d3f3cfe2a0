// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --listen parsing, the port-in-use error, and what scrapes are served. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include "metrics_http.h"

static void expect_parse(const char *spec, const char *host, const char *port)
{
	char h[64], p[8];

	assert_int_equal(kmt_listen_parse(spec, h, sizeof(h), p, sizeof(p)), 0);
	assert_string_equal(h, host);
	assert_string_equal(p, port);
}

static void test_listen_spec_forms(void **state)
{
	const char *bad[] = { "", ":", "0", "65536", "1.2.3.4:", "::1:9464", "9464x",
			      "1.2.3.4:-1", "[::1]" };
	char h[64], p[8];

	(void)state;
	expect_parse("9464", "127.0.0.1", "9464");
	expect_parse("0.0.0.0:80", "0.0.0.0", "80");
	expect_parse("[::1]:9464", "::1", "9464");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kmt_listen_parse(bad[i], h, sizeof(h), p, sizeof(p)), -EINVAL);
}

static void test_port_in_use_is_a_clear_error(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct kmt_metrics_http *http;
	char spec[32], err[256];
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(spec, sizeof(spec), "%u", ntohs(sa.sin_port));
	assert_int_equal(kmt_metrics_http_start(&http, spec, NULL, err, sizeof(err)), -EADDRINUSE);
	assert_null(http);
	assert_non_null(strstr(err, "Address already in use"));
	assert_non_null(strstr(err, spec));
	close(fd);
}

/* A loopback port nothing listens on now. */
static unsigned short free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* A plain HTTP server on a free loopback port, returned in *port. */
static struct kmt_metrics_http *start_plain(unsigned short *port)
{
	struct kmt_metrics_http *http;
	char spec[16], err[256];

	*port = free_port();
	snprintf(spec, sizeof(spec), "%u", *port);
	assert_int_equal(kmt_metrics_http_start(&http, spec, NULL, err, sizeof(err)), 0);
	return http;
}

/* A connection that has sent GET /metrics; the response is not read yet. */
static int scrape_start(unsigned short port)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t)(sizeof(req) - 1));
	return fd;
}

/*
 * The body of the response on fd, read to its end (the caller frees it);
 * fd is closed. The status must be want.
 */
static char *scrape_status_body(int fd, int want, size_t *len)
{
	size_t cap = 1 << 16, got = 0;
	char *buf = malloc(cap), *body;
	ssize_t n;

	assert_non_null(buf);
	while ((n = read(fd, buf + got, cap - got)) > 0) {
		got += (size_t)n;
		if (got == cap) {
			buf = realloc(buf, cap *= 2);
			assert_non_null(buf);
		}
	}
	close(fd);
	assert_true(got > 12);
	assert_int_equal(atoi(buf + 9), want);	/* "HTTP/1.x NNN" */
	body = memmem(buf, got, "\r\n\r\n", 4);
	assert_non_null(body);
	body += 4;
	*len = got - (size_t)(body - buf);
	memmove(buf, body, *len);
	return buf;
}

static char *scrape_body(int fd, size_t *len)
{
	return scrape_status_body(fd, 200, len);
}

/* Appends size bytes of c. */
static void fill(struct kmt_strbuf *text, char c, size_t size)
{
	char chunk[4096];

	memset(chunk, c, sizeof(chunk));
	for (size_t left = size; left; left -= left < sizeof(chunk) ? left : sizeof(chunk))
		kmt_strbuf_append(text, chunk, left < sizeof(chunk) ? left : sizeof(chunk));
	assert_false(kmt_strbuf_failed(text));
}

/* Publishes size bytes of c, as the exporter does: into the lent buffer, handed back. */
static void publish_filled(struct kmt_metrics_http *http, char c, size_t size)
{
	struct kmt_strbuf text;

	kmt_metrics_http_lend(http, &text);
	assert_int_equal(text.len, 0);
	fill(&text, c, size);
	assert_int_equal(kmt_metrics_http_publish(http, &text), 0);
	assert_null(text.data);
	assert_int_equal(text.len, 0);
}

/* True when body is len bytes of c. */
static bool all_of(const char *body, size_t len, char c, size_t want)
{
	if (len != want)
		return false;
	for (size_t i = 0; i < len; i++)
		if (body[i] != c)
			return false;
	return true;
}

/*
 * The server shares one exposition with the scrapes in flight instead of
 * copying it for each: a scrape still being sent when the next one is
 * published gets the whole of the one it started with, a new scrape the
 * new one, also when it is written over in place (no scrape holds it).
 */
static void scrapes_keep_the_exposition_they_started_with(void **state)
{
	/* Far more than the loopback socket buffers hold: the response stays in flight. */
	const size_t big = 32 << 20;
	unsigned short port;
	struct kmt_metrics_http *http = start_plain(&port);
	struct kmt_strbuf text;
	size_t len;
	char *body;
	int slow;

	(void)state;
	publish_filled(http, 'a', big);
	slow = scrape_start(port);
	usleep(300000);	/* answered: its response holds the 'a' exposition */
	/* So 'b' goes to a buffer of its own. */
	kmt_metrics_http_lend(http, &text);
	assert_null(text.data);
	kmt_strbuf_free(&text);
	publish_filled(http, 'b', big);
	body = scrape_body(scrape_start(port), &len);
	assert_true(all_of(body, len, 'b', big));
	free(body);
	body = scrape_body(slow, &len);
	assert_true(all_of(body, len, 'a', big));
	free(body);
	/* No scrape holds 'b' now: 'c' is written over it. */
	publish_filled(http, 'c', 100);
	body = scrape_body(scrape_start(port), &len);
	assert_true(all_of(body, len, 'c', 100));
	free(body);
	kmt_metrics_http_stop(http);
}

/*
 * While the served exposition is lent out to be written over, a scrape
 * waits for the new one: it never sees a half-written exposition. If it
 * cannot be written, scrapes get 503 until the next one is published.
 */
static void scrapes_wait_for_a_rewrite_and_503_when_it_fails(void **state)
{
	unsigned short port;
	struct kmt_metrics_http *http = start_plain(&port);
	struct kmt_strbuf text;
	char *body, *before;
	size_t len;
	int waiting;

	(void)state;
	publish_filled(http, 'a', 1 << 20);
	kmt_metrics_http_lend(http, &text);
	before = text.data;
	assert_non_null(before);	/* the served buffer: no scrape holds it */
	fill(&text, 'b', 1000);
	waiting = scrape_start(port);
	usleep(300000);	/* the request is in: it waits */
	fill(&text, 'c', 1000);
	assert_int_equal(kmt_metrics_http_publish(http, &text), 0);
	body = scrape_body(waiting, &len);
	assert_int_equal(len, 2000);
	assert_true(all_of(body, 1000, 'b', 1000) && all_of(body + 1000, 1000, 'c', 1000));
	free(body);

	kmt_metrics_http_lend(http, &text);
	assert_ptr_equal(text.data, before);	/* no new pages */
	fill(&text, 'd', 10);
	waiting = scrape_start(port);
	usleep(300000);
	kmt_metrics_http_withdraw(http, &text);
	assert_null(text.data);
	free(scrape_status_body(waiting, 503, &len));
	free(scrape_status_body(scrape_start(port), 503, &len));
	publish_filled(http, 'e', 10);
	body = scrape_body(scrape_start(port), &len);
	assert_true(all_of(body, len, 'e', 10));
	free(body);
	kmt_metrics_http_stop(http);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_spec_forms),
		cmocka_unit_test(test_port_in_use_is_a_clear_error),
		cmocka_unit_test(scrapes_keep_the_exposition_they_started_with),
		cmocka_unit_test(scrapes_wait_for_a_rewrite_and_503_when_it_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
