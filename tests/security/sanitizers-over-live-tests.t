#!/usr/bin/env bash
# kvm-mmio-top and the test VMM built with ASan and UBSan (build/san/) run
# through live, Prometheus and security tests: each test passes and there
# is no sanitizer report at all (leaks included), so the tool itself, not
# only the unit tests, is checked for memory errors and undefined behaviour
# on real guests, hostile names, TLS, signals and every option error path.
# timeout: 300
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/assert.sh
[[ -x build/san/kvm-mmio-top && -x build/san/test-vmm ]] ||
	fail "build/san/kvm-mmio-top or build/san/test-vmm not built (make build/san/kvm-mmio-top build/san/test-vmm)"
[[ -c /dev/kvm ]] || skip "/dev/kvm not available on this host"
((EUID == 0)) || skip "loading BPF programs needs root"
logs=$(mktemp -d "${TMPDIR:-/tmp}/kmt-san.XXXXXX")
trap 'rm -rf "$logs"' EXIT

tests=(
	tests/live/cli-errors-are-actionable.t
	tests/prom/node-exporter-sees-exact-counts.t
	tests/prom/missing-dir-reported-and-retried.t
	tests/security/hostile-option-values-exit-2.t
	tests/security/hostile-guest-names-stay-contained.t
	tests/security/web-config-tls-basic-auth-real-curl.t
	tests/security/signals-detach-pipe-and-hangup.t
)
export BUILD=build/san
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:halt_on_error=1:print_stacktrace=1"
for t in "${tests[@]}"; do
	rc=0
	"$t" >"$logs/out" 2>&1 || rc=$?
	((rc == 0)) || fail "$t with the sanitized build exited $rc: $(tail -n 20 "$logs/out")$(cat "$logs"/asan* "$logs"/ubsan* 2>/dev/null | head -n 40)"
	echo "ok: $t passes with build/san"
done
reports=$(find "$logs" -name 'asan*' -o -name 'ubsan*')
[[ -z $reports ]] || fail "sanitizer reports: $(head -n 60 $reports)"
echo "PASS: ${#tests[@]} tests with ASan/UBSan builds of kvm-mmio-top and test-vmm, no report"
