// SPDX-License-Identifier: GPL-2.0
/*
 * Honest bounds: the unified clock against the simulator's truth while a
 * minority of its sources goes wrong.  The promise under test: whenever
 * at least half of the sources in use are within their own claimed
 * bounds, the truth is within the published bound, whatever the others
 * do; disagreement widens the bound, never narrows it; after a
 * disruption the clock returns to synchronized only when a majority
 * agrees afresh.
 *
 * Simulated KVM-, Hyper-V- and ENA-like clocks, each claiming its
 * profile's host error, are attached and synchronized; then the ENA-like
 * host drifts away from the truth while the other two stay put.
 *
 * drifting_minority: a check every 200 ms through 2 s of agreement and
 *   the drift: the drifter inside its claim, outside it while still in
 *   use, and rejected (until it has been for 5 s on end; 120 s of drift
 *   at most).  The bound while it is outside and in use is never
 *   narrower than when all agreed.
 * pause_with_drifter: a 45 s pause the guest does not see, while the
 *   drifter is outside its claim; from the first update after every
 *   source has been read again, a check every 200 ms for 60 s.
 *   Never synchronized with the drifter selected and a correct source
 *   called a falseticker.
 *
 * Every check with a readable clock asserts that the truth is within the
 * bound of the snapshot it was read from (a seq-consistent
 * PTP_SYS_OFFSET_PRECISE read, the truth at its sys_monoraw) and that
 * the clock did not go back; a failed check says when it was, how far
 * the clock was from the truth, the bound and the status.  The drift
 * ends with the drifter a falseticker, the other two selected and the
 * clock synchronized; the pause ends so too, or in holdover with the
 * drifter not selected while the Hyper-V source is still too wide to
 * tell the KVM source from the drifter.  Needs vmclock and vmclock_sim
 * loaded with no sources attached, root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "unified.h"

/* Simulated clock ids, as unified_open() adds them. */
enum { KVM, HYPERV, ENA, N_SRC };
static const char *const sim_name[N_SRC] = { "KVM", "Hyper-V", "ENA" };

/*
 * The ENA-like clock drifts 8 ppm: from 2 us off, out of its 100 us claim
 * after 13 s, 440 us off at 55 s.  HONEST_DRIFTER (kvm, hyperv or ena)
 * and HONEST_DRIFT_PPB in the environment choose another story.
 */
static int drifter = ENA;
static long long drift_ppb = 8000;
#define PERIOD_S	0.2
#define BASE_CHECKS	10		/* 2 s, all agreeing */
/*
 * The drift goes on until the drifter has been a falseticker for SETTLE_S
 * on end, at most MAX_DRIFT_CHECKS.  When that is depends on the Hyper-V
 * source's bound: while it reaches both the drifter and the other source,
 * no one can tell which is right (no majority: holdover).  That bound
 * rises and falls by some 60 us with the age of the host's sample, so
 * the drifter may be rejected and then overlap again for a while (52 to
 * 61 s into an 8 ppm drift in guests under emulation, later on a slower
 * machine).
 */
#define MAX_DRIFT_CHECKS 600		/* 120 s */
#define SETTLE_S	5.0
#define PAUSE_NS	45000000000LL
#define PAUSE_CHECKS	300		/* 60 s */
/*
 * How much narrower than the narrowest bound while all agreed the bound
 * may be while the drifter is outside its claim and in use: 5 us.  With
 * all three selected the bound moves by about that with the read noise
 * and Hyper-V's samples (103..109 us over a minute, 100 us claims).
 */
#define SHRINK_TOL_NS	5000ULL

/* Figures of a group of checks. */
struct tally {
	int checks, readable, misses;
	long long max_err, worst;	/* worst: the largest miss */
	unsigned long long min_bound, max_bound;
};

static void tally_add(struct tally *t, int rc, const struct check *c)
{
	long long err;

	t->checks++;
	if (rc)
		return;
	err = llabs(c->err);
	if (!t->readable || c->bound < t->min_bound)
		t->min_bound = c->bound;
	if (c->bound > t->max_bound)
		t->max_bound = c->bound;
	if (err > t->max_err)
		t->max_err = err;
	if ((unsigned long long)err > c->bound) {
		t->misses++;
		if (err > t->worst)
			t->worst = err;
	}
	t->readable++;
}

static void tally_log(struct __test_metadata *_metadata, const char *name,
		      const struct tally *t)
{
	if (!t->readable) {
		TH_LOG("%-26s %3d checks, none readable", name, t->checks);
		return;
	}
	TH_LOG("%-26s %3d checks, %3d readable, %3d outside the bound (the "
	       "worst %lld ns off), max |unified - truth| %lld ns, bound "
	       "%llu..%llu ns", name, t->checks, t->readable, t->misses,
	       t->worst, t->max_err, t->min_bound, t->max_bound);
}

FIXTURE(honest) {
	struct vmclock_nl *nl;
	int truth;
	int phc;
	uint32_t id[N_SRC];	/* the source of each simulated clock */
	long long claim[N_SRC];	/* its host error, ns */
	long long last;		/* the last reading of the unified clock */
	bool skipped;		/* not the test HONEST_ONLY names */
};

static bool wait_all_selected(FIXTURE_DATA(honest) *self, int secs)
{
	char sel[64];
	int i, j;

	for (i = 0; i < secs * 5; i++) {
		j = 0;
		if (!read_line("/sys/kernel/vmclock/selected", sel, sizeof(sel)))
			while (j < N_SRC && id_in_list(sel, self->id[j]))
				j++;
		if (j == N_SRC)
			return true;
		usleep(200000);
	}
	return false;
}

/* The story the environment asks for, if any. */
static void story_from_env(struct __test_metadata *_metadata)
{
	const char *d = getenv("HONEST_DRIFTER"), *p = getenv("HONEST_DRIFT_PPB");
	char *end;
	int i;

	if (d) {
		for (i = 0; i < N_SRC; i++)
			if (!strcasecmp(d, sim_name[i]) ||
			    (i == HYPERV && !strcasecmp(d, "hyperv")))
				break;
		ASSERT_GT(N_SRC, i)
			TH_LOG("HONEST_DRIFTER=%s: not kvm, hyperv or ena", d);
		drifter = i;
	}
	if (p) {
		drift_ppb = strtoll(p, &end, 10);
		ASSERT_TRUE(*p && !*end && drift_ppb)
			TH_LOG("HONEST_DRIFT_PPB=%s: not a rate", p);
	}
}

FIXTURE_SETUP(honest)
{
	const char *only;
	struct reply r;
	char buf[32];
	int i;

	story_from_env(_metadata);
	only = getenv("HONEST_ONLY");
	if (only && strcmp(only, _metadata->name)) {
		/* 6.1's harness runs the test after this; it returns at once */
		self->skipped = true;
		SKIP(return, "HONEST_ONLY=%s", only);
	}

	ASSERT_EQ(0, unified_open(&self->nl, &self->truth, &self->phc));
	for (i = 0; i < N_SRC; i++) {
		ASSERT_TRUE(source_of_phc(self->nl, sim_ptp(i), &r));
		self->id[i] = r.id;
		self->claim[i] = source_sysfs(r.id, "host_error_used_ns", buf,
					      sizeof(buf));
		ASSERT_LT(0, self->claim[i]);
	}
	ASSERT_TRUE(wait_synced(self->nl, 30));
	/*
	 * "All agreeing" means all three selected: Hyper-V's first estimate
	 * takes some of its 5 s host samples, and by then the others' bounds
	 * have settled (from 150 us to 102-108 us).
	 */
	ASSERT_TRUE(wait_all_selected(self, 60));
}

FIXTURE_TEARDOWN(honest)
{
	if (self->skipped)
		return;
	unified_close(self->nl, self->truth, self->phc);
}

static void sleep_until(double t)
{
	double d = t - now_s();

	if (d > 0)
		usleep(d * 1e6);
}

static bool source_is(FIXTURE_DATA(honest) *self, int sim, const char *state)
{
	char buf[32];

	source_sysfs(self->id[sim], "state", buf, sizeof(buf));
	return !strcmp(buf, state);
}

/*
 * One check, at seconds into the story: a readable clock holds the truth
 * within the bound of the snapshot it was read from and does not go
 * back.  Returns check_unified()'s result.
 */
static int check(struct __test_metadata *_metadata,
		 FIXTURE_DATA(honest) *self, double at, const char *what,
		 struct check *c)
{
	int rc = check_unified(self->nl, self->phc, self->truth, c);

	if (rc)
		return rc;
	EXPECT_GE(c->bound, (unsigned long long)llabs(c->err))
		TH_LOG("check at %.1f s (%s): unified - truth %lld ns is "
		       "outside the bound %llu ns, status %s", at, what,
		       c->err, c->bound, status_name(c->st.status));
	EXPECT_GE(c->dev, self->last)
		TH_LOG("check at %.1f s (%s): the clock went back %lld ns, "
		       "status %s", at, what, self->last - c->dev,
		       status_name(c->st.status));
	self->last = c->dev;
	return 0;
}

static const char *unread(int rc)
{
	return rc > 0 ? "the snapshot changed at every read" : strerror(-rc);
}

/* Each source's state, selection and own bound; the clock's, when. */
static void log_sources(struct __test_metadata *_metadata,
			FIXTURE_DATA(honest) *self, const char *when)
{
	char state[32], bound[32], off[32], sel[64];
	struct check c;
	int i;

	if (read_line("/sys/kernel/vmclock/selected", sel, sizeof(sel)))
		sel[0] = '\0';
	for (i = 0; i < N_SRC; i++) {
		source_sysfs(self->id[i], "state", state, sizeof(state));
		source_sysfs(self->id[i], "error_bound_ns", bound, sizeof(bound));
		source_sysfs(self->id[i], "offset_ns", off, sizeof(off));
		TH_LOG("%s: %s source %u %s, %sselected, %s ns from the clock, "
		       "its bound %s ns", when, sim_name[i], self->id[i], state,
		       id_in_list(sel, self->id[i]) ? "" : "not ", off, bound);
	}
	if (!check_unified(self->nl, self->phc, self->truth, &c))
		TH_LOG("%s: status %s, unified - truth %lld ns, bound %llu ns",
		       when, status_name(c.st.status), c.err, c.bound);
}

/*
 * The drift story ends so: the drifter rejected, the others selected,
 * synchronized. After the pause the clock may instead still hold over
 * with nothing selected, when the Hyper-V source, wide again after its
 * restart, still reaches both the KVM source and the drifter (two
 * majorities sharing it: no telling which is right); @or_holdover
 * allows that end, never one synchronized on the drifter.
 */
static void expect_settled(struct __test_metadata *_metadata,
			   FIXTURE_DATA(honest) *self, bool or_holdover)
{
	char state[32], sel[64];
	struct status st;
	int i;

	log_sources(_metadata, self, "at the end");
	ASSERT_EQ(0, read_line("/sys/kernel/vmclock/selected", sel, sizeof(sel)));
	ASSERT_EQ(0, get_status(self->nl, &st));
	if (or_holdover && st.status == VMCLOCK_STATUS_HOLDOVER) {
		EXPECT_FALSE(id_in_list(sel, self->id[drifter]))
			TH_LOG("the drifter is selected at the end");
		return;
	}
	for (i = 0; i < N_SRC; i++) {
		source_sysfs(self->id[i], "state", state, sizeof(state));
		if (i == drifter) {
			EXPECT_STREQ("falseticker", state)
				TH_LOG("the drifter is not rejected at the end");
			EXPECT_FALSE(id_in_list(sel, self->id[i]))
				TH_LOG("the drifter is selected at the end");
		} else {
			EXPECT_STREQ("ok", state)
				TH_LOG("a correct source is %s at the end", state);
			EXPECT_TRUE(id_in_list(sel, self->id[i]))
				TH_LOG("a correct source is not selected at the end");
		}
	}
	EXPECT_STREQ("synchronized", status_name(st.status));
}

/*
 * The drifter's host (the ENA-like one unless the environment says
 * otherwise) drifts drift_ppb from the truth, the others stay put.  Phases by the truth and the drifter's state at each check.
 */
TEST_F_TIMEOUT(honest, drifting_minority, 260)
{
	enum { AGREED, INSIDE, OUTSIDE, REJECTED, N_PHASE };
	static const char *const phase[N_PHASE] = {
		"all agreeing", "drifter inside its claim",
		"drifter outside, in use", "drifter rejected",
	};
	long long off, claim = self->claim[drifter];
	int i, p, rc, narrow = 0, seen[VMCLOCK_STATUS_MAX + 1] = { 0 };
	struct tally t[N_PHASE] = { 0 };
	unsigned long long agreed = 0;
	double start, at, left = -1, rejected = -1, ft_since = -1;
	struct check c;
	char sel[64];

	if (self->skipped)
		return;
	start = now_s();
	for (i = 0; i < BASE_CHECKS + MAX_DRIFT_CHECKS; i++) {
		at = (i - BASE_CHECKS) * PERIOD_S;
		if (ft_since >= 0 && at >= ft_since + SETTLE_S)
			break;
		sleep_until(start + i * PERIOD_S);
		if (i == BASE_CHECKS) {
			log_sources(_metadata, self, "all agreeing");
			agreed = t[AGREED].min_bound;
			ASSERT_EQ(0, sim_set(drifter, "freq_ppb", drift_ppb));
		}
		ASSERT_EQ(0, sim_get(drifter, "offset_ns", &off));
		if (i < BASE_CHECKS)
			p = AGREED;
		else if (source_is(self, drifter, "falseticker"))
			p = REJECTED;
		else
			p = llabs(off) > claim ? OUTSIDE : INSIDE;
		if (p != AGREED && llabs(off) > claim && left < 0) {
			left = at;
			log_sources(_metadata, self, "out of its claim");
		}
		if (p == REJECTED && rejected < 0) {
			rejected = at;
			log_sources(_metadata, self, "rejected");
		}
		if (p != REJECTED)
			ft_since = -1;
		else if (ft_since < 0)
			ft_since = at;
		rc = check(_metadata, self, at, phase[p], &c);
		tally_add(&t[p], rc, &c);
		if (c.st.status <= VMCLOCK_STATUS_MAX)
			seen[c.st.status]++;
		/* two of three within their claims: held over at worst */
		EXPECT_EQ(0, rc)
			TH_LOG("check at %.1f s (%s): the clock could not be "
			       "read (%s), status %s", at, phase[p], unread(rc),
			       status_name(c.st.status));
		/*
		 * In use: still selected after the clock read (a source
		 * left out between the state read and the clock read, or
		 * shown as confirming a step, is the majority's alone)
		 */
		if (read_line("/sys/kernel/vmclock/selected", sel,
			      sizeof(sel)))
			sel[0] = '\0';
		if (!rc && p == OUTSIDE && id_in_list(sel, self->id[drifter]) &&
		    agreed > c.bound + SHRINK_TOL_NS) {
			EXPECT_LE(agreed, c.bound + SHRINK_TOL_NS)
				TH_LOG("check at %.1f s: the bound %llu ns is "
				       "narrower than the %llu ns while all "
				       "agreed, the drifter %lld ns off, status "
				       "%s", at, c.bound, agreed, off,
				       status_name(c.st.status));
			if (!narrow++)
				log_sources(_metadata, self, "narrower");
		}
	}
	for (p = 0; p < N_PHASE; p++)
		tally_log(_metadata, phase[p], &t[p]);
	TH_LOG("%s drifting %lld ppb: out of its %lld ns claim at %.1f s, "
	       "rejected at %.1f s, for good from %.1f s (-1: never); "
	       "statuses seen: synchronized %d, holdover %d, disrupted %d, "
	       "unsynchronized %d", sim_name[drifter], drift_ppb, claim, left,
	       rejected, ft_since,
	       seen[VMCLOCK_STATUS_SYNCHRONIZED],
	       seen[VMCLOCK_STATUS_HOLDOVER], seen[VMCLOCK_STATUS_DISRUPTED],
	       seen[VMCLOCK_STATUS_UNSYNCHRONIZED]);
	EXPECT_LE(0, left) TH_LOG("the drifter never left its claim");
	expect_settled(_metadata, self, false);
}

/* Whether every source's sample count passed the one in before[]. */
static bool all_read_since(FIXTURE_DATA(honest) *self, const long long *before)
{
	char buf[32];
	int i;

	for (i = 0; i < N_SRC; i++)
		if (source_sysfs(self->id[i], "samples", buf, sizeof(buf)) <=
		    before[i])
			return false;
	return true;
}

/*
 * The drifter already outside its claim, a 45 s pause the guest does not
 * see (every host jumps ahead of the raw clock).  Until a source has been
 * read again nothing can tell, so the checks start at the first update
 * after every source has been read: disrupted then, or the bound covers
 * the jump.
 */
TEST_F_TIMEOUT(honest, pause_with_drifter, 300)
{
	long long off, claim = self->claim[drifter], before[N_SRC];
	struct tally t[VMCLOCK_STATUS_MAX + 1] = { 0 };
	uint32_t *id = self->id, last = ~0U;
	char buf[64], sel[64], sel2[64], story[512] = "";
	double t0, start, at, rejected = -1, synced = -1, wait;
	int i, rc, n, flagged = 0;
	struct check c;
	bool majority, left = false;

	if (self->skipped)
		return;
	/* 19 s at 8 ppm; a slower drift takes longer */
	wait = 1.5e9 * claim / llabs(drift_ppb) + 30;
	ASSERT_EQ(0, sim_set(drifter, "freq_ppb", drift_ppb));
	t0 = now_s();
	do {
		usleep(200000);
		ASSERT_EQ(0, sim_get(drifter, "offset_ns", &off));
		ASSERT_GT(wait, now_s() - t0)
			TH_LOG("the drifter is only %lld ns off", off);
	} while (llabs(off) <= claim * 3 / 2);
	rc = check(_metadata, self, 0, "before the pause", &c);
	ASSERT_EQ(0, rc) TH_LOG("unreadable before the pause: %s", unread(rc));
	source_sysfs(id[drifter], "state", buf, sizeof(buf));
	TH_LOG("pause after %.1f s of drift, the drifter %lld ns off (%s): "
	       "status %s, unified - truth %lld ns, bound %llu ns",
	       now_s() - t0, off, buf, status_name(c.st.status), c.err,
	       c.bound);
	for (i = 0; i < N_SRC; i++)
		before[i] = source_sysfs(id[i], "samples", buf, sizeof(buf));

	ASSERT_EQ(0, sim_ctl("pause %lld", PAUSE_NS));
	t0 = now_s();
	while (!all_read_since(self, before) && now_s() - t0 < 10)
		usleep(2000);
	start = now_s();
	EXPECT_TRUE(all_read_since(self, before))
		TH_LOG("not every source was read within 10 s of the pause");

	for (i = 0; i <= PAUSE_CHECKS; i++) {
		sleep_until(start + i * PERIOD_S);
		at = now_s() - t0;
		if (read_line("/sys/kernel/vmclock/selected", sel, sizeof(sel)))
			sel[0] = '\0';
		rc = check(_metadata, self, at,
			   i ? "after the pause" : "first update", &c);
		if (read_line("/sys/kernel/vmclock/selected", sel2, sizeof(sel2)))
			sel2[0] = '\0';
		if (c.st.status <= VMCLOCK_STATUS_MAX)
			tally_add(&t[c.st.status], rc, &c);
		left |= c.st.status != VMCLOCK_STATUS_SYNCHRONIZED;
		if (c.st.status != last) {
			n = strlen(story);
			snprintf(story + n, sizeof(story) - n, "%s%s at %.1f s",
				 n ? ", " : "", status_name(c.st.status), at);
			last = c.st.status;
		}
		/* disrupted, or a bound that covers the jump, or no reading */
		if (!i && rc)
			TH_LOG("first update after every source was read: "
			       "status %s, unreadable (%s)",
			       status_name(c.st.status), unread(rc));
		if (!i && !rc) {
			TH_LOG("first update after every source was read: "
			       "status %s, unified - truth %lld ns, bound %llu ns",
			       status_name(c.st.status), c.err, c.bound);
			EXPECT_TRUE(c.st.status == VMCLOCK_STATUS_DISRUPTED ||
				    (unsigned long long)llabs(c.err) <= c.bound)
				TH_LOG("first update after the pause: neither "
				       "disrupted nor a bound that covers it");
		}
		/*
		 * Synchronized again only on a fresh majority: never on one
		 * that calls a correct source a falseticker and takes the
		 * drifter. (While the Hyper-V source is acquiring again, the
		 * drifter may still overlap the KVM one: two of three
		 * agreeing, with the bound covering what either may be.)
		 */
		if (c.st.status == VMCLOCK_STATUS_SYNCHRONIZED && !strcmp(sel, sel2)) {
			majority = id_in_list(sel, id[KVM]) &&
				   id_in_list(sel, id[HYPERV]);
			if (majority && left && synced < 0)
				synced = at;
			EXPECT_FALSE(id_in_list(sel, id[drifter]) &&
				     (source_is(self, KVM, "falseticker") ||
				      source_is(self, HYPERV, "falseticker")))
				TH_LOG("check at %.1f s: synchronized on sources "
				       "'%s' with a correct one a falseticker",
				       at, sel);
		}
		if (rejected < 0 && source_is(self, drifter, "falseticker"))
			rejected = at;
		flagged += source_is(self, KVM, "falseticker") ||
			   source_is(self, HYPERV, "falseticker");
	}
	TH_LOG("statuses after the pause: %s", story);
	for (i = 0; i <= VMCLOCK_STATUS_MAX; i++)
		tally_log(_metadata, status_name(i), &t[i]);
	TH_LOG("every source read %.2f s after the pause; back to "
	       "synchronized with both correct sources at %.1f s, the drifter "
	       "rejected at %.1f s (-1: never); a correct source a falseticker "
	       "at %d checks",
	       start - t0, synced, rejected, flagged);
	expect_settled(_metadata, self, true);
}

TEST_HARNESS_MAIN
