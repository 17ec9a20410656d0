# SPDX-License-Identifier: GPL-2.0
# Suite "sampling": sources sampled from simulated hypervisor clocks
# (selftests/sim: KVM, Hyper-V and ENA behaviours, unplug), their lives
# (ids, blocking reads, clocks gone unread), unloading amid events, and
# monitor across an unload and reload of vmclock.
modprobe vmclock_sim
modprobe vmclock
t sampling_test sampling_test
t lifecycle_test lifecycle_test
t unload_events unload_events.sh
modprobe vmclock
t monitor_reload monitor_reload.sh
t sim_unload sim_unload.sh
