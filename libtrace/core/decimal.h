/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Integers in decimal, for the outputs that print a hundred thousand of
 * them a second (the JSON report, the Prometheus exposition): snprintf's
 * job, at a tenth of its cost.
 */
#ifndef KMT_DECIMAL_H
#define KMT_DECIMAL_H

#include <stdint.h>

#define KMT_DECIMAL_MAX 20	/* digits of UINT64_MAX */

/* v in decimal, ending at end (exclusive): where it starts. */
static inline char *kmt_decimal(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

#endif /* KMT_DECIMAL_H */
