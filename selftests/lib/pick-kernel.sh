#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel release to build for: the running kernel when its headers
# are installed, otherwise the newest kernel with installed headers.  A build
# machine often runs a kernel that is not the distribution's.
running=$(uname -r)
if [ -e "/lib/modules/$running/build/Makefile" ]; then
	echo "$running"
	exit 0
fi
for d in /lib/modules/*/build/Makefile; do
	[ -e "$d" ] || continue
	d=${d%/build/Makefile}
	echo "${d##*/}"
done | sort -V | tail -n 1
