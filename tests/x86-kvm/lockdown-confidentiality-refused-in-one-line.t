#!/usr/bin/env bash
# Proves that under kernel lockdown in confidentiality mode (lockdown=
# confidentiality on the kernel command line) kvm-mmio-top says so in one
# line and exits 1. That mode forbids BPF programs to read kernel memory:
# the verifier knows no bpf_probe_read, which the programs reading the
# KVM_RUN ioctl's arguments (raw_syscalls:sys_enter) use, and tracefs
# shows no events, so syscalls:sys_enter_ioctl cannot stand in; every MMIO
# backend needs one of them, so nothing can be traced. The load fails with
# EINVAL, not EPERM: the message must name lockdown anyway, say which mode
# and what to do (lockdown=integrity, which
# lockdown-integrity-mmio-exits-exact.t shows is enough).
. "$(dirname "$0")/lib.sh"
[[ -x $mmio_top ]] || skip "build/kvm-mmio-top not built"

out=$("$run_in_svm_host" --lockdown confidentiality --timeout 120 -- sh -c '
	echo "lockdown: $(cat /sys/kernel/security/lockdown)"
	test -d /sys/kernel/tracing/events/kvm/kvm_exit && echo "tracefs shows events"
	"$1" --once -i 0.2 >"$KMT_RESULTS/top.out" 2>&1
	echo "top exit $?"
	cat "$KMT_RESULTS/top.out"
	echo "top lines $(wc -l <"$KMT_RESULTS/top.out")"' sh "$mmio_top" 2>&1)
rc=$?
echo "$out"
((rc == 77)) && exit 77
expect_eq "command in the bed" 0 "$rc"
grep -qxF "lockdown: none integrity [confidentiality]" <<<"$out" ||
	fail "the bed is not in lockdown=confidentiality"
! grep -q "tracefs shows events" <<<"$out" || fail "tracefs shows events under confidentiality"
grep -qx "top exit 1" <<<"$out" || fail "kvm-mmio-top's exit status is not 1"
grep -qx "top lines 1" <<<"$out" || fail "kvm-mmio-top printed more than one line"
grep -q "^kvm-mmio-top: loading the BPF programs failed (Invalid argument): kernel lockdown is in confidentiality mode (/sys/kernel/security/lockdown), .*bpf_probe_read.*boot with lockdown=integrity" <<<"$out" ||
	fail "the message does not name lockdown's confidentiality mode and what to do"
echo "PASS: under lockdown=confidentiality one line naming it and lockdown=integrity, exit 1"
