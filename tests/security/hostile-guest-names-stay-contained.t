#!/usr/bin/env bash
# Guests whose /proc/PID/cmdline is hostile (quotes, backslashes, newlines,
# tabs, terminal escapes, bytes that are not UTF-8, exposition syntax, no
# final NUL, 6000-byte names, 20 KiB without a NUL, empty) keep every
# output intact: the JSON is valid and names each guest as sanitized
# (controls and non-UTF-8 bytes become '?', at most 63 bytes, comm when
# there is no -name), the table has one row per guest and no control byte,
# the textfile passes promtool and has each guest's exact counts under its
# escaped label. The guests are real test-vmm guests; the tracers see their
# cmdline through bind mounts in a private mount namespace.
source "$(dirname "$0")/../prom/common.sh"

long=$(printf 'L%.0s' $(seq 6000))
junk=$(head -c 20000 /dev/zero | tr '\0' 'J')
cmdlines=(
	'qemu\0-name\0guest=quo"te back\\slash\\\\double,debug-threads=on\0'
	'qemu\0-name\0guest=new\nline\ttab\033[31mred\177\0'
	'qemu\0-name\0bad\377\376utf8 caf\303\251'
	'qemu\0--name\0guest=x} 1\\n# HELP kvm_mmio_exits_total injected\0'
	"qemu\\0-name\\0guest=$long"
	"$junk"
	''
)
want=(
	'quo"te back\slash\\double'
	'new?line?tab?[31mred?'
	$'bad??utf8 caf\xc3\xa9'
	'x} 1\n# HELP kvm_mmio_exits_total injected'
	"${long:0:63}"
	test-vmm
	test-vmm
)

pids=()
for i in "${!cmdlines[@]}"; do
	start_guest "$work/guest$i" --writes $((10 + i)) --reads $((20 + i)) \
		--wait-file "$work/go" --linger-ms 1500
	pids+=("$guest_pid")
	printf "${cmdlines[$i]}" >"$work/cmdline$i"
done
expect_eq "bytes of the 20 KiB cmdline without a NUL" 20000 "$(wc -c <"$work/cmdline5")"
{
	echo '#!/usr/bin/env bash'
	echo 'exec unshare -m --propagation private bash -c '"'"'set -e'
	for i in "${!pids[@]}"; do
		echo "mount --bind $work/cmdline$i /proc/${pids[$i]}/cmdline"
	done
	echo 'exec "$0" "$@"'"'"' '"$PWD/$TOP"' "$@"'
} >"$work/top-hostile"
chmod +x "$work/top-hostile"
TOP=$work/top-hostile

mkdir "$work/textfiles"
start_exporter --textfile-dir "$work/textfiles" -i 0.2
start_tracer "$work/json" --once -i 4 --json
json_pid=$tracer_pid
start_tracer "$work/table" --once -i 4
table_pid=$tracer_pid
touch "$work/go"
for i in "${!pids[@]}"; do
	wait_guest "${pids[$i]}" "$work/guest$i"
done
wait "$json_pid" || fail "the JSON run failed: $(cat "$work/json.err")"
wait "$table_pid" || fail "the table run failed: $(cat "$work/table.err")"

# JSON: valid, each guest named as sanitized, exact counts.
jq -e . "$work/json" >/dev/null || fail "invalid JSON: $(head -c 600 "$work/json")"
for i in "${!pids[@]}"; do
	seen=$(report_guest "$work/json" "${pids[$i]}")
	[[ -n $seen ]] || fail "guest ${pids[$i]} missing from the JSON"
	expect_eq "JSON name of guest $i" "${want[$i]}" "$(jq -r .name <<<"$seen")"
	expect_eq "JSON exits of guest $i" $((30 + 2 * i)) "$(jq .mmio.exits <<<"$seen")"
done

# Table: a title line, a column line, one row per guest; no control byte.
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$work/table"; then
	fail "control bytes in the table: $(cat -v "$work/table")"
fi
# (Other guests of this host may have rows too: only ours are counted.)
rows=$(grep -cE '^[0-9]+ ' "$work/table")
expect_eq "table lines: title, columns, one per guest, a blank one" $((3 + rows)) \
	"$(wc -l <"$work/table")"
expect_eq "blank lines in the table" 1 "$(grep -c "^$" "$work/table")"
for i in "${!pids[@]}"; do
	expect_eq "table rows of guest ${pids[$i]}" 1 "$(grep -c "^${pids[$i]} " "$work/table")"
done

# Prometheus: promtool clean, exact counts under each escaped label.
file=$work/textfiles/kvm_mmio.prom
all_in() {
	local i
	for i in "${!pids[@]}"; do
		[[ $(grep -F "pid=\"${pids[$i]}\"" "$file" | grep -F 'direction="read"' |
			grep -F kvm_mmio_exits_total | awk '{ print $NF }') == $((20 + i)) ]] || return 1
	done
}
wait_for 10 "every guest's reads in the textfile" all_in
cp "$file" "$work/snapshot.prom"
promtool_clean "the textfile with hostile names" "$work/snapshot.prom"
for i in "${!pids[@]}"; do
	label=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' <<<"${want[$i]}")
	line=$(grep -F "kvm_mmio_exits_total{" "$work/snapshot.prom" | grep -F "pid=\"${pids[$i]}\"" |
		grep -F 'direction="read"')
	[[ $line == *"guest=\"$label\""* ]] || fail "guest $i: expected guest=\"$label\" in: $line"
	expect_eq "Prometheus reads of guest $i" $((20 + i)) "$(awk '{ print $NF }' <<<"$line")"
done
# The injection stayed inside a label value: one HELP line per family.
expect_eq "HELP lines for kvm_mmio_exits_total" 1 \
	"$(grep -c '^# HELP kvm_mmio_exits_total ' "$work/snapshot.prom")"
echo "PASS: ${#pids[@]} hostile cmdlines: JSON valid and sanitized, table intact, promtool clean, counts exact"
