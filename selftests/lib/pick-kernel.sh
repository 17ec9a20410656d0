#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pick-kernel.sh: print the kernel release to build for: the running kernel
# when its headers are installed, otherwise the newest kernel with installed
# headers.  A build machine often runs a kernel that is not the
# distribution's.
#
# pick-kernel.sh --all: print every kernel 'make check' can test, one a
# line, oldest first: those with both headers and an image in /boot.

# with_headers: the releases under /lib/modules that have headers.
with_headers() {
	for d in /lib/modules/*/build/Makefile; do
		[ -e "$d" ] || continue
		d=${d%/build/Makefile}
		echo "${d##*/}"
	done | sort -V
}

if [ "${1:-}" = --all ]; then
	with_headers | while read -r k; do
		[ -r "/boot/vmlinuz-$k" ] && echo "$k"
	done
	exit 0
fi
running=$(uname -r)
if [ -e "/lib/modules/$running/build/Makefile" ]; then
	echo "$running"
	exit 0
fi
with_headers | tail -n 1
