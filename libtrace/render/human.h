/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Figures for people, the same in the table and the live view. */
#ifndef KMT_HUMAN_H
#define KMT_HUMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Latency: ns, us, ms or s with three significant digits; "-" when not measured. */
const char *kmt_human_ns(uint64_t ns, bool measured, char *buf, size_t size);

#endif /* KMT_HUMAN_H */
