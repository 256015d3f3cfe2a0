// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "guest_name.h"

static void copy_bounded(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Copies one comma-separated element of a QEMU option, where ",," is a comma. */
static const char *next_element(const char *p, char *out, size_t size)
{
	size_t used = 0;

	for (; *p; p++) {
		if (*p == ',' && p[1] != ',') {
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
static bool name_from_option(const char *value, char *name, size_t size)
{
	char element[256];
	bool first = true;

	name[0] = '\0';
	while (*value) {
		value = next_element(value, element, sizeof(element));
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

bool kmt_name_from_cmdline(const char *cmdline, size_t len, char *name, size_t size)
{
	const char *arg = cmdline, *end = cmdline + len;

	while (arg < end) {
		size_t arg_len = strnlen(arg, end - arg);
		const char *next = arg + arg_len + 1;

		if ((!strcmp(arg, "-name") || !strcmp(arg, "--name")) && next < end)
			return name_from_option(next, name, size);
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
	return true;
}

struct kmt_name_entry {
	pid_t pid;
	char name[64];
};

static struct kmt_name_entry *find_entry(const struct kmt_names *names, pid_t pid)
{
	for (size_t i = 0; i < names->nr; i++)
		if (names->entries[i].pid == pid)
			return &names->entries[i];
	return NULL;
}

void kmt_names_learn(struct kmt_names *names, pid_t pid)
{
	struct kmt_name_entry entry = { .pid = pid }, *grown;

	if (find_entry(names, pid) || !kmt_guest_name(pid, entry.name, sizeof(entry.name)))
		return;
	grown = realloc(names->entries, (names->nr + 1) * sizeof(*grown));
	if (!grown)
		return;
	names->entries = grown;
	names->entries[names->nr++] = entry;
}

const char *kmt_names_get(const struct kmt_names *names, pid_t pid)
{
	const struct kmt_name_entry *entry = find_entry(names, pid);

	return entry ? entry->name : NULL;
}

void kmt_names_forget(struct kmt_names *names, pid_t pid)
{
	struct kmt_name_entry *entry = find_entry(names, pid);

	if (entry)
		*entry = names->entries[--names->nr];
}

void kmt_names_free(struct kmt_names *names)
{
	free(names->entries);
	names->entries = NULL;
	names->nr = 0;
}
