#!/bin/sh
# Runs INSIDE the arm64 KVM host (run-in-arm64-host.sh, busybox sh): known
# MMIO workloads from the project's test VMM (built for arm64), traced by
# kvm-mmio-top --once --json, with kvm_exit, kvm_mmio and kvm_userspace_exit
# also recorded by tracefs (trace.txt) as a cross-check. Writes everything to
# OUT; the assertions, and the parsing of trace.txt, are made on the build
# machine (check-scenario.sh): formatting and parsing the trace under TCG
# costs more than sending it.
#
#   mmio-scenario.sh [--no-top] [--raw-sys-enter] [--out DIR]
#
# DIR defaults to $KMT_RESULTS/scenario. test-vmm and kvm-mmio-top are taken
# from PATH (/kmt/bin in the bed). With --raw-sys-enter the tool runs in a
# mount namespace of its own where tmpfs hides tracefs (at
# /sys/kernel/tracing and /sys/kernel/debug), so it cannot attach the
# syscalls:sys_enter_ioctl event and ends the VMM part from
# raw_syscalls:sys_enter instead: arm64's syscall number and argument
# registers (bpf/syscall_abi.h) are then what times the VMM part. The
# scenario's own tracefs recording is not affected.
#
# The tool's one interval is not a fixed time: it starts before the guests
# are released and SIGINT ends it once every guest printed its ground truth
# (its vCPUs are done), while the guests still linger so that the tool sees
# them alive. However slow the emulated host is, the interval holds all of
# the guests' exits.
#
# Guests (one process each; every one is released at the same moment through
# --wait-file once kvm-mmio-top reports it is tracing):
#   kmt-plain-0, kmt-plain-1  2 vCPUs, PLAIN_W writes + PLAIN_R reads each,
#                             then PLAIN_HVC hypercalls and PLAIN_WFI WFIs
#                             that KVM completes itself (not MMIO)
#   kmt-delay                 1 vCPU, DELAY_W writes + DELAY_R reads, the VMM
#                             busy-waits DELAY_US on every MMIO exit
#   kmt-ioevent               1 vCPU, IOEV_W user-space writes and IOEV_K
#                             writes to an in-kernel ioeventfd
set -u

PLAIN_W=200 PLAIN_R=150 PLAIN_HVC=20 PLAIN_WFI=20
DELAY_W=30 DELAY_R=20 DELAY_US=5000
IOEV_W=40 IOEV_K=300

top=kvm-mmio-top hook=syscall out=${KMT_RESULTS:+$KMT_RESULTS/scenario}
# Bounds for a bed that is stuck rather than slow.
interval=600 guests_timeout_s=300 linger_ms=5000
while [ $# -gt 0 ]; do
	case $1 in
	--no-top) top= ;;
	--raw-sys-enter) hook=raw ;;
	--out) out=$2; shift ;;
	*) echo "mmio-scenario: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$out" ] || { echo "mmio-scenario: --out is required outside the test bed" >&2; exit 2; }
mkdir -p "$out"

T=/sys/kernel/tracing
go=/run/kmt-go.$$
note() { echo "mmio-scenario[$(cut -d' ' -f1 /proc/uptime)]: $*"; }
vmm=test-vmm
# shellcheck source=tests/lib/mmio-scenario-lib.sh
. "$(dirname "$0")/../lib/mmio-scenario-lib.sh"

cp "${KMT_RESULTS:-/nonexistent}/kvm-mode" "$out/kvm-mode" 2>/dev/null ||
	dmesg | grep 'kvm \[' >"$out/kvm-mode"
note "KVM mode $(cat "$out/kvm-mode"), $(uname -r)"
echo "$hook" >"$out/vmm-hook"
printf '%s\n' "$PLAIN_W $PLAIN_R $PLAIN_HVC $PLAIN_WFI $DELAY_W $DELAY_R $DELAY_US $IOEV_W $IOEV_K" >"$out/params"

# tracefs: every kvm_exit (for its exception class), kvm_mmio and exit to
# user space.
trace_kvm_events kvm_exit kvm_mmio kvm_userspace_exit

# Guests stay alive after printing their JSON until the tool has reported
# (names are read from them). One process per guest: a --guests parent
# prints only after its children's linger.
rm -f "$go"
for i in 0 1; do
	start_vmm kmt-plain-$i --vcpus 2 --writes $PLAIN_W --reads $PLAIN_R \
		--hypercalls $PLAIN_HVC --wfi $PLAIN_WFI
done
start_vmm kmt-delay --writes $DELAY_W --reads $DELAY_R --delay-us $DELAY_US
start_vmm kmt-ioevent --writes $IOEV_W --ioeventfd-writes $IOEV_K

toppid=
if [ -n "$top" ]; then
	if [ "$hook" = raw ]; then
		unshare -m --propagation private sh -c \
			'mount -t tmpfs none /sys/kernel/tracing && mount -t tmpfs none /sys/kernel/debug && exec "$@"' \
			sh "$top" --once --interval "$interval" --json >"$out/top.json" 2>"$out/top.err" &
	else
		"$top" --once --interval "$interval" --json >"$out/top.json" 2>"$out/top.err" &
	fi
	toppid=$!
	wait_top_tracing
	note "kvm-mmio-top attached"
fi
note "releasing guests"
touch "$go"

# Each guest prints its JSON when its vCPUs are done (or it failed and exits).
i=0
for f in "$out"/vmm-*.pid; do
	name=$(basename "$f" .pid)
	until [ -s "$out/$name.json" ] || ! kill -0 "$(cat "$f")" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $((guests_timeout_s * 10)) ] && break
		sleep 0.1
	done
done
note "guests done"
[ -n "$toppid" ] && kill -INT "$toppid"
wait_top
wait_vmms
echo 0 >$T/tracing_on
cat $T/trace >"$out/trace.txt"
cat $T/per_cpu/cpu*/stats | sed -n 's/^overrun: //p' | awk '{ s += $1 } END { print s + 0 }' >"$out/trace-overrun"
echo 0 >$T/events/kvm/enable
note "trace: $(wc -l <"$out/trace.txt") lines, overrun $(cat "$out/trace-overrun")"
exit 0
