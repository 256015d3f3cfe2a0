#!/usr/bin/env bash
# Every option that takes a value, given an out-of-range, empty, huge or
# malformed one, exits 2 with a message naming that value, before anything
# is loaded; valid edge values still parse (checked by reaching the next
# stage: exit 3 as nobody without capabilities).
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/assert.sh
TOP=${BUILD:-build}/kvm-mmio-top
[[ -x $TOP ]] || fail "$TOP not built (run make)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

huge=$(printf '9%.0s' $(seq 10000))
bad_numbers=('' '-1' 'abc' '1x' ' 5' '5 ' '+5' '0x10' '1e3' '99999999999999999999999' "$huge" $'5\n' 'nan' 'inf')
bad_seconds=('' '-1' 'abc' '1x' ' 5' '0x10' 'nan' 'inf' '-inf' '1e400' '.' '1..2' "$huge" $'1\n')
checked=0

# expect_usage VALUE ARGS...: exit 2 and VALUE quoted in the message.
expect_usage() {
	local value=$1 rc=0
	shift
	"$TOP" "$@" >"$out" 2>&1 || rc=$?
	((rc == 2)) || fail "$(printf '%q ' "$@"): expected exit 2, saw $rc: $(head -c 300 "$out")"
	[[ $(cat "$out") == *"'$value'"* ]] ||
		fail "$(printf '%q ' "$@"): the message does not name '$value': $(head -c 300 "$out")"
	checked=$((checked + 1))
}

for opt in -n --pid --top --max-guests --max-vcpus --max-regions; do
	for v in "${bad_numbers[@]}"; do
		expect_usage "$v" "$opt" "$v"
		[[ $opt == --* ]] && expect_usage "$v" "$opt=$v"
	done
done
for v in 0 4194305; do expect_usage "$v" --pid "$v"; done
expect_usage 0 -n 0
expect_usage 1001 --top 1001
for opt in --max-guests --max-vcpus --max-regions; do expect_usage 0 "$opt" 0; done
expect_usage 65537 --max-guests 65537
expect_usage 1048577 --max-regions 1048577
for v in "${bad_seconds[@]}" 0 0.001 86401; do expect_usage "$v" -i "$v"; done
for v in "${bad_seconds[@]}" 604801; do expect_usage "$v" --textfile-dir /tmp --grace "$v"; done
for v in '' 0 65536 abc 1.2.3.4: :9464 '::1:9464' '[::1]' '999.1.1.1:80' 'localhost:9464' \
	'[::1]:99999' "$huge" $'9464\n'; do
	expect_usage "$v" --listen "$v"
done
for opt in --name --textfile-dir; do expect_usage '' "$opt" ''; done
expect_usage '' --listen 9464 --web-config ''
expect_usage 'extra' --once extra

# Edge values that are valid get past parsing: as nobody, exit 3 (capabilities).
if command -v setpriv >/dev/null && ((EUID == 0)); then
	for args in "-i 0.01" "-i 86400" "-n 1000000000" "--top 0" "--max-guests 65536" \
		"--max-vcpus 1" "--max-regions 1048576" "--listen [::1]:65535 --grace 0" \
		"--listen 0.0.0.0:1 --grace 604800" "-i 1e-1"; do
		rc=0
		# shellcheck disable=SC2086
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$TOP" $args \
			>"$out" 2>&1 || rc=$?
		expect_eq "exit status for valid '$args'" 3 "$rc"
	done
fi
echo "PASS: $checked hostile option values each exit 2 naming the value"
