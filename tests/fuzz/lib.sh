# shellcheck shell=bash
# Shared by tests/fuzz/*.t (sourced): run one libFuzzer target briefly on a
# copy of its corpus in fuzz/corpus/ (the repository's stays as it is; make
# fuzz grows it). Fails on any crash, sanitizer report, leak or timeout,
# showing the input that caused it.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
source tests/lib/assert.sh
BUILD=${BUILD:-build}

# fuzz_briefly TARGET: KMT_FUZZ_SECONDS (default 8) of TARGET.
fuzz_briefly() {
	local target=$1 bin=$BUILD/fuzz/$1 secs=${KMT_FUZZ_SECONDS:-8} work rc=0
	[[ -x $bin ]] || fail "$bin not built (make $bin)"
	[[ -n $(ls -A "fuzz/corpus/$target" 2>/dev/null) ]] || fail "fuzz/corpus/$target is empty"
	work=$(mktemp -d "${TMPDIR:-/tmp}/kmt-fuzz.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$work'" EXIT
	mkdir "$work/corpus"
	cp "fuzz/corpus/$target"/* "$work/corpus/"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1 || rc=$?
	if ((rc != 0)); then
		tail -n 40 "$work/log"
		for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
			[[ -e $a ]] && echo "input that failed ($a): $(od -c "$a" | head -n 8)"
		done
		fail "$target: libFuzzer exited $rc"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	((${runs:-0} > 0)) || fail "$target ran no input: $(tail -n 5 "$work/log")"
	echo "PASS: $target: $runs inputs in ${secs}s, no crash, sanitizer report or leak"
}
