/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A growable text buffer. Running out of memory is sticky: later appends do
 * nothing and kmt_strbuf_failed() says so, so renderers check once at the
 * end instead of after every line.
 */
#ifndef KMT_STRBUF_H
#define KMT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct kmt_strbuf {
	char *data;	/* NUL-terminated once anything was appended */
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3)))
void kmt_strbuf_printf(struct kmt_strbuf *buf, const char *fmt, ...);

void kmt_strbuf_append(struct kmt_strbuf *buf, const char *data, size_t len);

/*
 * Appends len bytes for the caller to fill (and the NUL after them):
 * where they start, or NULL once out of memory. For a line written in
 * pieces with one check for room.
 */
char *kmt_strbuf_extend(struct kmt_strbuf *buf, size_t len);

/* Empties the buffer, keeping its memory and clearing the failure. */
void kmt_strbuf_reset(struct kmt_strbuf *buf);

/*
 * Cuts the buffer back to its first len bytes (what an earlier append left
 * when it was that long) and clears the failure: a shared body with a
 * different last line for each of its readers.
 */
void kmt_strbuf_truncate(struct kmt_strbuf *buf, size_t len);

static inline bool kmt_strbuf_failed(const struct kmt_strbuf *buf)
{
	return buf->oom;
}

void kmt_strbuf_free(struct kmt_strbuf *buf);

#endif /* KMT_STRBUF_H */
