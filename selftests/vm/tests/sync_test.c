// SPDX-License-Identifier: GPL-2.0
/*
 * vmclockctl sync in the guest: CLOCK_REALTIME steered to the unified
 * clock of a simulated KVM clock, measured against the simulator's truth;
 * the kernel's NTP state (STA_UNSYNC, maxerror) as it follows the unified
 * clock's status; a disruption stepping the clock again; SIGTERM; the
 * refusal beside another discipline; --once; configuration errors.
 *
 * Needs vmclock and vmclock_sim loaded, root, vmclockctl in PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "testlib.h"

#define SYNC_LOG "/tmp/sync.log"
#define NS 1000000000LL

FIXTURE(sync) {
	struct vmclock_nl *nl;
	int truth;
	int fd;			/* the simulated KVM clock */
	pid_t pid;		/* vmclockctl sync, 0 when not running */
};

static struct timex ntp_state(void)
{
	struct timex tx = { 0 };

	adjtimex(&tx);
	return tx;
}

static bool ntp_unsync(void)
{
	return ntp_state().status & STA_UNSYNC;
}

/* Wait up to secs for STA_UNSYNC to be as wanted. */
static bool wait_unsync(bool want, double secs)
{
	double end = now_s() + secs;

	do {
		if (ntp_unsync() == want)
			return true;
		usleep(50000);
	} while (now_s() < end);
	return false;
}

/* Run vmclockctl sync with these arguments, stderr to SYNC_LOG. */
static pid_t start_sync(const char *const *args)
{
	const char *argv[16] = { "vmclockctl", "sync" };
	pid_t pid;
	int i, fd;

	for (i = 0; args[i] && i < 13; i++)
		argv[i + 2] = args[i];
	argv[i + 2] = NULL;
	pid = fork();
	if (pid)
		return pid;
	fd = open(SYNC_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 2);
		dup2(fd, 1);
	}
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

/* Its exit status, or -1; killed with sig first when sig is non-zero. */
static int stop_sync(pid_t pid, int sig, double secs)
{
	double end = now_s() + secs;
	int st;

	if (sig)
		kill(pid, sig);
	do {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(20000);
	} while (now_s() < end);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static int run_sync(const char *const *args)
{
	return stop_sync(start_sync(args), 0, 30);
}

/* Whether the log holds text. */
static bool log_has(const char *text)
{
	char buf[8192];
	size_t n;
	FILE *f;

	f = fopen(SYNC_LOG, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text);
}

static void log_show(void)
{
	system("sed 's/^/# sync: /' " SYNC_LOG);
}

/* Wait up to secs for the unified clock to be synchronized. */
static bool wait_synced_sysfs(double secs)
{
	double end = now_s() + secs;
	char buf[32];

	do {
		if (!read_line("/sys/kernel/vmclock/status", buf, sizeof(buf)) &&
		    !strcmp(buf, "synchronized"))
			return true;
		usleep(100000);
	} while (now_s() < end);
	return false;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

FIXTURE_SETUP(sync)
{
	struct reply r;

	self->pid = 0;
	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	self->truth = open(SIM_DIR "/truth", O_RDWR);
	ASSERT_LE(0, self->truth);
	sources_clear(self->nl, 0, 1);
	/* The guest's oscillator 20 ppm fast against the truth. */
	ASSERT_EQ(0, sim_ctl("truth_freq -20000"));
	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	self->fd = open_phc(sim_ptp(0));
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, add_req(self->nl, self->fd, NULL, 0, &r)) TH_LOG("%s", r.ext);
}

FIXTURE_TEARDOWN(sync)
{
	if (self->pid > 0)
		stop_sync(self->pid, SIGKILL, 5);
	sources_clear(self->nl, 0, 1);
	close(self->fd);
	sim_ctl("page del 0");
	sim_ctl("truth_freq 0");
	close(self->truth);
	vmclock_nl_close(self->nl);
}

/* Offsets of CLOCK_REALTIME from the truth, every 100 ms for secs. */
static void measure(int truth, double secs, double *rms, long long *max)
{
	double end = now_s() + secs, sum2 = 0;
	long long e;
	int n = 0;

	*max = 0;
	while (now_s() < end) {
		e = realtime_minus_truth(truth, NULL);
		sum2 += (double)e * e;
		if (llabs(e) > *max)
			*max = llabs(e);
		n++;
		usleep(100000);
	}
	*rms = sqrt(sum2 / n);
}

/*
 * From 0.5 s off, with the oscillator 20 ppm fast: stepped, then steered;
 * maxerror covers the error, STA_UNSYNC is clear.
 */
TEST_F_TIMEOUT(sync, converges, 120)
{
	static const char *const args[] = { NULL };
	struct timespec t;
	struct timex tx;
	long long max, e;
	double rms, start;
	int i, uncovered = 0;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 1;
	t.tv_nsec = (t.tv_nsec + 500000000) % NS;
	ASSERT_EQ(0, clock_settime(CLOCK_REALTIME, &t));
	start = now_s();
	self->pid = start_sync(args);
	ASSERT_TRUE(wait_unsync(false, 60)) log_show();
	TH_LOG("synchronized after %.1f s", now_s() - start);
	EXPECT_TRUE(log_has("stepped the system clock by"));
	sleep(8);
	measure(self->truth, 5, &rms, &max);
	TH_LOG("CLOCK_REALTIME - truth, 5 s from 8 s after synchronizing: RMS %.0f ns, max %lld ns",
	       rms, max);
	EXPECT_GT(20000.0, rms);
	EXPECT_GT(100000LL, max);
	for (i = 0; i < 20; i++) {
		tx = ntp_state();
		e = realtime_minus_truth(self->truth, NULL);
		EXPECT_FALSE(tx.status & STA_UNSYNC);
		uncovered += tx.maxerror * 1000 < llabs(e);
		usleep(100000);
	}
	TH_LOG("maxerror %ld us, esterror %ld us, freq %.3f ppm", tx.maxerror,
	       tx.esterror, tx.freq / 65536.0);
	EXPECT_EQ(0, uncovered);
	EXPECT_GT(2000L, tx.maxerror);
	/* the oscillator is 20 ppm fast: the clock is slowed as much */
	EXPECT_LT(-21.0, tx.freq / 65536.0);
	EXPECT_GT(-19.0, tx.freq / 65536.0);
	EXPECT_EQ(0, stop_sync(self->pid, SIGTERM, 5));
	self->pid = 0;
}

/*
 * STA_UNSYNC follows the unified clock: set while its source fails (the
 * unified clock in holdover), clear once it reads again; SIGTERM leaves
 * the clock marked unsynchronized with the frequency as it was.
 */
TEST_F_TIMEOUT(sync, follows_the_unified_clock, 150)
{
	static const char *const args[] = { "--poll-ms", "1000", NULL };
	struct timex before, after;
	double t;

	self->pid = start_sync(args);
	ASSERT_TRUE(wait_unsync(false, 60)) log_show();
	ASSERT_EQ(0, sim_set(0, "fail_errno", EIO));
	t = now_s();
	EXPECT_TRUE(wait_unsync(true, 30)) log_show();
	TH_LOG("STA_UNSYNC %.1f s after the source began to fail", now_s() - t);
	EXPECT_EQ(16000000L, ntp_state().maxerror);
	ASSERT_EQ(0, sim_set(0, "fail_errno", 0));
	t = now_s();
	EXPECT_TRUE(wait_unsync(false, 90)) log_show();
	TH_LOG("synchronized again %.1f s after the source recovered",
	       now_s() - t);

	before = ntp_state();
	EXPECT_EQ(0, stop_sync(self->pid, SIGTERM, 5));
	self->pid = 0;
	after = ntp_state();
	EXPECT_TRUE(after.status & STA_UNSYNC);
	EXPECT_EQ(before.freq, after.freq);
	EXPECT_TRUE(log_has("stopped: system clock marked unsynchronized"));
}

/*
 * A guest pause the clocks see (truth 2 s ahead): the unified clock is
 * disrupted, and the first updates after it may step again.
 */
TEST_F_TIMEOUT(sync, disruption_steps_again, 150)
{
	static const char *const args[] = { NULL };
	long long e = 0;
	double t;

	self->pid = start_sync(args);
	ASSERT_TRUE(wait_unsync(false, 60)) log_show();
	sleep(12);	/* beyond the steps allowed after start */
	ASSERT_EQ(0, sim_ctl("pause 2000000000"));
	t = now_s();
	while (now_s() < t + 60) {
		e = realtime_minus_truth(self->truth, NULL);
		if (llabs(e) < 10000)
			break;
		usleep(50000);
	}
	TH_LOG("back under 10 us %.1f s after a 2 s pause (error %lld ns)",
	       now_s() - t, e);
	EXPECT_GT(10000LL, llabs(e)) log_show();
	EXPECT_TRUE(log_has("unified clock disrupted"));
}

/* Not beside another discipline, unless forced; it is named. */
TEST_F_TIMEOUT(sync, refuses_other_discipline, 60)
{
	static const char *const once[] = { "--once", NULL };
	static const char *const forced[] = { "--once", "--force", NULL };
	char text[64];
	pid_t other;

	other = fork();
	ASSERT_LE(0, other);
	if (!other) {
		prctl(PR_SET_NAME, "chronyd");
		pause();
		_exit(0);
	}
	usleep(100000);
	EXPECT_EQ(1, run_sync(once));
	snprintf(text, sizeof(text), "chronyd (pid %d)", other);
	EXPECT_TRUE(log_has(text)) log_show();
	ASSERT_TRUE(wait_synced_sysfs(30));
	EXPECT_EQ(0, run_sync(forced)) log_show();
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
}

/* chronyd itself: refused beside it, but not beside chronyd -x. */
static pid_t start_chronyd(bool x)
{
	pid_t pid;

	system("mkdir -p /var/run/chrony /var/lib/chrony;"
	       "grep -q '^root:' /etc/passwd 2>/dev/null ||"
	       " echo 'root:x:0:0:root:/root:/bin/sh' >> /etc/passwd;"
	       "grep -q '^root:' /etc/group 2>/dev/null ||"
	       " echo 'root:x:0:' >> /etc/group;"
	       ": > /tmp/chrony-empty.conf");
	pid = fork();
	if (pid)
		return pid;
	if (x)
		execlp("chronyd", "chronyd", "-x", "-u", "root", "-n", "-f",
		       "/tmp/chrony-empty.conf", (char *)NULL);
	else
		execlp("chronyd", "chronyd", "-u", "root", "-n", "-f",
		       "/tmp/chrony-empty.conf", (char *)NULL);
	_exit(127);
}

TEST_F_TIMEOUT(sync, real_chronyd, 60)
{
	static const char *const once[] = { "--once", NULL };
	char text[64];
	pid_t c;

	ASSERT_TRUE(wait_synced_sysfs(30));
	c = start_chronyd(false);
	ASSERT_LT(0, c);
	usleep(500000);
	EXPECT_EQ(1, run_sync(once));
	snprintf(text, sizeof(text), "chronyd (pid %d)", c);
	EXPECT_TRUE(log_has(text)) log_show();
	kill(c, SIGTERM);
	waitpid(c, NULL, 0);
	c = start_chronyd(true);
	ASSERT_LT(0, c);
	usleep(500000);
	EXPECT_EQ(0, run_sync(once)) log_show();
	kill(c, SIGTERM);
	waitpid(c, NULL, 0);
}

/* --once: its exit status says whether the clock is synchronized. */
TEST_F_TIMEOUT(sync, once, 90)
{
	static const char *const once[] = { "--once", NULL };

	ASSERT_TRUE(wait_synced_sysfs(30));
	EXPECT_EQ(0, run_sync(once)) log_show();
	EXPECT_FALSE(ntp_unsync());
	sources_clear(self->nl, 0, 0);
	EXPECT_EQ(3, run_sync(once)) log_show();
	EXPECT_TRUE(ntp_unsync());
}

/* The kernel's TAI offset follows the vmclock device's page. */
TEST_F_TIMEOUT(sync, tai_offset, 60)
{
	static const char *const once[] = { "--once", NULL };
	struct timex tx;
	char buf[32];

	ASSERT_EQ(0, sim_ctl("page add 0"));
	ASSERT_EQ(0, write_str(SIM_DIR "/page0/tai_offset", "37"));
	/* TIME_ESTERROR_VALID, TIME_MAXERROR_VALID, TAI_OFFSET_VALID */
	ASSERT_EQ(0, write_str(SIM_DIR "/page0/flags", "97"));
	ASSERT_TRUE(wait_synced_sysfs(30));
	usleep(1200000);	/* the page is read at every tick */
	ASSERT_EQ(0, read_line("/sys/kernel/vmclock/tai_offset", buf,
			       sizeof(buf)));
	EXPECT_STREQ("37", buf);
	EXPECT_EQ(0, run_sync(once)) log_show();
	tx = ntp_state();
	EXPECT_EQ(37, tx.tai);
	EXPECT_TRUE(log_has("TAI offset set to 37 s")) log_show();
	/* Without the flag, no offset, and the kernel's stays. */
	ASSERT_EQ(0, write_str(SIM_DIR "/page0/flags", "96"));
	usleep(1200000);
	ASSERT_EQ(0, read_line("/sys/kernel/vmclock/tai_offset", buf,
			       sizeof(buf)));
	EXPECT_STREQ("unknown", buf);
	EXPECT_EQ(0, run_sync(once)) log_show();
	EXPECT_EQ(37, ntp_state().tai);
}

/* Configuration: a bad line is named; the command line wins. */
TEST_F(sync, config)
{
	static const char *const bad[] = { "-c", "/tmp/bad.conf", "-P", NULL };
	static const char *const good[] = {
		"-c", "/tmp/good.conf", "-p", "3000", "--print-config", NULL
	};
	static const char *const missing[] = { "-c", "/tmp/none.conf", NULL };
	static const char *const range[] = { "--poll-ms", "10", NULL };

	ASSERT_EQ(0, write_file("/tmp/bad.conf", "poll-ms 2000\npoll 3\n"));
	EXPECT_EQ(2, run_sync(bad));
	EXPECT_TRUE(log_has("/tmp/bad.conf:2: unknown key 'poll'")) log_show();
	ASSERT_EQ(0, write_file("/tmp/bad.conf", "step-limit = x\n"));
	EXPECT_EQ(2, run_sync(bad));
	EXPECT_TRUE(log_has("/tmp/bad.conf:1: step-limit")) log_show();
	ASSERT_EQ(0, write_file("/tmp/good.conf",
			       "# comment\npoll-ms = 2000\nstep-limit -1 # always\n"));
	EXPECT_EQ(0, run_sync(good));
	EXPECT_TRUE(log_has("poll-ms 3000")) log_show();
	EXPECT_TRUE(log_has("step-limit -1"));
	EXPECT_TRUE(log_has("step-threshold-us 100000"));
	EXPECT_TRUE(log_has("time-constant-ms poll"));
	EXPECT_EQ(2, run_sync(missing));
	EXPECT_TRUE(log_has("cannot read /tmp/none.conf"));
	EXPECT_EQ(2, run_sync(range));
	EXPECT_TRUE(log_has("out of range"));
}

TEST_HARNESS_MAIN
