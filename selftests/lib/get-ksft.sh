#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# get-ksft.sh DIR [X.Y]: unpack the kselftest harness and checkpatch from
# Debian's linux-source-X.Y tarball, or when that is not installed from the
# newest installed one, into DIR.  Nothing of them is committed to this
# tree.  DIR/.stamp names the source used.
set -e
dir=${1:?usage: get-ksft.sh DIR [X.Y]}
tarball=/usr/src/linux-source-${2:-none}.tar.xz
[ -r "$tarball" ] ||
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
if [ -z "$tarball" ]; then
	echo "get-ksft: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source)" >&2
	exit 1
fi
top=$(basename "$tarball" .tar.xz)
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
tar -xJf "$tarball" -C "$dir.tmp" --strip-components=1 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch"
mv "$dir.tmp/tools/testing/selftests/kselftest_harness.h" \
   "$dir.tmp/tools/testing/selftests/kselftest.h" "$dir.tmp/"
rm -rf "$dir.tmp/tools" "$dir"
echo "$top" > "$dir.tmp/.stamp"
mv "$dir.tmp" "$dir"
