# SPDX-License-Identifier: GPL-2.0
# Suite "unified": the unified clock against the simulator's truth, and
# read by linuxptp and chronyd.
#@ bins: phc_ctl chronyd chronyc udevadm
modprobe vmclock_sim
modprobe vmclock
t unified_test unified_test
sim=/sys/kernel/debug/vmclock_sim
echo "add 0 KVM virtual PTP" > $sim/ctl
echo "add 1 ena-ptp-00" > $sim/ctl
vmclockctl discover > /dev/null
t interop interop.sh
for d in /sys/kernel/vmclock/sources/*; do vmclockctl source del "${d##*/}"; done
t udev_rule udev_rule.sh
echo "del 0" > $sim/ctl
echo "del 1" > $sim/ctl
modprobe -r vmclock_sim
