/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmclock: internal interfaces between the parts of the module.
 */
#ifndef _VMCLOCK_H
#define _VMCLOCK_H

#include <linux/types.h>
#include "uapi/vmclock.h"

enum vmclock_status vmclock_status(void);
const char *vmclock_status_name(enum vmclock_status status);

int vmclock_sysfs_init(void);
void vmclock_sysfs_exit(void);

int vmclock_netlink_init(void);
void vmclock_netlink_exit(void);

#endif /* _VMCLOCK_H */
