// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include "pid_index.h"

size_t kmt_pid_index(const void *base, size_t nr, size_t size, size_t offset, uint32_t pid)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t at;

		memcpy(&at, (const char *)base + mid * size + offset, sizeof(at));
		if (at < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
