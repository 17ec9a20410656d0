# SPDX-License-Identifier: GPL-2.0
# Suite "timepage": /dev/vmclock-time and <vmclock/time.h> against the
# unified PHC; reloads vmclock at its end.
modprobe vmclock_sim
modprobe vmclock
t timepage_test timepage_test
modprobe -r vmclock_sim
