// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: the unified clock.  Samples of the sources go through the
 * estimator (estimator.c) into one published snapshot: a linear function
 * of CLOCK_MONOTONIC_RAW with a growing error bound, which the unified PTP
 * clock, sysfs and netlink evaluate.
 *
 * Locking: vmclock_est_lock serialises every call into the estimator: the
 * samplers after each poll, source add/del/set (taken after vmclock_lock or
 * a source's ctl) and the tick.  The snapshot is copied out under vmclock_snap_lock, a
 * seqlock: readers never block and never see a torn snapshot.  Writers read
 * the raw clock inside the write section and readers inside the read
 * section, so a reader never evaluates a snapshot before its base and the
 * published clock never runs backwards.
 */

#include <linux/kernel.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "estimator.h"
#include "vmclock.h"

/* The estimator's status is published as is. */
static_assert((int)EST_STATUS_UNSYNCHRONIZED == (int)VMCLOCK_STATUS_UNSYNCHRONIZED);
static_assert((int)EST_STATUS_SYNCHRONIZED == (int)VMCLOCK_STATUS_SYNCHRONIZED);
static_assert((int)EST_STATUS_HOLDOVER == (int)VMCLOCK_STATUS_HOLDOVER);
static_assert((int)EST_STATUS_DISRUPTED == (int)VMCLOCK_STATUS_DISRUPTED);
static_assert((int)EST_STATUS_MAX == (int)__VMCLOCK_STATUS_MAX);

/* The name sysfs shows: the estimator's, as the status is its. */
const char *vmclock_status_name(enum vmclock_status status)
{
	return est_status_name(status);
}

/*
 * The estimator updates at least this often, so that holdover goes on, and
 * sources find out this often whether their clocks are gone.
 */
#define VMCLOCK_TICK_MS		1000
/* A jump of boottime against monotonic larger than this is a pause. */
#define VMCLOCK_PAUSE_NS	(10 * NSEC_PER_MSEC)

static DEFINE_MUTEX(vmclock_est_lock);
static struct est *vmclock_est;			/* under vmclock_est_lock */
static unsigned long vmclock_slots;		/* under vmclock_est_lock */
static s64 vmclock_boot_minus_mono;		/* under vmclock_est_lock */
static u32 vmclock_last_status;			/* under vmclock_est_lock */
static u64 vmclock_disruptions;			/* under vmclock_est_lock */

static DEFINE_SEQLOCK(vmclock_snap_lock);
static struct est_snapshot vmclock_snap;	/* under vmclock_snap_lock */

static struct delayed_work vmclock_tick;

/* Update the estimate and publish it; under vmclock_est_lock. */
static void vmclock_publish(void)
{
	u32 status;

	lockdep_assert_held(&vmclock_est_lock);
	/*
	 * The page of /dev/vmclock-time changes with the snapshot, inside
	 * the same write: a reader who saw the page unchanged across a read
	 * of the unified PHC saw the snapshot that read used.
	 */
	write_seqlock(&vmclock_snap_lock);
	est_update(vmclock_est, ktime_get_raw_ns());
	vmclock_snap = vmclock_est->snap;
	status = vmclock_snap.status;
	if (status != vmclock_last_status && status == EST_STATUS_DISRUPTED)
		vmclock_disruptions++;
	vmclock_timepage_publish(&vmclock_snap, vmclock_disruptions,
				 vmclock_hvpage_tai_offset());
	write_sequnlock(&vmclock_snap_lock);

	if (status != vmclock_last_status) {
		vmclock_last_status = status;
		vmclock_notify_status();
	}
}

/* A pause or suspend shows as boottime moving against monotonic. */
static void vmclock_check_pause(void)
{
	s64 d = ktime_get_boottime_ns() - ktime_get_ns();
	s64 gap = d - vmclock_boot_minus_mono;

	vmclock_boot_minus_mono = d;
	if (gap > VMCLOCK_PAUSE_NS) {
		pr_info("clock paused for %lld ms\n", div_s64(gap, NSEC_PER_MSEC));
		est_disrupt(vmclock_est, EST_DISRUPT_PAUSE, ktime_get_raw_ns(),
			    gap, NSEC_PER_MSEC);
	}
}

/*
 * The hypervisor says the guest's counter was disrupted (migration,
 * snapshot): nothing is known of any source's offset or rate any more.
 * Called without the estimator's lock.
 */
static void vmclock_check_hvpage(void)
{
	if (!vmclock_hvpage_poll())
		return;
	mutex_lock(&vmclock_est_lock);
	est_disrupt(vmclock_est, EST_DISRUPT_UNKNOWN, ktime_get_raw_ns(), 0,
		    EST_BOUND_UNKNOWN);
	vmclock_publish();
	mutex_unlock(&vmclock_est_lock);
}

static void vmclock_tick_work(struct work_struct *work)
{
	vmclock_check_hvpage();
	mutex_lock(&vmclock_est_lock);
	vmclock_check_pause();
	vmclock_publish();
	mutex_unlock(&vmclock_est_lock);
	vmclock_sources_tick();
	schedule_delayed_work(&vmclock_tick, msecs_to_jiffies(VMCLOCK_TICK_MS));
}

static void vmclock_source_cfg(const struct vmclock_source *src,
			       struct est_source_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->host_error_ns = READ_ONCE(src->host_error_ns);
	cfg->granularity_ns = src->profile->granularity_ns;
	cfg->poll_ns = (u64)READ_ONCE(src->poll_ms) * NSEC_PER_MSEC;
	cfg->update_period_ns = src->profile->update_period_ns;
	cfg->weight = READ_ONCE(src->weight) * 10;	/* 1..100 -> 10..1000 */
	if (READ_ONCE(src->host_error_set))
		cfg->flags |= EST_CFG_HOST_ERROR_FIXED;
}

/*
 * Give the source a slot in the estimator (a fresh filter); -ENOSPC when
 * all are taken.  The caller owns src's slot (see struct vmclock_source).
 */
int vmclock_clock_source_add(struct vmclock_source *src)
{
	struct est_source_cfg cfg;
	int slot;

	if (src->slot >= 0)
		return 0;
	vmclock_source_cfg(src, &cfg);
	mutex_lock(&vmclock_est_lock);
	slot = find_first_zero_bit(&vmclock_slots, EST_MAX_SOURCES);
	if (slot < EST_MAX_SOURCES && !est_source_add(vmclock_est, slot, &cfg)) {
		__set_bit(slot, &vmclock_slots);
		src->slot = slot;
	}
	mutex_unlock(&vmclock_est_lock);
	return src->slot >= 0 ? 0 : -ENOSPC;
}

/* Take the source out of the estimator, at once. */
void vmclock_clock_source_del(struct vmclock_source *src)
{
	if (src->slot < 0)
		return;
	mutex_lock(&vmclock_est_lock);
	est_source_remove(vmclock_est, src->slot);
	__clear_bit(src->slot, &vmclock_slots);
	src->slot = -1;
	vmclock_publish();
	mutex_unlock(&vmclock_est_lock);
}

/* Settings changed: the estimator keeps the source's filter. */
void vmclock_clock_source_config(struct vmclock_source *src)
{
	struct est_source_cfg cfg;

	if (src->slot < 0)
		return;
	vmclock_source_cfg(src, &cfg);
	mutex_lock(&vmclock_est_lock);
	est_source_configure(vmclock_est, src->slot, &cfg);
	mutex_unlock(&vmclock_est_lock);
}

/*
 * The reads of one poll: n samples (UTC), or none and the error, and the
 * error bound the host reported for them (VMCLOCK_NO_REPORT: none).  Returns
 * whether the estimator wants this source polled faster (reconverging);
 * *falseticker tells whether it is one now, *step whether a step of its
 * time was confirmed by these samples.
 */
bool vmclock_clock_feed(struct vmclock_source *src,
			const struct vmclock_sample *s, int n, int err,
			u64 reported_ns, bool *falseticker, bool *step)
{
	bool burst;
	int i;

	*falseticker = false;
	*step = false;
	if (src->slot < 0)
		return false;
	/* Samples taken after a disruption must not meet filters from before. */
	vmclock_check_hvpage();
	mutex_lock(&vmclock_est_lock);
	/* What the host reports of its error (a user's figure wins). */
	if (n)
		est_source_host_error(vmclock_est, src->slot,
				      reported_ns == VMCLOCK_NO_REPORT ?
				      EST_NO_REPORT : reported_ns);
	for (i = 0; i < n; i++)
		if (est_sample(vmclock_est, src->slot, s[i].raw_before,
			       s[i].src_ns, s[i].raw_after) == EST_SAMPLE_STEP)
			*step = true;
	if (!n && err)
		est_source_error(vmclock_est, src->slot, ktime_get_raw_ns(),
				 err == -ESTALE);
	vmclock_publish();
	burst = est_source_burst(vmclock_est, src->slot);
	*falseticker = vmclock_est->src[src->slot].state == EST_SRC_FALSETICKER;
	mutex_unlock(&vmclock_est_lock);
	return burst;
}

/* What the estimator knows of a source; false when it has no slot. */
bool vmclock_clock_source_info(struct vmclock_source *src,
			       struct vmclock_source_est *info)
{
	struct est_source_info ei;
	bool ok = false;

	mutex_lock(&vmclock_est_lock);
	if (src->slot >= 0 &&
	    !est_source_get(vmclock_est, src->slot, ktime_get_raw_ns(), &ei)) {
		info->falseticker = ei.state == EST_SRC_FALSETICKER;
		info->selected = ei.state == EST_SRC_OK;
		info->freq_ppb = ei.freq_ppb;
		info->jitter_ns = ei.jitter_ns;
		info->bound_ns = ei.bound_ns;
		info->host_error_ns = ei.host_error_ns;
		ok = true;
	}
	mutex_unlock(&vmclock_est_lock);
	return ok;
}

void vmclock_clock_snapshot(struct est_snapshot *snap)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&vmclock_snap_lock);
		*snap = vmclock_snap;
	} while (read_seqretry(&vmclock_snap_lock, seq));
}

enum vmclock_status vmclock_status(void)
{
	struct est_snapshot snap;

	vmclock_clock_snapshot(&snap);
	return snap.status;
}

static bool vmclock_snap_usable(const struct est_snapshot *snap)
{
	return snap->status != EST_STATUS_UNSYNCHRONIZED &&
	       snap->bound_base != EST_BOUND_UNKNOWN;
}

/*
 * The unified clock at the raw time read here (returned in *raw): UTC and
 * error bound in ns.  -EAGAIN while there is no estimate.
 */
int vmclock_clock_now(u64 *raw, s64 *time_ns, u64 *bound_ns)
{
	struct est_snapshot snap;
	unsigned int seq;

	do {
		seq = read_seqbegin(&vmclock_snap_lock);
		*raw = ktime_get_raw_ns();
		snap = vmclock_snap;
	} while (read_seqretry(&vmclock_snap_lock, seq));

	if (!vmclock_snap_usable(&snap))
		return -EAGAIN;
	est_snapshot_eval(&snap, *raw, time_ns, bound_ns);
	return 0;
}

/*
 * The same for a system time snapshot taken here (cross timestamps).  The
 * published snapshot it was evaluated with goes to *used when not NULL,
 * also when there is no estimate.
 */
int vmclock_clock_at_snapshot(struct system_time_snapshot *sys,
			      struct est_snapshot *used,
			      s64 *time_ns, u64 *bound_ns)
{
	struct est_snapshot snap;
	unsigned int seq;

	do {
		seq = read_seqbegin(&vmclock_snap_lock);
		ktime_get_snapshot_id(CLOCK_REALTIME, sys);
		snap = vmclock_snap;
	} while (read_seqretry(&vmclock_snap_lock, seq));

	if (used)
		*used = snap;
	if (!vmclock_snap_usable(&snap))
		return -EAGAIN;
	est_snapshot_eval(&snap, ktime_to_ns(sys->monoraw), time_ns, bound_ns);
	return 0;
}

int vmclock_clock_init(void)
{
	vmclock_est = kzalloc_obj(*vmclock_est, GFP_KERNEL);
	if (!vmclock_est)
		return -ENOMEM;
	est_init(vmclock_est);
	vmclock_snap = vmclock_est->snap;
	vmclock_last_status = vmclock_snap.status;
	vmclock_boot_minus_mono = ktime_get_boottime_ns() - ktime_get_ns();
	INIT_DELAYED_WORK(&vmclock_tick, vmclock_tick_work);
	schedule_delayed_work(&vmclock_tick, msecs_to_jiffies(VMCLOCK_TICK_MS));
	return 0;
}

/* Stop the tick; the estimator stays for the sources still to leave. */
void vmclock_clock_stop(void)
{
	cancel_delayed_work_sync(&vmclock_tick);
}

void vmclock_clock_exit(void)
{
	vmclock_clock_stop();
	kfree(vmclock_est);
}
