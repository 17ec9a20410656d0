#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building vmclock and running its tests
# need, and only those that are missing.  Says what it installs first.
set -e

PKGS="gcc make libc6-dev pkg-config perl xz-utils cpio kmod
linux-image-amd64 linux-headers-amd64 linux-source
qemu-system-x86 busybox-static libnl-3-dev libnl-genl-3-dev
python3 python3-yaml dkms openssl chrony linuxptp"

missing=
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=
elif command -v sudo >/dev/null; then
	sudo=sudo
else
	echo "vmclock: missing packages:$missing (not root and no sudo)" >&2
	exit 1
fi

echo "vmclock: installing missing Debian packages${sudo:+ with sudo}:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
