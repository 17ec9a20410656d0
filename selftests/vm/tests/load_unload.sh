#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload vmclock 100 times while another process keeps asking for
# the status over netlink; the kernel log is checked by the host afterwards.
. /tests/tap.sh
plan 6

lsmod | grep -q '^vmclock ' && modprobe -r vmclock

# A reader racing with the unloads: status requests fail while unloaded.
( while [ ! -e /tmp/stop-reader ]; do vmclockctl status >/dev/null 2>&1; done ) &
reader=$!

cycles=0 bad_status=0 left_behind=0
while [ $cycles -lt 100 ]; do
	modprobe vmclock || break
	[ "$(cat /sys/kernel/vmclock/status)" = unsynchronized ] ||
		bad_status=$((bad_status + 1))
	modprobe -r vmclock || break
	[ -e /sys/kernel/vmclock ] && left_behind=$((left_behind + 1))
	cycles=$((cycles + 1))
done
touch /tmp/stop-reader
wait $reader

check "100 load/unload cycles with a concurrent reader ($cycles done)" [ $cycles -eq 100 ]
check "status reads unsynchronized after every load ($bad_status bad)" [ $bad_status -eq 0 ]
check "/sys/kernel/vmclock removed by every unload ($left_behind left)" [ $left_behind -eq 0 ]
check "module is not listed after unload" sh -c '! lsmod | grep -q "^vmclock "'

msg=$(vmclockctl status 2>&1)
rc=$?
check "vmclockctl status exits 1 without the module (rc $rc)" [ $rc -eq 1 ]
check "and says how to load it" [ "$msg" = "vmclockctl: vmclock module not loaded (modprobe vmclock)" ]
tap_exit
