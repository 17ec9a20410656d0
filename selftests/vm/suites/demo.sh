# SPDX-License-Identifier: GPL-2.0
# "make demo": what an operator sees.  The guest has no hypervisor clock,
# so the simulator plays a KVM, a Hyper-V and an AWS ENA one, each a few
# microseconds off the truth.
modprobe vmclock_sim
sim=/sys/kernel/debug/vmclock_sim
echo "add 0 KVM virtual PTP" > $sim/ctl
echo "add 1 hyperv" > $sim/ctl
echo "add 2 ena-ptp-00" > $sim/ctl
echo 3000 > $sim/0/offset_ns
echo -2000 > $sim/2/offset_ns
echo
echo "guest# modprobe vmclock"
modprobe vmclock
echo "guest# vmclockctl discover"
vmclockctl discover
sleep 8
echo "guest# vmclockctl sources        # 8 s later"
vmclockctl sources
echo "guest# vmclockctl status"
vmclockctl status
echo "guest# cat /sys/kernel/vmclock/{status,selected,error_bound_ns}"
cat /sys/kernel/vmclock/status /sys/kernel/vmclock/selected \
	/sys/kernel/vmclock/error_bound_ns
echo
