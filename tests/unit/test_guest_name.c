// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Guest names from QEMU/libvirt command lines, and the fallback to comm. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "guest_name.h"

/* Builds a NUL-separated command line from a NULL-terminated list. */
static size_t cmdline(char *buf, size_t size, const char *const *args)
{
	size_t used = 0;

	for (; *args; args++) {
		size_t len = strlen(*args) + 1;

		assert_true(used + len <= size);
		memcpy(buf + used, *args, len);
		used += len;
	}
	return used;
}

static void expect_name(const char *const *args, const char *expected)
{
	char buf[512], name[64];
	size_t len = cmdline(buf, sizeof(buf), args);
	bool found = kmt_name_from_cmdline(buf, len, name, sizeof(name));

	if (!expected) {
		assert_false(found);
		return;
	}
	assert_true(found);
	assert_string_equal(name, expected);
}

static void libvirt_guest_key(void **state)
{
	const char *const args[] = { "/usr/bin/qemu-system-x86_64", "-name",
				     "guest=web01,debug-threads=on", "-S", NULL };

	(void)state;
	expect_name(args, "web01");
}

static void plain_name_with_options(void **state)
{
	const char *const a[] = { "qemu", "-name", "db", NULL };
	const char *const b[] = { "qemu", "-name", "db,process=qemu:db", NULL };
	const char *const c[] = { "qemu", "-name", "debug-threads=on,guest=late", NULL };

	(void)state;
	expect_name(a, "db");
	expect_name(b, "db");
	expect_name(c, "late");
}

static void doubled_comma_is_a_comma(void **state)
{
	const char *const args[] = { "qemu", "-name", "guest=a,,b,debug-threads=on", NULL };

	(void)state;
	expect_name(args, "a,b");
}

static void no_name_or_only_options(void **state)
{
	const char *const none[] = { "qemu", "-m", "1G", NULL };
	const char *const dangling[] = { "qemu", "-name", NULL };
	const char *const keys[] = { "qemu", "-name", "debug-threads=on", NULL };

	(void)state;
	expect_name(none, NULL);
	expect_name(dangling, NULL);
	expect_name(keys, NULL);
}

static void long_name_is_truncated_not_overflowed(void **state)
{
	char value[200], buf[512], name[8];
	const char *args[] = { "qemu", "-name", value, NULL };
	size_t len;

	(void)state;
	memset(value, 'x', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	len = cmdline(buf, sizeof(buf), args);
	assert_true(kmt_name_from_cmdline(buf, len, name, sizeof(name)));
	assert_string_equal(name, "xxxxxxx");
}

/* This test process has no -name: it is named by its comm. */
static void live_process_falls_back_to_comm(void **state)
{
	char name[64];

	(void)state;
	assert_true(kmt_guest_name(getpid(), name, sizeof(name)));
	assert_string_equal(name, "test_guest_name");
	assert_false(kmt_guest_name(0x3fffff, name, sizeof(name)));
}

static void cache_keeps_names_until_forgotten(void **state)
{
	struct kmt_names names = { 0 };
	uint64_t me = kmt_proc_start(getpid()), earlier = me - 1000000000ULL;

	(void)state;
	assert_true(kmt_names_learn(&names, getpid(), me, 0));
	assert_true(kmt_names_learn(&names, getpid(), me, 0));
	assert_false(kmt_names_learn(&names, 0x3fffff, me, 0));	/* gone: nothing learnt */
	assert_false(kmt_names_learn(&names, getpid(), earlier, 0));	/* another process's pid now */
	assert_int_equal(names.nr, 1);
	assert_string_equal(kmt_names_get(&names, getpid(), me), "test_guest_name");
	assert_null(kmt_names_get(&names, getpid(), earlier));
	assert_null(kmt_names_get(&names, 0x3fffff, me));
	kmt_names_forget(&names, getpid(), me);
	assert_null(kmt_names_get(&names, getpid(), me));
	kmt_names_free(&names);
}

/* The last argument without its NUL (a VMM that rewrote its argv): nothing past len is read. */
static void unterminated_cmdline_read_within_len(void **state)
{
	static const char text[] = "qemu\0-name\0guest=abc,debug-threads=on";
	char *heap, name[64];
	size_t len = sizeof(text) - 1;	/* without the final NUL */

	(void)state;
	heap = malloc(len);	/* ASan catches a read past the end */
	assert_non_null(heap);
	memcpy(heap, text, len);
	assert_true(kmt_name_from_cmdline(heap, len, name, sizeof(name)));
	assert_string_equal(name, "abc");
	assert_false(kmt_name_from_cmdline(heap, 10, name, sizeof(name)));	/* "-name" cut */
	memcpy(heap + len - 9, "guest=xyz", 9);
	assert_true(kmt_name_from_cmdline(heap, len, name, sizeof(name)));
	free(heap);
}

static void hostile_bytes_become_question_marks(void **state)
{
	const char *args[] = { "qemu", "-name", NULL, NULL };
	char buf[128];

	(void)state;
	args[2] = "guest=a\nb\rc\x1b[2Jd\x7f";
	expect_name(args, "a?b?c?[2Jd?");
	args[2] = "guest=bad\xff\xfe utf8 \xc3\x28";
	expect_name(args, "bad?? utf8 ?(");
	args[2] = "guest=overlong \xc0\xaf surrogate \xed\xa0\x80";
	expect_name(args, "overlong ?? surrogate ???");
	args[2] = "guest=c1 \xc2\x9b csi";
	expect_name(args, "c1 ?? csi");
	args[2] = "guest=caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";	/* é € 😀 stay */
	expect_name(args, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	args[2] = "guest=quote\" back\\slash {brace}";	/* the renderers escape these */
	expect_name(args, "quote\" back\\slash {brace}");
	/* A character cut by truncation does not survive half. */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "guest=", 6);
	memcpy(buf + 6 + 62, "\xc3\xa9", 2);
	buf[6 + 64] = '\0';
	args[2] = buf;
	expect_name(args, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx?");
}

/* A child that sleeps under the command name comm until killed (or we die). */
static pid_t sleeper(const char *comm)
{
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, comm);
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	return pid;
}

/*
 * A pid taken by a new process: each process keeps its own name
 * (ns_last_pid forces the reuse; root only).
 */
static void reused_pid_is_named_again(void **state)
{
	struct kmt_names names = { 0 };
	uint64_t first_start, second_start;
	char last[32];
	pid_t first, second;
	FILE *f;

	(void)state;
	f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	if (!f)
		skip();
	fclose(f);
	first = sleeper("kmt-first");
	first_start = kmt_proc_start(first);
	for (int i = 0; i < 200 && !(kmt_names_get(&names, first, first_start) &&
				     !strcmp(kmt_names_get(&names, first, first_start), "kmt-first"));
	     i++) {
		kmt_names_forget(&names, first, first_start);
		kmt_names_learn(&names, first, first_start, 0);
		usleep(5000);
	}
	assert_string_equal(kmt_names_get(&names, first, first_start), "kmt-first");
	/* Start times tick every 10 ms (USER_HZ): the next process starts in a later tick. */
	usleep(30000);
	kill(first, SIGKILL);
	waitpid(first, NULL, 0);
	snprintf(last, sizeof(last), "%d", first - 1);
	f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	assert_non_null(f);
	fputs(last, f);
	fclose(f);
	second = sleeper("kmt-second");
	second_start = kmt_proc_start(second);
	if (second == first) {
		for (int i = 0; i < 200 && !(kmt_names_get(&names, second, second_start) &&
					     !strcmp(kmt_names_get(&names, second, second_start),
						     "kmt-second")); i++) {
			kmt_names_forget(&names, second, second_start);
			usleep(5000);
			kmt_names_learn(&names, second, second_start, 0);
		}
		assert_string_equal(kmt_names_get(&names, second, second_start), "kmt-second");
		/* The first keeps its name; forgotten, it cannot be learnt from the new one. */
		assert_string_equal(kmt_names_get(&names, first, first_start), "kmt-first");
		kmt_names_forget(&names, first, first_start);
		kmt_names_learn(&names, first, first_start, 0);
		assert_null(kmt_names_get(&names, first, first_start));
	}
	kill(second, SIGKILL);
	waitpid(second, NULL, 0);
	kmt_names_free(&names);
	if (second != first)
		skip();	/* another process took the pid first */
}

/*
 * A known process is named from /proc again only when its exec count (what
 * the BPF programs count) has changed: a forked shell named before it
 * exec'd the VMM is named again after; without an exec, never.
 */
static void named_again_only_after_an_exec(void **state)
{
	struct kmt_names names = { 0 };
	uint64_t start;
	int go[2];
	pid_t child;

	(void)state;
	assert_int_equal(pipe(go), 0);
	child = fork();
	if (!child) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "kmt-pre-exec");
		if (read(go[0], &c, 1) == 1)
			prctl(PR_SET_NAME, "kmt-vmm");	/* what exec does to comm */
		pause();
		_exit(0);
	}
	assert_true(child > 0);
	start = kmt_proc_start(child);
	for (int i = 0; i < 200; i++) {
		kmt_names_learn(&names, child, start, 0);
		if (kmt_names_get(&names, child, start) &&
		    !strcmp(kmt_names_get(&names, child, start), "kmt-pre-exec"))
			break;
		kmt_names_forget(&names, child, start);
		usleep(5000);
	}
	assert_string_equal(kmt_names_get(&names, child, start), "kmt-pre-exec");
	assert_int_equal(write(go[1], "x", 1), 1);
	for (int i = 0; i < 20; i++) {
		usleep(5000);
		kmt_names_learn(&names, child, start, 0);	/* no exec counted: not read again */
	}
	assert_string_equal(kmt_names_get(&names, child, start), "kmt-pre-exec");
	for (int i = 0; i < 200 && strcmp(kmt_names_get(&names, child, start), "kmt-vmm"); i++) {
		usleep(5000);
		kmt_names_learn(&names, child, start, 1);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(go[0]);
	close(go[1]);
	assert_string_equal(kmt_names_get(&names, child, start), "kmt-vmm");
	kmt_names_free(&names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(libvirt_guest_key),
		cmocka_unit_test(plain_name_with_options),
		cmocka_unit_test(doubled_comma_is_a_comma),
		cmocka_unit_test(no_name_or_only_options),
		cmocka_unit_test(long_name_is_truncated_not_overflowed),
		cmocka_unit_test(live_process_falls_back_to_comm),
		cmocka_unit_test(cache_keeps_names_until_forgotten),
		cmocka_unit_test(unterminated_cmdline_read_within_len),
		cmocka_unit_test(hostile_bytes_become_question_marks),
		cmocka_unit_test(reused_pid_is_named_again),
		cmocka_unit_test(named_again_only_after_an_exec),
	};

	return cmocka_run_group_tests_name("guest_name", tests, NULL, NULL);
}
