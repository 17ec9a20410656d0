# SPDX-License-Identifier: GPL-2.0
# Suite "sampling": sources sampled from simulated hypervisor clocks
# (selftests/sim: KVM, Hyper-V and ENA behaviours, unplug) and their lives.
modprobe vmclock_sim
modprobe vmclock
t sampling_test sampling_test
t lifecycle_test lifecycle_test
t sim_unload sim_unload.sh
