// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* --listen parsing and the port-in-use error. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listen_spec_forms),
		cmocka_unit_test(test_port_in_use_is_a_clear_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
