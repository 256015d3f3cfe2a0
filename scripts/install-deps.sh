#!/usr/bin/env bash
# Install the Debian packages the project needs.
#
#   scripts/install-deps.sh             every list: build, tests, test beds (make check)
#   scripts/install-deps.sh build ...   only scripts/deps/build.list, ... (make run)
#
# Idempotent: packages already installed are not touched and apt-get is not
# called at all when nothing is missing, so `make run` stays fast.
# Package lists live in scripts/deps/*.list, one per component, so that each
# part of the project declares what it needs next to nothing else.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
lists=()
for group in "$@"; do
	[[ -f $here/deps/$group.list ]] || {
		echo "install-deps: no package list $here/deps/$group.list" >&2
		exit 2
	}
	lists+=("$here/deps/$group.list")
done
((${#lists[@]})) || lists=("$here"/deps/*.list)
mapfile -t wanted < <(cat "${lists[@]}" | sed -e 's/#.*//' -e '/^\s*$/d' | sort -u)

missing=()
for pkg in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ((EUID != 0)); then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root (or: sudo $0) to install them" >&2
	exit 1
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
