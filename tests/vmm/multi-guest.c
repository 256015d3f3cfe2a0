// SPDX-License-Identifier: GPL-2.0
/*
 * --guests G: every guest is its own process, so that a tracer sees G pids
 * each named by its command line the way QEMU guests are. Children are
 * this program again with the same options, --guests=1 and -name guest=NAME-i.
 * With --json each child's stdout is a memfd the parent reads after the
 * child exited: no pipe to drain while waiting, nothing left on disk.
 */
#include "multi-guest.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"
#include "self-exec.h"

#define CHILD_MAX_ARGS	20
#define CHILD_ARG_LEN	(MAX_NAME_LEN + 16)

struct child {
	char name[CHILD_ARG_LEN];
	pid_t pid;
	int json_fd;			/* memfd holding its stdout, or -1 */
	bool failed;			/* already reported */
	char args[CHILD_MAX_ARGS][CHILD_ARG_LEN];
	char *argv[CHILD_MAX_ARGS + 1];
	int argc;
};

static void append_arg(struct child *child, char *arg)
{
	child->argv[child->argc++] = arg;
	child->argv[child->argc] = NULL;
}

static void append_formatted_arg(struct child *child, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void append_formatted_arg(struct child *child, const char *fmt, ...)
{
	char *arg = child->args[child->argc];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(arg, CHILD_ARG_LEN, fmt, ap);
	va_end(ap);
	append_arg(child, arg);
}

/* The options every guest shares, spelled out again for its command line. */
static void build_child_argv(struct child *child, const struct vmm_options *opts,
			     const char *argv0, unsigned int index)
{
	snprintf(child->name, sizeof(child->name), "%s-%u", opts->name, index);
	child->argc = 0;
	append_arg(child, (char *)argv0);
	append_formatted_arg(child, "--guests=1");
	append_formatted_arg(child, "--vcpus=%u", opts->vcpus);
	append_formatted_arg(child, "--writes=%" PRIu32, opts->writes);
	append_formatted_arg(child, "--reads=%" PRIu32, opts->reads);
	append_formatted_arg(child, "--addr=0x%" PRIx64, opts->addr);
	append_formatted_arg(child, "--vcpu-stride=0x%" PRIx64, opts->vcpu_stride);
	append_formatted_arg(child, "--delay-us=%" PRIu32, opts->delay_us);
	append_formatted_arg(child, "--ioeventfd-writes=%" PRIu32, opts->ioeventfd_writes);
	append_formatted_arg(child, "--ioeventfd-addr=0x%" PRIx64, opts->ioeventfd_addr);
	if (opts->hypercalls)
		append_formatted_arg(child, "--hypercalls=%" PRIu32, opts->hypercalls);
	if (opts->wfis)
		append_formatted_arg(child, "--wfi=%" PRIu32, opts->wfis);
	append_formatted_arg(child, "--linger-ms=%" PRIu32, opts->linger_ms);
	if (opts->wait_file) {
		/* A path may not fit a fixed slot: pass the parent's string. */
		append_formatted_arg(child, "--wait-file");
		append_arg(child, (char *)opts->wait_file);
	}
	if (opts->json)
		append_formatted_arg(child, "--json");
	append_formatted_arg(child, "-name");
	append_formatted_arg(child, "guest=%s", child->name);
}

static int start_child(struct child *child)
{
	pid_t parent = getpid();

	child->pid = fork();
	if (child->pid < 0) {
		fprintf(stderr, "test-vmm: fork for guest %s: %s\n", child->name,
			strerror(errno));
		return -1;
	}
	if (child->pid > 0)
		return 0;

	/* A killed parent (e.g. a test timing out) takes its guests along. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(1);
	if (child->json_fd >= 0 && dup2(child->json_fd, STDOUT_FILENO) < 0)
		_exit(1);
	exec_self(child->argv);
	_exit(1);
}

/* 0 when the child exited 0; otherwise says how it ended. */
static int wait_child(struct child *child)
{
	int status;

	child->failed = true;
	while (waitpid(child->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "test-vmm: waitpid guest %s (pid %d): %s\n",
				child->name, (int)child->pid, strerror(errno));
			return -1;
		}
	}
	child->failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!child->failed)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "test-vmm: guest %s (pid %d) failed with exit status %d\n",
			child->name, (int)child->pid, WEXITSTATUS(status));
	else
		fprintf(stderr, "test-vmm: guest %s (pid %d) killed by signal %d (%s)\n",
			child->name, (int)child->pid, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	return -1;
}

/* The child's whole stdout, NUL-terminated; NULL (reported) on failure. */
static char *read_child_output(const struct child *child)
{
	off_t size = lseek(child->json_fd, 0, SEEK_END);
	char *text;

	if (size < 0 || !(text = malloc(size + 1))) {
		fprintf(stderr, "test-vmm: reading guest %s's output: %s\n",
			child->name, strerror(errno));
		return NULL;
	}
	if (pread(child->json_fd, text, size, 0) != size) {
		fprintf(stderr, "test-vmm: reading guest %s's output: short read\n",
			child->name);
		free(text);
		return NULL;
	}
	text[size] = '\0';
	return text;
}

/* Print the GUEST of the child's {"guests":[GUEST]} document. */
static int print_child_guest(const struct child *child, bool first)
{
	size_t head = strlen(JSON_HEAD), tail = strlen(JSON_TAIL), len;
	char *text = read_child_output(child);
	int ret = 0;

	if (!text)
		return -1;
	len = strlen(text);
	if (len == 0 && child->failed) {
		/* It failed before it had anything to say; already reported. */
		ret = -1;
	} else if (len <= head + tail || strncmp(text, JSON_HEAD, head) != 0 ||
	    strcmp(text + len - tail, JSON_TAIL) != 0) {
		fprintf(stderr, "test-vmm: guest %s (pid %d) printed no ground truth JSON\n",
			child->name, (int)child->pid);
		ret = -1;
	} else {
		printf("%s%.*s", first ? "" : ",", (int)(len - head - tail),
		       text + head);
	}
	free(text);
	return ret;
}

int run_guests(const struct vmm_options *opts, const char *argv0)
{
	struct child *children = calloc(opts->guests, sizeof(*children));
	unsigned int started, failed = 0, printed = 0;

	if (!children) {
		fprintf(stderr, "test-vmm: out of memory\n");
		return 1;
	}
	for (unsigned int i = 0; i < opts->guests; i++)
		children[i].json_fd = -1;
	for (started = 0; started < opts->guests; started++) {
		struct child *child = &children[started];

		build_child_argv(child, opts, argv0, started);
		if (opts->json) {
			child->json_fd = memfd_create(child->name, MFD_CLOEXEC);
			if (child->json_fd < 0) {
				fprintf(stderr, "test-vmm: memfd_create: %s\n",
					strerror(errno));
				break;
			}
		}
		if (start_child(child))
			break;
	}
	if (started < opts->guests)
		failed++;

	for (unsigned int i = 0; i < started; i++) {
		if (wait_child(&children[i]))
			failed++;
	}

	if (opts->json) {
		fputs(JSON_HEAD, stdout);
		for (unsigned int i = 0; i < started; i++) {
			if (print_child_guest(&children[i], printed == 0))
				failed++;
			else
				printed++;
		}
		fputs(JSON_TAIL, stdout);
	} else {
		fprintf(stderr, "test-vmm: %u guest(s) started, %u failed\n",
			started, failed);
	}

	for (unsigned int i = 0; i < opts->guests; i++) {
		if (children[i].json_fd >= 0)
			close(children[i].json_fd);
	}
	free(children);
	return failed ? 1 : 0;
}
