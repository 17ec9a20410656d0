// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: the published estimate in a page programs map read-only
 * (/dev/vmclock-time, kernel/uapi/vmclock_time.h).
 *
 * Every publication of the estimate is copied into the page under its
 * seq field, so a program reads the unified clock with one vDSO read of
 * CLOCK_MONOTONIC_RAW and a few loads, as the unified PHC would compute
 * it for that raw time.
 *
 * The page must outlive the module: a program may keep its mapping across
 * an unload, and must then read a status that says so, not fault.  A
 * mapping of a file whose operations are vmclock's would pin the module
 * (the mapping holds the file) or, without the pin, call freed code.  So
 * the page is the one page of a shmem file, and mmap() of the character
 * device maps that file instead (vma_set_file(), as DRM does for its
 * shmem-backed objects): the mapping then holds the shmem file, whose
 * code is the kernel's, and vmclock's own file can be closed at once.  On
 * unload the page's status becomes %VMCLOCK_TIME_STATUS_GONE and vmclock
 * drops its references; the file and the page go with the last mapping.
 *
 * Mappings are read-only and not executable, now and later: VM_MAYWRITE
 * and VM_MAYEXEC are cleared, so mprotect() cannot add either.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>

#include "estimator.h"
#include "vmclock.h"
#include "uapi/vmclock_time.h"

/* The page is the estimator's snapshot, as est_snapshot_eval() reads it. */
static_assert(VMCLOCK_TIME_FREQ_SHIFT == EST_FREQ_SHIFT);
static_assert(VMCLOCK_TIME_BOUND_UNKNOWN == EST_BOUND_UNKNOWN);
static_assert(VMCLOCK_TIME_UNSYNCHRONIZED == EST_STATUS_UNSYNCHRONIZED);
static_assert(VMCLOCK_TIME_UNSYNCHRONIZED == VMCLOCK_STATUS_UNSYNCHRONIZED);
static_assert(VMCLOCK_TIME_SYNCHRONIZED == EST_STATUS_SYNCHRONIZED);
static_assert(VMCLOCK_TIME_SYNCHRONIZED == VMCLOCK_STATUS_SYNCHRONIZED);
static_assert(VMCLOCK_TIME_HOLDOVER == EST_STATUS_HOLDOVER);
static_assert(VMCLOCK_TIME_HOLDOVER == VMCLOCK_STATUS_HOLDOVER);
static_assert(VMCLOCK_TIME_DISRUPTED == EST_STATUS_DISRUPTED);
static_assert(VMCLOCK_TIME_DISRUPTED == VMCLOCK_STATUS_DISRUPTED);
static_assert(sizeof(struct vmclock_time_abi) == 96);
static_assert(offsetof(struct vmclock_time_abi, seq) == 12);
static_assert(offsetof(struct vmclock_time_abi, disruptions) == 24);
static_assert(offsetof(struct vmclock_time_abi, raw_base) == 32);
static_assert(offsetof(struct vmclock_time_abi, bound_growth) == 80);
static_assert(offsetof(struct vmclock_time_abi, tai_offset) == 88);

static struct file *vmclock_tp_file;		/* the shmem file */
static struct page *vmclock_tp_page;		/* its page, referenced */
static struct vmclock_time_abi *vmclock_tp;	/* the page, mapped */

/* Open a write of the page: seq odd, then the changes.  One writer. */
static void vmclock_tp_begin(void)
{
	WRITE_ONCE(vmclock_tp->seq, vmclock_tp->seq + 1);
	smp_wmb();	/* seq odd before any change */
}

static void vmclock_tp_end(void)
{
	smp_wmb();	/* the changes before seq even */
	WRITE_ONCE(vmclock_tp->seq, vmclock_tp->seq + 1);
}

/**
 * vmclock_timepage_publish() - copy a published estimate into the page
 * @snap: the estimate, as the unified PHC evaluates it
 * @disruptions: disruptions of the unified clock so far
 * @tai: TAI minus UTC in s, or %VMCLOCK_NO_TAI
 *
 * Called by the one publisher of estimates, under its lock.
 */
void vmclock_timepage_publish(const struct est_snapshot *snap,
			      u64 disruptions, int tai)
{
	struct vmclock_time_abi *p = vmclock_tp;

	if (!p)
		return;
	vmclock_tp_begin();
	WRITE_ONCE(p->status, snap->status);
	WRITE_ONCE(p->disruptions, disruptions);
	WRITE_ONCE(p->raw_base, snap->raw_base);
	WRITE_ONCE(p->time_base, snap->time_base);
	WRITE_ONCE(p->freq, snap->freq);
	WRITE_ONCE(p->slew, snap->slew);
	WRITE_ONCE(p->slew_len, snap->slew_len);
	WRITE_ONCE(p->bound_base, snap->bound_base);
	WRITE_ONCE(p->bound_growth, snap->bound_growth);
	WRITE_ONCE(p->tai_offset, tai == VMCLOCK_NO_TAI ?
				  VMCLOCK_TIME_TAI_UNKNOWN : tai);
	vmclock_tp_end();
}

static int vmclock_tp_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	/* VM_SHARED is cleared for a shared mapping of a read-only file */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	vmclock_vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	/* From here the mapping is the shmem file's, not this file's. */
	vma_set_file(vma, vmclock_tp_file);
	return vmclock_call_mmap(vmclock_tp_file, vma);
}

static const struct file_operations vmclock_tp_fops = {
	.owner	= THIS_MODULE,
	.open	= nonseekable_open,
	.mmap	= vmclock_tp_mmap,
	.llseek	= noop_llseek,
};

static struct miscdevice vmclock_tp_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmclock-time",
	.fops	= &vmclock_tp_fops,
	.mode	= 0444,
};

int vmclock_timepage_init(void)
{
	struct vmclock_time_abi *p;
	struct page *page;
	int err;

	vmclock_tp_file = vmclock_shmem_file_setup("vmclock-time", PAGE_SIZE);
	if (IS_ERR(vmclock_tp_file))
		return PTR_ERR(vmclock_tp_file);
	/* Never reclaimed while vmclock writes it, nor after (it is mapped). */
	mapping_set_unevictable(vmclock_tp_file->f_mapping);
	page = shmem_read_mapping_page(vmclock_tp_file->f_mapping, 0);
	if (IS_ERR(page)) {
		err = PTR_ERR(page);
		goto err_file;
	}
	p = page_address(page);
	if (!p) {		/* a highmem page: not on 64-bit */
		err = -ENOMEM;
		put_page(page);
		goto err_file;
	}
	memset(p, 0, PAGE_SIZE);
	p->magic = VMCLOCK_TIME_MAGIC;
	p->size = sizeof(*p);
	p->version = VMCLOCK_TIME_VERSION;
	p->status = VMCLOCK_STATUS_UNSYNCHRONIZED;
	p->bound_base = VMCLOCK_TIME_BOUND_UNKNOWN;
	p->tai_offset = VMCLOCK_TIME_TAI_UNKNOWN;
	set_page_dirty(page);
	vmclock_tp_page = page;
	vmclock_tp = p;

	err = misc_register(&vmclock_tp_misc);
	if (err)
		goto err_page;
	return 0;

err_page:
	vmclock_tp = NULL;
	put_page(page);
err_file:
	fput(vmclock_tp_file);
	vmclock_tp_file = NULL;
	return err;
}

/*
 * After the last publication: no new mapping, the status of the ones left
 * says vmclock is gone, and they keep the page as long as they last.
 */
void vmclock_timepage_exit(void)
{
	misc_deregister(&vmclock_tp_misc);
	vmclock_tp_begin();
	WRITE_ONCE(vmclock_tp->status, VMCLOCK_TIME_STATUS_GONE);
	WRITE_ONCE(vmclock_tp->bound_base, VMCLOCK_TIME_BOUND_UNKNOWN);
	vmclock_tp_end();
	vmclock_tp = NULL;
	set_page_dirty(vmclock_tp_page);
	put_page(vmclock_tp_page);
	fput(vmclock_tp_file);
}
