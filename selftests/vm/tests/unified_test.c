// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest tests of the unified clock against the simulator's truth:
 * every read is within the bound published for that instant, reads never
 * go backwards, the PHC agrees with the published snapshot exactly, and a
 * falseticker joining late is flagged and left out.  Needs vmclock and vmclock_sim
 * loaded with no sources attached, root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/ptp_clock.h>
#include <netlink/attr.h>

#include "kselftest_harness.h"
#include "unified.h"

#define SIM SIM_DIR

FIXTURE(unified) {
	struct vmclock_nl *nl;
	int truth;
	int phc;
};

FIXTURE_SETUP(unified)
{
	ASSERT_EQ(0, unified_open(&self->nl, &self->truth, &self->phc));
	ASSERT_TRUE(wait_synced(self->nl, 30));
}

FIXTURE_TEARDOWN(unified)
{
	unified_close(self->nl, self->truth, self->phc);
}

/*
 * 1000 cross timestamps: each equals the published snapshot evaluated at
 * its raw time, is within the bound published for that instant, and none
 * goes backwards.
 */
TEST_F(unified, reads_within_bound)
{
	long long max_err = 0, min_bound = -1, max_bound = 0, prev = 0;
	int i, done = 0, retries = 0, outside = 0, backwards = 0, mismatch = 0;
	struct status s1;

	for (i = 0; i < 1000 + retries && retries < 1000; i++) {
		struct ptp_sys_offset_precise p;
		long long dev, raw, truth, err;
		s64 eval;
		u64 bound;
		int rc;

		rc = precise_at_snapshot(self->nl, self->phc, &p, &s1);
		ASSERT_LE(0, rc);
		if (rc) {
			retries++;	/* a new snapshot came in between */
			continue;
		}
		dev = ts_ns(&p.device);
		raw = ts_ns(&p.sys_monoraw);
		truth = sim_truth_at(self->truth, raw);
		ASSERT_LT(0, truth);
		est_snapshot_eval(&s1.snap, raw, &eval, &bound);
		mismatch += eval != dev;
		err = dev - truth;
		if (err < 0)
			err = -err;
		outside += (u64)err > bound;
		backwards += dev < prev;
		prev = dev;
		if (err > max_err)
			max_err = err;
		if (min_bound < 0 || (long long)bound < min_bound)
			min_bound = bound;
		if ((long long)bound > max_bound)
			max_bound = bound;
		done++;
	}
	TH_LOG("%d reads (%d retried): max |unified - truth| %lld ns, bound "
	       "%lld..%lld ns", done, retries, max_err, min_bound, max_bound);
	EXPECT_LE(1000, done);
	EXPECT_EQ(0, outside);
	EXPECT_EQ(0, backwards);
	EXPECT_EQ(0, mismatch);
}

/*
 * 1000 clock_gettime() reads on the unified clock's fd, each bracketed by
 * CLOCK_MONOTONIC_RAW reads: the value is the published snapshot at some
 * instant of the bracket, and no farther than the bound from the truth
 * over the bracket (when in it the read happened is unknown).
 */
TEST_F(unified, gettime_within_bound)
{
	clockid_t id = ((~(clockid_t)self->phc) << 3) | 3;
	int i, done = 0, retries = 0, outside = 0, mismatch = 0;
	long long max_err = 0, max_width = 0;
	struct status s1, s2;

	for (i = 0; i < 1000 + retries && retries < 1000; i++) {
		struct timespec r0, r1, u;
		long long raw0, raw1, t, e, width;
		s64 e0, e1;
		u64 b0, b1;

		ASSERT_EQ(0, get_status(self->nl, &s1));
		clock_gettime(CLOCK_MONOTONIC_RAW, &r0);
		ASSERT_EQ(0, clock_gettime(id, &u));
		clock_gettime(CLOCK_MONOTONIC_RAW, &r1);
		ASSERT_EQ(0, get_status(self->nl, &s2));
		if (!s1.have_snap || s1.snap.seq != s2.snap.seq) {
			retries++;
			continue;
		}
		raw0 = r0.tv_sec * 1000000000LL + r0.tv_nsec;
		raw1 = r1.tv_sec * 1000000000LL + r1.tv_nsec;
		t = u.tv_sec * 1000000000LL + u.tv_nsec;
		width = raw1 - raw0;
		est_snapshot_eval(&s1.snap, raw0, &e0, &b0);
		est_snapshot_eval(&s1.snap, raw1, &e1, &b1);
		mismatch += t < e0 || t > e1;
		/* how far outside [truth(raw0), truth(raw1)] */
		e = t - sim_truth_at(self->truth, raw1);
		if (e < 0) {
			e = sim_truth_at(self->truth, raw0) - t;
			if (e < 0)
				e = 0;
		}
		outside += (unsigned long long)e > (b1 > b0 ? b1 : b0);
		if (e > max_err)
			max_err = e;
		if (width > max_width)
			max_width = width;
		done++;
	}
	TH_LOG("%d reads (%d retried): max distance to the truth over the "
	       "bracket %lld ns, bracket up to %lld ns", done, retries,
	       max_err, max_width);
	EXPECT_LE(1000, done);
	EXPECT_EQ(0, outside);
	EXPECT_EQ(0, mismatch);
}

/* clock_gettime() on the unified clock: monotonic, and cheap. */
TEST_F(unified, gettime_monotonic)
{
	clockid_t id = ((~(clockid_t)self->phc) << 3) | 3;
	struct timespec a, b, t0, t1;
	long long prev = 0, now;
	int i, backwards = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, clock_gettime(id, &a));
		now = a.tv_sec * 1000000000LL + a.tv_nsec;
		backwards += now < prev;
		prev = now;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("unified clock_gettime: %.0f ns per read",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000; i++)
		clock_gettime(CLOCK_REALTIME, &b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("CLOCK_REALTIME clock_gettime: %.0f ns per read",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1000);
	EXPECT_EQ(0, backwards);
}

/* A fourth clock 5 ms off: flagged, left out, the clock unmoved. */
TEST_F(unified, falseticker_left_out)
{
	struct ptp_sys_offset_precise p = { 0 };
	struct events ev;
	struct reply r;
	char buf[64];
	long long err;
	int fd, i;

	ASSERT_EQ(0, events_open(&ev));
	ASSERT_EQ(0, write_str(SIM "/ctl", "add 3 KVM virtual PTP"));
	ASSERT_EQ(0, write_str(SIM "/3/offset_ns", "5000000"));
	for (i = 0; i < 32; i++) {
		snprintf(buf, sizeof(buf), SIM "/3/ptp");
		if (!read_line(buf, buf, sizeof(buf)) && !strncmp(buf, "ptp", 3))
			break;
	}
	fd = open_phc(atoi(buf + 3));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, add_req(self->nl, fd, NULL, 0, &r)) TH_LOG("%s", r.ext);
	close(fd);
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, r.id,
				VMCLOCK_SOURCE_FALSETICKER, 15));
	source_sysfs(r.id, "state", buf, sizeof(buf));
	EXPECT_STREQ("falseticker", buf);
	EXPECT_EQ(0, source_sysfs(r.id, "selected", buf, sizeof(buf)));
	ASSERT_EQ(0, read_line("/sys/kernel/vmclock/selected", buf, sizeof(buf)));
	TH_LOG("selected: %s (falseticker %u)", buf, r.id);
	EXPECT_EQ(NULL, strstr(buf, "4"));

	/* The unified clock still follows the others. */
	ASSERT_EQ(0, ioctl(self->phc, PTP_SYS_OFFSET_PRECISE, &p));
	err = ts_ns(&p.device) - sim_truth_at(self->truth, ts_ns(&p.sys_monoraw));
	TH_LOG("unified - truth with the falseticker attached: %lld ns", err);
	EXPECT_GT(100000, err < 0 ? -err : err);
	nl_socket_free(ev.sk);
}

/* |unified - truth| and the bound, from one cross timestamp. */
static int unified_error(FIXTURE_DATA(unified) *self, long long *err,
			 unsigned long long *bound)
{
	struct check c;

	if (check_unified(self->nl, self->phc, self->truth, &c))
		return -1;
	*err = c.err;
	*bound = c.bound;
	return 0;
}

/*
 * A 2 s guest pause (every source jumps ahead of the raw clock, as when a
 * host stops a guest whose clocks do not see it): the status leaves
 * synchronized at once; from the declared disruption on, the bound is
 * wider than before the pause and holds the truth; the status comes back
 * within 15 s, and the unified clock then follows the hosts again, within
 * its bound.
 */
TEST_F(unified, pause_reconverges)
{
	unsigned long long bound, before, widest = 0;
	int i, readable = 0, outside = 0, disrupted = 0;
	double t0;
	struct status st;
	struct events ev;
	long long err;

	ASSERT_EQ(0, unified_error(self, &err, &before));
	ASSERT_EQ(0, events_open(&ev));
	t0 = now_s();
	ASSERT_EQ(0, sim_ctl("pause 2000000000"));
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_STATUS_CHANGE_NTF, 0,
				VMCLOCK_STATUS_DISRUPTED, 5));
	TH_LOG("disrupted %.0f ms after the pause", (now_s() - t0) * 1e3);
	for (i = 0; i < 150; i++) {
		ASSERT_EQ(0, get_status(self->nl, &st));
		if (st.status == VMCLOCK_STATUS_SYNCHRONIZED)
			break;
		disrupted += st.status == VMCLOCK_STATUS_DISRUPTED;
		if (!unified_error(self, &err, &bound)) {
			readable++;
			outside += (unsigned long long)llabs(err) > bound;
			if (bound > widest)
				widest = bound;
		}
		usleep(100000);
	}
	TH_LOG("bound %llu ns before the pause, widest %llu ns after it "
	       "(%d checks, %d disrupted, %d readable) until synchronized",
	       before, widest, i, disrupted, readable);
	EXPECT_LT(0, disrupted);
	EXPECT_LT(0, readable);
	EXPECT_GT(widest, before);
	EXPECT_EQ(0, outside);
	ASSERT_TRUE(wait_synced(self->nl, 15));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, unified_error(self, &err, &bound));
		EXPECT_GE(bound, (unsigned long long)llabs(err));
		usleep(50000);
	}
	TH_LOG("after the pause: unified - truth %lld ns, bound %llu ns",
	       err, bound);
	EXPECT_GT(100000, llabs(err));
	nl_socket_free(ev.sk);
}

/* One of three clocks unplugged: gone, left out, the clock stays synced. */
TEST_F(unified, unplug_keeps_sync)
{
	unsigned long long bound;
	struct status st;
	struct events ev;
	struct reply r;
	char buf[64];
	long long err;

	ASSERT_EQ(0, events_open(&ev));
	ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(0), &r));
	ASSERT_EQ(0, sim_set(0, "registered", 0));
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, r.id,
				VMCLOCK_SOURCE_GONE, 5));
	usleep(1500000);
	ASSERT_EQ(0, get_status(self->nl, &st));
	EXPECT_EQ((uint32_t)VMCLOCK_STATUS_SYNCHRONIZED, st.status);
	ASSERT_EQ(0, read_line("/sys/kernel/vmclock/selected", buf, sizeof(buf)));
	TH_LOG("selected after the unplug of %u: '%s'", r.id, buf);
	EXPECT_FALSE(id_in_list(buf, r.id));
	EXPECT_NE('\0', buf[0]);
	ASSERT_EQ(0, unified_error(self, &err, &bound));
	EXPECT_GE(bound, (unsigned long long)llabs(err));
	nl_socket_free(ev.sk);
}

/*
 * A 1 s step on one of three sources: a source-step event, the clock never
 * becomes unreadable (holdover at worst while its voters disagree), never
 * follows the step, and the truth stays within its bound.
 */
TEST_F(unified, step_on_one_source_stays_readable)
{
	int i, unsynced = 0, holdover = 0, outside = 0;
	unsigned long long bound;
	long long err, worst = 0;
	struct status st;
	struct events ev;
	struct reply r;

	ASSERT_EQ(0, events_open(&ev));
	ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(0), &r));
	ASSERT_EQ(0, sim_set(0, "step_ns", 1000000000));
	for (i = 0; i < 30; i++) {
		usleep(200000);
		ASSERT_EQ(0, get_status(self->nl, &st));
		unsynced += st.status == VMCLOCK_STATUS_UNSYNCHRONIZED;
		holdover += st.status == VMCLOCK_STATUS_HOLDOVER;
		if (unified_error(self, &err, &bound))
			continue;
		outside += (unsigned long long)llabs(err) > bound;
		if (llabs(err) > worst)
			worst = llabs(err);
	}
	TH_LOG("6 s after the step: %d of 30 in holdover, max |unified - "
	       "truth| %lld ns", holdover, worst);
	EXPECT_EQ(0, unsynced);
	EXPECT_EQ(0, outside);
	EXPECT_GT(100000, worst);
	/* The estimator confirmed the step on that source and said so. */
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_STEP_NTF, r.id, ~0U, 1));
	nl_socket_free(ev.sk);
}

TEST_HARNESS_MAIN
