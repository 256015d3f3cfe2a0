# shellcheck shell=bash
# The assertions every KVM test bed makes on the results of its MMIO
# scenario (sourced by tests/*-kvm/check-scenario.sh, bash, on the build
# machine after the VM powered off). The scenario is the same on each bed:
# four test-vmm guests kmt-plain-0/1 (2 vCPUs, PLAIN_W writes + PLAIN_R reads
# each), kmt-delay (DELAY_W + DELAY_R, DELAY_US injected per exit) and
# kmt-ioevent (IOEV_W user-space writes, IOEV_K ioeventfd writes), traced by
# kvm-mmio-top --once --json. What differs per bed (how the bed is set up,
# the kvm_exit reasons or exception classes in tracefs, the tool's backend)
# stays in the bed's own check-scenario.sh, which calls these in order:
#
#   check_vmm_runs NAME...          the test-vmm processes; sets vmm_json, jqv
#   check_vmm_workload              test-vmm's own counts match the workload
#   vmm_totals                      sets total_user, total_ioev, total_mmio
#   check_trace_overrun, check_userspace_mmio_exits    tracefs cross-checks
#   load_top_json                   the tool's report; sets top_json, J
#   check_top_guests NOTE           the tool saw exactly the guests and exits
#   check_per_guest_counts [NOTE]   per guest and per vCPU, exact
#   check_delayed_vmm_part          the injected delay is in the VMM part
#   check_undelayed_guests          plain and ioeventfd guests
#   mmio_checks_done                the closing line and exit status
#
# Expects PLAIN_W PLAIN_R DELAY_W DELAY_R DELAY_US IOEV_W IOEV_K (the
# scenario's params) and dir (its results). Prints one "ok"/"not ok" line per
# assertion.

failures=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failures=$((failures + 1))
}
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# Exit 1 now when any assertion failed so far.
exit_if_failed() {
	if ((failures)); then
		echo "$failures assertion(s) failed"
		exit 1
	fi
}
bail() {
	not_ok "$*"
	exit_if_failed
}
mmio_checks_done() {
	exit_if_failed
	echo "all assertions hold"
}

# --- the test VMM ----------------------------------------------------------
check_vmm_runs() { # NAME...
	local n rc vmm_files=()
	for n in "$@"; do
		rc=$(cat "$dir/vmm-$n.rc" 2>/dev/null || echo missing)
		if [[ $rc != 0 ]]; then
			not_ok "test-vmm $n exit status 0 (got $rc); stderr:"
			sed 's/^/    /' "$dir/vmm-$n.err" 2>/dev/null | tail -n 20
		else
			ok "test-vmm $n saw exactly the MMIO it asked for (exit 0)"
		fi
	done
	for n in "$@"; do vmm_files+=("$dir/vmm-$n.json"); done
	vmm_json=$(jq -cs '[.[].guests[]]' "${vmm_files[@]}") || bail "test-vmm JSON unreadable"
}
jqv() { jq -n --argjson v "$vmm_json" "$@"; }

check_vmm_workload() {
	check "test-vmm per-guest totals are the sums of its vCPUs" \
		test "$(jqv '[$v[] | (.mmio_exits == ([.vcpus[].mmio_exits] | add)) and
			(.reads == ([.vcpus[].reads] | add)) and
			(.ioeventfd_writes == ([.vcpus[].ioeventfd_writes] | add))] | all')" = true
	check "test-vmm counts match the workload (plain ${PLAIN_W}w+${PLAIN_R}r per vCPU, delay ${DELAY_W}w+${DELAY_R}r, ioevent ${IOEV_W}w+${IOEV_K} ioeventfd)" \
		test "$(jqv --argjson pw "$PLAIN_W" --argjson pr "$PLAIN_R" --argjson dw "$DELAY_W" \
			--argjson dr "$DELAY_R" --argjson iw "$IOEV_W" --argjson ik "$IOEV_K" '
			[$v[] | if (.name | startswith("kmt-plain")) then
				.vcpus | length == 2 and all(.[]; .mmio_exits == $pw + $pr and .reads == $pr and .ioeventfd_writes == 0)
			elif .name == "kmt-delay" then
				.mmio_exits == $dw + $dr and .reads == $dr and .ioeventfd_writes == 0
			elif .name == "kmt-ioevent" then
				.mmio_exits == $iw and .reads == 0 and .ioeventfd_writes == $ik
			else false end] | all')" = true
	check "test-vmm: delayed guest was busy >= delay x exits" \
		test "$(jqv --argjson d "$DELAY_US" '[$v[] | select(.name == "kmt-delay") |
			([.vcpus[].vmm_busy_ns] | add) >= $d * 1000 * .mmio_exits] | all')" = true
}

vmm_totals() {
	total_user=$(jqv '[$v[].mmio_exits] | add')
	total_ioev=$(jqv '[$v[].ioeventfd_writes] | add')
	total_user=${total_user/null/0} total_ioev=${total_ioev/null/0}
	total_mmio=$((total_user + total_ioev))
}

# --- what the kernel did (tracefs) ------------------------------------------
check_trace_overrun() {
	check "trace buffer did not overrun" test "$(cat "$dir/trace-overrun" 2>/dev/null)" = 0
}
check_userspace_mmio_exits() {
	check "KVM_EXIT_MMIO to user space = test-vmm MMIO exits ($(cat "$dir/userspace-mmio-exits") = $total_user): ioeventfd writes stayed in the kernel" \
		test "$(cat "$dir/userspace-mmio-exits")" = "$total_user"
}

# --- kvm-mmio-top -----------------------------------------------------------
load_top_json() {
	local top_rc
	top_rc=$(cat "$dir/top.rc" 2>/dev/null || echo missing)
	if [[ $top_rc != 0 ]]; then
		not_ok "kvm-mmio-top --once --json exit status 0 (got $top_rc); stderr:"
		sed 's/^/    /' "$dir/top.err" 2>/dev/null | tail -n 20
	fi
	top_json=$(jq -c . "$dir/top.json" 2>/dev/null) && [[ -n $top_json ]] ||
		bail "kvm-mmio-top printed no JSON object: $(head -c 400 "$dir/top.json" 2>/dev/null)"
	echo "# kvm-mmio-top: $top_json"
}
J() { jq -n --argjson t "$top_json" --argjson v "$vmm_json" "$@"; }

# NOTE follows the expected total in the description: which exits the bed
# also sees that are not MMIO and must not be counted.
check_top_guests() { # NOTE
	check "no events dropped" test "$(J '$t.dropped')" = 0
	check "kvm-mmio-top reports exactly the test-vmm guests (by pid)" \
		test "$(J '([$t.guests[].pid] | sort) == ([$v[].pid] | sort)')" = true
	check "total MMIO exits over all guests = $total_mmio$1" \
		test "$(J '[$t.guests[].mmio.exits] | add')" = "$total_mmio"
}

# Per guest: GUEST-JQ-FILTER over {t: tool guest, v: vmm guest} must be true.
per_guest() { # DESCRIPTION FILTER [guest name prefix]
	local what=$1 filter=$2 prefix=${3:-kmt-} bad
	bad=$(J -r --arg p "$prefix" '
		[$v[] | select(.name | startswith($p)) as $g |
		 {v: $g, t: (first($t.guests[] | select(.pid == $g.pid)) // null)} |
		 select((try ('"$filter"') catch false) != true) | "\(.v.name) (pid \(.v.pid)): \(.t.mmio)"] | .[]')
	if [[ -z $bad ]]; then
		ok "$what"
	else
		not_ok "$what; failing:"
		echo "$bad" | sed 's/^/    /'
	fi
}

check_per_guest_counts() { # [NOTE on reads]
	per_guest "every guest: name as given with -name guest=" '.t.name == .v.name'
	per_guest "every guest: vcpus = test-vmm's vCPU threads" '.t.vcpus == (.v.vcpus | length)'
	per_guest "every guest: exits = test-vmm MMIO exits + ioeventfd writes" \
		'.t.mmio.exits == .v.mmio_exits + .v.ioeventfd_writes'
	per_guest "every guest: reads exact${1:+ ($1)}" '.t.mmio.reads == .v.reads'
	per_guest "every guest: writes exact (user-space + ioeventfd)" \
		'.t.mmio.writes == .v.mmio_exits - .v.reads + .v.ioeventfd_writes'
	per_guest "every guest: exits = reads + writes" '.t.mmio.exits == .t.mmio.reads + .t.mmio.writes'
	per_guest "every guest: vmm_handled = KVM_EXIT_MMIO exits, kernel_handled = ioeventfd writes" \
		'.t.mmio.vmm_handled == .v.mmio_exits and .t.mmio.kernel_handled == .v.ioeventfd_writes'
	per_guest "every guest: one VMM latency sample per VMM-handled exit" \
		'.t.mmio.vmm_latency_ns.count == .t.mmio.vmm_handled'
	per_guest "every guest: kernel_latency_ns present, one sample per MMIO exit" \
		'.t.mmio.kernel_latency_ns != null and .t.mmio.kernel_latency_ns.count == .t.mmio.exits'
	per_guest "every guest: latency percentiles ordered p50 <= p90 <= p99 <= p999 <= max" \
		'[.t.mmio.vmm_latency_ns, .t.mmio.kernel_latency_ns] | all(.p50 <= .p90 and .p90 <= .p99 and .p99 <= .p999 and .p999 <= .max)'
	per_guest "every guest: kernel part measured (p50 > 0, sum > 0), so total = kernel + VMM >= VMM part" \
		'.t.mmio.kernel_latency_ns | .p50 > 0 and .sum > 0'
	per_guest "every guest: per-vCPU exits, reads and vmm_handled exact (by tid)" \
		'(.v.vcpus | length) as $n | .t.per_vcpu as $tv |
		 [.v.vcpus[] as $c | ($tv[] | select(.tid == $c.tid)) as $p |
		  $p.exits == $c.mmio_exits + $c.ioeventfd_writes and $p.reads == $c.reads and
		  $p.vmm_handled == $c.mmio_exits] | length == $n and all'
}

# Every VMM part of the delayed guest contains a full busy-wait of DELAY_US,
# so these bounds hold however loaded the machine is; the kernel part's are
# loose because a preempted vCPU thread legitimately adds to it (the bed
# checks that the kernel part did not absorb the delay). Sets d_ns.
check_delayed_vmm_part() {
	d_ns=$((DELAY_US * 1000))
	per_guest "delayed guest: VMM part >= the injected ${DELAY_US} us on every exit (sum >= delay x count, p50 >= delay)" \
		".t.mmio.vmm_latency_ns | .sum >= $d_ns * .count and .p50 >= $d_ns" kmt-delay
	per_guest "delayed guest: VMM part sum >= test-vmm's own busy-wait time" \
		'.t.mmio.vmm_latency_ns.sum >= ([.v.vcpus[].vmm_busy_ns] | add)' kmt-delay
	per_guest "delayed guest: total latency (top region p99) includes the delay" \
		"[.t.mmio.top_regions[].p99_ns] | max >= $d_ns" kmt-delay
}

check_undelayed_guests() {
	per_guest "undelayed guests: VMM part p50 < $((d_ns / 2)) ns" \
		".t.mmio.vmm_latency_ns.p50 < $((d_ns / 2))" kmt-plain
	per_guest "ioeventfd guest: $IOEV_K ioeventfd writes kernel-handled, no VMM part for them" \
		".t.mmio.kernel_handled == $IOEV_K and .t.mmio.vmm_handled == $IOEV_W and .t.mmio.vmm_latency_ns.count == $IOEV_W" kmt-ioevent
	per_guest "guests without ioeventfd: nothing kernel-handled" '.t.mmio.kernel_handled == 0' kmt-plain
}
