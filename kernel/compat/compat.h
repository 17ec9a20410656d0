/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every vmclock object.  Core code is written against
 * the current mainline API; this header bridges older kernels using the
 * results of the feature probes in probes.h, never LINUX_VERSION_CODE.
 */
#ifndef _VMCLOCK_COMPAT_H
#define _VMCLOCK_COMPAT_H

#include "probes.h"

/*
 * genl_family.resv_start_op (6.1): commands at or above it get strict
 * validation of the reserved header fields and reject attributes when they
 * have no policy.  6.1 is the oldest kernel vmclock supports: say so
 * plainly on an older one rather than build a family without the checks.
 */
#ifndef VMCLOCK_HAVE_GENL_RESV_START_OP
#error "vmclock needs Linux 6.1 or later (genl_family.resv_start_op)"
#endif
#define VMCLOCK_GENL_RESV_START_OP(op)	.resv_start_op = (op),

/*
 * struct device::class is const since 6.4, and the class functions take a
 * const class.  Before, they took a non-const one, which the driver core
 * did not write through either.
 */
#ifndef VMCLOCK_HAVE_CONST_DEVICE_CLASS
#include <linux/device.h>

static inline struct device *
vmclock_class_find_device_by_devt(const struct class *class, dev_t devt)
{
	return class_find_device_by_devt((struct class *)class, devt);
}

#define class_find_device_by_devt vmclock_class_find_device_by_devt
#endif

#endif /* _VMCLOCK_COMPAT_H */
