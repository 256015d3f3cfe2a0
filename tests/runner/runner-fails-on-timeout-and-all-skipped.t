#!/usr/bin/env bash
# tests/run-tests.sh itself: a hung test is killed at its timeout and fails,
# a run in which every test skipped (or none ran) fails, a pass still passes,
# and the closing count line is printed in every case.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/lib/assert.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/kmt-runner.XXXXXX")
trap 'rm -rf "$work"' EXIT

make_test() { # NAME BODY
	printf '#!/usr/bin/env bash\n%s\n' "$2" >"$work/$1"
	chmod +x "$work/$1"
}
make_test pass.t 'exit 0'
make_test skip.t 'echo "no such hardware here"; exit 77'
make_test hang.t $'# timeout: 1\nsleep 30'

run() { # EXPECTED_RC TESTS...
	local want=$1 rc=0
	shift
	TEST_LOG_DIR=$work/logs tests/run-tests.sh "$@" >"$work/out" 2>&1 || rc=$?
	expect_eq "exit status of run-tests.sh $*" "$want" "$rc"
	grep -qE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$work/out" ||
		fail "no closing count line in: $(cat "$work/out")"
}

run 0 "$work/pass.t" "$work/skip.t"
grep -q "^1 passed, 0 failed, 1 skipped$" "$work/out" || fail "counts: $(cat "$work/out")"
grep -q "^SKIP .*skip.t: no such hardware here$" "$work/out" || fail "skip reason: $(cat "$work/out")"

run 1 "$work/skip.t" "$work/skip.t"
grep -q "^no test ran" "$work/out" || fail "all-skipped run not explained: $(cat "$work/out")"

run 1
start=$SECONDS
run 1 "$work/hang.t" "$work/pass.t"
((SECONDS - start < 20)) || fail "the hung test was not stopped at its 1 s timeout"
grep -q "^FAIL .*hang.t (timed out after 1s" "$work/out" || fail "timeout not reported: $(cat "$work/out")"
grep -q "^1 passed, 1 failed, 0 skipped$" "$work/out" || fail "counts: $(cat "$work/out")"
echo "runner: timeouts, all-skipped and empty runs fail; passes and skips are counted"
