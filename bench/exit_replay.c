// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The BPF run time of an MMIO exit, measured without a guest: kvm-mmio-top's
 * own programs (their raw_tp entry points, through the real verifier and
 * JIT) are fed the events of each exit with BPF_PROG_TEST_RUN, and bpf_stats
 * times every run. The floor, a program that only counts, runs the same way
 * once per event in the same loop, so the ratio the cost goal is written in
 * (tool / (events per exit x floor)) comes from one run.
 *
 * It stands in for bench/cost.sh's bpf_stats where a host has no /dev/kvm,
 * and lets a change to the per-exit path be measured in seconds: give it the
 * BPF objects of two builds and their rounds interleave, each with its own
 * floor runs, so they compare within one run on a noisy host. What it is
 * not: a real exit. The caches are as warm as a tight loop keeps them, and
 * KVM_RUN re-entry is replayed on raw sys_enter (the body the tool's
 * syscalls:sys_enter_ioctl program shares, plus two probe reads of the
 * registers; tests/bpf/kvm_run_regs.h), since tracepoint programs cannot be
 * test-run.
 *
 *   exit_replay [-e EXITS] [-r ROUNDS] [LABEL=]OBJECT...
 *
 * OBJECT is a build's kvm_mmio.bpf.o (labelled by its file name unless
 * LABEL is given); EXITS (default 100000) per round and scenario, ROUNDS
 * (default 5) rounds, medians printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "kvm_mmio.h"
#include "floor.skel.h"
#include "kvm_run_regs.h"

#define GPA 0xd0040ULL
#define MAX_ROUNDS 32
#define MAX_OBJECTS 8

/* The programs an exit runs, by their names in the tool's object. */
enum prog { P_MMIO, P_USERSPACE_EXIT, P_SYS_ENTER, P_KVM_EXIT, P_KVM_ENTRY, PROGS };
static const char *const prog_names[PROGS] = {
	"kvm_mmio_raw", "kvm_userspace_exit_raw", "sys_enter_raw", "kvm_exit_raw", "kvm_entry_raw",
};
static const char *const prog_columns[PROGS] = {
	"kvm_mmio", "uspace_exit", "sys_enter", "kvm_exit", "kvm_entry",
};

/* What an exit is made of: with kvm_exit/kvm_entry or, as on this host, without. */
enum scenario { S_VMM_PART, S_TIMED, SCENARIOS };
static const char *const scenario_names[SCENARIOS] = {
	"VMM-completed exits, half writes, half reads; kvm_exit/kvm_entry not firing (as here)",
	"the same exits between kvm_exit and kvm_entry (the kernel part timed too)",
};

/* One build's BPF object and what its rounds measured. */
struct object {
	const char *label, *path;
	struct bpf_object *obj;
	int fd[PROGS];
	double ns_per_run[SCENARIOS][PROGS][MAX_ROUNDS];
	double runs_per_exit[SCENARIOS][PROGS];
	double ns_per_exit[SCENARIOS][MAX_ROUNDS];
	double floor_ns[SCENARIOS][MAX_ROUNDS];
	double events_per_exit[SCENARIOS];
};

static struct object objects[MAX_OBJECTS];
static int nobjects, floor_fd;
static uint64_t regs_addr;

static void die(const char *what, int err)
{
	fprintf(stderr, "exit_replay: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void test_run(int fd, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[3] = { a0, a1, a2 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	int err = bpf_prog_test_run_opts(fd, &opts);

	if (err)
		die("BPF_PROG_TEST_RUN", err);
}

/* One event of the tool's, then one of the floor's: both run as often. */
static void run(const struct object *o, enum prog p, uint64_t a0, uint64_t a1, uint64_t a2)
{
	test_run(o->fd[p], a0, a1, a2);
	test_run(floor_fd, 0, 0, 0);
}

/* One exit the VMM completes: a write, or a read answered on re-entry. */
static void vmm_exit(const struct object *o, bool write, bool timed)
{
	if (timed)
		run(o, P_KVM_EXIT, 0, 0, 0);
	run(o, P_MMIO, write ? KMT_TRACE_MMIO_WRITE : KMT_TRACE_MMIO_READ_UNSATISFIED, 4, GPA);
	run(o, P_USERSPACE_EXIT, KMT_KVM_EXIT_MMIO, 0, 0);
	run(o, P_SYS_ENTER, regs_addr, SYS_ioctl, 0);
	if (!write)
		run(o, P_MMIO, KMT_TRACE_MMIO_READ, 4, GPA);
	if (timed)
		run(o, P_KVM_ENTRY, 0, 0, 0);
}

static void prog_stats(int fd, uint64_t *runs, uint64_t *ns)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(fd, &info, &len);

	if (err)
		die("bpf_obj_get_info_by_fd", err);
	*runs = info.run_cnt;
	*ns = info.run_time_ns;
}

static void round_run(struct object *o, enum scenario sc, unsigned long exits, int round)
{
	uint64_t runs0[PROGS], ns0[PROGS], runs1[PROGS], ns1[PROGS];
	uint64_t floor_runs0, floor_ns0, floor_runs1, floor_ns1, events = 0;
	double exit_ns = 0;

	for (int p = 0; p < PROGS; p++)
		prog_stats(o->fd[p], &runs0[p], &ns0[p]);
	prog_stats(floor_fd, &floor_runs0, &floor_ns0);
	for (unsigned long i = 0; i < exits; i++)
		vmm_exit(o, i & 1, sc == S_TIMED);
	prog_stats(floor_fd, &floor_runs1, &floor_ns1);
	for (int p = 0; p < PROGS; p++) {
		uint64_t runs, ns;

		prog_stats(o->fd[p], &runs1[p], &ns1[p]);
		runs = runs1[p] - runs0[p];
		ns = ns1[p] - ns0[p];
		o->ns_per_run[sc][p][round] = runs ? (double)ns / runs : 0;
		o->runs_per_exit[sc][p] = (double)runs / exits;
		exit_ns += (double)ns / exits;
		events += runs;
	}
	o->ns_per_exit[sc][round] = exit_ns;
	o->events_per_exit[sc] = (double)events / exits;
	o->floor_ns[sc][round] = (double)(floor_ns1 - floor_ns0) / (floor_runs1 - floor_runs0);
}

/* Sets a const volatile bool of the object's .rodata before load, by its BTF. */
static void set_rodata_bool(struct bpf_object *obj, const char *name, bool value)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *sec;
	const struct btf_var_secinfo *vsi;
	const void *initial;
	char data[4096];
	size_t size;
	int id;

	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	initial = map ? bpf_map__initial_value(map, &size) : NULL;
	if (id < 0 || !initial || size > sizeof(data))
		die(".rodata of the BPF object", ENOENT);
	memcpy(data, initial, size);
	sec = btf__type_by_id(btf, id);
	vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name) &&
		    vsi->offset + sizeof(bool) <= size) {
			memcpy(data + vsi->offset, &value, sizeof(value));
			if (bpf_map__set_initial_value(map, data, size))
				die(".rodata of the BPF object", EINVAL);
			return;
		}
	}
	die(name, ENOENT);
}

/* Loads LABEL=PATH (or PATH) with the tool's defaults: lock waits on, raw_tp entry points only. */
static void object_load(struct object *o, char *arg)
{
	char *eq = strchr(arg, '=');
	struct bpf_program *prog;
	int err;

	o->path = eq ? eq + 1 : arg;
	if (eq)
		*eq = '\0';
	/* Unlabelled: the file's name. */
	o->label = eq ? arg : strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
	o->obj = bpf_object__open_file(o->path, NULL);
	if (!o->obj)
		die(o->path, errno);
	set_rodata_bool(o->obj, "lock_waits", true);
	bpf_object__for_each_program(prog, o->obj)
		bpf_program__set_autoload(prog, strstr(bpf_program__name(prog), "_raw") != NULL);
	err = bpf_object__load(o->obj);
	if (err)
		die("load the BPF programs (run as root)", err);
	for (int p = 0; p < PROGS; p++) {
		prog = bpf_object__find_program_by_name(o->obj, prog_names[p]);
		if (!prog)
			die(prog_names[p], ENOENT);
		o->fd[p] = bpf_program__fd(prog);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double sorted[MAX_ROUNDS];

	memcpy(sorted, v, (size_t)n * sizeof(*v));
	qsort(sorted, (size_t)n, sizeof(*sorted), cmp_double);
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/*
 * The VMM-part histogram's count: every replayed exit must be in it, or the
 * replay missed. Read from the map's own key and value sizes, so that the
 * objects of older builds (one dense value per histogram, the kind a __u32)
 * are checked too: a key starts with the tgid and the kind's low 16 bits; a
 * value is slots, then sum and max.
 */
static uint64_t vmm_parts(const struct object *o)
{
	const struct bpf_map *map = bpf_object__find_map_by_name(o->obj, "hists");
	size_t key_size = bpf_map__key_size(map), value_size = bpf_map__value_size(map);
	char *key = calloc(1, key_size), *next = calloc(1, key_size);
	uint64_t *value = calloc(1, value_size), n = 0;
	int fd = bpf_map__fd(map);
	bool first = true;

	if (!key || !next || !value)
		die("calloc", ENOMEM);
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		uint32_t tgid;
		uint16_t kind;

		first = false;
		memcpy(key, next, key_size);
		memcpy(&tgid, key, sizeof(tgid));
		memcpy(&kind, key + sizeof(tgid), sizeof(kind));
		if (tgid != (uint32_t)getpid() || kind != KMT_HIST_VMM ||
		    bpf_map_lookup_elem(fd, key, value))
			continue;
		for (size_t i = 0; i < value_size / sizeof(*value) - 2; i++)
			n += value[i];
	}
	free(key);
	free(next);
	free(value);
	return n;
}

static void report(enum scenario sc, unsigned long exits, int rounds)
{
	printf("%s: %.2f events per exit; ns per run, median of %d rounds of %lu exits\n",
	       scenario_names[sc], objects[0].events_per_exit[sc], rounds, exits);
	printf("  %-20s", "object");
	for (int p = 0; p < PROGS; p++)
		if (objects[0].runs_per_exit[sc][p])
			printf(" %11s", prog_columns[p]);
	printf(" %10s %8s %7s\n", "ns/exit", "floor", "ratio");
	for (int i = 0; i < nobjects; i++) {
		const struct object *o = &objects[i];
		double exit_ns = median(o->ns_per_exit[sc], rounds);
		double floor_ns = median(o->floor_ns[sc], rounds);

		printf("  %-20s", o->label);
		for (int p = 0; p < PROGS; p++)
			if (objects[0].runs_per_exit[sc][p])
				printf(" %11.1f", median(o->ns_per_run[sc][p], rounds));
		printf(" %10.1f %8.1f %7.2f\n", exit_ns, floor_ns,
		       exit_ns / (o->events_per_exit[sc] * floor_ns));
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: exit_replay [-e EXITS] [-r ROUNDS (1..%d)] [LABEL=]OBJECT... (at most %d)\n",
		MAX_ROUNDS, MAX_OBJECTS);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long exits = 100000;
	int rounds = 5, stats_fd, opt, err;
	struct floor *floor;
	struct kmt_kvm_run_regs *run_regs;

	while ((opt = getopt(argc, argv, "e:r:h")) != -1) {
		switch (opt) {
		case 'e': exits = strtoul(optarg, NULL, 10); break;
		case 'r': rounds = atoi(optarg); break;
		default: usage();
		}
	}
	nobjects = argc - optind;
	if (exits < 2 || rounds < 1 || rounds > MAX_ROUNDS || nobjects < 1 || nobjects > MAX_OBJECTS)
		usage();
	for (int i = 0; i < nobjects; i++)
		object_load(&objects[i], argv[optind + i]);
	floor = floor__open();
	if (!floor)
		die("open the floor", errno);
	bpf_program__set_autoload(floor->progs.floor_kvm_mmio, false);
	bpf_program__set_autoload(floor->progs.floor_clock, false);
	err = floor__load(floor);
	if (err)
		die("load the floor", err);
	floor_fd = bpf_program__fd(floor->progs.floor_raw);
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		die("enable bpf_stats", stats_fd);
	run_regs = kmt_kvm_run_regs_start(&regs_addr);
	if (!run_regs)
		return 1;

	/* Each round starts with another object: none always runs first (or after the same). */
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < nobjects; i++)
			for (int sc = 0; sc < SCENARIOS; sc++)
				round_run(&objects[(i + r) % nobjects], sc, exits, r);
	for (int sc = 0; sc < SCENARIOS; sc++)
		report(sc, exits, rounds);
	printf("ratio: ns/exit / (events/exit x floor); issue 14's goal: at most 1.5\n");

	kmt_kvm_run_regs_stop(run_regs);
	for (int i = 0; i < nobjects; i++) {
		uint64_t parts = vmm_parts(&objects[i]);

		if (parts != (uint64_t)SCENARIOS * rounds * exits) {
			fprintf(stderr, "exit_replay: %s recorded %llu VMM parts for %llu exits: the "
				"replay missed the KVM_RUN path and its figures are void\n",
				objects[i].label, (unsigned long long)parts,
				(unsigned long long)SCENARIOS * rounds * exits);
			return 1;
		}
		bpf_object__close(objects[i].obj);
	}
	close(stats_fd);
	floor__destroy(floor);
	return 0;
}
