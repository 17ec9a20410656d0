# SPDX-License-Identifier: GPL-2.0
# Suite "unified": the unified clock against the simulator's truth.
modprobe vmclock_sim
modprobe vmclock
t unified_test unified_test
modprobe -r vmclock
modprobe -r vmclock_sim
