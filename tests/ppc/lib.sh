# Shared by the POWER test bed scripts: where the series and the cache are,
# and how a set of inputs turns into a cache key.
# shellcheck shell=bash

ppc_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$ppc_dir/../.." && pwd)
# The series under test. KMT_KERNEL_PATCHES points elsewhere to try a series
# that is not in this tree yet; KMT_SERIES_SKIP (patch numbers, e.g.
# "0003" or "0002,0005") leaves patches out, to show that the tests notice.
patches_dir=${KMT_KERNEL_PATCHES:-$repo/kernel-patches}
# The Debian kernel the host runs: 6.1 (default) or 6.12 (KMT_PPC_BASE)
base=${KMT_PPC_BASE:-6.1}
case $base in
6.1 | 6.12) ;;
*) printf 'ppc: FAIL: KMT_PPC_BASE=%s (6.1 or 6.12)\n' "$base" >&2; exit 1 ;;
esac
series=$patches_dir/$base/series
series_fragment=$patches_dir/powernv-kvm-hv.config
testbed_fragment=$ppc_dir/testbed.config
cache=${KMT_CACHE:-/var/cache/kvm-mmio-trace}/ppc
tarball=/usr/src/linux-source-$base.tar.xz
cross=powerpc64le-linux-gnu-

ppc_log() { printf 'ppc: %s\n' "$*" >&2; }
ppc_die() { ppc_log "FAIL: $*"; exit 1; }
ppc_skip() { echo "SKIP: $*"; exit 77; }

series_present() { [[ -f $series ]]; }

# Skips the test unless this QEMU emulates MACHINE (powernv10 is newer than the others).
need_qemu_machine() {
	command -v qemu-system-ppc64 >/dev/null || ppc_skip "no qemu-system-ppc64"
	qemu-system-ppc64 -M help | grep -q "^$1 " ||
		ppc_skip "qemu-system-ppc64 $(qemu-system-ppc64 --version | head -n 1 | awk '{print $4}') has no $1 machine"
}

# Patch files of the series in order, minus those KMT_SERIES_SKIP names.
series_patches() {
	series_present || return 0
	local skip=${KMT_SERIES_SKIP:-} p
	sed -e 's/#.*//' -e '/^\s*$/d' "$series" | while read -r p; do
		[[ -n $skip && ,${skip// /,}, == *",${p%%-*},"* ]] && continue
		echo "$patches_dir/$base/$p"
	done
}

# Fragments merged onto allnoconfig, in order.
config_fragments() {
	[[ -f $series_fragment ]] && echo "$series_fragment"
	echo "$testbed_fragment"
}

short_hash() { sha256sum | cut -c1-16; }

# Everything the kernel image depends on: the tarball (by name, size and
# mtime: hashing 140 MB each run would cost more than it saves), the
# patches actually applied, the config fragments and how they are built.
kernel_key() {
	{
		echo "recipe 2: merge_config -n fragments, vmlinux, strip-debug"
		stat -c '%n %s %Y' "$tarball"
		series_patches | while read -r p; do echo "patch $(basename "$p")"; cat "$p"; done
		config_fragments | while read -r f; do echo "fragment $(basename "$f")"; cat "$f"; done
	} | short_hash
}
