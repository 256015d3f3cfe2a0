// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "kvm_mmio.skel.h"
#include "probe.h"
#include "session.h"

#define KALLSYMS "/proc/kallsyms"
#define LOCKDOWN "/sys/kernel/security/lockdown"
#define KVM_DEVICE "/sys/class/misc/kvm"	/* /dev/kvm, even where /dev is private */

/* The entry points of one event; user space loads one of them. */
struct event {
	struct bpf_program *btf, *raw;
	struct bpf_program *tracepoint;	/* classic alternative, or NULL */
	const char *system, *name;	/* the tracefs event tracepoint attaches to */
};

/* Where libbpf looks for tracefs (the debugfs path first, as libbpf does). */
static const char *const tracing_dirs[] = { "/sys/kernel/debug/tracing", "/sys/kernel/tracing" };

struct kmt_session {
	struct kvm_mmio *skel;
	struct kmt_vcpu_slot *vcpu_slots;	/* the map, mmapped */
	size_t vcpu_slots_len;
	struct kmt_selection backends;
	char description[2048];
	enum kmt_attach_kind kind[KMT_EVENTS];	/* per event, as attached */
};

static void events_of(struct kvm_mmio *skel, struct event ev[KMT_EVENTS])
{
	const struct event table[KMT_EVENTS] = {
		[KMT_EV_MMIO] = { skel->progs.kvm_mmio_btf, skel->progs.kvm_mmio_raw },
		[KMT_EV_FAST_MMIO] = { skel->progs.kvm_fast_mmio_btf,
				       skel->progs.kvm_fast_mmio_raw },
		[KMT_EV_USER_EXIT] = { skel->progs.kvm_userspace_exit_btf,
				       skel->progs.kvm_userspace_exit_raw },
		[KMT_EV_SYS_ENTER] = { skel->progs.sys_enter_btf, skel->progs.sys_enter_raw,
				       skel->progs.sys_enter_ioctl, "syscalls", "sys_enter_ioctl" },
		[KMT_EV_EXIT] = { skel->progs.kvm_exit_btf, skel->progs.kvm_exit_raw },
		[KMT_EV_ENTRY] = { skel->progs.kvm_entry_btf, skel->progs.kvm_entry_raw },
		[KMT_EV_HV_DISPATCH] = { skel->progs.kvm_hv_mmio_dispatch_btf,
					 skel->progs.kvm_hv_mmio_dispatch_raw,
					 skel->progs.kvm_hv_mmio_dispatch_tp,
					 "kvm_hv", "kvm_hv_mmio_dispatch" },
		[KMT_EV_HV_COMPLETE] = { skel->progs.kvm_hv_mmio_complete_btf,
					 skel->progs.kvm_hv_mmio_complete_raw,
					 skel->progs.kvm_hv_mmio_complete_tp,
					 "kvm_hv", "kvm_hv_mmio_complete" },
		[KMT_EV_HPTE_LOOKUP] = { skel->progs.kvm_hv_find_lock_hpte_btf,
					 skel->progs.kvm_hv_find_lock_hpte_raw,
					 skel->progs.kvm_hv_find_lock_hpte_tp,
					 "kvm_hv", "kvm_hv_find_lock_hpte" },
		[KMT_EV_LOCK_BEGIN] = { skel->progs.contention_begin_btf,
					skel->progs.contention_begin_raw },
		[KMT_EV_LOCK_END] = { skel->progs.contention_end_btf, skel->progs.contention_end_raw },
		[KMT_EV_THREAD_EXIT] = { skel->progs.sched_process_exit_btf,
					 skel->progs.sched_process_exit_raw },
		[KMT_EV_PROC_FREE] = { skel->progs.sched_process_free_btf,
				       skel->progs.sched_process_free_raw },
		[KMT_EV_PROC_EXEC] = { skel->progs.sched_process_exec_btf,
				       skel->progs.sched_process_exec_raw },
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

/*
 * Loading and attaching tracing programs needs CAP_BPF and CAP_PERFMON
 * (Linux >= 5.8), or CAP_SYS_ADMIN, which implies both. Names what is
 * missing in err; returns 0 or -EPERM.
 */
int kmt_check_privileges(char *err, size_t errlen)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t admin = CAP_CLEAR, bpf = CAP_CLEAR, perfmon = CAP_CLEAR;
	const char *missing;

	if (caps) {
		cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
		cap_get_flag(caps, CAP_BPF, CAP_EFFECTIVE, &bpf);
		cap_get_flag(caps, CAP_PERFMON, CAP_EFFECTIVE, &perfmon);
		cap_free(caps);
	}
	if (admin == CAP_SET || (bpf == CAP_SET && perfmon == CAP_SET))
		return 0;
	missing = bpf == CAP_SET ? "CAP_PERFMON" : perfmon == CAP_SET ? "CAP_BPF"
			: "CAP_BPF and CAP_PERFMON";
	return fail(err, errlen, -EPERM,
		    "missing capability %s: loading and attaching the tracing BPF programs needs "
		    "CAP_BPF and CAP_PERFMON (or root): run kvm-mmio-top with sudo, or grant "
		    "them (setpriv --ambient-caps +bpf,+perfmon, or AmbientCapabilities= in "
		    "the systemd unit)", missing);
}

/* The lockdown mode in force: "none", "integrity", "confidentiality"; "" when unknown. */
static const char *lockdown_mode(char *mode, size_t size)
{
	char line[96] = "", *open, *close;
	FILE *f = fopen(LOCKDOWN, "re");

	/* "none [integrity] confidentiality": the bracketed mode is in force. */
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	open = strchr(line, '[');
	close = open ? strchr(open, ']') : NULL;
	snprintf(mode, size, "%.*s", close ? (int)(close - open - 1) : 0, open ? open + 1 : "");
	return mode;
}

/* The kernel refused the programs to a process that has the capabilities: say why. */
static int load_failed(int rc, char *err, size_t errlen)
{
	char mode[32];

	lockdown_mode(mode, sizeof(mode));
	if (!strcmp(mode, "confidentiality"))
		return fail(err, errlen, rc,
			    "loading the BPF programs failed (%s): kernel lockdown is in "
			    "confidentiality mode (" LOCKDOWN "), which forbids BPF programs to read "
			    "kernel memory (bpf_probe_read) and hides tracefs' events, so the KVM_RUN "
			    "ioctl's arguments can only be read from a typed tp_btf program, which "
			    "this kernel refused; boot with lockdown=integrity (enough for it) or "
			    "none", strerror(-rc));
	return fail(err, errlen, rc, "loading the BPF programs failed: %s%s", strerror(-rc),
		    rc != -EPERM ? ""
		    : !strcmp(mode, "integrity") ? " (a seccomp filter or an LSM policy? kernel "
						   "lockdown is in integrity mode, which allows "
						   "tracing)"
		    : " (a seccomp filter, an LSM policy or kernel lockdown?)");
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
 * Map sizes from the options; every setter's result is checked. A series
 * has room for all its histogram's chunks (kvm_mmio.h), so that N guests
 * or pages fit however their latencies spread.
 */
static int size_maps(struct kvm_mmio *skel, const struct kmt_session_opts *opts)
{
	__u32 guests = opts->max_guests ? opts->max_guests : KMT_DEFAULT_MAX_GUESTS;
	__u32 vcpus = opts->max_vcpus ? opts->max_vcpus : KMT_DEFAULT_MAX_VCPUS;
	__u32 regions = opts->max_regions ? opts->max_regions : KMT_DEFAULT_MAX_REGIONS;
	int rc;

	rc = bpf_map__set_max_entries(skel->maps.hists,
				      guests * KMT_HIST_KINDS * KMT_HIST_CHUNKS);
	if (!rc)
		rc = bpf_map__set_max_entries(skel->maps.procs, guests * KMT_PROCS_PER_GUEST);
	if (!rc)
		rc = bpf_map__set_max_entries(skel->maps.locks,
					      guests * KMT_LOCK_KINDS * KMT_HIST_CHUNKS);
	if (!rc)
		rc = bpf_map__set_max_entries(skel->maps.vcpu_slots, vcpus);
	if (!rc)
		rc = bpf_map__set_max_entries(skel->maps.free_vcpu_slots, vcpus);
	skel->rodata->nr_vcpu_slots = vcpus;
	if (!rc)
		rc = bpf_map__set_max_entries(skel->maps.regions, regions * KMT_HIST_CHUNKS);
	return rc;
}

/* The pids of -p A,B,... as keys of traced_tgids (one pid uses filter_tgid). */
static int fill_pid_filter(struct kvm_mmio *skel, const struct kmt_session_opts *opts)
{
	const __u8 yes = 1;

	for (size_t i = 0; opts->nr_pids > 1 && i < opts->nr_pids; i++)
		if (bpf_map__update_elem(skel->maps.traced_tgids, &opts->pids[i], sizeof(__u32),
					 &yes, sizeof(yes), BPF_ANY))
			return -errno;
	return 0;
}

/* "event=how" for each event; one the kernel has but no chosen backend needs is "unused". */
static void describe(struct kmt_session *s, const struct event ev[KMT_EVENTS],
		     const bool exists[KMT_EVENTS])
{
	size_t used = 0;

	for (int i = 0; i < KMT_EVENTS; i++) {
		const char *name = kmt_event_name(i), *how = kmt_attach_kind_name(s->kind[i]);

		if (s->kind[i] == KMT_ATTACH_TRACEPOINT)
			name = ev[i].name;
		if (s->kind[i] == KMT_ATTACH_MISSING && exists[i])
			how = "unused";
		used += snprintf(s->description + used, sizeof(s->description) - used, "%s%s=%s",
				 i ? " " : "", name, how);
		if (used >= sizeof(s->description))
			return;
	}
}

/* User space reads the vCPU counters where the BPF programs write them. */
static int map_vcpu_slots(struct kmt_session *s)
{
	const struct bpf_map *map = s->skel->maps.vcpu_slots;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (size_t)bpf_map__value_size(map) * bpf_map__max_entries(map);
	void *mem;

	len = (len + page - 1) / page * page;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
	if (mem == MAP_FAILED)
		return -errno;
	s->vcpu_slots = mem;
	s->vcpu_slots_len = len;
	return 0;
}

static void unmap_vcpu_slots(struct kmt_session *s)
{
	if (s->vcpu_slots)
		munmap(s->vcpu_slots, s->vcpu_slots_len);
	s->vcpu_slots = NULL;
}

/*
 * One attempt at open -> configure -> load -> attach. The first attempt
 * prefers the classic tracepoints where tracefs lists them (the syscall
 * event, and the kvm_hv events read by field name), then tp_btf; the
 * second, conservative one uses raw_tp only.
 */
static int try_attach(struct kmt_session *s, const struct kmt_session_opts *opts,
		      const bool exists[KMT_EVENTS], const bool in_btf[KMT_EVENTS], bool preferred,
		      char *err, size_t errlen)
{
	struct event ev[KMT_EVENTS];
	enum kmt_attach_kind *kind = s->kind;
	int rc;

	s->skel = kvm_mmio__open();
	if (!s->skel)
		return fail(err, errlen, -errno, "cannot open the BPF object: %s", strerror(errno));
	/* One pid needs no map lookup per event; several are keys of traced_tgids. */
	if (opts->nr_pids == 1)
		s->skel->rodata->filter_tgid = opts->pids[0];
	s->skel->rodata->filter_tgids = opts->nr_pids > 1;
	s->skel->rodata->lock_waits = kmt_selection_lock(&s->backends, KMT_LOCK_MMU) ||
				      kmt_selection_lock(&s->backends, KMT_LOCK_OTHER);
	rc = size_maps(s->skel, opts);
	if (rc)
		return fail(err, errlen, rc, "cannot size the BPF maps: %s", strerror(-rc));

	events_of(s->skel, ev);
	for (int i = 0; i < KMT_EVENTS; i++) {
		kind[i] = kmt_choose_attach(s->backends.events & KMT_EV(i), in_btf[i], preferred);
		if (preferred && kind[i] != KMT_ATTACH_MISSING && ev[i].tracepoint &&
		    kmt_trace_event_exists(tracing_dirs, 2, ev[i].system, ev[i].name))
			kind[i] = KMT_ATTACH_TRACEPOINT;
	}
	for (int i = 0; i < KMT_EVENTS && !rc; i++) {
		rc = bpf_program__set_autoload(ev[i].btf, kind[i] == KMT_ATTACH_TP_BTF);
		if (!rc)
			rc = bpf_program__set_autoload(ev[i].raw, kind[i] == KMT_ATTACH_RAW_TP);
		if (!rc && ev[i].tracepoint)
			rc = bpf_program__set_autoload(ev[i].tracepoint,
						       kind[i] == KMT_ATTACH_TRACEPOINT);
	}
	if (rc)
		return fail(err, errlen, rc, "cannot choose the BPF programs: %s", strerror(-rc));
	describe(s, ev, exists);

	rc = kvm_mmio__load(s->skel);
	if (rc)
		return load_failed(rc, err, errlen);
	rc = fill_pid_filter(s->skel, opts);
	if (rc)
		return fail(err, errlen, rc, "cannot fill the pid filter map: %s", strerror(-rc));
	rc = map_vcpu_slots(s);
	if (rc)
		return fail(err, errlen, rc, "cannot map the vCPU counters into memory: %s",
			    strerror(-rc));
	rc = kvm_mmio__attach(s->skel);
	if (rc)
		return fail(err, errlen, rc, "attaching to the KVM tracepoints failed: %s",
			    strerror(-rc));
	return 0;
}

/* Whether the first flags line of /proc/cpuinfo lists flag. */
static bool cpu_has_flag(const char *flag)
{
	char line[8192], *word, *save = NULL;
	FILE *f = fopen("/proc/cpuinfo", "re");
	bool found = false;

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (word = strtok_r(line, " \t\n", &save); word && !found;
		     word = strtok_r(NULL, " \t\n", &save))
			found = !strcmp(word, flag);
		break;
	}
	if (f)
		fclose(f);
	return found;
}

/* What brings /dev/kvm on this machine. */
static const char *kvm_device_hint(void)
{
	struct utsname uts;

	uname(&uts);
	if (!strcmp(uts.machine, "x86_64"))
		return cpu_has_flag("svm") ? "modprobe kvm_amd"
		       : cpu_has_flag("vmx") ? "modprobe kvm_intel"
		       : "this CPU shows neither svm nor vmx: virtualization off in the firmware?";
	if (!strncmp(uts.machine, "ppc64", 5))
		return "modprobe kvm-hv (or kvm-pr)";
	return "KVM did not initialise here: see the kernel log (dmesg | grep -i kvm)";
}

/* No MMIO backend fits: say which basic event is missing and what to do. */
static int no_backend(const bool exists[KMT_EVENTS], char *err, size_t errlen)
{
	const enum kmt_event basic[] = { KMT_EV_MMIO, KMT_EV_USER_EXIT, KMT_EV_SYS_ENTER };
	char todo[256];

	for (size_t i = 0; i < sizeof(basic) / sizeof(basic[0]); i++) {
		const char *name = kmt_event_name(basic[i]);

		if (exists[basic[i]])
			continue;
		if (basic[i] == KMT_EV_SYS_ENTER)
			snprintf(todo, sizeof(todo), "it needs CONFIG_FTRACE_SYSCALLS");
		else
			snprintf(todo, sizeof(todo), "load KVM first (modprobe kvm_intel, kvm_amd or "
				 "kvm-hv) and retry; here: %s", kvm_device_hint());
		return fail(err, errlen, -ENOENT,
			    "the kernel has no %s tracepoint (no __traceiter_%s in %s): %s", name,
			    name, KALLSYMS, todo);
	}
	return fail(err, errlen, -ENOENT, "no backend fits this kernel");
}

const char *kmt_kvm_missing(void)
{
	static char missing[256];

	if (!access(KVM_DEVICE, F_OK))
		return NULL;
	snprintf(missing, sizeof(missing),
		 "no /dev/kvm (no " KVM_DEVICE "): KVM's tracepoints are there but its hardware "
		 "module is not loaded, so no guest can run: %s", kvm_device_hint());
	return missing;
}

int kmt_session_open(struct kmt_session **out, const struct kmt_session_opts *opts,
		     char *err, size_t errlen)
{
	const char *names[KMT_EVENTS];
	bool exists[KMT_EVENTS], in_btf[KMT_EVENTS];
	struct kmt_host host;
	struct kmt_session *s;
	struct utsname uts;
	char mode[32];
	struct btf **btfs;
	size_t nr_btfs;
	int rc;

	*out = NULL;
	rc = kmt_check_privileges(err, errlen);
	if (rc)
		return rc;
	libbpf_set_print(opts->verbose ? libbpf_verbose : libbpf_quiet);
	for (int i = 0; i < KMT_EVENTS; i++)
		names[i] = kmt_event_name(i);
	rc = kmt_tracepoints_in_kallsyms(KALLSYMS, names, KMT_EVENTS, exists);
	if (rc)
		return fail(err, errlen, rc, "cannot read %s: %s", KALLSYMS, strerror(-rc));
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, errlen, -ENOMEM, "out of memory");
	uname(&uts);
	host.machine = uts.machine;
	host.no_locks = opts->no_locks;
	host.no_kernel_reads = !strcmp(lockdown_mode(mode, sizeof(mode)), "confidentiality");
	if (kmt_backends_select(&s->backends, exists, &host)) {
		free(s);
		return no_backend(exists, err, errlen);
	}
	kmt_kernel_btfs_load(&btfs, &nr_btfs);
	if (!nr_btfs) {
		free(s);
		return fail(err, errlen, -ENOENT,
			    "the kernel's BTF type information is missing (no readable "
			    "/sys/kernel/btf/vmlinux, nor a vmlinux with BTF in /boot or "
			    "/usr/lib/debug): the BPF programs are CO-RE and need a kernel built "
			    "with CONFIG_DEBUG_INFO_BTF=y (Debian's are)");
	}
	for (int i = 0; i < KMT_EVENTS; i++)
		in_btf[i] = kmt_btf_has_tracepoint(btfs, nr_btfs, names[i]);
	kmt_kernel_btfs_free(btfs, nr_btfs);

	rc = try_attach(s, opts, exists, in_btf, true, err, errlen);
	if (rc) {
		/* tp_btf can fail where raw_tp works (e.g. module BTF rejected). */
		unmap_vcpu_slots(s);
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
	fds->vcpu_slots = s->vcpu_slots;
	fds->nr_vcpu_slots = bpf_map__max_entries(s->skel->maps.vcpu_slots);
	fds->vcpu_slots_used = &s->skel->bss->vcpu_slots_used;
	fds->free_vcpu_slots = bpf_map__fd(s->skel->maps.free_vcpu_slots);
	fds->hists = bpf_map__fd(s->skel->maps.hists);
	fds->locks = bpf_map__fd(s->skel->maps.locks);
	fds->regions = bpf_map__fd(s->skel->maps.regions);
	fds->drops = bpf_map__fd(s->skel->maps.drops);
	fds->procs = bpf_map__fd(s->skel->maps.procs);
	fds->procs_changes = s->skel->bss ? &s->skel->bss->procs_changes : NULL;
}

const struct kmt_selection *kmt_session_backends(const struct kmt_session *s)
{
	return &s->backends;
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
	unmap_vcpu_slots(s);
	kvm_mmio__destroy(s->skel);
	free(s);
}
