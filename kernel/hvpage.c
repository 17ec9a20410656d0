// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: the vmclock device's page, the hypervisor's word on disruptions.
 *
 * Hypervisors that offer the "vmclock" device (QEMU's -device vmclock, AWS
 * EC2) describe it in ACPI (_HID AMZNC10C, _CID VMCLOCK), and Linux makes
 * it a platform device named after that id ("AMZNC10C:00").  Its one memory
 * resource is a page the hypervisor keeps current, in a published layout
 * (kernel/vmclock_abi.h).  Its disruption marker changes whenever the
 * guest's counter was disrupted: live migration, a snapshot restored.  No
 * pause detection can see those reliably, so the marker is taken as the
 * hypervisor's word: a change disrupts the unified clock at once.
 *
 * ptp_vmclock (6.13+) maps the page for /dev/vmclockN, but offers no
 * in-kernel interface, and its read() is not one kernel_read() can use.
 * vmclock maps the page itself, read-only in effect (nothing writes it),
 * from the platform device's resource, whether or not the driver is loaded
 * (so on 6.1 guests too).  Devices are found when vmclock loads and when
 * they are added to the platform bus later; a device going away is let go
 * of before it is gone.  The page is read with its seq_count protocol at
 * every tick and before each poll's samples are used.
 *
 * The same page says how far the hypervisor's time may be off
 * (time_maxerror_nanosec, growing with the counter at
 * counter_period_maxerror_rate_frac_sec).  ptp_vmclock's PHC, registered
 * under the platform device, reads its time from this page, so a source on
 * that PHC takes the page's figure as its host error (vmclock_hvpage_report()).
 */

#include <linux/io.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/timex.h>

#include "vmclock.h"
#include "vmclock_abi.h"

/* Reads of a page caught in an update before the read is given up. */
#define VMCLOCK_HVPAGE_TRIES	100

/*
 * The device followed: at most one (a guest has one counter to disrupt).
 * vmclock_hvpage_lock protects everything here; it is taken before the
 * estimator's lock.
 */
static DEFINE_MUTEX(vmclock_hvpage_lock);
static struct device *vmclock_hvpage_dev;
static const struct vmclock_page_abi *vmclock_hvpage;
static u64 vmclock_hvpage_marker;	/* as last read */
static u64 vmclock_hvpage_disruptions;
static int vmclock_hvpage_tai = VMCLOCK_NO_TAI;	/* as last read */

static bool vmclock_hvpage_name_ok(const char *name)
{
	static const char * const ids[] = { "AMZNC10C", "VMCLOCK" };
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		n = strlen(ids[i]);
		if (!strncmp(name, ids[i], n) &&
		    (name[n] == ':' || name[n] == '.'))
			return true;
	}
	return false;
}

/*
 * A consistent copy of the page, or false when the hypervisor kept it in
 * an update (seq_count odd or moving) for every try.
 */
static bool vmclock_hvpage_copy(const struct vmclock_page_abi *p,
				struct vmclock_page_abi *copy)
{
	u32 seq;
	int i;

	for (i = 0; i < VMCLOCK_HVPAGE_TRIES; i++) {
		seq = le32_to_cpu(READ_ONCE(p->seq_count));
		if (seq & 1) {
			cpu_relax();
			continue;
		}
		/* The fields after seq_count, as the hypervisor's wmb orders */
		virt_rmb();
		memcpy(copy, p, sizeof(*copy));
		/* ... and seq_count again only after them */
		virt_rmb();
		if (seq == le32_to_cpu(READ_ONCE(p->seq_count)))
			return true;
	}
	return false;
}

/*
 * The disruption marker and the TAI offset (VMCLOCK_NO_TAI when the page
 * gives none), read consistently (see vmclock_hvpage_copy()).
 */
static bool vmclock_hvpage_read(const struct vmclock_page_abi *p,
				u64 *marker, int *tai)
{
	struct vmclock_page_abi copy;

	if (!vmclock_hvpage_copy(p, &copy))
		return false;
	*marker = le64_to_cpu(copy.disruption_marker);
	*tai = VMCLOCK_NO_TAI;
	if (le64_to_cpu(copy.flags) & VMCLOCK_PAGE_FLAG_TAI_OFFSET_VALID)
		*tai = (s16)le16_to_cpu(copy.tai_offset_sec);
	return true;
}

/* Map dev's page when dev is a vmclock device with a valid page. */
static int vmclock_hvpage_attach(struct device *dev)
{
	struct platform_device *pdev = to_platform_device(dev);
	const struct vmclock_page_abi *p;
	struct resource *res;
	u64 marker;
	int tai;

	lockdep_assert_held(&vmclock_hvpage_lock);
	if (vmclock_hvpage_dev || !vmclock_hvpage_name_ok(dev_name(dev)))
		return 0;
	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || resource_size(res) < sizeof(*p))
		return 0;
	p = memremap(res->start, sizeof(*p), MEMREMAP_WB);
	if (!p) {
		dev_warn(dev, "vmclock: cannot map the device page\n");
		return 0;
	}
	if (le32_to_cpu(p->magic) != VMCLOCK_PAGE_MAGIC ||
	    le32_to_cpu(p->size) < sizeof(*p) ||
	    le16_to_cpu(p->version) != 1 ||
	    !vmclock_hvpage_read(p, &marker, &tai)) {
		dev_info(dev, "vmclock: not a vmclock page (magic %#x, size %u, version %u)\n",
			 le32_to_cpu(p->magic), le32_to_cpu(p->size),
			 le16_to_cpu(p->version));
		memunmap((void *)p);
		return 0;
	}
	vmclock_hvpage_dev = get_device(dev);
	vmclock_hvpage = p;
	vmclock_hvpage_marker = marker;
	WRITE_ONCE(vmclock_hvpage_tai, tai);
	pr_info("following the disruptions of %s (marker %#llx)\n",
		dev_name(dev), marker);
	return 0;
}

static void vmclock_hvpage_detach(void)
{
	lockdep_assert_held(&vmclock_hvpage_lock);
	if (!vmclock_hvpage_dev)
		return;
	memunmap((void *)vmclock_hvpage);
	vmclock_hvpage = NULL;
	WRITE_ONCE(vmclock_hvpage_tai, VMCLOCK_NO_TAI);
	pr_info("%s went away\n", dev_name(vmclock_hvpage_dev));
	put_device(vmclock_hvpage_dev);
	vmclock_hvpage_dev = NULL;
}

static int vmclock_hvpage_attach_one(struct device *dev, void *unused)
{
	return vmclock_hvpage_attach(dev);
}

static int vmclock_hvpage_notify(struct notifier_block *nb,
				 unsigned long action, void *data)
{
	struct device *dev = data;

	mutex_lock(&vmclock_hvpage_lock);
	if (action == BUS_NOTIFY_ADD_DEVICE)
		vmclock_hvpage_attach(dev);
	else if (action == BUS_NOTIFY_DEL_DEVICE && dev == vmclock_hvpage_dev)
		vmclock_hvpage_detach();
	mutex_unlock(&vmclock_hvpage_lock);
	return NOTIFY_DONE;
}

static struct notifier_block vmclock_hvpage_nb = {
	.notifier_call = vmclock_hvpage_notify,
};

/*
 * Read the page: true when its disruption marker moved since the last
 * read, which the caller turns into a disruption of the unified clock.
 */
bool vmclock_hvpage_poll(void)
{
	bool moved = false;
	u64 marker;
	int tai;

	mutex_lock(&vmclock_hvpage_lock);
	if (!vmclock_hvpage ||
	    !vmclock_hvpage_read(vmclock_hvpage, &marker, &tai))
		goto out;
	WRITE_ONCE(vmclock_hvpage_tai, tai);
	if (marker != vmclock_hvpage_marker) {
		pr_info("%s reports a disruption (marker %#llx, was %#llx)\n",
			dev_name(vmclock_hvpage_dev), marker,
			vmclock_hvpage_marker);
		vmclock_hvpage_disruptions++;
		vmclock_hvpage_marker = marker;
		moved = true;
	}
out:
	mutex_unlock(&vmclock_hvpage_lock);
	return moved;
}

/* The counter the page's counter_id names is this CPU's get_cycles(). */
static bool vmclock_hvpage_counter_ours(u8 counter_id)
{
#if defined(CONFIG_X86)
	return counter_id == VMCLOCK_PAGE_COUNTER_X86_TSC;
#elif defined(CONFIG_ARM64)
	return counter_id == VMCLOCK_PAGE_COUNTER_ARM_VCNT;
#else
	return false;
#endif
}

/*
 * How much the page's maxerror has grown since the hypervisor wrote it: the
 * counter ticks since counter_value times the period's maximum error, which
 * is in units of 2^-(64 + counter_period_shift) seconds per tick.  Rounded
 * up; U64_MAX when the counter is not one this CPU reads.
 */
static u64 vmclock_hvpage_growth(u8 counter_id, u64 counter_value, u8 shift,
				 u64 rate)
{
	u64 now, x;

	if (!vmclock_hvpage_counter_ours(counter_id))
		return U64_MAX;
	now = get_cycles();
	if (now <= counter_value || !rate)
		return 0;
	/* ticks * rate / 2^32, then ns / 2^(32 + shift) */
	x = mul_u64_u64_shr(now - counter_value, rate, 32);
	x = mul_u64_u32_shr(x, NSEC_PER_SEC, 32);
	return (shift < 64 ? x >> shift : 0) + 1;
}

/**
 * vmclock_hvpage_report() - the error bound of the page's time now
 * @dev: the parent device of a PTP clock
 * @ns: the bound, ns
 *
 * Return: 0 with @ns set; -ENODATA when @dev is not the device followed or
 * its page gives no bound (the caller falls back on its constant); -EINVAL
 * when the page calls its clock unreliable, -EAGAIN when it is initializing
 * or caught in an update: both fail the reads they come with.
 */
int vmclock_hvpage_report(struct device *dev, u64 *ns)
{
	struct vmclock_page_abi c;
	u64 flags, maxerr, rate, growth = 0;
	int err;

	mutex_lock(&vmclock_hvpage_lock);
	err = -ENODATA;
	if (!vmclock_hvpage || dev != vmclock_hvpage_dev)
		goto out;
	err = -EAGAIN;
	if (!vmclock_hvpage_copy(vmclock_hvpage, &c))
		goto out;
	if (c.clock_status == VMCLOCK_PAGE_STATUS_UNRELIABLE) {
		err = -EINVAL;
		goto out;
	}
	if (c.clock_status == VMCLOCK_PAGE_STATUS_INITIALIZING)
		goto out;
	err = -ENODATA;
	flags = le64_to_cpu(c.flags);
	if (!(flags & VMCLOCK_PAGE_FLAG_TIME_MAXERROR_VALID))
		goto out;
	if (flags & VMCLOCK_PAGE_FLAG_PERIOD_MAXERROR_VALID) {
		rate = le64_to_cpu(c.counter_period_maxerror_rate_frac_sec);
		growth = vmclock_hvpage_growth(c.counter_id,
					       le64_to_cpu(c.counter_value),
					       c.counter_period_shift, rate);
		if (growth == U64_MAX)
			goto out;
	}
	maxerr = le64_to_cpu(c.time_maxerror_nanosec);
	*ns = maxerr > U64_MAX - growth ? U64_MAX : maxerr + growth;
	err = 0;
out:
	mutex_unlock(&vmclock_hvpage_lock);
	return err;
}

/* The TAI offset the page gave at its last read, or VMCLOCK_NO_TAI. */
int vmclock_hvpage_tai_offset(void)
{
	return READ_ONCE(vmclock_hvpage_tai);
}

/*
 * What sysfs shows: false when no device is followed.  *tai is the TAI
 * offset the page gave at its last read, or VMCLOCK_NO_TAI.
 */
bool vmclock_hvpage_info(char *name, size_t len, u64 *marker,
			 u64 *disruptions, int *tai)
{
	bool ok;

	mutex_lock(&vmclock_hvpage_lock);
	ok = vmclock_hvpage_dev;
	if (ok) {
		strscpy(name, dev_name(vmclock_hvpage_dev), len);
		*marker = vmclock_hvpage_marker;
	}
	*disruptions = vmclock_hvpage_disruptions;
	*tai = vmclock_hvpage_tai;
	mutex_unlock(&vmclock_hvpage_lock);
	return ok;
}

int vmclock_hvpage_init(void)
{
	int err;

	/* Added from here on: the notifier; added before: the scan. */
	err = bus_register_notifier(&platform_bus_type, &vmclock_hvpage_nb);
	if (err)
		return err;
	mutex_lock(&vmclock_hvpage_lock);
	bus_for_each_dev(&platform_bus_type, NULL, NULL,
			 vmclock_hvpage_attach_one);
	mutex_unlock(&vmclock_hvpage_lock);
	return 0;
}

void vmclock_hvpage_exit(void)
{
	bus_unregister_notifier(&platform_bus_type, &vmclock_hvpage_nb);
	mutex_lock(&vmclock_hvpage_lock);
	vmclock_hvpage_detach();
	mutex_unlock(&vmclock_hvpage_lock);
}
