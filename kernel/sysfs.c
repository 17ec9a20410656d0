// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: /sys/kernel/vmclock/, one value per file.
 * Documented in Documentation/ABI/testing/sysfs-kernel-vmclock.
 */

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "vmclock.h"

static struct kobject *vmclock_kobj;

static ssize_t status_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", vmclock_status_name(vmclock_status()));
}

static struct kobj_attribute status_attr = __ATTR_RO(status);

static struct attribute *vmclock_attrs[] = {
	&status_attr.attr,
	NULL
};

static const struct attribute_group vmclock_attr_group = {
	.attrs = vmclock_attrs,
};

int vmclock_sysfs_init(void)
{
	int err;

	vmclock_kobj = kobject_create_and_add("vmclock", kernel_kobj);
	if (!vmclock_kobj)
		return -ENOMEM;

	err = sysfs_create_group(vmclock_kobj, &vmclock_attr_group);
	if (err) {
		kobject_put(vmclock_kobj);
		vmclock_kobj = NULL;
	}
	return err;
}

void vmclock_sysfs_exit(void)
{
	sysfs_remove_group(vmclock_kobj, &vmclock_attr_group);
	kobject_put(vmclock_kobj);
	vmclock_kobj = NULL;
}
