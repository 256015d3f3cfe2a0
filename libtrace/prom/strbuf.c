// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"

/* Makes room for len more bytes and the NUL. */
static bool reserve(struct kmt_strbuf *buf, size_t len)
{
	size_t cap = buf->cap ? buf->cap : 4096;
	char *grown;

	if (buf->oom)
		return false;
	if (buf->len + len < buf->cap)
		return true;
	while (buf->len + len >= cap)
		cap *= 2;
	grown = realloc(buf->data, cap);
	if (!grown) {
		buf->oom = true;
		return false;
	}
	buf->data = grown;
	buf->cap = cap;
	return true;
}

/* Formats in place when it fits (nearly always): vsnprintf runs twice only when it grows. */
void kmt_strbuf_printf(struct kmt_strbuf *buf, const char *fmt, ...)
{
	size_t room = buf->oom ? 0 : buf->cap - buf->len;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(room ? buf->data + buf->len : NULL, room, fmt, ap);
	va_end(ap);
	if (len < 0 || buf->oom)
		return;
	if ((size_t)len >= room) {
		if (!reserve(buf, (size_t)len))
			return;
		va_start(ap, fmt);
		vsnprintf(buf->data + buf->len, buf->cap - buf->len, fmt, ap);
		va_end(ap);
	}
	buf->len += (size_t)len;
}

char *kmt_strbuf_extend(struct kmt_strbuf *buf, size_t len)
{
	char *at;

	if (!reserve(buf, len))
		return NULL;
	at = buf->data + buf->len;
	buf->len += len;
	buf->data[buf->len] = '\0';
	return at;
}

void kmt_strbuf_append(struct kmt_strbuf *buf, const char *data, size_t len)
{
	char *at = kmt_strbuf_extend(buf, len);

	if (at)
		memcpy(at, data, len);
}

void kmt_strbuf_reset(struct kmt_strbuf *buf)
{
	buf->len = 0;
	buf->oom = false;
	if (buf->data)
		buf->data[0] = '\0';
}

void kmt_strbuf_truncate(struct kmt_strbuf *buf, size_t len)
{
	buf->oom = false;
	if (len >= buf->len)
		return;
	buf->len = len;
	buf->data[len] = '\0';
}

void kmt_strbuf_free(struct kmt_strbuf *buf)
{
	free(buf->data);
	memset(buf, 0, sizeof(*buf));
}
