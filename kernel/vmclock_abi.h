/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page a "vmclock" device (ACPI "AMZNC10C" or "VMCLOCK", QEMU's
 * -device vmclock) shares with the guest: the published vmclock ABI,
 * version 1.  Little endian; the hypervisor writes it, the guest only
 * reads it.
 *
 * The hypervisor makes seq_count odd before it changes the page and even
 * again after, with write barriers between.  A reader takes seq_count,
 * waits while it is odd, reads the fields after a read barrier, and
 * retries when seq_count differs after another read barrier.
 */
#ifndef _VMCLOCK_ABI_H
#define _VMCLOCK_ABI_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

#define VMCLOCK_PAGE_MAGIC		0x4b4c4356	/* "VCLK" */
#define VMCLOCK_PAGE_VERSION		1

/* counter_id */
#define VMCLOCK_PAGE_COUNTER_X86_TSC	0
#define VMCLOCK_PAGE_COUNTER_ARM_VCNT	1
#define VMCLOCK_PAGE_COUNTER_INVALID	0xff

/* time_type */
#define VMCLOCK_PAGE_TIME_UTC		0

/* flags */
#define VMCLOCK_PAGE_FLAG_TAI_OFFSET_VALID		BIT_ULL(0)
#define VMCLOCK_PAGE_FLAG_DISRUPTION_SOON		BIT_ULL(1)
#define VMCLOCK_PAGE_FLAG_DISRUPTION_IMMINENT		BIT_ULL(2)
#define VMCLOCK_PAGE_FLAG_PERIOD_ESTERROR_VALID		BIT_ULL(3)
#define VMCLOCK_PAGE_FLAG_PERIOD_MAXERROR_VALID		BIT_ULL(4)
#define VMCLOCK_PAGE_FLAG_TIME_ESTERROR_VALID		BIT_ULL(5)
#define VMCLOCK_PAGE_FLAG_TIME_MAXERROR_VALID		BIT_ULL(6)

/* clock_status */
#define VMCLOCK_PAGE_STATUS_UNKNOWN		0
#define VMCLOCK_PAGE_STATUS_INITIALIZING	1
#define VMCLOCK_PAGE_STATUS_SYNCHRONIZED	2
#define VMCLOCK_PAGE_STATUS_FREERUNNING		3
#define VMCLOCK_PAGE_STATUS_UNRELIABLE		4
#define VMCLOCK_PAGE_STATUS_MAX			VMCLOCK_PAGE_STATUS_UNRELIABLE

/**
 * struct vmclock_page_abi - the shared page, version 1
 * @magic: VMCLOCK_PAGE_MAGIC
 * @size: size of the structure the hypervisor fills, in bytes
 * @version: VMCLOCK_PAGE_VERSION
 * @counter_id: the counter @counter_value counts (VMCLOCK_PAGE_COUNTER_*)
 * @time_type: the time scale of @time_sec (VMCLOCK_PAGE_TIME_*)
 * @seq_count: odd while the hypervisor changes the page, even otherwise
 * @disruption_marker: changes to a value it never had when the counter is
 *	disrupted (live migration, snapshot restore)
 * @flags: VMCLOCK_PAGE_FLAG_*
 * @pad: reserved
 * @clock_status: VMCLOCK_PAGE_STATUS_*
 * @leap_second_smearing_hint: how leap seconds are smeared, if at all
 * @tai_offset_sec: TAI - UTC, valid with VMCLOCK_PAGE_FLAG_TAI_OFFSET_VALID
 * @leap_indicator: an announced leap second
 * @counter_period_shift: @counter_period_frac_sec is scaled by 2^-this
 * @counter_value: the counter at the time @time_sec/@time_frac_sec
 * @counter_period_frac_sec: one counter tick, in 2^-64 s (shifted)
 * @counter_period_esterror_rate_frac_sec: estimated error of the period
 * @counter_period_maxerror_rate_frac_sec: maximum error of the period
 * @time_sec: seconds at @counter_value
 * @time_frac_sec: fraction of a second at @counter_value, in 2^-64 s
 * @time_esterror_nanosec: estimated error of the time, valid with
 *	VMCLOCK_PAGE_FLAG_TIME_ESTERROR_VALID
 * @time_maxerror_nanosec: maximum error of the time, valid with
 *	VMCLOCK_PAGE_FLAG_TIME_MAXERROR_VALID
 */
struct vmclock_page_abi {
	__le32 magic;
	__le32 size;
	__le16 version;
	u8 counter_id;
	u8 time_type;
	__le32 seq_count;
	__le64 disruption_marker;
	__le64 flags;
	u8 pad[2];
	u8 clock_status;
	u8 leap_second_smearing_hint;
	__le16 tai_offset_sec;
	u8 leap_indicator;
	u8 counter_period_shift;
	__le64 counter_value;
	__le64 counter_period_frac_sec;
	__le64 counter_period_esterror_rate_frac_sec;
	__le64 counter_period_maxerror_rate_frac_sec;
	__le64 time_sec;
	__le64 time_frac_sec;
	__le64 time_esterror_nanosec;
	__le64 time_maxerror_nanosec;
};

static_assert(offsetof(struct vmclock_page_abi, magic) == 0x00);
static_assert(offsetof(struct vmclock_page_abi, size) == 0x04);
static_assert(offsetof(struct vmclock_page_abi, version) == 0x08);
static_assert(offsetof(struct vmclock_page_abi, counter_id) == 0x0a);
static_assert(offsetof(struct vmclock_page_abi, time_type) == 0x0b);
static_assert(offsetof(struct vmclock_page_abi, seq_count) == 0x0c);
static_assert(offsetof(struct vmclock_page_abi, disruption_marker) == 0x10);
static_assert(offsetof(struct vmclock_page_abi, flags) == 0x18);
static_assert(offsetof(struct vmclock_page_abi, pad) == 0x20);
static_assert(offsetof(struct vmclock_page_abi, clock_status) == 0x22);
static_assert(offsetof(struct vmclock_page_abi, leap_second_smearing_hint) == 0x23);
static_assert(offsetof(struct vmclock_page_abi, tai_offset_sec) == 0x24);
static_assert(offsetof(struct vmclock_page_abi, leap_indicator) == 0x26);
static_assert(offsetof(struct vmclock_page_abi, counter_period_shift) == 0x27);
static_assert(offsetof(struct vmclock_page_abi, counter_value) == 0x28);
static_assert(offsetof(struct vmclock_page_abi, counter_period_frac_sec) == 0x30);
static_assert(offsetof(struct vmclock_page_abi,
		       counter_period_esterror_rate_frac_sec) == 0x38);
static_assert(offsetof(struct vmclock_page_abi,
		       counter_period_maxerror_rate_frac_sec) == 0x40);
static_assert(offsetof(struct vmclock_page_abi, time_sec) == 0x48);
static_assert(offsetof(struct vmclock_page_abi, time_frac_sec) == 0x50);
static_assert(offsetof(struct vmclock_page_abi, time_esterror_nanosec) == 0x58);
static_assert(offsetof(struct vmclock_page_abi, time_maxerror_nanosec) == 0x60);
static_assert(sizeof(struct vmclock_page_abi) == 0x68);

#endif /* _VMCLOCK_ABI_H */
