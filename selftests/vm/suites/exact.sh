# SPDX-License-Identifier: GPL-2.0
# Suite "exact": each clock read with its driver's most exact method, the
# host's own error report, and the fallback when the driver's methods
# cannot be reached safely.
modprobe vmclock_sim
modprobe vmclock
t exact_test exact_test
modprobe -r vmclock_sim
