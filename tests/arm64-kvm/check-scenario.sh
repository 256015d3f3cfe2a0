#!/usr/bin/env bash
# Assertions on the results of mmio-scenario.sh from the arm64 KVM test bed
# (run on the build machine after the VM powered off).
#
#   check-scenario.sh --mode nvhe|vhe [--vmm-hook syscall|raw] DIR
#
# --vmm-hook says how the tool must have ended the VMM part: syscall (the
# default: syscalls:sys_enter_ioctl) or raw (raw_syscalls:sys_enter, when
# the scenario ran with --raw-sys-enter).
#
# Prints one "ok"/"not ok" line per assertion; exit 0 when all hold, 1 when
# any fails. kvm-mmio-top must choose its arm64 backend descriptor.
set -u

mode='' hook=syscall
while (($#)); do
	case $1 in
	--mode) mode=$2; shift ;;
	--vmm-hook) hook=$2; shift ;;
	*) break ;;
	esac
	shift
done
dir=${1:?usage: check-scenario.sh --mode nvhe|vhe DIR}
[[ $mode == nvhe || $mode == vhe ]] || { echo "check-scenario: --mode nvhe|vhe" >&2; exit 2; }
case $hook in
syscall) hook_probe='sys_enter_ioctl=tracepoint' ;;
raw) hook_probe='sys_enter=(tp_btf|raw_tp)' ;;
*) echo "check-scenario: --vmm-hook syscall|raw" >&2; exit 2 ;;
esac
backend=arm64

# shellcheck source=tests/lib/mmio-checks.sh
. "$(dirname "$0")/../lib/mmio-checks.sh"

read -r PLAIN_W PLAIN_R PLAIN_HVC PLAIN_WFI DELAY_W DELAY_R DELAY_US IOEV_W IOEV_K <"$dir/params" ||
	bail "scenario parameters missing ($dir/params): the scenario did not run"

# --- the test bed itself ---------------------------------------------------
check "KVM runs in $mode mode (kernel log says '$(cat "$dir/kvm-mode" 2>/dev/null)')" \
	test "$(cat "$dir/kvm-mode" 2>/dev/null)" = "$mode"

# --- the test VMM ----------------------------------------------------------
# One test-vmm process per guest.
check_vmm_runs kmt-plain-0 kmt-plain-1 kmt-delay kmt-ioevent
check "test-vmm reports 4 guests (kmt-plain-0/1, kmt-delay, kmt-ioevent)" \
	test "$(jqv -r '[$v[].name] | sort | join(" ")')" = "kmt-delay kmt-ioevent kmt-plain-0 kmt-plain-1"
check_vmm_workload
vmm_totals
total_reads=$(jqv '[$v[].reads] | add')
n_vcpus=$(jqv '[$v[].vcpus[]] | length')
total_reads=${total_reads/null/0}
plain_vcpus=$(jqv '[$v[] | select(.name | startswith("kmt-plain")) | .vcpus[]] | length')

# --- what the kernel did (tracefs) ------------------------------------------
# exit-classes.tsv: "count<TAB>RET EC"; RET is TRAP, IRQ, ...; EC the ESR
# class, from lines like "kvm_exit: TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: ...".
# kvm-mmio.tsv: "count<TAB>type" (write, unsatisfied-read, read).
[[ -f $dir/trace.txt ]] || bail "no trace.txt: the scenario did not record the trace"
sed -n 's/.* kvm_exit: \([A-Z_]*\): HSR_EC: \(0x[0-9a-f]*\) .*/\1 \2/p' "$dir/trace.txt" | sort | uniq -c |
	awk '{ print $1 "\t" $2 " " $3 }' >"$dir/exit-classes.tsv"
sed -n 's/.* kvm_mmio: mmio \([a-z-]*\) .*/\1/p' "$dir/trace.txt" | sort | uniq -c |
	awk '{ print $1 "\t" $2 }' >"$dir/kvm-mmio.tsv"
grep -c 'kvm_userspace_exit: reason KVM_EXIT_MMIO' "$dir/trace.txt" >"$dir/userspace-mmio-exits"
class_count() { awk -F'\t' -v c="$1" '$2 == c { s += $1 } END { print s + 0 }' "$dir/exit-classes.tsv"; }
mmio_type_count() { awk -F'\t' -v t="$1" '$2 == t { s += $1 } END { print s + 0 }' "$dir/kvm-mmio.tsv"; }
n_dabt=$(class_count "TRAP 0x0024")
n_hvc=$(class_count "TRAP 0x0016")
n_wfx=$(class_count "TRAP 0x0001")
n_brk=$(class_count "TRAP 0x003c")
n_irq=$(awk -F'\t' '$2 ~ /^IRQ / { s += $1 } END { print s + 0 }' "$dir/exit-classes.tsv")
n_exits=$(awk -F'\t' '{ s += $1 } END { print s + 0 }' "$dir/exit-classes.tsv")
echo "# kvm_exit (count, ret, ESR class): $(tr '\t\n' ' ,' <"$dir/exit-classes.tsv")"
echo "# kvm_mmio: $(tr '\t\n' ' ,' <"$dir/kvm-mmio.tsv")"
echo "# MMIO accesses: $total_user to user space + $total_ioev ioeventfd = $total_mmio, of them $total_reads loads"
check_trace_overrun
check "every MMIO access is one data abort from the guest (DABT_LOW, EC 0x24): $n_dabt = $total_mmio" \
	test "$n_dabt" = "$total_mmio"
check "hypercalls exited as HVC64 (EC 0x16): $n_hvc = $plain_vcpus vCPUs x $PLAIN_HVC" \
	test "$n_hvc" = $((plain_vcpus * PLAIN_HVC))
# A WFI completes without a trap when an interrupt happens to be pending.
check "WFIs exited as WFx (EC 0x01): 0 < $n_wfx <= $plain_vcpus vCPUs x $PLAIN_WFI" \
	test "$n_wfx" -gt 0 -a "$n_wfx" -le $((plain_vcpus * PLAIN_WFI))
check "every vCPU ended with brk (BRK64, EC 0x3c): $n_brk = $n_vcpus" test "$n_brk" = "$n_vcpus"
check "the host's timer interrupted the guests (IRQ exits: $n_irq)" test "$n_irq" -gt 0
check "kvm_mmio logs every store once ($(mmio_type_count write) = $((total_user - total_reads + total_ioev)))" \
	test "$(mmio_type_count write)" = $((total_user - total_reads + total_ioev))
check "kvm_mmio logs every load twice, unsatisfied then done ($(mmio_type_count unsatisfied-read) and $(mmio_type_count read) = $total_reads)" \
	test "$(mmio_type_count unsatisfied-read)" = "$total_reads" -a "$(mmio_type_count read)" = "$total_reads"
check_userspace_mmio_exits

# --- kvm-mmio-top -----------------------------------------------------------
load_top_json
check "backend is $backend, which measures the kernel part" \
	test "$(J -r '$t.backend + " " + ($t.backends[0].measures | index("kernel_part") | tostring)')" \
	= "$backend 2"
check "scenario ran with the tool's VMM-part hook '$hook' (got '$(cat "$dir/vmm-hook" 2>/dev/null)')" \
	test "$(cat "$dir/vmm-hook" 2>/dev/null)" = "$hook"
check "the VMM part ends at the vCPU thread's KVM_RUN seen through $hook_probe" \
	grep -qE "(^| )$hook_probe( |\$)" <<<"$(J -r '$t.probes')"
check_top_guests " of $n_exits kvm_exits (IRQ, HVC64, WFx, BRK64 and instruction-abort exits not counted)"
check_per_guest_counts "a load, logged twice by kvm_mmio, counted once"
check_delayed_vmm_part
# Had the delay gone into the kernel part, its median would be >= the delay
# and its sum >= delay x count, more than the VMM part's. Not a bound on the
# kernel sum itself, as on x86: the bed runs six vCPU threads on one emulated
# CPU of a shared machine, and one preempted vCPU thread adds tens of ms to a
# kernel part (seen: one 85 ms exit took the sum past delay x count).
per_guest "delayed guest: the kernel part does not absorb the delay (p50 < $((d_ns / 4)) ns, sum < the VMM part's)" \
	".t.mmio.kernel_latency_ns.p50 < $((d_ns / 4)) and .t.mmio.kernel_latency_ns.sum < .t.mmio.vmm_latency_ns.sum" kmt-delay
check_undelayed_guests
mmio_checks_done
