#!/usr/bin/env bash
# Prepare the x86 hardware-KVM test bed: a stock Debian x86_64 kernel and an
# initramfs that loads kvm_amd, mounts the host root over 9p and runs one
# command (see init.c and docs/testbeds.md).
#
#   tests/x86-kvm/prepare.sh            prints the path of the initramfs;
#                                       vmlinuz is next to it
#
# Cache: ${KMT_CACHE:-/var/cache/kvm-mmio-trace}/x86-kvm/<kernel-version>/
#   root/                  the kernel package unpacked with dpkg-deb -x
#   vmlinuz                the kernel image
#   initramfs-<hash>.cpio.gz  /init + the modules it loads; <hash> is that of
#                          init.c and this script, so checkouts with different
#                          versions sharing the cache do not overwrite each
#                          other's (unused ones go after 7 days)
# The kernel package is the one linux-image-amd64 depends on (the current
# Debian 12 kernel, picked with apt-cache); KMT_X86_KERNEL_PKG overrides it.
# It is fetched with `apt-get download` and never installed.
#
# Exit status: 0 ready, 77 when the test bed cannot be prepared on this host
# (reason on the last line), 1 on unexpected errors.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${KMT_CACHE:-/var/cache/kvm-mmio-trace}/x86-kvm

skip() {
	echo "$*" >&2
	exit 77
}
log() { echo "prepare: $*" >&2; }

for tool in apt-get apt-cache dpkg-deb modinfo cpio gzip gcc; do
	command -v "$tool" >/dev/null || skip "x86-kvm test bed: $tool not installed"
done

# The module set /init needs; their dependencies are resolved from the .ko
# files themselves (they differ between kernels).
wanted_modules=(kvm-amd 9p 9pnet_virtio virtio_pci)

pick_kernel_pkg() {
	if [[ -n ${KMT_X86_KERNEL_PKG:-} ]]; then
		echo "$KMT_X86_KERNEL_PKG"
		return
	fi
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*-amd64\)$/\1/p' | head -n 1
}

mkdir -p "$cache" 2>/dev/null || skip "x86-kvm test bed: cannot create cache dir $cache (set KMT_CACHE)"

# One preparer at a time (other engineers / parallel make).
exec 9>"$cache/prepare.lock"
flock 9

# fetch PKG: apt-get download + dpkg-deb -x into $cache/<version>/root.
fetch() {
	local pkg=$1 dir=$cache/${1#linux-image-} tmp deb sandbox=()
	log "fetching $pkg (apt-get download, not installed)"
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	# As root, apt hands the download to the _apt user, which cannot write
	# here; fetch as root directly instead of warning about it.
	((EUID == 0)) && sandbox=(-o APT::Sandbox::User=root)
	if ! (cd "$tmp" && apt-get download -q "${sandbox[@]}" "$pkg" >&2); then
		rm -rf "$tmp"
		return 1
	fi
	deb=$(ls "$tmp"/*.deb)
	rm -rf "$dir"
	mkdir -p "$dir"
	log "unpacking ${deb##*/}"
	dpkg-deb -x "$deb" "$dir/root" || { rm -rf "$tmp" "$dir"; return 1; }
	rm -rf "$tmp"
	touch "$dir/root/.unpacked"
}

pkg=$(pick_kernel_pkg)
if [[ -n $pkg && ! -f $cache/${pkg#linux-image-}/root/.unpacked ]] && ! fetch "$pkg" &&
	[[ -z ${KMT_X86_KERNEL_PKG:-} ]] && ((EUID == 0)); then
	# Stale package lists name a kernel the archive no longer has.
	log "apt-get update, then retry"
	apt-get update -qq >&2 || true
	pkg=$(pick_kernel_pkg)
	[[ -n $pkg && ! -f $cache/${pkg#linux-image-}/root/.unpacked ]] && fetch "$pkg"
fi
if [[ -z $pkg || ! -f $cache/${pkg#linux-image-}/root/.unpacked ]]; then
	# Offline or no apt lists: the newest kernel already in the cache will do.
	newest=$(find "$cache" -mindepth 3 -maxdepth 3 -path '*/root/.unpacked' -printf '%T@ %h\n' |
		sort -rn | head -n 1 | cut -d' ' -f2-)
	[[ -n $newest ]] || skip "x86-kvm test bed: cannot fetch ${pkg:-the linux-image-amd64 kernel} with apt-get download (Debian archive unreachable? apt-get update?)"
	newest=${newest%/root}
	pkg=linux-image-${newest##*/}
	log "using the cached $pkg"
fi
kver=${pkg#linux-image-}
dir=$cache/$kver

vmlinuz=$dir/root/boot/vmlinuz-$kver
moddir=$dir/root/lib/modules/$kver
[[ -f $vmlinuz && -d $moddir ]] || { echo "prepare: $pkg has no $vmlinuz or $moddir" >&2; exit 1; }
ln -sf "root/boot/vmlinuz-$kver" "$dir/vmlinuz"

stamp=$(cat "$here/init.c" "$0" | sha256sum | cut -c1-16)
initrd=$dir/initramfs-$stamp.cpio.gz
find "$dir" -maxdepth 1 -name 'initramfs-*.cpio.gz' ! -newermt '-7 days' ! -path "$initrd" -delete
if [[ -f $initrd ]]; then
	touch "$initrd"
	echo "$initrd"
	exit 0
fi

log "building initramfs for $kver"
work=$(mktemp -d "$cache/initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT

# name -> path of every module (names normalised to '_' as modinfo prints them).
declare -A ko
while IFS= read -r f; do
	n=${f##*/}
	n=${n%%.ko*}
	ko[${n//-/_}]=$f
done < <(find "$moddir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')

# Depth-first, dependencies before dependents.
declare -A seen
order=()
add_module() {
	local n=${1//-/_} dep deps
	[[ -n ${seen[$n]:-} ]] && return
	seen[$n]=1
	if [[ -z ${ko[$n]:-} ]]; then
		# Built into this kernel: nothing to load.
		grep -q "/${1}.ko\$\|/${n}.ko\$" "$moddir/modules.builtin" 2>/dev/null && return
		echo "prepare: module $1 neither in $moddir nor built in" >&2
		exit 1
	fi
	deps=$(modinfo -F depends "${ko[$n]}")
	for dep in ${deps//,/ }; do
		add_module "$dep"
	done
	order+=("$n")
}
for m in "${wanted_modules[@]}"; do
	add_module "$m"
done

mkdir -p "$work"/{modules,proc,sys,dev,mnt}
: >"$work/modules/order"
for n in "${order[@]}"; do
	src=${ko[$n]}
	case $src in
	*.ko) cp "$src" "$work/modules/$n.ko" ;;
	*.ko.xz) xz -dc "$src" >"$work/modules/$n.ko" ;;
	*.ko.zst) zstd -qdc "$src" >"$work/modules/$n.ko" ;;
	*.ko.gz) gzip -dc "$src" >"$work/modules/$n.ko" ;;
	esac
	echo "$n.ko" >>"$work/modules/order"
done
log "modules (load order): ${order[*]}"

gcc -static -O2 -Wall -Wextra -Werror -o "$work/init" "$here/init.c"
strip "$work/init" 2>/dev/null || true
(cd "$work" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 >"$initrd.tmp"
mv "$initrd.tmp" "$initrd"
log "initramfs ready: $initrd ($(du -h "$initrd" | cut -f1))"
echo "$initrd"
