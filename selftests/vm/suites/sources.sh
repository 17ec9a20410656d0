# SPDX-License-Identifier: GPL-2.0
# Suite "sources": attaching PTP clocks, with a real driver's PHC.
#@ modules: e1000e
#@ qemu: -device e1000e
modprobe e1000e
modprobe vmclock
t source_test source_test
t source_cli source_cli.sh
t netlink_fuzz netlink_fuzz 20000
t unload_busy unload_busy.sh
