// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock: sources, the PTP hardware clocks vmclock samples.
 *
 * A source is attached through a file descriptor of /dev/ptpN that the
 * sender of a netlink request opened: no kernel API reads another driver's
 * PHC, but the posix-clock layer behind the file does.  vmclock keeps a
 * reference to the clock's device (see vmclock_phc_of_file()) and reads the
 * clock through the posix-clock operations under the clock's rwsem,
 * honouring ->zombie: once the driver unregisters the clock, the source
 * drops its reference at its next poll or within a second, whichever comes
 * first, also when disabled (so the driver's PTP index is free again),
 * goes to "gone" and is never read again.
 *
 * Each source has its own sampler, a delayed work item on an unbound
 * workqueue: PHC reads may sleep (mutexes, hypercalls, PCIe reads that
 * block for a millisecond on ENA), so they need process context, and a
 * work item per source costs no thread and no CPU while it waits.  The
 * workqueue is freezable, so sampling stops across system suspend.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/posix-clock.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/netlink.h>

#include "vmclock.h"

/*
 * Serialises configuration: the source list, sources' dying flags and the
 * writes of their settings.  Never held while waiting for a sampler, whose
 * read may block, except when unloading; see struct vmclock_source.
 */
DEFINE_MUTEX(vmclock_lock);
LIST_HEAD(vmclock_sources);

static struct workqueue_struct *vmclock_wq;
static u32 vmclock_last_id;		/* under vmclock_lock */
static struct dentry *vmclock_debugfs;
/* Set under vmclock_lock when unloading: no sampling, no notification. */
static bool vmclock_stopping;

bool vmclock_sources_stopping(void)
{
	return READ_ONCE(vmclock_stopping);
}

static const char * const vmclock_source_state_names[] = {
	[VMCLOCK_SOURCE_INIT]		= "init",
	[VMCLOCK_SOURCE_OK]		= "ok",
	[VMCLOCK_SOURCE_STALE]		= "stale",
	[VMCLOCK_SOURCE_ERROR]		= "error",
	[VMCLOCK_SOURCE_GONE]		= "gone",
	[VMCLOCK_SOURCE_DISABLED]	= "disabled",
	[VMCLOCK_SOURCE_FALSETICKER]	= "falseticker",
};

static_assert(ARRAY_SIZE(vmclock_source_state_names) == __VMCLOCK_SOURCE_MAX);

/* names[i], or "unknown" for a value past the table. */
static const char *vmclock_name(const char * const *names, size_t n,
				unsigned int i)
{
	return i < n ? names[i] : "unknown";
}

const char *vmclock_source_state_name(enum vmclock_source_state state)
{
	return vmclock_name(vmclock_source_state_names,
			    ARRAY_SIZE(vmclock_source_state_names), state);
}

/*
 * The source's offset from CLOCK_REALTIME at a sample, as measured;
 * real_minus_raw is CLOCK_REALTIME minus CLOCK_MONOTONIC_RAW at the poll.
 */
static void vmclock_source_record_offset(struct vmclock_source *src,
					 const struct vmclock_sample *s,
					 s64 real_minus_raw)
{
	u64 mid = s->raw_before + (s->raw_after - s->raw_before) / 2;

	src->stats.offset_ns = s->src_ns - ((s64)mid + real_minus_raw);
}

/* Reads per poll that keep the source within its profile's rate limit. */
static u32 vmclock_source_burst(const struct vmclock_profile *profile,
				u32 poll_ms)
{
	u64 allowed;

	if (!profile->max_reads_per_s)
		return profile->burst;
	allowed = div_u64((u64)profile->max_reads_per_s * poll_ms, MSEC_PER_SEC);
	return clamp_t(u64, allowed, 1, profile->burst);
}

/* The shortest wait between polls: the global minimum, or the rate limit. */
static unsigned long vmclock_source_min_delay(const struct vmclock_source *src)
{
	u32 ms = VMCLOCK_POLL_MS_MIN, limit = src->profile->max_reads_per_s;

	if (limit)
		ms = max_t(u32, ms, DIV_ROUND_UP(READ_ONCE(src->burst) * MSEC_PER_SEC,
						 limit));
	return msecs_to_jiffies(ms);
}

/*
 * A read is allowed when the current one-second window has room left.
 * Only the sampler calls this.
 */
static bool vmclock_source_may_read(struct vmclock_source *src, u64 now)
{
	u32 limit = src->profile->max_reads_per_s;

	if (!limit)
		return true;
	if (now - src->window_start >= NSEC_PER_SEC) {
		src->window_start = now;
		src->window_reads = 0;
	}
	if (src->window_reads >= limit)
		return false;
	src->window_reads++;
	return true;
}

static const char * const vmclock_read_method_names[] = {
	[VMCLOCK_READ_CLOCK_GETTIME]	= "clock_gettime",
	[VMCLOCK_READ_GETTIME64]	= "gettime64",
	[VMCLOCK_READ_GETTIMEX64]	= "gettimex64",
	[VMCLOCK_READ_CROSSTSTAMP]	= "crosststamp",
};

static_assert(ARRAY_SIZE(vmclock_read_method_names) == __VMCLOCK_READ_MAX);

const char *vmclock_read_method_name(enum vmclock_read_method method)
{
	return vmclock_name(vmclock_read_method_names,
			    ARRAY_SIZE(vmclock_read_method_names), method);
}

/* The most exact method a driver offers, from a cross timestamp down. */
static enum vmclock_read_method
vmclock_best_method(const struct ptp_clock_info *info,
		    enum vmclock_read_method below)
{
	if (!info)
		return VMCLOCK_READ_CLOCK_GETTIME;
	if (below > VMCLOCK_READ_CROSSTSTAMP && info->getcrosststamp)
		return VMCLOCK_READ_CROSSTSTAMP;
	if (below > VMCLOCK_READ_GETTIMEX64 && info->gettimex64)
		return VMCLOCK_READ_GETTIMEX64;
	if (below > VMCLOCK_READ_GETTIME64 && info->gettime64)
		return VMCLOCK_READ_GETTIME64;
	return VMCLOCK_READ_CLOCK_GETTIME;
}

static void vmclock_source_set_note(struct vmclock_source *src,
				    const char *note)
{
	spin_lock_bh(&src->lock);
	strscpy(src->read_note, note, sizeof(src->read_note));
	spin_unlock_bh(&src->lock);
}

/* Why the source is not read with its driver's best method ("": it is). */
void vmclock_source_get_note(struct vmclock_source *src, char *buf,
			     size_t len)
{
	spin_lock_bh(&src->lock);
	strscpy(buf, src->read_note, len);
	spin_unlock_bh(&src->lock);
}

/*
 * A cross timestamp: the device time paired with the raw clock, a sample
 * with no bracket.  The pairing may come from the timekeeper's history, so
 * a little before the call, never after it.
 */
static int vmclock_read_crosststamp(struct ptp_clock_info *info,
				    struct vmclock_sample *s)
{
	struct system_device_crosststamp cts;
	u64 before, after, raw;
	int err;

	vmclock_crosststamp_prepare(&cts);
	before = ktime_get_raw_ns();
	err = info->getcrosststamp(info, &cts);
	after = ktime_get_raw_ns();
	if (err)
		return err;
	raw = ktime_to_ns(cts.sys_monoraw);
	if (raw > after || raw + NSEC_PER_SEC < before)
		return -ERANGE;
	s->raw_before = raw;
	s->raw_after = raw;
	s->src_ns = ktime_to_ns(cts.device);
	return 0;
}

/*
 * gettimex64: the driver's system timestamps bracket the device access
 * alone.  Where they can only be of CLOCK_REALTIME, they are made raw
 * with the offset of a snapshot taken just before; one that does not fall
 * within the call (CLOCK_REALTIME set meanwhile) is not used, and the call
 * is the bracket.
 */
static int vmclock_read_gettimex64(struct ptp_clock_info *info,
				   struct vmclock_sample *s)
{
	struct ptp_system_timestamp sts;
	struct timespec64 ts;
	u64 pre, post;
	int err;
#ifndef VMCLOCK_STS_RAW
	struct system_time_snapshot snap;
	s64 real_minus_raw;

	ktime_get_snapshot_id(CLOCK_REALTIME, &snap);
	real_minus_raw = ktime_to_ns(snap.systime) - ktime_to_ns(snap.monoraw);
#endif

	vmclock_sts_prepare(&sts);
	s->raw_before = ktime_get_raw_ns();
	err = info->gettimex64(info, &ts, &sts);
	s->raw_after = ktime_get_raw_ns();
	if (err)
		return err;
	s->src_ns = timespec64_to_ns(&ts);
	pre = vmclock_sts_pre(&sts);
	post = vmclock_sts_post(&sts);
#ifndef VMCLOCK_STS_RAW
	pre -= real_minus_raw;
	post -= real_minus_raw;
#endif
	if (pre >= s->raw_before && pre <= post && post <= s->raw_after) {
		s->raw_before = pre;
		s->raw_after = post;
	}
	return 0;
}

/*
 * One read, by the source's method.  Returns 0 or the clock's -errno;
 * *gone is set when the clock's driver has unregistered it.  A driver
 * that refuses a cross timestamp (ptp_kvm on x86 does, -ENODEV, when the
 * system clocksource is not kvm-clock) is read with its next method from
 * then on.
 */
static int vmclock_source_read(struct vmclock_source *src,
			       struct vmclock_sample *s, bool *gone)
{
	struct posix_clock *clk = src->clk;
	struct ptp_clock_info *info = src->info;
	struct timespec64 ts;
	char note[64];
	int err;

	down_read(&clk->rwsem);
	if (clk->zombie) {
		up_read(&clk->rwsem);
		*gone = true;
		return -ENODEV;
	}
	/* The info is the driver's: alive while its clock is not a zombie. */
	if (src->method == VMCLOCK_READ_CROSSTSTAMP) {
		err = vmclock_read_crosststamp(info, s);
		if (err != -EOPNOTSUPP && err != -ENODEV)
			goto out;
		snprintf(note, sizeof(note), "crosststamp failed (%d)", err);
		vmclock_source_set_note(src, note);
		WRITE_ONCE(src->method,
			   vmclock_best_method(info, VMCLOCK_READ_CROSSTSTAMP));
	}
	switch (src->method) {
	case VMCLOCK_READ_GETTIMEX64:
		err = vmclock_read_gettimex64(info, s);
		goto out;
	case VMCLOCK_READ_GETTIME64:
		s->raw_before = ktime_get_raw_ns();
		err = info->gettime64(info, &ts);
		break;
	default:
		s->raw_before = ktime_get_raw_ns();
		err = clk->ops.clock_gettime(clk, &ts);
		break;
	}
	s->raw_after = ktime_get_raw_ns();
	if (!err)
		s->src_ns = timespec64_to_ns(&ts);
out:
	up_read(&clk->rwsem);
	return err;
}

/* Seconds TAI is ahead of UTC now. */
static s64 vmclock_tai_offset_ns(void)
{
	s64 d = ktime_get_clocktai_ns() - ktime_get_real_ns();

	return div_s64(d + NSEC_PER_SEC / 2, NSEC_PER_SEC) * NSEC_PER_SEC;
}

/*
 * Drop the reference to the clock, at once when its driver went away.
 * Only the owner of the clock (see struct vmclock_source) calls this.
 */
static void vmclock_source_release_clock(struct vmclock_source *src)
{
	struct posix_clock *clk = src->clk;

	if (!clk)
		return;
	spin_lock_bh(&src->lock);
	WRITE_ONCE(src->clk, NULL);
	spin_unlock_bh(&src->lock);
	if (src->ebound)
		fput(src->ebound);
	src->ebound = NULL;
	vmclock_phc_put(clk);
}

/* The reads of one poll. */
struct vmclock_poll {
	struct vmclock_sample s[VMCLOCK_MAX_BURST];
	struct vmclock_sample *best;	/* narrowest bracket */
	s64 real_minus_raw;		/* at the start of the poll */
	u32 reads;
	u32 failed;
	u32 good;			/* samples in s[] */
	int last_err;
	u64 reported_ns;		/* the host's error report */
	bool gone;
};

/* A burst of reads, within the profile's rate; stops at EBUSY or gone. */
static void vmclock_source_read_burst(struct vmclock_source *src,
				      struct vmclock_poll *p)
{
	u32 burst = min_t(u32, READ_ONCE(src->burst), VMCLOCK_MAX_BURST);
	struct system_time_snapshot snap;
	struct vmclock_sample *s;
	s64 tai = 0;
	int err;

	ktime_get_snapshot_id(CLOCK_REALTIME, &snap);
	p->real_minus_raw = ktime_to_ns(snap.systime) - ktime_to_ns(snap.monoraw);
	if (src->profile->tai)
		tai = vmclock_tai_offset_ns();
	while (p->reads < burst &&
	       vmclock_source_may_read(src, ktime_get_raw_ns())) {
		s = &p->s[p->good];
		p->reads++;
		err = vmclock_source_read(src, s, &p->gone);
		if (p->gone)
			return;
		if (err) {
			p->failed++;
			p->last_err = err;
			/* A busy device is not asked again in this poll. */
			if (err == -EBUSY)
				return;
			continue;
		}
		s->src_ns -= tai;
		if (!p->best || s->raw_after - s->raw_before <
				p->best->raw_after - p->best->raw_before)
			p->best = s;
		p->good++;
	}
}

/*
 * The error bound the host reports for the reads just made: the driver's
 * phc_error_bound (ENA), or the vmclock page of the clock's parent device
 * (ptp_vmclock).  Without it the reads are not used: a report that fails
 * counts as a failed read.  A page that gives no bound is no report: the
 * source's constant stands.
 */
static void vmclock_source_read_report(struct vmclock_source *src,
				       struct vmclock_poll *p)
{
	int err;

	if (src->ebound)
		err = vmclock_error_bound_read(src->ebound, &p->reported_ns);
	else
		err = vmclock_hvpage_report(src->clk->dev->parent,
					    &p->reported_ns);
	if (!err) {
		p->reported_ns = min_t(u64, p->reported_ns,
				       VMCLOCK_HOST_ERROR_NS_MAX);
		return;
	}
	p->reported_ns = VMCLOCK_NO_REPORT;
	if (err == -ENODATA)
		return;
	p->failed++;
	p->last_err = err;
	p->good = 0;
	p->best = NULL;
}

static enum vmclock_source_state
vmclock_source_state_after(const struct vmclock_source *src,
			   const struct vmclock_poll *p, bool falseticker)
{
	if (p->gone)
		return VMCLOCK_SOURCE_GONE;
	if (p->good)
		return falseticker ? VMCLOCK_SOURCE_FALSETICKER :
				     VMCLOCK_SOURCE_OK;
	if (p->last_err == -ESTALE &&
	    src->profile->stale == VMCLOCK_STALE_IS_STALE)
		return VMCLOCK_SOURCE_STALE;
	if (p->last_err && (p->last_err != -EBUSY ||
			    src->busy_polls >= VMCLOCK_BUSY_POLLS))
		return VMCLOCK_SOURCE_ERROR;
	return src->stats.state;	/* busy or rate limit: as before */
}

/* Count the poll in the source's stats; returns the previous state. */
static enum vmclock_source_state
vmclock_source_account(struct vmclock_source *src, const struct vmclock_poll *p,
		       enum vmclock_source_state state)
{
	enum vmclock_source_state old;

	spin_lock_bh(&src->lock);
	old = src->stats.state;
	src->stats.state = state;
	src->stats.reads += p->reads;
	src->stats.errors += p->failed;
	if (p->last_err)
		src->stats.last_error = -p->last_err;
	if (p->best) {
		u64 width = p->best->raw_after - p->best->raw_before;

		src->stats.samples++;
		src->stats.delay_ns = width;
		if (!src->stats.delay_min_ns || width < src->stats.delay_min_ns)
			src->stats.delay_min_ns = width;
		vmclock_source_record_offset(src, p->best, p->real_minus_raw);
		src->stats.reported_error_ns = p->reported_ns;
	}
	spin_unlock_bh(&src->lock);
	return old;
}

static void vmclock_source_poll(struct work_struct *work)
{
	struct vmclock_source *src = container_of(to_delayed_work(work),
						  struct vmclock_source, work);
	enum vmclock_source_state state;
	bool fast = false, falseticker = false, step = false;
	struct vmclock_poll p = { .reported_ns = VMCLOCK_NO_REPORT };
	unsigned long delay;

	/*
	 * The tick kicks the sampler of a source whose clock is gone, also
	 * of a disabled one, which is otherwise never polled; by now the
	 * clock may have been let go already.
	 */
	if (!src->clk)
		return;
	p.gone = READ_ONCE(src->clk->zombie);
	if (!p.gone && !READ_ONCE(src->enabled))
		return;
	if (!p.gone)
		vmclock_source_read_burst(src, &p);
	if (p.good)
		vmclock_source_read_report(src, &p);

	/* A device that is only busy (ENA) is asked again next poll. */
	if (!p.good && p.last_err == -EBUSY)
		src->busy_polls++;
	else
		src->busy_polls = 0;

	if (p.gone) {
		pr_info("source %u (%s): clock went away\n", src->id,
			src->clock_name);
		vmclock_clock_source_del(src);
		vmclock_source_release_clock(src);
	} else if (p.good || p.last_err) {
		fast = vmclock_clock_feed(src, p.s, p.good, p.last_err,
					  p.reported_ns, &falseticker, &step);
	}
	state = vmclock_source_state_after(src, &p, falseticker);
	if (vmclock_source_account(src, &p, state) != state)
		vmclock_notify_source(src, VMCLOCK_CMD_SOURCE_CHANGE_NTF);
	if (step)
		vmclock_notify_source(src, VMCLOCK_CMD_SOURCE_STEP_NTF);
	if (p.gone)
		return;

	/*
	 * A busy device is given time: 2, 4, 8 poll intervals.  While the
	 * estimator reconverges, polls come four times as often, within the
	 * profile's read rate.
	 */
	delay = msecs_to_jiffies(READ_ONCE(src->poll_ms));
	if (src->busy_polls)
		delay <<= min_t(u32, src->busy_polls, VMCLOCK_BUSY_BACKOFF);
	else if (fast)
		delay = max(delay / 4, vmclock_source_min_delay(src));
	queue_delayed_work(vmclock_wq, &src->work, delay);
}

static struct vmclock_source *vmclock_source_find(u32 id)
{
	struct vmclock_source *src;

	lockdep_assert_held(&vmclock_lock);
	list_for_each_entry(src, &vmclock_sources, node)
		if (src->id == id)
			return src;
	return NULL;
}

/*
 * The id after the last one given, skipping 0 and the ids of sources still
 * attached: once the 32-bit ids wrap, a new source must not take a live
 * one's name (its sysfs directory, netlink requests by id).  There are at
 * most VMCLOCK_MAX_SOURCES of them, so this ends.
 */
static u32 vmclock_source_new_id(void)
{
	lockdep_assert_held(&vmclock_lock);
	do {
		vmclock_last_id++;
	} while (!vmclock_last_id || vmclock_source_find(vmclock_last_id));
	return vmclock_last_id;
}

/* In the order of ids: a dump goes on after the last id it sent. */
static void vmclock_source_list_add(struct vmclock_source *src)
{
	struct vmclock_source *pos;

	lockdep_assert_held(&vmclock_lock);
	list_for_each_entry(pos, &vmclock_sources, node)
		if (pos->id > src->id)
			break;
	list_add_tail(&src->node, &pos->node);
}

/* The source with this id, with a reference; NULL if there is none. */
struct vmclock_source *vmclock_source_get(u32 id)
{
	struct vmclock_source *src;

	mutex_lock(&vmclock_lock);
	src = vmclock_source_find(id);
	if (src)
		kobject_get(&src->kobj);
	mutex_unlock(&vmclock_lock);
	return src;
}

void vmclock_source_put(struct vmclock_source *src)
{
	kobject_put(&src->kobj);
}

void vmclock_source_get_stats(struct vmclock_source *src,
			      struct vmclock_source_stats *stats)
{
	spin_lock_bh(&src->lock);
	*stats = src->stats;
	spin_unlock_bh(&src->lock);
}

/* Set the state, and the errno behind it when err is non-zero. */
static void vmclock_source_set_state(struct vmclock_source *src,
				     enum vmclock_source_state state, int err)
{
	spin_lock_bh(&src->lock);
	src->stats.state = state;
	if (err)
		src->stats.last_error = err;
	spin_unlock_bh(&src->lock);
}

/* Check cfg against the source's profile; nothing is changed. */
static int vmclock_source_check(const struct vmclock_profile *profile,
				const struct vmclock_source_config *cfg,
				struct netlink_ext_ack *extack)
{
	if (cfg->poll_ms >= 0 && profile->max_reads_per_s &&
	    cfg->poll_ms * profile->max_reads_per_s < MSEC_PER_SEC) {
		NL_SET_ERR_MSG(extack,
			       "poll interval too short for the clock's read rate limit");
		return -ERANGE;
	}
	return 0;
}

/* Apply a checked configuration.  Sampler stopped or not yet started. */
static void vmclock_source_apply(struct vmclock_source *src,
				 const struct vmclock_source_config *cfg)
{
	if (cfg->poll_ms >= 0)
		WRITE_ONCE(src->poll_ms, cfg->poll_ms);
	if (cfg->host_error_ns >= 0) {
		WRITE_ONCE(src->host_error_ns, cfg->host_error_ns);
		WRITE_ONCE(src->host_error_set, true);
	}
	if (cfg->weight >= 0)
		WRITE_ONCE(src->weight, cfg->weight);
	if (cfg->enabled >= 0)
		WRITE_ONCE(src->enabled, cfg->enabled);
	WRITE_ONCE(src->burst, vmclock_source_burst(src->profile, src->poll_ms));
}

/*
 * Sampler stopped: start it as configured.  A disabled source leaves the
 * estimator at once; enabled again, it starts with a fresh filter.
 */
static void vmclock_source_start(struct vmclock_source *src)
{
	if (!src->clk || vmclock_stopping)
		return;
	if (!src->enabled) {
		vmclock_clock_source_del(src);
		vmclock_source_set_state(src, VMCLOCK_SOURCE_DISABLED, 0);
		return;
	}
	if (vmclock_clock_source_add(src)) {
		vmclock_source_set_state(src, VMCLOCK_SOURCE_ERROR, ENOSPC);
		return;
	}
	if (src->stats.state == VMCLOCK_SOURCE_DISABLED)
		vmclock_source_set_state(src, VMCLOCK_SOURCE_INIT, 0);
	queue_delayed_work(vmclock_wq, &src->work, 0);
}

/* The clock_name of a live PHC, read while its driver cannot go away. */
static void vmclock_read_clock_name(struct posix_clock *clk, char *buf,
				    size_t len)
{
	const struct attribute_group * const *groups;
	struct device *dev = clk->dev;
	struct device_attribute *da;
	struct attribute **attr;
	char *page;

	strscpy(buf, "unknown", len);
	/*
	 * The name lives in the driver's ptp_clock_info, which the ptp class
	 * shows as the clock_name attribute: ask it.
	 */
	page = (char *)get_zeroed_page(GFP_KERNEL);
	if (!page)
		return;
	for (groups = dev->class->dev_groups; groups && *groups; groups++) {
		for (attr = (*groups)->attrs; attr && *attr; attr++) {
			if (strcmp((*attr)->name, "clock_name"))
				continue;
			da = container_of(*attr, struct device_attribute, attr);
			if (da->show && da->show(dev, da, page) > 0)
				strscpy(buf, strim(page), len);
			goto out;
		}
	}
out:
	free_page((unsigned long)page);
}

/* Free a source that was never attached. */
static void vmclock_source_free_new(struct vmclock_source *src)
{
	if (src->ebound)
		fput(src->ebound);
	kfree(src);
}

/*
 * Under vmclock_lock: check src, prepared by vmclock_source_add(), against
 * the sources attached, give it an estimator slot, an id and its sysfs
 * directory, then list and start it.  On failure src is freed and the
 * reference to clk dropped.
 */
static int vmclock_source_attach(struct vmclock_source *src,
				 struct posix_clock *clk,
				 struct netlink_ext_ack *extack)
{
	struct vmclock_source *s;
	int n = 0, err;

	lockdep_assert_held(&vmclock_lock);

	if (vmclock_stopping) {
		NL_SET_ERR_MSG(extack, "vmclock is being unloaded");
		err = -ESHUTDOWN;
		goto err_free;
	}
	list_for_each_entry(s, &vmclock_sources, node) {
		if (READ_ONCE(s->clk) == clk) {
			NL_SET_ERR_MSG(extack, "this PTP clock is already a source");
			err = -EEXIST;
			goto err_free;
		}
		n++;
	}
	if (n >= VMCLOCK_MAX_SOURCES) {
		NL_SET_ERR_MSG(extack,
			       "too many sources (delete gone ones first)");
		err = -ENOSPC;
		goto err_free;
	}

	/* The estimator has room for a few live sources only. */
	if (src->enabled && vmclock_clock_source_add(src)) {
		NL_SET_ERR_MSG(extack,
			       "too many live sources for the estimator (8)");
		err = -ENOSPC;
		goto err_free;
	}
	src->id = vmclock_source_new_id();
	src->clk = clk;

	/* From here on the kobject owns src: its release frees it. */
	err = vmclock_sysfs_source_add(src);
	if (err) {
		/* A slot kept would count as a voter that never goes stale. */
		vmclock_clock_source_del(src);
		vmclock_source_release_clock(src);
		kobject_put(&src->kobj);
		return err;
	}
	vmclock_source_list_add(src);
	/* Announce it before its sampler can announce a state change. */
	vmclock_notify_source(src, VMCLOCK_CMD_SOURCE_ADD_NTF);
	vmclock_source_start(src);
	return 0;

err_free:
	vmclock_source_free_new(src);
	vmclock_phc_put(clk);
	return err;
}

/*
 * Attach the PTP clock behind file.  On success *srcp is the new source,
 * with a reference for the caller (vmclock_source_put()).
 */
int vmclock_source_add(struct file *file, const struct vmclock_profile *profile,
		       const struct vmclock_source_config *cfg,
		       struct netlink_ext_ack *extack,
		       struct vmclock_source **srcp)
{
	struct vmclock_source *src;
	struct posix_clock *clk;
	int err;

	clk = vmclock_phc_of_file(file, extack);
	if (IS_ERR(clk))
		return PTR_ERR(clk);

	err = -ENOMEM;
	src = kzalloc_obj(*src, GFP_KERNEL);
	if (!src)
		goto err_put;
	spin_lock_init(&src->lock);
	mutex_init(&src->ctl);
	INIT_DELAYED_WORK(&src->work, vmclock_source_poll);
	src->slot = -1;
	src->phc_index = MINOR(file_inode(file)->i_rdev);
	src->stats.reported_error_ns = VMCLOCK_NO_REPORT;

	down_read(&clk->rwsem);
	if (clk->zombie) {
		up_read(&clk->rwsem);
		NL_SET_ERR_MSG(extack, "PTP clock is being removed");
		err = -ENODEV;
		goto err_free;
	}
	vmclock_read_clock_name(clk, src->clock_name, sizeof(src->clock_name));
	src->info = vmclock_phc_info(clk, src->clock_name, src->read_note,
				     sizeof(src->read_note));
	src->method = vmclock_best_method(src->info, __VMCLOCK_READ_MAX);
	up_read(&clk->rwsem);
	src->ebound = vmclock_error_bound_open(clk);

	src->profile = profile ?: vmclock_profile_for_clock(src->clock_name);
	err = vmclock_source_check(src->profile, cfg, extack);
	if (err)
		goto err_free;
	src->poll_ms = src->profile->poll_ms;
	src->host_error_ns = src->profile->host_error_ns;
	src->weight = VMCLOCK_WEIGHT_MAX;
	src->enabled = true;
	vmclock_source_apply(src, cfg);

	mutex_lock(&vmclock_lock);
	err = vmclock_source_attach(src, clk, extack);
	if (!err) {
		kobject_get(&src->kobj);
		*srcp = src;
	}
	mutex_unlock(&vmclock_lock);
	return err;

err_free:
	vmclock_source_free_new(src);
err_put:
	vmclock_phc_put(clk);
	return err;
}

int vmclock_source_set(struct vmclock_source *src,
		       const struct vmclock_source_config *cfg,
		       struct netlink_ext_ack *extack)
{
	enum vmclock_source_state old;
	int err;

	err = vmclock_source_check(src->profile, cfg, extack);
	if (err)
		return err;

	mutex_lock(&src->ctl);
	/* The sampler may be blocked in a read: wait without vmclock_lock. */
	cancel_delayed_work_sync(&src->work);
	mutex_lock(&vmclock_lock);
	if (src->dying) {
		NL_SET_ERR_MSG(extack, "no source with this id");
		err = -ENOENT;
	} else {
		old = src->stats.state;		/* the sampler is stopped */
		vmclock_source_apply(src, cfg);
		vmclock_clock_source_config(src);
		vmclock_source_start(src);
		if (src->stats.state != old)
			vmclock_notify_source(src, VMCLOCK_CMD_SOURCE_CHANGE_NTF);
	}
	mutex_unlock(&vmclock_lock);
	mutex_unlock(&src->ctl);
	return err;
}

/* Mark src dying: off the list and out of sysfs at once. */
static void vmclock_source_unlist(struct vmclock_source *src)
{
	lockdep_assert_held(&vmclock_lock);
	src->dying = true;
	list_del(&src->node);
	kobject_del(&src->kobj);
}

/*
 * Tear a dying source down: stop its sampler, which may be blocked in a
 * read, without holding vmclock_lock; let go of its slot and its clock;
 * drop the list's reference.
 */
static void vmclock_source_destroy(struct vmclock_source *src)
{
	mutex_lock(&src->ctl);
	cancel_delayed_work_sync(&src->work);
	vmclock_clock_source_del(src);
	vmclock_source_release_clock(src);
	mutex_unlock(&src->ctl);
	vmclock_notify_source(src, VMCLOCK_CMD_SOURCE_DEL_NTF);
	kobject_put(&src->kobj);
}

int vmclock_source_del(struct vmclock_source *src,
		       struct netlink_ext_ack *extack)
{
	mutex_lock(&vmclock_lock);
	if (src->dying) {
		mutex_unlock(&vmclock_lock);
		NL_SET_ERR_MSG(extack, "no source with this id");
		return -ENOENT;
	}
	vmclock_source_unlist(src);
	mutex_unlock(&vmclock_lock);
	vmclock_source_destroy(src);
	return 0;
}

/*
 * From the unified clock's one-second tick: a source whose clock's driver
 * went away lets go of the clock now, not at its next poll, which may be an
 * hour away or, for a disabled source, never come.  Its sampler does it,
 * kicked at once.  A source in the middle of a change (its ctl held) is
 * left to the next tick: the change has stopped its sampler.
 */
void vmclock_sources_tick(void)
{
	struct vmclock_source *src;
	bool gone;

	mutex_lock(&vmclock_lock);
	if (vmclock_stopping)
		goto out;
	list_for_each_entry(src, &vmclock_sources, node) {
		if (!mutex_trylock(&src->ctl))
			continue;
		spin_lock_bh(&src->lock);
		gone = src->clk && READ_ONCE(src->clk->zombie);
		spin_unlock_bh(&src->lock);
		if (gone)
			mod_delayed_work(vmclock_wq, &src->work, 0);
		mutex_unlock(&src->ctl);
	}
out:
	mutex_unlock(&vmclock_lock);
}

/*
 * First step of unloading: stop every sampler and every notification, while
 * the netlink family still exists.  Sources are freed later, by
 * vmclock_sources_exit(), once no request can reach them.  This waits for
 * the samplers under vmclock_lock: requests that come meanwhile wait too,
 * and then find vmclock stopping.
 */
void vmclock_sources_stop(void)
{
	struct vmclock_source *src;

	mutex_lock(&vmclock_lock);
	WRITE_ONCE(vmclock_stopping, true);
	list_for_each_entry(src, &vmclock_sources, node)
		cancel_delayed_work_sync(&src->work);
	mutex_unlock(&vmclock_lock);
}

/*
 * debugfs last_source_id: the id given last, which the next source's id
 * follows (as ns_last_pid is for pids).  Tests set it to reach the wrap of
 * the 32-bit ids without attaching four billion sources.
 */
static int vmclock_last_id_get(void *data, u64 *val)
{
	mutex_lock(&vmclock_lock);
	*val = vmclock_last_id;
	mutex_unlock(&vmclock_lock);
	return 0;
}

static int vmclock_last_id_set(void *data, u64 val)
{
	if (val > U32_MAX)
		return -ERANGE;
	mutex_lock(&vmclock_lock);
	vmclock_last_id = val;
	mutex_unlock(&vmclock_lock);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(vmclock_last_id_fops, vmclock_last_id_get,
			 vmclock_last_id_set, "%llu\n");

int vmclock_sources_init(void)
{
	vmclock_wq = alloc_workqueue("vmclock", WQ_UNBOUND | WQ_FREEZABLE, 0);
	if (!vmclock_wq)
		return -ENOMEM;
	vmclock_debugfs = debugfs_create_dir("vmclock", NULL);
	debugfs_create_file_unsafe("last_source_id", 0600, vmclock_debugfs,
				   NULL, &vmclock_last_id_fops);
	/*
	 * phc_check_fault: N (1..4) makes check N of vmclock_phc_info() fail
	 * for the sources attached next, so tests see the fallback.
	 */
	debugfs_create_u32("phc_check_fault", 0600, vmclock_debugfs,
			   &vmclock_phc_check_fault);
	return 0;
}

void vmclock_sources_exit(void)
{
	struct vmclock_source *src;

	debugfs_remove_recursive(vmclock_debugfs);
	do {
		mutex_lock(&vmclock_lock);
		src = list_first_entry_or_null(&vmclock_sources,
					       struct vmclock_source, node);
		if (src)
			vmclock_source_unlist(src);
		mutex_unlock(&vmclock_lock);
		if (src)
			vmclock_source_destroy(src);
	} while (src);
	destroy_workqueue(vmclock_wq);
}
