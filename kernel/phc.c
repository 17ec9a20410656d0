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
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/string.h>
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

/*
 * The first members of the PTP core's struct ptp_clock, which is private
 * to drivers/ptp (ptp_private.h).  They have been these, in this order,
 * since the class device was embedded (5.x) and are so in 7.x: the posix
 * clock, the class device, the driver's ptp_clock_info, the device number
 * and the clock's index.  vmclock relies on this only after checking it
 * against what the clock publishes; see vmclock_phc_info().
 */
struct vmclock_ptp_head {
	struct posix_clock clock;
	struct device dev;
	struct ptp_clock_info *info;
	dev_t devid;
	int index;
};

/* Tests make one of the checks below fail (debugfs phc_check_fault). */
u32 vmclock_phc_check_fault;

/*
 * The driver's ptp_clock_info of a PTP clock, so that it can be read with
 * the most exact method the driver offers, or NULL, with the reason in
 * why.  The PTP core has no API for it: the info is found through the
 * layout of struct ptp_clock (above), and used only when what that layout
 * says agrees with four facts the kernel publishes about the clock:
 *
 *  1. the class device the layout places after the posix clock is the
 *     one the posix clock names (clk->dev), the device the ptp class
 *     lists under this device number;
 *  2. the device number after the info pointer is that device's;
 *  3. the index after it is the device's minor, and its name ptp<index>;
 *  4. the info's name is the clock_name the class shows.
 *
 * The first three are read from memory that belongs to the posix clock
 * whatever the layout, so a wrong layout fails them without touching
 * anything else; the info is dereferenced only after they hold.  Called
 * with clk->rwsem held for reading and the clock alive.
 */
struct ptp_clock_info *vmclock_phc_info(struct posix_clock *clk,
					const char *clock_name,
					char *why, size_t len)
{
	struct vmclock_ptp_head *head;
	struct ptp_clock_info *info;
	u32 fault = READ_ONCE(vmclock_phc_check_fault);
	struct device *dev = clk->dev;
	char name[16];

	head = container_of(clk, struct vmclock_ptp_head, clock);
	if (&head->dev != dev || fault == 1) {
		strscpy(why, "layout check failed: class device", len);
		return NULL;
	}
	if (head->devid != dev->devt || fault == 2) {
		strscpy(why, "layout check failed: device number", len);
		return NULL;
	}
	snprintf(name, sizeof(name), "ptp%d", head->index);
	if (head->index < 0 || head->index != MINOR(dev->devt) ||
	    strcmp(name, dev_name(dev)) || fault == 3) {
		strscpy(why, "layout check failed: clock index", len);
		return NULL;
	}
	info = head->info;
	if (!info || strncmp(info->name, clock_name, sizeof(info->name)) ||
	    fault == 4) {
		strscpy(why, "layout check failed: clock name", len);
		return NULL;
	}
	why[0] = '\0';
	return info;
}

void vmclock_phc_put(struct posix_clock *clk)
{
	put_device(clk->dev);
}

/*
 * The file in which the driver of a PTP clock reports the device's own
 * error bound, open for reading, or NULL when it has none.  The AWS ENA
 * driver shows it, in nanoseconds, as phc_error_bound on the PCI device
 * that is the clock's parent, and refreshes it at every read of the
 * clock.  No kernel API gives it: it is read as users read it, through
 * sysfs, as mounted at /sys for the process that attaches the source
 * (vmclockctl).  The open file keeps the attribute readable, or failing
 * cleanly, whatever happens to the device.
 */
struct file *vmclock_error_bound_open(struct posix_clock *clk)
{
	struct device *parent = clk->dev->parent;
	struct file *file;
	char *path, *name;

	if (!parent)
		return NULL;
	path = kobject_get_path(&parent->kobj, GFP_KERNEL);
	if (!path)
		return NULL;
	name = kasprintf(GFP_KERNEL, "/sys%s/phc_error_bound", path);
	kfree(path);
	if (!name)
		return NULL;
	file = filp_open(name, O_RDONLY, 0);
	kfree(name);
	return IS_ERR(file) ? NULL : file;
}

/* The error bound the driver reports now, ns. */
int vmclock_error_bound_read(struct file *file, u64 *ns)
{
	char buf[24];
	loff_t pos = 0;
	ssize_t n;

	n = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return kstrtou64(strim(buf), 10, ns);
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
