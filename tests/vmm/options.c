// SPDX-License-Identifier: GPL-2.0
/* Command line parsing and validation for the test VMM. */
#include "options.h"

#include "arch.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: test-vmm [--guests G] [--vcpus V] [--writes W] [--reads R]\n"
		"                [--addr GPA] [--vcpu-stride BYTES] [--delay-us D]\n"
		"                [--ioeventfd-writes K] [--ioeventfd-addr GPA]\n"
		"                [--hypercalls H] [--wfi I] [--touch-pages P]\n"
		"                [--wait-file PATH] [--linger-ms MS] [-name guest=NAME] [--json]\n"
		"\n"
		"Runs G KVM guests (one process each; real mode on x86, EL1 with the MMU off\n"
		"on arm64) with V vCPU threads. Every vCPU does W one-byte MMIO writes then\n"
		"R one-byte MMIO reads at its own GPA (addr + i * stride), then K writes to\n"
		"its ioeventfd GPA (completed in the kernel), then on arm64 H hypercalls and\n"
		"I WFIs (both completed in the kernel), then stops (x86 hlt, arm64 brk).\n"
		"The VMM counts every exit and fails unless each vCPU did exactly what was\n"
		"asked.\n"
		"\n"
		"  --guests G            guest processes, re-executed as NAME-0..NAME-G-1 (1)\n"
		"  --vcpus V             vCPU threads per guest, 1..%u (1)\n"
		"  --writes W            MMIO writes per vCPU (100)\n"
		"  --reads R             MMIO reads per vCPU (0)\n"
		"  --addr GPA            MMIO GPA of vCPU 0 (0xd0000)\n"
		"  --vcpu-stride BYTES   distance between vCPUs' GPAs (0x1000)\n"
		"  --delay-us D          busy-wait D us in the VMM per MMIO exit (0)\n"
		"  --ioeventfd-writes K  ioeventfd writes per vCPU (0)\n"
		"  --ioeventfd-addr GPA  ioeventfd GPA of vCPU 0 (0xe0000)\n"
		"  --hypercalls H        arm64: PSCI_VERSION HVCs per vCPU, answered by KVM (0)\n"
		"  --wfi I               arm64: WFIs per vCPU; KVM blocks the vCPU on each\n"
		"                        until a 1 ms timer signal wakes it (0)\n"
		"  --touch-pages P       x86: before its MMIO accesses every vCPU stores once\n"
		"                        into each of P fresh 4 KiB pages of its own (a memslot\n"
		"                        at 0x%x); vCPUs released together (--wait-file) take\n"
		"                        their first-touch page faults, and the VM's MMU lock,\n"
		"                        at the same time (0)\n"
		"  --wait-file PATH      before the first KVM_RUN wait until PATH exists (60 s max)\n"
		"  --linger-ms MS        stay alive MS ms after the vCPUs finished (0)\n"
		"  -name guest=NAME      guest name as QEMU spells it; also -name NAME (vmm)\n"
		"  --json                print the ground truth as one JSON object on stdout\n"
		"  --help                this text\n"
		"\n"
		"GPAs must lie in [0x%x, 0x%x): above guest RAM, reachable from real mode.\n"
		"Exit status: 0 all counts exact, 1 mismatch or KVM error, 2 usage.\n",
		MAX_VCPUS, TOUCH_GPA, GUEST_RAM_SIZE, REAL_MODE_LIMIT);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "test-vmm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'test-vmm --help'.\n");
	return -1;
}

/* Decimal or 0x-prefixed unsigned number no larger than max. */
static int parse_number(const char *option, const char *arg, uint64_t max,
			uint64_t *value)
{
	char *end;

	errno = 0;
	if (arg[0] == '-' || arg[0] == '\0')
		goto bad;
	*value = strtoull(arg, &end, 0);
	if (errno || *end != '\0' || *value > max)
		goto bad;
	return 0;
bad:
	fprintf(stderr,
		"test-vmm: --%s: '%s' is not a number in 0..%" PRIu64 "\n"
		"Try 'test-vmm --help'.\n", option, arg, max);
	return -1;
}

/* QEMU's -name is "[guest=]NAME[,key=value...]": keep NAME only. */
static int parse_name(const char *arg, struct vmm_options *opts)
{
	const char *name = arg;
	size_t len;

	if (strncmp(name, "guest=", 6) == 0)
		name += 6;
	len = strcspn(name, ",");
	if (len == 0 || len > MAX_NAME_LEN)
		return usage_error("-name: '%s' needs a name of 1..64 characters", arg);
	/* The name goes into JSON and argv of child guests: keep it plain. */
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") < len)
		return usage_error("-name: '%s' may only use letters, digits, '.', '_' and '-'", arg);
	memcpy(opts->name, name, len);
	opts->name[len] = '\0';
	opts->name_given = true;
	return 0;
}

uint64_t vcpu_mmio_gpa(const struct vmm_options *opts, unsigned int vcpu)
{
	return opts->addr + vcpu * opts->vcpu_stride;
}

uint64_t vcpu_ioeventfd_gpa(const struct vmm_options *opts, unsigned int vcpu)
{
	return opts->ioeventfd_addr + vcpu * opts->vcpu_stride;
}

uint64_t vcpu_touch_gpa(const struct vmm_options *opts, unsigned int vcpu)
{
	return TOUCH_GPA + (uint64_t)vcpu * opts->touch_pages * PAGE_SIZE_4K;
}

uint64_t touch_region_size(const struct vmm_options *opts)
{
	return vcpu_touch_gpa(opts, opts->vcpus) - TOUCH_GPA;
}

static int check_gpa_range(const char *option, uint64_t first, uint64_t last,
			   const struct vmm_options *opts)
{
	uint64_t touch_end = TOUCH_GPA + touch_region_size(opts);

	if (opts->touch_pages && first < touch_end && last >= TOUCH_GPA) {
		fprintf(stderr,
			"test-vmm: %s: vCPU GPAs span 0x%" PRIx64 "..0x%" PRIx64
			", inside the --touch-pages RAM [0x%x, 0x%" PRIx64 "); move the address\n",
			option, first, last, TOUCH_GPA, touch_end);
		return -1;
	}
	if (first >= GUEST_RAM_SIZE && last < REAL_MODE_LIMIT)
		return 0;
	fprintf(stderr,
		"test-vmm: %s: vCPU GPAs span 0x%" PRIx64 "..0x%" PRIx64
		", but must lie in [0x%x, 0x%x) (outside guest RAM, below 1 MiB);"
		" change the address, --vcpu-stride or --vcpus\n",
		option, first, last, GUEST_RAM_SIZE, REAL_MODE_LIMIT);
	return -1;
}

static int validate(struct vmm_options *opts)
{
	unsigned int i, j;

	if (opts->guests < 1 || opts->guests > MAX_GUESTS) {
		fprintf(stderr, "test-vmm: --guests must be 1..%u\n", MAX_GUESTS);
		return -1;
	}
	if (opts->vcpus < 1 || opts->vcpus > MAX_VCPUS) {
		fprintf(stderr, "test-vmm: --vcpus must be 1..%u\n", MAX_VCPUS);
		return -1;
	}
	/* Children are NAME-0..NAME-63 and must pass parse_name() too. */
	if (opts->guests > 1 && strlen(opts->name) > MAX_NAME_LEN - 3) {
		fprintf(stderr, "test-vmm: -name: with --guests the name may have at most %u characters\n",
			MAX_NAME_LEN - 3);
		return -1;
	}
	if (opts->vcpus > 1 && opts->vcpu_stride == 0) {
		fprintf(stderr, "test-vmm: --vcpu-stride must be non-zero with more than one vCPU\n");
		return -1;
	}
	if ((opts->hypercalls || opts->wfis) && !arch_has_hypercalls_and_wfi) {
		fprintf(stderr, "test-vmm: --hypercalls and --wfi exist on arm64 only\n");
		return -1;
	}
	if (opts->touch_pages && !arch_can_touch_pages) {
		fprintf(stderr, "test-vmm: --touch-pages exists on x86 only\n");
		return -1;
	}
	if (touch_region_size(opts) > TOUCH_LIMIT - TOUCH_GPA) {
		fprintf(stderr, "test-vmm: --touch-pages: %u vCPUs x %u pages do not fit in"
			" [0x%x, 0x%x): at most %u pages in all\n", opts->vcpus,
			opts->touch_pages, TOUCH_GPA, TOUCH_LIMIT,
			(TOUCH_LIMIT - TOUCH_GPA) / PAGE_SIZE_4K);
		return -1;
	}
	if (check_gpa_range("--addr", opts->addr,
			    vcpu_mmio_gpa(opts, opts->vcpus - 1), opts))
		return -1;
	if (opts->ioeventfd_writes == 0)
		return 0;
	if (check_gpa_range("--ioeventfd-addr", opts->ioeventfd_addr,
			    vcpu_ioeventfd_gpa(opts, opts->vcpus - 1), opts))
		return -1;
	for (i = 0; i < opts->vcpus; i++) {
		for (j = 0; j < opts->vcpus; j++) {
			if (vcpu_mmio_gpa(opts, i) != vcpu_ioeventfd_gpa(opts, j))
				continue;
			fprintf(stderr,
				"test-vmm: vCPU %u's MMIO GPA 0x%" PRIx64
				" is also vCPU %u's ioeventfd GPA; move --addr or --ioeventfd-addr\n",
				i, vcpu_mmio_gpa(opts, i), j);
			return -1;
		}
	}
	return 0;
}

enum {
	OPT_GUESTS = 256, OPT_VCPUS, OPT_WRITES, OPT_READS, OPT_ADDR,
	OPT_VCPU_STRIDE, OPT_DELAY_US, OPT_IOEVENTFD_WRITES,
	OPT_IOEVENTFD_ADDR, OPT_HYPERCALLS, OPT_WFI, OPT_TOUCH_PAGES, OPT_WAIT_FILE, OPT_LINGER_MS, OPT_NAME, OPT_JSON,
	OPT_HELP,
};

static const struct option long_options[] = {
	{ "guests",		required_argument, NULL, OPT_GUESTS },
	{ "vcpus",		required_argument, NULL, OPT_VCPUS },
	{ "writes",		required_argument, NULL, OPT_WRITES },
	{ "reads",		required_argument, NULL, OPT_READS },
	{ "addr",		required_argument, NULL, OPT_ADDR },
	{ "vcpu-stride",	required_argument, NULL, OPT_VCPU_STRIDE },
	{ "delay-us",		required_argument, NULL, OPT_DELAY_US },
	{ "ioeventfd-writes",	required_argument, NULL, OPT_IOEVENTFD_WRITES },
	{ "ioeventfd-addr",	required_argument, NULL, OPT_IOEVENTFD_ADDR },
	{ "hypercalls",		required_argument, NULL, OPT_HYPERCALLS },
	{ "wfi",		required_argument, NULL, OPT_WFI },
	{ "touch-pages",	required_argument, NULL, OPT_TOUCH_PAGES },
	{ "wait-file",		required_argument, NULL, OPT_WAIT_FILE },
	{ "linger-ms",		required_argument, NULL, OPT_LINGER_MS },
	{ "name",		required_argument, NULL, OPT_NAME },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "help",		no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

int parse_options(int argc, char **argv, struct vmm_options *opts)
{
	const char *option;
	uint64_t value;
	int opt, index;

	*opts = (struct vmm_options){
		.guests = 1,
		.vcpus = 1,
		.writes = 100,
		.addr = 0xd0000,
		.vcpu_stride = 0x1000,
		.ioeventfd_addr = 0xe0000,
		.name = "vmm",
	};

	/*
	 * getopt_long_only so that QEMU's single-dash "-name" is understood;
	 * as a side effect "-vcpus 2" works too. Errors are printed by us.
	 */
	opterr = 0;
	while ((opt = getopt_long_only(argc, argv, "", long_options, &index)) != -1) {
		if (opt == '?') {
			return usage_error("unknown option or missing argument: '%s'",
					   argv[optind - 1]);
		}
		option = long_options[index].name;
		switch (opt) {
		case OPT_NAME:
			if (parse_name(optarg, opts))
				return -1;
			continue;
		case OPT_WAIT_FILE:
			opts->wait_file = optarg;
			continue;
		case OPT_JSON:
			opts->json = true;
			continue;
		case OPT_HELP:
			print_usage(stdout);
			return 1;
		}
		if (parse_number(option, optarg,
				 opt == OPT_ADDR || opt == OPT_VCPU_STRIDE ||
				 opt == OPT_IOEVENTFD_ADDR ? REAL_MODE_LIMIT : UINT32_MAX,
				 &value))
			return -1;
		switch (opt) {
		case OPT_GUESTS:		opts->guests = value; break;
		case OPT_VCPUS:			opts->vcpus = value; break;
		case OPT_WRITES:		opts->writes = value; break;
		case OPT_READS:			opts->reads = value; break;
		case OPT_ADDR:			opts->addr = value; break;
		case OPT_VCPU_STRIDE:		opts->vcpu_stride = value; break;
		case OPT_DELAY_US:		opts->delay_us = value; break;
		case OPT_IOEVENTFD_WRITES:	opts->ioeventfd_writes = value; break;
		case OPT_IOEVENTFD_ADDR:	opts->ioeventfd_addr = value; break;
		case OPT_HYPERCALLS:		opts->hypercalls = value; break;
		case OPT_WFI:			opts->wfis = value; break;
		case OPT_TOUCH_PAGES:		opts->touch_pages = value; break;
		case OPT_LINGER_MS:		opts->linger_ms = value; break;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (validate(opts)) {
		fprintf(stderr, "Try 'test-vmm --help'.\n");
		return -1;
	}
	return 0;
}
