# SPDX-License-Identifier: GPL-2.0
# Suite "sync": vmclockctl sync steering CLOCK_REALTIME to the unified
# clock of a simulated KVM clock.
#@ bins: chronyd
modprobe vmclock_sim
modprobe vmclock
t sync_test sync_test
modprobe -r vmclock_sim
