// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>
#include "human.h"

const char *kmt_human_ns(uint64_t ns, bool measured, char *buf, size_t size)
{
	if (!measured)
		snprintf(buf, size, "-");
	else if (ns < 1000)
		snprintf(buf, size, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.3gus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.3gms", ns / 1e6);
	else
		snprintf(buf, size, "%.3gs", ns / 1e9);
	return buf;
}
