/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One interval's report, rendered as JSON (the stable, documented schema in
 * docs/json-schema.md) or as a table. Both read the same interval and show
 * what its backends' capabilities say can be measured.
 */
#ifndef KMT_REPORT_H
#define KMT_REPORT_H

#include <stdio.h>
#include <json-c/json.h>
#include "poller.h"

struct kmt_report {
	const struct kmt_interval *interval;
	unsigned int top_regions;
};

/* A new JSON object (caller puts it), or NULL when out of memory. */
struct json_object *kmt_report_json(const struct kmt_report *report);

void kmt_report_table(FILE *out, const struct kmt_report *report);

#endif /* KMT_REPORT_H */
