#!/usr/bin/env bash
# Compare the trace events in a test bed console log with the test VMM's
# ground truth, event by event.
#
#   tests/ppc/check-console.sh stock|new|same MACHINE CONSOLE_LOG [RUN]
#
# stock  kvm_hv:kvm_page_fault_enter, kvm_hv:kvm_guest_exit (HDSIs) and
#        kvm:kvm_userspace_exit, which an unpatched kernel has too
# new    the series' events: kvm_hv:kvm_hv_hdsi, kvm_hv_find_lock_hpte,
#        kvm_hv_hpte_hcall, kvm_hv_mmio_dispatch, kvm_hv_mmio_complete and
#        kvm:kvm_mmio, as docs/kvm_hv-tracepoints.md defines them
# same   the run with every event disabled: same ground truth as the
#        traced run, and no event recorded
#
# RUN (stock and new; default traced) is the VMM run whose trace is
# compared: traced (guests with every access in user space), kernel (every
# store to an ioeventfd: dest kernel) or stale (one vcpu; the events
# disabled and enabled again while its first load waits for KVM_RUN: that
# access gets no kvm_hv_mmio_complete, its dispatch was before) or lost
# (one vcpu ends with loads that KVM reflects to it as DSIs: on powernv8
# in real mode, more than the four HDSI records hold until the next exit,
# so the fourth record carries the others in lost) or prefixed (POWER10:
# one vcpu's pstw and plwz to page 0 besides a store and a load; when the
# VMM found KVM resuming the guest at one until it skipped it, "retried",
# each of its HDSIs must be a kvm_hv_hdsi mmio_cache at its ea followed by
# one kvm_hv_mmio_dispatch to none, len 0, RESUME_GUEST with that HDSI's
# exit_ns, and no completion or kvm_mmio at its gpa).
#
# In mode new, two more checks that are not events: exit_ns of each MMIO
# HDSI lies between the previous event of its vcpu thread and the
# kvm_guest_exit event of the HDSI (trace_clock is mono, exit_ns's clock);
# and kvm_hcall_enter (hcalls that reach virtual mode) per HPT hcall,
# in the traced run and in the "exits" run that has only kvm_hcall_enter
# on: on powernv8 only the hcalls on absent HPTEs leave real mode, and
# only while kvm_hv_hpte_hcall is on; the H_ENTER/H_REMOVE pairs on a
# valid HPTE never do (on powernv9 every hcall does, either way).
#
# Each event is reduced to a tuple of (guest, vcpu, key fields); expected
# tuples come from the ground truth, seen ones from the trace, and the
# event passes when the two multisets are equal. A table "event expected
# seen" is printed; for a failing event, the tuples that differ.
set -euo pipefail

mode=$1 machine=$2 log=$3 run=${4:-traced}
[[ -r $log ]] || { echo "check-console: no console log $log" >&2; exit 1; }

grep -q "^KMT vmm run=$run .*result=ok" "$log" ||
	{ echo "check-console: $machine: the $run VMM run did not succeed:" >&2
	  grep -E '^(KMT (vmm|vmm-exit|error)|test-vmm:)' "$log" >&2 || tail -n 30 "$log" >&2; exit 1; }

# skiboot (the firmware) writes to the same console, and a message of its
# own ("[   39.310290881,3] SBE: Timer stuck, ...", seen under load) can
# land in the middle of a kernel line, whose rest then follows skiboot's
# lines. Put such a line back together before it is read.
unsplice() {
	gawk '
	/^\[ *[0-9]+\.[0-9]+,[0-9]\] / && held != "" { next }
	held != "" { print held $0; held = ""; next }
	match($0, /\[ *[0-9]+\.[0-9]+,[0-9]\] /) && RSTART > 1 { held = substr($0, 1, RSTART - 1); next }
	{ print }
	END { if (held != "") print held }
	' "$1"
}

unsplice "$log" | gawk -v mode="$mode" -v machine="$machine" -v run="$run" '
function field(name,   i) {	# value of "name=value" in the current line
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
function after(word,   i) {	# the token after "word" in the current line
	for (i = 1; i < NF; i++)
		if ($i == word)
			return $(i + 1)
	return ""
}
function second(word,   i) {	# the token two after "word"
	for (i = 1; i < NF - 1; i++)
		if ($i == word)
			return $(i + 2)
	return ""
}
function expect(ev, tuple) { expected[ev, tuple]++; nexpected[ev]++; tuples[ev, tuple] = 1; evs[ev] = 1 }
function unexpect(ev, tuple) { expected[ev, tuple]--; nexpected[ev]-- }
function see(ev, tuple) { seen[ev, tuple]++; nseen[ev]++; tuples[ev, tuple] = 1; evs[ev] = 1 }
function hex(v) { return sprintf("0x%x", strtonum(v)) }
function rcname(r) { return r in rcs ? rcs[r] : sprintf("0x%x", r) }
BEGIN {
	# Not an event: the exit_ns of each access, which its kvm_hv_hdsi,
	# kvm_hv_mmio_dispatch and kvm_hv_mmio_complete must all carry
	EXIT_NS = "kvm_hv:kvm_hv_*.exit_ns"
	EXIT_AT = "kvm_hv:kvm_hv_hdsi.exit_ns<=exit"
	HCALL_EXITS = "kvm_hv:kvm_hcall_enter(HPT)"
	# Not events: the HDSIs reflected to the guest, and their lookups
	REFLECT = "kvm_hv:kvm_hv_hdsi(reflect)"
	# Not events: a prefixed instruction KVM kept resuming the guest at
	PRE_HDSI = "kvm_hv:kvm_hv_hdsi(prefixed)"
	PRE_DISPATCH = "kvm_hv:kvm_hv_mmio_dispatch(prefixed)"
	NO_HPTE = "kvm_hv:kvm_hv_find_lock_hpte(none)"
	split("H_ENTER H_REMOVE H_READ H_CLEAR_MOD H_CLEAR_REF H_PROTECT H_BULK_REMOVE", hh)
	for (i in hh)
		hpt_hcalls[hh[i]] = 1
	# POWER7/8 run the HPT hcalls in real mode; POWER9 has none
	realmode = machine == "powernv8"
	rcs[0] = "H_SUCCESS"; rcs[-7] = "H_NOT_FOUND"; rcs[-4] = "H_PARAMETER"
	rcs[-2] = "H_FUNCTION"; rcs[-6] = "H_PTEG_FULL"; rcs[-11] = "H_PERMISSION"
}

# Ground truth of the run
$0 ~ "^KMT vcpu run=" run " " {
	vm = field("vm"); vc = field("vcpu")
	vm_of_tid[field("tid")] = vm; vcpu_of_tid[field("tid")] = vc
	for (i = 0; i < field("hcall_exits"); i++)
		expect("kvm:kvm_userspace_exit", "vm=" vm " vcpu=" vc " reason=19")
}
$0 ~ "^KMT mmio run=" run " " {
	vm = field("vm"); vc = field("vcpu"); seq = field("seq")
	id = "vm=" vm " vcpu=" vc
	store = $7 == "store"
	gpa = hex(field("gpa")); ea = hex(field("ea")); len = field("len"); data = hex(field("data"))
	dir = store ? "store" : "load"
	# user: KVM_EXIT_MMIO; kernel: an ioeventfd took it
	to = field("to")
	expect("kvm_hv:kvm_guest_exit", id " trap=H_DATA_STORAGE")
	if (to == "user")
		expect("kvm:kvm_userspace_exit", id " reason=6")
	if (seq == 0) {
		# the first access misses the vcpu'"'"'s MMIO HPTE cache: one HPT
		# lookup and one host page fault; the others hit the cache
		expect("kvm_hv:kvm_page_fault_enter", id " ea=" ea)
		expect("kvm_hv:kvm_hv_find_lock_hpte", id " ea=" ea " valid=0x21 index=" idx0[vm, vc] " spins=0")
		outcome = "mmio"
	} else
		outcome = "mmio_cache"
	expect("kvm_hv:kvm_hv_hdsi", id " dar=" ea " " dir " outcome=" outcome " lost=0")
	expect("kvm_hv:kvm_hv_mmio_dispatch", id " " dir " gpa=" gpa " ea=" ea " len=" len " to=" to \
	       " result=" (to == "user" ? "RESUME_HOST_NV" : "RESUME_GUEST_NV"))
	complete[vm, vc, seq] = id " " dir " gpa=" gpa " len=" len " by=" to
	expect("kvm_hv:kvm_hv_mmio_complete", complete[vm, vc, seq])
	exit_ns_of[vm, vc, seq] = id " gpa=" gpa " exit_ns: nonzero, hdsi = dispatch = complete"
	expect(EXIT_NS, exit_ns_of[vm, vc, seq])
	gpa_of[vm, vc, seq] = gpa
	expect(EXIT_AT, id " exit_ns between the previous event and kvm_guest_exit")
	accesses[vm, vc, gpa] = ea
	if (store)
		expect("kvm:kvm_mmio", id " write len=" len " gpa=" gpa " val=" data)
	else {
		expect("kvm:kvm_mmio", id " unsatisfied-read len=" len " gpa=" gpa " val=0x0")
		expect("kvm:kvm_mmio", id " read len=" len " gpa=" gpa " val=" data)
	}
}
# The access whose completion was pending while the events went off and on
$0 ~ "^KMT pause run=" run " " {
	vm = field("vm"); vc = field("vcpu"); seq = field("seq")
	unexpect("kvm_hv:kvm_hv_mmio_complete", complete[vm, vc, seq])
	unexpect(EXIT_NS, exit_ns_of[vm, vc, seq])
	expect(EXIT_NS, "vm=" vm " vcpu=" vc " gpa=" gpa_of[vm, vc, seq] " exit_ns: nonzero, hdsi = dispatch, no complete")
	paused[vm, vc, gpa_of[vm, vc, seq]] = 1
}
$0 ~ "^KMT toggle run=" run " " { toggled++ }
# A prefixed instruction (guest-prefixed.S). Emulated, it has a "KMT mmio"
# line like any access. Retried: kvmppc_hv_emulate_mmio() returned
# RESUME_GUEST at every HDSI it took until the VMM skipped it (on QEMU
# 7.2 HSRR1 never says "prefixed", so the prefix word at the pc disagrees
# with it): the events of each of those HDSIs are compared at the end.
$0 ~ "^KMT prefixed run=" run " " && field("outcome") == "retried" {
	vm = field("vm"); vc = field("vcpu"); ea = hex(field("ea"))
	k = vm SUBSEP vc SUBSEP ea
	pre_insn[k] = field("insn"); pre_dir[k] = $7
	pre_at_pc[vm, vc, hex(field("pc"))] = k
	pre_at_gpa[vm, vc, hex(field("gpa"))] = k
	expect(PRE_HDSI, "vm=" vm " vcpu=" vc " " pre_insn[k] " dar=" ea " " pre_dir[k] \
	       " retried: HDSI exits at its pc (HSRR1 without SRR1_PREFIXED) = kvm_hv_hdsi mmio_cache lost 0 at its ea, at least one")
}
# Loads reflected as DSIs (no HPTE); the guest counted the DSIs it took.
# POWER7/8 reflect them in real mode and keep four records until the
# next exit: each newer one replaces the fourth and counts what it
# replaced in lost. Every DSI must be in an event or in a lost count;
# lost only on the fourth event after an exit (the exits in between, a
# hypervisor decrementer say, decide how they group), and with 10 DSIs
# some lost on POWER7/8. POWER9 handles each in an exit of its own.
$0 ~ "^KMT reflect run=" run " " {
	vm = field("vm"); vc = field("vcpu"); ea = hex(field("ea"))
	id = "vm=" vm " vcpu=" vc " dar=" ea
	reflects[vm, vc, ea] = 1
	expect(REFLECT, id " DSIs in events + lost: " field("dsis"))
	expect(REFLECT, id " lost only on the fourth record of an exit")
	expect(REFLECT, id (realmode ? " some lost" : " none lost"))
}
$0 ~ "^KMT hcall run=" run " " {
	vm = field("vm"); vc = field("vcpu")
	name = field("hcall"); idx = hex(field("pte_index")); ret = rcname(field("ret") + 0)
	# Every one of these acts on an absent HPTE: with kvm_hv_hpte_hcall on
	# it leaves real mode (one exit per hcall: H_BULK_REMOVE is listed per
	# entry, pages 2 and 3); with it off only where there is no real mode
	if (!(name == "H_BULK_REMOVE" && field("page") == 3)) {
		expect(HCALL_EXITS, "vm=" vm " vcpu=" vc " run=" run " " name)
		if (!realmode && run == "traced")
			expect(HCALL_EXITS, "vm=" vm " vcpu=" vc " run=exits " name)
	}
	if (name == "H_ENTER" && field("page") == 0)
		idx0[vm, vc] = idx
	expect("kvm_hv:kvm_hv_hpte_hcall", "vm=" vm " vcpu=" vc " " name " pte_index=" idx " ret=" ret \
	       (name == "H_ENTER" ? " mmio_key=1" : ""))
}

# H_ENTER/H_REMOVE pairs on a valid HPTE: real mode on powernv8 whether
# kvm_hv_hpte_hcall is on or not, virtual mode on powernv9 either way
$0 ~ "^KMT valid run=" run " " {
	vm = field("vm"); vc = field("vcpu")
	if (field("failed") != 0)
		expect(HCALL_EXITS, "vm=" vm " vcpu=" vc " valid-HPTE hcalls all succeeded")
	for (i = 0; i < field("enter") + 0 && !realmode; i++) {
		expect(HCALL_EXITS, "vm=" vm " vcpu=" vc " run=" run " H_ENTER")
		if (run == "traced")
			expect(HCALL_EXITS, "vm=" vm " vcpu=" vc " run=exits H_ENTER")
	}
	for (i = 0; i < field("remove") + 0 && !realmode; i++) {
		expect(HCALL_EXITS, "vm=" vm " vcpu=" vc " run=" run " H_REMOVE")
		if (run == "traced")
			expect(HCALL_EXITS, "vm=" vm " vcpu=" vc " run=exits H_REMOVE")
	}
}
/^KMT vcpu run=exits / {
	exits_vm_of_tid[field("tid")] = field("vm"); exits_vcpu_of_tid[field("tid")] = field("vcpu")
}
# (compared with the traced run only)
/^KMT trace-begin run=exits/ { inexits = run == "traced"; next }
/^KMT trace-end run=exits/ { inexits = 0; next }
inexits && /^KMT trace .* kvm_hcall_enter: / {
	match($0, /-([0-9]+) +\[/, m); tid = m[1]
	h = $0; sub(/.*hcall=/, "", h); sub(/ .*/, "", h)
	if ((tid in exits_vm_of_tid) && h in hpt_hcalls)
		see(HCALL_EXITS, "vm=" exits_vm_of_tid[tid] " vcpu=" exits_vcpu_of_tid[tid] " run=exits " h)
}
/^KMT vmm run=exits .*result=ok/ { exits_ok = 1 }

# Trace of the run: "KMT trace <task>-<pid> [cpu] flags ts: event: text"
$0 ~ "^KMT trace-begin run=" run "$" { intrace = 1; next }
$0 ~ "^KMT trace-end run=" run "$" { intrace = 0; next }
intrace && /^KMT trace / {
	match($0, /-([0-9]+) +\[/, m); tid = m[1]
	match($0, / ([0-9]+)\.([0-9]+): ([a-z_]+): /, m); ev = m[3]
	ts_ns = m[1] * 1000000000 + m[2] * 1000	# microseconds printed
	if (!(tid in vm_of_tid)) {
		others[ev]++	# not a vcpu thread of the VMM
		next
	}
	tvm = vm_of_tid[tid]; tvc = vcpu_of_tid[tid]
	if (ev ~ /^kvm_hv_/) {
		lpid = after("lpid"); ev_vc = after("vcpu")
		lpids_of_vm[tvm] = lpids_of_vm[tvm] (index(lpids_of_vm[tvm], " " lpid " ") ? "" : " " lpid " ")
		vm_of_lpid[lpid] = (lpid in vm_of_lpid && vm_of_lpid[lpid] != tvm) ? "conflict" : tvm
		id = "vm=" tvm " vcpu=" ev_vc
	}
	if (ev == "kvm_hv_hdsi" && $(NF - 2) == "reflect") {
		k = tvm SUBSEP ev_vc SUBSEP hex(after("dar"))
		reflect_events[k]++
		reflect_lost[k] += $NF
		reflect_group[tid]++
		if ($NF > 0 && reflect_group[tid] != 4)
			reflect_misplaced[k]++
		expect(NO_HPTE, id " ea=" hex(after("dar")) " index=-1 spins=0")
	} else if (ev == "kvm_hv_hdsi") {
		dsisr = strtonum(after("dsisr"))
		k = tvm SUBSEP ev_vc SUBSEP hex(after("dar"))
		if (k in pre_insn) {
			pre_hdsi[k]++
			if ($(NF - 2) == "mmio_cache" && $NF == 0 && \
			    (and(dsisr, 0x02000000) ? "store" : "load") == pre_dir[k])
				pre_hdsi_ok[k]++
			# its dispatch must follow, with this exit_ns
			if (k in pre_pending)
				pre_undispatched[k]++
			pre_pending[k] = after("exit_ns")
			expect(PRE_DISPATCH, "vm=" tvm " vcpu=" ev_vc " " pre_insn[k] " to=none len=0 result=RESUME_GUEST exit_ns of its HDSI")
			expect(EXIT_AT, "vm=" tvm " vcpu=" ev_vc " exit_ns between the previous event and kvm_guest_exit")
		} else
		see("kvm_hv:" ev, id " dar=" hex(after("dar")) " " (and(dsisr, 0x02000000) ? "store" : "load") \
		    " outcome=" $(NF - 2) " lost=" $NF)
		if ($(NF - 2) ~ /^mmio/) {
			hdsi_ns[tvm, ev_vc, hex(after("dar"))] = after("exit_ns")
			# the exit of this HDSI: after the event of the thread before
			# its kvm_guest_exit, and no later than that exit event
			x = after("exit_ns") + 0
			if (!(tid in exit_ts))
				r = "no kvm_guest_exit before it"
			else if (x > exit_ts[tid] + 999)
				r = sprintf("%.0f ns after its kvm_guest_exit", x - exit_ts[tid])
			else if (x <= before_exit_ts[tid])
				r = sprintf("%.0f ns before the event preceding its kvm_guest_exit", before_exit_ts[tid] - x)
			else {
				r = "between the previous event and kvm_guest_exit"
				if (exit_ts[tid] - x > max_lag)
					max_lag = exit_ts[tid] - x
			}
			see(EXIT_AT, id " exit_ns " r)
			delete exit_ts[tid]
		}
	} else if (ev == "kvm_hv_find_lock_hpte" && after("index") == -1) {
		see(NO_HPTE, id " ea=" hex(after("ea")) " index=" after("index") " spins=" after("spins"))
	} else if (ev == "kvm_hv_find_lock_hpte") {
		see("kvm_hv:" ev, id " ea=" hex(after("ea")) " valid=" hex(after("valid")) \
		    " index=" hex(after("index")) " spins=" after("spins"))
	} else if (ev == "kvm_hv_hpte_hcall") {
		split(after("hpte"), hp, ":")
		key = and(strtonum(hp[2]), 0x3000000000000e00) == 0x3000000000000e00
		name = $0; sub(/.* vcpu [0-9]+ /, "", name); sub(/ .*/, "", name)
		see("kvm_hv:" ev, id " " name " pte_index=" hex(after("pte_index")) " ret=" after("ret") \
		    (name == "H_ENTER" ? " mmio_key=" key : ""))
	} else if (ev == "kvm_hv_mmio_dispatch" && ((tvm, ev_vc, hex(after("gpa"))) in pre_at_gpa)) {
		k = pre_at_gpa[tvm, ev_vc, hex(after("gpa"))]
		d = "vm=" tvm " vcpu=" ev_vc " " pre_insn[k] " to=" after("to") " len=" after("len") " result=" after("result")
		if (!(k in pre_pending))
			d = d " without an HDSI before it"
		else if (after("exit_ns") == pre_pending[k] && after("exit_ns") != 0)
			d = d " exit_ns of its HDSI"
		else
			d = d " exit_ns " after("exit_ns") ", its HDSI " pre_pending[k]
		if (second("vcpu") != pre_dir[k])
			d = d " " second("vcpu")
		delete pre_pending[k]
		see(PRE_DISPATCH, d)
	} else if (ev == "kvm_hv_mmio_dispatch") {
		see("kvm_hv:" ev, id " " second("vcpu") " gpa=" hex(after("gpa")) " ea=" hex(after("ea")) \
		    " len=" after("len") " to=" after("to") " result=" after("result"))
		dispatch_ns[tvm, ev_vc, hex(after("gpa"))] = after("exit_ns")
	} else if (ev == "kvm_hv_mmio_complete") {
		see("kvm_hv:" ev, id " " second("vcpu") " gpa=" hex(after("gpa")) " len=" after("len") " by=" after("by"))
		complete_ns[tvm, ev_vc, hex(after("gpa"))] = after("exit_ns")
	} else if (ev == "kvm_mmio") {
		see("kvm:" ev, "vm=" tvm " vcpu=" tvc " " after("mmio") " len=" after("len") \
		    " gpa=" hex(after("gpa")) " val=" hex(after("val")))
	} else if (ev == "kvm_userspace_exit") {
		r = after("reason") == "restart" ? "restart" : substr($NF, 2, length($NF) - 2)
		see("kvm:" ev, "vm=" tvm " vcpu=" tvc " reason=" r)
	} else if (ev == "kvm_guest_exit") {
		reflect_group[tid] = 0
		if ($0 ~ /trap=H_DATA_STORAGE/) {
			v = $0; sub(/.*VCPU /, "", v); sub(/:.*/, "", v)
			pc = $0; sub(/.* pc=/, "", pc); sub(/ .*/, "", pc)
			if ((tvm, v, hex(pc)) in pre_at_pc) {
				k = pre_at_pc[tvm, v, hex(pc)]
				pre_exits[k]++
				# the guest MSR KVM took from HSRR1: SRR1_PREFIXED
				# (0x20000000) clear is why KVM retried
				msr = $0; sub(/.* msr=/, "", msr); sub(/,.*/, "", msr)
				if (!and(strtonum(msr), 0x20000000))
					pre_exits_unprefixed[k]++
			} else
			see("kvm_hv:" ev, "vm=" tvm " vcpu=" v " trap=H_DATA_STORAGE")
			exit_ts[tid] = ts_ns; before_exit_ts[tid] = last_ts[tid]
		}
	} else if (ev == "kvm_hcall_enter") {
		h = $0; sub(/.*hcall=/, "", h); sub(/ .*/, "", h)
		if (h in hpt_hcalls)
			see(HCALL_EXITS, "vm=" tvm " vcpu=" tvc " run=" run " " h)
	} else if (ev == "kvm_page_fault_enter") {
		v = $0; sub(/.*VCPU /, "", v); sub(/:.*/, "", v)
		e = $0; sub(/.* ea=/, "", e); sub(/,.*/, "", e)
		see("kvm_hv:" ev, "vm=" tvm " vcpu=" v " ea=" hex(e))
	}
}
intrace && /^KMT trace / && (tid in vm_of_tid) { last_ts[tid] = ts_ns }
/^KMT trace-begin run=untraced/ { inuntraced = 1; next }
/^KMT trace-end run=untraced/ { inuntraced = 0; next }
inuntraced && /^KMT trace / { untraced_events++ }
/^KMT event-enabled / { enabled[$3] = 1 }
/^KMT trace-stats .*overrun: [1-9]/ { overruns++ }
/^KMT (vcpu|mmio|hcall|bulk|valid) run=(traced|untraced) / {
	line = $0; sub(/ run=[a-z]+/, "", line); sub(/ tid=[0-9]+/, "", line)
	behaviour[$3] = behaviour[$3] line "\n"
}
/^KMT vmm run=untraced .*result=ok/ { untraced_ok = 1 }

END {
	bad = 0
	for (k in pre_insn) {
		split(k, a, SUBSEP)
		id = "vm=" a[1] " vcpu=" a[2] " " pre_insn[k] " dar=" a[3] " " pre_dir[k]
		printf "%s: %s: %d HDSI exits at its pc (%d without SRR1_PREFIXED), %d kvm_hv_hdsi (%d mmio_cache lost 0), %d without a dispatch\n", \
		       machine, id, pre_exits[k], pre_exits_unprefixed[k], pre_hdsi[k], pre_hdsi_ok[k], \
		       pre_undispatched[k] + (k in pre_pending)
		see(PRE_HDSI, id (pre_hdsi[k] >= 1 && pre_hdsi_ok[k] == pre_hdsi[k] && pre_exits[k] == pre_hdsi[k] && \
				  pre_exits_unprefixed[k] == pre_exits[k] ? \
			" retried: HDSI exits at its pc (HSRR1 without SRR1_PREFIXED) = kvm_hv_hdsi mmio_cache lost 0 at its ea, at least one" : \
			" retried: " pre_exits[k] " HDSI exits at its pc, " pre_exits_unprefixed[k] " without SRR1_PREFIXED, " \
			pre_hdsi[k] " kvm_hv_hdsi, " pre_hdsi_ok[k] " mmio_cache lost 0"))
	}
	for (k in accesses) {
		split(k, a, SUBSEP)
		h = hdsi_ns[a[1], a[2], accesses[k]]; d = dispatch_ns[k]; c = complete_ns[k]
		see(EXIT_NS, "vm=" a[1] " vcpu=" a[2] " gpa=" a[3] " exit_ns: " \
		    (d != "" && d != 0 && h == d && c == d ? "nonzero, hdsi = dispatch = complete" \
		     : d != "" && d != 0 && h == d && c == "" && (k in paused) ? "nonzero, hdsi = dispatch, no complete" \
		     : "hdsi " (h == "" ? "none" : h) ", dispatch " (d == "" ? "none" : d) ", complete " (c == "" ? "none" : c)))
	}
	for (k in reflects) {
		split(k, a, SUBSEP)
		id = "vm=" a[1] " vcpu=" a[2] " dar=" a[3]
		see(REFLECT, id " DSIs in events + lost: " reflect_events[k] + reflect_lost[k])
		see(REFLECT, id (reflect_misplaced[k] ? " lost on " reflect_misplaced[k] " other records" \
						     : " lost only on the fourth record of an exit"))
		see(REFLECT, id (reflect_lost[k] ? " some lost" : " none lost"))
	}
	if (mode == "new") {
		split("kvm_hv_hdsi kvm_hv_find_lock_hpte kvm_hv_hpte_hcall kvm_hv_mmio_dispatch kvm_hv_mmio_complete", need)
		for (i in need)
			if (!(("kvm_hv/" need[i]) in enabled)) {
				printf "%s: event kvm_hv:%s does not exist in this kernel\n", machine, need[i]
				bad = 1
			}
		want = "^(kvm_hv:kvm_hv_|kvm:kvm_mmio|kvm_hv:kvm_hcall_enter)"
		if (run == "traced" && !exits_ok) {
			printf "%s: the VMM run with only kvm_hcall_enter on did not succeed\n", machine
			bad = 1
		}
		printf "%s: largest time from exit_ns to its kvm_guest_exit event: %.0f us\n", machine, max_lag / 1000
	} else if (mode == "stock")
		want = "^(kvm_hv:kvm_page_fault_enter|kvm_hv:kvm_guest_exit|kvm:kvm_userspace_exit)"
	if (mode == "same") {
		printf "%s: ground truth, events on vs off: %s\n", machine,
		       behaviour["run=traced"] == behaviour["run=untraced"] ? "identical" : "DIFFERENT"
		printf "%s: events recorded with every event disabled: %d\n", machine, untraced_events
		if (behaviour["run=traced"] != behaviour["run=untraced"] || !untraced_ok) {
			printf "traced run:\n%suntraced run:\n%s", behaviour["run=traced"], behaviour["run=untraced"]
			bad = 1
		}
		exit bad || untraced_events > 0
	}
	if (run == "stale" && toggled != 1) {
		printf "%s: the events went off and on %d times during the stale run, not once\n", machine, toggled
		bad = 1
	}
	if (overruns) {
		printf "%s: the trace buffer overran: counts are incomplete\n", machine
		bad = 1
	}
	# Per guest one lpid, and different guests different lpids
	if (mode == "new") {
		for (vm in lpids_of_vm) {
			n = split(lpids_of_vm[vm], l, " ")
			printf "%s: guest %d: lpid%s\n", machine, vm, lpids_of_vm[vm]
			if (n != 1) { printf "%s: guest %d has events with %d lpids\n", machine, vm, n; bad = 1 }
		}
		for (lp in vm_of_lpid)
			if (vm_of_lpid[lp] == "conflict") { printf "%s: lpid %s seen for two guests\n", machine, lp; bad = 1 }
	}
	printf "%-32s %9s %9s  %s\n", machine " " run ": event", "expected", "seen", "result"
	n = asorti(evs, names)
	for (i = 1; i <= n; i++) {
		ev = names[i]
		if (ev !~ want)
			continue
		diff = 0
		for (k in tuples) {
			split(k, kk, SUBSEP)
			if (kk[1] == ev && expected[k] != seen[k])
				diff++
		}
		printf "%-32s %9d %9d  %s\n", ev, nexpected[ev], nseen[ev], diff ? "MISMATCH" : "ok"
		if (diff) {
			bad = 1
			nd = 0
			delete lines
			for (k in tuples) {
				split(k, kk, SUBSEP)
				if (kk[1] == ev && expected[k] != seen[k])
					lines[++nd] = sprintf("    %s: expected %d, seen %d", kk[2], expected[k], seen[k])
			}
			asort(lines)
			for (j = 1; j <= nd && j <= 16; j++)
				print lines[j]
			if (nd > 16)
				printf "    ... and %d more\n", nd - 16
		}
	}
	exit bad
}
'
