# Shared by tests/vmm/*.t (sourced, not run): find the VMM, skip when this
# host cannot run it, and compare ground truth with what was asked.
# shellcheck shell=bash

set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
VMM=$BUILD/test-vmm

source tests/lib/assert.sh

[[ -x $VMM ]] || fail "$VMM not built; run: make $VMM"
command -v jq >/dev/null || skip "jq not installed (apt-get install jq)"

need_kvm() {
	[[ -c /dev/kvm ]] || skip "/dev/kvm not available (load kvm_intel or kvm_amd)"
	[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm not accessible to $(id -un)"
}

# run_vmm ARGS...: run the VMM with --json; its JSON is left in $json.
run_vmm() {
	local rc
	json=$("$VMM" --json "$@")
	rc=$?
	((rc == 0)) || fail "test-vmm $* exited $rc, expected 0"
	jq -e . >/dev/null <<<"$json" || fail "test-vmm $* printed invalid JSON: $json"
}

# field FILTER: one value out of $json.
field() {
	jq -r "$1" <<<"$json"
}
