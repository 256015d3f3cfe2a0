#!/usr/bin/env bash
# Proves, with KVM as modules (the x86 bed's kvm + kvm_amd), what the tool
# does when KVM is not there (kvm-module-scenario.sh, one boot):
# - kvm not loaded at start: exit 1, one line saying to load KVM, on this
#   CPU (svm) with modprobe kvm_amd;
# - kvm loaded but not kvm_amd (tracepoints, no /dev/kvm): it traces and
#   says that no guest can run until `modprobe kvm_amd`;
# - while it traces, the attached programs hold the kvm module: `rmmod kvm`
#   is refused ("in use"), with kvm_amd loaded and after it was unloaded;
#   kvm_amd itself unloads (no guest left), the tool says /dev/kvm is gone,
#   and when kvm_amd is loaded again that it is back; guests before and
#   after are counted exactly (exits, reads, writes, VMM-handled, one kernel
#   latency sample per exit), summed over the 0.5 s JSON reports;
# - after SIGINT (exit 0) kvm's reference count is what it was before the
#   tool attached and rmmod kvm_amd kvm succeeds: no reference leaked.
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/mmio-checks.sh
. tests/lib/mmio-checks.sh

[[ -x $test_vmm ]] || skip "build/test-vmm not built"
[[ -x $mmio_top ]] || skip "build/kvm-mmio-top not built"

in_bed() { # RESULTS
	"$run_in_svm_host" --timeout "${KMT_X86_TIMEOUT:-180}" --results "$1" -- \
		"$x86kvm_dir/kvm-module-scenario.sh" --test-vmm "$test_vmm" --top "$mmio_top" \
		--cache "${KMT_CACHE:-/var/cache/kvm-mmio-trace}/x86-kvm"
}

# What the scenario left in $dir: a file's contents; whether it matches a regex.
r() { cat "$dir/$1" 2>/dev/null || echo missing; }
has() { grep -qE -- "$2" "$dir/$1"; }

check_results() { # DIR
	local dir=$1 g
	[[ -f $dir/skip ]] && skip "$(cat "$dir/skip")"

	check "kvm and kvm_amd unload while nothing uses them" test "$(r unload-at-boot.rc)" = 0
	check "KVM not loaded at start: exit status 1" test "$(r nokvm.rc)" = 1
	check "KVM not loaded at start: one line" test "$(wc -l <"$dir/nokvm.out")" = 1
	check "KVM not loaded at start: says no kvm_mmio tracepoint, load KVM, here modprobe kvm_amd" \
		has nokvm.out "no kvm_mmio tracepoint .*load KVM first .*; here: modprobe kvm_amd$"
	check "kvm without kvm_amd: traces (exit 0)" test "$(r novendor.rc)" = 0
	check "kvm without kvm_amd: says no /dev/kvm, no guest can run, modprobe kvm_amd, still tracing" \
		has novendor.out "no /dev/kvm .*no guest can run: modprobe kvm_amd; still tracing"

	check "attached, the programs hold kvm: refcnt $(r refcnt-before) -> $(r refcnt-attached)" \
		test "$(r refcnt-attached)" -gt "$(r refcnt-before)"
	check "rmmod kvm while tracing is refused" test "$(r held.rc)" != 0
	check "rmmod kvm while tracing: 'in use'" has held.out "in use"
	check "rmmod kvm_amd while tracing (no guest running) succeeds" test "$(r vendor-out.rc)" = 0
	check "the tool says /dev/kvm is gone, naming kvm_amd, and goes on" \
		has top.err "no /dev/kvm .*modprobe kvm_amd; still tracing"
	check "with kvm_amd gone, rmmod kvm is still refused (held by the programs alone)" \
		test "$(r held-alone.rc)" != 0
	check "with kvm_amd gone, kvm's refcnt $(r refcnt-attached-alone) > 0" \
		test "$(r refcnt-attached-alone)" -gt 0
	check "the tool says /dev/kvm is back" has top.err "/dev/kvm is back"

	vmm_json=$(jq -cs '[.[].guests[]]' "$dir"/vmm-kmt-*.json 2>/dev/null)
	top_json=$(jq -cs '[.[].guests[]]' "$dir/top.json" 2>/dev/null)
	for g in kmt-before kmt-after; do
		check "guest $g: ran (test-vmm JSON)" \
			test "$(J -r --arg n "$g" '[$v[] | select(.name == $n)] | length')" = 1
		check "guest $g: exits, reads, writes, vmm_handled, kernel latency samples exact over all reports" \
			test "$(J --arg n "$g" '
			first($v[] | select(.name == $n)) as $g |
			[$t[] | select(.pid == $g.pid) | .mmio] as $r |
			($r | length) > 0 and ([$r[].exits] | add) == $g.mmio_exits and
			([$r[].reads] | add) == $g.reads and
			([$r[].writes] | add) == $g.mmio_exits - $g.reads and
			([$r[].vmm_handled] | add) == $g.mmio_exits and
			([$r[].kernel_latency_ns.count] | add) == $g.mmio_exits')" = true
	done
	check "no events dropped in any report" \
		test "$(jq -s '[.[].dropped] | add' "$dir/top.json")" = 0

	check "SIGINT ends the run with status 0" test "$(r top.rc)" = 0
	check "after the tool, kvm's refcnt is back to $(r refcnt-before) (got $(r refcnt-after))" \
		test "$(r refcnt-after)" = "$(r refcnt-before)"
	check "after the tool, rmmod kvm_amd kvm succeeds" test "$(r after.rc)" = 0
	mmio_checks_done
}

testbed_scenario x86kvm-modules in_bed check_results
