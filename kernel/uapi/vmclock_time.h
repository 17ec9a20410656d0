/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * The page of /dev/vmclock-time: the unified clock as a function of
 * CLOCK_MONOTONIC_RAW, for programs that map it read-only and read it
 * without a system call.  A stable ABI (Documentation/ABI/stable/
 * dev-vmclock-time): fields in the CPU's byte order, only ever appended;
 * a reader checks magic and version and reads at most size bytes.
 * <vmclock/time.h> is a reader.
 */
#ifndef _UAPI_LINUX_VMCLOCK_TIME_H
#define _UAPI_LINUX_VMCLOCK_TIME_H

#include <linux/types.h>

#define VMCLOCK_TIME_DEVICE	"/dev/vmclock-time"
#define VMCLOCK_TIME_MAGIC	0x54434d56	/* "VMCT" in memory on LE */
#define VMCLOCK_TIME_VERSION	1

/* Fixed-point fraction of the rate fields: 2^-48. */
#define VMCLOCK_TIME_FREQ_SHIFT	48

/* @bound_base: no bound known (the clock is not readable). */
#define VMCLOCK_TIME_BOUND_UNKNOWN	(~(__u64)0)
/* @status: the values of enum vmclock_status (uapi/vmclock.h), and GONE */
#define VMCLOCK_TIME_UNSYNCHRONIZED	0
#define VMCLOCK_TIME_SYNCHRONIZED	1
#define VMCLOCK_TIME_HOLDOVER		2
#define VMCLOCK_TIME_DISRUPTED		3
/* @status when the module that wrote the page is gone: open it again. */
#define VMCLOCK_TIME_STATUS_GONE	0xffffffffU
/* @tai_offset: not known. */
#define VMCLOCK_TIME_TAI_UNKNOWN	(-0x7fffffff - 1)

/**
 * struct vmclock_time_abi - the page
 * @magic: %VMCLOCK_TIME_MAGIC
 * @size: bytes of this structure the writer knows
 * @version: %VMCLOCK_TIME_VERSION; incompatible changes get a new one
 * @seq: even when the fields below are whole; odd while they are being
 *	written.  A reader reads @seq, then the fields, then @seq again, and
 *	retries unless both reads are the same even value
 * @status: %VMCLOCK_TIME_UNSYNCHRONIZED and the others above (the values
 *	of &enum vmclock_status), or %VMCLOCK_TIME_STATUS_GONE
 * @flags: zero
 * @disruptions: times the unified clock was disrupted since it was loaded
 * @raw_base: CLOCK_MONOTONIC_RAW of the base point, ns
 * @time_base: UTC at @raw_base, ns
 * @freq: rate against CLOCK_MONOTONIC_RAW minus one, 2^-48 units
 * @slew: extra rate during the first @slew_len ns after @raw_base
 * @slew_len: raw ns during which @slew applies
 * @bound_base: error bound at @raw_base, ns, or %VMCLOCK_TIME_BOUND_UNKNOWN
 * @bound_growth: bound growth per raw ns away from @raw_base, 2^-48 units
 * @tai_offset: TAI minus UTC, s, or %VMCLOCK_TIME_TAI_UNKNOWN
 * @reserved: zero
 *
 * At raw time r (ns), with d = r - @raw_base, the unified clock reads
 * @time_base + d + d * rate / 2^48 (rounded to nearest, each product
 * saturating), where rate is @freq + @slew for the first @slew_len ns of
 * d > 0 and @freq beyond; its bound is @bound_base + 1 + |d| *
 * @bound_growth / 2^48 (rounded down, saturating).  This is exactly what
 * the unified PHC returns for the same raw time.  The time is meaningful
 * only while @status is synchronized, holdover or disrupted and
 * @bound_base is known.
 */
struct vmclock_time_abi {
	__u32 magic;
	__u32 size;
	__u32 version;
	__u32 seq;
	__u32 status;
	__u32 flags;
	__u64 disruptions;
	__s64 raw_base;
	__s64 time_base;
	__s64 freq;
	__s64 slew;
	__u64 slew_len;
	__u64 bound_base;
	__u64 bound_growth;
	__s32 tai_offset;
	__u32 reserved;
};

#endif /* _UAPI_LINUX_VMCLOCK_TIME_H */
