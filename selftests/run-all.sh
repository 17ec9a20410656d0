#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What 'make check' runs: vmclockctl's build and the unit tests once, then
# for every kernel to test the module's build, style, test programs and VM
# tests.  Every stage leaves a results log in build/results/ (a kernel's in
# build/results/KVER/, its TAP sections named KVER/...); the last line
# printed is "N passed, N failed" over all of them, after one such line per
# kernel, and the exit status is non-zero when anything failed or did not
# report.
#
# The kernels: KVER when set, else KVERS (a list), else every installed
# kernel with headers and an image (selftests/lib/pick-kernel.sh --all).
# VM_JOBS guests run at once (default: one per core).  With
# VMCLOCK_DRY_RUN=1 the stages are printed, not run.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
res=$top/build/results
start=$(date +%s)
dry=${VMCLOCK_DRY_RUN:-0}
jobs=${VM_JOBS:-$(nproc 2>/dev/null || echo 1)}
if [ -n "${KVER:-}" ]; then
	kvers=$KVER
else
	kvers=${KVERS:-$(./selftests/lib/pick-kernel.sh --all)}
fi
# shellcheck disable=SC2086
set -- $kvers
if [ $# = 0 ]; then
	echo "run-all: no kernel with headers and an image in /boot; run 'make deps'" >&2
	exit 1
fi
echo "== kernels: $*"

[ "$dry" = 1 ] || { rm -rf "$res" && mkdir -p "$res"; }

# stage DIR NAME CMD...: run CMD, output in DIR/NAME.out; if it fails,
# record NAME as a failed test.
stage() {
	local dir=$1 name=$2
	shift 2
	echo "== $name: $*"
	[ "$dry" = 1 ] && return 0
	"$@" > "$dir/$name.out" 2>&1 && return 0
	tail -n 40 "$dir/$name.out"
	printf '# TEST %s\n1..1\nnot ok 1 %s failed (%s.out)\n# END %s rc=1\n' \
		"$name" "$name" "${dir#"$top"/}/$name" "$name" > "$dir/$name.log"
	return 1
}

# warnings DIR NAME FILE...: a test that the FILEs have no compiler warning.
warnings() {
	local dir=$1 name=$2 n
	shift 2
	[ "$dry" = 1 ] && return 0
	n=$(cat "$@" | grep -c 'warning:')
	{
		echo "# TEST $name"
		echo "1..1"
		if [ "$n" = 0 ]; then
			echo "ok 1 $name: no compiler warnings"
		else
			echo "not ok 1 $name: $n compiler warning(s)"
			cat "$@" | grep 'warning:' | head -10 | sed 's/^/# /'
		fi
		echo "# END $name rc=0"
	} > "$dir/$name.log"
}

# Once: the helper (every kernel runs the same one) and the host's tests,
# both built without a warning.
tools=0 unit=0
stage "$res" build-tools make tools && tools=1
stage "$res" unit-programs make unit-programs && unit=1
[ "$tools" = 1 ] &&
	warnings "$res" build-warnings "$res/build-tools.out" "$res/unit-programs.out"
stage "$res" unit make unit RES="$res"

declare -A took
for k in "$@"; do
	dir=$res/$k
	kstart=$(date +%s)
	echo "== kernel $k"
	[ "$dry" = 1 ] || mkdir -p "$dir"
	# The module and the simulator (W=1), and the guest's programs built
	# with this kernel's kselftest harness: all without a warning.
	# (A failed build is its own failure; what did build is still judged.)
	module=0 progs=0
	stage "$dir" build make module sim KVER="$k" && module=1
	stage "$dir" vm-programs make vm-programs KVER="$k" && progs=1
	[ "$module" = 1 ] &&
		warnings "$dir" build-warnings "$dir/build.out" "$dir/vm-programs.out"
	stage "$dir" style make style KVER="$k" && [ "$dry" = 0 ] &&
		printf '# TEST style\n1..1\nok 1 checkpatch --strict clean\n# END style rc=0\n' \
			> "$dir/style.log"
	[ "$module$progs" = 11 ] &&
		stage "$dir" vm make vm-check KVER="$k" RES="$dir" VM_JOBS="$jobs"
	# Name this kernel's sections after it.
	[ "$dry" = 1 ] ||
		sed -i "s|^# TEST |# TEST $k/|; s|^# END |# END $k/|" "$dir"/*.log
	took[$k]=$(($(date +%s) - kstart))
done

echo "== results ($(($(date +%s) - start)) s)"
[ "$dry" = 1 ] && exit 0
shopt -s nullglob
summary=$(awk -f selftests/lib/tap-count.awk "$res"/*.log "$res"/*/*.log)
rc=$?
echo "$summary" | sed '$d'
echo "host: $(awk -f selftests/lib/tap-count.awk "$res"/*.log | tail -n 1)"
for k in "$@"; do
	echo "$k: $(awk -f selftests/lib/tap-count.awk "$res/$k"/*.log | tail -n 1) (${took[$k]} s)"
done
echo "$summary" | tail -n 1
exit $rc
