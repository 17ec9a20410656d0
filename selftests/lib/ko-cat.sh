#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ko-cat.sh MODULE: write the kernel module file MODULE, uncompressed, to
# stdout.  Distributions install modules compressed (Debian 13: .ko.xz) and
# DKMS compresses what it builds to match; the test guest's busybox and
# kernel then need not know how.
case $1 in
*.ko.xz) exec xz -dc -- "$1" ;;
*.ko.zst) exec zstd -qdc -- "$1" ;;
*.ko.gz) exec gzip -dc -- "$1" ;;
*.ko) exec cat -- "$1" ;;
*) echo "ko-cat: $1: not a kernel module" >&2; exit 1 ;;
esac
