// SPDX-License-Identifier: GPL-2.0
/*
 * make stress: sources added, deleted and changed by 4 threads while 4
 * others read the unified clock (clock_gettime(), PTP_SYS_OFFSET_PRECISE)
 * and sysfs, and a listener counts the events.  The clock must never go
 * back for any reader; every request refused must say why (an errno and
 * an extack message); afterwards netlink and sysfs must list the same
 * sources.  Needs vmclock and vmclock_sim loaded, no source attached,
 * root; leaves no source and no simulated clock behind.
 *
 * Usage: stress_churn [SECONDS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "kselftest_harness.h"
#include "stress.h"
#include "testlib.h"

#define SOURCES		"/sys/kernel/vmclock/sources"
/* The simulated clocks of this test: SIM_BASE .. SIM_BASE + NCLOCKS - 1 */
#define SIM_BASE	30
/* More than the estimator's 8 live sources: some adds find no room. */
#define NCLOCKS		10
#define NREADERS	4
#define NCHURNERS	4

static unsigned int churn_seconds = 60;

enum op { OP_ADD, OP_DEL, OP_SET, OPS };
static const char * const op_name[] = { "add", "del", "set" };

/* Ids recently given, for deletes and changes to aim at. */
#define KNOWN 16
static uint32_t known[KNOWN];
static unsigned int known_next;

static void known_put(uint32_t id)
{
	unsigned int i = __atomic_fetch_add(&known_next, 1, __ATOMIC_RELAXED);

	__atomic_store_n(&known[i % KNOWN], id, __ATOMIC_RELAXED);
}

static uint32_t known_get(uint64_t *rs)
{
	/* now and then an id that never existed */
	if (rnd_next(rs) % 16 == 0)
		return 1000000 + rnd_next(rs) % 1000;
	return __atomic_load_n(&known[rnd_next(rs) % KNOWN], __ATOMIC_RELAXED);
}

struct churner {
	int index;
	volatile bool *stop;
	pthread_t thread;
	int fd[NCLOCKS];
	int open_errno;
	unsigned long ops[OPS], ok[OPS];
	unsigned long errs[OPS][160];
	unsigned long other_errs;
	unsigned long no_extack;
	char no_extack_what[200];
	char last_ext[OPS][320];
	struct lat lat[OPS];
};

/* A poll interval: mostly valid, now and then outside the policy. */
static uint32_t rnd_poll(uint64_t *rs)
{
	static const uint32_t v[] = {
		50, 100, 200, 500, 1000, 49, 3600001, 0,
	};

	return v[rnd_next(rs) % (sizeof(v) / sizeof(v[0]))];
}

static void put_settings(struct nl_msg *msg, uint64_t *rs)
{
	uint32_t poll = rnd_poll(rs);

	if (poll)
		nla_put_u32(msg, VMCLOCK_A_POLL_MS, poll);
	if (rnd_next(rs) % 4 == 0)
		nla_put_u8(msg, VMCLOCK_A_ENABLED, rnd_next(rs) % 3 != 0);
	if (rnd_next(rs) % 4 == 0)	/* 0 and 101 are out of range */
		nla_put_u32(msg, VMCLOCK_A_WEIGHT, rnd_next(rs) % 102);
	if (rnd_next(rs) % 8 == 0)
		nla_put_u64(msg, VMCLOCK_A_HOST_ERROR_NS,
			    rnd_next(rs) % 2 ? 50000 : 2000000000ULL);
}

static struct nl_msg *churn_msg(struct churner *c, struct vmclock_nl *nl,
				enum op op, uint64_t *rs)
{
	static const char * const profiles[] = { "kvm", "generic", "no-such" };
	struct nl_msg *msg;

	switch (op) {
	case OP_ADD:
		msg = vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_ADD, 0);
		nla_put_u32(msg, VMCLOCK_A_FD, c->fd[rnd_next(rs) % NCLOCKS]);
		if (rnd_next(rs) % 8 == 0)
			nla_put_string(msg, VMCLOCK_A_PROFILE,
				       profiles[rnd_next(rs) % 3]);
		put_settings(msg, rs);
		return msg;
	case OP_DEL:
		msg = vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_DEL, 0);
		nla_put_u32(msg, VMCLOCK_A_SOURCE_ID, known_get(rs));
		return msg;
	default:
		msg = vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_SET, 0);
		nla_put_u32(msg, VMCLOCK_A_SOURCE_ID, known_get(rs));
		put_settings(msg, rs);
		return msg;
	}
}

static void *churner_main(void *arg)
{
	struct churner *c = arg;
	uint64_t rs = 0xc4a2000ULL + c->index;
	struct vmclock_nl *nl = vmclock_nl_open();
	struct reply r;
	enum op op;
	double t;
	int i, x;

	if (!nl) {
		c->open_errno = ENOENT;
		return NULL;
	}
	for (i = 0; i < NCLOCKS; i++) {
		c->fd[i] = open_phc(sim_ptp(SIM_BASE + i));
		if (c->fd[i] < 0) {
			c->open_errno = errno;
			goto out;
		}
	}
	while (!*c->stop) {
		/* adds 40 %, deletes 25 %, changes 35 % */
		x = rnd_next(&rs) % 20;
		op = x < 8 ? OP_ADD : x < 13 ? OP_DEL : OP_SET;
		t = now_s();
		send_req(nl, churn_msg(c, nl, op, &rs), &r);
		lat_add(&c->lat[op], now_s() - t);
		c->ops[op]++;
		if (!r.err) {
			c->ok[op]++;
			if (op == OP_ADD)
				known_put(r.id);
			continue;
		}
		if (-r.err > 0 && -r.err < 160)
			c->errs[op][-r.err]++;
		else
			c->other_errs++;
		snprintf(c->last_ext[op], sizeof(c->last_ext[op]), "%s: %s",
			 strerror(-r.err), r.ext);
		if (!r.ext[0]) {
			c->no_extack++;
			snprintf(c->no_extack_what, sizeof(c->no_extack_what),
				 "source %s refused with %s and no message",
				 op_name[op], strerror(-r.err));
		}
	}
out:
	for (i = 0; i < NCLOCKS; i++)
		if (c->fd[i] > 0)
			close(c->fd[i]);
	vmclock_nl_close(nl);
	return NULL;
}

/* A listener of the events group: counts what arrives. */
struct listener {
	volatile bool *stop;
	pthread_t thread;
	struct nl_sock *sk;
	unsigned long events[VMCLOCK_CMD_MAX + 1];
	unsigned long overruns;		/* ENOBUFS: events were lost */
	int err;
};

static int listener_cb(struct nl_msg *msg, void *arg)
{
	struct listener *l = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));

	if (g->cmd <= VMCLOCK_CMD_MAX)
		l->events[g->cmd]++;
	return NL_OK;
}

static void *listener_main(void *arg)
{
	struct listener *l = arg;
	int err;

	while (!*l->stop) {
		struct pollfd p = { .fd = nl_socket_get_fd(l->sk), .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		err = nl_recvmsgs_default(l->sk);
		if (err == -NLE_NOMEM)
			l->overruns++;
		else if (err < 0)
			l->err = err;
	}
	return NULL;
}

static int listener_open(struct listener *l)
{
	int grp;

	l->sk = nl_socket_alloc();
	if (!l->sk || genl_connect(l->sk))
		return -1;
	nl_socket_disable_seq_check(l->sk);
	nl_socket_modify_cb(l->sk, NL_CB_VALID, NL_CB_CUSTOM, listener_cb, l);
	nl_socket_set_buffer_size(l->sk, 1 << 20, 0);
	grp = genl_ctrl_resolve_grp(l->sk, VMCLOCK_FAMILY_NAME,
				    VMCLOCK_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(l->sk, grp))
		return -1;
	return pthread_create(&l->thread, NULL, listener_main, l);
}

FIXTURE(churn) {
	struct vmclock_nl *nl;
};

FIXTURE_SETUP(churn)
{
	static const char * const names[NCLOCKS] = {
		"KVM virtual PTP", "KVM virtual PTP", "KVM virtual PTP",
		"KVM virtual PTP", "KVM virtual PTP", "KVM virtual PTP",
		"hyperv", "hyperv", "ena-ptp-00", "ena-ptp-01",
	};
	int i;

	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, dir_entries(SOURCES));
	for (i = 0; i < NCLOCKS; i++) {
		ASSERT_EQ(0, sim_ctl("add %d %s", SIM_BASE + i, names[i]));
		/* a few us apart, as hosts are */
		ASSERT_EQ(0, sim_set(SIM_BASE + i, "offset_ns", (i % 5 - 2) * 1500));
	}
}

FIXTURE_TEARDOWN(churn)
{
	sources_clear(self->nl, SIM_BASE, NCLOCKS);
	vmclock_nl_close(self->nl);
}

static int count_cb(struct nlattr **tb, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

TEST_F_TIMEOUT(churn, sources_change_while_read, 600)
{
	struct churner c[NCHURNERS];
	struct reader rd[NREADERS], sum;
	struct ticker tick = { 0 };
	struct listener l;
	volatile bool stop = false;
	struct lat all[OPS];
	unsigned long ops = 0, ok = 0, no_extack = 0, other = 0, errs[160] = { 0 };
	int i, k, e, fd, phc, listed = 0, in_sysfs;
	double t0, synced, elapsed;
	struct reply r;
	char line[512];

	/* Three sources to begin with, and a clock that has synchronized. */
	t0 = now_s();
	for (i = 0; i < 3; i++) {
		fd = open_phc(sim_ptp(SIM_BASE + i));
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, add_req(self->nl, fd, NULL, 100, &r)) TH_LOG("%s", r.ext);
		known_put(r.id);
		close(fd);
	}
	ASSERT_TRUE(wait_status("synchronized", 60));
	synced = now_s() - t0;
	phc = own_phc();
	ASSERT_LE(0, phc);

	memset(&l, 0, sizeof(l));
	l.stop = &stop;
	ASSERT_EQ(0, listener_open(&l));
	memset(rd, 0, sizeof(rd));
	memset(c, 0, sizeof(c));
	for (i = 0; i < NREADERS; i++) {
		rd[i].index = i;
		rd[i].phc = phc;
		rd[i].sysfs = true;
		rd[i].stop = &stop;
		ASSERT_EQ(0, reader_start(&rd[i]));
	}
	tick.stop = &stop;
	ASSERT_EQ(0, ticker_start(&tick));
	t0 = now_s();
	for (i = 0; i < NCHURNERS; i++) {
		c[i].index = i;
		c[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&c[i].thread, NULL, churner_main, &c[i]));
	}
	sleep(churn_seconds);
	stop = true;
	for (i = 0; i < NCHURNERS; i++)
		pthread_join(c[i].thread, NULL);
	elapsed = now_s() - t0;
	for (i = 0; i < NREADERS; i++)
		reader_join(&rd[i]);
	pthread_join(l.thread, NULL);
	ticker_join(&tick);

	/* The churn. */
	memset(all, 0, sizeof(all));
	for (i = 0; i < NCHURNERS; i++) {
		EXPECT_EQ(0, c[i].open_errno);
		for (k = 0; k < OPS; k++) {
			ops += c[i].ops[k];
			ok += c[i].ok[k];
			lat_merge(&all[k], &c[i].lat[k]);
			for (e = 0; e < 160; e++)
				errs[e] += c[i].errs[k][e];
		}
		no_extack += c[i].no_extack;
		other += c[i].other_errs;
	}
	TH_LOG("clock synchronized %.1f s after the first sources came", synced);
	TH_LOG("churn: %d threads, %.1f s, %lu requests (%.0f/s), %lu accepted, "
	       "%lu refused", NCHURNERS, elapsed, ops, ops / elapsed, ok, ops - ok);
	for (k = 0; k < OPS; k++) {
		unsigned long n = 0, a = 0;

		for (i = 0; i < NCHURNERS; i++) {
			n += c[i].ops[k];
			a += c[i].ok[k];
		}
		TH_LOG("  source %s: %lu sent, %lu accepted, mean %.2f ms, worst %.1f ms "
		       "(ended at %.1f s)", op_name[k], n, a, lat_mean(&all[k]) * 1e3,
		       all[k].max * 1e3, all[k].at - t0);
		for (i = 0; i < NCHURNERS; i++)
			if (c[i].last_ext[k][0]) {
				TH_LOG("    last refusal: %s", c[i].last_ext[k]);
				break;
			}
	}
	line[0] = '\0';
	for (e = 1; e < 160; e++)
		if (errs[e])
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 " %s %lu", strerrorname_np(e) ?: "?", errs[e]);
	TH_LOG("  refusals by errno:%s%s", line, other ? " and others" : "");
	TH_LOG("  refusals without an extack message: %lu", no_extack);
	for (i = 0; i < NCHURNERS; i++)
		if (c[i].no_extack)
			TH_LOG("    %s", c[i].no_extack_what);
	EXPECT_EQ(0UL, no_extack);
	EXPECT_EQ(0UL, other);
	/* Each kind of request both succeeded and was refused. */
	for (k = 0; k < OPS; k++) {
		EXPECT_LT(0UL, all[k].n);
	}
	EXPECT_LT(0UL, ok);
	EXPECT_LT(ok, ops);
	/* No request hung: 10 s is far beyond any wait for a poll. */
	for (k = 0; k < OPS; k++) {
		EXPECT_GT(10.0, all[k].max) TH_LOG("source %s took %.1f s",
						   op_name[k], all[k].max);
	}

	/* The readers. */
	reader_sum(rd, NREADERS, &sum);
	TH_LOG("readers: %d threads, clock_gettime %lu (%.0f/s, mean %.1f us, "
	       "worst %.2f ms at %.1f s), PRECISE %lu (%.0f/s, mean %.1f us, "
	       "worst %.2f ms at %.1f s)", NREADERS,
	       sum.ok[READ_GETTIME], sum.ok[READ_GETTIME] / elapsed,
	       lat_mean(&sum.lat[READ_GETTIME]) * 1e6,
	       sum.lat[READ_GETTIME].max * 1e3, sum.lat[READ_GETTIME].at - t0,
	       sum.ok[READ_PRECISE], sum.ok[READ_PRECISE] / elapsed,
	       lat_mean(&sum.lat[READ_PRECISE]) * 1e6,
	       sum.lat[READ_PRECISE].max * 1e3, sum.lat[READ_PRECISE].at - t0);
	TH_LOG("  unsynchronized (EAGAIN) %lu, other errors %lu%s%s, backwards %lu",
	       sum.eagain, sum.errors, sum.errors ? ", last " : "",
	       sum.errors ? strerror(sum.last_errno) : "", sum.backwards);
	if (sum.backwards)
		TH_LOG("  worst step back: %s", sum.back_what);
	TH_LOG("  sysfs: %lu reads (mean %.0f us, worst %.1f ms at %.1f s), %lu of "
	       "a source just deleted, %lu errors", sum.sysfs_reads,
	       lat_mean(&sum.lat_sysfs) * 1e6, sum.lat_sysfs.max * 1e3,
	       sum.lat_sysfs.at - t0, sum.sysfs_gone, sum.sysfs_errors);
	TH_LOG("a thread sleeping 10 ms woke up %.1f ms late at worst (at %.1f s), "
	       "%.2f ms on average", tick.late.max * 1e3, tick.late.at - t0,
	       lat_mean(&tick.late) * 1e3);
	if (sum.sysfs_errors)
		TH_LOG("  %s", sum.sysfs_what);
	EXPECT_EQ(0, sum.open_errno);
	EXPECT_EQ(0UL, sum.backwards);
	EXPECT_EQ(0UL, sum.errors);
	EXPECT_EQ(0UL, sum.sysfs_errors);
	EXPECT_LT(0UL, sum.ok[READ_GETTIME]);
	EXPECT_LT(0UL, sum.ok[READ_PRECISE]);
	EXPECT_LT(0UL, sum.sysfs_reads);
	EXPECT_GT(10.0, sum.lat[READ_GETTIME].max);
	EXPECT_GT(10.0, sum.lat[READ_PRECISE].max);
	EXPECT_GT(10.0, sum.lat_sysfs.max);

	/* The listener. */
	TH_LOG("events: add %lu, del %lu, change %lu, step %lu, status %lu; "
	       "overruns %lu", l.events[VMCLOCK_CMD_SOURCE_ADD_NTF],
	       l.events[VMCLOCK_CMD_SOURCE_DEL_NTF],
	       l.events[VMCLOCK_CMD_SOURCE_CHANGE_NTF],
	       l.events[VMCLOCK_CMD_SOURCE_STEP_NTF],
	       l.events[VMCLOCK_CMD_STATUS_CHANGE_NTF], l.overruns);
	EXPECT_EQ(0, l.err);
	nl_socket_free(l.sk);

	/* Netlink and sysfs agree on what is left. */
	EXPECT_EQ(0, vmclock_nl_request(self->nl, VMCLOCK_CMD_SOURCE_GET,
					NLM_F_DUMP, count_cb, &listed));
	in_sysfs = dir_entries(SOURCES);
	TH_LOG("left attached: %d in a dump, %d in sysfs", listed, in_sysfs);
	EXPECT_EQ(listed, in_sysfs);
	if (!read_line("/sys/kernel/vmclock/status", line, sizeof(line)))
		TH_LOG("status at the end: %s", line);
	log_vmclock();
}

int main(int argc, char **argv)
{
	if (argc > 1)
		churn_seconds = strtoul(argv[1], NULL, 0);
	return test_harness_run(1, argv);
}
