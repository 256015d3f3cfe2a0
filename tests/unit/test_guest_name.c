// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Guest names from QEMU/libvirt command lines, and the fallback to comm. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
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

	(void)state;
	kmt_names_learn(&names, getpid());
	kmt_names_learn(&names, getpid());
	kmt_names_learn(&names, 0x3fffff);	/* gone: nothing learnt */
	assert_int_equal(names.nr, 1);
	assert_string_equal(kmt_names_get(&names, getpid()), "test_guest_name");
	assert_null(kmt_names_get(&names, 0x3fffff));
	kmt_names_forget(&names, getpid());
	assert_null(kmt_names_get(&names, getpid()));
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
	};

	return cmocka_run_group_tests_name("guest_name", tests, NULL, NULL);
}
