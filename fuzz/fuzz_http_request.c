// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Raw bytes sent to the /metrics server (basic auth on, as --web-config
 * sets it up) over a real loopback connection: whatever arrives, the
 * server answers with an HTTP status line or closes, never crashes, and
 * serves the exposition only to the right credentials.
 */
#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "fuzz_check.h"
#include "metrics_http.h"
#include "web_config.h"

#define EXPOSITION "kvm_mmio_exits_total{guest=\"secret\",pid=\"1\",direction=\"read\"} 1\n"

static struct kmt_web_config web;
static struct kmt_metrics_http *http;
static struct sockaddr_in server = { .sin_family = AF_INET };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE], yaml[256], spec[32], err[256];
	struct kmt_strbuf exposition = { 0 };
	struct crypt_data data = { 0 };
	int fd, one = 1;
	socklen_t len = sizeof(server);

	(void)argc;
	(void)argv;
	/* "prom:pw", cost 4: fast enough to fuzz. */
	FUZZ_CHECK(crypt_gensalt_rn("$2b$", 4, NULL, 0, setting, sizeof(setting)));
	snprintf(yaml, sizeof(yaml), "basic_auth_users:\n  prom: '%s'\n",
		 crypt_rn("pw", setting, &data, sizeof(data)));
	FUZZ_CHECK(!kmt_web_config_parse(&web, yaml, strlen(yaml), "", err, sizeof(err)));
	/* A free port: bind to 0, read it back, release it for the server. */
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	FUZZ_CHECK(!bind(fd, (struct sockaddr *)&server, sizeof(server)));
	FUZZ_CHECK(!getsockname(fd, (struct sockaddr *)&server, &len));
	close(fd);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", ntohs(server.sin_port));
	FUZZ_CHECK(!kmt_metrics_http_start(&http, spec, &web, err, sizeof(err)));
	kmt_strbuf_append(&exposition, EXPOSITION, strlen(EXPOSITION));
	FUZZ_CHECK(!kmt_metrics_http_publish(http, &exposition));
	return 0;
}

/*
 * libFuzzer's -timeout watchdog is a SIGALRM every few seconds, and its
 * handler does not restart system calls: an interrupted call is not a
 * finding. An interrupted connect() goes on in the background.
 */
static int connect_to_server(int fd)
{
	struct pollfd wait = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (!connect(fd, (struct sockaddr *)&server, sizeof(server)))
		return 0;
	if (errno != EINTR)
		return errno;
	while (poll(&wait, 1, -1) < 0)
		if (errno != EINTR)
			return errno;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timeval tv = { .tv_sec = 2 };
	char reply[4096];
	size_t got = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0), err;

	FUZZ_CHECK(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = connect_to_server(fd);
	if (err)
		fprintf(stderr, "connect to the /metrics server: %s\n", strerror(err));
	FUZZ_CHECK(!err);
	for (size_t sent = 0; sent < size; sent += (size_t)n) {
		n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			break;	/* the server may close before reading it all */
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(reply) - 1) {
		n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	reply[got] = '\0';
	close(fd);
	if (got)
		FUZZ_CHECK(!strncmp(reply, "HTTP/1.", 7));
	/*
	 * The exposition only with the right credentials: "prom:pw" is
	 * cHJvbTpwdw== in base64, and any encoding of it starts cHJvbTpwd
	 * (libmicrohttpd's decoder is lenient about the padding after it).
	 */
	if (strstr(reply, "guest=\"secret\""))
		FUZZ_CHECK(memmem(data, size, "cHJvbTpwd", 9));
	return 0;
}
