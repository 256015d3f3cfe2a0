/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which tracepoints the running kernel has, and how to attach to each.
 *
 * tp_btf is preferred (typed arguments, checked by the verifier) and needs
 * the tracepoint's btf_trace_<name> typedef in vmlinux BTF or, for events of
 * a KVM built as modules, in the kvm module's BTF under /sys/kernel/btf.
 * raw_tp only needs the tracepoint to exist, which /proc/kallsyms tells by
 * its __traceiter_<name> or __tracepoint_<name> symbol. Classic (perf) tracepoints are never
 * needed for KVM's events: every kernel with BPF CO-RE has raw_tp. Classic
 * tracepoints are preferred for syscalls:sys_enter_ioctl, because ftrace
 * filters it by syscall number before BPF runs (cheaper for every other
 * syscall on the host than raw_syscalls:sys_enter), and for the kvm_hv
 * events of kernel-patches/, whose record fields a tracepoint program reads
 * by name (tp_btf and raw_tp arguments are positional; BTF does not name them).
 */
#ifndef KMT_PROBE_H
#define KMT_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct btf;

enum kmt_attach_kind {
	KMT_ATTACH_MISSING,
	KMT_ATTACH_RAW_TP,
	KMT_ATTACH_TP_BTF,
	KMT_ATTACH_TRACEPOINT,	/* classic (perf) tracepoint: sys_enter_ioctl, kvm_hv events */
};

const char *kmt_attach_kind_name(enum kmt_attach_kind kind);

/*
 * Sets exists[i] for each names[i] that has a tracepoint symbol in the
 * kallsyms-format file at path. Returns 0 or a negative errno.
 */
int kmt_tracepoints_in_kallsyms(const char *path, const char *const *names, size_t n,
				bool *exists);

/* True when one of the BTF objects declares typedef btf_trace_<name>. */
bool kmt_btf_has_tracepoint(struct btf *const *btfs, size_t n, const char *name);

/*
 * Loads vmlinux BTF and every module BTF from /sys/kernel/btf. Missing BTF
 * is not an error: *n is 0 then and only raw_tp will be chosen.
 */
void kmt_kernel_btfs_load(struct btf ***btfs, size_t *n);
void kmt_kernel_btfs_free(struct btf **btfs, size_t n);

enum kmt_attach_kind kmt_choose_attach(bool exists, bool in_btf, bool prefer_btf);

/*
 * True when tracefs lists the event <system>:<name> with its id (tracefs
 * mounted; for syscalls, CONFIG_FTRACE_SYSCALLS), which libbpf needs to
 * attach a tracepoint program. tracing_dirs lists the mount points to look in.
 */
bool kmt_trace_event_exists(const char *const *tracing_dirs, size_t n, const char *system,
			    const char *name);

#endif /* KMT_PROBE_H */
