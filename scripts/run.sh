#!/usr/bin/env bash
# `make run`: kvm-mmio-top on this host. When no VM is running here, demo
# guests (build/test-vmm, named kmt-demo-N) are started first so there is
# something to watch, and stopped when kvm-mmio-top exits.
# Arguments are passed to kvm-mmio-top: make run ARGS="--once --json".
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

vm_running() {
	find /proc/[0-9]*/fd -lname /dev/kvm -print -quit 2>/dev/null | grep -q .
}

demo_loop() {
	while :; do
		"$BUILD/test-vmm" --guests 2 --vcpus 2 --writes 200000 --reads 50000 \
			--ioeventfd-writes 20000 --delay-us 5 -name guest=kmt-demo >/dev/null ||
			sleep 1
	done
}

if ((EUID != 0)); then
	echo "run: kvm-mmio-top loads BPF programs: run as root (sudo make run)" >&2
	exit 1
fi
if [[ ! -c /dev/kvm ]]; then
	echo "run: /dev/kvm is missing: this host cannot run KVM guests (load kvm_intel or kvm_amd)" >&2
	exit 1
fi
if ! vm_running; then
	echo "run: no VM runs on this host; starting demo guests kmt-demo-0 and kmt-demo-1" >&2
	[[ -x $BUILD/test-vmm ]] || make --no-print-directory "$BUILD/test-vmm" >/dev/null
	demo_loop &
	demo=$!
	trap 'kill "$demo" 2>/dev/null; pkill -f -- "-name guest=kmt-demo" 2>/dev/null || true' EXIT
fi
rc=0
"$BUILD/kvm-mmio-top" "$@" || rc=$?
exit "$rc"
