#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test guest.  Runs /tests/suite.sh, dumps the kernel log and
# reports to the host through QEMU's isa-debug-exit port (0xf4, written by
# guest_exit): the host sees exit status (code << 1) | 1, so only an odd
# status is a result.

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

export PATH=/sbin:/bin:/usr/sbin:/usr/bin:/tests
export HOME=/root

# report CODE: hand CODE (0..127) to the host and stop.
report() {
	/tests/guest_exit "$1"
	poweroff -f
}

echo "VMCLOCK-GUEST-UP $(cut -d' ' -f1 /proc/uptime)"
rc=0
# t NAME [ARGS...]: run one test program inside section markers.
t() {
	tap-section.sh "$@" || rc=1
}
cd /tests || report 2
. /tests/suite.sh
echo "VMCLOCK-GUEST-DONE rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
dmesg | sed 's/^/dmesg: /'
sync
report $rc
