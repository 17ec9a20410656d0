#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One scenario of "make bench-vm" (bench_scenario= from the suite made of
# bench.sh): the same simulated clocks for every tool, each tool run alone
# in turn from the same state (bench_probe reset), CLOCK_REALTIME measured
# against the simulator's truth by bench_probe.  Prints one TAP comment
# "RESULT SCENARIO TOOL METHOD RMS_NS MAX_NS RECOVER_S CLAIMED COVERED
# PROBES" per tool, which bench/table.sh turns into the table.
#
# Scenarios: kvm (one KVM clock), hyperv (one Hyper-V clock), falseticker
# (KVM, ENA and a NIC-like clock, the NIC-like one 5 ms off), step (the
# same three, the KVM clock stepping 1 s 10 s into the measurement, back
# after it), pause (the same three, a 30 s pause of the guest the clocks
# reveal, 10 s in), host30us (the same three, the KVM clock's host 30 us
# off).  chronyd and phc2sys get the KVM (or Hyper-V) clock, the best
# single one.  The guest's oscillator is 20 ppm fast.  bench_warm= and
# bench_measure= on the kernel command line set the seconds of each phase
# (40 and 60).
. /tests/tap.sh
scenario=${bench_scenario:?}
warm=${bench_warm:-40}
meas=${bench_measure:-60}
sim=/sys/kernel/debug/vmclock_sim
echo "# bench-vm $scenario: kernel $(uname -r), $warm s warm-up, $meas s measured"

modprobe vmclock_sim
modprobe vmclock
echo "truth_freq 20000" > $sim/ctl

event_at=-1 event_path=$sim/ctl event_value=none undo=
if [ "$scenario" = hyperv ]; then
	echo "add 0 hyperv" > $sim/ctl
else
	echo "add 0 KVM virtual PTP" > $sim/ctl
fi
case $scenario in
kvm|hyperv) n=1 ;;
*)
	n=3
	echo "add 1 ena-ptp-00" > $sim/ctl
	echo "add 2 nic-like" > $sim/ctl
	echo 2000 > $sim/2/latency_ns
	echo 200 > $sim/2/noise_ns
	;;
esac
case $scenario in
falseticker) echo 5000000 > $sim/2/offset_ns ;;
host30us) echo 30000 > $sim/0/offset_ns ;;
step)
	event_at=10 event_path=$sim/0/step_ns event_value=1000000000
	undo="echo -1000000000 > $sim/0/step_ns"
	;;
pause)
	event_at=10 event_value="pause 30000000000"
	;;
esac
i=0
while [ $i -lt $n ]; do
	vmclockctl source add /dev/$(cat $sim/$i/ptp) > /dev/null
	i=$((i + 1))
done
best=/dev/$(cat $sim/0/ptp)
unified=/dev/$(cat /sys/kernel/vmclock/phc)
case $(cat $sim/0/mode) in
kvm) method=PRECISE ;;
hyperv) method=SYS_OFFSET ;;
*) method=EXTENDED ;;
esac

mkdir -p /var/run/chrony /var/lib/chrony
grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/root:/bin/sh' >> /etc/passwd
grep -q '^root:' /etc/group 2>/dev/null || echo 'root:x:0:' >> /etc/group

# run TOOL METHOD CMD...: start CMD from the same state, let it settle,
# measure, stop it; one line "# RESULT scenario tool method figures".
run() {
	tool=$1 m=$2
	shift 2
	case ",$tools," in
	*",$tool,"*) ;;
	*) return ;;
	esac
	bench_probe reset || echo "# reset failed"
	"$@" > /tmp/$tool.out 2>&1 &
	pid=$!
	sleep "$warm"
	res=$(bench_probe measure "$meas" "$event_at" "$event_path" "$event_value")
	alive=0
	kill $pid 2>/dev/null && alive=1
	wait $pid 2>/dev/null
	echo "# RESULT $scenario $tool $m $res"
	tail -n 3 /tmp/$tool.out | sed 's/^/#   /'
	[ -z "$undo" ] || sh -c "$undo"
	check "$tool ran to the end and was measured" \
		[ $alive = 1 -a -n "$res" ]
}

# chrony_conf FILE REFCLOCK-LINE: the refclock, and what Debian's
# chrony.conf has on the system clock: makestep 1 3, and rtcsync, without
# which chronyd leaves the kernel's clock marked unsynchronized.
chrony_conf() {
	printf '%s\nmakestep 1 3\nrtcsync\n' "$2" > "$1"
}
chrony_conf /tmp/chrony-a.conf "refclock PHC $best poll 3 dpoll -2 offset 0"
chrony_conf /tmp/chrony-b.conf "refclock PHC $best poll 0 delay 0.0004"
chrony_conf /tmp/chrony-u.conf "refclock PHC $unified poll 0 dpoll -1 refid VMCL"

# bench_tools= (comma-separated) runs some tools only; bench_sync=
# gives vmclockctl sync options (commas for spaces).
tools=${bench_tools:-vmclock,chrony-poll3,chrony-poll0,chrony-vmclock,phc2sys}
plan $(echo "$tools" | tr ',' '\n' | grep -c .)
i=0
while [ "$(cat /sys/kernel/vmclock/status)" != synchronized ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
# shellcheck disable=SC2046
run vmclock PRECISE-unified vmclockctl sync $(echo "${bench_sync:-}" | tr ',' ' ')
run chrony-poll3 $method chronyd -u root -n -d -f /tmp/chrony-a.conf
run chrony-poll0 $method chronyd -u root -n -d -f /tmp/chrony-b.conf
run chrony-vmclock PRECISE-unified chronyd -u root -n -d -f /tmp/chrony-u.conf
run phc2sys $method phc2sys -s "$best" -c CLOCK_REALTIME -O 0 -m -q
diag "$(vmclockctl sources)"
modprobe -r vmclock
modprobe -r vmclock_sim
tap_exit
