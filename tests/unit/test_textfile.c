// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Atomic textfile replacement: success, and failures that keep the old file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "textfile.h"

static char dir[] = "/tmp/kmt-textfile-XXXXXX";
static char path[64], tmp[80];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s/t.prom.tmp", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(tmp);
	unlink(tmp);
	return rmdir(dir);
}

static void assert_content(const char *expected)
{
	char buf[256] = { 0 };
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f), strlen(expected));
	fclose(f);
	assert_string_equal(buf, expected);
}

static void test_write_replaces_and_leaves_no_tmp(void **state)
{
	const char *step = NULL;
	struct stat st;

	(void)state;
	assert_int_equal(kmt_textfile_write(dir, "t.prom", "a 1\n", 4, NULL, &step), 0);
	assert_content("a 1\n");
	/* Only len bytes of data, then the tail. */
	assert_int_equal(kmt_textfile_write(dir, "t.prom", "b 2\nx", 4, "t 9\n", &step), 0);
	assert_content("b 2\nt 9\n");
	assert_int_equal(stat(tmp, &st), -1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);	/* node_exporter's user reads it */
}

static void test_missing_directory_is_enoent_at_create(void **state)
{
	const char *step = NULL;
	char missing[96];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	assert_int_equal(kmt_textfile_write(missing, "t.prom", "x\n", 2, NULL, &step), -ENOENT);
	assert_string_equal(step, "create");
}

static void test_failed_write_keeps_the_old_file(void **state)
{
	const char *step = NULL;

	(void)state;
	assert_int_equal(kmt_textfile_write(dir, "t.prom", "old 1\n", 6, NULL, &step), 0);
	/* A directory where the temporary file goes: creating it must fail. */
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(kmt_textfile_write(dir, "t.prom", "new 2\n", 6, NULL, &step), -EISDIR);
	assert_string_equal(step, "create");
	assert_content("old 1\n");
	rmdir(tmp);
}

/* A stray temporary file from a crash is reused, not accumulated. */
static void test_stale_tmp_is_reused(void **state)
{
	const char *step = NULL;
	FILE *f;
	struct stat st;

	(void)state;
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs("partial garbage that is longer than the new content", f);
	fclose(f);
	assert_int_equal(kmt_textfile_write(dir, "t.prom", "c 3\n", 4, NULL, &step), 0);
	assert_content("c 3\n");
	assert_int_equal(stat(tmp, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_replaces_and_leaves_no_tmp),
		cmocka_unit_test(test_missing_directory_is_enoent_at_create),
		cmocka_unit_test(test_failed_write_keeps_the_old_file),
		cmocka_unit_test(test_stale_tmp_is_reused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
