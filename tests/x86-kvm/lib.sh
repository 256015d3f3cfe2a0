# shellcheck shell=bash
# Shared by the tests/x86-kvm/*.t tests (bash, sourced).
#
# The binaries under test default to the checkout's build/; KMT_TEST_VMM and
# KMT_MMIO_TOP override them (any path visible in the host root except under
# /tmp, which the test bed replaces with a tmpfs unless the checkout is there).
set -u

x86kvm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$x86kvm_dir/../.." && pwd)
run_in_svm_host=$x86kvm_dir/run-in-svm-host.sh
test_vmm=${KMT_TEST_VMM:-$repo_root/build/test-vmm}
mmio_top=${KMT_MMIO_TOP:-$repo_root/build/kvm-mmio-top}
cd "$repo_root" || exit 1
# shellcheck source=tests/lib/assert.sh
source tests/lib/assert.sh
# shellcheck source=tests/lib/testbed.sh
source tests/lib/testbed.sh

# Boot the test bed in FLAVOUR (npt: -cpu qemu64,+svm,+npt, MMIO exits are
# "npf"; shadow: -cpu qemu64,+svm,-npt, shadow paging, MMIO exits are
# "PF excp") and, with LOCKDOWN, booted with lockdown=LOCKDOWN; run
# mmio-scenario.sh inside and check-scenario.sh on its results.
run_mmio_scenario() { # FLAVOUR [LOCKDOWN]
	flavour=$1 lockdown=${2:-} no_top='' top_args=()
	[[ -x $test_vmm ]] || skip "build/test-vmm not built"
	if [[ -x $mmio_top ]]; then
		top_args=(--top "$mmio_top")
	else
		no_top="build/kvm-mmio-top not built"
	fi
	testbed_scenario x86kvm x86_scenario_in_bed x86_check_scenario
}
x86_scenario_in_bed() { # RESULTS
	local opts=()
	[[ $flavour == shadow ]] && opts+=(--no-npt)
	[[ -n $lockdown ]] && opts+=(--lockdown "$lockdown")
	"$run_in_svm_host" "${opts[@]}" --timeout "${KMT_X86_TIMEOUT:-240}" --results "$1" -- \
		"$x86kvm_dir/mmio-scenario.sh" --test-vmm "$test_vmm" "${top_args[@]}"
}
x86_check_scenario() {
	"$x86kvm_dir/check-scenario.sh" --flavour "$flavour" ${lockdown:+--lockdown "$lockdown"} \
		${no_top:+--no-top "$no_top"} "$1"
}
