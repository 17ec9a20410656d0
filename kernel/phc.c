// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: the unified PTP clock, and telling PTP clocks from other files.
 *
 * The unified clock is registered when the module loads, as a child of the
 * root device /sys/devices/vmclock.  Its clock_name is "vmclock-unified".
 * Reads evaluate the published snapshot at the current raw time; a cross
 * timestamp (PTP_SYS_OFFSET_PRECISE) is exact, the clock being a function
 * of the system's raw clock.  It is read-only: adjustments fail with
 * -EOPNOTSUPP.  While there is no estimate (status unsynchronized), reads
 * fail with -EAGAIN.
 *
 * The ptp class is not exported, but the device the ptp core creates for
 * our own clock belongs to it: vmclock learns the class from there and
 * identifies any other PTP clock by looking its device number up in it,
 * before trusting that the file's character device is a posix clock.
 */

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/posix-clock.h>
#include <linux/timekeeping.h>
#include <linux/ptp_clock_kernel.h>
#include <net/netlink.h>

#include "vmclock.h"

static struct device *vmclock_root;
static struct ptp_clock *vmclock_ptp;
static const struct class *vmclock_ptp_class;
static dev_t vmclock_ptp_devt;

static int vmclock_phc_gettimex64(struct ptp_clock_info *info,
				  struct timespec64 *ts,
				  struct ptp_system_timestamp *sts)
{
	s64 time_ns;
	u64 raw, bound;
	int err;

	ptp_read_system_prets(sts);
	err = vmclock_clock_now(&raw, &time_ns, &bound);
	ptp_read_system_postts(sts);
	if (!err)
		*ts = ns_to_timespec64(time_ns);
	return err;
}

static int vmclock_phc_getcrosststamp(struct ptp_clock_info *info,
				      struct system_device_crosststamp *cts)
{
	struct system_time_snapshot sys;
	s64 time_ns;
	u64 bound;
	int err;

	/* Snapshots are of CLOCK_REALTIME (not of an auxiliary clock). */
	if (vmclock_crosststamp_clock_id(cts) != CLOCK_REALTIME)
		return -EOPNOTSUPP;
	err = vmclock_clock_at_snapshot(&sys, NULL, &time_ns, &bound);
	if (err)
		return err;
	cts->device = ns_to_ktime(time_ns);
	cts->sys_systime = sys.systime;
	cts->sys_monoraw = sys.monoraw;
	return 0;
}

static int vmclock_phc_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	return -EOPNOTSUPP;
}

static int vmclock_phc_adjtime(struct ptp_clock_info *info, s64 delta)
{
	return -EOPNOTSUPP;
}

static int vmclock_phc_settime64(struct ptp_clock_info *info,
				 const struct timespec64 *ts)
{
	return -EOPNOTSUPP;
}

static struct ptp_clock_info vmclock_ptp_info = {
	.owner		= THIS_MODULE,
	.name		= "vmclock-unified",
	.gettimex64	= vmclock_phc_gettimex64,
	.getcrosststamp	= vmclock_phc_getcrosststamp,
	.adjfine	= vmclock_phc_adjfine,
	.adjtime	= vmclock_phc_adjtime,
	.settime64	= vmclock_phc_settime64,
};

int vmclock_phc_index(void)
{
	return ptp_clock_index(vmclock_ptp);
}

static int vmclock_phc_match_below(struct device *child, void *dev)
{
	return child == dev ||
	       device_for_each_child(child, dev, vmclock_phc_match_below);
}

/*
 * Whether dev is a device below vmclock's root, such as a virtual clock of
 * the unified clock (/sys/class/ptp/ptpN/n_vclocks), which reads the
 * unified clock: attached, vmclock would sample itself.  The search goes
 * down vmclock's own small tree, whose child lists are walked with
 * references, rather than up dev's parents: a parent pointer is only safe
 * while its device is registered, and a virtual clock can be unregistered
 * at any moment.
 */
static bool vmclock_phc_is_ours(struct device *dev)
{
	return device_for_each_child(vmclock_root, dev, vmclock_phc_match_below);
}

/*
 * The posix clock behind file, when file is an open PTP clock other than
 * our own, with a reference held on its device (vmclock_phc_put()); an
 * ERR_PTR with the reason in extack otherwise.
 *
 * The device reference is what keeps the clock's memory: the ptp core
 * frees it on the device's release.  A reference to the file would not
 * do, because a file opened before its clock was unregistered finds, through
 * its inode, whichever clock now has the same device number.
 */
struct posix_clock *vmclock_phc_of_file(struct file *file,
					struct netlink_ext_ack *extack)
{
	struct inode *inode = file_inode(file);
	struct posix_clock *clk;
	struct device *dev;

	/*
	 * An O_PATH file was never opened through its device: nothing shows
	 * that its inode's cdev, if any, is still the one it names.
	 */
	if (file->f_mode & FMODE_PATH) {
		NL_SET_ERR_MSG(extack, "fd was opened with O_PATH, not as a PTP clock");
		return ERR_PTR(-EBADF);
	}
	if (!S_ISCHR(inode->i_mode)) {
		NL_SET_ERR_MSG(extack, "fd is not a character device");
		return ERR_PTR(-EINVAL);
	}
	if (inode->i_rdev == vmclock_ptp_devt) {
		NL_SET_ERR_MSG(extack, "fd is vmclock's own unified clock");
		return ERR_PTR(-EINVAL);
	}
	dev = class_find_device_by_devt(vmclock_ptp_class, inode->i_rdev);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "fd is not a PTP clock (/dev/ptpN)");
		return ERR_PTR(-EINVAL);
	}
	if (vmclock_phc_is_ours(dev)) {
		put_device(dev);
		NL_SET_ERR_MSG(extack,
			       "fd is a clock derived from vmclock's own unified clock");
		return ERR_PTR(-EINVAL);
	}
	/* Only now is i_cdev known to be a posix clock's. */
	if (!inode->i_cdev || file->f_op != inode->i_cdev->ops) {
		put_device(dev);
		NL_SET_ERR_MSG(extack, "fd was not opened as a PTP clock");
		return ERR_PTR(-EINVAL);
	}
	clk = container_of(inode->i_cdev, struct posix_clock, cdev);
	if (clk->dev != dev) {
		put_device(dev);
		NL_SET_ERR_MSG(extack, "fd does not belong to its PTP device");
		return ERR_PTR(-EINVAL);
	}
	return clk;
}

void vmclock_phc_put(struct posix_clock *clk)
{
	put_device(clk->dev);
}

int vmclock_phc_init(void)
{
	struct device *dev;
	int err;

	vmclock_root = root_device_register("vmclock");
	if (IS_ERR(vmclock_root))
		return PTR_ERR(vmclock_root);

	vmclock_ptp = ptp_clock_register(&vmclock_ptp_info, vmclock_root);
	if (IS_ERR(vmclock_ptp)) {
		err = PTR_ERR(vmclock_ptp);
		goto err_root;
	}
	err = -ENODEV;
	if (!vmclock_ptp)		/* PTP support not built */
		goto err_root;

	dev = device_find_any_child(vmclock_root);
	if (!dev || !dev->class) {
		put_device(dev);
		goto err_ptp;
	}
	vmclock_ptp_class = dev->class;
	vmclock_ptp_devt = dev->devt;
	put_device(dev);
	return 0;

err_ptp:
	ptp_clock_unregister(vmclock_ptp);
err_root:
	root_device_unregister(vmclock_root);
	return err;
}

void vmclock_phc_exit(void)
{
	ptp_clock_unregister(vmclock_ptp);
	root_device_unregister(vmclock_root);
}
