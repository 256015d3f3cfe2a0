/*
 * test-vmm (ppc64le): KVM-HV guests with hashed page tables whose vcpus
 * make a known number of MMIO accesses through absent HPTEs and a known
 * series of HPT hcalls on absent entries, then print what happened as the
 * ground truth the POWER test bed compares trace events with.
 *
 *   test-vmm [-g GUESTS] [-v VCPUS] [-c | -k | -p | -l | -x | -r] RUN
 *
 * GUESTS VMs (default 2) of VCPUS vcpus (default 2) run concurrently, one
 * thread per vcpu. RUN labels the output lines. With -c the vcpus of each
 * VM run the contention program instead (guest-contend.S): their MMIO
 * accesses go through one shared absent HPTE, in lockstep, each vcpu
 * pinned to a host CPU of its own (so VCPUS should not exceed the host's
 * CPUs). With -k every store goes to an in-kernel ioeventfd of its own
 * (KVM_IOEVENTFD) instead of user space. With -p each vcpu stops the
 * whole VMM (SIGSTOP) once, right after user space has served its first
 * load and before KVM completes it (meant for one vcpu: the parent changes
 * the trace events meanwhile and sends SIGCONT). With -l each vcpu ends
 * with REFLECT_LOADS loads from page 0 after its H_REMOVE, each a DSI
 * that KVM reflects to the guest (on POWER7/8 in real mode, more than its
 * four HDSI records hold). With -x (POWER10 only; meant for one vcpu) the
 * vcpus run the prefixed-instruction program (guest-prefixed.S): a
 * store, a pstw and a plwz, a load; a prefixed instruction at which
 * KVM_RUN keeps resuming the guest is skipped after VMM_PREFIXED_WAIT_MS
 * (a timer signal interrupts KVM_RUN, vcpu-run.c). With -r the vcpus run
 * the vanishing-HPTE program (guest-gone.S): vcpu 0 of each VM enters and
 * removes a read-only HPTE while the others store to its page (meant for
 * one VM of 2 vcpus, one per host CPU).
 * Exit status 0 when every vcpu did exactly what scenario.h plans,
 * 1 otherwise; after 60 s the process is killed by SIGALRM.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvm-vm.h"
#include "scenario.h"
#include "vcpu-run.h"

#define MAX_GUESTS	8
#define MAX_VCPUS	8
#define TIMEOUT_S	60

#define USAGE	"usage: test-vmm [-g GUESTS] [-v VCPUS] [-c | -k | -p | -l | -x | -r] RUN\n"
#define REFLECT_LOADS	10

extern const char guest_code[], guest_code_end[];
extern const char guest_contend_code[], guest_contend_code_end[];
extern const char guest_prefixed_code[], guest_prefixed_code_end[];
extern const char guest_pstw[], guest_plwz[];
extern const char guest_gone_code[], guest_gone_code_end[];

static unsigned int parse_count(const char *s, unsigned int max, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "test-vmm: %s must be 1..%u, not '%s'\n", what, max, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static struct vm vms[MAX_GUESTS];
	static struct vcpu_ctx ctx[MAX_GUESTS][MAX_VCPUS];
	static pthread_barrier_t phase[MAX_GUESTS];
	static pthread_t threads[MAX_GUESTS][MAX_VCPUS];
	unsigned int guests = 2, vcpus = 2;
	enum guest_program program = PROG_HCALLS;
	const char *run, *code = guest_code, *code_end = guest_code_end;
	int kvm, opt, status = 0, kernel_stores = 0, pause = 0, reflect = 0;

	while ((opt = getopt(argc, argv, "g:v:ckplxr")) != -1) {
		switch (opt) {
		case 'g':
			guests = parse_count(optarg, MAX_GUESTS, "-g GUESTS");
			break;
		case 'v':
			vcpus = parse_count(optarg, MAX_VCPUS, "-v VCPUS");
			break;
		case 'c':
			program = PROG_CONTEND;
			code = guest_contend_code;
			code_end = guest_contend_code_end;
			break;
		case 'k':
			kernel_stores = 1;
			break;
		case 'p':
			pause = 1;
			break;
		case 'l':
			reflect = 1;
			break;
		case 'r':
			program = PROG_GONE;
			code = guest_gone_code;
			code_end = guest_gone_code_end;
			break;
		case 'x':
			program = PROG_PREFIXED;
			code = guest_prefixed_code;
			code_end = guest_prefixed_code_end;
			break;
		default:
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(USAGE, stderr);
		return 2;
	}
	run = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(TIMEOUT_S);

	if (program == PROG_PREFIXED && vcpu_signal_setup())
		return 1;
	kvm = kvm_open();
	if (kvm < 0)
		return 1;
	/* Everything is set up before any vcpu runs: creating a memslot
	 * invalidates the VM's MMIO HPTE caches. */
	for (unsigned int g = 0; g < guests; g++) {
		if (vm_create(kvm, &vms[g], code, code_end - code))
			return 1;
		pthread_barrier_init(&phase[g], NULL, vcpus);
		for (unsigned int v = 0; v < vcpus; v++) {
			struct vcpu_ctx *c = &ctx[g][v];
			uint64_t block_gpa = VM_BLOCK_GPA + v * VM_BLOCK_STRIDE;

			plan_vcpu(&c->plan, program, g, v, vcpus, block_gpa);
			c->plan.kernel_stores = kernel_stores;
			c->plan.nreflect = reflect ? REFLECT_LOADS : 0;
			if (program == PROG_PREFIXED) {
				c->plan.prefixed_pc[GUEST_PREFIXED_STORE] =
					VM_CODE_GPA + (guest_pstw - guest_prefixed_code);
				c->plan.prefixed_pc[GUEST_PREFIXED_LOAD] =
					VM_CODE_GPA + (guest_plwz - guest_prefixed_code);
			}
			for (unsigned int i = 0; kernel_stores && i < c->plan.nstores; i++) {
				c->truth.store_fd[i] = vm_ioeventfd(&vms[g], plan_access(&c->plan, i).gpa,
								    GUEST_ACCESS_LEN);
				if (c->truth.store_fd[i] < 0)
					return 1;
			}
			/* the first load is the access after the stores */
			if (pause)
				c->plan.pause_after = c->plan.nstores + 1;
			c->block = vms[g].ram + block_gpa;
			c->phase = &phase[g];
			plan_write_block(&c->plan, c->block);
			if (vcpu_create(kvm, &vms[g], v, &c->vcpu, block_gpa))
				return 1;
		}
	}
	for (unsigned int g = 0; g < guests; g++)
		for (unsigned int v = 0; v < vcpus; v++)
			pthread_create(&threads[g][v], NULL, vcpu_thread, &ctx[g][v]);
	for (unsigned int g = 0; g < guests; g++)
		for (unsigned int v = 0; v < vcpus; v++)
			pthread_join(threads[g][v], NULL);

	for (unsigned int g = 0; g < guests; g++) {
		for (unsigned int v = 0; v < vcpus; v++) {
			struct vcpu_ctx *c = &ctx[g][v];

			for (unsigned int i = 0; kernel_stores && i < c->plan.nstores; i++)
				if (read(c->truth.store_fd[i], &c->truth.store_count[i],
					 sizeof(c->truth.store_count[i])) < 0)
					c->truth.store_count[i] = 0;	/* never signalled */
			truth_print(run, &c->plan, &c->truth, c->block);
			if (truth_check(&c->plan, &c->truth, c->block))
				status = 1;
		}
	}
	printf("KMT vmm run=%s guests=%u vcpus=%u program=%s result=%s\n", run, guests, vcpus,
	       program == PROG_CONTEND ? "contend" : program == PROG_PREFIXED ? "prefixed" :
	       program == PROG_GONE ? "gone" : "hcalls",
	       status ? "fail" : "ok");
	return status;
}
