#!/usr/bin/env bash
# Build the ppc64le powernv host kernel of the POWER test bed: Debian's
# linux-source-6.1 (or 6.12: KMT_PPC_BASE) with the series in
# kernel-patches/<base> applied (when it exists) and configured from
# allnoconfig plus the config fragments.
#
#   tests/ppc/build-host-kernel.sh      prints the artefact directory
#
# The artefacts land in $KMT_CACHE/ppc/kernel-<key>/ (vmlinux.strip: the
# kernel without DWARF but with .BTF; gen_init_cpio; config) and are reused
# while the key (lib.sh: kernel_key) stays the same. The source and object
# trees (~2 GB) are deleted after a successful build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

jobs=${KMT_JOBS:-2}
((jobs <= 2)) || jobs=2 # the machine is shared: never more than 2

for t in ${cross}gcc ${cross}objcopy flex bison bc pahole cpio git; do
	command -v "$t" >/dev/null || ppc_die "missing $t (make deps installs scripts/deps/ppc.list)"
done
[[ -r $tarball ]] || ppc_die "missing $tarball (apt-get install linux-source-$base)"

skip=${KMT_SERIES_SKIP:-}
for n in ${skip//,/ }; do
	grep -q "^$n-" "$series" 2>/dev/null || ppc_die "KMT_SERIES_SKIP: no patch $n in $series"
done
key=$(kernel_key)
out=$cache/kernel-$key
mkdir -p "$cache"
exec 9>"$out.lock"
flock 9
if [[ -f $out/vmlinux.strip ]]; then
	echo "$out"
	exit 0
fi
# The same inputs fail the same way: each test that asks again gets the
# first failure instead of another 5-minute build.
if [[ -f $out/failed ]]; then
	ppc_die "kernel $key failed to build before (remove $out to retry): $(cat "$out/failed")"
fi
build_failed() {
	printf '%s\n' "$1" >"$out/failed"
	rm -rf "$out/work"
	ppc_die "$1"
}

rm -rf "$out"
mkdir -p "$out"
work=$out/work
start=$(date +%s)
ppc_log "kernel $key: unpacking $tarball"
mkdir -p "$work"
tar -C "$work" -xf "$tarball"
src=$(echo "$work"/linux-source-"$base")
[[ -d $src ]] || ppc_die "$tarball did not unpack to linux-source-$base"

mapfile -t patches < <(series_patches)
if ((${#patches[@]})); then
	ppc_log "kernel $key: git am ${#patches[@]} patch(es)${KMT_SERIES_SKIP:+ (skipping $KMT_SERIES_SKIP)}"
	# Debian's top-level .gitignore ignores "/*": add everything by force.
	git -C "$src" init -q
	git -C "$src" add -f -A .
	gitid=(-c user.name=kvm-mmio-trace -c user.email=kmt@localhost)
	git -C "$src" "${gitid[@]}" commit -q -m "linux-source-$base"
	git -C "$src" "${gitid[@]}" am -q "${patches[@]}" >"$out/am.log" 2>&1 ||
		build_failed "the series does not apply with git am: $(tail -n 20 "$out/am.log")"
else
	ppc_log "kernel $key: no series at $series, building the unpatched kernel"
fi

export ARCH=powerpc CROSS_COMPILE=$cross
build=$work/build
mkdir -p "$build"
mapfile -t fragments < <(config_fragments)
# -n: allnoconfig with the fragments as KCONFIG_ALLCONFIG, so that every
# option the fragments leave alone gets its default for a 64-bit powernv
# kernel (an allnoconfig .config merged in as a fragment would carry over
# 32-bit values such as FRAME_WARN=1024)
(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$build" "${fragments[@]}") \
	>"$out/merge_config.log" 2>&1 || build_failed "merge_config failed: $(tail -n 20 "$out/merge_config.log")"
make -C "$src" O="$build" -s olddefconfig
# A fragment line the final .config lost means a dependency is missing:
# better to stop here than to boot a kernel without, say, KVM.
missing=$(cat "${fragments[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=' | sort -u |
	while read -r line; do grep -qxF "$line" "$build/.config" || echo "$line"; done)
[[ -z $missing ]] || build_failed "not in the final .config: $missing"

ppc_log "kernel $key: building vmlinux (-j$jobs, ~5 min on 2 idle cores)"
flock /tmp/kmt-kernel-build.lock nice -n 10 make -C "$src" O="$build" -s -j"$jobs" vmlinux \
	>"$out/build.log" 2>&1 || build_failed "vmlinux build failed (log: $out/build.log): $(tail -n 40 "$out/build.log")"
${cross}objcopy --strip-debug "$build/vmlinux" "$out/vmlinux.strip.tmp"
cp "$build/usr/gen_init_cpio" "$out/gen_init_cpio"
cp "$build/.config" "$out/config"
if ((${#patches[@]})); then
	git -C "$src" log --format='%h %s' >"$out/applied"
fi
rm -rf "$work"
mv "$out/vmlinux.strip.tmp" "$out/vmlinux.strip"
ppc_log "kernel $key: built in $(($(date +%s) - start)) s"
echo "$out"
