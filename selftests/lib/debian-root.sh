#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debian-root.sh [-B] SUITE ROOT CMD [ARGS...]
#
# Run CMD as root inside ROOT, a minimal Debian SUITE (bookworm, trixie...)
# made with debootstrap when ROOT does not hold one yet.  /proc, /sys and
# /dev are mounted in a private mount namespace, so nothing stays mounted
# once CMD ends, however it ends.  -B adds SUITE-backports to the root's
# package sources (pinned low, as Debian ships them: used only when asked
# for with 'apt-get -t SUITE-backports').
#
# Packages come from the Debian mirror this machine's apt uses (or
# DEBIAN_MIRROR, and DEBIAN_SECURITY_MIRROR for SUITE-security).  No
# service starts inside the root (policy-rc.d), so installing chrony there
# does not touch this machine's clock.
set -eu

backports=0
while getopts "B" o; do
	case $o in
	B) backports=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || {
	echo "usage: debian-root.sh [-B] SUITE ROOT CMD [ARGS...]" >&2
	exit 2
}
suite=$1 root=$2
shift 2

[ "$(id -u)" = 0 ] || { echo "debian-root: needs root (chroot, mount)" >&2; exit 1; }

# mirror LABEL: the URI of the first apt source whose release has label LABEL.
mirror() {
	apt-cache policy 2>/dev/null | awk -v want="$1" '
		$1 ~ /^[0-9]+$/ && $2 ~ /:\/\// { uri = $2 }
		/^ *release / && index($0, ",l=" want ",") { print uri; exit }'
}
main_uri=${DEBIAN_MIRROR:-$(mirror Debian)}
sec_uri=${DEBIAN_SECURITY_MIRROR:-$(mirror Debian-Security)}
[ -n "$main_uri" ] || {
	echo "debian-root: no Debian mirror in this machine's apt sources; set DEBIAN_MIRROR" >&2
	exit 1
}

if [ ! -e "$root/.debian-root" ]; then
	command -v debootstrap >/dev/null || {
		echo "debian-root: needs debootstrap (apt-get install debootstrap)" >&2
		exit 1
	}
	echo "debian-root: debootstrap $suite into $root from $main_uri"
	rm -rf "$root"
	mkdir -p "$root"
	debootstrap --variant=minbase "$suite" "$root" "$main_uri" > "$root.debootstrap.log" 2>&1 || {
		tail -n 20 "$root.debootstrap.log" >&2
		exit 1
	}
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	touch "$root/.debian-root"
fi

{
	echo "deb $main_uri $suite main"
	echo "deb $main_uri $suite-updates main"
	[ -z "$sec_uri" ] || echo "deb $sec_uri $suite-security main"
	[ "$backports" = 0 ] || echo "deb $main_uri $suite-backports main"
} > "$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :

# The mounts live and die with this namespace.
exec unshare --mount --propagation private -- /bin/sh -c '
	root=$1
	shift
	mount -t proc proc "$root/proc" &&
	mount -t sysfs sysfs "$root/sys" &&
	mount --bind /dev "$root/dev" &&
	mount -t tmpfs tmpfs "$root/dev/shm" || exit 1
	exec chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
' debian-root "$root" "$@"
