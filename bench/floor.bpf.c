// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of BPF cost on this host: a program that only counts, attached
 * to kvm:kvm_mmio like kvm-mmio-top's. bench/cost.sh compares the tool's run
 * time per event with this one's, measured in the same run. A second one
 * also reads the clock, as timing the VMM part does twice per exit: what
 * that costs here is part of what bounds the tool. The raw_tp one is the
 * floor bench/exit_replay runs with BPF_PROG_TEST_RUN (bench/floor leaves it
 * out).
 */
#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

/* Read from nowhere: it only keeps the clock read in floor_clock. */
__u64 last_clock;

static __always_inline int count(void)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&hits, &key);

	if (n)
		*n += 1;
	return 0;
}

SEC("tp_btf/kvm_mmio")
int BPF_PROG(floor_kvm_mmio)
{
	return count();
}

SEC("tp_btf/kvm_mmio")
int BPF_PROG(floor_clock)
{
	last_clock = bpf_ktime_get_ns();
	return count();
}

SEC("raw_tp/kvm_mmio")
int BPF_PROG(floor_raw)
{
	return count();
}
