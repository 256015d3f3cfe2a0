#!/usr/bin/env bash
# Proves that under kernel lockdown in confidentiality mode (lockdown=
# confidentiality on the kernel command line) kvm-mmio-top goes on with
# what that mode allows and says what is then missing. The mode refuses
# bpf_probe_read (the verifier knows no such helper) and hides tracefs'
# events, so syscalls:sys_enter_ioctl and the raw_tp reading of
# raw_syscalls:sys_enter's registers cannot end the VMM part: the typed
# tp_btf program reads them directly. The lock series find each VM's MMU
# lock through kernel pointers and are left out, in one line that names
# the mode. A 2-vCPU guest is counted exactly (exits, reads, writes, all
# VMM-handled, one VMM-latency sample per exit), and no lock series is
# reported.
. "$(dirname "$0")/lib.sh"
[[ -x $mmio_top ]] || skip "build/kvm-mmio-top not built"
[[ -x $test_vmm ]] || skip "build/test-vmm not built"

writes=80 reads=50
results=$(mktemp -d "${TMPDIR:-/var/tmp}/kmt-conf.XXXXXX")
trap 'rm -rf "$results"' EXIT
out=$("$run_in_svm_host" --lockdown confidentiality --timeout 120 --results "$results" -- sh -c '
	top=$1 vmm=$2 r=$KMT_RESULTS
	echo "lockdown: $(cat /sys/kernel/security/lockdown)"
	test -d /sys/kernel/tracing/events/kvm/kvm_exit && echo "tracefs shows events"
	"$top" --once -i 6 --json >"$r/top.json" 2>"$r/top.err" &
	top_pid=$!
	i=0
	until grep -q "tracing" "$r/top.err" 2>/dev/null || ! kill -0 $top_pid 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
	done
	"$vmm" --vcpus 2 --writes '"$writes"' --reads '"$reads"' --linger-ms 8000 \
		-name guest=kmt-conf --json >"$r/vmm.json"
	echo "vmm exit $?"
	wait $top_pid
	echo "top exit $?"' sh "$mmio_top" "$test_vmm" 2>&1)
rc=$?
echo "$out"
((rc == 77)) && exit 77
expect_eq "command in the bed" 0 "$rc"
grep -qxF "lockdown: none integrity [confidentiality]" <<<"$out" ||
	fail "the bed is not in lockdown=confidentiality"
! grep -q "tracefs shows events" <<<"$out" || fail "tracefs shows events under confidentiality"
grep -qx "vmm exit 0" <<<"$out" || fail "test-vmm failed"
grep -qx "top exit 0" <<<"$out" || fail "kvm-mmio-top did not exit 0: $(cat "$results/top.err")"
cat "$results/top.err"
grep -q "^kvm-mmio-top: no lock series: kernel lockdown is in confidentiality mode" \
	"$results/top.err" || fail "the start lines do not say that the lock series are left out"

top=$(cat "$results/top.json")
expect_eq "VMM part ended by" "sys_enter=tp_btf" \
	"$(jq -r '.probes | split(" ")[] | select(startswith("sys_enter"))' <<<"$top")"
expect_eq "lock series" "[]" "$(jq -c '[.backends[] | select(.role == "lock") | .name]' <<<"$top")"
guest=$(jq -c '.guests[] | select(.name == "kmt-conf")' <<<"$top")
[[ -n $guest ]] || fail "no guest kmt-conf in the report: $top"
truth=$(jq -c '.guests[0] | {exits: .mmio_exits, reads, writes}' "$results/vmm.json")
expect_eq "exits, reads, writes (test-vmm's own counts)" "$truth" \
	"$(jq -c '.mmio | {exits, reads, writes}' <<<"$guest")"
exits=$(jq '.exits' <<<"$truth")
expect_eq "VMM-handled" "$exits" "$(jq '.mmio.vmm_handled' <<<"$guest")"
expect_eq "VMM-latency samples" "$exits" "$(jq '.mmio.vmm_latency_ns.count' <<<"$guest")"
expect_eq "lock series of the guest" "[]" "$(jq -c '.locks // []' <<<"$guest")"
expect_eq "dropped" 0 "$(jq '.dropped' <<<"$top")"
echo "PASS: under lockdown=confidentiality, exact MMIO counts without the lock series, said in one line"
