#!/usr/bin/env bash
# Bad command lines exit 2 with a message naming the problem; --help exits 0.
# Needs no KVM: arguments are checked before /dev/kvm is opened.
source "$(dirname "$0")/common.sh"

# expect_usage_error EXPECTED_MESSAGE_PART ARGS...
expect_usage_error() {
	local want=$1 out rc
	shift
	out=$("$VMM" "$@" 2>&1)
	rc=$?
	expect_eq "exit status of test-vmm $*" 2 "$rc"
	[[ $out == *"$want"* ]] || fail "test-vmm $*: expected message containing '$want', saw: $out"
	echo "ok: test-vmm $* -> $want"
}

out=$("$VMM" --help) || fail "--help exited $?, expected 0"
[[ $out == usage:* ]] || fail "--help: expected usage text, saw: $out"

expect_usage_error "unknown option" --bogus
expect_usage_error "unknown option" --writes
expect_usage_error "--writes: 'lots' is not a number" --writes lots
expect_usage_error "--reads: '-1' is not a number" --reads -1
expect_usage_error "--writes: '4294967296' is not a number" --writes 4294967296
expect_usage_error "--vcpus must be 1..64" --vcpus 0
expect_usage_error "--guests must be 1..64" --guests 65
expect_usage_error "must lie in [0x10000, 0x100000)" --addr 0x8000
expect_usage_error "must lie in [0x10000, 0x100000)" --vcpus 64
expect_usage_error "is also vCPU 0's ioeventfd GPA" --ioeventfd-writes 1 --ioeventfd-addr 0xd0000
expect_usage_error "--vcpu-stride must be non-zero" --vcpus 2 --vcpu-stride 0
expect_usage_error "do not fit in [0x20000, 0xc0000): at most 160 pages" --vcpus 4 --touch-pages 41
expect_usage_error "inside the --touch-pages RAM [0x20000, 0x2a000)" --touch-pages 10 --addr 0x21000
expect_usage_error "-name: 'guest=a b'" -name "guest=a b"
expect_usage_error "unexpected argument 'extra'" extra
expect_usage_error "with --guests the name may have at most 61" --guests 2 -name "guest=$(printf "n%.0s" {1..62})"
expect_usage_error "--hypercalls: 'x' is not a number" --hypercalls x
# Hypercalls and WFIs are arm64 guest programs only.
if [[ $(uname -m) != aarch64 ]]; then
	expect_usage_error "--hypercalls and --wfi exist on arm64 only" --hypercalls 1
	expect_usage_error "--hypercalls and --wfi exist on arm64 only" --wfi 1
fi
echo "PASS: every bad command line exited 2 with its reason"
