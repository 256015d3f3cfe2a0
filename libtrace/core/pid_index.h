/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Binary search in arrays kept sorted by pid: the guests of a snapshot,
 * the live view's histories, the names learnt.
 */
#ifndef KMT_PID_INDEX_H
#define KMT_PID_INDEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * The index of the element of base (nr elements of size bytes, sorted by
 * the 32-bit pid at offset within each) whose pid is pid, or where it
 * would be inserted.
 */
size_t kmt_pid_index(const void *base, size_t nr, size_t size, size_t offset, uint32_t pid);

/*
 * The same, knowing that every pid before index from is below pid: the
 * search gallops from there, so a caller looking pids up in ascending
 * order, passing its last answer, pays a comparison or two for each
 * instead of a walk down the array's cache lines.
 */
size_t kmt_pid_index_from(const void *base, size_t nr, size_t size, size_t offset, uint32_t pid,
			  size_t from);

#endif /* KMT_PID_INDEX_H */
