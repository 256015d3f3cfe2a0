#!/usr/bin/env bash
# Run test programs and report one line per test and a closing count.
#
# Each argument is an executable test. Exit status 0 means passed, 77 means
# skipped (the last line it printed is the reason), anything else failed.
# Output of a failing or skipped test is shown; a passing test's is kept in
# build/test-logs/. The closing line is "N passed, N failed, N skipped" and the
# exit status is 1 when any test failed.
set -u

logdir=${TEST_LOG_DIR:-build/test-logs}
# Tests of one run may share an expensive step (a QEMU boot) keyed by this;
# the next run does it again.
export KMT_RUN_ID=${KMT_RUN_ID:-$(date +%s)-$$}
mkdir -p "$logdir"
passed=0 failed=0 skipped=0
failed_names=()

for t in "$@"; do
	name=${t#./}
	log="$logdir/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s.%N)
	"$t" >"$log" 2>&1
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
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
