// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * LD_PRELOAD shim for the out-of-memory tests: realloc() of more than
 * KMT_ALLOC_LIMIT bytes fails with ENOMEM while the file named by
 * KMT_ALLOC_FAIL_IF exists, so a test can make one growing buffer run out
 * of memory at a moment it chooses and let it recover.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

static bool refused(size_t size)
{
	const char *limit = getenv("KMT_ALLOC_LIMIT"), *flag = getenv("KMT_ALLOC_FAIL_IF");

	return limit && flag && size > strtoull(limit, NULL, 10) && !access(flag, F_OK);
}

void *realloc(void *ptr, size_t size)
{
	static void *(*real)(void *, size_t);

	if (refused(size)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "realloc");
	return real(ptr, size);
}
