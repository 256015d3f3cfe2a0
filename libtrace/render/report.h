/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One interval's report, rendered as JSON (the stable, documented schema in
 * docs/json-schema.md) or as a table. Both read the same interval and show
 * what its backends' capabilities say can be measured.
 */
#ifndef KMT_REPORT_H
#define KMT_REPORT_H

#include <stdio.h>
#include "poller.h"

struct kmt_report {
	const struct kmt_interval *interval;
	unsigned int top_regions;
};

/*
 * Writes the report to out as one line of JSON. Guests are serialised one
 * at a time: a thousand guests' object tree at once would be some 40 MB,
 * built, faulted in and freed at every refresh. 0, or -ENOMEM.
 */
int kmt_report_json(FILE *out, const struct kmt_report *report);

void kmt_report_table(FILE *out, const struct kmt_report *report);

#endif /* KMT_REPORT_H */
