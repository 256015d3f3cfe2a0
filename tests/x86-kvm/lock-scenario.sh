#!/bin/sh
# Runs INSIDE the SVM host (run-in-svm-host.sh --no-npt --smp 2): guests of
# the test VMM whose vCPUs first-touch fresh memory at the same moment, so
# that their shadow-paging faults take the VM's MMU lock together, traced
# by kvm-mmio-top --once --json and, independently, by bpftrace
# (mmu-lock-waits.bt). Writes everything to OUT; the assertions are made
# on the host (mmu-lock-contention-agrees-with-bpftrace.t).
#
#   lock-scenario.sh --test-vmm PATH --top PATH [--out DIR]
#
# ROUNDS times, one after the other once both tracers attached (each round's
# vCPUs released together through --wait-file):
#   kmt-touch-N  2 vCPUs, TOUCH fresh pages each, then WRITES MMIO writes
#   kmt-solo-N   1 vCPU, the same: alone, it cannot contend on its VM's lock
# A round's two vCPUs meet on the lock a few times at most, so there are
# several rounds.
set -u

ROUNDS=8 TOUCH=80 WRITES=20
vmm='' top='' out=${KMT_RESULTS:+$KMT_RESULTS/scenario}
while [ $# -gt 0 ]; do
	case $1 in
	--test-vmm) vmm=$2; shift ;;
	--top) top=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "lock-scenario: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$vmm" ] && [ -n "$top" ] && [ -n "$out" ] ||
	{ echo "lock-scenario: --test-vmm and --top are required (and --out outside the test bed)" >&2; exit 2; }
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
go=/run/kmt-go.$$
note() { echo "lock-scenario: $*"; }

# wait_for_line FILE PATTERN PID WHAT: until FILE has PATTERN (120 s: TCG is slow).
wait_for_line() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		kill -0 "$3" 2>/dev/null || { note "$4 exited before attaching:"; cat "$1"; return 1; }
		i=$((i + 1))
		[ $i -gt 1200 ] && { note "$4 did not attach within 120 s"; return 1; }
		sleep 0.1
	done
}

note "$(nproc) CPUs, kvm_amd npt=$(cat /sys/module/kvm_amd/parameters/npt), $(uname -r)"
printf '%s\n' "$ROUNDS $TOUCH $WRITES" >"$out/params"

bpftrace "$here/mmu-lock-waits.bt" >"$out/bpftrace.out" 2>"$out/bpftrace.err" &
btpid=$!
wait_for_line "$out/bpftrace.out" "^Attaching" $btpid bpftrace || exit 1
"$top" --once --interval 600 --json >"$out/top.json" 2>"$out/top.err" &
toppid=$!
wait_for_line "$out/top.err" "kvm-mmio-top: tracing" $toppid kvm-mmio-top || exit 1

# A round's guest takes seconds; now and then one never finishes in this
# emulated host (a vCPU stuck in the nested, emulated SVM). It is stopped
# after GUEST_LIMIT seconds (status 124) and its round left out of the
# comparison.
GUEST_LIMIT=90
run_vmm() { # NAME ARGS...: one guest, its vCPUs released together
	name=$1
	shift
	rm -f "$go"
	timeout -s KILL "$GUEST_LIMIT" "$vmm" "$@" -name "guest=$name" --wait-file "$go" \
		--linger-ms 500 --json >"$out/vmm-$name.json" 2>"$out/vmm-$name.err" &
	pid=$!
	sleep 0.5
	touch "$go"
	wait $pid
	echo $? >"$out/$name.rc"
}
round=1
while [ $round -le $ROUNDS ]; do
	run_vmm kmt-touch-$round --vcpus 2 --touch-pages $TOUCH --writes $WRITES
	run_vmm kmt-solo-$round --vcpus 1 --touch-pages $TOUCH --writes $WRITES
	note "round $round: kmt-touch exited $(cat "$out/kmt-touch-$round.rc"), kmt-solo $(cat "$out/kmt-solo-$round.rc")"
	round=$((round + 1))
done
# Ctrl-C ends the tool's interval and it reports; then bpftrace prints its maps.
kill -INT $toppid
wait $toppid
echo $? >"$out/top.rc"
kill -INT $btpid
wait $btpid
echo $? >"$out/bpftrace.rc"
note "kvm-mmio-top exited $(cat "$out/top.rc"), bpftrace $(cat "$out/bpftrace.rc")"
exit 0
