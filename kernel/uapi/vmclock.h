/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * vmclock generic netlink ABI, shared by vmclock.ko and vmclockctl.
 * Documentation/netlink/specs/vmclock.yaml is the description of record;
 * values are only ever appended.
 */
#ifndef _UAPI_LINUX_VMCLOCK_H
#define _UAPI_LINUX_VMCLOCK_H

#define VMCLOCK_FAMILY_NAME		"vmclock"
#define VMCLOCK_FAMILY_VERSION		1
#define VMCLOCK_MCGRP_EVENTS		"events"

/**
 * enum vmclock_status - state of the unified clock
 * @VMCLOCK_STATUS_UNSYNCHRONIZED: no estimate; the unified clock is not usable
 * @VMCLOCK_STATUS_SYNCHRONIZED: the estimate is within its published bound
 * @VMCLOCK_STATUS_HOLDOVER: no usable source; running on the last frequency
 * @VMCLOCK_STATUS_DISRUPTED: a disruption was detected; reconverging
 */
enum vmclock_status {
	VMCLOCK_STATUS_UNSYNCHRONIZED,
	VMCLOCK_STATUS_SYNCHRONIZED,
	VMCLOCK_STATUS_HOLDOVER,
	VMCLOCK_STATUS_DISRUPTED,

	/* private: */
	__VMCLOCK_STATUS_MAX,
	VMCLOCK_STATUS_MAX = __VMCLOCK_STATUS_MAX - 1
};

/* Attributes of the vmclock family (one flat attribute space). */
enum {
	VMCLOCK_A_UNSPEC,
	VMCLOCK_A_PAD,
	VMCLOCK_A_STATUS,		/* u32, enum vmclock_status */
	VMCLOCK_A_VERSION,		/* string, module version */

	/* private: */
	__VMCLOCK_A_MAX,
	VMCLOCK_A_MAX = __VMCLOCK_A_MAX - 1
};

enum {
	VMCLOCK_CMD_UNSPEC,
	VMCLOCK_CMD_STATUS_GET,		/* unprivileged: reply carries the status */

	/* private: */
	__VMCLOCK_CMD_MAX,
	VMCLOCK_CMD_MAX = __VMCLOCK_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_VMCLOCK_H */
