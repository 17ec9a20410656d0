// SPDX-License-Identifier: GPL-2.0
/*
 * make stress: simulated clocks unplugged (registered 0) and plugged again
 * while their sources sample every 50 ms and a thread reads the unified
 * clock.  Each unplugged source must turn gone within 2.5 s; half the time
 * the clock comes back before vmclock has noticed, half the time after.
 * The gone source is deleted and the clock attached again.  The unified
 * clock must never go back for the reader.  Needs vmclock and vmclock_sim
 * loaded, no source attached, root; leaves nothing behind.
 *
 * Usage: stress_unplug [UNPLUGS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "stress.h"
#include "testlib.h"

#define SOURCES		"/sys/kernel/vmclock/sources"
#define SIM_BASE	40
#define NCLOCKS		4

static unsigned int unplugs = 200;

static int add_clock(struct vmclock_nl *nl, int i, struct reply *r)
{
	int fd = open_phc(sim_ptp(SIM_BASE + i)), err;

	if (fd < 0)
		return -errno;
	err = add_req(nl, fd, NULL, 50, r);
	close(fd);
	return err;
}

FIXTURE(unplug) {
	struct vmclock_nl *nl;
	uint32_t id[NCLOCKS];
};

FIXTURE_SETUP(unplug)
{
	struct reply r;
	int i;

	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, dir_entries(SOURCES));
	/* What the tests before left of the estimate. */
	log_vmclock();
	for (i = 0; i < NCLOCKS; i++) {
		ASSERT_EQ(0, sim_ctl("add %d KVM virtual PTP", SIM_BASE + i));
		ASSERT_EQ(0, add_clock(self->nl, i, &r)) TH_LOG("%s", r.ext);
		self->id[i] = r.id;
	}
}

FIXTURE_TEARDOWN(unplug)
{
	sources_clear(self->nl, SIM_BASE, NCLOCKS);
	vmclock_nl_close(self->nl);
}

static const char *source_state(uint32_t id, char *buf, size_t len)
{
	if (source_sysfs(id, "state", buf, len) < 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Register simulated clock c again after unplug i, timed into *reg. */
static bool replug(int c, unsigned int i, struct lat *reg, char *what,
		   size_t len)
{
	double t = now_s();

	if (sim_set(SIM_BASE + c, "registered", 1)) {
		snprintf(what, len, "replug %u failed", i);
		return false;
	}
	lat_add(reg, now_s() - t);
	return true;
}

TEST_F_TIMEOUT(unplug, unplug_while_sampled, 900)
{
	struct lat unreg = { 0 }, reg = { 0 }, gone = { 0 }, del = { 0 }, add = { 0 };
	unsigned long sampled = 0, early = 0, not_gone = 0, failed = 0;
	struct reader rd, sum;
	volatile bool stop = false;
	double t, t0, t_unplug, synced;
	bool sync;
	char buf[64], what[400] = "", status[32] = "";
	struct reply r;
	unsigned int i;
	int c, phc;

	/*
	 * The reader needs a clock that can be read.  The estimate the tests
	 * before left may hold over rather than follow these sources for a
	 * while, when it is much tighter than they claim; how long depends on
	 * more than this test (see Documentation/testing.rst), so it is only
	 * reported.
	 */
	t = now_s();
	sync = wait_status("synchronized", 15);
	synced = now_s() - t;
	if (!read_line("/sys/kernel/vmclock/status", status, sizeof(status)))
		TH_LOG("status %.1f s after the sources came: %s", synced, status);
	if (!sync)
		log_vmclock();
	EXPECT_TRUE(sync || !strcmp(status, "holdover"));
	phc = own_phc();
	ASSERT_LE(0, phc);
	memset(&rd, 0, sizeof(rd));
	rd.phc = phc;
	rd.stop = &stop;
	ASSERT_EQ(0, reader_start(&rd));

	t0 = now_s();
	for (i = 0; i < unplugs; i++) {
		bool back_early = i % 2 == 0;
		bool seen = false;

		c = i % NCLOCKS;
		if (source_sysfs(self->id[c], "samples", buf, sizeof(buf)) > 0)
			sampled++;
		t = now_s();
		if (sim_set(SIM_BASE + c, "registered", 0)) {
			failed++;
			snprintf(what, sizeof(what), "unplug %u failed", i);
			break;
		}
		t_unplug = now_s();
		lat_add(&unreg, t_unplug - t);
		/* Before vmclock notices: the source must still go. */
		if (back_early && !replug(c, i, &reg, what, sizeof(what))) {
			failed++;
			break;
		}
		while (now_s() - t_unplug < 2.5) {
			if (!strcmp(source_state(self->id[c], buf, sizeof(buf)), "gone")) {
				seen = true;
				break;
			}
			usleep(2000);
		}
		if (seen) {
			lat_add(&gone, now_s() - t_unplug);
		} else {
			not_gone++;
			snprintf(what, sizeof(what), "unplug %u: source %u still %s after 2.5 s",
				 i, self->id[c], buf);
		}
		if (back_early && seen)
			early++;
		if (!back_early && !replug(c, i, &reg, what, sizeof(what))) {
			failed++;
			break;
		}
		t = now_s();
		if (id_req(self->nl, VMCLOCK_CMD_SOURCE_DEL, self->id[c], 0, 0, &r)) {
			failed++;
			snprintf(what, sizeof(what), "del of source %u: %s (%s)",
				 self->id[c], strerror(-r.err), r.ext);
			break;
		}
		lat_add(&del, now_s() - t);
		t = now_s();
		if (add_clock(self->nl, c, &r)) {
			failed++;
			snprintf(what, sizeof(what), "add of clock %d again: %s (%s)",
				 c, strerror(-r.err), r.ext);
			break;
		}
		lat_add(&add, now_s() - t);
		self->id[c] = r.id;
		/* A poll or two before this clock's next turn. */
		usleep(20000);
	}
	t = now_s() - t0;
	stop = true;
	reader_join(&rd);
	reader_sum(&rd, 1, &sum);

	TH_LOG("%u unplugs of %d clocks sampled every 50 ms in %.1f s (%.1f/s); "
	       "%lu of them with samples taken", i, NCLOCKS, t, i / t, sampled);
	TH_LOG("  gone after: mean %.0f ms, worst %.0f ms; %lu replugged before "
	       "seen gone; %lu never gone", lat_mean(&gone) * 1e3,
	       gone.max * 1e3, early, not_gone);
	TH_LOG("  unregister: mean %.1f ms, worst %.1f ms; register: mean %.1f ms, "
	       "worst %.1f ms", lat_mean(&unreg) * 1e3, unreg.max * 1e3,
	       lat_mean(&reg) * 1e3, reg.max * 1e3);
	TH_LOG("  source del: worst %.1f ms; source add: worst %.1f ms",
	       del.max * 1e3, add.max * 1e3);
	TH_LOG("reader: %lu reads (mean %.1f us, worst %.2f ms), %lu unsynchronized, "
	       "%lu errors, backwards %lu", sum.ok[READ_GETTIME] + sum.ok[READ_PRECISE],
	       (lat_mean(&sum.lat[READ_GETTIME]) + lat_mean(&sum.lat[READ_PRECISE])) / 2 * 1e6,
	       (sum.lat[READ_GETTIME].max > sum.lat[READ_PRECISE].max ?
		sum.lat[READ_GETTIME].max : sum.lat[READ_PRECISE].max) * 1e3,
	       sum.eagain, sum.errors, sum.backwards);
	if (what[0])
		TH_LOG("  %s", what);
	if (!read_line("/sys/kernel/vmclock/status", status, sizeof(status)))
		TH_LOG("status after the unplugs: %s", status);
	if (sum.backwards)
		TH_LOG("  worst step back: %s", sum.back_what);
	EXPECT_EQ(unplugs, i);
	EXPECT_EQ(0UL, failed);
	EXPECT_EQ(0UL, not_gone);
	EXPECT_EQ((unsigned long)i, sampled);
	EXPECT_EQ(0, sum.open_errno);
	EXPECT_EQ(0UL, sum.errors);
	EXPECT_EQ(0UL, sum.backwards);
	/* One clock of four away at a time: the clock stays readable. */
	EXPECT_EQ(0UL, sum.eagain);
	/* Every clock's device let go: all of them are back, and no more. */
	EXPECT_EQ(NCLOCKS, dir_entries(SOURCES));
}

int main(int argc, char **argv)
{
	if (argc > 1)
		unplugs = strtoul(argv[1], NULL, 0);
	return test_harness_run(1, argv);
}
