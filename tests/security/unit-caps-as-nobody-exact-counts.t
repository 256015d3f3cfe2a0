#!/usr/bin/env bash
# Least privilege, proved: kvm-mmio-top started through setpriv as nobody
# (uid 65534, no groups, no_new_privs) with exactly the capabilities the
# systemd unit grants (its AmbientCapabilities=, also its bounding set)
# runs in exporter mode like the unit, and its textfile has test-vmm's exact
# counts and names; its effective set, read from /proc while it runs, is
# exactly those capabilities, and it leaves the host's BPF run-time
# statistics alone (it is not asked for them). Then, with CAP_BPF or
# CAP_PERFMON missing, it exits 3 naming the one that is missing.
source "$(dirname "$0")/../prom/common.sh"
command -v setpriv >/dev/null || skip "setpriv not installed (util-linux)"
unit=scripts/kvm-mmio-top.service

ambient=$(sed -n 's/^AmbientCapabilities=//p' "$unit")
bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[[ -n $ambient ]] || fail "$unit grants no AmbientCapabilities="
expect_eq "the unit's bounding set" "$ambient" "$bounding"
# "CAP_BPF CAP_PERFMON" -> "+bpf,+perfmon" and the mask the kernel shows.
caps=$(tr ' ' '\n' <<<"$ambient" | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd,)
want_mask=0
for c in $ambient; do
	bit=$(sed -n "s/^#define $c[[:space:]]\+\([0-9]\+\)$/\1/p" /usr/include/linux/capability.h)
	[[ -n $bit ]] || fail "unknown capability $c in $unit"
	want_mask=$((want_mask | (1 << bit)))
done

# as_nobody CAPS CMD...: CMD as uid/gid 65534 with exactly CAPS.
as_nobody() {
	local c=$1
	shift
	setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
		--inh-caps="-all${c:+,$c}" --ambient-caps="-all${c:+,$c}" \
		--bounding-set="-all${c:+,$c}" "$@"
}
cat >"$work/top-nobody" <<-WRAPPER
	#!/usr/bin/env bash
	exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \\
		--inh-caps="-all,$caps" --ambient-caps="-all,$caps" --bounding-set="-all,$caps" \\
		"$PWD/$TOP" "\$@"
WRAPPER
chmod 755 "$work/top-nobody" "$work"
TOP=$work/top-nobody
mkdir "$work/textfiles"
chown 65534:65534 "$work/textfiles"

start_exporter --textfile-dir "$work/textfiles" -i 0.2
status=/proc/$TOP_PID/status
expect_eq "the traced process" kvm-mmio-top "$(awk '/^Name:/ { print $2 }' "$status")"
expect_eq "tracer's real and effective uid" "65534 65534" "$(awk '/^Uid:/ { print $2, $3 }' "$status")"
expect_eq "tracer's effective capabilities" "$(printf '%016x' "$want_mask")" \
	"$(awk '/^CapEff:/ { print $2 }' "$status")"
expect_eq "tracer's bounding set" "$(printf '%016x' "$want_mask")" \
	"$(awk '/^CapBnd:/ { print $2 }' "$status")"

"$VMM" --json --guests 2 --vcpus 2 --writes 321 --reads 123 --ioeventfd-writes 7 -name guest=lp \
	--linger-ms 600 >"$work/vmm.json" || fail "test-vmm failed"
json=$(cat "$work/vmm.json")
file=$work/textfiles/kvm_mmio.prom
all_written() {
	local pid
	for pid in $(jq -r '.guests[].pid' <<<"$json"); do
		[[ $(value "$file" kvm_mmio_exits_total pid="$pid" direction=read) == 246 ]] || return 1
	done
}
wait_for 10 "both guests' final counts in $file" all_written
for g in 0 1; do
	pid=$(jq -r ".guests[$g].pid" <<<"$json")
	name=$(jq -r ".guests[$g].name" <<<"$json")
	expect_eq "guest $name reads" "$(jq ".guests[$g].reads" <<<"$json")" \
		"$(value "$file" kvm_mmio_exits_total guest="$name" pid="$pid" direction=read)"
	expect_eq "guest $name writes" "$(jq ".guests[$g].writes + .guests[$g].ioeventfd_writes" <<<"$json")" \
		"$(value "$file" kvm_mmio_exits_total guest="$name" pid="$pid" direction=write)"
	expect_eq "guest $name VMM-handled" "$(jq ".guests[$g].mmio_exits" <<<"$json")" \
		"$(value "$file" kvm_mmio_handled_total guest="$name" pid="$pid" where=vmm)"
	expect_eq "guest $name kernel-handled" "$(jq ".guests[$g].ioeventfd_writes" <<<"$json")" \
		"$(value "$file" kvm_mmio_handled_total guest="$name" pid="$pid" where=kernel)"
done
expect_eq "textfile owner" 65534 "$(stat -c %u "$file")"
if grep -q "run-time statistics" "$TOP_ERR"; then
	fail "the unit's command line has no --bpf-stats, yet the exporter tried: $(cat "$TOP_ERR")"
fi

# One capability missing: exit 3, and the message names it.
for missing in CAP_BPF CAP_PERFMON; do
	rest=$(tr ' ' '\n' <<<"$ambient" | grep -vx "$missing" | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd,)
	rc=0
	as_nobody "$rest" "$BUILD/kvm-mmio-top" --once -i 0.1 >"$work/out" 2>&1 || rc=$?
	expect_eq "exit status without $missing" 3 "$rc"
	grep -q "missing capability $missing:" "$work/out" ||
		fail "without $missing the message should name it: $(cat "$work/out")"
done
echo "PASS: as nobody with only $ambient: exact counts; $ambient each named when missing (exit 3)"
