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

/*
 * System time snapshots, as changed in 7.x: ktime_get_snapshot_id() takes
 * the clock to snapshot with CLOCK_MONOTONIC_RAW, and the snapshot's
 * real and raw are now systime and monoraw; a cross timestamp's
 * sys_realtime is sys_systime, of the clock in its new clock_id.  Before,
 * ktime_get_snapshot() and cross timestamps were of CLOCK_REALTIME only.
 * No header of those kernels uses the new names otherwise.
 */
#include <linux/bug.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#ifndef VMCLOCK_HAVE_KTIME_GET_SNAPSHOT_ID
static inline void ktime_get_snapshot_id(clockid_t clock_id,
					 struct system_time_snapshot *snap)
{
	WARN_ON_ONCE(clock_id != CLOCK_REALTIME);
	ktime_get_snapshot(snap);
}
#endif

#ifndef VMCLOCK_HAVE_SNAPSHOT_SYSTIME
#define systime		real
#define monoraw		raw
#endif

#ifndef VMCLOCK_HAVE_CROSSTSTAMP_SYSTIME
#define sys_systime	sys_realtime
#endif

/* The system clock a cross timestamp is asked for. */
static inline clockid_t
vmclock_crosststamp_clock_id(const struct system_device_crosststamp *cts)
{
#ifdef VMCLOCK_HAVE_CROSSTSTAMP_CLOCK_ID
	return cts->clock_id;
#else
	return CLOCK_REALTIME;
#endif
}

/*
 * Asking a driver for a cross timestamp of CLOCK_REALTIME: 7.x has the
 * clock in the request (clock_id); before, it was always CLOCK_REALTIME.
 */
static inline void
vmclock_crosststamp_prepare(struct system_device_crosststamp *cts)
{
	memset(cts, 0, sizeof(*cts));
#ifdef VMCLOCK_HAVE_CROSSTSTAMP_CLOCK_ID
	cts->clock_id = CLOCK_REALTIME;
#endif
}

/*
 * The system timestamps a driver's gettimex64() takes around its device
 * read, as ns of CLOCK_MONOTONIC_RAW where the kernel can give that
 * (VMCLOCK_STS_RAW), else of CLOCK_REALTIME: in 7.x they are snapshots
 * holding the raw time beside the clock asked for (pre_sts, post_sts);
 * from 6.11 the caller picks their clock (clockid); before, they were
 * always CLOCK_REALTIME, which the caller then converts.
 */
#include <linux/ptp_clock_kernel.h>

#if defined(VMCLOCK_HAVE_SYSTS_SNAPSHOT)
#define VMCLOCK_STS_RAW	1
static inline void vmclock_sts_prepare(struct ptp_system_timestamp *sts)
{
	memset(sts, 0, sizeof(*sts));
	sts->clockid = CLOCK_REALTIME;
}

static inline s64 vmclock_sts_pre(const struct ptp_system_timestamp *sts)
{
	return ktime_to_ns(sts->pre_sts.monoraw);
}

static inline s64 vmclock_sts_post(const struct ptp_system_timestamp *sts)
{
	return ktime_to_ns(sts->post_sts.monoraw);
}
#else
#ifdef VMCLOCK_HAVE_SYSTS_CLOCKID
#define VMCLOCK_STS_RAW	1
#endif
static inline void vmclock_sts_prepare(struct ptp_system_timestamp *sts)
{
	memset(sts, 0, sizeof(*sts));
#ifdef VMCLOCK_HAVE_SYSTS_CLOCKID
	sts->clockid = CLOCK_MONOTONIC_RAW;
#endif
}

static inline s64 vmclock_sts_pre(const struct ptp_system_timestamp *sts)
{
	return timespec64_to_ns(&sts->pre_ts);
}

static inline s64 vmclock_sts_post(const struct ptp_system_timestamp *sts)
{
	return timespec64_to_ns(&sts->post_ts);
}
#endif

/*
 * kzalloc_obj(var, gfp) allocates an object of var's type (7.x, where
 * checkpatch asks for it); the GFP flags are optional there, not here.
 */
#ifndef VMCLOCK_HAVE_KZALLOC_OBJ
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

/*
 * The page of /dev/vmclock-time (timepage.c).  Macros: they expand where
 * the mm and shmem headers are included.
 *
 * shmem_file_setup() takes vma_flags_t since 7.x (VM_* flags
 * before); vm_flags_clear() exists since 6.3 (vm_flags was written
 * directly before); vfs_mmap() is 6.17's name of call_mmap(), which
 * also maps files that have only mmap_prepare (shmem since then).
 */
#ifdef VMCLOCK_HAVE_SHMEM_SETUP_VMA_FLAGS
#define vmclock_shmem_file_setup(name, size) \
	shmem_file_setup(name, size, mk_vma_flags(VMA_NORESERVE_BIT))
#else
#define vmclock_shmem_file_setup(name, size) \
	shmem_file_setup(name, size, VM_NORESERVE)
#endif
#ifdef VMCLOCK_HAVE_VM_FLAGS_CLEAR
#define vmclock_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
#define vmclock_vm_flags_clear(vma, flags)	((vma)->vm_flags &= ~(flags))
#endif
#ifdef VMCLOCK_HAVE_VFS_MMAP
#define vmclock_call_mmap(file, vma)		vfs_mmap(file, vma)
#else
#define vmclock_call_mmap(file, vma)		call_mmap(file, vma)
#endif

#endif /* _VMCLOCK_COMPAT_H */
