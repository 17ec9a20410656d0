// SPDX-License-Identifier: GPL-2.0
/*
 * vmclock estimator.
 *
 * Per source, a two-state Kalman filter tracks the offset of the source
 * against the guest raw clock and its frequency, with the measurement
 * noise estimated from second differences of the samples and the
 * frequency wander adapted from the normalized innovations. Reads are
 * screened by their bracket width (slow reads) and by the innovation
 * (popcorn); a run of consistent outliers is a step. A Marzullo-style
 * intersection selects the sources that agree, their weighted mean is
 * published as a linear function of raw time with a linearly growing
 * error bound, slewed rather than stepped.
 *
 * Fixed point (T is 2^30 ns, about one second):
 *   offset   ns     Q.16        frequency  ns/T    Q.32
 *   P_oo     ns^2   Q.16        P_of       ns^2/T  Q.20
 *   P_ff   (ns/T)^2 Q.24        q       ns^2/T^3   Q.24
 *   dt       T      Q.16
 *
 * See Documentation/estimator.rst.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/types.h>
#else
#include "estimator_shim.h"
#endif

#include "estimator.h"

/* Samples before a source has an estimate. */
#define EST_MIN_GOOD		3
/* Samples after a reset or disruption before it counts as settled. */
#define EST_SETTLE_GOOD		8
/* Sigma multiplier of the statistical part of the bound. */
#define EST_K			4
/* Innovation gate, in sigmas. */
#define EST_GATE		5
/* Inconsistent outliers in a row after which the filter restarts. */
#define EST_REINIT_REJECTS	8
/* Largest slew rate: 500 ppm. */
#define EST_SLEW_MAX		(500000LL * EST_FREQ_PPB)
/* Default step threshold and holdover limit. */
#define EST_STEP_DEFAULT	(1000000ULL)
#define EST_MAX_BOUND_DEFAULT	(16ULL * 1000000000ULL)
/* Default largest accepted bracket. */
#define EST_MAX_DELAY_DEFAULT	(10000000U)

/* Initial frequency sigma: 500 ppm in ns/T Q.24 squared. */
#define EST_SIGF0		536871ULL
#define EST_PFF0		(EST_SIGF0 * EST_SIGF0 << 24)
/* Frequency random walk density bounds and start value, Q.24. */
#define EST_Q_MIN		BIT_ULL(11)
#define EST_Q_MAX		BIT_ULL(44)
#define EST_Q_INIT		BIT_ULL(20)
/* Variance cap, Q.16 ns^2: about (8.4 ms)^2. */
#define EST_VAR_MAX		BIT_ULL(62)
/* Fraction bits of the tracked minimum bracket; it rises 2^-N ns/sample. */
#define EST_DMIN_SHIFT		4
/* Bracket assumed for the noise of exact pairs until it is learned, ns. */
#define EST_NOISE0		1000ULL
/* Shortest span for taking the frequency from two samples. */
#define EST_TWO_POINT_NS	100000000LL
/* Frequency sigma below which a frequency is kept across resets. */
#define EST_FREQ_KEEP		(1073ULL * 1073ULL << 24)
/* Sources more than this many times worse (sigma) are not averaged. */
#define EST_COMBINE_LIMIT	2
/* Updates between two checks of the wander model. */
#define EST_CK_SAMPLES		8
/* Shortest span of one check of the wander model: 64 s. */
#define EST_CK_SPAN_NS		(64LL * 1000000000LL)

#define Q16			65536LL

static u64 u64_abs(s64 v)
{
	return v < 0 ? -(u64)v : (u64)v;
}

static u64 sat_add(u64 a, u64 b)
{
	return a + b < a ? U64_MAX : a + b;
}

static s64 s_sat(u64 mag, bool neg)
{
	if (mag > (u64)S64_MAX)
		mag = S64_MAX;
	return neg ? -(s64)mag : (s64)mag;
}

static s64 s_add(s64 a, s64 b)
{
	s64 r = (s64)((u64)a + (u64)b);

	if (a >= 0 && b >= 0 && r < 0)
		return S64_MAX;
	if (a < 0 && b < 0 && r >= 0)
		return -S64_MAX;
	return r;
}

/* (a * b) >> shift, saturating. */
static u64 umul_shr(u64 a, u64 b, unsigned int shift)
{
	if (!a || !b)
		return 0;
	if (fls64(a) + fls64(b) > 64 + (int)shift)
		return U64_MAX;
	return mul_u64_u64_shr(a, b, shift);
}

/* Signed (a * b) >> shift, rounding toward zero, saturating. */
static s64 smul_shr(s64 a, s64 b, unsigned int shift)
{
	return s_sat(umul_shr(u64_abs(a), u64_abs(b), shift),
		     (a < 0) != (b < 0));
}

/* Signed (a * b) >> shift, rounded to nearest, saturating; shift >= 1. */
static s64 smul_shr_round(s64 a, s64 b, unsigned int shift)
{
	u64 r = umul_shr(u64_abs(a), u64_abs(b), shift - 1);

	r = r == U64_MAX ? r : (r + 1) >> 1;
	return s_sat(r, (a < 0) != (b < 0));
}

/*
 * (a << shift) / b for b > 0, saturating. A long division, so that the
 * divisor keeps at least 60 bits however large the quotient is (scaling
 * the divisor down left it 64 minus the quotient's bits).
 */
static u64 udiv_shl(u64 a, u64 b, unsigned int shift)
{
	int k = fls64(b) - 60;
	unsigned int n;
	u64 q, rem, res;

	if (!a)
		return 0;
	if (!b)
		return U64_MAX;
	if (fls64(a) + (int)shift <= 64)
		return div64_u64(a << shift, b);
	if (k > 0) {
		/* leave room for a few quotient bits per step */
		b >>= k;
		if ((int)shift >= k) {
			shift -= k;
		} else {
			a >>= k - shift;
			shift = 0;
		}
	}
	q = div64_u64(a, b);
	if (q && fls64(q) + (int)shift > 64)
		return U64_MAX;
	rem = a - q * b;
	res = q << shift;
	while (shift) {
		n = min_t(unsigned int, shift, 64 - fls64(b));
		shift -= n;
		rem <<= n;
		q = div64_u64(rem, b);
		rem -= q * b;
		res += q << shift;
	}
	return res;
}

static s64 sdiv_shl(s64 a, u64 b, unsigned int shift)
{
	return s_sat(udiv_shl(u64_abs(a), b, shift), a < 0);
}

/* v << shift, saturating. */
static s64 s_shl(s64 v, unsigned int shift)
{
	u64 m = u64_abs(v);

	if (m && fls64(m) + (int)shift > 62)
		return v < 0 ? -S64_MAX : S64_MAX;
	return v < 0 ? -(s64)(m << shift) : (s64)(m << shift);
}

/*
 * Integer square root, rounded down (bit by bit; no dependency on where
 * a kernel version declares int_sqrt64()). A Q.2n value gives Q.n.
 */
static u64 usqrt(u64 v)
{
	u64 r = 0, b = 1ULL << 62;

	while (b > v)
		b >>= 2;
	while (b) {
		if (v >= r + b) {
			v -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

/* Offset in ns (Q.16) to whole ns, rounding up in magnitude. */
static u64 q16_ceil(u64 v)
{
	return (v >> 16) + !!(v & 0xffff);
}

/* --- Kalman filter of one source --------------------------------- */

static void kf_start(struct est_kf *kf, s64 t, s64 y2, u64 r, bool keep_freq)
{
	kf->t_ref = t;
	kf->off_base = y2 >> 1;
	kf->off = (y2 & 1) ? Q16 / 2 : 0;
	kf->p_oo = r;
	kf->p_of = 0;
	if (!keep_freq) {
		kf->freq = 0;
		kf->p_ff = EST_PFF0;
		kf->q = EST_Q_INIT;
		kf->nis = Q16;
		kf->lnis = 0;
	} else {
		kf->p_ff = min_t(u64, sat_add(kf->p_ff, 3 * kf->p_ff) + 1,
				 EST_PFF0);
	}
	kf->ck_t = 0;
}

static void kf_renorm(struct est_kf *kf)
{
	s64 whole = kf->off >> 16;

	kf->off_base = s_add(kf->off_base, whole);
	kf->off -= whole * Q16;
}

/*
 * Cap the frequency variance at the initial one, (500 ppm)^2, and scale
 * the covariance with its sigma: capping P_ff alone leaves |P_of| above
 * sqrt(P_oo P_ff), a covariance no state can have.
 */
static void kf_cap_ff(u64 *p_ff, s64 *p_of)
{
	u64 f;

	if (*p_ff <= EST_PFF0)
		return;
	f = usqrt(udiv_shl(EST_PFF0, *p_ff, 62));	/* Q.31 */
	*p_of = smul_shr(*p_of, (s64)f, 31);
	*p_ff = EST_PFF0;
}

/*
 * Covariance after a span of dt raw ns; does not touch the state. Short
 * spans keep 32 fraction bits (the first updates subtract nearly equal
 * terms), long ones trade them for range; a term that saturates makes
 * the offset variance saturate too, never wrap or shrink.
 */
static void kf_cov(const struct est_kf *kf, u64 dt, u64 *p_oo, s64 *p_of,
		   u64 *p_ff)
{
	s64 sdt = (s64)min_t(u64, dt, S64_MAX);
	s64 c1 = smul_shr(kf->p_of, sdt, 34);	/* ns^2 Q.16 */
	u64 dt2, dt3, t_ff, t_q, t_qf, oo;
	bool sat;

	if (dt < BIT_ULL(40)) {			/* up to ~18 min */
		dt2 = umul_shr(dt, dt, 28);	/* T^2, Q.32 */
		dt3 = umul_shr(dt2, dt, 30);	/* T^3, Q.32 */
		t_ff = umul_shr(dt2, kf->p_ff, 40);
		t_q = umul_shr(kf->q, dt3, 40);
		t_qf = umul_shr(kf->q, dt2, 36);
	} else {
		dt2 = umul_shr(dt, dt, 44);	/* T^2, Q.16 */
		dt3 = umul_shr(dt2, dt, 46);	/* T^3, Q.0 */
		t_ff = umul_shr(dt2, kf->p_ff, 24);
		t_q = umul_shr(kf->q, dt3, 8);
		t_qf = umul_shr(kf->q, dt2, 20);
	}
	sat = dt2 == U64_MAX || dt3 == U64_MAX || t_ff == U64_MAX ||
		t_q == U64_MAX || u64_abs(c1) >= (u64)S64_MAX;
	oo = sat_add(sat_add(kf->p_oo, t_ff), t_q / 3);
	if (c1 >= 0)
		oo = sat_add(oo, 2 * (u64)c1);
	else
		oo = oo > 2 * u64_abs(c1) ? oo - 2 * u64_abs(c1) : 1;
	*p_oo = sat ? EST_VAR_MAX : min_t(u64, oo, EST_VAR_MAX);
	*p_of = s_add(kf->p_of, smul_shr((s64)min_t(u64, kf->p_ff, S64_MAX),
					 sdt, 34));
	*p_of = s_add(*p_of, (s64)min_t(u64, t_qf / 2, S64_MAX));
	*p_ff = sat_add(kf->p_ff, umul_shr(kf->q, dt, 30));
	kf_cap_ff(p_ff, p_of);
}

static void kf_predict(struct est_kf *kf, s64 t)
{
	u64 dt;

	if (t <= kf->t_ref)
		return;
	dt = t - kf->t_ref;
	kf->off = s_add(kf->off, smul_shr(kf->freq, (s64)dt, 46));
	kf_cov(kf, dt, &kf->p_oo, &kf->p_of, &kf->p_ff);
	kf->t_ref = t;
	kf_renorm(kf);
}

/* Innovation (Q.16 ns) of a measurement 2*y = y2 against the state. */
static s64 kf_innov(const struct est_kf *kf, s64 y2)
{
	s64 d2 = s_add(y2, -s_sat(u64_abs(kf->off_base) * 2,
				  kf->off_base < 0));

	return s_add(s_shl(d2, 15), -kf->off);
}

/* Second sample without a frequency: take it from the two points. */
static void kf_two_point(struct est_kf *kf, s64 t, s64 nu, u64 r)
{
	u64 dt = t - kf->t_ref;
	u64 dt2 = umul_shr(dt, dt, 28);
	s64 dy = nu;

	kf->off = s_add(kf->off, dy);
	kf->t_ref = t;
	kf->freq = sdiv_shl(dy, dt, 46);
	kf->p_ff = udiv_shl(sat_add(kf->p_oo, r), dt2, 40);
	kf->p_of = (s64)min_t(u64, udiv_shl(r, dt, 34), S64_MAX);
	kf->p_oo = r;
	kf_cap_ff(&kf->p_ff, &kf->p_of);
	kf_renorm(kf);
}

/*
 * Keep the covariance positive semi-definite: |P_of| <= sqrt(P_oo P_ff).
 * Rounding can break it where the correlation is close to one (first
 * samples that differ much in variance); an update from such a prior
 * takes more than the whole frequency variance away, P_ff collapses to
 * its floor and the frequency freezes, however wrong.
 */
static void kf_psd(struct est_kf *kf)
{
	u64 cap = umul_shr(usqrt(kf->p_oo), usqrt(kf->p_ff), 0);

	cap = min_t(u64, cap, S64_MAX);
	kf->p_of = clamp_t(s64, kf->p_of, -(s64)cap, (s64)cap);
}

static void kf_update(struct est_kf *kf, s64 nu, u64 r)
{
	u64 s = sat_add(kf->p_oo, r);
	u64 ko = udiv_shl(kf->p_oo, s, 32);
	s64 kfr, p_of;
	u64 d;

	kf_psd(kf);
	p_of = kf->p_of;
	kfr = sdiv_shl(p_of, s, 28);
	kf->off = s_add(kf->off, smul_shr((s64)ko, nu, 32));
	kf->freq = s_add(kf->freq, smul_shr(kfr, nu, 16));
	kf->p_oo = max_t(u64, kf->p_oo - umul_shr(ko, kf->p_oo, 32), 1);
	d = u64_abs(smul_shr(kfr, p_of, 28));
	kf->p_ff = kf->p_ff > d + 1 ? kf->p_ff - d : 1;
	kf->p_of = p_of - smul_shr((s64)ko, p_of, 32);
	kf_psd(kf);
	kf_renorm(kf);
}

/*
 * Adapt the frequency wander density: every EST_CK_SPAN_NS (and at
 * least EST_CK_SAMPLES updates),
 * compare how far the estimate moved from what the state of the last
 * checkpoint predicted with the variance the model expects for that
 * move (predicted minus current offset variance).
 */
static void kf_ck_set(struct est_kf *kf, s64 t)
{
	kf->ck_t = t;
	kf->ck_base = kf->off_base;
	kf->ck_off = kf->off;
	kf->ck_freq = kf->freq;
	kf->ck_p_oo = kf->p_oo;
	kf->ck_p_of = kf->p_of;
	kf->ck_p_ff = kf->p_ff;
	kf->ck_n = 0;
}

static void kf_wander(struct est_kf *kf, s64 t)
{
	struct est_kf ck;
	u64 p_oo, p_ff, exp, e2, ratio, fac;
	s64 p_of, e;
	u64 dt;

	if (!kf->ck_t || t <= kf->ck_t) {
		kf_ck_set(kf, t);
		return;
	}
	dt = t - kf->ck_t;
	if (++kf->ck_n < EST_CK_SAMPLES || dt < EST_CK_SPAN_NS)
		return;
	memset(&ck, 0, sizeof(ck));
	ck.p_oo = kf->ck_p_oo;
	ck.p_of = kf->ck_p_of;
	ck.p_ff = kf->ck_p_ff;
	ck.q = kf->q;
	kf_cov(&ck, dt, &p_oo, &p_of, &p_ff);
	exp = p_oo > kf->p_oo ? p_oo - kf->p_oo : 1;
	exp = max_t(u64, exp, kf->p_oo / 4 + 1);
	e = s_add(s_shl(s_add(kf->off_base, -kf->ck_base), 16), kf->off);
	e = s_add(e, -s_add(kf->ck_off, smul_shr(kf->ck_freq, (s64)dt, 46)));
	e2 = umul_shr(u64_abs(e), u64_abs(e), 16);
	/* one chi-square(1) draw: cap it so a single one cannot run away */
	ratio = min_t(u64, udiv_shl(e2, exp, 16), 8 * Q16);
	if (!kf->lnis)
		kf->lnis = Q16;
	kf->lnis = kf->lnis + ratio / 8 - kf->lnis / 8;
	/* q *= sqrt(mean ratio), at most x4/3 or x3/4 per checkpoint */
	fac = clamp_t(u64, usqrt(kf->lnis << 16), 3 * Q16 / 4, 4 * Q16 / 3);
	kf->q = clamp_t(u64, umul_shr(kf->q, fac, 16), EST_Q_MIN, EST_Q_MAX);
	kf_ck_set(kf, t);
}

/* Frequency sigma in ns/T Q.12 plus the wander over the horizon. */
static u64 kf_sigf(const struct est_kf *kf)
{
	return usqrt(kf->p_ff);
}

/* --- per-source helpers -------------------------------------------- */

static u64 src_gran(const struct est_source *s)
{
	return s->cfg.granularity_ns ? s->cfg.granularity_ns : 1;
}

/*
 * Threshold telling a fresh host sample from a repeated one, Q.1 ns,
 * for two reads with brackets d1 and d2. Reads of one host sample share
 * its noise; they differ by a granule each and by where in its bracket
 * each was taken, up to half of each bracket.
 */
static u64 src_plat_thr(const struct est_source *s, u32 d1, u32 d2)
{
	return 4 * src_gran(s) + d1 + d2;
}

static u64 src_stale_age(const struct est_source *s)
{
	u64 poll = s->cfg.poll_ns ? s->cfg.poll_ns : 1000000000ULL;
	u64 age = max_t(u64, 8 * poll, 1000000000ULL);

	if (s->cfg.update_period_ns)
		age = max_t(u64, age, 3 * s->cfg.update_period_ns + 2 * poll);
	return age;
}

/* Measurement noise floor, Q.16 ns^2. */
static u64 src_r_floor(const struct est_source *s)
{
	u64 g = src_gran(s);

	return (g * g << 16) / 12 + Q16 / 4;
}

/* Systematic part of the bound, ns: host error, asymmetry, granularity. */
static u64 src_sys(const struct est_source *s)
{
	u64 b = s->host_err + s->half_delay + (src_gran(s) + 1) / 2;

	if (s->cfg.update_period_ns) {
		/* host sample located within plat_span: timing error */
		u64 fa = u64_abs(s->kf.freq) >> 20;	/* ns/T Q.12 */
		u64 fs = EST_K * kf_sigf(&s->kf);
		u64 thr = src_plat_thr(s, s->delay_min, s->delay_min) / 2 +
			4 * q16_ceil(usqrt(s->kf.r) << 8);

		b += umul_shr(fa + fs, s->plat_span / 2, 42) + 1;
		/*
		 * A host sample moving the value by less than the detection
		 * threshold plus four sigma of its noise (which can cancel
		 * the drift) may go unseen: only when the drift over one
		 * period can be that small.
		 */
		if (fa <= fs || umul_shr(fa - fs, s->cfg.update_period_ns,
					 42) <= thr)
			b += thr;
		else
			b += thr / 2;
	}
	return b;
}

static void src_hist_push(struct est_source *s, s64 raw, s64 y2, u32 delay,
			  enum est_sample_result res)
{
	struct est_sample_rec *h = &s->hist[s->hist_pos];
	u32 i, dmin = U32_MAX;

	h->raw = raw;
	h->y = y2;
	h->delay = delay;
	h->result = res;
	s->hist_pos = (s->hist_pos + 1) % EST_WINDOW;
	if (s->hist_n < EST_WINDOW)
		s->hist_n++;
	/*
	 * A run of slow reads: the source reads slower now (a cross
	 * timestamp fell back to a bracketed read, a busier host). Forget
	 * the faster reads before the run, so that the minimum, and with
	 * it the asymmetry bound, is the run's from its next read on.
	 */
	for (i = s->n_slow; s->n_slow >= EST_WINDOW / 2 && i < s->hist_n; i++)
		s->hist[(s->hist_pos + EST_WINDOW - 1 - i) % EST_WINDOW].delay =
			U32_MAX;
	for (i = 0; i < s->hist_n; i++)
		dmin = min(dmin, s->hist[i].delay);
	/*
	 * Track the minimum bracket over a long horizon: it rises by
	 * 2^-EST_DMIN_SHIFT ns per sample unless a read is faster; after a
	 * run of slow reads, fall back to the minimum of the run.
	 */
	if (s->hist_n == 1 || s->n_slow >= EST_WINDOW / 2)
		s->dmin_fx = (u64)dmin << EST_DMIN_SHIFT;
	else
		s->dmin_fx = min_t(u64, (u64)delay << EST_DMIN_SHIFT,
				   s->dmin_fx + 1);
	s->delay_min = (u32)(s->dmin_fx >> EST_DMIN_SHIFT);
	/*
	 * The fixed asymmetry is bounded by half the minimum bracket (the
	 * excess is shared at random, see src_excess_var()). Use the
	 * recent window, which follows a rising bracket at once, and decay
	 * slowly so older samples still in the estimate stay covered.
	 */
	s->half_delay = max((dmin + 1) / 2, s->half_delay - s->half_delay / 16);
}

/*
 * Variance of a read's excess delay, shared at random by both sides,
 * Q.16 ns^2. The tracked minimum sits above the true one by about
 * sqrt(mean excess / 2^EST_DMIN_SHIFT); @halves counts that margin in
 * half steps (2: the weighting of reads, 1: the noise estimate, where
 * the full margin would explain away the base noise).
 */
static u64 src_excess_var(const struct est_source *s, u32 delay, u32 halves)
{
	u64 d = (u64)delay << EST_DMIN_SHIFT;
	u64 ex = d > s->dmin_fx ? d - s->dmin_fx : 0;

	ex += usqrt((u64)s->delay_dev << EST_DMIN_SHIFT) * halves / 2;
	return ((ex * ex) << (16 - 2 * EST_DMIN_SHIFT)) / 12;
}

/*
 * Fold a fed measurement into the estimate of the base noise (the part
 * not explained by the excess delay): second differences of the samples
 * after taking out the estimated frequency.
 */
static void src_noise(struct est_source *s, s64 t, s64 y2, u64 x)
{
	s64 d0, d1, e, v, rr;
	u64 e2, xs, base, gain;
	u32 n;

	if (s->prev_n >= 2) {
		d0 = s_add(s->prev_y[1], -s->prev_y[0]);
		d0 = s_add(d0, -smul_shr(s->kf.freq,
					 s->prev_t[1] - s->prev_t[0], 61));
		d1 = s_add(y2, -s->prev_y[1]);
		d1 = s_add(d1, -smul_shr(s->kf.freq, t - s->prev_t[1], 61));
		e = s_add(d1, -d0);
		/* e is in Q.1; e^2 in Q.16 ns^2 */
		e2 = umul_shr(u64_abs(e), u64_abs(e), 2);
		e2 = e2 > (U64_MAX >> 17) ? (U64_MAX >> 1) : e2 << 16;
		xs = sat_add(sat_add(x, 4 * s->prev_x[1]), s->prev_x[0]);
		xs = min_t(u64, xs, U64_MAX >> 1);
		/*
		 * Triples with much excess delay say little about the base
		 * noise: fold each with a gain scaled by the share of its
		 * variance that the base noise explains.
		 */
		base = 6 * max_t(u64, s->kf.r, src_r_floor(s));
		gain = udiv_shl(base, sat_add(base, xs), 16);	/* Q.16 */
		v = ((s64)e2 - (s64)xs) / 6;
		n = min_t(u32, s->kf.r_n + 1, 16);
		rr = (s64)min_t(u64, s->kf.r, S64_MAX >> 1);
		if (s->kf.r_n == 0)
			rr = max_t(s64, v, 0);
		else
			rr = s_add(rr, smul_shr(s_add(v, -rr), (s64)gain, 16) /
				   (s64)n);
		s->kf.r = rr > 0 ? rr : 0;
		if (s->kf.r_n < U32_MAX)
			s->kf.r_n++;
		s->prev_y[0] = s->prev_y[1];
		s->prev_t[0] = s->prev_t[1];
		s->prev_x[0] = s->prev_x[1];
		s->prev_n = 1;
	}
	s->prev_y[s->prev_n] = y2;
	s->prev_t[s->prev_n] = t;
	s->prev_x[s->prev_n] = x;
	s->prev_n++;
}

/* Measurement variance for this sample, Q.16 ns^2. */
static u64 src_meas_var(const struct est_source *s, u32 delay, u64 tspan)
{
	u64 r = max_t(u64, s->kf.r, src_r_floor(s));

	r = sat_add(r, src_excess_var(s, delay, 2));
	if (s->kf.r_n < EST_SETTLE_GOOD) {
		/*
		 * Noise not known yet: assume the whole bracket. A cross
		 * timestamp (an exact pairing, no bracket wider than a
		 * granule) has none to go by; assume EST_NOISE0 rather
		 * than nothing, or the device's noise between the first
		 * reads is taken for steps and never learned.
		 */
		u64 h = max_t(u64, delay, delay <= src_gran(s) ? EST_NOISE0 :
			      0) / 2 + src_gran(s);

		r = max_t(u64, r, (h * h << 16) / 3);
	}
	if (tspan) {
		/* timing of a periodic host sample known to +-tspan/2 */
		u64 f = u64_abs(s->kf.freq) >> 20;	/* ns/T Q.12 */
		u64 ts = umul_shr(f + EST_K * kf_sigf(&s->kf), tspan, 34);

		r = sat_add(r, umul_shr(ts, ts, 0) / 12);
	}
	return r;
}

static void src_reset_counts(struct est_source *s)
{
	s->n_good = 0;
	s->n_reject = 0;
	s->prev_n = 0;
	s->plat_valid = false;
	s->seen_valid = false;
}

/*
 * Consistent run of outliers: a step. The outliers are those since the
 * last accepted read (@out_raw, @out_y), not the last reads: a source
 * extrapolating a host sample every few seconds shows a step only on
 * each new host sample, with repeated ones in between. Those are
 * located in time to within the span between two reads, which the
 * tolerance allows for at the source's frequency and its uncertainty.
 */
static bool src_step_confirmed(const struct est_source *s)
{
	u32 k, a = (s->n_reject - 1) % EST_STEP_CONFIRM, b;
	u64 tol;
	s64 dy;

	if (s->n_reject < EST_STEP_CONFIRM)
		return false;
	tol = 2 * (8 * q16_ceil(usqrt(max_t(u64, s->kf.r, src_r_floor(s)))
				<< 8) + s->delay_min + 2 * src_gran(s));
	if (s->cfg.update_period_ns)
		tol += 2 * (umul_shr((u64_abs(s->kf.freq) >> 20) +
				     EST_K * kf_sigf(&s->kf), s->plat_span,
				     42) + 1);
	for (k = 1; k < EST_STEP_CONFIRM; k++) {
		b = (a + EST_STEP_CONFIRM - k) % EST_STEP_CONFIRM;
		dy = s_add(s->out_y[a], -s->out_y[b]);
		dy = s_add(dy, -smul_shr(s->kf.freq,
					 s->out_raw[a] - s->out_raw[b], 61));
		if (u64_abs(dy) > tol)
			return false;
	}
	return s->out_raw[a] - s->out_raw[b] >=
		(s64)(s->cfg.poll_ns ? s->cfg.poll_ns / 2 : 1000000);
}

/*
 * Too few reads since a start to gate outliers statistically, and a
 * step between them would be taken for frequency: an innovation @nu
 * (Q.16, over @dt ns since the state) that no rate within
 * EST_FREQ_LIMIT explains, beyond EST_GATE sigma, half a bracket and a
 * granule, is a step.
 */
static bool src_jumped(const struct est_source *s, s64 nu, u64 dt, u64 r)
{
	u64 lim = umul_shr(EST_FREQ_LIMIT, dt, EST_FREQ_SHIFT);

	lim = sat_add(lim, EST_GATE * q16_ceil(usqrt(sat_add(s->kf.p_oo, r))
						<< 8));
	lim = sat_add(lim, src_gran(s) + s->half_delay + 1);
	return q16_ceil(u64_abs(nu)) > lim;
}

/* (Re)start the filter at this measurement, keeping a known frequency. */
static void src_restart(struct est_source *s, s64 t, s64 y2, u64 r,
			u32 delay)
{
	kf_start(&s->kf, t, y2, r, s->freq_valid);
	s->n_good = 1;
	s->n_reject = 0;
	s->prev_n = 0;
	s->last_good = t;
	src_noise(s, t, y2, src_excess_var(s, delay, 1));
}

/* Feed one measurement (2*y = y2 at raw t) to the filter. */
static enum est_sample_result src_feed(struct est_source *s, s64 t, s64 y2,
				       u32 delay, u64 tspan)
{
	u64 r = src_meas_var(s, delay, tspan);
	u64 sd, gate, dt = t > s->kf.t_ref ? t - s->kf.t_ref : 0;
	s64 nu;

	if (s->n_good == 0 || s->off_unknown) {
		src_restart(s, t, y2, r, delay);
		s->off_unknown = false;
		return EST_SAMPLE_ACCEPTED;
	}
	if (s->n_good == 1 && !s->freq_valid && dt >= EST_TWO_POINT_NS) {
		nu = kf_innov(&s->kf, y2);
		if (src_jumped(s, nu, dt, r))
			goto jumped;
		kf_two_point(&s->kf, t, nu, r);
		goto accepted;
	}
	kf_predict(&s->kf, t);
	nu = kf_innov(&s->kf, y2);
	sd = q16_ceil(usqrt(sat_add(s->kf.p_oo, r)) << 8);
	gate = EST_GATE * sd + src_gran(s) + s->half_delay;
	if (s->n_good >= EST_MIN_GOOD && q16_ceil(u64_abs(nu)) > gate)
		return EST_SAMPLE_OUTLIER;
	if (s->n_good < EST_MIN_GOOD && src_jumped(s, nu, dt, r))
		goto jumped;
	if (s->n_good >= EST_MIN_GOOD) {
		u64 nu2 = umul_shr(u64_abs(nu), u64_abs(nu), 16);
		u64 nis = min_t(u64, udiv_shl(nu2, sat_add(s->kf.p_oo, r), 16),
				100 * Q16);

		if (nis > s->kf.nis)
			s->kf.nis += (nis - s->kf.nis) / 16;
		else
			s->kf.nis -= (s->kf.nis - nis) / 16;
	}
	kf_update(&s->kf, nu, r);
	if (s->n_good >= EST_SETTLE_GOOD)
		kf_wander(&s->kf, t);
accepted:
	src_noise(s, t, y2, src_excess_var(s, delay, 1));
	s->n_good++;
	if (s->n_good >= EST_SETTLE_GOOD && s->kf.p_ff < EST_FREQ_KEEP)
		s->freq_valid = true;
	s->n_reject = 0;
	s->last_good = t;
	return EST_SAMPLE_ACCEPTED;

jumped:
	/* the reads so far stay on the older side of the step */
	src_restart(s, t, y2, r, delay);
	s->steps++;
	return EST_SAMPLE_STEP;
}

/*
 * A source has an estimate once it has EST_MIN_GOOD samples since its
 * last reset and these have told its frequency: a first burst of reads
 * only microseconds apart leaves it at the initial 500 ppm, and an
 * interval grown from that over a poll interval (ms wide after a
 * second) says nothing but may still reach into every other.
 */
static bool src_has_estimate(const struct est_source *s)
{
	return s->n_good >= EST_MIN_GOOD && !s->off_unknown &&
		s->kf.p_ff < EST_PFF0 / 4;
}

/* The host error in force by configuration and reports. */
static u64 src_host_target(const struct est_source *s)
{
	if (s->host_rep_valid && !(s->cfg.flags & EST_CFG_HOST_ERROR_FIXED))
		return s->host_rep;
	return s->cfg.host_error_ns;
}

/*
 * Make @target the source's host error. A larger one holds at once: the
 * samples behind the estimate were within the smaller one, hence within
 * it. A smaller one does not: the estimate averages samples that each
 * may have been off by the larger error, and claiming the smaller one
 * needs an estimate resting on samples taken under it. So a decrease
 * below half the value in force restarts the filter from the next read,
 * its frequency too (it came from the same samples: a host error that
 * moved within the larger bound moved their slope); a smaller decrease
 * keeps the larger value, which overstates the error at most twice and
 * spares the filter's memory on every fluctuation of the report.
 */
static void src_host_apply(struct est_source *s, u64 target)
{
	if (target >= s->host_err || !s->n_good) {
		s->host_err = target;
		return;
	}
	if (target >= s->host_err / 2)
		return;
	s->host_err = target;
	/* as after a step: no estimate until the next reads tell one */
	src_reset_counts(s);
	s->freq_valid = false;
	s->rate_bad = false;
}

/**
 * est_init() - reset an estimator
 * @est: estimator, caller-allocated
 */
void est_init(struct est *est)
{
	memset(est, 0, sizeof(*est));
	est->status = EST_STATUS_UNSYNCHRONIZED;
	est->snap.status = EST_STATUS_UNSYNCHRONIZED;
	est->snap.bound_base = EST_BOUND_UNKNOWN;
	est->step_pending = true;
	est->step_threshold_ns = EST_STEP_DEFAULT;
	est->max_bound_ns = EST_MAX_BOUND_DEFAULT;
	est->disrupt_until_good = EST_SETTLE_GOOD;
}

/**
 * est_source_add() - configure a source slot
 * @est: estimator
 * @id: slot, below %EST_MAX_SOURCES
 * @cfg: configuration (copied)
 *
 * Return: 0, or -EINVAL for a bad slot or configuration.
 */
int est_source_add(struct est *est, unsigned int id,
		   const struct est_source_cfg *cfg)
{
	struct est_source *s;

	if (id >= EST_MAX_SOURCES || !cfg)
		return -EINVAL;
	s = &est->src[id];
	memset(s, 0, sizeof(*s));
	est->hold_mask &= ~(1U << id);
	s->cfg = *cfg;
	if (!s->cfg.max_delay_ns)
		s->cfg.max_delay_ns = EST_MAX_DELAY_DEFAULT;
	s->weight = cfg->weight ? min_t(u32, cfg->weight, 1000) : 100;
	s->host_err = cfg->host_error_ns;
	s->state = EST_SRC_INIT;
	s->kf.q = EST_Q_INIT;
	s->kf.p_ff = EST_PFF0;
	s->kf.nis = Q16;
	return 0;
}

/**
 * est_source_configure() - change a source's configuration, keeping its
 *	filter state
 * @est: the estimator
 * @id: source slot, as given to est_source_add()
 * @cfg: new configuration
 *
 * A host error reported with est_source_host_error() is kept: it still
 * wins over @cfg->host_error_ns unless %EST_CFG_HOST_ERROR_FIXED is set.
 * The host error in force then changes as there: up at once, down by
 * more than half with a fresh filter, else not at all.
 *
 * Return: 0, or -EINVAL for a slot not in use.
 */
int est_source_configure(struct est *est, unsigned int id,
			 const struct est_source_cfg *cfg)
{
	struct est_source *s;

	if (id >= EST_MAX_SOURCES || !cfg ||
	    est->src[id].state == EST_SRC_UNUSED)
		return -EINVAL;
	s = &est->src[id];
	s->cfg = *cfg;
	if (!s->cfg.max_delay_ns)
		s->cfg.max_delay_ns = EST_MAX_DELAY_DEFAULT;
	s->weight = cfg->weight ? min_t(u32, cfg->weight, 1000) : 100;
	src_host_apply(s, src_host_target(s));
	return 0;
}

/**
 * est_source_host_error() - the error the source's host reports now
 * @est: the estimator
 * @id: source slot
 * @host_error_ns: the host's error bound now, ns; %EST_NO_REPORT when the
 *	host withdrew its report (the configured host error is the fallback
 *	again, by the same rule)
 *
 * For sources that report their own error bound with every read (the
 * ENA PHC's phc_error_bound): call before offering the reads of a poll.
 * It replaces the configured host error from then on, unless that is
 * %EST_CFG_HOST_ERROR_FIXED. An increase is in the source's bound at
 * once and in the published one at the next est_update(). A decrease
 * below half the value in force restarts the source's filter: its
 * estimate averages samples taken under the larger error, and the
 * smaller one is claimed only for an estimate made of samples taken
 * under it (the source has none for a poll or two, as after a step).
 * A smaller decrease keeps the larger value: the effective host error
 * is the largest one in force since the filter last started.
 */
void est_source_host_error(struct est *est, unsigned int id,
			   u64 host_error_ns)
{
	struct est_source *s;

	if (id >= EST_MAX_SOURCES || est->src[id].state == EST_SRC_UNUSED)
		return;
	s = &est->src[id];
	if (host_error_ns == EST_NO_REPORT && !s->host_rep_valid)
		return;
	s->host_rep = host_error_ns;
	s->host_rep_valid = host_error_ns != EST_NO_REPORT;
	src_host_apply(s, src_host_target(s));
}

/**
 * est_source_remove() - forget a source
 * @est: estimator
 * @id: slot
 */
void est_source_remove(struct est *est, unsigned int id)
{
	if (id >= EST_MAX_SOURCES)
		return;
	memset(&est->src[id], 0, sizeof(est->src[id]));
	/* one of the hold gone; a source added to the slot is not it */
	if (est->hold_mask & (1U << id))
		est->hold_lost = true;
	est->hold_mask &= ~(1U << id);
}

/**
 * est_sample() - offer one bracketed read of a source
 * @est: estimator
 * @id: source slot
 * @raw_before: ktime_get_raw() before the read, ns
 * @src_ns: the source's time, UTC ns
 * @raw_after: ktime_get_raw() after the read, ns
 *
 * Updates that source's filter only; call est_update() to combine and
 * publish. Samples must come in raw time order per source.
 *
 * Return: what was done with the sample.
 */
enum est_sample_result est_sample(struct est *est, unsigned int id,
				  s64 raw_before, s64 src_ns, s64 raw_after)
{
	struct est_source *s;
	enum est_sample_result res;
	s64 mid, y2, d;
	u64 tspan = 0;
	u32 delay;

	if (id >= EST_MAX_SOURCES || est->src[id].state == EST_SRC_UNUSED)
		return EST_SAMPLE_INVALID;
	s = &est->src[id];
	d = raw_after - raw_before;
	if (d < 0 || d > (s64)s->cfg.max_delay_ns)
		return EST_SAMPLE_INVALID;
	delay = (u32)d;
	s->samples++;
	mid = raw_before + d / 2;
	/* twice (source - raw midpoint), keeps the half ns */
	y2 = s_add(s_add(src_ns, -raw_before), s_add(src_ns, -raw_after));
	s->last_raw = mid;

	/* slow read: much wider bracket than the recent minimum */
	if (s->hist_n >= 4 && delay > s->delay_min +
	    max_t(u32, s->delay_min / 2, 4 * s->delay_dev) + src_gran(s)) {
		s->n_slow++;
		src_hist_push(s, mid, y2, delay, EST_SAMPLE_DELAY);
		/*
		 * Not for the filter, whose bound does not cover the
		 * asymmetry of such a bracket, but still what the source
		 * reads now, within its own bracket: after an unseen pause
		 * the only word a busy source may give.
		 */
		s->seen_y2 = y2;
		s->seen_raw = mid;
		s->seen_delay = delay;
		s->seen_valid = !s->off_unknown;
		return EST_SAMPLE_DELAY;
	}
	s->n_slow = 0;
	s->seen_y2 = y2;
	s->seen_raw = mid;
	s->seen_delay = delay;
	s->seen_valid = !s->off_unknown;

	if (s->cfg.update_period_ns && !s->off_unknown) {
		/* reads extrapolate a periodic host sample: feed changes only */
		s64 per = (s64)s->cfg.update_period_ns;

		if (!s->plat_valid ||
		    u64_abs(s_add(y2, -s->plat_y)) <=
		    src_plat_thr(s, s->plat_delay, delay)) {
			if (!s->plat_valid) {
				s->plat_y = y2;
				s->plat_delay = delay;
				s->plat_since = mid;
			}
			s->plat_valid = true;
			s->plat_raw = mid;
			/*
			 * No visible change for two periods: the drift is
			 * below the detection threshold, so the value is
			 * good to that; use it, dated half a period back.
			 */
			if (mid - max(s->plat_push, s->plat_since) < 2 * per) {
				src_hist_push(s, mid, y2, delay,
					      EST_SAMPLE_DUPLICATE);
				return EST_SAMPLE_DUPLICATE;
			}
			tspan = per;
			mid -= per / 2;
		} else {
			tspan = mid - s->plat_raw;
			mid = s->plat_raw + (s64)tspan / 2;
			s->plat_since = mid;
		}
		s->plat_span = max_t(u64, tspan, s->plat_span -
				     s->plat_span / 8);
		s->plat_push = mid;
	}

	res = src_feed(s, mid, y2, delay, tspan);
	if (s->cfg.update_period_ns) {
		/* later reads of this host sample add nothing */
		s->plat_y = y2;
		s->plat_delay = delay;
		s->plat_raw = s->last_raw;
	}
	if (res == EST_SAMPLE_OUTLIER) {
		s->out_raw[s->n_reject % EST_STEP_CONFIRM] = mid;
		s->out_y[s->n_reject % EST_STEP_CONFIRM] = y2;
		s->n_reject++;
		src_hist_push(s, mid, y2, delay, res);
		if (src_step_confirmed(s)) {
			s->steps++;
			if (s->n_good < EST_SETTLE_GOOD)
				s->freq_valid = false;
			s->n_good = 0;
			s->prev_n = 0;
			src_feed(s, mid, y2, delay, tspan);
			res = EST_SAMPLE_STEP;
		} else if (s->n_reject >= EST_REINIT_REJECTS) {
			s->freq_valid = false;
			s->n_good = 0;
			s->prev_n = 0;
			src_feed(s, mid, y2, delay, tspan);
			res = EST_SAMPLE_STEP;
		} else {
			s->state = EST_SRC_STEP;
			return res;
		}
		s->hist[(s->hist_pos + EST_WINDOW - 1) % EST_WINDOW].result =
			EST_SAMPLE_ACCEPTED;
	} else {
		src_hist_push(s, mid, y2, delay, res);
	}
	/*
	 * A rate beyond what any oscillator does is no estimate but a
	 * broken one (reads across an unseen pause taken for frequency, a
	 * clock steered far off): start again from the next read, without
	 * the frequency, and say so until one within the limit is found.
	 */
	if (u64_abs(s->kf.freq >> 14) > EST_FREQ_LIMIT && s->n_good > 1) {
		s->rate_bad = true;
		s->freq_valid = false;
		s->n_good = 0;
		s->prev_n = 0;
	} else if (src_has_estimate(s)) {
		s->rate_bad = false;
	}
	if (res == EST_SAMPLE_ACCEPTED && delay >= s->delay_min) {
		u32 ex = delay - s->delay_min;

		if (ex > s->delay_dev)
			s->delay_dev += (ex - s->delay_dev + 7) / 8;
		else
			s->delay_dev -= (s->delay_dev - ex) / 8;
	}
	if (s->state == EST_SRC_STEP || s->state == EST_SRC_ERROR ||
	    s->state == EST_SRC_STALE || s->n_good < EST_MIN_GOOD)
		s->state = s->n_good < EST_MIN_GOOD ? EST_SRC_INIT :
			EST_SRC_CANDIDATE;
	return res;
}

/**
 * est_source_error() - report a failed read
 * @est: estimator
 * @id: source slot
 * @raw_now: raw time of the failure
 * @stale: the source said its data is stale (-ESTALE); it stops voting
 *	until its next good sample
 */
void est_source_error(struct est *est, unsigned int id, s64 raw_now,
		      bool stale)
{
	struct est_source *s;

	if (id >= EST_MAX_SOURCES || est->src[id].state == EST_SRC_UNUSED)
		return;
	s = &est->src[id];
	s->errors++;
	s->last_raw = raw_now;
	s->state = stale ? EST_SRC_STALE : EST_SRC_ERROR;
}

/**
 * est_disrupt() - report a disruption of the guest
 * @est: estimator
 * @kind: what happened
 * @raw_now: raw time now
 * @gap_ns: for %EST_DISRUPT_PAUSE, how long the raw clock stood still
 *	if known (boottime minus monotonic jump)
 * @gap_err_ns: error of @gap_ns, or %EST_BOUND_UNKNOWN if not known
 *
 * Widens the bound at once, marks the clock disrupted until the
 * sources have settled again, and raises the burst hint.
 */
void est_disrupt(struct est *est, enum est_disrupt_kind kind, s64 raw_now,
		 s64 gap_ns, u64 gap_err_ns)
{
	bool known = kind == EST_DISRUPT_PAUSE &&
		gap_err_ns != EST_BOUND_UNKNOWN;
	struct est_snapshot *sn = &est->snap;
	u64 e2, bound;
	s64 now_t;
	u32 i;

	if (kind == EST_DISRUPT_GAP)
		gap_ns = 0;
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		struct est_source *s = &est->src[i];

		if (s->state == EST_SRC_UNUSED)
			continue;
		if (kind == EST_DISRUPT_GAP) {
			/* offsets still hold: one good sample requalifies */
			bool had = s->n_good >= EST_MIN_GOOD;

			src_reset_counts(s);
			s->n_good = had ? EST_MIN_GOOD - 1 : 0;
			continue;
		}
		if (known) {
			s->kf.off_base = s_add(s->kf.off_base, gap_ns);
			e2 = umul_shr(gap_err_ns, gap_err_ns, 0);
			e2 = e2 > U64_MAX >> 16 ? U64_MAX : e2 << 16;
			s->kf.p_oo = min_t(u64, sat_add(s->kf.p_oo, e2),
					   EST_VAR_MAX);
		} else {
			s->off_unknown = true;
		}
		if (kind == EST_DISRUPT_UNKNOWN)
			s->freq_valid = false;
		src_reset_counts(s);
	}
	est_snapshot_eval(sn, raw_now, &now_t, &bound);
	if (known) {
		est->hold_off = s_add(est->hold_off, gap_ns);
		est->hold_sys = sat_add(est->hold_sys, gap_err_ns);
		est->hold_own = sat_add(est->hold_own, gap_err_ns);
		sn->time_base = s_add(now_t, gap_ns);
		sn->bound_base = sat_add(bound, gap_err_ns);
	} else if (kind == EST_DISRUPT_GAP) {
		sn->time_base = now_t;
		sn->bound_base = bound;
	} else {
		sn->time_base = now_t;
		sn->bound_base = EST_BOUND_UNKNOWN;
		est->hold_t = 0;
	}
	sn->raw_base = raw_now;
	sn->slew = 0;
	sn->slew_len = 0;
	/* a disruption declares a step: the next estimate is taken as is */
	est->step_pending = true;
	est->status = EST_STATUS_DISRUPTED;
	sn->status = EST_STATUS_DISRUPTED;
	sn->seq++;
}

/* Per-source estimate at raw time now. */
struct est_view {
	s64 base;	/* offset, whole ns */
	s64 frac;	/* Q.16 remainder */
	s64 freq;	/* ns/T Q.32 */
	u64 sig;	/* 1 sigma now, ns Q.8 */
	u64 sig_h;	/* 1 sigma at now + horizon, ns Q.8 */
	u64 sigf;	/* freq sigma, ns/T Q.12 */
	u64 sys;	/* systematic bound, ns */
	u64 bound;	/* ns */
	s64 rel;	/* offset relative to the reference, Q.16 ns */
	s64 lo, hi;	/* its interval, relative like @rel */
	s64 ev_lo, ev_hi; /* as evidence (see src_interval(), src_seen_view()) */
	u64 g;		/* growth of that interval, 2^-48 */
	u64 tv;		/* total variance, ns^2 */
	u64 w;		/* weight */
};

static void src_view(const struct est_source *s, s64 now, struct est_view *v)
{
	u64 dt = now > s->kf.t_ref ? now - s->kf.t_ref : 0;
	u64 p_oo, p_ff, p_ooh, p_ffh, infl;
	s64 p_of, p_ofh, off;

	off = s_add(s->kf.off, smul_shr(s->kf.freq, (s64)dt, 46));
	v->base = s_add(s->kf.off_base, off >> 16);
	v->frac = off - ((off >> 16) << 16);
	v->freq = s->kf.freq;
	kf_cov(&s->kf, dt, &p_oo, &p_of, &p_ff);
	kf_cov(&s->kf, dt + EST_HORIZON_NS, &p_ooh, &p_ofh, &p_ffh);
	/*
	 * Innovations larger than the model says (mean normalized
	 * innovation squared above 1) mean the model is too confident:
	 * widen the statistical part by the square root of that mean.
	 */
	infl = usqrt(max_t(u64, s->kf.nis, Q16) << 16);		/* Q.16 */
	v->sig = umul_shr(usqrt(p_oo) + 1, infl, 16);
	v->sig_h = umul_shr(usqrt(p_ooh) + 1, infl, 16);
	v->sigf = umul_shr(usqrt(p_ff) + 1, infl, 16);
	v->sys = src_sys(s);
	v->bound = v->sys + q16_ceil(EST_K * v->sig << 8);
}

/* Bound growth over the horizon, 2^-48 ns/ns, from sigmas in Q.8 ns. */
static u64 growth_of(u64 sig, u64 sig_h)
{
	u64 d = sig_h > sig ? sig_h - sig : 0;

	/* K * d / 256 ns over EST_HORIZON_NS */
	return udiv_shl(EST_K * d + 1, EST_HORIZON_NS, EST_FREQ_SHIFT - 8) + 1;
}

static void insert_sorted(s64 *v, s8 *k, u32 n, s64 val, s8 kind)
{
	u32 j = n;

	while (j > 0 && (v[j - 1] > val || (v[j - 1] == val &&
					    k[j - 1] < kind))) {
		v[j] = v[j - 1];
		k[j] = k[j - 1];
		j--;
	}
	v[j] = val;
	k[j] = kind;
}

/* Combined estimate of one update. */
struct est_comb {
	s64 base;	/* UTC minus raw, whole ns */
	s64 frac;	/* Q.16 */
	s64 freq;	/* 2^-48 */
	u64 bound;	/* ns */
	u64 growth;	/* 2^-48 */
	u64 sig;	/* Q.8 ns */
	u64 sigf;	/* ns/T Q.12 */
	u64 sys;
	u64 own;	/* bound if every averaged survivor is right, ns */
	u64 q;
	/* what at least half of the voters may agree on (see est_select) */
	bool ev_valid;
	s64 ev_lo, ev_hi;	/* UTC minus raw, whole ns */
	s64 ev_fmin, ev_fmax;	/* frequencies of its sources, 2^-48 */
	u64 ev_growth;		/* their largest bound growth, 2^-48 */
};

/*
 * What a source read last (its last read, accepted or not, a slow one
 * too), carried to @now on its frequency: the offset (UTC
 * minus raw, whole ns), and in @rad the bound of that read alone: the
 * source's constant bound, half the read's bracket, a whole granule
 * (one read is not averaged), and what the frequency's uncertainty
 * (EST_K sigma) makes of the time since. A read that extrapolates a
 * host sample is as old as that sample, up to a period and a poll: at
 * the source's frequency that much more.
 */
static s64 src_seen(const struct est_source *s, s64 now, u64 *rad)
{
	s64 dt = s_add(now, -s->seen_raw);
	u64 fs = EST_K * kf_sigf(&s->kf);

	*rad = sat_add(src_sys(s), s->seen_delay / 2 + src_gran(s) + 1);
	*rad = sat_add(*rad, umul_shr(fs, u64_abs(dt), 42) + 1);
	if (s->cfg.update_period_ns)
		*rad = sat_add(*rad, umul_shr((u64_abs(s->kf.freq) >> 20) + fs,
					      s->cfg.update_period_ns +
					      s->cfg.poll_ns, 42) + 1);
	return s_add(s->seen_y2 / 2, smul_shr(s->kf.freq, dt, 62));
}

/*
 * The evidence interval of a voter without an estimate (restarted after
 * a step, or still acquiring): what it read last, relative to @ref.
 */
static void src_seen_view(const struct est_source *s, s64 now, s64 ref,
			  struct est_view *v)
{
	u64 rad;
	s64 mid = s_shl(s_add(src_seen(s, now, &rad), -ref), 16);
	s64 bq = s_shl((s64)min_t(u64, rad, S64_MAX), 16);

	v->ev_lo = s_add(mid, -bq);
	v->ev_hi = s_add(mid, bq);
	v->freq = s->kf.freq;
	v->g = (EST_K * kf_sigf(&s->kf) << 6) + 1;
}

/*
 * The interval of a source with an estimate, relative to @ref (Q.16):
 * its estimate +- its bound. While its reads are rejected (a step being
 * confirmed, whatever state the last selection gave it), or when what
 * it read last shares no point with that (a read too slow for the
 * filter after an unseen pause), a source says two things, the old
 * estimate and what it reads now; either may be right, so as evidence
 * its interval spans both. Selection goes by the estimate alone.
 */
static void src_interval(const struct est_source *s, s64 now, s64 ref,
			 struct est_view *v)
{
	s64 bq = s_shl((s64)min_t(u64, v->bound, S64_MAX), 16), mid;
	u64 rad;

	v->lo = s_add(v->rel, -bq);
	v->hi = s_add(v->rel, bq);
	v->ev_lo = v->lo;
	v->ev_hi = v->hi;
	if (!s->seen_valid)
		return;
	mid = s_shl(s_add(src_seen(s, now, &rad), -ref), 16);
	bq = s_shl((s64)min_t(u64, rad, S64_MAX), 16);
	if (!s->n_reject && s_add(mid, bq) >= v->lo &&
	    s_add(mid, -bq) <= v->hi)
		return;
	v->ev_lo = min(v->lo, s_add(mid, -bq));
	v->ev_hi = max(v->hi, s_add(mid, bq));
}

/*
 * The evidence: the span from the lowest to the highest point that at
 * least half of the voters may agree on. Each voter brings an interval:
 * a source with an estimate its own (spanning a step being confirmed,
 * see src_interval()), one without (restarted after a step, acquiring)
 * what it read last (src_seen_view()); a voter that has not read has
 * none, may be one of those within their bounds and agrees with any
 * point. So of the @n intervals (their ends sorted in @ends) a point
 * needs ceil(voters / 2) - (voters - n). If at least half of the
 * voters are within their own bounds, the truth is such a point,
 * wherever the others are. Needing none, the intervals may all be
 * wrong and prove nothing: no evidence.
 *
 * Sets @c's ev_* fields and marks in @in the intervals that reach into
 * the span; returns the span in @l and @h (relative to @ref, Q.16).
 */
static void est_evidence(const struct est_view *v, const bool *evi,
			 const s64 *ends, const s8 *kinds, u32 n, u32 voters,
			 s64 ref, struct est_comb *c, bool *in, s64 *l,
			 s64 *h)
{
	int need = (int)(voters + 1) / 2 - (int)(voters - n), cnt = 0;
	u32 i;

	*l = S64_MAX;
	*h = -S64_MAX;
	for (i = 0; i < EST_MAX_SOURCES; i++)
		in[i] = false;
	if (!n || need < 1)
		return;
	for (i = 0; i < 2 * n; i++) {
		if (kinds[i] > 0 && cnt + 1 >= need && *l == S64_MAX)
			*l = ends[i];
		if (kinds[i] < 0 && cnt >= need)
			*h = ends[i];
		cnt += kinds[i];
	}
	if (*l > *h)
		return;		/* no point has enough: none within bounds */
	c->ev_valid = true;
	c->ev_lo = s_add(ref, *l >> 16);
	c->ev_hi = s_add(ref, s_add(*h, Q16 - 1) >> 16);
	c->ev_fmin = S64_MAX;
	c->ev_fmax = -S64_MAX;
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (!evi[i] || v[i].ev_hi < *l || v[i].ev_lo > *h)
			continue;
		in[i] = true;
		c->ev_fmin = min(c->ev_fmin, v[i].freq >> 14);
		c->ev_fmax = max(c->ev_fmax, v[i].freq >> 14);
		c->ev_growth = max(c->ev_growth, v[i].g);
	}
}

/*
 * Select and combine. Candidates are the sources with an estimate; a
 * majority of the voters must share a point, those that miss it are
 * falsetickers, and the survivors are averaged. The combined bound is
 * the distance from the average to the far end of the evidence (see
 * est_evidence()): it covers the truth whenever at least half of the
 * voters are within their own bounds, whatever the others do, also
 * while a wrong source still overlaps the right ones. Returns whether
 * there is a combination; the evidence in @c is set either way.
 */
static bool est_select(struct est *est, s64 now, struct est_comb *c)
{
	struct est_view v[EST_MAX_SOURCES];
	bool cand[EST_MAX_SOURCES], surv[EST_MAX_SOURCES];
	bool evi[EST_MAX_SOURCES], in_ev[EST_MAX_SOURCES];
	s64 ends[2 * EST_MAX_SOURCES], ev_ends[2 * EST_MAX_SOURCES];
	s8 kinds[2 * EST_MAX_SOURCES], ev_kinds[2 * EST_MAX_SOURCES];
	u32 i, n = 0, n_ev = 0, voters = 0, cnt = 0, best = 0, nsurv = 0;
	s64 ref = 0, lo, hi, sel_l, sel_h, ev_l, ev_h, acc = 0, facc = 0;
	u64 wsum = 0, fwsum = 0, g, fw, sk, gmin = U64_MAX;
	bool have_ref = false;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		struct est_source *s = &est->src[i];

		cand[i] = false;
		surv[i] = false;
		evi[i] = false;
		s->ft_reason = EST_FT_NONE;
		s->share_sel = 0;
		if (s->state == EST_SRC_UNUSED)
			continue;
		if (s->state == EST_SRC_STALE ||
		    (s->n_good && now - s->last_good > (s64)src_stale_age(s)) ||
		    (!s->n_good && s->samples && now - s->last_raw >
		     (s64)src_stale_age(s))) {
			s->state = EST_SRC_STALE;
			continue;
		}
		if (!src_has_estimate(s)) {
			s->state = EST_SRC_INIT;
			if (s->rate_bad) {
				s->state = EST_SRC_FALSETICKER;
				s->ft_reason = EST_FT_RATE;
			}
			/*
			 * A source still acquiring abstains (counts against
			 * a majority) so that one answering first cannot take
			 * over. Once the clock is synchronized, a source that
			 * never had an estimate since it was added (no bound
			 * yet) does not vote: merely starting up, it must not
			 * deny the majority that keeps the clock synchronized.
			 */
			if (!est->synced_once || s->bound_ns) {
				voters++;
				evi[i] = s->seen_valid;
			}
			continue;
		}
		voters++;
		src_view(s, now, &v[i]);
		if (!have_ref) {
			ref = v[i].base;
			have_ref = true;
		}
		v[i].rel = s_add(s_shl(s_add(v[i].base, -ref), 16), v[i].frac);
		src_interval(s, now, ref, &v[i]);
		v[i].g = growth_of(v[i].sig, v[i].sig_h);
		s->est_ns = v[i].base;
		s->bound_ns = v[i].bound;
		insert_sorted(ends, kinds, 2 * n, v[i].lo, 1);
		insert_sorted(ends, kinds, 2 * n + 1, v[i].hi, -1);
		n++;
		cand[i] = true;
		evi[i] = true;
		if (s->state != EST_SRC_STEP && s->state != EST_SRC_ERROR)
			s->state = EST_SRC_CANDIDATE;
	}
	est->voters = voters;
	est->candidates = n;
	est->survivors = 0;
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (!evi[i])
			continue;
		if (!cand[i]) {
			if (!have_ref) {
				ref = s_add(est->src[i].seen_y2 / 2, 0);
				have_ref = true;
			}
			src_seen_view(&est->src[i], now, ref, &v[i]);
		}
		insert_sorted(ev_ends, ev_kinds, 2 * n_ev, v[i].ev_lo, 1);
		insert_sorted(ev_ends, ev_kinds, 2 * n_ev + 1, v[i].ev_hi, -1);
		n_ev++;
	}
	est_evidence(v, evi, ev_ends, ev_kinds, n_ev, voters, ref, c, in_ev,
		     &ev_l, &ev_h);
	if (!n)
		return false;
	for (i = 0; i < 2 * n; i++) {
		cnt += kinds[i];
		if (kinds[i] > 0 && cnt > best)
			best = cnt;
	}
	if (2 * best <= voters) {
		for (i = 0; i < EST_MAX_SOURCES; i++)
			if (cand[i])
				est->src[i].ft_reason = EST_FT_NO_MAJORITY;
		return false;
	}
	/*
	 * The majority intersection: a stretch covered by "best" intervals
	 * (a start reaching best is followed by an end). Should several
	 * disjoint stretches have it, the majorities overlap in sources
	 * that reach into both, and which one is right cannot be told:
	 * no majority, and the evidence covers both.
	 */
	cnt = 0;
	sel_l = S64_MAX;
	sel_h = -S64_MAX;
	for (i = 0; i + 1 < 2 * n; i++) {
		cnt += kinds[i];
		if (kinds[i] < 0 || cnt != best)
			continue;
		if (sel_l != S64_MAX) {
			best = 0;
			break;
		}
		sel_l = ends[i];
		sel_h = ends[i + 1];
	}
	if (!best) {
		for (i = 0; i < EST_MAX_SOURCES; i++)
			if (cand[i])
				est->src[i].ft_reason = EST_FT_NO_MAJORITY;
		return false;
	}
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		struct est_source *s = &est->src[i];

		if (!cand[i])
			continue;
		if (v[i].hi < sel_l || v[i].lo > sel_h) {
			/*
			 * Outside, but its reads are being rejected: what
			 * disagrees may be its own estimate from before a
			 * step or pause, in doubt itself. A step is being
			 * confirmed, it is no falseticker yet.
			 */
			s->state = s->n_reject ? EST_SRC_STEP :
				EST_SRC_FALSETICKER;
			s->ft_reason = EST_FT_OUTSIDE;
			continue;
		}
		if (s->state == EST_SRC_CANDIDATE)
			s->state = EST_SRC_OK;
		surv[i] = true;
		nsurv++;
		/* total variance (ns^2), the constant part as uniform */
		g = umul_shr(v[i].sig, v[i].sig, 16);
		g = sat_add(g, umul_shr(v[i].sys, v[i].sys, 0) / 3 + 1);
		v[i].tv = g;
		gmin = min(gmin, g);
	}
	est->survivors = nsurv;
	if (!nsurv)
		return false;
	/*
	 * Average only survivors within EST_COMBINE_LIMIT sigmas of the
	 * best one: a much worse source adds its unknown constant error
	 * and little else. Weight: configured weight over total variance.
	 * The estimate is kept within the intersection of the averaged
	 * ones and within the evidence: a wide interval (a source still
	 * acquiring its frequency) that merely reaches into the majority
	 * must not pull the estimate to its edge.
	 */
	lo = -S64_MAX;
	hi = S64_MAX;
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (!surv[i])
			continue;
		if (v[i].tv > EST_COMBINE_LIMIT * EST_COMBINE_LIMIT * gmin) {
			surv[i] = false;
			continue;
		}
		v[i].w = div64_u64((u64)est->src[i].weight << 32, v[i].tv) + 1;
		wsum += v[i].w;
		lo = max(lo, v[i].lo);
		hi = min(hi, v[i].hi);
	}
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (!surv[i])
			continue;
		fw = udiv_shl(v[i].w, wsum, 16);
		est->src[i].share_sel = (u32)fw;
		acc = s_add(acc, smul_shr(v[i].rel, (s64)fw, 16));
		/* frequency: weight over frequency variance */
		v[i].w = div64_u64((u64)est->src[i].weight << 40,
				   sat_add(umul_shr(v[i].sigf, v[i].sigf, 0),
					   1)) + 1;
		fwsum += v[i].w;
	}
	if (hi < lo)
		hi = lo;
	if (max(lo, ev_l) <= min(hi, ev_h))
		acc = clamp(acc, max(lo, ev_l), min(hi, ev_h));
	else
		acc = clamp(acc, lo, hi);
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (!surv[i])
			continue;
		fw = udiv_shl(v[i].w, fwsum, 16);
		facc = s_add(facc, smul_shr(v[i].freq, (s64)fw, 16));
		if (!c->sig || v[i].sig < c->sig) {
			c->sig = v[i].sig;
			c->sigf = v[i].sigf;
		}
		/* holdover: the largest wander, x4 as its estimate is noisy */
		c->q = max_t(u64, c->q, sat_add(est->src[i].kf.q,
						3 * est->src[i].kf.q));
	}
	/* an average of rates within the limit: clamped all the same */
	c->freq = clamp_t(s64, facc >> 14, -EST_FREQ_LIMIT, EST_FREQ_LIMIT);
	c->base = s_add(ref, acc >> 16);
	c->frac = acc - ((acc >> 16) << 16);
	c->bound = q16_ceil(max(u64_abs(s_add(acc, -ev_l)),
				u64_abs(s_add(ev_h, -acc)))) + 1;
	c->own = q16_ceil(max(u64_abs(s_add(acc, -lo)),
			      u64_abs(s_add(hi, -acc)))) + 1;
	sk = q16_ceil(EST_K * c->sig << 8);
	c->sys = c->bound > sk ? c->bound - sk : 0;
	/* the bound holds until the next update while the evidence's does */
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (!in_ev[i])
			continue;
		g = growth_of(v[i].sig, v[i].sig_h) +
			u64_abs(s_add(c->freq, -(v[i].freq >> 14)));
		c->growth = max(c->growth, g);
	}
	return true;
}

/* Holdover bound at dt ns after the last selection, ns Q.8 sigma. */
static u64 hold_sigma(const struct est *est, s64 dtns)
{
	struct est_kf k;
	u64 p_oo, p_ff;
	s64 p_of;

	memset(&k, 0, sizeof(k));
	k.p_oo = umul_shr(est->hold_sig, est->hold_sig, 0);
	k.p_ff = umul_shr(est->hold_fsig, est->hold_fsig, 0);
	k.q = est->hold_q;
	kf_cov(&k, dtns > 0 ? dtns : 0, &p_oo, &p_of, &p_ff);
	return usqrt(p_oo) + 1;
}

static bool all_settled(const struct est *est)
{
	u32 i;

	for (i = 0; i < EST_MAX_SOURCES; i++) {
		const struct est_source *s = &est->src[i];

		if (s->state == EST_SRC_OK &&
		    s->n_good < est->disrupt_until_good)
			return false;
	}
	return true;
}

/*
 * Do the sources that still read and are not known to be wrong all
 * disagree with the clock, offset @pub (time minus raw at @now)
 * +-@bound? Counted are the sources of the published combination that
 * are not selected (reads rejected, a step being confirmed, restarted
 * after one) and any other not selected, not stale, whose last read is
 * good. Each last read is carried to @now on the source's frequency,
 * +- its bound (src_seen()). False if one of them agrees (evidence for
 * the clock) or none has read; else [@lo, @hi] spans what they read.
 */
static bool est_disagreement(const struct est *est, s64 now, s64 pub,
			     u64 bound, s64 *lo, s64 *hi)
{
	bool any = false;
	s64 off;
	u64 r;
	u32 i;

	*lo = S64_MAX;
	*hi = -S64_MAX;
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		const struct est_source *s = &est->src[i];

		if (!s->seen_valid || s->state == EST_SRC_UNUSED ||
		    s->state == EST_SRC_OK || s->state == EST_SRC_ERROR ||
		    s->state == EST_SRC_STALE ||
		    s->state == EST_SRC_FALSETICKER)
			continue;
		off = src_seen(s, now, &r);
		if (u64_abs(s_add(off, -pub)) <= sat_add(bound, r))
			return false;
		r = min_t(u64, r, S64_MAX);
		*lo = min(*lo, s_add(off, -(s64)r));
		*hi = max(*hi, s_add(off, (s64)r));
		any = true;
	}
	return any;
}

/* Distance from @at to the farther end of [@lo, @hi], plus one. */
static u64 span_reach(s64 at, s64 lo, s64 hi)
{
	return max(u64_abs(s_add(at, -lo)), u64_abs(s_add(hi, -at))) + 1;
}

/**
 * est_update() - select, combine and publish
 * @est: estimator
 * @raw_now: raw time now (read it inside the snapshot write section)
 *
 * Call after samples and periodically, at least every
 * %EST_HORIZON_NS; the result is in @est->snap.
 */
void est_update(struct est *est, s64 raw_now)
{
	struct est_snapshot *sn = &est->snap;
	struct est_comb c;
	s64 pub_t, tgt = 0, delta, dt, freq = 0, lo, hi, was = 0;
	u64 pub_b, bound = 0, growth = 0, sig, sig_h, was_b = 0, own = 0;
	bool sel, have, had, step, taken = false;
	u32 status, i, mask, wrong;

	sel = est_select(est, raw_now, &c);
	have = est->hold_t != 0;
	if (have) {
		/* the last combination, extrapolated */
		dt = raw_now - est->hold_t;
		tgt = s_add(s_add(raw_now, est->hold_off),
			    smul_shr(dt, est->hold_freq, EST_FREQ_SHIFT));
		tgt = s_add(tgt, est->hold_frac >= Q16 / 2);
		sig = hold_sigma(est, dt);
		sig_h = hold_sigma(est, dt + EST_HORIZON_NS);
		bound = est->hold_sys + q16_ceil(EST_K * sig << 8) + 1;
		own = est->hold_own + q16_ceil(EST_K * sig << 8) + 1;
		growth = growth_of(sig, sig_h);
		freq = est->hold_freq;
		/* past what the variance can represent: say unknown */
		if (sig_h > usqrt(EST_VAR_MAX)) {
			bound = EST_BOUND_UNKNOWN;
			growth = 0;
		}
		/*
		 * What the clock says before this update, by what its own
		 * sources proved (the evidence of others may have widened
		 * what it published)
		 */
		was = s_add(tgt, -raw_now);
		was_b = bound == EST_BOUND_UNKNOWN ? bound : own;
	}
	had = have;
	/*
	 * Take the new combination unless a source of the last one has
	 * dropped out and the extrapolated one is clearly tighter and
	 * agrees with it: do not jump to the constant error of a much
	 * worse source. Tighter by what each combination's own sources
	 * say; what the evidence asks for is added below either way. A
	 * last combination with a source now known to be wrong (a
	 * falseticker) proves nothing tighter.
	 */
	mask = 0;
	wrong = 0;
	for (i = 0; i < EST_MAX_SOURCES; i++) {
		if (est->src[i].share_sel)
			mask |= 1U << i;
		if (est->src[i].state == EST_SRC_FALSETICKER)
			wrong |= 1U << i;
	}
	if (sel && (!have || est->step_pending ||
		    est->status == EST_STATUS_DISRUPTED ||
		    (!(est->hold_mask & ~mask) && !est->hold_lost) ||
		    (est->hold_mask & wrong) ||
		    sat_add(own, own / 4) >= c.own ||
		    u64_abs(s_add(tgt, -s_add(raw_now, c.base))) > c.own)) {
		est->hold_off = c.base;
		est->hold_frac = c.frac;
		est->hold_t = raw_now;
		est->hold_freq = c.freq;
		est->hold_sig = c.sig;
		est->hold_fsig = c.sigf;
		est->hold_q = c.q;
		est->hold_sys = c.sys;
		est->hold_own = c.own > c.bound - c.sys ?
			c.own - (c.bound - c.sys) : 0;
		est->last_sync = raw_now;
		for (i = 0; i < EST_MAX_SOURCES; i++)
			est->src[i].share = est->src[i].share_sel;
		est->hold_mask = mask;
		est->hold_lost = false;
		bound = c.bound;
		growth = c.growth;
		tgt = s_add(raw_now, s_add(c.base, c.frac >= Q16 / 2));
		freq = c.freq;
		have = true;
		/*
		 * A survivor whose last read failed or was rejected (a
		 * step being confirmed) still counts until it is stale,
		 * extrapolated; the clock only follows current sources if
		 * one of those averaged is selected (ok).
		 */
		for (i = 0; i < EST_MAX_SOURCES; i++)
			if (est->src[i].share_sel &&
			    est->src[i].state == EST_SRC_OK)
				taken = true;
	}

	/*
	 * Synchronized only when the published clock follows the current
	 * selection and a source of it is selected. Once synchronized,
	 * anything else is holdover: nothing selectable, no majority (the
	 * voters split, e.g. one of two steps), the last combination kept
	 * because the new one is much wider (its sources are gone), or
	 * only survivors not read successfully. The clock stays readable
	 * with the growing holdover bound; unsynchronized is for a clock
	 * never synchronized (or whose offset a disruption made unknown)
	 * and for a holdover bound past max_bound_ns.
	 */
	if (est->status == EST_STATUS_DISRUPTED &&
	    (!sel || !taken || !all_settled(est)))
		status = EST_STATUS_DISRUPTED;
	else if (taken)
		status = EST_STATUS_SYNCHRONIZED;
	else if (have && est->synced_once)
		status = EST_STATUS_HOLDOVER;
	else
		status = EST_STATUS_UNSYNCHRONIZED;
	/*
	 * No source of the combination selected, and what they read now
	 * disagrees with what the clock said: either they stepped or the
	 * clock is off (a pause the guest did not see moves every host at
	 * once). Until that is settled the bound covers what they say,
	 * from the first such read on; beyond a step it is a disruption.
	 */
	if (had && !taken && est->synced_once &&
	    est_disagreement(est, raw_now, was, was_b, &lo, &hi)) {
		if (span_reach(was, lo, hi) > est->step_threshold_ns)
			status = EST_STATUS_DISRUPTED;
		if (bound != EST_BOUND_UNKNOWN)
			bound = max(bound, span_reach(s_add(tgt, -raw_now),
						      lo, hi));
	}
	/*
	 * Whatever the clock follows (the new combination, the last one
	 * kept or held over), its interval covers the evidence: every
	 * point that at least half of the voters may agree on.
	 */
	if (have && c.ev_valid && bound != EST_BOUND_UNKNOWN) {
		bound = max(bound, span_reach(s_add(tgt, -raw_now), c.ev_lo,
					      c.ev_hi));
		growth = max(growth, c.ev_growth +
			     max(u64_abs(s_add(freq, -c.ev_fmin)),
				 u64_abs(s_add(c.ev_fmax, -freq))));
	}
	if (have && bound > est->max_bound_ns &&
	    status != EST_STATUS_DISRUPTED)
		status = EST_STATUS_UNSYNCHRONIZED;

	est_snapshot_eval(sn, raw_now, &pub_t, &pub_b);
	if (!have) {
		sn->raw_base = raw_now;
		sn->time_base = pub_t;
		sn->slew = 0;
		sn->slew_len = 0;
		sn->status = status;
		est->status = status;
		sn->seq++;
		return;
	}
	delta = s_add(tgt, -pub_t);
	step = est->step_pending || sn->bound_base == EST_BOUND_UNKNOWN ||
		u64_abs(delta) > est->step_threshold_ns;
	if (!sel && sn->bound_base != EST_BOUND_UNKNOWN)
		step = false;	/* holdover never steps */
	sn->raw_base = raw_now;
	sn->freq = freq;
	sn->bound_growth = growth;
	if (step) {
		if (!est->step_pending && est->synced_once &&
		    u64_abs(delta) > est->step_threshold_ns)
			status = EST_STATUS_DISRUPTED;
		sn->time_base = tgt;
		sn->slew = 0;
		sn->slew_len = 0;
		sn->bound_base = bound;
		est->step_pending = false;
	} else {
		/* take the correction in at the largest allowed rate */
		s64 rate = delta < 0 ? -EST_SLEW_MAX : EST_SLEW_MAX;

		sn->time_base = pub_t;
		sn->slew = rate;
		sn->slew_len = rate ? udiv_shl(u64_abs(delta), u64_abs(rate),
					       EST_FREQ_SHIFT) : 0;
		sn->bound_base = sat_add(bound, u64_abs(delta));
	}
	if (taken)
		est->synced_once = true;
	sn->status = status;
	est->status = status;
	sn->seq++;
}

/**
 * est_snapshot_eval() - the published clock at a raw time
 * @snap: snapshot (a consistent copy)
 * @raw: raw time, ns
 * @time_ns: UTC at @raw, ns
 * @bound_ns: error bound at @raw, ns (%EST_BOUND_UNKNOWN if unknown)
 *
 * Integer only, saturating; monotonic in @raw for one snapshot.
 */
void est_snapshot_eval(const struct est_snapshot *snap, s64 raw,
		       s64 *time_ns, u64 *bound_ns)
{
	s64 dr = raw - snap->raw_base;
	s64 t, len, rate;

	/*
	 * Each segment is d + d * rate with |rate| < 1e-3, which cannot
	 * overflow; only the final sum saturates, so the result stays
	 * monotonic in raw even at the extremes.
	 */
	if (dr <= 0 || !snap->slew_len) {
		t = s_add(dr, smul_shr_round(dr, snap->freq, EST_FREQ_SHIFT));
	} else {
		len = (s64)min_t(u64, snap->slew_len, S64_MAX);
		rate = s_add(snap->freq, snap->slew);
		if (dr <= len) {
			t = s_add(dr, smul_shr_round(dr, rate, EST_FREQ_SHIFT));
		} else {
			t = s_add(len, smul_shr_round(len, rate,
						      EST_FREQ_SHIFT));
			t = s_add(t, s_add(dr - len,
					   smul_shr_round(dr - len, snap->freq,
							  EST_FREQ_SHIFT)));
		}
	}
	t = s_add(snap->time_base, t);
	*time_ns = t;
	if (snap->bound_base == EST_BOUND_UNKNOWN)
		*bound_ns = EST_BOUND_UNKNOWN;
	else
		*bound_ns = sat_add(sat_add(snap->bound_base, 1),
				    umul_shr(u64_abs(dr), snap->bound_growth,
					     EST_FREQ_SHIFT));
}

/**
 * est_source_burst() - should this source be polled faster now?
 * @est: estimator
 * @id: source slot
 *
 * Return: true while the source is acquiring, confirming a step or the
 * clock is disrupted.
 */
bool est_source_burst(const struct est *est, unsigned int id)
{
	const struct est_source *s;

	if (id >= EST_MAX_SOURCES)
		return false;
	s = &est->src[id];
	if (s->state == EST_SRC_UNUSED)
		return false;
	if (s->n_good < EST_SETTLE_GOOD || s->n_reject || s->off_unknown ||
	    est->status == EST_STATUS_DISRUPTED)
		return true;
	if (s->cfg.update_period_ns && s->plat_push) {
		/* a new host sample is due: locate it closely */
		s64 since = s->last_raw - s->plat_push;
		s64 per = (s64)s->cfg.update_period_ns;
		s64 win = (s64)max_t(u64, s->cfg.poll_ns, 1000000);

		return since > per - win && since < per + 2 * win;
	}
	return false;
}

/**
 * est_source_get() - read out one source
 * @est: estimator
 * @id: source slot
 * @raw_now: raw time now
 * @info: filled in
 *
 * Return: 0, or -ENOENT for an unused slot.
 */
int est_source_get(const struct est *est, unsigned int id, s64 raw_now,
		   struct est_source_info *info)
{
	const struct est_source *s;
	struct est_view v;
	s64 pub_t;
	u64 b;

	if (id >= EST_MAX_SOURCES || est->src[id].state == EST_SRC_UNUSED)
		return -ENOENT;
	s = &est->src[id];
	memset(info, 0, sizeof(*info));
	info->state = s->state;
	info->ft_reason = s->ft_reason;
	info->samples = s->samples;
	info->errors = s->errors;
	info->delay_ns = s->delay_min;
	info->jitter_ns = q16_ceil(usqrt(s->kf.r) << 8);
	info->host_error_ns = s->host_err;
	if (!src_has_estimate(s)) {
		info->bound_ns = EST_BOUND_UNKNOWN;
		return 0;
	}
	src_view(s, raw_now, &v);
	est_snapshot_eval(&est->snap, raw_now, &pub_t, &b);
	info->offset_ns = s_add(s_add(v.base, raw_now), -pub_t);
	/* ns/T Q.32 to ppb: x * 1e9 / 2^62 */
	info->freq_ppb = smul_shr(v.freq, 1000000000LL, 62);
	info->bound_ns = v.bound;
	return 0;
}

static const char * const est_status_names[EST_STATUS_MAX] = {
	[EST_STATUS_UNSYNCHRONIZED] = "unsynchronized",
	[EST_STATUS_SYNCHRONIZED] = "synchronized",
	[EST_STATUS_HOLDOVER] = "holdover",
	[EST_STATUS_DISRUPTED] = "disrupted",
};

static const char * const est_src_state_names[EST_SRC_MAX] = {
	[EST_SRC_UNUSED] = "unused",
	[EST_SRC_INIT] = "init",
	[EST_SRC_OK] = "ok",
	[EST_SRC_CANDIDATE] = "candidate",
	[EST_SRC_FALSETICKER] = "falseticker",
	[EST_SRC_STALE] = "stale",
	[EST_SRC_ERROR] = "error",
	[EST_SRC_STEP] = "step",
};

static const char * const est_ft_reason_names[EST_FT_MAX] = {
	[EST_FT_NONE] = "none",
	[EST_FT_OUTSIDE] = "outside-intersection",
	[EST_FT_NO_MAJORITY] = "no-majority",
	[EST_FT_RATE] = "rate-out-of-range",
};

/**
 * est_status_name() - stable name of an &enum est_status
 * @status: value
 *
 * Return: the name, or "invalid".
 */
const char *est_status_name(unsigned int status)
{
	return status < EST_STATUS_MAX ? est_status_names[status] : "invalid";
}

/**
 * est_src_state_name() - stable name of an &enum est_src_state
 * @state: value
 *
 * Return: the name, or "invalid".
 */
const char *est_src_state_name(unsigned int state)
{
	return state < EST_SRC_MAX ? est_src_state_names[state] : "invalid";
}

/**
 * est_ft_reason_name() - stable name of an &enum est_ft_reason
 * @reason: value
 *
 * Return: the name, or "invalid".
 */
const char *est_ft_reason_name(unsigned int reason)
{
	return reason < EST_FT_MAX ? est_ft_reason_names[reason] : "invalid";
}
