/*
 * What each vcpu of each guest does, and what it saw: the plan the VMM
 * hands to the guest program and the ground truth it records.
 *
 * vcpu v of guest g makes 3 + 2g + v stores and 2 + g + 2v loads, so that
 * every vcpu's counts differ from every other's and a count attributed
 * to the wrong vcpu or guest shows. Its four pages sit at
 * GPA 0x80000000 + g * 1 MiB + v * 64 KiB + page * 4 KiB (no memslot
 * there) and EA 0x10000000 + page * 4 KiB in its own
 * segment (VSID 0x100 + 0x40g + 0x10v).
 *
 * The contention plan (test-vmm -c): vcpu v of guest g makes 150 + v
 * stores and 100 + 2v loads through the one absent HPTE of page 0 that
 * vcpu 0 enters (VSID 0x100 + 0x40g, GPA as vcpu 0's above), rotating
 * over 5 segments; the first 250 accesses of every vcpu are made in
 * lockstep (a spin barrier in guest RAM before each), so that their HPT
 * lookups of that HPTE happen together. Each vcpu thread is pinned to a
 * host CPU of its own: vcpus sharing a CPU never overlap (and one
 * spinning at the barrier would starve the other).
 *
 * The vanishing-HPTE plan (test-vmm -r): in each VM vcpu 0 H_ENTERs and
 * H_REMOVEs one read-only HPTE of the guest RAM page at GONE_GPA
 * (VSID 0x100 + 0x40g, EA 0x10000000) until the others have made
 * GONE_STORES stores each to that page, every one ending in a DSI.
 */
#ifndef KMT_PPC_SCENARIO_H
#define KMT_PPC_SCENARIO_H

#include <stdint.h>
#include <sys/types.h>

#include "guest-abi.h"

#define MAX_ACCESSES	256	/* the stride in page 0 allows no more */

struct access {
	uint64_t gpa;
	uint32_t len;
	int is_write;
	uint32_t data;
};

/* Which guest program a vcpu runs: guest.S, guest-contend.S,
 * guest-prefixed.S or guest-gone.S */
enum guest_program { PROG_HCALLS, PROG_CONTEND, PROG_PREFIXED, PROG_GONE };

struct vcpu_plan {
	enum guest_program program;
	unsigned int vm, vcpu;
	unsigned int nstores, nloads;
	uint64_t vsid;
	uint64_t ea[GUEST_PAGES], gpa[GUEST_PAGES];
	unsigned int nvalid;	/* H_ENTER + H_REMOVE pairs on a valid HPTE */
	uint64_t valid_vsid, valid_gpa;
	unsigned int nentered;	/* pages this vcpu H_ENTERs */
	unsigned int segments;	/* access i goes to segment i % segments */
	unsigned int vcpus;	/* of the VM */
	unsigned int lockstep;	/* accesses the VM's vcpus make together */
	int pinned;		/* vcpu v runs on host CPU v (modulo the CPUs) */
	int kernel_stores;	/* every store goes to an ioeventfd (test-vmm -k) */
	unsigned int pause_after;	/* stop the VMM after this many MMIO
					 * exits (test-vmm -p), 0: never */
	unsigned int nreflect;	/* loads reflected as DSIs (test-vmm -l) */
	/* guest-prefixed.S: guest real address of its pstw and plwz */
	uint64_t prefixed_pc[GUEST_PREFIXED_INSNS];
	/* guest-gone.S: vcpu 0 removes and enters the HPTE (remover),
	 * the others store to its page (nstores, each a DSI) */
	int remover;
};

struct vcpu_truth {
	pid_t tid;		/* the thread that ran KVM_RUN */
	unsigned int naccesses;
	struct access access[2 * MAX_ACCESSES];	/* KVM_EXIT_MMIO */
	unsigned int hcall_exits;	/* KVM_EXIT_PAPR_HCALL */
	/* With kernel_stores: the ioeventfd of store i, and after the run
	 * how often it was signalled */
	int store_fd[MAX_ACCESSES];
	uint64_t store_count[MAX_ACCESSES];
	/* guest-prefixed.S: KVM_RUNs a signal interrupted (EINTR), and how
	 * often the VMM found the guest at each prefixed instruction then
	 * and skipped it */
	unsigned int intr_exits;
	unsigned int skipped[GUEST_PREFIXED_INSNS];
};

void plan_vcpu(struct vcpu_plan *p, enum guest_program program, unsigned int vm,
	       unsigned int vcpu, unsigned int vcpus, uint64_t block_gpa);
/* MMIO access i the plan implies: stores first, then loads. */
struct access plan_access(const struct vcpu_plan *p, unsigned int i);
/* The access of guest-prefixed.S's prefixed instruction k
 * (GUEST_PREFIXED_STORE or GUEST_PREFIXED_LOAD). */
struct access prefixed_access(const struct vcpu_plan *p, unsigned int k);
/* Fill the parameter block the guest program reads. */
void plan_write_block(const struct vcpu_plan *p, uint8_t *block);
/* The word the VMM returns for a load from gpa. */
uint32_t load_value(uint64_t gpa);
/* 0 when the accesses and the guest's results are what the plan implies,
 * else -1 after printing the difference. */
int truth_check(const struct vcpu_plan *p, const struct vcpu_truth *t, const uint8_t *block);
/* The ground-truth lines of one vcpu (see docs/testbeds.md). */
void truth_print(const char *run, const struct vcpu_plan *p, const struct vcpu_truth *t,
		 const uint8_t *block);

#endif
