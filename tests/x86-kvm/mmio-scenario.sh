#!/bin/sh
# Runs INSIDE the SVM host (run-in-svm-host.sh): known MMIO workloads from the
# project's test VMM, traced by build/kvm-mmio-top --once --json, with the
# kvm_exit reasons and KVM_EXIT_MMIO count also taken from tracefs as a
# cross-check. Writes everything to OUT; the assertions are made on the host
# (check-scenario.sh).
#
#   mmio-scenario.sh --test-vmm PATH [--top PATH] [--interval SEC] [--out DIR]
#
# DIR defaults to $KMT_RESULTS/scenario (the results share).
#
# Guests (one process each; every one is released at the same moment through
# --wait-file once kvm-mmio-top reports it is tracing):
#   kmt-plain-0, kmt-plain-1  2 vCPUs, PLAIN_W writes + PLAIN_R reads each
#   kmt-delay                 1 vCPU, DELAY_W writes + DELAY_R reads, the VMM
#                             sleeps DELAY_US on every MMIO exit
#   kmt-ioevent               1 vCPU, IOEV_W user-space writes and IOEV_K
#                             writes to an in-kernel ioeventfd
set -u

PLAIN_W=200 PLAIN_R=150
DELAY_W=30 DELAY_R=20 DELAY_US=5000
IOEV_W=40 IOEV_K=300

vmm='' top='' interval=8 out=${KMT_RESULTS:+$KMT_RESULTS/scenario}
while [ $# -gt 0 ]; do
	case $1 in
	--test-vmm) vmm=$2; shift ;;
	--top) top=$2; shift ;;
	--interval) interval=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "mmio-scenario: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$vmm" ] && [ -n "$out" ] || { echo "mmio-scenario: --test-vmm is required (and --out outside the test bed)" >&2; exit 2; }
mkdir -p "$out"

T=/sys/kernel/tracing
go=/run/kmt-go.$$
note() { echo "mmio-scenario: $*"; }
# shellcheck source=tests/lib/mmio-scenario-lib.sh
. "$(dirname "$0")/../lib/mmio-scenario-lib.sh"

cat /sys/module/kvm_amd/parameters/npt >"$out/npt"
cat /sys/kernel/security/lockdown >"$out/lockdown" 2>/dev/null || echo "unknown (no securityfs)" >"$out/lockdown"
note "kvm_amd npt=$(cat "$out/npt"), lockdown: $(cat "$out/lockdown"), $(uname -r)"
printf '%s\n' "$PLAIN_W $PLAIN_R $DELAY_W $DELAY_R $DELAY_US $IOEV_W $IOEV_K" >"$out/params"

# tracefs: every kvm_exit (for its reason) and every exit to user space.
trace_kvm_events kvm_exit kvm_userspace_exit

# Guests stay alive until the tool has reported (names are read from them).
linger_ms=$(((interval + 3) * 1000))
rm -f "$go"
start_vmm kmt-plain --guests 2 --vcpus 2 --writes $PLAIN_W --reads $PLAIN_R
start_vmm kmt-delay --writes $DELAY_W --reads $DELAY_R --delay-us $DELAY_US
start_vmm kmt-ioevent --writes $IOEV_W --ioeventfd-writes $IOEV_K

toppid=
if [ -n "$top" ]; then
	ta=$(date +%s.%N)
	"$top" --once --interval "$interval" --json >"$out/top.json" 2>"$out/top.err" &
	toppid=$!
	wait_top_tracing
	note "kvm-mmio-top attached in $(echo "$(date +%s.%N) - $ta" | bc) s"
fi
note "releasing guests"
touch "$go"
t0=$(date +%s.%N)

wait_vmms
note "guests done after $(echo "$(date +%s.%N) - $t0" | bc) s (including ${linger_ms} ms linger)"
wait_top

echo 0 >$T/tracing_on
sed -n 's/.* kvm_exit: .* reason \(.*\) rip 0x.*/\1/p' $T/trace | sort | uniq -c |
	awk '{ c = $1; $1 = ""; sub(/^ /, ""); print c "\t" $0 }' >"$out/exit-reasons.tsv"
grep -c 'kvm_userspace_exit: reason KVM_EXIT_MMIO' $T/trace >"$out/userspace-mmio-exits"
sed -n 's/^overrun: //p' $T/per_cpu/cpu0/stats >"$out/trace-overrun"
echo 0 >$T/events/kvm/enable
note "kvm_exit reasons: $(tr '\t\n' ' ,' <"$out/exit-reasons.tsv")"
note "KVM_EXIT_MMIO exits to user space: $(cat "$out/userspace-mmio-exits"), trace overrun: $(cat "$out/trace-overrun")"
exit 0
