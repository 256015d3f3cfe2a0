#!/usr/bin/env bash
# docs/grafana-dashboard.json is valid JSON, every query parses as PromQL
# (promtool check rules, Grafana variables substituted), panels read the
# recording rules of contrib/prometheus/kvm-mmio-rules.yml (each one defined
# there), variables name only metric families the exporter renders, there
# are host and guest variables, and each latency histogram has a heatmap.
# tests/fleet/real-prometheus-three-hosts.t runs every query against a real
# server.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/assert.sh
for tool in jq promtool; do
	command -v $tool >/dev/null || skip "$tool not installed (make deps)"
done
dash=docs/grafana-dashboard.json
rules=contrib/prometheus/kvm-mmio-rules.yml
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

# Recorded series (level:metric:operations) must be recorded by our rules.
for name in $(grep -oE '[a-z0-9_]+:[a-z0-9_]+:[a-z0-9_]+' "$work/queries" | sort -u); do
	grep -q "record: $name\$" "$rules" ||
		fail "the dashboard queries $name, which $rules does not record"
done
# Raw families (in the variables) must be exported.
for name in $(grep -oE '(^|[^a-z_:])kvm_[a-z_]*' "$work/queries" | grep -oE 'kvm_[a-z_]*' | sort -u); do
	family=$(sed -E 's/_(bucket|sum|count)$//' <<<"$name")
	grep -q "\"$family\"" libtrace/prom/prom_exposition.c ||
		fail "the dashboard queries $name, which the exporter does not export"
done
# Panels read recording rules (cheap, the same figures as the alerts), not raw series.
raw=$(jq -r '.panels[].targets[]?.expr' "$dash" | grep -vE '[a-z0-9_]+:[a-z0-9_]+:[a-z0-9_]+|^up\{' || true)
[[ -z $raw ]] || fail "panel queries that do not use a recording rule: $raw"

vars=$(jq -r '[.templating.list[].name] | join(" ")' "$dash")
[[ " $vars " == *" host "* && " $vars " == *" guest "* ]] ||
	fail "expected variables host and guest, found: $vars"
for hist in kvm_mmio_vmm_latency_seconds kvm_mmio_kernel_latency_seconds kvm_lock_wait_seconds; do
	jq -e --arg h "$hist" '[.panels[] | select(.type == "heatmap") | .targets[].expr | select(contains($h))] | length > 0' \
		"$dash" >/dev/null || fail "no heatmap panel for $hist"
done
grep -q '"title": "Lock contention' "$dash" || fail "no lock contention row"
echo "PASS: $(wc -l <"$work/queries") queries parse, panels use our recording rules, heatmaps for the 3 histograms"
