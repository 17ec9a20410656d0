#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debian.sh SUITE: the whole 'make check' inside a Debian SUITE root
# ('make check-debian13' is check-debian.sh trixie), against the kernels
# install-deps.sh installs there: for trixie its 6.12 and the newest kernel
# of trixie-backports.  Their headers need that release's compiler and C
# library, so the module is built and tested in the root, not here.
#
# The root is made once with debootstrap under build/roots/SUITE and kept
# (its packages are updated when install-deps.sh finds one missing); this
# working tree, without build/, is copied into it for every run.  The
# results land in build/results-SUITE/, and the last line printed is the
# root's "N passed, N failed".  Needs root (chroot and mounts) and the
# Debian mirror this machine's apt uses.
set -u
suite=${1:?usage: check-debian.sh SUITE}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || {
		echo "check-debian: needs root (chroot, mount)" >&2
		exit 1
	}
	echo "check-debian: running as root with sudo"
	exec sudo VM_JOBS="${VM_JOBS:-}" "$0" "$@"
fi

start=$(date +%s)
root=$top/build/roots/$suite
out=$top/build/results-$suite
if ! command -v debootstrap > /dev/null; then
	echo "check-debian: installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null || exit 1
fi
./selftests/lib/debian-root.sh -B "$suite" "$root" true || exit 1

# The tree as it is, uncommitted changes included; the root's own build/
# is kept, so a second run rebuilds only what changed.
mkdir -p "$root/src"
find "$root/src" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$root/src" -xf - || exit 1

echo "check-debian: make check in a Debian $suite root ($root)"
./selftests/lib/debian-root.sh -B "$suite" "$root" /bin/sh -c '
	cd /src &&
	VMCLOCK_BACKPORTS_KERNEL=1 ./selftests/lib/install-deps.sh &&
	exec make check "$@"' sh ${VM_JOBS:+VM_JOBS=$VM_JOBS} > "$top/build/check-$suite.out" 2>&1
rc=$?
rm -rf "$out"
cp -r "$root/src/build/results" "$out" 2>/dev/null
sed -n '/^== results/,$p' "$top/build/check-$suite.out" | grep -v '^make: \*\*\*'
[ "$rc" = 0 ] || [ -d "$out" ] || tail -n 40 "$top/build/check-$suite.out"
echo "check-debian: $suite done in $(($(date +%s) - start)) s (log build/check-$suite.out, results build/results-$suite/)"
exit $rc
