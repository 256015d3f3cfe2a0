#!/usr/bin/env bash
# Disk full (ENOSPC) while the exporter runs: the previous kvm_mmio.prom
# stays intact, the failure is said and counted, and once space is freed
# the file is written again with the failures counted in it. Runs on a
# 1 MiB tmpfs in a private mount namespace, so the tmpfs vanishes with the
# test whatever happens.
if [[ -z ${KMT_IN_PRIVATE_MOUNT_NS:-} ]]; then
	command -v unshare >/dev/null || { echo "SKIP: unshare not installed (util-linux)"; exit 77; }
	KMT_IN_PRIVATE_MOUNT_NS=1 exec unshare -m --propagation private "$0"
fi
# shellcheck disable=SC2034 # read by common.sh: no guest runs here
KMT_PROM_NO_KVM=1
source "$(dirname "$0")/common.sh"
mkdir "$work/fs"
mount -t tmpfs -o size=1m kmt-full "$work/fs" || skip "cannot mount a tmpfs in a mount namespace"
trap 'umount -l "$work/fs"; cleanup' EXIT
dir=$work/fs

start_exporter --textfile-dir "$dir" -i 0.05
wait_for 5 "the first kvm_mmio.prom" test -s "$dir/kvm_mmio.prom"
dd if=/dev/zero of="$dir/filler" bs=4k status=none 2>/dev/null || true	# until ENOSPC
wait_for 5 "the disk-full message" grep -q "write failed: No space left on device; free some space" "$TOP_ERR"
cp "$dir/kvm_mmio.prom" "$work/during.prom"
sleep 0.3
cmp -s "$dir/kvm_mmio.prom" "$work/during.prom" || fail "kvm_mmio.prom changed while the disk was full"
promtool_clean "kvm_mmio.prom while the disk is full" "$work/during.prom"
[[ $(find "$dir" -name '*.tmp' | wc -l) == 0 ]] || fail "a temporary file was left on the full disk: $(ls "$dir")"

rm "$dir/filler"
wait_for 5 "the recovery message" grep -q "writing the textfile works again" "$TOP_ERR"
cp "$dir/kvm_mmio.prom" "$work/after.prom"
errors=$(value "$work/after.prom" kvm_mmio_exporter_errors_total op=write)
((errors >= 1)) || fail "kvm_mmio_exporter_errors_total{op=\"write\"} after the disk was full: $errors"
echo "PASS: old file kept while full, $errors write errors counted, written again after"
