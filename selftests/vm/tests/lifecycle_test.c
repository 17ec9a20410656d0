// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest tests of the lives of sources, with simulated clocks
 * (selftests/sim): ids across the wrap of their 32 bits, changing and
 * deleting a source while its reads block, and clocks whose driver goes
 * away while nothing reads them.  Needs vmclock and vmclock_sim loaded, no
 * sources attached, debugfs and root; leaves no source attached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "kselftest_harness.h"
#include "testlib.h"

#define LAST_ID "/sys/kernel/debug/vmclock/last_source_id"
#define SOURCES "/sys/kernel/vmclock/sources"
/* The simulated clocks of these tests are SIM_BASE, SIM_BASE + 1, ... */
#define SIM_BASE	20
#define MAX_CLOCKS	30

static int sim_clocks_add(int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		err = sim_ctl("add %d KVM virtual PTP", SIM_BASE + i);
		if (err)
			return err;
	}
	return 0;
}

/* source add of simulated clock i; poll 0: the profile's. */
static int add_sim(struct vmclock_nl *nl, int i, bool enabled,
		   unsigned int poll, struct reply *r)
{
	int fd = open_phc(sim_ptp(SIM_BASE + i));
	struct nl_msg *msg;
	int err;

	if (fd < 0)
		return -errno;
	msg = vmclock_nl_msg(nl, VMCLOCK_CMD_SOURCE_ADD, 0);
	nla_put_u32(msg, VMCLOCK_A_FD, fd);
	nla_put_u8(msg, VMCLOCK_A_ENABLED, enabled);
	if (poll)
		nla_put_u32(msg, VMCLOCK_A_POLL_MS, poll);
	err = send_req(nl, msg, r);
	close(fd);
	return err;
}

static int set_last_id(unsigned long long id)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", id);
	return write_str(LAST_ID, buf);
}

struct ids {
	int n;
	uint32_t id[64];
};

static int ids_cb(struct nlattr **tb, void *arg)
{
	struct ids *d = arg;

	if (tb[VMCLOCK_A_SOURCE_ID] && d->n < 64)
		d->id[d->n++] = nla_get_u32(tb[VMCLOCK_A_SOURCE_ID]);
	return 0;
}

FIXTURE(life) {
	struct vmclock_nl *nl;
};

FIXTURE_SETUP(life)
{
	self->nl = vmclock_nl_open();
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, dir_entries(SOURCES));
}

FIXTURE_TEARDOWN(life)
{
	sources_clear(self->nl, SIM_BASE, MAX_CLOCKS);
	vmclock_nl_close(self->nl);
}

/* ---- ids ---- */

static int count_id(const uint32_t *ids, int n, uint32_t id)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += ids[i] == id;
	return c;
}

/*
 * Ids are 32 bits.  Once they wrap, a new source must not take the id of
 * one still attached (its sysfs directory would collide), nor 0, and a
 * dump, which goes on from the last id it sent, must still list every
 * source once.  A source add that fails must give its estimator slot back:
 * the estimator has room for 8 live sources, and 8 fit after a failure.
 */
TEST_F(life, ids_across_the_wrap)
{
	struct vmclock_nl *nl = self->nl;
	uint32_t live[32];
	struct ids d = { 0 };
	struct reply r;
	char path[96];
	int i, n = 0;

	ASSERT_EQ(0, access(LAST_ID, W_OK));
	ASSERT_EQ(0, sim_clocks_add(MAX_CLOCKS));

	ASSERT_EQ(0, set_last_id(0));
	ASSERT_EQ(0, add_sim(nl, 0, true, 0, &r)) TH_LOG("%s", r.ext);
	EXPECT_EQ(1U, r.id);
	live[n++] = r.id;
	/* From 0 again: 1 is taken, so the next source gets 2. */
	ASSERT_EQ(0, set_last_id(0));
	EXPECT_EQ(0, add_sim(nl, 1, true, 0, &r)) TH_LOG("%s", r.ext);
	if (r.err) {
		TH_LOG("refused (%s); again", strerror(-r.err));
		ASSERT_EQ(0, add_sim(nl, 1, true, 0, &r)) TH_LOG("%s", r.ext);
	}
	EXPECT_EQ(2U, r.id);
	live[n++] = r.id;

	/* The estimator's 8 slots, whatever failed before. */
	for (i = 2; i < 8; i++) {
		EXPECT_EQ(0, add_sim(nl, i, true, 0, &r))
			TH_LOG("live source %d: %s", i + 1, r.ext);
		if (!r.err)
			live[n++] = r.id;
	}
	EXPECT_EQ(-ENOSPC, add_sim(nl, 8, true, 0, &r));
	EXPECT_STREQ("too many live sources for the estimator (8)", r.ext);

	/* Across the wrap, with disabled sources (they need no slot). */
	ASSERT_EQ(0, set_last_id(0xfffffffaULL));
	for (i = 9; i < 29; i++) {
		EXPECT_EQ(0, add_sim(nl, i, false, 0, &r))
			TH_LOG("source %d after 0xfffffffa: %s", i - 8, r.ext);
		if (r.err)
			continue;
		EXPECT_NE(0U, r.id);
		EXPECT_EQ(0, count_id(live, n, r.id)) TH_LOG("id %u twice", r.id);
		live[n++] = r.id;
	}
	/* 0xfffffffb..0xffffffff, then past 0 and the live 1..8. */
	EXPECT_EQ(28, n);
	if (n == 28) {
		EXPECT_EQ(0xffffffffU, live[12]);
		EXPECT_EQ(9U, live[13]);
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), SOURCES "/%u", live[i]);
		EXPECT_EQ(0, access(path, F_OK)) TH_LOG("%s", path);
	}
	EXPECT_EQ(n, dir_entries(SOURCES));

	/* A dump of 28 sources takes more than one message. */
	ASSERT_EQ(0, vmclock_nl_request(nl, VMCLOCK_CMD_SOURCE_GET, NLM_F_DUMP,
					ids_cb, &d));
	EXPECT_EQ(n, d.n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(1, count_id(d.id, d.n, live[i]))
			TH_LOG("id %u in the dump", live[i]);
	}
	/* In the order of ids, which is what the dump goes on from. */
	for (i = 1; i < d.n; i++) {
		EXPECT_LT(d.id[i - 1], d.id[i]);
	}
}

/* ---- requests while a source's reads block ---- */

struct blocked {
	double took;		/* the request itself, s; < 0: failed */
	double ctrl_worst;	/* slowest answer of nlctrl meanwhile */
	double own_worst;	/* slowest status get or source dump meanwhile */
	int asked;		/* rounds of requests meanwhile */
};

/*
 * Send cmd for source id (with attribute attr = val) from a child process;
 * meanwhile ask nlctrl, another generic netlink family, to resolve a
 * family, and vmclock for its status and its sources, again and again.
 */
static int blocked_request(int cmd, uint32_t id, int attr, uint32_t val,
			   struct blocked *b)
{
	struct vmclock_nl *nl = vmclock_nl_open();
	struct nl_sock *sk = nl_socket_alloc();
	int p[2], ws;
	double t, t2;
	pid_t pid;

	memset(b, 0, sizeof(*b));
	b->took = -1;
	if (!nl || !sk || genl_connect(sk) || pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct vmclock_nl *cnl = vmclock_nl_open();
		struct reply r;

		t = now_s();
		if (!cnl || id_req(cnl, cmd, id, attr, val, &r))
			t = -1;
		else
			t = now_s() - t;
		_exit(write(p[1], &t, sizeof(t)) != sizeof(t));
	}
	close(p[1]);
	while (waitpid(pid, &ws, WNOHANG) == 0) {
		t = now_s();
		if (genl_ctrl_resolve(sk, "nlctrl") < 0)
			b->ctrl_worst = 1e9;
		t2 = now_s();
		if (t2 - t > b->ctrl_worst)
			b->ctrl_worst = t2 - t;
		if (vmclock_nl_request(nl, VMCLOCK_CMD_STATUS_GET, 0, NULL, NULL) ||
		    vmclock_nl_request(nl, VMCLOCK_CMD_SOURCE_GET, NLM_F_DUMP,
				       NULL, NULL))
			b->own_worst = 1e9;
		t = now_s();
		if (t - t2 > b->own_worst)
			b->own_worst = t - t2;
		b->asked++;
		usleep(10000);
	}
	if (read(p[0], &b->took, sizeof(b->took)) != sizeof(b->took))
		b->took = -1;
	close(p[0]);
	nl_socket_free(sk);
	vmclock_nl_close(nl);
	return 0;
}

/* A request that waits for a poll in progress waits at least this long. */
#define BLOCKED_S	0.3
/* Everything else is answered within this, however long that wait. */
#define PROMPT_S	0.15

/*
 * Every read of the clock sleeps 100..200 ms and a poll reads it 5 times.
 * Changing or deleting the source waits for the poll in progress; other
 * generic netlink families and vmclock's own read requests must not.
 */
/* The change waited for the blocked read; everyone else was answered. */
static void expect_others_prompt(struct __test_metadata *_metadata,
				 const char *what, const struct blocked *b)
{
	TH_LOG("source %s took %.3f s; meanwhile %d rounds, nlctrl within "
	       "%.3f s, vmclock within %.3f s", what, b->took, b->asked,
	       b->ctrl_worst, b->own_worst);
	EXPECT_LE(BLOCKED_S, b->took);
	EXPECT_GE(PROMPT_S, b->ctrl_worst);
	EXPECT_GE(PROMPT_S, b->own_worst);
}

TEST_F(life, changes_while_reads_block)
{
	struct vmclock_nl *nl = self->nl;
	struct blocked b;
	struct reply r;
	char buf[64];
	uint32_t id;
	int i;

	ASSERT_EQ(0, sim_clocks_add(1));
	ASSERT_EQ(0, sim_set(SIM_BASE, "latency_sleep", 1));
	ASSERT_EQ(0, sim_set(SIM_BASE, "latency_ns", 100000000));
	ASSERT_EQ(0, sim_set(SIM_BASE, "latency_jitter_ns", 100000000));
	ASSERT_EQ(0, add_sim(nl, 0, true, 50, &r)) TH_LOG("%s", r.ext);
	id = r.id;
	for (i = 0; i < 50 && source_sysfs(id, "samples", buf, sizeof(buf)) < 1; i++)
		usleep(100000);

	/* A set that lands between two polls waits for nothing: again. */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, blocked_request(VMCLOCK_CMD_SOURCE_SET, id,
					     VMCLOCK_A_POLL_MS, 60 + i, &b));
		ASSERT_LE(0, b.took);
		if (b.took >= BLOCKED_S)
			break;
	}
	expect_others_prompt(_metadata, "set", &b);

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, blocked_request(VMCLOCK_CMD_SOURCE_DEL, id, 0, 0, &b));
		ASSERT_LE(0, b.took);
		if (b.took >= BLOCKED_S)
			break;
		ASSERT_EQ(0, add_sim(nl, 0, true, 50, &r)) TH_LOG("%s", r.ext);
		id = r.id;
		usleep(200000);
	}
	expect_others_prompt(_metadata, "del", &b);
	EXPECT_EQ(0, dir_entries(SOURCES));
}

/* ---- clocks gone while nothing reads them ---- */

/*
 * A disabled source is never read, and an enabled one may wait an hour
 * between polls.  Either must let go of a clock whose driver went away
 * within the second, not at a poll that may never come: gone with its
 * event, and the clock's index free for the driver when it comes back.
 */
TEST_F(life, gone_while_not_read)
{
	struct vmclock_nl *nl = self->nl;
	int phc[2], i, ok = 0;
	struct events ev;
	struct reply r;
	uint32_t id[2];
	char buf[64];
	double t0;

	ASSERT_EQ(0, events_open(&ev));
	ASSERT_EQ(0, sim_clocks_add(2));
	for (i = 0; i < 2; i++)
		phc[i] = sim_ptp(SIM_BASE + i);
	ASSERT_LT(phc[0], phc[1]);

	ASSERT_EQ(0, add_sim(nl, 0, false, 0, &r)) TH_LOG("%s", r.ext);
	id[0] = r.id;
	ASSERT_EQ(0, add_sim(nl, 1, true, 3600000, &r)) TH_LOG("%s", r.ext);
	id[1] = r.id;
	/* The first poll comes at once, the next in an hour (or 15 min). */
	for (i = 0; i < 50 && !ok; i++) {
		usleep(100000);
		ok = source_sysfs(id[1], "samples", buf, sizeof(buf)) > 0;
	}
	ASSERT_TRUE(ok);
	source_sysfs(id[0], "state", buf, sizeof(buf));
	EXPECT_STREQ("disabled", buf);

	t0 = now_s();
	ASSERT_EQ(0, sim_set(SIM_BASE, "registered", 0));
	ASSERT_EQ(0, sim_set(SIM_BASE + 1, "registered", 0));
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(events_wait(&ev, VMCLOCK_CMD_SOURCE_CHANGE_NTF, id[i],
					VMCLOCK_SOURCE_GONE, 2.5))
			TH_LOG("source %u (%s) not gone", id[i],
			       i ? "polled hourly" : "disabled");
		source_sysfs(id[i], "state", buf, sizeof(buf));
		EXPECT_STREQ("gone", buf);
	}
	TH_LOG("both checked after %.2f s", now_s() - t0);

	/* Nothing holds the old clocks: the driver gets its indexes back. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, sim_set(SIM_BASE + i, "registered", 1));
		EXPECT_EQ(phc[i], sim_ptp(SIM_BASE + i));
	}

	nl_socket_free(ev.sk);
}

TEST_HARNESS_MAIN
