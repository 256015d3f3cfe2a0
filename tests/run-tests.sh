#!/usr/bin/env bash
# Run test programs and report one line per test and a closing count.
#
# Each argument is an executable test. Exit status 0 means passed, 77 means
# skipped (the last line it printed is the reason), anything else failed.
# A test gets KMT_TEST_TIMEOUT seconds (default 600), or what a line
# "# timeout: SECONDS" among its first 20 lines asks, or else what the file
# "timeout" in its directory says (test beds that build a kernel when the
# cache is cold); past it, it is killed and fails.
# Output of a failing or skipped test is shown; a passing test's is kept in
# build/test-logs/. The closing line is "N passed, N failed, N skipped" and the
# exit status is 1 when any test failed, or when no test ran at all (every one
# skipped, or none given): a run that checked nothing has not passed.
set -u

logdir=${TEST_LOG_DIR:-build/test-logs}
default_timeout=${KMT_TEST_TIMEOUT:-600}
# Tests of one run may share an expensive step (a QEMU boot) keyed by this;
# the next run does it again.
export KMT_RUN_ID=${KMT_RUN_ID:-$(date +%s)-$$}
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
failed_names=()

# timeout_of TEST: its own "# timeout: N" line, else its directory's, else the default.
timeout_of() {
	local asked=
	if grep -qI . "$1" 2>/dev/null; then
		asked=$(head -n 20 "$1" | sed -n 's/^# timeout: *\([0-9][0-9]*\) *$/\1/p' | head -n 1)
	fi
	if [[ -z $asked && -f $(dirname "$1")/timeout ]]; then
		asked=$(grep -o '^[0-9][0-9]*' "$(dirname "$1")/timeout" | head -n 1)
	fi
	echo "${asked:-$default_timeout}"
}

for t in "$@"; do
	name=${t#./}
	log="$logdir/$(echo "$name" | tr '/' '_').log"
	limit=$(timeout_of "$t")
	start=$(date +%s.%N)
	timeout --kill-after=10 "$limit" "$t" >"$log" 2>&1
	rc=$?
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
	case $rc in
	0)
		passed=$((passed + 1))
		echo "PASS $name (${secs}s)"
		;;
	77)
		skipped=$((skipped + 1))
		echo "SKIP $name: $(grep -v '^\s*$' "$log" | tail -n 1)"
		;;
	124 | 137)
		failed=$((failed + 1))
		failed_names+=("$name")
		echo "FAIL $name (timed out after ${limit}s; raise its '# timeout:' line if that is expected); last output:"
		tail -n 40 "$log" | sed 's/^/    /'
		;;
	*)
		failed=$((failed + 1))
		failed_names+=("$name")
		echo "FAIL $name (exit $rc, ${secs}s); last output:"
		tail -n 40 "$log" | sed 's/^/    /'
		;;
	esac
done

if ((failed > 0)); then
	echo "failed tests: ${failed_names[*]}"
fi
if ((passed + failed == 0)); then
	echo "no test ran: $# given, $skipped skipped; nothing was checked"
fi
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0 && passed + failed > 0))
