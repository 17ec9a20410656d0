#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unload vmclock again and again while its events fire: sources sampled
# every 50 ms, the unified clock changing status, a listener subscribed,
# the unload at a different moment each time.  No event may be sent once
# the family is gone; the host checks the kernel log.  Leaves vmclock
# unloaded.
. /tests/tap.sh
plan 4

sim=/sys/kernel/debug/vmclock_sim
for i in 50 51; do
	echo "add $i KVM virtual PTP" > $sim/ctl
done
echo "add 52 ena-ptp-00" > $sim/ctl
lsmod | grep -q '^vmclock ' && modprobe -r vmclock

cycles=0 events=0 bad=0
while [ $cycles -lt 40 ]; do
	modprobe vmclock || break
	vmclockctl monitor > /tmp/events 2>&1 &
	mon=$!
	vmclockctl discover > /dev/null || bad=$((bad + 1))
	for d in /sys/kernel/vmclock/sources/*; do
		vmclockctl source set "${d##*/}" --poll 50 || bad=$((bad + 1))
	done
	# 0 to 1.9 s: before, around and after the clock synchronizes.
	sleep "$((cycles % 2)).$((cycles * 7 % 10))"
	modprobe -r vmclock || break
	kill $mon 2>/dev/null
	wait $mon 2>/dev/null
	events=$((events + $(grep -c . /tmp/events)))
	cycles=$((cycles + 1))
done

check "40 unloads while sources sample and events fire ($cycles done)" \
	[ $cycles -eq 40 ]
check "every discover and source set succeeded ($bad failed)" [ $bad -eq 0 ]
check "events reached the listener ($events)" [ $events -gt 0 ]
check "vmclock is unloaded" sh -c '! lsmod | grep -q "^vmclock "'
for i in 50 51 52; do
	echo "del $i" > $sim/ctl
done
tap_exit
