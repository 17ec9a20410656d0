// SPDX-License-Identifier: GPL-2.0
/*
 * Exact reads: each simulated clock is read with the most exact method
 * its driver offers, the host's own error report sets the source's host
 * error, and a clock whose driver cannot be reached safely is read the
 * old way and says so.
 *
 * kvm_crosststamp: a KVM-like clock (cross timestamps, pairing error 0,
 *   the hypercall's 2 us round trip) with the guest's oscillator 20 ppm
 *   off: from 10 s after the attach, the unified clock's RMS error
 *   against the truth is under 50 ns, inside the bound at every check.
 * ena_reported_bound: an ENA-like clock reporting 10 us: the bound is
 *   under 30 us; the report jumps to 2 ms with the host 1.5 ms off, and
 *   back: the truth is inside the bound at every check, and the bound
 *   under 30 us again at the end.
 * report_fails: a report that cannot be read fails the poll.
 * methods: what each kind of clock is read with; a driver that refuses
 *   cross timestamps at run time is read with its next method.
 * forced_fallback: each attach-time check made to fail in turn: the
 *   source is read through clock_gettime and says why.
 * device_disruption: a simulated vmclock device (the hypervisor's page)
 *   is followed whether it comes before or after vmclock; its disruption
 *   marker moving makes the unified clock disrupted within a tick, also
 *   after the page was caught mid-update; the clock synchronizes again.
 *
 * Needs vmclock and vmclock_sim loaded with no sources attached, root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "unified.h"

#define FAULT_FILE "/sys/kernel/debug/vmclock/phc_check_fault"

FIXTURE(exact) {
	struct vmclock_nl *nl;
	int truth;
	int phc;		/* the unified clock */
	int fd[4];		/* the simulated clocks, as attached */
	long long last;		/* the last reading of the unified clock */
};

FIXTURE_SETUP(exact)
{
	int i;

	for (i = 0; i < 4; i++)
		self->fd[i] = -1;
	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	self->truth = open(SIM_DIR "/truth", O_RDWR);
	ASSERT_LE(0, self->truth);
	self->phc = open_phc(own_phc());
	ASSERT_LE(0, self->phc);
}

FIXTURE_TEARDOWN(exact)
{
	int i;

	write_str(FAULT_FILE, "0");
	sim_ctl("truth_freq 0");
	sim_ctl("page del 0");
	sources_clear(self->nl, 0, 4);
	for (i = 0; i < 4; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
	close(self->phc);
	close(self->truth);
	vmclock_nl_close(self->nl);
}

/* Attach simulated clock sim, added and set up already: its id, or 0. */
static uint32_t attach_added(struct __test_metadata *_metadata,
			     FIXTURE_DATA(exact) *self, int sim)
{
	struct reply r;

	self->fd[sim] = open_phc(sim_ptp(sim));
	if (self->fd[sim] < 0)
		return 0;
	if (add_req(self->nl, self->fd[sim], NULL, 0, &r)) {
		TH_LOG("attaching simulated clock %d: %s", sim, r.ext);
		return 0;
	}
	return r.id;
}

/* Add simulated clock sim with this clock_name and attach it: its id. */
static uint32_t attach(struct __test_metadata *_metadata,
		       FIXTURE_DATA(exact) *self, int sim, const char *name)
{
	if (sim_ctl("add %d %s", sim, name))
		return 0;
	return attach_added(_metadata, self, sim);
}

static void detach(FIXTURE_DATA(exact) *self, int sim, uint32_t id)
{
	struct reply r;

	id_req(self->nl, VMCLOCK_CMD_SOURCE_DEL, id, 0, 0, &r);
	close(self->fd[sim]);
	self->fd[sim] = -1;
	sim_ctl("del %d", sim);
}

static void field(uint32_t id, const char *name, char *buf, size_t len)
{
	if (source_sysfs(id, name, buf, len) == -1 && !buf[0])
		snprintf(buf, len, "(unreadable)");
}

/* Wait up to secs for a sysfs field of source id to read want. */
static bool wait_field(uint32_t id, const char *name, const char *want,
		       double secs)
{
	double end = now_s() + secs;
	char buf[64];

	do {
		buf[0] = '\0';
		source_sysfs(id, name, buf, sizeof(buf));
		if (!strcmp(buf, want))
			return true;
		usleep(50000);
	} while (now_s() < end);
	return false;
}

/* Whether vmclockctl sources prints a line holding text. */
static bool sources_show(const char *text)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "vmclockctl sources | tee /dev/stderr | grep -qF -- '%s'", text);
	return !system(cmd);
}

/*
 * A check of the unified clock: inside the bound, never back.  Returns
 * check_unified()'s result; c->err is the error.
 */
static int check(struct __test_metadata *_metadata,
		 FIXTURE_DATA(exact) *self, const char *what, struct check *c)
{
	int rc = check_unified(self->nl, self->phc, self->truth, c);

	if (rc)
		return rc;
	EXPECT_GE(c->bound, (unsigned long long)llabs(c->err))
		TH_LOG("%s: unified - truth %lld ns is outside the bound %llu ns,"
		       " status %s", what, c->err, c->bound,
		       status_name(c->st.status));
	EXPECT_GE(c->dev, self->last)
		TH_LOG("%s: the clock went back %lld ns", what,
		       self->last - c->dev);
	self->last = c->dev;
	return 0;
}

TEST_F_TIMEOUT(exact, kvm_crosststamp, 120)
{
	double start, sum2 = 0;
	long long worst = 0;
	unsigned long long bmax = 0;
	struct check c;
	char buf[64];
	uint32_t id;
	int i, n = 0;

	ASSERT_EQ(0, sim_ctl("truth_freq 20000"));
	start = now_s();
	id = attach(_metadata, self, 0, "KVM virtual PTP");
	ASSERT_NE(0U, id);
	field(id, "read_method", buf, sizeof(buf));
	EXPECT_STREQ("crosststamp", buf);
	field(id, "read_note", buf, sizeof(buf));
	EXPECT_STREQ("", buf);
	EXPECT_TRUE(sources_show("crosststamp"));
	ASSERT_TRUE(wait_synced(self->nl, 30));

	while (now_s() < start + 10)
		usleep(100000);
	for (i = 0; i < 100; i++) {
		if (!check(_metadata, self, "kvm", &c)) {
			sum2 += (double)c.err * c.err;
			if (llabs(c.err) > worst)
				worst = llabs(c.err);
			if (c.bound > bmax)
				bmax = c.bound;
			n++;
		}
		usleep(100000);
	}
	ASSERT_LT(90, n);
	TH_LOG("cross timestamps, 20 ppm oscillator, from 10 s after the attach:"
	       " %d checks, RMS %.1f ns, max %lld ns, bound up to %llu ns",
	       n, sqrt(sum2 / n), worst, bmax);
	EXPECT_GT(50.0, sqrt(sum2 / n));
	EXPECT_EQ(0, sim_stat(0, "busy"));
}

/* Checks every 200 ms for secs; the largest bound seen. */
static unsigned long long check_for(struct __test_metadata *_metadata,
				    FIXTURE_DATA(exact) *self,
				    const char *what, double secs,
				    unsigned long long *last_bound)
{
	double end = now_s() + secs;
	unsigned long long bmax = 0;
	long long emax = 0;
	struct check c;
	int n = 0;

	while (now_s() < end) {
		if (!check(_metadata, self, what, &c)) {
			if (c.bound > bmax)
				bmax = c.bound;
			if (llabs(c.err) > emax)
				emax = llabs(c.err);
			*last_bound = c.bound;
			n++;
		}
		usleep(200000);
	}
	TH_LOG("%s: %d checks, max |unified - truth| %lld ns, bound up to "
	       "%llu ns, last %llu ns", what, n, emax, bmax, *last_bound);
	return bmax;
}

TEST_F_TIMEOUT(exact, ena_reported_bound, 180)
{
	unsigned long long last = 0;
	char buf[64];
	uint32_t id;

	ASSERT_EQ(0, sim_ctl("add 2 ena-ptp-00"));
	ASSERT_EQ(0, sim_set(2, "error_bound_ns", 10000));
	ASSERT_EQ(0, sim_set(2, "offset_ns", -2000));
	id = attach_added(_metadata, self, 2);
	ASSERT_NE(0U, id);
	field(id, "read_method", buf, sizeof(buf));
	EXPECT_STREQ("gettimex64", buf);
	ASSERT_TRUE(wait_field(id, "reported_error_ns", "10000", 10));
	EXPECT_TRUE(sources_show("the host reports its error: 10.0us"));
	ASSERT_TRUE(wait_synced(self->nl, 30));

	check_for(_metadata, self, "reporting 10 us", 20, &last);
	EXPECT_GT(30000ULL, last);

	/* The host loses its reference: 1.5 ms off, and says 2 ms. */
	ASSERT_EQ(0, sim_set(2, "error_bound_ns", 2000000));
	ASSERT_EQ(0, sim_set(2, "offset_ns", 1500000));
	check_for(_metadata, self, "reporting 2 ms", 15, &last);
	source_sysfs(id, "reported_error_ns", buf, sizeof(buf));
	EXPECT_STREQ("2000000", buf);
	EXPECT_LE(2000000ULL, last);

	/* And back. */
	ASSERT_EQ(0, sim_set(2, "error_bound_ns", 10000));
	ASSERT_EQ(0, sim_set(2, "offset_ns", -2000));
	check_for(_metadata, self, "reporting 10 us again", 40, &last);
	EXPECT_GT(30000ULL, last);
}

TEST_F_TIMEOUT(exact, report_fails, 60)
{
	char buf[64];
	uint32_t id;

	id = attach(_metadata, self, 2, "ena-ptp-00");
	ASSERT_NE(0U, id);
	ASSERT_TRUE(wait_field(id, "state", "ok", 10));
	ASSERT_EQ(0, sim_set(2, "error_bound_errno", EIO));
	EXPECT_TRUE(wait_field(id, "state", "error", 10));
	field(id, "last_error", buf, sizeof(buf));
	EXPECT_EQ(EIO, atoi(buf));
	ASSERT_EQ(0, sim_set(2, "error_bound_errno", 0));
	EXPECT_TRUE(wait_field(id, "state", "ok", 10));
}

TEST_F_TIMEOUT(exact, methods, 60)
{
	static const struct { int sim; const char *name, *method; } kinds[] = {
		{ 0, "KVM virtual PTP", "crosststamp" },
		{ 1, "hyperv", "gettime64" },
		{ 2, "ena-ptp-00", "gettimex64" },
		{ 3, "nic-like", "gettimex64" },
	};
	char buf[64];
	uint32_t id;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		id = attach(_metadata, self, kinds[i].sim, kinds[i].name);
		ASSERT_NE(0U, id);
		field(id, "read_method", buf, sizeof(buf));
		EXPECT_STREQ(kinds[i].method, buf)
			TH_LOG("%s", kinds[i].name);
		EXPECT_TRUE(wait_field(id, "state", "ok", 15))
			TH_LOG("%s", kinds[i].name);
		detach(self, kinds[i].sim, id);
	}

	/* ptp_kvm on x86 refuses when kvm-clock is not the clocksource. */
	ASSERT_EQ(0, sim_ctl("add 0 KVM virtual PTP"));
	ASSERT_EQ(0, sim_set(0, "crosststamp_errno", ENODEV));
	id = attach_added(_metadata, self, 0);
	ASSERT_NE(0U, id);
	EXPECT_TRUE(wait_field(id, "read_method", "gettime64", 10));
	EXPECT_TRUE(wait_field(id, "read_note", "crosststamp failed (-19)", 1));
	EXPECT_TRUE(wait_field(id, "state", "ok", 10));
	EXPECT_TRUE(sources_show("read by gettime64: crosststamp failed (-19)"));
}

TEST_F_TIMEOUT(exact, forced_fallback, 90)
{
	static const char *const why[] = {
		NULL, "class device", "device number", "clock index", "clock name",
	};
	char buf[64], want[64], fault[4];
	long long before;
	uint32_t id;
	int f;

	for (f = 1; f <= 4; f++) {
		snprintf(fault, sizeof(fault), "%d", f);
		ASSERT_EQ(0, write_str(FAULT_FILE, fault));
		id = attach(_metadata, self, 0, "KVM virtual PTP");
		ASSERT_NE(0U, id);
		field(id, "read_method", buf, sizeof(buf));
		EXPECT_STREQ("clock_gettime", buf);
		snprintf(want, sizeof(want), "layout check failed: %s", why[f]);
		field(id, "read_note", buf, sizeof(buf));
		EXPECT_STREQ(want, buf);
		snprintf(want, sizeof(want),
			 "read by clock_gettime: layout check failed: %s", why[f]);
		EXPECT_TRUE(sources_show(want));
		/* Read the old way, and read fine, poll after poll. */
		EXPECT_TRUE(wait_field(id, "state", "ok", 10));
		before = sim_stat(0, "ok");
		usleep(1500000);
		EXPECT_LT(before, sim_stat(0, "ok"));
		field(id, "state", buf, sizeof(buf));
		EXPECT_STREQ("ok", buf);
		detach(self, 0, id);
	}
	ASSERT_EQ(0, write_str(FAULT_FILE, "0"));
	id = attach(_metadata, self, 0, "KVM virtual PTP");
	ASSERT_NE(0U, id);
	field(id, "read_method", buf, sizeof(buf));
	EXPECT_STREQ("crosststamp", buf);
}

static bool wait_line(const char *path, const char *want, double secs)
{
	double end = now_s() + secs;
	char buf[64];

	do {
		if (!read_line(path, buf, sizeof(buf)) && !strcmp(buf, want))
			return true;
		usleep(50000);
	} while (now_s() < end);
	return false;
}

/* Seconds until the unified clock is disrupted, or -1 after secs. */
static double time_to_disrupted(FIXTURE_DATA(exact) *self, double secs)
{
	double start = now_s();
	struct status st;

	while (now_s() < start + secs) {
		if (!get_status(self->nl, &st) &&
		    st.status == VMCLOCK_STATUS_DISRUPTED)
			return now_s() - start;
		usleep(20000);
	}
	return -1;
}

#define HV "/sys/kernel/vmclock/hv_"
#define PAGE0 SIM_DIR "/page0/"

/*
 * vmclock loaded afresh: no source, no hold left by the tests before; the
 * device page is found by the scan of the platform bus.
 */
static void reload(struct __test_metadata *_metadata,
		   FIXTURE_DATA(exact) *self)
{
	sources_clear(self->nl, 0, 0);
	close(self->phc);
	vmclock_nl_close(self->nl);
	ASSERT_EQ(0, system("modprobe -r vmclock && modprobe vmclock"));
	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	self->phc = open_phc(own_phc());
	ASSERT_LE(0, self->phc);
	self->last = 0;
}

TEST_F_TIMEOUT(exact, device_disruption, 150)
{
	unsigned long long last = 0;
	char buf[64], marker[64];
	double t;

	/* Added while vmclock is loaded: found through the bus notifier. */
	ASSERT_EQ(0, sim_ctl("page add 0"));
	EXPECT_TRUE(wait_line(HV "device", "VMCLOCK.0", 2));
	/* There before vmclock: found by its scan. */
	reload(_metadata, self);
	EXPECT_TRUE(wait_line(HV "device", "VMCLOCK.0", 2));
	ASSERT_EQ(0, read_line(HV "disruptions", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);

	ASSERT_NE(0U, attach(_metadata, self, 0, "KVM virtual PTP"));
	ASSERT_TRUE(wait_synced(self->nl, 30))
		system("cat /sys/kernel/vmclock/status; vmclockctl sources");
	ASSERT_EQ(0, read_line(HV "marker", marker, sizeof(marker)));

	ASSERT_EQ(0, write_str(PAGE0 "disrupt", "1"));
	t = time_to_disrupted(self, 3);
	TH_LOG("disrupted %.2f s after the marker moved", t);
	EXPECT_LE(0, t);
	EXPECT_GT(1.5, t);
	EXPECT_TRUE(wait_line(HV "disruptions", "1", 1));
	ASSERT_EQ(0, read_line(HV "marker", buf, sizeof(buf)));
	EXPECT_STRNE(marker, buf);
	check_for(_metadata, self, "after the disruption", 5, &last);
	EXPECT_TRUE(wait_synced(self->nl, 60));

	/* Caught mid-update, the page says nothing until it is whole. */
	ASSERT_EQ(0, write_str(PAGE0 "stuck_odd", "1"));
	ASSERT_EQ(0, write_str(PAGE0 "disrupt", "1"));
	EXPECT_GT(0, time_to_disrupted(self, 2.5));
	ASSERT_EQ(0, write_str(PAGE0 "stuck_odd", "0"));
	t = time_to_disrupted(self, 3);
	EXPECT_LE(0, t);
	EXPECT_TRUE(wait_line(HV "disruptions", "2", 1));
	EXPECT_TRUE(wait_synced(self->nl, 60));

	/* Gone: let go of. */
	ASSERT_EQ(0, sim_ctl("page del 0"));
	EXPECT_TRUE(wait_line(HV "device", "none", 2));
}

/*
 * ptp_vmclock's clock reads the vmclock device's page, whose maxerror is
 * the host's word on that time: the simulator's vmclock clock 3, under its
 * own device VMCLOCK.11 with its page in 3/page/.
 */
#define PAGE3 SIM_DIR "/3/page/"

TEST_F_TIMEOUT(exact, vmclock_page_bound, 180)
{
	unsigned long long last = 0;
	char buf[64];
	uint32_t id;

	ASSERT_EQ(0, sim_ctl("add 3 vmclock"));
	ASSERT_TRUE(wait_line(HV "device", "VMCLOCK.11", 2));
	ASSERT_EQ(0, write_str(PAGE3 "maxerror_ns", "5000"));
	ASSERT_EQ(0, sim_set(3, "offset_ns", -2000));
	id = attach_added(_metadata, self, 3);
	ASSERT_NE(0U, id);
	field(id, "read_method", buf, sizeof(buf));
	EXPECT_STREQ("crosststamp", buf);
	ASSERT_TRUE(wait_field(id, "reported_error_ns", "5000", 10));
	ASSERT_TRUE(wait_synced(self->nl, 30));
	check_for(_metadata, self, "page says 5 us", 15, &last);
	EXPECT_GT(30000ULL, last);

	/* The host's reference is lost: 1.5 ms off, and the page says 2 ms. */
	ASSERT_EQ(0, write_str(PAGE3 "maxerror_ns", "2000000"));
	ASSERT_EQ(0, sim_set(3, "offset_ns", 1500000));
	check_for(_metadata, self, "page says 2 ms", 10, &last);
	EXPECT_LE(2000000ULL, last);

	/*
	 * A maxerror that grows with the counter since the page's update:
	 * 100 us per second from 5 us.
	 */
	ASSERT_EQ(0, sim_set(3, "offset_ns", -2000));
	ASSERT_EQ(0, write_str(PAGE3 "maxerror_rate_ppb", "100000"));
	ASSERT_EQ(0, write_str(PAGE3 "counter", "1"));
	/* TIME_MAXERROR_VALID | PERIOD_MAXERROR_VALID */
	ASSERT_EQ(0, write_str(PAGE3 "flags", "80"));
	ASSERT_EQ(0, write_str(PAGE3 "maxerror_ns", "5000"));
	check_for(_metadata, self, "page 3 s old", 3, &last);
	source_sysfs(id, "reported_error_ns", buf, sizeof(buf));
	TH_LOG("reported 3 s after the page's update: %s ns", buf);
	EXPECT_LT(150000, atoll(buf));
	EXPECT_GT(400000, atoll(buf));

	/* No maxerror on the page: the profile's constant again. */
	ASSERT_EQ(0, write_str(PAGE3 "flags", "0"));
	EXPECT_TRUE(wait_field(id, "reported_error_ns", "none", 5));
	EXPECT_TRUE(wait_field(id, "host_error_used_ns", "100000", 5));

	/* A clock the page calls unreliable is not read. */
	ASSERT_EQ(0, write_str(PAGE3 "clock_status", "4"));
	EXPECT_TRUE(wait_field(id, "state", "error", 5));
	field(id, "last_error", buf, sizeof(buf));
	EXPECT_EQ(EINVAL, atoi(buf));
	ASSERT_EQ(0, write_str(PAGE3 "clock_status", "2"));
	EXPECT_TRUE(wait_field(id, "state", "ok", 5));

	/* Its marker is the hypervisor's word on disruptions, as any page's. */
	ASSERT_EQ(0, write_str(PAGE3 "disrupt", "1"));
	EXPECT_LE(0, time_to_disrupted(self, 3));
}

TEST_HARNESS_MAIN
