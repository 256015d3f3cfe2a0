/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A tracing session: choose the backend descriptors the running kernel
 * supports, open the BPF skeleton, configure it, choose each event's attach
 * type, load, attach; and tear it all down.
 */
#ifndef KMT_SESSION_H
#define KMT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi.h"
#include "backend.h"
#include "map_reader.h"

struct kmt_session_opts {
	uint32_t pids[KMT_MAX_PIDS];	/* trace only these VMM processes (filtered in the kernel) */
	size_t nr_pids;			/* 0: every process */
	uint32_t max_guests;	/* guests with histograms at once; 0: KMT_DEFAULT_MAX_GUESTS */
	uint32_t max_vcpus;	/* vCPU threads counted at once; 0: KMT_DEFAULT_MAX_VCPUS */
	uint32_t max_regions;	/* (guest, page) regions at once; 0: KMT_DEFAULT_MAX_REGIONS */
	bool no_locks;		/* attach no lock series (lock:contention_* cost every lock) */
	bool verbose;		/* pass libbpf's own messages to stderr */
};

struct kmt_session;

/*
 * Whether this process may load and attach the tracing programs: 0, or
 * -EPERM with err naming the missing capability (CAP_BPF, CAP_PERFMON).
 */
int kmt_check_privileges(char *err, size_t errlen);

/*
 * Returns 0, or -errno with a message in err saying what failed, why, and
 * what to do.
 */
int kmt_session_open(struct kmt_session **out, const struct kmt_session_opts *opts,
		     char *err, size_t errlen);

void kmt_session_maps(const struct kmt_session *session, struct kmt_map_fds *fds);

/* The descriptors chosen for the running kernel, and why (backend.h). */
const struct kmt_selection *kmt_session_backends(const struct kmt_session *session);

/* "kvm_mmio=tp_btf kvm_exit=missing ...": what was attached and how. */
const char *kmt_session_describe(const struct kmt_session *session);

/* Calls fn(name, fd, ctx) for every BPF program the session loaded. */
void kmt_session_for_each_prog(const struct kmt_session *session,
			       void (*fn)(const char *name, int fd, void *ctx), void *ctx);

void kmt_session_close(struct kmt_session *session);

/*
 * What keeps guests from running while tracing can go on, or NULL. KVM's
 * tracepoints are in the kvm module, which the attached programs hold (rmmod
 * says it is in use), but /dev/kvm comes and goes with the hardware module
 * (kvm_amd, kvm_intel, kvm-hv), which can be unloaded and loaded again at
 * any time while no guest runs. The message says what to do.
 */
const char *kmt_kvm_missing(void);

#endif /* KMT_SESSION_H */
