#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Other programs use the unified clock as the PTP clock it is: linuxptp's
# phc_ctl reads it (and cannot set it), chronyd takes it as a refclock.
# Needs sources attached and the clock synchronized (or about to be).
. /tests/tap.sh
plan 6

phc=/dev/$(cat /sys/kernel/vmclock/phc)
i=0
while [ "$(cat /sys/kernel/vmclock/status)" != synchronized ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done

out=$(phc_ctl "$phc" get 2>&1)
check "phc_ctl get reads the unified clock ($out)" \
	sh -c "echo '$out' | grep -q 'clock time is'"
out=$(phc_ctl "$phc" cmp 2>&1)
check "phc_ctl cmp compares it with CLOCK_REALTIME ($out)" \
	sh -c "echo '$out' | grep -q 'offset from CLOCK_REALTIME is'"
out=$(phc_ctl "$phc" set 0 2>&1)
check "phc_ctl set is refused: the clock is read-only ($out)" \
	sh -c "echo '$out' | grep -qi 'not supported'"

mkdir -p /var/run/chrony /var/lib/chrony
# chronyd looks its user up even as root.
grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/root:/bin/sh' >> /etc/passwd
grep -q '^root:' /etc/group 2>/dev/null || echo 'root:x:0:' >> /etc/group
cat > /tmp/chrony.conf <<CONF
refclock PHC $phc poll 0 dpoll -1 refid VMCL
CONF
# -x: leave the system clock alone, -u root: no chrony user here.
chronyd -x -u root -n -f /tmp/chrony.conf -l /tmp/chronyd.log &
chronyd=$!
sleep 8
src=$(chronyc -n sources 2>&1)
diag "$src"
check "chronyd runs with the unified clock as refclock" kill -0 $chronyd
check "chronyc lists it as a source" sh -c "echo '$src' | grep -q '^#. VMCL'"
reach=$(echo "$src" | awk '$2 == "VMCL" { print $5 }')
check "chronyd has received samples from it (reach $reach)" \
	[ -n "$reach" -a "$reach" != 0 ]
kill $chronyd
wait $chronyd 2>/dev/null
diag "$(cat /tmp/chronyd.log 2>/dev/null | tail -n 5)"
tap_exit
