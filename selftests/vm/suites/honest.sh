# SPDX-License-Identifier: GPL-2.0
# Suite "honest": the unified clock's bound against the simulator's truth
# while one of three sources drifts away, and across an unseen pause.
modprobe vmclock_sim
modprobe vmclock
t honest_test honest_test
modprobe -r vmclock_sim
