// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest tests of sampling, with simulated hypervisor clocks
 * (selftests/sim, debugfs /sys/kernel/debug/vmclock_sim/): discover, read
 * rates per profile, the Hyper-V sample pattern and staleness, ENA's busy
 * device, and clocks unplugged while sampled.  Needs vmclock and
 * vmclock_sim loaded, no sources attached, root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "kselftest_harness.h"
#include "testlib.h"

static int count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	return pclose(p);
}

FIXTURE(sim) {
	struct vmclock_nl *nl;
};

FIXTURE_SETUP(sim)
{
	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	ASSERT_EQ(0, sim_ctl("add 1 hyperv"));
	ASSERT_EQ(0, sim_ctl("add 2 ena-ptp-00"));
}

FIXTURE_TEARDOWN(sim)
{
	int i;

	for (i = 0; i < 3; i++)
		sim_ctl("del %d", i);
	system("for d in /sys/kernel/vmclock/sources/*; do "
	       "[ -d $d ] && vmclockctl source del ${d##*/}; done");
	vmclock_nl_close(self->nl);
}

/*
 * discover attaches the three with the right profiles, once; each samples
 * at its own rate; the figures are the sampling cost the notes quote.
 */
TEST_F(sim, discover_and_rates)
{
	static const struct { const char *profile; int poll_ms, burst; } p[3] = {
		{ "kvm", 100, 5 }, { "hyperv", 200, 3 }, { "ena", 50, 3 },
	};
	struct reply r[3], after;
	char out[2048], buf[64];
	long long reads0[3];
	double t0, dt;
	int i;

	ASSERT_EQ(0, run("vmclockctl discover", out, sizeof(out)));
	TH_LOG("%s", out);
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(i), &r[i]));
		EXPECT_STREQ(p[i].profile, r[i].profile);
		/* Nothing given: the profile's settings. */
		EXPECT_EQ(1000U, r[i].poll_ms);
		EXPECT_EQ(100, source_sysfs(r[i].id, "weight", buf, sizeof(buf)));
		EXPECT_EQ(100000, source_sysfs(r[i].id, "host_error_ns", buf,
					       sizeof(buf)));
		EXPECT_EQ(1, source_sysfs(r[i].id, "enabled", buf, sizeof(buf)));
		ASSERT_EQ(0, id_req(self->nl, VMCLOCK_CMD_SOURCE_SET, r[i].id,
				    VMCLOCK_A_POLL_MS, p[i].poll_ms, &after));
	}
	/* Run again: nothing to do, three times "already attached". */
	ASSERT_EQ(0, run("vmclockctl discover", out, sizeof(out)));
	EXPECT_EQ(3, count(out, "already attached"));
	EXPECT_EQ(0, count(out, " attached (profile"));

	usleep(300000);
	for (i = 0; i < 3; i++)
		reads0[i] = source_sysfs(r[i].id, "reads", buf, sizeof(buf));
	t0 = now_s();
	sleep(3);
	dt = now_s() - t0;
	for (i = 0; i < 3; i++) {
		long long reads = source_sysfs(r[i].id, "reads", buf, sizeof(buf)) -
				  reads0[i];
		double want = dt * 1000 / p[i].poll_ms * p[i].burst;

		source_sysfs(r[i].id, "state", buf, sizeof(buf));
		EXPECT_STREQ("ok", buf);
		TH_LOG("%s: %.1f reads/s (poll %d ms, burst %d), delay %lld ns, "
		       "narrowest %lld ns", p[i].profile, reads / dt,
		       p[i].poll_ms, p[i].burst,
		       source_sysfs(r[i].id, "delay_ns", buf, sizeof(buf)),
		       source_sysfs(r[i].id, "delay_min_ns", buf, sizeof(buf)));
		/*
		 * At least the configured rate (work items are not exact:
		 * within 25 %), at most four times it, which is how fast the
		 * estimator may ask for polls while a source settles.
		 */
		EXPECT_LE(want * 0.75, reads);
		EXPECT_GE(want * 4 * 1.1, reads);
	}
	/* ENA: never above its 125 reads/s, never busy at this rate. */
	EXPECT_GE(125, sim_stat(2, "max_rate"));
	EXPECT_EQ(0, sim_stat(2, "busy"));
}

/*
 * The Hyper-V host pushes a sample every period; reads extrapolate it at
 * the guest's rate.  With the host 50 ppm fast, the source's offset from
 * CLOCK_REALTIME is flat between samples and jumps 50 us per second.
 */
TEST_F(sim, hyperv_sample_pattern)
{
	struct reply r, set;
	long long prev = 0, off, jump;
	int i, jumps = 0, bad = 0;
	char buf[64];

	ASSERT_EQ(0, sim_set(1, "hv_period_ms", 1000));
	ASSERT_EQ(0, sim_set(1, "freq_ppb", 50000));
	ASSERT_EQ(0, system("vmclockctl discover >/dev/null"));
	ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(1), &r));
	ASSERT_EQ(0, id_req(self->nl, VMCLOCK_CMD_SOURCE_SET, r.id,
			    VMCLOCK_A_POLL_MS, 100, &set));
	usleep(1500000);
	for (i = 0; i < 40; i++) {
		off = source_sysfs(r.id, "offset_ns", buf, sizeof(buf));
		if (i) {
			jump = off - prev;
			if (jump > 10000) {
				jumps++;
				if (jump < 45000 || jump > 55000)
					bad++;
				TH_LOG("jump of %lld ns", jump);
			} else if (jump < -5000 || jump > 5000) {
				/*
				 * flat but for the unified clock's own
				 * corrections, slewed in between two reads
				 */
				bad++;
				TH_LOG("offset moved %lld ns between samples", jump);
			}
		}
		prev = off;
		usleep(100000);
	}
	/* 4 s of readings: 3 or 4 host samples, each +50 us. */
	EXPECT_LE(3, jumps);
	EXPECT_GE(5, jumps);
	EXPECT_EQ(0, bad);
}

/* An old host sample: ESTALE, the source is stale, then ok again. */
TEST_F(sim, hyperv_stale_and_back)
{
	struct events ev;
	struct reply r, set;
	char buf[64];

	ASSERT_EQ(0, events_open(&ev));
	ASSERT_EQ(0, sim_set(1, "hv_period_ms", 500));
	ASSERT_EQ(0, sim_set(1, "stale_ms", 1000));
	ASSERT_EQ(0, system("vmclockctl discover >/dev/null"));
	ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(1), &r));
	ASSERT_EQ(0, id_req(self->nl, VMCLOCK_CMD_SOURCE_SET, r.id,
			    VMCLOCK_A_POLL_MS, 100, &set));
	usleep(500000);
	source_sysfs(r.id, "state", buf, sizeof(buf));
	EXPECT_STREQ("ok", buf);

	ASSERT_EQ(0, sim_set(1, "hv_stop", 1));
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, r.id,
				VMCLOCK_SOURCE_STALE, 3));
	EXPECT_EQ(ESTALE, source_sysfs(r.id, "last_error", buf, sizeof(buf)));
	source_sysfs(r.id, "state", buf, sizeof(buf));
	EXPECT_STREQ("stale", buf);

	ASSERT_EQ(0, sim_set(1, "hv_stop", 0));
	EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, r.id,
				VMCLOCK_SOURCE_OK, 3));
	nl_socket_free(ev.sk);
}

/*
 * A busy ENA device (it allows 10 reads/s, vmclock polls 20 times a
 * second): a poll stops at the first EBUSY, the next polls back off, good
 * reads still make samples, and the source stays ok rather than flapping
 * to error.
 */
TEST_F(sim, ena_busy_device)
{
	struct reply r, set;
	int i, not_ok = 0;
	char buf[64];

	ASSERT_EQ(0, sim_set(2, "rate_limit", 10));
	ASSERT_EQ(0, system("vmclockctl discover >/dev/null"));
	ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(2), &r));
	ASSERT_EQ(0, id_req(self->nl, VMCLOCK_CMD_SOURCE_SET, r.id,
			    VMCLOCK_A_POLL_MS, 50, &set));
	for (i = 0; i < 20; i++) {
		usleep(100000);
		source_sysfs(r.id, "state", buf, sizeof(buf));
		not_ok += strcmp(buf, "ok") != 0;
	}
	EXPECT_EQ(0, not_ok);
	EXPECT_LT(0, sim_stat(2, "busy"));
	EXPECT_EQ(EBUSY, source_sysfs(r.id, "last_error", buf, sizeof(buf)));
	EXPECT_LE(5, source_sysfs(r.id, "samples", buf, sizeof(buf)));
	/* At most one busy read per poll, and polls back off: < 20/s. */
	EXPECT_GE(2 * 20, sim_stat(2, "busy"));
	TH_LOG("2 s: %lld samples, %lld busy reads",
	       source_sysfs(r.id, "samples", buf, sizeof(buf)),
	       sim_stat(2, "busy"));
}

/*
 * Unplug a clock while it is sampled every 50 ms, 50 times: gone with an
 * event each time, and the returning clock gets the same ptpN back, so no
 * reference to its device is left behind.
 */
TEST_F(sim, unplug_while_sampled)
{
	struct events ev;
	int i, fd, phc, same = 0, gone = 0;
	struct reply r;

	ASSERT_EQ(0, events_open(&ev));
	phc = sim_ptp(0);
	for (i = 0; i < 50; i++) {
		fd = open_phc(sim_ptp(0));
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, add_req(self->nl, fd, NULL, 50, &r)) TH_LOG("%s", r.ext);
		close(fd);
		usleep(60000 + (i % 5) * 10000);
		ASSERT_EQ(0, sim_set(0, "registered", 0));
		if (events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, r.id,
				VMCLOCK_SOURCE_GONE, 2))
			gone++;
		ASSERT_EQ(0, id_req(self->nl, VMCLOCK_CMD_SOURCE_DEL, r.id, 0, 0, &r));
		ev.n = 0;
		ASSERT_EQ(0, sim_set(0, "registered", 1));
		if (sim_ptp(0) == phc)
			same++;
	}
	EXPECT_EQ(50, gone);
	EXPECT_EQ(50, same);
	nl_socket_free(ev.sk);
}

TEST_HARNESS_MAIN
