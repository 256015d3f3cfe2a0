#!/usr/bin/env bash
# Cross-build the project's own kvm-mmio-top for the POWER test bed's
# ppc64le host: the BPF object for powerpc (ARCH_BPF), libtrace and the CLI
# with powerpc64le-linux-gnu-gcc against a ppc64el sysroot of Debian
# packages, and the shared libraries it needs at run time.
#
#   tests/ppc/build-tool.sh     prints the directory holding kvm-mmio-top
#                               and lib64/ (its libraries and ld64.so.2)
#
# The sysroot is made by scripts/lib/foreign-sysroot.sh (`apt-get download`
# and `dpkg-deb -x` under a private apt state, never `dpkg
# --add-architecture`; cached in $KMT_CACHE/sysroot/). Linked dynamically:
# Debian ships no static gnutls/p11-kit for libmicrohttpd. The tool is
# cached in $KMT_CACHE/ppc/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cc=${cross}gcc
command -v "$cc" >/dev/null || ppc_die "missing $cc (make deps installs scripts/deps/ppc.list)"
. "$repo/scripts/lib/tool-link.sh"
pkgs=("${tool_sysroot_pkgs[@]}")

mkdir -p "$cache"
sysroot=$("$repo/scripts/lib/foreign-sysroot.sh" ppc64el "${pkgs[@]}") ||
	ppc_die "apt-get download of the ppc64el sysroot failed"

ulib=$sysroot/usr/lib/powerpc64le-linux-gnu
lib=$sysroot/lib/powerpc64le-linux-gnu
key=$({
	echo "${pkgs[*]}"
	"$cc" --version | head -n 1
	clang --version | head -n 1
	cat "$0" "$repo/Makefile" "$repo/mk/core.mk" "$repo"/bpf/* "$repo"/libtrace/*/* "$repo/tools/kvm-mmio-top.c"
} | short_hash)
out=$cache/tool-$key
exec 9>"$out.lock"
flock 9
if [[ ! -f $out/kvm-mmio-top ]]; then
	rm -rf "$out"
	mkdir -p "$out/build" "$out/lib64"
	# CFLAGS from the environment so that the Makefile's own flags are
	# appended; LDLIBS given in full because the Makefile asks the build
	# machine's pkg-config.
	CFLAGS="-O2 -g -I$sysroot/usr/include" make -C "$repo" -j2 \
		BUILD="$out/build" ARCH_BPF=powerpc CC="$cc" AR="${cross}ar" \
		LDLIBS="-L$ulib -L$lib -Wl,-rpath-link,$ulib -Wl,-rpath-link,$lib $tool_libs" \
		"$out/build/kvm-mmio-top" >"$out/build.log" 2>&1 ||
		{ tail -n 30 "$out/build.log" >&2; ppc_die "cross-building kvm-mmio-top failed"; }
	# /lib64 is where the powerpc64 dynamic loader looks without any
	# ld.so.cache: the loader and every shared library go there.
	cp -L /usr/powerpc64le-linux-gnu/lib/{ld64.so.2,libc.so.6,libm.so.6} "$out/lib64/"
	# Only the soname (libfoo.so.N) of each library: the loader asks for
	# nothing else, and the fully versioned file is the same bytes again.
	for so in "$ulib"/*.so.* "$lib"/*.so.*; do
		[[ $so == *.so.*.* ]] || cp -L "$so" "$out/lib64/"
	done
	"${cross}strip" -o "$out/kvm-mmio-top" "$out/build/kvm-mmio-top"
fi
echo "$out"
