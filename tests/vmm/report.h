/* SPDX-License-Identifier: GPL-2.0 */
/* Ground truth output: JSON for tests, a summary line for people. */
#ifndef TEST_VMM_REPORT_H
#define TEST_VMM_REPORT_H

#include <stdio.h>

#include "guest.h"

/*
 * The JSON document is {"guests":[GUEST,...]} on one line. A single guest
 * prints it with one GUEST; with --guests the parent takes each child's
 * GUEST out of this envelope and prints them all in one.
 */
#define JSON_HEAD	"{\"guests\":["
#define JSON_TAIL	"]}\n"

void print_guest_json(FILE *out, const struct guest *guest);
void print_guest_summary(FILE *out, const struct guest *guest);

#endif
