#!/usr/bin/env bash
# A VMM that cannot do its job exits 1 and says why: hide /dev/kvm in a
# private mount namespace, then a single guest must name /dev/kvm and the
# likely fix, and a --guests parent must report which child failed.
source "$(dirname "$0")/common.sh"

# run_without_kvm ARGS...: test-vmm with /dev/kvm hidden; sets $out and $rc.
run_without_kvm() {
	out=$(unshare --mount sh -c 'mount -t tmpfs none /dev && exec "$@"' sh "$VMM" "$@" 2>&1)
	rc=$?
}

unshare --mount true 2>/dev/null || skip "cannot create a mount namespace (unshare --mount needs root)"

run_without_kvm --writes 1
echo "$out"
expect_eq "exit status without /dev/kvm" 1 "$rc"
[[ $out == *"open /dev/kvm: No such file or directory (is KVM available?"* ]] ||
	fail "expected an actionable /dev/kvm message, saw: $out"

run_without_kvm --guests 2 --writes 1 --json
echo "$out"
expect_eq "exit status of --guests 2 without /dev/kvm" 1 "$rc"
[[ $out == *"guest vmm-0 (pid "*") failed with exit status 1"* ]] ||
	fail "expected the parent to name the failed child, saw: $out"
echo "PASS: KVM errors exit 1 with an actionable message"
