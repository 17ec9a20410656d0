/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmclock estimator: per-source offset/frequency tracking, falseticker
 * rejection, combination and the published clock snapshot.
 *
 * Integer-only; the same file builds in the kernel module and in the
 * userspace unit tests and replay bench (through estimator_shim.h).
 *
 * All times are nanoseconds. "raw" is the guest raw clock
 * (ktime_get_raw()); source time is the source's reading already
 * converted to UTC.
 */
#ifndef _VMCLOCK_ESTIMATOR_H
#define _VMCLOCK_ESTIMATOR_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "estimator_shim.h"
#endif

/* Most sources one estimator tracks. */
#define EST_MAX_SOURCES		8
/* Samples kept per source for delay statistics. */
#define EST_WINDOW		16
/* Consistent outliers that confirm a step. */
#define EST_STEP_CONFIRM	3

/* Fixed point of published frequencies and bound growth: 2^-48 ns/ns. */
#define EST_FREQ_SHIFT		48
/* One part per billion in EST_FREQ_SHIFT units (2^48 / 1e9, rounded). */
#define EST_FREQ_PPB		281475LL
/*
 * Largest rate of a source against the raw clock: the raw clock's own
 * error (500 ppm at most, as NTP allows) plus 100 ppm for the source's.
 */
#define EST_FREQ_LIMIT		(600000LL * EST_FREQ_PPB)

/* Published bound that means "unknown". */
#define EST_BOUND_UNKNOWN	U64_MAX

/**
 * enum est_status - state of the combined clock
 * @EST_STATUS_UNSYNCHRONIZED: never synchronized (no majority of
 *	sources agrees yet), or the holdover bound has grown past the
 *	limit or is unknown
 * @EST_STATUS_SYNCHRONIZED: a majority of sources agrees, a source of
 *	their combination is selected (its last read good) and the clock
 *	follows that combination
 * @EST_STATUS_HOLDOVER: synchronized before, but no usable source, no
 *	majority, or no selected source in the combination now; the clock
 *	runs on the last combination's frequency with a growing bound
 * @EST_STATUS_DISRUPTED: a pause, a suspend or a step was seen; the
 *	estimate is being rebuilt and the bound is wide
 * @EST_STATUS_MAX: number of values
 */
enum est_status {
	EST_STATUS_UNSYNCHRONIZED = 0,
	EST_STATUS_SYNCHRONIZED,
	EST_STATUS_HOLDOVER,
	EST_STATUS_DISRUPTED,
	EST_STATUS_MAX
};

/**
 * enum est_src_state - state of one source as the estimator sees it
 * @EST_SRC_UNUSED: slot not configured
 * @EST_SRC_INIT: too few samples for an estimate yet
 * @EST_SRC_OK: estimate valid and selected (survivor)
 * @EST_SRC_CANDIDATE: estimate valid, not selected because no majority
 *	could be formed or the estimator is not combining yet
 * @EST_SRC_FALSETICKER: estimate valid but outside the majority
 *	intersection; see &enum est_ft_reason
 * @EST_SRC_STALE: the source reported stale data or has not produced a
 *	usable sample for too long
 * @EST_SRC_ERROR: the last read failed
 * @EST_SRC_STEP: samples disagree with the estimate; a step is being
 *	confirmed
 * @EST_SRC_MAX: number of values
 */
enum est_src_state {
	EST_SRC_UNUSED = 0,
	EST_SRC_INIT,
	EST_SRC_OK,
	EST_SRC_CANDIDATE,
	EST_SRC_FALSETICKER,
	EST_SRC_STALE,
	EST_SRC_ERROR,
	EST_SRC_STEP,
	EST_SRC_MAX
};

/**
 * enum est_ft_reason - why a source is not among the survivors
 * @EST_FT_NONE: it is a survivor, or not evaluated
 * @EST_FT_OUTSIDE: its interval misses the majority intersection
 * @EST_FT_NO_MAJORITY: no interval is shared by a majority of the
 *	sources that vote (no selection at all)
 * @EST_FT_RATE: its rate against the raw clock came out beyond what
 *	any oscillator does (%EST_FREQ_LIMIT): an error, not an estimate;
 *	it is acquiring again
 * @EST_FT_MAX: number of values
 */
enum est_ft_reason {
	EST_FT_NONE = 0,
	EST_FT_OUTSIDE,
	EST_FT_NO_MAJORITY,
	EST_FT_RATE,
	EST_FT_MAX
};

/**
 * enum est_sample_result - what est_sample() did with a sample
 * @EST_SAMPLE_ACCEPTED: used by the filter
 * @EST_SAMPLE_DELAY: rejected, read delay too large (slow read)
 * @EST_SAMPLE_OUTLIER: rejected as popcorn noise
 * @EST_SAMPLE_STEP: several consistent outliers: step confirmed, the
 *	source was reset to the new offset
 * @EST_SAMPLE_DUPLICATE: no new host sample behind this read (sources
 *	that extrapolate a periodic host sample); only freshness recorded
 * @EST_SAMPLE_INVALID: bad arguments (bracket reversed or too wide,
 *	unknown source)
 * @EST_SAMPLE_MAX: number of values
 */
enum est_sample_result {
	EST_SAMPLE_ACCEPTED = 0,
	EST_SAMPLE_DELAY,
	EST_SAMPLE_OUTLIER,
	EST_SAMPLE_STEP,
	EST_SAMPLE_DUPLICATE,
	EST_SAMPLE_INVALID,
	EST_SAMPLE_MAX
};

/**
 * enum est_disrupt_kind - disruption reported by the caller
 * @EST_DISRUPT_PAUSE: the guest was paused or suspended and its raw
 *	clock stood still meanwhile (boottime minus monotonic jumped, or a
 *	device reported a disruption)
 * @EST_DISRUPT_GAP: the raw clock kept running but sampling stopped for
 *	a while (missed polls, vCPU starved)
 * @EST_DISRUPT_UNKNOWN: something else happened (migration, snapshot
 *	restore): all offsets and frequencies are unknown
 * @EST_DISRUPT_MAX: number of values
 */
enum est_disrupt_kind {
	EST_DISRUPT_PAUSE = 0,
	EST_DISRUPT_GAP,
	EST_DISRUPT_UNKNOWN,
	EST_DISRUPT_MAX
};

/**
 * struct est_source_cfg - per-source configuration (from the profile)
 * @host_error_ns: intrinsic error of the source's host clock, which
 *	no read statistic can reveal
 * @granularity_ns: resolution of the source values
 * @poll_ns: nominal poll interval; used for staleness and the burst hint
 * @update_period_ns: for sources whose reads extrapolate a host sample
 *	pushed periodically (Hyper-V TimeSync: 5 s), that period; 0 for
 *	sources read live
 * @max_delay_ns: reads with a wider bracket are ignored (0: 10 ms)
 * @weight: relative weight in the combination, 1..1000 (0 means 100)
 * @flags: %EST_CFG_HOST_ERROR_FIXED
 *
 * @host_error_ns is the fallback while the source layer has reported
 * no host error of its own (est_source_host_error()), or the value in
 * force regardless of reports with %EST_CFG_HOST_ERROR_FIXED (a user
 * override). Either way the source's effective host error follows the
 * rule of est_source_host_error(): up at once, down only by more than
 * half and then with a fresh filter.
 */
struct est_source_cfg {
	u64 host_error_ns;
	u32 granularity_ns;
	u64 poll_ns;
	u64 update_period_ns;
	u32 max_delay_ns;
	u32 weight;
	u32 flags;
};

/* @host_error_ns of &struct est_source_cfg wins over reported values. */
#define EST_CFG_HOST_ERROR_FIXED	0x1U

/* est_source_host_error(): the host reports no error (any more). */
#define EST_NO_REPORT			U64_MAX

/**
 * struct est_kf - two-state Kalman filter of one source
 * @t_ref: raw time the state refers to
 * @off_base: integer part of the offset (source minus raw), ns
 * @off: offset relative to @off_base, ns in Q.16
 * @freq: frequency of source against raw, ns per 2^30 ns in Q.32
 * @p_oo: offset variance, ns^2 in Q.16
 * @p_of: offset-frequency covariance, ns^2 / 2^30 ns in Q.20
 * @p_ff: frequency variance, (ns / 2^30 ns)^2 in Q.24
 * @r: measurement noise variance estimate, ns^2 in Q.16
 * @q: frequency random-walk density, ns^2 / (2^30 ns)^3 in Q.24
 * @nis: running mean of normalized innovation squared, Q.16
 * @r_n: samples folded into @r so far (saturates)
 * @lnis: running mean of the long-horizon consistency ratio, Q.16
 * @ck_t: raw time of the wander checkpoint (0: none)
 * @ck_base: @off_base at the checkpoint
 * @ck_off: @off at the checkpoint
 * @ck_freq: @freq at the checkpoint
 * @ck_p_oo: @p_oo at the checkpoint
 * @ck_p_of: @p_of at the checkpoint
 * @ck_p_ff: @p_ff at the checkpoint
 * @ck_n: updates since the checkpoint
 */
struct est_kf {
	s64 t_ref;
	s64 off_base;
	s64 off;
	s64 freq;
	u64 p_oo;
	s64 p_of;
	u64 p_ff;
	u64 r;
	u64 q;
	u64 nis;
	u32 r_n;
	u64 lnis;
	s64 ck_t;
	s64 ck_base;
	s64 ck_off;
	s64 ck_freq;
	u64 ck_p_oo;
	s64 ck_p_of;
	u64 ck_p_ff;
	u32 ck_n;
};

/**
 * struct est_sample_rec - one remembered sample
 * @raw: bracket midpoint, raw ns
 * @y: source minus raw at @raw, ns
 * @delay: bracket width, ns
 * @result: &enum est_sample_result
 */
struct est_sample_rec {
	s64 raw;
	s64 y;
	u32 delay;
	u8 result;
};

/**
 * struct est_source - state of one source (owned by &struct est)
 * @cfg: configuration
 * @state: &enum est_src_state
 * @ft_reason: &enum est_ft_reason of the last selection
 * @kf: the filter
 * @hist: last samples, ring of %EST_WINDOW
 * @hist_pos: next slot in @hist
 * @hist_n: valid entries in @hist
 * @n_good: samples accepted since the last reset
 * @n_reject: consecutive rejected samples
 * @out_raw: raw times of the last %EST_STEP_CONFIRM of them (a ring
 *	indexed by @n_reject)
 * @out_y: their measurements, twice (source - raw)
 * @n_slow: consecutive reads rejected for their delay
 * @samples: samples offered (lifetime)
 * @errors: read errors reported (lifetime)
 * @steps: steps confirmed (lifetime)
 * @last_raw: raw time of the last sample offered or error
 * @last_good: raw time of the last accepted sample
 * @delay_min: smallest bracket (ns), tracked over a long horizon
 * @dmin_fx: the same in fixed point (see EST_DMIN_SHIFT)
 * @delay_dev: mean excess of accepted delays over @delay_min (ns)
 * @half_delay: largest half bracket among recent accepted samples (ns)
 * @plat_y: current plateau value for periodic-update sources
 * @plat_delay: bracket of the read that gave @plat_y (ns)
 * @plat_raw: raw time of the last read that showed @plat_y
 * @plat_since: raw time the current plateau was first seen
 * @plat_push: estimated raw time of the last host sample fed
 * @plat_span: recent width of the interval a host sample was located
 *	in (decaying maximum), ns
 * @plat_valid: @plat_y is set
 * @off_unknown: the next sample restarts the offset (pause)
 * @freq_valid: the frequency has been estimated before and may be kept
 * @rate_bad: the last estimate's rate was beyond %EST_FREQ_LIMIT; the
 *	filter restarted and has found none within it since
 * @prev_y: last two measurements fed to the filter, for the noise estimate
 * @prev_t: their raw times
 * @prev_x: their excess-delay variances, ns^2 Q.16
 * @prev_n: how many of @prev_y are valid
 * @weight: weight (1..1000)
 * @est_ns: offset (source minus raw) at the last selection
 * @bound_ns: bound at the last selection
 * @share: share of this source in the published combination, Q.16
 * @share_sel: share in the last selection (published or not), Q.16
 * @seen_y2: twice (source - raw) of the last read, accepted or not, a
 *	slow one too: what the source says now
 * @seen_raw: its raw midpoint
 * @seen_delay: its bracket (ns)
 * @seen_valid: @seen_y2 is set and on the current time scale
 * @host_err: effective host error (ns): the largest value in force since
 *	the filter last started, see est_source_host_error()
 * @host_rep: host error the source last reported (ns)
 * @host_rep_valid: @host_rep is set
 */
struct est_source {
	struct est_source_cfg cfg;
	u8 state;
	u8 ft_reason;
	struct est_kf kf;
	struct est_sample_rec hist[EST_WINDOW];
	u32 hist_pos;
	u32 hist_n;
	u32 n_good;
	u32 n_reject;
	s64 out_raw[EST_STEP_CONFIRM];
	s64 out_y[EST_STEP_CONFIRM];
	u32 n_slow;
	u64 samples;
	u64 errors;
	u64 steps;
	s64 last_raw;
	s64 last_good;
	u32 delay_min;
	u64 dmin_fx;
	u32 delay_dev;
	u32 half_delay;
	s64 plat_y;
	u32 plat_delay;
	s64 plat_raw;
	s64 plat_since;
	s64 plat_push;
	u64 plat_span;
	bool plat_valid;
	bool off_unknown;
	bool freq_valid;
	bool rate_bad;
	s64 prev_y[2];
	s64 prev_t[2];
	u64 prev_x[2];
	u32 prev_n;
	u32 weight;
	s64 est_ns;
	u64 bound_ns;
	u32 share;
	u32 share_sel;
	s64 seen_y2;
	s64 seen_raw;
	u32 seen_delay;
	bool seen_valid;
	u64 host_err;
	u64 host_rep;
	bool host_rep_valid;
};

/**
 * struct est_snapshot - the published clock
 * @raw_base: raw time of the base point
 * @time_base: UTC at @raw_base, ns
 * @freq: rate of the published clock against raw minus one, in
 *	2^-%EST_FREQ_SHIFT units
 * @slew: extra rate applied during the first @slew_len ns after
 *	@raw_base (a correction being slewed in), same units
 * @slew_len: raw ns during which @slew applies
 * @bound_base: error bound at @raw_base, ns (%EST_BOUND_UNKNOWN: unknown)
 * @bound_growth: bound growth per raw ns, 2^-%EST_FREQ_SHIFT units
 * @status: &enum est_status
 * @seq: incremented on each publication (not a lock)
 *
 * Readers evaluate it with est_snapshot_eval(). Valid for raw times up
 * to about %EST_HORIZON_NS after @raw_base; est_update() must be called
 * more often than that.
 */
struct est_snapshot {
	s64 raw_base;
	s64 time_base;
	s64 freq;
	s64 slew;
	u64 slew_len;
	u64 bound_base;
	u64 bound_growth;
	u32 status;
	u32 seq;
};

/* Longest interval between two est_update() calls the bound is valid for. */
#define EST_HORIZON_NS		(16LL * 1000000000LL)

/**
 * struct est - the estimator (caller-allocated; no allocation inside)
 * @src: sources, indexed by caller-chosen id < %EST_MAX_SOURCES
 * @snap: last published snapshot
 * @status: &enum est_status
 * @synced_once: has been synchronized at least once
 * @step_pending: the next publication may step the clock
 * @last_sync: raw time of the last update with a selection
 * @hold_off: offset (UTC minus raw) kept for holdover, at @hold_t, ns
 * @hold_frac: sub-ns part of @hold_off, Q.16
 * @hold_t: raw time of @hold_off (0: nothing to hold over)
 * @hold_freq: frequency for holdover, 2^-%EST_FREQ_SHIFT units
 * @hold_sig: 1-sigma of @hold_off, ns Q.8
 * @hold_fsig: 1-sigma of @hold_freq, ns per 2^30 ns, Q.12
 * @hold_q: frequency wander density (see &struct est_kf)
 * @hold_sys: systematic part of the bound kept for holdover, ns
 * @hold_own: the same if every source of the hold state is right (what
 *	its own sources prove, without the evidence of the others), ns
 * @hold_mask: sources averaged into the hold state (bit per slot)
 * @hold_lost: a source of the hold state was removed (its slot may hold
 *	another source by now)
 * @survivors: survivors of the last selection
 * @candidates: sources with an estimate at the last selection
 * @voters: sources that could vote (not stale/error/unused)
 * @step_threshold_ns: a correction larger than this is stepped
 * @max_bound_ns: a holdover bound past this is unsynchronized
 * @disrupt_until_good: samples each source needs before a disruption
 *	is over
 */
struct est {
	struct est_source src[EST_MAX_SOURCES];
	struct est_snapshot snap;
	u32 status;
	bool synced_once;
	bool step_pending;
	s64 last_sync;
	s64 hold_off;
	s64 hold_frac;
	s64 hold_t;
	s64 hold_freq;
	u64 hold_sig;
	u64 hold_fsig;
	u64 hold_q;
	u64 hold_sys;
	u64 hold_own;
	u32 hold_mask;
	bool hold_lost;
	u32 survivors;
	u32 candidates;
	u32 voters;
	u64 step_threshold_ns;
	u64 max_bound_ns;
	u32 disrupt_until_good;
};

/**
 * struct est_source_info - read-out of one source for sysfs/netlink
 * @state: &enum est_src_state
 * @ft_reason: &enum est_ft_reason
 * @offset_ns: source minus combined clock at the query time, ns
 * @freq_ppb: source rate against raw minus one, ppb
 * @delay_ns: smallest recent read bracket, ns
 * @jitter_ns: measurement noise (1 sigma), ns
 * @bound_ns: error bound of this source at the query time, ns
 * @samples: samples offered
 * @errors: errors reported
 * @host_error_ns: host error the estimator counts for this source now,
 *	ns (see est_source_host_error())
 */
struct est_source_info {
	u32 state;
	u32 ft_reason;
	s64 offset_ns;
	s64 freq_ppb;
	u64 delay_ns;
	u64 jitter_ns;
	u64 bound_ns;
	u64 samples;
	u64 errors;
	u64 host_error_ns;
};

void est_init(struct est *est);
int est_source_add(struct est *est, unsigned int id,
		   const struct est_source_cfg *cfg);
int est_source_configure(struct est *est, unsigned int id,
			 const struct est_source_cfg *cfg);
void est_source_host_error(struct est *est, unsigned int id,
			   u64 host_error_ns);
void est_source_remove(struct est *est, unsigned int id);
enum est_sample_result est_sample(struct est *est, unsigned int id,
				  s64 raw_before, s64 src_ns, s64 raw_after);
void est_source_error(struct est *est, unsigned int id, s64 raw_now,
		      bool stale);
void est_disrupt(struct est *est, enum est_disrupt_kind kind, s64 raw_now,
		 s64 gap_ns, u64 gap_err_ns);
void est_update(struct est *est, s64 raw_now);
bool est_source_burst(const struct est *est, unsigned int id);
int est_source_get(const struct est *est, unsigned int id, s64 raw_now,
		   struct est_source_info *info);
void est_snapshot_eval(const struct est_snapshot *snap, s64 raw,
		       s64 *time_ns, u64 *bound_ns);
const char *est_status_name(unsigned int status);
const char *est_src_state_name(unsigned int state);
const char *est_ft_reason_name(unsigned int reason);

#endif /* _VMCLOCK_ESTIMATOR_H */
