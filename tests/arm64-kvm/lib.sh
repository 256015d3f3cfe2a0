# shellcheck shell=bash
# Shared by the arm64 KVM test bed's scripts and tests (bash, sourced): where
# things are, the cache, how inputs become a cache key.

arm64_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$arm64_dir/../.." && pwd)
cache=${KMT_CACHE:-/var/cache/kvm-mmio-trace}/arm64-kvm
foreign_sysroot=$repo/scripts/lib/foreign-sysroot.sh
cross=aarch64-linux-gnu-
# shellcheck source=tests/lib/testbed.sh
. "$arm64_dir/../lib/testbed.sh"

arm64_log() { printf 'arm64-kvm: %s\n' "$*" >&2; }
arm64_die() {
	arm64_log "FAIL: $*"
	exit 1
}
# The bed cannot be made on this host: 77 with the reason as the last line.
arm64_skip() {
	echo "SKIP: $*"
	exit 77
}

short_hash() { sha256sum | cut -c1-16; }

# For the tests (tests/arm64-kvm/*.t): the repository as the working
# directory, the shared assertions.
run_in_arm64_host=$arm64_dir/run-in-arm64-host.sh

# Boot the bed with KVM in MODE (nvhe or vhe), run mmio-scenario.sh inside
# and check-scenario.sh on its results; exits with the test's status. HOOK
# raw runs the tool where tracefs is hidden (raw_syscalls:sys_enter).
run_mmio_scenario() { # MODE [HOOK]
	mode=$1 hook=${2:-syscall}
	testbed_scenario arm64kvm arm64_scenario_in_bed arm64_check_scenario
}
arm64_scenario_in_bed() { # RESULTS
	local args=()
	[[ $hook == raw ]] && args+=(--raw-sys-enter)
	"$run_in_arm64_host" --mode "$mode" --timeout "${KMT_ARM64_TIMEOUT:-240}" --results "$1" -- \
		mmio-scenario.sh "${args[@]}"
}
arm64_check_scenario() { "$arm64_dir/check-scenario.sh" --mode "$mode" --vmm-hook "$hook" "$1"; }
