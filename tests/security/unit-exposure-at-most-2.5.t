#!/usr/bin/env bash
# The shipped systemd unit rates at most 2.5 ("OK" or better) in
# systemd-analyze security --offline=yes (it was 8.9, "EXPOSED"), and it
# really grants what the tool needs: unit-caps-as-nobody-exact-counts.t runs
# the tool with its capabilities, unit-syscall-filter-allows-the-tool.t
# checks its system call filter.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/assert.sh
command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (systemd)"
unit=scripts/kvm-mmio-top.service
limit=2.5

out=$(systemd-analyze security --offline=yes "$unit" 2>&1) || true
score=$(sed -n 's/^→ Overall exposure level for kvm-mmio-top.service: \([0-9.]*\) .*/\1/p' <<<"$out")
[[ -n $score ]] || fail "no overall exposure level in systemd-analyze's output: $out"
echo "systemd-analyze security --offline=yes $unit: $score"
awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s <= l) }' ||
	fail "exposure level: expected at most $limit, saw $score; what is open: $(grep '✗' <<<"$out")"
# Its own threshold agrees (in tenths: 25 = 2.5).
systemd-analyze security --offline=yes --threshold=25 "$unit" >/dev/null 2>&1 ||
	fail "systemd-analyze security --threshold=25 rejects $unit"
echo "PASS: $unit exposure $score <= $limit"
