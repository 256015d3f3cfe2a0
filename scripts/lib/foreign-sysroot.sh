#!/usr/bin/env bash
# A directory of Debian packages of a foreign architecture, unpacked, for
# cross builds and emulated test beds.
#
#   foreign-sysroot.sh ARCH PKG...          unpack PKG... (ARCH debs) into a
#                                           cached directory and print its path
#   foreign-sysroot.sh --depends ARCH PKG   print what ARCH's PKG depends on,
#                                           one package a line (e.g. the kernel
#                                           image linux-image-arm64 points to)
#
# ARCH is a Debian architecture (arm64, ppc64el, ...). The packages are
# fetched with `apt-get download` under a private apt state (its own lists,
# cache and an empty dpkg status, ARCH as the only architecture) and unpacked
# with `dpkg-deb -x`; nothing is installed and the host's dpkg architectures
# are never changed (`dpkg --add-architecture` would, and a foreign
# architecture whose security index cannot be fetched makes every later
# `apt-get update` fail). The sources are the host's (/etc/apt).
#
# Cache: ${KMT_CACHE:-/var/cache/kvm-mmio-trace}/sysroot/
#   apt-ARCH/          the private apt state; its lists are kept and only
#                      refreshed when missing, when a download fails (an
#                      archive that moved on from a version) and, for
#                      --depends, when older than a day
#   ARCH-HASH/         the unpacked packages; HASH covers ARCH, the package
#                      names and this recipe, so a different list is a
#                      different directory and a finished one is never redone
#
# Exit status: 0 ready (path on stdout), 1 when a package cannot be fetched
# (apt's output on stderr), 2 usage error.
set -euo pipefail

recipe=1
cache=${KMT_CACHE:-/var/cache/kvm-mmio-trace}/sysroot

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
	exit 2
}
log() { echo "foreign-sysroot: $*" >&2; }
die() {
	log "$*"
	exit 1
}

depends=0
if [[ ${1:-} == --depends ]]; then
	depends=1
	shift
fi
(($# >= 2)) || usage
arch=$1
shift
[[ $arch =~ ^[a-z0-9]+$ ]] || usage
((depends == 0 || $# == 1)) || usage

mkdir -p "$cache" || die "cannot create $cache (set KMT_CACHE)"
apt_dir=$cache/apt-$arch
apt_opts=(-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o "Dir::State::status=$apt_dir/status"
	-o "APT::Architecture=$arch" -o "APT::Architectures=$arch")
# As root, apt hands downloads to the _apt user, which cannot write here.
((EUID == 0)) && apt_opts+=(-o APT::Sandbox::User=root)

# One user of ARCH's apt state at a time.
exec 7>"$cache/apt-$arch.lock"
flock 7

apt_update() {
	log "apt-get update ($arch lists, private state)"
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	touch "$apt_dir/status"
	# A suite without an ARCH index (security, on some mirrors) is not fatal:
	# the packages are checked when they are downloaded.
	apt-get "${apt_opts[@]}" -q update >"$apt_dir/update.log" 2>&1 || true
}
[[ -f $apt_dir/status ]] && compgen -G "$apt_dir/lists/*_Packages*" >/dev/null || apt_update

if ((depends)); then
	# What a metapackage points to changes with the archive (a new kernel
	# ABI): look at lists no older than a day.
	[[ -n $(find "$apt_dir/status" -mmin -1440 2>/dev/null) ]] || { apt_update && touch "$apt_dir/status"; }
	apt-cache "${apt_opts[@]}" depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \([^ <>]*\)$/\1/p'
	exit 0
fi

key=$({
	echo "recipe $recipe $arch"
	printf '%s\n' "$@" | LC_ALL=C sort -u
} | sha256sum | cut -c1-16)
root=$cache/$arch-$key
if [[ -f $root/.done ]]; then
	echo "$root"
	exit 0
fi

download() { # into $1
	(cd "$1" && apt-get "${apt_opts[@]}" -q download "${@:2}") >"$1/download.log" 2>&1
}
debs=$(mktemp -d "$cache/debs-$arch.XXXXXX")
trap 'rm -rf "$debs"' EXIT
if ! download "$debs" "$@"; then
	# The lists may name versions the archive no longer has.
	apt_update
	download "$debs" "$@" || {
		cat "$debs/download.log" >&2
		die "apt-get download of $arch packages failed: $*"
	}
fi
rm -rf "$root"
mkdir -p "$root"
for deb in "$debs"/*.deb; do
	dpkg-deb -x "$deb" "$root"
done
(cd "$debs" && ls -- *.deb) >"$root/.debs"
touch "$root/.done"
log "$arch: $# package(s) unpacked in $root ($(du -sh "$root" | cut -f1))"
echo "$root"
