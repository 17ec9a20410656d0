// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: one accurate clock with an honest error bound, estimated from
 * every hypervisor time source of the guest.
 *
 * Module entry points and the global state of the unified clock.
 */

#include <linux/kernel.h>
#include <linux/module.h>

#include "vmclock.h"

static int __init vmclock_init(void)
{
	int err;

	err = vmclock_timepage_init();
	if (err)
		return err;

	err = vmclock_clock_init();
	if (err)
		goto err_timepage;

	err = vmclock_sources_init();
	if (err)
		goto err_clock;

	err = vmclock_phc_init();
	if (err)
		goto err_sources;

	err = vmclock_sysfs_init();
	if (err)
		goto err_phc;

	err = vmclock_netlink_init();
	if (err)
		goto err_sysfs;

	err = vmclock_hvpage_init();
	if (err)
		goto err_netlink;

	return 0;

err_netlink:
	vmclock_sources_stop();
	vmclock_clock_stop();
	vmclock_netlink_exit();
err_sysfs:
	vmclock_sysfs_exit();
err_phc:
	vmclock_phc_exit();
err_sources:
	vmclock_sources_exit();
err_clock:
	vmclock_clock_exit();
err_timepage:
	vmclock_timepage_exit();
	return err;
}

static void __exit vmclock_exit(void)
{
	/*
	 * No event may be sent once the family is gone.  The samplers and
	 * the tick may each be about to send one, having found vmclock not
	 * stopping yet: stop both (waiting for them) before unregistering
	 * the family, which waits for the requests in flight.  The sources
	 * can then go; their last events are dropped.
	 */
	vmclock_sources_stop();
	vmclock_clock_stop();
	vmclock_hvpage_exit();
	vmclock_netlink_exit();
	vmclock_sources_exit();
	vmclock_clock_exit();
	vmclock_sysfs_exit();
	vmclock_phc_exit();
	/* After the last publication: mappings left see vmclock gone. */
	vmclock_timepage_exit();
}

module_init(vmclock_init);
module_exit(vmclock_exit);

MODULE_DESCRIPTION("Unified guest clock from hypervisor PTP clocks");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMCLOCK_VERSION);
