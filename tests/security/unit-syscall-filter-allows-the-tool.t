#!/usr/bin/env bash
# Every system call kvm-mmio-top makes in the unit's mode (exporter,
# textfile, as nobody with the unit's capabilities, a guest traced) passes
# the unit's SystemCallFilter= lines, groups expanded by systemd-analyze
# itself: a filter that would refuse one (EPERM) is caught here, since
# systemd cannot run the unit on a host without it as PID 1.
source "$(dirname "$0")/../prom/common.sh"
command -v strace >/dev/null || skip "strace not installed (apt-get install strace)"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (systemd)"
unit=scripts/kvm-mmio-top.service

# expand NAME...: the syscalls of NAME (a syscall or an @group, recursively).
expand() {
	local n
	for n in "$@"; do
		if [[ $n == @* ]]; then
			# shellcheck disable=SC2046
			expand $(systemd-analyze syscall-filter "$n" | sed -e '1d' -e 's/#.*//' -e 's/^\s*//' | grep .)
		else
			echo "$n"
		fi
	done
}
: >"$work/allowed"
while read -r line; do
	if [[ $line == ~* ]]; then
		# shellcheck disable=SC2086
		expand ${line#\~} | sort -u >"$work/denied"
		grep -vxFf "$work/denied" "$work/allowed" >"$work/allowed.new" || true
		mv "$work/allowed.new" "$work/allowed"
	else
		# shellcheck disable=SC2086
		expand $line >>"$work/allowed"
	fi
done < <(sed -n 's/^SystemCallFilter=//p' "$unit")
sort -u -o "$work/allowed" "$work/allowed"
(($(wc -l <"$work/allowed") > 100)) || fail "the unit's filter expanded to too few syscalls: $(wc -l <"$work/allowed")"
for must in bpf perf_event_open openat renameat2 rename; do
	grep -qx "$must" "$work/allowed" || echo "note: $must is not allowed by the unit"
done

caps=$(sed -n 's/^AmbientCapabilities=//p' "$unit" | tr ' ' '\n' | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd,)
mkdir "$work/textfiles"
chown 65534:65534 "$work/textfiles"
chmod 755 "$work"
cat >"$work/top-traced" <<-WRAPPER
	#!/usr/bin/env bash
	exec strace -f -qq -o "$work/strace.log" setpriv --reuid=65534 --regid=65534 --clear-groups \\
		--no-new-privs --inh-caps="-all,$caps" --ambient-caps="-all,$caps" \\
		--bounding-set="-all,$caps" "$PWD/$TOP" "\$@"
WRAPPER
chmod 755 "$work/top-traced"
TOP=$work/top-traced
start_exporter --textfile-dir "$work/textfiles" -i 0.2 -n 15
"$VMM" --json --writes 50 --reads 50 -name guest=sc --linger-ms 600 >"$work/vmm.json" || fail "test-vmm failed"
wait_tracer

# The tool's own calls: from the execve of kvm-mmio-top on, per pid.
tool_pid=$(grep -m1 'execve("[^"]*kvm-mmio-top"' "$work/strace.log" | awk '{ print $1 }')
[[ -n $tool_pid ]] || fail "strace saw no execve of kvm-mmio-top"
awk -v p="$tool_pid" '$1 == p && /execve\("[^"]*kvm-mmio-top"/ { on = 1 } on || $1 != p { print }' \
	"$work/strace.log" |
	sed -n 's/^[0-9]\+ \+\([a-z_0-9]\+\)(.*/\1/p' | grep -vx 'execve' | sort -u >"$work/used"
grep -qx bpf "$work/used" || fail "strace saw no bpf() call: $(head -c 600 "$work/strace.log")"
refused=$(grep -vxFf "$work/allowed" "$work/used" || true)
[[ -z $refused ]] || fail "the unit's SystemCallFilter= would refuse: $(paste -sd' ' <<<"$refused")"
echo "PASS: all $(wc -l <"$work/used") syscalls the tool made are allowed by $unit: $(paste -sd' ' "$work/used")"
