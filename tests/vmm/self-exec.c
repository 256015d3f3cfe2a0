// SPDX-License-Identifier: GPL-2.0
#include "self-exec.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Exec the path /proc/self/exe names rather than /proc/self/exe itself: a
 * wrapper such as valgrind then re-executes us under itself instead of
 * executing its own binary, and the path reads better in error messages.
 */
void exec_self(char *const argv[])
{
	char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (len < 0) {
		fprintf(stderr, "test-vmm: readlink /proc/self/exe: %s\n",
			strerror(errno));
		return;
	}
	path[len] = '\0';
	execv(path, argv);
	fprintf(stderr, "test-vmm: exec %s: %s (was the binary rebuilt or removed while running?)\n",
		path, strerror(errno));
}
