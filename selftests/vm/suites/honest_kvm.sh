# SPDX-License-Identifier: GPL-2.0
# Suite "honest_kvm": the honest suite's drift with the other story, the
# KVM-like clock drifting (-8 ppm): the source read by cross timestamps,
# the least noisy, goes wrong while the ENA-like one stays right.
modprobe vmclock_sim
modprobe vmclock
t honest_kvm_test env HONEST_DRIFTER=kvm HONEST_DRIFT_PPB=-8000 \
	HONEST_ONLY=drifting_minority honest_test
modprobe -r vmclock_sim
