#!/usr/bin/env bash
# What the kernel lacks is said in one clear message with a documented
# status, each shown to the tool in a private mount namespace (nothing on
# the host changes): KVM not loaded (no kvm tracepoints in /proc/kallsyms)
# exits 1 saying to load KVM; no BTF (/sys/kernel/btf hidden) exits 1 naming
# CONFIG_DEBUG_INFO_BTF; tracefs missing is no error: the tool goes on with
# raw_syscalls:sys_enter, says so on its start line, and counts exactly;
# BPF refused for lack of a capability exits 3 naming it. (Unloading KVM
# while tracing cannot happen: the attached programs hold references on
# the kvm modules, so rmmod says "in use"; not tried on a shared host.)
source "$(dirname "$0")/lib.sh"
require_live

# in_ns SETUP ARGS...: the tool in a private mount namespace after SETUP.
in_ns() {
	local setup=$1
	shift
	unshare -m --propagation private bash -c "$setup"' && exec "$0" "$@"' "$PWD/$TOP" "$@"
}
expect_fault() {
	local want=$1 pattern=$2 setup=$3 rc=0
	in_ns "$setup" --once -i 0.2 >"$work/out" 2>&1 || rc=$?
	expect_eq "exit status ($pattern)" "$want" "$rc"
	grep -qE -- "$pattern" "$work/out" || fail "expected /$pattern/ in: $(cat "$work/out")"
	expect_eq "lines of output ($pattern)" 1 "$(wc -l <"$work/out")"
}

grep -v -e '\[kvm' -e '__traceiter_kvm' /proc/kallsyms >"$work/kallsyms"
expect_fault 1 "no kvm_mmio tracepoint .*load KVM first \(modprobe kvm_intel, kvm_amd or kvm-hv\)" \
	"mount --bind $work/kallsyms /proc/kallsyms"
expect_fault 1 "BTF type information is missing .*CONFIG_DEBUG_INFO_BTF=y" \
	"mount -t tmpfs none /sys/kernel/btf"
if command -v setpriv >/dev/null; then
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+bpf \
		--ambient-caps=-all,+bpf "$TOP" --once >"$work/out" 2>&1 || rc=$?
	expect_eq "exit status without CAP_PERFMON" 3 "$rc"
	grep -q "missing capability CAP_PERFMON" "$work/out" || fail "unexpected: $(cat "$work/out")"
fi

# tracefs hidden: the tool goes on, says what it uses instead, counts exactly.
tracefs_in_namespace hidden
trace_released_guest 3 -- --writes 40 --reads 20 -name guest=notracefs
grep -q "VMM part from raw_syscalls:sys_enter (tracefs not mounted or not readable" "$work/report.err" ||
	fail "the start line does not say tracefs is missing: $(cat "$work/report.err")"
expect_counts_match "$(jq -c '.guests[0]' "$work/guest")" "$(report_guest "$work/report" "$guest_pid")"
echo "PASS: no KVM, no BTF and a missing capability each exit with one clear line; without tracefs it goes on and says so"
