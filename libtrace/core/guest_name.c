// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "guest_name.h"
#include "pid_index.h"

static void copy_bounded(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * Copies one comma-separated element of a QEMU option, where ",," is a
 * comma; stops at a NUL or at end, whichever comes first.
 */
static const char *next_element(const char *p, const char *end, char *out, size_t size)
{
	size_t used = 0;

	for (; p < end && *p; p++) {
		if (*p == ',' && (p + 1 >= end || p[1] != ',')) {
			p++;
			break;
		}
		if (*p == ',')
			p++;
		if (used + 1 < size)
			out[used++] = *p;
	}
	out[used] = '\0';
	return p;
}

/* QEMU's -name value is "[guest=]NAME[,key=value...]"; guest= may come later. */
static bool name_from_option(const char *value, const char *end, char *name, size_t size)
{
	char element[256];
	bool first = true;

	name[0] = '\0';
	while (value < end && *value) {
		value = next_element(value, end, element, sizeof(element));
		if (!strncmp(element, "guest=", 6)) {
			copy_bounded(name, size, element + 6, strlen(element + 6));
			break;
		}
		if (first && !strchr(element, '='))
			copy_bounded(name, size, element, strlen(element));
		first = false;
	}
	return name[0] != '\0';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when there is none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void kmt_name_sanitize(char *name)
{
	unsigned char *s = (unsigned char *)name;
	size_t n = strlen(name);

	while (n) {
		size_t len = utf8_len(s, n);
		/* C0 and C1 controls and DEL: a name must not drive a terminal. */
		bool control = len == 1 ? (*s < 0x20 || *s == 0x7f) : len == 2 && s[0] == 0xc2 && s[1] < 0xa0;

		if (!len || control) {
			/* One '?' per byte, so the name keeps its length and bounds. */
			len = len ? len : 1;
			memset(s, '?', len);
		}
		s += len;
		n -= len;
	}
}

bool kmt_name_from_cmdline(const char *cmdline, size_t len, char *name, size_t size)
{
	const char *arg = cmdline, *end = cmdline + len;

	while (arg < end) {
		size_t arg_len = strnlen(arg, (size_t)(end - arg));
		const char *next = arg + arg_len + 1;

		if (arg_len < (size_t)(end - arg) && next < end &&
		    ((arg_len == 5 && !memcmp(arg, "-name", 5)) ||
		     (arg_len == 6 && !memcmp(arg, "--name", 6)))) {
			if (!name_from_option(next, end, name, size))
				return false;
			kmt_name_sanitize(name);
			return true;
		}
		arg = next;
	}
	return false;
}

static ssize_t read_proc(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

bool kmt_guest_name(pid_t pid, char *name, size_t size)
{
	char buf[8192];
	ssize_t n;

	n = read_proc(pid, "cmdline", buf, sizeof(buf));
	if (n < 0)
		return false;
	if (kmt_name_from_cmdline(buf, (size_t)n, name, size))
		return true;
	n = read_proc(pid, "comm", buf, sizeof(buf));
	if (n <= 0)
		return false;
	copy_bounded(name, size, buf, strcspn(buf, "\n"));
	kmt_name_sanitize(name);
	return true;
}

/*
 * A start time in ns since boot as /proc/PID/stat shows it: in clock ticks,
 * rounded down (the kernel's nsec_to_clock_t()).
 */
static uint64_t ns_per_tick(void)
{
	static uint64_t ns;

	if (!ns) {
		long hz = sysconf(_SC_CLK_TCK);

		ns = 1000000000ULL / (uint64_t)(hz > 0 ? hz : 100);
	}
	return ns;
}

static unsigned long long start_ticks(uint64_t start_ns)
{
	return start_ns / ns_per_tick();
}

struct kmt_name_entry {
	pid_t pid;
	unsigned long long start;	/* the process's start time, in clock ticks (USER_HZ) */
	uint32_t execs;			/* its execs when it was named */
	char name[64];
};

/*
 * The start time (field 22 of /proc/PID/stat, readable by every user) of
 * whoever holds pid now: a later process on the same pid has another.
 * False when it is gone.
 */
static bool start_of(pid_t pid, unsigned long long *start)
{
	char buf[1024], *p;
	ssize_t n = read_proc(pid, "stat", buf, sizeof(buf));

	/* The command name may hold spaces and ')': it ends at the last ')'. */
	if (n <= 0 || !(p = strrchr(buf, ')')))
		return false;
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return false;
	*start = strtoull(p + 1, NULL, 10);
	return true;
}

uint64_t kmt_proc_start(pid_t pid)
{
	unsigned long long ticks;

	return start_of(pid, &ticks) ? ticks * ns_per_tick() : 0;
}

/* Entries are sorted by pid, then start: the index of (pid, start), or where it would go. */
static size_t entry_index(const struct kmt_names *names, pid_t pid, unsigned long long start)
{
	size_t at = kmt_pid_index(names->entries, names->nr, sizeof(*names->entries),
				  offsetof(struct kmt_name_entry, pid), (uint32_t)pid);

	while (at < names->nr && names->entries[at].pid == pid && names->entries[at].start < start)
		at++;
	return at;
}

static struct kmt_name_entry *find_entry(const struct kmt_names *names, pid_t pid,
					 unsigned long long start)
{
	size_t at = entry_index(names, pid, start);

	return at < names->nr && names->entries[at].pid == pid && names->entries[at].start == start ?
	       &names->entries[at] : NULL;
}

/* Room for one more entry: the array doubles when nr reaches a power of two. */
static bool make_room(struct kmt_names *names)
{
	struct kmt_name_entry *grown;
	size_t nr = names->nr;

	if (nr && (nr & (nr - 1)))
		return true;
	grown = realloc(names->entries, (nr ? 2 * nr : 1) * sizeof(*grown));
	if (!grown)
		return false;
	names->entries = grown;
	return true;
}

bool kmt_names_learn(struct kmt_names *names, pid_t pid, uint64_t start, uint32_t execs)
{
	struct kmt_name_entry entry = { .pid = pid, .start = start_ticks(start), .execs = execs };
	struct kmt_name_entry *known = find_entry(names, pid, entry.start);
	unsigned long long now;
	size_t at;

	if (known && known->execs == execs)
		return true;
	/* Gone, or another process's now: a known name stays for its last report. */
	if (!start_of(pid, &now) || now != entry.start ||
	    !kmt_guest_name(pid, entry.name, sizeof(entry.name)))
		return known;
	if (known) {
		*known = entry;
		return true;
	}
	if (!make_room(names))
		return false;
	at = entry_index(names, pid, entry.start);
	memmove(&names->entries[at + 1], &names->entries[at],
		(names->nr - at) * sizeof(*names->entries));
	names->entries[at] = entry;
	names->nr++;
	return true;
}

const char *kmt_names_get(const struct kmt_names *names, pid_t pid, uint64_t start)
{
	const struct kmt_name_entry *entry = find_entry(names, pid, start_ticks(start));

	return entry ? entry->name : NULL;
}

void kmt_names_forget(struct kmt_names *names, pid_t pid, uint64_t start)
{
	struct kmt_name_entry *entry = find_entry(names, pid, start_ticks(start));

	if (!entry)
		return;
	names->nr--;
	memmove(entry, entry + 1,
		(size_t)(&names->entries[names->nr] - entry) * sizeof(*entry));
}

void kmt_names_free(struct kmt_names *names)
{
	free(names->entries);
	names->entries = NULL;
	names->nr = 0;
}
