#!/bin/sh
# Runs INSIDE the SVM host (run-in-svm-host.sh): KVM's modules unloaded and
# loaded around kvm-mmio-top, with test-vmm guests of known counts. Writes
# what happened to OUT; the assertions are made on the host
# (kvm-unloaded-at-start-or-held-while-tracing.t).
#
#   kvm-module-scenario.sh --test-vmm PATH --top PATH --cache DIR [--out DIR]
#
# DIR (--cache) is prepare.sh's x86-kvm cache, which holds the running
# kernel's modules (the bed's /init loaded them from its initramfs).
#
#   1. rmmod kvm_amd kvm; the tool once (nokvm.*)
#   2. insmod kvm.ko alone: tracepoints but no /dev/kvm; the tool once (novendor.*)
#   3. insmod kvm-amd.ko; the tool in the background until SIGINT (top.*),
#      kvm's refcnt before and while attached; rmmod kvm tried (held.*);
#      guest kmt-before; rmmod kvm_amd (while tracing: vendor-out.*); rmmod kvm
#      tried again; insmod kvm-amd.ko; guest kmt-after; SIGINT
#   4. kvm's refcnt after the tool; rmmod kvm_amd kvm (after.*)
set -u

vmm='' top='' cache='' out=${KMT_RESULTS:+$KMT_RESULTS/scenario}
while [ $# -gt 0 ]; do
	case $1 in
	--test-vmm) vmm=$2; shift ;;
	--top) top=$2; shift ;;
	--cache) cache=$2; shift ;;
	--out) out=$2; shift ;;
	*) echo "kvm-module-scenario: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$vmm" ] && [ -n "$top" ] && [ -n "$cache" ] && [ -n "$out" ] ||
	{ echo "kvm-module-scenario: --test-vmm, --top and --cache are required (and --out outside the test bed)" >&2; exit 2; }
mkdir -p "$out"
note() { echo "kvm-module-scenario: $*"; }

mods=$cache/$(uname -r)/root/lib/modules/$(uname -r)/kernel/arch/x86/kvm
if [ ! -f "$mods/kvm.ko" ] || [ ! -f "$mods/kvm-amd.ko" ]; then
	echo "the running kernel's kvm modules are not in $mods (KMT_CACHE under /tmp?)" >"$out/skip"
	exit 0
fi

# run NAME CMD...: CMD's stdout+stderr in NAME.out, its status in NAME.rc.
run() {
	name=$1
	shift
	"$@" >"$out/$name.out" 2>&1
	echo $? >"$out/$name.rc"
	note "$name: exit $(cat "$out/$name.rc"): $(tr '\n' ' ' <"$out/$name.out" | cut -c1-300)"
}
# wait_for PATTERN: up to 10 s for the background tool's stderr to show it.
wait_for() {
	i=0
	until grep -q "$1" "$out/top.err" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$toppid" 2>/dev/null; then
			note "kvm-mmio-top did not say '$1'"
			return 1
		fi
		sleep 0.1
	done
}
# guest NAME ARGS...: one test-vmm guest, alive 1.5 s past its work so the
# tool's 0.5 s reports name it.
guest() {
	name=$1
	shift
	"$vmm" "$@" -name "guest=$name" --linger-ms 1500 --json >"$out/vmm-$name.json" 2>"$out/vmm-$name.err"
	note "$name exited $?"
}

run unload-at-boot rmmod kvm_amd kvm
run nokvm "$top" --once -i 0.2
insmod "$mods/kvm.ko"
run novendor "$top" --once -i 0.2
insmod "$mods/kvm-amd.ko"

cat /sys/module/kvm/refcnt >"$out/refcnt-before"
"$top" -b -j -i 0.5 >"$out/top.json" 2>"$out/top.err" &
toppid=$!
wait_for 'kvm-mmio-top: tracing'
cat /sys/module/kvm/refcnt >"$out/refcnt-attached"
run held rmmod kvm
guest kmt-before --writes 40 --reads 25
run vendor-out rmmod kvm_amd
wait_for 'no /dev/kvm'
run held-alone rmmod kvm
cat /sys/module/kvm/refcnt >"$out/refcnt-attached-alone"
insmod "$mods/kvm-amd.ko"
wait_for '/dev/kvm is back'
guest kmt-after --writes 30 --reads 20
kill -INT "$toppid"
wait "$toppid"
echo $? >"$out/top.rc"
note "kvm-mmio-top exited $(cat "$out/top.rc")"
cat /sys/module/kvm/refcnt >"$out/refcnt-after"
run after rmmod kvm_amd kvm
exit 0
