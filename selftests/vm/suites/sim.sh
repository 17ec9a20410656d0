# SPDX-License-Identifier: GPL-2.0
# Suite "sim": the simulated hypervisor clocks themselves (vmclock_sim).
modprobe vmclock_sim
t sim_test sim_test
modprobe -r vmclock_sim
