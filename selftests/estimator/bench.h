/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replay bench's simulated world, shared by its two drivers: the
 * hand-written scenarios (bench.c) and the random scenario generator
 * (bench_random.c).
 */
#ifndef _VMCLOCK_BENCH_H
#define _VMCLOCK_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "estimator.h"

#define NS		1e9
#define UTC0		1767225600000000000LL	/* 2026-01-01 */
#define RAW0		100000000000LL		/* 100 s of uptime */
#define EVAL_NS		100000000.0		/* evaluate every 100 ms */
#define MAXS		EST_MAX_SOURCES
#define NREAD		5	/* default reads per poll, back to back */
#define REP_WANDER	0.2	/* a reporting host's wander, of its report */
#define REP_JIT		0.05	/* its reports' fluctuation */

/* ---- PRNG: splitmix64 seeding xoshiro256** ---- */
struct rng {
	uint64_t s[4];
	int have;
	double spare;
};

void rng_seed(struct rng *r, uint64_t seed);
double rng_u(struct rng *r);
double rng_n(struct rng *r);

/* ---- simulated world ---- */
enum kind { K_KVM, K_HYPERV, K_ENA };

struct simsrc {
	enum kind kind;
	const char *name;
	struct est_source_cfg cfg;
	double bias;		/* host clock error, ns (constant) */
	double asym;		/* where in the bracket the source is read */
	double base_delay, delay_exp;
	double noise;		/* white noise of the source, ns */
	double slow_p, slow_ns;	/* slow reads */
	double err_p;		/* read errors */
	double step_at, step_ns;
	double poll;		/* ns */
	int nread;		/* reads per poll */
	int err_per_poll;	/* report a poll without a good read, not each */
	double next_poll;
	double step_done;
	int falseticker;
	/* a host that goes wrong: from mis_at its error is mis_off, growing */
	int mis;
	double mis_at, mis_off, mis_rate;
	/*
	 * A host that reports its error bound (est_source_host_error()):
	 * rep_lo, rep_hi from rep_t1 to rep_t2, each report off by up to
	 * rep_jit of it; its real error is rep_frac of the level plus a
	 * wander of REP_WANDER of it, so always inside the report.
	 */
	int rep;
	double rep_lo, rep_hi, rep_t1, rep_t2, rep_frac, rep_phase, rep_jit;
	double rep_last;	/* the last report given */
	/* hyper-v host push */
	double push_next, push_val, push_raw;
	long push_idx, seen_idx;
	double last_read_raw;
	/* stats */
	long polls;
	long ft_polls;		/* polls until marked falseticker */
	double ft_time;
	int first_poll_done;
	double first_poll_t;
	double oracle_r;	/* variance of the random read error */
};

struct world {
	struct rng rng;
	double tau;		/* simulation time, ns (truth: UTC0 + tau) */
	double raw;		/* raw clock minus RAW0, ns */
	double drift;		/* raw rate minus 1 */
	double wander;		/* sigma of drift random walk, 1/sqrt(ns) */
	int paused;
};

/* The read of a poll with the narrowest bracket. */
struct best {
	double mid, y, d;
};

struct okf;

void world_init(struct world *w, uint64_t seed);
void world_adv(struct world *w, double tau);
void world_pause(struct world *w, struct simsrc *src, int n, double len,
		 double *next_eval, double *next_tick);
void src_setup(struct simsrc *s, enum kind k, struct rng *r);
void src_start(struct simsrc *s);
double host_err(const struct simsrc *s, double t);
double host_rep_level(const struct simsrc *s, double t);
void host_report(struct world *w, struct simsrc *s, struct est *est, int id);
double next_event(const struct simsrc *src, int n, double t);
void host_events(struct world *w, struct simsrc *src, int n);
int poll_reads(struct world *w, struct simsrc *s, struct est *est, int id,
	       int lost, struct okf *ok, struct best *b);
void poll_next(const struct est *est, struct simsrc *s, int id, double now);
double check_raw(const struct world *w, double *tru);
void fmt_ns(char *b, size_t n, double v);
int cmpd(const void *a, const void *b);

/* bench -R (bench_random.c): scenarios seed.., returns the exit status */
#define RANDOM_N	600	/* default: over 10,000 scenario-minutes */
int random_main(uint64_t seed, int n, int verbose, int tap, int report_only);

#endif /* _VMCLOCK_BENCH_H */
