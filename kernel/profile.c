// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: profiles, what vmclock knows about each kind of hypervisor clock.
 *
 * The host error defaults are deliberately conservative: no platform
 * publishes a figure its PHC guarantees (except vmclock devices and the
 * ENA driver's sysfs bound, which later versions read).  Operators who
 * know better set it per source (vmclockctl source set ID host-error NS).
 */

#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "vmclock.h"

static const struct vmclock_profile vmclock_profiles[] = {
	{
		/* ptp_kvm: a hypercall returns the host's CLOCK_REALTIME. */
		.name		= "kvm",
		.match		= "KVM virtual PTP",
		.poll_ms	= 1000,
		.burst		= 5,
		.host_error_ns	= 100000,
		.granularity_ns	= 1,
	},
	{
		/*
		 * hv_utils TimeSync: the host pushes a sample about every
		 * 5 s in 100 ns units; reads extrapolate the last one and
		 * fail with -ESTALE once it is too old.
		 */
		.name		= "hyperv",
		.match		= "hyperv",
		.poll_ms	= 1000,
		.burst		= 3,
		.host_error_ns	= 100000,
		.granularity_ns	= 100,
		.update_period_ns = 5 * NSEC_PER_SEC,
		.stale		= VMCLOCK_STALE_IS_STALE,
	},
	{
		/* ENA: a PCIe register read, at most 125 reads/s advised. */
		.name		= "ena",
		.match		= "ena-ptp-",
		.prefix		= true,
		.poll_ms	= 1000,
		.burst		= 3,
		.max_reads_per_s = 125,
		.host_error_ns	= 100000,
		.granularity_ns	= 1,
	},
	{
		/* ptp_vmclock: a shared-memory clock. */
		.name		= "vmclock",
		.match		= "vmclock",
		.prefix		= true,
		.poll_ms	= 1000,
		.burst		= 3,
		.host_error_ns	= 100000,
		.granularity_ns	= 1,
	},
	{
		/* Any other PHC: nothing is known about it. */
		.name		= "generic",
		.poll_ms	= 1000,
		.burst		= 3,
		.host_error_ns	= 1000000,
		.granularity_ns	= 1,
	},
};

const struct vmclock_profile *vmclock_profile_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmclock_profiles); i++)
		if (!strcmp(vmclock_profiles[i].name, name))
			return &vmclock_profiles[i];
	return NULL;
}

const struct vmclock_profile *vmclock_profile_for_clock(const char *clock_name)
{
	const struct vmclock_profile *p;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmclock_profiles); i++) {
		p = &vmclock_profiles[i];
		if (!p->match)
			continue;
		if (p->prefix ? !strncmp(clock_name, p->match, strlen(p->match)) :
				!strcmp(clock_name, p->match))
			return p;
	}
	return vmclock_profile_find("generic");
}
