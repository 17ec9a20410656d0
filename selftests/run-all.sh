#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What 'make check' runs: build, style, unit tests, VM tests.  Every stage
# leaves a results log in build/results/; the last line printed is
# "N passed, N failed" over all of them, and the exit status is non-zero
# when anything failed or did not report.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
res=$top/build/results
jobs=$(nproc 2>/dev/null || echo 1)
start=$(date +%s)

rm -rf "$res"
mkdir -p "$res"

# stage NAME CMD...: run CMD; if it fails, record NAME as a failed test.
stage() {
	local name=$1
	shift
	echo "== $name: $*"
	"$@" > "$res/$name.out" 2>&1 && return 0
	tail -n 40 "$res/$name.out"
	printf '# TEST %s\n1..1\nnot ok 1 %s failed (build/results/%s.out)\n# END %s rc=1\n' \
		"$name" "$name" "$name" "$name" > "$res/$name.log"
	return 1
}

# warnings NAME FILE: a test that FILE has no compiler warning.
warnings() {
	local n
	n=$(grep -c 'warning:' "$2")
	{
		echo "# TEST $1"
		echo "1..1"
		if [ "$n" = 0 ]; then
			echo "ok 1 $1: no compiler warnings"
		else
			echo "not ok 1 $1: $n compiler warning(s)"
			grep 'warning:' "$2" | head -10 | sed 's/^/# /'
		fi
		echo "# END $1 rc=0"
	} > "$res/$1.log"
}

if stage build make all; then
	warnings build-warnings "$res/build.out"
	stage style make style &&
		printf '# TEST style\n1..1\nok 1 checkpatch --strict clean\n# END style rc=0\n' \
			> "$res/style.log"
	stage unit make unit RES="$res"
	stage vm make vm-check RES="$res" VM_JOBS="$jobs"
fi

echo "== results ($(($(date +%s) - start)) s)"
awk -f selftests/lib/tap-count.awk "$res"/*.log
