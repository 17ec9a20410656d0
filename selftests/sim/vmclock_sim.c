// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock_sim: simulated hypervisor PTP clocks, for tests only.
 *
 * Each simulated clock registers a PHC that reads like one of the real
 * hypervisor drivers (KVM's ptp_kvm, Hyper-V's TimeSync, AWS ENA) or like a
 * plain device clock, and offers the read methods that driver offers.  Its
 * value is a scripted function of a "truth" clock, itself a linear function
 * of the guest's raw clock, so tests can compare what a consumer estimated
 * with what was really there.  Everything is controlled through debugfs,
 * /sys/kernel/debug/vmclock_sim/; see Documentation/sim.rst.
 *
 * It also simulates vmclock devices (ACPI AMZNC10C, QEMU's -device vmclock):
 * platform devices whose memory resource is a page in the vmclock ABI,
 * changed through debugfs as a hypervisor changes it.
 *
 * All times are nanoseconds.  "raw" is ktime_get_raw_ns().
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/random.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/timex.h>
#include <linux/uaccess.h>
#ifdef CONFIG_X86
#include <asm/tsc.h>
#endif

#include "vmclock_abi.h"

#define SIM_MAX_CLOCKS	64
/* Devices of "page add"; a vmclock clock ID has device 8 + ID. */
#define SIM_MAX_PAGES	8
/* Reads remembered for the one-second window: max_rate and rate_limit. */
#define SIM_WINDOW	1024
#define SIM_MAX_PPB	10000000LL		/* 1 % */
#define SIM_MAX_OFFSET	1000000000000000000LL	/* about 31 years */
#define SIM_MAX_WAIT	100000000LL		/* 100 ms */

enum sim_mode { SIM_KVM, SIM_HYPERV, SIM_ENA, SIM_PLAIN, SIM_VMCLOCK };

static const char * const sim_mode_names[] = {
	[SIM_KVM] = "kvm", [SIM_HYPERV] = "hyperv",
	[SIM_ENA] = "ena", [SIM_PLAIN] = "plain", [SIM_VMCLOCK] = "vmclock",
};

enum sim_dist { SIM_UNIFORM, SIM_NORMAL };

static const char * const sim_dist_names[] = {
	[SIM_UNIFORM] = "uniform", [SIM_NORMAL] = "normal",
};

/* The per-clock debugfs files. */
enum sim_attr_id {
	SA_PTP, SA_CLOCK_NAME, SA_REGISTERED, SA_MODE, SA_OFFSET, SA_STEP,
	SA_FREQ, SA_NOISE, SA_NOISE_DIST, SA_LATENCY, SA_JITTER, SA_ASYM,
	SA_SLEEP, SA_SEED, SA_HV_PERIOD, SA_HV_GRAN, SA_STALE, SA_HV_STOP,
	SA_HV_SAMPLE, SA_RATE_LIMIT, SA_BUSY_NS, SA_SLOW_PERMILLE, SA_SLOW_NS,
	SA_FAIL_ERRNO, SA_PAIRING, SA_XTS_ERRNO, SA_EB, SA_EB_ERRNO, SA_STATS,
	SA_NR
};

/**
 * struct sim_attr - one per-clock debugfs file
 * @name: file name
 * @mode: permissions
 * @min: smallest value a write accepts (numeric files)
 * @max: largest value a write accepts (numeric files)
 */
struct sim_attr {
	const char *name;
	umode_t mode;
	s64 min, max;
};

static const struct sim_attr sim_attrs[SA_NR] = {
	[SA_PTP]	   = { "ptp", 0444 },
	[SA_CLOCK_NAME]	   = { "clock_name", 0444 },
	[SA_REGISTERED]	   = { "registered", 0644, 0, 1 },
	[SA_MODE]	   = { "mode", 0644 },
	[SA_OFFSET]	   = { "offset_ns", 0644, -SIM_MAX_OFFSET, SIM_MAX_OFFSET },
	[SA_STEP]	   = { "step_ns", 0200, -SIM_MAX_OFFSET, SIM_MAX_OFFSET },
	[SA_FREQ]	   = { "freq_ppb", 0644, -SIM_MAX_PPB, SIM_MAX_PPB },
	[SA_NOISE]	   = { "noise_ns", 0644, 0, NSEC_PER_SEC },
	[SA_NOISE_DIST]	   = { "noise_dist", 0644 },
	[SA_LATENCY]	   = { "latency_ns", 0644, 0, SIM_MAX_WAIT },
	[SA_JITTER]	   = { "latency_jitter_ns", 0644, 0, SIM_MAX_WAIT },
	[SA_ASYM]	   = { "latency_asym", 0644, 0, 100 },
	[SA_SLEEP]	   = { "latency_sleep", 0644, 0, 1 },
	[SA_SEED]	   = { "seed", 0644 },
	[SA_HV_PERIOD]	   = { "hv_period_ms", 0644, 1, 3600000 },
	[SA_HV_GRAN]	   = { "hv_granularity_ns", 0644, 1, NSEC_PER_SEC },
	[SA_STALE]	   = { "stale_ms", 0644, 1, 86400000 },
	[SA_HV_STOP]	   = { "hv_stop", 0644, 0, 1 },
	[SA_HV_SAMPLE]	   = { "hv_sample", 0444 },
	[SA_RATE_LIMIT]	   = { "rate_limit", 0644, 0, SIM_WINDOW },
	[SA_BUSY_NS]	   = { "busy_ns", 0644, 0, SIM_MAX_WAIT },
	[SA_SLOW_PERMILLE] = { "slow_permille", 0644, 0, 1000 },
	[SA_SLOW_NS]	   = { "slow_ns", 0644, 0, SIM_MAX_WAIT },
	[SA_FAIL_ERRNO]	   = { "fail_errno", 0644, 0, MAX_ERRNO },
	[SA_PAIRING]	   = { "pairing_error_ns", 0644, -NSEC_PER_SEC, NSEC_PER_SEC },
	[SA_XTS_ERRNO]	   = { "crosststamp_errno", 0644, 0, MAX_ERRNO },
	[SA_EB]		   = { "error_bound_ns", 0644, 0, U32_MAX },
	[SA_EB_ERRNO]	   = { "error_bound_errno", 0644, 0, MAX_ERRNO },
	[SA_STATS]	   = { "stats", 0444 },
};

struct sim_clock;
struct sim_page;

/**
 * struct sim_file - what a per-clock debugfs file points to
 * @c: the clock
 * @attr: which file (enum sim_attr_id)
 */
struct sim_file {
	struct sim_clock *c;
	unsigned int attr;
};

/**
 * struct sim_clock - one simulated PTP hardware clock
 * @id: index in sim_clocks[] and name of its debugfs directory
 * @name: the clock_name
 * @info: what ptp_clock_register() gets: the methods of @mode, and @name
 * @dir: debugfs directory
 * @files: targets of the debugfs files in @dir
 * @reg_lock: serializes registering and unregistering; protects @info,
 *	@ptp and @parent.  Writers of @mode hold it too.
 * @ptp: the registered clock, NULL while unregistered
 * @parent: ENA: the device @ptp is registered under, NULL otherwise
 * @page: vmclock: the simulated vmclock device @ptp is registered under,
 *	whose page it reads its status from, NULL otherwise
 * @page_abi: @page's page, for reads (which only happen while @ptp is)
 * @lock: protects every field below it.  Held only for arithmetic, never
 *	across a wait, so reads of the clock never block each other for long.
 *	Taken under sim_mutex by pause and under @reg_lock by a change of
 *	mode; truth_lock (a seqlock) is read under it.  The error bound
 *	attribute of @parent takes it, and nothing else.
 * @mode: enum sim_mode; written under @reg_lock and @lock, so that a
 *	registered clock's methods always are those of its mode
 * @off_base: offset from truth at raw @off_raw
 * @off_raw: raw time of the last phase or frequency change
 * @freq_ppb: frequency error against truth, parts per billion
 * @noise_ns: noise amplitude (uniform: half width; normal: deviation)
 * @noise_dist: enum sim_dist
 * @latency_ns: busy-wait of every read
 * @jitter_ns: extra busy-wait, uniform in [0, @jitter_ns]
 * @asym: where in the busy-wait the value is taken, percent
 * @sleep: a read sleeps through its wait rather than busy-waiting
 * @seed: last seed written
 * @rng: PRNG state (splitmix64)
 * @hv_period: Hyper-V host sample period
 * @hv_gran: Hyper-V sample granularity
 * @hv_anchor: raw time of a host sample; the others follow every @hv_period
 * @hv_stopped: the host pushes no samples after @hv_stop_raw
 * @hv_stop_raw: raw time the host stopped
 * @hv_k: index of the cached sample on the grid, -1 when none
 * @hv_raw: raw time of the cached sample
 * @hv_val: value of the cached sample (quantized, noise included)
 * @stale: reads fail with -ESTALE once the last sample is older than this
 * @rate_limit: ENA: reads admitted per second (0: no limit)
 * @bucket: ENA: token bucket, as credit in nanoseconds; a read costs
 *	1 s / @rate_limit
 * @bucket_raw: ENA: raw time @bucket was last filled
 * @busy_ns: ENA: busy-wait of a refused read
 * @slow_permille: ENA: share of reads that take @slow_ns longer
 * @slow_ns: ENA: extra wait of a slow read
 * @fail_errno: when set, every read fails with -@fail_errno
 * @pairing_ns: KVM: error of a cross timestamp's pairing, added to its
 *	device time
 * @xts_errno: KVM: when set, cross timestamps fail with -@xts_errno
 * @eb_ns: ENA: the error bound the device reports with each time
 * @eb_errno: ENA: when set, reading the error bound fails with -@eb_errno
 * @eb_valid: ENA: @eb_cached holds the bound of the last read
 * @eb_cached: ENA: the error bound the driver cached at its last read
 * @win: raw times of the last admitted reads, a ring
 * @win_head: reads ever put in @win
 * @win_tail: oldest read of @win still inside the window
 * @st: read statistics, see the stats file
 */
struct sim_clock {
	unsigned int id;
	char name[PTP_CLOCK_NAME_LEN];
	struct ptp_clock_info info;
	struct dentry *dir;
	struct sim_file files[SA_NR];

	struct mutex reg_lock;		/* see @reg_lock above */
	struct ptp_clock *ptp;
	struct device *parent;
	struct sim_page *page;
	const struct vmclock_page_abi *page_abi;

	spinlock_t lock;		/* see @lock above: the model, stats */
	enum sim_mode mode;
	s64 off_base;
	u64 off_raw;
	s64 freq_ppb;
	u32 noise_ns;
	enum sim_dist noise_dist;
	u32 latency_ns, jitter_ns, asym;
	bool sleep;
	u64 seed, rng;
	u64 hv_period;
	u32 hv_gran;
	u64 hv_anchor;
	bool hv_stopped;
	u64 hv_stop_raw;
	s64 hv_k;
	u64 hv_raw;
	s64 hv_val;
	u64 stale;
	u32 rate_limit, busy_ns, slow_permille, slow_ns;
	u64 bucket, bucket_raw;
	int fail_errno;
	s64 pairing_ns;
	int xts_errno;
	u32 eb_ns;
	int eb_errno;
	bool eb_valid;
	u32 eb_cached;
	u64 win[SIM_WINDOW];
	u64 win_head, win_tail;
	struct {
		u64 reads, ok, busy, stale, errors, slow, max_rate;
	} st;
};

/*
 * sim_mutex: protects sim_clocks[] and sim_pages[]; held across adding,
 * deleting and pause.  Per-clock and per-device debugfs handlers never
 * take it, so deleting may wait for them with it held.
 */
static DEFINE_MUTEX(sim_mutex);
static struct sim_clock *sim_clocks[SIM_MAX_CLOCKS];
static struct dentry *sim_root;

/*
 * truth(raw) = truth_base + (raw - truth_raw) * (1 + truth_ppb / 1e9)
 * truth_lock: written by the ctl commands under sim_mutex; readers retry.
 */
static DEFINE_SEQLOCK(truth_lock);
static u64 truth_raw;
static s64 truth_base;
static s64 truth_ppb;

/* d * ppb / 1e9 without overflow for any d and |ppb| <= SIM_MAX_PPB. */
static s64 sim_scale(s64 d, s64 ppb)
{
	s32 rem;
	s64 q = div_s64_rem(d, NSEC_PER_SEC, &rem);

	return q * ppb + div_s64((s64)rem * ppb, NSEC_PER_SEC);
}

static s64 sim_truth(u64 raw)
{
	unsigned int seq;
	s64 v, d;

	do {
		seq = read_seqbegin(&truth_lock);
		d = raw - truth_raw;
		v = truth_base + d + sim_scale(d, truth_ppb);
	} while (read_seqretry(&truth_lock, seq));
	return v;
}

static u64 sim_rand(struct sim_clock *c)
{
	u64 z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n]. */
static u64 sim_rand_upto(struct sim_clock *c, u32 n)
{
	return ((sim_rand(c) >> 32) * ((u64)n + 1)) >> 32;
}

static s64 sim_noise(struct sim_clock *c)
{
	s64 sum = 0;
	int i;

	if (!c->noise_ns)
		return 0;
	if (c->noise_dist == SIM_UNIFORM)
		return (s64)sim_rand_upto(c, 2 * c->noise_ns) - c->noise_ns;
	/*
	 * Twelve uniforms on [0, 1) sum to mean 6, variance 1: close to a
	 * normal deviate, bounded at 6 sigma.  In units of 2^-16.
	 */
	for (i = 0; i < 12; i++)
		sum += sim_rand(c) >> 48;
	sum -= 6LL << 16;
	return (sum * c->noise_ns) >> 16;
}

/* The source's own clock (without noise) at raw. */
static s64 sim_source(struct sim_clock *c, u64 raw)
{
	return sim_truth(raw) + c->off_base +
	       sim_scale(raw - c->off_raw, c->freq_ppb);
}

static s64 sim_offset_now(struct sim_clock *c, u64 now)
{
	return c->off_base + sim_scale(now - c->off_raw, c->freq_ppb);
}

/* Set the phase to off at now, keeping the frequency. */
static void sim_set_offset(struct sim_clock *c, u64 now, s64 off)
{
	c->off_base = off;
	c->off_raw = now;
}

static void sim_mode_defaults(struct sim_clock *c)
{
	c->jitter_ns = 0;
	switch (c->mode) {
	case SIM_KVM:
		c->latency_ns = 2000;
		break;
	case SIM_ENA:
		c->latency_ns = 10000;
		break;
	default:
		c->latency_ns = 0;
		break;
	}
}

/*
 * Hyper-V: the host pushes a sample now, and then every period; when it is
 * stopped, from when it resumes.
 */
static void sim_hv_restart(struct sim_clock *c, u64 now)
{
	c->hv_anchor = now;
	if (!c->hv_stopped)
		c->hv_k = -1;
}

/*
 * Hyper-V: make the cached sample the last one the host pushed at or
 * before raw.  Samples are computed when first needed, from the model as
 * it is then.
 */
static void sim_hv_update(struct sim_clock *c, u64 raw)
{
	u64 last = raw, k;
	s32 rem;
	s64 v;

	if (c->hv_stopped && c->hv_stop_raw < last) {
		/* a grid set up since the host stopped has no sample yet */
		if (c->hv_stop_raw < c->hv_anchor && c->hv_k >= 0)
			return;
		last = c->hv_stop_raw;
	}
	k = last > c->hv_anchor ? div64_u64(last - c->hv_anchor, c->hv_period) : 0;
	if ((s64)k == c->hv_k)
		return;
	c->hv_k = k;
	c->hv_raw = c->hv_anchor + k * c->hv_period;
	v = sim_source(c, c->hv_raw) + sim_noise(c);
	div_s64_rem(v, c->hv_gran, &rem);
	if (rem < 0)
		rem += c->hv_gran;
	c->hv_val = v - rem;
}

/* Number of admitted reads in the second up to now. */
static u64 sim_window(struct sim_clock *c, u64 now)
{
	while (c->win_tail < c->win_head &&
	       (s64)(now - c->win[c->win_tail % SIM_WINDOW]) >= NSEC_PER_SEC)
		c->win_tail++;
	return c->win_head - c->win_tail;
}

static void sim_window_add(struct sim_clock *c, u64 now)
{
	u64 n;

	if (c->win_head - c->win_tail == SIM_WINDOW)
		c->win_tail++;
	c->win[c->win_head++ % SIM_WINDOW] = now;
	n = c->win_head - c->win_tail;
	if (n > c->st.max_rate)
		c->st.max_rate = n;
}

/*
 * ENA: may a read at raw now use the device?  A token bucket refilled at
 * rate_limit per second, holding max(1, rate_limit / 10) reads, spreads the
 * reads; the window makes sure no second ever holds more than rate_limit.
 */
static bool sim_ena_admit(struct sim_clock *c, u64 now)
{
	u64 cost = div_u64(NSEC_PER_SEC, c->rate_limit);
	u64 cap = cost * max(1U, c->rate_limit / 10);

	if (now > c->bucket_raw) {
		c->bucket += now - c->bucket_raw;
		c->bucket_raw = now;
	}
	c->bucket = min(c->bucket, cap);
	if (c->bucket < cost || sim_window(c, now) >= c->rate_limit)
		return false;
	c->bucket -= cost;
	return true;
}

/* ENA: a full bucket. */
static void sim_ena_reset(struct sim_clock *c, u64 now)
{
	c->bucket = NSEC_PER_SEC;
	c->bucket_raw = now;
}

/*
 * First half of a read, at raw t0: fail it, refuse it (busy), or admit it
 * and say how long it takes (*wait) and when in that time the value is
 * taken (*at).
 */
static int sim_admit(struct sim_clock *c, u64 t0, u64 *wait, u64 *at)
{
	u64 w;

	c->st.reads++;
	/* ptp_vmclock: no time from a page that calls its clock unreliable */
	if (c->mode == SIM_VMCLOCK &&
	    READ_ONCE(c->page_abi->clock_status) == VMCLOCK_PAGE_STATUS_UNRELIABLE) {
		c->st.errors++;
		return -EINVAL;
	}
	if (c->fail_errno) {
		c->st.errors++;
		/* ENA: the device flagged an error, the cached bound is void */
		c->eb_valid = false;
		return -c->fail_errno;
	}
	if (c->mode == SIM_ENA && c->rate_limit && !sim_ena_admit(c, t0)) {
		c->st.busy++;
		c->st.errors++;
		*wait = c->busy_ns;
		return -EBUSY;
	}
	sim_window_add(c, t0);
	w = c->latency_ns;
	if (c->jitter_ns)
		w += sim_rand_upto(c, c->jitter_ns);
	if (c->mode == SIM_ENA && c->slow_permille &&
	    sim_rand_upto(c, 999) < c->slow_permille) {
		w += c->slow_ns;
		c->st.slow++;
	}
	*wait = w;
	*at = div_u64(w * c->asym, 100);
	return 0;
}

/* Second half: the value at raw, or -ESTALE. */
static int sim_value(struct sim_clock *c, u64 raw, s64 *val)
{
	if (c->mode == SIM_HYPERV) {
		sim_hv_update(c, raw);
		if (raw > c->hv_raw && raw - c->hv_raw > c->stale) {
			c->st.stale++;
			c->st.errors++;
			return -ESTALE;
		}
		*val = c->hv_val + (s64)(raw - c->hv_raw);
	} else {
		*val = sim_source(c, raw) + sim_noise(c);
	}
	/* ENA: the device reports its error bound with the time */
	c->eb_cached = c->eb_ns;
	c->eb_valid = true;
	c->st.ok++;
	return 0;
}

/* Wait until raw time t: spinning, as a costly read, or sleeping. */
static void sim_wait_until(u64 t, bool sleep)
{
	u64 now;

	while ((now = ktime_get_raw_ns()) < t) {
		if (sleep)
			fsleep(div_u64(t - now, NSEC_PER_USEC) + 1);
		else
			cpu_relax();
	}
}

/*
 * One read: admit it, wait until the value is taken, take it, wait out the
 * rest.  With snap, the raw instant the value is taken at is that of a
 * system time snapshot, and the value is a cross timestamp's (the pairing
 * error included).  sts brackets the whole read.
 */
static int sim_read(struct sim_clock *c, struct ptp_system_timestamp *sts,
		    struct system_time_snapshot *snap, s64 *val)
{
	u64 t0, raw, wait = 0, at = 0;
	bool sleep;
	int err;

	ptp_read_system_prets(sts);
	t0 = ktime_get_raw_ns();
	spin_lock(&c->lock);
	err = sim_admit(c, t0, &wait, &at);
	sleep = c->sleep;
	spin_unlock(&c->lock);
	if (err) {
		sim_wait_until(t0 + wait, sleep);
		ptp_read_system_postts(sts);
		return err;
	}
	sim_wait_until(t0 + at, sleep);
	if (snap) {
		ktime_get_snapshot_id(CLOCK_REALTIME, snap);
		raw = ktime_to_ns(snap->monoraw);
	} else {
		raw = ktime_get_raw_ns();
	}
	sim_wait_until(t0 + wait, sleep);

	spin_lock(&c->lock);
	err = sim_value(c, raw, val);
	if (!err && snap)
		*val += c->pairing_ns;
	spin_unlock(&c->lock);
	ptp_read_system_postts(sts);
	return err;
}

static int sim_gettimex64(struct ptp_clock_info *info, struct timespec64 *ts,
			  struct ptp_system_timestamp *sts)
{
	struct sim_clock *c = container_of(info, struct sim_clock, info);
	s64 val = 0;
	int err;

	err = sim_read(c, sts, NULL, &val);
	if (!err)
		*ts = ns_to_timespec64(val);
	return err;
}

static int sim_gettime64(struct ptp_clock_info *info, struct timespec64 *ts)
{
	return sim_gettimex64(info, ts, NULL);
}

/*
 * KVM: the KVM_HC_CLOCK_PAIRING hypercall returns the host's time paired
 * with the guest counter value it was taken at, so the device time comes
 * with the system time of that same instant.  ptp_kvm fails it at once
 * when the guest's clocksource is not the one the host pairs with
 * (crosststamp_errno), while plain reads still work.
 */
static int sim_getcrosststamp(struct ptp_clock_info *info,
			      struct system_device_crosststamp *cts)
{
	struct sim_clock *c = container_of(info, struct sim_clock, info);
	struct system_time_snapshot snap;
	s64 val = 0;
	int err;

	/* The hypercall pairs with CLOCK_REALTIME, not an auxiliary clock. */
	if (vmclock_crosststamp_clock_id(cts) != CLOCK_REALTIME)
		return -EOPNOTSUPP;
	spin_lock(&c->lock);
	err = -c->xts_errno;
	if (err) {
		c->st.reads++;
		c->st.errors++;
	}
	spin_unlock(&c->lock);
	if (!err)
		err = sim_read(c, NULL, &snap, &val);
	if (err)
		return err;
	cts->device = ns_to_ktime(val);
	cts->sys_systime = snap.systime;
	cts->sys_monoraw = snap.monoraw;
	return 0;
}

static int sim_adjfine(struct ptp_clock_info *info, long scaled_ppm)
{
	return -EOPNOTSUPP;
}

static int sim_adjtime(struct ptp_clock_info *info, s64 delta)
{
	return -EOPNOTSUPP;
}

static int sim_settime64(struct ptp_clock_info *info,
			 const struct timespec64 *ts)
{
	return -EOPNOTSUPP;
}

static int sim_enable(struct ptp_clock_info *info,
		      struct ptp_clock_request *rq, int on)
{
	return -EOPNOTSUPP;
}

/*
 * Each mode offers the read methods of the driver it imitates, which is
 * what a consumer can use: PTP_SYS_OFFSET_PRECISE needs getcrosststamp,
 * PTP_SYS_OFFSET_EXTENDED gettimex64; the PTP core answers -EOPNOTSUPP
 * without them.  clock_gettime() and PTP_SYS_OFFSET work with either of
 * gettime64 and gettimex64.
 */

/* ptp_kvm: a hypercall, with the pairing of host time and guest counter. */
static const struct ptp_clock_info sim_ptp_kvm = {
	.owner		= THIS_MODULE,
	.adjfine	= sim_adjfine,
	.adjtime	= sim_adjtime,
	.settime64	= sim_settime64,
	.gettime64	= sim_gettime64,
	.getcrosststamp	= sim_getcrosststamp,
	.enable		= sim_enable,
};

/* hv_utils TimeSync: the last host sample, extrapolated. */
static const struct ptp_clock_info sim_ptp_hyperv = {
	.owner		= THIS_MODULE,
	.adjfine	= sim_adjfine,
	.adjtime	= sim_adjtime,
	.settime64	= sim_settime64,
	.gettime64	= sim_gettime64,
	.enable		= sim_enable,
};

/* ENA and device clocks: a register read, bracketed by system time. */
static const struct ptp_clock_info sim_ptp_nic = {
	.owner		= THIS_MODULE,
	.adjfine	= sim_adjfine,
	.adjtime	= sim_adjtime,
	.settime64	= sim_settime64,
	.gettimex64	= sim_gettimex64,
	.enable		= sim_enable,
};

/*
 * ptp_vmclock: the page's time at a counter read, which pairs with system
 * time exactly when the counter is the clocksource's.
 */
static const struct ptp_clock_info sim_ptp_vmclock = {
	.owner		= THIS_MODULE,
	.adjfine	= sim_adjfine,
	.adjtime	= sim_adjtime,
	.settime64	= sim_settime64,
	.gettimex64	= sim_gettimex64,
	.getcrosststamp	= sim_getcrosststamp,
	.enable		= sim_enable,
};

static const struct ptp_clock_info * const sim_ptp_info[] = {
	[SIM_KVM] = &sim_ptp_kvm, [SIM_HYPERV] = &sim_ptp_hyperv,
	[SIM_ENA] = &sim_ptp_nic, [SIM_PLAIN] = &sim_ptp_nic,
	[SIM_VMCLOCK] = &sim_ptp_vmclock,
};

/*
 * ENA: the error bound the driver exports on its PCI device.  The driver
 * caches the bound the device returns with each time; this shows the
 * cached one, or -EBUSY while there is none (before the first read, after
 * a read the device failed).
 */
static ssize_t phc_error_bound_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct sim_clock *c = dev_get_drvdata(dev);
	u32 bound;
	int err;

	spin_lock(&c->lock);
	err = -c->eb_errno;
	if (!err && !c->eb_valid)
		err = -EBUSY;
	bound = c->eb_cached;
	spin_unlock(&c->lock);
	return err ? err : sysfs_emit(buf, "%u\n", bound);
}
static DEVICE_ATTR_RO(phc_error_bound);

/*
 * ENA: a device to register the PHC under, /sys/devices/vmclock_sim.ID,
 * in the place of the network adapter: /sys/class/ptp/ptpN/device.  A
 * root device is released by the driver core, so a /dev/ptpN held open
 * across rmmod (which holds its parent) calls no code of this module.
 */
static struct device *sim_parent_add(struct sim_clock *c)
{
	struct device *dev;
	char name[24];
	int err;

	snprintf(name, sizeof(name), "vmclock_sim.%u", c->id);
	dev = root_device_register(name);
	if (IS_ERR(dev))
		return dev;
	dev_set_drvdata(dev, c);
	err = device_create_file(dev, &dev_attr_phc_error_bound);
	if (err) {
		root_device_unregister(dev);
		return ERR_PTR(err);
	}
	return dev;
}

/* Returns once no reader of the attribute is left. */
static void sim_parent_del(struct device *dev)
{
	device_remove_file(dev, &dev_attr_phc_error_bound);
	root_device_unregister(dev);
}

static struct sim_page *sim_page_create(unsigned int id, struct dentry *dir,
					const char *dname);
static void sim_page_destroy(struct sim_page *p, bool remove_dir);
static struct device *sim_page_dev(struct sim_page *p);
static const struct vmclock_page_abi *sim_page_abi(struct sim_page *p);

/*
 * Register with the methods of the mode; an ENA clock under a new parent
 * device, its cached error bound void as when the driver starts; a
 * vmclock clock under a vmclock device of its own, VMCLOCK.(8 + ID), whose
 * page is the directory "page" beside the clock's files.  The info is
 * rebuilt every time: ptp_clock_register() adds methods of its own derived
 * from those it finds.  Caller holds c->reg_lock.
 */
static int sim_register(struct sim_clock *c)
{
	struct device *parent = NULL;
	struct sim_page *page = NULL;
	struct ptp_clock *ptp;

	if (c->ptp)
		return 0;
	c->info = *sim_ptp_info[c->mode];
	strscpy(c->info.name, c->name, sizeof(c->info.name));
	if (c->mode == SIM_ENA) {
		spin_lock(&c->lock);
		c->eb_valid = false;
		spin_unlock(&c->lock);
		parent = sim_parent_add(c);
		if (IS_ERR(parent))
			return PTR_ERR(parent);
	} else if (c->mode == SIM_VMCLOCK) {
		page = sim_page_create(SIM_MAX_PAGES + c->id, c->dir, "page");
		if (IS_ERR(page))
			return PTR_ERR(page);
		c->page = page;
		c->page_abi = sim_page_abi(page);
	}
	ptp = ptp_clock_register(&c->info, page ? sim_page_dev(page) : parent);
	if (IS_ERR_OR_NULL(ptp)) {
		if (parent)
			sim_parent_del(parent);
		if (page)
			sim_page_destroy(page, true);
		c->page = NULL;
		return ptp ? PTR_ERR(ptp) : -ENODEV;
	}
	c->ptp = ptp;
	c->parent = parent;
	return 0;
}

/*
 * Caller holds c->reg_lock.  Returns once no read of the clock is in
 * flight: the posix-clock layer marks the clock a zombie under its rwsem,
 * which every operation holds for reading; and once no reader of the
 * parent's attribute is left.  Pass remove_dir false when the clock's
 * directory, which holds its page's, is already gone.
 */
static void sim_unregister(struct sim_clock *c, bool remove_dir)
{
	if (!c->ptp)
		return;
	ptp_clock_unregister(c->ptp);
	c->ptp = NULL;
	if (c->parent)
		sim_parent_del(c->parent);
	c->parent = NULL;
	if (c->page)
		sim_page_destroy(c->page, remove_dir);
	c->page = NULL;
}

/*
 * A mode has its own read methods, fixed at registration: a registered
 * clock that changes mode is registered again, as a driver that is
 * replaced (a new index while the old device is held open).  Writing the
 * mode it has only resets its defaults.  Caller holds c->reg_lock.
 */
static int sim_set_mode(struct sim_clock *c, enum sim_mode mode)
{
	bool again = c->ptp && c->mode != mode;
	u64 now;

	if (again)
		sim_unregister(c, true);
	now = ktime_get_raw_ns();
	spin_lock(&c->lock);
	c->mode = mode;
	sim_mode_defaults(c);
	sim_hv_restart(c, now);
	spin_unlock(&c->lock);
	return again ? sim_register(c) : 0;
}

static int sim_parse_s64(const struct sim_attr *a, const char *s, s64 *v)
{
	int err = kstrtos64(s, 0, v);

	if (err)
		return err;
	return *v < a->min || *v > a->max ? -EINVAL : 0;
}

static int sim_parse_name(const char * const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -EINVAL;
}

static int sim_attr_show(struct sim_clock *c, unsigned int attr, char *buf,
			 size_t len)
{
	u64 now = ktime_get_raw_ns();
	int n;

	switch (attr) {
	case SA_PTP:
		mutex_lock(&c->reg_lock);
		if (c->ptp)
			n = scnprintf(buf, len, "ptp%d\n", ptp_clock_index(c->ptp));
		else
			n = scnprintf(buf, len, "none\n");
		mutex_unlock(&c->reg_lock);
		return n;
	case SA_CLOCK_NAME:
		return scnprintf(buf, len, "%s\n", c->name);
	case SA_REGISTERED:
		mutex_lock(&c->reg_lock);
		n = scnprintf(buf, len, "%d\n", !!c->ptp);
		mutex_unlock(&c->reg_lock);
		return n;
	}

	spin_lock(&c->lock);
	switch (attr) {
	case SA_MODE:
		n = scnprintf(buf, len, "%s\n", sim_mode_names[c->mode]);
		break;
	case SA_OFFSET:
		n = scnprintf(buf, len, "%lld\n", sim_offset_now(c, now));
		break;
	case SA_FREQ:
		n = scnprintf(buf, len, "%lld\n", c->freq_ppb);
		break;
	case SA_NOISE:
		n = scnprintf(buf, len, "%u\n", c->noise_ns);
		break;
	case SA_NOISE_DIST:
		n = scnprintf(buf, len, "%s\n", sim_dist_names[c->noise_dist]);
		break;
	case SA_LATENCY:
		n = scnprintf(buf, len, "%u\n", c->latency_ns);
		break;
	case SA_JITTER:
		n = scnprintf(buf, len, "%u\n", c->jitter_ns);
		break;
	case SA_ASYM:
		n = scnprintf(buf, len, "%u\n", c->asym);
		break;
	case SA_SLEEP:
		n = scnprintf(buf, len, "%d\n", c->sleep);
		break;
	case SA_SEED:
		n = scnprintf(buf, len, "%llu\n", c->seed);
		break;
	case SA_HV_PERIOD:
		n = scnprintf(buf, len, "%llu\n", div_u64(c->hv_period, NSEC_PER_MSEC));
		break;
	case SA_HV_GRAN:
		n = scnprintf(buf, len, "%u\n", c->hv_gran);
		break;
	case SA_STALE:
		n = scnprintf(buf, len, "%llu\n", div_u64(c->stale, NSEC_PER_MSEC));
		break;
	case SA_HV_STOP:
		n = scnprintf(buf, len, "%d\n", c->hv_stopped);
		break;
	case SA_HV_SAMPLE:
		sim_hv_update(c, now);
		n = scnprintf(buf, len, "%llu %lld\n", c->hv_raw, c->hv_val);
		break;
	case SA_RATE_LIMIT:
		n = scnprintf(buf, len, "%u\n", c->rate_limit);
		break;
	case SA_BUSY_NS:
		n = scnprintf(buf, len, "%u\n", c->busy_ns);
		break;
	case SA_SLOW_PERMILLE:
		n = scnprintf(buf, len, "%u\n", c->slow_permille);
		break;
	case SA_SLOW_NS:
		n = scnprintf(buf, len, "%u\n", c->slow_ns);
		break;
	case SA_FAIL_ERRNO:
		n = scnprintf(buf, len, "%d\n", c->fail_errno);
		break;
	case SA_PAIRING:
		n = scnprintf(buf, len, "%lld\n", c->pairing_ns);
		break;
	case SA_XTS_ERRNO:
		n = scnprintf(buf, len, "%d\n", c->xts_errno);
		break;
	case SA_EB:
		n = scnprintf(buf, len, "%u\n", c->eb_ns);
		break;
	case SA_EB_ERRNO:
		n = scnprintf(buf, len, "%d\n", c->eb_errno);
		break;
	case SA_STATS:
		n = scnprintf(buf, len,
			      "reads %llu\nok %llu\nbusy %llu\nstale %llu\nerrors %llu\nmax_rate %llu\nslow %llu\n",
			      c->st.reads, c->st.ok, c->st.busy, c->st.stale,
			      c->st.errors, c->st.max_rate, c->st.slow);
		break;
	default:
		n = 0;
		break;
	}
	spin_unlock(&c->lock);
	return n;
}

static int sim_attr_store(struct sim_clock *c, unsigned int attr, char *s)
{
	const struct sim_attr *a = &sim_attrs[attr];
	int err = 0, k = 0;
	u64 now, seed = 0;
	s64 v = 0;

	switch (attr) {
	case SA_MODE:
		k = sim_parse_name(sim_mode_names, ARRAY_SIZE(sim_mode_names), s);
		break;
	case SA_NOISE_DIST:
		k = sim_parse_name(sim_dist_names, ARRAY_SIZE(sim_dist_names), s);
		break;
	case SA_SEED:
		k = kstrtou64(s, 0, &seed);
		break;
	default:
		k = sim_parse_s64(a, s, &v);
		break;
	}
	if (k < 0)
		return k;

	if (attr == SA_REGISTERED || attr == SA_MODE) {
		mutex_lock(&c->reg_lock);
		if (attr == SA_MODE)
			err = sim_set_mode(c, k);
		else if (v)
			err = sim_register(c);
		else
			sim_unregister(c, true);
		mutex_unlock(&c->reg_lock);
		return err;
	}

	now = ktime_get_raw_ns();
	spin_lock(&c->lock);
	switch (attr) {
	case SA_OFFSET:
		sim_set_offset(c, now, v);
		break;
	case SA_STEP:
		v += sim_offset_now(c, now);
		if (v < -SIM_MAX_OFFSET || v > SIM_MAX_OFFSET)
			err = -ERANGE;
		else
			sim_set_offset(c, now, v);
		break;
	case SA_FREQ:
		sim_set_offset(c, now, sim_offset_now(c, now));
		c->freq_ppb = v;
		break;
	case SA_NOISE:
		c->noise_ns = v;
		break;
	case SA_NOISE_DIST:
		c->noise_dist = k;
		break;
	case SA_LATENCY:
		c->latency_ns = v;
		break;
	case SA_JITTER:
		c->jitter_ns = v;
		break;
	case SA_ASYM:
		c->asym = v;
		break;
	case SA_SLEEP:
		c->sleep = v;
		break;
	case SA_SEED:
		c->seed = seed;
		c->rng = seed;
		break;
	case SA_HV_PERIOD:
		c->hv_period = v * NSEC_PER_MSEC;
		sim_hv_restart(c, now);
		break;
	case SA_HV_GRAN:
		c->hv_gran = v;		/* from the next sample on */
		break;
	case SA_STALE:
		c->stale = v * NSEC_PER_MSEC;
		break;
	case SA_HV_STOP:
		if (v && !c->hv_stopped) {
			c->hv_stopped = true;
			c->hv_stop_raw = now;
		} else if (!v && c->hv_stopped) {
			c->hv_stopped = false;
			sim_hv_restart(c, now);
		}
		break;
	case SA_RATE_LIMIT:
		c->rate_limit = v;
		sim_ena_reset(c, now);
		break;
	case SA_BUSY_NS:
		c->busy_ns = v;
		break;
	case SA_SLOW_PERMILLE:
		c->slow_permille = v;
		break;
	case SA_SLOW_NS:
		c->slow_ns = v;
		break;
	case SA_FAIL_ERRNO:
		c->fail_errno = v;
		break;
	case SA_PAIRING:
		c->pairing_ns = v;
		break;
	case SA_XTS_ERRNO:
		c->xts_errno = v;
		break;
	case SA_EB:
		c->eb_ns = v;		/* cached at the next read */
		break;
	case SA_EB_ERRNO:
		c->eb_errno = v;
		break;
	default:
		err = -EPERM;
		break;
	}
	spin_unlock(&c->lock);
	return err;
}

static ssize_t sim_attr_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct sim_file *f = file->private_data;
	char buf[256];
	int n;

	n = sim_attr_show(f->c, f->attr, buf, sizeof(buf));
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

/* Copy a short write from userspace, without surrounding white space. */
static int sim_copy_line(const char __user *ubuf, size_t count, char *buf,
			 size_t len, char **line)
{
	if (count >= len)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	*line = strim(buf);
	return 0;
}

static ssize_t sim_attr_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct sim_file *f = file->private_data;
	char buf[64], *s;
	int err;

	err = sim_copy_line(ubuf, count, buf, sizeof(buf), &s);
	if (!err)
		err = sim_attr_store(f->c, f->attr, s);
	return err ? err : count;
}

static const struct file_operations sim_attr_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= sim_attr_read,
	.write	= sim_attr_write,
	.llseek	= default_llseek,
};

static struct sim_clock *sim_clock_alloc(unsigned int id, const char *name)
{
	struct sim_clock *c = kzalloc(sizeof(*c), GFP_KERNEL);
	u64 now = ktime_get_raw_ns();

	if (!c)
		return NULL;
	c->id = id;
	strscpy(c->name, name, sizeof(c->name));
	mutex_init(&c->reg_lock);
	spin_lock_init(&c->lock);

	if (!strcmp(name, "KVM virtual PTP"))
		c->mode = SIM_KVM;
	else if (!strcmp(name, "hyperv"))
		c->mode = SIM_HYPERV;
	else if (!strncmp(name, "ena-ptp-", 8))
		c->mode = SIM_ENA;
	else if (!strcmp(name, "vmclock"))
		c->mode = SIM_VMCLOCK;
	else
		c->mode = SIM_PLAIN;
	sim_mode_defaults(c);
	c->off_raw = now;
	c->noise_dist = SIM_UNIFORM;
	c->asym = 50;
	c->seed = id + 1;
	c->rng = c->seed;
	c->hv_period = 5000 * NSEC_PER_MSEC;
	c->hv_gran = 100;
	c->stale = 600000 * NSEC_PER_MSEC;
	sim_hv_restart(c, now);
	c->rate_limit = 125;
	sim_ena_reset(c, now);
	c->busy_ns = 1000000;
	c->slow_permille = 10;
	c->slow_ns = 50000;
	c->eb_ns = 10000;
	return c;
}

static int sim_clock_files(struct sim_clock *c)
{
	char dname[8];
	unsigned int i;

	snprintf(dname, sizeof(dname), "%u", c->id);
	c->dir = debugfs_create_dir(dname, sim_root);
	if (IS_ERR(c->dir))
		return PTR_ERR(c->dir);
	for (i = 0; i < SA_NR; i++) {
		c->files[i].c = c;
		c->files[i].attr = i;
		debugfs_create_file(sim_attrs[i].name, sim_attrs[i].mode, c->dir,
				    &c->files[i], &sim_attr_fops);
	}
	return 0;
}

/*
 * Free a clock that sim_clocks[] no longer holds.  Removing its debugfs
 * files waits for their handlers to finish; unregistering waits for reads
 * in flight.  Only then is the memory freed.  Pass remove_dir false when
 * the whole debugfs tree is already gone.
 */
static void sim_clock_destroy(struct sim_clock *c, bool remove_dir)
{
	if (remove_dir)
		debugfs_remove_recursive(c->dir);
	mutex_lock(&c->reg_lock);
	sim_unregister(c, false);
	mutex_unlock(&c->reg_lock);
	mutex_destroy(&c->reg_lock);
	kfree(c);
}

/* Caller holds sim_mutex. */
static int sim_add(unsigned int id, const char *name)
{
	struct sim_clock *c;
	int err;

	if (id >= SIM_MAX_CLOCKS || !*name || strlen(name) >= PTP_CLOCK_NAME_LEN)
		return -EINVAL;
	if (sim_clocks[id])
		return -EEXIST;
	c = sim_clock_alloc(id, name);
	if (!c)
		return -ENOMEM;
	err = sim_clock_files(c);
	if (!err) {
		mutex_lock(&c->reg_lock);
		err = sim_register(c);
		mutex_unlock(&c->reg_lock);
	}
	if (err) {
		sim_clock_destroy(c, !IS_ERR_OR_NULL(c->dir));
		return err;
	}
	sim_clocks[id] = c;
	return 0;
}

/* Caller holds sim_mutex. */
static int sim_del(unsigned int id)
{
	struct sim_clock *c;

	if (id >= SIM_MAX_CLOCKS)
		return -EINVAL;
	c = sim_clocks[id];
	if (!c)
		return -ENOENT;
	sim_clocks[id] = NULL;
	sim_clock_destroy(c, true);
	return 0;
}

/*
 * The guest was paused for ns: truth jumps ahead of raw.  A Hyper-V host
 * sends a sample as the guest resumes.  Caller holds sim_mutex.
 */
static int sim_pause(s64 ns)
{
	u64 now = ktime_get_raw_ns();
	struct sim_clock *c;
	unsigned int i;

	if (ns < 0 || ns > SIM_MAX_OFFSET)
		return -EINVAL;
	write_seqlock(&truth_lock);
	truth_base += ns;
	write_sequnlock(&truth_lock);
	for (i = 0; i < SIM_MAX_CLOCKS; i++) {
		c = sim_clocks[i];
		if (!c)
			continue;
		spin_lock(&c->lock);
		if (c->mode == SIM_HYPERV)
			sim_hv_restart(c, now);
		spin_unlock(&c->lock);
	}
	return 0;
}

static int sim_truth_freq(s64 ppb)
{
	u64 now = ktime_get_raw_ns();
	s64 d;

	if (ppb < -SIM_MAX_PPB || ppb > SIM_MAX_PPB)
		return -EINVAL;
	write_seqlock(&truth_lock);
	d = now - truth_raw;
	truth_base += d + sim_scale(d, truth_ppb);
	truth_raw = now;
	truth_ppb = ppb;
	write_sequnlock(&truth_lock);
	return 0;
}

/* "WORD REST": split off the first word; rest may be empty. */
static char *sim_word(char **s)
{
	char *w = strsep(s, " \t");

	if (*s)
		*s = skip_spaces(*s);
	return w;
}

/*
 * The vmclock device: a page the hypervisor writes and the guest reads
 * (the published vmclock ABI, kernel/vmclock_abi.h), which Linux finds as
 * the ACPI device AMZNC10C or VMCLOCK, a platform device whose one memory
 * resource is the page.  A simulated one is a platform device VMCLOCK.N
 * whose memory resource is a page of RAM; every change of the page goes
 * through the seq_count protocol, as the hypervisor's do.
 */
enum sim_page_attr_id {
	SP_DISRUPT, SP_STATUS, SP_MAXERR, SP_ESTERR, SP_FLAGS, SP_MARKER,
	SP_SEQ, SP_STUCK, SP_COUNTER, SP_MAXRATE, SP_TAI, SP_RAW, SP_NR
};

/**
 * struct sim_page_attr - one per-device debugfs file
 * @name: file name
 * @mode: permissions; files without 0200 refuse writes (root may open them)
 * @min: smallest value a write accepts
 * @max: largest value a write accepts
 */
struct sim_page_attr {
	const char *name;
	umode_t mode;
	u64 min, max;
};

static const struct sim_page_attr sim_page_attrs[SP_NR] = {
	[SP_DISRUPT] = { "disrupt", 0200, 1, 1 },
	[SP_STATUS]  = { "clock_status", 0644, 0, VMCLOCK_PAGE_STATUS_MAX },
	[SP_MAXERR]  = { "maxerror_ns", 0644, 0, U64_MAX },
	[SP_ESTERR]  = { "esterror_ns", 0644, 0, U64_MAX },
	[SP_FLAGS]   = { "flags", 0644, 0, U64_MAX },
	[SP_MARKER]  = { "marker", 0444 },
	[SP_SEQ]     = { "seq", 0444 },
	[SP_STUCK]   = { "stuck_odd", 0644, 0, 1 },
	[SP_COUNTER] = { "counter", 0644, 0, 1 },
	[SP_MAXRATE] = { "maxerror_rate_ppb", 0644, 0, NSEC_PER_SEC },
	[SP_TAI]     = { "tai_offset", 0644, 0, S16_MAX },
	[SP_RAW]     = { "raw", 0444 },
};

struct sim_page;

/**
 * struct sim_page_file - what a per-device debugfs file points to
 * @p: the device
 * @attr: which file (enum sim_page_attr_id)
 */
struct sim_page_file {
	struct sim_page *p;
	unsigned int attr;
};

/**
 * struct sim_page - one simulated vmclock device
 * @id: N of the platform device VMCLOCK.N and of the directory pageN
 * @pdev: the platform device; its one IORESOURCE_MEM resource is @abi's page
 * @abi: the page.  It belongs to @pdev (devres) and is freed with the
 *	device's last reference, after it is unregistered.
 * @dir: debugfs directory
 * @files: targets of the files in @dir
 * @lock: serializes changes of the page, the writers of the files in
 *	@dir; protects @stuck
 * @stuck: an update is left open: seq_count stays odd
 * @counter: the page gives the CPU's counter: every update stamps it with
 *	counter_value, the counter read then (x86 only)
 * @maxrate_ppb: counter_period_maxerror_rate_frac_sec, in ppb of the period
 */
struct sim_page {
	unsigned int id;
	struct platform_device *pdev;
	struct vmclock_page_abi *abi;
	struct dentry *dir;
	struct sim_page_file files[SP_NR];
	struct mutex lock;		/* see @lock above */
	bool stuck;
	bool counter;
	u32 maxrate_ppb;
};

/* Under sim_mutex. */
static struct sim_page *sim_pages[SIM_MAX_PAGES];

static void sim_page_seq_inc(struct vmclock_page_abi *abi)
{
	WRITE_ONCE(abi->seq_count,
		   cpu_to_le32(le32_to_cpu(abi->seq_count) + 1));
}

/*
 * Open an update, as the hypervisor does: seq_count odd, then the changes.
 * Within an update left open by stuck_odd, changes join it.  Caller holds
 * p->lock.
 */
static void sim_page_begin(struct sim_page *p)
{
	if (p->stuck)
		return;
	sim_page_seq_inc(p->abi);
	smp_wmb();	/* seq_count odd before any change */
}

/*
 * The counter, its period and the period's maximum error, as a hypervisor
 * gives them for the TSC: the period in 2^-64 s (counter_period_shift 0).
 */
static void sim_page_counter(struct sim_page *p)
{
	struct vmclock_page_abi *abi = p->abi;
#ifdef CONFIG_X86
	u64 period = div64_u64(U64_MAX, (u64)tsc_khz * 1000);

	if (p->counter) {
		abi->counter_id = VMCLOCK_PAGE_COUNTER_X86_TSC;
		abi->counter_period_shift = 0;
		abi->counter_period_frac_sec = cpu_to_le64(period);
		abi->counter_period_maxerror_rate_frac_sec =
			cpu_to_le64(mul_u64_u64_div_u64(period, p->maxrate_ppb,
							NSEC_PER_SEC));
		abi->counter_value = cpu_to_le64(get_cycles());
		return;
	}
#endif
	abi->counter_id = VMCLOCK_PAGE_COUNTER_INVALID;
}

/*
 * Close it: seq_count even once every change is visible.  With a counter,
 * the update is as of now.
 */
static void sim_page_end(struct sim_page *p)
{
	if (p->stuck)
		return;
	sim_page_counter(p);
	smp_wmb();	/* the changes before seq_count even */
	sim_page_seq_inc(p->abi);
}

/* A fresh page: a synchronized clock with no counter, as QEMU has none. */
static void sim_page_init(struct vmclock_page_abi *abi)
{
	u64 marker;

	do {
		marker = get_random_u64();
	} while (!marker);
	abi->magic = cpu_to_le32(VMCLOCK_PAGE_MAGIC);
	abi->size = cpu_to_le32(sizeof(*abi));
	abi->version = cpu_to_le16(VMCLOCK_PAGE_VERSION);
	abi->counter_id = VMCLOCK_PAGE_COUNTER_INVALID;
	abi->time_type = VMCLOCK_PAGE_TIME_UTC;
	abi->disruption_marker = cpu_to_le64(marker);
	abi->flags = cpu_to_le64(VMCLOCK_PAGE_FLAG_TIME_MAXERROR_VALID |
				 VMCLOCK_PAGE_FLAG_TIME_ESTERROR_VALID);
	abi->clock_status = VMCLOCK_PAGE_STATUS_SYNCHRONIZED;
	abi->time_esterror_nanosec = cpu_to_le64(10000);
	abi->time_maxerror_nanosec = cpu_to_le64(100000);
}

static int sim_page_show(struct sim_page *p, unsigned int attr, char *buf,
			 size_t len)
{
	const struct vmclock_page_abi *abi = p->abi;
	int n;

	mutex_lock(&p->lock);
	switch (attr) {
	case SP_STATUS:
		n = scnprintf(buf, len, "%u\n", abi->clock_status);
		break;
	case SP_MAXERR:
		n = scnprintf(buf, len, "%llu\n",
			      le64_to_cpu(abi->time_maxerror_nanosec));
		break;
	case SP_ESTERR:
		n = scnprintf(buf, len, "%llu\n",
			      le64_to_cpu(abi->time_esterror_nanosec));
		break;
	case SP_FLAGS:
		n = scnprintf(buf, len, "%llu\n", le64_to_cpu(abi->flags));
		break;
	case SP_MARKER:
		n = scnprintf(buf, len, "%llu\n",
			      le64_to_cpu(abi->disruption_marker));
		break;
	case SP_SEQ:
		n = scnprintf(buf, len, "%u\n", le32_to_cpu(abi->seq_count));
		break;
	case SP_STUCK:
		n = scnprintf(buf, len, "%d\n", p->stuck);
		break;
	case SP_COUNTER:
		n = scnprintf(buf, len, "%d\n", p->counter);
		break;
	case SP_MAXRATE:
		n = scnprintf(buf, len, "%u\n", p->maxrate_ppb);
		break;
	case SP_TAI:
		n = scnprintf(buf, len, "%d\n",
			      (s16)le16_to_cpu(abi->tai_offset_sec));
		break;
	case SP_RAW:
		n = min(len, sizeof(*abi));
		memcpy(buf, abi, n);
		break;
	default:
		n = 0;
		break;
	}
	mutex_unlock(&p->lock);
	return n;
}

static int sim_page_store(struct sim_page *p, unsigned int attr, const char *s)
{
	const struct sim_page_attr *a = &sim_page_attrs[attr];
	struct vmclock_page_abi *abi = p->abi;
	u64 v, marker;
	int err;

	if (!(a->mode & 0200))
		return -EPERM;
	err = kstrtou64(s, 0, &v);
	if (err)
		return err;
	if (v < a->min || v > a->max)
		return -EINVAL;
	if (attr == SP_COUNTER && !IS_ENABLED(CONFIG_X86))
		return -EOPNOTSUPP;

	mutex_lock(&p->lock);
	if (attr == SP_STUCK) {
		if (v && !p->stuck) {
			sim_page_begin(p);
			p->stuck = true;
		} else if (!v && p->stuck) {
			p->stuck = false;
			sim_page_end(p);
		}
		mutex_unlock(&p->lock);
		return 0;
	}
	sim_page_begin(p);
	switch (attr) {
	case SP_DISRUPT:
		/* an odd step changes it, and comes back only after 2^64 */
		marker = le64_to_cpu(abi->disruption_marker);
		marker += get_random_u64() | 1;
		WRITE_ONCE(abi->disruption_marker, cpu_to_le64(marker));
		break;
	case SP_STATUS:
		WRITE_ONCE(abi->clock_status, v);
		break;
	case SP_MAXERR:
		WRITE_ONCE(abi->time_maxerror_nanosec, cpu_to_le64(v));
		break;
	case SP_ESTERR:
		WRITE_ONCE(abi->time_esterror_nanosec, cpu_to_le64(v));
		break;
	case SP_FLAGS:
		WRITE_ONCE(abi->flags, cpu_to_le64(v));
		break;
	case SP_COUNTER:
		p->counter = v;
		break;
	case SP_MAXRATE:
		p->maxrate_ppb = v;
		break;
	case SP_TAI:
		WRITE_ONCE(abi->tai_offset_sec, cpu_to_le16(v));
		break;
	}
	sim_page_end(p);
	mutex_unlock(&p->lock);
	return 0;
}

static ssize_t sim_page_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct sim_page_file *f = file->private_data;
	char buf[sizeof(struct vmclock_page_abi) + 32];
	int n;

	n = sim_page_show(f->p, f->attr, buf, sizeof(buf));
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static ssize_t sim_page_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct sim_page_file *f = file->private_data;
	char buf[32], *s;
	int err;

	err = sim_copy_line(ubuf, count, buf, sizeof(buf), &s);
	if (!err)
		err = sim_page_store(f->p, f->attr, s);
	return err ? err : count;
}

static const struct file_operations sim_page_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= sim_page_read,
	.write	= sim_page_write,
	.llseek	= default_llseek,
};

/*
 * Remove a device that sim_pages[] no longer holds: its debugfs files
 * first (debugfs waits for handlers in flight), then the platform device.
 * Pass remove_dir false when the whole debugfs tree is already gone.
 */
static void sim_page_destroy(struct sim_page *p, bool remove_dir)
{
	if (remove_dir)
		debugfs_remove_recursive(p->dir);
	platform_device_unregister(p->pdev);
	mutex_destroy(&p->lock);
	kfree(p);
}

/*
 * The page is allocated as a managed resource of the platform device, so
 * that it lives as long as the device: a consumer holding a reference to
 * the device never reads memory given back.  It is freed by the driver
 * core, not by this module, when the last reference goes.  As a resource
 * of the device, platform_device_add() inserts it in the iomem tree, where
 * it nests inside the System RAM range that holds it (/proc/iomem).
 */
static int sim_page_resource(struct platform_device *pdev, phys_addr_t phys)
{
	struct resource res = DEFINE_RES_MEM(phys, PAGE_SIZE);

	return platform_device_add_resources(pdev, &res, 1);
}

static struct platform_device *sim_page_device(unsigned int id,
					       struct vmclock_page_abi **abi)
{
	struct platform_device *pdev;
	unsigned long va;
	int err = -ENOMEM;

	pdev = platform_device_alloc("VMCLOCK", id);
	if (!pdev)
		return ERR_PTR(-ENOMEM);
	va = devm_get_free_pages(&pdev->dev, GFP_KERNEL | __GFP_ZERO, 0);
	if (!va)
		goto put;
	*abi = (struct vmclock_page_abi *)va;
	sim_page_init(*abi);
	err = sim_page_resource(pdev, virt_to_phys(*abi));
	if (!err)
		err = platform_device_add(pdev);
	if (!err)
		return pdev;
put:
	platform_device_put(pdev);
	return ERR_PTR(err);
}

/* The device VMCLOCK.id and its files in dir/dname. */
static struct sim_page *sim_page_create(unsigned int id, struct dentry *dir,
					const char *dname)
{
	struct sim_page *p;
	unsigned int i;

	p = kzalloc_obj(*p, GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->id = id;
	mutex_init(&p->lock);
	p->pdev = sim_page_device(id, &p->abi);
	if (IS_ERR(p->pdev)) {
		int err = PTR_ERR(p->pdev);

		mutex_destroy(&p->lock);
		kfree(p);
		return ERR_PTR(err);
	}
	p->dir = debugfs_create_dir(dname, dir);
	for (i = 0; i < SP_NR; i++) {
		p->files[i].p = p;
		p->files[i].attr = i;
		debugfs_create_file(sim_page_attrs[i].name,
				    sim_page_attrs[i].mode, p->dir,
				    &p->files[i], &sim_page_fops);
	}
	return p;
}

static struct device *sim_page_dev(struct sim_page *p)
{
	return &p->pdev->dev;
}

static const struct vmclock_page_abi *sim_page_abi(struct sim_page *p)
{
	return p->abi;
}

/* Caller holds sim_mutex. */
static int sim_page_add(unsigned int id)
{
	struct sim_page *p;
	char dname[16];

	if (id >= SIM_MAX_PAGES)
		return -EINVAL;
	if (sim_pages[id])
		return -EEXIST;
	snprintf(dname, sizeof(dname), "page%u", id);
	p = sim_page_create(id, sim_root, dname);
	if (IS_ERR(p))
		return PTR_ERR(p);
	sim_pages[id] = p;
	return 0;
}

/* Caller holds sim_mutex. */
static int sim_page_del(unsigned int id)
{
	struct sim_page *p;

	if (id >= SIM_MAX_PAGES)
		return -EINVAL;
	p = sim_pages[id];
	if (!p)
		return -ENOENT;
	sim_pages[id] = NULL;
	sim_page_destroy(p, true);
	return 0;
}

/* "page add N", "page del N": op is add or del, s the rest of the line. */
static int sim_page_ctl(const char *op, char *s)
{
	char *num = s ? sim_word(&s) : NULL;
	unsigned int id;
	int err;

	if (!num || s || (strcmp(op, "add") && strcmp(op, "del")))
		return -EINVAL;
	err = kstrtouint(num, 10, &id);
	if (err)
		return err;
	mutex_lock(&sim_mutex);
	err = op[0] == 'a' ? sim_page_add(id) : sim_page_del(id);
	mutex_unlock(&sim_mutex);
	return err;
}

static ssize_t sim_ctl_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char buf[80], *s, *cmd, *arg;
	unsigned int id;
	s64 v;
	int err;

	err = sim_copy_line(ubuf, count, buf, sizeof(buf), &s);
	if (err)
		return err;
	cmd = sim_word(&s);
	arg = s ? sim_word(&s) : NULL;
	if (!arg)
		return -EINVAL;

	if (!strcmp(cmd, "add") || !strcmp(cmd, "del")) {
		err = kstrtouint(arg, 10, &id);
		if (err)
			return err;
		if ((cmd[0] == 'a') != !!s)
			return -EINVAL;
		mutex_lock(&sim_mutex);
		err = cmd[0] == 'a' ? sim_add(id, s) : sim_del(id);
		mutex_unlock(&sim_mutex);
	} else if (!strcmp(cmd, "page")) {
		err = sim_page_ctl(arg, s);
	} else if (!strcmp(cmd, "pause") || !strcmp(cmd, "truth_freq")) {
		err = s ? -EINVAL : kstrtos64(arg, 10, &v);
		if (!err) {
			mutex_lock(&sim_mutex);
			err = cmd[0] == 'p' ? sim_pause(v) : sim_truth_freq(v);
			mutex_unlock(&sim_mutex);
		}
	} else {
		err = -EINVAL;
	}
	return err ? err : count;
}

static const struct file_operations sim_ctl_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= sim_ctl_write,
	.llseek	= noop_llseek,
};

/**
 * struct sim_truth_file - state of one open truth file
 * @have_raw: the next read evaluates truth at @raw instead of now
 * @raw: raw time written by the user
 * @len: length of @buf
 * @buf: the line the last read at offset 0 made
 */
struct sim_truth_file {
	bool have_raw;
	u64 raw;
	int len;
	char buf[48];
};

static int sim_truth_open(struct inode *inode, struct file *file)
{
	struct sim_truth_file *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	file->private_data = t;
	return 0;
}

static int sim_truth_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t sim_truth_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct sim_truth_file *t = file->private_data;
	u64 raw;

	if (*ppos == 0) {
		raw = t->have_raw ? t->raw : ktime_get_raw_ns();
		t->have_raw = false;
		t->len = scnprintf(t->buf, sizeof(t->buf), "%llu %lld\n", raw,
				   sim_truth(raw));
	}
	return simple_read_from_buffer(ubuf, count, ppos, t->buf, t->len);
}

/* A raw time: the next read evaluates truth there; reads restart at 0. */
static ssize_t sim_truth_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct sim_truth_file *t = file->private_data;
	char buf[32], *s;
	int err;

	err = sim_copy_line(ubuf, count, buf, sizeof(buf), &s);
	if (!err)
		err = kstrtou64(s, 10, &t->raw);
	if (err)
		return err;
	t->have_raw = true;
	*ppos = 0;
	return count;
}

static const struct file_operations sim_truth_fops = {
	.owner		= THIS_MODULE,
	.open		= sim_truth_open,
	.release	= sim_truth_release,
	.read		= sim_truth_read,
	.write		= sim_truth_write,
	.llseek		= default_llseek,
};

static int __init sim_init(void)
{
	struct system_time_snapshot snap;

	ktime_get_snapshot_id(CLOCK_REALTIME, &snap);
	truth_raw = ktime_to_ns(snap.monoraw);
	truth_base = ktime_to_ns(snap.systime);

	sim_root = debugfs_create_dir("vmclock_sim", NULL);
	if (IS_ERR(sim_root))
		return PTR_ERR(sim_root);
	debugfs_create_file("ctl", 0200, sim_root, NULL, &sim_ctl_fops);
	debugfs_create_file("truth", 0600, sim_root, NULL, &sim_truth_fops);
	return 0;
}

static void __exit sim_exit(void)
{
	unsigned int i;

	/* No handler runs once the tree is gone; then free the clocks. */
	debugfs_remove_recursive(sim_root);
	mutex_lock(&sim_mutex);
	for (i = 0; i < SIM_MAX_CLOCKS; i++) {
		if (sim_clocks[i])
			sim_clock_destroy(sim_clocks[i], false);
		sim_clocks[i] = NULL;
	}
	for (i = 0; i < SIM_MAX_PAGES; i++) {
		if (sim_pages[i])
			sim_page_destroy(sim_pages[i], false);
		sim_pages[i] = NULL;
	}
	mutex_unlock(&sim_mutex);
}

module_init(sim_init);
module_exit(sim_exit);

MODULE_DESCRIPTION("Simulated hypervisor PTP clocks for vmclock tests");
MODULE_LICENSE("GPL");
