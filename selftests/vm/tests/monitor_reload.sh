#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmclockctl monitor against a sender that is not the kernel, and across
# an unload and reload of vmclock: a plain monitor reports the unload and
# fails, monitor --follow goes on with the reloaded module.  Needs
# vmclock and vmclock_sim loaded; leaves vmclock loaded with no source.
. /tests/tap.sh
plan 9

sim=/sys/kernel/debug/vmclock_sim

# wait_for FILE PATTERN: up to 10 s for a line matching PATTERN.
wait_for() {
	_i=0
	while ! grep -q "$2" "$1" && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

# gone PID: up to 10 s for the process to end.
gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

vmclockctl monitor > /tmp/plain.out 2> /tmp/plain.err &
plain=$!
vmclockctl -j monitor --follow > /tmp/follow.out 2> /tmp/follow.err &
follow=$!
sleep 1

# Another process sends the monitors what the kernel would.
diag "$(nl_spoof $plain)"
diag "$(nl_spoof $follow)"
sleep 0.5
check "a spoofed source event is not printed ($(cat /tmp/plain.out))" \
	[ ! -s /tmp/plain.out ]
check "nor under -j --follow ($(cat /tmp/follow.out))" \
	[ -z "$(grep 4242 /tmp/follow.out)" ]
check "a spoofed family deletion stops neither monitor" \
	kill -0 $plain $follow

modprobe -r vmclock
gone $plain
kill $plain 2>/dev/null		# still silent: a failure, but end it
wait $plain
rc=$?
check "monitor ends when vmclock is unloaded: exit 1 ($rc)" [ $rc -eq 1 ]
check "and says why ($(cat /tmp/plain.err))" \
	[ "$(cat /tmp/plain.err)" = "vmclockctl: monitor: the vmclock module was unloaded (--follow waits for it to come back)" ]

modprobe vmclock
wait_for /tmp/follow.out module-loaded
echo "add 5 KVM virtual PTP" > $sim/ctl
vmclockctl discover > /dev/null
wait_for /tmp/follow.out source-added
kill $follow
wait $follow 2>/dev/null
diag "$(cat /tmp/follow.out /tmp/follow.err)"
check "monitor --follow reports the unload and the reload" \
	[ "$(head -n 2 /tmp/follow.out | tr '\n' ,)" = '{"event":"module-unloaded"},{"event":"module-loaded"},' ]
check "and the reloaded module's events" \
	grep -q '^{"event":"source-added","source":{"id":[0-9]*,"phc":"ptp[0-9]*","clock_name":"KVM virtual PTP",' /tmp/follow.out
check "monitor --follow printed no error" [ ! -s /tmp/follow.err ]

for d in /sys/kernel/vmclock/sources/*; do
	[ -d "$d" ] && vmclockctl source del "${d##*/}"
done
echo "del 5" > $sim/ctl
check "cleaned up" [ -z "$(ls /sys/kernel/vmclock/sources)" ]
tap_exit
