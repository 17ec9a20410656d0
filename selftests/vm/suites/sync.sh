# SPDX-License-Identifier: GPL-2.0
# Suite "sync": vmclockctl sync steering CLOCK_REALTIME to the unified
# clock of a simulated KVM clock; the ClockBound segment it keeps, read
# as ClockBound's clients read it.
#@ bins: chronyd
modprobe vmclock_sim
modprobe vmclock
t sync_test sync_test
t clockbound_test clockbound_test
modprobe -r vmclock_sim
