// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include "pid_index.h"

static uint32_t pid_at(const void *base, size_t size, size_t offset, size_t i)
{
	uint32_t pid;

	memcpy(&pid, (const char *)base + i * size + offset, sizeof(pid));
	return pid;
}

/* The first index in [lo, hi) whose pid is not below pid, else hi. */
static size_t bisect(const void *base, size_t size, size_t offset, uint32_t pid, size_t lo,
		     size_t hi)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pid_at(base, size, offset, mid) < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t kmt_pid_index(const void *base, size_t nr, size_t size, size_t offset, uint32_t pid)
{
	return bisect(base, size, offset, pid, 0, nr);
}

size_t kmt_pid_index_from(const void *base, size_t nr, size_t size, size_t offset, uint32_t pid,
			  size_t from)
{
	size_t lo = from < nr ? from : nr, hi = lo, step = 1;

	/* Every pid before lo is below pid; hi gallops to the first one that is not. */
	while (hi < nr && pid_at(base, size, offset, hi) < pid) {
		lo = hi + 1;
		hi = nr - hi > step ? hi + step : nr;
		step *= 2;
	}
	return bisect(base, size, offset, pid, lo, hi);
}
