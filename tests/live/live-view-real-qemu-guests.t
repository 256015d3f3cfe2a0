#!/usr/bin/env bash
# timeout: 90
# Real QEMU processes appear in the live view under their -name guest=NAME.
# SeaBIOS makes the MMIO exits: on the q35 machine it reaches PCI config
# space through MMCONFIG (0xb0000000), exits QEMU completes (VMM-handled);
# on both machines it touches the local APIC (0xfee00000), which KVM
# completes in the kernel.
source "$(dirname "$0")/lib.sh"
require_live
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || skip "$QEMU is not installed (apt-get install qemu-system-x86)"
source "$(dirname "$0")/tmux.sh"

tag=qm$$
start_view 200 40 -g "$tag-*" -d 0.5
# start_qemu MACHINE NAME: a guest with no disk: SeaBIOS runs, finds nothing to boot and waits.
start_qemu() {
	"$QEMU" -accel kvm -machine "$1" -name "guest=$2" -m 64 -nographic -nodefaults \
		-display none -serial none -monitor none >"$work/$2.log" 2>&1 &
	children+=($!)
	qemu_pid=$!
}
start_qemu q35 "$tag-q35"
q35=$qemu_pid
start_qemu pc "$tag-pc"
pc=$qemu_pid

expect_screen "^ *$q35 +$tag-q35 " 20 "the q35 QEMU guest appears under its name"
expect_screen "^ *$pc +$tag-pc " 20 "the pc QEMU guest appears under its name"
# A guest may show up with lock waits before its first MMIO exit: wait for the exits.
for _ in $(seq 100); do
	(($(field_of "$q35" VMM) > 0 && $(field_of "$pc" KERNEL) > 0)) && break
	sleep 0.1
done
screen
vmm=$(field_of "$q35" VMM)
expect_ge "q35 guest: VMM-handled MMIO exits (MMCONFIG)" 1 "$vmm"
expect_ge "pc guest: kernel-handled MMIO exits (local APIC)" 1 "$(field_of "$pc" KERNEL)"
# One capture for all three: the guest keeps exiting between refreshes.
row=$(row_of "$q35")
col() { awk -v i="$(column_index "$1")" '{ print $i }' <<<"$row"; }
expect_eq "q35 guest: exits = reads + writes" "$(col EXITS)" $(($(col READS) + $(col WRITES)))

# Its drill-down names the pages SeaBIOS touched.
keys p "$q35" Enter Enter
expect_screen "^guest $tag-q35 +pid $q35" 5 "drill-down into the q35 guest"
expect_screen "(^| )0xb0[0-9a-f]{6} " 5 "MMCONFIG pages among the busiest"
keys q
wait_view_exit 10
expect_eq "exit status after q" 0 "$view_rc"
expect_terminal_restored
kill "$q35" "$pc" 2>/dev/null || true
