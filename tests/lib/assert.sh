# shellcheck shell=bash
# Outcomes and assertions shared by every shell test (sourced, not run).
# A test exits 0 when it passed, 77 when it was skipped (the reason is the
# last line it printed) and 1 when it failed (saying expected and seen).

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# expect_eq WHAT EXPECTED SEEN
expect_eq() {
	[[ "$2" == "$3" ]] || fail "$1: expected $2, saw $3"
	echo "ok: $1 = $3"
}

# expect_ge WHAT MINIMUM SEEN
expect_ge() {
	(($3 >= $2)) || fail "$1: expected at least $2, saw $3"
	echo "ok: $1 = $3 >= $2"
}
