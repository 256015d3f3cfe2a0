#!/usr/bin/env bash
# docs/grafana-dashboard.json is valid JSON, every query parses as PromQL
# (promtool check rules, Grafana variables substituted) and names only
# metric families the exporter renders.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/assert.sh
for tool in jq promtool; do
	command -v $tool >/dev/null || skip "$tool not installed (make deps)"
done
dash=docs/grafana-dashboard.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

jq -e . "$dash" >/dev/null || fail "$dash is not valid JSON"
jq -r '.. | objects | (.expr?, .definition?) | strings' "$dash" >"$work/queries"
(($(wc -l <"$work/queries") >= 8)) || fail "expected 8 or more queries in $dash, found $(wc -l <"$work/queries")"

{
	echo "groups:"
	echo "  - name: dashboard"
	echo "    rules:"
	n=0
	while read -r q; do
		# label_values() is Grafana's, not PromQL: check its selector.
		q=$(sed -E 's/^label_values\((.*), *[a-z_]+\)$/\1/' <<<"$q")
		q=${q//\$__rate_interval/5m}
		q=${q//\$host/.*}
		q=${q//\$guest/.*}
		n=$((n + 1))
		printf '      - record: dashboard:query%d\n        expr: %s\n' $n "$(jq -Rn --arg q "$q" '$q')"
	done <"$work/queries"
} >"$work/rules.yml"
out=$(promtool check rules "$work/rules.yml" 2>&1) || fail "a dashboard query is not valid PromQL: $out"

for name in $(grep -o 'kvm_[a-z_]*' "$work/queries" | sort -u); do
	family=$(sed -E 's/_(bucket|sum|count)$//' <<<"$name")
	grep -q "\"$family\"" libtrace/prom/prom_exposition.c ||
		fail "the dashboard queries $name, which the exporter does not export"
done
grep -q '"title": "Lock contention' "$dash" || fail "no lock contention placeholder row"
echo "PASS: $(wc -l <"$work/queries") queries parse and name only exported metrics"
