#!/usr/bin/env bash
# Runs tests/live/same-pid-twice-in-one-interval-stays-apart.t inside the
# SVM test bed, so that the process identity of the BPF keys is proven on a
# real KVM host even where this machine has no /dev/kvm: two VMM processes
# on one pid within one interval are two guests, each with exactly its own
# exits under its own name (with keys by pid alone the report had one guest
# with the sum: 655 = 614 + 41).
. "$(dirname "$0")/lib.sh"
[[ -x $test_vmm && -x $mmio_top ]] || skip "build/test-vmm or build/kvm-mmio-top not built"

rc=0
out=$("$run_in_svm_host" --timeout "${KMT_X86_TIMEOUT:-240}" -- \
	env BUILD="$(dirname "$mmio_top")" tests/live/same-pid-twice-in-one-interval-stays-apart.t \
	2>&1) || rc=$?
echo "$out"
((rc != 77)) || skip "$(tail -n 1 <<<"$out")"
((rc == 0)) || fail "the live test failed inside the SVM host (exit $rc)"
grep -q '^PASS: two processes on pid' <<<"$out" || fail "the live test did not say PASS"
echo "ok: two processes on one pid in one interval reported apart, in the SVM host"
