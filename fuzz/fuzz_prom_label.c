// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Prometheus label escaping of any bytes: the result is valid UTF-8 with
 * no raw newline or unescaped quote, and unescaping it gives the input
 * with each non-UTF-8 byte replaced by '?'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"
#include "prom_exposition.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_strbuf buf = { 0 };
	char *in = malloc(size + 1), *back;
	size_t used = 0;

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';	/* label values are C strings: up to the first NUL */
	kmt_prom_label_value(&buf, in);
	if (kmt_strbuf_failed(&buf) || !buf.data) {
		free(in);
		kmt_strbuf_free(&buf);
		return 0;
	}
	back = malloc(buf.len + 1);
	FUZZ_CHECK(back);
	for (size_t i = 0; i < buf.len; i++) {
		char c = buf.data[i];

		FUZZ_CHECK(c != '\n' && c != '"' && c != '\0');
		if (c == '\\') {
			FUZZ_CHECK(i + 1 < buf.len);
			c = buf.data[++i];
			FUZZ_CHECK(c == '\\' || c == '"' || c == 'n');
			back[used++] = c == 'n' ? '\n' : c;
		} else {
			back[used++] = c;
		}
	}
	back[used] = '\0';
	FUZZ_CHECK(used == strlen(in));
	for (size_t i = 0; i < used; i++)
		FUZZ_CHECK(back[i] == in[i] || back[i] == '?');
	free(back);
	free(in);
	kmt_strbuf_free(&buf);
	return 0;
}
