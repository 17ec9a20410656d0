# SPDX-License-Identifier: GPL-2.0
# Suite "core": module lifecycle, netlink and vmclockctl basics.
t load_unload load_unload.sh
modprobe vmclock
t netlink_test netlink_test
t vmclockctl vmclockctl.sh
modprobe -r vmclock
