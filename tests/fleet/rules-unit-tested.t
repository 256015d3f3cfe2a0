#!/usr/bin/env bash
# The shipped Prometheus files are valid and every recording and alerting
# rule is unit-tested at its production windows and thresholds:
#   - promtool check config / check rules accept contrib/prometheus/;
#   - promtool test rules passes contrib/prometheus/tests/*.test.yml
#     (input series -> expected samples and alerts, "no alert" cases too);
#   - each rule the files define is named in those tests;
#   - each raw metric the rules read is one the exporter renders, so a
#     renamed metric cannot leave a rule silently empty.
set -u
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/assert.sh
command -v promtool >/dev/null || skip "promtool not installed (apt-get install prometheus)"
python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed (make deps)"
dir=contrib/prometheus
rule_files=("$dir/kvm-mmio-rules.yml" "$dir/kvm-mmio-alerts.yml")

out=$(promtool check config "$dir/prometheus.yml" 2>&1) || fail "promtool check config $dir/prometheus.yml: $out"
out=$(promtool check rules "${rule_files[@]}" 2>&1) || fail "promtool check rules: $out"
echo "ok: promtool check config and check rules: $(grep -o 'SUCCESS: [0-9]* rules found' <<<"$out" | paste -sd ' ')"
out=$(cd "$dir/tests" && promtool test rules ./*.test.yml 2>&1) || fail "promtool test rules: $out"
echo "ok: promtool test rules $dir/tests/*.test.yml"

tests=$(cat "$dir"/tests/*.test.yml)
n=0
for name in $(grep -ohE '^\s+- (record|alert): \S+' "${rule_files[@]}" | awk '{ print $3 }'); do
	grep -qE "(expr: |alertname: |labels: ')$name([{ ]|$)" <<<"$tests" ||
		fail "rule $name is not unit-tested in $dir/tests/"
	n=$((n + 1))
done
echo "ok: all $n rules are unit-tested"

exprs=$(python3 -c '
import sys, yaml
for f in sys.argv[1:]:
    for g in yaml.safe_load(open(f))["groups"]:
        for r in g["rules"]:
            print(r["expr"])' "${rule_files[@]}") || fail "cannot read the rule files' expressions (python3-yaml installed?)"
for name in $(grep -oE '(^|[^a-z0-9_:])kvm_[a-z_]+' <<<"$exprs" | grep -oE 'kvm_[a-z_]+' | sort -u); do
	family=$(sed -E 's/_(bucket|sum|count)$//' <<<"$name")
	grep -q "\"$family\"" libtrace/prom/prom_exposition.c && continue
	fail "the rules read $name, which the exporter does not export"
done
echo "PASS: shipped rules and scrape config valid, $n rules unit-tested, every metric they read exported"
