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
 * @VMCLOCK_STATUS_UNSYNCHRONIZED: never synchronized, or held over until
 *	the bound passed its limit; the unified clock is not readable
 * @VMCLOCK_STATUS_SYNCHRONIZED: the clock follows a current combination of
 *	a majority of the sources
 * @VMCLOCK_STATUS_HOLDOVER: it was synchronized, but now no majority agrees
 *	or no selected source is usable; running on the last frequency with a
 *	growing bound
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

/**
 * enum vmclock_source_state - state of one source
 * @VMCLOCK_SOURCE_INIT: attached, no good read yet
 * @VMCLOCK_SOURCE_OK: the last poll read the clock
 * @VMCLOCK_SOURCE_STALE: the clock's value is too old to use (Hyper-V
 *	-ESTALE); sampling goes on
 * @VMCLOCK_SOURCE_ERROR: the last poll failed; sampling goes on
 * @VMCLOCK_SOURCE_GONE: the clock's driver went away; the source holds no
 *	reference any more and is never sampled again
 * @VMCLOCK_SOURCE_DISABLED: sampling stopped by configuration
 * @VMCLOCK_SOURCE_FALSETICKER: read fine, but outside the interval most
 *	sources agree on: not used for the unified clock
 */
enum vmclock_source_state {
	VMCLOCK_SOURCE_INIT,
	VMCLOCK_SOURCE_OK,
	VMCLOCK_SOURCE_STALE,
	VMCLOCK_SOURCE_ERROR,
	VMCLOCK_SOURCE_GONE,
	VMCLOCK_SOURCE_DISABLED,
	VMCLOCK_SOURCE_FALSETICKER,

	/* private: */
	__VMCLOCK_SOURCE_MAX,
	VMCLOCK_SOURCE_MAX = __VMCLOCK_SOURCE_MAX - 1
};

/**
 * enum vmclock_read_method - how a source's clock is read
 * @VMCLOCK_READ_CLOCK_GETTIME: through the posix-clock layer, as
 *	clock_gettime() on /dev/ptpN, bracketed by two reads of the raw
 *	clock; used when the driver's own methods cannot be reached safely
 * @VMCLOCK_READ_GETTIME64: the driver's gettime64, bracketed so
 * @VMCLOCK_READ_GETTIMEX64: the driver's gettimex64, whose own system
 *	timestamps bracket just the device read
 * @VMCLOCK_READ_CROSSTSTAMP: the driver's getcrosststamp: the device time
 *	paired exactly with the raw clock (no bracket)
 */
enum vmclock_read_method {
	VMCLOCK_READ_CLOCK_GETTIME,
	VMCLOCK_READ_GETTIME64,
	VMCLOCK_READ_GETTIMEX64,
	VMCLOCK_READ_CROSSTSTAMP,

	/* private: */
	__VMCLOCK_READ_MAX,
	VMCLOCK_READ_MAX = __VMCLOCK_READ_MAX - 1
};

/* Limits of the source settings. */
#define VMCLOCK_POLL_MS_MIN		50
#define VMCLOCK_POLL_MS_MAX		3600000
#define VMCLOCK_HOST_ERROR_NS_MAX	1000000000ULL
#define VMCLOCK_WEIGHT_MIN		1
#define VMCLOCK_WEIGHT_MAX		100

/* Attributes of the vmclock family (one flat attribute space). */
enum {
	VMCLOCK_A_UNSPEC,
	VMCLOCK_A_PAD,
	VMCLOCK_A_STATUS,		/* u32, enum vmclock_status */
	VMCLOCK_A_VERSION,		/* string, module version */
	VMCLOCK_A_SOURCE_ID,		/* u32 */
	VMCLOCK_A_FD,			/* u32, open /dev/ptpN of the sender */
	VMCLOCK_A_PROFILE,		/* string: kvm hyperv ena vmclock generic */
	VMCLOCK_A_CLOCK_NAME,		/* string, the PHC's clock_name */
	VMCLOCK_A_PHC_INDEX,		/* u32, N of /dev/ptpN */
	VMCLOCK_A_STATE,		/* u32, enum vmclock_source_state */
	VMCLOCK_A_POLL_MS,		/* u32, poll interval */
	VMCLOCK_A_HOST_ERROR_NS,	/* u64, intrinsic error of the source */
	VMCLOCK_A_WEIGHT,		/* u32, relative weight 1..100 */
	VMCLOCK_A_ENABLED,		/* u8, 0 or 1 */
	VMCLOCK_A_SAMPLES,		/* u64, polls that read the clock */
	VMCLOCK_A_ERRORS,		/* u64, failed reads */
	VMCLOCK_A_LAST_ERROR,		/* u32, errno of the last failure */
	VMCLOCK_A_DELAY_NS,		/* u64, bracket of the last sample */
	VMCLOCK_A_DELAY_MIN_NS,		/* u64, narrowest bracket so far */
	VMCLOCK_A_OFFSET_NS,		/* s64, source minus CLOCK_REALTIME */
	VMCLOCK_A_READS,		/* u64, reads of the clock */
	VMCLOCK_A_PHC,			/* u32, N of vmclock's own /dev/ptpN */
	VMCLOCK_A_FREQ_PPB,		/* s64, rate minus one, ppb */
	VMCLOCK_A_ERROR_BOUND_NS,	/* u64, bound now; absent: unknown */
	VMCLOCK_A_JITTER_NS,		/* u64, read noise, 1 sigma */
	VMCLOCK_A_SELECTED,		/* u8, used for the unified clock */
	VMCLOCK_A_SNAP_SEQ,		/* u32, publication number */
	VMCLOCK_A_SNAP_RAW_BASE,	/* s64, CLOCK_MONOTONIC_RAW ns */
	VMCLOCK_A_SNAP_TIME_BASE,	/* s64, UTC ns at the raw base */
	VMCLOCK_A_SNAP_FREQ,		/* s64, rate minus one, 2^-48 */
	VMCLOCK_A_SNAP_SLEW,		/* s64, extra rate, 2^-48 */
	VMCLOCK_A_SNAP_SLEW_LEN,	/* u64, raw ns the slew lasts */
	VMCLOCK_A_SNAP_BOUND_BASE,	/* u64, bound at the raw base, ns */
	VMCLOCK_A_SNAP_BOUND_GROWTH,	/* u64, bound per raw ns, 2^-48 */
	VMCLOCK_A_READ_METHOD,		/* u32, enum vmclock_read_method */
	VMCLOCK_A_READ_NOTE,		/* string: why not a better method */
	VMCLOCK_A_REPORTED_ERROR_NS,	/* u64, the host's own error report */
	VMCLOCK_A_HOST_ERROR_USED_NS,	/* u64, the host error in the bound */

	/* private: */
	__VMCLOCK_A_MAX,
	VMCLOCK_A_MAX = __VMCLOCK_A_MAX - 1
};

enum {
	VMCLOCK_CMD_UNSPEC,
	VMCLOCK_CMD_STATUS_GET,		/* unprivileged: reply carries the status */
	VMCLOCK_CMD_SOURCE_GET,		/* unprivileged: one source, or dump */
	VMCLOCK_CMD_SOURCE_ADD,		/* attach the PHC behind A_FD */
	VMCLOCK_CMD_SOURCE_DEL,		/* detach A_SOURCE_ID */
	VMCLOCK_CMD_SOURCE_SET,		/* change A_SOURCE_ID's settings */
	VMCLOCK_CMD_SOURCE_ADD_NTF,	/* event: a source was attached */
	VMCLOCK_CMD_SOURCE_DEL_NTF,	/* event: a source was detached */
	VMCLOCK_CMD_SOURCE_CHANGE_NTF,	/* event: a source changed state */
	VMCLOCK_CMD_STATUS_CHANGE_NTF,	/* event: the unified clock's status */
	VMCLOCK_CMD_SOURCE_STEP_NTF,	/* event: a step of a source confirmed */

	/* private: */
	__VMCLOCK_CMD_MAX,
	VMCLOCK_CMD_MAX = __VMCLOCK_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_VMCLOCK_H */
