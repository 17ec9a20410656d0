# SPDX-License-Identifier: GPL-2.0
# Suite "dkms": the module as DKMS builds it for an operator loads, works
# and unloads (the boot's module is build/dkms/vmclock.ko).
t dkms_module dkms_module.sh
modprobe vmclock
t vmclockctl vmclockctl.sh
modprobe -r vmclock
