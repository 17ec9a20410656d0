#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unload vmclock while sources are attached and sampling fast.
. /tests/tap.sh
plan 4

phc=
for f in /sys/class/ptp/ptp*/clock_name; do
	[ "$(cat "$f")" = vmclock-unified ] || phc=$(basename "$(dirname "$f")")
done
for d in /sys/kernel/vmclock/sources/*; do
	[ -d "$d" ] && vmclockctl source del "${d##*/}"
done
vmclockctl source add /dev/$phc --poll 50 >/dev/null
# A listener, so that notifications are really built while unloading.
vmclockctl monitor > /dev/null 2>&1 &
mon=$!
sleep 0.5
n=$(cat /sys/kernel/vmclock/sources/*/samples 2>/dev/null | head -n 1)
check "a source samples every 50 ms (${n:-no} samples in 0.5 s)" [ "${n:-0}" -ge 3 ]
modprobe -r vmclock
check "modprobe -r vmclock succeeds with sources attached and a listener" [ $? -eq 0 ]
kill $mon 2>/dev/null
wait $mon 2>/dev/null
check "and removes /sys/kernel/vmclock" [ ! -e /sys/kernel/vmclock ]
modprobe vmclock && modprobe -r vmclock
check "vmclock loads and unloads again afterwards" [ $? -eq 0 ]
tap_exit
