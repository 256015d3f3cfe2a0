/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A guest's name, the way its operator knows it: QEMU's "-name guest=X,..."
 * (what libvirt passes) or "-name X", else the VMM's command name.
 */
#ifndef KMT_GUEST_NAME_H
#define KMT_GUEST_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Extracts the -name value from a NUL-separated command line of len bytes
 * (as /proc/PID/cmdline holds it; the last argument need not end in a NUL,
 * nothing past len is read). Returns false when there is none. The name is
 * sanitized (kmt_name_sanitize).
 */
bool kmt_name_from_cmdline(const char *cmdline, size_t len, char *name, size_t size);

/*
 * Makes a name safe for every output, in place and keeping its length:
 * bytes that are not valid UTF-8 (also a character cut by truncation),
 * C0/C1 control characters and DEL become '?'. Quotes and backslashes stay:
 * the renderers escape them (JSON, Prometheus labels).
 */
void kmt_name_sanitize(char *name);

/*
 * Process pid's start time as the BPF programs key it (ns since boot), to
 * the precision /proc/PID/stat gives (clock ticks); 0 when it is gone.
 */
uint64_t kmt_proc_start(pid_t pid);

/* Names process pid (sanitized); false when the process is gone. */
bool kmt_guest_name(pid_t pid, char *name, size_t size);

/*
 * Names learnt while processes are alive, so a guest that exits before the
 * report is printed still has its name in it. A process is its pid and its
 * start time (ns since boot, as the BPF programs key guests): two processes
 * on one pid keep their own names.
 */
struct kmt_names {
	struct kmt_name_entry *entries;
	size_t nr;
};

/*
 * Resolves and remembers the name of process (pid, start) unless already
 * known; nothing when pid is gone or held by another process (another
 * start time). execs is how many times the process has exec'd (the BPF
 * programs count them): a known process is named again, from /proc, only
 * when that count has changed since, so a pre-exec name does not stick
 * and a thousand known guests cost no /proc read. Returns whether the
 * process has a name now.
 */
bool kmt_names_learn(struct kmt_names *names, pid_t pid, uint64_t start, uint32_t execs);

/* The remembered name, or NULL. */
const char *kmt_names_get(const struct kmt_names *names, pid_t pid, uint64_t start);

void kmt_names_forget(struct kmt_names *names, pid_t pid, uint64_t start);
void kmt_names_free(struct kmt_names *names);

#endif /* KMT_GUEST_NAME_H */
