// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <bpf/libbpf.h>
#include "kvm_mmio.skel.h"
#include "probe.h"
#include "session.h"

#define KALLSYMS "/proc/kallsyms"

/* The entry points of one event; user space loads one of them. */
struct event {
	struct bpf_program *btf, *raw;
	struct bpf_program *tracepoint;	/* classic alternative, or NULL */
};

/* Where libbpf looks for tracefs (the debugfs path first, as libbpf does). */
static const char *const tracing_dirs[] = { "/sys/kernel/debug/tracing", "/sys/kernel/tracing" };

enum {
	EV_MMIO, EV_FAST_MMIO, EV_USER_EXIT, EV_SYS_ENTER, EV_EXIT, EV_ENTRY,
	EV_HV_DISPATCH, EV_HV_COMPLETE, EV_HPTE_LOOKUP, EV_COUNT
};

static const char *const event_names[EV_COUNT] = {
	"kvm_mmio", "kvm_fast_mmio", "kvm_userspace_exit", "sys_enter", "kvm_exit", "kvm_entry",
	"kvm_hv_mmio_dispatch", "kvm_hv_mmio_complete", "kvm_hv_find_lock_hpte",
};

struct kmt_session {
	struct kvm_mmio *skel;
	char description[512];
	enum kmt_attach_kind kind[EV_COUNT];	/* per event, as attached */
};

static void events_of(struct kvm_mmio *skel, struct event ev[EV_COUNT])
{
	const struct event table[EV_COUNT] = {
		[EV_MMIO] = { skel->progs.kvm_mmio_btf, skel->progs.kvm_mmio_raw },
		[EV_FAST_MMIO] = { skel->progs.kvm_fast_mmio_btf,
				   skel->progs.kvm_fast_mmio_raw },
		[EV_USER_EXIT] = { skel->progs.kvm_userspace_exit_btf,
				   skel->progs.kvm_userspace_exit_raw },
		[EV_SYS_ENTER] = { skel->progs.sys_enter_btf, skel->progs.sys_enter_raw,
				   skel->progs.sys_enter_ioctl },
		[EV_EXIT] = { skel->progs.kvm_exit_btf, skel->progs.kvm_exit_raw },
		[EV_ENTRY] = { skel->progs.kvm_entry_btf,
			       skel->progs.kvm_entry_raw },
		[EV_HV_DISPATCH] = { skel->progs.kvm_hv_mmio_dispatch_btf,
				     skel->progs.kvm_hv_mmio_dispatch_raw },
		[EV_HV_COMPLETE] = { skel->progs.kvm_hv_mmio_complete_btf,
				     skel->progs.kvm_hv_mmio_complete_raw },
		[EV_HPTE_LOOKUP] = { skel->progs.kvm_hv_find_lock_hpte_btf,
				     skel->progs.kvm_hv_find_lock_hpte_raw },
	};

	memcpy(ev, table, sizeof(table));
}

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

static bool has_bpf_privileges(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t admin = CAP_CLEAR, bpf = CAP_CLEAR, perfmon = CAP_CLEAR;

	if (!caps)
		return false;
	cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
	cap_get_flag(caps, CAP_BPF, CAP_EFFECTIVE, &bpf);
	cap_get_flag(caps, CAP_PERFMON, CAP_EFFECTIVE, &perfmon);
	cap_free(caps);
	return admin == CAP_SET || (bpf == CAP_SET && perfmon == CAP_SET);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

/*
 * One attempt at open -> configure -> load -> attach. The first attempt
 * prefers tp_btf and the syscall event; the second, conservative one uses
 * raw_tp only.
 */
static int try_attach(struct kmt_session *s, const struct kmt_session_opts *opts,
		      const bool exists[EV_COUNT], const bool in_btf[EV_COUNT], bool preferred,
		      char *err, size_t errlen)
{
	struct event ev[EV_COUNT];
	enum kmt_attach_kind *kind = s->kind;
	size_t used = 0;
	int rc;

	s->skel = kvm_mmio__open();
	if (!s->skel)
		return fail(err, errlen, -errno, "cannot open the BPF object: %s", strerror(errno));
	s->skel->rodata->filter_tgid = opts->pid;
	if (opts->max_guests)
		bpf_map__set_max_entries(s->skel->maps.hists, opts->max_guests * KMT_HIST_KINDS);
	if (opts->max_regions)
		bpf_map__set_max_entries(s->skel->maps.regions, opts->max_regions);

	events_of(s->skel, ev);
	for (int i = 0; i < EV_COUNT; i++)
		kind[i] = kmt_choose_attach(exists[i], in_btf[i], preferred);
	if (preferred && kmt_syscall_event_exists(tracing_dirs, 2, "sys_enter_ioctl"))
		kind[EV_SYS_ENTER] = KMT_ATTACH_TRACEPOINT;
	/* The kernel part is exit-to-entry (or -completion): half a pair is useless. */
	if (!kind[EV_EXIT] || !kind[EV_ENTRY])
		kind[EV_EXIT] = kind[EV_ENTRY] = KMT_ATTACH_MISSING;
	if (!kind[EV_HV_DISPATCH] || !kind[EV_HV_COMPLETE])
		kind[EV_HV_DISPATCH] = kind[EV_HV_COMPLETE] = KMT_ATTACH_MISSING;
	for (int i = 0; i < EV_COUNT; i++) {
		bpf_program__set_autoload(ev[i].btf, kind[i] == KMT_ATTACH_TP_BTF);
		bpf_program__set_autoload(ev[i].raw, kind[i] == KMT_ATTACH_RAW_TP);
		if (ev[i].tracepoint)
			bpf_program__set_autoload(ev[i].tracepoint, kind[i] == KMT_ATTACH_TRACEPOINT);
		used += snprintf(s->description + used, sizeof(s->description) - used, "%s%s=%s",
				 i ? " " : "",
				 kind[i] == KMT_ATTACH_TRACEPOINT ? "sys_enter_ioctl" : event_names[i],
				 kmt_attach_kind_name(kind[i]));
	}

	rc = kvm_mmio__load(s->skel);
	if (rc)
		return fail(err, errlen, rc, "loading the BPF programs failed: %s%s", strerror(-rc),
			    rc == -EPERM ? " (kernel lockdown, or a seccomp/LSM policy?)" : "");
	rc = kvm_mmio__attach(s->skel);
	if (rc)
		return fail(err, errlen, rc, "attaching to the KVM tracepoints failed: %s",
			    strerror(-rc));
	return 0;
}

int kmt_session_open(struct kmt_session **out, const struct kmt_session_opts *opts,
		     char *err, size_t errlen)
{
	bool exists[EV_COUNT], in_btf[EV_COUNT];
	struct kmt_session *s;
	struct btf **btfs;
	size_t nr_btfs;
	int rc;

	*out = NULL;
	if (!has_bpf_privileges())
		return fail(err, errlen, -EPERM,
			    "loading BPF programs needs root, or CAP_BPF and CAP_PERFMON: "
			    "run kvm-mmio-top with sudo");
	rc = kmt_tracepoints_in_kallsyms(KALLSYMS, event_names, EV_COUNT, exists);
	if (rc)
		return fail(err, errlen, rc, "cannot read %s: %s", KALLSYMS, strerror(-rc));
	for (int i = 0; i < EV_COUNT; i++)
		if (!exists[i] && (i == EV_MMIO || i == EV_USER_EXIT || i == EV_SYS_ENTER))
			return fail(err, errlen, -ENOENT,
				    "the kernel has no %s tracepoint (no __traceiter_%s in %s): "
				    "%s", event_names[i], event_names[i], KALLSYMS,
				    i == EV_SYS_ENTER ? "it needs CONFIG_FTRACE_SYSCALLS"
						      : "load KVM first (modprobe kvm_intel, "
							"kvm_amd or kvm-hv) and retry");
	kmt_kernel_btfs_load(&btfs, &nr_btfs);
	for (int i = 0; i < EV_COUNT; i++)
		in_btf[i] = kmt_btf_has_tracepoint(btfs, nr_btfs, event_names[i]);
	kmt_kernel_btfs_free(btfs, nr_btfs);

	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, errlen, -ENOMEM, "out of memory");
	libbpf_set_print(opts->verbose ? libbpf_verbose : libbpf_quiet);
	rc = try_attach(s, opts, exists, in_btf, true, err, errlen);
	if (rc) {
		/* tp_btf can fail where raw_tp works (e.g. module BTF rejected). */
		kvm_mmio__destroy(s->skel);
		rc = try_attach(s, opts, exists, in_btf, false, err, errlen);
	}
	if (rc) {
		size_t len = strlen(err);

		snprintf(err + len, errlen - len, "%s",
			 opts->verbose ? "" : "; run with -v to see libbpf's log");
		kmt_session_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void kmt_session_maps(const struct kmt_session *s, struct kmt_map_fds *fds)
{
	fds->vcpu_stats = bpf_map__fd(s->skel->maps.vcpu_stats);
	fds->hists = bpf_map__fd(s->skel->maps.hists);
	fds->regions = bpf_map__fd(s->skel->maps.regions);
	fds->counters = bpf_map__fd(s->skel->maps.counters);
}

bool kmt_session_has_event(const struct kmt_session *s, const char *event)
{
	for (int i = 0; i < EV_COUNT; i++)
		if (!strcmp(event_names[i], event))
			return s->kind[i] != KMT_ATTACH_MISSING;
	return false;
}

const char *kmt_session_describe(const struct kmt_session *s)
{
	return s->description;
}

void kmt_session_for_each_prog(const struct kmt_session *s,
			       void (*fn)(const char *name, int fd, void *ctx), void *ctx)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj) {
		int fd = bpf_program__fd(prog);

		/* Programs not chosen for this kernel were never loaded. */
		if (fd >= 0)
			fn(bpf_program__name(prog), fd, ctx);
	}
}

void kmt_session_close(struct kmt_session *s)
{
	if (!s)
		return;
	kvm_mmio__destroy(s->skel);
	free(s);
}
