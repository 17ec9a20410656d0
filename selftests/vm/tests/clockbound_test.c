// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl sync --clockbound, read as a ClockBound client reads it: the
 * reader (lib/cb_reader.h) follows clock-bound's docs/PROTOCOL.md
 * (version 2) and nothing of vmclock's: the segment's magic, version and
 * generation protocol, then now = CLOCK_REALTIME, bound = bound at as-of
 * + max drift times the CLOCK_MONOTONIC_COARSE time since as-of, refused
 * past void-after.  The interval must hold the simulator's truth at every
 * check while the status says synchronized or free running, through one
 * source stepping 1 ms (a falseticker among three) and an unseen 2 s
 * pause of the guest.  Except in one window, which no reader of the
 * clocks can close: after a pause the guest did not see and before the
 * sources are read again, every figure is from before the pause.  Checks
 * from the pause until the segment first says something other than
 * synchronized are counted apart.
 *
 * Needs vmclock and vmclock_sim loaded, root, vmclockctl in PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testlib.h"
#include "cb_reader.h"

#define SEGMENT "/run/clockbound/shm0"

static long long clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

FIXTURE(cb) {
	struct vmclock_nl *nl;
	int truth, fd[3];
	pid_t sync;
};

FIXTURE_SETUP(cb)
{
	static const char *const names[] = {
		"KVM virtual PTP", "ena-ptp-00", "nic-like",
	};
	struct reply r;
	int i;

	self->sync = 0;
	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	self->truth = open(SIM_DIR "/truth", O_RDWR);
	ASSERT_LE(0, self->truth);
	sources_clear(self->nl, 0, 3);
	ASSERT_EQ(0, sim_ctl("truth_freq 20000"));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, sim_ctl("add %d %s", i, names[i]));
		self->fd[i] = open_phc(sim_ptp(i));
		ASSERT_LE(0, self->fd[i]);
		ASSERT_EQ(0, add_req(self->nl, self->fd[i], NULL, 0, &r))
			TH_LOG("%s", r.ext);
	}
	ASSERT_EQ(0, system("mkdir -p /run/clockbound && rm -f " SEGMENT));
}

FIXTURE_TEARDOWN(cb)
{
	int i;

	if (self->sync > 0) {
		kill(self->sync, SIGTERM);
		waitpid(self->sync, NULL, 0);
	}
	sources_clear(self->nl, 0, 3);
	for (i = 0; i < 3; i++)
		close(self->fd[i]);
	sim_ctl("truth_freq 0");
	close(self->truth);
	vmclock_nl_close(self->nl);
}

TEST_F_TIMEOUT(cb, bound_holds, 180)
{
	long long err, start, t, wait;
	long long checks = 0, uncovered = 0, refused = 0, worst = 0;
	long long unseen = 0, width;
	bool in_pause = false;
	long long by_status[4] = { 0 };
	const volatile uint8_t *seg = NULL;
	bool stepped = false, paused = false;
	struct cb_view v = { 0 };
	int64_t bound_now;
	int fd = -1;

	self->sync = fork();
	ASSERT_LE(0, self->sync);
	if (!self->sync) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execlp("vmclockctl", "vmclockctl", "sync", "--clockbound",
		       SEGMENT, (char *)NULL);
		_exit(127);
	}
	/* The segment appears when sync starts. */
	for (wait = 0; wait < 100 && fd < 0; wait++) {
		fd = open(SEGMENT, O_RDONLY);
		if (fd < 0)
			usleep(100000);
	}
	ASSERT_LE(0, fd);
	seg = mmap(NULL, 80, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, seg);
	close(fd);
	for (wait = 0; wait < 600; wait++) {
		if (!cb_read(seg, &v) && v.status == 1)
			break;
		usleep(100000);
	}
	ASSERT_EQ(1, v.status) TH_LOG("status %d after 60 s", v.status);

	start = clock_ns(CLOCK_MONOTONIC);
	while ((t = clock_ns(CLOCK_MONOTONIC) - start) < 60000000000LL) {
		if (!stepped && t > 15000000000LL) {
			ASSERT_EQ(0, sim_set(2, "step_ns", 1000000));
			stepped = true;
		}
		if (!paused && t > 30000000000LL) {
			ASSERT_EQ(0, sim_ctl("pause 2000000000"));
			paused = true;
			in_pause = true;
		}
		ASSERT_EQ(0, cb_read(seg, &v));
		if (in_pause && v.status != 1)
			in_pause = false;
		/* the truth at the read within half the bracket's width */
		err = realtime_minus_truth(self->truth, &width);
		if (v.status >= 0 && v.status < 4)
			by_status[v.status]++;
		/* A client computes the bound now and refuses past void-after. */
		if (cb_bound_at(&v, clock_ns(CLOCK_MONOTONIC_COARSE),
				&bound_now)) {
			refused++;
		} else if (in_pause) {
			unseen++;
		} else if (v.status == 1 || v.status == 2) {
			checks++;
			if (llabs(err) > bound_now + width / 2 + 1) {
				if (uncovered++ < 5)
					TH_LOG("status %d: CLOCK_REALTIME - truth %lld ns, bound %lld ns",
					       v.status, err, (long long)bound_now);
			}
			if (llabs(err) > worst)
				worst = llabs(err);
		}
		usleep(100000);
	}
	TH_LOG("%lld checks (status synchronized %lld, free running %lld, disrupted %lld, unknown %lld), %lld refused past void-after, %lld in the unseen pause, worst error %lld ns, last bound %lld ns, drift %u ppb",
	       checks, by_status[1], by_status[2], by_status[3], by_status[0],
	       refused, unseen, worst, (long long)v.bound_ns, v.drift_ppb);
	/* the sources are read every second: the window is that long */
	EXPECT_GE(15, unseen);
	EXPECT_EQ(0, uncovered);
	EXPECT_LT(300, checks);
	EXPECT_EQ(0, refused);
	EXPECT_EQ(0, v.disruption_support);	/* no vmclock device here */

	/* Stopped, sync says the clock runs free; the bound stays true. */
	kill(self->sync, SIGTERM);
	waitpid(self->sync, NULL, 0);
	self->sync = 0;
	ASSERT_EQ(0, cb_read(seg, &v));
	EXPECT_EQ(2, v.status);
	munmap((void *)seg, 80);
}

TEST_HARNESS_MAIN
