# shellcheck shell=sh
# What the KVM test beds' mmio-scenario.sh do alike INSIDE the bed (sourced;
# POSIX sh: the x86 scenario runs under the host root's /bin/sh, the arm64
# one under busybox sh). The x86 bed sees this file in the checkout over 9p;
# the arm64 bed's initramfs carries it as /kmt/lib/ (prepare.sh). Either way
# it is "$(dirname "$0")/../lib/mmio-scenario-lib.sh".
#
# Expects: out (results), T (tracefs), go (the --wait-file), vmm (the test-vmm
# command), linger_ms, toppid (kvm-mmio-top's pid, empty when not run) and
# note MESSAGE.

# Clear the trace buffer (8 MiB) and record the kvm:EVENTs.
trace_kvm_events() { # EVENT...
	echo 0 >$T/tracing_on
	echo 8192 >$T/buffer_size_kb
	: >$T/trace
	for e in "$@"; do
		echo 1 >$T/events/kvm/$e/enable
	done
	echo 1 >$T/tracing_on
}

# One test-vmm process in the background, waiting for $go; it stays alive
# linger_ms after printing its JSON, until the tool has reported (names are
# read from the live processes). Leaves out/vmm-NAME.{json,err,pid}.
start_vmm() { # NAME ARGS...
	name=$1
	shift
	"$vmm" "$@" -name "guest=$name" --wait-file "$go" --linger-ms "$linger_ms" --json \
		>"$out/vmm-$name.json" 2>"$out/vmm-$name.err" &
	echo $! >"$out/vmm-$name.pid"
}

# Attaching (BTF, verifier) is slow under TCG: wait for the tool's word.
wait_top_tracing() {
	i=0
	until grep -q 'kvm-mmio-top: tracing' "$out/top.err" 2>/dev/null; do
		if ! kill -0 "$toppid" 2>/dev/null; then
			note "kvm-mmio-top exited before tracing:"
			cat "$out/top.err"
			break
		fi
		i=$((i + 1))
		if [ $i -gt 1200 ]; then
			note "kvm-mmio-top did not report tracing within 120 s"
			break
		fi
		sleep 0.1
	done
}

# Reap every test-vmm process: out/vmm-NAME.rc.
wait_vmms() {
	for f in "$out"/vmm-*.pid; do
		name=$(basename "$f" .pid)
		wait "$(cat "$f")"
		echo $? >"$out/$name.rc"
		note "$name exited $(cat "$out/$name.rc")"
	done
}

# Reap kvm-mmio-top, if it ran: out/top.rc.
wait_top() {
	[ -n "$toppid" ] || return 0
	wait "$toppid"
	echo $? >"$out/top.rc"
	note "kvm-mmio-top exited $(cat "$out/top.rc")"
}
