#!/usr/bin/env bash
# Check the kernel patch series in kernel-patches/ against Debian's kernel
# sources (linux-source-6.1, linux-source-6.12).
#
#   scripts/check-kernel-patches.sh [MODE] [BASE...]
#
# MODE (default: all)
#   consistent   every base has a series file listing exactly its *.patch
#                files (but the cover letter, 0000-cover-letter.patch, which
#                must be filled in and count them), and all bases carry the
#                same patch subjects, except those the series file marks
#                "# <base> only"
#   apply        the series applies with `git am` to the pristine tree
#   checkpatch   the tree's scripts/checkpatch.pl --strict reports nothing
#                (no error, warning or check) for any patch
#   build        arch/powerpc/kvm/ cross-built with W=1 C=2 (gcc + sparse)
#                has no warning the unpatched tree does not have
#   realmode     no trace reference is reachable from the POWER7/8
#                real-mode entry points in the patched objects
#   build-selftest
#                inject a sparse warning into the patched tree and check
#                that the build check fails on it
#   realmode-selftest
#                inject a trace call into kvmppc_hpte_hv_fault() and check
#                that the realmode check fails on it
#   bisect       every prefix of the series builds: arch/powerpc/kvm/
#                (W=1, -Werror) after each patch, and with
#                KMT_BISECT_VMLINUX=1 a full vmlinux after the first and
#                the last too; a pass is cached by the series key (and that
#                switch), so only a changed series is built again
#   all          all of the above except the self-tests
# BASE: 6.1 and/or 6.12 (default: both)
#
# Work happens outside the repository, in
#   ${KMT_CACHE:-/var/cache/kvm-mmio-trace}/kernel/
#     src/<base>-<tarball>/          pristine tree, a git repository
#     base/<base>-<tarball>-<config>/  unpatched build + its warnings
#     patched/<base>-<hash>/         worktree with the series applied, its
#                                    build and results; <hash> covers the
#                                    series, the config fragment and tarball
#     bisect/<base>-<hash>[-vmlinux].ok  the log of a bisect check that
#                                    passed (its tree and build are deleted)
# so that repeated runs reuse the pristine trees and the baseline build.
# Exit status: 0 pass, 1 fail, 77 skip (missing tool; the reason is the
# last line printed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
patches_dir=$repo/kernel-patches
fragment=$patches_dir/powernv-kvm-hv.config
cache=${KMT_CACHE:-/var/cache/kvm-mmio-trace}/kernel
jobs=${KMT_JOBS:-2}
cross=powerpc64le-linux-gnu-
all_bases=(6.1 6.12)

export ARCH=powerpc CROSS_COMPILE=$cross
# spdxcheck.py (run by checkpatch) needs the distribution's python3-ply and
# python3-git, not whatever python3 a user environment puts first.
export PATH=/usr/bin:/bin:$PATH
export LC_ALL=C

log() { printf '%s\n' "check-kernel-patches: $*" >&2; }
die() { log "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
now() { date +%s.%N; }
elapsed() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			skip "missing $t (install scripts/deps/kernel.list: make deps)"
	done
}

tarball() { echo "/usr/src/linux-source-$1.tar.xz"; }

need_tarball() {
	[[ -r $(tarball "$1") ]] ||
		skip "missing $(tarball "$1") (apt-get install linux-source-$1)"
}

hash_of() { sha256sum "$@" | sha256sum | cut -c1-12; }

# Identity of a tarball without reading 140 MB: path, size and mtime.
tar_key() { stat -c '%n %s %Y' "$(tarball "$1")" | sha256sum | cut -c1-8; }

series_files() {
	local dir=$patches_dir/$1
	[[ -f $dir/series ]] || die "$dir/series is missing"
	sed -e 's/#.*//' -e '/^\s*$/d' "$dir/series" | while read -r p; do
		echo "$dir/$p"
	done
}

# Serialise work on one base across concurrent runs (other engineers' make
# check, parallel tests).
lock_base() {
	mkdir -p "$cache"
	exec 9>"$cache/.lock-$1"
	flock 9
}

# --- pristine source tree -------------------------------------------------

src_dir() { echo "$cache/src/$1-$(tar_key "$1")"; }

ensure_src() {
	local base=$1 dir tmp t0
	dir=$(src_dir "$base")
	[[ -f $dir/.kmt-ready ]] && return 0
	need_tarball "$base"
	t0=$(now)
	log "$base: unpacking $(tarball "$base")"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	tar -xf "$(tarball "$base")" -C "$dir.tmp"
	tmp=$(echo "$dir.tmp"/linux-source-*)
	mv "$tmp" "$dir"
	rmdir "$dir.tmp"
	# Debian's top-level .gitignore has "/*": add everything by force.
	git -C "$dir" init -q
	# No automatic gc: it would run in the background, long after us, and
	# keep our lock file open.
	git -C "$dir" config gc.auto 0
	git -C "$dir" add -f -A .
	git -C "$dir" -c user.name=kvm-mmio-trace -c user.email=kmt@localhost \
		commit -q -m "pristine linux-source-$base"
	touch "$dir/.kmt-ready"
	log "$base: pristine tree ready in $(elapsed "$t0") s"
}

# --- configuration ----------------------------------------------------------

cfg_key() { hash_of "$fragment" | cut -c1-8; }

# configure BUILD_DIR SRC_DIR: allnoconfig + the fragment, and check that
# every symbol of the fragment ended up in .config as requested.
configure() {
	local build=$1 src=$2 line sym missing=0
	mkdir -p "$build"
	(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$build" \
		"$fragment" >"$build/merge_config.log" 2>&1) ||
		die "merge_config.sh failed, see $build/merge_config.log"
	while read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -qx "$line" "$build/.config" || {
				log "config: $line requested, .config has:" \
					"$(grep -E "^(# )?$sym[= ]" "$build/.config" || echo nothing)"
				missing=1
			}
			;;
		esac
	done < <(sed -e 's/#.*//' "$fragment")
	((missing == 0)) || die "config fragment not satisfied for $src"
}

# build_kvm BUILD_DIR SRC_DIR LOG: cross-build arch/powerpc/kvm/ with W=1
# (extra gcc warnings) and C=2 (sparse on every file).
build_kvm() {
	local build=$1 src=$2 out=$3 t0
	t0=$(now)
	make -C "$src" O="$build" -j"$jobs" W=1 C=2 arch/powerpc/kvm/ \
		>"$out" 2>&1 || {
		tail -n 30 "$out" >&2
		die "build of arch/powerpc/kvm/ failed in $src, see $out"
	}
	log "built arch/powerpc/kvm/ (W=1 C=2) in $(elapsed "$t0") s: $src"
}

# warnings_of LOG SRC_DIR BUILD_DIR: the gcc and sparse warnings of a
# build log, one per line, with the tree and build paths and the line and
# column numbers removed, so that two trees can be compared.
warnings_of() {
	grep -E '(warning|error):' "$1" |
		sed -E -e "s#$2/##g" -e "s#$3/##g" \
			-e 's#^([^:]+):[0-9]+(:[0-9]+)?:#\1:#' |
		sort || true
}

base_build_dir() { echo "$cache/base/$1-$(tar_key "$1")-$(cfg_key)"; }

ensure_base_build() {
	local base=$1 build
	build=$(base_build_dir "$base")
	[[ -f $build/.kmt-built ]] && return 0
	ensure_src "$base"
	rm -rf "$build"
	configure "$build" "$(src_dir "$base")"
	build_kvm "$build" "$(src_dir "$base")" "$build/kvm-build.log"
	touch "$build/.kmt-built"
}

# --- patched tree -------------------------------------------------------------

# The contents and names only, not where this checkout is: another clone
# of the same series reuses the same builds.
series_key() {
	local base=$1
	{
		series_files "$base" | xargs sha256sum
		sha256sum "$patches_dir/$base/series" "$fragment"
		tar_key "$base"
	} | sed "s|  $repo/|  |" | sha256sum | cut -c1-12
}

patched_dir() { echo "$cache/patched/$1-$(series_key "$1")"; }

ensure_patched_tree() {
	local base=$1 dir src old
	dir=$(patched_dir "$base")
	[[ -f $dir/.kmt-applied ]] && return 0
	ensure_src "$base"
	src=$(src_dir "$base")
	# Older series for this base are of no use any more.
	for old in "$cache/patched/$base"-*; do
		[[ -e $old && $old != "$dir" ]] || continue
		rm -rf "$old"
	done
	rm -rf "$dir"
	git -C "$src" worktree prune
	mkdir -p "$dir"
	git -C "$src" worktree add -q --detach "$dir/tree" HEAD
	if ! series_files "$base" | xargs git -C "$dir/tree" \
		-c user.name=kvm-mmio-trace -c user.email=kmt@localhost \
		am -q >"$dir/am.log" 2>&1; then
		cat "$dir/am.log" >&2
		die "$base: the series does not apply with git am"
	fi
	touch "$dir/.kmt-applied"
}

ensure_patched_build() {
	local base=$1 dir
	dir=$(patched_dir "$base")
	[[ -f $dir/.kmt-built ]] && return 0
	ensure_patched_tree "$base"
	rm -rf "$dir/build"
	configure "$dir/build" "$dir/tree"
	build_kvm "$dir/build" "$dir/tree" "$dir/kvm-build.log"
	touch "$dir/.kmt-built"
}

kvm_objects() {
	find "$1/arch/powerpc/kvm" "$1/virt/kvm" -name '*.o' \
		! -name 'built-in*' ! -name '*.mod.o' | sort
}

# --- modes --------------------------------------------------------------------

# Patch files that a series marks "# <base> only" (a backport one base
# needs and the other already has): left out of the comparison of bases.
base_only_files() {
	sed -n "s/^\([^#[:space:]]*\)[[:space:]]*#[[:space:]]*$1 only\b.*/\1/p" \
		"$patches_dir/$1/series" | while read -r p; do echo "$patches_dir/$1/$p"; done
}

do_consistent() {
	local base p listed subjects=() s n cover
	for base in "${all_bases[@]}"; do
		listed=$(series_files "$base" | sort)
		[[ -n $listed ]] || die "$base: empty series"
		while read -r p; do
			[[ -f $p ]] || die "$base/series lists $(basename "$p"), which does not exist"
		done <<<"$listed"
		cover=$patches_dir/$base/0000-cover-letter.patch
		for p in "$patches_dir/$base"/*.patch; do
			[[ $p == "$cover" ]] && continue
			grep -qxF "$p" <<<"$listed" ||
				die "$base: $(basename "$p") is not listed in series"
		done
		# The cover letter goes with the series: it is not applied, but
		# it must be filled in and count the patches the series has.
		n=$(wc -l <<<"$listed")
		[[ -f $cover ]] || die "$base: no 0000-cover-letter.patch"
		grep -q '^Subject: \[PATCH 0/'"$n"'\] ' "$cover" ||
			die "$base: the cover letter is not [PATCH 0/$n]: $(grep '^Subject:' "$cover")"
		! grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$cover" ||
			die "$base: the cover letter still has format-patch's placeholders"
		s=$(series_files "$base" | grep -vxF -f <(base_only_files "$base"; echo /nonexistent) |
			xargs sed -n 's/^Subject: \[PATCH[^]]*\] //p')
		subjects+=("$s")
		log "$base: $n patches ($(base_only_files "$base" | wc -l) for $base only) and a cover letter"
	done
	[[ ${subjects[0]} == "${subjects[1]}" ]] || {
		diff <(echo "${subjects[0]}") <(echo "${subjects[1]}") >&2 || true
		die "the 6.1 and 6.12 series do not carry the same patches"
	}
	echo "series files consistent, same patches on every base (but those marked for one base only)"
}

do_apply() {
	local base=$1
	need_tools git
	need_tarball "$base"
	lock_base "$base"
	ensure_patched_tree "$base"
	git -C "$(patched_dir "$base")/tree" log --format='  %s' "HEAD~$(series_files "$base" | wc -l)..HEAD"
	echo "$base: series applies with git am ($(series_files "$base" | wc -l) patches)"
}

do_checkpatch() {
	local base=$1 p out bad=0 tree
	need_tools perl git
	need_tarball "$base"
	/usr/bin/python3 -c 'import ply, git' 2>/dev/null ||
		skip "checkpatch's spdxcheck.py needs python3-ply and python3-git (make deps)"
	lock_base "$base"
	ensure_src "$base"
	tree=$(src_dir "$base")
	while read -r p; do
		out=$(cd "$tree" && scripts/checkpatch.pl --strict "$p" 2>&1) || true
		if grep -q '^total: 0 errors, 0 warnings, 0 checks' <<<"$out" &&
			! grep -q -i 'traceback\|not found\|No module' <<<"$out"; then
			log "$base: $(basename "$p"): $(grep '^total:' <<<"$out")"
		else
			echo "$out"
			bad=1
		fi
	done < <(series_files "$base")
	((bad == 0)) || die "$base: checkpatch --strict is not clean"
	echo "$base: checkpatch.pl --strict: 0 errors, 0 warnings, 0 checks on every patch"
}

do_build() {
	local base=$1 dir
	need_tools make gcc flex bison bc sparse "${cross}gcc" perl git
	need_tarball "$base"
	lock_base "$base"
	ensure_base_build "$base"
	ensure_patched_build "$base"
	dir=$(patched_dir "$base")
	new_warnings "$base" "$dir/kvm-build.log" ||
		die "$base: new W=1/sparse warnings"
	echo "$base: arch/powerpc/kvm/ W=1 C=2: no new warning ($(wc -l <"$dir/warnings.txt") warnings, all present unpatched too)"
}

# new_warnings BASE PATCHED_LOG: print the warnings of PATCHED_LOG (a build
# of the patched tree) that the unpatched build has fewer of, and fail if
# there are any.  gcc warnings in arch/powerpc/kvm/ are errors already
# (-Werror), so in practice these are sparse's.
new_warnings() {
	local base=$1 log=$2 dir bdir new
	dir=$(patched_dir "$base")
	bdir=$(base_build_dir "$base")
	warnings_of "$bdir/kvm-build.log" "$(src_dir "$base")" "$bdir" \
		>"$bdir/warnings.txt"
	warnings_of "$log" "$dir/tree" "$dir/build" >"$dir/warnings.txt"
	new=$(diff <(uniq -c <"$bdir/warnings.txt" | sed 's/^ *//') \
		<(uniq -c <"$dir/warnings.txt" | sed 's/^ *//') |
		sed -n 's/^> //p' || true)
	[[ -z $new ]] && return 0
	echo "$base: warnings the unpatched tree does not have (count file: message):"
	echo "$new"
	return 1
}

# Prove that the build check catches a new warning: add a function with a
# sparse-only warning (a __be32 initialised from a plain integer) to the
# patched tree, rebuild arch/powerpc/kvm/ with W=1 C=2 (sparse checks every
# file again, gcc rebuilds one object) and expect new_warnings to fail.
do_build_selftest() {
	local base=$1 dir f rc=0
	do_build "$base" >/dev/null
	dir=$(patched_dir "$base")
	f=$dir/tree/arch/powerpc/kvm/book3s_64_mmu_hv.c
	selftest_dir=$dir
	trap 'git -C "$selftest_dir/tree" checkout -q -- arch/powerpc/kvm/book3s_64_mmu_hv.c
		make -C "$selftest_dir/tree" O="$selftest_dir/build" -j"$jobs" \
			arch/powerpc/kvm/book3s_64_mmu_hv.o >/dev/null 2>&1 || true' EXIT
	printf '%s\n' '' 'u32 kmt_selftest(void);' 'u32 kmt_selftest(void)' '{' \
		'	__be32 x = 1;' '' '	return (__force u32)x;' '}' >>"$f"
	make -C "$dir/tree" O="$dir/build" -j"$jobs" W=1 C=2 arch/powerpc/kvm/ \
		>"$dir/selftest-build.log" 2>&1 ||
		die "$base: injected tree does not build, see $dir/selftest-build.log"
	new_warnings "$base" "$dir/selftest-build.log" || rc=$?
	((rc == 1)) ||
		die "$base: the build check did not catch a new sparse warning"
	echo "$base: the build check fails on an injected sparse warning, as it should"
}

do_realmode() {
	local base=$1 dir
	need_tools "${cross}objdump" python3
	do_build "$base" >/dev/null
	dir=$(patched_dir "$base")
	mapfile -t objs < <(kvm_objects "$dir/build")
	mapfile -t bobjs < <(kvm_objects "$(base_build_dir "$base")")
	python3 "$here/lib/realmode-trace-check.py" "${cross}objdump" \
		"$dir/tree/arch/powerpc/kvm/book3s_hv_rmhandlers.S" \
		"${objs[@]}" -- "${bobjs[@]}" ||
		die "$base: trace calls reachable from real mode"
	echo "$base: no trace call reachable from real-mode entry points"
}

# Prove that the realmode check catches what it is for: put a tracepoint
# call into kvmppc_hpte_hv_fault(), which POWER7/8 run with the MMU off,
# rebuild that object and expect the check to fail.  The tree and object
# are restored afterwards.
do_realmode_selftest() {
	local base=$1 dir f rc=0
	need_tools "${cross}objdump" python3
	do_build "$base" >/dev/null
	dir=$(patched_dir "$base")
	f=$dir/tree/arch/powerpc/kvm/book3s_hv_rm_mmu.c
	# Undo the injection on every exit, and rebuild the clean object.
	selftest_dir=$dir
	trap 'git -C "$selftest_dir/tree" checkout -q -- arch/powerpc/kvm/book3s_hv_rm_mmu.c
		make -C "$selftest_dir/tree" O="$selftest_dir/build" -j"$jobs" \
			arch/powerpc/kvm/book3s_hv_rm_mmu.o >/dev/null 2>&1 || true' EXIT
	awk '
		!inc && /^#include <asm\/kvm_ppc.h>/ {
			print; print "#include <trace/events/kvm.h>"; inc = 1; next
		}
		/^long kvmppc_hpte_hv_fault\(/ { fn = 1 }
		fn && /^\{$/ {
			print; print "\ttrace_kvm_mmio(0, 0, addr, NULL);"; fn = 0; next
		}
		{ print }' "$f" >"$f.kmt" && mv "$f.kmt" "$f"
	grep -q 'trace_kvm_mmio(0, 0, addr, NULL);' "$f" ||
		die "$base: could not inject the trace call into $f"
	make -C "$dir/tree" O="$dir/build" -j"$jobs" \
		arch/powerpc/kvm/book3s_hv_rm_mmu.o >"$dir/selftest.log" 2>&1 ||
		die "$base: injected tree does not build, see $dir/selftest.log"
	mapfile -t objs < <(kvm_objects "$dir/build")
	mapfile -t bobjs < <(kvm_objects "$(base_build_dir "$base")")
	python3 "$here/lib/realmode-trace-check.py" "${cross}objdump" \
		"$dir/tree/arch/powerpc/kvm/book3s_hv_rmhandlers.S" \
		"${objs[@]}" -- "${bobjs[@]}" || rc=$?
	((rc == 1)) ||
		die "$base: the realmode check did not catch a trace call in kvmppc_hpte_hv_fault (exit $rc)"
	echo "$base: the realmode check fails on an injected trace call, as it should"
}

# Every prefix of the series builds.  One worktree and one build
# directory walk the series patch by patch, so each step only rebuilds
# what the patch touched: arch/powerpc/kvm/ with W=1 (gcc warnings there
# are errors) after every patch, and with KMT_BISECT_VMLINUX=1 a whole
# vmlinux after the first and the last (two cold kernel builds more: too
# slow for every make check on the shared 2-core machine).  Sparse and
# the warning comparison are the build check's job.  A pass is remembered
# per series key; the tree and objects are deleted either way.
do_bisect() {
	local base=$1 key dir ok n k t0 tip subject target old
	need_tools make gcc flex bison bc pahole "${cross}gcc" git
	need_tarball "$base"
	lock_base "$base"
	key=$(series_key "$base")
	dir=$cache/bisect/$base-$key
	ok=$dir.ok
	[[ ${KMT_BISECT_VMLINUX:-0} == 1 ]] && ok=$dir-vmlinux.ok
	if [[ -f $ok ]]; then
		cat "$ok"
		return 0
	fi
	ensure_src "$base"
	for old in "$cache/bisect/$base"-*; do
		[[ -e $old && $old != "$dir".ok && $old != "$dir"-vmlinux.ok ]] || continue
		rm -rf "$old"
	done
	git -C "$(src_dir "$base")" worktree prune
	mkdir -p "$dir"
	git -C "$(src_dir "$base")" worktree add -q --detach "$dir/tree" HEAD
	if ! series_files "$base" | xargs git -C "$dir/tree" \
		-c user.name=kvm-mmio-trace -c user.email=kmt@localhost \
		am -q >"$dir/am.log" 2>&1; then
		cat "$dir/am.log" >&2
		die "$base: the series does not apply with git am"
	fi
	tip=$(git -C "$dir/tree" rev-parse HEAD)
	configure "$dir/build" "$dir/tree"
	n=$(series_files "$base" | wc -l)
	: >"$dir/result"
	for ((k = 1; k <= n; k++)); do
		git -C "$dir/tree" checkout -q --detach "$tip~$((n - k))"
		subject=$(git -C "$dir/tree" log -1 --format=%s)
		target=arch/powerpc/kvm/
		[[ ${KMT_BISECT_VMLINUX:-0} == 1 ]] && ((k == 1 || k == n)) &&
			target=vmlinux
		t0=$(now)
		make -C "$dir/tree" O="$dir/build" -j"$jobs" W=1 $target \
			>"$dir/build-$k.log" 2>&1 || {
			tail -n 30 "$dir/build-$k.log" >&2
			rm -rf "$dir/tree" "$dir/build"
			git -C "$(src_dir "$base")" worktree prune
			die "$base: patch $k/$n ($subject) does not build ($target W=1)"
		}
		echo "$base: patch $k/$n builds ($target W=1, $(elapsed "$t0") s): $subject" |
			tee -a "$dir/result"
	done
	echo "$base: every prefix of the series builds (series key $key)" >>"$dir/result"
	mv "$dir/result" "$ok"
	rm -rf "$dir"
	git -C "$(src_dir "$base")" worktree prune
	tail -n 1 "$ok"
}

main() {
	local mode=${1:-all} base t0 bases
	[[ $# -gt 0 ]] && shift
	bases=("$@")
	((${#bases[@]})) || bases=("${all_bases[@]}")
	for base in "${bases[@]}"; do
		[[ " ${all_bases[*]} " == *" $base "* ]] ||
			die "unknown base $base (known: ${all_bases[*]})"
	done
	t0=$(now)
	case $mode in
	consistent) do_consistent ;;
	apply | checkpatch | build | build-selftest | realmode | \
		realmode-selftest | bisect)
		for base in "${bases[@]}"; do
			"do_${mode//-/_}" "$base"
		done
		;;
	all)
		do_consistent
		for base in "${bases[@]}"; do
			do_apply "$base"
			do_checkpatch "$base"
			do_build "$base"
			do_realmode "$base"
			do_bisect "$base"
		done
		;;
	*) die "unknown mode $mode (see the head of $0)" ;;
	esac
	log "$mode ${bases[*]}: done in $(elapsed "$t0") s"
}

main "$@"
