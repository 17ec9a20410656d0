// SPDX-License-Identifier: GPL-2.0
/*
 * Random adversarial scenarios for the replay bench: bench -R.
 *
 * The estimator promises that if at least half of the sources in use
 * are within their own claimed host error, the truth is inside the
 * published [time - bound, time + bound], whatever the others do. The
 * hand-written scenarios test what the estimator was designed for; this
 * draws what it was not: 1 to 5 sources of random kinds, poll intervals,
 * reads per poll and claimed host errors, of which up to half misbehave
 * (a slow or fast drift, an offset, a step, a stop, staleness), and
 * pauses of the whole guest that nobody reports. Every 100 ms the
 * published clock is checked against the truth, and so is what a
 * chrony-like selection of one source would give.
 *
 * A scenario is a function of its seed alone: bench -R -s SEED -n 1 -v
 * replays scenario SEED of any run.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "evidence.h"

#define RMAXS		5	/* most sources in a scenario */
#define RMAXP		2	/* most unseen pauses in a scenario */
#define GEN_SALT	0x52616e646f6d5363ULL	/* scenario draws */
#define REP_SALT	0x5265706f72746564ULL	/* who reports its error */
#define REP_P		0.2	/* share of honest sources that report */
#define WORLD_SALT	0x576f726c64526e64ULL	/* noise of the run */
#define MISS_LINES	10	/* misses shown per scenario with -v -v */
#define LIST_SEEDS	10	/* failing seeds listed in the summary */

/* ---- what a scenario is made of ---- */
enum misb { M_NONE, M_DRIFT, M_OFFSET, M_STEP, M_STOP, M_STALE, M_MAX };

static const char * const misb_names[M_MAX] = {
	[M_NONE] = "none", [M_DRIFT] = "drift", [M_OFFSET] = "offset",
	[M_STEP] = "step", [M_STOP] = "stop", [M_STALE] = "stale",
};

/* Claimed host errors a source is given, ns. */
static const double claims[] = { 0, 1e3, 10e3, 100e3, 1e6 };

struct rsrc {
	enum kind kind;
	double poll;		/* ns */
	int nread;		/* reads per poll */
	double claim;		/* claimed host error (cfg.host_error_ns) */
	double bias;		/* actual host error while honest */
	enum misb how;		/* M_NONE: honest throughout */
	double at;		/* when the misbehaviour starts, ns */
	double amount;		/* drift rate (ns/ns), offset, step (ns) */
	double len;		/* how long stale, ns */
	/* honest, reports its error: the claim, rep_hi from rep_t1 to rep_t2 */
	bool rep;
	double rep_hi, rep_t1, rep_t2, rep_frac, rep_phase;
};

struct rscen {
	uint64_t seed;
	double dur;		/* ns of simulated time */
	int nsrc, nbad;
	struct rsrc src[RMAXS];
	int npause;
	double pause_at[RMAXP], pause_len[RMAXP];
};

/* ---- drawing a scenario ---- */
static double rnd_range(struct rng *g, double lo, double hi)
{
	return lo + (hi - lo) * rng_u(g);
}

/* Log-uniform in [lo, hi): as many small values as large ones. */
static double rnd_log(struct rng *g, double lo, double hi)
{
	return lo * exp(log(hi / lo) * rng_u(g));
}

/* Uniform integer in [0, n). */
static int rnd_int(struct rng *g, int n)
{
	return (int)(rng_u(g) * n);
}

static double rnd_sign(struct rng *g)
{
	return rng_u(g) < 0.5 ? -1 : 1;
}

static void gen_src(struct rng *g, struct rsrc *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = (enum kind)rnd_int(g, K_ENA + 1);
	s->poll = rnd_log(g, 0.25e9, 4e9);
	s->nread = 1 + rnd_int(g, 5);
	s->claim = claims[rnd_int(g, ARRAY_SIZE(claims))];
	s->bias = 0.9 * s->claim * (2 * rng_u(g) - 1);
}

/*
 * One way to go wrong, from a random time: a quarter of them from the
 * start (a step from the start would be an offset: never), the others
 * between 2 % and 80 % of the run so that there is time to see it.
 */
static void gen_misb(struct rng *g, struct rsrc *s, double dur)
{
	s->how = (enum misb)(1 + rnd_int(g, M_MAX - 1));
	if (s->how != M_STEP && rng_u(g) < 0.25)
		s->at = 0;
	else
		s->at = rnd_range(g, 0.02, 0.8) * dur;
	switch (s->how) {
	case M_DRIFT:
		/* the host's own synchronization failed: its error grows */
		s->amount = rnd_sign(g) * rnd_log(g, 0.1e-6, 50e-6);
		break;
	case M_OFFSET:
		/* certainly beyond the claim, whatever the honest bias */
		s->amount = rnd_sign(g) * rnd_range(g, 1.5, 10) *
			fmax(s->claim, 1e3);
		break;
	case M_STEP:
		s->amount = rnd_sign(g) * rnd_log(g, 10e3, 10e9);
		break;
	case M_STALE:
		s->len = rnd_log(g, 2e9, 600e9);
		break;
	default:
		break;
	}
}

/* Pauses between 5 % and 90 % of the run, one after the other. */
static void gen_pauses(struct rng *g, struct rscen *rs)
{
	int i;

	rs->npause = rnd_int(g, RMAXP + 1);
	for (i = 0; i < rs->npause; i++) {
		rs->pause_at[i] = rnd_range(g, 0.05, 0.9) * rs->dur;
		rs->pause_len[i] = rnd_log(g, 1e9, 120e9);
	}
	if (rs->npause == 2 && rs->pause_at[1] < rs->pause_at[0]) {
		double at = rs->pause_at[0], len = rs->pause_len[0];

		rs->pause_at[0] = rs->pause_at[1];
		rs->pause_len[0] = rs->pause_len[1];
		rs->pause_at[1] = at;
		rs->pause_len[1] = len;
	}
	if (rs->npause == 2 &&
	    rs->pause_at[1] < rs->pause_at[0] + rs->pause_len[0] + 1e9)
		rs->pause_at[1] = rs->pause_at[0] + rs->pause_len[0] + 1e9;
}

/*
 * A minority of the honest sources report their error, as an ENA PHC
 * does: the claim (at least 1 us), 2 to 200 times that for a stretch of
 * the run, then the claim again; the host's real error a share of the
 * report, with a wander, never outside it. Drawn from a stream of their
 * own, so that every other draw of a scenario stays as it was.
 */
static void gen_reports(uint64_t seed, struct rscen *rs)
{
	struct rng g;
	int i;

	rng_seed(&g, seed ^ REP_SALT);
	for (i = 0; i < rs->nsrc; i++) {
		struct rsrc *s = &rs->src[i];

		if (rng_u(&g) >= REP_P || s->how != M_NONE ||
		    s->kind == K_HYPERV)
			continue;
		s->rep = true;
		s->claim = fmax(s->claim, 1e3);
		s->rep_hi = s->claim * rnd_log(&g, 2, 200);
		s->rep_t1 = rnd_range(&g, 0.05, 0.6) * rs->dur;
		s->rep_t2 = s->rep_t1 + rnd_range(&g, 0.05, 0.35) * rs->dur;
		s->rep_frac = rnd_sign(&g) * rnd_range(&g, 0, 1 - REP_WANDER -
						       REP_JIT);
		s->rep_phase = rnd_range(&g, 0, 2 * M_PI);
		s->bias = s->rep_frac * s->claim;
	}
}

static void gen_scen(uint64_t seed, struct rscen *rs)
{
	struct rng g;
	int idx[RMAXS], i, j, t;

	memset(rs, 0, sizeof(*rs));
	rng_seed(&g, seed ^ GEN_SALT);
	rs->seed = seed;
	rs->dur = rnd_range(&g, 5, 30) * 60e9;
	rs->nsrc = 1 + rnd_int(&g, RMAXS);
	for (i = 0; i < rs->nsrc; i++) {
		gen_src(&g, &rs->src[i]);
		idx[i] = i;
	}
	/* k misbehaving sources, 0 <= k <= N/2, a random choice of them */
	rs->nbad = rnd_int(&g, rs->nsrc / 2 + 1);
	for (i = 0; i < rs->nbad; i++) {
		j = i + rnd_int(&g, rs->nsrc - i);
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
		gen_misb(&g, &rs->src[idx[i]], rs->dur);
	}
	gen_pauses(&g, rs);
	gen_reports(seed, rs);
}

/* ---- describing it ---- */
/* fmt_ns() with a sign. */
static void fmt_sns(char *b, size_t n, double v)
{
	b[0] = v < 0 ? '-' : '+';
	fmt_ns(b + 1, n - 1, fabs(v));
}

static void desc_misb(const struct rsrc *s, int i, char *b, size_t n)
{
	char v[24];

	switch (s->how) {
	case M_DRIFT:
		snprintf(b, n, "; s%d drift %+.3gppm@%.0fs", i, s->amount * 1e6,
			 s->at / NS);
		break;
	case M_OFFSET:
	case M_STEP:
		fmt_sns(v, sizeof(v), s->amount);
		snprintf(b, n, "; s%d %s %s@%.0fs", i, misb_names[s->how], v,
			 s->at / NS);
		break;
	case M_STALE:
		snprintf(b, n, "; s%d stale %.0fs@%.0fs", i, s->len / NS,
			 s->at / NS);
		break;
	case M_STOP:
		snprintf(b, n, "; s%d stop@%.0fs", i, s->at / NS);
		break;
	default:
		b[0] = '\0';
		break;
	}
}

/* One line: length, sources (kind, poll, reads, claim, bias), faults. */
static void describe(const struct rscen *rs, char *b, size_t n)
{
	static const char * const kinds[] = { "kvm", "hyperv", "ena" };
	size_t l;
	int i;

	l = snprintf(b, n, "%.1fmin", rs->dur / 60e9);
	for (i = 0; i < rs->nsrc && l < n; i++) {
		const struct rsrc *s = &rs->src[i];
		char c[24], e[24];

		fmt_ns(c, sizeof(c), s->claim);
		fmt_sns(e, sizeof(e), s->bias);
		l += snprintf(b + l, n - l, "%s s%d %s %.2fs/%dr claim %s (%s)",
			      i ? "," : ";", i, kinds[s->kind], s->poll / NS,
			      s->nread, c, e);
	}
	for (i = 0; i < rs->nsrc && l < n; i++) {
		const struct rsrc *s = &rs->src[i];
		char c[24];

		desc_misb(s, i, b + l, n - l);
		l += strlen(b + l);
		if (!s->rep || l >= n)
			continue;
		fmt_ns(c, sizeof(c), s->rep_hi);
		l += snprintf(b + l, n - l, "; s%d reports %s@%.0fs-%.0fs", i,
			      c, s->rep_t1 / NS, s->rep_t2 / NS);
	}
	for (i = 0; i < rs->npause && l < n; i++)
		l += snprintf(b + l, n - l, "; pause %.1fs@%.0fs",
			      rs->pause_len[i] / NS, rs->pause_at[i] / NS);
}

/* ---- what was measured ---- */
/* Log histogram, 64 bins per octave from 1 ns: medians to 1 %. */
#define HBINS		(64 * 48)

struct hist {
	long n[HBINS];
	long total;
};

static void hist_add(struct hist *h, double v)
{
	int i = v < 1 ? 0 : (int)(log2(v) * 64);

	h->n[i < HBINS ? i : HBINS - 1]++;
	h->total++;
}

static double hist_median(const struct hist *h)
{
	long acc = 0;
	int i;

	for (i = 0; i < HBINS; i++) {
		acc += h->n[i];
		if (2 * acc > h->total)
			return exp2((i + 0.5) / 64);
	}
	return NAN;
}

/* Checks of one clock (vmclock, chrony-like) in one kind of scenario. */
struct tally {
	long n, miss;
};

/* The check with the largest |error| / bound. */
struct worst {
	double ratio, t, err, bound;
	uint64_t seed;
	unsigned int status;	/* of the published clock */
	int src;		/* the source picked (chrony-like), or -1 */
};

/* A missed check, and what each source's host was doing then. */
struct missrec {
	double t, err, bound;
	unsigned int status;
	unsigned int state[RMAXS];
	double src_err[RMAXS];
};

/* Per scenario. */
struct rres {
	long checks, blind, unsync;
	long narrow;		/* bound below what the evidence needs */
	struct tally vm, ch;
	struct worst worst, ch_worst;
	long by[M_MAX + 1];	/* misses while each fault was on; +pause */
	struct missrec first[MISS_LINES];	/* its first misses */
};

/* Over all scenarios; [0]: strict minority misbehaves, [1]: half. */
struct rtot {
	long scen, checks, blind, unsync, failed, narrow;
	double minutes;
	struct tally vm[2], ch[2];
	struct worst worst, ch_worst;
	long by[M_MAX + 1];
	double vm_sq, ch_sq;
	struct hist vm_err, vm_bound, ch_err, ch_bound;
	uint64_t failing[LIST_SEEDS];
};

static void worst_note(struct worst *w, const struct worst *c)
{
	if (c->ratio > w->ratio)
		*w = *c;
}

/* ---- running it ---- */
struct rrun {
	const struct rscen *rs;
	struct world w;
	struct simsrc src[RMAXS];
	struct est *est;
	int pauses;		/* pauses done */
	bool blind;		/* an unseen pause not yet read by every honest
				 * source */
	unsigned int polled;	/* honest sources polled since the pause */
	unsigned int honest;	/* mask of the honest sources */
};

/* The simulated source behind a drawn one. */
static void src_apply(const struct rsrc *r, struct simsrc *s,
		      struct rng *wr)
{
	src_setup(s, r->kind, wr);
	s->next_poll *= r->poll / s->poll;	/* drawn for 1 s */
	s->poll = r->poll;
	s->cfg.poll_ns = (u64)r->poll;
	s->nread = r->nread;
	s->err_per_poll = 1;
	s->cfg.host_error_ns = (u64)r->claim;
	s->bias = r->bias;
	if (r->rep) {
		s->rep = 1;
		s->rep_lo = r->claim;
		s->rep_hi = r->rep_hi;
		s->rep_t1 = r->rep_t1;
		s->rep_t2 = r->rep_t2;
		s->rep_frac = r->rep_frac;
		s->rep_phase = r->rep_phase;
		s->rep_jit = REP_JIT;
	}
	switch (r->how) {
	case M_DRIFT:
		s->mis = 1;
		s->mis_at = r->at;
		s->mis_off = r->bias;
		s->mis_rate = r->amount;
		break;
	case M_OFFSET:
		s->mis = 1;
		s->mis_at = r->at;
		s->mis_off = r->amount;
		break;
	case M_STEP:
		s->step_at = r->at;
		s->step_ns = r->amount;
		break;
	default:
		break;
	}
	src_start(s);
}

/*
 * The error of a source's host clock at true time t: what it claims to
 * bound. The reads' own errors (noise, asymmetry inside the bracket,
 * granularity, Hyper-V extrapolation) are the estimator's business.
 */
static double true_err(const struct simsrc *s, double t)
{
	return host_err(s, t) + (s->step_done ? s->step_ns : 0);
}

/* Whether source r's reads fail at t, and whether as stale. */
static bool src_failing(const struct rsrc *r, double t, bool *stale)
{
	*stale = r->how == M_STALE;
	if (r->how == M_STOP)
		return t >= r->at;
	return r->how == M_STALE && t >= r->at && t < r->at + r->len;
}

static void rrun_init(struct rrun *r, const struct rscen *rs)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->rs = rs;
	world_init(&r->w, rs->seed ^ WORLD_SALT);
	r->est = calloc(1, sizeof(*r->est));
	est_init(r->est);
	for (i = 0; i < rs->nsrc; i++) {
		src_apply(&rs->src[i], &r->src[i], &r->w.rng);
		est_source_add(r->est, i, &r->src[i].cfg);
		if (rs->src[i].how == M_NONE)
			r->honest |= 1U << i;
	}
}

/*
 * The guest stops and resumes and nobody tells the estimator. Hyper-V
 * hosts push a sample as the guest resumes. Until every honest source
 * has been read again nothing can know, so those checks are blind.
 */
static void unseen_pause(struct rrun *r, double *next_eval,
			 double *next_tick)
{
	int i;

	world_pause(&r->w, r->src, r->rs->nsrc,
		    r->rs->pause_len[r->pauses++], next_eval, next_tick);
	for (i = 0; i < r->rs->nsrc; i++)
		if (r->src[i].kind == K_HYPERV)
			r->src[i].push_next = r->w.tau;
	r->blind = true;
	r->polled = 0;
}

static void rnd_poll(struct rrun *r, int i)
{
	struct simsrc *s = &r->src[i];
	bool stale;
	int good = 0;

	s->polls++;
	if (src_failing(&r->rs->src[i], r->w.tau, &stale)) {
		est_source_error(r->est, i, RAW0 + (int64_t)llround(r->w.raw),
				 stale);
	} else {
		host_report(&r->w, s, r->est, i);
		good = poll_reads(&r->w, s, r->est, i, 0, NULL, NULL);
	}
	est_update(r->est, RAW0 + (int64_t)llround(r->w.raw));
	poll_next(r->est, s, i, r->w.tau);
	/* a read blocked for a ms is seen too: what the source reads now */
	if (good)
		r->polled |= 1U << i;
	if (r->blind && (r->polled & r->honest) == r->honest)
		r->blind = false;
}

/*
 * The generator's own rule, checked at every check: honest sources are
 * within their claim, and so at least half of all sources are.
 */
static void check_honest(const struct rrun *r)
{
	int i, in = 0;

	for (i = 0; i < r->rs->nsrc; i++) {
		const struct simsrc *s = &r->src[i];
		bool ok = fabs(true_err(s, r->w.tau)) <=
			(s->rep ? host_rep_level(s, r->w.tau) * (1 - s->rep_jit) :
			 r->rs->src[i].claim);

		in += ok;
		if (ok || r->rs->src[i].how != M_NONE)
			continue;
		fprintf(stderr, "bench: seed %llu: honest s%d outside its claim at %.1f s\n",
			(unsigned long long)r->rs->seed, i, r->w.tau / NS);
		exit(3);
	}
	if (2 * in < r->rs->nsrc) {
		fprintf(stderr, "bench: seed %llu: %d of %d sources within their claim at %.1f s\n",
			(unsigned long long)r->rs->seed, in, r->rs->nsrc,
			r->w.tau / NS);
		exit(3);
	}
}

/*
 * chrony-like selection: among the sources with an estimate that are
 * not stale, chrony's Marzullo (closed intervals; from the first point
 * of largest depth to the last end at that depth), a majority of them
 * (depth above half), the sources whose interval contains that stretch
 * or lies inside it, and of those the one with the smallest bound.
 * Returns the source, or -1 without a majority; *info its read-out.
 */
static int chrony_pick(const struct est *est, int n, s64 raw,
		       struct est_source_info *info)
{
	struct est_source_info si[RMAXS];
	double v[2 * RMAXS], lo[RMAXS], hi[RMAXS], best_lo = 0, best_hi = 0;
	int tag[2 * RMAXS], ne = 0, nc = 0, depth = 0, best = 0, pick = -1;
	int i, j;

	for (i = 0; i < n; i++) {
		double x, b;
		int t;

		if (est_source_get(est, i, raw, &si[i]) ||
		    si[i].bound_ns == EST_BOUND_UNKNOWN ||
		    si[i].state == EST_SRC_STALE) {
			lo[i] = NAN;
			continue;
		}
		nc++;
		x = (double)si[i].offset_ns;
		b = (double)si[i].bound_ns;
		lo[i] = x - b;
		hi[i] = x + b;
		/* insertion sort of the ends; a low end before a high one */
		for (t = 0; t < 2; t++) {
			double e = t ? hi[i] : lo[i];

			for (j = ne; j > 0 && (v[j - 1] > e ||
					       (v[j - 1] == e && tag[j - 1] > t));
			     j--) {
				v[j] = v[j - 1];
				tag[j] = tag[j - 1];
			}
			v[j] = e;
			tag[j] = t;
			ne++;
		}
	}
	for (j = 0; j < ne; j++) {
		if (!tag[j]) {
			if (++depth > best) {
				best = depth;
				best_lo = v[j];
			}
		} else {
			if (depth == best)
				best_hi = v[j];
			depth--;
		}
	}
	if (!nc || best <= nc / 2)
		return -1;
	for (i = 0; i < n; i++) {
		if (isnan(lo[i]) ||
		    !((lo[i] <= best_lo && hi[i] >= best_hi) ||
		      (lo[i] >= best_lo && hi[i] <= best_hi)))
			continue;
		if (pick < 0 || si[i].bound_ns < si[pick].bound_ns)
			pick = i;
	}
	if (pick >= 0)
		*info = si[pick];
	return pick;
}

/* Count a miss under every fault that has begun by now. */
static void miss_causes(const struct rrun *r, long *by)
{
	int i, any = 0;

	for (i = 0; i < r->rs->nsrc; i++) {
		const struct rsrc *s = &r->rs->src[i];

		if (s->how != M_NONE && r->w.tau >= s->at) {
			by[s->how]++;
			any = 1;
		}
	}
	if (r->pauses) {
		by[M_MAX]++;
		any = 1;
	}
	if (!any)
		by[M_NONE]++;
}

static void note_miss(const struct rrun *r, struct missrec *m, double err,
		      u64 b, unsigned int status)
{
	int i;

	m->t = r->w.tau;
	m->err = err;
	m->bound = (double)b;
	m->status = status;
	for (i = 0; i < r->rs->nsrc; i++) {
		m->state[i] = r->est->src[i].state;
		m->src_err[i] = true_err(&r->src[i], r->w.tau);
	}
}

static void check(struct rrun *r, struct rres *res, struct rtot *tot)
{
	const struct rscen *rs = r->rs;
	struct est_source_info si;
	unsigned int status = r->est->snap.status;
	struct worst c = { .seed = rs->seed, .t = r->w.tau, .status = status,
			   .src = -1 };
	double raw, tru, err;
	int64_t t;
	u64 b;

	raw = check_raw(&r->w, &tru);
	est_snapshot_eval(&r->est->snap, RAW0 + (int64_t)raw, &t, &b);
	err = (double)(t - UTC0) - tru;
	res->checks++;
	check_honest(r);
	if (r->blind) {
		res->blind++;
		return;
	}
	if (status != EST_STATUS_UNSYNCHRONIZED && b != EST_BOUND_UNKNOWN) {
		/*
		 * Disagreement widens, never narrows: the bound published
		 * at the last update is not below what at least half of
		 * the voters might agree on then, by their own intervals
		 * (to a few ns of rounding). Between updates a new overlap
		 * of two intervals can only be seen at the next one.
		 */
		res->narrow += r->est->snap.bound_base + 8 <
			evidence_reach(r->est, r->est->snap.raw_base);
		res->vm.n++;
		tot->vm_sq += err * err;
		hist_add(&tot->vm_err, fabs(err));
		hist_add(&tot->vm_bound, (double)b);
		c.err = err;
		c.bound = (double)b;
		c.ratio = fabs(err) / c.bound;
		worst_note(&res->worst, &c);
		if (fabs(err) > (double)b) {
			if (res->vm.miss < MISS_LINES)
				note_miss(r, &res->first[res->vm.miss], err, b,
					  status);
			res->vm.miss++;
			miss_causes(r, res->by);
		}
	} else {
		res->unsync++;
	}
	c.src = chrony_pick(r->est, rs->nsrc, RAW0 + (int64_t)raw, &si);
	if (c.src < 0)
		return;
	err = (double)(t - UTC0 + si.offset_ns) - tru;
	res->ch.n++;
	tot->ch_sq += err * err;
	hist_add(&tot->ch_err, fabs(err));
	hist_add(&tot->ch_bound, (double)si.bound_ns);
	c.err = err;
	c.bound = (double)si.bound_ns;
	c.ratio = fabs(err) / c.bound;
	worst_note(&res->ch_worst, &c);
	if (fabs(err) > (double)si.bound_ns)
		res->ch.miss++;
}

static void run_random(const struct rscen *rs, struct rres *res,
		       struct rtot *tot)
{
	struct rrun r;
	double next_eval = 0, next_tick = 0, tnext;
	int i;

	memset(res, 0, sizeof(*res));
	rrun_init(&r, rs);
	while (r.w.tau < rs->dur) {
		tnext = next_event(r.src, rs->nsrc, next_tick < next_eval ?
				   next_tick : next_eval);
		if (r.pauses < rs->npause && tnext > rs->pause_at[r.pauses])
			tnext = rs->pause_at[r.pauses];
		world_adv(&r.w, tnext);
		if (r.pauses < rs->npause && r.w.tau >= rs->pause_at[r.pauses])
			unseen_pause(&r, &next_eval, &next_tick);
		host_events(&r.w, r.src, rs->nsrc);
		for (i = 0; i < rs->nsrc; i++)
			if (r.w.tau >= r.src[i].next_poll)
				rnd_poll(&r, i);
		if (r.w.tau >= next_tick) {
			est_update(r.est, RAW0 + (int64_t)llround(r.w.raw));
			next_tick = r.w.tau + 1e9;
		}
		if (r.w.tau >= next_eval) {
			check(&r, res, tot);
			next_eval = r.w.tau + EVAL_NS;
		}
	}
	free(r.est);
}

/* ---- reporting ---- */
static void tally_add(struct tally *t, const struct tally *a)
{
	t->n += a->n;
	t->miss += a->miss;
}

static void tot_add(struct rtot *tot, const struct rscen *rs,
		    const struct rres *res)
{
	int half = 2 * rs->nbad == rs->nsrc, i;

	tot->scen++;
	tot->minutes += rs->dur / 60e9;
	tot->checks += res->checks;
	tot->blind += res->blind;
	tot->unsync += res->unsync;
	tot->narrow += res->narrow;
	tally_add(&tot->vm[half], &res->vm);
	tally_add(&tot->ch[half], &res->ch);
	worst_note(&tot->worst, &res->worst);
	worst_note(&tot->ch_worst, &res->ch_worst);
	for (i = 0; i <= M_MAX; i++)
		tot->by[i] += res->by[i];
	if (res->vm.miss && tot->failed < LIST_SEEDS)
		tot->failing[tot->failed] = rs->seed;
	tot->failed += !!res->vm.miss;
}

/* "99.999000 % (1 missed of 100000)", or "- (no check)" */
static void fmt_cov(char *b, size_t n, const struct tally *t)
{
	if (!t->n)
		snprintf(b, n, "- (no check)");
	else
		snprintf(b, n, "%.6f %% (%ld missed of %ld)",
			 100.0 * (t->n - t->miss) / t->n, t->miss, t->n);
}

static void print_cov(const char *name, const struct tally *t)
{
	struct tally all = t[0];
	char a[64], m[64], h[64];

	tally_add(&all, &t[1]);
	fmt_cov(a, sizeof(a), &all);
	fmt_cov(m, sizeof(m), &t[0]);
	fmt_cov(h, sizeof(h), &t[1]);
	printf("%-12s coverage %s; strict minority misbehaves %s, half misbehaves %s\n",
	       name, a, m, h);
}

static void print_worst(const char *name, const struct worst *w,
			const char *prefix)
{
	char e[24], b[24], d[512];
	struct rscen rs;

	if (!w->ratio) {
		printf("%s%s worst: none\n", prefix, name);
		return;
	}
	fmt_sns(e, sizeof(e), w->err);
	fmt_ns(b, sizeof(b), w->bound);
	gen_scen(w->seed, &rs);
	describe(&rs, d, sizeof(d));
	printf("%s%s worst: %.3gx the bound, seed %llu at %.1f s: error %s, bound %s, ",
	       prefix, name, w->ratio, (unsigned long long)w->seed,
	       w->t / NS, e, b);
	if (w->src >= 0)
		printf("source s%d\n", w->src);
	else
		printf("%s\n", est_status_name(w->status));
	printf("%s  seed %llu: %s\n", prefix, (unsigned long long)w->seed, d);
}

static void print_price(const char *name, double sq, const struct hist *err,
			const struct hist *bound)
{
	char r[24], m[24], b[24];

	fmt_ns(r, sizeof(r), err->total ? sqrt(sq / err->total) : NAN);
	fmt_ns(m, sizeof(m), hist_median(err));
	fmt_ns(b, sizeof(b), hist_median(bound));
	printf("%-12s rms error %s, median |error| %s, median bound %s\n",
	       name, r, m, b);
}

static void print_summary(const struct rtot *tot, uint64_t seed, int n)
{
	int i;

	printf("vmclock random scenarios: seeds %llu..%llu, %ld scenarios, %.1f scenario-minutes, check every %.0f ms\n",
	       (unsigned long long)seed, (unsigned long long)(seed + n - 1),
	       tot->scen, tot->minutes, EVAL_NS / 1e6);
	printf("checks %ld: %ld blind after an unseen pause, %ld unsynchronized or unknown bound (not counted)\n",
	       tot->checks, tot->blind, tot->unsync);
	print_cov("vmclock", tot->vm);
	printf("vmclock bound below what the evidence needs: %ld checks\n",
	       tot->narrow);
	print_cov("chrony-like", tot->ch);
	print_price("vmclock", tot->vm_sq, &tot->vm_err, &tot->vm_bound);
	print_price("chrony-like", tot->ch_sq, &tot->ch_err, &tot->ch_bound);
	printf("vmclock misses while a fault was on:");
	for (i = M_DRIFT; i < M_MAX; i++)
		printf(" %s %ld,", misb_names[i], tot->by[i]);
	printf(" after an unseen pause %ld, none %ld\n", tot->by[M_MAX],
	       tot->by[M_NONE]);
	printf("scenarios with a vmclock miss: %ld", tot->failed);
	for (i = 0; i < tot->failed && i < LIST_SEEDS; i++)
		printf("%s%llu", i ? " " : " (seeds ",
		       (unsigned long long)tot->failing[i]);
	printf("%s\n", !tot->failed ? "" : tot->failed > LIST_SEEDS ?
	       " ...)" : ")");
	print_worst("vmclock", &tot->worst, "");
	print_worst("chrony-like", &tot->ch_worst, "");
}

/* With -v one line; with -v -v also its first misses. */
static void print_scen(const struct rscen *rs, const struct rres *res,
		       int verbose)
{
	char d[512], e[24], b[24];
	int i, j;

	describe(rs, d, sizeof(d));
	printf("  seed %llu: %ld checks (%ld blind), vmclock %ld missed of %ld (worst %.3gx, %ld below the evidence), chrony-like %ld of %ld | %s\n",
	       (unsigned long long)rs->seed, res->checks, res->blind,
	       res->vm.miss, res->vm.n, res->worst.ratio, res->narrow,
	       res->ch.miss, res->ch.n, d);
	for (i = 0; verbose > 1 && i < res->vm.miss && i < MISS_LINES; i++) {
		const struct missrec *m = &res->first[i];

		fmt_sns(e, sizeof(e), m->err);
		fmt_ns(b, sizeof(b), m->bound);
		printf("    miss at %.1f s: error %s, bound %s, %s; hosts", m->t / NS,
		       e, b, est_status_name(m->status));
		for (j = 0; j < rs->nsrc; j++) {
			fmt_sns(e, sizeof(e), m->src_err[j]);
			printf(" s%d %s %s", j, est_src_state_name(m->state[j]),
			       e);
		}
		printf("\n");
	}
}

/*
 * Seeds beyond the make check range that once found a miss (two unseen
 * pauses close together, a blocked read after one) or a bound below the
 * evidence (5515: two intervals that touched only in the rounded figures
 * of est_source_get(), see evidence.h); with -t they run too.
 */
static const uint64_t regress_seeds[] = { 791, 1319, 4182, 5515 };

static void random_one(uint64_t seed, int verbose, struct rtot *tot)
{
	struct rscen rs;
	struct rres res;

	gen_scen(seed, &rs);
	run_random(&rs, &res, tot);
	if (verbose)
		print_scen(&rs, &res, verbose);
	tot_add(tot, &rs, &res);
}

/*
 * bench -R: n scenarios from seed on. Prints a summary (and with tap,
 * one TAP result: no check missed). Returns the exit status.
 */
int random_main(uint64_t seed, int n, int verbose, int tap, int report_only)
{
	struct rtot *tot = calloc(1, sizeof(*tot));
	struct tally all;
	int k, fail;

	if (n < 1)
		n = 1;
	for (k = 0; k < n; k++)
		random_one(seed + k, verbose, tot);
	for (k = 0; tap && k < (int)ARRAY_SIZE(regress_seeds); k++)
		if (regress_seeds[k] < seed || regress_seeds[k] >= seed + n)
			random_one(regress_seeds[k], verbose, tot);
	print_summary(tot, seed, n);
	all = tot->vm[0];
	tally_add(&all, &tot->vm[1]);
	fail = all.miss > 0 || tot->narrow > 0;
	printf("random: %s\n", fail ? "MISS" : "ok");
	if (tap) {
		printf("1..1\n");
		if (fail) {
			printf("not ok 1 random: %ld of %ld checks outside the bound in %ld of %ld scenarios, %ld below the evidence\n",
			       all.miss, all.n, tot->failed, tot->scen,
			       tot->narrow);
			print_worst("vmclock", &tot->worst, "# ");
		} else {
			printf("ok 1 random: %ld scenarios, %.0f scenario-minutes, %ld checks within the bound\n",
			       tot->scen, tot->minutes, all.n);
		}
	}
	free(tot);
	return fail && !report_only;
}
