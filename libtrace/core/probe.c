// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "probe.h"

/*
 * A tracepoint has a __traceiter_<name> function (kernels since 5.10, always
 * in kallsyms) and a __tracepoint_<name> object (listed only with
 * CONFIG_KALLSYMS_ALL).
 */
static const char *const tp_symbol_prefixes[] = { "__traceiter_", "__tracepoint_" };

static const char *tracepoint_of(const char *symbol)
{
	for (size_t i = 0; i < sizeof(tp_symbol_prefixes) / sizeof(tp_symbol_prefixes[0]); i++) {
		size_t len = strlen(tp_symbol_prefixes[i]);

		if (!strncmp(symbol, tp_symbol_prefixes[i], len))
			return symbol + len;
	}
	return NULL;
}

const char *kmt_attach_kind_name(enum kmt_attach_kind kind)
{
	switch (kind) {
	case KMT_ATTACH_TP_BTF:
		return "tp_btf";
	case KMT_ATTACH_RAW_TP:
		return "raw_tp";
	case KMT_ATTACH_TRACEPOINT:
		return "tracepoint";
	case KMT_ATTACH_MISSING:
		break;
	}
	return "missing";
}

int kmt_tracepoints_in_kallsyms(const char *path, const char *const *names, size_t n,
				bool *exists)
{
	char line[512], symbol[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	memset(exists, 0, n * sizeof(*exists));
	/* Lines are "address type symbol [module]". */
	while (fgets(line, sizeof(line), f)) {
		const char *tracepoint;

		if (sscanf(line, "%*s %*s %255s", symbol) != 1)
			continue;
		tracepoint = tracepoint_of(symbol);
		for (size_t i = 0; tracepoint && i < n; i++)
			if (!strcmp(tracepoint, names[i]))
				exists[i] = true;
	}
	fclose(f);
	return 0;
}

bool kmt_btf_has_tracepoint(struct btf *const *btfs, size_t n, const char *name)
{
	char type_name[256];

	snprintf(type_name, sizeof(type_name), "btf_trace_%s", name);
	for (size_t i = 0; i < n; i++)
		if (btf__find_by_name_kind(btfs[i], type_name, BTF_KIND_TYPEDEF) > 0)
			return true;
	return false;
}

void kmt_kernel_btfs_load(struct btf ***btfs, size_t *n)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), **list, **grown;
	struct dirent *entry;
	char path[512];
	DIR *dir;

	*btfs = NULL;
	*n = 0;
	if (!vmlinux)
		return;
	list = malloc(sizeof(*list));
	if (!list) {
		btf__free(vmlinux);
		return;
	}
	list[(*n)++] = vmlinux;
	dir = opendir("/sys/kernel/btf");
	while (dir && (entry = readdir(dir))) {
		struct btf *module;

		if (entry->d_name[0] == '.' || !strcmp(entry->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", entry->d_name);
		module = btf__parse_split(path, vmlinux);
		if (!module)
			continue;
		grown = realloc(list, (*n + 1) * sizeof(*list));
		if (!grown) {
			btf__free(module);
			break;
		}
		list = grown;
		list[(*n)++] = module;
	}
	if (dir)
		closedir(dir);
	*btfs = list;
}

void kmt_kernel_btfs_free(struct btf **btfs, size_t n)
{
	/* Module BTFs are split on vmlinux's: free them before their base. */
	while (n--)
		btf__free(btfs[n]);
	free(btfs);
}

enum kmt_attach_kind kmt_choose_attach(bool exists, bool in_btf, bool prefer_btf)
{
	if (!exists)
		return KMT_ATTACH_MISSING;
	return in_btf && prefer_btf ? KMT_ATTACH_TP_BTF : KMT_ATTACH_RAW_TP;
}

bool kmt_trace_event_exists(const char *const *tracing_dirs, size_t n, const char *system,
			    const char *name)
{
	char path[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracing_dirs[i], system, name);
		if (!access(path, R_OK))
			return true;
	}
	return false;
}
