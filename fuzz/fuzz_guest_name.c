// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Guest names from hostile /proc/PID/cmdline contents: never read past the
 * input, and what comes out is valid UTF-8 without control characters, of
 * bounded length, unchanged by sanitizing again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"
#include "guest_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), name[64], again[64];

	if (!copy)
		return 0;
	/* Exactly size bytes on the heap: ASan sees any read past them. */
	memcpy(copy, data, size);
	if (kmt_name_from_cmdline(copy, size, name, sizeof(name))) {
		check_clean_utf8(name);
		FUZZ_CHECK(strlen(name) < sizeof(name));
		strcpy(again, name);
		kmt_name_sanitize(again);
		FUZZ_CHECK(!strcmp(again, name));
	}
	free(copy);
	return 0;
}
