/* SPDX-License-Identifier: GPL-2.0 */
/* --guests G: one child process per guest, ground truth merged. */
#ifndef TEST_VMM_MULTI_GUEST_H
#define TEST_VMM_MULTI_GUEST_H

#include "options.h"

/*
 * Re-execute this program once per guest, all concurrently, wait for them
 * and print their merged ground truth. Returns the exit status: 0 when every
 * guest succeeded, 1 otherwise.
 */
int run_guests(const struct vmm_options *opts, const char *argv0);

#endif
