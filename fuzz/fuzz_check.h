/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the fuzz targets assert about their outputs; a failed check aborts. */
#ifndef KMT_FUZZ_CHECK_H
#define KMT_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                             \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
			abort();                                                     \
		}                                                                    \
	} while (0)

/* Valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF) without C0/C1 controls or DEL. */
static inline void check_clean_utf8(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;

	while (*s) {
		unsigned int cp, n;

		if (*s < 0x80)
			n = 1, cp = *s;
		else if (*s >= 0xc2 && *s <= 0xdf)
			n = 2, cp = *s & 0x1f;
		else if (*s >= 0xe0 && *s <= 0xef)
			n = 3, cp = *s & 0x0f;
		else if (*s >= 0xf0 && *s <= 0xf4)
			n = 4, cp = *s & 0x07;
		else
			FUZZ_CHECK(!"a byte that starts no UTF-8 sequence");
		for (unsigned int i = 1; i < n; i++) {
			FUZZ_CHECK((s[i] & 0xc0) == 0x80);
			cp = cp << 6 | (s[i] & 0x3f);
		}
		FUZZ_CHECK(!(n == 3 && cp < 0x800) && !(n == 4 && (cp < 0x10000 || cp > 0x10ffff)));
		FUZZ_CHECK(!(cp >= 0xd800 && cp <= 0xdfff));
		FUZZ_CHECK(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0));
		s += n;
	}
}

#endif /* KMT_FUZZ_CHECK_H */
