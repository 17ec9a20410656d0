#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# QEMU's vmclock device and a snapshot restored: vmclock follows the
# device's page, and when the host restores a snapshot (the suite has the
# host savevm and loadvm once this prints VMCLOCK-SAVEVM) the marker moves
# and the unified clock is disrupted within a tick, then synchronizes
# again.  Needs vmclock and vmclock_sim loaded, root, -device vmclock.
. /tests/tap.sh
plan 9

# The upstream driver, where the kernel has it, maps the page too.
drv=0
modprobe ptp_vmclock 2>/dev/null && drv=1

V=/sys/kernel/vmclock
dev=$(cat $V/hv_device)
diag "device $dev, marker $(cat $V/hv_marker), ptp_vmclock $(lsmod | grep -c '^ptp_vmclock')"
check "the vmclock device is followed ($dev)" \
	sh -c "echo '$dev' | grep -Eq '^(AMZNC10C|VMCLOCK):'"

# wait_for SECONDS CMD...: until CMD succeeds, polling every 0.1 s.
wait_for() {
	_n=$(($1 * 10))
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.1
	done
}
is() { [ "$(cat "$1")" = "$2" ]; }

echo "add 0 KVM virtual PTP" > /sys/kernel/debug/vmclock_sim/ctl
vmclockctl discover > /dev/null
check "synchronized on a simulated KVM clock" wait_for 60 is $V/status synchronized
before=$(cat $V/hv_disruptions) marker=$(cat $V/hv_marker)
check "no disruption before the snapshot ($before)" [ "$before" = 0 ]

# From here the host saves the VM and restores it: the guest goes on
# from about this point, with the device's marker moved.  With a source
# as exact as this one, the clock may be synchronized again within the
# same poll: the status events tell that it was disrupted.
vmclockctl -j monitor > /tmp/vmclockdev.events &
mon=$!
sleep 0.5
echo VMCLOCK-SAVEVM
start=$(cut -d' ' -f1 /proc/uptime)
wait_for 120 sh -c "[ \$(cat $V/hv_disruptions) != $before ]"
seen=$?
took=$(awk -v s="$start" '{ printf "%.1f", $1 - s }' /proc/uptime)
diag "disruption seen after ${took} s of guest time, marker $(cat $V/hv_marker) (was $marker)"
check "the restore is seen as a disruption" [ $seen = 0 ]
check "the marker moved" [ "$(cat $V/hv_marker)" != "$marker" ]

# marker_of_dev: the marker as ptp_vmclock's /dev/vmclock0 reads it, in the
# form of hv_marker (0x and no leading zeros).
marker_of_dev() {
	head -c 24 /dev/vmclock0 | tail -c 8 | od -A n -t x8 |
		sed 's/^ *0*/0x/'
}
if [ $drv = 1 ]; then
	diag "ptp_vmclock: $(ls /dev/vmclock* 2>&1), marker $(marker_of_dev)"
	check "ptp_vmclock reads the marker vmclock follows" \
		[ "$(marker_of_dev)" = "$(cat $V/hv_marker)" ]
	rmmod ptp_vmclock
	check "vmclock keeps following when ptp_vmclock goes" \
		[ "$(cat $V/hv_device)" = "$dev" ]
else
	ok "# SKIP no ptp_vmclock in this kernel"
	ok "# SKIP no ptp_vmclock in this kernel"
fi
check "and synchronized again" wait_for 90 is $V/status synchronized
sleep 0.5
kill $mon
diag "$(cat /tmp/vmclockdev.events)"
check "the unified clock was disrupted, then synchronized" \
	sh -c "grep -A100 '\"status\":\"disrupted\"' /tmp/vmclockdev.events | grep -q '\"status\":\"synchronized\"'"
diag "$(dmesg | grep -E 'vmclock: .*(disruption|following)' | tail -n 3)"

for d in $V/sources/*; do
	[ -d "$d" ] && vmclockctl source del "${d##*/}"
done
echo "del 0" > /sys/kernel/debug/vmclock_sim/ctl
tap_exit
