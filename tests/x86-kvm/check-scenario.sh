#!/usr/bin/env bash
# Assertions on the results of mmio-scenario.sh (run on the host after the VM
# powered off).
#
#   check-scenario.sh --flavour npt|shadow [--lockdown MODE] [--no-top REASON] DIR
#
# Prints one "ok"/"not ok" line per assertion. Exit 0 when all hold, 1 when
# any fails, 77 (REASON as the last line) when all the test-bed and VMM
# assertions hold but kvm-mmio-top was not run (--no-top).
set -u

flavour='' lockdown='' no_top=''
while (($#)); do
	case $1 in
	--flavour) flavour=$2; shift ;;
	--lockdown) lockdown=$2; shift ;;
	--no-top) no_top=$2; shift ;;
	*) break ;;
	esac
	shift
done
dir=${1:?usage: check-scenario.sh --flavour npt|shadow [--lockdown MODE] [--no-top REASON] DIR}
case $flavour in
npt) mmio_reason=npf other_reason="PF excp" npt_want=Y ;;
shadow) mmio_reason="PF excp" other_reason=npf npt_want=N ;;
*) echo "check-scenario: --flavour npt|shadow" >&2; exit 2 ;;
esac

# shellcheck source=tests/lib/mmio-checks.sh
. "$(dirname "$0")/../lib/mmio-checks.sh"

read -r PLAIN_W PLAIN_R DELAY_W DELAY_R DELAY_US IOEV_W IOEV_K <"$dir/params" ||
	bail "scenario parameters missing ($dir/params): the scenario did not run"

# --- the test bed itself ---------------------------------------------------
npt=$(cat "$dir/npt" 2>/dev/null)
case $npt in 1 | Y) npt=Y ;; 0 | N) npt=N ;; esac
check "kvm_amd loaded with npt=$npt_want ($flavour flavour; got '$npt')" [ "$npt" = "$npt_want" ]
if [[ -n $lockdown ]]; then
	check "kernel lockdown in force: $lockdown (got '$(cat "$dir/lockdown")')" \
		grep -qF "[$lockdown]" "$dir/lockdown"
fi

# --- the test VMM ----------------------------------------------------------
# One test-vmm process (--guests 2) runs both kmt-plain guests.
check_vmm_runs kmt-plain kmt-delay kmt-ioevent
check "test-vmm reports 4 guests (kmt-plain-0/1, kmt-delay, kmt-ioevent)" \
	test "$(jqv '$v | length')" = 4
check_vmm_workload
vmm_totals

# --- what the kernel did (tracefs) ------------------------------------------
reason_count() { awk -F'\t' -v r="$1" '$2 == r { print $1; f = 1 } END { if (!f) print 0 }' "$dir/exit-reasons.tsv"; }
n_mmio_reason=$(reason_count "$mmio_reason")
n_other_reason=$(reason_count "$other_reason")
n_exits=$(awk -F'\t' '{ s += $1 } END { print s + 0 }' "$dir/exit-reasons.tsv")
n_not_mmio=$((n_exits - n_mmio_reason))
echo "# kvm_exit reasons: $(tr '\t\n' ' ,' <"$dir/exit-reasons.tsv")"
echo "# MMIO accesses: $total_user to user space + $total_ioev ioeventfd = $total_mmio"
check_trace_overrun
check "MMIO exits show as '$mmio_reason' ($n_mmio_reason >= $total_mmio)" test "$n_mmio_reason" -ge "$total_mmio"
check "no '$other_reason' exits in the $flavour flavour (got $n_other_reason)" test "$n_other_reason" = 0
check "non-MMIO exits (timer interrupts, hlt, ...) happened too ($n_not_mmio)" test "$n_not_mmio" -gt 0
check_userspace_mmio_exits

if [[ -n $no_top ]]; then
	exit_if_failed
	echo "$no_top"
	exit 77
fi

# --- kvm-mmio-top -----------------------------------------------------------
load_top_json
check "backend is kvm_exit (kvm_exit/kvm_entry seen, kernel part measured)" \
	test "$(J -r '$t.backend')" = kvm_exit
check_top_guests " (timer/hlt/non-MMIO page-fault exits not counted)"
check_per_guest_counts
check_delayed_vmm_part
# Had the delay gone into the kernel part, its median would be >= the delay
# and its sum >= delay x count.
per_guest "delayed guest: the kernel part does not absorb the delay (p50 < $((d_ns / 4)) ns, sum < delay x count)" \
	".t.mmio.kernel_latency_ns | .p50 < $((d_ns / 4)) and .sum < $d_ns * .count" kmt-delay
check_undelayed_guests
mmio_checks_done
