# SPDX-License-Identifier: GPL-2.0
# "make bench-read": what a read of the time costs in the guest, with a
# simulated KVM clock making the unified clock synchronized and vmclockctl
# sync keeping a ClockBound segment.  Not part of make check.
modprobe vmclock_sim
modprobe vmclock
echo "add 0 KVM virtual PTP" > /sys/kernel/debug/vmclock_sim/ctl
vmclockctl discover > /dev/null
i=0
while [ "$(cat /sys/kernel/vmclock/status)" != synchronized ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /run/clockbound
vmclockctl sync --clockbound /run/clockbound/shm0 > /dev/null 2>&1 &
sync_pid=$!
i=0
while [ ! -s /run/clockbound/shm0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t bench_read bench_read /dev/$(cat /sys/kernel/vmclock/phc) /run/clockbound/shm0
kill $sync_pid
wait $sync_pid
