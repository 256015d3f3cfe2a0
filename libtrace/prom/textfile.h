/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Atomic replacement of a file for node_exporter's textfile collector: the
 * collector may read at any moment, so it must see either the old file or
 * the complete new one, never a partial write (nor an empty file after a
 * crash: hence the fsyncs).
 */
#ifndef KMT_TEXTFILE_H
#define KMT_TEXTFILE_H

#include <stddef.h>

/*
 * Writes len bytes of data, then tail (NUL-terminated; NULL: nothing), to
 * dir/name: writes dir/name.tmp (one fixed name,
 * so a crash leaves at most one stray file, reused by the next write; the
 * collector only reads *.prom), fsyncs it, renames it over dir/name and
 * fsyncs dir. On failure dir/name is left as it was, the temporary file is
 * removed, *step says which step failed ("create", "write", ...) and the
 * result is -errno. Returns 0 on success.
 */
int kmt_textfile_write(const char *dir, const char *name, const char *data, size_t len,
		       const char *tail, const char **step);

#endif /* KMT_TEXTFILE_H */
