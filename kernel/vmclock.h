/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmclock: internal interfaces between the parts of the module.
 */
#ifndef _VMCLOCK_H
#define _VMCLOCK_H

#include <linux/kobject.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "uapi/vmclock.h"

struct device;
struct file;
struct genl_info;
struct netlink_ext_ack;
struct posix_clock;

/* Reads in one poll at most (the largest profile burst). */
#define VMCLOCK_MAX_BURST	5
/* At most this many sources, gone ones included, are attached at once. */
#define VMCLOCK_MAX_SOURCES	32
/* Polls in a row that find the device only busy before it is an error. */
#define VMCLOCK_BUSY_POLLS	5
/* After busy polls the next one waits up to 2^this poll intervals. */
#define VMCLOCK_BUSY_BACKOFF	3

/* What -ESTALE from a source means. */
enum vmclock_stale_policy {
	VMCLOCK_STALE_IS_ERROR,
	VMCLOCK_STALE_IS_STALE,	/* Hyper-V: the host sample is too old */
};

/**
 * struct vmclock_profile - how to treat one kind of hypervisor clock
 * @name: profile name, as given by users
 * @match: clock_name this profile is chosen for (a prefix when @prefix)
 * @prefix: @match is a prefix rather than the whole name
 * @tai: the clock counts TAI rather than UTC
 * @poll_ms: default poll interval
 * @burst: reads per poll; the one with the narrowest bracket is kept
 * @max_reads_per_s: read rate the device tolerates, 0 for no limit
 * @host_error_ns: default intrinsic error of the host's clock
 * @granularity_ns: resolution of the clock's values
 * @update_period_ns: for clocks whose reads extrapolate a sample the host
 *	pushes periodically (Hyper-V), that period; 0 for clocks read live
 * @stale: what -ESTALE means
 */
struct vmclock_profile {
	const char *name;
	const char *match;
	bool prefix;
	bool tai;
	u32 poll_ms;
	u32 burst;
	u32 max_reads_per_s;
	u64 host_error_ns;
	u32 granularity_ns;
	u64 update_period_ns;
	enum vmclock_stale_policy stale;
};

const struct vmclock_profile *vmclock_profile_find(const char *name);
const struct vmclock_profile *vmclock_profile_for_clock(const char *clock_name);
/* For messages: the profiles a user may name. */
#define VMCLOCK_PROFILE_NAMES "kvm, hyperv, ena, vmclock, generic"

/**
 * struct vmclock_sample - one bracketed read of a source
 * @raw_before: CLOCK_MONOTONIC_RAW just before the read, ns
 * @raw_after: CLOCK_MONOTONIC_RAW just after the read, ns
 * @src_ns: the source's time, UTC ns
 */
struct vmclock_sample {
	u64 raw_before;
	u64 raw_after;
	s64 src_ns;
};

/**
 * struct vmclock_source_stats - what a source has seen, for reporting
 * @state: enum vmclock_source_state
 * @reads: reads of the clock
 * @samples: polls that produced a sample
 * @errors: failed reads
 * @last_error: errno of the last failed read, 0 if none
 * @delay_ns: bracket width of the last sample
 * @delay_min_ns: narrowest bracket so far
 * @offset_ns: source minus CLOCK_REALTIME at the last sample
 * @reported_error_ns: the error bound the host reported at the last poll,
 *	%VMCLOCK_NO_REPORT when it reports none
 */
struct vmclock_source_stats {
	enum vmclock_source_state state;
	u64 reads;
	u64 samples;
	u64 errors;
	u32 last_error;
	u64 delay_ns;
	u64 delay_min_ns;
	s64 offset_ns;
	u64 reported_error_ns;
};

#define VMCLOCK_NO_REPORT	U64_MAX

/**
 * struct vmclock_source - an attached PTP hardware clock
 * @node: entry in the source list, which is in the order of ids; under
 *	vmclock_lock
 * @id: identifier, not 0; not reused before the 32-bit ids wrap, and never
 *	the id of a source still attached
 * @kobj: /sys/kernel/vmclock/sources/<id>/; its release frees the source
 * @profile: how the clock is treated
 * @clock_name: the PHC's clock_name
 * @phc_index: N of the /dev/ptpN it was attached through
 * @ctl: serialises the changes of this source (source set, source del, the
 *	tick's kick of a gone clock's sampler); taken before vmclock_lock,
 *	and held, without vmclock_lock, while a change waits for the sampler
 * @dying: deleted: off the list and out of sysfs, being torn down; under
 *	vmclock_lock
 * @clk: the PHC, with a reference on its device; NULL once gone.  Written
 *	by its owner (below) under @lock; others read it under @lock
 * @info: the driver's ptp_clock_info, NULL when it could not be found
 *	safely (see vmclock_phc_info()); valid while @clk is not a zombie
 * @method: how @clk is read (enum vmclock_read_method); written by the
 *	owner of @clk, read by anyone
 * @read_note: why @method is not the driver's best, or empty; under @lock
 * @ebound: the driver's error bound report (phc_error_bound), open; NULL
 *	when it has none.  Belongs to the owner of @clk
 * @work: the sampler
 * @poll_ms: poll interval (written under vmclock_lock, read by the sampler)
 * @host_error_ns: intrinsic error (as @poll_ms)
 * @host_error_set: @host_error_ns was given by the user and wins over what
 *	the host reports (as @poll_ms)
 * @weight: relative weight (as @poll_ms)
 * @enabled: sampling wanted (as @poll_ms)
 * @burst: reads per poll, within the profile's rate limit (as @poll_ms)
 * @window_start: raw ns at which the current one-second read window began
 * @window_reads: reads in that window
 * @busy_polls: polls in a row that only got -EBUSY
 * @slot: the source's slot in the estimator, -1 while it has none
 * @lock: protects @stats and writes of @clk; taken by the sampler and by
 *	readers
 * @stats: reported state and counters
 *
 * The sampler owns @clk, the read window, @busy_polls and @slot while its
 * work is queued or running.  Otherwise they belong to whoever holds @ctl
 * and has cancelled the work (source set, the teardown), or to source add
 * before the source is listed.  A read of the clock may block for as long
 * as its device likes, so nobody waits for the sampler while holding
 * vmclock_lock, except the unload.  The sampler never takes vmclock_lock
 * or @ctl.
 */
struct vmclock_source {
	struct list_head node;
	u32 id;
	struct kobject kobj;
	const struct vmclock_profile *profile;
	char clock_name[32];
	u32 phc_index;
	struct mutex ctl;		/* serialises changes, see above */
	bool dying;
	struct posix_clock *clk;
	struct ptp_clock_info *info;
	enum vmclock_read_method method;
	char read_note[64];
	struct file *ebound;
	struct delayed_work work;
	u32 poll_ms;
	u64 host_error_ns;
	bool host_error_set;
	u32 weight;
	bool enabled;
	u32 burst;
	u64 window_start;
	u32 window_reads;
	u32 busy_polls;
	int slot;
	spinlock_t lock;		/* protects stats, writes of clk */
	struct vmclock_source_stats stats;
};

/**
 * struct vmclock_source_est - what the estimator says of a source
 * @selected: used for the unified clock
 * @falseticker: outside the interval most sources agree on
 * @freq_ppb: rate of the source against the raw clock minus one, ppb
 * @jitter_ns: read noise, 1 sigma
 * @bound_ns: the source's own error bound now
 * @host_error_ns: the host error in that bound: the report, the user's
 *	figure or the profile's constant, held while the filter rests on
 *	samples taken under a larger one
 */
struct vmclock_source_est {
	bool selected;
	bool falseticker;
	s64 freq_ppb;
	u64 jitter_ns;
	u64 bound_ns;
	u64 host_error_ns;
};

/* Overrides given with source add / source set; absent fields are < 0. */
struct vmclock_source_config {
	s64 poll_ms;
	s64 host_error_ns;
	s64 weight;
	s32 enabled;
};

/*
 * vmclock_lock: serialises configuration: the source list, sources' @dying
 * and the writes of their settings.  Held only briefly: never while waiting
 * for a sampler, except by the unload.  Taken after a source's @ctl (the
 * tick only trylocks @ctl under it), before the estimator's lock and a
 * source's @lock.
 */
extern struct mutex vmclock_lock;
extern struct list_head vmclock_sources;

struct est_snapshot;
struct system_time_snapshot;

enum vmclock_status vmclock_status(void);
int vmclock_clock_init(void);
void vmclock_clock_stop(void);
void vmclock_clock_exit(void);
int vmclock_clock_source_add(struct vmclock_source *src);
void vmclock_clock_source_del(struct vmclock_source *src);
void vmclock_clock_source_config(struct vmclock_source *src);
bool vmclock_clock_feed(struct vmclock_source *src,
			const struct vmclock_sample *s, int n, int err,
			u64 reported_ns, bool *falseticker, bool *step);
bool vmclock_clock_source_info(struct vmclock_source *src,
			       struct vmclock_source_est *info);
void vmclock_clock_snapshot(struct est_snapshot *snap);
int vmclock_clock_now(u64 *raw, s64 *time_ns, u64 *bound_ns);
int vmclock_clock_at_snapshot(struct system_time_snapshot *sys,
			      struct est_snapshot *used,
			      s64 *time_ns, u64 *bound_ns);
const char *vmclock_status_name(enum vmclock_status status);
const char *vmclock_source_state_name(enum vmclock_source_state state);
const char *vmclock_read_method_name(enum vmclock_read_method method);

int vmclock_source_add(struct file *file,
		       const struct vmclock_profile *profile,
		       const struct vmclock_source_config *cfg,
		       struct netlink_ext_ack *extack,
		       struct vmclock_source **srcp);
int vmclock_source_del(struct vmclock_source *src,
		       struct netlink_ext_ack *extack);
int vmclock_source_set(struct vmclock_source *src,
		       const struct vmclock_source_config *cfg,
		       struct netlink_ext_ack *extack);
struct vmclock_source *vmclock_source_get(u32 id);
void vmclock_source_put(struct vmclock_source *src);
void vmclock_source_get_stats(struct vmclock_source *src,
			      struct vmclock_source_stats *stats);
void vmclock_source_get_note(struct vmclock_source *src, char *buf,
			     size_t len);
int vmclock_sources_init(void);
void vmclock_sources_tick(void);
void vmclock_sources_stop(void);
void vmclock_sources_exit(void);
bool vmclock_sources_stopping(void);

int vmclock_phc_init(void);
void vmclock_phc_exit(void);
int vmclock_phc_index(void);
struct posix_clock *vmclock_phc_of_file(struct file *file,
					struct netlink_ext_ack *extack);
void vmclock_phc_put(struct posix_clock *clk);
struct ptp_clock_info *vmclock_phc_info(struct posix_clock *clk,
					const char *clock_name,
					char *why, size_t len);
extern u32 vmclock_phc_check_fault;
struct file *vmclock_error_bound_open(struct posix_clock *clk);
int vmclock_error_bound_read(struct file *file, u64 *ns);

int vmclock_hvpage_init(void);
void vmclock_hvpage_exit(void);
bool vmclock_hvpage_poll(void);
int vmclock_hvpage_report(struct device *dev, u64 *ns);
int vmclock_hvpage_tai_offset(void);
void vmclock_timepage_publish(const struct est_snapshot *snap,
			      u64 disruptions, int tai);
int vmclock_timepage_init(void);
void vmclock_timepage_exit(void);
/* vmclock_hvpage_info(): the page gives no TAI offset. */
#define VMCLOCK_NO_TAI	INT_MIN
bool vmclock_hvpage_info(char *name, size_t len, u64 *marker,
			 u64 *disruptions, int *tai);

int vmclock_sysfs_init(void);
void vmclock_sysfs_exit(void);
int vmclock_sysfs_source_add(struct vmclock_source *src);

int vmclock_netlink_init(void);
void vmclock_netlink_exit(void);
void vmclock_notify_source(struct vmclock_source *src, u8 cmd);
void vmclock_notify_status(void);

#endif /* _VMCLOCK_H */
