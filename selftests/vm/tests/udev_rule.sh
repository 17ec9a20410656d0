#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The shipped udev rule under the distribution's systemd-udevd: among
# several PTP clocks, /dev/ptp_vmclock is the unified one, every user can
# read it, and it goes away with the module; a hypervisor clock that
# appears is attached.  Unloads vmclock.
. /tests/tap.sh
plan 8

mkdir -p /run/udev /etc/udev/rules.d
cp /tests/60-vmclock.rules /etc/udev/rules.d/
# udevadm is systemd-udevd when called so.
ln -sf "$(command -v udevadm)" /tmp/systemd-udevd
/tmp/systemd-udevd --daemon > /dev/null 2>&1
udevadm trigger --subsystem-match=ptp --action=add
udevadm settle -t 10

n=$(ls /sys/class/ptp | wc -l)
link=$(readlink /dev/ptp_vmclock)
check "/dev/ptp_vmclock is the unified clock ($link of $n PTP clocks)" \
	[ "$link" = "$(cat /sys/kernel/vmclock/phc)" -a "$n" -gt 1 ]
# linuxptp 3.1 takes the PHC index from the name: it needs the target.
out=$(phc_ctl "$(readlink -f /dev/ptp_vmclock)" get 2>&1)
check "phc_ctl reads it through readlink -f ($out)" \
	sh -c "echo '$out' | grep -q 'clock time is'"
# Reading reveals nothing secret and the module refuses adjustments.
mode=$(stat -L -c %a /dev/ptp_vmclock)
check "the unified clock is readable by all, writable by root ($mode)" \
	[ "$mode" = 644 ]
status=$(cat /sys/kernel/vmclock/status)
out=$(phc_read_as 65534 /dev/ptp_vmclock)
check "an unprivileged user reads it with clock_gettime ($out, $status)" \
	[ "$out" = "read ok" -o \( "$out" = "read EAGAIN" -a "$status" = unsynchronized \) ]
# A hypervisor clock appearing later is attached; another PHC is not.
# udev runs programs with its own PATH, where an installed vmclockctl is.
ln -sf /tests/vmclockctl /usr/bin/vmclockctl
sim=/sys/kernel/debug/vmclock_sim
echo "add 5 KVM virtual PTP" > $sim/ctl
echo "add 6 nic-like" > $sim/ctl
udevadm settle -t 10
p5=$(cat $sim/5/ptp) p6=$(cat $sim/6/ptp)
diag "$(vmclockctl sources)"
check "a KVM clock added later is attached ($p5)" \
	sh -c "vmclockctl -j sources | grep -q '\"phc\":\"$p5\"'"
check "a PHC with no profile is not ($p6)" \
	sh -c "! vmclockctl -j sources | grep -q '\"phc\":\"$p6\"'"
echo "del 5" > $sim/ctl
echo "del 6" > $sim/ctl
modprobe -r vmclock
check "vmclock unloads" [ $? -eq 0 ]
udevadm settle -t 10
check "and /dev/ptp_vmclock is gone" [ ! -e /dev/ptp_vmclock ]
tap_exit
