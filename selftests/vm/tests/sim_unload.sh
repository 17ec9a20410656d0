#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The simulator's module goes away while vmclock samples its clocks: every
# source turns gone and both modules unload cleanly.
. /tests/tap.sh
plan 4

echo "add 7 KVM virtual PTP" > /sys/kernel/debug/vmclock_sim/ctl
echo "add 8 hyperv" > /sys/kernel/debug/vmclock_sim/ctl
vmclockctl discover > /dev/null
for d in /sys/kernel/vmclock/sources/*; do
	vmclockctl source set "${d##*/}" --poll 50
done
sleep 0.3
modprobe -r vmclock_sim
check "vmclock_sim unloads while its clocks are sampled" [ $? -eq 0 ]
sleep 0.3
states=$(cat /sys/kernel/vmclock/sources/*/state | sort -u | tr '\n' ' ')
check "every source is gone ($states)" [ "$states" = "gone " ]
out=$(vmclockctl discover)
check "discover removes the gone sources ($(echo $out))" \
	[ -z "$(ls /sys/kernel/vmclock/sources)" ]
modprobe -r vmclock
check "vmclock unloads" [ $? -eq 0 ]
tap_exit
