# SPDX-License-Identifier: GPL-2.0
# Suite "vmclockdev": QEMU's vmclock device (the hypervisor's page, QEMU 10
# and later) and a snapshot restored while vmclock runs.  Skipped where
# QEMU has no such device (Debian 12's 7.2).  Where the kernel has
# ptp_vmclock (6.13 and later), the driver maps the same page meanwhile.
#@ modules-optional: ptp_vmclock
#@ qemu-devices: vmclock
#@ qemu: -device vmclock
#@ snapshot-at: VMCLOCK-SAVEVM
modprobe vmclock_sim
modprobe vmclock
t vmclock_device vmclock_device.sh
modprobe -r vmclock_sim
