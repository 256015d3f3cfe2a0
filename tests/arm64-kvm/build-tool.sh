#!/usr/bin/env bash
# Cross-build what runs inside the arm64 KVM test bed: the project's own
# kvm-mmio-top (the BPF object for arm64, libtrace and the CLI with
# aarch64-linux-gnu-gcc, through the top-level Makefile, against a sysroot
# of Debian arm64 packages) with the shared libraries it needs, and the
# test VMM (static).
#
#   tests/arm64-kvm/build-tool.sh    prints the directory holding
#                                    kvm-mmio-top, test-vmm and lib/ (the
#                                    libraries and ld-linux-aarch64.so.1)
#
# The sysroot comes from scripts/lib/foreign-sysroot.sh (apt-get download
# under a private apt state; the host's dpkg architectures are never
# changed). Linked dynamically: Debian ships no static gnutls/p11-kit for
# libmicrohttpd. Cached in $KMT_CACHE/arm64-kvm/tool-<key>/, the key being
# the hash of bpf/, libtrace/, tools/, Makefile, mk/core.mk, mk/vmm.mk,
# tests/vmm/, this script and the compilers' versions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cc=${cross}gcc
for tool in "$cc" clang bpftool; do
	command -v "$tool" >/dev/null ||
		arm64_skip "arm64 test bed: $tool not installed (make deps installs scripts/deps/arm64.list and build.list)"
done
. "$repo/scripts/lib/tool-link.sh"
pkgs=("${tool_sysroot_pkgs[@]}")

mkdir -p "$cache"
sysroot=$("$foreign_sysroot" arm64 "${pkgs[@]}") ||
	arm64_skip "arm64 test bed: cannot fetch the arm64 sysroot with apt-get download (Debian archive unreachable?)"
ulib=$sysroot/usr/lib/aarch64-linux-gnu
lib=$sysroot/lib/aarch64-linux-gnu

key=$({
	echo "${pkgs[*]}"
	"$cc" --version | head -n 1
	clang --version | head -n 1
	cd "$repo" && find bpf libtrace tools tests/vmm Makefile mk/core.mk mk/vmm.mk -type f |
		LC_ALL=C sort | xargs cat
	cat "$0"
} | short_hash)
out=$cache/tool-$key
exec 9>"$out.lock"
flock 9
if [[ ! -f $out/.done ]]; then
	rm -rf "$out"
	mkdir -p "$out/build" "$out/lib"
	arm64_log "cross-building kvm-mmio-top and test-vmm for arm64 ($out)"
	# CFLAGS from the environment so that the Makefile's own flags are
	# appended; LDLIBS given in full because the Makefile asks the build
	# machine's pkg-config.
	CFLAGS="-O2 -g -I$sysroot/usr/include" nice make -C "$repo" -j2 \
		BUILD="$out/build" ARCH_BPF=arm64 CC="$cc" AR="${cross}ar" \
		LDLIBS="-L$ulib -L$lib -Wl,-rpath-link,$ulib -Wl,-rpath-link,$lib $tool_libs" \
		"$out/build/kvm-mmio-top" >"$out/build.log" 2>&1 ||
		{ tail -n 30 "$out/build.log" >&2; arm64_die "cross-building kvm-mmio-top failed"; }
	nice make -C "$repo" BUILD="$out/build" CC="$cc" LDFLAGS=-static \
		"$out/build/test-vmm" >>"$out/build.log" 2>&1 ||
		{ tail -n 30 "$out/build.log" >&2; arm64_die "cross-building test-vmm failed"; }
	# The loader and, of every library, only the soname (libfoo.so.N): the
	# loader asks for nothing else.
	cp -L /usr/aarch64-linux-gnu/lib/{ld-linux-aarch64.so.1,libc.so.6,libm.so.6} "$out/lib/"
	for so in "$ulib"/*.so.* "$lib"/*.so.*; do
		[[ $so == *.so.*.* ]] || cp -L "$so" "$out/lib/"
	done
	"${cross}strip" -o "$out/kvm-mmio-top" "$out/build/kvm-mmio-top"
	"${cross}strip" -o "$out/test-vmm" "$out/build/test-vmm"
	rm -rf "$out/build/libtrace" "$out/build/san"
	touch "$out/.done"
fi
echo "$out"
