#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh [PACKAGE...]: install the Debian packages that building
# vmclock and running its tests need, and the given ones, and only those
# that are missing.  Says what it installs first.
#
# 'make check' builds and boots every installed kernel that has headers,
# so this also installs the kernels the tests are meant to cover on this
# release (their images, headers and the kernel source the kselftest
# harness and checkpatch are taken from):
#   Debian 12: 6.1 (generic and cloud flavours) and 6.12 (generic and cloud);
#   Debian 13: 6.12, and with VMCLOCK_BACKPORTS_KERNEL=1 the newest kernel
#              of trixie-backports (needs that source configured).
# Installing a kernel adds a boot entry; GRUB boots the newest by default.
# VMCLOCK_KERNELS=default installs only the distribution's default kernel.
set -e

PKGS="gcc make libc6-dev pkg-config perl xz-utils cpio kmod
linux-image-amd64 linux-headers-amd64 linux-source
qemu-system-x86 qemu-utils busybox-static libnl-3-dev libnl-genl-3-dev
python3 python3-yaml dkms openssl chrony linuxptp"

# shellcheck disable=SC1091
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
if [ "${VMCLOCK_KERNELS:-all}" != default ]; then
	case $codename in
	bookworm)
		PKGS="$PKGS linux-image-cloud-amd64 linux-headers-cloud-amd64
linux-image-6.12-amd64 linux-headers-6.12-amd64
linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64 linux-source-6.12"
		;;
	esac
fi

# aptget ARGS...: apt-get, as root (with sudo when not root).
aptget() {
	if [ "$(id -u)" -eq 0 ]; then
		apt-get "$@"
	elif command -v sudo >/dev/null; then
		sudo apt-get "$@"
	else
		echo "vmclock: cannot run apt-get $* (not root and no sudo)" >&2
		exit 1
	fi
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

export DEBIAN_FRONTEND=noninteractive
updated=0

# The newest kernel of backports: its versioned image, headers and source
# (the metapackages would replace the release's kernel, not add one).
if [ "${VMCLOCK_BACKPORTS_KERNEL:-0}" = 1 ]; then
	[ -n "$codename" ] || { echo "vmclock: unknown Debian release" >&2; exit 1; }
	aptget update -qq
	updated=1
	bpo=$(apt-cache show "linux-image-amd64/$codename-backports" 2>/dev/null |
		grep -o 'linux-image-[0-9][^ ,]*' | head -n 1)
	[ -n "$bpo" ] || {
		echo "vmclock: no kernel in $codename-backports (is that source configured?)" >&2
		exit 1
	}
	ver=${bpo#linux-image-}
	series=$(echo "$ver" | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
	BPO="$bpo linux-headers-$ver"
	apt-cache show "linux-source-$series/$codename-backports" >/dev/null 2>&1 &&
		BPO="$BPO linux-source-$series"
	bpo_missing=
	for p in $BPO; do
		installed "$p" || bpo_missing="$bpo_missing $p"
	done
	if [ -n "$bpo_missing" ]; then
		echo "vmclock: installing from $codename-backports:$bpo_missing"
		# shellcheck disable=SC2086
		aptget install -y -qq --no-install-recommends -t "$codename-backports" $bpo_missing
	fi
fi

missing=
for p in $PKGS "$@"; do
	installed "$p" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

echo "vmclock: installing missing Debian packages:$missing"
[ "$updated" = 1 ] || aptget update -qq
# shellcheck disable=SC2086
aptget install -y -qq --no-install-recommends $missing
