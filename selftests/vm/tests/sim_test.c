// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest tests of the simulated hypervisor clocks (selftests/sim,
 * debugfs /sys/kernel/debug/vmclock_sim/): each behaviour the other tests
 * rely on, measured against the module's truth.  Needs vmclock_sim loaded
 * with no clocks, root.  The last test unloads and reloads vmclock_sim.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ptp_clock.h>

#include "kselftest_harness.h"
#include "testlib.h"

#define SIM SIM_DIR
#define FD_TO_CLOCKID(fd) ((~(clockid_t)(fd) << 3) | 3)
#define NS 1000000000LL

static int s_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int set_str(int id, const char *file, const char *v)
{
	char path[128];

	snprintf(path, sizeof(path), SIM "/%d/%s", id, file);
	return write_str(path, v);
}

static int get_str(int id, const char *file, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), SIM "/%d/%s", id, file);
	return s_read(path, buf, len);
}

static long long get(int id, const char *file)
{
	char buf[64];

	if (get_str(id, file, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

static int open_ptp(int id)
{
	char path[32];

	snprintf(path, sizeof(path), "/dev/ptp%d", sim_ptp(id));
	return open(path, O_RDWR);
}

static long long raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static long long real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

/* One read of the PHC: 0 or -errno. */
static int phc(int fd, long long *v)
{
	struct timespec ts;

	if (clock_gettime(FD_TO_CLOCKID(fd), &ts))
		return -errno;
	*v = ts.tv_sec * NS + ts.tv_nsec;
	return 0;
}

/* A read bracketed by raw times. */
struct rd { long long pre, v, post; int err; };

static struct rd phc_rd(int fd)
{
	struct rd r;

	r.pre = raw_ns();
	r.err = phc(fd, &r.v);
	r.post = raw_ns();
	return r;
}

/*
 * A read whose bracket is at most width wide, so that its midpoint is
 * within width / 2 of the capture: a guest descheduled in the middle of a
 * read (other guests share the host) widens it by milliseconds.  The
 * narrowest of 100 when none is.
 */
static struct rd phc_rd_narrow(int fd, long long width)
{
	struct rd x, best = { 0, 0, 0, -1 };
	int i;

	for (i = 0; i < 100; i++) {
		x = phc_rd(fd);
		if (x.err)
			return x;
		if (best.err || x.post - x.pre < best.post - best.pre)
			best = x;
		if (x.post - x.pre <= width)
			break;
	}
	return best;
}

/*
 * clock - truth at raw *r, from the narrowest of 8 reads; *w is its
 * width, the error is at most half of it.
 */
static int offset_now(int fd, int tfd, long long *r, long long *off,
		      long long *w)
{
	struct rd x, best = { 0, 0, 0, -1 };
	int i;

	for (i = 0; i < 8; i++) {
		x = phc_rd(fd);
		if (x.err)
			return x.err;
		if (best.err || x.post - x.pre < best.post - best.pre)
			best = x;
	}
	*r = best.pre + (best.post - best.pre) / 2;
	*off = best.v - sim_truth_at(tfd, *r);
	*w = best.post - best.pre;
	return 0;
}

static double s_sqrt(double x)
{
	double r = x > 1 ? x : 1;
	int i;

	for (i = 0; i < 60; i++)
		r = (r + x / r) / 2;
	return r;
}

static long long pct_ns(const struct ptp_clock_time *t)
{
	return t->sec * NS + t->nsec;
}

/* One PTP_SYS_OFFSET_PRECISE read: 0 or -errno. */
static int precise(int fd, struct ptp_sys_offset_precise *p)
{
	memset(p, 0, sizeof(*p));
	return ioctl(fd, PTP_SYS_OFFSET_PRECISE, p) ? -errno : 0;
}

/* One PTP_SYS_OFFSET_EXTENDED read of one sample: 0 or -errno. */
static int extended(int fd, struct ptp_sys_offset_extended *x)
{
	memset(x, 0, sizeof(*x));
	x->n_samples = 1;
	return ioctl(fd, PTP_SYS_OFFSET_EXTENDED, x) ? -errno : 0;
}

/*
 * The clock's ENA error bound attribute, through its parent device as a
 * consumer finds it: its value, or -errno.
 */
static long long error_bound(int id)
{
	char path[96], buf[32];
	int err;

	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/device/phc_error_bound",
		 sim_ptp(id));
	err = s_read(path, buf, sizeof(buf));
	return err ? err : atoll(buf);
}

static bool ptp_gone(int index)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d", index);
	if (!stat(path, &st) || errno != ENOENT)
		return false;
	snprintf(path, sizeof(path), "/dev/ptp%d", index);
	return stat(path, &st) && errno == ENOENT;
}

FIXTURE(sim) {
	int tfd;
};

FIXTURE_SETUP(sim)
{
	int i;

	for (i = 0; i < 4; i++)
		sim_ctl("del %d", i);
	self->tfd = open(SIM "/truth", O_RDWR);
	ASSERT_LE(0, self->tfd);
}

FIXTURE_TEARDOWN(sim)
{
	int i;

	for (i = 0; i < 4; i++)
		sim_ctl("del %d", i);
	if (self->tfd >= 0)
		close(self->tfd);
}

/* The control file: bad input is refused with the documented errors. */
TEST_F(sim, ctl_errors)
{
	char buf[64];

	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	EXPECT_EQ(-EEXIST, sim_ctl("add 0 KVM virtual PTP"));
	EXPECT_EQ(-EINVAL, sim_ctl("add 64 hyperv"));
	EXPECT_EQ(-EINVAL, sim_ctl("add 1"));
	EXPECT_EQ(-EINVAL, sim_ctl("add x hyperv"));
	EXPECT_EQ(-EINVAL, sim_ctl("add 1 0123456789012345678901234567890123"));
	EXPECT_EQ(-ENOENT, sim_ctl("del 3"));
	EXPECT_EQ(-EINVAL, sim_ctl("jump 5"));
	EXPECT_EQ(-EINVAL, sim_ctl("pause -5"));
	EXPECT_EQ(-EINVAL, set_str(0, "mode", "vmware"));
	EXPECT_EQ(-EINVAL, sim_set(0, "latency_asym", 101));
	EXPECT_EQ(-EINVAL, sim_set(0, "rate_limit", 100000));
	EXPECT_EQ(0, get_str(0, "mode", buf, sizeof(buf)));
	EXPECT_STREQ("kvm", buf);
	EXPECT_EQ(0, sim_ctl("del 0"));
	EXPECT_EQ(-ENOENT, get_str(0, "mode", buf, sizeof(buf)));
}

/*
 * Each kind registers under its clock_name with its mode's defaults; and
 * the cost of a read, which vmclock's profiles assume.
 */
FIXTURE(kind) {
	int tfd;
};

/*
 * precise, extended: PTP_SYS_OFFSET_PRECISE (getcrosststamp) and
 * PTP_SYS_OFFSET_EXTENDED (gettimex64) work, as with the real driver;
 * parent: the clock's parent device, NULL when it has none: ENA's with the
 * error bound, ptp_vmclock's the vmclock device (8 + the clock's id).
 */
FIXTURE_VARIANT(kind) {
	const char *name, *mode;
	long long latency;
	bool precise, extended;
	const char *parent;
};

FIXTURE_VARIANT_ADD(kind, kvm) { "KVM virtual PTP", "kvm", 2000, true, false, NULL };
FIXTURE_VARIANT_ADD(kind, hyperv) { "hyperv", "hyperv", 0, false, false, NULL };
FIXTURE_VARIANT_ADD(kind, ena) {
	"ena-ptp-00", "ena", 10000, false, true, "/sys/devices/vmclock_sim.1"
};
FIXTURE_VARIANT_ADD(kind, plain) { "sim clock 7", "plain", 0, false, true, NULL };
FIXTURE_VARIANT_ADD(kind, vmclock) {
	"vmclock", "vmclock", 0, true, true, "/sys/bus/platform/devices/VMCLOCK.9"
};

FIXTURE_SETUP(kind)
{
	sim_ctl("del 1");
	self->tfd = open(SIM "/truth", O_RDWR);
	ASSERT_LE(0, self->tfd);
}

FIXTURE_TEARDOWN(kind)
{
	sim_ctl("del 1");
	close(self->tfd);
}

TEST_F(kind, registers)
{
	char path[64], buf[64];
	long long t0, t1, v, lo, hi, n = 0, err = 0;
	int fd, idx, i;

	ASSERT_EQ(0, sim_ctl("add 1 %s", variant->name));
	idx = sim_ptp(1);
	ASSERT_LE(0, idx);
	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/clock_name", idx);
	ASSERT_EQ(0, s_read(path, buf, sizeof(buf)));
	EXPECT_STREQ(variant->name, buf);
	EXPECT_EQ(0, get_str(1, "clock_name", buf, sizeof(buf)));
	EXPECT_STREQ(variant->name, buf);
	EXPECT_EQ(0, get_str(1, "mode", buf, sizeof(buf)));
	EXPECT_STREQ(variant->mode, buf);
	EXPECT_EQ(variant->latency, get(1, "latency_ns"));
	EXPECT_EQ(1, get(1, "registered"));
	EXPECT_EQ(50, get(1, "latency_asym"));
	EXPECT_EQ(5000, get(1, "hv_period_ms"));
	EXPECT_EQ(100, get(1, "hv_granularity_ns"));
	EXPECT_EQ(600000, get(1, "stale_ms"));
	EXPECT_EQ(125, get(1, "rate_limit"));
	EXPECT_EQ(1000000, get(1, "busy_ns"));

	/*
	 * clock - truth = offset_ns, within the read's raw bracket; Hyper-V
	 * floors its (first) sample to 100 ns.
	 */
	ASSERT_EQ(0, sim_set(1, "offset_ns", 777777));
	fd = open_ptp(1);
	ASSERT_LE(0, fd);
	for (i = 0; i < 10; i++) {
		struct rd x = phc_rd(fd);

		ASSERT_EQ(0, x.err);
		lo = sim_truth_at(self->tfd, x.pre) + 777777;
		hi = sim_truth_at(self->tfd, x.post) + 777777;
		if (!strcmp(variant->mode, "hyperv"))
			lo -= 99;
		EXPECT_LE(lo, x.v);
		EXPECT_GE(hi, x.v);
		EXPECT_LE(variant->latency, x.post - x.pre);
	}
	EXPECT_EQ(10, sim_stat(1, "ok"));

	/* As fast as possible for 0.3 s; ENA without its rate limit. */
	if (!strcmp(variant->mode, "ena"))
		ASSERT_EQ(0, sim_set(1, "rate_limit", 0));
	t0 = raw_ns();
	do {
		err += phc(fd, &v) != 0;
		n++;
		t1 = raw_ns();
	} while (t1 - t0 < 300000000);
	EXPECT_EQ(0, err);
	TH_LOG("%s: %.0f reads/s, %lld ns/read (latency_ns %lld)",
	       variant->mode, n * 1e9 / (t1 - t0), (t1 - t0) / n,
	       variant->latency);
	EXPECT_LE(variant->latency, (t1 - t0) / n);
	EXPECT_EQ(n + 10, sim_stat(1, "reads"));
	EXPECT_EQ(n + 10, sim_stat(1, "ok"));
	close(fd);
}

/*
 * The read methods of the driver the mode imitates, and nothing else: the
 * PTP core refuses PTP_SYS_OFFSET_PRECISE and _EXTENDED with EOPNOTSUPP
 * when the clock lacks getcrosststamp or gettimex64; every clock answers
 * clock_gettime() and PTP_SYS_OFFSET.  Only ENA's has a parent device.
 */
TEST_F(kind, methods)
{
	struct ptp_sys_offset_precise p;
	struct ptp_sys_offset_extended x;
	struct ptp_sys_offset o = { .n_samples = 3 };
	struct ptp_clock_caps caps;
	char path[64];
	struct stat st;
	long long v;
	int fd;

	ASSERT_EQ(0, sim_ctl("add 1 %s", variant->name));
	fd = open_ptp(1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, PTP_CLOCK_GETCAPS, &caps));
	EXPECT_EQ(variant->precise, caps.cross_timestamping);
	EXPECT_EQ(variant->precise ? 0 : -EOPNOTSUPP, precise(fd, &p));
	EXPECT_EQ(variant->extended ? 0 : -EOPNOTSUPP, extended(fd, &x));
	EXPECT_EQ(0, ioctl(fd, PTP_SYS_OFFSET, &o));
	EXPECT_EQ(0, phc(fd, &v));
	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/device", sim_ptp(1));
	EXPECT_EQ(!!variant->parent, !stat(path, &st));
	if (variant->parent) {
		char *a = realpath(path, NULL), *b = realpath(variant->parent, NULL);

		ASSERT_NE(NULL, a);
		ASSERT_NE(NULL, b);
		EXPECT_STREQ(b, a);
		free(a);
		free(b);
	}
	EXPECT_EQ(!strcmp(variant->mode, "ena"),
		  !stat("/sys/devices/vmclock_sim.1", &st));
	EXPECT_EQ(!strcmp(variant->mode, "vmclock"),
		  !stat(SIM "/1/page/seq", &st));
	close(fd);
	/* The device goes with the clock. */
	ASSERT_EQ(0, sim_ctl("del 1"));
	if (variant->parent)
		EXPECT_NE(0, stat(variant->parent, &st));
}

/*
 * clock - truth = offset: within the read's raw bracket without noise,
 * within noise of it with; both noise distributions have their width.
 */
TEST_F(sim, offset_and_noise)
{
	static const char * const dist[] = { "uniform", "normal" };
	const long long off = 1234567, noise = 100000;
	int fd, i, d, below;
	double sum2;
	long long lo, hi, r, maxabs;

	ASSERT_EQ(0, sim_ctl("add 0 plain one"));
	ASSERT_EQ(0, sim_set(0, "offset_ns", off));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 20; i++) {
		struct rd x = phc_rd(fd);

		ASSERT_EQ(0, x.err);
		lo = sim_truth_at(self->tfd, x.pre) + off;
		hi = sim_truth_at(self->tfd, x.post) + off;
		EXPECT_LE(lo, x.v);
		EXPECT_GE(hi, x.v);
	}
	/* The truth file tracks CLOCK_REALTIME (nothing stepped it). */
	r = sim_truth_at(self->tfd, raw_ns()) - real_ns();
	TH_LOG("truth - CLOCK_REALTIME %lld ns", r);
	EXPECT_GT(50000000, llabs(r));

	ASSERT_EQ(0, sim_set(0, "noise_ns", noise));
	for (d = 0; d < 2; d++) {
		ASSERT_EQ(0, set_str(0, "noise_dist", dist[d]));
		below = 0;
		sum2 = 0;
		maxabs = 0;
		for (i = 0; i < 200; i++) {
			struct rd x = phc_rd_narrow(fd, 20000);

			ASSERT_EQ(0, x.err);
			lo = sim_truth_at(self->tfd, x.pre) + off;
			hi = sim_truth_at(self->tfd, x.post) + off;
			r = x.v - (lo + hi) / 2;
			sum2 += (double)r * r;
			if (llabs(r) > maxabs)
				maxabs = llabs(r);
			if (x.v < lo - noise / 2)
				below++;
			if (d == 0) {
				EXPECT_LE(lo - noise, x.v);
				EXPECT_GE(hi + noise, x.v);
			}
		}
		TH_LOG("%s noise %lld: rms %.0f, max %lld, %d of 200 below -noise/2",
		       dist[d], noise, s_sqrt(sum2 / 200), maxabs, below);
		if (d == 0) {
			/* uniform on [-n, n]: rms n/sqrt(3), a quarter below -n/2 */
			EXPECT_LT(noise * 0.5, s_sqrt(sum2 / 200));
			EXPECT_GT(noise * 0.7, s_sqrt(sum2 / 200));
			EXPECT_LT(25, below);
			EXPECT_GT(75, below);
		} else {
			/* rms n; about 31 % below -n/2; at most 6 n */
			EXPECT_LT(noise * 0.8, s_sqrt(sum2 / 200));
			EXPECT_GT(noise * 1.25, s_sqrt(sum2 / 200));
			EXPECT_LT(40, below);
			EXPECT_GT(6 * noise + 50000, maxabs);
		}
	}
	close(fd);
}

/*
 * The noise is a function of the seed: the same seed gives the same
 * sequence (to within the reads' brackets), another seed another one.
 */
static int noise_seq(int fd, int tfd, long long *r, long long *w, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct rd x = phc_rd(fd);

		if (x.err)
			return x.err;
		r[i] = x.v - sim_truth_at(tfd, x.pre);
		w[i] = x.post - x.pre;
	}
	return 0;
}

TEST_F(sim, seed)
{
	long long a[10], b[10], c[10], wa[10], wb[10], wc[10];
	int fd, i, same = 0, differ = 0;

	ASSERT_EQ(0, sim_ctl("add 0 plain"));
	ASSERT_EQ(0, sim_set(0, "noise_ns", 1000000));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sim_set(0, "seed", 42));
	EXPECT_EQ(42, get(0, "seed"));
	ASSERT_EQ(0, noise_seq(fd, self->tfd, a, wa, 10));
	ASSERT_EQ(0, sim_set(0, "seed", 42));
	ASSERT_EQ(0, noise_seq(fd, self->tfd, b, wb, 10));
	ASSERT_EQ(0, sim_set(0, "seed", 43));
	ASSERT_EQ(0, noise_seq(fd, self->tfd, c, wc, 10));
	for (i = 0; i < 10; i++) {
		same += llabs(a[i] - b[i]) <= wa[i] + wb[i];
		differ += llabs(a[i] - c[i]) > wa[i] + wc[i];
	}
	EXPECT_EQ(10, same);
	EXPECT_LE(8, differ);
	close(fd);
}

/*
 * Where the value is taken inside a 1 ms read: at the start, the whole
 * latency follows the capture; at the end, it precedes it.  Stalls of the
 * guest only lengthen the read, so this holds for every read.
 */
TEST_F(sim, latency_asym)
{
	const long long lat = 1000000;
	int fd, i, asym;

	ASSERT_EQ(0, sim_ctl("add 0 plain"));
	ASSERT_EQ(0, sim_set(0, "latency_ns", lat));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	for (asym = 0; asym <= 100; asym += 100) {
		ASSERT_EQ(0, sim_set(0, "latency_asym", asym));
		for (i = 0; i < 5; i++) {
			struct rd x = phc_rd(fd);
			long long at;

			ASSERT_EQ(0, x.err);
			EXPECT_LE(lat, x.post - x.pre);
			/* raw time of the capture, since truth runs at rate 1 */
			at = x.v - sim_truth_at(self->tfd, x.pre) + x.pre;
			EXPECT_LE(x.pre, at);
			EXPECT_GE(x.post, at);
			if (asym == 0) {
				EXPECT_LE(lat, x.post - at) TH_LOG("asym 0");
			} else {
				EXPECT_LE(lat, at - x.pre) TH_LOG("asym 100");
			}
		}
	}
	close(fd);
}

static long long cpu_ns(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000000000LL +
	       (r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1000LL;
}

/*
 * latency_sleep: a read sleeps through its latency, as one blocked on a
 * wedged device, rather than spinning: it takes as long, but costs the
 * reader next to no CPU time.
 */
TEST_F(sim, latency_sleep)
{
	const long long lat = 100000000;
	long long cpu;
	int fd, sleep;

	ASSERT_EQ(0, sim_ctl("add 0 plain"));
	ASSERT_EQ(0, sim_set(0, "latency_ns", lat));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	for (sleep = 0; sleep <= 1; sleep++) {
		struct rd x;

		ASSERT_EQ(0, sim_set(0, "latency_sleep", sleep));
		cpu = cpu_ns();
		x = phc_rd(fd);
		cpu = cpu_ns() - cpu;
		ASSERT_EQ(0, x.err);
		TH_LOG("latency_sleep %d: a read took %lld us, %lld us of CPU",
		       sleep, (x.post - x.pre) / 1000, cpu / 1000);
		EXPECT_LE(lat, x.post - x.pre);
		if (sleep) {
			EXPECT_GT(lat / 4, cpu);
		} else {
			EXPECT_LT(lat / 2, cpu);
		}
	}
	EXPECT_EQ(-EINVAL, sim_set(0, "latency_sleep", 2));
	close(fd);
}

/*
 * freq_ppb: 100 ppm fast shows as 100 us per second of drift against
 * truth, phase-continuous when set; step_ns moves the offset at once;
 * truth_freq makes truth itself run fast against raw.
 */
TEST_F(sim, frequency_and_steps)
{
	long long o0, o1, t0, t1, r0, r1, drift, want, w0, w1;
	int fd;

	ASSERT_EQ(0, sim_ctl("add 0 plain"));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sim_set(0, "offset_ns", 5000));
	ASSERT_EQ(0, sim_set(0, "freq_ppb", 100000));
	o0 = get(0, "offset_ns");
	EXPECT_LE(5000, o0);
	EXPECT_GT(5000 + 1000, o0);	/* continuous: no jump when set */
	ASSERT_EQ(0, offset_now(fd, self->tfd, &r0, &o0, &w0));
	usleep(1000000);
	ASSERT_EQ(0, offset_now(fd, self->tfd, &r1, &o1, &w1));
	drift = o1 - o0;
	want = (r1 - r0) / 10000;
	TH_LOG("freq_ppb 100000: drift %lld ns over %lld ns (want %lld, reads %lld, %lld ns)",
	       drift, r1 - r0, want, w0, w1);
	EXPECT_GE((w0 + w1) / 2 + 200, llabs(drift - want));

	o0 = get(0, "offset_ns");
	ASSERT_EQ(0, sim_set(0, "step_ns", -3000000));
	o1 = get(0, "offset_ns");
	EXPECT_GT(1000, llabs(o1 - o0 + 3000000));
	ASSERT_EQ(0, sim_set(0, "freq_ppb", 0));

	ASSERT_EQ(0, sim_ctl("truth_freq 250000"));
	r0 = raw_ns();
	r1 = r0 + 2 * NS;
	t0 = sim_truth_at(self->tfd, r0);
	t1 = sim_truth_at(self->tfd, r1);
	EXPECT_GT(3, llabs(t1 - t0 - (r1 - r0) - 500000));
	ASSERT_EQ(0, sim_ctl("truth_freq 0"));
	t0 = sim_truth_at(self->tfd, r0);
	t1 = sim_truth_at(self->tfd, r1);
	EXPECT_EQ(r1 - r0, t1 - t0);
	close(fd);
}

/*
 * Hyper-V: the host pushes a sample every period on a fixed raw grid,
 * quantized to the granularity; reads extrapolate it at rate 1 on raw;
 * with the host 100 ppm fast, clock - truth jumps 50 us every 500 ms.
 */
TEST_F(sim, hyperv_samples)
{
	long long sraw[16], sval[16], n = 0, sr, sv, prev_t = 0, jumps = 0;
	int fd, i;
	char buf[64];

	ASSERT_EQ(0, sim_ctl("add 0 hyperv"));
	ASSERT_EQ(0, sim_set(0, "freq_ppb", 100000));
	ASSERT_EQ(0, sim_set(0, "hv_period_ms", 500));	/* a sample now */
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 32; i++) {
		struct rd x;
		long long t;

		ASSERT_EQ(0, get_str(0, "hv_sample", buf, sizeof(buf)));
		ASSERT_EQ(2, sscanf(buf, "%lld %lld", &sr, &sv));
		x = phc_rd(fd);
		ASSERT_EQ(0, x.err);
		ASSERT_EQ(0, get_str(0, "hv_sample", buf, sizeof(buf)));
		if (atoll(buf) != sr) {		/* a new sample in between */
			usleep(50000);
			continue;
		}
		/* quantized at the sample, extrapolated on raw */
		EXPECT_EQ(0, sv % 100);
		EXPECT_LE(sv + x.pre - sr, x.v);
		EXPECT_GE(sv + x.post - sr, x.v);
		/* the sample is the host's clock at its instant, floored */
		t = sim_truth_at(self->tfd, sr);
		if (!n || sraw[n - 1] != sr) {
			/* offset >= 0 since the grid began: floor(truth + off) */
			EXPECT_LE(t, sv + 99);
			EXPECT_GT(t + 200000, sv);
			if (n) {
				long long step = sr - sraw[n - 1];

				EXPECT_EQ(0, step % 500000000);
				jumps += step / 500000000;
				/* clock - truth: +50 us per 500 ms */
				EXPECT_GT(150, llabs(sv - t - prev_t - 50000 * step / 500000000))
					TH_LOG("sample at %lld: %lld", sr, sv - t - prev_t);
			}
			if (n < 16) {
				sraw[n] = sr;
				sval[n] = sv;
				n++;
			}
			prev_t = sv - t;
		}
		usleep(50000);
	}
	TH_LOG("hyperv: %lld samples, first %lld %lld, last %lld %lld", n,
	       sraw[0], sval[0], sraw[n - 1], sval[n - 1]);
	EXPECT_LE(3, n);
	EXPECT_LE(3, jumps);
	close(fd);
}

/* Hyper-V: -ESTALE once the host stopped for longer than stale_ms. */
TEST_F(sim, hyperv_stale)
{
	long long v;
	int fd;

	ASSERT_EQ(0, sim_ctl("add 0 hyperv"));
	ASSERT_EQ(0, sim_set(0, "hv_period_ms", 500));
	ASSERT_EQ(0, sim_set(0, "stale_ms", 700));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	usleep(800000);
	EXPECT_EQ(0, phc(fd, &v));	/* samples keep coming */
	ASSERT_EQ(0, sim_set(0, "hv_stop", 1));
	EXPECT_EQ(1, get(0, "hv_stop"));
	EXPECT_EQ(0, phc(fd, &v));
	usleep(800000);
	EXPECT_EQ(-ESTALE, phc(fd, &v));
	EXPECT_EQ(-ESTALE, phc(fd, &v));
	EXPECT_EQ(2, sim_stat(0, "stale"));
	ASSERT_EQ(0, sim_set(0, "hv_stop", 0));
	EXPECT_EQ(0, phc(fd, &v));	/* the host pushes a sample at once */
	EXPECT_EQ(2, sim_stat(0, "errors"));
	close(fd);
}

/*
 * ENA: as fast as possible, the device admits at most rate_limit reads in
 * any second and refuses the rest with -EBUSY after a 1 ms busy wait; some
 * reads are slow.
 */
TEST_F(sim, ena_rate_limit)
{
	long long t0, t1, v, ok = 0, busy = 0, other = 0, busy_ns = 0;
	long long slow = 0, slow_seen = 0, ok0, busy0;
	int fd, i, err, polls_ok = 0;

	ASSERT_EQ(0, sim_ctl("add 0 ena-ptp-00"));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);

	/*
	 * The limit spreads reads out: polled with bursts of 3 every 50 ms
	 * for 2 s, a 10 reads/s device answers about every other poll.
	 */
	ASSERT_EQ(0, sim_set(0, "rate_limit", 10));
	t0 = raw_ns();
	for (i = 0; i < 40; i++) {
		int j, got = 0;

		for (j = 0; j < 3 && !(err = phc(fd, &v)); j++)
			got++;
		EXPECT_TRUE(!err || err == -EBUSY);
		ok += got;
		polls_ok += got > 0;
		usleep(50000);
	}
	t1 = raw_ns();
	busy = sim_stat(0, "busy");
	TH_LOG("ena at 10 reads/s: %lld ok in 40 polls over %lld ms, %d polls ok, %lld busy",
	       ok, (t1 - t0) / 1000000, polls_ok, busy);
	/* one token at first, then one per 100 ms */
	EXPECT_LE(8 * (t1 - t0) / NS, ok);
	EXPECT_GE(10 * (t1 - t0) / NS + 2, ok);
	EXPECT_LE(13, polls_ok);
	EXPECT_GE(40, busy);
	EXPECT_GE(10, sim_stat(0, "max_rate"));

	/* At the default 125 reads/s, as fast as possible for 1.5 s. */
	ASSERT_EQ(0, sim_set(0, "rate_limit", 125));
	ok0 = sim_stat(0, "ok");
	busy0 = sim_stat(0, "busy");
	ok = 0;
	busy = 0;
	t0 = raw_ns();
	do {
		long long a = raw_ns();

		err = phc(fd, &v);
		t1 = raw_ns();
		if (!err) {
			ok++;
		} else if (err == -EBUSY) {
			busy++;
			busy_ns += t1 - a;
		} else {
			other++;
		}
	} while (t1 - t0 < 1500000000);
	TH_LOG("ena: %lld ok, %lld busy (%lld ns each) in %lld ms; max_rate %lld",
	       ok, busy, busy ? busy_ns / busy : 0, (t1 - t0) / 1000000,
	       sim_stat(0, "max_rate"));
	EXPECT_EQ(0, other);
	/* never more than 125 in a second: 250 in up to 2 s */
	EXPECT_LE(125, ok);
	EXPECT_GE(125 * ((t1 - t0) / NS + 1), ok);
	EXPECT_LT(100, busy);
	EXPECT_LE(1000000, busy ? busy_ns / busy : 0);
	EXPECT_EQ(125, sim_stat(0, "max_rate"));
	EXPECT_EQ(busy, sim_stat(0, "busy") - busy0);
	EXPECT_EQ(ok, sim_stat(0, "ok") - ok0);
	EXPECT_EQ(sim_stat(0, "busy"), sim_stat(0, "errors"));

	/* Slow reads: half of them 300 us longer. */
	slow = sim_stat(0, "slow");
	ASSERT_EQ(0, sim_set(0, "rate_limit", 0));
	ASSERT_EQ(0, sim_set(0, "slow_permille", 500));
	ASSERT_EQ(0, sim_set(0, "slow_ns", 300000));
	for (i = 0; i < 60; i++) {
		struct rd x = phc_rd(fd);

		ASSERT_EQ(0, x.err);
		slow_seen += x.post - x.pre >= 300000;
	}
	slow = sim_stat(0, "slow") - slow;
	TH_LOG("ena: %lld of 60 reads slow (stats %lld)", slow_seen, slow);
	EXPECT_LT(15, slow);
	EXPECT_GT(45, slow);
	EXPECT_LE(slow, slow_seen);
	close(fd);
}

/* fail_errno: every read fails with that error until cleared. */
TEST_F(sim, fail_errno)
{
	static const int errs[] = { ENODEV, ESTALE, EBUSY, EIO };
	long long v;
	int fd, i;

	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, sim_set(0, "fail_errno", errs[i]));
		EXPECT_EQ(-errs[i], phc(fd, &v));
	}
	ASSERT_EQ(0, sim_set(0, "fail_errno", 0));
	EXPECT_EQ(0, phc(fd, &v));
	EXPECT_EQ(4, sim_stat(0, "errors"));
	EXPECT_EQ(1, sim_stat(0, "ok"));
	close(fd);
}

/*
 * KVM: a cross timestamp pairs the value exactly with the system time of
 * the instant it was taken at, inside the read's raw and realtime
 * brackets, after the part of the hypercall's latency before the capture.
 * Its device time is the clock's at sys_monoraw plus pairing_error_ns;
 * plain reads know no pairing error.
 */
TEST_F(sim, kvm_crosststamp)
{
	static const long long pairing[] = { 0, -12345, 1000000000 };
	const long long off = 777777;
	struct ptp_sys_offset_precise p;
	long long raw0, raw1, real0, real1, raw, dev, d;
	int fd, i, k;

	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	ASSERT_EQ(2000, get(0, "latency_ns"));
	EXPECT_EQ(0, get(0, "pairing_error_ns"));
	EXPECT_EQ(0, get(0, "crosststamp_errno"));
	ASSERT_EQ(0, sim_set(0, "offset_ns", off));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(0, sim_set(0, "pairing_error_ns", pairing[k]));
		EXPECT_EQ(pairing[k], get(0, "pairing_error_ns"));
		for (i = 0; i < 10; i++) {
			raw0 = raw_ns();
			real0 = real_ns();
			ASSERT_EQ(0, precise(fd, &p));
			real1 = real_ns();
			raw1 = raw_ns();
			raw = pct_ns(&p.sys_monoraw);
			dev = pct_ns(&p.device);
			EXPECT_LE(raw0 + 1000, raw);	/* half of 2 us first */
			EXPECT_GE(raw1, raw);
			EXPECT_LE(real0, pct_ns(&p.sys_realtime));
			EXPECT_GE(real1, pct_ns(&p.sys_realtime));
			EXPECT_LE(2000, raw1 - raw0);
			d = dev - sim_truth_at(self->tfd, raw);
			EXPECT_EQ(off + pairing[k], d);
		}
		/* gettime64: the clock, without the pairing error */
		for (i = 0; i < 3; i++) {
			struct rd x = phc_rd(fd);

			ASSERT_EQ(0, x.err);
			EXPECT_LE(sim_truth_at(self->tfd, x.pre) + off, x.v);
			EXPECT_GE(sim_truth_at(self->tfd, x.post) + off, x.v);
		}
	}
	EXPECT_EQ(39, sim_stat(0, "ok"));
	EXPECT_EQ(-EINVAL, sim_set(0, "pairing_error_ns", 1000000001));
	EXPECT_EQ(0, sim_set(0, "pairing_error_ns", -1000000000));

	/* with noise, within it; the pairing itself stays exact */
	ASSERT_EQ(0, sim_set(0, "pairing_error_ns", 0));
	ASSERT_EQ(0, sim_set(0, "noise_ns", 1000));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, precise(fd, &p));
		d = pct_ns(&p.device) -
		    sim_truth_at(self->tfd, pct_ns(&p.sys_monoraw));
		EXPECT_GE(1000, llabs(d - off));
	}
	close(fd);
}

/*
 * crosststamp_errno: cross timestamps fail with it, as ptp_kvm's do when
 * the guest's clocksource is not kvm-clock, while reads still work;
 * fail_errno fails both.
 */
TEST_F(sim, crosststamp_errno)
{
	static const int errs[] = { ENODEV, EOPNOTSUPP };
	struct ptp_sys_offset_precise p;
	long long v;
	int fd, i;

	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, sim_set(0, "crosststamp_errno", errs[i]));
		EXPECT_EQ(errs[i], get(0, "crosststamp_errno"));
		EXPECT_EQ(-errs[i], precise(fd, &p));
		EXPECT_EQ(0, phc(fd, &v));
	}
	EXPECT_EQ(2, sim_stat(0, "errors"));
	EXPECT_EQ(2, sim_stat(0, "ok"));
	ASSERT_EQ(0, sim_set(0, "crosststamp_errno", 0));
	EXPECT_EQ(0, precise(fd, &p));
	ASSERT_EQ(0, sim_set(0, "fail_errno", EIO));
	EXPECT_EQ(-EIO, precise(fd, &p));
	EXPECT_EQ(-EIO, phc(fd, &v));
	EXPECT_EQ(4, sim_stat(0, "errors"));
	EXPECT_EQ(-EINVAL, sim_set(0, "crosststamp_errno", -1));
	close(fd);
}

/*
 * ENA: the error bound attribute on the PHC's parent device shows what the
 * driver cached at the last read, not what the device would report now;
 * -EBUSY before the first read and after a read the device failed (a
 * refused read keeps it); error_bound_errno fails it.
 */
TEST_F(sim, ena_error_bound)
{
	struct ptp_sys_offset_extended x;
	char path[96], link[256];
	struct stat st;
	long long v;
	ssize_t n;
	int fd;

	ASSERT_EQ(0, sim_ctl("add 0 ena-ptp-00"));
	EXPECT_EQ(10000, get(0, "error_bound_ns"));
	EXPECT_EQ(0, get(0, "error_bound_errno"));
	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/device", sim_ptp(0));
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	TH_LOG("%s -> %s", path, link);
	EXPECT_STREQ("vmclock_sim.0", strrchr(link, '/') + 1);
	ASSERT_EQ(0, stat("/sys/devices/vmclock_sim.0/phc_error_bound", &st));
	EXPECT_EQ(0444, (int)(st.st_mode & 07777));

	EXPECT_EQ(-EBUSY, error_bound(0));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, phc(fd, &v));
	EXPECT_EQ(10000, error_bound(0));

	ASSERT_EQ(0, sim_set(0, "error_bound_ns", 2500));
	EXPECT_EQ(2500, get(0, "error_bound_ns"));
	EXPECT_EQ(10000, error_bound(0));
	ASSERT_EQ(0, extended(fd, &x));
	EXPECT_EQ(2500, error_bound(0));

	ASSERT_EQ(0, sim_set(0, "error_bound_errno", EIO));
	EXPECT_EQ(-EIO, error_bound(0));
	ASSERT_EQ(0, sim_set(0, "error_bound_errno", 0));
	EXPECT_EQ(2500, error_bound(0));

	/* a refused read keeps the bound, a failed one voids it */
	ASSERT_EQ(0, sim_set(0, "error_bound_ns", 4000000000LL));
	ASSERT_EQ(0, sim_set(0, "rate_limit", 1));
	usleep(1100000);	/* the reads above leave the one-second window */
	EXPECT_EQ(0, phc(fd, &v));
	EXPECT_EQ(4000000000LL, error_bound(0));
	ASSERT_EQ(0, sim_set(0, "error_bound_ns", 7));
	EXPECT_EQ(-EBUSY, phc(fd, &v));
	EXPECT_EQ(4000000000LL, error_bound(0));
	ASSERT_EQ(0, sim_set(0, "rate_limit", 0));
	ASSERT_EQ(0, sim_set(0, "fail_errno", EIO));
	EXPECT_EQ(-EIO, phc(fd, &v));
	EXPECT_EQ(-EBUSY, error_bound(0));
	ASSERT_EQ(0, sim_set(0, "fail_errno", 0));
	EXPECT_EQ(0, phc(fd, &v));
	EXPECT_EQ(7, error_bound(0));
	EXPECT_EQ(-EINVAL, sim_set(0, "error_bound_ns", 4294967296LL));

	/* gone with the clock; a driver registered again has none cached */
	ASSERT_EQ(0, sim_set(0, "registered", 0));
	EXPECT_NE(0, stat("/sys/devices/vmclock_sim.0", &st));
	ASSERT_EQ(0, sim_set(0, "registered", 1));
	EXPECT_EQ(-EBUSY, error_bound(0));
	close(fd);
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, phc(fd, &v));
	EXPECT_EQ(7, error_bound(0));
	close(fd);
}

/*
 * Methods are fixed at registration: a registered clock that changes mode
 * is registered again, with the new mode's methods (open files of the old
 * one fail with ENODEV); the same mode, or an unregistered clock, is not.
 */
TEST_F(sim, mode_change)
{
	struct ptp_sys_offset_precise p;
	struct ptp_sys_offset_extended x;
	char buf[64];
	struct stat st;
	int fd, idx, idx2;
	long long v;

	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	idx = sim_ptp(0);
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, precise(fd, &p));
	EXPECT_EQ(-EOPNOTSUPP, extended(fd, &x));

	ASSERT_EQ(0, set_str(0, "mode", "ena"));
	idx2 = sim_ptp(0);
	EXPECT_LE(0, idx2);
	EXPECT_NE(idx, idx2);		/* the old index is still held */
	EXPECT_EQ(-ENODEV, phc(fd, &v));
	close(fd);
	EXPECT_EQ(10000, get(0, "latency_ns"));
	EXPECT_EQ(0, get_str(0, "clock_name", buf, sizeof(buf)));
	EXPECT_STREQ("KVM virtual PTP", buf);
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOPNOTSUPP, precise(fd, &p));
	EXPECT_EQ(0, extended(fd, &x));
	EXPECT_EQ(10000, error_bound(0));

	/* the same mode: defaults again, the same registration */
	ASSERT_EQ(0, sim_set(0, "latency_ns", 5));
	ASSERT_EQ(0, set_str(0, "mode", "ena"));
	EXPECT_EQ(10000, get(0, "latency_ns"));
	EXPECT_EQ(idx2, sim_ptp(0));
	EXPECT_EQ(0, phc(fd, &v));

	ASSERT_EQ(0, set_str(0, "mode", "hyperv"));
	EXPECT_EQ(-ENODEV, phc(fd, &v));
	close(fd);
	EXPECT_NE(0, stat("/sys/devices/vmclock_sim.0", &st));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOPNOTSUPP, precise(fd, &p));
	EXPECT_EQ(-EOPNOTSUPP, extended(fd, &x));
	EXPECT_EQ(0, phc(fd, &v));
	close(fd);

	/* unregistered: stays so, and registers with the new methods */
	ASSERT_EQ(0, sim_set(0, "registered", 0));
	ASSERT_EQ(0, set_str(0, "mode", "kvm"));
	EXPECT_EQ(0, get(0, "registered"));
	EXPECT_EQ(-1, sim_ptp(0));
	ASSERT_EQ(0, sim_set(0, "registered", 1));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, precise(fd, &p));
	close(fd);
}

/*
 * Mode changes and unplugs while other processes read the clock and its
 * error bound attribute as fast as they can: the parent device comes and
 * goes under its readers; the kernel log (with slub_debug poisoning) must
 * stay clean.
 */
TEST_F(sim, mode_change_under_readers)
{
	static const char * const modes[] = { "ena", "plain", "ena", "kvm" };
	struct ptp_sys_offset_precise p;
	long long v;
	pid_t kid[3];
	int i, st;

	ASSERT_EQ(0, sim_ctl("add 0 ena-ptp-00"));
	ASSERT_EQ(0, sim_set(0, "rate_limit", 0));
	ASSERT_EQ(0, sim_set(0, "latency_ns", 200000));
	for (i = 0; i < 3; i++) {
		kid[i] = fork();
		ASSERT_LE(0, kid[i]);
		if (kid[i])
			continue;
		for (;;) {
			char buf[32];
			int f;

			if (i == 2) {
				f = open("/sys/devices/vmclock_sim.0/phc_error_bound",
					 O_RDONLY);
				if (f >= 0) {
					if (read(f, buf, sizeof(buf)) < 0)
						usleep(100);
					close(f);
				}
				continue;
			}
			f = open_ptp(0);
			if (f >= 0) {
				if (i)
					precise(f, &p);
				else
					phc(f, &v);
				close(f);
			}
		}
	}
	for (i = 0; i < 24; i++) {
		usleep(20000);
		if (i % 6 >= 4) {
			EXPECT_EQ(0, sim_set(0, "registered", i % 6 == 5));
		} else {
			EXPECT_EQ(0, set_str(0, "mode", modes[i % 4]));
		}
	}
	usleep(20000);
	EXPECT_EQ(0, sim_ctl("del 0"));
	for (i = 0; i < 3; i++) {
		kill(kid[i], SIGKILL);
		waitpid(kid[i], &st, 0);
	}
}

/* pause NS: truth (and every clock) jumps NS ahead of raw and realtime. */
TEST_F(sim, pause)
{
	long long raw, t0, t1, v0 = 0, v1 = 0, e0, e1;
	int fd;

	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	raw = raw_ns();
	t0 = sim_truth_at(self->tfd, raw);
	e0 = real_ns();
	ASSERT_EQ(0, phc(fd, &v0));
	e0 = v0 - e0;
	ASSERT_EQ(0, sim_ctl("pause 2000000000"));
	t1 = sim_truth_at(self->tfd, raw);
	e1 = real_ns();
	ASSERT_EQ(0, phc(fd, &v1));
	e1 = v1 - e1;
	EXPECT_EQ(2 * NS, t1 - t0);
	TH_LOG("clock - realtime: %lld ns before, %lld ns after", e0, e1);
	EXPECT_GT(10000000, llabs(e1 - e0 - 2 * NS));
	close(fd);

	/* Hyper-V: the host sends a sample as the guest resumes. */
	ASSERT_EQ(0, sim_ctl("add 1 hyperv"));
	fd = open_ptp(1);
	ASSERT_LE(0, fd);
	e0 = real_ns();
	ASSERT_EQ(0, phc(fd, &v0));
	e0 = v0 - e0;
	raw = raw_ns();
	ASSERT_EQ(0, sim_ctl("pause 3000000000"));
	e1 = real_ns();
	ASSERT_EQ(0, phc(fd, &v1));
	e1 = v1 - e1;
	TH_LOG("hyperv - realtime: %lld ns before, %lld ns after", e0, e1);
	EXPECT_GT(10000000, llabs(e1 - e0 - 3 * NS));
	EXPECT_LE(raw, get(1, "hv_sample"));
	close(fd);
}

/*
 * Unplug: reads on an open fd fail with ENODEV and the device goes;
 * registering again brings a new one (the old index is still held).
 * Then the same while other processes read as fast as they can.
 */
TEST_F(sim, unregister)
{
	char path[64], buf[64];
	int fd, fd2, idx, idx2, i, st;
	long long v;
	pid_t kid[2];

	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	idx = sim_ptp(0);
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, phc(fd, &v));
	ASSERT_EQ(0, sim_set(0, "registered", 0));
	EXPECT_EQ(0, get(0, "registered"));
	EXPECT_EQ(0, get_str(0, "ptp", buf, sizeof(buf)));
	EXPECT_STREQ("none", buf);
	EXPECT_EQ(-ENODEV, phc(fd, &v));
	EXPECT_TRUE(ptp_gone(idx));
	ASSERT_EQ(0, sim_set(0, "registered", 1));
	idx2 = sim_ptp(0);
	EXPECT_LE(0, idx2);
	EXPECT_NE(idx, idx2);
	snprintf(path, sizeof(path), "/sys/class/ptp/ptp%d/clock_name", idx2);
	EXPECT_EQ(0, s_read(path, buf, sizeof(buf)));
	EXPECT_STREQ("KVM virtual PTP", buf);
	EXPECT_EQ(-ENODEV, phc(fd, &v));
	fd2 = open_ptp(0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, phc(fd2, &v));
	close(fd);

	/*
	 * Toggle and delete under readers, each read busy for 3 ms so that
	 * the unregistering meets reads in flight; the kernel log (with
	 * slub_debug poisoning) must stay clean.
	 */
	ASSERT_EQ(0, sim_set(0, "latency_ns", 3000000));
	for (i = 0; i < 2; i++) {
		kid[i] = fork();
		ASSERT_LE(0, kid[i]);
		if (!kid[i]) {
			for (;;) {
				int f = i ? open_ptp(0) : fd2;

				if (f >= 0) {
					phc(f, &v);
					if (i)
						close(f);
				}
			}
		}
	}
	for (i = 0; i < 20; i++) {
		usleep(20000);
		EXPECT_EQ(0, sim_set(0, "registered", i & 1));
	}
	EXPECT_EQ(0, sim_set(0, "registered", 1));
	usleep(20000);
	EXPECT_EQ(0, sim_ctl("del 0"));
	EXPECT_EQ(-ENODEV, phc(fd2, &v));
	usleep(20000);
	for (i = 0; i < 2; i++) {
		kill(kid[i], SIGKILL);
		waitpid(kid[i], &st, 0);
	}
	close(fd2);
}

/*
 * Simulated vmclock devices (page add/del): a platform device VMCLOCK.N
 * whose memory resource is a page in the vmclock ABI, each change made
 * inside a seq_count update.
 */
#define PAGE_RAW_SIZE	0x68

static int page_set(int id, const char *file, const char *v)
{
	char path[128];

	snprintf(path, sizeof(path), SIM "/page%d/%s", id, file);
	return write_str(path, v);
}

/*
 * A page's debugfs file, a decimal u64, as the bits of a long long (the
 * marker takes all 64); -1 when unreadable.
 */
static long long page_get(int id, const char *file)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), SIM "/page%d/%s", id, file);
	if (s_read(path, buf, sizeof(buf)))
		return -1;
	return (long long)strtoull(buf, NULL, 10);
}

/* The page's ABI structure as the device holds it (debugfs "raw"). */
static int page_raw(int id, unsigned char *raw)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SIM "/page%d/raw", id);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, raw, PAGE_RAW_SIZE + 1);
	close(fd);
	return n == PAGE_RAW_SIZE ? 0 : -EIO;
}

/* A little endian field of the page, at its ABI offset, as page_get(). */
static long long le(const unsigned char *raw, int off, int len)
{
	unsigned long long v = 0;

	while (len--)
		v = v << 8 | raw[off + len];
	return (long long)v;
}

static bool path_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/*
 * The device's line in /proc/iomem (two spaces of indentation per level):
 * its range, and whether the line it nests in is System RAM.  -ENOENT
 * when there is none.
 */
static int page_iomem(int id, unsigned long long *start,
		      unsigned long long *end, bool *in_ram)
{
	char line[256], above[8][256] = { "" }, name[32];
	int err = -ENOENT;
	size_t depth;
	FILE *f;

	snprintf(name, sizeof(name), " : VMCLOCK.%d\n", id);
	f = fopen("/proc/iomem", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		depth = strspn(line, " ") / 2;
		if (depth >= 8)
			continue;
		strcpy(above[depth], line);
		if (!strstr(line, name))
			continue;
		if (sscanf(line, " %llx-%llx", start, end) == 2) {
			*in_ram = depth &&
				  strstr(above[depth - 1], " : System RAM\n");
			err = 0;
		}
		break;
	}
	fclose(f);
	return err;
}

FIXTURE(page) {
	int unused;
};

FIXTURE_SETUP(page)
{
	int i;

	for (i = 0; i < 8; i++)
		sim_ctl("page del %d", i);
}

FIXTURE_TEARDOWN(page)
{
	int i;

	for (i = 0; i < 8; i++)
		sim_ctl("page del %d", i);
}

/*
 * page add: a platform device VMCLOCK.N, its page's range claimed in the
 * iomem tree inside System RAM, the page filled as a fresh device's;
 * page del: all of it gone.
 */
TEST_F(page, add_and_del)
{
	unsigned long long start, end, start7, end7;
	long psize = sysconf(_SC_PAGESIZE);
	unsigned char raw[PAGE_RAW_SIZE];
	char buf[64];
	bool in_ram;

	ASSERT_EQ(0, sim_ctl("page add 0"));
	EXPECT_TRUE(path_exists("/sys/bus/platform/devices/VMCLOCK.0"));
	EXPECT_EQ(0, s_read("/sys/bus/platform/devices/VMCLOCK.0/modalias",
			    buf, sizeof(buf)));
	EXPECT_STREQ("platform:VMCLOCK", buf);
	ASSERT_EQ(0, page_iomem(0, &start, &end, &in_ram));
	EXPECT_EQ(psize, (long)(end - start + 1));
	EXPECT_EQ(0, (long)(start % psize));
	EXPECT_NE(0, (long)start);	/* root sees the addresses */
	EXPECT_TRUE(in_ram);

	ASSERT_EQ(0, page_raw(0, raw));
	EXPECT_EQ(0x4b4c4356, le(raw, 0x00, 4));
	EXPECT_EQ(0, memcmp(raw, "VCLK", 4));
	EXPECT_EQ(0x68, le(raw, 0x04, 4));
	EXPECT_EQ(1, le(raw, 0x08, 2));
	EXPECT_EQ(0xff, raw[0x0a]);		/* no counter */
	EXPECT_EQ(0, raw[0x0b]);		/* UTC */
	EXPECT_EQ(0, le(raw, 0x0c, 4));		/* seq_count */
	EXPECT_NE(0, le(raw, 0x10, 8));		/* disruption_marker */
	EXPECT_EQ(page_get(0, "marker"), le(raw, 0x10, 8));
	EXPECT_EQ(0x60, le(raw, 0x18, 8));	/* TIME_{EST,MAX}ERROR_VALID */
	EXPECT_EQ(2, raw[0x22]);		/* synchronized */
	EXPECT_EQ(10000, le(raw, 0x58, 8));
	EXPECT_EQ(100000, le(raw, 0x60, 8));
	EXPECT_EQ(0, page_get(0, "seq"));
	EXPECT_EQ(0, page_get(0, "stuck_odd"));
	EXPECT_EQ(2, page_get(0, "clock_status"));
	EXPECT_EQ(0x60, page_get(0, "flags"));
	EXPECT_EQ(10000, page_get(0, "esterror_ns"));
	EXPECT_EQ(100000, page_get(0, "maxerror_ns"));

	EXPECT_EQ(-EEXIST, sim_ctl("page add 0"));
	ASSERT_EQ(0, sim_ctl("page add 7"));
	EXPECT_TRUE(path_exists("/sys/bus/platform/devices/VMCLOCK.7"));
	ASSERT_EQ(0, page_iomem(7, &start7, &end7, &in_ram));
	EXPECT_TRUE(end7 < start || start7 > end);
	EXPECT_NE(page_get(0, "marker"), page_get(7, "marker"));

	ASSERT_EQ(0, sim_ctl("page del 0"));
	EXPECT_FALSE(path_exists("/sys/bus/platform/devices/VMCLOCK.0"));
	EXPECT_FALSE(path_exists(SIM "/page0"));
	EXPECT_EQ(-ENOENT, page_iomem(0, &start, &end, &in_ram));
	EXPECT_EQ(-ENOENT, sim_ctl("page del 0"));
	EXPECT_TRUE(path_exists("/sys/bus/platform/devices/VMCLOCK.7"));
	EXPECT_EQ(0, sim_ctl("page del 7"));
	EXPECT_FALSE(path_exists("/sys/bus/platform/devices/VMCLOCK.7"));
	/* a new device gets a fresh page */
	ASSERT_EQ(0, sim_ctl("page add 0"));
	EXPECT_EQ(0, page_get(0, "seq"));
}

/* Bad commands and values: -EINVAL (-EPERM for read-only files). */
TEST_F(page, errors)
{
	long long seq;

	EXPECT_EQ(-EINVAL, sim_ctl("page add 8"));
	EXPECT_EQ(-EINVAL, sim_ctl("page add"));
	EXPECT_EQ(-EINVAL, sim_ctl("page"));
	EXPECT_EQ(-EINVAL, sim_ctl("page add x"));
	EXPECT_EQ(-EINVAL, sim_ctl("page add -1"));
	EXPECT_EQ(-EINVAL, sim_ctl("page add 0 1"));
	EXPECT_EQ(-EINVAL, sim_ctl("page move 0"));
	EXPECT_EQ(-EINVAL, sim_ctl("page del 8"));
	EXPECT_EQ(-ENOENT, sim_ctl("page del 3"));
	EXPECT_FALSE(path_exists("/sys/bus/platform/devices/VMCLOCK.8"));

	ASSERT_EQ(0, sim_ctl("page add 3"));
	seq = page_get(3, "seq");
	EXPECT_EQ(-EINVAL, page_set(3, "clock_status", "5"));
	EXPECT_EQ(-EINVAL, page_set(3, "clock_status", "-1"));
	EXPECT_EQ(-EINVAL, page_set(3, "disrupt", "0"));
	EXPECT_EQ(-EINVAL, page_set(3, "disrupt", "2"));
	EXPECT_EQ(-EINVAL, page_set(3, "stuck_odd", "2"));
	EXPECT_EQ(-EINVAL, page_set(3, "maxerror_ns", "-1"));
	EXPECT_EQ(-EINVAL, page_set(3, "esterror_ns", "1e3"));
	EXPECT_EQ(-EINVAL, page_set(3, "flags", "x"));
	EXPECT_EQ(-EPERM, page_set(3, "marker", "1"));
	EXPECT_EQ(-EPERM, page_set(3, "seq", "2"));
	/* refused writes change nothing, not even seq_count */
	EXPECT_EQ(seq, page_get(3, "seq"));
	EXPECT_EQ(2, page_get(3, "clock_status"));
	EXPECT_EQ(0, page_get(3, "stuck_odd"));
}

/*
 * Each knob changes its field inside one update: seq_count two more and
 * even after it; a disruption moves the marker by an odd amount, to a
 * value it never had.
 */
TEST_F(page, knobs)
{
	long long seq, m[64];
	unsigned char raw[PAGE_RAW_SIZE];
	int i, j;

	ASSERT_EQ(0, sim_ctl("page add 1"));
	seq = page_get(1, "seq");
	ASSERT_EQ(0, seq % 2);

	ASSERT_EQ(0, page_set(1, "clock_status", "3"));
	EXPECT_EQ(seq += 2, page_get(1, "seq"));
	ASSERT_EQ(0, page_set(1, "maxerror_ns", "18446744073709551615"));
	EXPECT_EQ(seq += 2, page_get(1, "seq"));
	ASSERT_EQ(0, page_set(1, "esterror_ns", "1234"));
	EXPECT_EQ(seq += 2, page_get(1, "seq"));
	ASSERT_EQ(0, page_set(1, "flags", "0x7f"));
	EXPECT_EQ(seq += 2, page_get(1, "seq"));
	ASSERT_EQ(0, page_raw(1, raw));
	EXPECT_EQ(3, raw[0x22]);
	EXPECT_EQ(-1, le(raw, 0x60, 8));	/* U64_MAX */
	EXPECT_EQ(1234, le(raw, 0x58, 8));
	EXPECT_EQ(0x7f, le(raw, 0x18, 8));
	EXPECT_EQ(seq, le(raw, 0x0c, 4));
	EXPECT_EQ(3, page_get(1, "clock_status"));
	EXPECT_EQ(1234, page_get(1, "esterror_ns"));
	EXPECT_EQ(0x7f, page_get(1, "flags"));

	m[0] = page_get(1, "marker");
	for (i = 1; i < 64; i++) {
		ASSERT_EQ(0, page_set(1, "disrupt", "1"));
		EXPECT_EQ(seq += 2, page_get(1, "seq"));
		m[i] = page_get(1, "marker");
		EXPECT_EQ(1, (int)(((unsigned long long)m[i] - m[i - 1]) & 1));
		for (j = 0; j < i; j++)
			EXPECT_NE(m[j], m[i]);
	}
	ASSERT_EQ(0, page_raw(1, raw));
	EXPECT_EQ(m[63], le(raw, 0x10, 8));
	/* a disruption touches nothing else */
	EXPECT_EQ(3, raw[0x22]);
	EXPECT_EQ(0x7f, le(raw, 0x18, 8));
	EXPECT_EQ(0x4b4c4356, le(raw, 0x00, 4));
}

/*
 * stuck_odd: an update left open, as a hypervisor preempted in the middle
 * of one; changes made meanwhile join it, and closing it makes seq_count
 * even again.
 */
TEST_F(page, stuck_odd)
{
	long long seq, marker;
	unsigned char raw[PAGE_RAW_SIZE];

	ASSERT_EQ(0, sim_ctl("page add 2"));
	ASSERT_EQ(0, page_set(2, "disrupt", "1"));
	seq = page_get(2, "seq");
	marker = page_get(2, "marker");
	ASSERT_EQ(0, page_set(2, "stuck_odd", "1"));
	EXPECT_EQ(1, page_get(2, "stuck_odd"));
	EXPECT_EQ(seq + 1, page_get(2, "seq"));
	ASSERT_EQ(0, page_raw(2, raw));
	EXPECT_EQ(seq + 1, le(raw, 0x0c, 4));
	ASSERT_EQ(0, page_set(2, "stuck_odd", "1"));	/* still the one */
	EXPECT_EQ(seq + 1, page_get(2, "seq"));
	ASSERT_EQ(0, page_set(2, "disrupt", "1"));
	ASSERT_EQ(0, page_set(2, "clock_status", "4"));
	EXPECT_EQ(seq + 1, page_get(2, "seq"));
	EXPECT_NE(marker, page_get(2, "marker"));
	EXPECT_EQ(4, page_get(2, "clock_status"));
	ASSERT_EQ(0, page_set(2, "stuck_odd", "0"));
	EXPECT_EQ(0, page_get(2, "stuck_odd"));
	EXPECT_EQ(seq + 2, page_get(2, "seq"));
	ASSERT_EQ(0, page_set(2, "stuck_odd", "0"));	/* nothing open */
	EXPECT_EQ(seq + 2, page_get(2, "seq"));
	ASSERT_EQ(0, page_set(2, "disrupt", "1"));
	EXPECT_EQ(seq + 4, page_get(2, "seq"));
}

/* Writers in parallel: each change its own update, none lost. */
TEST_F(page, parallel_writers)
{
	static const char * const knob[] = { "disrupt", "clock_status", "flags" };
	long long seq;
	int i, k, st, n = 300;
	pid_t kid[3];

	ASSERT_EQ(0, sim_ctl("page add 4"));
	seq = page_get(4, "seq");
	for (k = 0; k < 3; k++) {
		kid[k] = fork();
		ASSERT_LE(0, kid[k]);
		if (!kid[k]) {
			for (i = 0; i < n; i++)
				if (page_set(4, knob[k], k == 0 ? "1" : i & 1 ? "2" : "3"))
					_exit(1);
			_exit(0);
		}
	}
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(kid[k], waitpid(kid[k], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	}
	EXPECT_EQ(seq + 2 * 3 * n, page_get(4, "seq"));
}

/*
 * counter: every update stamps the page with the TSC, its period (2^-64 s
 * per tick) and the period's maximum error as maxerror_rate_ppb says.
 */
TEST_F(page, counter)
{
	unsigned char raw[PAGE_RAW_SIZE];
	unsigned long long period, rate, v0;

	ASSERT_EQ(0, sim_ctl("page add 6"));
	ASSERT_EQ(0, page_set(6, "maxerror_rate_ppb", "1000"));
	EXPECT_EQ(1000, page_get(6, "maxerror_rate_ppb"));
	ASSERT_EQ(0, page_raw(6, raw));
	EXPECT_EQ(0xff, raw[0x0a]);			/* still no counter */
	ASSERT_EQ(0, page_set(6, "counter", "1"));
	EXPECT_EQ(1, page_get(6, "counter"));
	ASSERT_EQ(0, page_raw(6, raw));
	EXPECT_EQ(0, raw[0x0a]);			/* the TSC */
	EXPECT_EQ(0, raw[0x27]);			/* shift */
	period = le(raw, 0x30, 8);
	rate = le(raw, 0x40, 8);
	v0 = le(raw, 0x28, 8);
	TH_LOG("TSC period %llu / 2^64 s, maxerror %llu / 2^64 s per tick",
	       period, rate);
	EXPECT_LT(1000000000ULL, period);		/* below 18 GHz */
	EXPECT_GE(rate + 1, period / 1000000);
	EXPECT_LE(rate, period / 1000000 + 1);
	EXPECT_NE(0ULL, v0);
	usleep(1000);
	ASSERT_EQ(0, page_set(6, "esterror_ns", "1"));
	ASSERT_EQ(0, page_raw(6, raw));
	EXPECT_LT(v0, (unsigned long long)le(raw, 0x28, 8));
	EXPECT_EQ(-EINVAL, page_set(6, "counter", "2"));
	EXPECT_EQ(-EINVAL, page_set(6, "maxerror_rate_ppb", "1000000001"));
	ASSERT_EQ(0, page_set(6, "counter", "0"));
	ASSERT_EQ(0, page_raw(6, raw));
	EXPECT_EQ(0xff, raw[0x0a]);
}

/*
 * A vmclock clock has a vmclock device of its own, VMCLOCK.(8 + id), with
 * its page beside the clock's files; the clock is read as ptp_vmclock
 * reads: not when the page calls it unreliable.  The device comes and
 * goes with the clock and with its mode.
 */
TEST_F(page, vmclock_clock)
{
	const char *dev = "/sys/bus/platform/devices/VMCLOCK.10";
	long long v;
	int fd;

	ASSERT_EQ(0, sim_ctl("add 2 vmclock"));
	EXPECT_TRUE(path_exists(dev));
	fd = open_ptp(2);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, phc(fd, &v));
	ASSERT_EQ(0, write_str(SIM "/2/page/clock_status", "4"));
	EXPECT_EQ(-EINVAL, phc(fd, &v));
	ASSERT_EQ(0, write_str(SIM "/2/page/clock_status", "3"));
	EXPECT_EQ(0, phc(fd, &v));
	close(fd);

	ASSERT_EQ(0, set_str(2, "mode", "kvm"));
	EXPECT_FALSE(path_exists(dev));
	EXPECT_FALSE(path_exists(SIM "/2/page"));
	ASSERT_EQ(0, set_str(2, "mode", "vmclock"));
	EXPECT_TRUE(path_exists(dev));
	EXPECT_TRUE(path_exists(SIM "/2/page/seq"));
	ASSERT_EQ(0, sim_set(2, "registered", 0));
	EXPECT_FALSE(path_exists(dev));
	ASSERT_EQ(0, sim_set(2, "registered", 1));
	EXPECT_TRUE(path_exists(dev));
	ASSERT_EQ(0, sim_ctl("del 2"));
	EXPECT_FALSE(path_exists(dev));
}

/* Unloading with devices present removes them; loading again is clean. */
TEST_F(page, unload)
{
	unsigned long long start, end;
	bool in_ram;

	ASSERT_EQ(0, sim_ctl("page add 0"));
	ASSERT_EQ(0, sim_ctl("page add 5"));
	ASSERT_EQ(0, page_set(5, "stuck_odd", "1"));
	ASSERT_EQ(0, sim_ctl("add 3 vmclock"));
	ASSERT_EQ(0, system("modprobe -r vmclock_sim"));
	EXPECT_FALSE(path_exists("/sys/bus/platform/devices/VMCLOCK.11"));
	EXPECT_FALSE(path_exists(SIM));
	EXPECT_FALSE(path_exists("/sys/bus/platform/devices/VMCLOCK.0"));
	EXPECT_FALSE(path_exists("/sys/bus/platform/devices/VMCLOCK.5"));
	EXPECT_EQ(-ENOENT, page_iomem(0, &start, &end, &in_ram));
	EXPECT_EQ(-ENOENT, page_iomem(5, &start, &end, &in_ram));
	ASSERT_EQ(0, system("modprobe vmclock_sim"));
	ASSERT_EQ(0, sim_ctl("page add 0"));
	EXPECT_TRUE(path_exists("/sys/bus/platform/devices/VMCLOCK.0"));
	EXPECT_EQ(0, page_get(0, "seq"));
}

/* Unloading with a clock open and in use: clean; reads then fail. */
TEST_F(sim, unload_with_open_fd)
{
	struct stat st;
	char buf[32];
	long long v;
	int fd, fd2, afd;

	ASSERT_EQ(0, sim_ctl("add 0 hyperv"));
	ASSERT_EQ(0, sim_ctl("add 1 ena-ptp-01"));
	fd = open_ptp(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, phc(fd, &v));
	/* ENA's PHC holds its parent device, and a sysfs file of it is open */
	fd2 = open_ptp(1);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, phc(fd2, &v));
	afd = open("/sys/devices/vmclock_sim.1/phc_error_bound", O_RDONLY);
	ASSERT_LE(0, afd);
	close(self->tfd);	/* an open debugfs file pins the module */
	self->tfd = -1;
	ASSERT_EQ(0, system("modprobe -r vmclock_sim"));
	EXPECT_NE(0, stat(SIM, &st));
	EXPECT_NE(0, stat("/sys/devices/vmclock_sim.1", &st));
	EXPECT_EQ(-ENODEV, phc(fd, &v));
	EXPECT_EQ(-ENODEV, phc(fd2, &v));
	EXPECT_GT(0, pread(afd, buf, sizeof(buf), 0));
	EXPECT_EQ(ENODEV, errno);
	close(afd);
	close(fd2);
	close(fd);
	ASSERT_EQ(0, system("modprobe vmclock_sim"));
	EXPECT_EQ(0, stat(SIM "/ctl", &st));
	self->tfd = open(SIM "/truth", O_RDWR);
}

TEST_HARNESS_MAIN
